"""Expected values, computed from the case data through the KPI library.

The subject workbook is read once per rubric; every expected value is then a KPI call whose
arguments are case data or other answers, or the examiner's formula computed on them
(`autocorrect.reference.formula`). The same `evaluate` serves error carried forward: called with the
candidate's own upstream answers instead of the reference ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from autocorrect.errors import RubricError
from autocorrect.grading.readings import flag_reading
from autocorrect.reading.refs import CellRef, RangeRef, parse_ref
from autocorrect.reading.workbook import Workbook, from_serial, load
from autocorrect.reference.formula import FormulaError, evaluate_formula
from autocorrect.reference.kpis import KPIS, DayMonth
from autocorrect.rubric.graph import ordered_items
from autocorrect.rubric.model import Arg, Computation, InputSpec, Ref, Rubric, Text

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
    areas: Mapping[str, RangeRef] = field(default_factory=dict)  # input -> subject cells


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
    return case_from_subject(rubric, load(rubric.subject))


def case_from_subject(rubric: Rubric, subject: Workbook, strict: bool = True) -> CaseData:
    """Every expected value of the rubric on this subject's data. `strict`: a value that cannot
    be computed is a rubric error, and `check:` values are verified; otherwise (data sets
    redrawn for fingerprints) such items are simply left out of `reference`."""
    subject_cells = {ref: c.value for ref, c in subject.cells.items()}
    inputs = {name: _read_input(rubric, subject, name) for name in rubric.inputs}
    entity_order = {
        name: tuple(rubric.entities[spec.entities or spec.columns or ""] or ())
        if (spec.entities or spec.columns)
        else ()
        for name, spec in rubric.inputs.items()
    }
    for_each = {q.id: tuple(i.key for i in q.items if i.from_for_each) for q in rubric.questions}
    partial = CaseData(inputs, entity_order, {}, subject_cells, {}, for_each)
    derived = _all_derived(rubric, partial, strict)
    partial = CaseData(inputs, entity_order, derived, subject_cells, {}, for_each)
    reference: dict[tuple[str, str], object] = {}
    for question, item in ordered_items(rubric):
        try:
            reference[(question.id, item.key)] = evaluate(item.compute, partial, reference)
        except ComputationFailed as exc:
            if strict:
                raise RubricError(f"{rubric.path} : {question.id}[{item.key}] : {exc}") from exc
            continue
        except KeyError:  # a derived value that could not be computed on redrawn data
            if strict:
                raise
            continue
        if strict:
            _cross_check(rubric, question.id, item.key, reference[(question.id, item.key)])
    areas = {name: input_area(rubric, subject, name) for name in rubric.inputs}
    return CaseData(inputs, entity_order, derived, subject_cells, reference, for_each, areas)


def _all_derived(rubric: Rubric, partial: CaseData, strict: bool) -> dict[str, object]:
    derived: dict[str, object] = {}
    for name, comp in rubric.derived.items():
        try:
            derived[name] = _derived(rubric, name, comp, partial)
        except RubricError:
            if strict:
                raise
    return derived


def _derived(rubric: Rubric, name: str, comp: Computation, partial: CaseData) -> object:
    try:
        return evaluate(comp, partial, {})
    except ComputationFailed as exc:
        raise RubricError(f"{rubric.path} : derived.{name} : {exc}") from exc


def _read_input(rubric: Rubric, subject: Workbook, name: str) -> object:
    spec = rubric.inputs[name]
    area = input_area(rubric, subject, name)
    grid = [[_cell_value(rubric, subject, spec, c) for c in row] for row in area.cells()]
    if spec.columns is not None:
        return _by_columns(rubric, spec, grid)
    values = [v for row in grid for v in row]
    if spec.entities is not None:
        expected = len(rubric.entities[spec.entities])
        if len(values) != expected:
            raise RubricError(
                f"{rubric.path} : entrée « {name} » : {len(values)} cellules pour "
                f"{expected} entités du groupe « {spec.entities} »."
            )
        return tuple(values)
    return values[0] if len(values) == 1 else tuple(values)


def input_area(rubric: Rubric, subject: Workbook, name: str) -> RangeRef:
    """Where an input lives in the subject, with the subject's own sheet spelling."""
    spec = rubric.inputs[name]
    area = parse_ref(spec.ref, subject.sheets[0])
    sheet = subject.sheet_named(area.sheet) if area else None
    if area is None or sheet is None:
        raise RubricError(
            f"{rubric.path} : entrée « {name} » : référence « {spec.ref} » "
            "introuvable dans le sujet."
        )
    return RangeRef(sheet, area.min_row, area.min_col, area.max_row, area.max_col)


def _by_columns(rubric: Rubric, spec: InputSpec, grid: list[list[object]]) -> tuple[object, ...]:
    members = rubric.entities[str(spec.columns)]
    if not grid or len(grid[0]) != len(members):
        raise RubricError(
            f"{rubric.path} : entrée « {spec.name} » : {len(grid[0]) if grid else 0} colonnes "
            f"pour {len(members)} entités du groupe « {spec.columns} »."
        )
    return tuple(tuple(row[i] for row in grid) for i in range(len(members)))


def _cell_value(rubric: Rubric, subject: Workbook, spec: InputSpec, ref: CellRef) -> object:
    cell = subject.get(ref)
    value = cell.value if cell else None
    if spec.any_values:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise RubricError(
            f"{rubric.path} : entrée « {spec.name} » : la cellule {ref} du sujet ne "
            f"contient pas un nombre ({value!r}) ; écrire « values: any » pour l'accepter."
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
    """Call the KPI (or compute the formula) with its arguments resolved; raises
    ComputationFailed."""
    kwargs = {name: _resolve(arg, case, answers) for name, arg in comp.args.items()}
    if comp.formula is not None:
        return _evaluate_formula(comp.formula, comp.result_unit, kwargs, case)
    try:
        result = KPIS[comp.kpi](**kwargs)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError) as exc:
        raise ComputationFailed(f"{comp.kpi} impossible ({type(exc).__name__})") from exc
    if isinstance(result, int) and not isinstance(result, bool):
        return float(result)
    return result


def _resolve(arg: Arg, case: CaseData, answers: Answers) -> object:
    if isinstance(arg, float | bool):
        return arg
    if isinstance(arg, Text):
        return arg.value
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


def _evaluate_formula(
    formula: str, unit: str, values: Mapping[str, object], case: CaseData
) -> object:
    """The examiner's formula on these values and the subject's cells, read in `unit`."""
    try:
        result = evaluate_formula(formula, values, case.subject_cells)
    except FormulaError as exc:
        raise ComputationFailed(f"formule {formula} : {exc}") from exc
    return formula_value(formula, result, unit)


def formula_value(formula: str, result: object, unit: str) -> object:
    """A formula's raw result as a KPI would give it: a flag, a day and month, a text or a
    number."""
    if unit == "flag":
        reading = flag_reading(result)
        if reading is None:
            raise ComputationFailed(f"formule {formula} : {result!r} n'est pas un indicateur")
        return reading.value
    if unit == "text":
        return str(result)
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise ComputationFailed(f"formule {formula} : résultat non numérique {result!r}")
    if unit == "date":
        day = from_serial(float(result))
        if day is None:
            raise ComputationFailed(f"formule {formula} : date hors limites ({result})")
        return DayMonth(day.day, day.month)
    return float(result)
