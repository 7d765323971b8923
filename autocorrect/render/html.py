"""The jury report: one self-contained French HTML page per candidate, read in a minute.

Order of the page: what needs the jury first (answers to check, overrides to look at again,
collusion signals), then the criteria with the proposal and why, the C16 attente-satisfaction
matrices, every question (those to check first) with verdict, points, located cell, the
candidate's formula with French function names, expected and found values and the chain of
carried-forward errors, then the workbook findings and the evidence for the jury.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

from autocorrect import french
from autocorrect.french import LOCATED_WORDS, VERDICT_WORDS
from autocorrect.jury.decisions import decision_text
from autocorrect.jury.overrides import FinalGrade, QuestionDecision
from autocorrect.render.formula_fr import french_formula
from autocorrect.render.matrix import matrix_section
from autocorrect.render.page import page, points, verdict_badge
from autocorrect.render.sheet import running_header_css, sheet_html
from autocorrect.report import ItemResult, QuestionResult, Status, Verdict
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry

_UPSTREAM = re.compile(r"([^\W_][\w.-]*)\[([^\]]+)\]")  # « S2-Q01[Total] » in a note
_MAX_CHAIN = 12


def render_report_html(
    entry: GradebookEntry, rubric: Rubric, neighbours: tuple[str | None, str | None] = (None, None)
) -> str:
    """The candidate sheet (one printed page), then the details as a collapsed annex;
    `neighbours` are the previous and next candidates of the index, linked at the bottom."""
    report = entry.report
    parts = [
        f"<style>{running_header_css('fiche', entry.name)}</style>",
        _nav(neighbours, top=True),
        sheet_html(entry, rubric, "fiche"),
    ]
    if report.status == Status.GRADED:
        annex = [
            _recheck(entry),
            matrix_section(report),
            _questions(entry, rubric.item_units()),
            _findings(entry),
            _evidence(entry),
        ]
        parts.append(
            '<details class="annexe" id="annexe">\n<summary>Annexe : détail des questions '
            "(erreurs d'abord), constats et indices pour le jury — ouvrir l'annexe avant "
            "d'imprimer pour l'imprimer aussi</summary>\n"
            + "\n".join(a for a in annex if a)
            + "\n</details>"
        )
    parts.append(_nav(neighbours, top=False))
    parts.append(
        '<footer class="screen-only">Proposition de pré-correction automatique : la décision '
        'appartient au jury. Retour au <a href="index.html">tableau du lot</a>.</footer>'
    )
    return page(f"Rapport — {entry.name}", "\n".join(p for p in parts if p))


def neighbours(names: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """Previous and next candidate of each, in the index's order (by name)."""
    ordered = sorted(names)
    return {
        name: (ordered[n - 1] if n else None, ordered[n + 1] if n + 1 < len(ordered) else None)
        for n, name in enumerate(ordered)
    }


def _nav(neighbours: tuple[str | None, str | None], top: bool) -> str:
    previous, following = neighbours
    links = ['<a href="index.html">tableau du lot</a>']
    if previous:
        links.insert(0, f'<a href="{escape(previous)}.html" rel="prev">← {escape(previous)}</a>')
    if following:
        links.append(f'<a href="{escape(following)}.html" rel="next">{escape(following)} →</a>')
    where = ' id="navigation"' if top else ""
    return f'<nav class="screen-only"{where}>' + " · ".join(links) + "</nav>"


def _recheck(entry: GradebookEntry) -> str:
    lines = _recheck_lines(entry.final)
    if not lines:
        return ""
    items = "".join(f"<li>{line}</li>" for line in lines)
    return (
        '<section id="a-revoir">\n<h2>Décisions à revoir</h2>\n'
        f'<ul class="tight">{items}</ul>\n</section>'
    )


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
    was = VERDICT_WORDS.get(Verdict(before.verdict), before.verdict)
    now = VERDICT_WORDS[decision.auto_verdict]
    if before.points < 0:
        return f"le verdict automatique est passé de « {was} » à « {now} » depuis la décision"
    return (
        f"le résultat automatique est passé de « {was} » ({points(before.points)} pt) à "
        f"« {now} » ({points(decision.auto_points)} pt) depuis la décision"
    )


# --- questions -----------------------------------------------------------------------------


_DETAIL_ORDER = {
    Verdict.REVIEW: 0,
    Verdict.INCORRECT: 1,
    Verdict.MISSING: 1,
    Verdict.HARDCODED: 1,
    Verdict.CONSEQUENTIAL: 1,
    Verdict.CORRECT: 2,
}


def _questions(entry: GradebookEntry, units: Mapping[tuple[str, str], str]) -> str:
    """Questions to check first, then the others that lost points or carry an error, then
    those that are right (each group in the rubric's order)."""
    report = entry.report
    decisions = {d.question: d for d in entry.final.decisions} if entry.final else {}
    index = _item_index(report.questions)
    ordered = sorted(
        report.questions, key=lambda q: 0 if _has_review(q) else _DETAIL_ORDER[q.verdict]
    )
    blocks = [_question(q, decisions.get(q.id), index, units) for q in ordered]
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
    units: Mapping[tuple[str, str], str],
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
        parts.append(_items_table(question, index, units))
    parts.append("</article>")
    return "\n".join(parts)


def _override_note(decision: QuestionDecision) -> str:
    text = (
        f"Décision du jury : {escape(decision_text(decision))}"
        f" — proposition automatique : {escape(VERDICT_WORDS[decision.auto_verdict])}, "
        f"{points(decision.auto_points)} pt."
    )
    alert = (
        f'<p class="alert">À revoir : {escape(_changed_text(decision))}.</p>'
        if decision.changed_from is not None
        else ""
    )
    return f'<p class="override">{text}</p>{alert}'


def _items_table(
    question: QuestionResult,
    index: Mapping[tuple[str, str], tuple[QuestionResult, ItemResult]],
    units: Mapping[tuple[str, str], str],
) -> str:
    rows = []
    items = sorted(question.items, key=lambda i: i.verdict != Verdict.REVIEW)
    for item in items:
        chain = _chain_html(question, item, index)
        rows.append(
            f"<tr><td>{escape(item.key)}</td><td>{verdict_badge(item.verdict)}</td>"
            f"<td>{_where(item)}</td><td>{_formula(item)}</td>"
            f"{_value_cell(item.expected, units.get((question.id, item.key), ''))}"
            f"{_value_cell(item.found, units.get((question.id, item.key), ''), item.expected)}"
            f"<td>{escape(item.explanation)}{chain}</td></tr>"
        )
    return (
        '<table><colgroup><col style="width:11%"><col style="width:11%"><col style="width:14%">'
        '<col style="width:22%"><col style="width:10%"><col style="width:10%"><col></colgroup>\n'
        "<tr><th>Élément</th><th>Verdict</th><th>Cellule</th><th>Formule du candidat</th>"
        '<th class="num">Attendu</th><th class="num">Trouvé</th><th>Explication</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def _value_cell(value: object, unit: str, expected: object = None) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{escape(french.in_unit(value, unit, expected))}</td>"


def _where(item: ItemResult) -> str:
    if not item.cell:
        return "—"
    sheet, bang, cell = item.cell.rpartition("!")
    place = (
        f"feuille « {escape(sheet.strip(chr(39)))} », {escape(cell)}"
        if bang
        else f"feuille « {escape(item.cell)} »"
    )
    how = LOCATED_WORDS.get(item.located_by or "", item.located_by or "")
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
            else f"{VERDICT_WORDS[upstream.verdict]} : origine de l'erreur"
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
