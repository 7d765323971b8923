"""The annotated copy (`batch --annotate`): the candidate's workbook with a first sheet
« Correction » summarising the copy (marks, criteria, one line per question), every graded
cell filled by its verdict (green right, orange to check or typed, red wrong) and carrying a
comment placed next to it (question, verdict, the explanation written once), written to the
output folder.

The original file is only read. The copy is written by openpyxl, which keeps values, formulas,
formats and conditional formatting but not charts or images: it is a reading aid for the jury,
the candidate's own file remains the reference.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from autocorrect import french
from autocorrect.french import VERDICT_WORDS
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.render.reproducible import reproducible_zip
from autocorrect.report import CandidateReport, ItemResult, QuestionResult, Status, Verdict

AUTHOR = "autocorrect"
SUMMARY_SHEET = "Correction"
_WIDTH, _HEIGHT = 320, 140
GREEN, ORANGE, RED = "C6EFCE", "FFEB9C", "FFC7CE"
VERDICT_FILL = {
    Verdict.CORRECT: GREEN,
    Verdict.CONSEQUENTIAL: GREEN,
    Verdict.HARDCODED: ORANGE,
    Verdict.REVIEW: ORANGE,
    Verdict.INCORRECT: RED,
}
_WORST_FIRST = (Verdict.INCORRECT, Verdict.REVIEW, Verdict.HARDCODED, Verdict.CONSEQUENTIAL)


def annotated_bytes(source: Path, report: CandidateReport) -> bytes | None:
    """The annotated workbook, or None when there is nothing to annotate (file not graded)."""
    if report.status != Status.GRADED:
        return None
    notes = cell_notes(report)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source, keep_vba=False, keep_links=False)
    verdicts = cell_verdicts(report)
    for (sheet, coord), lines in sorted(notes.items()):
        if sheet not in workbook.sheetnames:
            continue
        cell = workbook[sheet][coord]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n---\n{text}"
        cell.comment = Comment(text, AUTHOR, width=_WIDTH, height=_HEIGHT)
        colour = VERDICT_FILL.get(verdicts[(sheet, coord)])
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
    _summary_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(_comments_next_to_cells(buffer.getvalue()))


def cell_verdicts(report: CandidateReport) -> dict[tuple[str, str], Verdict]:
    """(sheet, cell) -> the worst verdict of the items answered there."""
    found: dict[tuple[str, str], Verdict] = {}
    for question in report.questions:
        for item in question.items:
            where = _split_cell(item.cell)
            if where is None:
                continue
            known = found.get(where)
            if known is None or _rank(item.verdict) < _rank(known):
                found[where] = item.verdict
    return found


def _rank(verdict: Verdict) -> int:
    return _WORST_FIRST.index(verdict) if verdict in _WORST_FIRST else len(_WORST_FIRST)


def _summary_sheet(workbook: openpyxl.Workbook, report: CandidateReport) -> None:
    """A first sheet « Correction »: the copy at a glance, before its own sheets."""
    name = SUMMARY_SHEET
    while name in workbook.sheetnames:  # never overwrite a sheet of the candidate
        name += " (autocorrect)"
    sheet = workbook.create_sheet(name, 0)
    on_20 = mark_out_of_20(report.score, report.max_score)
    rows: list[list[object]] = [
        [f"Correction automatique — {report.candidate}"],
        ["Note", report.score, f"sur {french.points(report.max_score)}"],
        ["Note sur 20", on_20, "arrondie au demi-point"],
        [],
        ["Critère", "Points", "Proposition", "Pourquoi"],
        *([c.id, c.points, str(c.proposal), c.reason] for c in report.criteria),
        [],
        ["Question", "Intitulé", "Verdict", "Points", "Sur", "Cellules"],
    ]
    first_question = len(rows) + 1
    for question in report.questions:
        cells = ", ".join(dict.fromkeys(i.cell for i in question.items if i.cell))
        rows.append(
            [question.id, question.title, VERDICT_WORDS[question.verdict], question.points,
             question.max_points, cells]
        )  # fmt: skip
    for row in rows:
        sheet.append(row)
    for index, question in enumerate(report.questions, start=first_question):
        colour = VERDICT_FILL.get(question.verdict)
        if colour:
            sheet.cell(index, 3).fill = PatternFill("solid", fgColor=colour)
    sheet["A1"].font = Font(bold=True, size=13)
    for header in (5, first_question - 1):
        for cell in sheet[header]:
            cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (14, 48, 16, 10, 8, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.active = 0


# openpyxl writes the VML with generated namespace prefixes (ns1:shape, ns2:Row…)
_SHAPE = re.compile(rb"<(\w+):shape\b.*?</\1:shape>", re.S)
_ROW = re.compile(rb"<(\w+):Row>(\d+)</\1:Row>")
_COLUMN = re.compile(rb"<\w+:Column>(\d+)</\w+:Column>")


def _comments_next_to_cells(data: bytes) -> bytes:
    """openpyxl places every comment box at the same spot of the sheet (fixed margins, no
    anchor): give each box an anchor and margins just right of its own cell."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".vml"):
                content = _SHAPE.sub(_placed, content)
            target.writestr(info, content)
    return buffer.getvalue()


def _placed(shape: re.Match[bytes]) -> bytes:
    text = shape.group(0)
    row, column = _ROW.search(text), _COLUMN.search(text)
    if row is None or column is None:
        return text
    prefix, r, c = row.group(1).decode(), int(row.group(2)), int(column.group(1))
    corners = f"{c + 1}, 15, {max(r - 1, 0)}, 2, {c + 5}, 15, {r + 6}, 16"
    anchor = f"<{prefix}:Anchor>{corners}</{prefix}:Anchor>"
    text = re.sub(rb"margin-left:[\d.]+pt", f"margin-left:{(c + 1) * 48 + 6}pt".encode(), text)
    text = re.sub(rb"margin-top:[\d.]+pt", f"margin-top:{max(r - 1, 0) * 15 + 2}pt".encode(), text)
    return text.replace(row.group(0), anchor.encode() + row.group(0), 1)


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
    """Question, verdict and explanation; expected and found values only when the explanation
    does not already give them (each fact written once)."""
    head = f"{question.id}[{item.key}] : {VERDICT_WORDS[item.verdict]}."
    values = ""
    if "attendu" not in item.explanation.casefold():
        values = f" Attendu {french.value(item.expected)}, trouvé {french.value(item.found)}."
    return f"{head}{values} {item.explanation}".strip()


def _split_cell(cell: str | None) -> tuple[str, str] | None:
    if not cell or "!" not in cell:
        return None
    sheet, _, coord = cell.rpartition("!")
    coord = coord.replace("$", "")
    if not coord or ":" in coord or not coord[-1].isdigit():
        return None
    return sheet.strip("'"), coord
