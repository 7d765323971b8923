"""The gradebook and the batch's CSV lists: one row per candidate, automatic and final scores
side by side (the jury's overrides are applied to the final score only).

Every cell comes from a file name, a report or the jury's overrides, so none may be read as a
formula by the spreadsheet that opens the list: a text starting with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading apostrophe (OWASP's advice against CSV injection), unless
it is a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from autocorrect.jury.collusion import Signal
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry, Ignored

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SIGNAL_FR = {
    "fichiers-identiques": "fichiers identiques",
    "metadonnees-identiques": "métadonnées identiques",
    "formules-quasi-identiques": "formules quasi identiques",
    "erreurs-identiques": "réponses fausses identiques",
}


def gradebook_header(rubric: Rubric) -> list[str]:
    """The columns every gradebook starts with (one per criterion proposal and per question)."""
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


def render_unreadable_csv(entries: Sequence[GradebookEntry], skipped: Sequence[Ignored]) -> str:
    """The files that could not be graded automatically, and why."""
    rows = [["fichier", "candidat", "statut", "motif"]]
    rows.extend(
        [e.source, e.name, str(e.report.status), e.report.message]
        for e in _sorted(entries)
        if e.report.status != Status.GRADED
    )
    rows.extend([i.name, "", "ignored", i.reason] for i in sorted(skipped))
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
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def inert(text: str) -> str:
    """`text`, never read as a formula by a spreadsheet: a leading apostrophe when it starts
    like one and is not a number."""
    if not text.startswith(FORMULA_STARTS) or _is_number(text):
        return text
    return "'" + text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text
