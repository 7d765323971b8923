"""Expected values, computed from the case data through the KPI library.

The subject workbook is read once per rubric; every expected value is then a KPI call whose
arguments are case data or other answers. The same `evaluate` serves error carried forward:
called with the candidate's own upstream answers instead of the reference ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autocorrect.errors import RubricError
from autocorrect.kpis import KPIS
from autocorrect.refs import CellRef, parse_ref
from autocorrect.rubric import Arg, Computation, Ref, Rubric, ordered_items
from autocorrect.workbook import Workbook, load

Answers = Mapping[tuple[str, str], object]


@dataclass(frozen=True)
class CaseData:
    """What the subject holds, and every expected value of the rubric."""

    inputs: Mapping[str, object]  # a number, or a tuple of numbers in entity order
    entity_order: Mapping[str, tuple[str, ...]]  # input name -> its entities, in order
    derived: Mapping[str, object]
    subject_cells: Mapping[CellRef, object]  # cells as the subject gives them
    reference: Answers  # (question, key) -> expected value
    for_each_keys: Mapping[str, tuple[str, ...]]  # question -> keys of its entity items


class ComputationFailed(Exception):
    """The KPI cannot be computed from these inputs (a missing or non-numeric answer)."""


_CASES: dict[tuple[str, str, int], CaseData] = {}


def load_case(rubric: Rubric) -> CaseData:
    """The case data of a rubric, computed once per process (per rubric text and subject)."""
    key = (rubric.source_text, str(rubric.subject), rubric.subject.stat().st_mtime_ns)
    if key not in _CASES:
        _CASES[key] = _compute_case(rubric)
    return _CASES[key]


def _compute_case(rubric: Rubric) -> CaseData:
    subject = load(rubric.subject)
    inputs = {name: _read_input(rubric, subject, name) for name in rubric.inputs}
    entity_order = {
        name: tuple(rubric.entities[spec.entities]) if spec.entities else ()
        for name, spec in rubric.inputs.items()
    }
    for_each = {q.id: tuple(i.key for i in q.items if i.from_for_each) for q in rubric.questions}
    partial = CaseData(inputs, entity_order, {}, {}, {}, for_each)
    derived = {name: evaluate(comp, partial, {}) for name, comp in rubric.derived.items()}
    partial = CaseData(inputs, entity_order, derived, {}, {}, for_each)
    reference: dict[tuple[str, str], object] = {}
    for question, item in ordered_items(rubric):
        try:
            reference[(question.id, item.key)] = evaluate(item.compute, partial, reference)
        except ComputationFailed as exc:
            raise RubricError(f"{rubric.path} : {question.id}[{item.key}] : {exc}") from exc
        _cross_check(rubric, question.id, item.key, reference[(question.id, item.key)])
    subject_cells = {ref: c.value for ref, c in subject.cells.items()}
    return CaseData(inputs, entity_order, derived, subject_cells, reference, for_each)


def _read_input(rubric: Rubric, subject: Workbook, name: str) -> object:
    spec = rubric.inputs[name]
    area = parse_ref(spec.ref, subject.sheets[0])
    if area is None or subject.sheet_named(area.sheet) is None:
        raise RubricError(
            f"{rubric.path} : entrée « {name} » : référence « {spec.ref} » "
            "introuvable dans le sujet."
        )
    values = [_number(rubric, subject, name, c) for row in area.cells() for c in row]
    if spec.entities is not None:
        expected = len(rubric.entities[spec.entities])
        if len(values) != expected:
            raise RubricError(
                f"{rubric.path} : entrée « {name} » : {len(values)} cellules pour "
                f"{expected} entités du groupe « {spec.entities} »."
            )
        return tuple(values)
    return values[0] if len(values) == 1 else tuple(values)


def _number(rubric: Rubric, subject: Workbook, name: str, ref: CellRef) -> float:
    cell = subject.get(CellRef(subject.sheet_named(ref.sheet) or ref.sheet, ref.row, ref.col))
    value = cell.value if cell else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise RubricError(
            f"{rubric.path} : entrée « {name} » : la cellule {ref} du sujet ne "
            f"contient pas un nombre ({value!r})."
        )
    return float(value)


def _cross_check(rubric: Rubric, qid: str, key: str, value: object) -> None:
    item = rubric.item(qid, key)
    if item is None or item.check is None or not isinstance(value, float):
        return
    if not item.tolerance.accepts(item.check, value):
        raise RubricError(
            f"{rubric.path} : {qid}[{key}] : la valeur de contrôle {item.check} ne correspond "
            f"pas à la valeur calculée {value!r} : corriger le calcul ou la valeur de contrôle."
        )


def evaluate(comp: Computation, case: CaseData, answers: Answers) -> object:
    """Call the KPI with its arguments resolved; raises ComputationFailed."""
    kwargs = {name: _resolve(arg, case, answers) for name, arg in comp.args.items()}
    try:
        result = KPIS[comp.kpi](**kwargs)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError) as exc:
        raise ComputationFailed(f"{comp.kpi} impossible ({type(exc).__name__})") from exc
    return float(result) if isinstance(result, int) else result


def _resolve(arg: Arg, case: CaseData, answers: Answers) -> object:
    if isinstance(arg, float):
        return arg
    if isinstance(arg, tuple):
        return tuple(_resolve(a, case, answers) for a in arg)
    return _resolve_ref(arg, case, answers)


def _resolve_ref(ref: Ref, case: CaseData, answers: Answers) -> object:
    if ref.is_item:
        if ref.index == "*":
            return tuple(_answer(answers, ref.name, k) for k in case.for_each_keys[ref.name])
        return _answer(answers, ref.name, str(ref.index))
    value = case.inputs[ref.name] if ref.name in case.inputs else case.derived[ref.name]
    if ref.index is None or ref.index == "*":
        return value
    assert isinstance(value, tuple)
    return value[case.entity_order[ref.name].index(ref.index)]


def _answer(answers: Answers, qid: str, key: str) -> object:
    value = answers.get((qid, key))
    if not isinstance(value, float):
        raise ComputationFailed(f"réponse {qid}[{key}] absente ou non numérique")
    return value
