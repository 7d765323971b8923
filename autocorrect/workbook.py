"""The workbook adapter: the only module that imports openpyxl.

It reads a submission once with formulas and once with cached values, and hands the rest of
the engine plain frozen data (`Workbook`, `CellData`) keyed by our own `CellRef`. Nothing here
executes anything from the file: macros are dropped (`keep_vba=False`), external links are not
loaded (`keep_links=False`), and the pre-flight guard has already rejected DTDs, bombs and
non-OOXML files before openpyxl sees the bytes.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles.numbers import is_date_format as is_date_format_openpyxl
from openpyxl.utils.datetime import from_excel, to_excel
from openpyxl.worksheet.formula import ArrayFormula

from autocorrect.errors import WorkbookUnreadable
from autocorrect.guard import Limits, Preflight, preflight
from autocorrect.refs import CellRef, RangeRef, parse_ref, split_sheet


@dataclass(frozen=True)
class CellData:
    """What one non-empty cell holds."""

    ref: CellRef
    value: object  # the typed constant, or None for a formula cell
    formula: str | None  # "=..." as stored (English function names)
    cached: object  # last value the spreadsheet application saved, None if none
    number_format: str

    @property
    def is_formula(self) -> bool:
        return self.formula is not None

    @property
    def shown(self) -> object:
        """The constant, or the cached result of the formula."""
        return self.cached if self.is_formula else self.value


@dataclass(frozen=True)
class Workbook:
    """A submission as plain data."""

    path: Path
    sheets: tuple[str, ...]
    cells: Mapping[CellRef, CellData]
    defined_names: Mapping[str, str]  # upper-case name -> destination text
    used: Mapping[str, tuple[int, int]]  # sheet -> (last row, last column)
    preflight: Preflight
    by_sheet: Mapping[str, tuple[CellData, ...]] = field(repr=False)

    @property
    def has_cached_values(self) -> bool:
        return any(c.cached is not None for c in self.cells.values() if c.is_formula)

    def get(self, ref: CellRef) -> CellData | None:
        return self.cells.get(ref)

    def sheet_named(self, name: str) -> str | None:
        """The workbook's own spelling of a sheet name, matched case-insensitively."""
        wanted = name.casefold()
        return next((s for s in self.sheets if s.casefold() == wanted), None)

    def resolve_name(self, name: str) -> RangeRef | None:
        destination = self.defined_names.get(name.upper())
        if destination is None:
            return None
        sheet, _ = split_sheet(destination)
        actual = self.sheet_named(sheet) if sheet else None
        if actual is None:
            return None
        return parse_ref(destination.replace("$", ""), actual)


def load(path: Path, limits: Limits | None = None) -> Workbook:
    """Read a submission; raises WorkbookUnreadable with a French message, nothing else."""
    checked = preflight(path, limits or Limits())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            formulas_wb = openpyxl.load_workbook(path, keep_vba=False, keep_links=False)
            values_wb = openpyxl.load_workbook(
                path, data_only=True, keep_vba=False, keep_links=False
            )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookUnreadable(
            "damaged",
            "Le fichier est endommagé ou incomplet : il ne peut pas être lu comme un classeur "
            f"Excel ({type(exc).__name__}). Demander au candidat de l'enregistrer à nouveau.",
        ) from exc
    return _to_workbook(path, formulas_wb, values_wb, checked)


def _to_workbook(path: Path, formulas_wb: Any, values_wb: Any, checked: Preflight) -> Workbook:
    cells: dict[CellRef, CellData] = {}
    by_sheet: dict[str, tuple[CellData, ...]] = {}
    used: dict[str, tuple[int, int]] = {}
    for ws in formulas_wb.worksheets:
        cached_ws = values_wb[ws.title]
        sheet_cells = tuple(_sheet_cells(ws, cached_ws))
        by_sheet[ws.title] = sheet_cells
        cells.update((c.ref, c) for c in sheet_cells)
        used[ws.title] = (
            max((c.ref.row for c in sheet_cells), default=1),
            max((c.ref.col for c in sheet_cells), default=1),
        )
    return Workbook(
        path=path,
        sheets=tuple(ws.title for ws in formulas_wb.worksheets),
        cells=cells,
        defined_names=_defined_names(formulas_wb),
        used=used,
        preflight=checked,
        by_sheet=by_sheet,
    )


def _sheet_cells(ws: Any, cached_ws: Any) -> Iterator[CellData]:
    # ws._cells holds only the stored cells: iterating the claimed dimension could mean
    # billions of empty cells for a file whose last cell is XFD1048576.
    for (row, col), cell in sorted(ws._cells.items()):
        raw = cell.value
        if raw is None or raw == "":
            continue
        formula = _formula_text(raw)
        cached = cached_ws._cells.get((row, col))
        yield CellData(
            ref=CellRef(ws.title, row, col),
            value=None if formula else _plain(raw),
            formula=formula,
            cached=_plain(cached.value) if (formula and cached is not None) else None,
            number_format=str(cell.number_format or "General"),
        )


def _formula_text(raw: object) -> str | None:
    if isinstance(raw, ArrayFormula):
        return str(raw.text) if raw.text else None
    if isinstance(raw, str) and raw.startswith("=") and len(raw) > 1:
        return raw
    return None


def _plain(value: object) -> object:
    """Constants as Python scalars; times and dates kept as datetime for the comparator."""
    if isinstance(value, dt.time):
        return value.hour / 24 + value.minute / 1440 + value.second / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


def _defined_names(wb: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, definition in wb.defined_names.items():
        if definition.value and "#REF" not in str(definition.value):
            names[name.upper()] = str(definition.value)
    for ws in wb.worksheets:  # sheet-scoped names; the workbook-wide one wins on a clash
        for name, definition in ws.defined_names.items():
            names.setdefault(name.upper(), str(definition.value))
    return names


def excel_serial(value: object) -> object:
    """A datetime as the serial number Excel computes with; anything else unchanged."""
    if isinstance(value, dt.datetime | dt.date):
        return float(to_excel(value))
    return value


@dataclass(frozen=True)
class FormulaToken:
    """A token of a formula: a reference operand, a function call, or anything else."""

    kind: str  # "ref" | "func" | "other"
    text: str  # the reference, the upper-case function name, or the token itself
    raw: str  # the token exactly as written, so that joining raws rebuilds the formula


def tokenize(formula: str) -> list[FormulaToken]:
    """Split a formula with openpyxl's tokenizer (no evaluation, ~20 µs)."""
    tokens: list[FormulaToken] = []
    for token in Tokenizer(formula).items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            tokens.append(FormulaToken("ref", token.value, token.value))
        elif token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
            tokens.append(FormulaToken("func", name, token.value))
        else:
            tokens.append(FormulaToken("other", token.value, token.value))
    return tokens


def is_date_format(number_format: str) -> bool:
    """Whether a number format displays a date (so a serial number means a day)."""
    return bool(number_format) and is_date_format_openpyxl(number_format)


def is_percent_format(number_format: str) -> bool:
    """Whether a number format displays a percentage (quoted text aside)."""
    unquoted = "".join(number_format.split('"')[::2])
    return "%" in unquoted


def from_serial(serial: float) -> dt.datetime | None:
    """Excel serial number -> datetime (1900 date system); None when out of range."""
    try:
        value = from_excel(serial)
    except (ValueError, OverflowError, TypeError):
        return None
    return value if isinstance(value, dt.datetime) else None
