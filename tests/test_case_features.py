"""C16 and C21 features on workbooks built in the test: texts, charts, flags, methods."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import Reference, ScatterChart, Series

from autocorrect.api import grade
from autocorrect.grading.readings import flag_reading, vocabulary_reading
from autocorrect.report import CandidateReport
from autocorrect.rubric.load import load_rubric
from tests.builders import candidate
from tests.conftest import C16_RUBRIC, C16_SUBJECT, C21_RUBRIC, C21_SUBJECT

A1 = "'Annexe 1 - Réponses'!"
ATTENTE_COLS, SATISFACTION_COLS = "CDEFGHI", "JKLMNOP"


def _items(report: CandidateReport, qid: str) -> dict[str, dict[str, object]]:
    question = next(q for q in report.questions if q.id == qid)
    return {i.key: i.to_dict() for i in question.items}


def _c16_means(satisfaction_last_row: int = 24) -> dict[str, object]:
    """Criteria in rows: attente and satisfaction means, grand means, quadrant formula."""
    cells: dict[str, object] = {"A1": "Critère", "B1": "Attente moyenne",
                                "C1": "Satisfaction moyenne", "D1": "Quadrant"}  # fmt: skip
    for index, (a, s) in enumerate(zip(ATTENTE_COLS, SATISFACTION_COLS, strict=True)):
        row = index + 2
        cells[f"A{row}"] = f"C{index + 1}"
        cells[f"B{row}"] = f"=AVERAGE({A1}{a}5:{a}24)"
        cells[f"C{row}"] = f"=AVERAGE({A1}{s}5:{s}{satisfaction_last_row})"
        cells[f"D{row}"] = (
            f'=IF(B{row}>$B$10,IF(C{row}>$B$11,"Point fort","Priorité d\'amélioration"),'
            f'IF(C{row}>$B$11,"Surqualité","Faible priorité"))'
        )
    cells |= {"A10": "Moyenne générale des attentes", "B10": "=AVERAGE(B2:B8)",
              "A11": "Moyenne générale des satisfactions", "B11": "=AVERAGE(C2:C8)"}  # fmt: skip
    return cells


def _with_chart(path: Path, x_col: int, y_col: int) -> Path:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Analyse"]
    chart = ScatterChart()
    x = Reference(sheet, min_col=x_col, min_row=2, max_row=8)
    y = Reference(sheet, min_col=y_col, min_row=2, max_row=8)
    chart.series.append(Series(y, x))
    sheet.add_chart(chart, "F2")
    workbook.save(path)
    return path


def test_quadrant_labels_and_chart_are_graded(tmp_path: Path) -> None:
    path = candidate(tmp_path, "matrice", {"Analyse": _c16_means()}, subject=C16_SUBJECT)
    report = grade(_with_chart(path, x_col=3, y_col=2), C16_RUBRIC)
    verdicts = report.verdicts()
    assert verdicts["C16-Q02"] == verdicts["C16-Q03"] == "correct"
    assert verdicts["C16-Q07"] == verdicts["C16-Q08"] == "correct"
    chart = _items(report, "C16-Q09")["graphique"]
    assert chart["verdict"] == "correct"
    assert chart["located_by"] == "chart"
    assert "Analyse" in str(chart["formula"])


def test_chart_with_swapped_axes_is_correct_and_wrong_ranges_are_not(tmp_path: Path) -> None:
    swapped = candidate(tmp_path, "inverse", {"Analyse": _c16_means()}, subject=C16_SUBJECT)
    report = grade(_with_chart(swapped, x_col=2, y_col=3), C16_RUBRIC)
    assert report.verdicts()["C16-Q09"] == "correct"
    wrong = candidate(tmp_path, "faux", {"Analyse": _c16_means()}, subject=C16_SUBJECT)
    report = grade(_with_chart(wrong, x_col=1, y_col=3), C16_RUBRIC)  # x = the codes: no numbers
    assert report.verdicts()["C16-Q09"] == "incorrect"
    none = candidate(tmp_path, "sans", {"Analyse": _c16_means()}, subject=C16_SUBJECT)
    assert grade(none, C16_RUBRIC).verdicts()["C16-Q09"] == "missing"


def test_short_range_is_reported_and_carried_forward(tmp_path: Path) -> None:
    cells = _c16_means(satisfaction_last_row=23)
    report = grade(
        candidate(tmp_path, "court", {"Analyse": cells}, subject=C16_SUBJECT), C16_RUBRIC
    )
    c1 = _items(report, "C16-Q03")["C1"]
    assert c1["verdict"] == "incorrect"
    assert "method-short-range" in c1["codes"]  # type: ignore[operator]
    assert "J5:J23" in str(c1["explanation"])
    satisfaction_cut = _items(report, "C16-Q07")["satisfaction"]
    assert satisfaction_cut["verdict"] in ("correct", "consequential")


def test_typed_count_is_hardcoded(tmp_path: Path) -> None:
    cells = {"A1": "Taux de réponse", "B1": "=20/" + "'Annexe 1 - Réponses'!C2"}
    report = grade(
        candidate(tmp_path, "compte", {"Analyse": cells}, subject=C16_SUBJECT), C16_RUBRIC
    )
    item = _items(report, "C16-Q01")["taux"]
    assert item["verdict"] == "hardcoded"
    assert "method-hardcoded-count" in item["codes"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("OUI", True), ("Non", False), ("", False), ("X", True), ("Alerte !", True),
     ("VRAI", True), ("FAUX", False), ("peut-être", None)],
)  # fmt: skip
def test_flag_forms(text: str, expected: bool | None) -> None:
    reading = flag_reading(text)
    assert (reading.value if reading else None) is expected


def test_quadrant_synonyms_map_to_the_canonical_label() -> None:
    vocabulary = load_rubric(C16_RUBRIC).vocabularies["quadrants"]
    assert vocabulary_reading("Points forts à maintenir", vocabulary).value == "Point fort"  # type: ignore[union-attr]
    assert vocabulary_reading("ZONE DE PROGRES", vocabulary).value == "Priorité d'amélioration"  # type: ignore[union-attr]
    assert vocabulary_reading("sans avis", vocabulary) is None


def _stock_table(order_formula: str) -> dict[str, object]:
    a3 = "'Annexe 3 - Stocks'!"
    cells: dict[str, object] = {"A1": "Réf.", "B1": "Stock final", "C1": "Point de commande",
                                "D1": "Commande à passer"}  # fmt: skip
    for index in range(10):
        row, src = index + 2, index + 4
        cells[f"A{row}"] = f"P{index + 1:02d}"
        cells[f"B{row}"] = f"={a3}C{src}+{a3}D{src}-{a3}E{src}"
        cells[f"C{row}"] = f"={a3}E{src}/Paramètres!$B$5*{a3}G{src}+{a3}F{src}"
        cells[f"D{row}"] = order_formula.format(row=row)
    return cells


def test_order_flag_tie_and_strict_mistake(tmp_path: Path) -> None:
    right = _stock_table('=IF(B{row}<=C{row},"OUI","NON")')
    report = grade(candidate(tmp_path, "pc", {"Stocks": right}, subject=C21_SUBJECT), C21_RUBRIC)
    assert report.verdicts()["C21-Q21"] == "correct"
    strict = _stock_table('=IF(B{row}<C{row},"X","")')
    report = grade(
        candidate(tmp_path, "strict", {"Stocks": strict}, subject=C21_SUBJECT), C21_RUBRIC
    )
    wrong = {k: v for k, v in _items(report, "C21-Q21").items() if v["verdict"] != "correct"}
    assert list(wrong) == ["P03"]  # the product whose final stock equals its reorder point
    assert "« < »" in str(wrong["P03"]["explanation"])
