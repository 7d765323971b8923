"""The workbook adapter: the only module that imports openpyxl.

It reads a submission in one pass, formulas and the values the application saved for them
together (openpyxl parses each formula cell's saved `<v>` a second time in its own "data only"
mode, so the values are exactly those a second, values-only load would give, at a fraction of
the cost), and hands the rest of the engine plain frozen data (`Workbook`, `CellData`) keyed by
our own `CellRef`. Nothing here executes anything from the file: macros are dropped
(`keep_vba=False`), external links are not loaded (`keep_links=False`), and the pre-flight
guard has already rejected DTDs, bombs, oversized sheets and non-OOXML files before openpyxl
sees the bytes. The file is read once: the parsers get exactly the bytes the guard checked
(never the path again, so a file swapped in between cannot slip past the guard, and the
file's extension does not matter). Whatever openpyxl raises on those bytes means the file
cannot be read: `WorkbookUnreadable("damaged")`.

Longer than most modules: it is the only importer of openpyxl, so every reading of the
package (cells, cached values, names, tables, array formulas, charts, conditional formats)
lives here, behind plain data types.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError as XmlParseError
from xml.parsers.expat import ExpatError

import openpyxl
import openpyxl.reader.excel
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles.numbers import is_date_format as is_date_format_openpyxl
from openpyxl.utils.datetime import from_excel, to_excel
from openpyxl.worksheet._reader import WorkSheetParser, WorksheetReader
from openpyxl.worksheet.formula import ArrayFormula

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import Limits, Preflight, preflight_bytes, read_submission
from autocorrect.reading.libreoffice import (
    CONVERTIBLE_SUFFIXES,
    LibreOfficeError,
    convert_to_xlsx,
    soffice_path,
)
from autocorrect.reading.refs import MAX_COL, MAX_ROW, CellRef, RangeRef, parse_ref, split_sheet


@dataclass(frozen=True)
class CellData:
    """What one non-empty cell holds."""

    ref: CellRef
    value: object  # the typed constant, or None for a formula cell
    formula: str | None  # "=..." as stored (English function names)
    cached: object  # last value the spreadsheet application saved, None if none
    number_format: str
    # For a cell of an array formula (legacy `{=…}` or a spilled dynamic array): the whole
    # range of the array; `formula` is then the anchor's formula, shared by every cell.
    array: RangeRef | None = None

    @property
    def is_formula(self) -> bool:
        return self.formula is not None

    @property
    def shown(self) -> object:
        """The constant, or the cached result of the formula."""
        return self.cached if self.is_formula else self.value


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: the references it plots, as written in the chart part."""

    x: str | None  # xVal (scatter) or cat (bar/line) reference
    y: str | None  # yVal (scatter) or val (bar/line) reference
    title: str | None


@dataclass(frozen=True)
class Chart:
    sheet: str | None  # the sheet whose drawing holds the chart, when it can be told
    kind: str  # "scatter", "bar", "line", "pie"…
    series: tuple[ChartSeries, ...]


@dataclass(frozen=True)
class ConditionalFormat:
    sheet: str
    ranges: str  # "B5:B10 D5:D10"
    rule: str  # "cellIs lessThanOrEqual -0.05", "colorScale"…


@dataclass(frozen=True)
class TablePart:
    """An Excel table (ListObject): its name, area and column names, for structured
    references such as `Tableau1[[#This Row],[CA HT]]`."""

    name: str
    area: RangeRef  # the whole table, header and totals rows included
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0

    @property
    def data_area(self) -> RangeRef:
        """The data rows only (`Table[#Data]`, and `Table[Col]`)."""
        area = self.area
        return RangeRef(
            area.sheet,
            area.min_row + self.header_rows,
            area.min_col,
            area.max_row - self.totals_rows,
            area.max_col,
        )

    def column_index(self, name: str) -> int | None:
        """0-based index of a column, matched case-insensitively, as Excel does."""
        wanted = name.strip().casefold()
        return next((i for i, c in enumerate(self.columns) if c.casefold() == wanted), None)


