"""Collusion signals: identical files, identifying metadata, near-identical formula
fingerprints, shared wrong answers — evidence for the jury, listed in collusion.csv and on the
index page."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from autocorrect.jury.collusion import (
    MIN_SHARED_WRONG,
    SignalKind,
    identical_metadata,
    shared_wrong_answers,
    similar_formulas,
)
from autocorrect.jury.traits import DocMetadata, Traits, read_metadata, relative_r1c1
from autocorrect.report import CandidateReport, Code, ItemResult, QuestionResult, Status, Verdict
from autocorrect.rubric.load import load_rubric
from autocorrect.session.batch import BatchOptions, run_batch
from tests.batch_helpers import rubric_path, scratch
from tests.conftest import C20_FIXTURES


@pytest.mark.parametrize(
    ("formula", "row", "col", "expected"),
    [
        ("=B2*$C$1", 2, 4, "=R[0]C[-2]*R1C3"),
        ("=SUM('Annexe 1'!B5:B9)", 10, 3, "=SUM(annexe 1!R[-5]C[-1]:R[-1]C[-1])"),
        ("=SUM(A:A)+SUM($1:2)", 3, 3, "=SUM(C[-2]:C[-2])+SUM(R1:R[-1])"),
        ("=TVA*B$4", 5, 2, "=TVA*R4C[0]"),
        ("= AVERAGE( C6:C12 )", 14, 2, "=AVERAGE(R[-8]C[1]:R[-2]C[1])"),
    ],
)
def test_formulas_in_relative_r1c1(formula: str, row: int, col: int, expected: str) -> None:
    assert relative_r1c1(formula, row, col) == expected


def test_same_formula_copied_down_has_one_r1c1_form() -> None:
    assert relative_r1c1("=C4/D4", 4, 5) == relative_r1c1("=C9/D9", 9, 5)
    assert relative_r1c1("=C4/D4", 4, 5) != relative_r1c1("=C4/D5", 4, 5)


def _with_metadata(source: Path, target: Path, creator: str, modifier: str, created: str) -> None:
    """A copy of `source` whose docProps/core.xml names other people (zip level: the cached
    values and everything else stay as the spreadsheet application wrote them)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"<dc:creator>[^<]*</dc:creator>", f"<dc:creator>{creator}</dc:creator>", text
                )
                text = re.sub(
                    r"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>",
                    f"<cp:lastModifiedBy>{modifier}</cp:lastModifiedBy>",
                    text,
                )
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*", rf"\g<1>{created}", text)
                data = text.encode("utf-8")
            dst.writestr(info, data)


