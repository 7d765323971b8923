"""The batch outputs made for the jury's working day, by relative path:

- `fiches.html`: every candidate sheet in one printable page (one A4 page per candidate);
- `overrides-a-completer.csv`: one pre-filled line per question still to decide, in the
  format of `overrides.csv` (French Excel conventions), to complete and copy over;
- `revue/<question>.html`: one page per question listing the undecided answers of every copy
  side by side, grouped by identical answers, with the lines that apply one decision to a
  whole group, ready to paste into `overrides.csv`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from html import escape

from autocorrect import french
from autocorrect.jury.decisions import pending_items
from autocorrect.jury.overrides import HEADER as OVERRIDES_HEADER
from autocorrect.render.csv_fr import french_csv
from autocorrect.render.formula_fr import french_formula
from autocorrect.render.page import page
from autocorrect.render.sheet import render_sheets_html
from autocorrect.report import ItemResult, QuestionResult
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry

SHEETS_FILE = "fiches.html"
TO_FILL_FILE = "overrides-a-completer.csv"
REVIEW_DIR = "revue"
TO_FILL_HEADER = (
    *OVERRIDES_HEADER,
    "verdict automatique",
    "éléments",
    "cellules",
    "libellés du candidat",
    "trouvé",
    "attendu",
    "explication",
)


def jury_outputs(entries: Sequence[GradebookEntry], rubric: Rubric) -> dict[str, str]:
    outputs = {
        SHEETS_FILE: render_sheets_html(entries, rubric),
        TO_FILL_FILE: render_to_fill_csv(entries, rubric),
    }
    for question in rubric.questions:
        outputs[review_page_name(question.id)] = render_review_page(question.id, entries, rubric)
    return outputs


def review_page_name(question_id: str) -> str:
    return f"{REVIEW_DIR}/{re.sub(r'[^A-Za-z0-9_-]', '-', question_id)}.html"


# --- the overrides to fill --------------------------------------------------------------------


def render_to_fill_csv(entries: Sequence[GradebookEntry], rubric: Rubric) -> str:
    units = rubric.item_units()
    rows: list[list[str]] = [list(TO_FILL_HEADER)]
    for entry in sorted(entries, key=lambda e: e.name):
        by_question: dict[str, list[ItemResult]] = defaultdict(list)
        for question, item in pending_items(entry.report, entry.final):
            by_question[question.id].append(item)
        for question_id, items in by_question.items():
            unit = {i.key: units.get((question_id, i.key), "") for i in items}
            rows.append(
                [
                    entry.name, question_id, "", "", "", "", "à vérifier",
                    " | ".join(i.key for i in items),
                    " | ".join(i.cell or "—" for i in items),
                    " | ".join(i.label or "—" for i in items),
                    " | ".join(french.in_unit(i.found, unit[i.key], i.expected) for i in items),
                    " | ".join(french.in_unit(i.expected, unit[i.key]) for i in items),
                    " | ".join(i.explanation for i in items),
                ]
            )  # fmt: skip
    return french_csv(rows)


# --- review by question -----------------------------------------------------------------------


def render_review_page(question_id: str, entries: Sequence[GradebookEntry], rubric: Rubric) -> str:
    question = rubric.question(question_id)
    groups: dict[tuple[str, ...], list[tuple[str, QuestionResult, tuple[ItemResult, ...]]]] = (
        defaultdict(list)
    )
    for entry in sorted(entries, key=lambda e: e.name):
        mine = [(q, i) for q, i in pending_items(entry.report, entry.final) if q.id == question_id]
        if not mine:
            continue
        items = tuple(i for _, i in mine)
        groups[_answer_key(items)].append((entry.name, mine[0][0], items))
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0][0]))
    units = rubric.item_units()
    blocks = [_group(question_id, n, group, units) for n, group in enumerate(ordered, start=1)]
    copies = sum(len(g) for g in ordered)
    body = (
        f"<header>\n<h1>Revue par question — {escape(question_id)} {escape(question.title)}</h1>"
        f'\n<p class="meta">{french.plural(copies, "copie")} à décider, '
        f"{french.plural(len(ordered), 'réponse distincte', 'réponses distinctes')}. Les "
        "réponses identiques sont groupées : une décision s'applique à tout le groupe en "
        "collant ses lignes dans overrides.csv. Retour au "
        '<a href="../index.html">tableau du lot</a>.</p>\n</header>\n'
        + ("\n".join(blocks) or "<p>Aucune réponse à décider pour cette question.</p>")
    )
    return page(f"Revue — {question_id}", body)


def _answer_key(items: tuple[ItemResult, ...]) -> tuple[str, ...]:
    """Identical answers: same items, same value found, same formula in the same place."""
    return tuple(
        f"{i.key}\x1f{french.value(i.found)}\x1f{_formula(i)}\x1f{_where(i)}" for i in items
    )


def _group(
    question_id: str,
    number: int,
    group: list[tuple[str, QuestionResult, tuple[ItemResult, ...]]],
    units: Mapping[tuple[str, str], str],
) -> str:
    _, question, items = group[0]
    rows = "".join(
        f"<tr><td>{escape(i.key)}</td><td>{escape(i.cell or '—')}</td>"
        f"<td>{escape(i.label or '—')}</td>"
        f'<td><span class="formula">{escape(_formula(i))}</span></td>'
        f'<td class="num">{escape(_shown(i.found, units, question_id, i, i.expected))}</td>'
        f'<td class="num">{escape(_shown(i.expected, units, question_id, i))}</td>'
        f"<td>{escape(i.explanation)}</td></tr>"
        for i in items
    )
    names = ", ".join(
        f'<a href="../{escape(name)}.html#q-{escape(_anchor(question_id))}">{escape(name)}</a>'
        for name, _, _ in group
    )
    decisions = "".join(
        f"<p><strong>Pour décider « {word} » :</strong></p>"
        f'<pre class="paste">{escape(_paste_lines(question_id, group, word))}</pre>'
        for word in ("juste", "faux")
    )
    return (
        f'<section class="question" id="groupe-{number}">\n'
        f"<h2>Réponse {number} — {french.plural(len(group), 'copie')}</h2>\n"
        f"<p>{names}</p>\n"
        '<table><colgroup><col style="width:9%"><col style="width:14%"><col style="width:14%">'
        '<col style="width:21%"><col style="width:11%"><col style="width:11%"><col></colgroup>'
        "<thead><tr><th>Élément</th><th>Cellule</th><th>Libellé du candidat</th><th>Formule</th>"
        '<th class="num">Trouvé</th><th class="num">Attendu</th><th>Explication</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>\n{decisions}\n</section>"
        + f"<!-- {escape(question.id)} -->"
    )


def _shown(
    value: object,
    units: Mapping[tuple[str, str], str],
    question_id: str,
    item: ItemResult,
    expected: object = None,
) -> str:
    return french.in_unit(value, units.get((question_id, item.key), ""), expected)


def _paste_lines(
    question_id: str, group: list[tuple[str, QuestionResult, tuple[ItemResult, ...]]], word: str
) -> str:
    return "\n".join(f"{name};{question_id};;{word};revue par question;" for name, _, _ in group)


def _formula(item: ItemResult) -> str:
    if not item.formula:
        return "valeur saisie" if item.found is not None else "—"
    return french_formula(item.formula) if item.formula.startswith("=") else item.formula


def _where(item: ItemResult) -> str:
    return (item.cell or "").rpartition("!")[2]


def _anchor(question_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", question_id)
