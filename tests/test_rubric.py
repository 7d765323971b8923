"""Rubric loading: precise French errors, and expected values computed, never pasted."""

from __future__ import annotations

from pathlib import Path

import pytest

from autocorrect.errors import RubricError
from autocorrect.reference.case import load_case
from autocorrect.reference.kpis import DayMonth
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from tests.conftest import C20_RUBRIC, C20_SUBJECT

BASE = f"""
id: mini
subject: {C20_SUBJECT}
criteria: [{{id: C20-calculs}}]
inputs:
  tva: "'Annexe 1 - Produits'!C2"
  pv: {{range: "'Annexe 1 - Produits'!D5:D9", entities: produits}}
entities:
  produits: {{P1: [P1], P2: [P2], P3: [P3], P4: [P4], P5: [P5]}}
questions:
"""
GOOD_QUESTION = """
  - id: C20-Q01
    title: PV TTC
    criterion: C20-calculs
    unit: eur
    for_each: produits
    labels: ["pv ttc"]
    kpi: prix_ttc
    args: {ht: "pv[$]", tva: tva}
"""


def _write(tmp_path: Path, questions: str) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(BASE + questions, encoding="utf-8")
    return path


def test_minimal_rubric_computes_its_expected_values(tmp_path: Path) -> None:
    rubric = load_rubric(_write(tmp_path, GOOD_QUESTION))
    case = load_case(rubric)
    assert case.reference[("C20-Q01", "P1")] == pytest.approx(3600 * 1.2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kpi: prix_ttc", "kpi: prix_tcc"), "indicateur inconnu « prix_tcc »"),
        (("tva: tva}", "taux: tva}"), "ne correspondent pas à prix_ttc"),
        (('ht: "pv[$]"', 'ht: "pa[$]"'), "entrée inconnue « pa »"),
        (("unit: eur", "unit: euros"), "unité inconnue « euros »"),
        (("criterion: C20-calculs", "criterion: C20-autre"), "critère inconnu « C20-autre »"),
        (("for_each: produits", "for_each: vendeurs"), "groupe d'entités inconnu"),
        (("id: C20-Q01", "id: Q 1"), "identifiant de question invalide"),
        (('ht: "pv[$]"', 'ht: "pv[P9]"'), "entité « P9 » absente"),
    ],
)
def test_invalid_rubrics_name_the_place_and_the_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, GOOD_QUESTION.replace(*change))
    with pytest.raises(RubricError) as error:
        load_case(load_rubric(path))
    assert message in str(error.value)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("qid", ["S2-Q01", "C20b-Q1", "D1.a", "Q_7", "12"])
def test_question_ids_of_any_shape_load_and_are_referenced(tmp_path: Path, qid: str) -> None:
    questions = (
        GOOD_QUESTION.replace("C20-Q01", qid)
        + f"""
  - id: {qid}.total
    title: Somme des PV TTC
    criterion: C20-calculs
    unit: eur
    key: Total
    labels: [total]
    kpi: somme
    args: {{values: "{qid}[*]"}}
"""
    )
    case = load_case(load_rubric(_write(tmp_path, questions)))
    ttc = [case.reference[(qid, p)] for p in ("P1", "P2", "P3", "P4", "P5")]
    assert case.reference[(f"{qid}.total", "Total")] == pytest.approx(sum(ttc))


def test_a_question_id_that_is_also_an_input_name_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION.replace("id: C20-Q01", "id: tva"))
    with pytest.raises(RubricError, match="à la fois une question et une entrée"):
        load_rubric(path)


def test_case_files_named_in_the_rubric_must_exist(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION)
    text = path.read_text(encoding="utf-8")
    path.write_text("solution: absente.xlsx\n" + text, encoding="utf-8")
    with pytest.raises(RubricError, match=r"« solution » : .*absente\.xlsx » est introuvable"):
        load_rubric(path)
    path.write_text(f"solution: {C20_SUBJECT}\n" + text, encoding="utf-8")
    files = load_rubric(path).case_files
    assert files is not None and files.solution == C20_SUBJECT and files.samples is None


def test_the_entity_text_needs_an_entity(tmp_path: Path) -> None:
    question = GOOD_QUESTION.replace('args: {ht: "pv[$]", tva: tva}', "args: {x: {text: $}}")
    single = question.replace("    for_each: produits\n", "    key: P1\n")
    with pytest.raises(RubricError, match=r"n'a de sens que dans un for_each"):
        load_rubric(_write(tmp_path, single))


def test_scoring_is_typed_and_items_means_partial_credit(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "questions:", "scoring: {hardcoded: 0.25, incorrect: items}\nquestions:"
        ),
        encoding="utf-8",
    )
    scoring = load_rubric(path).scoring
    assert scoring.incorrect_by_items
    assert (scoring.share("hardcoded"), scoring.share("incorrect")) == (0.25, 0.0)
    assert scoring["incorrect"] == "items"  # the mapping view older callers read
    with pytest.raises(KeyError):
        scoring.share("bof")


def test_error_message_carries_the_line_number(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION.replace("kpi: prix_ttc", "kpi: nope"))
    with pytest.raises(RubricError, match=r"mini\.yaml:\d+ :"):
        load_rubric(path)


def test_cycle_between_questions_is_rejected(tmp_path: Path) -> None:
    questions = """
  - {id: C20-Q01, title: a, criterion: C20-calculs, key: x, labels: [a], kpi: somme,
     args: {values: ["C20-Q02[y]"]}}
  - {id: C20-Q02, title: b, criterion: C20-calculs, key: y, labels: [b], kpi: somme,
     args: {values: ["C20-Q01[x]"]}}
"""
    with pytest.raises(RubricError, match="dépendance circulaire"):
        load_rubric(_write(tmp_path, questions))


def test_cross_check_must_agree_with_the_computation(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION + "    check: {P1: 4321}\n")
    with pytest.raises(RubricError, match="valeur de contrôle 4321"):
        load_case(load_rubric(path))


def test_no_python_in_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_QUESTION + '    title: !!python/object/apply:os.system ["echo"]\n')
    with pytest.raises(RubricError, match="YAML invalide"):
        load_rubric(path)


def test_c20_rubric_covers_every_question_of_the_enonce(c20_rubric: Rubric) -> None:
    enonce = (C20_SUBJECT.parent / "enonce.md").read_text(encoding="utf-8")
    asked = {f"C20-Q{n:02d}" for n in range(1, 29)}
    assert all(q in enonce for q in asked)
    assert {q.id for q in c20_rubric.questions} == asked


def test_c20_expected_values_are_computed_from_the_subject(c20_rubric: Rubric) -> None:
    case = load_case(c20_rubric)
    # Cross-checks against DOMAIN.md §7.2, printed there with 2 decimals.
    assert case.reference[("C20-Q14", "SR")] == pytest.approx(291484.41, abs=0.005)
    assert case.reference[("C20-Q15", "date")] == DayMonth(1, 11)
    assert case.reference[("C20-Q25", "net à payer")] == pytest.approx(11572.02, abs=0.005)
    assert case.reference[("C20-Q17", "Équipe")] == pytest.approx(0.0512, abs=5e-5)
    assert C20_RUBRIC.read_text(encoding="utf-8").count("291484.41") == 1  # only as check:
