"""The gradebook and the batch's CSV lists: one row per candidate, automatic and final scores
side by side (the jury's overrides are applied to the final score only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autocorrect.jury.collusion import Signal
from autocorrect.jury.overrides import FinalGrade
from autocorrect.render.csv import gradebook_header, gradebook_row
from autocorrect.report import CandidateReport, Status, Verdict
from autocorrect.rubric.model import Rubric

SKIPPED_REASON = "fichier caché ou fichier de verrouillage Office : ignoré"
SIGNAL_FR = {
    "fichiers-identiques": "fichiers identiques",
    "metadonnees-identiques": "métadonnées identiques",
    "formules-quasi-identiques": "formules quasi identiques",
    "erreurs-identiques": "réponses fausses identiques",
}


@dataclass(frozen=True)
class GradebookEntry:
    """One candidate as the summary outputs see it."""

    name: str
    source: str  # the submission's file name
    report: CandidateReport
    final: FinalGrade | None  # None when the file was not graded
    signals: tuple[Signal, ...] = ()

    @property
    def final_score(self) -> float:
        return self.final.final_score if self.final else self.report.score

    @property
    def review(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.report.questions if q.verdict == Verdict.REVIEW)


def header(rubric: Rubric) -> list[str]:
    """Today's columns, with the final score next to the automatic one, the final criterion
    proposals after the automatic ones, and the batch's own columns at the end."""
    columns = gradebook_header(rubric)
    columns.insert(columns.index("note") + 1, "note finale")
    last_criterion = 4 + len(rubric.criteria)
    finals = [f"{c.id} (proposition finale)" for c in rubric.criteria]
    columns[last_criterion + 1 : last_criterion + 1] = finals
    return [*columns, "fichier", "à vérifier", "dérogations", "dérogations à revoir", "signaux"]


def row(entry: GradebookEntry, rubric: Rubric) -> list[str]:
    cells = gradebook_row(entry.report, rubric)
    final_score = f"{entry.final_score:g}" if entry.report.status == Status.GRADED else ""
    cells.insert(3, final_score)
    proposals = {c.id: str(c.proposal) for c in entry.final.criteria} if entry.final else {}
    last_criterion = 4 + len(rubric.criteria)
    cells[last_criterion + 1 : last_criterion + 1] = [
        proposals.get(c.id, "") for c in rubric.criteria
    ]
    return [
        *cells,
        entry.source,
        " ".join(entry.review),
        overrides_text(entry),
        " ".join(d.question for d in entry.final.to_recheck) if entry.final else "",
        " ; ".join(sorted({SIGNAL_FR[str(s.kind)] for s in entry.signals})),
    ]


def overrides_text(entry: GradebookEntry) -> str:
    if entry.final is None:
        return ""
    parts = []
    for decision in entry.final.overridden:
        override = decision.override
        assert override is not None
        who = " — ".join(x for x in (override.reason, override.author) if x)
        parts.append(
            f"{decision.question} : {decision.final_points:g} pt" + (f" ({who})" if who else "")
        )
    return " | ".join(parts)


def render_gradebook_csv(entries: Sequence[GradebookEntry], rubric: Rubric) -> str:
    return _csv([header(rubric), *(row(e, rubric) for e in _sorted(entries))])


def render_unreadable_csv(entries: Sequence[GradebookEntry], skipped: Sequence[Path]) -> str:
    """The files that could not be graded automatically, and why."""
    rows = [["fichier", "candidat", "statut", "motif"]]
    rows.extend(
        [e.source, e.name, str(e.report.status), e.report.message]
        for e in _sorted(entries)
        if e.report.status != Status.GRADED
    )
    rows.extend([p.name, "", "ignored", SKIPPED_REASON] for p in sorted(skipped))
    return _csv(rows)


def render_collusion_csv(signals: Sequence[Signal]) -> str:
    rows = [["signal", "candidats", "mesure", "preuves"]]
    rows.extend(
        [str(s.kind), " ; ".join(s.candidates), f"{s.measure:g}", " | ".join(s.evidence)]
        for s in signals
    )
    return _csv(rows)


def _sorted(entries: Sequence[GradebookEntry]) -> list[GradebookEntry]:
    return sorted(entries, key=lambda e: e.name)


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()
