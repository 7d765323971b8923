"""Manual overrides: read from the jury's CSV, applied over the automatic grade (kept apart),
surviving regrades, flagged when the automatic result changes underneath them."""

from __future__ import annotations

import csv
import html
import io
import shutil
from pathlib import Path

import pytest

from autocorrect.jury.overrides import (
    VERDICT_WORDS,
    Baseline,
    Override,
    check_overrides,
    final_grade,
    read_overrides,
)
from autocorrect.report import Verdict
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.batch import BatchOptions, run_batch
from autocorrect.session.store import load_report
from tests.batch_helpers import case_batch, rubric_path
from tests.conftest import ROOT

C20 = ROOT / "fixtures" / "c20-bureau-plus"
REPORT_ERREUR = C20 / "submissions" / "cand05-report-erreur.xlsx"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolons_bom_french_decimals_and_verdict_words(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "overrides.csv",
        "\ufeffCandidat;Question;Points;Verdict;Motif;Auteur\n"
        "dupont;C20-Q14;0,5;;arrondi admis;Mme Martin\n"
        "durand;C20-Q01;;juste;vu à l'oral;M. Leroy\n"
        ";;;;;\n",
    )
    overrides, problems = read_overrides(path)
    assert problems == ()
    first, second = overrides
    assert (first.candidate, first.question, first.points, first.verdict) == (
        "dupont", "C20-Q14", 0.5, None,
    )  # fmt: skip
    assert (first.reason, first.author, first.line) == ("arrondi admis", "Mme Martin", 2)
    assert second.verdict == Verdict.CORRECT and second.points is None


def test_comma_separated_windows_encoding_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "o.csv",
        "candidat,question,points,verdict,motif,auteur\nx,C20-Q02,1,,réponse vue,Jury é\n",
        encoding="cp1252",
    )
    (override,), _ = read_overrides(path)
    assert override.points == 1.0 and override.author == "Jury é"


def test_bad_rows_are_reported_line_by_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "o.csv",
        "candidat;question;points;verdict;motif;auteur\n"
        "a;C20-Q01;;;oubli;\n"
        "a;C20-Q02;beaucoup;;;\n"
        "a;C20-Q03;;génial;;\n"
        "a;C20-Q04;;à vérifier;;\n"
        ";C20-Q05;1;;;\n"
        "b;C20-Q06;1;;premier;\n"
        "b;C20-Q06;0;;second;\n",
    )
    overrides, problems = read_overrides(path)
    messages = {p.line: p.message for p in problems}
    assert "points ou un verdict" in messages[2]
    assert "points illisibles" in messages[3]
    assert "verdict inconnu" in messages[4]
    assert "n'est pas une décision" in messages[5]
    assert "obligatoires" in messages[6]
    assert "remplacée par la ligne 8" in messages[7]
    assert [(o.candidate, o.reason) for o in overrides] == [("b", "second")]
    missing = _write(tmp_path / "m.csv", "nom;points\nx;1\n")
    assert "colonnes manquantes" in read_overrides(missing)[1][0].message
    assert read_overrides(tmp_path / "absent.csv") == ((), ())


def _override(question: str = "C20-Q14", **fields: object) -> Override:
    values: dict[str, object] = {
        "candidate": "cand05-report-erreur", "question": question, "points": None,
        "verdict": None, "reason": "motif", "author": "jury", "line": 2,
    }  # fmt: skip
    values.update(fields)
    return Override(**values)  # type: ignore[arg-type]


def test_overrides_naming_nothing_known_are_refused(c20_rubric: Rubric) -> None:
    batch = case_batch("c20")
    reports = {r.candidate: r for r in batch.summary.reports}
    overrides = [
        _override(candidate="inconnu", points=1.0),
        _override(question="C99-Q01", points=1.0),
        _override(points=3.0),
        _override(candidate="vide", points=1.0),
        _override(points=0.0),
    ]
    valid, problems = check_overrides(overrides, reports, c20_rubric)
    assert valid == (overrides[-1],)
    text = " | ".join(p.message for p in problems)
    assert "candidat inconnu" in text and "question inconnue" in text
    assert "hors de l'intervalle 0 – 1" in text and "n'a pas été corrigée" in text


def test_final_grade_keeps_automatic_and_manual_apart(c20_rubric: Rubric) -> None:
    report = load_report(C20 / "goldens" / "cand05-report-erreur.json")
    assert report is not None
    points_only = final_grade(report, c20_rubric, {"C20-Q14": _override(points=0.0)}, {})
    assert points_only.auto_score == 27 and points_only.final_score == 26
    decision = next(d for d in points_only.decisions if d.question == "C20-Q14")
    assert (decision.auto_verdict, decision.auto_points) == (Verdict.CONSEQUENTIAL, 1.0)
    assert (decision.final_verdict, decision.final_points) == (Verdict.CONSEQUENTIAL, 0.0)
    assert points_only.criteria[0].points == 26 and report.criteria[0].points == 27
    wrong = next(q for q in report.questions if q.verdict == Verdict.INCORRECT)
    by_verdict = final_grade(
        report, c20_rubric, {wrong.id: _override(wrong.id, verdict=Verdict.CORRECT)}, {}
    )
    assert by_verdict.final_score == 28
    assert by_verdict.to_recheck == ()


