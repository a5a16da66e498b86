"""Sites: `--site` on run, moderate and kiosk; participants and task order per site;
`score --by site`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from surveykit.cli import kiosk as kiosk_cli
from surveykit.cli import main
from surveykit.definition.loader import Definition, load
from surveykit.session.participants import open_study, participants, suggest_participant
from surveykit.session.run import RunOpener, plan_resume
from surveykit.session.study import StudyError
from surveykit.session.survey import SurveySession
from surveykit.session.task_order import task_order
from surveykit.storage.kiosk_writer import KioskWriter
from surveykit.storage.store import Store
from surveykit.tui import kiosk_app, moderate_app, run_app
from surveykit.tui.kiosk_app import KioskResult
from surveykit.vocabulary import Mode
from tests.fixtures_data import run_cli, write_definition

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "surveys" / "checkout-study.yaml"
FEEDBACK = ROOT / "surveys" / "store-feedback.yaml"


@pytest.fixture
def study() -> Definition:
    return load(STUDY)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "s.db")
    yield s
    s.close()


def crash(store: Store) -> Store:
    """The process dies; another one opens the file."""
    store.close()
    return Store(store.path)


# --- the domain --------------------------------------------------------------------------


def test_the_same_code_at_two_sites_is_two_participants(tmp_path: Path, study: Definition) -> None:
    store = Store(tmp_path / "s.db")
    lyon, _ = open_study(store, study, "P1", site="lyon")
    store.finish_session(lyon.session_id, "completed")
    # P1 at oslo is someone else: a new session, not "already completed"
    oslo, resumed = open_study(store, study, "P1", site="oslo")
    assert not resumed and oslo.session_id != lyon.session_id
    assert store.session(oslo.session_id).site == "oslo"
    with pytest.raises(StudyError, match="P1 at site lyon already completed"):
        open_study(store, study, "P1", site="lyon")
    # without a site, P1 is nobody yet either
    none, _ = open_study(store, study, "P1")
    assert store.session(none.session_id).site is None

    store = crash(store)
    every = participants(store, study.survey)
    assert [(r.site, r.participant, r.status) for r in every] == [
        ("lyon", "P1", "completed"),
        ("oslo", "P1", "in_progress"),
        (None, "P1", "in_progress"),
    ]
    at_oslo = participants(store, study.survey, site="oslo")
    assert [(r.site, r.participant, r.resumable) for r in at_oslo] == [("oslo", "P1", True)]
    assert suggest_participant(at_oslo) == "P2"
    assert suggest_participant(participants(store, study.survey, site="bergen")) == "P1"
    # the unfinished P1 at oslo is resumed there, not elsewhere
    again, resumed = open_study(store, study, "P1", site="oslo")
    assert resumed and again.session_id == oslo.session_id
    store.close()


def test_task_order_is_counterbalanced_per_site(store: Store, study: Definition) -> None:
    """Each site's P1, P2, … walk the latin square from its first row."""
    assert study.survey.tasks is not None and study.survey.tasks.order == "latin_square"
    ids = [t.id for t in study.survey.tasks.items]
    orders: dict[str, list[list[str]]] = {"lyon": [], "oslo": []}
    for site in orders:
        for n in range(1, 7):
            s, _ = open_study(store, study, f"P{n}", site=site)
            store.finish_session(s.session_id, "completed")
            orders[site].append(store.session(s.session_id).task_order or [])
    assert orders["lyon"] == orders["oslo"]
    assert orders["lyon"] == [task_order(ids, "latin_square", f"P{n}") for n in range(1, 7)]
    assert len({tuple(o) for o in orders["lyon"]}) == 6  # a full cycle at each site


def test_run_resumes_only_a_session_of_its_own_site(tmp_path: Path) -> None:
    d = load(FEEDBACK)
    store = Store(tmp_path / "r.db")
    RunOpener(store, d, mode=Mode.RUN, participant="P7", site="lyon").begin()
    store = crash(store)
    row = plan_resume(store, d, participant="P7", mode=Mode.RUN, resume=False, source="f")
    assert row is None  # P7 without a site is someone else
    row = plan_resume(
        store, d, participant="P7", mode=Mode.RUN, resume=False, source="f", site="oslo"
    )
    assert row is None
    row = plan_resume(
        store, d, participant="P7", mode=Mode.RUN, resume=False, source="f", site="lyon"
    )
    assert row is not None and row.site == "lyon"
    with pytest.raises(Exception, match="participant P7 at site oslo"):
        plan_resume(store, d, participant="P7", mode=Mode.RUN, resume=True, source="f", site="oslo")
    store.close()


def test_the_kiosk_writer_carries_the_site_through_its_queue_and_a_spill(tmp_path: Path) -> None:
    d = load(FEEDBACK)
    db = tmp_path / "k.db"
    writer = KioskWriter(db)
    writer.register_definition(d)
    s = SurveySession.begin(writer, d, Mode.KIOSK, device="till-1", site="lyon")
    assert writer.store.session(s.session_id).site == "lyon"
    # the database fails: the start is queued, then kept in a pending file
    writer.store.conn.execute("PRAGMA query_only = 1")
    queued = SurveySession.begin(writer, d, Mode.KIOSK, device="till-1", site="oslo")
    assert queued.session_id < 0 and writer.pending >= 1
    path = writer.spill(tmp_path)
    assert path is not None
    doc = json.loads(path.read_text())
    assert doc["writes"][0]["args"]["site"] == "oslo"
    writer.store.conn.execute("PRAGMA query_only = 0")
    writer.close_store()
    # the next start writes it, with its site
    again = KioskWriter(db)
    assert again.recover(path) >= 1
    assert [s.site for s in again.store.sessions()] == ["lyon", "oslo"]
    again.close_store()


