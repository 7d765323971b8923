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
from autocorrect.jury.decisions import FinalLine, decision_of, decision_text, final_lines
from autocorrect.jury.overrides import FinalGrade
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


def annotated_bytes(
    source: Path, report: CandidateReport, final: FinalGrade | None = None
) -> bytes | None:
    """The annotated workbook, or None when there is nothing to annotate (file not graded).
    With the jury's decisions (`final`), decided questions show the decision, its colour and
    the final points."""
    if report.status != Status.GRADED:
        return None
    notes = cell_notes(report, final)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source, keep_vba=False, keep_links=False)
    verdicts = cell_verdicts(report)
    decided = _decided_fills(report, final)
    for (sheet, coord), lines in sorted(notes.items()):
        if sheet not in workbook.sheetnames:
            continue
        cell = workbook[sheet][coord]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n---\n{text}"
        cell.comment = Comment(text, AUTHOR, width=_WIDTH, height=_HEIGHT)
        colour = decided.get((sheet, coord)) or VERDICT_FILL.get(verdicts[(sheet, coord)])
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
    _summary_sheet(workbook, report, final)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(_comments_next_to_cells(buffer.getvalue()))


DECISION_MARK = "Décision du jury : "


def shows_decisions(path: Path) -> bool:
    """Whether an annotated copy carries jury decisions in its comments (cheap: the comment
    parts only, no workbook parsing)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                DECISION_MARK.encode() in archive.read(name)
                for name in archive.namelist()
                if "comments" in name.casefold()
            )
    except (OSError, zipfile.BadZipFile):
        return False


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


def _line_fill(line: FinalLine) -> str | None:
    if line.code in set(Verdict):
        return VERDICT_FILL.get(Verdict(line.code))
    share = line.points / line.question.max_points if line.question.max_points else 0
    return GREEN if share >= 1 else RED if share <= 0 else ORANGE  # decided in points only


def _decided_fills(report: CandidateReport, final: FinalGrade | None) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> colour of the jury's decision, for the cells of decided questions."""
    fills: dict[tuple[str, str], str] = {}
    for line in final_lines(report, final):
        colour = _line_fill(line) if line.decided else None
        if colour is None:
            continue
        for item in line.question.items:
            where = _split_cell(item.cell)
            if where is not None:
                fills[where] = colour
    return fills


def _rank(verdict: Verdict) -> int:
    return _WORST_FIRST.index(verdict) if verdict in _WORST_FIRST else len(_WORST_FIRST)


def _summary_sheet(
    workbook: openpyxl.Workbook, report: CandidateReport, final: FinalGrade | None
) -> None:
    """A first sheet « Correction »: the copy at a glance (after the jury's decisions, if
    any), before its own sheets."""
    name = SUMMARY_SHEET
    while name in workbook.sheetnames:  # never overwrite a sheet of the candidate
        name += " (autocorrect)"
    sheet = workbook.create_sheet(name, 0)
    score = final.final_score if final else report.score
    criteria = final.criteria if final and final.criteria else report.criteria
    lines = final_lines(report, final)
    rows: list[list[object]] = [
        [f"Correction — {report.candidate}"],
        ["Note automatique", report.score, f"sur {french.points(report.max_score)}"],
        ["Note sur 20", mark_out_of_20(score, report.max_score), "note finale, au demi-point"],
        ["Note finale", score, "après les décisions du jury" if final and final.overridden else ""],
        ["Critère", "Points", "Proposition", "Pourquoi"],
        *([c.id, c.points, str(c.proposal), c.reason] for c in criteria),
        [],
        ["Question", "Intitulé", "Verdict", "Points", "Sur", "Cellules", "Décision du jury"],
    ]
    first_question = len(rows) + 1
    for line in lines:
        question = line.question
        cells = ", ".join(dict.fromkeys(i.cell for i in question.items if i.cell))
        decision = decision_text(line.decision) if line.decision else ""
        rows.append(
            [question.id, question.title, line.word, line.points, question.max_points, cells,
             decision]
        )  # fmt: skip
    for row in rows:
        sheet.append(row)
    for index, line in enumerate(lines, start=first_question):
        colour = _line_fill(line)
        if colour:
            sheet.cell(index, 3).fill = PatternFill("solid", fgColor=colour)
    sheet["A1"].font = Font(bold=True, size=13)
    for header in (5, first_question - 1):
        for cell in sheet[header]:
            cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (16, 48, 16, 10, 8, 40, 40), strict=True):
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


def cell_notes(
    report: CandidateReport, final: FinalGrade | None = None
) -> dict[tuple[str, str], list[str]]:
    """(sheet, cell) -> comment lines, for every item located in a single cell; the jury's
    decision on the question follows the automatic note."""
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for question in report.questions:
        decision = decision_of(final, question.id)
        for item in question.items:
            where = _split_cell(item.cell)
            if where is not None:
                notes[where].append(_note(question, item))
                if decision is not None:
                    notes[where].append(DECISION_MARK + decision_text(decision))
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
