"""Where the solution answers the statement: each formula cell matched to one element.

A cell is matched by the texts around it: an entity name of the statement (P1, Camille,
janvier, Total) on its row (or column) crossing a header that matches the question's title —
a table — or a label on its left matching an element or the part of the title that names it.
Every element gets at most one cell and every cell at most one element, best score first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from autocorrect.authoring.draft import texts
from autocorrect.authoring.enonce import EnonceQuestion
from autocorrect.grading import labels
from autocorrect.reading.refs import CellRef, RangeRef
from autocorrect.reading.workbook import CellData, Workbook, is_percent_format

_MATCH_THRESHOLD = 0.45  # a label must share this much with the element it answers
_TITLE_THRESHOLD = 0.5  # a table header must cover this share of the question's title
_PERCENT_PENALTY = 0.6  # a % cell under a title « en valeur » (or the reverse)


def is_label(cell: CellData) -> bool:
    """A text, or a year (« 2022 » heading a row), typed in a cell."""
    if cell.formula is not None or isinstance(cell.value, bool):
        return False
    return isinstance(cell.value, str) or (
        isinstance(cell.value, int) and 1900 <= cell.value <= 2100
    )


class SolutionLayout:
    """The solution's cells as a grid: labels left of a cell, headers above it."""

    def __init__(self, solution: Workbook, subject: Workbook) -> None:
        self.solution = solution
        self.subject = subject
        self._subject_sheets = {s.casefold() for s in subject.sheets}

    def is_subject_cell(self, ref: CellRef) -> bool:
        """A cell the subject already holds, unchanged (data of the annexes)."""
        cell = self.solution.get(ref)
        sheet = self.subject.sheet_named(ref.sheet) or ref.sheet
        original = self.subject.get(CellRef(sheet, ref.row, ref.col))
        if cell is None:
            return ref.sheet.casefold() in self._subject_sheets and original is None
        return original is not None and cell.formula is None and original.value == cell.value

    def is_subject_area(self, area: RangeRef) -> bool:
        return area.sheet.casefold() in self._subject_sheets and all(
            self.is_subject_cell(c) for row in area.cells() for c in row
        )

    def texts_left(self, ref: CellRef) -> list[str]:
        """Texts of the row, left of the cell, nearest first (the row's labels)."""
        found = []
        for col in range(ref.col - 1, 0, -1):
            cell = self.solution.get(CellRef(ref.sheet, ref.row, col))
            if cell is not None and is_label(cell):
                found.append(str(cell.value))
        return found

    def header_above(self, ref: CellRef) -> str | None:
        """The text heading the cell's column: the first text above, through values only."""
        for row in range(ref.row - 1, 0, -1):
            cell = self.solution.get(CellRef(ref.sheet, row, ref.col))
            if cell is None:
                return None
            if is_label(cell):
                return str(cell.value)
        return None

    def table_axis(self, ref: CellRef) -> str | None:
        """« rows » when a label heads a row of a table (its values have a column header),
        « columns » when it heads a column (its values have a row label), else None."""
        for col in range(ref.col + 1, ref.col + 4):
            cell = self.solution.get(CellRef(ref.sheet, ref.row, col))
            if cell is not None and not is_label(cell):
                return "rows" if self.header_above(cell.ref) is not None else None
        below = self.solution.get(ref.offset(rows=1))
        if below is not None and not is_label(below) and self.texts_left(below.ref):
            return "columns"
        return None


@dataclass(frozen=True)
class Answer:
    """A solution cell answering one element of one question."""

    cell: CellRef
    question: EnonceQuestion
    element: str
    entity_axis: bool  # at the crossing of an entity name and a measure header (a table)
    header: str  # the measure header (table) or the label beside the value
    score: float


def entity_elements(
    layout: SolutionLayout, questions: Sequence[EnonceQuestion]
) -> set[tuple[str, str]]:
    """(question, element) pairs naming a row or column of a table rather than a value:
    a series (P1…P5), an aggregate (Total), or elements written as the labels heading the
    rows (or columns) of one table of the solution (Camille, Hugo… ; Grand compte, PME…)."""
    places: dict[tuple[str, ...], list[tuple[CellRef, str]]] = {}
    for cell in layout.solution.cells.values():
        axis = layout.table_axis(cell.ref) if is_label(cell) else None
        if axis is not None:
            places.setdefault(labels.words(str(cell.value)), []).append((cell.ref, axis))
    found: set[tuple[str, str]] = set()
    for question in questions:
        lines: dict[tuple[str, int, str], set[str]] = {}
        for element in question.elements:
            if element.series is not None or texts.aggregate(element.name) is not None:
                found.add((question.id, element.name))
            for ref, axis in places.get(labels.words(element.name) or ("\0",), []):
                line = ref.col if axis == "rows" else ref.row
                lines.setdefault((ref.sheet, line, axis), set()).add(element.name)
        for names in lines.values():
            if len(names) >= 2:
                found.update((question.id, n) for n in names)
    return found


def match_answers(
    layout: SolutionLayout, questions: Sequence[EnonceQuestion]
) -> dict[CellRef, Answer]:
    """Assign each element at most one cell and each cell at most one element, best first."""
    entities = entity_elements(layout, questions)
    candidates = [
        answer
        for cell in layout.solution.cells.values()
        if cell.formula is not None and not layout.is_subject_cell(cell.ref)
        for answer in _scores(cell, layout, questions, entities)
    ]
    candidates.sort(key=lambda a: (-a.score, a.cell))
    taken: dict[CellRef, Answer] = {}
    done: set[tuple[str, str]] = set()
    for answer in candidates:
        if answer.cell in taken or _key(answer) in done:
            continue
        chosen = _least_served(answer, candidates, taken, done)
        taken[chosen.cell] = chosen
        done.add(_key(chosen))
    return taken


_TIE = 0.02  # scores this close are a tie: the header fits both questions equally well


def _key(answer: Answer) -> tuple[str, str]:
    return (answer.question.id, answer.element)


def _least_served(
    best: Answer,
    candidates: Sequence[Answer],
    taken: dict[CellRef, Answer],
    done: set[tuple[str, str]],
) -> Answer:
    """Among the elements tied for this cell (« Prospects » fits « Nombre de prospects » and
    « Nombre de prospects gagnés »), the one with the fewest other free cells: the other has
    its own column (« Gagnés »), so the shared header goes to the element it alone heads."""
    tied = [
        a
        for a in candidates
        if a.cell == best.cell and a.score >= best.score - _TIE and _key(a) not in done
    ]
    if len(tied) < 2:
        return best

    def alternatives(answer: Answer) -> int:
        return sum(
            1
            for a in candidates
            if _key(a) == _key(answer) and a.cell != answer.cell and a.cell not in taken
        )

    return min(tied, key=lambda a: (alternatives(a), -a.score))


def _scores(
    cell: CellData,
    layout: SolutionLayout,
    questions: Sequence[EnonceQuestion],
    entities: set[tuple[str, str]],
) -> Iterator[Answer]:
    """Every plausible (question, element) for one solution formula cell."""
    left = layout.texts_left(cell.ref)
    above = layout.header_above(cell.ref)
    percent = is_percent_format(cell.number_format)
    for question in questions:
        mine = {e.name for e in question.elements if (question.id, e.name) in entities}
        if above is not None:
            yield from _table_scores(cell.ref, question, mine, (left, above), percent)
        if left:
            yield from _label_scores(cell.ref, question, mine, left[0], percent)


def _table_scores(
    ref: CellRef,
    question: EnonceQuestion,
    mine: set[str],
    headers: tuple[list[str], str],
    percent: bool,
) -> Iterator[Answer]:
    """The cell as the crossing of an entity (row or column) and a measure header."""
    left, above = headers
    penalty = 1.0 if texts.percent_agrees(question.title, percent) else _PERCENT_PENALTY
    for name in (e.name for e in question.elements if e.name in mine):
        measures = []
        exact = any(texts.same_name(t, name) for t in left) or texts.same_name(above, name)
        spellings = (name,) if exact else (name, *(texts.aggregate(name) or ()))
        if any(texts.same_name(t, n) for t in left for n in spellings):
            measures.append(above)  # entities down the rows, measures across
        if any(texts.same_name(above, n) for n in spellings) and left:
            measures.append(left[-1])  # entities across, measures down
        # an aggregate under another of its names (« Ensemble » on the « Total » row) fits less
        weight = 1.0 if exact else 0.9
        for header in measures:
            fit = texts.coverage(texts.words(header), texts.words(question.title))
            if fit >= _TITLE_THRESHOLD:
                yield Answer(ref, question, name, True, header, (1 + fit) * penalty * weight)


