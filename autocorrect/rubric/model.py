"""Rubric files: YAML -> frozen dataclasses, validated on load with precise French errors.

A rubric never contains code: expected values are *computed* by the KPI library (`kpi:` names a
registered pure function, `args:` maps its parameters to references). A reference is one of

    tva                 an input read from the subject workbook, or a derived quantity
    pv[P2]              one entity of an entity-keyed input
    pv[$]               the entity of the current item (inside `for_each`)
    pv[*]               the whole list, in entity order
    C20-Q12[MCV]        a candidate answer (an item of another question): the dependency
                        along which errors are carried forward
    C20-Q06[*]          every entity item of that question
    360                 a literal number (a parameter of the method, not an expected value)

and a list of references is a list. Literal expected values may appear only as `check:`,
a cross-check that must agree with the computed value.

When no KPI of the library fits, the reference may be the examiner's own Excel formula
(`formula:` instead of `kpi:`), evaluated by the engine on the case data:

    formula: "=ans1/'Annexe 1 - Produits'!D5"
    args: {ans1: "C20-Q06[Total]"}

Each operand of the formula is a name declared in `args` (any reference above, a number, a
text, a list) or a sheet-qualified reference to the subject workbook. The formula must compile,
every operand must be declared and every declared name used (checked on load). It is computed
with the reference answers for the expected value and with the candidate's own answers for
error carried forward; its result is read in the item's unit (a date serial as a day and month,
« OUI »/« NON » as a flag). A formula is never `eval`-ed: see `autocorrect.reference.formula`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autocorrect.errors import RubricError
from autocorrect.reference.formula import problems as formula_problems
from autocorrect.reference.kpis import KPIS

UNITS = (
    "eur", "percent", "coefficient", "days", "date", "count", "number", "text", "flag", "points",
)  # fmt: skip
KINDS = ("value", "scatter-chart")  # how an item is judged; see grade.JUDGES
VERDICT_NAMES = ("correct", "consequential", "hardcoded", "incorrect", "missing", "review")
_QUESTION_REF = re.compile(r"^(C\d+-Q\d+)\[(.+)\]$")
_INDEXED_REF = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(.+)\]$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

DEFAULT_TOLERANCES: Mapping[str, tuple[float, float]] = {
    # unit -> (absolute, relative); money follows "±0.01 € per 10 000 € plus ±0.01 €"
    "eur": (0.01, 1e-6),
    "percent": (5e-5, 0.0),
    "coefficient": (0.005, 0.0),
    "days": (1.0, 0.0),
    "date": (1.0, 0.0),
    "count": (0.5, 0.0),
    "number": (0.005, 0.0),
    "text": (0.0, 0.0),
    "flag": (0.0, 0.0),
    "points": (0.05, 0.0),  # NPS: -15 points, or -15 % (a fraction with a % format)
}


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    absolute: float
    relative: float

    def accepts(self, expected: float, found: float) -> bool:
        return abs(found - expected) <= self.absolute + self.relative * abs(expected)


@dataclass(frozen=True)
class Ref:
    """A reference inside `args`; `index` is None, an entity key, or '*'."""

    name: str
    index: str | None = None
    is_item: bool = False


@dataclass(frozen=True)
class Text:
    """A literal text argument, written `{text: PME}` (a segment, a COUNTIF criterion)."""

    value: str


Arg = Ref | float | bool | Text | tuple["Arg", ...]


@dataclass(frozen=True)
class Computation:
    """A call of a registered KPI, or the examiner's `formula` with `args` as its names;
    `name`/`explain` describe a variant or a known mistake. `result_unit` is the unit in
    which a formula's raw result is read (the item's unit)."""

    kpi: str
    args: Mapping[str, Arg]
    name: str = ""
    explain: str = ""
    formula: str | None = None
    result_unit: str = ""


@dataclass(frozen=True)
class ItemSpec:
    key: str
    compute: Computation
    unit: str
    tolerance: Tolerance
    labels: tuple[str, ...]  # labels of the answer itself ("seuil de rentabilité", "SR")
    measure_labels: tuple[str, ...]  # column/row header of a table, with `entity`
    entity: str | None = None
    entity_group: str | None = None
    formula_required: bool = True
    accept: tuple[Computation, ...] = ()
    mistakes: tuple[Computation, ...] = ()
    cell: str | None = None  # template cell, tried first when the subject provides one
    check: float | None = None
    from_for_each: bool = False
    kind: str = "value"
    vocabulary: str | None = None  # for unit "text": canonical answers and their synonyms
    functions: tuple[str, ...] = ()  # function families a right formula uses (method check)
    check_ranges: bool = True  # false when the method reads only part of the data on purpose


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    title: str
    points: float
    criteria: tuple[str, ...]
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class CriterionSpec:
    id: str
    label: str
    acquis: float  # share of the points from which the proposal is "acquis"
    non_acquis: float  # share below which it is "non acquis"; between: "à vérifier"


@dataclass(frozen=True)
class InputSpec:
    name: str
    ref: str  # "'Annexe 1 - Produits'!C5:C9"
    entities: str | None = None  # entity group naming the cells in order
    columns: str | None = None  # entity group naming the columns of a 2-D range, in order
    any_values: bool = False  # texts, dates and blanks allowed (otherwise numbers only)


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    path: Path
    subject: Path
    scoring: Mapping[str, float | str]
    criteria: tuple[CriterionSpec, ...]
    entities: Mapping[str, Mapping[str, tuple[str, ...]]]
    inputs: Mapping[str, InputSpec]
    derived: Mapping[str, Computation]
    questions: tuple[QuestionSpec, ...]
    vocabularies: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    source_text: str = field(repr=False, default="")
    mark_step: float = 0.5  # the mark out of 20 is rounded to a multiple of this

    def question(self, qid: str) -> QuestionSpec:
        return next(q for q in self.questions if q.id == qid)

    def item_units(self) -> dict[tuple[str, str], str]:
        """(question, item) -> the item's unit, to show values in the jury's units."""
        return {(q.id, i.key): i.unit for q in self.questions for i in q.items}

    def item(self, qid: str, key: str) -> ItemSpec | None:
        return next((i for i in self.question(qid).items if i.key == key), None)


# --- YAML with line numbers -----------------------------------------------------------------


class _LineDict(dict[str, Any]):
    line: int = 0


class _Loader(yaml.SafeLoader):
    """Safe loader whose mappings remember their line, for error messages."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    mapping.line = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Context:
    """Where we are in the file, to build messages that name the place and the fix."""

    def __init__(self, path: Path) -> None:
        self.path = path

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


