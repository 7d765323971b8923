"""A batch never loses a report or a jury decision, never stops on one entry of the folder, and
refuses an output folder it could damage: hostile folders, names, outputs and interruptions.

The hostile entries and names are made by `tests/hostile.py`; cases that need a user who may
not read a file run in a forked child that drops to `nobody` when the tests run as root (root
reads everything)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from autocorrect.api import grade_submission
from autocorrect.cli.main import EXIT_ERROR, EXIT_USAGE, main
from autocorrect.reference.case import load_case
from autocorrect.render.gradebook import FORMULA_STARTS, inert
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.batch import BatchOptions, run_batch
from autocorrect.session.folder import identity, submissions
from autocorrect.session.isolation import RunLimits
from autocorrect.session.names import shown_name
from autocorrect.session.outdir import OutputError, claim
from tests.batch_helpers import output_files, scratch
from tests.conftest import C20_RUBRIC
from tests.hostile import (
    CONTROL_NAME,
    FORMULA_NAME,
    NOT_UTF8_NAME,
    SUBMISSION,
    odd_entries,
    odd_names,
)

CLI = Path(sys.executable).with_name("autocorrect")
OPTIONS = BatchOptions(jobs=1, limits=RunLimits(timeout_s=120))
NOBODY = 65534


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(C20_RUBRIC)


def one_copy(folder: Path, name: str = "cand05.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SUBMISSION, folder / name)
    return folder


def csv_rows(path: Path) -> list[list[str]]:
    """Rows of an output CSV, whatever its conventions: the gradebook is written for French
    Excel (`;`, byte order mark), the other lists with `,`."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


# --- every entry of the folder --------------------------------------------------------------


def test_every_directory_entry_is_listed_and_links_are_never_followed(
    tmp_path: Path, rubric: Rubric
) -> None:
    folder = one_copy(tmp_path / "copies")
    outside = shutil.copy(SUBMISSION, tmp_path / "ailleurs.xlsx")
    made = odd_entries(folder, Path(outside), SUBMISSION.read_bytes())
    device = _char_device(folder / "peripherique.xlsx")
    started = time.monotonic()
    summary = run_batch(folder, rubric, tmp_path / "out", options=OPTIONS)
    assert time.monotonic() - started < 60  # the pipe never blocked the batch
    assert [r.candidate for r in summary.reports] == ["cand05"]  # no link followed, no folder
    reasons = {i.name: i.reason for i in summary.skipped}
    for kind in ("dangling", "loop", "outside", "device-link"):
        assert reasons[made[kind]].startswith("lien ignoré"), kind
    assert reasons[made["folder"]].startswith("dossier ignoré")
    assert reasons[made["fifo"]].startswith("tube nommé")
    if device is not None:
        assert reasons[device].startswith("périphérique ignoré")
    listed = {row[0]: row[3] for row in csv_rows(tmp_path / "out" / "unreadable.csv")[1:]}
    assert listed == reasons  # every entry has its line, with its reason
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in reasons)


def _char_device(path: Path) -> str | None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        return None  # only root may make a device: the case is then tested as a link
    return path.name


def test_any_bytes_in_file_names(tmp_path: Path, rubric: Rubric) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    names = odd_names(folder, SUBMISSION.read_bytes())
    out = tmp_path / "out"
    summary = run_batch(folder, rubric, out, options=OPTIONS)
    assert sorted(str(r.status) for r in summary.reports) == ["graded"] * 3
    reports = {r.candidate for r in summary.reports}
    assert "copie_élève" in reports  # cp1252 bytes read as such: a stable, readable name
    assert all(name.isprintable() and not name.startswith("=") for name in reports)
    rows = csv_rows(out / "gradebook.csv")
    column = rows[0].index("fichier")
    shown = {row[column] for row in rows[1:]}
    assert "copie_\\xe9l\\xe8ve.xlsx" in shown and "cloche\\x07.xlsx" in shown
    assert "'" + FORMULA_NAME in shown  # inert in the CSV
    again = run_batch(folder, rubric, out, options=OPTIONS)  # the saved state reads back
    assert sorted(again.reused) == sorted(reports) and not again.graded
    assert shown_name(os.fsdecode(NOT_UTF8_NAME)) == "copie_\\xe9l\\xe8ve.xlsx"
    assert shown_name(CONTROL_NAME) == "cloche\\x07.xlsx"
    assert names  # made by the generator


