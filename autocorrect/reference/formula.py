"""Formula computations: a rubric's reference written as the examiner's own Excel formula.

    formula: "=ans1/'Annexe 1 - Produits'!D5"
    args: {ans1: "C20-Q06[Total]"}

Every operand of the formula is either a name declared in `args` (an input, a derived value,
another answer — the candidate's own one for error carried forward) or a sheet-qualified
reference to the subject workbook. Nothing is `eval`-ed: the formula is placed in a small
in-memory workbook — the subject cells it reads, plus one scratch sheet holding the value of
each name, the names being defined names — and recomputed by `evaluator.Evaluator`, so it is
compiled by the same machinery (and the same shape cache) as a candidate's formulas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.reading.guard import Preflight
from autocorrect.reading.refs import (
    CellRef,
    RangeRef,
    column_letters,
    parse_ref,
    quote_sheet,
    split_sheet,
)
from autocorrect.reading.workbook import CellData, Workbook, tokenize
from autocorrect.report import Code

SCRATCH = "§formule"  # the scratch sheet: the formula in A1, the names' values from column B
_FORMULA_CELL = CellRef(SCRATCH, 1, 1)


class FormulaError(Exception):
    """The formula cannot be read or computed; the message is French. `broken` when the
    formula itself is at fault (does not compile, unknown function), whatever its inputs."""

    def __init__(self, message: str, *, broken: bool = False) -> None:
        super().__init__(message)
        self.broken = broken


@dataclass(frozen=True)
class Operands:
    """What a formula refers to: names to take from `args`, and subject references."""

    names: frozenset[str]  # as written in the formula, matched to args case-insensitively
    references: tuple[str, ...]  # "'Annexe 1 - Produits'!D5"
    unknown: tuple[str, ...]  # neither a declared name nor a sheet-qualified reference


def operands(formula: str, declared: Collection[str]) -> Operands:
    """Split the formula's operands; raises FormulaError when it cannot be tokenised."""
    if not formula.startswith("=") or len(formula) < 2:
        raise FormulaError("une formule commence par « = »", broken=True)
    try:
        tokens = tokenize(formula)
    except Exception as exc:  # openpyxl's tokenizer raises bare errors on broken text
        raise FormulaError(f"formule illisible ({type(exc).__name__})", broken=True) from exc
    folded = {d.casefold(): d for d in declared}
    names: set[str] = set()
    references: list[str] = []
    unknown: list[str] = []
    for token in tokens:
        if token.kind != "ref":
            continue
        if token.text.casefold() in folded:
            names.add(folded[token.text.casefold()])
        elif split_sheet(token.text)[0] is not None and parse_ref(token.text, SCRATCH):
            references.append(token.text)
        else:
            unknown.append(token.text)
    return Operands(frozenset(names), tuple(references), tuple(unknown))


def problems(formula: str, declared: Collection[str]) -> list[str]:
    """Why a formula computation is invalid (French), or nothing: every operand is a declared
    name or a 'Sheet'!A1 reference, every declared name is used, and the formula compiles."""
    try:
        found = operands(formula, declared)
    except FormulaError as exc:
        return [str(exc)]
    issues = [
        f"« {u} » n'est ni un nom déclaré dans args ni une référence 'Feuille'!B5"
        for u in found.unknown
    ]
    issues += [f"l'argument « {d} » n'apparaît pas dans la formule"
               for d in sorted(set(declared) - found.names)]  # fmt: skip
    if not issues:
        try:
            evaluate_formula(formula, dict.fromkeys(declared, 1.0), {}, check_sheets=False)
        except FormulaError as exc:
            if exc.broken:
                issues.append(str(exc))
    return issues


