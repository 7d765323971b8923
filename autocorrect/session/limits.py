"""The per-file limits of an isolated grading and the process context its workers come from.

Children are forked from a fork server that has already imported the engine, so a task costs a
fork (a few ms), not a fresh interpreter (over a second of imports). A single-threaded caller
that has already imported the engine itself (the `grade` command) may fork its one worker
directly (`DIRECT`), which saves starting the fork server. The `batch` command starts the fork
server before its own imports (`start_fork_server`), so both import the engine at once.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from dataclasses import dataclass

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["autocorrect.api", "autocorrect.session.pool"])
DIRECT = multiprocessing.get_context("fork")  # only from a process without threads


def start_fork_server() -> None:
    """Start the fork server now rather than when the first worker is needed: it imports the
    engine in its own process meanwhile. Only from a program's entry point (the workers it
    forks import the entry point's module again: it must be guarded)."""
    multiprocessing.forkserver.ensure_running()


@dataclass(frozen=True)
class RunLimits:
    """Per-file limits; both are named settings of `batch` and `grade` (--timeout, --memory)."""

    timeout_s: float = 60.0
    memory_mb: int = 2048


def default_jobs() -> int:
    """Workers run in parallel by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
