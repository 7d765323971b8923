"""Formulas run as a straight line of calls (without schedula's dispatcher) give exactly what
the dispatcher gives: same value, same type, same Excel error, and an error raised where the
dispatcher raises one. Every formula of every bundled workbook, and a large random draw over
every function the differential oracle covers, is run both ways and compared."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import pytest

from autocorrect.evaluate import evaluator as evaluator_module
from autocorrect.evaluate.evaluator import Evaluator, _Shape, _straight_line, _StraightLine
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import load
from tests.conftest import ROOT
from tests.oracle import FORMULA_COLUMN, SHEET, build, draw

_PARSER = formulas.Parser()


class _Compared:
    """A compiled shape that runs both ways and records any disagreement."""

    def __init__(self, straight: _StraightLine, pipe: Any, log: list[str]) -> None:
        self.straight, self.pipe, self.log = straight, pipe, log
        self.inputs = pipe.inputs

    def __call__(self, *args: object) -> object:
        ours, theirs = _outcome(self.straight, args), _outcome(self.pipe, args)
        self.log.append("")
        if not _same(ours, theirs):
            self.log[-1] = f"{ours!r} != {theirs!r}"
        if theirs[0] == "raised":
            raise RuntimeError("the dispatcher raised")
        return theirs[1]


def _outcome(function: Any, args: tuple[object, ...]) -> tuple[str, object]:
    fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        return ("value", function(*fresh))
    except Exception:
        return ("raised", None)


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray)
        return a.shape == b.shape and all(_same(x, y) for x, y in zip(a.flat, b.flat, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b) or repr(a) == repr(b)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    log: list[str] = []
    original = evaluator_module._compile

    def compile_both(shape_key: str) -> _Shape:
        shape = original(shape_key)
        if not isinstance(shape.func, _StraightLine):
            return shape
        pipe = _PARSER.ast(shape_key)[1].compile()
        straight = _straight_line(pipe)
        assert straight is not None
        return _Shape(_Compared(straight, pipe, log), shape.inputs, None)

    monkeypatch.setattr(evaluator_module, "_compile", compile_both)
    monkeypatch.setattr(evaluator_module, "_MEMO", {})
    yield log


def _workbooks() -> list[Path]:
    solutions = sorted(ROOT.glob("fixtures/*/solution.xlsx"))
    return solutions + sorted(ROOT.glob("fixtures/*/submissions/*.xlsx"))


def test_bundled_workbooks_compute_the_same_both_ways(compared: list[str]) -> None:
    for path in _workbooks():
        workbook = load(path)
        evaluator = Evaluator(workbook)
        for cell in workbook.cells.values():
            if cell.is_formula:
                evaluator.value(cell.ref)
    disagreements = [entry for entry in compared if entry]
    assert not disagreements, disagreements[:5]
    assert len(compared) > 500  # the comparison really ran


def test_random_formulas_compute_the_same_both_ways(compared: list[str], tmp_path: Path) -> None:
    drawn = draw(count=1500, seed=11)
    source = tmp_path / "formules.xlsx"
    build(source, drawn, seed=11)
    workbook = load(source)
    evaluator = Evaluator(workbook)
    for row in range(1, len(drawn) + 1):
        evaluator.value(CellRef(SHEET, row, FORMULA_COLUMN))
    disagreements = [entry for entry in compared if entry]
    assert not disagreements, disagreements[:5]
    assert len(compared) > 1000


def test_plain_formulas_take_the_straight_line() -> None:
    for formula in ("=IF(A1>0,(A2-A3)/A2,SUM(A4:B4))", "=ROUND(A1,2)", "=A1", '=A1&" €"'):
        shape = evaluator_module._compile(formula)
        assert isinstance(shape.func, _StraightLine), formula


def test_arithmetic_edge_cases_compute_the_same_both_ways(
    compared: list[str], tmp_path: Path
) -> None:
    """Plain numbers take a shortcut through the arithmetic operators: every kind of operand
    and every edge (division by 0, overflow, empty cell, text, boolean, error) is compared."""
    import openpyxl  # noqa: PLC0415 -- builds the workbook under test

    operands = {"A1": 7.5, "A2": 0.0, "A3": 1e308, "A4": None, "A5": "12", "A6": True,
                "A7": "=1/0", "A8": -2.25, "A9": "texte", "A10": 3}  # fmt: skip
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for ref, value in operands.items():
        if value is not None:
            sheet[ref] = value
    formulas_written = []
    row = 1
    for left in operands:
        for right in operands:
            for operator in ("+", "-", "*", "/"):
                sheet.cell(row=row, column=3, value=f"={left}{operator}{right}")
                formulas_written.append(row)
                row += 1
        for unary in (f"=-{left}", f"={left}%", f"=-({left}*2)/A1"):
            sheet.cell(row=row, column=3, value=unary)
            formulas_written.append(row)
            row += 1
    path = tmp_path / "operateurs.xlsx"
    book.save(path)
    workbook = load(path)
    evaluator = Evaluator(workbook)
    for formula_row in formulas_written:
        evaluator.value(CellRef(workbook.sheets[0], formula_row, 3))
    disagreements = [entry for entry in compared if entry]
    assert not disagreements, disagreements[:5]
    assert len(compared) >= 100
