"""`surveykit metadata DB`: Datasette metadata, checked against a real Datasette."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fixtures_data import SURVEYS, run_cli

from surveykit.cli import main

Cap = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("meta") / "surveykit.db"
    for name, n in (("store-feedback.yaml", 60), ("checkout-study.yaml", 6)):
        try:
            main(["simulate", str(SURVEYS / name), "-n", str(n), "--db", str(path)])
        except SystemExit as e:
            assert not e.code
    return path


def test_metadata_describes_tables_views_and_columns(db: Path, capsys: Cap) -> None:
    code, out, err = run_cli(["metadata", str(db)], capsys)
    assert code == 0, err
    meta = json.loads(out)
    tables = meta["databases"]["surveykit"]["tables"]
    for name in ("sessions", "answers", "task_runs", "events", "session_overview",
                 "answers_labeled", "task_runs_labeled", "responses_store_feedback",
                 "wide_store_feedback", "responses_checkout_study", "value_labels"):
        assert tables[name]["description"], name
    wide = tables["responses_store_feedback"]
    assert wide["columns"]["csat"].startswith("How satisfied were you with your visit today?")
    assert "5 = Very satisfied" in wide["columns"]["csat"]
    assert "A gift" in wide["columns"]["visit"]
    assert wide["facets"] == ["device", "status", "day"]
    assert tables["session_overview"]["facets"] == ["survey_id", "device", "status", "day"]
    assert "SUS score" in tables["responses_checkout_study"]["columns"]["sus"]
    assert tables["responses_checkout_study"]["columns"]["find-shoes.outcome"].startswith(
        "Task find-shoes")
    assert wide["columns"]["meta.simulated"].startswith("Session meta data 'simulated'")
    for name, entry in tables.items():
        assert all(entry["columns"].values()), name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


def test_a_real_datasette_serves_it(db: Path, tmp_path: Path, capsys: Cap) -> None:
    import datasette  # noqa: F401  (a dev dependency: the test must not skip)
    meta_file = tmp_path / "metadata.json"
    code, _, err = run_cli(["metadata", str(db), "--out", str(meta_file)], capsys)
    assert code == 0, err
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(meta_file),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/-/versions.json")
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("datasette did not start: " + (
                        proc.stderr.read().decode() if proc.stderr else "")) from e
                time.sleep(0.2)
        served = _get(f"{base}/-/metadata.json")
        cols = served["databases"]["surveykit"]["tables"]["responses_store_feedback"]["columns"]
        assert cols["ces"].startswith("Corner Books made it easy")
        page = _get(f"{base}/surveykit/responses_store_feedback.json?_shape=objects&_size=100")
        rows = page["rows"]
        assert len(rows) == 60
        assert all(isinstance(r["ces"], int) or r["ces"] is None for r in rows)
        assert all(r["ces"] is None for r in rows if r["ces_na"] == 1)
        assert "status" in page.get("facet_results", {}), sorted(page)
        with urllib.request.urlopen(f"{base}/surveykit/responses_store_feedback",
                                    timeout=10) as r:
            html = r.read().decode("utf-8")
        assert "Corner Books made it easy" in html  # the column's description on the page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
