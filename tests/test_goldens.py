"""Golden reports: every bundled fixture graded, the whole JSON compared with its golden file.

`make goldens` rewrites the goldens from the current engine; review the diff before committing.
The fixtures' *intended* verdicts (intents.yaml, written with the fixtures, independently of
the engine) are checked too: a golden can only be rewritten to something the intent agrees with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autocorrect.api import grade
from autocorrect.render.json import render_json
from autocorrect.rubric import Rubric
from tests.conftest import C20_FIXTURES

SUBMISSIONS = sorted((C20_FIXTURES / "submissions").glob("*.xlsx"))
SOLUTION = C20_FIXTURES / "solution.xlsx"
GOLDENS = C20_FIXTURES / "goldens"
INTENTS = C20_FIXTURES / "intents.yaml"
ALL = [SOLUTION, *SUBMISSIONS]


def _intents() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(INTENTS.read_text(encoding="utf-8"))
    return {stem: entry["verdicts"] for stem, entry in data.items()}


def test_there_are_enough_fixtures() -> None:
    assert SOLUTION.is_file()
    assert len(SUBMISSIONS) >= 10


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_golden_report(path: Path, c20_rubric: Rubric, update_goldens: bool) -> None:
    got = render_json(grade(path, c20_rubric))
    golden = GOLDENS / f"{path.stem}.json"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"pas de golden pour {path.name} : lancer `make goldens`"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_verdicts_match_the_fixture_intent(path: Path, c20_rubric: Rubric) -> None:
    intended = _intents()[path.stem]
    assert grade(path, c20_rubric).verdicts() == intended


def test_reference_solution_scores_full_marks_without_findings(c20_rubric: Rubric) -> None:
    report = grade(SOLUTION, c20_rubric)
    assert report.score == report.max_score == 28
    assert report.findings == ()
    assert all(not i.codes for q in report.questions for i in q.items)
    assert [str(c.proposal) for c in report.criteria] == ["acquis"]


def test_grading_twice_is_byte_identical(c20_rubric: Rubric) -> None:
    for path in ALL[:3]:
        assert render_json(grade(path, c20_rubric)) == render_json(grade(path, c20_rubric))