# --- loading --------------------------------------------------------------------------------


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric; raises RubricError (French, with file and line)."""
    ctx = _Context(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_Loader)
    except OSError as exc:
        raise RubricError(f"{path} : fichier de barème illisible ({exc.strerror}).") from exc
    except yaml.YAMLError as exc:
        raise RubricError(f"{path} : YAML invalide — {exc}") from exc
    if not isinstance(data, _LineDict):
        raise ctx.fail(None, "le barème doit être un dictionnaire YAML")
    rubric = _build(ctx, data, text)
    _validate(ctx, rubric, data)
    return rubric


_TOP_KEYS = {
    "vocabularies",
    "id",
    "title",
    "subject",
    "scoring",
    "criteria",
    "entities",
    "inputs",
    "derived",
    "questions",
    "units",
    "mark_step",
}


def _build(ctx: _Context, data: _LineDict, text: str) -> Rubric:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ctx.fail(
            data, f"clé(s) inconnue(s) : {', '.join(sorted(unknown))}", ", ".join(sorted(_TOP_KEYS))
        )
    subject = ctx.path.parent / ctx.require(data, "subject", str)
    if not subject.is_file():
        raise ctx.fail(data, f"le classeur du sujet « {subject} » est introuvable")
    entities = _entities(ctx, data.get("entities", {}))
    tolerances = _unit_tolerances(ctx, data.get("units", {}))
    return Rubric(
        id=ctx.require(data, "id", str),
        title=str(data.get("title", "")),
        path=ctx.path,
        subject=subject,
        scoring=_scoring(ctx, data.get("scoring", {})),
        criteria=tuple(_criterion(ctx, c) for c in ctx.require(data, "criteria", list)),
        entities=entities,
        inputs=_inputs(ctx, ctx.require(data, "inputs", dict)),
        derived={
            name: _computation(ctx, spec) for name, spec in (data.get("derived") or {}).items()
        },
        questions=tuple(
            _question(ctx, q, entities, tolerances) for q in ctx.require(data, "questions", list)
        ),
        vocabularies=_vocabularies(ctx, data.get("vocabularies") or {}),
        source_text=text,
        mark_step=_mark_step(ctx, data.get("mark_step", 0.5)),
    )


def _mark_step(ctx: _Context, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 20:
        return float(value)
    raise ctx.fail(None, f"pas d'arrondi de la note sur 20 invalide : {value!r}", "0.5, 0.25, 1…")


def _vocabularies(ctx: _Context, node: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(node, dict) or not all(isinstance(v, dict) for v in node.values()):
        raise ctx.fail(node, "« vocabularies » invalide", "{quadrants: {Point fort: [...]}}")
    return {
        name: {str(k): (str(k), *(str(s) for s in v or ())) for k, v in terms.items()}
        for name, terms in node.items()
    }


def _entities(ctx: _Context, node: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(node, dict):
        raise ctx.fail(node, "« entities » doit associer un groupe à ses entités")
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for group, members in node.items():
        if not isinstance(members, dict):
            raise ctx.fail(
                node,
                f"le groupe d'entités « {group} » doit être un dictionnaire",
                "P1: [P1, Copieur multifonction A3]",
            )
        groups[group] = {str(k): tuple(str(s) for s in v) for k, v in members.items()}
    return groups


def _unit_tolerances(ctx: _Context, node: Any) -> dict[str, Tolerance]:
    tolerances = {u: Tolerance(*DEFAULT_TOLERANCES[u]) for u in UNITS}
    for unit, spec in (node or {}).items():
        if unit not in UNITS:
            raise ctx.fail(node, f"unité inconnue « {unit} »", ", ".join(UNITS))
        tolerances[unit] = _tolerance(ctx, spec, tolerances[unit])
    return tolerances


def _tolerance(ctx: _Context, spec: Any, default: Tolerance) -> Tolerance:
    if not isinstance(spec, dict) or set(spec) - {"abs", "rel"}:
        raise ctx.fail(spec, "tolérance invalide", "{abs: 0.01, rel: 1e-6}")
    tol = Tolerance(
        float(spec.get("abs", default.absolute)), float(spec.get("rel", default.relative))
    )
    if tol.absolute < 0 or tol.relative < 0 or tol.relative > 0.05:
        raise ctx.fail(spec, "tolérance hors limites (négative ou relative > 5 %)")
    return tol


def _scoring(ctx: _Context, node: Any) -> dict[str, float | str]:
    scoring: dict[str, float | str] = {
        "correct": 1.0,
        "consequential": 1.0,
        "hardcoded": 0.5,
        "incorrect": 0.0,
        "missing": 0.0,
        "review": 0.0,
    }
    for verdict, value in (node or {}).items():
        if verdict not in VERDICT_NAMES:
            raise ctx.fail(
                node, f"verdict inconnu « {verdict} » dans scoring", ", ".join(VERDICT_NAMES)
            )
        if value == "items" and verdict == "incorrect":
            scoring[verdict] = "items"
        elif isinstance(value, int | float) and 0 <= value <= 1:
            scoring[verdict] = float(value)
        else:
            raise ctx.fail(
                node,
                f"part de points invalide pour « {verdict} » : {value!r}",
                "un nombre entre 0 et 1 (ou « items » pour incorrect)",
            )
    return scoring


def _criterion(ctx: _Context, node: Any) -> CriterionSpec:
    if not isinstance(node, dict):
        raise ctx.fail(node, "chaque critère doit être un dictionnaire")
    spec = CriterionSpec(
        id=ctx.require(node, "id", str),
        label=str(node.get("label", "")),
        acquis=float(node.get("acquis", 0.6)),
        non_acquis=float(node.get("non_acquis", 0.4)),
    )
    if not 0 <= spec.non_acquis <= spec.acquis <= 1:
        raise ctx.fail(node, "seuils du critère incohérents", "0 ≤ non_acquis ≤ acquis ≤ 1")
    return spec


_INPUT_KEYS = {"range", "entities", "columns", "values"}


def _inputs(ctx: _Context, node: _LineDict) -> dict[str, InputSpec]:
    inputs: dict[str, InputSpec] = {}
    for name, spec in node.items():
        if not _NAME.match(name):
            raise ctx.fail(node, f"nom d'entrée invalide « {name} »", "lettres, chiffres, _")
        if isinstance(spec, str):
            inputs[name] = InputSpec(name, spec)
        elif isinstance(spec, dict) and "range" in spec and not set(spec) - _INPUT_KEYS:
            inputs[name] = InputSpec(
                name,
                str(spec["range"]),
                spec.get("entities"),
                spec.get("columns"),
                spec.get("values", "numbers") == "any",
            )
        else:
            raise ctx.fail(
                node,
                f"entrée « {name} » invalide",
                "\"'Feuille'!B5\" ou {range: \"'Feuille'!B5:B9\", entities: groupe, "
                "columns: groupe, values: any}",
            )
    return inputs


def _computation(
    ctx: _Context, node: Any, entity: str | None = None, unit: str = ""
) -> Computation:
    if not isinstance(node, dict):
        raise ctx.fail(
            node, "un calcul doit être un dictionnaire", "{kpi: nom, args: {...}} ou {formula: …}"
        )
    args = node.get("args") or {}
    if not isinstance(args, dict):
        raise ctx.fail(node, "« args » doit être un dictionnaire")
    parsed = {str(k): _arg(ctx, node, v, entity) for k, v in args.items()}
    if "formula" in node:
        return _formula_computation(ctx, node, parsed, unit)
    return Computation(
        kpi=ctx.require(node, "kpi", str),
        args=parsed,
        name=str(node.get("name", "")),
        explain=str(node.get("explain", "")),
    )


def _formula_computation(ctx: _Context, node: Any, args: dict[str, Arg], unit: str) -> Computation:
    """`formula: "=…"` with `args` naming its operands (see the module docstring)."""
    formula = node["formula"]
    if "kpi" in node:
        raise ctx.fail(node, "« kpi » et « formula » s'excluent", "l'un ou l'autre")
    if not isinstance(formula, str):
        raise ctx.fail(node, "« formula » doit être un texte", '"=ans1/ans2"')
    for name in args:
        if not _NAME.match(name):
            raise ctx.fail(
                node, f"nom d'argument de formule invalide « {name} »", "lettres, chiffres, _"
            )
    issues = formula_problems(formula.strip(), list(args))
    if issues:
        raise ctx.fail(
            node,
            f"formule « {formula} » invalide : " + " ; ".join(issues),
            "une formule Excel dont chaque opérande est un nom de args ou 'Feuille'!B5",
        )
    return Computation(
        kpi="",
        args=args,
        name=str(node.get("name", "")),
        explain=str(node.get("explain", "")) or f"calcul {formula.strip()}",
        formula=formula.strip(),
        result_unit=unit,
    )


def _arg(ctx: _Context, node: Any, value: Any, entity: str | None) -> Arg:
    if isinstance(value, bool):
        return value
    if isinstance(value, dict) and set(value) == {"text"}:
        return Text(str(value["text"]))
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return tuple(_arg(ctx, node, v, entity) for v in value)
    if not isinstance(value, str):
        raise ctx.fail(node, f"argument invalide : {value!r}")
    return _ref(ctx, node, value.strip(), entity)


def _ref(ctx: _Context, node: Any, text: str, entity: str | None) -> Ref:
    for pattern, is_item in ((_QUESTION_REF, True), (_INDEXED_REF, False)):
        match = pattern.match(text)
        if match:
            index = match.group(2)
            if index == "$":
                if entity is None:
                    raise ctx.fail(node, f"« {text} » : [$] n'a de sens que dans un for_each")
                index = entity
            return Ref(match.group(1), index, is_item)
    if not _NAME.match(text):
        raise ctx.fail(
            node, f"référence invalide « {text} »", "nom, nom[P1], nom[$], nom[*], C20-Q06[Total]"
        )
    return Ref(text)


_QUESTION_KEYS = {"id", "title", "points", "criterion", "criteria", "items"}
_ITEM_KEYS = {
    "key",
    "for_each",
    "entity",
    "kpi",
    "formula",
    "args",
    "unit",
    "tolerance",
    "labels",
    "measure",
    "formula_required",
    "accept",
    "mistakes",
    "cell",
    "check",
    "name",
    "explain",
    "entities",
    "kind",
    "vocabulary",
    "functions",
    "check_ranges",
}


def _question(
    ctx: _Context,
    node: Any,
    entities: Mapping[str, Mapping[str, tuple[str, ...]]],
    tolerances: Mapping[str, Tolerance],
) -> QuestionSpec:
    if not isinstance(node, dict):
        raise ctx.fail(node, "chaque question doit être un dictionnaire")
    unknown = set(node) - _QUESTION_KEYS - _ITEM_KEYS
    if unknown:
        raise ctx.fail(
            node,
            f"clé(s) inconnue(s) : {', '.join(sorted(unknown))}",
            ", ".join(sorted(_QUESTION_KEYS | _ITEM_KEYS)),
        )
    qid = ctx.require(node, "id", str)
    if not re.match(r"^C\d+-Q\d+$", qid):
        raise ctx.fail(node, f"identifiant de question invalide « {qid} »", "C20-Q01")
    criteria = node.get("criteria") or [node.get("criterion")]
    if not all(isinstance(c, str) for c in criteria):
        raise ctx.fail(node, f"{qid} : critère manquant", "criterion: C20-calculs")
    raw_items = node.get("items") or [
        {k: v for k, v in node.items() if k in _ITEM_KEYS} | {"line": getattr(node, "line", 0)}
    ]
    items: list[ItemSpec] = []
    for raw in raw_items:
        merged = _LineDict({k: v for k, v in node.items() if k in _ITEM_KEYS and k != "items"})
        merged.update(raw)
        merged.line = getattr(raw, "line", getattr(node, "line", 0))
        items.extend(_items(ctx, qid, merged, entities, tolerances))
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise ctx.fail(node, f"{qid} : clés d'éléments en double {keys}")
    return QuestionSpec(
        id=qid,
        title=ctx.require(node, "title", str),
        points=float(node.get("points", 1)),
        criteria=tuple(criteria),
        items=tuple(items),
    )


def _items(
    ctx: _Context,
    qid: str,
    node: _LineDict,
    entities: Mapping[str, Mapping[str, tuple[str, ...]]],
    tolerances: Mapping[str, Tolerance],
) -> list[ItemSpec]:
    group = node.get("for_each")
    if group is None:
        return [_item(ctx, qid, node, node.get("entity"), node.get("key"), tolerances)]
    if group not in entities:
        raise ctx.fail(
            node, f"{qid} : groupe d'entités inconnu « {group} »", ", ".join(sorted(entities))
        )
    members = node.get("entities") or list(entities[group])
    return [
        _item(ctx, qid, node, str(e), str(e), tolerances, group=group, from_for_each=True)
        for e in members
    ]


def _item(
    ctx: _Context,
    qid: str,
    node: _LineDict,
    entity: str | None,
    key: Any,
    tolerances: Mapping[str, Tolerance],
    group: str | None = None,
    from_for_each: bool = False,
) -> ItemSpec:
    if key is None:
        raise ctx.fail(node, f"{qid} : chaque élément doit avoir une clé « key »")
    unit = node.get("unit", "number")
    if unit not in UNITS:
        raise ctx.fail(node, f"{qid} : unité inconnue « {unit} »", ", ".join(UNITS))
    tolerance = tolerances[unit]
    if "tolerance" in node:
        tolerance = _tolerance(ctx, node["tolerance"], tolerance)
    labels = tuple(str(s) for s in node.get("labels") or ())
    measure = tuple(str(s) for s in node.get("measure") or ())
    if not labels and not measure:
        raise ctx.fail(
            node,
            f"{qid}[{key}] : aucun libellé pour localiser la réponse",
            "labels: [...] ou measure: [...] avec entity",
        )
    return ItemSpec(
        key=str(key),
        compute=_computation(ctx, node, entity, unit),
        unit=unit,
        tolerance=tolerance,
        labels=labels if entity is None or measure else (),
        measure_labels=measure or (labels if entity is not None else ()),
        entity=str(entity) if entity is not None else None,
        entity_group=group or node.get("entity_group"),
        formula_required=bool(node.get("formula_required", True)),
        accept=tuple(_computation(ctx, a, entity, unit) for a in node.get("accept") or ()),
        mistakes=tuple(_computation(ctx, m, entity, unit) for m in node.get("mistakes") or ()),
        cell=node.get("cell"),
        check=_check(ctx, node, entity),
        from_for_each=from_for_each,
        kind=_one_of(ctx, node, "kind", KINDS, "value"),
        vocabulary=node.get("vocabulary"),
        functions=tuple(str(f).upper() for f in node.get("functions") or ()),
        check_ranges=bool(node.get("check_ranges", True)),
    )


def _one_of(
    ctx: _Context, node: _LineDict, key: str, allowed: tuple[str, ...], default: str
) -> str:
    value = str(node.get(key, default))
    if value not in allowed:
        raise ctx.fail(node, f"{key} inconnu « {value} »", ", ".join(allowed))
    return value


def _check(ctx: _Context, node: _LineDict, entity: str | None) -> float | None:
    check = node.get("check")
    if isinstance(check, dict):
        check = check.get(entity) if entity is not None else None
    if check is None or isinstance(check, int | float):
        return None if check is None else float(check)
    raise ctx.fail(node, f"« check » doit être un nombre (ou un nombre par entité) : {check!r}")


# --- semantic validation --------------------------------------------------------------------


def _validate(ctx: _Context, rubric: Rubric, data: _LineDict) -> None:
    criteria = {c.id for c in rubric.criteria}
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
    _check_no_cycle(ctx, rubric, data)


def _validate_computation(
    ctx: _Context, rubric: Rubric, data: _LineDict, where: str, comp: Computation
) -> None:
    if comp.formula is None:
        _validate_kpi(ctx, data, where, comp)
    for ref in _refs(comp.args.values()):
        _validate_ref(ctx, rubric, data, where, ref)


def _validate_kpi(ctx: _Context, data: _LineDict, where: str, comp: Computation) -> None:
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


def _refs(args: Any) -> list[Ref]:
    found: list[Ref] = []
    for arg in args:
        if isinstance(arg, Ref):
            found.append(arg)
        elif isinstance(arg, tuple):
            found.extend(_refs(arg))
    return found


def _validate_ref(ctx: _Context, rubric: Rubric, data: _LineDict, where: str, ref: Ref) -> None:
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


def item_dependencies(rubric: Rubric, item: ItemSpec) -> list[tuple[str, str]]:
    """The (question, key) answers this item's reference method reads."""
    deps: list[tuple[str, str]] = []
    for ref in _refs(item.compute.args.values()):
        if not ref.is_item:
            continue
        if ref.index == "*":
            deps.extend(
                (ref.name, i.key) for i in rubric.question(ref.name).items if i.from_for_each
            )
        elif ref.index is not None:
            deps.append((ref.name, ref.index))
    return deps


