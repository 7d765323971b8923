"""Answer location: find each rubric item in a free-layout workbook, and say how.

Order of attempts for one item:
1. `template` — the rubric names a cell (subjects that provide an answer grid);
2. `label`    — a cell whose text is one of the item's labels, with the value to its right
                 (blanks and unit cells such as "€" skipped) or just below;
3. `table`    — a header matching the item's measure and an entity header (P1, Camille,
                 Total…) crossing at the value: entities in rows or in columns alike;
4. `value-search` is done by the grader, only for items not found here, and is never credited
   without a human look.

Cells that the subject already holds (same sheet, same place, same content) are never taken
as answers, so answers appended to the annex sheets are found and annex data is not; the
subject's headers do serve as labels for columns a candidate appends beside an annex table.
Every label cell is *claimed* by the label groups that match it best, so "Taux de marque
global" belongs to the global rate, not to the per-product "taux de marque" column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from autocorrect.grading import labels
from autocorrect.grading.readings import flag_reading, parse_date_text, parse_number_text
from autocorrect.reading.refs import CellRef, parse_ref
from autocorrect.reading.workbook import CellData, Workbook
from autocorrect.report import LocatedBy
from autocorrect.rubric.model import ItemSpec, Rubric

_UNIT_TEXT_MAX = 8  # "€", "%", "jours", "€ HT": skipped between a label and its value
_SCAN_RIGHT = 6
_SCAN_DOWN = 2
_CLAIM_EPSILON = 1e-9
_BELOW_PENALTY = 0.01  # a value under a label is more often a table column than its answer
_LEFT_PENALTY = 0.02  # a label written after its value: the last resort


@dataclass(frozen=True)
class Location:
    cell: CellRef
    located_by: LocatedBy
    label: str  # the text(s) that led to the cell, for the explanation
    percent_label: bool  # the label announces a percentage
    alternatives: int = 0  # other equally good places (reported as ambiguity)


@dataclass(frozen=True)
class _Label:
    cell: CellData
    text: str
    score: float


class Locator:
    """Indexes one workbook's labels once, then locates items."""

    def __init__(self, workbook: Workbook, rubric: Rubric, subject: Mapping[CellRef, object]):
        self.workbook = workbook
        self.subject = subject
        self._texts = [c for c in workbook.cells.values() if self._is_candidate_text(c)]
        self._label_claims = self._claims(_claim_scorer(rubric, "labels"))
        self._entity_claims = self._claims(_claim_scorer(rubric, "entities"))
        self._entities = {k: v for g in rubric.entities.values() for k, v in g.items()}

    # -- indexing ------------------------------------------------------------------------------

    def is_subject_cell(self, cell: CellData) -> bool:
        value = self.subject.get(cell.ref, _MISSING)
        return value is not _MISSING and value == cell.value and not cell.is_formula

    @staticmethod
    def _is_candidate_text(cell: CellData) -> bool:
        # The subject's own headers count: answers appended beside an annex table use them.
        # Subject *values* never count as answers (see _classify).
        return isinstance(cell.value, str | int) and not isinstance(cell.value, bool)

    def _claims(self, scorer: _ClaimScorer) -> dict[_Group, list[_Label]]:
        """Give each text cell to the synonym groups that match it best."""
        claims: dict[_Group, list[_Label]] = defaultdict(list)
        for cell in self._texts:
            text = str(cell.value)
            for group, value in scorer.winners(text):
                claims[group].append(_Label(cell, text, value))
        return claims

    # -- locating ------------------------------------------------------------------------------

    def locate(self, item: ItemSpec) -> Location | None:
        for attempt in (self._by_template, self._by_label, self._by_table):
            found = attempt(item)
            if found is not None:
                return found
        return None

    def _by_template(self, item: ItemSpec) -> Location | None:
        if not item.cell:
            return None
        area = parse_ref(item.cell, self.workbook.sheets[0])
        if area is None:
            return None
        sheet = self.workbook.sheet_named(area.sheet)
        cell = self.workbook.get(CellRef(sheet or area.sheet, area.min_row, area.min_col))
        if cell is None or self.is_subject_cell(cell):
            return None
        return Location(cell.ref, LocatedBy.TEMPLATE, item.cell, percent_label=False)

    def _by_label(self, item: ItemSpec) -> Location | None:
        if not item.labels:
            return None
        found: list[tuple[float, CellRef, _Label]] = []
        for label in self._label_claims.get((item.labels, item.unit), []):
            near = self._value_near(label.cell.ref, item.unit)
            if near is not None:
                value, penalty = near
                found.append((label.score - penalty, value, label))
        return _best(found, LocatedBy.LABEL)

    def _value_near(self, ref: CellRef, unit: str) -> tuple[CellRef, float] | None:
        """The value beside a label, or just below it (a header: less convincing); in a
        column where labels are written under their values, just above it; failing all,
        just left of it (a label written after its value)."""
        for step in range(1, _SCAN_RIGHT + 1):
            cell = self.workbook.get(ref.offset(cols=step))
            verdict = self._classify(cell, unit)
            if verdict == "value":
                return ref.offset(cols=step), 0.0
            if verdict == "stop":
                break
        if ref.row > 1 and self._labels_under_values(ref, unit):
            return ref.offset(rows=-1), _BELOW_PENALTY
        for step in range(1, _SCAN_DOWN + 1):
            cell = self.workbook.get(ref.offset(rows=step))
            if self._classify(cell, unit) == "value":
                return ref.offset(rows=step), _BELOW_PENALTY
        if ref.col > 1 and self._classify(self.workbook.get(ref.offset(cols=-1)), unit) == "value":
            return ref.offset(cols=-1), _LEFT_PENALTY
        return None

    def _labels_under_values(self, ref: CellRef, unit: str) -> bool:
        """Whether this label sits under a value in a column block that starts with a value
        (value, label, value, label…): then each label names the value above it."""
        if self._classify(self.workbook.get(ref.offset(rows=-1)), unit) != "value":
            return False
        row = ref.row
        while row > 1 and self.workbook.get(CellRef(ref.sheet, row - 1, ref.col)) is not None:
            row -= 1
        first = self.workbook.get(CellRef(ref.sheet, row, ref.col))
        return self._classify(first, unit) == "value"

    def _classify(self, cell: CellData | None, unit: str) -> str:
        """'value', 'skip' (blank or unit text) or 'stop' (another label)."""
        if cell is None:
            return "skip"
        if self.is_subject_cell(cell):
            return "stop"
        if cell.is_formula or isinstance(cell.value, int | float | dt.date | dt.datetime):
            return "value"
        text = str(cell.value).strip()
        if looks_like_answer_text(text, unit):
            return "value"
        return "skip" if len(text) <= _UNIT_TEXT_MAX and not labels.words(text)[1:] else "stop"

    def _by_table(self, item: ItemSpec) -> Location | None:
        if item.entity is None or not item.measure_labels:
            return None
        entity_synonyms = self._entities.get(item.entity, (item.entity,))
        found: list[tuple[float, CellRef, _Label]] = []
        for header in self._label_claims.get((item.measure_labels, item.unit), []):
            for entity in self._entity_claims.get((entity_synonyms, ""), []):
                crossing = _crossing(header.cell.ref, entity.cell.ref)
                if crossing is None:
                    continue
                cell = self.workbook.get(crossing)
                if self._classify(cell, item.unit) != "value":
                    continue
                distance = (
                    abs(crossing.row - entity.cell.ref.row)
                    + abs(crossing.col - header.cell.ref.col)
                    + abs(crossing.col - entity.cell.ref.col)
                    + abs(crossing.row - header.cell.ref.row)
                )
                merged = _Label(header.cell, f"{header.text} × {entity.text}", header.score)
                found.append((header.score + entity.score - distance / 1000, crossing, merged))
        return _best(found, LocatedBy.TABLE)


