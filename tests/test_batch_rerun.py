"""A rerun renders only the outputs whose inputs changed, and its outputs are byte for byte
those of a run that renders everything (its record of what was rendered removed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autocorrect.cli import RECORD_FILE as CLI_RECORD_FILE
from autocorrect.cli import starts_fork_server_first
from autocorrect.session.batch import BatchOptions, BatchSummary, run_batch
from autocorrect.session.rendered import RECORD_FILE
from autocorrect.session.store import STATE_DIR
from tests.batch_helpers import Batch, case_batch, output_files, scratch, submissions

OPTIONS = BatchOptions(jobs=1)


def _copy(batch: Batch, name: str, folder: Path | None = None) -> Path:
    """The batch's output folder copied, for a batch of `folder` (the same one by default)."""
    out = scratch(name) / "out"
    shutil.copytree(batch.out, out)
    if folder is not None:  # the copies moved: the output folder is told so, as documented
        (out / STATE_DIR / "owner.json").unlink()
    return out


def _rerun(batch: Batch, out: Path, folder: Path | None = None) -> BatchSummary:
    return run_batch(folder or batch.folder, batch.rubric, out, options=OPTIONS)


def _everything_rendered(batch: Batch, out: Path, folder: Path | None = None) -> dict[str, bytes]:
    """The outputs of the same folder rendered in full: a copy whose record is removed."""
    full = _copy_of(out, "full")
    (full / RECORD_FILE).unlink()
    _rerun(batch, full, folder)
    return output_files(full)


def _copy_of(out: Path, name: str) -> Path:
    target = scratch(name) / "out"
    shutil.copytree(out, target)
    return target


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        name: ((out / name).stat().st_ino, (out / name).stat().st_mtime_ns)
        for name in output_files(out)
    }


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}


def test_rerun_with_nothing_changed_writes_nothing_and_reads_reports_only_when_asked() -> None:
    batch = case_batch("c20")
    out = _copy(batch, "same")
    stamps, files = _stamps(out), output_files(out)
    summary = _rerun(batch, out)
    assert _stamps(out) == stamps and output_files(out) == files
    assert summary.graded == () and len(summary.reused) == len(batch.summary.reports)
    assert summary.statuses == tuple(r.status for r in batch.summary.reports)
    assert list(summary.reports) == list(batch.summary.reports)  # read back on demand
    assert summary.signals == batch.summary.signals
    assert summary.override_problems == batch.summary.override_problems


def test_one_decision_changes_its_candidate_and_the_batch_outputs_only() -> None:
    batch = case_batch("c20")
    out = _copy(batch, "decision")
    before = output_files(out)
    decision = f"{batch.example};C20-Q14;0;;non admis;Jury"
    (out / "overrides.csv").write_text(
        f"candidat;question;points;verdict;motif;auteur\n{decision}\n", encoding="utf-8"
    )
    _rerun(batch, out)
    after = output_files(out)
    assert after == _everything_rendered(batch, out)
    changed = _changed(before, after)
    assert {f"{batch.example}.html", "gradebook.csv", "gradebook.xlsx", "index.html"} <= changed
    reports = {f"{r.candidate}.html" for r in batch.summary.reports}
    assert changed & reports == {f"{batch.example}.html"}  # no other candidate's report
    assert "collusion.csv" not in changed and "unreadable.csv" not in changed


def test_one_new_copy_and_one_edited_report_are_regraded_and_rendered_as_in_full() -> None:
    batch = case_batch("c20")
    folder = scratch("moved") / "copies"
    shutil.copytree(batch.folder, folder)
    out = _copy(batch, "new-copy", folder)
    first, second = submissions("c20")[:2]
    shutil.copy(first, folder / second.name)  # the second candidate sent the first one's file
    report = out / f"{first.stem}.json"
    data = json.loads(report.read_text("utf-8"))
    report.write_text(json.dumps({**data, "score": 20.0}), encoding="utf-8")  # edited by hand
    summary = _rerun(batch, out, folder)
    assert sorted(summary.graded) == sorted([first.stem, second.stem])
    after = output_files(out)
    assert after == _everything_rendered(batch, out, folder)
    assert after[f"{first.stem}.json"] == batch.out.joinpath(f"{first.stem}.json").read_bytes()
    assert "fichiers-identiques" in after["collusion.csv"].decode("utf-8")


def test_outputs_deleted_or_edited_by_hand_are_rendered_again() -> None:
    batch = case_batch("c20")
    out = _copy(batch, "edited")
    expected = output_files(out)
    (out / f"{batch.example}.html").unlink()
    (out / "gradebook.csv").write_text("modifié à la main\n", encoding="utf-8")
    (out / "revue").joinpath(sorted(p.name for p in (out / "revue").iterdir())[0]).unlink()
    _rerun(batch, out)
    assert output_files(out) == expected
    (out / RECORD_FILE).write_text("{ abîmé", encoding="utf-8")
    (out / "index.html").unlink()
    _rerun(batch, out)
    assert output_files(out) == expected


def test_the_fork_server_starts_first_for_a_first_batch_only() -> None:
    batch = case_batch("c20")
    assert RECORD_FILE == CLI_RECORD_FILE
    fresh = scratch("first") / "out"
    for out, first in ((fresh, True), (batch.out, False)):
        for option in (["--out", str(out)], [f"--out={out}"]):
            arguments = ["batch", str(batch.folder), "--rubric", "r.yaml", *option]
            assert starts_fork_server_first(arguments) is first
    assert not starts_fork_server_first(["grade", "copie.xlsx", "--out", str(fresh)])