@dataclass(frozen=True)
class CalcSettings:
    """How the file was saved: by which application, in which calculation mode. A file saved
    by a calculating application in automatic mode holds the values the candidate saw."""

    application: str = ""  # docProps/app.xml <Application>, "" when absent
    calc_mode: str = "auto"  # xl/workbook.xml <calcPr calcMode>: "auto", "manual"…

    @property
    def saved_by_calculating_application(self) -> bool:
        """A spreadsheet application that recalculates (Excel, LibreOffice…), not a library
        that writes formulas without computing them (openpyxl, XlsxWriter…)."""
        name = self.application.casefold()
        if not name:
            return False
        return not any(lib in name for lib in _NON_CALCULATING_WRITERS)

    @property
    def automatic(self) -> bool:
        return self.calc_mode.casefold() in ("auto", "autonotable", "")


_NON_CALCULATING_WRITERS = ("openpyxl", "xlsxwriter", "rubyxl", "phpspreadsheet", "epplus")


# A blank stretch longer than this many rows (or columns), and longer than the block of data
# above it, ends the sheet's data block: what lies beyond is a far cell (see SheetExtent).
DATA_BLOCK_GAP = 100


@dataclass(frozen=True)
class SheetExtent:
    """The rows and the columns of one sheet that hold at least one cell, ascending.

    The *data block* of a whole-column reference (`J:J`, `A:C`) is the run of filled rows that
    starts at the reference's first row and goes on as long as the blank stretch before the
    next filled row is at most `DATA_BLOCK_GAP` rows or at most as long as the block so far:
    a table with a few blank rows, or 2,000 survey respondents, is one block; a value typed in
    J50000 under a 7-row table is not in it. Rows are taken over the whole sheet (every
    column), so that `SUMIF(A:A;…;J:J)` or `SUMPRODUCT(G:G;J:J)` read ranges of one shape.
    Whole rows (`3:3`) are cut the same way along the columns."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]

    def block(self, first: int, last: int, along_rows: bool) -> tuple[int, tuple[int, ...]]:
        """(end of the data block starting at `first`, filled lines after it up to `last`)
        along the rows or the columns; the end is `first` when nothing is filled."""
        filled = self.rows if along_rows else self.cols
        start = bisect.bisect_left(filled, first)
        stop = bisect.bisect_right(filled, last)
        if start == stop:
            return first, ()
        end = filled[start]
        for index in range(start + 1, stop):
            line = filled[index]
            gap = line - end - 1
            if gap > DATA_BLOCK_GAP and gap > end - first + 1:
                return end, filled[index:stop]
            end = line
        return end, ()


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
    charts: tuple[Chart, ...] = ()
    conditional_formats: tuple[ConditionalFormat, ...] = ()
    tables: tuple[TablePart, ...] = ()
    calc: CalcSettings = CalcSettings()
    converted_from: str = ""  # ".xls", ".ods"…: graded through a LibreOffice conversion
    limits: Limits = field(default=Limits(), repr=False)  # what the evaluator may do with it

    @functools.cached_property
    def extents(self) -> Mapping[str, SheetExtent]:
        """Per sheet, the rows and columns that hold cells, so that a whole-column or
        whole-row reference covers the sheet's data block and its few far cells, never a
        million empty ones (see `SheetExtent.block`)."""
        found: dict[str, SheetExtent] = {}
        for sheet, cells in self.by_sheet.items():
            rows = sorted({cell.ref.row for cell in cells})
            cols = sorted({cell.ref.col for cell in cells})
            found[sheet] = SheetExtent(tuple(rows), tuple(cols))
        return found

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

    def table_named(self, name: str) -> TablePart | None:
        wanted = name.casefold()
        return next((t for t in self.tables if t.name.casefold() == wanted), None)

    def table_at(self, ref: CellRef) -> TablePart | None:
        """The table whose area holds the cell (for `[@Col]` written inside a table)."""
        for table in self.tables:
            area = table.area
            rows_hit = area.min_row <= ref.row <= area.max_row
            if area.sheet == ref.sheet and rows_hit and area.min_col <= ref.col <= area.max_col:
                return table
        return None


def load(path: Path, limits: Limits | None = None) -> Workbook:
    """Read a submission; raises WorkbookUnreadable with a French message, nothing else
    (MemoryError aside: the caller reports the memory limit)."""
    limits = limits or Limits()
    data = read_submission(path, limits)
    converted_from = ""
    try:
        checked = preflight_bytes(data, limits)
    except WorkbookUnreadable as refused:
        data, converted_from = _converted(data, refused)
        checked = preflight_bytes(data, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            formulas_wb = _load_with_saved_values(data)
    except MemoryError:
        raise
    except Exception as exc:  # boundary: openpyxl raises anything on a broken package
        raise _unreadable_by_openpyxl(exc) from exc
    if not formulas_wb.worksheets:  # never grade "nothing found" for a sheet we cannot see
        raise _no_worksheet(data)
    workbook = _to_workbook(path, formulas_wb, checked)
    return replace(
        workbook,
        charts=read_charts(BytesIO(data), workbook.sheets),
        conditional_formats=_conditional_formats(formulas_wb),
        tables=_tables(formulas_wb),
        calc=_calc_settings(BytesIO(data), formulas_wb),
        converted_from=converted_from,
        limits=limits,
    )


def _converted(data: bytes, refused: WorkbookUnreadable) -> tuple[bytes, str]:
    """A .xls/.ods/.fods the guard refused, converted to .xlsx by LibreOffice when it is
    installed; otherwise (or when the conversion fails) the guard's message stands."""
    kind = _legacy_kind(data) if refused.reason in ("xls", "ods") else None
    if kind is None or soffice_path() is None:
        raise refused
    try:
        return convert_to_xlsx(data, kind), CONVERTIBLE_SUFFIXES[kind]
    except LibreOfficeError as exc:
        raise WorkbookUnreadable(
            refused.reason,
            f"{refused.message} (La conversion automatique par LibreOffice a échoué : {exc}.)",
        ) from exc


