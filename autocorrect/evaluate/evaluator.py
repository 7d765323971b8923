"""Targeted recomputation of the candidate's formulas: the only module that imports `formulas`.

We never build the whole workbook model (about a second per file): we evaluate only the cells
grading asks for, and their precedents, in dependency order. Each formula is compiled once per
*shape*: references are replaced by placeholders before compiling, so the five copied-down
`=(D5-C5)/C5` … `=(D9-C9)/C9` of a candidate, and the same formula in every other submission,
share one compiled function for the life of the process.

Compiling a lone formula string means `formulas` never sees the file, so it can never open an
external workbook named in it: such references evaluate to #REF! and are reported.

Limits (`guard.Limits`, carried by the workbook): a formula longer than `max_formula_length`
characters or nested deeper than `max_formula_depth` is neither tokenised for evaluation nor
compiled (compiling costs grow faster than the length: 4,000 operands take seconds); it
evaluates to #VALUE! and gets a `formula-error` finding in French. A range larger than
`max_range_cells` (whole columns and rows included) is cut to the cells it really covers; if
it is still larger, the formula is not evaluated either (#VALUE!, finding).
"""

from __future__ import annotations

import decimal
import functools
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.functions import wrap_ufunc
from formulas.tokens.operand import Error as _XlErrors
from formulas.tokens.operand import XlError

from autocorrect.reading.refs import MAX_COL, MAX_ROW, CellRef, RangeRef, parse_area, split_sheet
from autocorrect.reading.workbook import CellData, Workbook, excel_serial, tokenize
from autocorrect.report import Code, Finding


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
# schedula logs a full traceback for every function `formulas` lacks (WEBSERVICE, INDIRECT…);
# the evaluator reports those itself (`unsupported-function`), graders must not see tracebacks.
logging.getLogger("schedula.utils.sol").setLevel(logging.CRITICAL)


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
    depth: int = 0  # deepest nesting of functions and parentheses


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
    depth = deepest = 0
    for index, token in enumerate(tokenize(cell.formula)):
        if token.kind == "func":
            functions.append(token.text)
        if token.kind != "ref":
            parts.append(token.raw)
            depth += _nesting_step(token.raw)
            deepest = max(deepest, depth)
            continue
        target = _resolve(token.text, cell.ref.sheet, workbook)
        placeholder = _placeholder(index, target)
        targets[placeholder] = target
        parts.append(placeholder)
    return ParsedFormula(cell.formula, "=" + "".join(parts), targets, tuple(functions), deepest)


def _nesting_step(raw: str) -> int:
    """+1 for a token opening a function call or a parenthesis, -1 for one closing it."""
    if raw.endswith("(") or raw == "{":
        return 1
    return -1 if raw in (")", "}") else 0


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
    if area.max_row < MAX_ROW and area.max_col < MAX_COL and _size(area) <= _range_limit(workbook):
        return area  # an explicit range is kept as written: method checks compare it
    return _clip_to_cells(area, workbook)  # B:B -> B1:B{last row of B}


def _size(area: RangeRef) -> int:
    rows, cols = area.shape
    return rows * cols


def _range_limit(workbook: Workbook) -> int:
    return workbook.limits.max_range_cells


def _clip_to_cells(area: RangeRef, workbook: Workbook) -> RangeRef:
    """A huge range cut to the last row and column where it holds cells (empty cells add
    nothing to a sum or a count): never a million cells for a stray value in XFD1048576."""
    last_rows, last_cols = workbook.extents.get(area.sheet, ({}, {}))
    columns = (r for c, r in last_rows.items() if area.min_col <= c <= area.max_col)
    rows = (c for r, c in last_cols.items() if area.min_row <= r <= area.max_row)
    return area.clipped(max(columns, default=area.min_row), max(rows, default=area.min_col))


# --- evaluation -----------------------------------------------------------------------------


