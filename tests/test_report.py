"""`surveykit report`: one self-contained HTML file, the numbers of `score --json`, escaped
text, and a real headless Chromium that renders it."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition
from tests.fixtures_data import Run, S, fill, run_cli, sus_answers, write_definition

Cap = pytest.CaptureFixture[str]

HOSTILE = [
    "<script>alert(1)</script>",
    "\" onmouseover=\"alert(2)\" x='",
    "</li></ul><img src=http://evil.example/x.png>",
    "bell\x07 escape\x1b[31mred nul\x00 end",
]


@pytest.fixture
def sink(tmp_path: Path) -> Definition:
    return write_definition(tmp_path)


@pytest.fixture
def db(db_path: Path, sink: Definition) -> Path:
    path = db_path
    sessions = []
    for i in range(8):
        answers = {"nps": (3 + 2 * i) % 11, "csat": 1 + i % 5, "ces": 1 + i % 7,
                   "rate": 1 + i, "t1/seq": 1 + i % 7,
                   **sus_answers([1 + (i + k) % 5 for k in range(10)])}
        if answers["nps"] <= 6:
            answers["why"] = HOSTILE[i % len(HOSTILE)]
        sessions.append(S(answers, runs=[Run("t1", "success" if i % 3 else "fail", 20_000 + 7_000 * i,
                                             errors=i % 3),
                                         Run("t2", "success", 40_000 + 1_000 * i)],
                          status="abandoned" if i == 7 else "completed",
                          meta={"design": "A" if i % 2 else "B"}))
    fill(path, sink, sessions)
    return path


def _report(db: Path, tmp_path: Path, capsys: Cap, *args: str) -> str:
    out = tmp_path / "report.html"
    code, stdout, err = run_cli(["report", str(db), "--out", str(out), *args], capsys)
    assert code == 0, err
    assert "Wrote" in stdout
    return out.read_text(encoding="utf-8")


class _Refs(HTMLParser):
    """Every place an HTML page can name another resource: src, href (xlink:href too),
    srcset, poster, action, url(…) in style attributes and style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name.split(":")[-1] in ("src", "href", "srcset", "poster", "action", "data"):
                self.found.append(value.strip())
            self.found += re.findall(r"url\(\s*['\"]?([^'\")]*)", value, re.I)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += re.findall(r"url\(\s*['\"]?([^'\")]*)", data, re.I)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def _references(page: str) -> list[str]:
    parser = _Refs()
    parser.feed(page)
    return parser.found


def test_no_request_leaves_the_file(db: Path, tmp_path: Path, capsys: Cap) -> None:
    page = _report(db, tmp_path, capsys, "--by", "design")
    targets = _references(page)
    assert targets, "the charts' SVG refers to its own patterns and markers"
    external = [t for t in targets if not (t.startswith("#") or t.startswith("data:"))]
    assert external == []
    assert "@import" not in page and "<script" not in page.lower()
    assert "default-src 'none'" in page  # and the browser is told to refuse any request
    assert "@media print" in page


def _cells(page: str) -> dict[tuple, dict[str, str]]:
    out = {}
    for attrs in re.findall(r'<td class="value"([^>]*)>', page):
        a = {k: html.unescape(v) for k, v in re.findall(r'data-(\w+)="([^"]*)"', attrs)}
        key = (a["metric"], a["question"], a["task"], a["group"], a["scale"])
        assert key not in out
        out[key] = a
    return out


@pytest.mark.parametrize("by", [[], ["--by", "design"]])
def test_numbers_equal_score_json(db: Path, tmp_path: Path, capsys: Cap, by: list[str]) -> None:
    page = _report(db, tmp_path, capsys, *by)
    code, out, err = run_cli(["score", str(db), "--json", *by], capsys)
    assert code == 0, err
    cells = _cells(page)
    seen = 0
    for survey in json.loads(out)["surveys"]:
        for group in survey["groups"]:
            for m in group["metrics"]:
                key = (m["metric"], m["question_id"] or "", m["task_id"] or "",
                       json.dumps(group["group"]), json.dumps(m["details"].get("scale")))
                cell = cells[key]
                for field in ("value", "low", "high"):
                    expected = m[field]
                    assert cell[field] == ("" if expected is None else repr(expected)), (key, field)
                assert int(cell["n"]) == m["n"]
                seen += 1
    assert seen == len(cells) > 20


