"""The exam statement: question ids, titles, criteria and the elements each question expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from autocorrect.authoring.enonce import (
    Element,
    expand_elements,
    for_each_word,
    load_enonce,
    parse_enonce,
)
from autocorrect.errors import RubricError
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures"


def test_c20_statement_lists_its_28_questions_with_their_elements() -> None:
    enonce = load_enonce(FIXTURES / "c20-bureau-plus" / "enonce.md")
    assert [q.id for q in enonce.questions] == [f"C20-Q{n:02d}" for n in range(1, 29)]
    q06 = enonce.questions[5]
    assert q06.title == "Chiffre d'affaires HT de chaque produit et total"
    assert q06.names == ("P1", "P2", "P3", "P4", "P5", "Total")
    assert q06.elements[0] == Element("P1", "P1…P5")
    assert q06.elements[-1] == Element("Total")
    assert q06.dossier.startswith("Dossier 1")
    assert enonce.questions[11].names == ("MCV", "taux de MCV")
    assert enonce.questions[17].names == enonce.questions[16].names  # « idem »
    assert enonce.questions[16].intro.startswith("Pour chaque commercial et pour l'équipe")
    assert [c.id for c in enonce.criteria] == ["C20-calculs"]
    assert enonce.criteria_of("C20-Q14") == ("C20-calculs",)


def test_criteria_scopes_and_nested_guillemets() -> None:
    enonce = load_enonce(FIXTURES / "c16-aquapro" / "enonce.md")
    matrice, formules = enonce.criteria
    assert matrice.id == "C16-matrice"
    assert matrice.label.endswith("dans une matrice « attente-satisfaction »")
    assert matrice.questions == ("C16-Q07", "C16-Q08", "C16-Q09")
    assert formules.questions is None  # « toutes les questions »
    assert enonce.criteria_of("C16-Q08") == ("C16-matrice", "C16-formules")
    assert enonce.criteria_of("C16-Q01") == ("C16-formules",)


def test_months_and_zero_padded_series_are_expanded() -> None:
    enonce = load_enonce(FIXTURES / "c21-terroirs" / "enonce.md")
    by_id = {q.id: q for q in enonce.questions}
    assert by_id["C21-Q01"].names == ("janvier", "février", "mars", "avril", "mai", "juin", "S1")
    assert by_id["C21-Q16"].names[:2] == ("P01", "P02")
    assert by_id["C21-Q16"].names[-1] == "P10"
    assert by_id["C21-Q09"].names == ("CA à réaliser", "% de l'objectif S2")
    assert by_id["C21-Q11"].names == by_id["C21-Q10"].names


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("P1…P5, Total", ("P1", "P2", "P3", "P4", "P5", "Total")),
        ("L01...L03", ("L01", "L02", "L03")),
        ("C1 … C3", ("C1", "C2", "C3")),
        ("janvier…mars, S1", ("janvier", "février", "mars", "S1")),
        ("MCV, taux de MCV", ("MCV", "taux de MCV")),
        ("P1 à P4", ("P1", "P2", "P3", "P4")),
        ("A01…B03", ("A01", "A02", "A03", "B01", "B02", "B03")),
        (
            "sources (Salon, Site web ; Parrainage), Total",
            ("Salon", "Site web", "Parrainage", "Total"),
        ),
        ("CA à réaliser", ("CA à réaliser",)),  # « à » between words: not a run
        ("A…B", ("A…B",)),  # not a run: kept as written
        ("a01…B03", ("a01…B03",)),
        ("P5…P1", ("P5…P1",)),
        ("", ()),
    ],
)
def test_elements_are_expanded(cell: str, names: tuple[str, ...]) -> None:
    assert tuple(e.name for e in expand_elements(cell)) == names


def test_idem_repeats_the_previous_elements() -> None:
    previous = expand_elements("Camille, Hugo")
    assert expand_elements("idem", previous) == previous
    assert expand_elements("Idem.", previous) == previous


def test_for_each_word_comes_from_the_title_or_the_intro() -> None:
    text = """
### Dossier 1
Pour chaque mois et pour le total :
| Id | Question | Éléments |
|---|---|---|
| C21-Q01 | Écart en valeur | janvier…juin |
| C21-Q10 | Écart de chaque commercial | Léa, Julien |

### Dossier 2
| Id | Question | Éléments |
|---|---|---|
| C21-Q27 | Stock final | P01…P03 |
"""
    first, second, third = parse_enonce(text).questions
    assert for_each_word(first) == "mois"
    assert for_each_word(second) == "commercial"
    assert for_each_word(third) is None
    assert third.intro == ""


def test_question_and_criterion_ids_of_any_shape() -> None:
    text = """
Critères :
- **S2_calculs.v2** — « Les calculs sont justes » (questions S2-Q01, D1.b et 7) ;
- **formules** — « Les formules sont adaptées ».

La compétence **C21** — « reporting » n'est pas un critère noté.

| Id | Question | Éléments |
|---|---|---|
| S2-Q01 | CA par commercial | R1 à R3 |
| D1.b | Leads par source | sources (Salon, Site web) |
| 7 | Marge | **Total** |
| `C20b_Q1` | Total | Total |
"""
    enonce = parse_enonce(text)
    assert [q.id for q in enonce.questions] == ["S2-Q01", "D1.b", "7", "C20b_Q1"]
    assert enonce.questions[0].names == ("R1", "R2", "R3")
    assert enonce.questions[1].names == ("Salon", "Site web")
    assert [c.id for c in enonce.criteria] == ["S2_calculs.v2", "formules"]
    assert enonce.criteria_of("D1.b") == ("S2_calculs.v2", "formules")
    assert enonce.criteria_of("C20b_Q1") == ("formules",)


def test_a_statement_without_question_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "enonce.md"
    path.write_text("# Sujet\n\nAucun tableau.\n", encoding="utf-8")
    with pytest.raises(RubricError, match="aucune question trouvée"):
        load_enonce(path)
    with pytest.raises(RubricError, match="énoncé illisible"):
        load_enonce(tmp_path / "absent.md")
