"""Formula computations: the examiner's own formula as a rubric's reference, evaluated by the
engine on the case data and, for error carried forward, on the candidate's own answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from autocorrect.api import grade
from autocorrect.errors import RubricError
from autocorrect.reading.refs import CellRef
from autocorrect.reference.case import ComputationFailed, evaluate, load_case
from autocorrect.reference.formula import FormulaError, evaluate_formula, operands, problems
from autocorrect.reference.kpis import DayMonth
from autocorrect.rubric.load import load_rubric
from tests.builders import A1, PRODUCTS, candidate
from tests.conftest import C20_SUBJECT

SUBJECT = {
    CellRef("Annexe 1 - Produits", 5, 4): 3600.0,
    CellRef("Annexe 1 - Produits", 6, 4): 290.0,
    CellRef("Annexe 1 - Produits", 2, 3): 0.2,
}


# --- the formula module -----------------------------------------------------------------------


def test_names_and_subject_references_are_evaluated() -> None:
    formula = "=ans1/'annexe 1 - produits'!D5"  # sheet names match without case
    assert evaluate_formula(formula, {"ans1": 7200.0}, SUBJECT) == 2.0
    total = "=SUM('Annexe 1 - Produits'!D5:D6)*(1+'Annexe 1 - Produits'!C2)"
    assert evaluate_formula(total, {}, SUBJECT) == pytest.approx(3890 * 1.2)


def test_ranges_tables_texts_and_dates() -> None:
    assert evaluate_formula("=SUM(x)/COUNT(x)", {"x": (1.0, 2.0, 6.0)}, {}) == 3.0
    table = ((1.0, 2.0), (3.0, 5.0))  # one tuple per column
    assert evaluate_formula("=AVERAGE(t)", {"t": table}, {}) == 2.75
    segments = {"s": ("PME", "Grand compte", "PME"), "c": "PME"}
    assert evaluate_formula("=COUNTIF(s,c)", segments, {}) == 2.0
    days = {"fin": dt.datetime(2025, 1, 10), "debut": dt.datetime(2025, 1, 8)}
    assert evaluate_formula("=fin-debut", days, {}) == 2.0
    assert evaluate_formula('=IF(e<=s,"OUI","NON")', {"e": -0.07, "s": -0.05}, {}) == "OUI"


def test_a_name_that_looks_like_a_cell_is_still_the_declared_name() -> None:
    # « ans1 » is also the address of column ANS, row 1: the declared name wins.
    assert evaluate_formula("=ans1*2", {"ans1": 21.0}, {}) == 42.0


def test_excel_errors_and_broken_formulas() -> None:
    with pytest.raises(FormulaError, match="#DIV/0!") as division:
        evaluate_formula("=a/b", {"a": 1.0, "b": 0.0}, {})
    assert not division.value.broken  # the data, not the formula, is at fault
    with pytest.raises(FormulaError, match="fonction inconnue") as unknown:
        evaluate_formula("=FOO(a)", {"a": 1.0}, {})
    assert unknown.value.broken
    with pytest.raises(FormulaError, match="n'existe pas dans le sujet"):
        evaluate_formula("='Annexe 9'!B2*2", {}, SUBJECT)


def test_operands_are_names_or_sheet_references() -> None:
    found = operands("=ans1/'Annexe 1 - Produits'!D5+B5", ["ANS1"])
    assert found.names == frozenset({"ANS1"})
    assert found.references == ("'Annexe 1 - Produits'!D5",)
    assert found.unknown == ("B5",)  # a bare address: which sheet? refused


@pytest.mark.parametrize(
    ("formula", "declared", "message"),
    [
        ("=x/y", ["x"], "« y » n'est ni un nom déclaré dans args"),
        ("=x*2", ["x", "z"], "l'argument « z » n'apparaît pas dans la formule"),
        ("=SUM((x)", ["x"], "la formule ne compile pas"),
        ("=FOO(x)", ["x"], "non recalculable"),
        ("x*2", ["x"], "commence par « = »"),
        ("=SUM((x)+'Annexe 1 - Produits'!C2", ["x"], "la formule ne compile pas"),
    ],
)
def test_problems_of_a_formula(formula: str, declared: list[str], message: str) -> None:
    assert any(message in p for p in problems(formula, declared))


def test_a_sound_formula_has_no_problem() -> None:
    assert problems("=ROUND(x/'Annexe 1 - Produits'!D5,2)", ["x"]) == []


# --- in a rubric ------------------------------------------------------------------------------

BASE = f"""
id: mini
subject: {C20_SUBJECT}
criteria: [{{id: C20-calculs}}]
entities:
  produits: {{P1: [P1], P2: [P2], P3: [P3], P4: [P4], P5: [P5]}}
  agregats: {{Total: [Total]}}
inputs:
  tva: "'Annexe 1 - Produits'!C2"
  pv: {{range: "'Annexe 1 - Produits'!D5:D9", entities: produits}}
  q: {{range: "'Annexe 1 - Produits'!E5:E9", entities: produits}}
questions:
  - id: C20-Q06
    title: CA
    criterion: C20-calculs
    unit: eur
    measure: ["ca ht"]
    items:
      - for_each: produits
        formula: "=prix*quantite"
        args: {{prix: "pv[$]", quantite: "q[$]"}}
      - key: Total
        entity: Total
        kpi: somme
        args: {{values: "C20-Q06[*]"}}
