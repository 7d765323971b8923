"""Rubric errors and the checks that need the whole rubric: every message is French and names
the file, the line and the fix (« Attendu : … »)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autocorrect.errors import RubricError
from autocorrect.reference.kpis import KPIS
from autocorrect.rubric.graph import find_cycle
from autocorrect.rubric.model import Computation, Ref, Rubric


class Context:
    """Where we are in the file, to build messages that name the place and the fix."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.question_ids: frozenset[str] = frozenset()  # to tell S2-Q01[P1] from pv[P1]

    def fail(self, node: object, what: str, allowed: str = "") -> RubricError:
        line = getattr(node, "line", 0)
        where = f"{self.path}:{line}" if line else str(self.path)
        hint = f" Attendu : {allowed}." if allowed else ""
        return RubricError(f"{where} : {what}.{hint}")

    def require(self, node: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
        if key not in node:
            raise self.fail(node, f"la clé « {key} » est obligatoire")
        value = node[key]
        if not isinstance(value, kind):
            raise self.fail(node, f"« {key} » a un type invalide ({type(value).__name__})")
        return value


def validate(ctx: Context, rubric: Rubric, data: object) -> None:
    """Cross-references: criteria, vocabularies, KPIs and their arguments, inputs, entities,
    answers of other questions, and no circular dependency. `data` carries the line."""
    criteria = {c.id for c in rubric.criteria}
    both = sorted({q.id for q in rubric.questions} & {*rubric.inputs, *rubric.derived})
    if both:
        raise ctx.fail(
            data,
            f"« {both[0]} » est à la fois une question et une entrée : références ambiguës",
            "renommer l'entrée (inputs: ou derived:)",
        )
    for question in rubric.questions:
        for cid in question.criteria:
            if cid not in criteria:
                raise ctx.fail(
                    data, f"{question.id} : critère inconnu « {cid} »", ", ".join(sorted(criteria))
                )
        for item in question.items:
            where = f"{question.id}[{item.key}]"
            if item.vocabulary is not None and item.vocabulary not in rubric.vocabularies:
                raise ctx.fail(
                    data,
                    f"{where} : vocabulaire inconnu « {item.vocabulary} »",
                    ", ".join(sorted(rubric.vocabularies)) or "déclarer « vocabularies: »",
                )
            for comp in (item.compute, *item.accept, *item.mistakes):
                _validate_computation(ctx, rubric, data, where, comp)
    for name, comp in rubric.derived.items():
        _validate_computation(ctx, rubric, data, f"derived.{name}", comp)
    for spec in rubric.inputs.values():
        group = spec.entities or spec.columns
        if group is not None and group not in rubric.entities:
            raise ctx.fail(
                data, f"entrée « {spec.name} » : groupe d'entités inconnu « {spec.entities} »"
            )
    cycle = find_cycle(rubric)
    if cycle is not None:
        raise ctx.fail(data, "dépendance circulaire : " + " → ".join(cycle))


def _validate_computation(
    ctx: Context, rubric: Rubric, data: object, where: str, comp: Computation
) -> None:
    if comp.formula is None:
        _validate_kpi(ctx, data, where, comp)
    for ref in comp.refs():
        _validate_ref(ctx, rubric, data, where, ref)


def _validate_kpi(ctx: Context, data: object, where: str, comp: Computation) -> None:
    func = KPIS.get(comp.kpi)
    if func is None:
        raise ctx.fail(
            data,
            f"{where} : indicateur inconnu « {comp.kpi} »",
            "un nom de la bibliothèque (autocorrect kpis)",
        )
    params = inspect.signature(func).parameters
    required = {n for n, p in params.items() if p.default is inspect.Parameter.empty}
    if set(comp.args) - set(params) or required - set(comp.args):
        raise ctx.fail(
            data,
            f"{where} : arguments {sorted(comp.args)} ne correspondent pas à {comp.kpi}",
            ", ".join(params),
        )


def _validate_ref(ctx: Context, rubric: Rubric, data: object, where: str, ref: Ref) -> None:
    if ref.is_item:
        ids = {q.id for q in rubric.questions}
        if ref.name not in ids:
            raise ctx.fail(data, f"{where} : question inconnue « {ref.name} »")
        keys = {i.key for i in rubric.question(ref.name).items}
        if ref.index != "*" and ref.index not in keys:
            raise ctx.fail(
                data, f"{where} : « {ref.name}[{ref.index}] » n'existe pas", ", ".join(sorted(keys))
            )
        return
    if ref.name not in rubric.inputs and ref.name not in rubric.derived:
        raise ctx.fail(
            data,
            f"{where} : entrée inconnue « {ref.name} »",
            ", ".join(sorted([*rubric.inputs, *rubric.derived])),
        )
    spec = rubric.inputs.get(ref.name)
    if ref.index not in (None, "*") and spec is not None:
        members = rubric.entities.get(spec.entities or spec.columns or "", {})
        if ref.index not in members:
            raise ctx.fail(
                data,
                f"{where} : entité « {ref.index} » absente de « {ref.name} »",
                ", ".join(members),
            )
