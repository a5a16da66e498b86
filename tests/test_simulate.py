"""`surveykit simulate`: seeded, plausible, and faithful to the definition."""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition, load
from surveykit.session.steps import Flow, validate_answer
from surveykit.session.task_order import task_order
from surveykit.simulate import MixedDataError, SimOptions, simulate
from surveykit.storage.store import Store
from tests.fixtures_data import SURVEYS, S, fill, run_cli, write_definition

Cap = pytest.CaptureFixture[str]
START = datetime(2026, 10, 5, tzinfo=UTC)


def sim(db: Path, definition: Definition, n: int, **kw: object) -> None:
    with Store(db) as store:
        simulate(definition, store, SimOptions(sessions=n, start=START, **kw))  # type: ignore[arg-type]


def dump(db: Path) -> list[list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    # Every file makes its own travelling ids (sessions.uuid, device_id): not part of the data.
    session_cols = [
        r[1] for r in conn.execute("PRAGMA table_info(sessions)") if r[1] not in ("uuid", "device_id")
    ]
    out = [conn.execute(f"SELECT {', '.join(session_cols)} FROM sessions ORDER BY 1").fetchall()]
    out += [
        conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
        for t in ("answers", "task_runs")
    ]
    out.append(conn.execute("SELECT session_id, at, kind, data_json FROM events ORDER BY id").fetchall())
    conn.close()
    return out


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    d = load(SURVEYS / "checkout-study.yaml")
    sim(tmp_path / "a.db", d, 40, seed=7)
    sim(tmp_path / "b.db", d, 40, seed=7)
    sim(tmp_path / "c.db", d, 40, seed=8)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    assert dump(tmp_path / "a.db")[1] != dump(tmp_path / "c.db")[1]


def test_answers_are_valid_and_follow_skip_logic(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    d = load(SURVEYS / "store-feedback.yaml")
    sim(db, d, 400, seed=1)
    conn = sqlite3.connect(db)
    flow = Flow(d.survey.questions)
    answers: dict[int, dict[str, object]] = {}
    for sid, qid, value_json, is_na in conn.execute(
        "SELECT session_id, question_id, value_json, is_na FROM answers"
    ):
        value = json.loads(value_json) if value_json is not None else None
        assert validate_answer(flow.step(qid), value, is_na=bool(is_na)) is None, (qid, value)
        answers.setdefault(sid, {})[qid] = value
    reasons = [a for a in answers.values() if "nps_reason" in a]
    assert reasons and all(isinstance(a["nps"], int) and a["nps"] <= 6 for a in reasons)
    # plausible spread: every NPS point used, N/A sometimes, "other" sometimes
    assert len({a["nps"] for a in answers.values() if "nps" in a}) == 11
    assert conn.execute("SELECT COUNT(*) FROM answers WHERE is_na = 1").fetchone()[0] > 0
    assert any(isinstance(a.get("visit"), dict) for a in answers.values())
    statuses = Counter(r[0] for r in conn.execute("SELECT status FROM sessions"))
    assert statuses["completed"] > 300 and statuses["abandoned"] > 10
    modes = {r[0] for r in conn.execute("SELECT DISTINCT mode FROM sessions")}
    assert modes == {"kiosk"}
    meta = json.loads(conn.execute("SELECT meta_json FROM sessions LIMIT 1").fetchone()[0])
    assert meta == {"simulated": True, "seed": 1}
    # kiosks are used in opening hours, within the days asked for
    first, last = conn.execute("SELECT MIN(started_at), MAX(started_at) FROM sessions").fetchone()
    assert first >= "2026-10-05T09:00" and last < "2026-11-02"
    abandoned = conn.execute(
        "SELECT COUNT(*) FROM events WHERE kind = 'idle_reset'").fetchone()[0]
    assert abandoned == statuses["abandoned"]


def test_study_follows_task_order_and_times_are_log_normal(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    d = load(SURVEYS / "checkout-study.yaml")
    sim(db, d, 150, seed=3, devices=("lab-1", "lab-2"))
    conn = sqlite3.connect(db)
    ids = [t.id for t in d.survey.tasks.items]  # type: ignore[union-attr]
    for participant, order_json, sid in conn.execute(
        "SELECT participant, task_order_json, id FROM sessions"
    ):
        order = json.loads(order_json)
        assert order == task_order(ids, "latin_square", participant)
        positions = dict(conn.execute(
            "SELECT task_id, position FROM task_runs WHERE session_id = ?", (sid,)).fetchall())
        assert all(order[p - 1] == t for t, p in positions.items())
    assert {r[0] for r in conn.execute("SELECT DISTINCT device FROM sessions")} == {"lab-1", "lab-2"}
    outcomes = Counter(r[0] for r in conn.execute("SELECT outcome FROM task_runs"))
    assert outcomes["success"] > outcomes["fail"] > 0 and outcomes["timeout"] > 0
    times = [r[0] / 1000 for r in conn.execute(
        "SELECT active_ms FROM task_runs WHERE outcome = 'success' AND task_id = 'find-shoes'")]
    logs = [math.log(t) for t in times]
    assert statistics.mean(times) > statistics.median(times)  # right-skewed
    assert abs(statistics.mean(logs) - statistics.median(logs)) < 0.2  # symmetric in logs
    limit = conn.execute("SELECT MIN(active_ms) FROM task_runs WHERE outcome = 'timeout' "
                         "AND task_id = 'apply-coupon'").fetchone()[0]
    assert limit >= 180_000
    sus = conn.execute("SELECT COUNT(*) FROM answers WHERE question_id LIKE 'sus.%'").fetchone()[0]
    seq = conn.execute("SELECT COUNT(*) FROM answers WHERE question_id = 'seq'").fetchone()[0]
    assert sus > 1000 and seq > 300
    errors = conn.execute("SELECT SUM(errors), SUM(hints) FROM task_runs").fetchone()
    events = conn.execute(
        "SELECT SUM(kind = 'error'), SUM(kind = 'hint') FROM events").fetchone()
    assert errors == events
    # SEQ follows the task outcome
    seq_by = dict(conn.execute(
        "SELECT r.outcome = 'success', AVG(a.value_num) FROM answers a JOIN task_runs r "
        "ON r.session_id = a.session_id AND r.task_id = a.task_id GROUP BY 1").fetchall())
    assert seq_by[1] > seq_by[0]


def test_refuses_to_mix_with_real_sessions(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    d = write_definition(tmp_path)
    fill(db, d, [S({"nps": 3})])
    with Store(db) as store, pytest.raises(MixedDataError, match="1 real session"):
        simulate(d, store, SimOptions(sessions=3))
    with Store(db) as store:
        summary = simulate(d, store, SimOptions(sessions=3), allow_mixed=True)
    assert summary.sessions == 3


def test_cli(tmp_path: Path, capsys: Cap) -> None:
    db = tmp_path / "sim.db"
    code, out, err = run_cli(
        ["simulate", str(SURVEYS / "post-support.yaml"), "-n", "30", "--db", str(db),
         "--seed", "4", "--mode", "run", "--start", "2026-11-01", "--days", "3",
         "--meta", "channel=web,app", "--no-events"], capsys)
    assert code == 0, err
    assert out.startswith(f"{db}: 30 simulated sessions of post-support (")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    metas = {json.loads(r[0])["channel"] for r in conn.execute("SELECT meta_json FROM sessions")}
    assert metas == {"web", "app"}
    code, out, _ = run_cli(["score", str(db), "--by", "channel"], capsys)
    assert code == 0 and "── channel = app" in out
    code, _, err = run_cli(["simulate", str(SURVEYS / "post-support.yaml"), "-n", "3",
                            "--db", str(db), "--meta", "oops"], capsys)
    assert code == 2
    code, _, err = run_cli(["simulate", str(SURVEYS / "post-support.yaml"), "-n", "3",
                            "--db", str(db), "--start", "soon"], capsys)
    assert code == 2


def test_cli_refuses_real_data(tmp_path: Path, capsys: Cap) -> None:
    db = tmp_path / "a.db"
    d = write_definition(tmp_path)
    fill(db, d, [S({"nps": 3})])
    code, _, err = run_cli(["simulate", str(tmp_path / "sink.yaml"), "-n", "2", "--db", str(db)],
                           capsys)
    assert code == 1 and "real session" in err and "--allow-mixed" in err


def test_every_question_type_gets_valid_answers(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    d = write_definition(tmp_path)
    sim(db, d, 200, seed=2, mode="run")
    survey = d.survey
    assert survey.tasks is not None
    flows = {
        "": Flow([*survey.questions, *survey.after]),
        **{t.id: Flow(survey.tasks.after_each, task_id=t.id) for t in survey.tasks.items},
    }
    conn = sqlite3.connect(db)
    seen: set[str] = set()
    for task_id, qid, value_json, is_na in conn.execute(
        "SELECT task_id, question_id, value_json, is_na FROM answers"
    ):
        value = json.loads(value_json) if value_json is not None else None
        step = flows[task_id].step(qid)
        assert validate_answer(step, value, is_na=bool(is_na)) is None, (qid, value)
        seen.add(step.type)
    assert seen == {"nps", "text", "csat", "ces", "rating", "choice", "multi", "number", "seq",
                    "sus", "umux_lite"}
