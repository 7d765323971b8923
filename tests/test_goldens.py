"""Golden reports: every bundled fixture graded, the whole JSON compared with its golden file.

`make goldens` rewrites the goldens from the current engine; review the diff before committing.
The fixtures' *intended* verdicts (intents.yaml, written with the fixtures, independently of
the engine) are checked too: a golden can only be rewritten to something the intent agrees with.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from autocorrect.api import grade
from autocorrect.render.json import render_json
from autocorrect.report import CandidateReport
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from tests.conftest import ROOT

CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs")
METHOD_CODES = {  # intents.yaml vocabulary -> finding code
    "wrong-function": "method-wrong-function",
    "short-range": "method-short-range",
    "hardcoded-count": "method-hardcoded-count",
    "copy-shift": "method-copy-shift",
    "typed-value": "hardcoded-value",
}


def _fixtures(case: str) -> list[Path]:
    folder = ROOT / "fixtures" / case
    return [folder / "solution.xlsx", *sorted((folder / "submissions").glob("*.xlsx"))]


ALL = [(case, path) for case in CASES for path in _fixtures(case) if path.exists()]


@cache
def _rubric(case: str) -> Rubric:
    return load_rubric(ROOT / "rubrics" / f"{case}.yaml")


@cache
def _report(case: str, path: Path) -> CandidateReport:
    return grade(path, _rubric(case))


@cache
def _intents(case: str) -> dict[str, dict[str, object]]:
    data = yaml.safe_load((ROOT / "fixtures" / case / "intents.yaml").read_text(encoding="utf-8"))
    return dict(data)


def _id(param: tuple[str, Path]) -> str:
    return f"{param[0]}/{param[1].stem}"


@pytest.mark.parametrize("case", CASES)
def test_there_are_enough_fixtures(case: str) -> None:
    files = _fixtures(case)
    assert files[0].is_file(), "solution de référence absente"
    assert len([f for f in files[1:] if f.is_file()]) >= 10


@pytest.mark.parametrize(("case", "path"), ALL, ids=[_id(p) for p in ALL])
def test_golden_report(case: str, path: Path, update_goldens: bool) -> None:
    got = render_json(_report(case, path))
    golden = ROOT / "fixtures" / case / "goldens" / f"{path.stem}.json"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"pas de golden pour {path.name} : lancer `make goldens`"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(("case", "path"), ALL, ids=[_id(p) for p in ALL])
def test_verdicts_match_the_fixture_intent(case: str, path: Path) -> None:
    intent = _intents(case)[path.stem]
    assert _report(case, path).verdicts() == intent["verdicts"]


@pytest.mark.parametrize(("case", "path"), ALL, ids=[_id(p) for p in ALL])
def test_method_findings_match_the_fixture_intent(case: str, path: Path) -> None:
    intended = {
        qid: {METHOD_CODES[code] for code in codes}
        for qid, codes in (_intents(case)[path.stem].get("methods") or {}).items()  # type: ignore[union-attr]
    }
    found = {
        q.id: {str(c) for i in q.items for c in i.codes if str(c) in METHOD_CODES.values()}
        for q in _report(case, path).questions
    }
    for qid, codes in intended.items():
        assert codes <= found[qid], qid
    unexpected = {q: c for q, c in found.items() if c and q not in intended}
    method_only = {q: c - {"hardcoded-value"} for q, c in unexpected.items()}
    assert not any(method_only.values()), method_only


@pytest.mark.parametrize("case", CASES)
def test_reference_solution_scores_full_marks_without_findings(case: str) -> None:
    report = _report(case, _fixtures(case)[0])
    assert report.score == report.max_score
    assert report.findings == ()
    codes = {str(c) for q in report.questions for i in q.items for c in i.codes}
    assert codes <= {"chart-found", "formula-proven"}
    assert {str(c.proposal) for c in report.criteria} == {"acquis"}


@pytest.mark.parametrize("case", CASES)
def test_reference_solution_formulas_are_proven_on_redrawn_data(case: str) -> None:
    """Every numeric answer of the examiner's solution computes its item on the redrawn data
    sets (fingerprints), not only on the subject's data."""
    report = _report(case, _fixtures(case)[0])
    numeric = [
        (q.id, i.key)
        for q in report.questions
        for i in q.items
        if i.formula and isinstance(i.expected, float) and "formula-proven" not in i.codes
    ]
    unproven_allowed = {  # values that do not move when the data are redrawn (0 % rupture)
        (q.id, i.key)
        for q in report.questions
        for i in q.items
        if isinstance(i.expected, float) and i.expected == 0
    }
    assert set(numeric) <= unproven_allowed


def test_grading_twice_is_byte_identical() -> None:
    for case, path in ALL[:: max(1, len(ALL) // 4)]:
        first = render_json(grade(path, _rubric(case)))
        assert first == render_json(grade(path, _rubric(case)))