_MISSING = object()


def _crossing(header: CellRef, entity: CellRef) -> CellRef | None:
    """Where a measure header and an entity header meet, for either table orientation."""
    if header.sheet != entity.sheet:
        return None
    if entity.row > header.row and entity.col < header.col:  # entities down, measures across
        return CellRef(header.sheet, entity.row, header.col)
    if entity.col > header.col and entity.row < header.row:  # entities across, measures down
        return CellRef(header.sheet, header.row, entity.col)
    return None


def _best(found: list[tuple[float, CellRef, _Label]], how: LocatedBy) -> Location | None:
    if not found:
        return None
    found.sort(key=lambda f: (-f[0], f[1]))
    top_score, cell, label = found[0]
    others = {c for s, c, _ in found[1:] if s >= top_score - _CLAIM_EPSILON and c != cell}
    return Location(
        cell=cell,
        located_by=how,
        label=label.text,
        percent_label=labels.has_percent(label.text),
        alternatives=len(others),
    )


_Group = tuple[tuple[str, ...], str]  # (synonyms, unit): "Écart (€)" and "Écart (%)" differ
_UNIT_HINT = 0.05  # a "%" or "€" in a label leans towards the items of that unit


def _group_score(text: str, group: _Group) -> float:
    synonyms, unit = group
    base = labels.best_score(text, synonyms)
    if base <= 0 or not unit:
        return base
    if labels.has_percent(text):
        return base + (_UNIT_HINT if unit in ("percent", "points") else -_UNIT_HINT)
    if "€" in text:
        return base + (_UNIT_HINT if unit == "eur" else -_UNIT_HINT)
    return base