def _label_scores(
    ref: CellRef, question: EnonceQuestion, mine: set[str], label: str, percent: bool
) -> Iterator[Answer]:
    """The cell as the value beside a label naming an element (« Taux de MCV »)."""
    parts = texts.title_parts(question)
    aligned = len(parts) == len(question.elements)
    label_words = texts.words(label)
    for index, element in enumerate(question.elements):
        if element.name in mine and texts.aggregate(element.name) is None:
            continue
        candidates = [element.name, parts[index] if aligned else parts[0]]
        if len(question.elements) == 1:
            candidates += [texts.strip_parentheses(question.title)]
            candidates += texts.parentheses(question.title)
        best = max(
            1.0 if texts.same_name(label, t) else texts.dice(label_words, texts.words(t))
            for t in candidates
        )
        penalty = 1.0 if texts.percent_agrees(candidates[1], percent) else _PERCENT_PENALTY
        if best * penalty >= _MATCH_THRESHOLD:
            yield Answer(ref, question, element.name, False, label, best * penalty)


# --- the subject's labels (names of the inputs) -----------------------------------------------


def column_header(workbook: Workbook, ref: CellRef) -> str | None:
    """The text heading a column of values: the first text above, through values (and at
    most one blank cell: a sparse column of an annex)."""
    blanks = 0
    for row in range(ref.row - 1, 0, -1):
        cell = workbook.get(CellRef(ref.sheet, row, ref.col))
        if cell is None:
            blanks += 1
            if blanks > 1:
                return None
        elif isinstance(cell.value, str):
            return cell.value
    return None


def text_left(workbook: Workbook, ref: CellRef) -> str | None:
    """The nearest text left of a cell (its row label; a year in the first column counts)."""
    for col in range(ref.col - 1, 0, -1):
        cell = workbook.get(CellRef(ref.sheet, ref.row, col))
        if cell is None or cell.formula is not None:
            continue
        if isinstance(cell.value, str) or (col == 1 and is_label(cell)):
            return str(cell.value)
    return None


def cell_name(workbook: Workbook, ref: CellRef) -> str:
    """« Taux de TVA » for a labelled cell; « Ventes conclues Camille » inside a table."""
    beside = workbook.get(ref.offset(cols=-1))
    if beside is not None and isinstance(beside.value, str):
        return beside.value
    return " ".join(t for t in (column_header(workbook, ref), text_left(workbook, ref)) if t)


def area_name(workbook: Workbook, area: RangeRef) -> str:
    """The subject's label for an area: its column header (the words common to the headers
    of a block of columns), the heading on the row above, or the label on its left."""
    sheet = workbook.sheet_named(area.sheet) or area.sheet
    corner = CellRef(sheet, area.min_row, area.min_col)
    if area.is_single_cell:
        return cell_name(workbook, corner)
    if area.shape[1] > 1:
        heads = [column_header(workbook, corner.offset(cols=i)) for i in range(area.shape[1])]
        return _common_words([h for h in heads if h]) or text_left(workbook, corner) or ""
    return (
        column_header(workbook, corner)
        or text_left(workbook, corner.offset(rows=-1))
        or text_left(workbook, corner)
        or ""
    )


def row_texts(workbook: Workbook, ref: CellRef) -> list[str]:
    """Other texts of an entity's row (« P1 » → « Copieur multifonction A3 »)."""
    found = []
    for col in range(ref.col + 1, ref.col + 4):
        cell = workbook.get(CellRef(ref.sheet, ref.row, col))
        if cell is None or not isinstance(cell.value, str) or cell.formula is not None:
            break
        found.append(cell.value)
    return found


def _common_words(headers: list[str]) -> str:
    """« Attente C1 » … « Attente C7 » -> « attente »."""
    if not headers:
        return ""
    common = set(labels.words(headers[0])).intersection(*(labels.words(h) for h in headers[1:]))
    return " ".join(w for w in labels.words(headers[0]) if w in common)
