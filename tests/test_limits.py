"""Every limit holds whatever the file claims: one test (at least) per named setting.

File and container limits are checked through the whole reader (`workbook.load`) or the
public `api.grade`; formula limits through the evaluator and a full grading; wall time and
memory through `grade_isolated`. Each limit is also shown to be a setting: a tighter value
rejects a file the default accepts.
"""

from __future__ import annotations

import dataclasses
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from autocorrect.api import grade
from autocorrect.errors import WorkbookUnreadable
from autocorrect.evaluate.evaluator import Evaluator, ExcelError, parse_formula
from autocorrect.reading import workbook as workbook_module
from autocorrect.reading.guard import REASONS, Limits, Preflight
from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import Workbook, load
from autocorrect.report import Code, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.isolation import RunLimits, grade_isolated
from tests.builders import candidate, product_table
from tests.conftest import C20_RUBRIC, C20_SUBJECT
from tests.hostile import (
    FIRST_SHEET,
    SHEET_NS,
    SUBMISSION,
    comment_before_root,
    empty_rows_sheet,
    grid_sheet,
    members,
    rezip,
    single_sheet_package,
    two_prefix_sheet,
)

MIB = 1024 * 1024


def unreadable(path: Path, limits: Limits | None = None) -> WorkbookUnreadable:
    with pytest.raises(WorkbookUnreadable) as caught:
        load(path, limits)
    assert caught.value.reason in REASONS
    assert "candidat" in caught.value.message
    return caught.value


def graded_quickly(path: Path, rubric: Rubric, seconds: float) -> tuple[str, str]:
    started = time.perf_counter()
    report = grade(path, rubric)
    assert time.perf_counter() - started < seconds
    return str(report.status), report.message


@pytest.fixture
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any parse of the package fail the test (the reader's, or a full openpyxl load):
    the limit must act on the bytes, before."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the package was parsed though the guard should have rejected it")

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)
    monkeypatch.setattr(workbook_module, "_read_package", forbidden)


def test_every_limit_has_a_sensible_default() -> None:
    limits = Limits()
    assert limits.max_file_bytes == 20 * MIB
    assert limits.max_uncompressed_bytes == 100 * MIB
    assert limits.max_cells == 100_000
    assert limits.max_formulas == 20_000
    assert limits.max_formula_length == 8192  # Excel's own limit
    assert limits.max_formula_depth == 64
    assert limits.max_range_cells == 100_000
    assert RunLimits().timeout_s > 0
    assert RunLimits().memory_mb >= 1024
    # the defaults let a real exam copy through with a wide margin
    assert load(SUBMISSION, limits).sheets


# --------------------------------------------------------------------------- file and zip


def test_file_size_is_checked_before_reading(tmp_path: Path, c20_rubric: Rubric) -> None:
    path = tmp_path / "enorme.xlsx"
    with path.open("wb") as fh:
        fh.truncate(21 * MIB)  # sparse: claims 21 MB, costs nothing
    status, message = graded_quickly(path, c20_rubric, 1.0)
    assert status == "unreadable"
    assert "21,0 Mo" in message
    assert "20,0 Mo" in message
    assert unreadable(SUBMISSION, Limits(max_file_bytes=10_000)).reason == "too-large"


def test_zip_bomb_is_refused_in_a_second(tmp_path: Path, c20_rubric: Rubric) -> None:
    """120 MB of zeros in 120 KB: over the uncompressed and member limits, never inflated."""
    path = rezip(tmp_path / "bombe.xlsx")
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.png", "w") as fh,
    ):
        for _ in range(120):
            fh.write(bytes(MIB))
    assert path.stat().st_size < 2 * MIB
    status, message = graded_quickly(path, c20_rubric, 2.0)
    assert status == "unreadable"
    assert "bombe de décompression" in message


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(max_uncompressed_bytes=50_000), "large-sheet"),  # ordinary compression
        (Limits(max_member_bytes=5_000), "large-sheet"),
        (Limits(max_compression_ratio=2.0, ratio_min_member_bytes=5_000), "zip-bomb"),
        (Limits(max_members=10), "zip-bomb"),
    ],
    ids=["uncompressed", "member", "ratio", "members"],
)
def test_container_limits_are_settings(limits: Limits, reason: str) -> None:
    assert unreadable(SUBMISSION, limits).reason == reason


