"""The readable French report printed by `autocorrect grade`."""

from __future__ import annotations

import re

from autocorrect.report import CandidateReport, ItemResult, QuestionResult, Status, Verdict

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VERDICT_FR = {
    Verdict.CORRECT: "juste",
    Verdict.CONSEQUENTIAL: "report d'erreur",
    Verdict.HARDCODED: "valeur saisie",
    Verdict.INCORRECT: "faux",
    Verdict.MISSING: "absent",
    Verdict.REVIEW: "à vérifier",
}
STATUS_FR = {
    Status.GRADED: "corrigée",
    Status.UNREADABLE: "illisible",
    Status.ERROR: "erreur du correcteur",
}
LOCATED_FR = {
    "template": "case prévue",
    "label": "libellé",
    "table": "tableau",
    "value-search": "recherche par valeur",
}


def number(value: float) -> str:
    """French number: comma decimals, no useless zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def render_text(report: CandidateReport) -> str:
    lines = [
        f"Copie : {report.candidate} — barème {report.rubric}",
        f"Statut : {STATUS_FR[report.status]}",
    ]
    if report.status != Status.GRADED:
        lines.append(f"Motif : {report.message}")
        return "\n".join(lines) + "\n"
    lines[-1] += f" — note {number(report.score)} / {number(report.max_score)}"
    for criterion in report.criteria:
        lines.append(
            f"Critère {criterion.id} : {number(criterion.points)} / "
            f"{number(criterion.max_points)} → {criterion.proposal} ({criterion.reason})"
        )
    for question in report.questions:
        lines.extend(_question(question))
    if report.evidence is not None:
        lines.extend(_evidence(report))
    if report.findings:
        lines.append("")
        lines.append("Constats sur le classeur :")
        lines.extend(
            f"  - [{f.code}] {f.cell + ' : ' if f.cell else ''}{f.message}" for f in report.findings
        )
    return "\n".join(lines) + "\n"


def _question(question: QuestionResult) -> list[str]:
    head = (
        f"{question.id} {question.title} — {VERDICT_FR[question.verdict]} — "
        f"{number(question.points)} / {number(question.max_points)}"
    )
    if question.verdict == Verdict.MISSING:
        return ["", head, f"  · {question.items[0].explanation}"]
    return ["", head, *(_item(i) for i in question.items)]


def _item(item: ItemResult) -> str:
    where = ""
    if item.cell:
        where = f" {item.cell} ({LOCATED_FR.get(item.located_by or '', item.located_by)})"
    formula = f" {item.formula}" if item.formula else ""
    values = ""
    if item.verdict != Verdict.MISSING:
        values = f" attendu {_value(item.expected)}, trouvé {_value(item.found)}."
    return f"  · {item.key} : {VERDICT_FR[item.verdict]}{where}{formula}{values} {item.explanation}"


def _value(value: object) -> str:
    if isinstance(value, float):
        return number(value) if abs(value) >= 1 else f"{value:.4f}".replace(".", ",")
    if isinstance(value, str) and _ISO_DATE.match(value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return str(value)


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
