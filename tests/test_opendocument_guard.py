"""An OpenDocument spreadsheet is bounded before LibreOffice converts it: a cell claiming a
billion repeats is refused at once (LibreOffice would spend minutes expanding it), while the
empty repeated cells every LibreOffice file ends its sheets with cost nothing."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import Limits, check_opendocument
from autocorrect.reading.libreoffice import soffice_path
from autocorrect.reading.workbook import load

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
)
_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods(rows: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", _HEAD + rows + _TAIL)
    return buffer.getvalue()


def _filled(count: int, repeat_rows: int = 1) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{repeat_rows}">'
        f'<table:table-cell table:number-columns-repeated="{count}" office:value-type="float"'
        ' office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )


_EMPTY_TAIL = (
    '<table:table-row table:number-rows-repeated="1048553">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def test_a_repeat_bomb_is_refused_before_any_conversion() -> None:
    started = time.perf_counter()
    with pytest.raises(WorkbookUnreadable) as refused:
        check_opendocument(_ods(_filled(999_999_999, 999_999_999)), "ods")
    assert refused.value.reason == "too-many-cells"
    assert "100" in refused.value.message and "cellules" in refused.value.message
    assert time.perf_counter() - started < 1.0


def test_repeats_are_counted_across_rows_and_columns() -> None:
    limits = Limits(max_cells=1000)
    check_opendocument(_ods(_filled(40, 25)), "ods", limits)  # 1,000 cells: accepted
    with pytest.raises(WorkbookUnreadable):
        check_opendocument(_ods(_filled(41, 25)), "ods", limits)


def test_empty_repeated_cells_cost_nothing() -> None:
    check_opendocument(_ods(_filled(20, 10) + _EMPTY_TAIL), "ods")  # no exception


def test_a_flat_opendocument_file_is_bounded_too() -> None:
    flat = (_HEAD + _filled(999_999, 999) + _TAIL).encode()
    with pytest.raises(WorkbookUnreadable):
        check_opendocument(flat, "fods")


def test_declared_entities_are_refused() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(WorkbookUnreadable) as refused:
        check_opendocument(xml, "fods")
    assert refused.value.reason == "not-spreadsheet"


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) absent")
def test_the_bomb_never_reaches_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "bombe.ods"
    path.write_bytes(_ods(_filled(999_999_999, 999_999_999)))
    started = time.perf_counter()
    with pytest.raises(WorkbookUnreadable) as refused:
        load(path)
    assert refused.value.reason == "too-many-cells"
    assert time.perf_counter() - started < 5.0  # a conversion would take its whole timeout
