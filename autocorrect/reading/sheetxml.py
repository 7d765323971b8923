"""A streaming reader of the worksheet XML: cells, and the few sheet elements the engine uses.

Why not openpyxl's own worksheet reader: it builds a full object model of every sheet (a
`Cell` with a style array per cell, row and column dimensions, page set-up, views…) that the
engine throws away right after; on an exam workbook it cost most of the reading time. This
module reads only what the engine keeps, and reads it exactly as openpyxl's sheet parser
(`openpyxl.worksheet._reader.WorkSheetParser`, version 3.1) does — the same typing of values,
the same column counter for cells without a reference, the same handling of shared and array
formulas — so that the workbook the engine grades is the same (tests/test_reader_equivalence.py
compares both readers on every fixture and corpus file).

It imports no openpyxl (reading/workbook.py is the only module that does): whatever must be
done exactly as openpyxl does it (cell coordinates, serial numbers to dates, ISO dates,
shared-formula translation, data-table formulas) is handed in as `Conventions` by the caller.
The XML goes through expat, which the guard protects: it has already refused any XML member
that holds a `<!DOCTYPE` or `<!ENTITY` (a part with neither cannot declare an entity, and
expat never fetches an external one). The C tree builder reads a sheet three times faster than
defusedxml's pure-Python one; a part that still shows a declaration, or that is not in an
ASCII-compatible encoding (UTF-16: the byte scan could miss a declaration), goes through
defusedxml's parser instead, which refuses it as openpyxl would.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from warnings import warn
from xml.etree.ElementTree import XMLPullParser, fromstring

from defusedxml.ElementTree import fromstring as defused_fromstring
from defusedxml.ElementTree import iterparse as defused_iterparse

SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = f"{{{SHEET_MAIN_NS}}}row"
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_FORMULA = f"{{{SHEET_MAIN_NS}}}f"
_INLINE_STRING = f"{{{SHEET_MAIN_NS}}}is"
_SHARED_STRING = f"{{{SHEET_MAIN_NS}}}si"
# Sheet elements kept whole for the caller (openpyxl keeps the last of each, and every
# conditional formatting block).
CONDITIONAL_FORMATTING = f"{{{SHEET_MAIN_NS}}}conditionalFormatting"
MERGE_CELLS = f"{{{SHEET_MAIN_NS}}}mergeCells"
HYPERLINKS = f"{{{SHEET_MAIN_NS}}}hyperlinks"
TABLE_PARTS = f"{{{SHEET_MAIN_NS}}}tableParts"
_KEPT_LAST = (MERGE_CELLS, HYPERLINKS, TABLE_PARTS)


@dataclass(frozen=True)
class ArrayFormulaText:
    """The formula of an array anchor (`<f t="array" ref="C5:C9">`), as openpyxl's
    `ArrayFormula`: the range as written (None when absent) and the text with its "="."""

    ref: str | None
    text: str


class Translator:
    """What the caller's shared-formula translator offers (openpyxl's `Translator`)."""

    def translate_formula(self, dest: str | None) -> str:  # pragma: no cover - protocol
        raise NotImplementedError


@dataclass(frozen=True)
class Conventions:
    """How raw cell text becomes values: the workbook's shared strings and date styles, and
    openpyxl's own conversions, handed in by the caller."""

    shared_strings: Sequence[str]
    number_format: Callable[[object], str]  # style index -> number format (raises if unknown)
    date_styles: Container[object]  # style indexes whose number format shows a date
    timedelta_styles: Container[object]  # … or a duration ([h]:mm)
    position: Callable[[str], tuple[int, int]]  # "B12" -> (12, 2)
    serial_to_date: Callable[[int | float, bool], object]  # (serial, is duration) -> value
    iso_to_date: Callable[[str], object]  # <c t="d"> text -> date/time/datetime
    translator: Callable[[str, str | None], Any]  # (anchor formula, anchor ref) -> Translator
    data_table: Callable[[dict[str, str]], object]  # <f t="dataTable" …> attributes -> value