"""
SHARE = """
  - id: C20-Q09
    title: Part du CA
    criterion: C20-calculs
    unit: percent
    for_each: produits
    labels: ["part du ca"]
    formula: "=ca/total"
    args: {ca: "C20-Q06[$]", total: "C20-Q06[Total]"}
"""


def _write(tmp_path: Path, questions: str) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(BASE + questions, encoding="utf-8")
    return path


def test_formula_items_compute_the_expected_values(tmp_path: Path) -> None:
    extra = """
  - id: C20-Q10
    title: Rapport au prix de P1
    criterion: C20-calculs
    key: x
    labels: ["rapport"]
    formula: "=ans1/'Annexe 1 - Produits'!D5"
    args: {ans1: "C20-Q06[Total]"}
    check: 97.097222
"""
    case = load_case(load_rubric(_write(tmp_path, SHARE + extra)))
    assert case.reference[("C20-Q06", "P1")] == 144000
    assert case.reference[("C20-Q06", "Total")] == 349550
    assert case.reference[("C20-Q09", "P1")] == pytest.approx(144000 / 349550)
    assert case.reference[("C20-Q10", "x")] == pytest.approx(349550 / 3600)


def test_formula_results_are_read_in_the_item_unit(tmp_path: Path) -> None:
    extra = """
  - id: C20-Q11
    title: Indicateurs
    criterion: C20-calculs
    items:
      - {key: alerte, unit: flag, labels: [alerte], args: {t: tva},
         formula: '=IF(t>0.1,"OUI","NON")'}
      - {key: date, unit: date, labels: [date], formula: "=DATE(2024,1,1)+n", args: {n: 59}}
      - {key: texte, unit: text, labels: [zone], args: {t: tva},
         formula: '=IF(t>0.1,"Point fort","Surqualité")'}
"""
    rubric = load_rubric(_write(tmp_path, extra))
    case = load_case(rubric)
    assert case.reference[("C20-Q11", "alerte")] is True
    assert case.reference[("C20-Q11", "date")] == DayMonth(29, 2)
    assert case.reference[("C20-Q11", "texte")] == "Point fort"
    computation = rubric.item("C20-Q11", "alerte")
    assert computation is not None and computation.compute.result_unit == "flag"


def test_the_candidate_own_answers_feed_the_formula(tmp_path: Path) -> None:
    rubric = load_rubric(_write(tmp_path, SHARE))
    case = load_case(rubric)
    item = rubric.item("C20-Q09", "P1")
    assert item is not None
    own = {**case.reference, ("C20-Q06", "P1"): 100.0, ("C20-Q06", "Total"): 400.0}
    assert evaluate(item.compute, case, own) == 0.25
    with pytest.raises(ComputationFailed, match="absente ou non numérique"):
        evaluate(item.compute, case, {**own, ("C20-Q06", "Total"): None})
    with pytest.raises(ComputationFailed, match="#DIV/0!"):
        evaluate(item.compute, case, {**own, ("C20-Q06", "Total"): 0.0})


def test_error_carried_forward_through_a_formula_item(tmp_path: Path) -> None:
    rubric = load_rubric(_write(tmp_path, SHARE))
    cells: dict[str, object] = {"A1": "Produit", "B1": "CA HT", "C1": "Part du CA"}
    for index, product in enumerate(PRODUCTS):
        row, source = 2 + index, 5 + index
        quantity = f"{A1}E{source}" if product != "P2" else "100"  # P2: wrong quantity
        cells |= {
            f"A{row}": product,
            f"B{row}": f"={A1}D{source}*{quantity}",
            f"C{row}": f"=B{row}/B7",
        }
    cells |= {"A7": "Total", "B7": "=SUM(B2:B6)"}
    report = grade(candidate(tmp_path, "report", {"Calculs": cells}), rubric)
    assert report.verdicts()["C20-Q06"] == "incorrect"
    assert report.verdicts()["C20-Q09"] == "consequential"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('formula: "=x/y"\n    args: {x: tva}', "« y » n'est ni un nom déclaré dans args"),
        (
            'formula: "=x*2"\n    kpi: somme\n    args: {x: tva}',
            "« kpi » et « formula » s'excluent",
        ),
        ('formula: "=SUM((x)"\n    args: {x: tva}', "la formule ne compile pas"),
        ('formula: "=x*2"\n    args: {x: tva, y: tva}', "l'argument « y » n'apparaît pas"),
        ("formula: 12\n    args: {x: tva}", "« formula » doit être un texte"),
        ('formula: "=x*2"\n    args: {x: tvx}', "entrée inconnue « tvx »"),
    ],
)
def test_invalid_formula_items_are_refused_with_the_place(
    tmp_path: Path, entry: str, message: str
) -> None:
    question = f"""
  - id: C20-Q10
    title: x
    criterion: C20-calculs
    key: x
    labels: [x]
    {entry}
"""
    path = _write(tmp_path, question)
    with pytest.raises(RubricError) as error:
        load_case(load_rubric(path))
    assert message in str(error.value)
    assert f"{path}:" in str(error.value)