class _ClaimScorer:
    """The synonym groups that match a text best, with their scores. Labels repeat from copy
    to copy of a session: each distinct text is scored once per process (bounded)."""

    _MEMO_MAX = 50_000

    def __init__(self, groups: Iterable[_Group]) -> None:
        self.groups = list(dict.fromkeys(groups))
        self._index = labels.SynonymIndex([synonyms for synonyms, _ in self.groups])
        self._memo: dict[str, tuple[tuple[_Group, float], ...]] = {}

    def winners(self, text: str) -> tuple[tuple[_Group, float], ...]:
        known = self._memo.get(text)
        if known is None:
            if len(self._memo) >= self._MEMO_MAX:
                self._memo.clear()
            known = self._memo[text] = self._score(text)
        return known

    def _score(self, text: str) -> tuple[tuple[_Group, float], ...]:
        near = self._index.candidates(text)  # the others score 0: not computed
        scored = [
            (g, _group_score(text, g) if i in near else 0.0) for i, g in enumerate(self.groups)
        ]
        top = max((s for _, s in scored), default=0.0)
        if top <= 0:
            return ()
        return tuple((g, s) for g, s in scored if s >= top - _CLAIM_EPSILON)


# One scorer per rubric object and kind; the rubric is kept alive with it, so that its id is
# never reused by another rubric while the entry exists.
_SCORERS: dict[tuple[int, str], tuple[Rubric, _ClaimScorer]] = {}


def _claim_scorer(rubric: Rubric, kind: str) -> _ClaimScorer:
    entry = _SCORERS.get((id(rubric), kind))
    if entry is None or entry[0] is not rubric:
        if len(_SCORERS) >= 16:  # a long-lived process checking many rubrics
            _SCORERS.clear()
        groups = _label_groups(rubric) if kind == "labels" else _entity_groups(rubric)
        entry = _SCORERS[(id(rubric), kind)] = (rubric, _ClaimScorer(groups))
    return entry[1]


def _label_groups(rubric: Rubric) -> list[_Group]:
    groups: list[_Group] = []
    for question in rubric.questions:
        for item in question.items:
            groups.extend((g, item.unit) for g in (item.labels, item.measure_labels) if g)
    return groups


def _entity_groups(rubric: Rubric) -> list[_Group]:
    return [(synonyms, "") for group in rubric.entities.values() for synonyms in group.values()]


def looks_like_answer_text(text: str, unit: str) -> bool:
    """A typed text that is itself an answer: "33,33 %", "291 484,41 €", "1er novembre"."""
    if unit == "date":
        return parse_date_text(text) is not None
    if unit == "flag":
        return bool(text.strip()) and flag_reading(text) is not None
    if unit == "text":
        return False
    return parse_number_text(text) is not None


_OWN_LABEL_LEFT = 8  # columns scanned left of a cell for its row label
_OWN_HEADER_UP = 40  # rows scanned above a cell for its column header


def own_label(workbook: Workbook, ref: CellRef) -> str:
    """The candidate's own words for a cell: its column header and its row label, as read
    (« Taux de marque × P1 »); empty when the cell stands alone."""
    header = _first_text(workbook, ref, rows=-1, cols=0, limit=_OWN_HEADER_UP)
    row = _first_text(workbook, ref, rows=0, cols=-1, limit=_OWN_LABEL_LEFT)
    return " × ".join(dict.fromkeys(t for t in (header, row) if t))


def _first_text(workbook: Workbook, ref: CellRef, rows: int, cols: int, limit: int) -> str:
    for step in range(1, limit + 1):
        row, col = ref.row + rows * step, ref.col + cols * step
        if row < 1 or col < 1:
            break
        cell = workbook.get(CellRef(ref.sheet, row, col))
        if cell is not None and isinstance(cell.value, str) and cell.value.strip():
            return cell.value.strip()
    return ""
