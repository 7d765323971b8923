"""Grading in a child process that can be killed: wall-time and memory limits per file.

A candidate's file can make any parser spin or swell (ENGINES.md §5: a 1.5 KB file that asks
for 17 G cells, a zip bomb, a pathological formula). Whatever happens in the child, the parent
gets a report: the child's own, or an `error` report saying which limit was hit.

Children are forked from a fork server that has already imported the engine, so a task costs a
fork (a few ms), not a fresh interpreter (over a second of imports).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import resource
from dataclasses import dataclass
from pathlib import Path

from autocorrect.api import grade
from autocorrect.findings import CandidateReport, Status
from autocorrect.rubric import load_rubric

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["autocorrect.api", "autocorrect.isolation"])


@dataclass(frozen=True)
class RunLimits:
    """Per-file limits; both are named settings of `batch` (--timeout, --memory)."""

    timeout_s: float = 60.0
    memory_mb: int = 2048


def grade_isolated(
    path: Path, rubric_path: Path, limits: RunLimits | None = None
) -> CandidateReport:
    """Grade one file in a killable child process; never raises for a bad file."""
    limits = limits or RunLimits()
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_child, args=(path, rubric_path, limits.memory_mb, sender), daemon=True
    )
    child.start()
    sender.close()
    timed_out = False
    try:
        if receiver.poll(limits.timeout_s):
            report: CandidateReport = receiver.recv()
            return report
        timed_out = True
    except (EOFError, OSError):
        pass  # the child died without answering: see below
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    return _limit_report(path, rubric_path, limits, None if timed_out else child.exitcode)


def _child(
    path: Path, rubric_path: Path, memory_mb: int, sender: multiprocessing.connection.Connection
) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    sender.send(grade(path, load_rubric(rubric_path)))
    sender.close()


def _limit_report(
    path: Path, rubric_path: Path, limits: RunLimits, exitcode: int | None
) -> CandidateReport:
    rubric_id = _rubric_id(rubric_path)
    if exitcode is None:
        message = (
            f"La correction a dépassé le délai de {limits.timeout_s:g} s et a été arrêtée : "
            "la copie doit être corrigée à la main."
        )
    else:
        message = (
            f"La correction s'est arrêtée anormalement (code {exitcode}, limite mémoire "
            f"{limits.memory_mb} Mo) : la copie doit être corrigée à la main."
        )
    return CandidateReport(path.stem, rubric_id, Status.ERROR, message=message)


def _rubric_id(rubric_path: Path) -> str:
    try:
        return load_rubric(rubric_path).id
    except Exception:
        return ""
