"""The workbook adapter: the only module that imports openpyxl.

It reads a submission in one pass, formulas and the values the application saved for them
together, and hands the rest of the engine plain frozen data (`Workbook`, `CellData`) keyed by
our own `CellRef`. The sheets, shared strings and number formats are read by our streaming
reader (reading/sheetxml.py), which types every value exactly as openpyxl's full load does
(a formula cell's saved value as a values-only load would type it); openpyxl's own classes
read the small parts (manifest, workbook part, relationships, tables, conditional formats)
and lend the reader their conversions (coordinates, dates, shared-formula translation). Why:
openpyxl's object model of the sheets cost most of the reading time, for data the engine
throws away (tests/test_reader_equivalence.py compares both readings on every file).

Nothing here executes anything from the file: macros and external links are never read, and
the pre-flight guard has already rejected DTDs, bombs, oversized sheets and non-OOXML files
before any parser sees the bytes. The file is read once: the parsers get exactly the bytes the
guard checked (never the path again, so a file swapped in between cannot slip past the guard,
and the file's extension does not matter). Whatever the parsers raise on those bytes means the
file cannot be read: `WorkbookUnreadable("damaged")`.

Longer than most modules: it is the only importer of openpyxl, so every reading of the
package (cells, cached values, names, tables, array formulas, charts, conditional formats)
lives here, behind plain data types.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import posixpath
import warnings
import zipfile
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError as XmlParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.formatting.formatting import ConditionalFormatting, ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import RelationshipList, get_rels_path
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    BUILTIN_FORMATS_REVERSE,
    is_timedelta_format,
)
from openpyxl.styles.numbers import is_date_format as is_date_format_openpyxl
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    WINDOWS_EPOCH,
    from_excel,
    from_ISO8601,
    to_excel,
)
from openpyxl.workbook.child import INVALID_TITLE_REGEX, avoid_duplicate_name
from openpyxl.workbook.defined_name import DefinedNameList
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.formula import DataTableFormula
from openpyxl.worksheet.hyperlink import HyperlinkList
from openpyxl.worksheet.merge import MergeCells
from openpyxl.worksheet.print_settings import PrintArea, PrintTitles
from openpyxl.worksheet.table import Table, TablePartList
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, COMMENTS_NS, SHARED_STRINGS

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import (
    Limits,
    Preflight,
    check_opendocument,
    preflight_bytes,
    read_submission,
)
from autocorrect.reading.libreoffice import (
    CONVERTIBLE_SUFFIXES,
    LibreOfficeError,
    convert_to_xlsx,
    soffice_path,
)
from autocorrect.reading.refs import MAX_COL, MAX_ROW, CellRef, RangeRef, parse_ref, split_sheet
from autocorrect.reading.sheetxml import (
    HYPERLINKS,
    MERGE_CELLS,
    TABLE_PARTS,
    ArrayFormulaText,
    Conventions,
    SheetXml,
    StoredCell,
    parse_part,
    parse_sheet,
    read_shared_strings,
    read_style_parts,
)


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
        data, converted_from = _converted(data, refused, limits)
        checked = preflight_bytes(data, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            book = _read_package(data)
    except MemoryError:
        raise
    except Exception as exc:  # boundary: a broken package raises anything
        raise _unreadable_by_openpyxl(exc) from exc
    if not book.worksheets:  # never grade "nothing found" for a sheet we cannot see
        raise _no_worksheet(data)
    workbook = _to_workbook(path, book, checked)
    return replace(
        workbook,
        charts=read_charts(BytesIO(data), workbook.sheets),
        conditional_formats=book.conditional_formats,
        tables=book.tables,
        calc=_calc_settings(BytesIO(data), book.calculation),
        converted_from=converted_from,
        limits=limits,
    )


def _converted(data: bytes, refused: WorkbookUnreadable, limits: Limits) -> tuple[bytes, str]:
    """A .xls/.ods/.fods the guard refused, converted to .xlsx by LibreOffice when it is
    installed; otherwise (or when the conversion fails) the guard's message stands."""
    kind = _legacy_kind(data) if refused.reason in ("xls", "ods") else None
    if kind is None or soffice_path() is None:
        raise refused
    check_opendocument(data, kind, limits)  # a repeat bomb is refused before LibreOffice expands it
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


# --- reading the package: openpyxl for the workbook part, our own reader for the sheets -------