def test_override_is_flagged_when_the_automatic_result_changes(c20_rubric: Rubric) -> None:
    report = load_report(C20 / "goldens" / "cand05-report-erreur.json")
    assert report is not None
    override = _override(points=0.0)
    stale = {override.key: Baseline("incorrect", 0.0)}  # what the jury saw back then
    final = final_grade(report, c20_rubric, {"C20-Q14": override}, stale)
    (flagged,) = final.to_recheck
    assert flagged.changed_from == Baseline("incorrect", 0.0)
    seen = _override(points=0.0, seen_verdict=Verdict.CONSEQUENTIAL)
    assert final_grade(report, c20_rubric, {"C20-Q14": seen}, {}).to_recheck == ()
    seen_other = _override(points=0.0, seen_verdict=Verdict.INCORRECT)
    assert len(final_grade(report, c20_rubric, {"C20-Q14": seen_other}, {}).to_recheck) == 1


def _rows(out: Path) -> dict[str, dict[str, str]]:
    text = (out / "gradebook.csv").read_text("utf-8")
    return {r["candidat"]: r for r in csv.DictReader(io.StringIO(text))}


def test_overrides_survive_a_regrade_and_are_flagged_when_it_changes(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    shutil.copy(REPORT_ERREUR, folder / "dupont.xlsx")
    shutil.copy(C20 / "submissions" / "cand04-erreurs-marges.xlsx", folder / "durand.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    overrides = _write(
        out / "overrides.csv",
        "candidat;question;points;verdict;motif;auteur\n"
        "dupont;C20-Q14;0;;report d'erreur non admis;Mme Martin\n"
        "fantome;C20-Q01;1;;;\n",
    )
    original = overrides.read_bytes()
    rubric = load_rubric(rubric_path("c20"))
    summary = run_batch(folder, rubric, out, options=BatchOptions(jobs=2))
    assert [p.line for p in summary.override_problems] == [3]
    row = _rows(out)["dupont"]
    assert (row["note"], row["note finale"]) == ("27", "26")
    assert row["C20-Q14"] == "consequential"  # the automatic verdict column is untouched
    assert "C20-Q14 : 0 pt (report d'erreur non admis — Mme Martin)" in row["dérogations"]
    assert row["dérogations à revoir"] == ""
    page = (out / "dupont.html").read_text("utf-8")
    assert "Dérogation du jury" in page and "Mme Martin" in page
    assert "fantome" in (out / "index.html").read_text("utf-8")
    automatic = (out / "dupont.json").read_bytes()
    assert automatic == (C20 / "goldens" / "cand05-report-erreur.json").read_bytes().replace(
        b'"cand05-report-erreur"', b'"dupont"'
    )
    # the candidate's file changes: regraded, the override still applies, and is flagged
    shutil.copy(C20 / "solution.xlsx", folder / "dupont.xlsx")
    again = run_batch(folder, rubric, out, options=BatchOptions(jobs=2))
    assert again.graded == ("dupont",)
    row = _rows(out)["dupont"]
    assert row["C20-Q14"] == "correct"
    assert (row["note"], row["note finale"]) == ("28", "27")
    assert row["dérogations à revoir"] == "C20-Q14"
    page = html.unescape((out / "dupont.html").read_text("utf-8"))
    assert "À revoir" in page and "« report d'erreur » (1 pt) à « juste »" in page
    assert "dérogation à revoir" in (out / "index.html").read_text("utf-8")
    assert overrides.read_bytes() == original  # the jury's file is never written
    # the jury edits the row (acknowledges): a new decision, no longer flagged
    _write(out / "overrides.csv", original.decode().replace("non admis", "non admis, relu"))
    run_batch(folder, rubric, out, options=BatchOptions(jobs=2))
    assert _rows(out)["dupont"]["dérogations à revoir"] == ""


@pytest.mark.parametrize("word", ["faux", "incorrect", "absent", "valeur saisie"])
def test_verdict_only_override_scores_with_the_rubric(c20_rubric: Rubric, word: str) -> None:
    report = load_report(C20 / "goldens" / "cand05-report-erreur.json")
    assert report is not None
    override = _override(verdict=VERDICT_WORDS[word])
    final = final_grade(report, c20_rubric, {"C20-Q14": override}, {})
    expected = {"faux": 0.0, "incorrect": 0.0, "absent": 0.0, "valeur saisie": 0.5}[word]
    assert final.final_score == pytest.approx(26 + expected)
