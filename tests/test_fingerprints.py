"""Answers recognised by what their formulas compute (fingerprints on redrawn data sets):
whatever the label says and wherever the answer sits."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autocorrect.api import grade
from autocorrect.reference.case import load_case
from autocorrect.reference.perturb import DATA_SETS, data_sets
from autocorrect.report import CandidateReport, LocatedBy, Verdict
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from tests.relabel import candidate_texts, edited, leaf_formulas, move_to_sheet

ROOT = Path(__file__).resolve().parents[1]
CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs")
NEUTRAL_WORDS = ("Zorglub", "Calc.", "A voir", "x", "—", None)


def _rubric(case: str) -> Rubric:
    return load_rubric(ROOT / "rubrics" / f"{case}.yaml")


def _solution(case: str) -> Path:
    return ROOT / "fixtures" / case / "solution.xlsx"


def _subject(case: str) -> Path:
    return ROOT / "fixtures" / case / "sujet.xlsx"


def _verdicts(report: CandidateReport) -> dict[tuple[str, str], Verdict]:
    return {(q.id, i.key): i.verdict for q in report.questions for i in q.items}


def _nonzero_numbers(path: Path) -> set[tuple[str, int, int]]:
    """Cells whose saved value is a non-zero number, outside the rows and columns that hold
    a value that does not move with the data (a 0 %, a flag): those are placed by the line of
    their table, which must stay whole."""
    values = openpyxl.load_workbook(path, data_only=True)
    cells = [
        (sheet.title, cell.row, cell.column, cell.value)
        for sheet in values.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    fixed = {(s, r, c) for s, r, c, v in cells if v == 0 or v in ("OUI", "NON", True, False)}
    rows = {(s, r) for s, r, _ in fixed}
    cols = {(s, c) for s, _, c in fixed}
    return {
        (s, r, c)
        for s, r, c, v in cells
        if isinstance(v, int | float) and not isinstance(v, bool) and v
        and (s, r) not in rows and (s, c) not in cols
    }  # fmt: skip


def _strip_labels(workbook: openpyxl.Workbook, subject: openpyxl.Workbook) -> None:
    for sheet, row, col in candidate_texts(workbook, subject):
        workbook[sheet].cell(row, col).value = None


@pytest.mark.parametrize("case", CASES)
def test_solution_without_any_label_still_scores_full_marks(case: str, tmp_path: Path) -> None:
    path = edited(_solution(case), tmp_path / "sans-libelles.xlsx", _strip_labels, _subject(case))
    report = grade(path, _rubric(case))
    assert report.score == report.max_score, [
        (q.id, i.key, i.verdict, i.explanation) for q in report.questions for i in q.items
        if i.verdict != Verdict.CORRECT
    ]  # fmt: skip
    located = {i.located_by for q in report.questions for i in q.items}
    assert LocatedBy.VALUE_SEARCH not in located
    assert LocatedBy.METHOD in located


def test_swapped_labels_give_credit_to_neither(tmp_path: Path) -> None:
    """« Taux de marge » written over the taux de marque column and the reverse."""

    def swap(workbook: openpyxl.Workbook, _: openpyxl.Workbook) -> None:
        sheet = workbook["Calculs"]
        assert sheet["D3"].value == "Taux de marge" and sheet["E3"].value == "Taux de marque"
        sheet["D3"], sheet["E3"] = "Taux de marque", "Taux de marge"

    path = edited(
        _solution("c20-bureau-plus"), tmp_path / "swap.xlsx", swap, _subject("c20-bureau-plus")
    )
    report = grade(path, _rubric("c20-bureau-plus"))
    verdicts = _verdicts(report)
    for product in ("P1", "P2", "P3", "P4", "P5"):
        assert verdicts[("C20-Q03", product)] != Verdict.CORRECT
        assert verdicts[("C20-Q04", product)] != Verdict.CORRECT
    item = next(i for q in report.questions if q.id == "C20-Q03" for i in q.items)
    assert {"known-mistake", "computes-other-item"} & set(item.codes), item.explanation


def test_typed_number_inside_a_formula_is_not_a_proven_method(tmp_path: Path) -> None:
    """The total CA right on the subject's data only: the amount typed into a formula that
    reads a cell (`=0*G4+349550`), so that it is not a constant-only formula either."""
    rubric = _rubric("c20-bureau-plus")
    total = load_case(rubric).reference[("C20-Q06", "Total")]
    assert isinstance(total, float)

    def hardcode(workbook: openpyxl.Workbook, _: openpyxl.Workbook) -> None:
        sheet = workbook["Calculs"]
        assert sheet["G9"].value == "=SUM(G4:G8)"
        sheet["G9"] = f"=0*G4+{total!r}"

    case = "c20-bureau-plus"
    path = edited(_solution(case), tmp_path / "saisi.xlsx", hardcode, _subject(case))
    report = grade(path, rubric)
    items = {(q.id, i.key): i for q in report.questions for i in q.items}
    assert items[("C20-Q06", "Total")].verdict == Verdict.HARDCODED
    assert "formula-ignores-data" in items[("C20-Q06", "Total")].codes
    assert items[("C20-Q06", "P1")].verdict == Verdict.CORRECT


def test_redrawn_data_sets_are_deterministic_and_keep_the_nature_of_values() -> None:
    rubric = _rubric("c16-aquapro")
    first, again = data_sets(rubric), data_sets(rubric)
    assert len(first) == DATA_SETS and [d.cells for d in first] == [d.cells for d in again]
    subject = load_case(rubric).subject_cells
    for data_set in first:
        for ref, value in data_set.cells.items():
            original = subject[ref]
            assert type(value) is type(original) or isinstance(original, int | float)
            if isinstance(original, str):
                assert value in set(subject.values())  # categories drawn among themselves
            elif isinstance(original, int | float) and float(original).is_integer():
                assert float(value).is_integer()  # type: ignore[arg-type]
            elif isinstance(original, float) and 0 < original < 1:
                assert 0 < value < 1  # type: ignore[operator]


@pytest.mark.parametrize("case", ("c20-bureau-plus", "c21-terroirs"))
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_relabelling_and_moving_answers_never_changes_a_verdict(
    case: str, seed: int, tmp_path: Path
) -> None:
    """Labels replaced by other words, some answers moved to another sheet, some copied:
    every verdict of the reference solution stays the same."""
    draw = random.Random(seed)
    rubric = _rubric(case)
    moving = _nonzero_numbers(_solution(case))
    before = _verdicts(grade(_solution(case), rubric))

    def rewrite(workbook: openpyxl.Workbook, subject: openpyxl.Workbook) -> None:
        for sheet, row, col in candidate_texts(workbook, subject):
            # Words no rubric lists as a synonym: relabelling, not mislabelling.
            workbook[sheet].cell(row, col).value = draw.choice(NEUTRAL_WORDS)
        # Only answers whose value follows the data: a 0 % or a flag moved far from its
        # table, with no label, cannot be told from any other cell.
        leaves = [c for c in leaf_formulas(workbook, subject) if c in moving]
        for index, cell in enumerate(draw.sample(leaves, k=min(8, len(leaves)))):
            move_to_sheet(
                workbook, cell, "Ailleurs", 3 + 2 * index, 2 + index % 3, keep=index % 2 == 0
            )

    path = edited(_solution(case), tmp_path / f"autre-{seed}.xlsx", rewrite, _subject(case))
    after = _verdicts(grade(path, rubric))
    assert after == before
