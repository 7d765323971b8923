"""C20 copies that use tables, array formulas, Excel 365 functions, OFFSET/INDIRECT, French
TEXT formats, and .xls/.ods copies of the corrigé: every answer is right, so every item must be
`correct` (fixtures/c20-bureau-plus/build_feature_fixtures.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from autocorrect.api import grade
from autocorrect.reading.libreoffice import soffice_path
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import load
from autocorrect.report import CandidateReport, Code, Status, Verdict
from autocorrect.rubric.model import Rubric
from tests.conftest import C20_FIXTURES

FEATURES = C20_FIXTURES / "features"
XLSX = sorted(FEATURES.glob("*.xlsx"))
LEGACY = sorted([*FEATURES.glob("*.xls"), *FEATURES.glob("*.ods")])
NO_SOFFICE = "LibreOffice (soffice) absent : apt-get install libreoffice-calc"


def _wrong_items(report: CandidateReport) -> list[str]:
    return [
        f"{q.id}[{i.key}] {i.verdict} : {i.explanation}"
        for q in report.questions
        for i in q.items
        if i.verdict != Verdict.CORRECT
    ]


def test_every_feature_has_a_copy() -> None:
    stems = {p.stem.split("-")[0] for p in [*XLSX, *LEGACY]}
    assert stems == {f"feat0{n}" for n in range(1, 7)}


@pytest.mark.parametrize("path", XLSX, ids=lambda p: p.stem)
def test_feature_copy_is_correct_everywhere(path: Path, c20_rubric: Rubric) -> None:
    report = grade(path, c20_rubric)
    assert report.status == Status.GRADED
    assert _wrong_items(report) == []
    codes = {f.code for f in report.findings}
    # the engine recomputed every answer and agreed with the saved values
    assert not codes & {Code.RECALC_MISMATCH, Code.UNSUPPORTED_FUNCTION, Code.EXTERNAL_REFERENCE}


def test_the_features_are_really_in_the_files() -> None:
    tables = load(FEATURES / "feat01-tableau-structure.xlsx")
    assert [t.name for t in tables.tables] == ["Produits"]
    arrays = load(FEATURES / "feat02-formules-matricielles.xlsx")
    inside = arrays.get(CellRef("Calculs", 6, 7))  # G6, inside {=…} over G4:G8
    assert inside is not None and inside.is_formula and inside.array is not None
    functions = load(FEATURES / "feat03-fonctions-365.xlsx")
    formulas = " ".join(c.formula or "" for c in functions.cells.values()).upper()
    for name in ("_XLFN.XLOOKUP", "_XLFN.XMATCH", "_XLFN.LET", "_XLFN.IFS", "_XLFN.SWITCH"):
        assert name in formulas
    offsets = load(FEATURES / "feat04-decaler-indirect.xlsx")
    formulas = " ".join(c.formula or "" for c in offsets.cells.values()).upper()
    assert "OFFSET(" in formulas and "INDIRECT(" in formulas and "--(" in formulas


@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.name)
def test_legacy_copy_is_converted_and_grades_like_the_xlsx(path: Path, c20_rubric: Rubric) -> None:
    report = grade(path, c20_rubric)
    assert report.status == Status.GRADED
    assert Code.CONVERTED_FILE in {f.code for f in report.findings}
    original = grade(C20_FIXTURES / "solution.xlsx", c20_rubric)
    assert [(q.id, q.verdict, q.points) for q in report.questions] == [
        (q.id, q.verdict, q.points) for q in original.questions
    ]
    assert report.score == original.score


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.name)
def test_without_libreoffice_the_legacy_copy_keeps_its_message(
    path: Path, c20_rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # soffice cannot be found
    assert soffice_path() is None
    report = grade(path, c20_rubric)
    assert report.status == Status.UNREADABLE
    assert ".xlsx" in report.message


@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
def test_flat_opendocument_copy_is_converted(tmp_path: Path, c20_rubric: Rubric) -> None:
    """A .fods (flat XML OpenDocument) made by LibreOffice from the .ods copy."""
    soffice = soffice_path()
    assert soffice is not None
    source = FEATURES / "feat06-ods.ods"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = grade(tmp_path / "feat06-ods.fods", c20_rubric)
    assert report.status == Status.GRADED
    assert Code.CONVERTED_FILE in {f.code for f in report.findings}
    assert _wrong_items(report) == []
