"""The index of a batch (`OUT/index.html`): counts per status and verdict, the questions most
often failed, what needs the jury, the sortable table of candidates linking to each report,
the collusion signals with their evidence, and the files that could not be graded."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from autocorrect import french
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.jury.collusion import Signal
from autocorrect.jury.decisions import final_lines, is_blank, pending_questions, to_decide
from autocorrect.jury.overrides import OverrideProblem
from autocorrect.render.gradebook import SIGNAL_FR
from autocorrect.render.page import page, points, proposal_badge, status_badge, verdict_badge
from autocorrect.report import Proposal, Status, Verdict
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry, Ignored

FAILED = (Verdict.INCORRECT, Verdict.MISSING)

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.classList.add("sortable");
    th.title = "Cliquer (ou Entrée) pour trier";
    th.tabIndex = 0;
    th.setAttribute("role", "button");
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); th.click(); }
    });
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
(function () {
  var form = document.getElementById("filtres");
  if (!form) return;
  function apply() {
    var text = form.querySelector("[name=recherche]").value.trim().toLowerCase();
    var status = form.querySelector("[name=statut]").value;
    var flags = Array.prototype.filter.call(form.querySelectorAll("input[type=checkbox]"),
      function (box) { return box.checked; }).map(function (box) { return box.name; });
    document.querySelectorAll("#candidats tbody tr").forEach(function (row) {
      var shown = row.dataset.name.indexOf(text) !== -1 &&
        (!status || row.dataset.statut === status) &&
        flags.every(function (flag) { return row.dataset[flag] === "1"; });
      row.hidden = !shown;
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
})();
"""
PROPOSAL_ORDER = {"non acquis": 0, "à vérifier": 1, "acquis": 2}  # sort by meaning
RIGHT = (Verdict.CORRECT, Verdict.CONSEQUENTIAL)


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
            _distribution(entries, data.rubric),
            _success(entries, data.rubric),
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
    asked = sum(len(to_decide(e.report)) for e in data.entries)
    left = sum(len(pending_questions(e.report, e.final)) for e in data.entries)
    status_counts.append(f'<span id="decides">{asked - left} / {asked} décidés</span>')
    return (
        f"<header>\n<h1>Lot de copies — {escape(data.rubric.id)}</h1>\n"
        f'<p class="meta">{escape(data.rubric.title)} · '
        f"{french.plural(len(data.entries), 'copie')}</p>\n"
        "</header>\n<h2>Copies par statut</h2>\n"
        f'<div class="counts" id="statuts">{"".join(status_counts)}</div>\n'
        "<h2>Questions par verdict</h2>\n"
        f'<div class="counts" id="verdicts">{"".join(verdict_counts)}</div>'
    )


