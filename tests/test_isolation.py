"""Killable grading: a file that hangs or swells gets an error report, the caller goes on."""

from __future__ import annotations

import time
from pathlib import Path

from autocorrect import isolation
from autocorrect.isolation import RunLimits, grade_isolated
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
