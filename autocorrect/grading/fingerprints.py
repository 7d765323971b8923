"""Fingerprints: what a candidate's formula computes, proven on redrawn data sets.

Every formula cell of the candidate is evaluated on the subject's data and on K redrawn data
sets (`reference.perturb`), the candidate's own intermediate cells recomputed each time. The
rubric's items, accepted variants and known mistakes are computed on the same data sets. A cell
whose values agree with an item's on the subject's data *and* on every redrawn set computes that
item, whatever its label says and wherever it sits; one that agrees only on the subject's data
does not prove a method (numbers typed into the formula, a coincidence).

An item whose expected value does not move when the data are redrawn (a count of entities, a
flag on unchanged categories) cannot be fingerprinted: its answer is located by its label only.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.grading.readings import agrees, readings
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import (
    CellData,
    Workbook,
    from_serial,
    is_date_format,
    is_percent_format,
)
from autocorrect.reference.case import Answers, CaseData, ComputationFailed, evaluate
from autocorrect.reference.perturb import DataSet, as_number
from autocorrect.rubric.model import Computation, ItemSpec, Tolerance

_PERCENT_UNITS = ("percent",)
MAX_FORMULAS = 3_000  # formula cells fingerprinted at most (an exam copy has about 200)
MIN_SETS = 2  # redrawn data sets on which a target must be computable to prove anything


class ProofKind(StrEnum):
    EXACT = "exact"  # the reference method
    VARIANT = "variant"  # an accepted variant of it
    CONSEQUENTIAL = "consequential"  # the method applied to the candidate's own upstream cells
    MISTAKE = "mistake"  # a known typical mistake


@dataclass(frozen=True)
class Target:
    """A value to recognise: on the subject's data, then on each redrawn data set."""

    kind: ProofKind
    real: object  # a number, a flag, a text, a day and month
    redrawn: tuple[object, ...]  # None where it cannot be computed on that data set
    computation: Computation | None = None  # the variant or the mistake

    @property
    def moves(self) -> bool:
        """Whether it proves anything: computable on enough redrawn sets, and different there
        (a data set where the reference cannot be computed — a break-even beyond the year — is
        left out)."""
        computed = [v for v in self.redrawn if v is not None]
        return len(computed) >= MIN_SETS and any(v != self.real for v in computed)


@dataclass(frozen=True)
class Proof:
    """A cell proven to compute a target."""

    cell: CellRef
    target: Target
    times_100: bool  # a rate written ×100 (33,33 for 0,3333), on every data set alike