def test_a_member_lying_about_its_size_is_never_inflated(tmp_path: Path) -> None:
    """The guard counts the bytes it actually inflates, whatever the headers say."""
    path = rezip(tmp_path / "menteur.xlsx", add={"xl/media/image1.bin": bytes(8 * MIB)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/media/image1.bin")
    central = data.rindex(b"PK\x01\x02", 0, data.index(b"PK\x05\x06"))
    for offset, at in ((info.header_offset, 22), (central, 24)):
        data[offset + at : offset + at + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert unreadable(path, Limits(max_member_bytes=MIB)).reason in {"zip-bomb", "damaged"}


# --------------------------------------------------------------------------- XML entities


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def bomb_strings() -> bytes:
    return (
        f'{BILLION_LAUGHS}<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()


def test_entity_expansion_is_refused_by_the_guard(tmp_path: Path, c20_rubric: Rubric) -> None:
    path = rezip(tmp_path / "rires.xlsx", replace={"xl/sharedStrings.xml": bomb_strings()})
    status, message = graded_quickly(path, c20_rubric, 2.0)
    assert status == "unreadable"
    assert "déclaration XML interdite" in message


def test_entity_expansion_is_refused_by_the_parser_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with the guard switched off, the reader's parser (defusedxml for any
    part that shows a declaration) refuses the entities; a billion laughs never expands (no
    time, no memory spent)."""
    monkeypatch.setattr(workbook_module, "preflight_bytes", lambda data, limits: Preflight())
    path = rezip(tmp_path / "rires.xlsx", replace={"xl/sharedStrings.xml": bomb_strings()})
    started = time.perf_counter()
    error = unreadable(path)
    assert time.perf_counter() - started < 2.0
    assert error.reason == "damaged"


def test_external_entity_never_reads_a_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-DU-JURY")
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    ).encode()
    path = rezip(tmp_path / "xxe.xlsx", replace={"xl/sharedStrings.xml": strings})
    assert unreadable(path).reason == "xml-dtd"
    monkeypatch.setattr(workbook_module, "preflight_bytes", lambda data, limits: Preflight())
    error = unreadable(path)  # the parser alone refuses it as well
    assert "MOT-DE-PASSE" not in error.message


# --------------------------------------------------------------------------- cells, formulas


def test_too_many_cells_are_refused_before_parsing(
    tmp_path: Path, c20_rubric: Rubric, no_parser: None
) -> None:
    path = rezip(tmp_path / "cellules.xlsx", replace={FIRST_SHEET: grid_sheet(100_001)})
    status, message = graded_quickly(path, c20_rubric, 3.0)
    assert status == "unreadable"
    assert "100\u202f000 cellules" in message


def test_cell_limit_is_a_setting() -> None:
    assert unreadable(SUBMISSION, Limits(max_cells=300)).reason == "too-many-cells"
    assert load(SUBMISSION, Limits(max_cells=1000)).cells


def test_too_many_formulas_are_refused_before_parsing(
    tmp_path: Path, c20_rubric: Rubric, no_parser: None
) -> None:
    sheet = grid_sheet(20_001, formulas=True)
    path = rezip(tmp_path / "formules.xlsx", replace={FIRST_SHEET: sheet})
    status, message = graded_quickly(path, c20_rubric, 3.0)
    assert status == "unreadable"
    assert "20\u202f000 formules" in message


def test_formula_limit_is_a_setting() -> None:
    # cand05 holds 114 formulas
    assert unreadable(SUBMISSION, Limits(max_formulas=100)).reason == "too-many-formulas"
    assert load(SUBMISSION, Limits(max_formulas=200)).cells


def test_shared_and_prefixed_formulas_are_counted(tmp_path: Path) -> None:
    master = '<x:f t="shared" si="0" ref="A1:A30">1+1</x:f>'
    follower = '<x:f t="shared" si="0"/>'
    cells = "".join(
        f'<x:row r="{r}"><x:c r="A{r}">{master if r == 1 else follower}<x:v>2</x:v></x:c></x:row>'
        for r in range(1, 31)
    )
    sheet = (
        f'<x:worksheet xmlns:x="{SHEET_NS}"><x:sheetData>{cells}</x:sheetData></x:worksheet>'
    ).encode()
    path = rezip(tmp_path / "partagees.xlsx", C20_SUBJECT, replace={FIRST_SHEET: sheet})
    assert unreadable(path, Limits(max_formulas=29)).reason == "too-many-formulas"
    book = load(path, Limits(max_formulas=30))  # the subject itself holds no formula
    assert sum(c.is_formula for c in book.cells.values()) == 30


def test_a_long_comment_before_the_root_does_not_hide_the_cells(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    sheet = comment_before_root(grid_sheet(100_001), comment_bytes=200_000)
    path = rezip(tmp_path / "commentaire.xlsx", replace={FIRST_SHEET: sheet})
    status, message = graded_quickly(path, c20_rubric, 3.0)
    assert status == "unreadable"
    assert "100\u202f000 cellules" in message  # the guard's refusal, before any parser
    small = single_sheet_package(tmp_path / "petit.xlsx", comment_before_root(grid_sheet(40)))
    assert unreadable(small, Limits(max_cells=39)).reason == "too-many-cells"
    assert len(load(small, Limits(max_cells=40)).cells) == 40  # the comment itself is harmless


def test_cells_under_another_prefix_are_counted(tmp_path: Path) -> None:
    path = single_sheet_package(tmp_path / "prefixes.xlsx", two_prefix_sheet(60))
    assert unreadable(path, Limits(max_cells=59)).reason == "too-many-cells"
    assert len(load(path, Limits(max_cells=60)).cells) == 60  # what the parser reads


def test_empty_rows_are_counted_and_refused_quickly(tmp_path: Path, c20_rubric: Rubric) -> None:
    path = rezip(tmp_path / "lignes.xlsx", replace={FIRST_SHEET: empty_rows_sheet(1_048_575)})
    assert path.stat().st_size < 3 * MIB
    status, message = graded_quickly(path, c20_rubric, 5.0)
    assert status == "unreadable"
    assert "100\u202f000 lignes" in message  # the guard's refusal, before any parser
    assert unreadable(path).reason == "too-many-cells"


def test_row_limit_is_a_setting(tmp_path: Path) -> None:
    path = single_sheet_package(tmp_path / "lignes.xlsx", empty_rows_sheet(50))
    assert unreadable(path, Limits(max_rows=50)).reason == "too-many-cells"
    assert load(path, Limits(max_rows=51)).sheets


def test_a_doubled_text_stops_at_the_excel_cell_limit(tmp_path: Path) -> None:
    """Thirty doublings would ask for 2^30 characters; Excel gives #VALUE! beyond 32,767."""
    cells: dict[str, object] = {"H1": "ab"}
    cells |= {f"H{r}": f"=H{r - 1}&H{r - 1}" for r in range(2, 32)}
    book = built(tmp_path, cells)
    evaluator = Evaluator(book)
    started = time.perf_counter()
    assert evaluator.value(CellRef("Calculs", 31, 8)) == ExcelError("#VALUE!")
    assert time.perf_counter() - started < 5
    assert len(str(evaluator.value(CellRef("Calculs", 14, 8)))) == 2**14  # within the limit
    assert evaluator.value(CellRef("Calculs", 15, 8)) == ExcelError("#VALUE!")  # 32,768 chars
    assert Limits().max_text_length == 32_767


# --------------------------------------------------------------------------- one formula


def built(tmp_path: Path, cells: dict[str, object], limits: Limits | None = None) -> Workbook:
    path = candidate(tmp_path, "limites", {"Calculs": product_table() | cells})
    return load(path, limits)


LONG = "=" + "+".join(["1"] * 4600)  # 9,200 characters: compiling it would take seconds
DEEP = "=" + "ABS(" * 70 + "1" + ")" * 70


def test_formula_over_the_length_limit_is_not_evaluated(tmp_path: Path) -> None:
    book = built(tmp_path, {"H1": LONG, "H2": "=H1*2"})
    evaluator = Evaluator(book)
    started = time.perf_counter()
    assert evaluator.value(CellRef("Calculs", 2, 8)) == ExcelError("#VALUE!")
    assert time.perf_counter() - started < 0.5
    (finding,) = [f for f in evaluator.findings if f.cell == "Calculs!H1"]
    assert finding.code == Code.FORMULA_ERROR
    assert "9\u202f200 caractères" in finding.message
    assert "8\u202f192" in finding.message
    parsed = evaluator.parsed(CellRef("Calculs", 1, 8))
    assert parsed is not None
    assert parsed.targets == {}  # not even tokenised


def test_formula_length_limit_is_a_setting(tmp_path: Path) -> None:
    book = built(tmp_path, {"H1": "=1+2+3+4+5+6"})
    ref = CellRef("Calculs", 1, 8)
    assert Evaluator(book).value(ref) == 21.0
    tight = dataclasses.replace(book, limits=Limits(max_formula_length=10))
    assert Evaluator(tight).value(ref) == ExcelError("#VALUE!")


def test_formula_over_the_depth_limit_is_not_evaluated(tmp_path: Path) -> None:
    at_limit = "=" + "ABS(" * 64 + "1" + ")" * 64
    book = built(tmp_path, {"H1": DEEP, "H2": at_limit, "H3": "=((((((((1+1))))))))"})
    evaluator = Evaluator(book)
    assert evaluator.value(CellRef("Calculs", 1, 8)) == ExcelError("#VALUE!")
    assert evaluator.value(CellRef("Calculs", 2, 8)) == 1.0
    assert evaluator.value(CellRef("Calculs", 3, 8)) == 2.0
    (finding,) = evaluator.findings
    assert finding.cell == "Calculs!H1"
    assert "70 niveaux" in finding.message
    tight = Evaluator(dataclasses.replace(book, limits=Limits(max_formula_depth=5)))
    assert tight.value(CellRef("Calculs", 3, 8)) == ExcelError("#VALUE!")


def test_over_limit_formulas_are_reported_and_the_copy_graded(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    path = candidate(tmp_path, "monstre", {"Calculs": product_table() | {"H1": LONG, "H2": DEEP}})
    started = time.perf_counter()
    report = grade(path, c20_rubric)
    assert time.perf_counter() - started < 10
    assert report.status == Status.GRADED
    assert report.verdicts()["C20-Q01"] == "correct"
    errors = {f.cell: f.message for f in report.findings if f.code == Code.FORMULA_ERROR}
    assert "caractères" in errors["Calculs!H1"]
    assert "niveaux" in errors["Calculs!H2"]


def test_large_ranges_are_clipped_to_the_used_area(tmp_path: Path) -> None:
    book = built(tmp_path, {"H1": "=SUM('Annexe 1 - Produits'!A1:Z5000)", "H2": "=SUM(B:B)"})
    parsed = parse_formula(book.cells[CellRef("Calculs", 1, 8)], book)
    (target,) = parsed.targets.values()
    assert isinstance(target, RangeRef)
    last_row, last_col = book.used["Annexe 1 - Produits"]
    assert (target.max_row, target.max_col) == (last_row, last_col)  # not 130,000 cells
    evaluator = Evaluator(book)
    started = time.perf_counter()
    assert isinstance(evaluator.value(CellRef("Calculs", 1, 8)), float)
    assert isinstance(evaluator.value(CellRef("Calculs", 2, 8)), float)
    assert time.perf_counter() - started < 2
    tight = dataclasses.replace(book, limits=Limits(max_range_cells=10))
    short = parse_formula(tight.cells[CellRef("Calculs", 1, 8)], tight)
    assert short.targets == parsed.targets  # clipped as well
    kept = parse_formula(book.cells[CellRef("Calculs", 7, 6)], book)  # =SUM(F2:F6)
    assert RangeRef("Calculs", 2, 6, 6, 6) in kept.targets.values()


def test_huge_claimed_dimension_is_graded_quickly(tmp_path: Path, c20_rubric: Rubric) -> None:
    """A stray value in XFD1048576 makes the sheet claim 17 G cells: only real cells count,
    and whole-column references stay cheap."""
    path = candidate(
        tmp_path,
        "coin",
        {"Calculs": product_table() | {"XFD1048576": 1, "H1": "=SUM(A:A)", "H2": "=SUM(1:1)"}},
    )
    book = load(path)
    assert any("XFD1048576" in warning for warning in book.preflight.warnings)
    assert book.used["Calculs"] == (1_048_576, 16_384)
    started = time.perf_counter()
    assert Evaluator(book).value(CellRef("Calculs", 1, 8)) == 0.0
    report = grade(path, c20_rubric)
    assert time.perf_counter() - started < 10
    assert report.status == Status.GRADED
    assert report.verdicts()["C20-Q01"] == "correct"


def test_far_value_is_counted_without_a_million_cells(tmp_path: Path) -> None:
    """A stray value at the bottom of column A: `SUM(A:A)` counts it, as Excel does, without
    reading the million empty cells in between; the jury is told about the stray value."""
    book = built(
        tmp_path,
        {"A1048576": 5, "H1": "=SUM(A:A)", "H2": "=SUM(A1:A20)+A1048576", "H3": "=SUM(F2:F6)"},
    )
    evaluator = Evaluator(book)
    started = time.perf_counter()
    whole = evaluator.value(CellRef("Calculs", 1, 8))
    assert time.perf_counter() - started < 1
    assert whole == evaluator.value(CellRef("Calculs", 2, 8))
    assert isinstance(evaluator.value(CellRef("Calculs", 3, 8)), float)
    (finding,) = evaluator.findings
    assert finding.code == Code.STRAY_CELL
    assert finding.cell == "Calculs!A1048576"
    assert "A1048576" in finding.message and "A:A" in finding.message


def test_range_still_too_wide_is_not_evaluated(tmp_path: Path) -> None:
    """A whole column whose data block itself is over the range limit is not evaluated."""
    small = built(tmp_path, {f"K{row}": row for row in range(1, 301)} | {"H1": "=SUM(K:K)"})
    assert Evaluator(small).value(CellRef("Calculs", 1, 8)) == sum(range(1, 301))
    tight = Evaluator(dataclasses.replace(small, limits=Limits(max_range_cells=100)))
    assert tight.value(CellRef("Calculs", 1, 8)) == ExcelError("#VALUE!")
    (finding,) = tight.findings
    assert finding.cell == "Calculs!H1"
    assert "cellules" in finding.message


def test_dimension_claim_alone_changes_nothing(tmp_path: Path, c20_rubric: Rubric) -> None:
    original = dict(members())[FIRST_SHEET]
    claimed = original.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" old="', 1)
    assert claimed != original
    path = rezip(tmp_path / "dimension.xlsx", replace={FIRST_SHEET: claimed})
    status, _ = graded_quickly(path, c20_rubric, 10)
    assert status == "graded"
    assert grade(path, c20_rubric).verdicts() == grade(SUBMISSION, c20_rubric).verdicts()


# --------------------------------------------------------------------------- time and memory


@pytest.fixture(scope="module")
def slow_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """90,000 real numbers (under the cell limit): several seconds to read, and much more
    memory than an exam copy."""
    folder = tmp_path_factory.mktemp("lent")
    return rezip(folder / "lent.xlsx", replace={FIRST_SHEET: grid_sheet(90_000)})


def test_wall_time_limit_stops_a_slow_file(slow_file: Path) -> None:
    started = time.monotonic()
    report = grade_isolated(slow_file, C20_RUBRIC, RunLimits(timeout_s=2, memory_mb=2048))
    assert time.monotonic() - started < 2 + 15
    assert report.status == Status.ERROR
    assert "délai de 2 s" in report.message
    assert report.candidate == "lent"


def test_memory_limit_stops_a_swelling_file(slow_file: Path) -> None:
    """The cap is found where an exam copy just grades (the engine alone needs a few hundred
    MB, more or less depending on the machine); the big file must then hit it."""
    cap = next(
        (
            mb
            for mb in range(300, 1500, 25)
            if grade_isolated(SUBMISSION, C20_RUBRIC, RunLimits(60, mb)).status == Status.GRADED
        ),
        None,
    )
    assert cap is not None
    report = grade_isolated(slow_file, C20_RUBRIC, RunLimits(timeout_s=60, memory_mb=cap))
    assert report.status == Status.ERROR
    assert "mémoire" in report.message


def test_worksheet_helper_writes_what_it_claims(tmp_path: Path) -> None:
    """The generated sheets used above hold exactly the cells and formulas they claim."""
    path = rezip(tmp_path / "g.xlsx", replace={FIRST_SHEET: grid_sheet(120, formulas=True)})
    book = load(path)
    cells = book.by_sheet["Annexe 1 - Produits"]
    assert len(cells) == 120
    assert all(c.formula == "=1+1" for c in cells)