def _attention(entries: list[GradebookEntry], data: IndexData) -> str:
    items = []
    for entry in entries:
        link = f'<a href="{escape(entry.name)}.html">{escape(entry.name)}</a>'
        pending = pending_questions(entry.report, entry.final)
        if pending:
            items.append(f"{link} : réponses à vérifier ({escape(', '.join(pending))})")
        if is_blank(entry.report):
            items.append(f"{link} : copie vide, aucune réponse trouvée")
        if entry.report.status == Status.UNREADABLE:
            hand = entry.final is not None and entry.final.hand_graded
            items.append(
                f"{link} : copie illisible, "
                + ("note donnée par le jury" if hand else "note à donner par le jury")
                + f" — {escape(entry.report.message)}"
            )
        if entry.final is not None and entry.final.to_recheck:
            ids = ", ".join(d.question for d in entry.final.to_recheck)
            items.append(
                f"{link} : dérogation à revoir, le résultat automatique a changé ({escape(ids)})"
            )
        if entry.report.status == Status.ERROR:
            items.append(f"{link} : erreur du correcteur — {escape(entry.report.message)}")
    items.extend(
        f"overrides.csv, ligne {p.line} : {escape(p.message)}" for p in data.override_problems
    )
    if data.pending:
        items.append(
            french.plural(
                len(data.pending), "copie pas encore corrigée", "copies pas encore corrigées"
            )
            + " (lot interrompu) : relancer la même commande pour terminer."
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
        f'<td class="num">{failed[q]}</td>'
        f'<td class="num">{french.percent(failed[q] / len(graded), 0)}</td></tr>'
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
        + "<th>Décidés</th><th>Décisions</th><th>Signaux</th></tr>"
    )
    rows = "\n".join(_row(e, criteria) for e in entries)
    statuses = "".join(
        f'<option value="{escape(str(s))}">{escape(french.STATUS_WORDS[s])}</option>'
        for s in Status
    )
    filters = (
        '<form id="filtres" class="screen-only" role="search" onsubmit="return false">'
        '<label>Rechercher <input type="search" name="recherche" placeholder="nom"></label> '
        f'<label>Statut <select name="statut"><option value="">tous</option>{statuses}'
        "</select></label> "
        '<label><input type="checkbox" name="averifier"> à vérifier</label> '
        '<label><input type="checkbox" name="nonacquis"> non acquis</label> '
        '<label><input type="checkbox" name="signaux"> signaux</label></form>\n'
    )
    return (
        '<section id="candidats">\n<h2>Copies</h2>\n'
        '<p class="meta">Cliquer sur un en-tête (ou le choisir au clavier et appuyer sur '
        "Entrée) pour trier ; cliquer sur un nom pour ouvrir le rapport du jury. Les "
        '<a href="fiches.html">fiches de tous les candidats</a> s\'impriment en une page '
        "chacune.</p>\n"
        + filters
        + '<table class="sortable"><colgroup><col style="width:26%"></colgroup>'
        f"<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        "</section>"
    )


def _row(entry: GradebookEntry, criteria: list[str]) -> str:
    report = entry.report
    graded = report.status == Status.GRADED
    mark = _final_mark(entry)
    share = mark / entry.final.max_score if mark is not None and entry.final else None
    proposals = {c.id: str(c.proposal) for c in entry.final.criteria} if entry.final else {}
    flags = {
        "averifier": bool(pending_questions(report, entry.final)),
        "nonacquis": "non acquis" in proposals.values(),
        "signaux": bool(entry.signals),
    }
    data = " ".join(f'data-{k}="{int(v)}"' for k, v in flags.items())
    cells = [
        f'<td><a href="{escape(entry.name)}.html">{escape(entry.name)}</a></td>',
        f'<td data-sort="{escape(str(report.status))}">{status_badge(report.status)}</td>',
        _num(report.score if graded else None),
        _num(mark),
        f'<td class="num" data-sort="{share if share is not None else -1:.4f}">'
        f"{french.percent(share, 0) if share is not None else '—'}</td>",
        *(_proposal_cell(proposals.get(c)) for c in criteria),
        _decided_cell(entry),
        f'<td class="num">{len(entry.final.overridden) if entry.final else 0}</td>',
        f'<td class="num">{len(entry.signals)}</td>',
    ]
    return (
        f'<tr data-name="{escape(entry.name.lower())}" data-statut="{escape(str(report.status))}" '
        f"{data}>" + "".join(cells) + "</tr>"
    )


def _final_mark(entry: GradebookEntry) -> float | None:
    """The final mark, for a graded copy or one the jury marked by hand; None otherwise."""
    if entry.final is None:
        return None
    return entry.final.final_score if entry.final.max_score else None