def _legacy_kind(data: bytes) -> str | None:
    """Which LibreOffice import filter suits a refused legacy spreadsheet."""
    if data.startswith(b"PK"):
        return "ods"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"  # an OLE2 file: LibreOffice's Excel 97 filter refuses anything else
    head = data[:4096].decode("utf-8", "replace")
    if "urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml-2003"
    if "opendocument.spreadsheet" in head or "<office:spreadsheet" in head:
        return "fods"
    return None


def _unreadable_by_openpyxl(exc: Exception) -> WorkbookUnreadable:
    """The guard let the package through, but openpyxl cannot make a workbook of it."""
    if isinstance(exc, XmlParseError | ExpatError):
        detail = f"une partie XML est malformée : {exc}"
    elif isinstance(exc, zipfile.BadZipFile | EOFError):
        detail = "l'archive zip ne peut pas être lue"
    elif isinstance(exc, OSError):  # openpyxl: "File contains no valid workbook part"
        detail = "[Content_Types].xml ne déclare aucune partie de classeur Excel"
    else:
        detail = "le contenu des feuilles n'a pas pu être interprété"
    return WorkbookUnreadable(
        "damaged",
        f"Le classeur ne peut pas être lu ({detail[:200]}) : il est endommagé, ou a été écrit "
        "par un outil qui ne respecte pas le format .xlsx. Demander au candidat de l'ouvrir "
        "dans Excel, de l'enregistrer à nouveau au format .xlsx et de le déposer encore ; "
        "sinon, corriger la copie à la main.",
    )


_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _no_worksheet(data: bytes) -> WorkbookUnreadable:
    """openpyxl found no worksheet: a "Strict Open XML" workbook (which it reads as empty),
    or a package whose sheets cannot be reached."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        strict = any(
            _STRICT_NAMESPACE in archive.open(info).read(4096)
            for info in archive.infolist()
            if info.filename.lower().endswith(".xml")
        )
    if strict:
        return WorkbookUnreadable(
            "strict-ooxml",
            "Le classeur est enregistré au format « Feuille de calcul Open XML Strict », que "
            "la correction automatique ne lit pas : demander au candidat de l'enregistrer au "
            "format « Classeur Excel (.xlsx) » (Excel : Fichier > Enregistrer sous > Type : "
            "Classeur Excel).",
        )
    return WorkbookUnreadable(
        "no-sheet",
        "Le classeur ne contient aucune feuille de calcul lisible (seulement des graphiques, "
        "ou des feuilles introuvables) : demander au candidat de vérifier le fichier déposé et "
        "de l'enregistrer à nouveau au format .xlsx depuis Excel.",
    )


class _SavedValueParser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser, which also keeps the saved value of each formula cell: the
    cell is parsed a second time in "data only" mode, so the value is converted exactly as a
    values-only load converts it (numbers, dates by number format, booleans, errors)."""

    col_counter: int
    data_only: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved: dict[tuple[int, int], object] = {}

    def parse_cell(self, element: Any) -> dict[str, Any]:
        column: int = self.col_counter  # a cell without `r` advances it: once
        cell: dict[str, Any] = super().parse_cell(element)
        if cell["data_type"] == "f":
            after: int = self.col_counter
            self.col_counter, self.data_only = column, True
            try:
                self.saved[(cell["row"], cell["column"])] = super().parse_cell(element)["value"]
            finally:
                self.col_counter, self.data_only = after, False
        return cell


