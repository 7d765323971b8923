"""Targeted recomputation: Excel semantics and safety of the evaluator."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from autocorrect.evaluate.evaluator import Evaluator, ExcelError, _compile
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import load
from autocorrect.report import Code


def _book(tmp_path: Path, cells: dict[str, object], name: str = "book") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Feuil1"
    for coord, value in cells.items():
        sheet[coord] = value
    path = tmp_path / f"{name}.xlsx"
    workbook.save(path)
    return path


def _value(path: Path, coord: str) -> object:
    evaluator = Evaluator(load(path))
    sheet = load(path).sheets[0]
    row = int("".join(c for c in coord if c.isdigit()))
    col = ord(coord[0]) - 64
    return evaluator.value(CellRef(sheet, row, col))


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=ROUND(1037.725,2)", 1037.73),  # Excel rounds 15 significant digits first
        ("=ROUND(1.005,2)", 1.01),
        ("=ROUND(-2.675,2)", -2.68),
        ("=ROUNDUP(300.1985,0)", 301.0),
        ("=ROUNDDOWN(2.999,2)", 2.99),
    ],
)
def test_rounding_matches_excel(tmp_path: Path, formula: str, expected: float) -> None:
    assert _value(_book(tmp_path, {"A1": formula}), "A1") == pytest.approx(expected, abs=1e-12)


def test_whole_column_reference_is_clipped(tmp_path: Path) -> None:
    cells: dict[str, object] = {f"B{r}": r for r in range(1, 11)}
    cells["C1"] = "=SUM(B:B)"
    assert _value(_book(tmp_path, cells), "C1") == 55.0


def test_chain_of_formulas_and_precedents(tmp_path: Path) -> None:
    cells: dict[str, object] = {"A1": 10, "A2": "=A1*2", "A3": "=A2+A1", "A4": "=AVERAGE(A1:A3)"}
    assert _value(_book(tmp_path, cells), "A4") == pytest.approx(20.0)


def test_long_running_total_does_not_recurse(tmp_path: Path) -> None:
    cells: dict[str, object] = {"A1": 1}
    for row in range(2, 1501):
        cells[f"A{row}"] = f"=A{row - 1}+1"
    assert _value(_book(tmp_path, cells), "A1500") == 1500.0


def test_defined_name(tmp_path: Path) -> None:
    path = _book(tmp_path, {"A1": 0.2, "B1": "=100*(1+TVA)"})
    workbook = openpyxl.load_workbook(path)
    workbook.defined_names["TVA"] = DefinedName("TVA", attr_text="Feuil1!$A$1")
    workbook.save(path)
    assert _value(path, "B1") == pytest.approx(120.0)


def test_division_by_zero_is_an_excel_error(tmp_path: Path) -> None:
    assert _value(_book(tmp_path, {"A1": 1, "A2": "=A1/0"}), "A2") == ExcelError("#DIV/0!")


def test_circular_reference_is_reported(tmp_path: Path) -> None:
    path = _book(tmp_path, {"A1": "=A2+1", "A2": "=A1+1"})
    evaluator = Evaluator(load(path))
    evaluator.value(CellRef("Feuil1", 1, 1))
    assert Code.CIRCULAR_REFERENCE in {f.code for f in evaluator.findings}


def test_external_workbook_is_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "answers.xlsx"
    _book(tmp_path, {"A1": 123456}, name="answers")
    assert secret.exists()
    path = _book(tmp_path, {"A1": "='[answers.xlsx]Feuil1'!A1+1"})
    evaluator = Evaluator(load(path))
    value = evaluator.value(CellRef("Feuil1", 1, 1))
    assert value != 123457
    assert Code.EXTERNAL_REFERENCE in {f.code for f in evaluator.findings}


def test_unknown_function_falls_back_to_cache_and_says_so(tmp_path: Path) -> None:
    path = _book(tmp_path, {"A1": "=NOSUCHFUNCTION(1)"})
    evaluator = Evaluator(load(path))
    evaluator.value(CellRef("Feuil1", 1, 1))
    assert Code.UNSUPPORTED_FUNCTION in {f.code for f in evaluator.findings}


def test_copied_down_formulas_share_one_compiled_shape(tmp_path: Path) -> None:
    cells: dict[str, object] = {}
    for row in range(1, 6):
        cells[f"A{row}"] = row
        cells[f"B{row}"] = row * 2
        cells[f"C{row}"] = f"=(B{row}-A{row})/A{row}"
    path = _book(tmp_path, cells)
    _compile.cache_clear()
    evaluator = Evaluator(load(path))
    values = [evaluator.value(CellRef("Feuil1", r, 3)) for r in range(1, 6)]
    assert values == [1.0] * 5
    assert _compile.cache_info().currsize == 1


def test_huge_explicit_range_is_clipped_not_materialised(tmp_path: Path) -> None:
    cells: dict[str, object] = {"A1": 1, "B2": 2, "D1": "=SUM(A1:B1048575)"}
    assert _value(_book(tmp_path, cells), "D1") == 3.0


def test_memo_tells_an_empty_cell_from_an_error(tmp_path: Path) -> None:
    """The same formula shape over a range holding an empty cell, then over one holding an
    error: two different results (the memo of formula results must not confuse them)."""
    cells: dict[str, object] = {"A1": 1, "B1": 1, "B2": "=1/0", "C1": "=SUM(A1:A2)"}
    cells["C2"] = "=SUM(B1:B2)"
    path = _book(tmp_path, cells)
    evaluator = Evaluator(load(path))
    sheet = evaluator.workbook.sheets[0]
    assert evaluator.value(CellRef(sheet, 1, 3)) == 1.0
    assert evaluator.value(CellRef(sheet, 2, 3)) == ExcelError("#DIV/0!")


def test_memo_tells_errors_apart(tmp_path: Path) -> None:
    cells: dict[str, object] = {"A1": "=1/0", "B1": "=NA()", "C1": "=IFERROR(A1:A1,0)"}
    cells.update({"C2": "=ERROR.TYPE(A1)", "C3": "=ERROR.TYPE(B1)"})
    path = _book(tmp_path, cells)
    evaluator = Evaluator(load(path))
    sheet = evaluator.workbook.sheets[0]
    assert evaluator.value(CellRef(sheet, 2, 3)) == 2.0
    assert evaluator.value(CellRef(sheet, 3, 3)) == 7.0