def test_text_answers_are_escaped(db: Path, tmp_path: Path, capsys: Cap) -> None:
    page = _report(db, tmp_path, capsys)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=http://evil" not in page
    assert "&quot; onmouseover=&quot;alert(2)&quot; x=&#x27;" in page
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    assert "escape\ufffd[31mred" in page


def test_every_metric_has_a_chart_with_a_text_alternative(
    db: Path, tmp_path: Path, capsys: Cap
) -> None:
    page = _report(db, tmp_path, capsys, "--by", "design")
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', page, re.S)
    titles = [re.search(r"<h4>(.*?)</h4>", f).group(1) for f in figures]  # type: ignore[union-attr]
    for wanted in ("NPS", "CSAT mean", "CES mean", "Rating mean", "SUS", "Task completion",
                   "Time on task", "Errors per run", "Abandoned runs", "SEQ per task",
                   "Abandoned sessions"):
        assert any(wanted in t for t in titles), (wanted, titles)
    for f in figures:
        assert "<svg" in f and "<path" in f
        caption = re.search(r"<figcaption>(.*?)</figcaption>", f, re.S).group(1)  # type: ignore[union-attr]
        assert "n=" in caption and re.search(r"\d", caption)


def test_unknown_by_key_is_a_user_error(db: Path, tmp_path: Path, capsys: Cap) -> None:
    code, _out, err = run_cli(["report", str(db), "--out", str(tmp_path / "r.html"),
                               "--by", "desgin"], capsys)
    assert code == 1 and "design" in err


def test_says_how_to_install_matplotlib(db: Path, tmp_path: Path, capsys: Cap,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _out, err = run_cli(["report", str(db), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 1 and "pip install 'surveykit[report]'" in err


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


def test_a_headless_chromium_renders_every_chart(db: Path, tmp_path: Path, capsys: Cap) -> None:
    browser = _chromium()
    page = _report(db, tmp_path, capsys, "--by", "design")
    path = tmp_path / "report.html"
    flags = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        # any name the page tried to reach would fail to resolve
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    dom = subprocess.run([*flags, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    svgs = re.findall(r"<svg\b.*?</svg>", rendered, re.S)
    assert len(svgs) == page.count("<svg") >= 10
    assert all(svg.count("<path") >= 3 for svg in svgs)
    assert "Headline" in rendered and "SUS" in rendered
    shot = tmp_path / "shot.png"
    run = subprocess.run([*flags, "--hide-scrollbars", "--window-size=1000,1800",
                          f"--screenshot={shot}", path.as_uri()],
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page, not a blank


def test_the_scanner_sees_what_a_browser_would_fetch() -> None:
    page = ('<link href="https://x/a.css"><svg><use xlink:href="http://y/s.svg#a"/></svg>'
            '<div style="background:url(//z/b.png)"></div><style>p{background:url("http://w")}</style>'
            '<p>&lt;img src=http://text.only&gt;</p>')
    assert _references(page) == ["https://x/a.css", "http://y/s.svg#a", "//z/b.png", "http://w"]


def test_dots_are_quantiles_beyond_the_limit() -> None:
    from surveykit.report.charts import dots

    assert dots({2.0: 2, 1.0: 1}) == [1.0, 2.0, 2.0]
    many = {float(v): 10 for v in range(1000)}  # 10,000 observations
    shown = dots(many, limit=100)
    assert len(shown) == 100 and shown == sorted(shown)
    assert shown[0] == 5.0 and shown[-1] == 995.0  # ranks 50, 150, … 9,950 and shown[50] == 505.0


def test_an_unwritable_target_is_a_user_error(db: Path, tmp_path: Path, capsys: Cap) -> None:
    target = tmp_path / "missing-folder" / "r.html"
    code, _out, err = run_cli(["report", str(db), "--out", str(target)], capsys)
    assert code == 1 and "cannot write" in err
    assert not list(tmp_path.glob("**/.report-*"))