def test_a_pending_file_of_an_older_version_has_no_site(tmp_path: Path) -> None:
    d = load(FEEDBACK)
    db = tmp_path / "k.db"
    writer = KioskWriter(db)
    writer.register_definition(d)
    writer.store.conn.execute("PRAGMA query_only = 1")
    SurveySession.begin(writer, d, Mode.KIOSK, device="till-1")
    path = writer.spill(tmp_path)
    assert path is not None
    doc = json.loads(path.read_text())
    assert "site" not in doc["writes"][0]["args"]  # what older versions wrote
    writer.store.conn.execute("PRAGMA query_only = 0")
    writer.close_store()
    again = KioskWriter(db)
    again.recover(path)
    assert [s.site for s in again.store.sessions()] == [None]
    again.close_store()


def test_score_by_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = write_definition(tmp_path)
    db = tmp_path / "fleet.db"
    with Store(db) as store:
        for site, nps in (("lyon", 10), ("lyon", 9), ("oslo", 2), (None, 8)):
            sid = store.start_session(d, Mode.RUN, participant="P1", site=site)
            store.record_answer(sid, "nps", nps)
            store.finish_session(sid, "completed")
    code, out, err = run_cli(["score", str(db), "--json", "--by", "site"], capsys)
    assert code == 0, err
    groups = {
        g["group"]["site"]: g for g in json.loads(out)["surveys"][0]["groups"]
    }
    assert set(groups) == {"lyon", "oslo", "(none)"}
    assert groups["lyon"]["sessions"]["completed"] == 2
    nps = {k: next(m for m in g["metrics"] if m["metric"] == "nps") for k, g in groups.items()}
    assert (nps["lyon"]["value"], nps["oslo"]["value"]) == (100.0, -100.0)
    code, out, _ = run_cli(["score", str(db), "--by", "site", "--by", "participant"], capsys)
    assert code == 0 and "lyon" in out and "oslo" in out


# --- the commands --------------------------------------------------------------------------


class Captured:
    """Stands in for an app: remembers how it was made and does nothing."""

    made: ClassVar[list[tuple[tuple[Any, ...], dict[str, Any]]]] = []
    result: Any = None
    stopped_by = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        Captured.made.append((args, kwargs))

    def use_theme(self, name: str | None) -> None:
        """As the real apps: the theme is chosen after the app is made."""

    def run(self) -> Any:
        return self.result


def in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)


def call(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def test_run_moderate_and_kiosk_take_a_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    in_a_terminal(monkeypatch)
    Captured.made = []
    monkeypatch.setattr(run_app, "RunApp", Captured)
    monkeypatch.setattr(moderate_app, "ModerateApp", Captured)
    db = str(tmp_path / "s.db")
    call("run", str(FEEDBACK), "--db", db, "--site", " lyon ")
    assert Captured.made[-1][1]["site"] == "lyon"  # trimmed
    call("moderate", str(STUDY), "--db", db, "--site", "oslo")
    assert Captured.made[-1][1]["site"] == "oslo"
    # with a participant, the console opens that participant at that site
    call("moderate", str(STUDY), "--db", db, "--site", "oslo", "-p", "P4")
    kwargs = Captured.made[-1][1]
    assert kwargs["study"].participant == "P4"
    with Store(db) as store:
        assert store.session(kwargs["study"].session_id).site == "oslo"
    monkeypatch.setenv("SURVEYKIT_SITE", "bergen")
    call("moderate", str(STUDY), "--db", db)
    assert Captured.made[-1][1]["site"] == "bergen"

    seen: dict[str, Any] = {}

    class Kiosk(Captured):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.update(kwargs)

        def run(self) -> Any:
            from collections import Counter

            return KioskResult("pin", counts=Counter())

    monkeypatch.setattr(kiosk_app, "KioskApp", Kiosk)
    monkeypatch.setattr(kiosk_cli, "lock_environment", lambda: None)
    code = call("kiosk", str(FEEDBACK), "--db", db, "--site", "lyon", "--pin-hash", "0" * 64)
    assert code == 0, capsys.readouterr().err
    assert seen["site"] == "lyon"


@pytest.mark.parametrize("bad", ["", "   ", "a" * 65, "ly\non"])
def test_a_bad_site_is_refused_before_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    in_a_terminal(monkeypatch)
    code = call("run", str(FEEDBACK), "--db", str(tmp_path / "s.db"), "--site", bad)
    assert code == 2
    assert "--site" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()


def test_help_shows_the_site_option(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "moderate", "kiosk"):
        assert call(command, "--help") == 0
        out = capsys.readouterr().out
        assert "--site NAME" in out and "SURVEYKIT_SITE" in out
