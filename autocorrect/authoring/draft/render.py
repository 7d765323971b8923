"""The draft as commented YAML: one comment per item saying where it comes from and how its
expected value is computed, flow-style mappings otherwise (JSON strings are valid YAML)."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from autocorrect.authoring.draft.build import Draft, DraftItem, cells_text
from autocorrect.authoring.draft.inputs import DraftInput
from autocorrect.authoring.enonce import EnonceQuestion
from autocorrect.reading.refs import RangeRef, quote_sheet

_SCORING = {"correct": 1, "consequential": 1, "hardcoded": 0.5, "incorrect": "items",
            "missing": 0, "review": 0}  # fmt: skip
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def render(draft: Draft, names: Mapping[str, Path], rubric_path: Path) -> str:
    """`names`: solution, subject and enonce paths; `subject:` is written relative to the
    rubric's folder."""
    subject = os.path.relpath(names["subject"].absolute(), rubric_path.absolute().parent)
    rid = re.sub(r"[^A-Za-z0-9_.-]+", "-", rubric_path.stem).strip("-") or "brouillon"
    lines = _header(names["solution"].name, names["enonce"].name)
    lines += [f"id: {flow(rid)}", f"title: {flow(draft.title or rid)}"]
    lines += [f"subject: {flow(Path(subject).as_posix())}", "", f"scoring: {flow(_SCORING)}"]
    lines += ["", "criteria:  # seuils par défaut : à ajuster"]
    lines += [f"  - {flow({'id': c, 'label': label, 'acquis': 0.6, 'non_acquis': 0.4})}"
              for c, label in draft.criteria]  # fmt: skip
    lines += _entities(draft.entities)
    if draft.vocabularies:
        lines += ["", "vocabularies:  # réponses texte attendues, lues dans les formules"]
        lines += [f"  {flow(name)}: {flow({t: [] for t in terms})}"
                  for name, terms in draft.vocabularies.items()]  # fmt: skip
    lines += ["", "inputs:  # données du sujet lues par les formules de la solution"]
    lines += [_input(spec) for spec in draft.inputs]
    lines += ["", "questions:"]
    for question, items in draft.questions:
        lines += _question(question, items, draft.criteria_of.get(question.id, ()))
    lines += _trailer(draft)
    return "\n".join(lines) + "\n"


def plain_id(text: str) -> str:
    """An id as written in the statement, quoted only where YAML would read something else
    than that text (« 1.5 » is a number, « D1.1 » and « C20-Q01 » are texts)."""
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    return text if parsed == text else json.dumps(text, ensure_ascii=False)


def flow(value: object) -> str:
    """A value in YAML flow style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}" if math.isfinite(value) else json.dumps(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{flow(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _header(solution: str, enonce: str) -> list[str]:
    return [
        "# BROUILLON de barème — généré par « autocorrect rubric draft » à partir de la solution",
        f"# de l'examinateur ({solution}) et de l'énoncé ({enonce}). À RELIRE avant usage :",
        "# libellés et synonymes, unités, tolérances, dépendances (report d'erreur), variantes",
        "# acceptées (accept:) et erreurs typiques (mistakes:) à compléter.",
        "# Chaque élément dit de quelle cellule de la solution il vient et comment la valeur",
        "# attendue est calculée : « KPI nom » (indicateur de la bibliothèque qui reproduit la",
        "# valeur de la solution) ou « formule de l'examinateur » (sa formule, recalculée par le",
        "# moteur sur les données du sujet). Ensuite : autocorrect rubric check, puis regress.",
    ]


def _entities(entities: Mapping[str, Mapping[str, list[str]]]) -> list[str]:
    lines = ["", "entities:  # lignes/colonnes nommées, synonymes lus dans la solution et le sujet"]
    for group, members in entities.items():
        lines.append(f"  {flow(group)}:")
        lines += [f"    {flow(k)}: {flow(v)}" for k, v in members.items()]
    return lines


def _input(spec: DraftInput) -> str:
    area = spec.area
    ref = f"{quote_sheet(area.sheet)}!{_address(area)}"
    extra: dict[str, object] = {}
    if spec.entities:
        extra["entities"] = spec.entities
    if spec.columns:
        extra["columns"] = spec.columns
    if spec.any_values:
        extra["values"] = "any"
    value = flow({"range": ref, **extra}) if extra or not area.is_single_cell else flow(ref)
    comment = f"  # {spec.comment}" if spec.comment else ""
    return f"  {spec.name}: {value}{comment}"


def _address(area: RangeRef) -> str:
    address = str(area).split("!", 1)[1]
    return address.split(":", 1)[0] if area.is_single_cell else address


def _question(
    question: EnonceQuestion, items: list[DraftItem], criteria: tuple[str, ...]
) -> list[str]:
    lines = [
        f"  - id: {plain_id(question.id)}",
        f"    title: {flow(question.title)}",
        f"    criteria: {flow(list(criteria))}",
        "    items:",
    ]
    for item in items:
        lines += _item(item)
    return lines


def _item(item: DraftItem) -> list[str]:
    keys = f"{item.keys[0]}…{item.keys[-1]}" if len(item.keys) > 1 else item.keys[0]
    lines = [f"      # {keys} : {cells_text(item.cells)}, {item.how}"]
    lines += [f"      # {note}" for note in item.notes]
    first, *rest = _fields(item)
    lines.append(f"      - {first[0]}: {flow(first[1])}")
    lines += [f"        {k}: {flow(v)}" for k, v in rest]
    return lines


def _fields(item: DraftItem) -> list[tuple[str, object]]:
    if item.for_each is not None:
        fields: list[tuple[str, object]] = [("for_each", item.for_each)]
        fields += [("entities", list(item.subset))] if item.subset else []
    else:
        fields = [("key", item.keys[0])]
        fields += [("entity", item.entity)] if item.entity is not None else []
    fields += [("kind", item.kind)] if item.kind != "value" else []
    fields.append(("unit", item.unit))
    optional: list[tuple[str, object]] = [
        ("tolerance", {"abs": item.tolerance} if item.tolerance is not None else None),
        ("vocabulary", item.vocabulary),
        ("labels", list(item.labels)),
        ("measure", list(item.measure)),
        ("kpi", item.kpi),
        ("formula", item.formula),
        ("args", item.args),
        ("formula_required", None if item.formula_required else False),
        ("accept", item.accept),
        ("check", item.check),
    ]
    return fields + [(k, v) for k, v in optional if v not in (None, [], "")]


def _trailer(draft: Draft) -> list[str]:
    sections = [
        (
            "Questions de l'énoncé sans cellule reconnue dans la solution (à écrire)",
            draft.unmatched,
        ),
        ("Réponses trouvées mais non traduites (à écrire)", draft.skipped),
        ("Cellules à formule de la solution rattachées à aucune question", draft.unused),
    ]
    lines: list[str] = []
    for title, entries in sections:
        if entries:
            lines += ["", f"# {title} :", *(f"#   {e}" for e in entries)]
    return lines
