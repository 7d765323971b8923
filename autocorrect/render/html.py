"""The jury report: one self-contained French HTML page per candidate, read in a minute.

Order of the page: what needs the jury first (answers to check, overrides to look at again,
collusion signals), then the criteria with the proposal and why, the C16 attente-satisfaction
matrices, every question (those to check first) with verdict, points, located cell, the
candidate's formula with French function names, expected and found values and the chain of
carried-forward errors, then the workbook findings and the evidence for the jury.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from autocorrect.jury.overrides import FinalGrade, QuestionDecision
from autocorrect.render.french import french_formula, french_value
from autocorrect.render.gradebook import SIGNAL_FR
from autocorrect.render.matrix import matrix_section
from autocorrect.render.page import page, points, proposal_badge, status_badge, verdict_badge
from autocorrect.render.text import LOCATED_FR, VERDICT_FR
from autocorrect.report import ItemResult, QuestionResult, Status, Verdict
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry

_UPSTREAM = re.compile(r"([^\W_][\w.-]*)\[([^\]]+)\]")  # « S2-Q01[Total] » in a note
_MAX_CHAIN = 12


def render_report_html(entry: GradebookEntry, rubric: Rubric) -> str:
    report = entry.report
    parts = [_header(entry, rubric)]
    if report.status != Status.GRADED:
        parts.append(f'<h2>Copie non corrigée</h2>\n<p class="alert">{escape(report.message)}</p>')
    else:
        parts.append(_first(entry))
        parts.append(_criteria(entry))
        parts.append(_overview(entry))
        parts.append(matrix_section(report))
        parts.append(_questions(entry))
        parts.append(_findings(entry))
        parts.append(_evidence(entry))
    parts.append(
        "<footer>Proposition de pré-correction automatique : la décision appartient au jury. "
        'Retour au <a href="index.html">tableau du lot</a>.</footer>'
    )
    return page(f"Rapport — {entry.name}", "\n".join(p for p in parts if p))


def _header(entry: GradebookEntry, rubric: Rubric) -> str:
    report = entry.report
    lines = [
        f"<header>\n<h1>Rapport de pré-correction — {escape(entry.name)}</h1>",
        f'<p class="meta">Fichier : {escape(entry.source)} · Barème : {escape(rubric.id)} '
        f"({escape(rubric.title)}) · Statut : {status_badge(report.status)}</p>",
    ]
    if report.status == Status.GRADED:
        final = entry.final_score
        lines.append(
            f'<p class="score" id="note">Note automatique <strong>{points(report.score)}</strong>'
            f" / {points(report.max_score)} · Note finale <strong>{points(final)}</strong> / "
            f"{points(report.max_score)}</p>"
        )
    lines.append("</header>")
    return "\n".join(lines)


# --- what the jury looks at first -------------------------------------------------------------


def _first(entry: GradebookEntry) -> str:
    items = [
        *_review_lines(entry),
        *_recheck_lines(entry.final),
        *(
            f"Signal de collusion ({SIGNAL_FR[str(s.kind)]}) avec "
            f"{escape(', '.join(c for c in s.candidates if c != entry.name))} : "
            f"{escape(s.evidence[0])}"
            for s in entry.signals
        ),
    ]
    body = (
        '<ul class="tight">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        if items
        else "<p>Rien à vérifier en priorité : aucune réponse douteuse, aucune dérogation à "
        "revoir, aucun signal.</p>"
    )
    return f'<section id="a-verifier">\n<h2>À examiner en premier</h2>\n{body}\n</section>'


def _review_lines(entry: GradebookEntry) -> list[str]:
    lines = []
    for question in entry.report.questions:
        for item in question.items:
            if item.verdict == Verdict.REVIEW:
                lines.append(
                    f'<a href="#{_anchor(question.id)}">{escape(question.id)}[{escape(item.key)}]'
                    f"</a> {verdict_badge(item.verdict)} {escape(item.cell or '')} : "
                    f"{escape(item.explanation)}"
                )
    return lines


def _recheck_lines(final: FinalGrade | None) -> list[str]:
    if final is None:
        return []
    return [
        f'<a href="#{_anchor(d.question)}">{escape(d.question)}</a> : dérogation du jury à '
        f"revoir — {escape(_changed_text(d))}"
        for d in final.to_recheck
    ]


def _changed_text(decision: QuestionDecision) -> str:
    before = decision.changed_from
    if before is None:
        return ""
    was = VERDICT_FR.get(Verdict(before.verdict), before.verdict)
    now = VERDICT_FR[decision.auto_verdict]
    if before.points < 0:
        return f"le verdict automatique est passé de « {was} » à « {now} » depuis la décision"
    return (
        f"le résultat automatique est passé de « {was} » ({points(before.points)} pt) à "
        f"« {now} » ({points(decision.auto_points)} pt) depuis la décision"
    )


# --- criteria -------------------------------------------------------------------------------


def _criteria(entry: GradebookEntry) -> str:
    finals = {c.id: c for c in entry.final.criteria} if entry.final else {}
    rows = []
    for criterion in entry.report.criteria:
        final = finals.get(criterion.id, criterion)
        changed = final.proposal != criterion.proposal or final.points != criterion.points
        final_cell = (
            f"{proposal_badge(str(final.proposal))} {points(final.points)} pt" if changed else "="
        )
        rows.append(
            f"<tr><td><strong>{escape(criterion.id)}</strong><br>{escape(criterion.label)}</td>"
            f'<td class="num">{points(criterion.points)} / {points(criterion.max_points)}</td>'
            f"<td>{proposal_badge(str(criterion.proposal))}</td><td>{final_cell}</td>"
            f"<td>{escape(criterion.reason)}</td></tr>"
        )
    return (
        '<section id="criteres">\n<h2>Critères : proposition et justification</h2>\n'
        '<table><colgroup><col style="width:34%"><col style="width:11%"><col style="width:12%">'
        '<col style="width:13%"><col></colgroup>\n'
        "<tr><th>Critère</th><th>Points</th><th>Proposition</th>"
        "<th>Après dérogations</th><th>Pourquoi</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        "</section>"
    )


# --- questions -----------------------------------------------------------------------------


def _overview(entry: GradebookEntry) -> str:
    """One row per question in the rubric's order: the page read in ten seconds."""
    decisions = {d.question: d for d in entry.final.decisions} if entry.final else {}
    rows = []
    for question in entry.report.questions:
        decision = decisions.get(question.id)
        final = (
            f"{points(decision.final_points)} (dérogation)"
            if decision is not None and decision.override is not None
            else ""
        )
        cells = _cells_summary([i.cell for i in question.items if i.cell])
        rows.append(
            f'<tr><td><a href="#{_anchor(question.id)}">{escape(question.id)}</a></td>'
            f"<td>{escape(question.title)}</td><td>{verdict_badge(question.verdict)}</td>"
            f'<td class="num">{points(question.points)} / {points(question.max_points)}</td>'
            f'<td class="num">{final}</td><td>{escape(cells)}</td></tr>'
        )
    return (
        '<section id="synthese">\n<h2>Vue d\'ensemble</h2>\n'
        '<table><colgroup><col style="width:10%"><col style="width:34%"><col style="width:13%">'
        '<col style="width:10%"><col style="width:11%"><col></colgroup>\n'
        "<tr><th>Question</th><th>Intitulé</th><th>Verdict</th><th>Points</th>"
        "<th>Après dérogation</th><th>Cellules</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        "</section>"
    )