def test_no_output_cell_can_be_read_as_a_formula(tmp_path: Path, rubric: Rubric) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    odd_names(folder, SUBMISSION.read_bytes())
    (folder / "@SOMME(A1).pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 100)  # unreadable.csv too
    out = tmp_path / "out"
    run_batch(folder, rubric, out, options=OPTIONS)
    for name in ("gradebook.csv", "unreadable.csv", "collusion.csv"):
        for row in csv_rows(out / name):
            assert not [c for c in row if c.startswith(FORMULA_STARTS) and c != inert(c)], name
            assert all(inert(c) == c for c in row), name
    sheet = openpyxl.load_workbook(out / "gradebook.xlsx").active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula at all
    assert FORMULA_NAME in [c.value for c in cells]  # written as a plain string


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-x", "'-x"),
        ("@SOMME(A1)", "'@SOMME(A1)"),
        ("\tcache", "'\tcache"),
        ("\rcache", "'\rcache"),
        ("-12.5", "-12.5"),  # a number stays a number
        ("+3", "+3"),
        ("dupont", "dupont"),
        ("", ""),
    ],
)
def test_formula_like_texts_get_an_apostrophe(text: str, expected: str) -> None:
    assert inert(text) == expected


# --- the output folder ----------------------------------------------------------------------


def test_out_equal_to_or_inside_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = one_copy(tmp_path / "copies")
    before = sorted(folder.rglob("*"))
    for out in (folder, folder / "sortie", folder / "." / "sortie" / ".."):
        code = main(["batch", str(folder), "--rubric", str(C20_RUBRIC), "--out", str(out)])
        assert code == EXIT_USAGE
        message = capsys.readouterr().err
        assert "dossier des copies" in message and "Traceback" not in message
    assert sorted(folder.rglob("*")) == before  # nothing written, nothing graded


def test_out_of_another_folder_is_refused_and_keeps_its_reports(
    tmp_path: Path, rubric: Rubric
) -> None:
    out = tmp_path / "out"
    run_batch(one_copy(tmp_path / "a"), rubric, out, options=OPTIONS)
    before = output_files(out)
    with pytest.raises(OutputError) as refused:
        run_batch(one_copy(tmp_path / "b", "autre.xlsx"), rubric, out, options=OPTIONS)
    assert str(tmp_path / "a") in str(refused.value) and "--out" in str(refused.value)
    assert output_files(out) == before  # not one report removed


def test_a_second_batch_is_refused_while_the_first_holds_the_folder(
    tmp_path: Path, rubric: Rubric
) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"
    with claim(out, folder):
        with pytest.raises(OutputError) as refused:
            run_batch(folder, rubric, out, options=OPTIONS)
        assert f"processus {os.getpid()}" in str(refused.value)
    assert run_batch(folder, rubric, out, options=OPTIONS).graded == ("cand05",)


def test_a_stale_lock_is_retaken_and_said(tmp_path: Path, rubric: Rubric) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"
    (out / ".autocorrect").mkdir(parents=True)
    (out / ".autocorrect" / "lock").write_text("4194301\n")  # a batch killed while holding it
    summary = run_batch(folder, rubric, out, options=OPTIONS)
    assert summary.graded == ("cand05",)
    assert any("4194301" in n for n in summary.notices)
    assert (out / ".autocorrect" / "lock").read_text() == ""  # released at the end


