"""The gradebook: one row per candidate, one column per question verdict."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from autocorrect.report import CandidateReport
from autocorrect.rubric.model import Rubric


def gradebook_header(rubric: Rubric) -> list[str]:
    criteria = [f"{c.id} (proposition)" for c in rubric.criteria]
    return [
        "candidat",
        "statut",
        "note",
        "max",
        *criteria,
        *(q.id for q in rubric.questions),
        "message",
    ]


def gradebook_row(report: CandidateReport, rubric: Rubric) -> list[str]:
    verdicts = report.verdicts()
    proposals = {c.id: str(c.proposal) for c in report.criteria}
    return [
        report.candidate,
        str(report.status),
        f"{report.score:g}",
        f"{report.max_score:g}",
        *(proposals.get(c.id, "") for c in rubric.criteria),
        *(verdicts.get(q.id, "") for q in rubric.questions),
        report.message,
    ]


def render_gradebook(reports: Sequence[CandidateReport], rubric: Rubric) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(gradebook_header(rubric))
    for report in sorted(reports, key=lambda r: r.candidate):
        writer.writerow(gradebook_row(report, rubric))
    return buffer.getvalue()
