"""Build small candidate workbooks in tests: the subject plus answers written by openpyxl.

Files written this way carry no cached values, which is exactly the case where the engine
must recompute everything itself. Fixtures saved by LibreOffice live in fixtures/.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import openpyxl

from tests.conftest import C20_SUBJECT

A1 = "'Annexe 1 - Produits'!"
PRODUCTS = ("P1", "P2", "P3", "P4", "P5")


def candidate(
    tmp: Path,
    name: str,
    sheets: Mapping[str, Mapping[str, object]],
    subject: Path = C20_SUBJECT,
) -> Path:
    """Copy the subject and write `sheets` = {sheet name: {"B5": value or "=formula"}}."""
    path = tmp / f"{name}.xlsx"
    shutil.copyfile(subject, path)
    workbook = openpyxl.load_workbook(path)
    for title, cells in sheets.items():
        sheet = workbook[title] if title in workbook.sheetnames else workbook.create_sheet(title)
        for coord, value in cells.items():
            sheet[coord] = value
    workbook.save(path)
    return path


def product_table(first_row: int = 1, margin_rate: str = "=C{r}/{a}C{s}") -> dict[str, object]:
    """A per-product table (entities in rows) answering Q01-Q04 and Q06 with formulas."""
    cells: dict[str, object] = {
        f"A{first_row}": "Produit",
        f"B{first_row}": "PV TTC",
        f"C{first_row}": "Marge unitaire",
        f"D{first_row}": "Taux de marge",
        f"E{first_row}": "Taux de marque",
        f"F{first_row}": "CA HT",
    }
    for index, product in enumerate(PRODUCTS):
        r, s = first_row + 1 + index, 5 + index
        cells |= {
            f"A{r}": product,
            f"B{r}": f"={A1}D{s}*(1+{A1}$C$2)",
            f"C{r}": f"={A1}D{s}-{A1}C{s}",
            f"D{r}": margin_rate.format(r=r, s=s, a=A1),
            f"E{r}": f"=C{r}/{A1}D{s}",
            f"F{r}": f"={A1}D{s}*{A1}E{s}",
        }
    total = first_row + 1 + len(PRODUCTS)
    cells |= {f"A{total}": "Total", f"F{total}": f"=SUM(F{first_row + 1}:F{total - 1})"}
    return cells
