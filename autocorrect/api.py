"""The library's entry points: grade one workbook (alone, or with the workbook read back).

Whatever happens, `grade` returns a report: a file the candidate got wrong is `unreadable`
with a French reason, and a defect of ours is `error` with a French message — never a
traceback, never a lost batch. The batch's workers call `grade_submission`, which also hands
back the parsed workbook (its formulas are evidence for the collusion signals).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from autocorrect.errors import WorkbookUnreadable
from autocorrect.grading.pipeline import grade_workbook
from autocorrect.reading.workbook import Workbook, load
from autocorrect.reference.case import load_case
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric

log = logging.getLogger(__name__)

MEMORY_MESSAGE = (
    "Le classeur demande plus de mémoire que la limite fixée : correction interrompue, la "
    "copie doit être corrigée à la main."
)
INTERNAL_MESSAGE = (
    "Erreur interne du correcteur : la copie doit être corrigée à la main et l'erreur "
    "signalée (détail dans le journal)."
)
IO_MESSAGE = (
    "Le fichier n'a pas pu être lu sur le disque (erreur d'entrée-sortie) : vérifier le "
    "fichier déposé, puis relancer la correction."
)


@dataclass(frozen=True)
class Graded:
    report: CandidateReport
    workbook: Workbook | None  # None when the file could not be read or grading failed


def grade(path: Path, rubric: Rubric | Path) -> CandidateReport:
    """Grade one submission. Raises only RubricError (the rubric, not the candidate, is bad)."""
    if not isinstance(rubric, Rubric):
        rubric = load_rubric(rubric)
    return grade_submission(path, rubric).report


def grade_submission(path: Path, rubric: Rubric, candidate: str | None = None) -> Graded:
    """Grade one submission under the report name `candidate` (default: the file's stem), once;
    never raises for anything the file does."""
    case = load_case(rubric)
    name = path.stem if candidate is None else candidate
    try:
        workbook = load(path)
        return Graded(grade_workbook(workbook, rubric, case, name), workbook)
    except WorkbookUnreadable as exc:
        return _failed(name, rubric, Status.UNREADABLE, exc.message)
    except MemoryError:
        return _failed(name, rubric, Status.ERROR, MEMORY_MESSAGE)
    except OSError:
        log.exception("reading %s failed", path)
        return _failed(name, rubric, Status.UNREADABLE, IO_MESSAGE)
    except Exception:
        log.exception("grading %s failed", path)
        return _failed(name, rubric, Status.ERROR, INTERNAL_MESSAGE)


def _failed(name: str, rubric: Rubric, status: Status, message: str) -> Graded:
    return Graded(CandidateReport(name, rubric.id, status, message=message), None)
