"""The streaming reader builds exactly the workbook the former full openpyxl load built.

`autocorrect.reading.workbook.load` reads the sheets with its own parser; the former reader
(one full openpyxl load, tests/openpyxl_reference.py) is kept here as the reference. Every
field of the `Workbook` the engine grades is compared, with exact Python types (an int stays
an int, a date a datetime), on every fixture, the local corpus, hand-made unusual sheets and,
when present, the shared corpus. A file one reader refuses must be refused by the other, with
the same reason and message.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from defusedxml import DefusedXmlException

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import Limits, preflight_bytes
from autocorrect.reading.sheetxml import Conventions, parse_sheet
from autocorrect.reading.workbook import CellData, Workbook, load
from tests import hostile
from tests.conftest import ROOT
from tests.openpyxl_reference import load_with_openpyxl_reference

LOCAL_CORPUS = ROOT / "tests" / "data" / "corpus"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
# The shared corpus sweep stays under ~30 s: the largest files are left to the corpus test
# (tests/test_corpus.py grades them all).
SHARED_MAX_BYTES = 200_000
_FIELDS = ("sheets", "defined_names", "used", "charts", "conditional_formats", "tables", "calc")


def _fixture_files() -> list[Path]:
    found: list[Path] = []
    for pattern in ("fixtures/*/*.xlsx", "fixtures/*/submissions/*.xlsx",
                    "fixtures/*/heldout/*.xlsx", "fixtures/*/features/*.xlsx"):  # fmt: skip
        found += sorted(ROOT.glob(pattern))
    return found + sorted(LOCAL_CORPUS.glob("*.xlsx"))


def _typed(value: object) -> object:
    """A value with its exact type; objects without equality (openpyxl's data-table formula)
    by their attributes."""
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value).__name__, sorted(vars(value).items()))
    return (type(value).__name__, value)


def _cell_key(cell: CellData) -> tuple[object, ...]:
    return (
        cell.ref,
        _typed(cell.value),
        cell.formula,
        _typed(cell.cached),
        _typed(cell.number_format),
        cell.array,
    )


def _differences(new: Workbook, old: Workbook) -> list[str]:
    found = [f"{name}" for name in _FIELDS if getattr(new, name) != getattr(old, name)]
    if list(new.by_sheet) != list(old.by_sheet):
        found.append("by_sheet order")
    for sheet in old.by_sheet:
        new_cells = [_cell_key(c) for c in new.by_sheet.get(sheet, ())]
        old_cells = [_cell_key(c) for c in old.by_sheet[sheet]]
        if new_cells != old_cells:
            mismatched = [(a, b) for a, b in zip(new_cells, old_cells, strict=False) if a != b]
            found.append(
                f"cells of {sheet!r}: {len(new_cells)} vs {len(old_cells)}, "
                f"first mismatch {mismatched[:1]}"
            )
    if [_cell_key(c) for c in new.cells.values()] != [_cell_key(c) for c in old.cells.values()]:
        found.append("cells mapping")
    return found


def _outcome(reader: object, path: Path) -> Workbook | tuple[str, str] | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reader(path)  # type: ignore[operator, no-any-return]
    except WorkbookUnreadable as exc:
        return (exc.reason, exc.message)
    except Exception as exc:  # the former reader let some openpyxl errors through
        return f"exception {type(exc).__name__}"


def assert_same_reading(path: Path) -> None:
    new, old = _outcome(load, path), _outcome(load_with_openpyxl_reference, path)
    if isinstance(new, Workbook) and isinstance(old, Workbook):
        assert _differences(new, old) == [], path.name
    else:
        assert new == old, path.name


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_workbook_as_the_full_openpyxl_load(path: Path) -> None:
    assert_same_reading(path)


def test_the_comparison_sees_a_difference(tmp_path: Path) -> None:
    """The comparison is not blind: a workbook differing by one saved value is caught."""
    sheet_a = hostile.worksheet('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>')
    sheet_b = hostile.worksheet('<row r="1"><c r="A1"><f>1+1</f><v>3</v></c></row>')
    first = load(hostile.single_sheet_package(tmp_path / "a.xlsx", sheet_a))
    second = load(hostile.single_sheet_package(tmp_path / "b.xlsx", sheet_b))
    found = _differences(first, second)
    assert found[0].startswith("cells of 'Feuil1': 1 vs 1, first mismatch"), found
    assert "cells mapping" in found
    assert _differences(first, first) == []


# Unusual but valid sheets: what some producers write, and what openpyxl reads in its own way.
_UNUSUAL_SHEETS = {
    "no-cell-refs": '<row r="2"><c><v>1</v></c><c t="s"><v>0</v></c><c><f>A2*2</f></c></row>',
    "no-row-refs": "<row><c><v>1</v></c></row><row><c><v>2.5</v></c><c/></row>",
    "float-row-ref": '<row r="3.0"><c r="B3"><v>7</v></c></row>',
    "mixed-refs": '<row r="1"><c r="C1"><v>1</v></c><c><v>2</v></c><c r="A1"><v>3</v></c></row>',
    "types": (
        '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#DIV/0!</v></c>'
        '<c r="C1" t="str"><v>texte</v></c><c r="D1" t="inlineStr"><is><t>en ligne</t></is></c>'
        '<c r="E1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t>che</t></r></is></c>'
        '<c r="F1" t="d"><v>2024-03-01T12:00:00</v></c><c r="G1"><v>1E3</v></c>'
        '<c r="H1"><v>-0</v></c><c r="I1" t="n"><v></v></c><c r="J1" t="s"><v>1</v></c>'
        '<c r="K1" t="inlineStr"><is><t></t></is></c><c r="L1" t="s"><v>2</v></c></row>'
    ),
    "formulas": (
        '<row r="1"><c r="A1"><f>SUM(B1:B3)</f><v>6</v></c><c r="B1"><f/><v>1</v></c>'
        '<c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1" t="e"><f>1/0</f>'
        '<v>#DIV/0!</v></c><c r="E1" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="F1"><f t="shared" ref="F1:F3" si="0">B1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="F2"><f t="shared" si="0"/><v>4</v></c>'
        '<c r="G2"><f t="shared" si="7"/><v>1</v></c></row>'
        '<row r="3"><c r="F3"><f t="shared" si="0"/></c></row>'
    ),
    "arrays": (
        '<row r="1"><c r="A1"><f t="array" ref="A1:A3">B1:B3*2</f><v>2</v></c>'
        '<c r="C1"><f t="array" ref="C1">SUM(B1:B3)</f><v>6</v></c>'
        '<c r="D1"><f t="array" ref="D1:E1"/><v>0</v></c></row>'
        '<row r="2"><c r="A2"><v>4</v></c></row>'
    ),
    "duplicates": '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="A1"><v>5</v></c></row>',
    "stray-children": '<row r="1"><c r="A1"><v>1</v></c><extra><v>9</v></extra></row>',
    "huge-dimension": '<row r="1"><c r="A1"><v>1</v></c></row>',
    "data-table": (
        '<row r="1"><c r="A1"><v>2</v></c></row><row r="2"><c r="B2">'
        '<f t="dataTable" ref="B2:B3" dt2D="0" dtr="0" r1="A1"/><v>5</v></c></row>'
    ),
    # after </sheetData>: merged areas, hyperlinks and conditional formats, which openpyxl
    # applies to the cells (an array formula over merged and linked cells takes them in)
    "merged-linked-array": (
        '<row r="1"><c r="A1"><f t="array" ref="A1:B3">C1:D3</f><v>1</v></c>'
        '<c r="C1"><v>7</v></c><c r="D1"><v>8</v></c></row>'
        '<row r="2"><c r="B2"><v>9</v></c><c r="D2"><v>3</v></c><c r="E2"><v>4</v></c></row>'
        "</sheetData>"
        '<mergeCells count="2"><mergeCell ref="A2:B2"/><mergeCell ref="D2:E3"/></mergeCells>'
        '<conditionalFormatting sqref="C1:D3"><cfRule type="cellIs" priority="1" '
        'operator="lessThan"><formula>0</formula></cfRule></conditionalFormatting>'
        '<conditionalFormatting sqref="C1:D3"><cfRule type="expression" priority="2">'
        "<formula>C1&gt;5</formula></cfRule></conditionalFormatting>"
        '<hyperlinks><hyperlink ref="A3" location="Feuil1!C1"/>'
        '<hyperlink ref="F1:F2" location="Feuil1!C1"/></hyperlinks><sheetData>'
    ),
    "links-on-merged-and-columns": (
        '<row r="1"><c r="C1"><v>1</v></c><c r="E1" t="inlineStr"><is><t>lien</t></is></c>'
        '</row><row r="3"><c r="C3"><v>2</v></c></row></sheetData>'
        '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
        '<hyperlinks><hyperlink ref="B2" location="Feuil1!C1" display="x"/>'
        '<hyperlink ref="E1" location="Feuil1!C3"/><hyperlink ref="C:D" location="A1"/>'
        '<hyperlink ref="2:3" location="A2"/></hyperlinks><sheetData>'
    ),
    "link-on-one-column": (
        '<row r="1"><c r="C1"><v>1</v></c></row></sheetData>'
        '<hyperlinks><hyperlink ref="C:C" location="A1"/></hyperlinks><sheetData>'
    ),
}
_SHARED_STRINGS = (
    '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main"><si><t>partagé</t></si><si><r><t>ri</t></r><r><t>che_x005F_</t></r>'
    '<rPh sb="0" eb="1"><t>ignoré</t></rPh></si><si><t></t></si></sst>'
).encode()


@pytest.mark.parametrize("name", sorted(_UNUSUAL_SHEETS))
def test_same_workbook_on_unusual_sheets(name: str, tmp_path: Path) -> None:
    dimension = "A1:XFD1048576" if name == "huge-dimension" else "A1"
    sheet = hostile.worksheet(_UNUSUAL_SHEETS[name], dimension)
    path = hostile.single_sheet_package(tmp_path / "plain.xlsx", sheet)
    with_strings = _with_shared_strings(path, tmp_path / f"{name}.xlsx")
    assert_same_reading(with_strings)
    if name != "link-on-one-column":  # openpyxl fails on a link to a single column
        assert load(with_strings).cells, "the sheet is read"


def _with_shared_strings(source: Path, target: Path) -> Path:
    parts = hostile.members(source)
    content_types = dict(parts)["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    replaced = [(n, content_types if n == "[Content_Types].xml" else d) for n, d in parts]
    return hostile.write_zip(target, [*replaced, ("xl/sharedStrings.xml", _SHARED_STRINGS)])


_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    f'<worksheet xmlns="{hostile.SHEET_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    "<is><t>&c;</t></is></c></row></sheetData></worksheet>"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_the_sheet_parser_refuses_entities_whatever_the_encoding(encoding: str) -> None:
    """Defence in depth behind the guard: a sheet declaring entities never expands them, in
    UTF-8 (the bytes show the declaration) or UTF-16 (they do not: defusedxml parses it)."""
    data = _BOMB.replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    with pytest.raises(DefusedXmlException):
        parse_sheet(data.encode(encoding), _CONVENTIONS)


_CONVENTIONS = Conventions(
    shared_strings=[],
    number_format=lambda style: "General",
    date_styles=(),
    timedelta_styles=(),
    position=lambda ref: (1, 1),
    serial_to_date=lambda serial, duration: serial,
    iso_to_date=str,
    translator=lambda formula, origin: None,
    data_table=dict,
)


def test_same_refusal_for_a_sheet_the_package_hides(tmp_path: Path) -> None:
    """A package whose only sheet cannot be reached: both readers refuse it alike."""
    path = hostile.rezip(tmp_path / "hidden.xlsx", drop=[f"xl/worksheets/sheet{i}.xml"
                                                        for i in range(1, 9)])  # fmt: skip
    assert_same_reading(path)
    with pytest.raises(WorkbookUnreadable):
        load(path)


# Files the former reader refused because openpyxl failed on a part the engine does not read
# (pivot tables, colours of the stylesheet): the streaming reader grades them.
_FORMERLY_REFUSED = {
    "calamine__pivots.xlsx": "openpyxl ne lit pas la définition de tableau croisé",
    "closedxml__InvalidColors.xlsx": "openpyxl refuse une couleur invalide de styles.xml",
}


def _converted_by_libreoffice(path: Path) -> bool:
    """A file the guard refuses and LibreOffice would convert (seconds each: left out)."""
    try:
        preflight_bytes(path.read_bytes(), Limits())
    except WorkbookUnreadable:
        return True
    return False


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus est absent")
def test_same_workbook_on_the_shared_corpus() -> None:
    """Files over SHARED_MAX_BYTES and files needing a LibreOffice conversion are left out
    (both readers share the conversion; tests/test_corpus.py grades every file)."""
    compared = 0
    for path in sorted(SHARED_CORPUS.glob("*.xlsx")):
        if path.stat().st_size > SHARED_MAX_BYTES or _converted_by_libreoffice(path):
            continue
        if path.name in _FORMERLY_REFUSED:
            assert isinstance(_outcome(load, path), Workbook), path.name
            assert not isinstance(_outcome(load_with_openpyxl_reference, path), Workbook)
            continue
        assert_same_reading(path)
        compared += 1
    assert compared > 150
