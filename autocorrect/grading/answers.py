"""Answers: for each value item, the cell the candidate answered in and how it reads.

Items are located by the `Locator` (template cell, label, table crossing). Items it cannot
place are searched by their expected number among the candidate's own cells: an answer found
that way (`value-search`) is never credited without a human look.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import replace

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.evaluate.policy import grading_value
from autocorrect.grading.bind import Binder, Binding
from autocorrect.grading.context import Answer, Grading
from autocorrect.grading.fingerprints import MAX_FORMULAS
from autocorrect.grading.locate import Location, own_label
from autocorrect.grading.readings import first_agreeing, parse_number_text, readings
from autocorrect.grading.structure import lines_to_complete
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import (
    CellData,
    Workbook,
    from_serial,
    is_date_format,
    is_percent_format,
)
from autocorrect.report import LocatedBy
from autocorrect.rubric.graph import ordered_items as rubric_order
from autocorrect.rubric.model import ItemSpec, Rubric


def read_answer(
    workbook: Workbook, evaluator: Evaluator, rubric: Rubric, location: Location, item: ItemSpec
) -> Answer:
    """The value in `location`, recomputed when it is a formula, read in the item's unit."""
    cell = workbook.get(location.cell)
    assert cell is not None
    graded = grading_value(evaluator, location.cell)
    value = graded.value
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
    return Answer(location, value, cell.formula, cell.cached, tuple(found), graded=graded)


def locate_answers(grading: Grading) -> None:
    """Fill `grading.answers`: labels locate, formulas prove (`bind`), then a value search
    for what is left. Also fills `grading.binder`, used to judge carried errors."""
    order = [(q, i) for q, i in rubric_order(grading.rubric) if i.kind == "value"]
    labelled = {
        (q.id, i.key): location
        for q, i in order
        if (location := grading.locator.locate(i)) is not None
    }
    binder = Binder(grading, labelled)
    for question, item in order:
        key = (question.id, item.key)
        binding = binder.bind(question, item)
        if binding is None:
            continue
        for upstream_key, location in binding.upstream:
            upstream = _read(grading, location, binder.items[upstream_key])
            grading.answers[upstream_key] = upstream
            binder.record(upstream_key, location.cell, upstream.value, upstream.value)
        answer = _read(grading, binding.location, item)
        answer = _with_proof(grading, binder, key, answer, binding)
        grading.answers[key] = answer
        binder.record(key, answer.location.cell, value_for_downstream(grading, item, key, answer),
                      answer.value)  # fmt: skip
    for key, location in lines_to_complete(grading):
        item = binder.items[key]
        answer = _read(grading, location, item)
        grading.answers[key] = _with_proof(grading, binder, key, answer, Binding(location, None))
    search = _ValueSearch(grading)
    for question, item in order:
        key = (question.id, item.key)
        if key not in grading.answers:
            found = search.find(item, grading.case.reference[key])
            if found is not None:
                grading.answers[key] = found


def _with_proof(
    grading: Grading, binder: Binder, key: tuple[str, str], answer: Answer, binding: Binding
) -> Answer:
    cell = answer.location.cell
    follows = True
    target = binder.exact.get(key)
    if answer.formula is not None and binding.proof is None and target is not None:
        # Only a number tells: a flag or a text may rightly stay the same on other data.
        follows = not isinstance(target.real, float) or binder.fingerprints.moves(cell)
    others = tuple(binder.other_items_computed(cell, key)) if binding.proof is None else ()
    return replace(answer, proof=binding.proof, follows_data=follows, computes_other=others)


def value_for_downstream(
    grading: Grading, item: ItemSpec, key: tuple[str, str], answer: Answer
) -> object:
    """The candidate's number as later items will use it (×100 rates brought back)."""
    expected = grading.case.reference[key]
    agreeing = first_agreeing(expected, list(answer.readings), item.tolerance)
    if agreeing is not None:
        return agreeing.value
    if not answer.readings:
        return None
    plain = answer.readings[0].value
    if (
        item.unit == "percent"
        and isinstance(plain, float)
        and len(answer.readings) > 1
        and abs(plain) > 1.5
        and isinstance(expected, float)
        and abs(expected) <= 1.5
    ):
        return answer.readings[1].value
    return plain


def _read(grading: Grading, location: Location, item: ItemSpec) -> Answer:
    return read_answer(grading.workbook, grading.evaluator, grading.rubric, location, item)


_SMALL_INTEGER = 31  # counts, days, months: found everywhere by chance


