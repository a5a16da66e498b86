"""`score` warns about answers to questions that are in no definition."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures_data import S, fill, run_cli, write_definition


def test_answers_to_unknown_questions_are_reported(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.db"
    fill(db, write_definition(tmp_path), [S({"nps": 9, "ghost": 3, "t1/phantom": 2}),
                                          S({"nps": 6, "ghost": 4})])
    code, out, err = run_cli(["score", str(db), "--json"], capsys)
    assert code == 0, err
    warnings = json.loads(out)["surveys"][0]["warnings"]
    assert "ghost: 2 answers to a question that is in no definition of this survey left out" \
        in warnings
    assert any(w.startswith("phantom (task t1): 1 answer ") for w in warnings)
    code, out, _ = run_cli(["score", str(db)], capsys)
    assert code == 0 and "ghost: 2 answers" in out