def _cells_summary(cells: list[str]) -> str:
    """Up to three cells as written; beyond, the sheets and the count."""
    unique = list(dict.fromkeys(cells))
    if len(unique) <= 3:
        return ", ".join(unique)
    return f"{unique[0]} … {unique[-1]} ({len(unique)} cellules)"


_DETAIL_ORDER = {
    Verdict.REVIEW: 0,
    Verdict.INCORRECT: 1,
    Verdict.MISSING: 1,
    Verdict.HARDCODED: 1,
    Verdict.CONSEQUENTIAL: 1,
    Verdict.CORRECT: 2,
}


def _questions(entry: GradebookEntry) -> str:
    """Questions to check first, then the others that lost points or carry an error, then
    those that are right (each group in the rubric's order)."""
    report = entry.report
    decisions = {d.question: d for d in entry.final.decisions} if entry.final else {}
    index = _item_index(report.questions)
    ordered = sorted(
        report.questions, key=lambda q: 0 if _has_review(q) else _DETAIL_ORDER[q.verdict]
    )
    blocks = [_question(q, decisions.get(q.id), index) for q in ordered]
    return (
        '<section id="questions">\n<h2>Détail des questions</h2>\n'
        '<p class="meta">À vérifier d\'abord, puis les questions avec une erreur, puis les '
        "questions justes.</p>\n" + "\n".join(blocks) + "\n</section>"
    )