class _ValueSearch:
    """The candidate's own numbers and formulas, searched for an expected value."""

    def __init__(self, grading: Grading) -> None:
        self.grading = grading
        self.used = {a.location.cell for a in grading.answers.values()}
        self._pool: list[CellData] | None = None
        self._numbers: dict[CellRef, float | None] = {}  # each cell's number, read once
        formulas = sum(1 for c in grading.workbook.cells.values() if c.is_formula)
        self._large = formulas > MAX_FORMULAS
        self._sorted: tuple[list[float], list[int]] | None = None  # see `_tried`
        self._subject_numbers: set[float] | None = None

    def find(self, item: ItemSpec, expected: object) -> Answer | None:
        if not isinstance(expected, float) or not self._telling(expected):
            return None
        tolerance = item.tolerance
        slack = tolerance.absolute + tolerance.relative * abs(expected)
        slack += 1e-9 * max(1.0, abs(expected))
        for cell in self._tried(expected, slack):
            if cell.ref in self.used:
                continue
            location = Location(cell.ref, LocatedBy.VALUE_SEARCH, "", percent_label=False)
            answer = _read(self.grading, location, item)
            if first_agreeing(expected, list(answer.readings), tolerance):
                self.used.add(cell.ref)
                # The cell's own words, looked up for the one cell found, not for every cell
                # tried (a workbook of 10,000 numbers would otherwise cost seconds per item).
                text = own_label(self.grading.workbook, cell.ref)
                return replace(answer, location=replace(location, label=text))
        return None

    def _tried(self, expected: float, slack: float) -> Iterator[CellData]:
        """The cells whose number may agree, in the pool's order. A workbook beyond the
        formula ceiling has its saved numbers indexed once (sorted), so that each item looks
        at a few cells, not at all of them."""
        pool = self._cells()
        if not self._large:
            yield from (c for c in pool if self._may_agree(c.ref, expected, slack))
            return
        numbers, positions = self._index()
        near: set[int] = set()
        for factor in (1.0, 100.0, 0.01):  # the number as is, ×100 rates, points in %
            width = slack * factor * (1 + 1e-9) + 1e-12
            low = bisect.bisect_left(numbers, expected * factor - width)
            high = bisect.bisect_right(numbers, expected * factor + width)
            near.update(positions[low:high])
        for position in sorted(near):
            if self._may_agree(pool[position].ref, expected, slack):
                yield pool[position]

    def _index(self) -> tuple[list[float], list[int]]:
        if self._sorted is None:
            pool = self._cells()
            found = [
                (n, i) for i, c in enumerate(pool) if (n := self._number_of(c.ref)) is not None
            ]
            found.sort()
            self._sorted = ([n for n, _ in found], [i for _, i in found])
        return self._sorted

    def _number_of(self, ref: CellRef) -> float | None:
        if ref not in self._numbers:
            self._numbers[ref] = _number(self._searched_value(ref))
        return self._numbers[ref]

    def _may_agree(self, ref: CellRef, expected: float, slack: float) -> bool:
        """A cheap necessary condition for agreeing: the cell's number, as is, read as a
        rate ×100 or as points shown in %, within the tolerance (the exact reading follows)."""
        number = self._number_of(ref)
        if number is None:
            return False
        return any(abs(r - expected) <= slack for r in (number, number / 100, number * 100))

    def _searched_value(self, ref: CellRef) -> object:
        """The value searched: recomputed, except in a workbook too large to be an exam copy
        (the fingerprints' ceiling of formulas), where the saved value only points at the
        cells worth recomputing: recomputing thousands of formulas to search a few numbers
        would take minutes."""
        cell = self.grading.workbook.get(ref)
        if self._large and cell is not None and cell.is_formula:
            return cell.cached
        return grading_value(self.grading.evaluator, ref).value

    def _telling(self, expected: float) -> bool:
        """A number rare enough to be evidence on its own: not zero, not a small whole number
        (a count, a day), not a number the subject itself holds."""
        if expected == 0 or (expected.is_integer() and abs(expected) <= _SMALL_INTEGER):
            return False
        if self._subject_numbers is None:
            values = self.grading.case.subject_cells.values()
            self._subject_numbers = {float(v) for v in values if _is_number(v)}  # type: ignore[arg-type]
        return expected not in self._subject_numbers

    def _cells(self) -> list[CellData]:
        if self._pool is None:
            locator = self.grading.locator
            self._pool = [
                c
                for c in self.grading.workbook.cells.values()
                if (c.is_formula or _is_number(c.value)) and not locator.is_subject_cell(c)
            ]
        return self._pool


def _number(value: object) -> float | None:
    """The number a value can be read as (a number typed as text included), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        parsed = parse_number_text(value)
        return parsed[0] if parsed is not None else None
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
