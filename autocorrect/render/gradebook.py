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

from autocorrect import french
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.jury.collusion import Signal
from autocorrect.jury.decisions import decision_text, final_lines, pending_questions
from autocorrect.render.csv_fr import french_csv
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
    """Identity and marks (automatic, final, out of 20), the criteria proposals (automatic then
    final), per question the automatic verdict code, the final verdict in French and the final
    points, then the batch's own columns."""
    questions = [
        column
        for q in rubric.questions
        for column in (q.id, f"{q.id} (décision)", f"{q.id} (points)")
    ]
    return [
        "candidat", "statut", "statut (libellé)", "note", "note finale", "max", "note sur 20",
        *(f"{c.id} (proposition)" for c in rubric.criteria),
        *(f"{c.id} (proposition finale)" for c in rubric.criteria),
        *questions,
        "message", "fichier", "à vérifier", "dérogations", "dérogations à revoir", "signaux",
    ]  # fmt: skip


def row(entry: GradebookEntry, rubric: Rubric) -> list[str]:
    """Numbers with a decimal comma; a copy without a mark (unreadable, error) has empty marks,
    never 0."""
    report = entry.report
    graded = report.status == Status.GRADED
    marked = graded or (entry.final is not None and entry.final.hand_graded)
    maximum = float(sum(q.points for q in rubric.questions))
    auto = {c.id: str(c.proposal) for c in report.criteria}
    final = {c.id: str(c.proposal) for c in entry.final.criteria} if entry.final else {}
    lines = {line.question.id: line for line in final_lines(report, entry.final)}
    questions: list[str] = []
    for question in rubric.questions:
        line = lines.get(question.id)
        questions += (
            [str(line.question.verdict), line.word, french.decimal(line.points)]
            if line
            else ["", "", ""]
        )
    return [
        report.candidate,
        str(report.status),
        french.STATUS_WORDS[report.status],
        french.decimal(report.score) if graded else "",
        french.decimal(entry.final_score) if marked else "",
        french.decimal(maximum),
        french.decimal(mark_out_of_20(entry.final_score, maximum, rubric.mark_step))
        if marked
        else "",
        *(auto.get(c.id, "") for c in rubric.criteria),
        *(final.get(c.id, "") for c in rubric.criteria),
        *questions,
        report.message,
        entry.source,
        " ".join(pending_questions(report, entry.final)),
        overrides_text(entry),
        " ".join(d.question for d in entry.final.to_recheck) if entry.final else "",
        " ; ".join(sorted({SIGNAL_FR[str(s.kind)] for s in entry.signals})),
    ]


def overrides_text(entry: GradebookEntry) -> str:
    if entry.final is None:
        return ""
    if entry.final.hand_grade is not None:
        hand = entry.final.hand_grade
        who = " — ".join(x for x in (hand.reason, hand.author) if x)
        return f"copie notée par le jury : {french.points(entry.final.final_score)} pt" + (
            f" ({who})" if who else ""
        )
    return " | ".join(f"{d.question} : {decision_text(d)}" for d in entry.final.overridden)


def render_gradebook_csv(entries: Sequence[GradebookEntry], rubric: Rubric) -> str:
    """French Excel conventions (`;`, decimal comma, UTF-8 with BOM): opens by a double click."""
    return french_csv([header(rubric), *(row(e, rubric) for e in _sorted(entries))])


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
