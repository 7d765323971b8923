"""Traits of a submission file that the collusion signals compare across a batch.

Computed once per file by the worker that grades it: the content hash, the document metadata
(`docProps/core.xml` and `docProps/app.xml`: creator, last modified by, creation time,
application) and the formula fingerprint, every formula written in relative R1C1 form so that
the same formula typed at the same place, or copied there, reads the same in two files.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring

from autocorrect.reading.workbook import Workbook, tokenize

_MAX_PROPS_BYTES = 1 << 20  # docProps parts are a few hundred bytes; anything huge is ignored
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_CELLS = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?$")
_COLUMNS = re.compile(r"^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$")
_ROWS = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")
_PROPS = {
    "creator": ("docProps/core.xml", "{http://purl.org/dc/elements/1.1/}creator"),
    "last_modified_by": (
        "docProps/core.xml",
        "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
    ),
    "created": ("docProps/core.xml", "{http://purl.org/dc/terms/}created"),
    "application": (
        "docProps/app.xml",
        "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Application",
    ),
}


@dataclass(frozen=True)
class DocMetadata:
    creator: str = ""
    last_modified_by: str = ""
    created: str = ""
    application: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "creator": self.creator,
            "last_modified_by": self.last_modified_by,
            "created": self.created,
            "application": self.application,
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.to_dict().values())


@dataclass(frozen=True)
class Traits:
    sha256: str = ""
    metadata: DocMetadata = DocMetadata()
    formulas: tuple[str, ...] = ()  # relative R1C1 forms, sorted, repeats kept

    def to_dict(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "metadata": self.metadata.to_dict(),
            "formulas": list(self.formulas),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Traits:
        meta = data.get("metadata")
        formulas = data.get("formulas")
        return cls(
            sha256=str(data.get("sha256", "")),
            metadata=DocMetadata(**{k: str(v) for k, v in meta.items() if k in _PROPS})
            if isinstance(meta, dict)
            else DocMetadata(),
            formulas=tuple(str(f) for f in formulas) if isinstance(formulas, list) else (),
        )


def file_traits(path: Path, sha256: str, workbook: Workbook | None) -> Traits:
    """Traits of a file; a file that could not be read as a workbook has its hash only."""
    if workbook is None:
        return Traits(sha256=sha256)
    return Traits(sha256, read_metadata(path), formula_fingerprint(workbook))


def read_metadata(path: Path) -> DocMetadata:
    """The four identifying document properties; empty strings where absent or unreadable."""
    values: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: _part(archive, name) for name in {p for p, _ in _PROPS.values()}}
    except (zipfile.BadZipFile, OSError):
        return DocMetadata()
    for field_name, (part, tag) in _PROPS.items():
        root = parts.get(part)
        node = root.find(tag) if root is not None else None
        values[field_name] = (node.text or "").strip() if node is not None else ""
    return DocMetadata(**values)


def _part(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        info = archive.getinfo(name)
        if info.file_size > _MAX_PROPS_BYTES:
            return None
        return defused_fromstring(archive.read(name))
    except (KeyError, DefusedXmlException, ParseError, zipfile.BadZipFile, OSError):
        return None


def formula_fingerprint(workbook: Workbook) -> tuple[str, ...]:
    return tuple(
        sorted(
            relative_r1c1(cell.formula, cell.ref.row, cell.ref.col)
            for cell in workbook.cells.values()
            if cell.formula
        )
    )


def relative_r1c1(formula: str, row: int, col: int) -> str:
    """`=B2*$C$1` written in D2 -> `=R[0]C[-2]*R1C3`; spaces dropped, sheet names folded."""
    parts = []
    for token in tokenize(formula):
        if token.kind == "ref":
            parts.append(_ref_r1c1(token.text, row, col))
        else:
            parts.append(token.raw.strip())
    return "=" + "".join(parts).removeprefix("=")


def _ref_r1c1(ref: str, row: int, col: int) -> str:
    sheet, bang, address = ref.rpartition("!")
    prefix = (sheet.strip("'").casefold() + "!") if bang else ""
    columns = _COLUMNS.match(address)
    if columns:
        return prefix + ":".join(
            _axis("C", d, _col_number(c), col)
            for d, c in (columns.group(1, 2), columns.group(3, 4))
        )
    rows = _ROWS.match(address)
    if rows:
        return prefix + ":".join(
            _axis("R", d, int(r), row) for d, r in (rows.group(1, 2), rows.group(3, 4))
        )
    if not _CELLS.match(address):  # a defined name: kept as written
        return prefix + address
    return prefix + _CELL.sub(
        lambda m: (
            _axis("R", m.group(3), int(m.group(4)), row)
            + _axis("C", m.group(1), _col_number(m.group(2)), col)
        ),
        address,
    )


def _axis(letter: str, dollar: str, value: int, origin: int) -> str:
    return f"{letter}{value}" if dollar else f"{letter}[{value - origin}]"


def _col_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number