def _check_no_cycle(ctx: _Context, rubric: Rubric, data: _LineDict) -> None:
    state: dict[tuple[str, str], int] = {}  # 1 = in progress, 2 = done
    for question in rubric.questions:
        for item in question.items:
            _visit(ctx, rubric, data, (question.id, item.key), state, [])


def _visit(
    ctx: _Context,
    rubric: Rubric,
    data: _LineDict,
    node: tuple[str, str],
    state: dict[tuple[str, str], int],
    path: list[str],
) -> None:
    if state.get(node) == 2:
        return
    label = f"{node[0]}[{node[1]}]"
    if state.get(node) == 1:
        raise ctx.fail(data, "dépendance circulaire : " + " → ".join([*path, label]))
    state[node] = 1
    item = rubric.item(*node)
    assert item is not None
    for dep in item_dependencies(rubric, item):
        _visit(ctx, rubric, data, dep, state, [*path, label])
    state[node] = 2


def ordered_items(rubric: Rubric) -> list[tuple[QuestionSpec, ItemSpec]]:
    """Every item, dependencies first (the rubric has no cycle: checked on load)."""
    done: set[tuple[str, str]] = set()
    order: list[tuple[QuestionSpec, ItemSpec]] = []

    def visit(qid: str, key: str) -> None:
        if (qid, key) in done:
            return
        done.add((qid, key))
        item = rubric.item(qid, key)
        assert item is not None
        for dep in item_dependencies(rubric, item):
            visit(*dep)
        order.append((rubric.question(qid), item))

    for question in rubric.questions:
        for item in question.items:
            visit(question.id, item.key)
    return order