@dataclass
class _Sheet:
    """A sheet as read: a worksheet's cells (`part`), or a chartsheet (`part` None)."""

    title: str
    part: SheetXml | None = None
    # the cells of merged areas but their first (openpyxl's `MergedCell`: always empty), and
    # the merged areas in order, (min_row, min_col, max_row, max_col)
    merged: set[tuple[int, int]] = field(default_factory=set)
    merge_areas: list[tuple[int, int, int, int]] = field(default_factory=list)
    defined_names: dict[str, Any] = field(default_factory=dict)  # sheet-scoped names
    tables: dict[str, Any] = field(default_factory=dict)  # openpyxl Table by name
    formatting: Any = None  # openpyxl ConditionalFormattingList


@dataclass
class _Book:
    sheets: list[_Sheet]  # worksheets and chartsheets, in the workbook's order
    calculation: Any  # openpyxl CalcProperties or None
    global_names: Mapping[str, Any]  # openpyxl DefinedName by name

    @property
    def worksheets(self) -> list[_Sheet]:
        return [s for s in self.sheets if s.part is not None]

    @property
    def tables(self) -> tuple[TablePart, ...]:
        return _tables(self.worksheets)

    @property
    def conditional_formats(self) -> tuple[ConditionalFormat, ...]:
        return _conditional_formats(self.worksheets)


def _read_package(data: bytes) -> _Book:
    """The workbook as openpyxl's full load sees it, without its object model of the sheets:
    the package manifest, the workbook part (sheets, names, calculation, date system), the
    relationships, tables and conditional formats are read by openpyxl's own classes (small
    parts, and exact by construction); the shared strings, the number formats and the sheets
    by reading/sheetxml.py, which reads them as openpyxl does, several times faster."""
    archive = zipfile.ZipFile(BytesIO(data))
    names = set(archive.namelist())
    package = Manifest.from_tree(parse_part(archive.read(ARC_CONTENT_TYPES)))
    strings = _shared_strings(archive, package)
    book_part = _find_workbook_part(package).PartName[1:]
    book = WorkbookPackage.from_tree(parse_part(archive.read(book_part)))
    formats = _CellFormats.read(archive, names)
    epoch = CALENDAR_MAC_1904 if book.properties.date1904 else WINDOWS_EPOCH
    conventions = Conventions(
        shared_strings=strings,
        number_format=formats.number_format,
        date_styles=formats.date_styles,
        timedelta_styles=formats.timedelta_styles,
        position=_position,
        serial_to_date=functools.partial(_serial_to_date, epoch),
        iso_to_date=from_ISO8601,
        translator=_SharedFormula,
        data_table=_data_table,
    )
    sheets: list[_Sheet] = []
    for entry, rel in _sheet_entries(archive, book_part, book):
        if rel.target not in names:
            continue
        if "chartsheet" in rel.Type:
            sheets.append(_Sheet(_sheet_title(entry.name, "", sheets)))
            continue
        sheet = _Sheet(_sheet_title(entry.name, "Sheet", sheets))
        sheets.append(sheet)
        rels_path = get_rels_path(rel.target)
        rels = _dependents(archive, rels_path) if rels_path in names else RelationshipList()
        sheet.part = parse_sheet(archive.read(rel.target), conventions)
        _bind_sheet(sheet, rels, archive, formats.dxf_count, sheets)
    global_names = _assign_names(book.definedNames or DefinedNameList(), sheets)
    return _Book(sheets, book.calcPr, global_names)


def _sheet_entries(archive: zipfile.ZipFile, book_part: str, book: Any) -> Iterator[Any]:
    """(sheet entry, relationship) of each sheet of the workbook part, in order, as
    openpyxl's workbook reader finds them: an entry without an id is left out."""
    rels: dict[str, Any] | None = None
    for entry in book.sheets:
        if not entry.id:
            continue
        if rels is None:  # read on first need, as openpyxl does
            rels = _dependents(archive, get_rels_path(book_part)).to_dict()
        yield entry, rels[entry.id]


