"""The former reader of submissions, kept for tests only: one full openpyxl load (formulas,
with each formula cell's saved value captured by a swapped sheet parser), converted to the
engine's `Workbook`. tests/test_reader_equivalence.py checks that the streaming reader of
autocorrect/reading/workbook.py builds exactly the same `Workbook` on every file."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.reader.excel
from openpyxl.worksheet._reader import WorkSheetParser, WorksheetReader
from openpyxl.worksheet.formula import ArrayFormula

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import Limits, Preflight, preflight_bytes, read_submission
from autocorrect.reading.refs import MAX_COL, MAX_ROW, CellRef, RangeRef, parse_ref
from autocorrect.reading.workbook import (
    CalcSettings,
    CellData,
    ConditionalFormat,
    TablePart,
    Workbook,
    _application_name,
    _converted,
    _no_worksheet,
    _plain,
    _unreadable_by_openpyxl,
    read_charts,
)


def load_with_openpyxl_reference(path: Path, limits: Limits | None = None) -> Workbook:
    """The former `load`."""
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
            warnings.simplefilter("ignore")
            formulas_wb = _load_with_saved_values(data)
    except MemoryError:
        raise
    except Exception as exc:
        raise _unreadable_by_openpyxl(exc) from exc
    if not formulas_wb.worksheets:
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


def _calc_settings(data: BytesIO, wb: Any) -> CalcSettings:
    calculation = getattr(wb, "calculation", None)
    mode = str(getattr(calculation, "calcMode", None) or "auto")
    return CalcSettings(application=_application_name(data), calc_mode=mode)


def _defined_names(wb: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, definition in wb.defined_names.items():
        if definition.value and "#REF" not in str(definition.value):
            names[name.upper()] = str(definition.value)
    for ws in wb.worksheets:  # sheet-scoped names; the workbook-wide one wins on a clash
        for name, definition in ws.defined_names.items():
            names.setdefault(name.upper(), str(definition.value))
    return names


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
