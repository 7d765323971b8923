"""Grading in a child process that can be killed: wall-time and memory limits per file.

A candidate's file can make any parser spin or swell (ENGINES.md §5: a 1.5 KB file that asks
for 17 G cells, a zip bomb, a pathological formula). Whatever happens in the child, the parent
gets a report: the child's own, or an `error` report saying which limit was hit.

Children are forked from a fork server that has already imported the engine, so a task costs a
fork (a few ms), not a fresh interpreter (over a second of imports). `grade_isolated` is a pool
of one worker (`autocorrect.session.pool`) given one file; `batch` keeps a pool of warm workers.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

from autocorrect.report import CandidateReport

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["autocorrect.api", "autocorrect.session.pool"])


@dataclass(frozen=True)
class RunLimits:
    """Per-file limits; both are named settings of `batch` (--timeout, --memory)."""

    timeout_s: float = 60.0
    memory_mb: int = 2048


def grade_isolated(
    path: Path, rubric_path: Path, limits: RunLimits | None = None
) -> CandidateReport:
    """Grade one file in a killable child process; never raises for a bad file."""
    from autocorrect.session.job import Job  # noqa: PLC0415 -- pool imports this module
    from autocorrect.session.pool import WorkerPool  # noqa: PLC0415

    with WorkerPool(rubric_path, 1, limits or RunLimits(), _rubric_id(rubric_path)) as pool:
        (result,) = pool.run([Job(path, path.stem)])
    return result.report


def _rubric_id(rubric_path: Path) -> str:
    from autocorrect.rubric.load import load_rubric  # noqa: PLC0415

    try:
        return load_rubric(rubric_path).id
    except Exception:  # the pool reports an unloadable rubric itself, per file
        return ""