def _dependents(archive: zipfile.ZipFile, filename: str) -> Any:
    """openpyxl's `get_dependents` (a part's relationships, targets made absolute), on our
    XML parser."""
    try:
        rels = RelationshipList.from_tree(parse_part(archive.read(filename)))
    except TypeError:
        rels = RelationshipList()
    folder = posixpath.dirname(filename)
    parent = posixpath.split(folder)[0]
    for rel in rels:
        if rel.TargetMode == "External":
            continue
        if rel.target.startswith("/"):
            rel.target = rel.target[1:]
        else:
            rel.target = posixpath.normpath(posixpath.join(parent, rel.target))
    return rels


def _shared_strings(archive: zipfile.ZipFile, package: Any) -> list[str]:
    declared = package.find(SHARED_STRINGS)
    if declared is None:
        return []
    return read_shared_strings(archive.read(declared.PartName[1:]))


def _sheet_title(name: str | None, default: str, sheets: list[_Sheet]) -> str:
    """The title openpyxl gives a sheet: checked, and numbered when it repeats another."""
    value = name or default
    if not value:
        raise ValueError("Title must have at least one character")
    found = INVALID_TITLE_REGEX.search(value)
    if found:
        raise ValueError(f"Invalid character {found.group(0)} found in sheet title")
    return str(avoid_duplicate_name([s.title for s in sheets], value))


# References and shared-formula translations recur across sheets and across the copies of a
# session: each is worked out once per process (bounded, like the formula tokens below).
_READING_CACHE = 8192


@functools.lru_cache(maxsize=_READING_CACHE)
def _position(coordinate: str) -> tuple[int, int]:
    """A cell reference as (row, column), read by openpyxl's rules."""
    row, column = coordinate_to_tuple(coordinate)
    return int(row), int(column)


def _serial_to_date(epoch: dt.datetime, serial: float, duration: bool) -> object:
    return from_excel(serial, epoch, timedelta=duration)


def _data_table(attributes: dict[str, str]) -> object:
    return DataTableFormula(**attributes)


class _SharedFormula:
    """openpyxl's translation of a shared formula from its anchor to each cell sharing it,
    memoised: the same anchors and cells recur across the copies of a session."""

    def __init__(self, formula: str, origin: str | None) -> None:
        _translator(formula, origin)  # raises on what openpyxl cannot translate, as it does
        self.formula, self.origin = formula, origin

    def translate_formula(self, dest: str | None) -> str:
        return _translated(self.formula, self.origin, dest)


@functools.lru_cache(maxsize=256)
def _translator(formula: str, origin: str | None) -> Any:
    return Translator(formula, origin)


@functools.lru_cache(maxsize=_READING_CACHE)
def _translated(formula: str, origin: str | None, dest: str | None) -> str:
    return str(_translator(formula, origin).translate_formula(dest))


