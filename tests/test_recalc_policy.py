"""Which value grades a formula when the recalculation and the saved value disagree."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from autocorrect.api import grade
from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.evaluate.policy import grading_value
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import load
from autocorrect.report import CandidateReport, Code, ItemResult, Verdict
from autocorrect.rubric.model import Rubric
from tests.conftest import C20_FIXTURES

STALE = C20_FIXTURES / "submissions" / "cand12-cache-perime.xlsx"
SR = CellRef("Synthèse", 20, 2)


def _rewrite(source: Path, target: Path, part: str, edit: object) -> Path:
    assert callable(edit)
    with zipfile.ZipFile(source) as archive:
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(target, "w") as archive:
        for info, data in entries:
            archive.writestr(info, edit(data.decode("utf-8")) if info.filename == part else data)
    return target


def _automatic(tmp_path: Path) -> Path:
    """The stale fixture as if saved in automatic calculation mode."""
    return _rewrite(
        STALE,
        tmp_path / "auto.xlsx",
        "xl/workbook.xml",
        lambda xml: re.sub(r'calcMode="manual" ?', "", xml).encode("utf-8"),
    )


def test_manual_mode_recalculation_decides() -> None:
    workbook = load(STALE)
    assert workbook.calc.calc_mode == "manual"
    assert workbook.calc.saved_by_calculating_application
    evaluator = Evaluator(workbook)
    graded = grading_value(evaluator, SR)
    assert graded.value == evaluator.value(SR) != workbook.cells[SR].cached
    assert graded.mismatch is None and graded.review is None


def test_automatic_mode_saved_value_decides_and_jury_is_told(tmp_path: Path) -> None:
    workbook = load(_automatic(tmp_path))
    assert workbook.calc.automatic
    evaluator = Evaluator(workbook)
    graded = grading_value(evaluator, SR)
    assert graded.value == workbook.cells[SR].cached != evaluator.value(SR)
    assert graded.mismatch is not None and graded.mismatch.code == Code.RECALC_MISMATCH


def test_program_that_does_not_calculate_recalculation_decides(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"], sheet["A2"] = 2, "=A1*3"
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    workbook = load(path)
    assert not workbook.calc.saved_by_calculating_application
    evaluator = Evaluator(workbook)
    assert grading_value(evaluator, CellRef(sheet.title, 2, 1)).value == 6.0


def test_unknown_function_is_never_credited_on_its_saved_value(tmp_path: Path) -> None:
    def unknown(xml: str) -> bytes:
        # the SR formula becomes a function no engine knows, its saved (right) value kept
        return re.sub(
            r"(<c r=\"B20\"[^>]*>\s*<f[^>]*>)[^<]*(</f>)", r"\1NOSUCH(B18)\2", xml
        ).encode("utf-8")

    auto = _automatic(tmp_path)
    workbook = load(auto)
    part = next(
        name
        for name in zipfile.ZipFile(auto).namelist()
        if name.startswith("xl/worksheets/")
        and b'r="B20"' in zipfile.ZipFile(auto).read(name)
        and "Synthèse" in _sheet_of(auto, name)
    )
    path = _rewrite(auto, tmp_path / "unknown.xlsx", part, unknown)
    workbook = load(path)
    evaluator = Evaluator(workbook)
    graded = grading_value(evaluator, SR)
    assert graded.review is not None
    downstream = CellRef("Synthèse", 21, 2)
    if workbook.get(downstream) is not None and workbook.cells[downstream].is_formula:
        dependent = grading_value(evaluator, downstream)
        assert dependent.review is not None or SR not in evaluator.precedent_cells(downstream)


def _sheet_of(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = part.removeprefix("xl/")
    rel = re.search(rf'Id="([^"]+)"[^>]*Target="/?(?:xl/)?{re.escape(target)}"', rels) or re.search(
        rf'Target="/?(?:xl/)?{re.escape(target)}"[^>]*Id="([^"]+)"', rels
    )
    assert rel is not None
    sheet = re.search(rf'<sheet name="([^"]+)"[^>]*r:id="{rel.group(1)}"', workbook)
    return sheet.group(1) if sheet else ""


def test_grading_in_automatic_mode_never_calls_the_candidate_wrong_on_the_engine_alone(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    manual = grade(STALE, c20_rubric)
    automatic = grade(_automatic(tmp_path), c20_rubric)
    sr_manual = _item(manual, "SR")
    sr_auto = _item(automatic, "SR")
    assert sr_manual.verdict == Verdict.INCORRECT and Code.STALE_CACHE in sr_manual.codes
    assert sr_auto.verdict == Verdict.CORRECT and Code.RECALC_MISMATCH in sr_auto.codes
    assert Code.RECALC_MISMATCH in {f.code for f in automatic.findings}
    assert automatic.score > manual.score


def test_grading_sends_an_unverifiable_formula_to_review(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    auto = _automatic(tmp_path)
    part = _part_of(auto, "Synthèse")
    path = _rewrite(
        auto,
        tmp_path / "unknown.xlsx",
        part,
        lambda xml: re.sub(
            r"(<c r=\"B18\"[^>]*>\s*<f[^>]*>)[^<]*(</f>)", r"\1NOSUCH(1)\2", xml
        ).encode("utf-8"),
    )
    report = grade(path, c20_rubric)
    # B19 (Résultat) = B16 - B18, the fixed charges now computed by an unknown function whose
    # saved value is right: the answer is not creditable on that saved value alone
    result = _item(report, "Résultat")
    assert result.verdict == Verdict.REVIEW
    assert Code.UNSUPPORTED_FUNCTION in result.codes
    assert "ne suffit pas" in result.explanation


def _item(report: CandidateReport, key: str) -> ItemResult:
    return next(i for q in report.questions for i in q.items if i.key == key)


def _part_of(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    return next(n for n in names if n.startswith("xl/worksheets/") and _sheet_of(path, n) == sheet)
