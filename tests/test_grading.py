"""Grading behaviours on small workbooks built in the test (no cached values)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autocorrect.api import grade
from autocorrect.reading.workbook import formula_numbers
from autocorrect.reference.case import load_case
from autocorrect.report import CandidateReport, Code
from autocorrect.rubric.model import Rubric
from tests.builders import A1, candidate, product_table

A2 = "'Annexe 2 - Charges'!"


def _item(report: CandidateReport, qid: str, key: str) -> dict[str, object]:
    question = next(q for q in report.to_dict()["questions"] if q["id"] == qid)  # type: ignore[union-attr]
    return next(i for i in question["items"] if i["key"] == key)  # type: ignore[index]


def _verdict(report: CandidateReport, qid: str) -> str:
    return report.verdicts()[qid]


def test_product_table_in_rows_is_located_and_correct(tmp_path: Path, c20_rubric: Rubric) -> None:
    report = grade(candidate(tmp_path, "rows", {"Calculs": product_table()}), c20_rubric)
    for qid in ("C20-Q01", "C20-Q02", "C20-Q03", "C20-Q04", "C20-Q06"):
        assert _verdict(report, qid) == "correct", qid
    item = _item(report, "C20-Q04", "P3")
    assert item["cell"] == "Calculs!E4"
    assert item["located_by"] == "table"
    assert _verdict(report, "C20-Q14") == "missing"


def test_transposed_table_on_another_sheet_is_found(tmp_path: Path, c20_rubric: Rubric) -> None:
    cells: dict[str, object] = {"A3": "Indicateurs", "A4": "PV TTC", "A5": "Tx de marque"}
    for index, column in enumerate("BCDEF"):
        source_row = 5 + index
        cells[f"{column}3"] = f"P{index + 1}"
        cells[f"{column}4"] = f"={A1}D{source_row}*1.2"
        cells[f"{column}5"] = f"=({A1}D{source_row}-{A1}C{source_row})/{A1}D{source_row}"
    report = grade(candidate(tmp_path, "transposed", {"Mes calculs": cells}), c20_rubric)
    assert _verdict(report, "C20-Q01") == "correct"
    assert _verdict(report, "C20-Q04") == "correct"
    assert _item(report, "C20-Q04", "P5")["cell"] == "'Mes calculs'!F5"


def test_typed_value_is_hardcoded_and_constant_formula_too(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    sheet = {
        "A1": "Seuil de rentabilité",
        "B1": "=92000/0.315625804605922",
        "A2": "Résultat",
        "B2": 18327,
    }
    report = grade(candidate(tmp_path, "typed", {"Calculs": sheet}), c20_rubric)
    assert _verdict(report, "C20-Q13") == "hardcoded"
    assert "hardcoded-value" in _item(report, "C20-Q13", "Résultat")["codes"]  # type: ignore[operator]
    assert _verdict(report, "C20-Q14") == "hardcoded"
    assert "constant-formula" in _item(report, "C20-Q14", "SR")["codes"]  # type: ignore[operator]


def test_error_carried_forward_along_the_chain(tmp_path: Path, c20_rubric: Rubric) -> None:
    # CV forgets the transport: every downstream figure is wrong but follows the right method.
    sheet = {
        "A1": "CA HT total", "B1": f"=SUMPRODUCT({A1}D5:D9,{A1}E5:E9)",
        "A2": "Charges variables", "B2": f"=SUMPRODUCT({A1}C5:C9,{A1}E5:E9)+B1*{A2}B5",
        "A3": "MCV", "B3": "=B1-B2",
        "A4": "Taux de MCV", "B4": "=B3/B1",
        "A5": "Charges fixes", "B5": f"=SUM({A2}B9:B12)",
        "A6": "Résultat", "B6": "=B3-B5",
        "A7": "Seuil de rentabilité", "B7": "=B5/B4",
        "A8": "Marge de sécurité", "B8": "=B1-B7",
        "A9": "Levier opérationnel", "B9": "=B3/B6",
    }  # fmt: skip
    report = grade(candidate(tmp_path, "chain", {"Calculs": sheet}), c20_rubric)
    assert _verdict(report, "C20-Q06") == "incorrect"  # only the total: the products are missing
    assert _verdict(report, "C20-Q11") == "incorrect"
    for qid in ("C20-Q13", "C20-Q14"):
        assert _verdict(report, qid) == "consequential", qid
    sr = _item(report, "C20-Q14", "SR")
    assert "C20-Q12[taux de MCV]" in str(sr["explanation"])
    assert _item(report, "C20-Q12", "MCV")["verdict"] == "consequential"
    assert _item(report, "C20-Q16", "MS")["verdict"] == "consequential"
    assert _item(report, "C20-Q16", "LO")["verdict"] == "consequential"


def test_known_mistake_is_named(tmp_path: Path, c20_rubric: Rubric) -> None:
    sheet = product_table() | {"E7": "=AVERAGE(E2:E6)"}
    report = grade(candidate(tmp_path, "mean", {"Calculs": sheet}), c20_rubric)
    item = _item(report, "C20-Q08", "Total")
    assert item["verdict"] == "incorrect"
    assert "known-mistake" in item["codes"]  # type: ignore[operator]
    assert "moyenne simple" in str(item["explanation"])


def test_rate_times_100_under_percent_label(tmp_path: Path, c20_rubric: Rubric) -> None:
    sheet = product_table(margin_rate="=C{r}/{a}C{s}*100")
    sheet["D1"] = "Taux de marge (%)"
    report = grade(candidate(tmp_path, "x100", {"Calculs": sheet}), c20_rubric)
    assert _verdict(report, "C20-Q03") == "correct"
    assert "percent-times-100" in _item(report, "C20-Q03", "P4")["codes"]  # type: ignore[operator]


def test_french_text_answers(tmp_path: Path, c20_rubric: Rubric) -> None:
    sheet = {"A1": "Point mort (date)", "B1": "1er novembre", "A2": "TCAM", "B2": "6,92 %"}
    report = grade(candidate(tmp_path, "texts", {"Calculs": sheet}), c20_rubric)
    assert _item(report, "C20-Q15", "date")["verdict"] == "correct"  # text allowed for the date
    tcam = _item(report, "C20-Q27", "TCAM")
    assert tcam["verdict"] == "hardcoded"  # 6,92 % is within ±0.005 pt, but typed
    assert tcam["found"] == "6,92 %"


def test_formula_without_label_is_recognised_by_what_it_computes(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    """No label at all, on a draft sheet: the formula computes the market share on every
    redrawn data set, so it is credited without review (it used to be `review`)."""
    sheet = {"H40": "='Annexe 7 - Historique'!B11/'Annexe 7 - Historique'!B10"}
    report = grade(candidate(tmp_path, "nolabel", {"Brouillon": sheet}), c20_rubric)
    item = _item(report, "C20-Q28", "PDM")
    assert item["verdict"] == "correct"
    assert item["located_by"] == "method"
    assert "formula-proven" in item["codes"]  # type: ignore[operator]


def test_typed_value_without_label_needs_review(tmp_path: Path, c20_rubric: Rubric) -> None:
    """A typed number is not a method: found only by its value, it waits for the jury."""
    expected = load_case(c20_rubric).reference[("C20-Q28", "PDM")]
    report = grade(candidate(tmp_path, "typed", {"Brouillon": {"H40": expected}}), c20_rubric)
    item = _item(report, "C20-Q28", "PDM")
    assert item["verdict"] == "review"
    assert item["located_by"] == "value-search"
    assert "value-search-only" in item["codes"]  # type: ignore[operator]


def test_subject_cells_are_never_answers(tmp_path: Path, c20_rubric: Rubric) -> None:
    report = grade(candidate(tmp_path, "blank", {}), c20_rubric)
    assert set(report.verdicts().values()) == {"missing"}
    assert report.score == 0
    assert [f.code for f in report.findings] == [Code.EMPTY_COPY]  # for the jury to look at


def test_answers_appended_on_an_annex_sheet(tmp_path: Path, c20_rubric: Rubric) -> None:
    sheet = {"G4": "PV TTC", "H4": "€"}
    for row in range(5, 10):
        sheet[f"G{row}"] = f"=D{row}*(1+$C$2)"
    report = grade(candidate(tmp_path, "annex", {"Annexe 1 - Produits": sheet}), c20_rubric)
    assert _verdict(report, "C20-Q01") == "correct"
    assert _item(report, "C20-Q01", "P2")["cell"] == "'Annexe 1 - Produits'!G6"


def test_unreadable_file_gets_a_french_status(tmp_path: Path, c20_rubric: Rubric) -> None:
    pdf = tmp_path / "copie.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    report = grade(pdf, c20_rubric)
    assert str(report.status) == "unreadable"
    assert "PDF" in report.message


def test_stale_cache_is_reported_and_recomputation_wins(tmp_path: Path, c20_rubric: Rubric) -> None:
    report = grade(candidate(tmp_path, "nocache", {"Calculs": product_table()}), c20_rubric)
    codes = {f["code"] for f in report.to_dict()["findings"]}  # type: ignore[union-attr]
    assert str(Code.NO_CACHED_VALUES) in codes


@settings(max_examples=15, deadline=None)
@given(
    product=st.sampled_from(range(5)),
    factor=st.floats(min_value=1.01, max_value=3.0) | st.floats(min_value=0.2, max_value=0.99),
)
def test_any_perturbed_answer_is_caught(
    tmp_path_factory: pytest.TempPathFactory, c20_rubric: Rubric, product: int, factor: float
) -> None:
    sheet = product_table()
    row = 2 + product
    sheet[f"B{row}"] = f"{sheet[f'B{row}']}*{factor!r}"
    report = grade(
        candidate(tmp_path_factory.mktemp("p"), "perturbed", {"Calculs": sheet}), c20_rubric
    )
    verdicts = {i["key"]: i["verdict"] for i in _question(report, "C20-Q01")["items"]}  # type: ignore[union-attr]
    expected = dict.fromkeys(("P1", "P2", "P3", "P4", "P5"), "correct")
    expected[f"P{product + 1}"] = "incorrect"
    assert verdicts == expected
    assert _verdict(report, "C20-Q02") == "correct"


def _question(report: CandidateReport, qid: str) -> dict[str, object]:
    return next(q for q in report.to_dict()["questions"] if q["id"] == qid)  # type: ignore[union-attr]


def test_digits_of_a_rounding_are_not_a_typed_count() -> None:
    """`ROUND(x;4)` beside four sales reps types no head-count; `/4` does."""
    assert formula_numbers("=ROUND(SUM(B4:B7)/COUNT(B4:B7),4)") == []
    assert formula_numbers("=ROUND(SUM(B4:B7)/4,4)") == [4.0]
    assert formula_numbers("=TRUNC(B4*100,2)+ROUNDDOWN(B5,3)") == [100.0]