def _distribution(entries: list[GradebookEntry], rubric: Rubric) -> str:
    """Final marks out of 20: a histogram (one bar per 2 points), the mean and the median."""
    marks = [
        mark_out_of_20(m, e.final.max_score, rubric.mark_step)
        for e in entries
        if e.final is not None and (m := _final_mark(e)) is not None
    ]
    if not marks:
        return ""
    bins = Counter(min(int(m // 2), 9) for m in marks)
    tallest = max(bins.values())
    bars = []
    for b in range(10):
        height = 100 * bins.get(b, 0) / tallest
        x = 10 + b * 38
        bars.append(
            f'<rect x="{x}" y="{110 - height:.1f}" width="32" height="{height:.1f}" '
            f'fill="#4472c4"><title>{2 * b}–{2 * b + 2} : {bins.get(b, 0)}</title></rect>'
            f'<text x="{x + 16}" y="{106 - height:.1f}" text-anchor="middle" '
            f'font-size="10">{bins.get(b, 0) or ""}</text>'
            f'<text x="{x + 16}" y="124" text-anchor="middle" font-size="10">{2 * b}–{2 * b + 2}'
            "</text>"
        )
    svg = (
        '<svg viewBox="0 0 400 130" role="img" aria-label="Répartition des notes sur 20" '
        f'style="max-width:520px;width:100%">{"".join(bars)}</svg>'
    )
    return (
        '<section id="repartition">\n<h2>Répartition des notes finales sur 20</h2>\n'
        f'<p class="counts"><span>copies notées : {len(marks)}</span>'
        f"<span>moyenne : {french.points(statistics.fmean(marks))}</span>"
        f"<span>médiane : {french.points(statistics.median(marks))}</span></p>\n"
        f"<figure>{svg}</figure>\n</section>"
    )


def _success(entries: list[GradebookEntry], rubric: Rubric) -> str:
    """Success rate of every question (final verdict juste or report d'erreur) and acquis rate
    of every criterion, among the graded copies."""
    graded = [e for e in entries if e.report.status == Status.GRADED]
    if not graded:
        return ""
    right: Counter[str] = Counter()
    acquis: Counter[str] = Counter()
    for entry in graded:
        for line in final_lines(entry.report, entry.final):
            right[line.question.id] += line.code in RIGHT or (
                line.decision is not None and line.points >= line.question.max_points
            )
        finals = entry.final.criteria if entry.final else entry.report.criteria
        acquis.update(c.id for c in finals if c.proposal == Proposal.ACQUIS)
    total = len(graded)
    questions = "".join(
        f"<tr><td>{escape(q.id)}</td><td>{escape(q.title)}</td>"
        f'<td class="num" data-sort="{right[q.id] / total:.4f}">'
        f"{french.percent(right[q.id] / total, 0)}</td></tr>"
        for q in rubric.questions
    )
    criteria = "".join(
        f"<tr><td>{escape(c.id)}</td><td>{escape(c.label)}</td>"
        f'<td class="num">{french.percent(acquis[c.id] / total, 0)}</td></tr>'
        for c in rubric.criteria
    )
    return (
        '<section id="reussite">\n<h2>Réussite par question et par critère</h2>\n'
        f'<p class="meta">Parmi les {french.plural(total, "copie corrigée", "copies corrigées")}, '
        "après les décisions du jury.</p>\n"
        '<table class="sortable"><thead><tr><th>Critère</th><th>Libellé</th>'
        f'<th class="num">Acquis</th></tr></thead><tbody>{criteria}</tbody></table>\n'
        '<table class="sortable"><thead><tr><th>Question</th><th>Intitulé</th>'
        f'<th class="num">Réussite</th></tr></thead><tbody>{questions}</tbody></table>\n'
        "</section>"
    )


def _proposal_cell(proposal: str | None) -> str:
    if proposal is None:
        return '<td data-sort="-1">—</td>'
    return f'<td data-sort="{PROPOSAL_ORDER.get(proposal, 1)}">{proposal_badge(proposal)}</td>'


def _decided_cell(entry: GradebookEntry) -> str:
    """« x / y décidés »: questions the jury has decided among those it had to."""
    asked = len(to_decide(entry.report))
    left = len(pending_questions(entry.report, entry.final))
    text = f"{asked - left} / {asked}" if asked else "—"
    return f'<td class="num" data-sort="{left}">{text}</td>'


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
