"""Answers: for each value item, the cell the candidate answered in and how it reads.

Items are located by the `Locator` (template cell, label, table crossing). Items it cannot
place are searched by their expected number among the candidate's own cells: an answer found
that way (`value-search`) is never credited without a human look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.grading.locate import Location
from autocorrect.grading.readings import Reading, first_agreeing, readings
from autocorrect.reading.workbook import (
    CellData,
    Workbook,
    from_serial,
    is_date_format,
    is_percent_format,
)
from autocorrect.report import LocatedBy
from autocorrect.rubric.model import ItemSpec, Rubric
from autocorrect.rubric.model import ordered_items as rubric_order

if TYPE_CHECKING:
    from autocorrect.grading.context import Grading


@dataclass(frozen=True)
class Answer:
    """What the candidate wrote for one item, as the grader sees it."""

    location: Location
    value: object  # recomputed for formulas, typed otherwise
    formula: str | None
    cached: object
    readings: tuple[Reading, ...]

    @property
    def by_value_search(self) -> bool:
        return self.location.located_by == LocatedBy.VALUE_SEARCH


def read_answer(
    workbook: Workbook, evaluator: Evaluator, rubric: Rubric, location: Location, item: ItemSpec
) -> Answer:
    """The value in `location`, recomputed when it is a formula, read in the item's unit."""
    cell = workbook.get(location.cell)
    assert cell is not None
    value = evaluator.value(location.cell) if cell.is_formula else cell.value
    if item.unit == "date" and isinstance(value, float) and is_date_format(cell.number_format):
        value = from_serial(value) or value
    vocabulary = rubric.vocabularies.get(item.vocabulary or "")
    found = readings(
        value,
        item.unit,
        is_percent_format(cell.number_format),
        location.percent_label,
        vocabulary,
    )
    return Answer(location, value, cell.formula, cell.cached, tuple(found))


def locate_answers(grading: Grading) -> None:
    """Fill `grading.answers`: located items first, then a value search for the rest."""
    order = [(q, i) for q, i in rubric_order(grading.rubric) if i.kind == "value"]
    for question, item in order:
        location = grading.locator.locate(item)
        if location is not None:
            grading.answers[(question.id, item.key)] = _read(grading, location, item)
    search = _ValueSearch(grading)
    for question, item in order:
        key = (question.id, item.key)
        if key not in grading.answers:
            found = search.find(item, grading.case.reference[key])
            if found is not None:
                grading.answers[key] = found


def _read(grading: Grading, location: Location, item: ItemSpec) -> Answer:
    return read_answer(grading.workbook, grading.evaluator, grading.rubric, location, item)


class _ValueSearch:
    """The candidate's own numbers and formulas, searched for an expected value."""

    def __init__(self, grading: Grading) -> None:
        self.grading = grading
        self.used = {a.location.cell for a in grading.answers.values()}
        self._pool: list[CellData] | None = None

    def find(self, item: ItemSpec, expected: object) -> Answer | None:
        if not isinstance(expected, float) or expected == 0:
            return None  # a zero or a date is too common to be evidence on its own
        for cell in self._cells():
            if cell.ref in self.used:
                continue
            location = Location(cell.ref, LocatedBy.VALUE_SEARCH, "", percent_label=False)
            answer = _read(self.grading, location, item)
            if first_agreeing(expected, list(answer.readings), item.tolerance):
                self.used.add(cell.ref)
                return answer
        return None

    def _cells(self) -> list[CellData]:
        if self._pool is None:
            locator = self.grading.locator
            self._pool = [
                c
                for c in self.grading.workbook.cells.values()
                if (c.is_formula or _is_number(c.value)) and not locator.is_subject_cell(c)
            ]
        return self._pool


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
