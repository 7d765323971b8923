"""Rewrite a correct workbook the way another candidate would have laid it out: other labels,
no labels, swapped labels, answers moved or copied to another sheet. Edits are made with
openpyxl on a copy (the result has no cached values: the engine recomputes everything)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
from openpyxl.formula.tokenizer import Tokenizer
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

Cell = tuple[str, int, int]  # (sheet, row, column)


def edited(src: Path, dst: Path, edit: Callable[[openpyxl.Workbook, openpyxl.Workbook], None],
           subject: Path) -> Path:  # fmt: skip
    shutil.copyfile(src, dst)
    workbook = openpyxl.load_workbook(dst)
    edit(workbook, openpyxl.load_workbook(subject))
    workbook.save(dst)
    return dst


def candidate_texts(workbook: openpyxl.Workbook, subject: openpyxl.Workbook) -> list[Cell]:
    """Texts the candidate added (labels, headers, titles), except those a formula reads."""
    read = cells_read_by_formulas(workbook)
    found = []
    for sheet in workbook.worksheets:
        own = subject[sheet.title] if sheet.title in subject.sheetnames else None
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.value.startswith("="):
                    continue
                if own is not None and own[cell.coordinate].value == cell.value:
                    continue
                key = (sheet.title, cell.row, cell.column)
                if (sheet.title.casefold(), cell.row, cell.column) not in read:
                    found.append(key)
    return found


def cells_read_by_formulas(workbook: openpyxl.Workbook) -> set[tuple[str, int, int]]:
    read: set[tuple[str, int, int]] = set()
    for sheet in workbook.worksheets:
        for formula in _formulas(sheet):
            for target_sheet, (c1, r1, c2, r2) in _ranges(formula, sheet.title):
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        read.add((target_sheet.casefold(), r, c))
    return read


def formula_cells(workbook: openpyxl.Workbook, subject: openpyxl.Workbook) -> list[Cell]:
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cells.append((sheet.title, cell.row, cell.column))
    return cells


def leaf_formulas(workbook: openpyxl.Workbook, subject: openpyxl.Workbook) -> list[Cell]:
    """Formula cells no other formula reads: they can move without breaking anything."""
    read = cells_read_by_formulas(workbook)
    return [
        c for c in formula_cells(workbook, subject) if (c[0].casefold(), c[1], c[2]) not in read
    ]


def qualified(formula: str, sheet: str) -> str:
    """The formula with every reference of its own sheet written with the sheet name, so that
    it computes the same thing from any other sheet."""
    parts = []
    for token in Tokenizer(formula).items:
        text = token.value
        if token.type == "OPERAND" and token.subtype == "RANGE" and "!" not in text:
            text = f"'{sheet}'!{text}"
        parts.append(text)
    return "=" + "".join(parts)


def move_to_sheet(workbook: openpyxl.Workbook, cell: Cell, target: str, row: int, col: int,
                  keep: bool = False) -> None:  # fmt: skip
    """Move (or copy, with `keep`) one formula to another sheet, computing the same thing."""
    sheet_name, r, c = cell
    source: Worksheet = workbook[sheet_name]
    formula = str(source.cell(r, c).value)
    sheet = workbook[target] if target in workbook.sheetnames else workbook.create_sheet(target)
    sheet.cell(row, col).value = qualified(formula, sheet_name)
    if not keep:
        source.cell(r, c).value = None


def _formulas(sheet: Worksheet) -> Iterator[str]:
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                yield cell.value


def _ranges(formula: str, sheet: str) -> Iterator[tuple[str, tuple[int, int, int, int]]]:
    for token in Tokenizer(formula).items:
        if token.type != "OPERAND" or token.subtype != "RANGE":
            continue
        target, address = sheet, token.value
        if "!" in address:
            target, address = address.rsplit("!", 1)
            target = target.strip("'")
        try:
            bounds = range_boundaries(address.replace("$", ""))
        except ValueError:
            continue
        if None not in bounds:
            yield target, bounds  # type: ignore[misc]
