"""The `inputs:` of a draft: the subject areas the solution's formulas read, named after the
subject's own headers, one cell per entity (`entities:`) or one column per entity (`columns:`)
when a copied formula reads them entity by entity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autocorrect.authoring.draft import texts
from autocorrect.authoring.draft.layout import area_name, column_header, text_left
from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import Workbook


@dataclass
class DraftInput:
    name: str
    area: RangeRef
    entities: str | None = None  # group naming the cells in order
    columns: str | None = None  # group naming the columns in order
    any_values: bool = False  # texts, dates or blanks among the cells
    comment: str = ""  # the subject's label it was named after


class InputRegistry:
    """Declares each subject area once and says how a formula operand reads from them."""

    def __init__(self, subject: Workbook, groups: Mapping[str, Sequence[str]]) -> None:
        self.subject = subject
        self.groups = groups
        self.inputs: list[DraftInput] = []

    def reference(self, area: RangeRef) -> str:
        """A declared input, one entity of it (when the subject labels the cell with that
        entity: « P1 » on the row of pv[P1]), or a new input."""
        for spec in self.inputs:
            index = _index_in(spec, area, self.groups)
            if index == "":
                return spec.name
            if index is not None and self._labelled(area, index):
                return f"{spec.name}[{index}]"
        return self._declare(area).name

    def entity_input(self, area: RangeRef, group: str, *, cells: bool) -> str:
        """The input holding one cell (or one column) per entity of `group`."""
        for spec in self.inputs:
            if spec.area == area and (spec.entities or spec.columns) == group:
                return spec.name
        spec = self._declare(area)
        if cells:
            spec.entities = group
        else:
            spec.columns = group
        return spec.name

    def _labelled(self, area: RangeRef, entity: str) -> bool:
        sheet = self.subject.sheet_named(area.sheet) or area.sheet
        corner = CellRef(sheet, area.min_row, area.min_col)
        found = [text_left(self.subject, corner), column_header(self.subject, corner)]
        return any(t is not None and texts.same_name(t, entity) for t in found)

    def _declare(self, area: RangeRef) -> DraftInput:
        header = area_name(self.subject, area)
        name = texts.unique(texts.slug(header, "donnee"), {i.name for i in self.inputs})
        sheet = self.subject.sheet_named(area.sheet) or area.sheet
        cells = [
            self.subject.get(CellRef(sheet, c.row, c.col)) for row in area.cells() for c in row
        ]
        numbers = all(
            c is not None and isinstance(c.value, int | float) and not isinstance(c.value, bool)
            for c in cells
        )
        spec = DraftInput(name, area, any_values=not numbers, comment=header)
        self.inputs.append(spec)
        return spec


def line_area(areas: Sequence[RangeRef], positions: Sequence[int], size: int) -> RangeRef | None:
    """The area covering a whole entity group when the operand of the entity at position k
    is at `start + k`: single cells in a line, or equal column ranges side by side."""
    first, base = areas[0], positions[0]
    rows, cols = first.shape
    if cols != 1 or any(a.sheet != first.sheet or a.shape != first.shape for a in areas):
        return None
    pairs = list(zip(areas, positions, strict=True))
    down = all(
        a.min_col == first.min_col and a.min_row == first.min_row + p - base for a, p in pairs
    )
    if rows == 1 and down and first.min_row - base >= 1:
        top = first.min_row - base
        return RangeRef(first.sheet, top, first.min_col, top + size - 1, first.min_col)
    across = all(
        a.min_row == first.min_row and a.min_col == first.min_col + p - base for a, p in pairs
    )
    if across and first.min_col - base >= 1:
        left = first.min_col - base
        return RangeRef(first.sheet, first.min_row, left, first.max_row, left + size - 1)
    return None


def _index_in(spec: DraftInput, area: RangeRef, groups: Mapping[str, Sequence[str]]) -> str | None:
    """How `area` reads from a declared input: "" (the whole input), an entity, or None."""
    if spec.area == area:
        return ""
    members = groups.get(spec.entities or spec.columns or "", ())
    if not members or spec.area.sheet != area.sheet:
        return None
    if spec.entities and area.is_single_cell and _contains(spec.area, area):
        offset = (area.min_row - spec.area.min_row) + (area.min_col - spec.area.min_col)
        return members[offset] if offset < len(members) else None
    same_rows = area.min_row == spec.area.min_row and area.max_row == spec.area.max_row
    if spec.columns and same_rows and area.shape[1] == 1:
        offset = area.min_col - spec.area.min_col
        return members[offset] if 0 <= offset < len(members) else None
    return None


def _contains(outer: RangeRef, inner: RangeRef) -> bool:
    return (
        outer.min_row <= inner.min_row <= inner.max_row <= outer.max_row
        and outer.min_col <= inner.min_col <= inner.max_col <= outer.max_col
    )