def test_temporary_leftovers_are_removed_at_start(tmp_path: Path, rubric: Rubric) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"
    run_batch(folder, rubric, out, options=OPTIONS)
    leftovers = [
        out / ".gradebook.csv.k3j2h1.tmp",
        out / ".autocorrect" / "candidates" / ".cand05.json.a1b2c3.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half")
    run_batch(folder, rubric, out, options=OPTIONS)
    assert not [p for p in leftovers if p.exists()]


def test_out_naming_a_file_is_one_french_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = one_copy(tmp_path / "copies")
    (tmp_path / "sortie").write_text("pas un dossier")
    code = main(
        ["batch", str(folder), "--rubric", str(C20_RUBRIC), "--out", str(tmp_path / "sortie")]
    )
    assert code == EXIT_USAGE
    message = capsys.readouterr().err.strip()
    assert "n'est pas un dossier" in message and message.count("\n") == 0
    assert (tmp_path / "sortie").read_text() == "pas un dossier"


def test_read_only_out_is_one_french_sentence(tmp_path: Path, rubric: Rubric) -> None:
    shared = _shared_dir()
    folder = shared / "copies"
    folder.mkdir()  # empty: the check is on the output side, no worker needed
    out = shared / "sortie"
    out.mkdir(mode=0o555)
    out.chmod(0o555)

    def attempt() -> str:
        try:
            run_batch(folder, rubric, out, options=OPTIONS)
        except OutputError as exc:
            return str(exc)
        return "accepted"

    message = in_child(attempt, as_user=True)
    assert message.startswith("Écriture impossible dans") and "--out" in message
    assert list(out.iterdir()) == []


def test_a_full_disk_stops_the_batch_with_one_sentence_and_nothing_half_written(
    tmp_path: Path, rubric: Rubric
) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"

    def full_disk() -> None:  # in the child: any write past 4 KB fails (EFBIG), as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [str(CLI), "batch", str(folder), "--rubric", str(C20_RUBRIC), "--out", str(out),
         "--jobs", "1"],
        capture_output=True, text=True, preexec_fn=full_disk, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_USAGE
    message = done.stderr.strip()
    assert message.startswith("Le disque de") and "relancer la même commande" in message
    assert "Traceback" not in message and message.count("\n") == 0
    assert not list(out.rglob("*.tmp"))
    assert not (out / "cand05.json").exists()  # whole or absent, never half
    summary = run_batch(folder, rubric, out, options=OPTIONS)  # room again: the rerun ends it
    assert summary.graded == ("cand05",)


def test_outputs_follow_the_umask(tmp_path: Path, rubric: Rubric) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"

    def graded_under_umask_027() -> str:
        os.umask(0o027)
        import importlib  # noqa: PLC0415 -- the mode is read from the umask at import

        from autocorrect.session import store  # noqa: PLC0415

        importlib.reload(store)
        return "ok" if store.FILE_MODE == 0o640 else oct(store.FILE_MODE)

    assert in_child(graded_under_umask_027) == "ok"
    run_batch(folder, rubric, out, options=OPTIONS)
    umask = os.umask(0)
    os.umask(umask)
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.name == "lock":
            continue
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert mode == expected, (path, oct(mode))


# --- files the batch may not read ----------------------------------------------------------


def test_a_file_nobody_may_read_is_unreadable_with_the_reason(
    tmp_path: Path, rubric: Rubric
) -> None:
    shared = _shared_dir()
    folder = one_copy(shared / "copies")
    secret = folder / "secret.xlsx"
    shutil.copy(SUBMISSION, secret)
    secret.chmod(0)

    def look() -> str:
        paths, _ = submissions(folder)
        assert secret in paths  # a submission like any other
        report = grade_submission(secret, rubric, "secret").report
        return f"{identity(secret).key}|{report.status}|{report.message}"

    codecs.lookup("cp437")  # imported now: `nobody` may not read the interpreter's library
    load_case(rubric)  # the subject's data, read once by the parent as in a worker
    key, status, message = in_child(look, as_user=True).split("|")
    assert key == "droits" and status == "unreadable"
    assert "droits" in message and "Erreur interne" not in message


