"""Grading in a child process that can be killed: wall-time and memory limits per file.

A candidate's file can make any parser spin or swell (ENGINES.md §5: a 1.5 KB file that asks
for 17 G cells, a zip bomb, a pathological formula). Whatever happens in the child, the parent
gets a report: the child's own, or an `error` report saying which limit was hit.

`grade_isolated` is a pool of one worker (`autocorrect.session.pool`) given one file; `batch`
keeps a pool of warm workers; `grade` on the command line uses `grade_isolated`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from autocorrect.report import CandidateReport
from autocorrect.rubric.load import load_rubric
from autocorrect.session.job import Job
from autocorrect.session.limits import CONTEXT, DIRECT, RunLimits
from autocorrect.session.pool import WorkerPool

__all__ = ["RunLimits", "grade_isolated"]


def grade_isolated(
    path: Path,
    rubric_path: Path,
    limits: RunLimits | None = None,
    name: str | None = None,
    direct: bool = False,
) -> CandidateReport:
    """Grade one file in a killable child process; never raises for a bad file. `direct`
    forks the child from this process, which is only safe while it runs no other thread
    (otherwise the fork server is used anyway)."""
    context = DIRECT if direct and threading.active_count() == 1 else CONTEXT
    rubric_id = _rubric_id(rubric_path)
    with WorkerPool(rubric_path, 1, limits or RunLimits(), rubric_id, context) as pool:
        (result,) = pool.run([Job(path, name or path.stem)])
    return result.report


def _rubric_id(rubric_path: Path) -> str:
    try:
        return load_rubric(rubric_path).id
    except Exception:  # the pool reports an unloadable rubric itself, per file
        return ""
