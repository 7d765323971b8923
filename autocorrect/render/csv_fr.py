"""CSV as French Excel opens it by a double click: `;` between fields, decimal comma, UTF-8
with a byte order mark (without it Excel reads the accents as Windows-1252).

A text cell starting with `=`, `+`, `-` or `@` that is not a number is prefixed with `'` so that
no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

BOM = "\ufeff"
_FRENCH_NUMBER = re.compile(r"^-?\d[\d\u202f]*(,\d+)?$")


def french_csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[_inert(cell) for cell in row] for row in rows])
    return BOM + buffer.getvalue()


def _inert(cell: str) -> str:
    if cell[:1] in ("=", "+", "-", "@") and not _FRENCH_NUMBER.match(cell):
        return "'" + cell
    return cell
