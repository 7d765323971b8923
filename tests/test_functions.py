"""Functions registered next to the evaluator (evaluate/functions.py, evaluate/textformat.py),
checked against values computed here by hand: LibreOffice lacks SEQUENCE, and its TEXT follows
its own locale, not the format string."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from pathlib import Path

import openpyxl
import pytest

from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.evaluate.textformat import format_text
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import load

NNBSP = "\u202f"


def _values(tmp_path: Path, data: dict[str, object], formulas: list[str]) -> list[object]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Feuil1"
    for coord, value in data.items():
        sheet[coord] = value
    for row, formula in enumerate(formulas, start=1):
        sheet.cell(row=row, column=26, value=formula)
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    evaluator = Evaluator(load(path))
    return [evaluator.value(CellRef("Feuil1", r, 26)) for r in range(1, len(formulas) + 1)]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (0.1234, "0,00 %", "12,34 %"),
        (0.1234, "0.00%", "12.34%"),
        (0.5, "0 %", "50 %"),
        (1234.5, "# ##0,00 €", f"1{NNBSP}234,50 €"),
        (1234.5, "#,##0.00", "1,234.50"),
        (1234.567, "0,0", "1234,6"),
        (-1234.5, "# ##0", f"-1{NNBSP}235"),
        (-3, "0;(0)", "(3)"),
        (0, '0;-0;"zéro"', "zéro"),
        (7, '0" jours"', "7 jours"),
        (2.5, "Standard", "2,5"),
        (2.5, "General", "2.5"),
        ("12", "000", "012"),
        (True, "0", "VRAI"),
    ],
)
def test_text_numbers_french_and_english(value: object, fmt: str, expected: str) -> None:
    assert format_text(value, fmt) == expected


def test_text_dates_french_and_english() -> None:
    day = dt.datetime(2023, 3, 15, 14, 5, 9)
    serial = (day - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    assert format_text(serial, "jj/mm/aaaa") == day.strftime("%d/%m/%Y")
    assert format_text(serial, "dd/mm/yyyy") == day.strftime("%d/%m/%Y")
    assert format_text(serial, "jjjj j mmmm aaaa") == "mercredi 15 mars 2023"
    assert format_text(serial, "dddd d mmmm yyyy") == day.strftime("%A %-d %B %Y")
    assert format_text(serial, "mmm-aa") == "mars-23"
    assert format_text(serial, "hh:mm:ss") == day.strftime("%H:%M:%S")


def test_text_in_a_formula(tmp_path: Path) -> None:
    found = _values(tmp_path, {"A1": 0.1234}, ['=TEXT(A1,"0,00 %")', '=TEXT(A1,"0.0%")'])
    assert found == ["12,34 %", "12.3%"]


def test_sequence(tmp_path: Path) -> None:
    found = _values(
        tmp_path,
        {},
        ["=SUM(SEQUENCE(4))", "=SUM(SEQUENCE(2,3,10,5))", "=INDEX(SEQUENCE(3,1,0,2),3)"],
    )
    assert found == [
        float(sum(range(1, 5))),
        float(sum(10 + 5 * k for k in range(6))),
        float(0 + 2 * 2),
    ]


def test_subtotal_families(tmp_path: Path) -> None:
    numbers = [4.0, 8.0, 15.0, 16.0, 23.0]
    data: dict[str, object] = {f"A{i}": v for i, v in enumerate(numbers, start=1)}
    data["A6"] = "texte"
    codes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 109]
    found = _values(tmp_path, data, [f"=SUBTOTAL({c},A1:A6)" for c in codes])
    expected = [
        statistics.mean(numbers),
        float(len(numbers)),
        float(len(numbers) + 1),
        max(numbers),
        min(numbers),
        math.prod(numbers),
        statistics.stdev(numbers),
        statistics.pstdev(numbers),
        sum(numbers),
        statistics.variance(numbers),
        statistics.pvariance(numbers),
        sum(numbers),
    ]
    assert found == pytest.approx(expected)


def test_combin(tmp_path: Path) -> None:
    found = _values(tmp_path, {}, ["=COMBIN(10,3)", "=COMBIN(3,5)"])
    assert found == [float(math.comb(10, 3)), ExcelError("#NUM!")]


def test_excel_365_functions(tmp_path: Path) -> None:
    names = ["Nord", "Sud", "Est", "Sud", "Ouest"]
    sales = [120.0, 80.0, 200.0, 50.0, 90.0]
    data: dict[str, object] = {}
    for row, (name, amount) in enumerate(zip(names, sales, strict=True), start=1):
        data[f"A{row}"], data[f"B{row}"] = name, amount
    found = _values(
        tmp_path,
        data,
        [
            '=_xlfn.XLOOKUP("Est",A1:A5,B1:B5)',
            '=_xlfn.XLOOKUP("Centre",A1:A5,B1:B5,"absent")',
            '=_xlfn.XMATCH("Sud",A1:A5)',
            '=SUM(_xlfn._xlws.FILTER(B1:B5,A1:A5="Sud"))',
            "=INDEX(_xlfn._xlws.SORT(B1:B5,1,-1),1)",
            "=ROWS(_xlfn.UNIQUE(A1:A5))",
            "=_xlfn.LET(_xlpm.x,B1*2,_xlpm.x+1)",
            '=_xlfn.IFS(B1>100,"haut",TRUE,"bas")',
            '=_xlfn.SWITCH(A2,"Nord",1,"Sud",2,0)',
            '=_xlfn.MAXIFS(B1:B5,A1:A5,"Sud")',
            '=_xlfn.MINIFS(B1:B5,A1:A5,"Sud")',
            "=_xlfn.CONCAT(A1:A2)",
            '=_xlfn.TEXTJOIN("-",TRUE,A1:A3)',
        ],
    )
    south = [s for n, s in zip(names, sales, strict=True) if n == "Sud"]
    assert found == [
        sales[names.index("Est")],
        "absent",
        float(names.index("Sud") + 1),
        sum(south),
        max(sales),
        float(len(set(names))),
        sales[0] * 2 + 1,
        "haut" if sales[0] > 100 else "bas",
        2.0,
        max(south),
        min(south),
        "".join(names[:2]),
        "-".join(names[:3]),
    ]