def _has_review(question: QuestionResult) -> bool:
    return question.verdict == Verdict.REVIEW or any(
        i.verdict == Verdict.REVIEW for i in question.items
    )


def _question(
    question: QuestionResult,
    decision: QuestionDecision | None,
    index: Mapping[tuple[str, str], tuple[QuestionResult, ItemResult]],
) -> str:
    css = "question first" if _has_review(question) else "question"
    head = (
        f'<article class="{css}" id="{_anchor(question.id)}">\n'
        f"<h3>{escape(question.id)} {escape(question.title)} {verdict_badge(question.verdict)} "
        f'<span class="pts">{points(question.points)} / {points(question.max_points)} pt'
        "</span></h3>"
    )
    parts = [head]
    if decision is not None and decision.override is not None:
        parts.append(_override_note(decision))
    if question.verdict == Verdict.MISSING:
        parts.append(f"<p>{escape(question.items[0].explanation)}</p>")
    else:
        parts.append(_items_table(question, index))
    parts.append("</article>")
    return "\n".join(parts)


def _override_note(decision: QuestionDecision) -> str:
    override = decision.override
    assert override is not None
    who = ", ".join(x for x in (override.author, override.reason) if x)
    text = (
        f"Dérogation du jury : {escape(VERDICT_FR[decision.final_verdict])}, "
        f"{points(decision.final_points)} / {points(decision.max_points)} pt"
        + (f" ({escape(who)})" if who else "")
        + f" — proposition automatique : {escape(VERDICT_FR[decision.auto_verdict])}, "
        f"{points(decision.auto_points)} pt."
    )
    alert = (
        f'<p class="alert">À revoir : {escape(_changed_text(decision))}.</p>'
        if decision.changed_from is not None
        else ""
    )
    return f'<p class="override">{text}</p>{alert}'


