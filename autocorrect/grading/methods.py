"""Method checks ("les formules sont adaptées"): what a right number alone does not prove.

For an answer computed by formula, compared with the data the reference method reads:
- `method-short-range`: a range that covers only part of the responses (J5:J23 for J5:J24) —
  an error even when the number happens to be close;
- `method-copy-shift`: a range of the right size but displaced, the trace of a formula copied
  down without `$` (AVERAGEIF(B6:B25, …) on the second segment);
- `method-hardcoded-count`: a typed count (`/20`, `/64`) instead of COUNT or the cell holding it;
- `method-wrong-function`: none of the function families the rubric names for this item.
Each finding is a code plus a French sentence for the explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import formula_numbers
from autocorrect.reference.case import CaseData
from autocorrect.report import Code
from autocorrect.rubric.model import Arg, Computation, ItemSpec, Ref

_MAX_PRECEDENTS = 40  # formula cells followed upstream when looking for the data ranges


@dataclass(frozen=True)
class MethodIssue:
    code: Code
    note: str


def method_issues(
    item: ItemSpec,
    cell: CellRef,
    evaluator: Evaluator,
    case: CaseData,
    answer_areas: Iterable[RangeRef] = (),
) -> list[MethodIssue]:
    """Method problems of the formula in `cell` answering `item`; `answer_areas` are the
    candidate's own cells for the answers the method aggregates (C16-Q02[*] for a grand mean)."""
    parsed = evaluator.parsed(cell)
    if parsed is None:
        return []
    areas = [*_data_areas(item.compute, case), *answer_areas]
    ranges = _ranges_read(cell, evaluator) if item.check_ranges else []
    issues = list(_range_issues(areas, ranges))
    issues.extend(_count_issues(item.compute, areas, parsed.text, case))
    if item.functions and parsed.functions and not set(parsed.functions) & set(item.functions):
        used = ", ".join(sorted(set(parsed.functions)))
        issues.append(MethodIssue(Code.METHOD_WRONG_FUNCTION,
                                  f"fonction inadaptée ({used} ; attendu : "
                                  f"{', '.join(item.functions)})"))  # fmt: skip
    return issues


def _data_areas(comp: Computation, case: CaseData) -> Iterator[RangeRef]:
    """Multi-cell ranges of the subject that the reference method reads."""
    for ref in _input_refs(comp.args.values()):
        area = case.areas.get(ref.name)
        if area is None:
            continue
        order = case.entity_order.get(ref.name, ())
        if ref.index not in (None, "*") and ref.index in order and area.shape[1] == len(order):
            column = area.min_col + order.index(ref.index)
            area = RangeRef(area.sheet, area.min_row, column, area.max_row, column)
        elif ref.index not in (None, "*"):
            continue  # one cell of an entity list: nothing to cover
        if not area.is_single_cell:
            yield area


def _input_refs(args: Iterable[Arg]) -> Iterator[Ref]:
    for arg in args:
        if isinstance(arg, Ref) and not arg.is_item:
            yield arg
        elif isinstance(arg, tuple):
            yield from _input_refs(arg)


def _ranges_read(cell: CellRef, evaluator: Evaluator) -> list[RangeRef]:
    """Ranges the formula reads, directly or through the candidate's intermediate formulas."""
    seen: set[CellRef] = set()
    queue, ranges = [cell], []
    while queue and len(seen) < _MAX_PRECEDENTS:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        parsed = evaluator.parsed(current)
        if parsed is None:
            continue
        for target in parsed.targets.values():
            # Single cells address one entity (one rep, one product): only ranges can be short.
            if isinstance(target, RangeRef) and not target.is_single_cell:
                ranges.append(target)
        queue.extend(evaluator.precedent_cells(current))
    return ranges


def _range_issues(areas: list[RangeRef], ranges: list[RangeRef]) -> Iterator[MethodIssue]:
    for area in areas:
        touching = [r for r in ranges if _overlaps(r, area)]
        if not touching or any(_contains(r, area) for r in touching):
            continue
        worst = touching[0]
        if worst.shape == area.shape:
            yield MethodIssue(Code.METHOD_COPY_SHIFT,
                              f"plage décalée {_short(worst)} au lieu de {_short(area)} "
                              "(formule recopiée sans $ ?)")  # fmt: skip
        else:
            note = f"plage incomplète {_short(worst)} au lieu de {_short(area)}"
            yield MethodIssue(Code.METHOD_SHORT_RANGE, note)  # fmt: skip


def _count_issues(
    comp: Computation, areas: list[RangeRef], formula: str, case: CaseData
) -> Iterator[MethodIssue]:
    counts = {a.shape[0] * a.shape[1] for a in areas}
    for ref in _input_refs(comp.args.values()):
        value = case.inputs.get(ref.name)
        if ref.index is None and isinstance(value, float) and value.is_integer():
            counts.add(int(value))
    typed = sorted({int(n) for n in formula_numbers(formula) if n.is_integer() and n >= 2})
    for number in typed:
        if number in counts:
            yield MethodIssue(Code.METHOD_HARDCODED_COUNT,
                              f"effectif saisi en dur ({number}) au lieu d'un calcul "
                              "(NB, NBVAL ou la cellule du sujet)")  # fmt: skip


def _overlaps(a: RangeRef, b: RangeRef) -> bool:
    return (
        a.sheet.casefold() == b.sheet.casefold()
        and a.min_row <= b.max_row
        and b.min_row <= a.max_row
        and a.min_col <= b.max_col
        and b.min_col <= a.max_col
    )


def _contains(outer: RangeRef, inner: RangeRef) -> bool:
    return (
        outer.sheet.casefold() == inner.sheet.casefold()
        and outer.min_row <= inner.min_row
        and outer.max_row >= inner.max_row
        and outer.min_col <= inner.min_col
        and outer.max_col >= inner.max_col
    )


def _short(area: RangeRef) -> str:
    return str(area).split("!", 1)[1]


def line_of(cells: list[CellRef]) -> RangeRef | None:
    """The range covering cells laid out as one contiguous row or column, else None."""
    if len(cells) < 2 or len({c.sheet for c in cells}) != 1:
        return None
    rows, cols = sorted(c.row for c in cells), sorted(c.col for c in cells)
    sheet = cells[0].sheet
    if len(set(cols)) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
        return RangeRef(sheet, rows[0], cols[0], rows[-1], cols[0])
    if len(set(rows)) == 1 and cols == list(range(cols[0], cols[0] + len(cols))):
        return RangeRef(sheet, rows[0], cols[0], rows[0], cols[-1])
    return None
