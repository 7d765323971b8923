"""The state of grading one submission: what every step reads, and what each step adds.

Steps run in order (see `pipeline.grade_workbook`): `answers` fills `answers`, `judge` and
`charts` fill `results` and `candidate_values` (the candidate's own numbers, as later items
use them for error carried forward).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.evaluate.policy import GradingValue
from autocorrect.grading.fingerprints import Proof
from autocorrect.grading.locate import Location, Locator
from autocorrect.grading.methods import MethodIssue
from autocorrect.grading.readings import Reading
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import Workbook
from autocorrect.reference.case import CaseData, ComputationFailed, evaluate
from autocorrect.report import ItemResult, LocatedBy
from autocorrect.rubric.model import Computation, Rubric

ItemKey = tuple[str, str]  # (question id, item key)


@dataclass(frozen=True)
class Answer:
    """What the candidate wrote for one item, as the grader sees it."""

    location: Location
    value: object  # recomputed for formulas, typed otherwise
    formula: str | None
    cached: object
    readings: tuple[Reading, ...]
    proof: Proof | None = None  # what its formula is proven to compute, on redrawn data sets
    follows_data: bool = True  # False: a formula whose result ignores the subject's data
    computes_other: tuple[ItemKey, ...] = ()  # other items its formula computes
    graded: GradingValue | None = None  # recalculation policy (evaluate/policy.py)

    @property
    def by_value_search(self) -> bool:
        return self.location.located_by == LocatedBy.VALUE_SEARCH


@dataclass
class Grading:
    workbook: Workbook
    rubric: Rubric
    case: CaseData
    evaluator: Evaluator
    locator: Locator
    answers: dict[ItemKey, Answer] = field(default_factory=dict)
    candidate_values: dict[ItemKey, object] = field(default_factory=dict)
    results: dict[ItemKey, ItemResult] = field(default_factory=dict)
    # Method checks of one item's formula, made once: the verdict and the explanation both
    # ask for them (keyed by the item object and the answer cell).
    method_checks: dict[tuple[int, CellRef], list[MethodIssue]] = field(default_factory=dict)

    @classmethod
    def start(cls, workbook: Workbook, rubric: Rubric, case: CaseData) -> Grading:
        return cls(
            workbook,
            rubric,
            case,
            Evaluator(workbook),
            Locator(workbook, rubric, case.subject_cells),
        )

    def own_answers(self) -> Mapping[ItemKey, object]:
        """Reference values overlaid with the candidate's own: the basis of carried errors."""
        return {**self.case.reference, **self.candidate_values}

    def compute(self, comp: Computation, answers: Mapping[ItemKey, object]) -> object | None:
        """A rubric computation on the given answers; None when it cannot be computed."""
        try:
            return evaluate(comp, self.case, answers)
        except ComputationFailed:
            return None
