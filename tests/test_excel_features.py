"""Spreadsheet features candidates use: tables and structured references, array formulas,
OFFSET/INDIRECT, array arithmetic inside SUMPRODUCT, names, `x%%` — read and evaluated."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableStyleInfo

from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import load
from autocorrect.report import Code

ORDERS = [101, 101, 102, 103, 103, 103, 104, 105, 105, 106]
PRODUCTS = [("Stylo", 120.0), ("Cahier", 300.0), ("Agenda", 580.0)]


def _cell(ref: str) -> CellRef:
    letters = "".join(c for c in ref if c.isalpha())
    return CellRef("Feuil1", int(ref[len(letters) :]), ord(letters) - 64)


def _save(tmp_path: Path, build: object) -> Evaluator:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Feuil1"
    assert callable(build)
    build(workbook, sheet)
    path = tmp_path / "features.xlsx"
    workbook.save(path)
    return Evaluator(load(path))


def _table_book(workbook: openpyxl.Workbook, sheet: object) -> None:
    ws = workbook.active
    assert ws is not None
    ws.append(["Produit", "CA HT", "Part", "Double"])
    for name, amount in PRODUCTS:
        share = "=Tableau1[[#This Row],[CA HT]]/SUM(Tableau1[CA HT])"
        ws.append([name, amount, share, "=[@[CA HT]]*2"])
    ws.append(["Total", "=SUBTOTAL(109,[CA HT])", None, None])
    table = Table(displayName="Tableau1", ref="A1:D5", totalsRowCount=1)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2")
    ws.add_table(table)
    ws["F1"] = "=SUM(Tableau1[[#Totals],[CA HT]])"
    ws["F2"] = "=COUNTA(Tableau1[#Headers])"
    ws["F3"] = "=COUNTA(Tableau1[#All])"
    ws["F4"] = "=COUNTA(Tableau1[#Data])"
    ws["F5"] = "=SUM(Tableau1[[CA HT]:[Part]])"
    ws["F6"] = "=SUM(Tableau1[Inconnue])"


def test_table_part_is_read(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _table_book)
    (table,) = evaluator.workbook.tables
    assert table.name == "Tableau1"
    assert table.columns == ("Produit", "CA HT", "Part", "Double")
    assert table.area == RangeRef("Feuil1", 1, 1, 5, 4)
    assert table.data_area == RangeRef("Feuil1", 2, 1, 4, 4)


def test_structured_references(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _table_book)
    total = sum(amount for _, amount in PRODUCTS)
    shares = [evaluator.value(_cell(f"C{r}")) for r in range(2, 5)]
    assert shares == pytest.approx([amount / total for _, amount in PRODUCTS])
    assert [evaluator.value(_cell(f"D{r}")) for r in range(2, 5)] == [
        2 * amount for _, amount in PRODUCTS
    ]
    assert evaluator.value(_cell("B5")) == total
    assert evaluator.value(_cell("F1")) == total  # the totals row
    assert evaluator.value(_cell("F2")) == 4.0  # cross-check: four column headers
    assert evaluator.value(_cell("F3")) == 4.0 * 5 - 2  # every cell but the empty C5, D5
    assert evaluator.value(_cell("F4")) == 4.0 * len(PRODUCTS)
    assert evaluator.value(_cell("F5")) == pytest.approx(total + 1.0)  # CA HT + shares
    assert evaluator.value(_cell("F6")) == ExcelError("#REF!")
    assert Code.EXTERNAL_REFERENCE not in {f.code for f in evaluator.findings}
    assert Code.FORMULA_ERROR in {f.code for f in evaluator.findings}  # the unknown column


def test_structured_reference_is_a_range_for_method_checks(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _table_book)
    parsed = evaluator.parsed(_cell("C2"))
    assert parsed is not None
    assert set(parsed.targets.values()) == {
        RangeRef("Feuil1", 2, 2, 2, 2),
        RangeRef("Feuil1", 2, 2, 4, 2),
    }


def _orders_book(workbook: openpyxl.Workbook, sheet: object) -> None:
    ws = workbook.active
    assert ws is not None
    for row, order in enumerate(ORDERS, start=4):
        ws[f"A{row}"] = order
    last = 3 + len(ORDERS)
    ws["C1"] = f"=SUMPRODUCT(--(A5:A{last}<>A4:A{last - 1}))+1"
    ws["C2"] = f"=SUMPRODUCT((A4:A{last}>103)*A4:A{last})"
    ws["C3"] = "=50%%"
    ws["C4"] = "=-(-(A4<>A5))"


def test_array_arithmetic_in_sumproduct(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _orders_book)
    assert evaluator.value(_cell("C1")) == float(len(set(ORDERS)))
    assert evaluator.value(_cell("C2")) == float(sum(o for o in ORDERS if o > 103))
    assert evaluator.value(_cell("C3")) == pytest.approx(50 / 100 / 100)
    assert evaluator.value(_cell("C4")) == float(ORDERS[0] != ORDERS[1])


def _array_book(workbook: openpyxl.Workbook, sheet: object) -> None:
    ws = workbook.active
    assert ws is not None
    for row, (name, amount) in enumerate(PRODUCTS, start=1):
        ws[f"A{row}"], ws[f"B{row}"] = name, amount
    ws["C1"] = ArrayFormula("C1:C3", "=B1:B3*1.2")
    ws["D1"] = ArrayFormula("D1:D3", "=_xlfn._xlws.SORT(B1:B3,1,-1)")
    ws["E1"] = "=SUM(_xlfn.ANCHORARRAY(D1))"
    ws["F1"] = ArrayFormula("F1:F4", "=B1:B3*2")  # one cell too many: #N/A, as in Excel
    for row in range(2, 5):  # what an application stores in the other cells: values only
        ws[f"C{row}"] = 0 if row < 4 else None
        ws[f"D{row}"] = 0 if row < 4 else None
        ws[f"F{row}"] = 0


def test_every_cell_of_an_array_formula_is_a_formula_cell(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _array_book)
    amounts = [amount for _, amount in PRODUCTS]
    for row in range(1, 4):
        cell = evaluator.workbook.get(_cell(f"C{row}"))
        assert cell is not None and cell.is_formula and cell.formula == "=B1:B3*1.2"
        assert cell.array == RangeRef("Feuil1", 1, 3, 3, 3)
    assert [evaluator.value(_cell(f"C{r}")) for r in range(1, 4)] == pytest.approx(
        [a * 1.2 for a in amounts]
    )
    assert [evaluator.value(_cell(f"D{r}")) for r in range(1, 4)] == sorted(amounts, reverse=True)
    assert evaluator.value(_cell("E1")) == sum(amounts)
    assert evaluator.value(_cell("F4")) == ExcelError("#N/A")


def _reference_functions_book(workbook: openpyxl.Workbook, sheet: object) -> None:
    ws = workbook.active
    assert ws is not None
    for row, order in enumerate(ORDERS, start=1):
        ws[f"A{row}"] = order
    ws["B4"] = 0.95
    ws["C1"] = "=OFFSET(B4,0,0)*0+7"
    ws["C2"] = "=SUM(OFFSET(A1,2,0,3,1))"
    ws["C3"] = '=INDIRECT("A"&ROW())'
    ws["C4"] = '=SUM(INDIRECT("A1:A"&COUNT(A:A)))'
    ws["C5"] = "=OFFSET(A1,-5,0)"
    ws["F2"] = 5
    ws["C6"] = "=SUM(OFFSET(E1,0,0,1000,1000))"  # a million cells, cut to the stored ones
    ws["C7"] = "=OFFSET(C7,0,1)+1"
    ws["C8"] = "=INDIRECT(C8)"


def test_offset_and_indirect_are_evaluated(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _reference_functions_book)
    assert evaluator.value(_cell("C1")) == 7.0
    assert evaluator.value(_cell("C2")) == float(sum(ORDERS[2:5]))
    assert evaluator.value(_cell("C3")) == float(ORDERS[2])
    assert evaluator.value(_cell("C4")) == float(sum(ORDERS))
    assert evaluator.value(_cell("C5")) == ExcelError("#REF!")
    assert evaluator.value(_cell("C6")) == 5.0
    assert evaluator.value(_cell("C7")) == 1.0  # D7 is empty
    assert evaluator.value(_cell("C8")) == ExcelError("#REF!")
    parsed = evaluator.parsed(_cell("C3"))
    assert parsed is not None and list(parsed.targets.values()) == [RangeRef("Feuil1", 3, 1, 3, 1)]
    codes = {f.code for f in evaluator.findings}
    assert Code.UNSUPPORTED_FUNCTION not in codes
    assert Code.CIRCULAR_REFERENCE in codes


def _names_book(workbook: openpyxl.Workbook, sheet: object) -> None:
    ws = workbook.active
    assert ws is not None
    for row, order in enumerate(ORDERS, start=1):
        ws[f"A{row}"] = order
    calc = workbook.create_sheet("Calculs")
    calc["C1"] = "=SUM(Feuille)"
    calc["C2"] = "=SUM(Feuil1!A:B)"
    calc["C3"] = "=Boucle+1"
    calc["C4"] = "=TVA*100"
    names = {
        "Feuille": "Feuil1!$1:$1048576",
        "Boucle": "Autre+1",
        "Autre": "Boucle*2",
        "TVA": "0.2",
    }
    for name, text in names.items():
        workbook.defined_names[name] = DefinedName(name, attr_text=text)


def test_names(tmp_path: Path) -> None:
    evaluator = _save(tmp_path, _names_book)
    calc = [evaluator.value(CellRef("Calculs", row, 3)) for row in range(1, 5)]
    assert calc[0] == calc[1] == float(sum(ORDERS))  # a name over the whole sheet
    assert calc[2] == ExcelError("#REF!")
    assert calc[3] == pytest.approx(20.0)
    findings = {f.code: f for f in evaluator.findings}
    assert Code.LOOPING_NAME in findings
    assert "boucle" in findings[Code.LOOPING_NAME].message
    assert Code.EXTERNAL_REFERENCE not in findings


def test_dynamic_array_as_excel_365_stores_it(tmp_path: Path) -> None:
    """Excel 365 writes a spilled formula as an array formula on its anchor, marked `cm="1"`
    (cell metadata), with only values in the other cells of the spill range."""
    _save(tmp_path, _array_book)
    path = tmp_path / "features.xlsx"
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    spilled = tmp_path / "spilled.xlsx"
    with zipfile.ZipFile(spilled, "w") as archive:
        for info, data in entries:
            marked = data.replace(b'<c r="D1"', b'<c r="D1" cm="1"', 1)
            archive.writestr(info, marked if info.filename == "xl/worksheets/sheet1.xml" else data)
    assert b'cm="1"' in zipfile.ZipFile(spilled).read("xl/worksheets/sheet1.xml")
    evaluator = Evaluator(load(spilled))
    amounts = sorted((amount for _, amount in PRODUCTS), reverse=True)
    assert [evaluator.value(_cell(f"D{r}")) for r in range(1, 4)] == amounts
    assert all(evaluator.workbook.cells[_cell(f"D{r}")].is_formula for r in range(1, 4))


def test_structured_reference_to_a_missing_table_is_a_formula_error(tmp_path: Path) -> None:
    def book(workbook: openpyxl.Workbook, sheet: object) -> None:
        ws = workbook.active
        assert ws is not None
        ws["A1"] = "=SUM(Ventes[Montant])"
        ws["A2"] = "=[@Montant]*2"

    evaluator = _save(tmp_path, book)
    assert evaluator.value(_cell("A1")) == ExcelError("#REF!")
    assert evaluator.value(_cell("A2")) == ExcelError("#REF!")
    codes = {f.code for f in evaluator.findings}
    assert Code.FORMULA_ERROR in codes and Code.EXTERNAL_REFERENCE not in codes


def test_offset_follows_the_data_of_each_evaluator(tmp_path: Path) -> None:
    """A redrawn data set (`with_data`) shares the static parses, never the ranges OFFSET or
    INDIRECT computed from the other data."""

    def book(workbook: openpyxl.Workbook, sheet: object) -> None:
        ws = workbook.active
        assert ws is not None
        for row, order in enumerate(ORDERS[:5], start=1):
            ws[f"A{row}"] = order
        ws["B1"] = 2
        ws["C1"] = "=SUM(OFFSET(A1,0,0,B1,1))"
        ws["C2"] = "=SUM(A1:A5)"

    evaluator = _save(tmp_path, book)
    assert evaluator.value(_cell("C1")) == float(sum(ORDERS[:2]))
    redrawn = evaluator.with_data({_cell("B1"): 3, _cell("A1"): 0})
    assert redrawn.value(_cell("C1")) == float(sum(ORDERS[1:3]))
    assert redrawn.value(_cell("C2")) == float(sum(ORDERS[1:5]))
    assert evaluator.value(_cell("C1")) == float(sum(ORDERS[:2]))
