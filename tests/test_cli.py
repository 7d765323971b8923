"""The command line is thin: same JSON as the library, documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autocorrect.api import grade
from autocorrect.cli.main import EXIT_UNREADABLE, EXIT_USAGE, main
from autocorrect.render.json import render_json
from tests.batch_helpers import read_french_csv
from tests.builders import candidate, product_table
from tests.conftest import C20_RUBRIC


def test_cli_json_equals_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = candidate(tmp_path, "dupont", {"Calculs": product_table()})
    assert main(["grade", str(path), "--rubric", str(C20_RUBRIC), "--format", "json"]) == 0
    printed = capsys.readouterr().out
    assert printed == render_json(grade(path, C20_RUBRIC))
    assert json.loads(printed)["candidate"] == "dupont"


def test_text_report_is_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = candidate(tmp_path, "martin", {"Calculs": product_table()})
    main(["grade", str(path), "--rubric", str(C20_RUBRIC)])
    out = capsys.readouterr().out
    assert "Statut : corrigée" in out
    assert "C20-Q01 Prix de vente TTC — juste" in out
    assert "Calculs!B2 (tableau)" in out


def test_text_report_starts_with_a_summary_and_shows_french_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = candidate(tmp_path, "martin", {"Calculs": product_table()})
    main(["grade", str(path), "--rubric", str(C20_RUBRIC)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("Note sur 20 : ")
    summary = lines[: lines.index("Détail :")]
    assert len(summary) < 10 and any(line.startswith("Questions non justes (") for line in summary)
    assert "C20-Q14 (absent)" in " ".join(summary)  # the table answers Q01-Q06 only
    assert any("=SOMME(" in line for line in lines) and not any("=SUM(" in line for line in lines)
    assert any("\u202f€" in line for line in lines)  # amounts in euros
    assert any("\u202f%" in line for line in lines if "C20-Q03" in line or "· P1" in line)


@pytest.mark.parametrize("argv", [["--help"], ["batch", "--help"], ["rubric", "check", "--help"]])
def test_help_is_in_french(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : ") and "afficher cette aide et quitter" in out
    for english in ("usage:", "show this help", "positional arguments", "show program"):
        assert english not in out


def test_usage_errors_are_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["grade"])
    assert stop.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "erreur : arguments obligatoires manquants : COPIE, --rubric" in err
    assert "required" not in err


def test_unreadable_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vide.xlsx"
    path.write_bytes(b"")
    assert main(["grade", str(path), "--rubric", str(C20_RUBRIC)]) == EXIT_UNREADABLE
    assert "illisible" in capsys.readouterr().out


def test_invalid_rubric_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    path = candidate(tmp_path, "x", {})
    assert main(["grade", str(path), "--rubric", str(bad)]) == EXIT_USAGE
    assert "Barème invalide" in capsys.readouterr().err


def test_batch_writes_reports_and_gradebook(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    candidate(folder, "dupont", {"Calculs": product_table()})
    (folder / "dupont.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (folder / "~$dupont.xlsx").write_bytes(b"lock")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--rubric", str(C20_RUBRIC), "--out", str(out)]) == 0
    reports = sorted(p.name for p in out.glob("*.json") if p.name != "run.json")  # run metadata
    assert reports == [
        "dupont_xls.json", "dupont_xlsx.json", "photo.json",
    ]  # fmt: skip
    rows = read_french_csv(out / "gradebook.csv")
    statuses = {r["candidat"]: r["statut"] for r in rows}
    assert statuses == {"dupont_xlsx": "graded", "dupont_xls": "unreadable", "photo": "unreadable"}
    graded = next(r for r in rows if r["candidat"] == "dupont_xlsx")
    assert graded["C20-Q01"] == "correct"
    assert graded["C20-Q14"] == "missing"


def test_console_script_runs(tmp_path: Path) -> None:
    path = candidate(tmp_path, "script", {})
    exe = Path(sys.executable).with_name("autocorrect")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    done = subprocess.run(
        [str(exe), "grade", str(path), "--rubric", str(C20_RUBRIC), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "graded"
