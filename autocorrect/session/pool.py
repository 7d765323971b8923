"""A pool of warm, killable workers: the batch grades files in parallel, each under a
wall-time limit and a memory cap, and a file that crashes, hangs or swells costs one worker,
never the batch.

Workers are forked from the fork server of `limits.CONTEXT` (engine already imported), load the
rubric and the case data once, then grade file after file. The parent sends one job at a time
to each worker and waits on all of them at once; a worker past its deadline is killed, one that
dies is noticed by its end-of-pipe, and either way the job gets an `error` report and a fresh
worker takes its place. A worker that hands back a result gets its next file at once, before the
parent writes that result to disk: the worker grades while the parent saves. Workers ignore
Ctrl-C: the parent decides, so results already received are kept.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing.connection
import resource
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from autocorrect.errors import RubricError
from autocorrect.reading.libreoffice import set_conversion_timeout
from autocorrect.reference.case import load_case
from autocorrect.reference.perturb import data_sets
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.job import Job, JobResult, failed_result, run_job
from autocorrect.session.limits import CONTEXT, RunLimits

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 120.0  # importing is done by the fork server; this is loading the rubric
MAX_START_FAILURES = 3  # consecutive workers that could not start: the limits are unusable
MAX_JOBS_PER_WORKER = 250  # a worker is replaced after this many files (bounded memory growth)


@dataclass
class _Worker:
    process: Any  # multiprocessing Process of the forkserver context
    conn: multiprocessing.connection.Connection
    started: float
    ready: bool = False
    job: Job | None = None
    deadline: float = 0.0
    sent_at: float = 0.0
    done: int = 0
    retiring: bool = False

    @property
    def busy(self) -> bool:
        return self.job is not None


@dataclass
class WorkerPool:
    """`with WorkerPool(rubric, jobs, limits) as pool: for result in pool.run(jobs): …`

    `rubric` is the rubric file (each worker loads it) or a loaded rubric (sent to each worker,
    for a rubric that exists only in memory, such as one read from a git revision)."""

    rubric: Path | Rubric
    size: int
    limits: RunLimits = field(default_factory=RunLimits)
    rubric_id: str = ""
    context: Any = CONTEXT  # where workers come from (`limits.CONTEXT` or `limits.DIRECT`)
    _workers: list[_Worker] = field(default_factory=list)
    _start_failures: int = 0
    _start_message: str = ""

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        """Results in completion order; every job gets exactly one."""
        pending = deque(jobs)
        while pending or any(w.busy for w in self._workers):
            if self._start_failures >= MAX_START_FAILURES and not self._any_ready():
                yield from self._fail_all(pending)
                continue
            self._staff(len(pending))
            self._dispatch(pending)
            yield from self._collect(pending)

    def close(self) -> None:
        for worker in self._workers:
            self._stop(worker, kill=True)
        self._workers.clear()

    # --- workers --------------------------------------------------------------------------

    def _staff(self, pending: int) -> None:
        """Start workers up to the pool size, never more than there is work for."""
        wanted = min(self.size, pending + sum(w.busy for w in self._workers))
        while len(self._workers) < max(wanted, 0):
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe(duplex=True)
        process = self.context.Process(
            target=serve,
            args=(self.rubric, self.limits.memory_mb, child, self.limits.timeout_s),
            daemon=True,
        )
        process.start()
        child.close()
        return _Worker(process, parent, time.monotonic())

    def _any_ready(self) -> bool:
        return any(w.ready for w in self._workers)

    def _dispatch(self, pending: deque[Job]) -> None:
        for worker in self._workers:
            if worker.ready and not worker.busy and not worker.retiring and pending:
                job = pending.popleft()
                worker.job, worker.sent_at = job, time.monotonic()
                worker.deadline = worker.sent_at + self.limits.timeout_s
                with contextlib.suppress(OSError):  # a dead worker is seen by _collect
                    worker.conn.send(job)

    def _collect(self, pending: deque[Job]) -> list[JobResult]:
        """The results that came in, once the workers they freed have their next file: the
        caller writes each result to disk while those workers grade (results are handed back
        only after the dispatch)."""
        timeout = self._next_deadline() - time.monotonic()
        waitables: list[Any] = [w.conn for w in self._workers]
        ready = multiprocessing.connection.wait(waitables, timeout=max(timeout, 0.0))
        results = [
            result
            for worker in list(self._workers)
            if worker.conn in ready
            for result in self._receive(worker)
        ]
        results.extend(self._expire())
        if results:
            self._staff(len(pending))
            self._dispatch(pending)
        return results

    def _next_deadline(self) -> float:
        deadlines = [
            w.deadline if w.busy else w.started + STARTUP_TIMEOUT_S
            for w in self._workers
            if w.busy or not w.ready
        ]
        return min(deadlines, default=time.monotonic() + 1.0)

    def _receive(self, worker: _Worker) -> Iterator[JobResult]:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            yield from self._died(worker)
            return
        kind = message[0]
        if kind == "ready":
            worker.ready, self._start_failures = True, 0
        elif kind == "failed":
            self._start_message = str(message[1])
            self._start_failures += 1
            self._retire(worker, kill=True)
        elif kind == "done":
            yield self._finished(worker, message[1])

    def _finished(self, worker: _Worker, result: JobResult) -> JobResult:
        worker.job, worker.done = None, worker.done + 1
        if str(result.report.status) == "error" or worker.done >= MAX_JOBS_PER_WORKER:
            self._retire(worker, kill=False)  # a fresh process after any internal error
        return result

    def _died(self, worker: _Worker) -> Iterator[JobResult]:
        worker.process.join(5)
        code = worker.process.exitcode
        job = worker.job
        if not worker.ready:
            self._start_failures += 1
            self._start_message = _abnormal_message(code, self.limits)
        self._retire(worker, kill=True)
        if job is not None:
            elapsed = time.monotonic() - worker.sent_at
            yield failed_result(job, self.rubric_id, _abnormal_message(code, self.limits), elapsed)

    def _expire(self) -> Iterator[JobResult]:
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.busy and now >= worker.deadline:
                job = worker.job
                assert job is not None
                self._retire(worker, kill=True)
                message = _timeout_message(self.limits)
                yield failed_result(job, self.rubric_id, message, now - worker.sent_at)
            elif not worker.ready and now >= worker.started + STARTUP_TIMEOUT_S:
                self._start_failures += 1
                self._start_message = "Le correcteur n'a pas démarré à temps."
                self._retire(worker, kill=True)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        self._stop(worker, kill)

    @staticmethod
    def _stop(worker: _Worker, kill: bool) -> None:
        if not kill:
            try:
                worker.conn.send(None)
            except OSError:
                kill = True
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(1 if not kill else 5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)
        worker.conn.close()

    def _fail_all(self, pending: deque[Job]) -> Iterator[JobResult]:
        message = (
            "Le correcteur n'a pas pu démarrer avec les limites fixées "
            f"({self.limits.memory_mb} Mo de mémoire) : {self._start_message} "
            "La copie doit être corrigée à la main, ou le lot relancé avec --memory plus grand."
        )
        while pending:
            yield failed_result(pending.popleft(), self.rubric_id, message, 0.0)


def _timeout_message(limits: RunLimits) -> str:
    return (
        f"La correction a dépassé le délai de {limits.timeout_s:g} s et a été arrêtée : "
        "la copie doit être corrigée à la main."
    )


def _abnormal_message(exitcode: int | None, limits: RunLimits) -> str:
    return (
        f"La correction s'est arrêtée anormalement (code {exitcode}, limite mémoire "
        f"{limits.memory_mb} Mo) : la copie doit être corrigée à la main."
    )


# --- inside a worker ------------------------------------------------------------------------


def serve(
    rubric_source: Path | Rubric,
    memory_mb: int,
    conn: multiprocessing.connection.Connection,
    timeout_s: float | None = None,
) -> None:
    """Worker main loop: cap memory, load the rubric once, then grade the jobs received until
    told to stop (None) or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if timeout_s is not None:  # a .xls/.ods conversion must end well before the worker's limit
        set_conversion_timeout(timeout_s / 3)
    rubric = _load(rubric_source, conn)
    if rubric is None:
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(("done", run_job(job, rubric)))


# A copy makes hundreds of thousands of small objects (cells, references, values) that live
# until the copy is graded: collecting every 700 allocations walks them again and again.
# Measured on C16 with 2,000 respondents: -25 % per copy; no effect on small copies.
WORKER_GC_THRESHOLDS = (50_000, 50, 100)


def settle_collector() -> None:
    """What a worker has loaded (rubric, subject, redrawn data sets) lives as long as the
    worker: out of the garbage collector's sight, so that each copy's collections walk only
    that copy's objects; and collections less often, for the workload above."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _load(source: Path | Rubric, conn: multiprocessing.connection.Connection) -> Rubric | None:
    try:
        rubric = source if isinstance(source, Rubric) else load_rubric(source)
        load_case(rubric)
        data_sets(rubric)  # the redrawn data of the fingerprints, shared by every copy
    except MemoryError:
        conn.send(("failed", "mémoire insuffisante pour charger le barème."))
        return None
    except RubricError as exc:
        conn.send(("failed", f"barème invalide : {exc}"))
        return None
    except Exception:  # boundary: reported to the parent, which stops the batch cleanly
        log.exception("worker start")
        conn.send(("failed", "erreur interne au chargement du barème."))
        return None
    settle_collector()
    conn.send(("ready",))
    return rubric