def test_metadata_is_read_from_doc_props(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    source = C20_FIXTURES / "submissions" / "cand04-erreurs-marges.xlsx"
    _with_metadata(source, target, "Paul", "Paul D.", "2026-05-01T10:00:00Z")
    meta = read_metadata(target)
    assert meta == DocMetadata("Paul", "Paul D.", "2026-05-01T10:00:00Z", meta.application)
    assert meta.application.startswith("LibreOffice")
    assert read_metadata(tmp_path / "absent.xlsx") == DocMetadata()


def test_metadata_inherited_from_the_subject_or_common_to_most_identifies_no_one() -> None:
    subject = DocMetadata("prof", "", "2026-01-01T00:00:00Z", "Excel")
    inherited = DocMetadata("prof", "", "2026-01-01T00:00:00Z", "LibreOffice")
    paul = DocMetadata("Paul", "Paul", "2026-05-01T10:00:00Z", "Excel")
    traits = {
        "a": Traits("1", inherited), "b": Traits("2", inherited),
        "c": Traits("3", paul), "d": Traits("4", paul), "e": Traits("5", DocMetadata()),
    }  # fmt: skip
    (signal,) = identical_metadata(traits, subject)
    assert signal.candidates == ("c", "d")
    assert "dernière modification par : Paul" in signal.evidence
    everyone = {n: Traits(str(i), paul) for i, n in enumerate("abcdef")}
    assert identical_metadata(everyone, subject) == []  # the same school computers


def test_formula_fingerprints_weigh_rare_formulas() -> None:
    common = [f"=R[0]C[-{i}]" for i in range(1, 30)]
    rare = [f"=SUM(R[-{i}]C[0]:R[-1]C[0])*{i}" for i in range(1, 15)]
    traits = {
        "a": Traits("1", formulas=tuple(common + rare)),
        "b": Traits("2", formulas=tuple(common + rare[:-1])),
        "c": Traits("3", formulas=tuple(common)),
        "d": Traits("4", formulas=tuple(common)),
        "e": Traits("5", formulas=tuple(common[:5])),  # too few formulas to say anything
    }
    (signal,) = similar_formulas(traits)
    assert signal.kind == SignalKind.SIMILAR_FORMULAS
    assert signal.candidates == ("a", "b") and signal.measure > 0.9
    assert any(e.startswith("ex. =SUM(") for e in signal.evidence)


def _report(
    name: str, found: dict[tuple[str, str], object], known: bool = False
) -> CandidateReport:
    questions = []
    for (qid, key), value in found.items():
        item = ItemResult(
            key, Verdict.INCORRECT, 1.0, value, "A1", None, "label", "Faux.",
            (Code.KNOWN_MISTAKE,) if known else (),
        )  # fmt: skip
        questions.append(QuestionResult(qid, qid, Verdict.INCORRECT, 0, 1, (item,), ("c",)))
    return CandidateReport(name, "r", Status.GRADED, questions=tuple(questions))


def test_identical_wrong_answers_but_not_known_typical_mistakes() -> None:
    wrong = {("Q1", "x"): 12.5, ("Q2", "y"): "Surqualité", ("Q3", "z"): 0.123456789}
    reports = [
        _report("a", wrong),
        _report("b", {**wrong, ("Q3", "z"): 0.1234567891}),  # same value at 9 digits
        _report("c", {("Q1", "x"): 12.5}),  # a single shared wrong answer: below the bar
        _report("d", wrong, known=True),  # the rubric's typical mistake: made independently
        _report("e", {}),
        _report("f", {}),
        _report("g", {}),
    ]
    (signal,) = shared_wrong_answers(reports)
    assert signal.candidates == ("a", "b") and signal.measure == 3 >= MIN_SHARED_WRONG
    assert "Q1[x] = 12,5" in signal.evidence and "Q2[y] = Surqualité" in signal.evidence


def test_batch_lists_the_signals_with_their_evidence() -> None:
    root = scratch("collusion")
    folder = root / "copies"
    folder.mkdir()
    submissions = C20_FIXTURES / "submissions"
    shutil.copy(submissions / "cand05-report-erreur.xlsx", folder / "alice.xlsx")
    shutil.copy(submissions / "cand05-report-erreur.xlsx", folder / "alice-bis.xlsx")
    paul = ("Paul", "Paul", "2026-05-01T10:00:00Z")
    _with_metadata(submissions / "cand04-erreurs-marges.xlsx", folder / "paul.xlsx", *paul)
    _with_metadata(submissions / "cand09-erreurs-ratios.xlsx", folder / "pierre.xlsx", *paul)
    _with_metadata(
        submissions / "cand04-erreurs-marges.xlsx", folder / "quentin.xlsx",
        "Quentin", "Quentin", "2026-05-02T09:00:00Z",
    )  # fmt: skip
    shutil.copy(submissions / "cand11-convention-365.xlsx", folder / "zoe.xlsx")
    out = root / "out"
    summary = run_batch(folder, load_rubric(rubric_path("c20")), out, options=BatchOptions(2))
    found = {(str(s.kind), s.candidates) for s in summary.signals}
    assert found == {
        ("fichiers-identiques", ("alice", "alice-bis")),
        ("metadonnees-identiques", ("paul", "pierre")),
        ("formules-quasi-identiques", ("paul", "quentin")),
        ("erreurs-identiques", ("paul", "quentin")),
    }
    rows = list(csv.DictReader(io.StringIO((out / "collusion.csv").read_text("utf-8"))))
    assert [r["signal"] for r in rows] == [
        "fichiers-identiques", "metadonnees-identiques", "formules-quasi-identiques",
        "erreurs-identiques",
    ]  # fmt: skip
    wrong = rows[-1]
    assert wrong["mesure"] == "5" and "C20-Q05[P1] = 1,44" in wrong["preuves"]
    assert "auteur : Paul" in rows[1]["preuves"]
    index = (out / "index.html").read_text("utf-8")
    assert "Signaux de collusion" in index and "réponses fausses identiques" in index
    assert "C20-Q05[P1] = 1,44" in index and "jamais une sanction" in index
    gradebook = {
        r["candidat"]: r
        for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text("utf-8")))
    }
    assert gradebook["zoe"]["signaux"] == ""
    assert "formules quasi identiques" in gradebook["quentin"]["signaux"]
    assert "Signal de collusion" in (out / "quentin.html").read_text("utf-8")
