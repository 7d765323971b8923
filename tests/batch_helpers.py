"""Shared batches for the batch, HTML, override and collusion tests: each case's fixtures plus a
few broken files, graded once per test session (a batch costs seconds, not milliseconds)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import openpyxl

from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.batch import BatchOptions, BatchSummary, run_batch
from autocorrect.session.isolation import RunLimits
from tests.conftest import ROOT

CASES = {
    "c20": ("c20-bureau-plus", "cand05-report-erreur"),
    "c16": ("c16-aquapro", "cand06-coupure-milieu-echelle"),
    "c21": ("c21-terroirs", "cand12-report-stock-final"),
}
BROKEN = {
    "vide.xlsx": b"",
    "ancien.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    "scan.pdf": b"%PDF-1.4\n" + b"0" * 200,
}
SKIPPED = {".DS_Store": b"x", "~$cand01.xlsx": b"lock"}


@dataclass(frozen=True)
class Batch:
    case: str
    folder: Path
    out: Path
    rubric: Rubric
    summary: BatchSummary

    @property
    def example(self) -> str:
        """A candidate whose report shows the case's features (chain, matrix…)."""
        return CASES[self.case][1]


def scratch(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"autocorrect-{prefix}-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def rubric_path(case: str) -> Path:
    return ROOT / "rubrics" / f"{CASES[case][0]}.yaml"


def submissions(case: str) -> list[Path]:
    return sorted((ROOT / "fixtures" / CASES[case][0] / "submissions").glob("*.xlsx"))


def heavy_workbook(folder: Path, name: str = "gros") -> Path:
    """A legitimate but heavy submission (within the guard's limits): 90,000 long labels on an
    added sheet. Grading it takes many seconds and several hundred megabytes."""
    workbook = openpyxl.load_workbook(ROOT / "fixtures" / "c20-bureau-plus" / "sujet.xlsx")
    sheet = workbook.create_sheet("Gros")
    for row in range(1, 9_001):
        for col in range(1, 11):
            sheet.cell(row, col, f"texte {row} {col} " + "x" * 300)
    path = folder / f"{name}.xlsx"
    workbook.save(path)
    return path


def fill_folder(folder: Path, case: str, broken: bool = True, limit: int | None = None) -> Path:
    """The case's submissions (the first `limit`), plus broken and skipped files."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in submissions(case)[:limit]:
        shutil.copy(path, folder / path.name)
    if broken:
        for name, data in {**BROKEN, **SKIPPED}.items():
            (folder / name).write_bytes(data)
        damaged = submissions(case)[0].read_bytes()[:3000]
        (folder / "abime.xlsx").write_bytes(damaged)
    return folder


@cache
def case_batch(case: str) -> Batch:
    """The batch of a case's fixtures plus broken files, graded once per session."""
    root = scratch(case)
    folder = fill_folder(root / "copies", case)
    rubric = load_rubric(rubric_path(case))
    options = BatchOptions(jobs=2, limits=RunLimits(timeout_s=120))
    summary = run_batch(folder, rubric, root / "out", options=options)
    return Batch(case, folder, root / "out", rubric, summary)


def output_files(out: Path) -> dict[str, bytes]:
    """Every output except run metadata and the hidden state, by relative path."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "run.json" and ".autocorrect" not in p.parts
    }
