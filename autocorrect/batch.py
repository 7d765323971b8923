"""Sequential batch: grade every submission of a folder, write one JSON each and a gradebook.

Every regular file counts as a submission (a PDF gets status "unreadable" like a broken
workbook); hidden files and Office lock files (`~$name.xlsx`) are skipped. Two files with the
same stem (`dupont.xls`, `dupont.xlsx`) get distinct report names.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from autocorrect.api import grade
from autocorrect.findings import CandidateReport
from autocorrect.render.csv import render_gradebook
from autocorrect.render.json import render_json
from autocorrect.rubric import Rubric


@dataclass(frozen=True)
class BatchSummary:
    reports: tuple[CandidateReport, ...]
    skipped: tuple[Path, ...]
    out: Path


def submissions(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files to grade, files skipped), both sorted."""
    graded, skipped = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.name.startswith((".", "~$")):
            skipped.append(path)
        else:
            graded.append(path)
    return graded, skipped


def report_names(paths: list[Path]) -> dict[Path, str]:
    """File stem, safe as a file name; files sharing a stem all get their extension added
    (`dupont_xls`, `dupont_xlsx`), so no report overwrites another and none depends on order."""
    safe = {
        p: "".join(c if c.isalnum() or c in "-_." else "_" for c in p.stem) or "copie"
        for p in paths
    }
    counts = Counter(name.casefold() for name in safe.values())
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        name = safe[path]
        if counts[name.casefold()] > 1:
            name = f"{name}_{path.suffix.lstrip('.') or 'sans-extension'}"
        base, counter = name, 2
        while name.casefold() in taken:
            name, counter = f"{base}_{counter}", counter + 1
        taken.add(name.casefold())
        names[path] = name
    return names


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file then rename, so a stop never leaves half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    Path(tmp).replace(path)


def run_batch(
    folder: Path,
    rubric: Rubric,
    out: Path,
    progress: Callable[[int, int, CandidateReport], None] | None = None,
) -> BatchSummary:
    out.mkdir(parents=True, exist_ok=True)
    paths, skipped = submissions(folder)
    names = report_names(paths)
    reports = []
    for index, (path, graded) in enumerate(_graded(paths, rubric), start=1):
        report = _renamed(graded, names[path])
        write_atomic(out / f"{names[path]}.json", render_json(report))
        reports.append(report)
        if progress is not None:
            progress(index, len(paths), report)
    write_atomic(out / "gradebook.csv", render_gradebook(reports, rubric))
    return BatchSummary(tuple(reports), tuple(skipped), out)


def _graded(paths: list[Path], rubric: Rubric) -> Iterator[tuple[Path, CandidateReport]]:
    for path in paths:
        yield path, grade(path, rubric)


def _renamed(report: CandidateReport, name: str) -> CandidateReport:
    if report.candidate == name:
        return report
    return replace(report, candidate=name)
