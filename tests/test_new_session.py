"""A new exam session without touching the code: the C21 « Cycléa » case (ids D1.1…D4.4,
transaction-level exports, entity ranges « A01…B03 » and « R1 à R4 », a list in parentheses)
goes through draft → check → batch with its own ids, and `rubric check` finds the case's files
named in the rubric or on the command line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from autocorrect.authoring.check import check_rubric
from autocorrect.authoring.draft import draft_rubric, item_agreement
from autocorrect.authoring.enonce import load_enonce
from autocorrect.cli.main import main
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import CaseFiles
from autocorrect.session.batch import BatchOptions, run_batch
from autocorrect.session.isolation import RunLimits
from tests.conftest import ROOT

CASE = ROOT / "fixtures" / "c21-cyclea"
RUBRIC = ROOT / "rubrics" / "c21-cyclea.yaml"
# Share of the hand-written rubric's items the draft gets usable as is (same key, expected value
# and verdict on the solution and both sample copies): measured 61 / 61. Before answers were
# also recognised by what their formulas compute, 44 / 61: the relabelled copy's « Chiffre
# d'affaires » and « % du CA » are not among the drafted labels (see benchmarks/draft_agreement.py).
ITEM_FLOOR = 61 / 61  # the target is 90 %; this is the measured share, kept as a floor


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case's draft, written next to the rubrics of a copy of the repository layout."""
    root = tmp_path_factory.mktemp("session")
    (root / "fixtures").symlink_to(ROOT / "fixtures", target_is_directory=True)
    (root / "rubrics").mkdir()
    path = root / "rubrics" / "draft-c21-cyclea.yaml"
    text = draft_rubric(CASE / "solution.xlsx", CASE / "sujet.xlsx", CASE / "enonce.md", path)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_draft_keeps_the_session_ids_and_expands_every_entity(draft: Path) -> None:
    rubric = load_rubric(draft)
    asked = load_enonce(CASE / "enonce.md").questions
    assert [q.id for q in rubric.questions] == [q.id for q in asked]
    for question in asked:
        drafted = {i.key for i in rubric.question(question.id).items}
        assert drafted == set(question.names), question.id
    products = {i.key: i for i in rubric.question("D1.1").items}
    assert set(products) == {"A01", "A02", "A03", "B01", "B02", "B03", "Total"}
    assert products["A01"].compute.kpi == "somme_si"  # SOMME.SI per product
    assert products["A01"].from_for_each and products["Total"].entity == "Total"
    assert rubric.question("D2.2").items[0].compute.kpi == "nombre_si_ens"


def test_drafted_entity_synonyms_name_only_their_entity(draft: Path) -> None:
    rubric = load_rubric(draft)
    codes = {"A01", "A02", "A03", "B01", "B02", "B03", "R1", "R2", "R3", "R4"}
    statuses = {"Gagné", "Perdu", "En cours"}
    for group in rubric.entities.values():
        for entity, synonyms in group.items():
            assert not (set(synonyms) - {entity}) & (codes | statuses), (entity, synonyms)
    reps = next(g for g in rubric.entities.values() if "R1" in g)
    assert reps["R1"] == ("R1", "Inès Caron")  # the name beside the code, in annex 2


def test_the_draft_passes_rubric_check(draft: Path) -> None:
    report = check_rubric(draft)
    assert report.problems == ()
    assert "16 question(s) de l'énoncé couvertes" in report.notes
    assert "solution : 16 / 16" in report.notes


def test_draft_items_usable_as_is(draft: Path) -> None:
    workbooks = [CASE / "solution.xlsx", *sorted((CASE / "submissions").glob("*.xlsx"))]
    agreement = item_agreement(draft, RUBRIC, workbooks)
    assert agreement.verdicts == 61
    assert agreement.share >= ITEM_FLOOR, agreement.differences


def test_the_draft_grades_a_batch_with_the_session_ids(draft: Path, tmp_path: Path) -> None:
    summary = run_batch(
        CASE / "submissions",
        load_rubric(draft),
        tmp_path / "out",
        options=BatchOptions(jobs=1, limits=RunLimits(timeout_s=120)),
    )
    assert [str(r.status) for r in summary.reports] == ["graded", "graded"]
    with (tmp_path / "out" / "gradebook.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert {"D1.1", "D2.5", "D3.3", "D4.4"} <= set(header), header


def test_the_hand_written_rubric_names_its_files_and_passes() -> None:
    report = check_rubric(RUBRIC)
    assert report.problems == ()
    assert "2 copie(s) d'exemple comparées à leurs verdicts de référence" in report.notes


def test_solution_and_samples_given_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "session"
    folder.mkdir()
    shutil.copyfile(CASE / "sujet.xlsx", folder / "sujet.xlsx")
    text = RUBRIC.read_text(encoding="utf-8").replace("../fixtures/c21-cyclea/sujet.xlsx",
                                                       "session/sujet.xlsx")  # fmt: skip
    kept = [line for line in text.splitlines()
            if not line.startswith(("solution:", "enonce:", "samples:", "expected:"))]  # fmt: skip
    rubric = tmp_path / "bareme.yaml"
    rubric.write_text("\n".join(kept) + "\n", encoding="utf-8")

    alone = check_rubric(rubric).problems
    assert any("solution de référence introuvable" in p and "--solution" in p for p in alone)
    assert any("énoncé introuvable" in p and "--enonce" in p for p in alone)

    given = CaseFiles(CASE / "solution.xlsx", CASE / "enonce.md", CASE / "submissions",
                      CASE / "intents.yaml")  # fmt: skip
    assert check_rubric(rubric, given).problems == ()
    args = ["rubric", "check", str(rubric), "--solution", str(CASE / "solution.xlsx"),
            "--enonce", str(CASE / "enonce.md"), "--samples", str(CASE / "submissions"),
            "--expected", str(CASE / "intents.yaml")]  # fmt: skip
    assert main(args) == 0
    assert "2 copie(s) d'exemple" in capsys.readouterr().out
    assert main([*args[:3], "--solution", str(tmp_path / "absente.xlsx")]) == 2


def test_a_changed_expected_verdict_is_reported(tmp_path: Path) -> None:
    expected = tmp_path / "verdicts.yaml"
    expected.write_text("cand02-erreurs-usuelles: {D2.2: correct}\n", encoding="utf-8")
    report = check_rubric(RUBRIC, CaseFiles(expected=expected))
    assert len(report.problems) == 6  # D2.2 and the five undeclared wrong answers
    assert any("D2.2 passe de « correct » à « incorrect »" in p for p in report.problems)
