"""Structured references to Excel tables, rewritten to plain ranges before evaluation.

`Tableau1[[#This Row],[CA HT]]`, `[@Prix]`, `Ventes[Montant]`, `Ventes[[#Totals],[Montant]]`,
`Ventes[#All]`, `Ventes[[Q1]:[Q4]]`… become the rectangle of cells they designate, so the
evaluator, the method checks and the jury see an ordinary range. The table's own layout (header
row, data rows, totals row, column names) comes from the file's table part.
"""

from __future__ import annotations

import re

from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import TablePart, Workbook

_ITEM = re.compile(r"\[((?:'.|[^\]'])*)\]")
_SPECIALS = ("#all", "#data", "#headers", "#totals", "#this row")


class StructuredRefError(ValueError):
    """The text names a table but not a column or an area the table has."""


def is_structured(text: str) -> bool:
    """`Table[...]` or `[...]`, as opposed to `[Book.xlsx]Sheet!A1` (another workbook)."""
    if "[" not in text or not text.endswith("]"):
        return False
    return "!" not in text


def resolve_structured(text: str, here: CellRef, workbook: Workbook) -> RangeRef:
    """The range a structured reference designates. Raises StructuredRefError for an unknown
    table or column, `[@Col]` outside a table, or an empty area."""
    name, _, inner = text.partition("[")
    table = workbook.table_named(name) if name else workbook.table_at(here)
    if table is None:
        where = f"table « {name} » absente du classeur" if name else "hors d'un tableau"
        raise StructuredRefError(where)
    return _area(table, "[" + inner, here)


def resolve_table_name(text: str, workbook: Workbook) -> RangeRef | None:
    """A bare table name (`=SUM(Ventes)`) designates its data rows."""
    table = workbook.table_named(text)
    return table.data_area if table is not None else None


def _area(table: TablePart, spec: str, here: CellRef) -> RangeRef:
    specials, columns = _items(spec[1:-1])
    first_col, last_col = _column_span(table, columns)
    first_row, last_row = _row_span(table, specials, here)
    if first_row > last_row:
        raise StructuredRefError(f"zone vide de la table {table.name}")
    area = table.area
    return RangeRef(
        area.sheet, first_row, area.min_col + first_col, last_row, area.min_col + last_col
    )


def _items(inner: str) -> tuple[set[str], list[str]]:
    """Split the bracket content into special items (#Data…) and column names."""
    inner = inner.strip()
    if inner.startswith("@"):  # [@Col], [@[Col name]], [@]
        rest = inner[1:].strip()
        column = _unescape(rest[1:-1]) if rest.startswith("[") else _unescape(rest)
        return {"#this row"}, [column] if column else []
    if not inner.startswith("["):  # [Col] or [#All]
        item = _unescape(inner)
        if item.casefold() in _SPECIALS:
            return {item.casefold()}, []
        return set(), [item] if item else []
    specials: set[str] = set()
    columns: list[str] = []
    for item in (_unescape(m) for m in _ITEM.findall(inner)):
        if item.casefold() in _SPECIALS:
            specials.add(item.casefold())
        else:
            columns.append(item)
    if len(columns) > 2 or (len(columns) == 2 and ":" not in inner):
        raise StructuredRefError("colonnes non contiguës")
    return specials, columns


def _unescape(text: str) -> str:
    """Excel escapes [ ] # ' inside column names with an apostrophe."""
    return re.sub(r"'(.)", r"\1", text).strip()


def _column_span(table: TablePart, columns: list[str]) -> tuple[int, int]:
    if not columns:
        return 0, len(table.columns) - 1
    indexes = []
    for column in columns:
        index = table.column_index(column)
        if index is None:
            raise StructuredRefError(f"colonne « {column} » absente de la table {table.name}")
        indexes.append(index)
    return min(indexes), max(indexes)


def _row_span(table: TablePart, specials: set[str], here: CellRef) -> tuple[int, int]:
    area, data = table.area, table.data_area
    if "#this row" in specials:
        return here.row, here.row
    if not specials or specials == {"#data"}:
        return data.min_row, data.max_row
    if "#all" in specials:
        return area.min_row, area.max_row
    rows: list[int] = []
    if "#headers" in specials and table.header_rows:
        rows += [area.min_row, data.min_row - 1]
    if "#data" in specials:
        rows += [data.min_row, data.max_row]
    if "#totals" in specials and table.totals_rows:
        rows += [data.max_row + 1, area.max_row]
    if not rows:
        return 1, 0  # asked for a header or totals row the table does not have
    return min(rows), max(rows)
