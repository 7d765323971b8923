"""One file's work inside a worker: grade it, read its traits, write its annotated copy.

Never raises: whatever the file does, the result carries a report (`graded`, `unreadable` with
the reason, or `error`), the traits that could be read and the time it took.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from autocorrect.api import grade_submission
from autocorrect.jury.traits import Traits, file_traits
from autocorrect.reading.workbook import Workbook
from autocorrect.render.annotated import annotated_bytes
from autocorrect.render.json import render_json
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.store import write_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    path: Path
    name: str  # the candidate's report name (unique, safe as a file name)
    sha256: str = ""
    annotate_to: Path | None = None  # where to write the annotated copy, if asked


@dataclass(frozen=True)
class JobResult:
    job: Job
    report: CandidateReport
    traits: Traits
    seconds: float
    annotated: bool = False  # the annotated copy was asked for and is done
    json_text: str = ""  # the report rendered by the worker (the parent only writes it)


def run_job(job: Job, rubric: Rubric) -> JobResult:
    started = time.perf_counter()
    graded = grade_submission(job.path, rubric, job.name)
    report, workbook = graded.report, graded.workbook
    traits = _traits(job, workbook)
    annotated = _annotate(job, report)
    text = render_json(report)
    return JobResult(job, report, traits, time.perf_counter() - started, annotated, text)


def failed_result(job: Job, rubric_id: str, message: str, seconds: float) -> JobResult:
    """The result of a job whose worker was stopped: status `error`, hash known."""
    report = CandidateReport(job.name, rubric_id, Status.ERROR, message=message)
    return JobResult(job, report, Traits(sha256=job.sha256), seconds)


def _traits(job: Job, workbook: Workbook | None) -> Traits:
    try:
        return file_traits(job.path, job.sha256, workbook)
    except Exception:  # boundary: traits are evidence, never a reason to lose the grade
        log.exception("traits of %s", job.path)
        return Traits(sha256=job.sha256)


def _annotate(job: Job, report: CandidateReport) -> bool:
    if job.annotate_to is None:
        return False
    try:
        data = annotated_bytes(job.path, report)
    except Exception:  # boundary: the annotated copy is a reading aid, the grade stands
        log.exception("annotating %s", job.path)
        return False
    if data is not None:  # nothing to annotate in a file that was not graded
        write_atomic(job.annotate_to, data)
    return True
