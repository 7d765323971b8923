"""A batch killed at any moment, or run twice at once on one output folder, never corrupts it:
the command line is run as a grader would, and killed with SIGKILL (as a power cut or the
out-of-memory killer would stop it)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.batch_helpers import output_files, scratch, submissions
from tests.conftest import C20_RUBRIC, ROOT

CLI = Path(sys.executable).with_name("autocorrect")
KILLS = 20
UMASK = 0o027  # not the usual 022: the modes must follow it, not be fixed


def command(folder: Path, out: Path) -> list[str]:
    return [str(CLI), "batch", str(folder), "--rubric", str(C20_RUBRIC), "--out", str(out),
            "--jobs", "1"]  # fmt: skip


def start(folder: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(folder, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        umask=UMASK,
    )


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = process.communicate(timeout=300)
    return process.returncode, err.decode("utf-8", "replace")


def copies(root: Path, name: str = "copies", count: int = 4) -> Path:
    folder = root / name
    folder.mkdir()
    for path in submissions("c20")[:count]:
        shutil.copy(path, folder / path.name)
    (folder / "vide.xlsx").write_bytes(b"")
    return folder


class Launcher:
    """Starts `autocorrect batch` processes quickly: a warm interpreter (the engine already
    imported) forks each one, as its own process group, and SIGKILLs the group after a delay.
    Only the start-up imports are saved; each batch starts its own workers."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.test_batch_kill import serve; serve()"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, umask=UMASK,
        )  # fmt: skip

    def run(
        self, folder: Path, out: Path, kill_after: float, saved: int = 0, then: float = 0.0
    ) -> tuple[object, float]:
        """Start a batch; SIGKILL it after `kill_after` seconds or, when `saved` is given,
        `then` seconds after `saved` copies are complete in `out`, whichever comes first.
        Returns "killed" or the exit code, and the seconds it lived."""
        assert self.process.stdin is not None and self.process.stdout is not None
        request = [str(folder), str(out), kill_after, saved, then]
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        outcome, seconds = json.loads(self.process.stdout.readline())
        return outcome, seconds

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


def serve() -> None:  # pragma: no cover -- runs in the launcher process
    """The launcher's loop: one JSON request per line, one JSON answer per line."""
    from autocorrect.cli.main import main  # noqa: PLC0415 -- imported once, before the forks

    for line in sys.stdin:
        folder, out, kill_after, saved, then = json.loads(line)
        states = Path(out) / ".autocorrect" / "candidates"
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os._exit(main(["batch", folder, "--rubric", str(C20_RUBRIC), "--out", out,
                           "--jobs", "1"]))  # fmt: skip
        outcome: object = None
        while outcome is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if saved and states.is_dir() and len(list(states.glob("*.json"))) >= saved:
                kill_after, saved = min(kill_after, time.monotonic() - started + then), 0
            if done:
                outcome = os.waitstatus_to_exitcode(status)
            elif time.monotonic() - started >= kill_after:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                outcome = "killed"
            else:
                time.sleep(0.01)
        print(json.dumps([outcome, time.monotonic() - started]), flush=True)


@dataclass(frozen=True)
class Reference:
    outputs: dict[str, bytes]  # of one uninterrupted batch of the same copies
    full_s: float  # its duration, grading everything
    rerun_s: float  # the duration of a rerun with nothing left to grade


@cache
def reference() -> Reference:
    root = scratch("reference")
    folder, out = copies(root), root / "out"
    launcher = Launcher()
    try:
        first, full = launcher.run(folder, out, 300)
        again, rerun = launcher.run(folder, out, 300)
    finally:
        launcher.close()
    assert first == again == 0
    return Reference(output_files(out), full, rerun)


def test_twenty_kills_then_a_rerun_give_the_same_bytes_and_no_leftovers() -> None:
    root = scratch("kill")
    folder, out = copies(root), root / "out"
    expected = reference()
    entries = len(list(folder.iterdir()))
    rng = random.Random(20)  # the same kill moments at every run of the test
    launcher = Launcher()
    kills = 0
    try:
        while kills < KILLS:  # moments drawn over the whole life of the run being killed
            states = out / ".autocorrect" / "candidates"
            graded = len(list(states.glob("*.json"))) if states.is_dir() else 0
            if graded == entries:  # while it reuses, writes the summaries, releases the lock
                outcome, _ = launcher.run(folder, out, rng.uniform(0.05, 1.0) * expected.rerun_s)
            elif rng.random() < 0.25:  # while it starts
                outcome, _ = launcher.run(folder, out, rng.uniform(0.05, 0.9) * expected.full_s)
            else:  # just after a copy is saved, or in the middle of the next one
                saved, then = graded + rng.choice((1, 2)), rng.uniform(0.0, 0.4)
                outcome, _ = launcher.run(folder, out, 2 * expected.full_s, saved, then)
            kills += outcome == "killed"
    finally:
        launcher.close()
    code, err = finish(start(folder, out))  # the rerun, as a grader types it
    assert code == 0, err
    assert output_files(out) == expected.outputs
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert (out / ".autocorrect" / "lock").read_text() == ""  # released by the last run
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o777 if path.is_dir() else 0o666) & ~UMASK, (path, oct(mode))


def test_two_batches_at_once_on_one_out_cannot_corrupt_it() -> None:
    root = scratch("concurrent")
    folder, out = copies(root), root / "out"
    first, second = start(folder, out), start(folder, out)
    results = [finish(first), finish(second)]
    assert {code for code, _ in results} <= {0, 2}
    assert 0 in {code for code, _ in results}
    for code, err in results:
        if code == 2:  # refused while the other one held the folder
            assert "Un autre lot" in err and "Traceback" not in err
    assert output_files(out) == reference().outputs


def test_two_batches_of_different_folders_on_one_out_cannot_mix() -> None:
    root = scratch("mixed")
    one, other = copies(root, "a"), copies(root, "b", count=2)
    out = root / "out"
    runs = [start(one, out), start(other, out)]
    results = [finish(p) for p in runs]
    codes = [code for code, _ in results]
    assert sorted(codes) == [0, 2]  # exactly one owns the folder; the other is refused
    winner = (one, other)[codes.index(0)]
    refused = results[codes.index(2)][1]
    assert "Un autre lot" in refused or "contient les rapports" in refused
    graded = {p.stem for p in winner.glob("*.xlsx")}
    reports = {p.stem for p in out.glob("*.json") if p.name != "run.json"}
    assert reports == graded