class Evaluator:
    """Recomputes formula cells of one workbook on demand, memoised, with findings."""

    def __init__(self, workbook: Workbook, overrides: Mapping[CellRef, object] | None = None):
        self.workbook = workbook
        self._overrides = overrides or {}  # constants replaced (perturbed data sets)
        self._values: dict[CellRef, object] = {}
        self._parsed: dict[CellRef, ParsedFormula] = {}
        self._findings: dict[tuple[Code, str], Finding] = {}

    def with_data(self, overrides: Mapping[CellRef, object]) -> Evaluator:
        """Another evaluator of the same workbook where these constant cells hold other
        values: the formulas' parsed forms are shared, their values computed anew."""
        other = Evaluator(self.workbook, overrides)
        other._parsed = self._parsed
        return other

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(self._findings[k] for k in sorted(self._findings))

    def parsed(self, ref: CellRef) -> ParsedFormula | None:
        """The formula split into its references; a formula over the length limit is not
        tokenised (it reads no cell and calls no function, as far as the engine knows)."""
        cell = self.workbook.get(ref)
        if cell is None or cell.formula is None:
            return None
        if ref not in self._parsed:
            if self._too_long(ref, cell.formula):
                self._parsed[ref] = ParsedFormula(cell.formula, "", {}, ())
            else:
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
            if isinstance(target, RangeRef) and _size(target) <= _range_limit(self.workbook):
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
                constant = cell.value if cell else None
                self._values[ref] = self._overrides.get(ref, constant)
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
        if self._too_long(ref, parsed.text) or self._too_deep(ref, parsed):
            return ExcelError("#VALUE!")
        if self._too_wide(ref, parsed):
            return ExcelError("#VALUE!")
        shape = _compile(parsed.shape_key)
        if shape.func is None:
            self._note(Code.FORMULA_ERROR, ref, f"Formule illisible ({shape.error}).")
            return ExcelError("#NAME?")
        unknown = sorted(name for name in shape.inputs if name not in parsed.targets)
        if unknown:  # e.g. INDIRECT("B9"), A2:CHOOSE(…), a user-defined function
            self._note(
                Code.UNSUPPORTED_FUNCTION,
                ref,
                f"Formule non recalculable par le moteur (référence « {unknown[0]} » non "
                "reconnue) : la valeur enregistrée par le tableur est utilisée.",
            )
            return _from_cache(self.workbook.get(ref))
        args = [self._argument(ref, parsed.targets[name]) for name in shape.inputs]
        try:
            result = _call(shape, parsed, args)
        except Exception as exc:
            names = ", ".join(sorted(set(parsed.functions))) or "?"
            self._note(
                Code.UNSUPPORTED_FUNCTION,
                ref,
                f"Formule non recalculable par le moteur ({type(exc).__name__} ; fonctions : "
                f"{names}) : la valeur enregistrée par le tableur est utilisée.",
            )
            return _from_cache(self.workbook.get(ref))
        return self._capped(ref, _to_python(result))

    def _capped(self, ref: CellRef, value: object) -> object:
        """A text longer than Excel's cell limit is #VALUE!, as in Excel (a formula that doubles
        a text thirty times would otherwise ask for gigabytes)."""
        limit = self.workbook.limits.max_text_length
        if not isinstance(value, str) or len(value) <= limit:
            return value
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Le texte calculé dépasse {_fmt_int(limit)} caractères (limite d'une cellule "
            "Excel) : il vaut #VALUE!, comme dans Excel.",
        )
        return ExcelError("#VALUE!")

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

    def _too_long(self, ref: CellRef, formula: str) -> bool:
        limit = self.workbook.limits.max_formula_length
        if len(formula) <= limit:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Formule de {_fmt_int(len(formula))} caractères, au-delà de la limite de "
            f"{_fmt_int(limit)} (celle d'Excel) : elle n'a pas été recalculée et vaut "
            "#VALUE! pour le moteur ; à vérifier à la main.",
        )
        return True

    def _too_deep(self, ref: CellRef, parsed: ParsedFormula) -> bool:
        limit = self.workbook.limits.max_formula_depth
        if parsed.depth <= limit:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Formule imbriquée sur {parsed.depth} niveaux (fonctions et parenthèses), "
            f"au-delà de la limite de {limit} : elle n'a pas été recalculée et vaut #VALUE! "
            "pour le moteur ; à vérifier à la main.",
        )
        return True

    def _too_wide(self, ref: CellRef, parsed: ParsedFormula) -> bool:
        limit = _range_limit(self.workbook)
        wide = [t for t in parsed.targets.values() if isinstance(t, RangeRef) and _size(t) > limit]
        if not wide:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"La plage {wide[0]} couvre {_fmt_int(_size(wide[0]))} cellules, au-delà de la "
            f"limite de {_fmt_int(limit)} : la formule n'a pas été recalculée et vaut #VALUE! "
            "pour le moteur ; à vérifier à la main.",
        )
        return True

    def _note(self, code: Code, ref: CellRef, message: str) -> None:
        self._findings.setdefault((code, str(ref)), Finding(code, message, str(ref)))


# --- results memoised across cells and copies ------------------------------------------------

# The same formula shape on the same values gives the same result: the copied-down formulas of
# one copy, the same formulas in every copy of a session, and the redrawn data sets of the
# fingerprints (identical for every copy) are computed once per process.
_MEMO: dict[tuple[object, ...], object] = {}
_MEMO_MAX = 200_000
# Results that depend on the clock, on chance, or on where the formula sits (not only on the
# values it reads) are never memoised.
_VOLATILE = frozenset(
    {"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "OFFSET", "INDIRECT"}
    | {"ROW", "COLUMN", "CELL", "INFO", "SHEET", "SHEETS", "FORMULATEXT", "ISFORMULA"}
)
_UNHASHABLE = object()


def _call(shape: _Shape, parsed: ParsedFormula, args: list[object]) -> object:
    assert shape.func is not None
    if _VOLATILE.intersection(parsed.functions):
        return shape.func(*args)
    key = (parsed.shape_key, *map(_memo_part, args))
    if _UNHASHABLE in key:
        return shape.func(*args)
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = shape.func(*args)
    return _MEMO[key]


def _memo_part(value: object) -> object:
    """A hashable, type-exact stand-in for one argument (`#REF!` the error is not the text)."""
    if isinstance(value, np.ndarray):
        return (value.shape, tuple(_memo_part(v) for v in value.flat))
    if isinstance(value, str | float | int | bool) or value is None:
        return (type(value).__name__, value)
    return _UNHASHABLE


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


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
