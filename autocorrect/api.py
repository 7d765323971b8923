"""The library's entry points: grade one workbook, or a folder of them.

Whatever happens, `grade` returns a report: a file the candidate got wrong is `unreadable`
with a French reason, and a defect of ours is `error` with a French message — never a
traceback, never a lost batch.
"""

from __future__ import annotations

import logging
from pathlib import Path

from autocorrect.errors import WorkbookUnreadable
from autocorrect.grading.pipeline import grade_workbook
from autocorrect.reading.workbook import load
from autocorrect.reference.case import load_case
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric

log = logging.getLogger(__name__)


def grade(path: Path, rubric: Rubric | Path) -> CandidateReport:
    """Grade one submission. Raises only RubricError (the rubric, not the candidate, is bad)."""
    if not isinstance(rubric, Rubric):
        rubric = load_rubric(rubric)
    case = load_case(rubric)
    candidate = path.stem
    try:
        workbook = load(path)
        return grade_workbook(workbook, rubric, case, candidate)
    except WorkbookUnreadable as exc:
        return CandidateReport(candidate, rubric.id, Status.UNREADABLE, message=exc.message)
    except MemoryError:
        return CandidateReport(
            candidate,
            rubric.id,
            Status.ERROR,
            message="Le classeur demande plus de mémoire que la limite fixée : correction "
            "interrompue, la copie doit être corrigée à la main.",
        )
    except Exception as exc:
        log.exception("grading %s failed", path)
        return CandidateReport(
            candidate,
            rubric.id,
            Status.ERROR,
            message=f"Erreur interne du correcteur ({type(exc).__name__}) : "
            "la copie doit être corrigée à la main et l'erreur signalée.",
        )