@dataclass(frozen=True)
class _CellFormats:
    """The number format of each cell format index, and which show dates or durations, as
    openpyxl's stylesheet reader works them out (xl/styles.xml at its fixed place)."""

    by_style: tuple[str | None, ...] = ("General",)  # None: a format id openpyxl cannot show
    date_styles: Container[object] = field(default_factory=dict)
    timedelta_styles: Container[object] = field(default_factory=dict)
    dxf_count: int = 0

    @classmethod
    def read(cls, archive: zipfile.ZipFile, names: set[str]) -> _CellFormats:
        if ARC_STYLE not in names:
            return cls()
        parts = read_style_parts(parse_part(archive.read(ARC_STYLE)))
        if not parts.xf_format_ids:
            return cls()  # openpyxl keeps its defaults
        added: dict[str, int] = {}  # openpyxl's workbook number formats, 164 onwards
        by_style: list[int] = []
        dates, durations = set(), set()
        for index, declared in enumerate(parts.xf_format_ids):
            code, format_id = _normalised_format(declared, parts.custom_formats, added)
            if is_date_format_openpyxl(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
            by_style.append(format_id)
        ordered = list(added)
        shown = tuple(_format_shown(i, ordered) for i in by_style)
        return cls(shown, dates, durations, parts.dxf_count)

    def number_format(self, style_id: object) -> str:
        # an index as openpyxl takes it from the cell: an int, negative ones counting from
        # the end, or the attribute text (an empty `s=""`) that no list accepts
        """A cell's number format; an index openpyxl would not find raises as it does."""
        shown = self.by_style[style_id]  # type: ignore[call-overload]
        if shown is None:
            raise IndexError(f"number format of style {style_id} is undefined")
        return str(shown)


def _normalised_format(
    declared: int, custom: Mapping[int, str], added: dict[str, int]
) -> tuple[str | None, int]:
    """openpyxl's renumbering of a cell format's number format: a custom code equal to a
    built-in one takes the built-in id, any other custom code an id from 164 in order of
    first use; the format code (None for an unknown built-in id) and the id."""
    if declared not in custom:
        return BUILTIN_FORMATS.get(declared), declared
    code = custom[declared]
    if code in BUILTIN_FORMATS_REVERSE:
        return code, int(BUILTIN_FORMATS_REVERSE[code])
    return code, added.setdefault(code, len(added)) + BUILTIN_FORMATS_MAX_SIZE


def _format_shown(number: int, added: list[str]) -> str | None:
    if number < BUILTIN_FORMATS_MAX_SIZE:
        return str(BUILTIN_FORMATS.get(number, "General"))
    try:
        return str(added[number - BUILTIN_FORMATS_MAX_SIZE])
    except IndexError:
        return None


def _bind_sheet(
    sheet: _Sheet, rels: Any, archive: zipfile.ZipFile, dxf_count: int, sheets: list[_Sheet]
) -> None:
    """What openpyxl's sheet reader does after the cells, in its order: merged areas,
    hyperlinks, conditional formats, then (its workbook reader) comments and tables."""
    part = sheet.part
    assert part is not None
    kept = part.kept
    if MERGE_CELLS in kept:
        _merge(sheet, MergeCells.from_tree(kept[MERGE_CELLS]))
    if HYPERLINKS in kept:
        for link in HyperlinkList.from_tree(kept[HYPERLINKS]).hyperlink:
            if link.id:
                link.target = rels.get(link.id).Target  # unknown: the file is unreadable
            _link(sheet, link)
    sheet.formatting = _formatting(part.conditional_formatting, dxf_count)
    for found in rels.find(COMMENTS_NS):
        comments = CommentSheet.from_tree(parse_part(archive.read(found.target)))
        for ref, _comment in comments.comments:
            _cells_at(sheet, ref)  # openpyxl creates the commented cell
    if TABLE_PARTS in kept:
        for table_part in TablePartList.from_tree(kept[TABLE_PARTS]).tablePart:
            target = rels.get(table_part.id).Target
            table = Table.from_tree(parse_part(archive.read(target)))
            _add_table(sheet, table, sheets)


def _merge(sheet: _Sheet, merges: Any) -> None:
    """Every cell of a merged area but the first becomes empty (openpyxl's `MergedCell`,
    shown "General"); the first is created when absent."""
    part = sheet.part
    assert part is not None
    for merge in merges.mergeCell:
        area = CellRange(merge.ref)
        first = (area.min_row, area.min_col)
        sheet.merge_areas.append((area.min_row, area.min_col, area.max_row, area.max_col))
        _cell(sheet, first)
        for row in range(area.min_row, area.max_row + 1):
            for col in range(area.min_col, area.max_col + 1):
                if (row, col) != first:
                    part.cells.pop((row, col), None)
                    sheet.merged.add((row, col))


# A cell openpyxl creates: empty, shown "General".
_EMPTY = StoredCell(None, "General")

Position = tuple[int, int]


def _cell(sheet: _Sheet, position: Position) -> Position:
    """openpyxl's `ws.cell()`: the cell, created empty when absent (a merged one stays)."""
    row, _col = position
    if not 0 < row < MAX_ROW + 1:
        raise ValueError(f"Row numbers must be between 1 and 1048576, not {row}")
    part = sheet.part
    assert part is not None
    if position not in sheet.merged and position not in part.cells:
        part.cells[position] = _EMPTY
    return position


def _cells_at(sheet: _Sheet, key: str) -> Any:
    """openpyxl's `ws[key]`, on positions: a cell, a line of cells (one row or column), or
    rows (columns for column ranges) of cells; every cell named is created."""
    min_col, min_row, max_col, max_row = range_boundaries(key)
    if not any([min_col, min_row, max_col, max_row]):
        raise IndexError(f"{key} is not a valid coordinate or range")
    if min_row is None:
        last_row = _extent(sheet, 0)
        cols = [[_cell(sheet, (r, c)) for r in range(1, last_row + 1)]
                for c in range(min_col or 1, (max_col or _extent(sheet, 1)) + 1)]  # fmt: skip
        return cols[0] if min_col == max_col else cols
    if min_col is None:
        last_col = _extent(sheet, 1)
        rows = [[_cell(sheet, (r, c)) for c in range(1, last_col + 1)]
                for r in range(min_row or 1, (max_row or _extent(sheet, 0)) + 1)]  # fmt: skip
        return rows[0] if min_row == max_row else rows
    if ":" not in key:
        return _cell(sheet, (min_row, min_col))
    return [[_cell(sheet, (r, c)) for c in range(min_col, max_col + 1)]
            for r in range(min_row, max_row + 1)]  # fmt: skip


def _extent(sheet: _Sheet, axis: int) -> int:
    """openpyxl's `max_row` (axis 0) or `max_column` (axis 1): over every cell it holds."""
    part = sheet.part
    assert part is not None
    return max((p[axis] for p in (*part.cells, *sheet.merged)), default=1)


def _link(sheet: _Sheet, link: Any) -> None:
    """openpyxl's binding of a hyperlink: an empty cell it lands on takes the link's target
    (or location) as its value; merged cells of a range are passed over, a merged cell named
    alone hands the link to its area's first cell."""
    if ":" in link.ref:
        for line in _cells_at(sheet, link.ref):
            if isinstance(line, tuple):  # a single row or column: openpyxl fails here
                raise TypeError("a hyperlink on a single row or column")
            for position in line:
                if position not in sheet.merged:
                    _set_link_value(sheet, position, link)
        return
    position = _cells_at(sheet, link.ref)
    if not isinstance(position, tuple):
        raise AttributeError("a hyperlink on a whole row or column")
    if position in sheet.merged:
        position = next(
            (a[0], a[1]) for a in sheet.merge_areas if _inside(position, a)
        )  # fmt: skip
    _set_link_value(sheet, position, link)


def _inside(position: Position, area: tuple[int, int, int, int]) -> bool:
    return area[0] <= position[0] <= area[2] and area[1] <= position[1] <= area[3]


def _set_link_value(sheet: _Sheet, position: Position, link: Any) -> None:
    part = sheet.part
    assert part is not None
    cell = part.cells[position]
    if cell.raw is not None:
        return
    text = link.target or link.location
    if text is not None:
        text = str(text)[:32767]
        if ILLEGAL_CHARACTERS_RE.search(text):
            raise ValueError("illegal character in a hyperlink")
    part.cells[position] = StoredCell(text, cell.number_format)


def _formatting(elements: list[Any], dxf_count: int) -> Any:
    found = ConditionalFormattingList()
    for element in elements:
        try:
            block = ConditionalFormatting.from_tree(element)
        except TypeError:
            continue  # openpyxl discards a rule it cannot read
        for rule in block.rules:
            if rule.dxfId is not None:
                range(dxf_count)[rule.dxfId]  # an unknown style makes the file unreadable
            found[block] = rule
    return found


def _add_table(sheet: _Sheet, table: Any, sheets: list[_Sheet]) -> None:
    name = str(table.name).lower()
    if any(name == other.lower() for s in sheets for other in s.tables):
        raise ValueError(f"Table with name {table.name} already exists")
    sheet.tables[table.name] = table


def _assign_names(defined: Any, sheets: list[_Sheet]) -> Mapping[str, Any]:
    """openpyxl's binding of defined names: workbook-wide ones, and sheet-scoped ones on the
    sheet at their `localSheetId` (print titles and areas are not names)."""
    global_names: Mapping[str, Any] = {}
    for index, names in defined.by_sheet().items():
        if index == "global":
            global_names = names
            continue
        try:
            sheet = sheets[index]
        except IndexError:
            continue
        for name, definition in names.items():
            reserved = definition.is_reserved
            if reserved is None:
                if sheet.part is None:
                    raise AttributeError("a chartsheet has no defined names")
                sheet.defined_names[name] = definition
            elif reserved == "Print_Titles":
                PrintTitles.from_string(definition.value)
            elif reserved == "Print_Area":
                try:
                    PrintArea.from_string(definition.value)
                except TypeError:
                    continue
    return global_names


def _to_workbook(path: Path, book: _Book, checked: Preflight) -> Workbook:
    cells: dict[CellRef, CellData] = {}
    by_sheet: dict[str, tuple[CellData, ...]] = {}
    used: dict[str, tuple[int, int]] = {}
    for sheet in book.worksheets:
        sheet_cells = tuple(_sheet_cells(sheet))
        by_sheet[sheet.title] = sheet_cells
        cells.update((c.ref, c) for c in sheet_cells)
        used[sheet.title] = (
            max((c.ref.row for c in sheet_cells), default=1),
            max((c.ref.col for c in sheet_cells), default=1),
        )
    return Workbook(
        path=path,
        sheets=tuple(s.title for s in book.worksheets),
        cells=cells,
        defined_names=_defined_names(book),
        used=used,
        preflight=checked,
        by_sheet=by_sheet,
    )


def _sheet_cells(sheet: _Sheet) -> Iterator[CellData]:
    # Only the stored cells: iterating the claimed dimension could mean billions of empty
    # cells for a file whose last cell is XFD1048576.
    part = sheet.part
    assert part is not None
    arrays = _array_ranges(sheet)
    stored = part.cells
    positions = stored.keys() | arrays.keys() if arrays else stored.keys()
    for row, col in sorted(positions):
        cell = stored.get((row, col), _EMPTY)
        raw = cell.raw
        array = arrays.get((row, col))
        if (raw is None or raw == "") and array is None:
            continue
        formula = _formula_text(raw)
        if array is not None:
            # Every cell of an array range is a formula cell of the array, though only the
            # anchor stores the formula: the others only store their cached value.
            formula = array[1]
        cached = part.saved.get((row, col), raw) if formula else None
        yield CellData(
            ref=CellRef(sheet.title, row, col),
            value=None if formula else _plain(raw),
            formula=formula,
            cached=_plain(cached),
            number_format=cell.number_format or "General",
            array=array[0] if array is not None else None,
        )


def _array_ranges(sheet: _Sheet) -> dict[tuple[int, int], tuple[RangeRef, str]]:
    """(row, col) -> (array range, anchor formula) for every cell present in an array range
    (`<f t="array" ref="C5:C9">`: a legacy `{=…}` or a spilled dynamic array)."""
    part = sheet.part
    assert part is not None
    found: dict[tuple[int, int], tuple[RangeRef, str]] = {}
    present: set[tuple[int, int]] | None = None
    for (row, col), cell in part.cells.items():
        raw = cell.raw
        if not isinstance(raw, ArrayFormulaText) or not raw.text:
            continue
        area = parse_ref(str(raw.ref or "").replace("$", ""), sheet.title)
        if area is None or area.max_row >= MAX_ROW or area.max_col >= MAX_COL:
            area = RangeRef(sheet.title, row, col, row, col)
        if present is None:
            present = part.cells.keys() | sheet.merged
        for position in _within(area, present):
            found[position] = (area, raw.text)
    return found


def _within(area: RangeRef, present: set[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The present cells inside an area, by whichever is smaller."""
    rows, cols = area.shape
    if rows * cols <= len(present):
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                if (r, c) in present:
                    yield (r, c)
        return
    for r, c in present:
        if area.min_row <= r <= area.max_row and area.min_col <= c <= area.max_col:
            yield (r, c)


def _formula_text(raw: object) -> str | None:
    if isinstance(raw, ArrayFormulaText):
        return raw.text or None
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


def _tables(worksheets: list[_Sheet]) -> tuple[TablePart, ...]:
    found: list[TablePart] = []
    for sheet in worksheets:
        for table in sheet.tables.values():
            area = parse_ref(str(table.ref or "").replace("$", ""), sheet.title)
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


def _conditional_formats(worksheets: list[_Sheet]) -> tuple[ConditionalFormat, ...]:
    found: list[ConditionalFormat] = []
    for sheet in worksheets:
        for entry in sheet.formatting or ():
            for rule in entry.rules:
                words = [str(rule.type or "")]
                if getattr(rule, "operator", None):
                    words.append(str(rule.operator))
                words.extend(str(f) for f in (getattr(rule, "formula", None) or []))
                found.append(ConditionalFormat(sheet.title, str(entry.sqref), " ".join(words)))
    return tuple(found)


def _calc_settings(data: IO[bytes], calculation: Any) -> CalcSettings:
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


def _defined_names(book: _Book) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, definition in book.global_names.items():
        if definition.value and "#REF" not in str(definition.value):
            names[name.upper()] = str(definition.value)
    for sheet in book.worksheets:  # sheet-scoped names; the workbook-wide one wins on a clash
        for name, definition in sheet.defined_names.items():
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
