"""The gradebook as a workbook a grader sorts and filters: the CSV's columns with numbers as
numbers, a "% final" column, filters, a frozen header, percentage formats, a colour scale on
the scores and coloured verdicts. Same entries give the same bytes.

Every text is written as a string cell, never as a formula (openpyxl would write a text that
starts with `=` as one), with the characters a workbook cannot hold (control characters)
shown escaped."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from autocorrect.french import VERDICT_WORDS
from autocorrect.render.gradebook import header, row
from autocorrect.render.reproducible import reproducible_zip
from autocorrect.report import Verdict
from autocorrect.rubric.model import Rubric
from autocorrect.session.model import GradebookEntry

_FIXED_DATE = dt.datetime(2000, 1, 1)  # no timestamp in outputs: same entries, same bytes
_NUMERIC = ("note", "note finale", "max", "note sur 20")
VERDICT_FILLS = {
    "correct": "C6EFCE",
    "consequential": "DDEBF7",
    "hardcoded": "FFEB9C",
    "incorrect": "FFC7CE",
    "missing": "E7E6E6",
    "review": "F8CBAD",
}
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")


def render_gradebook_xlsx(entries: Sequence[GradebookEntry], rubric: Rubric) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Carnet de notes"
    columns = _columns(rubric)
    sheet.append(columns)
    for entry in sorted(entries, key=lambda e: e.name):
        sheet.append(_typed_row(entry, rubric, columns))
    _texts_as_strings(sheet)
    _style(sheet, columns, len(entries), rubric)
    workbook.properties.creator = "autocorrect"
    workbook.properties.created = _FIXED_DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _columns(rubric: Rubric) -> list[str]:
    columns = header(rubric)
    columns.insert(columns.index("max") + 1, "% final")
    return columns


def _typed_row(entry: GradebookEntry, rubric: Rubric, columns: list[str]) -> list[object]:
    cells: list[object] = [ILLEGAL_CHARACTERS_RE.sub(_escaped, c) for c in row(entry, rubric)]
    percent = entry.final_score / entry.report.max_score if entry.report.max_score else None
    cells.insert(columns.index("% final"), percent if entry.final is not None else None)
    for index, name in enumerate(columns):
        text = cells[index]
        if (name in _NUMERIC or name.endswith(" (points)")) and isinstance(text, str):
            cells[index] = float(text.replace(",", ".")) if text else None
    return cells


def _texts_as_strings(sheet: object) -> None:
    for cells in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text, even one that starts with "="


def _escaped(match: object) -> str:
    return "".join(f"\\x{ord(c):02x}" for c in match.group(0))  # type: ignore[attr-defined]


def _style(sheet: object, columns: list[str], count: int, rubric: Rubric) -> None:
    ws = sheet  # openpyxl Worksheet (untyped library)
    last = get_column_letter(len(columns))
    ws.freeze_panes = "B2"  # type: ignore[attr-defined]
    ws.page_setup.orientation = "landscape"  # type: ignore[attr-defined]
    ws.page_setup.paperSize = 9  # type: ignore[attr-defined]  # A4
    ws.page_setup.fitToWidth = 1  # type: ignore[attr-defined]
    ws.page_setup.fitToHeight = 0  # type: ignore[attr-defined]
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[attr-defined]
    ws.print_title_rows = "1:1"  # type: ignore[attr-defined]  # header repeated on every page
    ws.auto_filter.ref = f"A1:{last}{count + 1}"  # type: ignore[attr-defined]
    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = _width(name)  # type: ignore[attr-defined]
        area = f"{letter}2:{letter}{max(count + 1, 2)}"
        if name == "% final":
            for cell in ws[letter][1:]:  # type: ignore[index]
                cell.number_format = "0.0%"
            ws.conditional_formatting.add(area, _scale(0, 1))  # type: ignore[attr-defined]
        elif name == "note finale":
            ws.conditional_formatting.add(  # type: ignore[attr-defined]
                area, _scale(0, _max_points(rubric))
            )
        elif name in {q.id for q in rubric.questions} or name.endswith(" (décision)"):
            french_words = name.endswith(" (décision)")
            for verdict, colour in VERDICT_FILLS.items():
                word = VERDICT_WORDS[Verdict(verdict)] if french_words else verdict
                rule = CellIsRule(
                    operator="equal",
                    formula=[f'"{word}"'],
                    fill=PatternFill("solid", bgColor=colour),
                )
                ws.conditional_formatting.add(area, rule)  # type: ignore[attr-defined]


def _scale(low: float, high: float) -> ColorScaleRule:
    return ColorScaleRule(
        start_type="num", start_value=low, start_color="F8696B",
        mid_type="num", mid_value=(low + high) / 2, mid_color="FFEB84",
        end_type="num", end_value=high, end_color="63BE7B",
    )  # fmt: skip


def _max_points(rubric: Rubric) -> float:
    return float(sum(q.points for q in rubric.questions))


def _width(name: str) -> float:
    if name in ("message", "dérogations", "signaux"):
        return 40
    if name in ("candidat", "fichier"):
        return 28
    return max(10, min(len(name) + 2, 24))