class Fingerprints:
    """The candidate's formula cells, evaluated on the subject's data and on redrawn sets."""

    def __init__(
        self,
        workbook: Workbook,
        evaluator: Evaluator,
        sets: tuple[DataSet, ...],
        subject_cells: Mapping[CellRef, object],
        vocabularies: Mapping[str, Mapping[str, tuple[str, ...]]],
    ) -> None:
        self.workbook = workbook
        self.vocabularies = vocabularies
        self.sets = sets
        self._real = evaluator
        self._redrawn = [
            evaluator.with_data(cells) for cells in _overrides(workbook, sets, subject_cells)
        ]
        self._values: dict[CellRef, tuple[object, ...]] = {}
        self._partial: dict[CellRef, dict[int, object]] = {}  # some sets computed so far
        cells = [
            c.ref for c in workbook.cells.values() if c.is_formula and c.ref not in subject_cells
        ]
        if len(cells) > MAX_FORMULAS:
            # Not an exam copy (a few hundred formulas at most): labels alone locate answers,
            # rather than recomputing thousands of formulas four times.
            cells, self.sets, self._redrawn = [], (), []
        self._formula_cells = sorted(cells)
        numbers = [(v, ref) for ref in cells if (v := as_number(evaluator.value(ref))) is not None]
        numbers.sort()
        self._sorted_values = [v for v, _ in numbers]
        self._sorted_cells = [ref for _, ref in numbers]

    # -- targets ---------------------------------------------------------------------------

    def target(
        self,
        kind: ProofKind,
        comp: Computation,
        real_answers: Answers,
        redrawn_answers: Sequence[Answers],
        case: CaseData,
    ) -> Target | None:
        """A computation on the subject's data and on each redrawn set; None if it fails."""
        real = _compute(comp, case, real_answers)
        if real is None:
            return None
        redrawn = tuple(
            _compute(comp, s.case, answers)
            for s, answers in zip(self.sets, redrawn_answers, strict=True)
        )
        return Target(kind, real, redrawn, comp if kind != ProofKind.EXACT else None)

    # -- cells -----------------------------------------------------------------------------

    @property
    def formula_cells(self) -> list[CellRef]:
        return self._formula_cells

    def redrawn_values(self, ref: CellRef) -> tuple[float | None, ...]:
        """The cell's number on each redrawn data set (None where it is not a number)."""
        return tuple(as_number(v) for v in self._redrawn_raw(ref))

    def _redrawn_raw(self, ref: CellRef) -> tuple[object, ...]:
        if ref not in self._values:
            self._values[ref] = tuple(self._redrawn_value(ref, i) for i in range(len(self.sets)))
        return self._values[ref]

    def _redrawn_value(self, ref: CellRef, index: int) -> object:
        """The cell on one redrawn set, computed only when asked: a cell that fails on the
        first set is never computed on the others."""
        if ref in self._values:
            return self._values[ref][index]
        known = self._partial.setdefault(ref, {})
        if index not in known:
            known[index] = self._redrawn[index].value(ref)
        return known[index]

    def moves(self, ref: CellRef) -> bool:
        """Whether the cell follows the data at all (a formula of typed numbers does not)."""
        real = self._real.value(ref)
        return any(v != real for v in self._redrawn_raw(ref))

    def proofs(self, target: Target, item: ItemSpec) -> list[Proof]:
        """Every formula cell computing `target`, on the subject's data and every redrawn set."""
        if not target.moves:
            return []
        if not isinstance(target.real, float):
            cells = self._formula_cells
            return [Proof(r, target, False) for r in cells if self._agrees_other(r, target, item)]
        found = []
        for factor, times_100 in self._scales(item):
            for ref in self._near(target.real * factor, item.tolerance):
                if self._agrees(ref, target, item, factor):
                    found.append(Proof(ref, target, times_100))
        return found

    def proves(self, ref: CellRef, target: Target, item: ItemSpec) -> Proof | None:
        """Whether this cell computes the target (as written, or as a rate ×100)."""
        if not target.moves:
            return None
        if not isinstance(target.real, float):
            return Proof(ref, target, False) if self._agrees_other(ref, target, item) else None
        for factor, times_100 in self._scales(item):
            if self._agrees(ref, target, item, factor):
                return Proof(ref, target, times_100)
        return None

    def _scales(self, item: ItemSpec) -> list[tuple[float, bool]]:
        scales = [(1.0, False)]
        if item.unit in _PERCENT_UNITS:
            scales.append((100.0, True))
        return scales

    def _near(self, value: float, tolerance: Tolerance) -> Iterable[CellRef]:
        width = tolerance.absolute * 100 + tolerance.relative * abs(value) + 1e-9
        low = bisect.bisect_left(self._sorted_values, value - width)
        high = bisect.bisect_right(self._sorted_values, value + width)
        return self._sorted_cells[low:high]

    def _agrees(self, ref: CellRef, target: Target, item: ItemSpec, factor: float) -> bool:
        assert isinstance(target.real, float)
        cell = self.workbook.get(ref)
        if factor != 1.0 and cell is not None and is_percent_format(cell.number_format):
            return False  # a cell shown as % holds the rate itself, never ×100
        real = as_number(self._real.value(ref))
        if real is None or not _close(target.real * factor, real, item.tolerance, factor):
            return False
        for index, expected in enumerate(target.redrawn):
            if expected is None:
                continue  # not computable on this data set: proves nothing either way
            found = as_number(self._redrawn_value(ref, index))
            if not isinstance(expected, float) or found is None:
                return False
            if not _close(expected * factor, found, item.tolerance, factor):
                return False
        return True

    def _agrees_other(self, ref: CellRef, target: Target, item: ItemSpec) -> bool:
        """A flag, a text or a date: the cell read in the item's unit, on every data set."""
        cell = self.workbook.get(ref)
        if cell is None:
            return False
        real = self._real.value(ref)
        if item.unit == "flag" and not isinstance(real, str | bool):
            return False  # an indicator is a text or a boolean, never a number
        if not self._reads_as(cell, real, target.real, item):
            return False
        return all(
            expected is None or self._reads_as(cell, found, expected, item)
            for expected, found in zip(target.redrawn, self._redrawn_raw(ref), strict=True)
        )

    def _reads_as(self, cell: CellData, value: object, expected: object, item: ItemSpec) -> bool:
        if item.unit == "date" and isinstance(value, float) and is_date_format(cell.number_format):
            value = from_serial(value) or value
        found = readings(
            value,
            item.unit,
            is_percent_format(cell.number_format),
            False,
            self.vocabularies.get(item.vocabulary or ""),
        )
        return any(agrees(expected, reading, item.tolerance) for reading in found[:1])


def _close(expected: float, found: float, tolerance: Tolerance, factor: float) -> bool:
    """Equal within the item's tolerance (scaled with a ×100 reading)."""
    width = tolerance.absolute * factor + tolerance.relative * abs(expected)
    return abs(found - expected) <= width + 1e-9 * max(1.0, abs(expected))


def _overrides(
    workbook: Workbook, sets: tuple[DataSet, ...], subject: Mapping[CellRef, object]
) -> list[dict[CellRef, object]]:
    """Per data set, the redrawn subject cells addressed in the candidate's sheet spelling; a
    cell the candidate changed (typed over) keeps the candidate's value. Which cells the
    candidate left as the subject gave them is found once for every set."""
    casefolded = {s.casefold(): s for s in workbook.sheets}
    keys: dict[CellRef, None] = {}
    for data_set in sets:  # the sets redraw the same cells: their union costs little
        keys.update(dict.fromkeys(data_set.cells))
    own_sheet = {name: casefolded.get(name.casefold()) for name in {ref.sheet for ref in keys}}
    cells = workbook.cells
    untouched: dict[CellRef, CellRef] = {}
    for ref in keys:
        sheet = own_sheet[ref.sheet]
        if sheet is None:
            continue
        own = ref if sheet == ref.sheet else CellRef(sheet, ref.row, ref.col)
        cell = cells.get(own)
        if cell is not None and cell.formula is None and cell.value == subject.get(ref):
            untouched[ref] = own
    return [
        {own: data_set.cells[ref] for ref, own in untouched.items() if ref in data_set.cells}
        for data_set in sets
    ]


def _compute(comp: Computation, case: CaseData, answers: Answers) -> object:
    try:
        return evaluate(comp, case, answers)
    except (ComputationFailed, KeyError):
        return None
