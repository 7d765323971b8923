"""Killable grading: a file that hangs or swells gets an error report, the caller goes on."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from autocorrect.session import isolation
from autocorrect.session.isolation import RunLimits, grade_isolated
from autocorrect.session.job import Job
from autocorrect.session.pool import WorkerPool
from tests.batch_helpers import heavy_workbook
from tests.builders import candidate, product_table
from tests.conftest import C20_RUBRIC


def test_isolated_report_equals_the_in_process_one(tmp_path: Path) -> None:
    path = candidate(tmp_path, "isole", {"Calculs": product_table()})
    report = grade_isolated(path, C20_RUBRIC, RunLimits(timeout_s=60))
    assert str(report.status) == "graded"
    assert report.verdicts()["C20-Q01"] == "correct"


def test_timeout_gives_an_error_report(tmp_path: Path) -> None:
    path = candidate(tmp_path, "lent", {})
    started = time.monotonic()
    report = grade_isolated(path, C20_RUBRIC, RunLimits(timeout_s=0.001))
    assert time.monotonic() - started < 30
    assert str(report.status) == "error"
    assert "délai" in report.message
    assert report.candidate == "lent"


def test_memory_cap_gives_an_error_report(tmp_path: Path) -> None:
    path = candidate(tmp_path, "gourmand", {})
    report = grade_isolated(path, C20_RUBRIC, RunLimits(timeout_s=60, memory_mb=64))
    assert str(report.status) == "error"
    assert "mémoire" in report.message or "anormalement" in report.message
    assert isolation.RunLimits().memory_mb >= 1024


# --- the pool of warm workers used by `batch` ------------------------------------------------


def test_warm_workers_grade_file_after_file(tmp_path: Path) -> None:
    paths = [candidate(tmp_path, f"c{i}", {"Calculs": product_table()}) for i in range(4)]
    with WorkerPool(C20_RUBRIC, 2, RunLimits(timeout_s=60), "c20-bureau-plus") as pool:
        results = list(pool.run(Job(p, p.stem) for p in paths))
        assert sum(w.done for w in pool._workers) == 4  # two processes, reused
        assert len(pool._workers) == 2
    assert sorted(r.job.name for r in results) == ["c0", "c1", "c2", "c3"]
    assert all(str(r.report.status) == "graded" for r in results)
    assert all(r.traits.formulas for r in results)  # traits come back with the report


def test_a_worker_killed_mid_file_gives_an_error_and_the_pool_goes_on(tmp_path: Path) -> None:
    big = heavy_workbook(tmp_path)
    small = candidate(tmp_path, "petit", {"Calculs": product_table()})
    with WorkerPool(C20_RUBRIC, 1, RunLimits(timeout_s=120), "c20-bureau-plus") as pool:

        def crash() -> None:  # what a segfault in a parser would look like from outside
            while not (pool._workers and pool._workers[0].busy):
                time.sleep(0.05)
            os.kill(pool._workers[0].process.pid, signal.SIGKILL)

        killer = threading.Thread(target=crash, daemon=True)
        killer.start()
        results = {r.job.name: r.report for r in pool.run([Job(big, "gros"), Job(small, "petit")])}
        killer.join(10)
    assert str(results["gros"].status) == "error"
    assert "anormalement (code -9" in results["gros"].message
    assert results["gros"].rubric == "c20-bureau-plus"
    assert str(results["petit"].status) == "graded"


def test_limits_too_small_to_start_fail_every_file_cleanly(tmp_path: Path) -> None:
    paths = [candidate(tmp_path, f"c{i}", {}) for i in range(3)]
    with WorkerPool(C20_RUBRIC, 2, RunLimits(timeout_s=60, memory_mb=64)) as pool:
        results = list(pool.run(Job(p, p.stem) for p in paths))
    assert len(results) == 3
    assert all(str(r.report.status) == "error" for r in results)
    assert all("--memory" in r.report.message for r in results)