@dataclass
class StoredCell:
    """One `<c>` element as openpyxl stores it: the value a formulas load gives (`raw`: a
    constant, "=…" text, an `ArrayFormulaText`, or None), and its number format."""

    raw: object
    number_format: str


@dataclass
class SheetXml:
    """What the engine keeps of one worksheet part."""

    cells: dict[tuple[int, int], StoredCell] = field(default_factory=dict)
    # (row, column) -> the value saved for each formula cell (a values-only reading)
    saved: dict[tuple[int, int], object] = field(default_factory=dict)
    conditional_formatting: list[Any] = field(default_factory=list)  # elements, in order
    kept: dict[str, Any] = field(default_factory=dict)  # tag -> the last such element


_CHUNK = 1 << 16
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


def _elements(data: bytes) -> Iterator[Any]:
    """Each element of an XML part when it ends, as `iterparse` gives them."""
    if b"\x00" in data[:4] or any(marker in data for marker in _DECLARATIONS):
        for _event, element in defused_iterparse(BytesIO(data)):
            yield element
        return
    parser: XMLPullParser[Any] = XMLPullParser(("end",))
    for start in range(0, len(data), _CHUNK):
        parser.feed(data[start : start + _CHUNK])
        yield from _ended(parser)
    parser.close()
    yield from _ended(parser)


def _ended(parser: XMLPullParser[Any]) -> Iterator[Any]:
    events: Iterator[Any] = parser.read_events()  # ("end", element) pairs only
    for _event, element in events:
        yield element


def parse_part(data: bytes) -> Any:
    """A small XML part (styles, relationships, the workbook part…) as an element tree."""
    if b"\x00" in data[:4] or any(marker in data for marker in _DECLARATIONS):
        return defused_fromstring(data)
    return fromstring(data)


def parse_sheet(data: bytes, conventions: Conventions) -> SheetXml:
    """Read one worksheet part, streaming: each row is dropped once read."""
    reader = _SheetReader(conventions)
    sheet = SheetXml()
    for element in _elements(data):
        tag = element.tag
        if tag == _ROW:
            reader.read_row(element, sheet)
            element.clear()
        elif tag == CONDITIONAL_FORMATTING:
            sheet.conditional_formatting.append(element)
        elif tag in _KEPT_LAST:
            sheet.kept[tag] = element
    return sheet