def _items_table(
    question: QuestionResult, index: Mapping[tuple[str, str], tuple[QuestionResult, ItemResult]]
) -> str:
    rows = []
    items = sorted(question.items, key=lambda i: i.verdict != Verdict.REVIEW)
    for item in items:
        chain = _chain_html(question, item, index)
        rows.append(
            f"<tr><td>{escape(item.key)}</td><td>{verdict_badge(item.verdict)}</td>"
            f"<td>{_where(item)}</td><td>{_formula(item)}</td>"
            f"{_value_cell(item.expected)}{_value_cell(item.found)}"
            f"<td>{escape(item.explanation)}{chain}</td></tr>"
        )
    return (
        '<table><colgroup><col style="width:9%"><col style="width:11%"><col style="width:14%">'
        '<col style="width:24%"><col style="width:10%"><col style="width:10%"><col></colgroup>\n'
        "<tr><th>Élément</th><th>Verdict</th><th>Cellule</th><th>Formule du candidat</th>"
        '<th class="num">Attendu</th><th class="num">Trouvé</th><th>Explication</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def _value_cell(value: object) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{escape(french_value(value))}</td>"


def _where(item: ItemResult) -> str:
    if not item.cell:
        return "—"
    sheet, bang, cell = item.cell.rpartition("!")
    place = (
        f"feuille « {escape(sheet.strip(chr(39)))} », {escape(cell)}"
        if bang
        else f"feuille « {escape(item.cell)} »"
    )
    how = LOCATED_FR.get(item.located_by or "", item.located_by or "")
    return place + (f"<br><small>trouvée par {escape(how)}</small>" if how else "")


def _formula(item: ItemResult) -> str:
    if not item.formula:
        return "<small>valeur saisie</small>" if item.found is not None else "—"
    if not item.formula.startswith("="):  # a chart's series, not a cell formula
        return f'<span class="formula">{escape(item.formula)}</span>'
    return f'<span class="formula">{escape(french_formula(item.formula))}</span>'


# --- carried-forward errors -------------------------------------------------------------------


def _item_index(
    questions: tuple[QuestionResult, ...],
) -> dict[tuple[str, str], tuple[QuestionResult, ItemResult]]:
    return {(q.id, i.key): (q, i) for q in questions for i in q.items}


def error_chain(
    question: QuestionResult,
    item: ItemResult,
    index: Mapping[tuple[str, str], tuple[QuestionResult, ItemResult]],
) -> list[tuple[QuestionResult, ItemResult]]:
    """The upstream answers a carried-forward error comes from, nearest first, down to the
    first one that is wrong on its own (each step follows the first cause named)."""
    chain: list[tuple[QuestionResult, ItemResult]] = []
    seen = {(question.id, item.key)}
    current = item
    while current.verdict == Verdict.CONSEQUENTIAL and len(chain) < _MAX_CHAIN:
        causes = [index[k] for k in _UPSTREAM.findall(current.explanation) if k in index]
        causes = [c for c in causes if (c[0].id, c[1].key) not in seen]
        if not causes:
            break
        chain.append(causes[0])
        seen.add((causes[0][0].id, causes[0][1].key))
        current = causes[0][1]
    return chain


def _chain_html(
    question: QuestionResult,
    item: ItemResult,
    index: Mapping[tuple[str, str], tuple[QuestionResult, ItemResult]],
) -> str:
    chain = error_chain(question, item, index)
    if not chain:
        return ""
    steps = [f"{escape(question.id)}[{escape(item.key)}]"]
    for upstream_question, upstream in chain:
        role = (
            "report d'erreur"
            if upstream.verdict == Verdict.CONSEQUENTIAL
            else f"{VERDICT_FR[upstream.verdict]} : origine de l'erreur"
        )
        steps.append(
            f'<a href="#{_anchor(upstream_question.id)}">{escape(upstream_question.id)}'
            f"[{escape(upstream.key)}]</a> {escape(upstream_question.title)} ({escape(role)})"
        )
    return '<div class="chain">Chaîne du report d\'erreur : ' + " ← ".join(steps) + "</div>"


# --- findings and evidence --------------------------------------------------------------------


def _findings(entry: GradebookEntry) -> str:
    findings = entry.report.findings
    if not findings:
        return ""
    rows = "".join(
        f"<li><code>{escape(str(f.code))}</code> {escape(f.cell or '')} {escape(f.message)}</li>"
        for f in findings
    )
    return (
        '<section id="constats">\n<h2>Constats sur le classeur</h2>\n'
        f'<ul class="tight">{rows}</ul>\n</section>'
    )


def _evidence(entry: GradebookEntry) -> str:
    evidence = entry.report.evidence
    if evidence is None:
        return ""
    formats = ", ".join(f"{kind} : {count}" for kind, count in evidence.number_formats) or "—"
    facts = [
        ("Feuilles ajoutées", ", ".join(evidence.added_sheets) or "aucune"),
        ("Réponses trouvées", str(evidence.answers_found)),
        ("dont obtenues par une formule", str(evidence.answers_by_formula)),
        ("dont accompagnées d'un libellé ou d'un en-tête", str(evidence.labelled_answers)),
        ("Valeurs saisies sans formule", ", ".join(evidence.typed_answers) or "aucune"),
        ("Formats des réponses", formats),
        (
            "Mises en forme conditionnelles",
            "; ".join(evidence.conditional_formats) or "aucune",
        ),
        ("Graphiques", "; ".join(evidence.charts) or "aucun"),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    return (
        '<section id="indices">\n<h2>Indices pour le jury</h2>\n'
        '<p class="meta">Faits observés dans le classeur pour les critères que le jury '
        "apprécie (lisibilité, pertinence) : aucun n'est noté automatiquement.</p>\n"
        f'<table><colgroup><col style="width:32%"><col></colgroup>{rows}</table>\n</section>'
    )


def _anchor(question_id: str) -> str:
    return "q-" + re.sub(r"[^A-Za-z0-9_-]", "-", question_id)
