"""Targeted recomputation of the candidate's formulas: the only module that imports `formulas`.

We never build the whole workbook model (about a second per file): we evaluate only the cells
grading asks for, and their precedents, in dependency order. Each formula is compiled once per
*shape*: references are replaced by placeholders before compiling, so the five copied-down
`=(D5-C5)/C5` … `=(D9-C9)/C9` of a candidate, and the same formula in every other submission,
share one compiled function for the life of the process.

Compiling a lone formula string means `formulas` never sees the file, so it can never open an
external workbook named in it: such references evaluate to #REF! and are reported.
"""

from __future__ import annotations

import decimal
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.functions import wrap_ufunc
from formulas.tokens.operand import Error as _XlErrors
from formulas.tokens.operand import XlError

from autocorrect.findings import Code, Finding
from autocorrect.refs import MAX_COL, MAX_ROW, CellRef, RangeRef, parse_area, split_sheet
from autocorrect.workbook import CellData, Workbook, excel_serial, tokenize


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value (#DIV/0!, #REF!…) produced by a formula."""

    code: str

    def __str__(self) -> str:
        return self.code


# --- Excel-exact rounding -------------------------------------------------------------------


def _round15(x: float, digits: float, rounding: str) -> float:
    """Excel rounds the value to 15 significant digits before rounding to `digits`, so that
    ROUND(1.005, 2) is 1.01 as in Excel (formulas' own ROUND gives 1.0)."""
    if not math.isfinite(x):
        return x
    exact = decimal.Decimal(repr(x))
    fifteen = decimal.Decimal(f"{float(f'{x:.15g}'):.15g}") if x else exact
    quantum = decimal.Decimal(1).scaleb(-int(digits))
    return float(fifteen.quantize(quantum, rounding=rounding))


def _install_excel_rounding() -> None:
    functions = formulas.get_functions()
    functions["ROUND"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_HALF_UP))
    functions["ROUNDUP"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_UP))
    functions["ROUNDDOWN"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_DOWN))


_install_excel_rounding()
_PARSER = formulas.Parser()
_MAX_RANGE_CELLS = 100_000  # larger ranges are clipped to the used part of the sheet


# --- compiled shapes ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """A formula with its references replaced by placeholders, compiled once."""

    func: Callable[..., Any] | None
    inputs: tuple[str, ...]  # the compiled function's argument names, in call order
    error: str | None  # why it could not be compiled


@dataclass(frozen=True)
class ParsedFormula:
    """A candidate's formula: its shape and, per placeholder, what it refers to."""

    text: str
    shape_key: str
    targets: dict[str, RangeRef | str]  # placeholder -> range, or the unresolved text
    functions: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _compile(shape_key: str) -> _Shape:
    try:
        func = _PARSER.ast(shape_key)[1].compile()
    except Exception as exc:
        return _Shape(None, (), f"{type(exc).__name__}")
    return _Shape(func, tuple(func.inputs), None)


def parse_formula(cell: CellData, workbook: Workbook) -> ParsedFormula:
    """Replace each reference of the formula by a placeholder; resolve the references."""
    assert cell.formula is not None
    parts: list[str] = []
    targets: dict[str, RangeRef | str] = {}
    functions: list[str] = []
    for index, token in enumerate(tokenize(cell.formula)):
        if token.kind == "func":
            functions.append(token.text)
        if token.kind != "ref":
            parts.append(token.raw)
            continue
        target = _resolve(token.text, cell.ref.sheet, workbook)
        placeholder = _placeholder(index, target)
        targets[placeholder] = target
        parts.append(placeholder)
    return ParsedFormula(cell.formula, "=" + "".join(parts), targets, tuple(functions))


def _placeholder(index: int, target: RangeRef | str) -> str:
    if isinstance(target, RangeRef) and not target.is_single_cell:
        return f"A{index + 1}:B{index + 1}"
    return f"A{index + 1}"


def _resolve(text: str, sheet: str, workbook: Workbook) -> RangeRef | str:
    if text.startswith("[") or "[" in text.split("!", maxsplit=1)[0]:
        return text  # another workbook: never opened
    named = workbook.resolve_name(text)
    if named is not None:
        return named
    ref_sheet, address = split_sheet(text)
    actual = workbook.sheet_named(ref_sheet) if ref_sheet is not None else sheet
    if actual is None:
        return text
    area = parse_area(actual, address)
    if area is None:
        return text
    rows, cols = area.shape
    if area.max_row < MAX_ROW and area.max_col < MAX_COL and rows * cols <= _MAX_RANGE_CELLS:
        return area  # an explicit range is kept as written: method checks compare it
    last_row, last_col = workbook.used.get(actual, (1, 1))
    return area.clipped(last_row, last_col)  # B:B -> B1:B{last row}, never a million cells


# --- evaluation -----------------------------------------------------------------------------


