"""`batch --annotate`: a commented copy of each workbook in the output folder, the original
untouched; and the saved JSON read back exactly (what resuming a batch relies on)."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from autocorrect.cli.main import main
from autocorrect.render.json import render_json
from autocorrect.rubric.load import load_rubric
from autocorrect.session.store import load_report, load_state
from tests.batch_helpers import rubric_path
from tests.conftest import ROOT

C20 = ROOT / "fixtures" / "c20-bureau-plus"
GOLDENS = sorted(ROOT.glob("fixtures/*/goldens/*.json"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _batch(folder: Path, out: Path, *extra: str) -> int:
    return main(["batch", str(folder), "--rubric", str(rubric_path("c20")), "--out", str(out),
                 "--jobs", "2", *extra])  # fmt: skip


def test_annotated_copies_comment_each_graded_cell(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    shutil.copy(C20 / "submissions" / "cand05-report-erreur.xlsx", folder / "dupont.xlsx")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    before = sha256(folder / "dupont.xlsx")
    assert _batch(folder, tmp_path / "out", "--annotate") == 0
    assert sha256(folder / "dupont.xlsx") == before  # the original is only read
    annotated = tmp_path / "out" / "annotees" / "dupont.xlsx"
    assert not (tmp_path / "out" / "annotees" / "photo.xlsx").exists()
    book = openpyxl.load_workbook(annotated)
    sheet = book["Calculs"]
    comment = sheet["B19"].comment
    assert comment is not None and comment.author == "autocorrect"
    assert comment.text.startswith("C20-Q14[SR] : report d'erreur. Attendu 291\u202f484,41")
    assert "Faux uniquement parce que C20-Q12[taux de MCV] est faux" in comment.text
    wrong = sheet["B14"].comment
    assert wrong is not None and "C20-Q11[CV] : faux" in wrong.text
    assert wrong.text.casefold().count("attendu") == 1  # written once
    assert sheet["B19"].fill.fgColor.rgb.endswith("C6EFCE")  # report d'erreur: green
    assert sheet["B14"].fill.fgColor.rgb.endswith("FFC7CE")  # faux: red
    summary = book.worksheets[0]
    assert summary.title == "Correction" and book.active.title == "Correction"
    assert summary["B2"].value == 27 and summary["B3"].value == 19.5  # 27 / 28, out of 20
    listed = [r[0] for r in summary.iter_rows(values_only=True) if str(r[0]).startswith("C20-Q")]
    assert listed == [q.id for q in load_rubric(rubric_path("c20")).questions]
    with zipfile.ZipFile(annotated) as archive:
        vml = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".vml"))
    anchors = re.findall(rb"<\w+:Anchor>([^<]*)</\w+:Anchor>", vml)
    assert len(anchors) == len(re.findall(rb"<\w+:ClientData", vml))
    assert len(set(anchors)) > 10  # each box next to its own cell
    assert sheet["B19"].value == "=B17/B16"  # formulas kept
    report = load_report(tmp_path / "out" / "dupont.json")
    assert report is not None
    located = {i.cell for q in report.questions for i in q.items if i.cell and "!" in i.cell}
    workbook = openpyxl.load_workbook(annotated)
    commented = {
        f"{ws.title}!{c.coordinate}" for ws in workbook for row in ws.iter_rows() for c in row
        if c.comment is not None
    }  # fmt: skip
    assert located <= commented
    again = tmp_path / "again"
    assert _batch(folder, again, "--annotate") == 0
    assert (again / "annotees" / "dupont.xlsx").read_bytes() == annotated.read_bytes()


def test_annotated_copy_follows_the_jurys_decisions(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    shutil.copy(C20 / "submissions" / "cand05-report-erreur.xlsx", folder / "dupont.xlsx")
    out = tmp_path / "out"
    assert _batch(folder, out, "--annotate") == 0
    annotated = out / "annotees" / "dupont.xlsx"
    automatic = annotated.read_bytes()
    (out / "overrides.csv").write_text(
        "candidat;question;points;verdict;motif;auteur\n"
        "dupont;C20-Q14;0;;report d'erreur non admis;Mme Martin\n",
        "utf-8",
    )
    assert _batch(folder, out, "--annotate") == 0
    book = openpyxl.load_workbook(annotated)
    cell = book["Calculs"]["B19"]
    assert cell.comment is not None
    assert "Décision du jury : 0 / 1 pt (report d'erreur non admis — Mme Martin)" in (
        cell.comment.text
    )
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # no points left: red
    summary = book["Correction"]
    assert summary["A4"].value == "Note finale" and summary["B4"].value == 26
    row = next(r for r in summary.iter_rows(values_only=True) if r[0] == "C20-Q14")
    assert row[2] == "décision du jury" and row[3] == 0
    (out / "overrides.csv").write_text("candidat;question;points;verdict;motif;auteur\n", "utf-8")
    assert _batch(folder, out, "--annotate") == 0
    assert annotated.read_bytes() == automatic  # decision withdrawn: back to the automatic copy


def test_asking_for_annotations_later_regrades_only_to_annotate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    shutil.copy(C20 / "submissions" / "cand07-incomplet.xlsx", folder)
    out = tmp_path / "out"
    assert _batch(folder, out) == 0
    assert not (out / "annotees").exists()
    state = load_state(out, "cand07-incomplet")
    assert state is not None and not state.annotated
    capsys.readouterr()
    assert _batch(folder, out, "--annotate") == 0
    assert "corrigées maintenant : 1" in capsys.readouterr().out
    assert (out / "annotees" / "cand07-incomplet.xlsx").is_file()
    assert _batch(folder, out, "--annotate") == 0
    assert "corrigées maintenant : 0, inchangées : 1" in capsys.readouterr().out


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_saved_reports_read_back_byte_for_byte(golden: Path) -> None:
    report = load_report(golden)
    assert report is not None
    assert render_json(report) == golden.read_text("utf-8")


def test_unreadable_saved_report_means_regrade(tmp_path: Path) -> None:
    broken = tmp_path / "x.json"
    broken.write_text("{pas du json", encoding="utf-8")
    assert load_report(broken) is None
    assert load_report(tmp_path / "absent.json") is None
