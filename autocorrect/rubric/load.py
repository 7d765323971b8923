"""YAML -> rubric model: a safe loader whose mappings remember their line, and one builder per
section. Parsing errors name the file, the line and the fix; cross-references are checked by
`autocorrect.rubric.validate` once the whole rubric is built. The reference syntax is described
in `autocorrect.rubric.model`.

Longer than most modules (about 500 lines) because it holds one small builder per YAML section
and per key; kept together, they read as the reference of the rubric's keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from autocorrect.errors import RubricError
from autocorrect.reference.formula import problems as formula_problems
from autocorrect.rubric.model import (
    BY_ITEMS,
    DEFAULT_TOLERANCES,
    ID,
    KINDS,
    UNITS,
    VERDICT_NAMES,
    Arg,
    CaseFiles,
    Computation,
    CriterionSpec,
    InputSpec,
    ItemSpec,
    Kind,
    QuestionSpec,
    Ref,
    Rubric,
    Scoring,
    Text,
    Tolerance,
    Unit,
)
from autocorrect.rubric.validate import Context, validate

_INDEXED_REF = re.compile(r"^([^\[\]]+)\[(.+)\]$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


# --- loading --------------------------------------------------------------------------------


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric; raises RubricError (French, with file and line)."""
    ctx = Context(path)
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
    validate(ctx, rubric, data)
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
    "solution",
    "enonce",
    "samples",
    "expected",
}


def _build(ctx: Context, data: _LineDict, text: str) -> Rubric:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ctx.fail(
            data, f"clé(s) inconnue(s) : {', '.join(sorted(unknown))}", ", ".join(sorted(_TOP_KEYS))
        )
    subject = ctx.path.parent / ctx.require(data, "subject", str)
    if not subject.is_file():
        raise ctx.fail(data, f"le classeur du sujet « {subject} » est introuvable")
    ctx.question_ids = _question_ids(ctx, ctx.require(data, "questions", list))
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
        case_files=CaseFiles(*(_case_path(ctx, data, key) for key in _CASE_FILE_KEYS)),
    )


_CASE_FILE_KEYS = ("solution", "enonce", "samples", "expected")


def _case_path(ctx: Context, data: _LineDict, key: str) -> Path | None:
    """A case file named in the rubric, relative to it; it must exist."""
    if key not in data:
        return None
    path: Path = ctx.path.parent / ctx.require(data, key, str)
    if not path.exists():
        raise ctx.fail(
            data, f"« {key} » : « {path} » est introuvable", "un chemin relatif au barème"
        )
    return path


def _question_ids(ctx: Context, questions: list[Any]) -> frozenset[str]:
    """Every question id, checked, before any reference is read: `X[k]` is an answer when X
    is one of them, an input otherwise."""
    ids = set()
    for node in questions:
        qid = _id_text(node)
        if isinstance(qid, str) and not ID.match(qid):
            raise ctx.fail(
                node,
                f"identifiant de question invalide « {qid} »",
                "lettres, chiffres, « - », « _ », « . », sans espace (C20-Q01, S2-Q01, D1.a)",
            )
        if isinstance(qid, str):
            ids.add(qid)
    return frozenset(ids)


def _id_text(node: Any) -> Any:
    """The `id` of a question or criterion; a bare number (`id: 12`) reads as its text."""
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("id"), int) and not isinstance(node.get("id"), bool):
        node["id"] = str(node["id"])
    return node.get("id")


