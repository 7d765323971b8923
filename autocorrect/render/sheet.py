"""The candidate sheet: one A4 page the jury prints, reads and signs.

Identity, the automatic and final marks (out of the rubric's maximum and out of 20), the
criteria with their proposal and reason, what is left to examine, one line per question
(verdict and points after the jury's decisions) and a signature zone. It opens every jury
report (`<candidat>.html`, the details follow as a collapsed annex) and the merged session page
(`fiches.html`, one sheet per candidate, a page break between two).

Printing: a running header (candidate, page number) in the page margin, table headers repeated
on every page, no word broken in the middle.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from autocorrect import french
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.jury.decisions import (
    FinalLine,
    decision_text,
    final_lines,
    is_blank,
    pending_items,
)
from autocorrect.render.gradebook import SIGNAL_FR
from autocorrect.render.page import page, proposal_badge, status_badge
from autocorrect.report import Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry


def sheet_html(entry: GradebookEntry, rubric: Rubric, page_name: str) -> str:
    """The sheet of one candidate, on the named page `page_name` (its running header)."""
    report = entry.report
    parts = [
        f'<section class="sheet" style="page: {page_name}">',
        _identity(entry, rubric),
        _marks(entry, rubric),
    ]
    if report.status == Status.GRADED:
        parts += [_to_examine(entry, rubric), _criteria(entry), _lines(entry)]
    else:
        parts.append(
            f'<section id="a-verifier"><h2>À examiner</h2><p class="alert">Copie non corrigée '
            f"automatiquement : {escape(report.message)} La note est à donner par le jury "
            "(ligne « copie » dans overrides.csv).</p></section>"
        )
    parts.append(_signature())
    parts.append("</section>")
    return "\n".join(parts)


def running_header_css(page_name: str, candidate: str) -> str:
    """A named page whose margin shows the candidate and the page number."""
    label = _css_string(f"autocorrect — {candidate}")
    return (
        f"@page {page_name} {{ @top-left {{ content: {label}; font-size: 9px; }} "
        '@top-right { content: "page " counter(page) " / " counter(pages); font-size: 9px; } }\n'
    )


def render_sheets_html(entries: Sequence[GradebookEntry], rubric: Rubric) -> str:
    """Every candidate's sheet in one printable page, a page break between two."""
    ordered = sorted(entries, key=lambda e: e.name)
    css = "".join(running_header_css(f"fiche-{i}", e.name) for i, e in enumerate(ordered))
    sheets = "\n".join(sheet_html(e, rubric, f"fiche-{i}") for i, e in enumerate(ordered))
    intro = (
        '<p class="meta screen-only">Une fiche par candidat ; imprimer cette page donne une '
        'page A4 par candidat. Retour au <a href="index.html">tableau du lot</a>.</p>'
    )
    body = f"<style>{css}</style>\n{intro}\n{sheets or '<p>Aucune copie.</p>'}"
    return page(f"Fiches — {rubric.id}", body)


# --- parts ------------------------------------------------------------------------------------


def _identity(entry: GradebookEntry, rubric: Rubric) -> str:
    return (
        f"<header>\n<h1>Fiche candidat — {escape(entry.name)}</h1>\n"
        f'<p class="meta">Fichier : {escape(entry.source)} · Barème : {escape(rubric.id)} '
        f"({escape(rubric.title)}) · Statut : {status_badge(entry.report.status)}</p>\n</header>"
    )


def _marks(entry: GradebookEntry, rubric: Rubric) -> str:
    report = entry.report
    hand = entry.final is not None and entry.final.hand_graded
    graded = report.status == Status.GRADED or hand
    maximum = report.max_score or float(sum(q.points for q in rubric.questions))
    auto = report.score if report.status == Status.GRADED else None
    final = entry.final_score if graded else None
    rows = [("Note automatique", auto, False), ("Note finale", final, True)]
    body = "".join(
        f"<tr><th>{label}</th>{_mark_cells(value, maximum, rubric.mark_step, strong)}</tr>"
        for label, value, strong in rows
    )
    step = french.points(rubric.mark_step)
    return (
        '<table class="marks" id="note"><thead><tr><th>Note</th>'
        f'<th class="num">sur {french.points(maximum)}</th><th class="num">sur 20</th></tr>'
        f"</thead><tbody>{body}</tbody></table>\n"
        f'<p class="meta">Note sur 20 arrondie au plus proche multiple de {step} point.</p>'
    )