def evaluate_formula(
    formula: str,
    values: Mapping[str, object],
    cells: Mapping[CellRef, object],
    *,
    check_sheets: bool = True,
) -> object:
    """The formula's result with each name bound to its value (a number, a text, a date, a
    tuple for a range, a tuple of column tuples for a table) and `cells` the subject's cells.
    Raises FormulaError (French) when it does not compile or evaluates to an Excel error, or
    names a sheet `cells` lacks (unless `check_sheets` is false: such cells read as blanks)."""
    found = operands(formula, values)
    if found.unknown:
        raise FormulaError(f"opérande inconnu « {found.unknown[0]} »")
    scratch, names = _scratch_cells({n: values[n] for n in sorted(found.names)})
    subject = _referenced_cells(found.references, cells, check_sheets)
    workbook = _workbook({_FORMULA_CELL: _formula_cell(formula), **scratch, **subject}, names)
    evaluator = Evaluator(workbook)
    result = evaluator.value(_FORMULA_CELL)
    codes = {f.code for f in evaluator.findings}
    if Code.FORMULA_ERROR in codes:
        raise FormulaError("la formule ne compile pas", broken=True)
    if Code.UNSUPPORTED_FUNCTION in codes:
        raise FormulaError(
            "formule non recalculable par le moteur (fonction inconnue ?)", broken=True
        )
    if isinstance(result, ExcelError):
        raise FormulaError(f"la formule renvoie l'erreur {result.code}")
    return result


def _formula_cell(formula: str) -> CellData:
    return CellData(_FORMULA_CELL, None, formula, None, "General")


def _scratch_cells(values: Mapping[str, object]) -> tuple[dict[CellRef, CellData], dict[str, str]]:
    """One block of scratch cells per name, and the defined name pointing at it."""
    cells: dict[CellRef, CellData] = {}
    names: dict[str, str] = {}
    column = 2
    for name, value in values.items():
        columns = _as_columns(value)
        for offset, column_values in enumerate(columns):
            for row, item in enumerate(column_values, start=1):
                ref = CellRef(SCRATCH, row, column + offset)
                cells[ref] = CellData(ref, _cell_value(name, item), None, None, "General")
        height = max((len(c) for c in columns), default=1)
        area = RangeRef(SCRATCH, 1, column, max(height, 1), column + max(len(columns), 1) - 1)
        names[name.upper()] = _absolute(area)
        column += max(len(columns), 1)
    return cells, names


def _as_columns(value: object) -> list[tuple[object, ...]]:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return [tuple(v) for v in value]  # a table: one tuple per column
    if isinstance(value, tuple):
        return [value]
    return [(value,)]


def _cell_value(name: str, value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str | dt.date | dt.datetime):
        return value
    raise FormulaError(f"valeur de « {name} » inutilisable dans une formule ({value})")


def _absolute(area: RangeRef) -> str:
    first = f"${column_letters(area.min_col)}${area.min_row}"
    last = f"${column_letters(area.max_col)}${area.max_row}"
    return f"{quote_sheet(area.sheet)}!{first}:{last}"


def _referenced_cells(
    references: Iterable[str], cells: Mapping[CellRef, object], check_sheets: bool
) -> dict[CellRef, CellData]:
    """The subject cells inside the formula's references, in the subject's sheet spelling."""
    sheets = {ref.sheet.casefold(): ref.sheet for ref in cells}
    found: dict[CellRef, CellData] = {}
    for text in references:
        area = parse_ref(text, SCRATCH)
        if area is None:
            continue
        sheet = sheets.get(area.sheet.casefold())
        if sheet is None and check_sheets:
            raise FormulaError(f"la feuille de « {text} » n'existe pas dans le sujet")
        if sheet is None:
            continue
        for ref in _cells_of(cells, RangeRef(sheet, *_corners(area))):
            found[ref] = CellData(ref, cells[ref], None, None, "General")
    return found


def _corners(area: RangeRef) -> tuple[int, int, int, int]:
    return area.min_row, area.min_col, area.max_row, area.max_col


def _cells_of(cells: Mapping[CellRef, object], area: RangeRef) -> Iterable[CellRef]:
    rows, cols = area.shape
    if rows * cols <= 10_000:
        return (c for row in area.cells() for c in row if c in cells)
    return (  # a whole column or row: only the stored cells
        c
        for c in cells
        if c.sheet == area.sheet
        and area.min_row <= c.row <= area.max_row
        and area.min_col <= c.col <= area.max_col
    )


def _workbook(cells: Mapping[CellRef, CellData], names: Mapping[str, str]) -> Workbook:
    sheets = tuple(dict.fromkeys([SCRATCH, *(ref.sheet for ref in cells)]))
    used = {
        sheet: (
            max((r.row for r in cells if r.sheet == sheet), default=1),
            max((r.col for r in cells if r.sheet == sheet), default=1),
        )
        for sheet in sheets
    }
    return Workbook(
        path=Path(SCRATCH),
        sheets=sheets,
        cells=cells,
        defined_names=names,
        used=used,
        preflight=Preflight(),
        by_sheet={},
    )