class _SavedValueReader(WorksheetReader):  # type: ignore[misc]
    """openpyxl's sheet reader with the parser above; the saved values end on the sheet."""

    def __init__(
        self, ws: Any, xml_source: Any, shared_strings: Any, data_only: bool, rich_text: bool
    ) -> None:
        super().__init__(ws, xml_source, shared_strings, data_only, rich_text)
        parser = _SavedValueParser(
            xml_source,
            shared_strings,
            False,
            ws.parent.epoch,
            ws.parent._date_formats,
            ws.parent._timedelta_formats,
            rich_text,
        )
        self.parser = parser
        ws.saved_values = parser.saved


def _load_with_saved_values(data: bytes) -> Any:
    """One openpyxl load giving formulas and, per sheet, `saved_values` (row, column) -> the
    value saved for each formula cell. openpyxl offers no hook for this: its sheet reader is
    swapped for the duration of the load (the engine loads one workbook at a time per
    process)."""
    original = openpyxl.reader.excel.WorksheetReader
    openpyxl.reader.excel.WorksheetReader = _SavedValueReader
    try:
        return openpyxl.load_workbook(BytesIO(data), keep_vba=False, keep_links=False)
    finally:
        openpyxl.reader.excel.WorksheetReader = original


def _to_workbook(path: Path, formulas_wb: Any, checked: Preflight) -> Workbook:
    cells: dict[CellRef, CellData] = {}
    by_sheet: dict[str, tuple[CellData, ...]] = {}
    used: dict[str, tuple[int, int]] = {}
    for ws in formulas_wb.worksheets:
        sheet_cells = tuple(_sheet_cells(ws))
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


def _sheet_cells(ws: Any) -> Iterator[CellData]:
    # ws._cells holds only the stored cells: iterating the claimed dimension could mean
    # billions of empty cells for a file whose last cell is XFD1048576.
    arrays = _array_ranges(ws)
    saved: dict[tuple[int, int], object] = getattr(ws, "saved_values", {})
    for (row, col), cell in sorted(ws._cells.items()):
        raw = cell.value
        array = arrays.get((row, col))
        if (raw is None or raw == "") and array is None:
            continue
        formula = _formula_text(raw)
        if array is not None:
            # Every cell of an array range is a formula cell of the array, though only the
            # anchor stores the formula: the others only store their cached value.
            formula = array[1]
        cached = saved.get((row, col), raw) if formula else None
        yield CellData(
            ref=CellRef(ws.title, row, col),
            value=None if formula else _plain(raw),
            formula=formula,
            cached=_plain(cached),
            number_format=str(cell.number_format or "General"),
            array=array[0] if array is not None else None,
        )


def _array_ranges(ws: Any) -> dict[tuple[int, int], tuple[RangeRef, str]]:
    """(row, col) -> (array range, anchor formula) for every cell stored in an array range
    (`<f t="array" ref="C5:C9">`: a legacy `{=…}` or a spilled dynamic array)."""
    found: dict[tuple[int, int], tuple[RangeRef, str]] = {}
    for (row, col), cell in ws._cells.items():
        raw = cell.value
        if not isinstance(raw, ArrayFormula) or not raw.text:
            continue
        area = parse_ref(str(raw.ref or "").replace("$", ""), ws.title)
        if area is None or area.max_row >= MAX_ROW or area.max_col >= MAX_COL:
            area = RangeRef(ws.title, row, col, row, col)
        formula = str(raw.text)
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                if (r, c) in ws._cells:  # only stored cells: the guard bounded them
                    found[(r, c)] = (area, formula)
    return found


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


def _tables(wb: Any) -> tuple[TablePart, ...]:
    found: list[TablePart] = []
    for ws in wb.worksheets:
        for table in ws.tables.values():
            area = parse_ref(str(table.ref or "").replace("$", ""), ws.title)
            if area is None or not table.displayName:
                continue
            columns = tuple(str(c.name or "") for c in table.tableColumns)
            found.append(
                TablePart(
                    name=str(table.displayName),
                    area=area,
                    columns=columns,
                    header_rows=1 if table.headerRowCount is None else int(table.headerRowCount),
                    totals_rows=int(table.totalsRowCount or 0),
                )
            )
    return tuple(found)


def _calc_settings(data: IO[bytes], wb: Any) -> CalcSettings:
    calculation = getattr(wb, "calculation", None)
    mode = str(getattr(calculation, "calcMode", None) or "auto")
    return CalcSettings(application=_application_name(data), calc_mode=mode)


def _application_name(data: IO[bytes]) -> str:
    """docProps/app.xml <Application> (openpyxl does not read it back)."""
    try:
        with zipfile.ZipFile(data) as archive:
            if "docProps/app.xml" not in archive.namelist():
                return ""
            root = defused_fromstring(archive.read("docProps/app.xml"))
    except (zipfile.BadZipFile, KeyError, OSError, DefusedXmlException, ParseError):
        return ""
    for node in root.iter():
        if str(node.tag).endswith("}Application") or node.tag == "Application":
            return str(node.text or "").strip()[:200]
    return ""


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
    operator: str = ""  # "prefix" (unary -/+), "postfix" (%), "infix", or "" otherwise


_DIGITS_ARGUMENT = frozenset({"ROUND", "ROUNDUP", "ROUNDDOWN", "TRUNC", "FIXED"})


def formula_numbers(formula: str) -> list[float]:
    """The numeric constants typed in a formula ("=COUNTIF(J5:J24,\">=4\")/20" -> [20.0]),
    except the number of digits of a rounding (`ROUND(x,4)` types no count of anything)."""
    return list(_formula_numbers(formula))


# Formula texts repeat across cells (copied-down formulas) and across copies of a session:
# each distinct text is tokenized once per process. Bounded: a hostile workbook of a million
# distinct formulas only evicts older entries.
_TOKEN_CACHE = 8192


@functools.lru_cache(maxsize=_TOKEN_CACHE)
def _formula_numbers(formula: str) -> tuple[float, ...]:
    numbers = []
    calls: list[str] = []  # open function calls and parentheses, innermost last
    arguments: list[int] = []  # index of the argument being read in each
    for token in Tokenizer(formula).items:
        if token.subtype == Token.OPEN:
            calls.append(token.value[:-1].upper().removeprefix("_XLFN."))
            arguments.append(0)
        elif token.subtype == Token.CLOSE and calls:
            calls.pop()
            arguments.pop()
        elif token.type == Token.SEP and token.subtype == Token.ARG and calls:
            arguments[-1] += 1
        elif token.type == Token.OPERAND and token.subtype == Token.NUMBER:
            if calls and calls[-1] in _DIGITS_ARGUMENT and arguments[-1] == 1:
                continue
            try:
                numbers.append(float(token.value))
            except ValueError:
                continue
    return tuple(numbers)


def tokenize(formula: str) -> list[FormulaToken]:
    """Split a formula with openpyxl's tokenizer (no evaluation; each distinct text once per
    process, a fresh list each call)."""
    return list(_tokens(formula))


@functools.lru_cache(maxsize=_TOKEN_CACHE)
def _tokens(formula: str) -> tuple[FormulaToken, ...]:
    tokens: list[FormulaToken] = []
    for token in Tokenizer(formula).items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            tokens.append(FormulaToken("ref", token.value, token.value))
        elif token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
            tokens.append(FormulaToken("func", name, token.value))
        else:
            operator = _OPERATOR_KINDS.get(token.type, "")
            tokens.append(FormulaToken("other", token.value, token.value, operator))
    return tuple(tokens)


_OPERATOR_KINDS = {Token.OP_PRE: "prefix", Token.OP_POST: "postfix", Token.OP_IN: "infix"}


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


# --- charts and conditional formatting: evidence for the jury, and the C16 matrix ---------------

_NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
_CHART_KINDS = (
    "scatterChart", "barChart", "bar3DChart", "lineChart", "line3DChart", "pieChart",
    "pie3DChart", "areaChart", "radarChart", "doughnutChart", "bubbleChart",
)  # fmt: skip


