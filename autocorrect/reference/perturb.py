"""Redrawn data sets: the subject's inputs drawn anew, K times, to fingerprint formulas.

A formula that gives the expected value on the subject's data may do so by chance or because
numbers were typed into it; one that gives the expected value on K other data sets computes the
same thing as the reference. Each data set redraws every numeric input cell the rubric declares
(`inputs:`), cell by cell and independently, so that ratios between cells change too (a typed
`=0,3333` then stops matching a rate). The nature of each value is kept:

- survey scores (an input area of whole numbers between 0 and 10) are drawn again in the range
  the subject uses, so that thresholds such as « ≥ 4 » keep their meaning;
- other whole numbers stay whole (quantities, counts) and keep their sign;
- rates strictly between 0 and 1 stay in (0, 1);
- other numbers are scaled, rounded to the cent;
- dates stay dates, moved by a few days;
- categories (a column of texts that repeat: segments, motives) are drawn again among the
  same categories, each kept at least once, so that counts and averages per category change;
- other texts, booleans and blanks are left as they are.

The draws are seeded by the rubric id and the data set's number: the same rubric always gives
the same data sets, so reports stay deterministic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import CellData, Workbook, load
from autocorrect.reference.case import CaseData, case_from_subject, input_area
from autocorrect.rubric.model import Rubric

DATA_SETS = 3  # K: three independent agreements make a chance match negligible
_SCORE_MAX = 10  # survey scales: 1–5 satisfaction, 0–10 recommendation
_SCORE_MIN_CELLS = 5
_FACTORS = (0.55, 0.7, 0.8, 1.25, 1.4, 1.6)  # never 1: every number moves
_DAY_SHIFTS = (-9, -6, -4, -2, 2, 3, 5, 8)
_CATEGORY_MIN_CELLS = 4


@dataclass(frozen=True)
class DataSet:
    """One redrawn data set: the subject's cells as redrawn, and the case computed on them."""

    number: int
    cells: Mapping[CellRef, object]  # redrawn input cells, in the subject's sheet spelling
    case: CaseData


_CACHE: dict[tuple[str, str, int], tuple[DataSet, ...]] = {}


def data_sets(rubric: Rubric) -> tuple[DataSet, ...]:
    """The K redrawn data sets of a rubric, computed once per process."""
    key = (rubric.source_text, str(rubric.subject), rubric.subject.stat().st_mtime_ns)
    if key not in _CACHE:
        subject = load(rubric.subject)
        _CACHE[key] = tuple(_data_set(rubric, subject, k) for k in range(DATA_SETS))
    return _CACHE[key]


def _data_set(rubric: Rubric, subject: Workbook, number: int) -> DataSet:
    draw = random.Random(f"{rubric.id}:{number}")
    cells: dict[CellRef, object] = {}
    for name in rubric.inputs:
        area = input_area(rubric, subject, name)
        refs = [ref for row in area.cells() for ref in row]
        values = [_value(subject.get(ref)) for ref in refs]
        for ref, value in zip(refs, _redraw(values, draw), strict=True):
            if value is not None and ref not in cells:
                cells[ref] = value
    redrawn = dataclasses.replace(subject, cells=_with_values(subject, cells))
    return DataSet(number, cells, case_from_subject(rubric, redrawn, strict=False))


def _value(cell: CellData | None) -> object:
    return None if cell is None or cell.is_formula else cell.value


def _with_values(subject: Workbook, values: Mapping[CellRef, object]) -> dict[CellRef, CellData]:
    cells = dict(subject.cells)
    for ref, value in values.items():
        if ref in cells:
            cells[ref] = dataclasses.replace(cells[ref], value=value)
    return cells


def _redraw(values: list[object], draw: random.Random) -> Sequence[object]:
    """New values for one input area; None where the value is kept as it is."""
    if _is_category_column(values):
        return _redrawn_categories(values, draw)
    dates = [_moved_date(v, draw) if isinstance(v, dt.date) else None for v in values]
    if any(d is not None for d in dates):
        return dates
    numbers = [as_number(v) for v in values]
    present = [n for n in numbers if n is not None]
    if len(present) >= _SCORE_MIN_CELLS and all(_is_score(n) for n in present):
        low, high = int(min(present)), int(max(present))
        return [None if n is None else float(draw.randint(low, high)) for n in numbers]
    return [None if n is None else _scaled(n, draw) for n in numbers]


def _scaled(value: float, draw: random.Random) -> float | None:
    if value == 0:
        return None
    factor = draw.choice(_FACTORS)
    if 0 < abs(value) < 1:
        rate = abs(value) * factor
        return (rate if rate < 1 else abs(value) ** 2) * (1 if value > 0 else -1)
    if value.is_integer():
        return float(round(value * factor)) or value
    return round(value * factor, 2)


def _is_category_column(values: list[object]) -> bool:
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    return len(texts) >= _CATEGORY_MIN_CELLS and len(set(texts)) < len(texts)


def _redrawn_categories(values: list[object], draw: random.Random) -> list[object]:
    """Each category kept at least once, the other rows drawn among the categories: counts
    and averages per category change, no category disappears."""
    kinds = sorted({v for v in values if isinstance(v, str) and v.strip()})
    rows = [i for i, v in enumerate(values) if isinstance(v, str) and v.strip()]
    drawn = kinds + [draw.choice(kinds) for _ in range(len(rows) - len(kinds))]
    draw.shuffle(drawn)
    result: list[object] = [None] * len(values)
    for row, value in zip(rows, drawn, strict=True):
        result[row] = value
    return result


def _moved_date(value: dt.date, draw: random.Random) -> dt.date:
    return value + dt.timedelta(days=draw.choice(_DAY_SHIFTS))


def _is_score(value: float) -> bool:
    return value.is_integer() and 0 <= value <= _SCORE_MAX


def as_number(value: object) -> float | None:
    """A number as a float; None for anything else (booleans included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
