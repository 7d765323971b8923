"""Rubric files: YAML -> frozen dataclasses, validated on load with precise French errors.

A rubric never contains code: expected values are *computed* by the KPI library (`kpi:` names a
registered pure function, `args:` maps its parameters to references). A reference is one of

    tva                 an input read from the subject workbook, or a derived quantity
    pv[P2]              one entity of an entity-keyed input
    pv[$]               the entity of the current item (inside `for_each`)
    pv[*]               the whole list, in entity order
    C20-Q12[MCV]        a candidate answer (an item of another question): the dependency
                        along which errors are carried forward; any question id of the
                        rubric (S2-Q01[Total], Dossier1.b[P3]) is read this way
    C20-Q06[*]          every entity item of that question
    360                 a literal number (a parameter of the method, not an expected value)
    {text: PME}         a literal text (a criterion); {text: $} is the current entity's key

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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Unit(StrEnum):
    """How an item's value is read, compared and printed. A `str` enum: it compares equal to
    its YAML spelling, so `item.unit == "eur"` keeps working where the engine still uses it."""

    EUR = "eur"
    PERCENT = "percent"
    COEFFICIENT = "coefficient"
    DAYS = "days"
    DATE = "date"
    COUNT = "count"
    NUMBER = "number"
    TEXT = "text"
    FLAG = "flag"
    POINTS = "points"


class Kind(StrEnum):
    """How an item is judged: a value in a cell, or a scatter chart."""

    VALUE = "value"
    SCATTER_CHART = "scatter-chart"


# Question and criterion ids: letters, digits, « - », « _ », « . » (C20-Q01, S2-Q01, C20b-Q1.a)
ID_PATTERN = r"[^\W_][\w.-]*"
ID = re.compile(rf"^{ID_PATTERN}$")

UNITS = tuple(str(u) for u in Unit)
KINDS = tuple(str(k) for k in Kind)
VERDICT_NAMES = ("correct", "consequential", "hardcoded", "incorrect", "missing", "review")
# `incorrect: items` in the YAML: a question judged incorrect earns the mean of its items' shares
BY_ITEMS = "items"

DEFAULT_TOLERANCES: Mapping[Unit, tuple[float, float]] = {
    # unit -> (absolute, relative); money follows "±0.01 € per 10 000 € plus ±0.01 €"
    Unit.EUR: (0.01, 1e-6),
    Unit.PERCENT: (5e-5, 0.0),
    Unit.COEFFICIENT: (0.005, 0.0),
    Unit.DAYS: (1.0, 0.0),
    Unit.DATE: (1.0, 0.0),
    Unit.COUNT: (0.5, 0.0),
    Unit.NUMBER: (0.005, 0.0),
    Unit.TEXT: (0.0, 0.0),
    Unit.FLAG: (0.0, 0.0),
    Unit.POINTS: (0.05, 0.0),  # NPS: -15 points, or -15 % (a fraction with a % format)
}


@dataclass(frozen=True)
class Scoring:
    """Share of a question's points earned per verdict. With `incorrect_by_items`, a question
    judged incorrect earns the mean of its items' shares (incorrect items count 0)."""

    correct: float = 1.0
    consequential: float = 1.0
    hardcoded: float = 0.5
    incorrect: float = 0.0
    missing: float = 0.0
    review: float = 0.0
    incorrect_by_items: bool = False

    def share(self, verdict: str) -> float:
        """The share for one verdict name (`Verdict` values are its names)."""
        if verdict not in VERDICT_NAMES:
            raise KeyError(verdict)
        value: float = getattr(self, str(verdict))
        return value

    # Mapping view kept for callers written against the former `dict` form, where
    # `incorrect` could hold the sentinel "items"; prefer `share` and `incorrect_by_items`.
    def __getitem__(self, verdict: str) -> float | str:
        if verdict == "incorrect" and self.incorrect_by_items:
            return BY_ITEMS
        return self.share(verdict)

    def get(self, verdict: str, default: float | str = 0.0) -> float | str:
        try:
            return self[verdict]
        except KeyError:
            return default


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


def refs_in(args: Iterable[Arg]) -> list[Ref]:
    """Every reference in a list of arguments, nested lists included, in order."""
    found: list[Ref] = []
    for arg in args:
        if isinstance(arg, Ref):
            found.append(arg)
        elif isinstance(arg, tuple):
            found.extend(refs_in(arg))
    return found


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

    def refs(self) -> list[Ref]:
        return refs_in(self.args.values())


@dataclass(frozen=True)
class ItemSpec:
    key: str
    compute: Computation
    unit: Unit
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
    kind: Kind = Kind.VALUE
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
class CaseFiles:
    """The files of the case that `rubric check` reads, as named in the rubric (`solution:`,
    `enonce:`, `samples:`, `expected:`, relative to the rubric); None: the default place,
    beside the subject (solution.xlsx, enonce.md, submissions/, goldens/)."""

    solution: Path | None = None
    enonce: Path | None = None
    samples: Path | None = None  # folder of sample submissions
    expected: Path | None = None  # goldens/ folder, or a YAML file of expected verdicts


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    path: Path
    subject: Path
    scoring: Scoring
    criteria: tuple[CriterionSpec, ...]
    entities: Mapping[str, Mapping[str, tuple[str, ...]]]
    inputs: Mapping[str, InputSpec]
    derived: Mapping[str, Computation]
    questions: tuple[QuestionSpec, ...]
    vocabularies: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    source_text: str = field(repr=False, default="")
    case_files: CaseFiles | None = None  # where `rubric check` finds the case's other files

    def question(self, qid: str) -> QuestionSpec:
        return next(q for q in self.questions if q.id == qid)

    def item(self, qid: str, key: str) -> ItemSpec | None:
        return next((i for i in self.question(qid).items if i.key == key), None)


__all__ = [
    "BY_ITEMS", "DEFAULT_TOLERANCES", "ID", "ID_PATTERN", "KINDS", "UNITS", "VERDICT_NAMES",
    "Arg", "CaseFiles", "Computation", "CriterionSpec", "InputSpec", "ItemSpec", "Kind",
    "QuestionSpec", "Ref", "Rubric", "Scoring", "Text", "Tolerance", "Unit",
    "refs_in",
]  # fmt: skip
