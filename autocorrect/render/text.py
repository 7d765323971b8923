"""The readable French report printed by `autocorrect grade`."""

from __future__ import annotations

from collections.abc import Mapping

from autocorrect import french
from autocorrect.french import LOCATED_WORDS, STATUS_WORDS, VERDICT_WORDS
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.jury.decisions import is_blank
from autocorrect.render.formula_fr import french_formula
from autocorrect.report import CandidateReport, ItemResult, QuestionResult, Status, Verdict

_RIGHT = (Verdict.CORRECT, Verdict.CONSEQUENTIAL)


def render_text(
    report: CandidateReport,
    mark_step: float = 0.5,
    units: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """`units` ((question, item) -> unit) shows rates and amounts in the jury's units."""
    lines = [
        f"Copie : {report.candidate} — barème {report.rubric}",
        f"Statut : {STATUS_WORDS[report.status]}",
    ]
    if report.status != Status.GRADED:
        lines.append(f"Motif : {report.message}")
        return "\n".join(lines) + "\n"
    lines[-1] += f" — note {french.points(report.score)} / {french.points(report.max_score)}"
    lines.extend(_summary(report, mark_step))
    lines.append("")
    lines.append("Détail :")
    for criterion in report.criteria:
        lines.append(
            f"Critère {criterion.id} : {french.points(criterion.points)} / "
            f"{french.points(criterion.max_points)} → {criterion.proposal} ({criterion.reason})"
        )
    for question in report.questions:
        lines.extend(_question(question, units or {}))
    if report.evidence is not None:
        lines.extend(_evidence(report))
    if report.findings:
        lines.append("")
        lines.append("Constats sur le classeur :")
        lines.extend(
            f"  - [{f.code}] {f.cell + ' : ' if f.cell else ''}{f.message}" for f in report.findings
        )
    return "\n".join(lines) + "\n"


def _summary(report: CandidateReport, step: float) -> list[str]:
    """What a grader reads first: the mark out of 20, the criteria, the questions not right."""
    on_20 = mark_out_of_20(report.score, report.max_score, step)
    lines = [f"Note sur 20 : {french.points(on_20)} (arrondie à {french.points(step)} point)"]
    lines.extend(
        f"Critère {c.id} : {c.proposal} ({french.points(c.points)} / {french.points(c.max_points)})"
        for c in report.criteria
    )
    if is_blank(report):
        lines.append("Copie vide : aucune réponse trouvée, à examiner par le jury.")
    wrong = [q for q in report.questions if q.verdict not in _RIGHT]
    if not wrong:
        lines.append("Questions non justes : aucune.")
        return lines
    lines.append(
        f"Questions non justes ({len(wrong)} sur {len(report.questions)}) : "
        + ", ".join(f"{q.id} ({VERDICT_WORDS[q.verdict]})" for q in wrong)
    )
    return lines


def _question(question: QuestionResult, units: Mapping[tuple[str, str], str]) -> list[str]:
    head = (
        f"{question.id} {question.title} — {VERDICT_WORDS[question.verdict]} — "
        f"{french.points(question.points)} / {french.points(question.max_points)}"
    )
    if question.verdict == Verdict.MISSING:
        return ["", head, f"  · {question.items[0].explanation}"]
    return ["", head, *(_item(i, units.get((question.id, i.key), "")) for i in question.items)]


def _item(item: ItemResult, unit: str) -> str:
    where = ""
    if item.cell:
        where = f" {item.cell} ({LOCATED_WORDS.get(item.located_by or '', item.located_by)})"
    formula = ""
    if item.formula:
        shown = french_formula(item.formula) if item.formula.startswith("=") else item.formula
        formula = f" {shown}"
    values = ""
    if item.verdict != Verdict.MISSING:
        expected = french.in_unit(item.expected, unit)
        values = f" attendu {expected}, trouvé {french.in_unit(item.found, unit, item.expected)}."
    verdict = VERDICT_WORDS[item.verdict]
    return f"  · {item.key} : {verdict}{where}{formula}{values} {item.explanation}"


def _evidence(report: CandidateReport) -> list[str]:
    evidence = report.evidence
    assert evidence is not None
    formats = ", ".join(f"{kind} {count}" for kind, count in evidence.number_formats) or "—"
    lines = [
        "",
        "Indices pour le jury :",
        f"  - feuilles ajoutées : {', '.join(evidence.added_sheets) or 'aucune'}",
        f"  - réponses trouvées : {evidence.answers_found} dont {evidence.answers_by_formula} "
        f"par formule et {evidence.labelled_answers} avec un libellé ou un en-tête",
        f"  - formats des réponses : {formats}",
        f"  - valeurs saisies sans formule : {', '.join(evidence.typed_answers) or 'aucune'}",
        f"  - mises en forme conditionnelles : {len(evidence.conditional_formats)}",
    ]
    lines.extend(f"      {c}" for c in evidence.conditional_formats)
    lines.append(f"  - graphiques : {len(evidence.charts)}")
    lines.extend(f"      {c}" for c in evidence.charts)
    return lines
