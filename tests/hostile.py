"""Build hostile and broken workbooks for the robustness tests (limits, security, fuzzing).

Everything is written into the test's own tmp_path from a real submission: members are
dropped, duplicated, replaced or added, sheets are generated with a chosen number of cells
or formulas. Nothing here touches the network or the shared corpus.
"""

from __future__ import annotations

import os
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar

from openpyxl.utils import get_column_letter

from tests.conftest import C20_FIXTURES

SUBMISSION = C20_FIXTURES / "submissions" / "cand05-report-erreur.xlsx"
LOCAL_CORPUS = Path(__file__).parent / "data" / "corpus"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
FIRST_SHEET = "xl/worksheets/sheet1.xml"  # 'Annexe 1 - Produits' in every C20 file

Members = list[tuple[str, bytes]]
Target = TypeVar("Target", Path, IO[bytes])


def members(path: Path = SUBMISSION) -> Members:
    """The (name, content) pairs of a zip, in archive order."""
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_zip(target: Target, parts: Iterable[tuple[str, bytes]]) -> Target:
    """A zip holding `parts` as given: duplicated names are kept (zipfile warns about them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts:
                archive.writestr(name, data)
    return target


def rezip(
    path: Path,
    source: Path = SUBMISSION,
    *,
    drop: Sequence[str] = (),
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """A copy of `source` with members dropped, replaced or added."""
    replace = replace or {}
    parts = [(n, replace.get(n, d)) for n, d in members(source) if n not in drop]
    return write_zip(path, [*parts, *(add or {}).items()])


def worksheet(cells: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{SHEET_NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def grid_sheet(count: int, formulas: bool = False, columns: int = 50) -> bytes:
    """A sheet of `count` numeric cells (or formula cells `=1+1` with a cached 2), in rows of
    `columns` cells."""
    rows = []
    for start in range(0, count, columns):
        row = start // columns + 1
        cells = []
        for index in range(start, min(start + columns, count)):
            ref = f"{get_column_letter(index % columns + 1)}{row}"
            body = "<f>1+1</f><v>2</v>" if formulas else f"<v>{index}</v>"
            cells.append(f'<c r="{ref}">{body}</c>')
        rows.append(f'<row r="{row}">{"".join(cells)}</row>')
    last = f"{get_column_letter(min(count, columns))}{max(1, -(-count // columns))}"
    return worksheet("".join(rows), f"A1:{last}")


def relationships(*items: tuple[str, str, str]) -> bytes:
    """A .rels part from (type suffix, target, target mode) triples."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_TYPE}{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (kind, target, mode) in enumerate(items, start=1)
    )
    return f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}">{body}</Relationships>'.encode()


def with_external_link(path: Path, source: Path, target: str) -> Path:
    """`source` plus an external-link part pointing to `target` (as Excel writes one)."""
    link = (
        f'<?xml version="1.0"?><externalLink xmlns="{SHEET_NS}" xmlns:r="{REL_TYPE[:-1]}">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Feuil1"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>291484.41</v></cell>'
        "</row></sheetData></sheetDataSet></externalBook></externalLink>"
    ).encode()
    return rezip(
        path,
        source,
        add={
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": relationships(
                ("externalLinkPath", target, "External")
            ),
        },
    )


# --------------------------------------------------------------------------- guard counters


def comment_before_root(sheet: bytes, comment_bytes: int = 100_000) -> bytes:
    """`sheet` with a long comment (over a read chunk) between the declaration and the root."""
    declaration, _, rest = sheet.partition(b"?>")
    return declaration + b"?><!--" + b"x" * comment_bytes + b"-->" + rest


def two_prefix_sheet(count: int, columns: int = 50) -> bytes:
    """A sheet whose root uses the default namespace and whose cells use a second prefix bound
    to the same namespace (`<y:c>`): a parser reads every cell."""
    rows = []
    for start in range(0, count, columns):
        row = start // columns + 1
        cells = "".join(
            f'<y:c r="{get_column_letter(i % columns + 1)}{row}"><y:v>{i}</y:v></y:c>'
            for i in range(start, min(start + columns, count))
        )
        rows.append(f'<y:row r="{row}">{cells}</y:row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{SHEET_NS}" '
        f'xmlns:y="{SHEET_NS}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def empty_rows_sheet(count: int) -> bytes:
    """`count` empty rows and a single cell: tiny once compressed, long for a parser."""
    rows = "".join(f'<row r="{r}"/>' for r in range(1, count + 1))
    return worksheet(f'{rows}<row r="{count + 1}"><c r="A{count + 1}"><v>1</v></c></row>')


# --------------------------------------------------------------------------- batch folders


NOT_UTF8_NAME = b"copie_\xe9l\xe8ve.xlsx"  # what unzip makes of a name from a Windows zip
CONTROL_NAME = "cloche\x07.xlsx"
FORMULA_NAME = '=HYPERLINK("http-exemple","Voir").xlsx'


def odd_entries(folder: Path, outside: Path, workbook: bytes) -> dict[str, str]:
    """Fill `folder` with entries that are not plain submissions; returns the name of each (as
    `os.listdir` gives it) by kind. `outside` is a workbook outside the folder."""
    made = {
        "folder": "dupont.xlsx",  # a directory named like a copy
        "dangling": "fantome.xlsx",
        "loop": "boucle.xlsx",
        "outside": "autre.xlsx",  # a link to another candidate's workbook
        "fifo": "tube.xlsx",
        "device-link": "zero.xlsx",
    }
    (folder / made["folder"]).mkdir()
    (folder / made["folder"] / "dedans.xlsx").write_bytes(workbook)
    (folder / made["dangling"]).symlink_to(folder / "absent.xlsx")
    (folder / made["loop"]).symlink_to(folder / made["loop"])
    (folder / made["outside"]).symlink_to(outside)
    os.mkfifo(folder / made["fifo"])
    (folder / made["device-link"]).symlink_to("/dev/zero")
    return made


def odd_names(folder: Path, workbook: bytes) -> list[str]:
    """Real workbooks under names that are not valid UTF-8, hold a control character, or
    start like a spreadsheet formula; returns the names as `os.listdir` gives them."""
    names = [os.fsdecode(NOT_UTF8_NAME), CONTROL_NAME, FORMULA_NAME]
    for name in names:
        (folder / name).write_bytes(workbook)
    return names


def single_sheet_package(path: Path, sheet: bytes) -> Path:
    """The smallest package a reader opens: one workbook holding one sheet, `sheet`."""
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    content_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        b'worksheet+xml"/></Types>'
    )
    workbook = (
        f'<?xml version="1.0"?><workbook xmlns="{SHEET_NS}" xmlns:r="{office}"><sheets>'
        '<sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    return write_zip(
        path,
        [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", relationships(("officeDocument", "xl/workbook.xml", ""))),
            ("xl/workbook.xml", workbook),
            (
                "xl/_rels/workbook.xml.rels",
                relationships(("worksheet", "worksheets/sheet1.xml", "")),
            ),
            (FIRST_SHEET, sheet),
        ],
    )