def _mark_cells(value: float | None, maximum: float, step: float, strong: bool) -> str:
    if value is None:
        return "<td>—</td><td>—</td>"
    on_max = f"{french.points(value)} / {french.points(maximum)}"
    on_20 = f"{french.points(mark_out_of_20(value, maximum, step))} / 20"
    if strong:
        on_max, on_20 = f"<strong>{on_max}</strong>", f"<strong>{on_20}</strong>"
    return f"<td>{on_max}</td><td>{on_20}</td>"


def _criteria(entry: GradebookEntry) -> str:
    finals = {c.id: c for c in entry.final.criteria} if entry.final else {}
    rows = []
    for criterion in entry.report.criteria:
        final = finals.get(criterion.id, criterion)
        changed = final.proposal != criterion.proposal
        auto = (
            f"<br><small>automatique : {escape(str(criterion.proposal))}</small>" if changed else ""
        )
        rows.append(
            f"<tr><td><strong>{escape(criterion.id)}</strong> {escape(criterion.label)}</td>"
            f'<td class="num">{french.points(final.points)} / '
            f"{french.points(final.max_points)}</td>"
            f"<td>{proposal_badge(str(final.proposal))}{auto}</td>"
            f"<td>{escape(final.reason)}</td></tr>"
        )
    return (
        '<section id="criteres">\n<h2>Critères</h2>\n'
        '<table><colgroup><col style="width:36%"><col style="width:11%">'
        '<col style="width:15%"><col></colgroup>\n'
        '<thead><tr><th>Critère</th><th class="num">Points</th><th>Proposition</th>'
        "<th>Pourquoi</th></tr></thead>\n<tbody>" + "\n".join(rows) + "</tbody></table>\n"
        "</section>"
    )


def _to_examine(entry: GradebookEntry, rubric: Rubric) -> str:
    items = []
    if is_blank(entry.report):
        items.append(
            '<span class="blank">Copie vide</span> : aucune réponse trouvée (classeur identique '
            "au sujet ou rien de rempli)."
        )
    for question, item in pending_items(entry.report, entry.final):
        spec = rubric.item(question.id, item.key)
        unit = spec.unit if spec else ""
        label = f" (« {escape(item.label)} »)" if item.label else ""
        items.append(
            f"{escape(question.id)}[{escape(item.key)}] {escape(item.cell or '')}{label} : trouvé "
            f"{escape(french.in_unit(item.found, unit, item.expected))}, attendu "
            f"{escape(french.in_unit(item.expected, unit))}"
            f" — {escape(item.explanation)}"
        )
    if entry.final is not None:
        items.extend(
            f"{escape(d.question)} : décision du jury à revoir (le résultat automatique a "
            "changé depuis)"
            for d in entry.final.to_recheck
        )
    items.extend(
        f"Signal de collusion ({SIGNAL_FR[str(s.kind)]}) avec "
        f"{escape(', '.join(c for c in s.candidates if c != entry.name))}"
        for s in entry.signals
    )
    body = (
        '<ul class="tight">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        if items
        else "<p>Rien à examiner : aucune réponse à vérifier, aucune décision à revoir, aucun "
        "signal.</p>"
    )
    return f'<section id="a-verifier">\n<h2>À examiner</h2>\n{body}\n</section>'


def _lines(entry: GradebookEntry) -> str:
    rows = "\n".join(_line(line) for line in final_lines(entry.report, entry.final))
    return (
        '<section id="synthese">\n<h2>Questions</h2>\n'
        '<table><colgroup><col style="width:10%"><col><col style="width:17%">'
        '<col style="width:11%"></colgroup>\n'
        '<thead><tr><th>Question</th><th>Intitulé</th><th>Verdict</th><th class="num">Points'
        "</th></tr></thead>\n<tbody>" + rows + "</tbody></table>\n</section>"
    )


def _line(line: FinalLine) -> str:
    question = line.question
    note = ""
    if line.decision is not None:
        note = f'<br><small class="jury">Jury : {escape(decision_text(line.decision))}</small>'
    return (
        f"<tr><td>{escape(question.id)}</td><td>{escape(question.title)}{note}</td>"
        f'<td><span class="badge v-{escape(line.code)}">{escape(line.word)}</span></td>'
        f'<td class="num">{french.points(line.points)} / '
        f"{french.points(question.max_points)}</td></tr>"
    )


def _signature() -> str:
    return (
        '<div class="sign" id="signature"><div>Examinateur(s)</div><div>Date</div>'
        "<div>Signature(s)</div></div>"
    )


def _css_string(text: str) -> str:
    escaped = "".join(c if c.isalnum() or c in " —-_.,()'" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'