def read_charts(path: Path | IO[bytes], sheets: tuple[str, ...] = ()) -> tuple[Chart, ...]:
    """Every chart of the workbook with its series references (openpyxl drops charts on
    reading, so the chart parts are read directly; the guard has already bounded them)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            owners = _chart_owners(archive, names, sheets)
            charts = [
                _parse_chart(archive.read(name), owners.get(name))
                for name in sorted(names)
                if name.startswith("xl/charts/chart") and name.endswith(".xml")
            ]
    except (zipfile.BadZipFile, KeyError, OSError, DefusedXmlException, ParseError):
        return ()
    return tuple(c for c in charts if c is not None)


def _parse_chart(data: bytes, sheet: str | None) -> Chart | None:
    root = defused_fromstring(data)
    for kind in _CHART_KINDS:
        node = root.find(f".//c:{kind}", _NS)
        if node is not None:
            series = tuple(_series(s) for s in node.findall("c:ser", _NS))
            return Chart(sheet, kind.removesuffix("Chart").removesuffix("3D"), series)
    return None


def _series(node: Any) -> ChartSeries:
    def ref(*paths: str) -> str | None:
        for xpath in paths:
            found = node.find(xpath, _NS)
            if found is not None and found.text:
                return str(found.text)
        return None

    return ChartSeries(
        x=ref(
            "c:xVal/c:numRef/c:f", "c:xVal/c:strRef/c:f", "c:cat/c:numRef/c:f", "c:cat/c:strRef/c:f"
        ),
        y=ref("c:yVal/c:numRef/c:f", "c:val/c:numRef/c:f"),
        title=ref("c:tx/c:strRef/c:f", "c:tx/c:v"),
    )


def _chart_owners(
    archive: zipfile.ZipFile, names: set[str], sheets: tuple[str, ...]
) -> dict[str, str]:
    """chart part -> sheet name, through workbook → sheet → drawing → chart relationships."""
    owners: dict[str, str] = {}
    for sheet_name, sheet_part in _sheet_parts(archive, names, sheets).items():
        for drawing in _targets(archive, names, sheet_part, "/drawing"):
            for chart in _targets(archive, names, drawing, "/chart"):
                owners[chart] = sheet_name
    return owners


def _sheet_parts(
    archive: zipfile.ZipFile, names: set[str], sheets: tuple[str, ...]
) -> dict[str, str]:
    if "xl/workbook.xml" not in names:
        return {}
    root = defused_fromstring(archive.read("xl/workbook.xml"))
    rel_targets = dict(_relationships(archive, names, "xl/workbook.xml"))
    parts: dict[str, str] = {}
    for node in root.findall("m:sheets/m:sheet", _NS):
        rid = node.get(f"{{{_NS['r']}}}id")
        if rid in rel_targets:
            parts[str(node.get("name"))] = rel_targets[rid]
    return {k: v for k, v in parts.items() if not sheets or k in sheets}


def _targets(archive: zipfile.ZipFile, names: set[str], part: str, suffix: str) -> list[str]:
    return [t for _, t in _relationships(archive, names, part, suffix)]


def _relationships(
    archive: zipfile.ZipFile, names: set[str], part: str, type_suffix: str = ""
) -> list[tuple[str, str]]:
    folder, _, file = part.rpartition("/")
    rels = f"{folder}/_rels/{file}.rels"
    if rels not in names:
        return []
    found = []
    for node in defused_fromstring(archive.read(rels)).findall("rel:Relationship", _NS):
        if type_suffix and not str(node.get("Type", "")).endswith(type_suffix):
            continue
        target = str(node.get("Target", ""))
        resolved = target.lstrip("/") if target.startswith("/") else _join_part(folder, target)
        found.append((str(node.get("Id")), resolved))
    return found


def _join_part(folder: str, target: str) -> str:
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _conditional_formats(wb: Any) -> tuple[ConditionalFormat, ...]:
    found: list[ConditionalFormat] = []
    for ws in wb.worksheets:
        for entry in ws.conditional_formatting:
            for rule in entry.rules:
                words = [str(rule.type or "")]
                if getattr(rule, "operator", None):
                    words.append(str(rule.operator))
                words.extend(str(f) for f in (getattr(rule, "formula", None) or []))
                found.append(ConditionalFormat(ws.title, str(entry.sqref), " ".join(words)))
    return tuple(found)