class _SheetReader:
    """The row and column counters and shared formulas of one sheet, as openpyxl keeps them."""

    def __init__(self, conventions: Conventions) -> None:
        self.conventions = conventions
        self.row_counter = 0
        self.col_counter = 0
        self.shared_formulae: dict[str | None, Any] = {}

    def read_row(self, row: Any, sheet: SheetXml) -> None:
        number = row.get("r")
        if number is not None:
            self.row_counter = _row_number(number)
        else:
            self.row_counter += 1
        self.col_counter = 0
        cells, saved = sheet.cells, sheet.saved
        for element in row:  # openpyxl reads every child of a row as a cell
            self.read_cell(element, cells, saved)

    def read_cell(
        self,
        element: Any,
        cells: dict[tuple[int, int], StoredCell],
        saved: dict[tuple[int, int], object],
    ) -> None:
        get = element.get
        data_type = get("t", "n")
        coordinate = get("r")
        style_id: object = get("s", 0)
        if style_id:
            style_id = int(style_id)  # type: ignore[call-overload]
        text = None if data_type == "inlineStr" else (element.findtext(_VALUE, None) or None)
        if coordinate:
            row, column = self.conventions.position(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        formula = element.find(_FORMULA)
        if formula is None:
            raw = self._typed(element, data_type, text, style_id)
        else:
            raw = self._formula(formula, coordinate)
            # the value the application saved, typed as a values-only load types it
            saved[(row, column)] = self._typed(element, data_type, text, style_id)
        cells[(row, column)] = StoredCell(raw, self.conventions.number_format(style_id))

    def _typed(self, element: Any, data_type: str, text: str | None, style_id: object) -> object:
        if text is not None:
            return self._constant(data_type, text, style_id)
        if data_type == "inlineStr":
            child = element.find(_INLINE_STRING)
            if child is not None:
                return text_content(child)
        return None

    def _constant(self, data_type: str, text: str, style_id: object) -> object:
        conventions = self.conventions
        if data_type == "n":
            number = _cast_number(text)
            if style_id in conventions.date_styles:
                try:
                    return conventions.serial_to_date(
                        number, style_id in conventions.timedelta_styles
                    )
                except (OverflowError, ValueError):
                    warn(f"date serial {number} out of range", stacklevel=2)
                    return "#VALUE!"
            return number
        if data_type == "s":
            return conventions.shared_strings[int(text)]
        if data_type == "b":
            return bool(int(text))
        if data_type == "d":
            return conventions.iso_to_date(text)
        return text  # "str", "e" (the error text) and unknown types: the text itself

    def _formula(self, formula: Any, coordinate: str | None) -> object:
        kind = formula.get("t")
        value = "=" if formula.text is None else "=" + formula.text
        if kind == "array":
            return ArrayFormulaText(formula.get("ref"), value)
        if kind == "shared":
            index = formula.get("si")
            if index in self.shared_formulae:
                return self.shared_formulae[index].translate_formula(coordinate)
            if value != "=":
                self.shared_formulae[index] = self.conventions.translator(value, coordinate)
            return value
        if kind == "dataTable":
            return self.conventions.data_table(dict(formula.attrib))
        return value


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if number.is_integer():
            return int(number)
        raise ValueError(f"{text} is not a valid row number") from None


def _cast_number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def text_content(node: Any) -> str:
    """The text of a string item (`<si>` or `<is>`) stripped of formatting, as openpyxl's
    `Text.from_tree(node).content`: the last plain `<t>`, then each run's last `<t>`;
    phonetic runs left out."""
    plain: str | None = None
    runs: list[str] = []
    for child in node:
        name = _local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run_text = None
            for part in child:
                if _local(part.tag) == "t":
                    run_text = part.text
            if run_text is not None:
                runs.append(run_text)
    return (plain or "") + "".join(runs)


def read_shared_strings(data: bytes) -> list[str]:
    """The shared string table, as openpyxl reads it (formatting dropped, `x005F_` escapes
    removed)."""
    strings = []
    for node in _elements(data):
        if node.tag == _SHARED_STRING:
            strings.append(text_content(node).replace("x005F_", ""))
            node.clear()
    return strings


@dataclass(frozen=True)
class StyleParts:
    """What the engine needs of xl/styles.xml, as openpyxl's stylesheet reads it: the number
    format id of each cell format (`cellXfs/xf`, in order), the custom number formats
    (`numFmts/numFmt`, id -> code, the last definition of an id winning) and how many
    differential formats (`dxfs`) conditional formats may point at."""

    xf_format_ids: tuple[int, ...] = ()
    custom_formats: dict[int, str] = field(default_factory=dict)
    dxf_count: int = 0


def read_style_parts(root: Any) -> StyleParts:
    """From the parsed `<styleSheet>` root: each part is matched by local name, the last of
    a kind winning, as openpyxl does."""
    parts: dict[str, Any] = {}
    for child in root:
        parts[_local(child.tag)] = child
    xf_ids: list[int] = []
    if "cellXfs" in parts:
        for xf in parts["cellXfs"]:
            if _local(xf.tag) == "xf":
                xf_ids.append(int(xf.get("numFmtId", 0)))
    custom: dict[int, str] = {}
    if "numFmts" in parts:
        for fmt in parts["numFmts"]:
            if _local(fmt.tag) == "numFmt":
                custom[int(fmt.get("numFmtId"))] = str(fmt.attrib["formatCode"])
    dxfs = parts.get("dxfs")
    return StyleParts(tuple(xf_ids), custom, 0 if dxfs is None else len(dxfs))
