"""The index of a batch (`OUT/index.html`): counts per status and verdict, the questions most
often failed, what needs the jury, the sortable table of candidates linking to each report,
the collusion signals with their evidence, and the files that could not be graded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from autocorrect.jury.collusion import Signal
from autocorrect.jury.overrides import OverrideProblem
from autocorrect.render.gradebook import SIGNAL_FR
from autocorrect.render.page import page, points, proposal_badge, status_badge, verdict_badge
from autocorrect.report import Status, Verdict
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry, Ignored

FAILED = (Verdict.INCORRECT, Verdict.MISSING)

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.classList.add("sortable");
    th.title = "Cliquer pour trier";
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "fr");
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


@dataclass(frozen=True)
class IndexData:
    rubric: Rubric
    entries: tuple[GradebookEntry, ...]
    signals: tuple[Signal, ...]
    skipped: tuple[Ignored, ...]
    override_problems: tuple[OverrideProblem, ...]
    pending: tuple[str, ...] = ()  # not graded yet (interrupted run)


def render_index(data: IndexData) -> str:
    entries = sorted(data.entries, key=lambda e: e.name)
    body = "\n".join(
        part
        for part in (
            _head(data),
            _attention(entries, data),
            _failed_questions(entries, data.rubric),
            _table(entries, data.rubric),
            _signals(data.signals),
            _not_graded(entries, data.skipped),
            "<footer>Pré-correction automatique : chaque proposition et chaque signal est à "
            "apprécier par le jury, aucun n'est une décision.</footer>",
        )
        if part
    )
    return page(f"Lot — {data.rubric.id}", body, SORT_SCRIPT)


def _head(data: IndexData) -> str:
    statuses = Counter(str(e.report.status) for e in data.entries)
    verdicts = Counter(str(q.verdict) for e in data.entries for q in e.report.questions)
    status_counts = [
        f"<span>{status_badge(s)} {statuses.get(str(s), 0)}</span>" for s in Status
    ] + [f"<span>{status_badge('ignored')} {len(data.skipped)}</span>"]
    if data.pending:
        status_counts.append(f"<span>en attente (lot interrompu) {len(data.pending)}</span>")
    verdict_counts = [f"<span>{verdict_badge(v)} {verdicts.get(str(v), 0)}</span>" for v in Verdict]
    return (
        f"<header>\n<h1>Lot de copies — {escape(data.rubric.id)}</h1>\n"
        f'<p class="meta">{escape(data.rubric.title)} · {len(data.entries)} copie(s)</p>\n'
        "</header>\n<h2>Copies par statut</h2>\n"
        f'<div class="counts" id="statuts">{"".join(status_counts)}</div>\n'
        "<h2>Questions par verdict</h2>\n"
        f'<div class="counts" id="verdicts">{"".join(verdict_counts)}</div>'
    )


def _attention(entries: list[GradebookEntry], data: IndexData) -> str:
    items = []
    for entry in entries:
        link = f'<a href="{escape(entry.name)}.html">{escape(entry.name)}</a>'
        if entry.review:
            items.append(f"{link} : réponses à vérifier ({escape(', '.join(entry.review))})")
        if entry.final is not None and entry.final.to_recheck:
            ids = ", ".join(d.question for d in entry.final.to_recheck)
            items.append(
                f"{link} : dérogation à revoir, le résultat automatique a changé ({escape(ids)})"
            )
        if entry.report.status == Status.ERROR:
            items.append(f"{link} : {escape(entry.report.message)}")
    items.extend(
        f"overrides.csv, ligne {p.line} : {escape(p.message)}" for p in data.override_problems
    )
    if data.pending:
        items.append(
            f"{len(data.pending)} copie(s) pas encore corrigée(s) (lot interrompu) : relancer la "
            "même commande pour terminer."
        )
    if not items:
        return ""
    lis = "".join(f"<li>{i}</li>" for i in items)
    return (
        f'<section id="a-examiner">\n<h2>À examiner</h2>\n<ul class="tight">{lis}</ul>\n</section>'
    )


def _failed_questions(entries: list[GradebookEntry], rubric: Rubric) -> str:
    graded = [e for e in entries if e.report.status == Status.GRADED]
    if not graded:
        return ""
    failed: Counter[str] = Counter()
    for entry in graded:
        failed.update(q.id for q in entry.report.questions if q.verdict in FAILED)
    titles = {q.id: q.title for q in rubric.questions}
    ranked = sorted(titles, key=lambda q: (-failed[q], q))
    rows = "".join(
        f"<tr><td>{escape(q)}</td><td>{escape(titles[q])}</td>"
        f'<td class="num">{failed[q]}</td><td class="num">{failed[q] / len(graded):.0%}</td></tr>'
        for q in ranked[:10]
        if failed[q]
    )
    if not rows:
        return ""
    return (
        '<section id="questions-manquees">\n<h2>Questions les plus souvent manquées</h2>\n'
        '<p class="meta">Verdict « faux » ou « absent », parmi les copies corrigées.</p>\n'
        '<table><colgroup><col style="width:14%"><col><col style="width:12%">'
        '<col style="width:12%"></colgroup>'
        '<tr><th>Question</th><th>Intitulé</th><th class="num">Copies</th>'
        f'<th class="num">Part</th></tr>{rows}</table>\n</section>'
    )


def _table(entries: list[GradebookEntry], rubric: Rubric) -> str:
    criteria = [c.id for c in rubric.criteria]
    head = (
        "<tr><th>Candidat</th><th>Statut</th><th>Note</th><th>Note finale</th><th>%</th>"
        + "".join(f"<th>{escape(c)}</th>" for c in criteria)
        + "<th>À vérifier</th><th>Déro&shy;gations</th><th>Signaux</th></tr>"
    )
    rows = "\n".join(_row(e, criteria) for e in entries)
    return (
        '<section id="candidats">\n<h2>Copies</h2>\n'
        '<p class="meta">Cliquer sur un en-tête pour trier ; cliquer sur un nom pour ouvrir le '
        "rapport du jury.</p>\n"
        f'<table class="sortable"><colgroup><col style="width:26%"></colgroup>'
        f"<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        "</section>"
    )


def _row(entry: GradebookEntry, criteria: list[str]) -> str:
    report = entry.report
    graded = report.status == Status.GRADED
    share = entry.final_score / report.max_score if graded and report.max_score else None
    proposals = {c.id: str(c.proposal) for c in entry.final.criteria} if entry.final else {}
    cells = [
        f'<td><a href="{escape(entry.name)}.html">{escape(entry.name)}</a></td>',
        f'<td data-sort="{escape(str(report.status))}">{status_badge(report.status)}</td>',
        _num(report.score if graded else None),
        _num(entry.final_score if graded else None),
        f'<td class="num" data-sort="{share if share is not None else -1:.4f}">'
        f"{f'{share:.0%}' if share is not None else '—'}</td>",
        *(f"<td>{proposal_badge(proposals[c]) if c in proposals else '—'}</td>" for c in criteria),
        f'<td class="num">{len(entry.review)}</td>',
        f'<td class="num">{len(entry.final.overridden) if entry.final else 0}</td>',
        f'<td class="num">{len(entry.signals)}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _num(value: float | None) -> str:
    if value is None:
        return '<td class="num" data-sort="-1">—</td>'
    return f'<td class="num" data-sort="{value:.4f}">{points(value)}</td>'


def _signals(signals: Sequence[Signal]) -> str:
    if not signals:
        body = "<p>Aucun signal de collusion dans ce lot.</p>"
    else:
        rows = "\n".join(
            f"<tr><td>{escape(SIGNAL_FR[str(s.kind)])}</td>"
            f"<td>{', '.join(_link(c) for c in s.candidates)}</td>"
            f'<td class="num">{s.measure:g}</td>'
            f"<td>{'<br>'.join(escape(e) for e in s.evidence)}</td></tr>"
            for s in signals
        )
        body = (
            '<table><colgroup><col style="width:18%"><col style="width:24%">'
            '<col style="width:9%"><col></colgroup>'
            '<tr><th>Signal</th><th>Copies</th><th class="num">Mesure</th><th>Preuves</th></tr>'
            f"\n{rows}\n</table>"
        )
    return (
        '<section id="collusion">\n<h2>Signaux de collusion</h2>\n'
        '<p class="meta">Des faits à apprécier par le jury, jamais une sanction : fichiers '
        "identiques, métadonnées identiques, formules quasi identiques, mêmes réponses fausses. "
        "Détail dans collusion.csv.</p>\n"
        f"{body}\n</section>"
    )


def _link(name: str) -> str:
    return f'<a href="{escape(name)}.html">{escape(name)}</a>'


def _not_graded(entries: list[GradebookEntry], skipped: Sequence[Ignored]) -> str:
    rows = [
        f"<tr><td>{escape(e.source)}</td><td>{status_badge(e.report.status)}</td>"
        f"<td>{escape(e.report.message)}</td></tr>"
        for e in entries
        if e.report.status != Status.GRADED
    ]
    rows += [
        f"<tr><td>{escape(i.name)}</td><td>{status_badge('ignored')}</td>"
        f"<td>{escape(i.reason)}</td></tr>"
        for i in sorted(skipped)
    ]
    if not rows:
        return ""
    return (
        '<section id="non-corrigees">\n<h2>Fichiers non corrigés automatiquement</h2>\n'
        '<table><colgroup><col style="width:26%"><col style="width:16%"><col></colgroup>'
        "<tr><th>Fichier</th><th>Statut</th><th>Motif</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n</section>"
    )