def _vocabularies(ctx: Context, node: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(node, dict) or not all(isinstance(v, dict) for v in node.values()):
        raise ctx.fail(node, "« vocabularies » invalide", "{quadrants: {Point fort: [...]}}")
    return {
        name: {str(k): (str(k), *(str(s) for s in v or ())) for k, v in terms.items()}
        for name, terms in node.items()
    }


def _entities(ctx: Context, node: Any) -> dict[str, dict[str, tuple[str, ...]]]:
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


def _unit_tolerances(ctx: Context, node: Any) -> dict[Unit, Tolerance]:
    tolerances = {u: Tolerance(*DEFAULT_TOLERANCES[u]) for u in Unit}
    for unit, spec in (node or {}).items():
        if unit not in UNITS:
            raise ctx.fail(node, f"unité inconnue « {unit} »", ", ".join(UNITS))
        tolerances[Unit(unit)] = _tolerance(ctx, spec, tolerances[Unit(unit)])
    return tolerances


def _tolerance(ctx: Context, spec: Any, default: Tolerance) -> Tolerance:
    if not isinstance(spec, dict) or set(spec) - {"abs", "rel"}:
        raise ctx.fail(spec, "tolérance invalide", "{abs: 0.01, rel: 1e-6}")
    tol = Tolerance(
        float(spec.get("abs", default.absolute)), float(spec.get("rel", default.relative))
    )
    if tol.absolute < 0 or tol.relative < 0 or tol.relative > 0.05:
        raise ctx.fail(spec, "tolérance hors limites (négative ou relative > 5 %)")
    return tol


def _scoring(ctx: Context, node: Any) -> Scoring:
    shares: dict[str, float] = {}
    by_items = False
    for verdict, value in (node or {}).items():
        if verdict not in VERDICT_NAMES:
            raise ctx.fail(
                node, f"verdict inconnu « {verdict} » dans scoring", ", ".join(VERDICT_NAMES)
            )
        if value == BY_ITEMS and verdict == "incorrect":
            by_items = True
        elif isinstance(value, int | float) and 0 <= value <= 1:
            shares[verdict] = float(value)
        else:
            raise ctx.fail(
                node,
                f"part de points invalide pour « {verdict} » : {value!r}",
                "un nombre entre 0 et 1 (ou « items » pour incorrect)",
            )
    return Scoring(**shares, incorrect_by_items=by_items)


def _criterion(ctx: Context, node: Any) -> CriterionSpec:
    if not isinstance(node, dict):
        raise ctx.fail(node, "chaque critère doit être un dictionnaire")
    _id_text(node)
    cid = ctx.require(node, "id", str)
    if not ID.match(cid):
        raise ctx.fail(
            node,
            f"identifiant de critère invalide « {cid} »",
            "lettres, chiffres, « - », « _ », « . », sans espace (C20-calculs)",
        )
    spec = CriterionSpec(
        id=cid,
        label=str(node.get("label", "")),
        acquis=float(node.get("acquis", 0.6)),
        non_acquis=float(node.get("non_acquis", 0.4)),
    )
    if not 0 <= spec.non_acquis <= spec.acquis <= 1:
        raise ctx.fail(node, "seuils du critère incohérents", "0 ≤ non_acquis ≤ acquis ≤ 1")
    return spec


_INPUT_KEYS = {"range", "entities", "columns", "values"}


def _inputs(ctx: Context, node: _LineDict) -> dict[str, InputSpec]:
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


def _computation(ctx: Context, node: Any, entity: str | None = None, unit: str = "") -> Computation:
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


def _formula_computation(ctx: Context, node: Any, args: dict[str, Arg], unit: str) -> Computation:
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


def _arg(ctx: Context, node: Any, value: Any, entity: str | None) -> Arg:
    if isinstance(value, bool):
        return value
    if isinstance(value, dict) and set(value) == {"text"}:
        return _text(ctx, node, str(value["text"]), entity)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return tuple(_arg(ctx, node, v, entity) for v in value)
    if not isinstance(value, str):
        raise ctx.fail(node, f"argument invalide : {value!r}")
    return _ref(ctx, node, value.strip(), entity)


def _text(ctx: Context, node: Any, text: str, entity: str | None) -> Text:
    """A literal text; `{text: $}` is the current entity's own key (inside `for_each`): the
    criterion of a SOMME.SI per product, per source, per status."""
    if text != "$":
        return Text(text)
    if entity is None:
        raise ctx.fail(node, "« {text: $} » n'a de sens que dans un for_each (ou avec entity:)")
    return Text(entity)


def _ref(ctx: Context, node: Any, text: str, entity: str | None) -> Ref:
    match = _INDEXED_REF.match(text)
    if match is not None:
        name, index = match.group(1).strip(), match.group(2).strip()
        is_item = name in ctx.question_ids or _NAME.match(name) is None
        if (ID if is_item else _NAME).match(name) is None:
            raise ctx.fail(node, f"référence invalide « {text} »", _REF_FORMS)
        if index == "$":
            if entity is None:
                raise ctx.fail(node, f"« {text} » : [$] n'a de sens que dans un for_each")
            index = entity
        return Ref(name, index, is_item)
    if not _NAME.match(text):
        raise ctx.fail(node, f"référence invalide « {text} »", _REF_FORMS)
    return Ref(text)


_REF_FORMS = "nom, nom[P1], nom[$], nom[*], <id de question>[élément] (C20-Q06[Total])"


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
    ctx: Context,
    node: Any,
    entities: Mapping[str, Mapping[str, tuple[str, ...]]],
    tolerances: Mapping[Unit, Tolerance],
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
    ctx: Context,
    qid: str,
    node: _LineDict,
    entities: Mapping[str, Mapping[str, tuple[str, ...]]],
    tolerances: Mapping[Unit, Tolerance],
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
    ctx: Context,
    qid: str,
    node: _LineDict,
    entity: str | None,
    key: Any,
    tolerances: Mapping[Unit, Tolerance],
    group: str | None = None,
    from_for_each: bool = False,
) -> ItemSpec:
    if key is None:
        raise ctx.fail(node, f"{qid} : chaque élément doit avoir une clé « key »")
    unit_name = node.get("unit", "number")
    if unit_name not in UNITS:
        raise ctx.fail(node, f"{qid} : unité inconnue « {unit_name} »", ", ".join(UNITS))
    unit = Unit(unit_name)
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
        kind=Kind(_one_of(ctx, node, "kind", KINDS, "value")),
        vocabulary=node.get("vocabulary"),
        functions=tuple(str(f).upper() for f in node.get("functions") or ()),
        check_ranges=bool(node.get("check_ranges", True)),
    )


def _one_of(ctx: Context, node: _LineDict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = str(node.get(key, default))
    if value not in allowed:
        raise ctx.fail(node, f"{key} inconnu « {value} »", ", ".join(allowed))
    return value


def _check(ctx: Context, node: _LineDict, entity: str | None) -> float | None:
    check = node.get("check")
    if isinstance(check, dict):
        check = check.get(entity) if entity is not None else None
    if check is None or isinstance(check, int | float):
        return None if check is None else float(check)
    raise ctx.fail(node, f"« check » doit être un nombre (ou un nombre par entité) : {check!r}")
