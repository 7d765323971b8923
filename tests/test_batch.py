"""Batch correction: every output, parallel workers, deterministic bytes, resumable runs."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from autocorrect.cli.main import EXIT_INTERRUPTED, main
from autocorrect.render.progress import duration, progress_bar, progress_line
from autocorrect.rubric.load import load_rubric
from autocorrect.session.batch import BatchOptions, Progress, report_names, run_batch
from autocorrect.session.isolation import RunLimits
from autocorrect.session.store import load_state, saved_names
from tests.batch_helpers import (
    BROKEN,
    SKIPPED,
    case_batch,
    fill_folder,
    heavy_workbook,
    output_files,
    read_french_csv,
    rubric_path,
    scratch,
    submissions,
)
from tests.conftest import ROOT

SUMMARY_FILES = (
    "gradebook.csv", "gradebook.xlsx", "index.html", "unreadable.csv", "collusion.csv",
    "run.json",
)  # fmt: skip


@pytest.mark.parametrize("case", ["c20", "c16", "c21"])
def test_every_output_is_written(case: str) -> None:
    batch = case_batch(case)
    for name in SUMMARY_FILES:
        assert (batch.out / name).is_file(), name
    goldens = ROOT / "fixtures" / batch.rubric.subject.parent.name / "goldens"
    for path in submissions(case):
        report = batch.out / f"{path.stem}.json"
        assert report.read_bytes() == (goldens / f"{path.stem}.json").read_bytes()
        assert (batch.out / f"{path.stem}.html").is_file()
    statuses = {r.candidate: str(r.status) for r in batch.summary.reports}
    assert statuses["vide"] == statuses["ancien"] == statuses["scan"] == "unreadable"
    assert statuses["abime"] == "unreadable"
    assert sorted(p.name for p in batch.summary.skipped) == sorted(SKIPPED)


def test_unreadable_list_says_why_in_french() -> None:
    batch = case_batch("c20")
    rows = list(csv.DictReader(io.StringIO((batch.out / "unreadable.csv").read_text("utf-8"))))
    by_file = {r["fichier"]: r for r in rows}
    assert set(by_file) == {*BROKEN, "abime.xlsx", *SKIPPED}
    assert "vide" in by_file["vide.xlsx"]["motif"]
    assert ".xls" in by_file["ancien.xls"]["motif"] or "Excel 97" in by_file["ancien.xls"]["motif"]
    assert "PDF" in by_file["scan.pdf"]["motif"]
    assert by_file["~$cand01.xlsx"]["statut"] == "ignored"
    assert all(r["motif"] for r in rows)


def test_gradebook_keeps_todays_columns_and_adds_final_scores() -> None:
    batch = case_batch("c20")
    rows_read = read_french_csv(batch.out / "gradebook.csv")
    header = list(rows_read[0])
    todays = ["candidat", "statut", "note", "max", "C20-calculs (proposition)",
              *(q.id for q in batch.rubric.questions), "message"]  # fmt: skip
    assert [c for c in header if c in todays] == todays  # all kept, in the same order
    assert header.index("note finale") == header.index("note") + 1  # side by side
    for added in ("fichier", "à vérifier", "dérogations", "dérogations à revoir", "signaux"):
        assert added in header
    rows = {r["candidat"]: r for r in rows_read}
    mine = rows["cand05-report-erreur"]
    assert mine["note"] == "27"
    assert mine["note finale"] == "27"  # no override in this batch
    assert mine["C20-Q14"] == "consequential" and mine["C20-Q14 (décision)"] == "report d'erreur"
    points = [float(mine[f"{q.id} (points)"].replace(",", ".")) for q in batch.rubric.questions]
    assert sum(points) == pytest.approx(27)  # per-question points add up to the mark
    assert mine["note sur 20"] == "19,5"  # 27 / 28 × 20 = 19,29, to the nearest half point
    vide = rows["vide"]
    assert vide["statut"] == "unreadable" and vide["statut (libellé)"] == "illisible"
    assert vide["note"] == vide["note finale"] == vide["note sur 20"] == ""  # never 0 / 0
    assert vide["max"] == "28"
    partial = rows["cand09-erreurs-ratios"]["C20-Q23 (points)"]
    assert "," in partial and "." not in partial  # decimal comma
    assert list(rows) == sorted(rows)


def test_gradebook_xlsx_is_ready_to_sort_and_filter() -> None:
    batch = case_batch("c20")
    workbook = openpyxl.load_workbook(batch.out / "gradebook.xlsx")
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{sheet.max_row}"
    percent = header.index("% final") + 1
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "cand05-report-erreur")
    assert row[percent - 1].value == pytest.approx(27 / 28)
    assert row[percent - 1].number_format == "0.0%"
    assert row[header.index("note")].value == 27  # a number, not text
    assert row[header.index("note finale")].data_type == "n"
    assert row[header.index("note sur 20")].value == 19.5
    points = [row[header.index(f"{q.id} (points)")].value for q in batch.rubric.questions]
    assert all(isinstance(p, int | float) for p in points) and sum(points) == pytest.approx(27)
    assert row[header.index("C20-Q14 (décision)")].value == "report d'erreur"
    vide = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "vide")
    assert vide[header.index("note")].value is None  # empty, never 0
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    rules = [r.type for cf in sheet.conditional_formatting for r in cf.rules]
    assert rules.count("colorScale") == 2  # % final and note finale
    assert "cellIs" in rules  # verdict colours
    compared = {f for cf in sheet.conditional_formatting for r in cf.rules for f in r.formula}
    assert {'"correct"', '"juste"', '"faux"'} <= compared  # codes and French words coloured


def test_results_carry_no_timestamp_and_run_json_has_the_metadata() -> None:
    batch = case_batch("c21")
    stamp = re.compile(rb"20\d\d-\d\d-\d\dT\d\d:\d\d")
    for name, data in output_files(batch.out).items():
        if name.endswith((".json", ".html", ".csv")):
            assert not stamp.search(data), name
    run = json.loads((batch.out / "run.json").read_text("utf-8"))
    assert run["rubric"] == "c21-terroirs"
    assert len(run["rubric_hash"]) == 64
    assert run["packages"]["openpyxl"] and run["autocorrect"]
    assert run["graded_this_run"] == len(batch.summary.reports)
    assert all(v >= 0 for v in run["durations_s"].values())
    assert len(run["durations_s"]) == len(batch.summary.reports)


def test_same_inputs_give_byte_identical_outputs_sequential_or_parallel() -> None:
    batch = case_batch("c20")
    again = scratch("again") / "out"
    options = BatchOptions(jobs=1, limits=RunLimits(timeout_s=120))
    run_batch(batch.folder, batch.rubric, again, options=options)
    first, second = output_files(batch.out), output_files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_rerun_skips_unchanged_candidates_and_rewrites_nothing() -> None:
    root = scratch("rerun")
    folder = fill_folder(root / "copies", "c21", broken=True, limit=3)
    rubric = load_rubric(rubric_path("c21"))
    first = run_batch(folder, rubric, root / "out", options=BatchOptions(jobs=2))
    assert len(first.graded) == 7 and first.reused == ()  # 3 fixtures, 3 broken, 1 damaged
    files = [p for p in (root / "out").rglob("*") if p.is_file()]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    before.pop(root / "out" / "run.json")
    before.pop(root / "out" / ".autocorrect" / "lock")  # written by each run that holds it
    events: list[Progress] = []
    second = run_batch(folder, rubric, root / "out", events.append, BatchOptions(jobs=2))
    assert second.graded == ()
    assert sorted(second.reused) == sorted(first.graded)
    assert len(events) == 1 and events[0].reused == events[0].done == events[0].total == 7
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in before}
    assert after == before


def test_changed_file_alone_is_regraded_and_removed_file_is_forgotten() -> None:
    root = scratch("changed")
    folder = fill_folder(root / "copies", "c20", broken=False, limit=3)
    rubric = load_rubric(rubric_path("c20"))
    run_batch(folder, rubric, root / "out", options=BatchOptions(jobs=2))
    first, second, third = submissions("c20")[:3]
    shutil.copy(submissions("c20")[5], folder / second.name)  # the candidate sent a new file
    (folder / third.name).unlink()
    summary = run_batch(folder, rubric, root / "out", options=BatchOptions(jobs=2))
    assert summary.graded == (second.stem,)
    assert summary.reused == (first.stem,)
    assert not (root / "out" / f"{third.stem}.json").exists()
    assert not (root / "out" / f"{third.stem}.html").exists()
    assert saved_names(root / "out") == sorted([first.stem, second.stem])
    gradebook = (root / "out" / "gradebook.csv").read_text("utf-8")
    assert third.stem not in gradebook


def test_changed_rubric_regrades_everything(tmp_path: Path) -> None:
    (tmp_path / "rubrics").mkdir()
    subject_dir = tmp_path / "fixtures" / "c20-bureau-plus"
    subject_dir.mkdir(parents=True)
    shutil.copy(ROOT / "fixtures" / "c20-bureau-plus" / "sujet.xlsx", subject_dir)
    copy = tmp_path / "rubrics" / "c20.yaml"
    copy.write_text(rubric_path("c20").read_text("utf-8"), encoding="utf-8")
    folder = fill_folder(tmp_path / "copies", "c20", broken=False, limit=2)
    run_batch(folder, load_rubric(copy), tmp_path / "out", options=BatchOptions(jobs=2))
    copy.write_text(copy.read_text("utf-8") + "\n# barème relu\n", encoding="utf-8")
    summary = run_batch(folder, load_rubric(copy), tmp_path / "out", options=BatchOptions(jobs=2))
    assert len(summary.graded) == 2 and summary.reused == ()


def test_interrupted_batch_keeps_what_was_graded_and_resumes() -> None:
    root = scratch("interrupt")
    folder = fill_folder(root / "copies", "c16", broken=False, limit=6)
    rubric = load_rubric(rubric_path("c16"))
    seen: list[str] = []

    def stop_after_three(event: Progress) -> None:
        if event.report is not None:
            seen.append(event.report.candidate)
            if len(seen) == 3:
                raise KeyboardInterrupt

    options = BatchOptions(jobs=2)
    summary = run_batch(folder, rubric, root / "out", stop_after_three, options)
    assert summary.interrupted
    assert sorted(summary.graded) == sorted(seen)
    assert len(summary.pending) == 3
    assert all(load_state(root / "out", name) is not None for name in seen)
    assert "lot interrompu" in (root / "out" / "index.html").read_text("utf-8")
    resumed = run_batch(folder, rubric, root / "out", options=options)
    assert sorted(resumed.reused) == sorted(seen)
    assert len(resumed.graded) == 3 and not resumed.interrupted
    complete = scratch("complete") / "out"
    run_batch(folder, rubric, complete, options=options)
    assert output_files(root / "out") == output_files(complete)


def test_ctrl_c_on_the_command_line_loses_nothing(tmp_path: Path) -> None:
    folder = fill_folder(tmp_path / "copies", "c20", broken=False)
    out = tmp_path / "out"
    exe = Path(sys.executable).with_name("autocorrect")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    command = [str(exe), "batch", str(folder), "--rubric", str(rubric_path("c20")),
               "--out", str(out), "--jobs", "1"]  # fmt: skip
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while len(saved_names(out)) < 2 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole group
    stdout, _ = child.communicate(timeout=60)
    assert child.returncode == EXIT_INTERRUPTED, stdout
    assert "Interrompu" in stdout
    kept = saved_names(out)
    assert 2 <= len(kept) < len(submissions("c20"))
    assert main(["batch", str(folder), "--rubric", str(rubric_path("c20")), "--out", str(out)]) == 0
    assert len(saved_names(out)) == len(submissions("c20"))
    states = [load_state(out, n) for n in kept]
    assert all(s is not None and s.file_hash for s in states)


def test_a_hang_and_a_memory_blow_up_are_errors_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = fill_folder(tmp_path / "copies", "c20", broken=False, limit=2)
    heavy_workbook(folder)
    rubric = load_rubric(rubric_path("c20"))
    memory = run_batch(
        folder, rubric, tmp_path / "m", options=BatchOptions(2, RunLimits(120, memory_mb=450))
    )
    statuses = {r.candidate: r for r in memory.reports}
    assert str(statuses["gros"].status) == "error"
    assert "mémoire" in statuses["gros"].message
    assert sum(str(r.status) == "graded" for r in memory.reports) == 2
    slow = run_batch(
        folder, rubric, tmp_path / "t", options=BatchOptions(2, RunLimits(timeout_s=4))
    )
    statuses = {r.candidate: r for r in slow.reports}
    assert str(statuses["gros"].status) == "error"
    assert "délai de 4 s" in statuses["gros"].message
    assert sum(str(r.status) == "graded" for r in slow.reports) == 2


def test_report_names_fit_the_file_system_and_avoid_windows_devices() -> None:
    paths = [Path("x" * 250 + ".xls"), Path("é" * 125 + ".xlsx"), Path("nul.xlsx"),
             Path("COM1.xlsx"), Path("Lpt9.xlsm")]  # fmt: skip
    names = report_names(paths)
    assert all(len(f".{n}.json.XXXXXXXX.tmp".encode()) <= 255 for n in names.values())
    assert names[Path("nul.xlsx")] == "nul_copie" and names[Path("COM1.xlsx")] == "COM1_copie"
    assert len(set(names.values())) == len(paths)


def test_report_names_never_overwrite_summary_files() -> None:
    paths = [Path("index.xlsx"), Path("Run.xlsx"), Path("dupont.xlsx"), Path(".x.xlsx")]
    names = report_names(paths)
    assert names[Path("index.xlsx")] == "index_copie"
    assert names[Path("Run.xlsx")] == "Run_copie"
    assert names[Path("dupont.xlsx")] == "dupont"
    assert not names[Path(".x.xlsx")].startswith(".")


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    report = case_batch("c20").summary.reports[0]
    event = Progress(done=45, total=300, reused=0, failures=2, elapsed=15.0, report=report)
    bar = progress_bar(event)
    assert "45/300" in bar and "3 copies/s" in bar and "reste 1 min 25 s" in bar
    assert "échecs 2" in bar and "█" in bar
    line = progress_line(event)
    assert line is not None and line.startswith(f"[45/300] {report.candidate} : ")
    assert progress_line(Progress(5, 9, 5, 0, 0.1, None)) is not None
    assert progress_line(Progress(0, 9, 0, 0, 0.1, None)) is None
    assert duration(3725) == "1 h 02 min"
    for columns in (120, 80, 50, 30, 12):  # the bar fits the terminal, whatever its width
        narrow = progress_bar(event, columns)
        assert len(narrow) <= columns - 1 and "45/300" in narrow
    assert "█" in progress_bar(event, 50) and "reste" not in progress_bar(event, 30)


@pytest.mark.parametrize("option", [["--jobs", "0"], ["--timeout", "-1"], ["--memory", "beaucoup"]])
def test_bad_batch_options_are_usage_errors(
    option: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["batch", str(tmp_path), "--rubric", str(rubric_path("c20")), "--out",
              str(tmp_path / "out"), *option])  # fmt: skip
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "doit être" in error or "attendu" in error
