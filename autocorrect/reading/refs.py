"""Cell and range references: our own types, so that no module outside the workbook
adapter handles raw "Sheet!B3" strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COLS = re.compile(r"^\$?([A-Za-z]{1,3})$")
_ROWS = re.compile(r"^\$?(\d+)$")
_NEEDS_QUOTES = re.compile(r"[^A-Za-z0-9_.]")

MAX_ROW = 1_048_576
MAX_COL = 16_384


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - 64)
    return index


def column_letters(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def quote_sheet(sheet: str) -> str:
    """Sheet name as Excel writes it in a reference."""
    if _NEEDS_QUOTES.search(sheet) or sheet[:1].isdigit():
        return "'" + sheet.replace("'", "''") + "'"
    return sheet


class CellRef(NamedTuple):
    """One cell of one sheet; rows and columns are 1-based. A named tuple, not a dataclass:
    cells are the keys of every map of the engine, and a tuple hashes and compares in C
    (several times faster than a frozen dataclass, for the same order and equality)."""

    sheet: str
    row: int
    col: int

    @property
    def coord(self) -> str:
        return f"{column_letters(self.col)}{self.row}"

    def __str__(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.coord}"

    def offset(self, rows: int = 0, cols: int = 0) -> CellRef:
        return CellRef(self.sheet, self.row + rows, self.col + cols)


@dataclass(frozen=True, order=True)
class RangeRef:
    """A rectangle of one sheet; whole columns/rows use MAX_ROW/MAX_COL until clipped."""

    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def is_single_cell(self) -> bool:
        return self.min_row == self.max_row and self.min_col == self.max_col

    @property
    def shape(self) -> tuple[int, int]:
        return (self.max_row - self.min_row + 1, self.max_col - self.min_col + 1)

    def clipped(self, last_row: int, last_col: int) -> RangeRef:
        """Whole-column/row references shrunk to the used part of the sheet."""
        return RangeRef(
            self.sheet,
            self.min_row,
            self.min_col,
            max(self.min_row, min(self.max_row, last_row)),
            max(self.min_col, min(self.max_col, last_col)),
        )

    def cells(self) -> list[list[CellRef]]:
        return [
            [CellRef(self.sheet, row, col) for col in range(self.min_col, self.max_col + 1)]
            for row in range(self.min_row, self.max_row + 1)
        ]

    def __str__(self) -> str:
        first = f"{column_letters(self.min_col)}{self.min_row}"
        last = f"{column_letters(self.max_col)}{self.max_row}"
        return f"{quote_sheet(self.sheet)}!{first}:{last}"


def split_sheet(text: str) -> tuple[str | None, str]:
    """ "'My sheet'!A1:B2" -> ("My sheet", "A1:B2"); "A1" -> (None, "A1")."""
    if "!" not in text:
        return None, text
    sheet, _, address = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, address


def parse_area(sheet: str, address: str) -> RangeRef | None:
    """Parse 'B5', '$B$5:C9', 'B:B' or '3:4' on `sheet`; None when it is not an address."""
    parts = address.split(":")
    if len(parts) == 1:
        corner = _corner(parts[0])
        if corner is None:
            return None
        return RangeRef(sheet, corner[0], corner[1], corner[0], corner[1])
    if len(parts) != 2:
        return None
    return _two_corner_area(sheet, parts[0], parts[1])


def _corner(text: str) -> tuple[int, int] | None:
    match = _CELL.match(text)
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


def _two_corner_area(sheet: str, first: str, last: str) -> RangeRef | None:
    start, end = _corner(first), _corner(last)
    if start and end:
        return RangeRef(
            sheet,
            min(start[0], end[0]),
            min(start[1], end[1]),
            max(start[0], end[0]),
            max(start[1], end[1]),
        )
    cols = (_COLS.match(first), _COLS.match(last))
    if cols[0] and cols[1]:
        a, b = column_index(cols[0].group(1)), column_index(cols[1].group(1))
        return RangeRef(sheet, 1, min(a, b), MAX_ROW, max(a, b))
    rows = (_ROWS.match(first), _ROWS.match(last))
    if rows[0] and rows[1]:
        a, b = int(rows[0].group(1)), int(rows[1].group(1))
        return RangeRef(sheet, min(a, b), 1, max(a, b), MAX_COL)
    return None


def parse_ref(text: str, default_sheet: str) -> RangeRef | None:
    """A reference as written in a formula or a rubric ("'Annexe 1'!C5:C9")."""
    sheet, address = split_sheet(text.strip())
    return parse_area(sheet if sheet is not None else default_sheet, address)