def test_a_huge_sparse_file_is_not_hashed(tmp_path: Path, rubric: Rubric) -> None:
    folder = one_copy(tmp_path / "copies")
    with (folder / "enorme.xlsx").open("wb") as handle:
        handle.truncate(20 * 1024**3)  # 20 GB, sparse
    started = time.monotonic()
    assert identity(folder / "enorme.xlsx").key == f"trop-gros:{20 * 1024**3}"
    assert time.monotonic() - started < 1
    summary = run_batch(folder, rubric, tmp_path / "out", options=OPTIONS)
    statuses = {r.candidate: str(r.status) for r in summary.reports}
    assert statuses == {"cand05": "graded", "enorme": "unreadable"}
    assert time.monotonic() - started < 60


# --- the jury's decisions -------------------------------------------------------------------


def test_a_renamed_candidate_with_overrides_is_said_and_its_report_kept(
    tmp_path: Path, rubric: Rubric
) -> None:
    folder, out = one_copy(tmp_path / "copies"), tmp_path / "out"
    run_batch(folder, rubric, out, options=OPTIONS)
    (out / "overrides.csv").write_text(
        "candidat;question;points;verdict;motif;auteur\ncand05;C20-Q14;1;;admis à l'oral;Mme M\n",
        encoding="utf-8",
    )
    first = (out / "cand05.json").read_bytes()
    (folder / "cand05.xlsx").rename(folder / "dupont.xlsx")
    summary = run_batch(folder, rubric, out, options=OPTIONS)
    (notice,) = summary.notices
    assert "« cand05 »" in notice and "renommé" in notice and "« dupont »" in notice
    assert (out / ".autocorrect" / "retired" / "cand05.json").read_bytes() == first
    assert summary.override_problems  # the override line itself is still flagged


# --- grade and regress under the same limits ------------------------------------------------


def test_grade_runs_under_the_time_and_memory_limits() -> None:
    """As a grader types it: the copy is graded in a child process under the same limits as
    in a batch."""
    base = [str(CLI), "grade", str(SUBMISSION), "--rubric", str(C20_RUBRIC)]
    slow = subprocess.run([*base, "--timeout", "0.001"], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert slow.returncode == EXIT_ERROR
    assert "délai de 0.001 s" in slow.stdout
    small = subprocess.run([*base, "--memory", "64"], capture_output=True, text=True,
                           timeout=120, check=False)  # fmt: skip
    assert small.returncode == EXIT_ERROR
    assert "mémoire" in small.stdout
    fine = subprocess.run(base, capture_output=True, text=True, timeout=120, check=False)
    assert fine.returncode == 0 and "Traceback" not in fine.stderr


def test_regress_grades_through_the_limited_pool(tmp_path: Path, rubric: Rubric) -> None:
    from autocorrect.authoring.regress import regrade  # noqa: PLC0415

    folder = one_copy(tmp_path / "copies")
    results = regrade(folder, rubric, RunLimits(timeout_s=0.001))
    assert results["cand05"]["status"] == "error"
    assert "délai" in str(results["cand05"]["message"])


# --- helpers ---------------------------------------------------------------------------------


def _shared_dir() -> Path:
    """A scratch folder `nobody` can reach (pytest's own is private to root)."""
    path = scratch("droits")
    path.chmod(0o755)
    return path


def in_child(work: Callable[[], str], as_user: bool = False) -> str:
    """Run `work` in a forked child (as `nobody` when asked and running as root); its answer."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        code = 0
        try:
            os.close(read_end)
            if as_user and os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            answer = work()
        except BaseException as exc:  # the test reads it as the answer
            answer, code = f"exception {type(exc).__name__}: {exc}", 1
        os.write(write_end, answer.encode("utf-8", "backslashreplace"))
        os.close(write_end)
        os._exit(code)
    os.close(write_end)
    chunks = list(_read_all(read_end))
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def _read_all(fd: int) -> Iterator[bytes]:
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(65536):
            yield chunk
