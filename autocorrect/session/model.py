"""What a batch hands to its renderings: one entry per candidate, the files it did not grade,
its progress events and its summary. Data only: the batch fills them, `render/` reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autocorrect.jury.collusion import Signal
from autocorrect.jury.overrides import FinalGrade, OverrideProblem
from autocorrect.report import CandidateReport, Status, Verdict


@dataclass(frozen=True)
class GradebookEntry:
    """One candidate as the summary outputs see it."""

    name: str  # the report name (safe as a file name)
    source: str  # the submission's file name, shown escaped (`names.shown_name`)
    report: CandidateReport
    final: FinalGrade | None  # None when the file was not graded
    signals: tuple[Signal, ...] = ()

    @property
    def final_score(self) -> float:
        return self.final.final_score if self.final else self.report.score

    @property
    def review(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.report.questions if q.verdict == Verdict.REVIEW)


@dataclass(frozen=True, order=True)
class Ignored:
    """A directory entry that is not a submission, with the reason in French."""

    name: str  # shown escaped (`names.shown_name`)
    reason: str


@dataclass(frozen=True)
class Progress:
    """Sent after each candidate (and once at the start for those already graded)."""

    done: int
    total: int
    reused: int  # already graded by an earlier run, skipped
    failures: int  # status `error` so far
    elapsed: float  # seconds since this run started
    report: CandidateReport | None  # the candidate just graded; None for the start event


@dataclass(frozen=True)
class BatchSummary:
    reports: Sequence[CandidateReport]  # read back from the saved JSON when first used
    statuses: tuple[Status, ...]  # of the reports, in the same order
    skipped: tuple[Ignored, ...]
    out: Path
    graded: tuple[str, ...] = ()  # graded by this run
    reused: tuple[str, ...] = ()  # unchanged since an earlier run
    pending: tuple[str, ...] = ()  # not graded (the run was interrupted)
    interrupted: bool = False
    signals: tuple[Signal, ...] = ()
    override_problems: tuple[OverrideProblem, ...] = ()
    notices: tuple[str, ...] = ()  # French sentences the operator must read (retired reports…)