class Evaluator:
    """Recomputes formula cells of one workbook on demand, memoised, with findings."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._values: dict[CellRef, object] = {}
        self._parsed: dict[CellRef, ParsedFormula] = {}
        self._findings: dict[tuple[Code, str], Finding] = {}

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(self._findings[k] for k in sorted(self._findings))

    def parsed(self, ref: CellRef) -> ParsedFormula | None:
        cell = self.workbook.get(ref)
        if cell is None or cell.formula is None:
            return None
        if ref not in self._parsed:
            self._parsed[ref] = parse_formula(cell, self.workbook)
        return self._parsed[ref]

    def value(self, ref: CellRef) -> object:
        """The cell's value: the constant, or the recomputed result of its formula."""
        if ref not in self._values:
            self._evaluate_in_order(ref)
        return self._values.get(ref)

    def precedent_cells(self, ref: CellRef) -> list[CellRef]:
        parsed = self.parsed(ref)
        if parsed is None:
            return []
        cells: list[CellRef] = []
        for target in parsed.targets.values():
            if isinstance(target, RangeRef):
                cells.extend(c for row in target.cells() for c in row if c in self.workbook.cells)
        return cells

    def _evaluate_in_order(self, start: CellRef) -> None:
        # Iterative depth-first walk: a 1,000-row running total must not hit Python's
        # recursion limit.
        stack: list[tuple[CellRef, bool]] = [(start, False)]
        visiting: set[CellRef] = set()
        while stack:
            ref, expanded = stack.pop()
            if ref in self._values:
                continue
            cell = self.workbook.get(ref)
            if cell is None or cell.formula is None:
                self._values[ref] = cell.value if cell else None
                continue
            if expanded:
                visiting.discard(ref)
                self._values[ref] = self._compute(ref)
                continue
            if ref in visiting:
                self._note(Code.CIRCULAR_REFERENCE, ref, "Référence circulaire : valeur #REF!.")
                self._values[ref] = ExcelError("#REF!")
                continue
            visiting.add(ref)
            stack.append((ref, True))
            stack.extend((p, False) for p in self.precedent_cells(ref) if p not in self._values)

    def _compute(self, ref: CellRef) -> object:
        parsed = self.parsed(ref)
        assert parsed is not None
        shape = _compile(parsed.shape_key)
        if shape.func is None:
            self._note(Code.FORMULA_ERROR, ref, f"Formule illisible ({shape.error}).")
            return ExcelError("#NAME?")
        args = [self._argument(ref, parsed.targets[name]) for name in shape.inputs]
        try:
            result = shape.func(*args)
        except Exception as exc:
            names = ", ".join(sorted(set(parsed.functions))) or "?"
            self._note(
                Code.UNSUPPORTED_FUNCTION,
                ref,
                f"Formule non recalculable par le moteur ({type(exc).__name__} ; fonctions : "
                f"{names}) : la valeur enregistrée par le tableur est utilisée.",
            )
            return _from_cache(self.workbook.get(ref))
        return _to_python(result)

    def _argument(self, ref: CellRef, target: RangeRef | str) -> object:
        if isinstance(target, str):
            self._note(
                Code.EXTERNAL_REFERENCE,
                ref,
                f"Référence « {target} » vers un autre classeur ou une feuille absente : "
                "elle n'est jamais ouverte, la valeur vaut #REF!.",
            )
            return _XlErrors.errors["#REF!"]
        if target.is_single_cell:
            return _to_engine(self.value(CellRef(target.sheet, target.min_row, target.min_col)))
        grid = [[_to_engine(self.value(c)) for c in row] for row in target.cells()]
        return np.array(grid, dtype=object)

    def _note(self, code: Code, ref: CellRef, message: str) -> None:
        self._findings.setdefault((code, str(ref)), Finding(code, message, str(ref)))


def _from_cache(cell: CellData | None) -> object:
    if cell is None or cell.cached is None:
        return ExcelError("#NAME?")
    return cell.cached


def _to_engine(value: object) -> object:
    if value is None:
        return sh.EMPTY
    if isinstance(value, ExcelError):
        return _XlErrors.errors.get(value.code, _XlErrors.errors["#VALUE!"])
    return excel_serial(value)


def _to_python(result: object) -> object:
    while isinstance(result, np.ndarray):
        if result.size == 0:
            return None
        result = result.reshape(-1)[0] if result.ndim else result.item()
    if result is sh.EMPTY:
        return 0.0
    if isinstance(result, XlError):
        return ExcelError(str(result))
    if isinstance(result, np.bool_ | bool):
        return bool(result)
    if isinstance(result, np.integer | np.floating | int | float):
        number = float(result)
        return number if math.isfinite(number) else ExcelError("#NUM!")
    if isinstance(result, np.str_ | str):
        return str(result)
    return result
