"""The annotated copy (`batch --annotate`): the candidate's workbook with a comment on each
graded cell (question, verdict, expected and found values), written to the output folder.

The original file is only read. The copy is written by openpyxl, which keeps values, formulas,
formats and conditional formatting but not charts or images: it is a reading aid for the jury,
the candidate's own file remains the reference.
"""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

from autocorrect import french
from autocorrect.french import VERDICT_WORDS
from autocorrect.render.reproducible import reproducible_zip
from autocorrect.report import CandidateReport, ItemResult, QuestionResult, Status

AUTHOR = "autocorrect"
_WIDTH, _HEIGHT = 320, 140


def annotated_bytes(source: Path, report: CandidateReport) -> bytes | None:
    """The annotated workbook, or None when there is nothing to annotate (file not graded)."""
    if report.status != Status.GRADED:
        return None
    notes = cell_notes(report)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source, keep_vba=False, keep_links=False)
    for (sheet, coord), lines in sorted(notes.items()):
        if sheet not in workbook.sheetnames:
            continue
        cell = workbook[sheet][coord]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n---\n{text}"
        cell.comment = Comment(text, AUTHOR, width=_WIDTH, height=_HEIGHT)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def cell_notes(report: CandidateReport) -> dict[tuple[str, str], list[str]]:
    """(sheet, cell) -> comment lines, for every item located in a single cell."""
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for question in report.questions:
        for item in question.items:
            where = _split_cell(item.cell)
            if where is not None:
                notes[where].append(_note(question, item))
    return dict(notes)


def _note(question: QuestionResult, item: ItemResult) -> str:
    return (
        f"{question.id}[{item.key}] : {VERDICT_WORDS[item.verdict]} — attendu "
        f"{french.value(item.expected)}, trouvé {french.value(item.found)}. {item.explanation}"
    ).strip()


def _split_cell(cell: str | None) -> tuple[str, str] | None:
    if not cell or "!" not in cell:
        return None
    sheet, _, coord = cell.rpartition("!")
    coord = coord.replace("$", "")
    if not coord or ":" in coord or not coord[-1].isdigit():
        return None
    return sheet.strip("'"), coord
