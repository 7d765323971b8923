"""Per-entity answers placed by the table they belong to.

A question asked for every entity (each product, each month) is answered in one row or one
column of one table. When some of its answers are bound (by their formulas or their labels) and
line up in entity order, the others are where the line puts them: this finds the answers whose
value does not move with the data (a rupture rate of 0 %, a flag that stays « non ») and the
wrong ones, without any label.
"""

from __future__ import annotations

from collections.abc import Callable

from autocorrect.grading.context import Grading, ItemKey
from autocorrect.grading.locate import Location, own_label
from autocorrect.reading.refs import CellRef
from autocorrect.report import LocatedBy
from autocorrect.rubric.model import QuestionSpec

_MIN_PLACED = 2
_MIN_ITEMS = 3

Line = Callable[[int], CellRef]


def lines_to_complete(grading: Grading) -> list[tuple[ItemKey, Location]]:
    """Locations for the unbound entity items of questions whose other answers line up."""
    found: list[tuple[ItemKey, Location]] = []
    taken = {a.location.cell for a in grading.answers.values()}
    for question in grading.rubric.questions:
        for key, cell in _missing_on_line(grading, question):
            if cell in taken or not _holds_answer(grading, cell):
                continue
            taken.add(cell)
            text = own_label(grading.workbook, cell)
            found.append((key, Location(cell, LocatedBy.TABLE, text, percent_label=False)))
    return found


def _missing_on_line(grading: Grading, question: QuestionSpec) -> list[tuple[ItemKey, CellRef]]:
    keys = [(question.id, i.key) for i in question.items if i.from_for_each and i.kind == "value"]
    if len(keys) < _MIN_ITEMS:
        return []
    placed = [
        (index, grading.answers[key].location.cell)
        for index, key in enumerate(keys)
        if key in grading.answers and not grading.answers[key].by_value_search
    ]
    line = _line_through(placed) if len(placed) >= _MIN_PLACED else None
    if line is None or len(placed) == len(keys):
        return []
    return [(key, line(i)) for i, key in enumerate(keys) if key not in grading.answers]


def _line_through(placed: list[tuple[int, CellRef]]) -> Line | None:
    """The row or column through these cells, one step per entity, in entity order."""
    sheets = {cell.sheet for _, cell in placed}
    if len(sheets) != 1:
        return None
    (i0, first), (i1, second) = placed[0], placed[1]
    if first.col == second.col:
        step = (second.row - first.row) / (i1 - i0)
        line: Line = lambda i: CellRef(first.sheet, first.row + round(step * (i - i0)), first.col)  # noqa: E731
    elif first.row == second.row:
        step = (second.col - first.col) / (i1 - i0)
        line = lambda i: CellRef(first.sheet, first.row, first.col + round(step * (i - i0)))  # noqa: E731
    else:
        return None
    if step < 1 or not step.is_integer():
        return None
    return line if all(line(i) == cell for i, cell in placed) else None


def _holds_answer(grading: Grading, cell: CellRef) -> bool:
    data = grading.workbook.get(cell)
    if data is None:
        return False
    return data.is_formula or not grading.locator.is_subject_cell(data)
