"""Batch correction of a whole exam session: parallel, resumable, deterministic.

Every regular file of the folder counts as a submission (a PDF gets status "unreadable" like a
broken workbook); hidden files and Office lock files (`~$name.xlsx`) are skipped and listed.
Two files with the same stem (`dupont.xls`, `dupont.xlsx`) get distinct report names.

Each file is graded by a warm, killable worker (`autocorrect.session.pool`) under a time limit and a
memory cap. As soon as a candidate is graded its JSON report is written atomically, then its
state file (file hash, rubric hash): a rerun skips the candidates whose file and rubric are
unchanged, and an interrupted batch loses nothing already graded. The summary outputs
(reports in HTML, gradebooks, lists, collusion signals, index) are then rebuilt from the saved
reports and the jury's overrides; same inputs give the same bytes. Run metadata (versions,
hashes, durations) goes to `run.json` only.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from autocorrect import __version__
from autocorrect.jury.collusion import Signal, collusion_signals
from autocorrect.jury.overrides import (
    FILE_NAME as OVERRIDES_FILE,
)
from autocorrect.jury.overrides import (
    WHOLE_COPY,
    FinalGrade,
    Override,
    OverrideProblem,
    check_overrides,
    final_grade,
    hand_grade,
    load_baselines,
    read_overrides,
    render_baselines,
    updated_baselines,
)
from autocorrect.jury.traits import Traits, read_metadata
from autocorrect.render.annotated import annotated_bytes, shows_decisions
from autocorrect.render.gradebook import (
    GradebookEntry,
    render_collusion_csv,
    render_gradebook_csv,
    render_unreadable_csv,
)
from autocorrect.render.gradebook_xlsx import render_gradebook_xlsx
from autocorrect.render.html import neighbours, render_report_html
from autocorrect.render.index import IndexData, render_index
from autocorrect.render.json import render_json
from autocorrect.render.jury_outputs import jury_outputs
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.isolation import RunLimits
from autocorrect.session.job import Job, JobResult
from autocorrect.session.pool import WorkerPool
from autocorrect.session.store import (
    STATE_DIR,
    CandidateState,
    file_hash,
    load_report,
    load_state,
    rubric_hash,
    save_state,
    saved_names,
    state_path,
    write_atomic,
    write_if_changed,
)

__all__ = ["BatchOptions", "BatchSummary", "Progress", "run_batch", "write_atomic"]

ANNOTATED_DIR = "annotees"
RESERVED = frozenset(
    {"index", "run", "gradebook", "unreadable", "collusion", "overrides", "fiches"}
    | {"overrides-a-completer"}
)
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
)  # not files on Windows, where graders open the output folder
MAX_NAME_BYTES = 150  # file names are limited to 255 bytes, suffixes and temporaries included


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = field(default_factory=default_jobs)
    limits: RunLimits = field(default_factory=RunLimits)
    annotate: bool = False


@dataclass(frozen=True)
class Progress:
    """Sent after each candidate (and once at the start for those already graded)."""

    done: int
    total: int
    reused: int  # already graded by an earlier run, skipped
    failures: int  # status `error` so far
    elapsed: float  # seconds since this run started
    report: CandidateReport | None  # the candidate just graded; None for the start event


@dataclass(frozen=True)
class BatchSummary:
    reports: tuple[CandidateReport, ...]
    skipped: tuple[Path, ...]
    out: Path
    graded: tuple[str, ...] = ()  # graded by this run
    reused: tuple[str, ...] = ()  # unchanged since an earlier run
    pending: tuple[str, ...] = ()  # not graded (the run was interrupted)
    interrupted: bool = False
    signals: tuple[Signal, ...] = ()
    override_problems: tuple[OverrideProblem, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    path: Path
    name: str
    sha256: str


@dataclass(frozen=True)
class _Done:
    candidate: _Candidate
    report: CandidateReport
    traits: Traits
    seconds: float | None = None  # None when reused from an earlier run


def submissions(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files to grade, files skipped), both sorted."""
    graded, skipped = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.name.startswith((".", "~$")):
            skipped.append(path)
        else:
            graded.append(path)
    return graded, skipped


def report_names(paths: list[Path]) -> dict[Path, str]:
    """File stem, safe as a file name; files sharing a stem all get their extension added
    (`dupont_xls`, `dupont_xlsx`), so no report overwrites another and none depends on order.
    Stems that would overwrite a summary file (`index`, `run`…) or name a Windows device
    (`CON`, `NUL`, `COM1`…) get `_copie` added; long stems are cut to fit the file system."""
    safe = {p: _safe_stem(p) for p in paths}
    counts = Counter(name.casefold() for name in safe.values())
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        name = safe[path]
        if counts[name.casefold()] > 1:
            name = f"{name}_{path.suffix.lstrip('.') or 'sans-extension'}"
        base, counter = name, 2
        while name.casefold() in taken:
            name, counter = f"{base}_{counter}", counter + 1
        taken.add(name.casefold())
        names[path] = name
    return names


def _safe_stem(path: Path) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in path.stem) or "copie"
    if stem.startswith("."):
        stem = "_" + stem[1:]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:  # room for ".<name>.json.XXXX.tmp"
        stem = stem[:-1]
    head, dot, rest = stem.partition(".")
    if head.upper() in WINDOWS_DEVICES:  # Windows reads "con.xlsx" as CON: mark the head
        return f"{head}_copie{dot}{rest}"
    return f"{stem}_copie" if stem.casefold() in RESERVED else stem


def run_batch(
    folder: Path,
    rubric: Rubric,
    out: Path,
    progress: Callable[[Progress], None] | None = None,
    options: BatchOptions | None = None,
) -> BatchSummary:
    options = options or BatchOptions()
    started, clock = datetime.now(UTC), time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    paths, skipped = submissions(folder)
    names = report_names(paths)
    candidates = [_Candidate(p, names[p], file_hash(p)) for p in paths]
    _forget_stale(out, {c.name for c in candidates})
    rubric_digest = rubric_hash(rubric)
    done: dict[str, _Done] = {}
    todo = []
    for candidate in candidates:
        reused = _reuse(out, candidate, rubric_digest, options.annotate)
        if reused is None:
            todo.append(candidate)
        else:
            done[candidate.name] = reused
    notify = _Notifier(progress, len(candidates), len(done), clock)
    notify(None)
    interrupted = False
    by_name = {c.name: c for c in todo}
    results = _grade(todo, rubric, out, options)
    try:
        for result in results:
            candidate = by_name[result.job.name]
            done[candidate.name] = _persist(out, candidate, result, rubric_digest)
            notify(result.report)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        results.close()  # stops the workers now, not whenever the generator is collected
    summary = _finish(out, rubric, candidates, done, skipped, interrupted)
    _write_run(out, rubric, rubric_digest, folder, options, summary, done, started, clock)
    return summary


@dataclass
class _Notifier:
    callback: Callable[[Progress], None] | None
    total: int
    done: int
    clock: float
    reused: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        self.reused = self.done

    def __call__(self, report: CandidateReport | None) -> None:
        if report is not None:
            self.done += 1
            self.failures += report.status == Status.ERROR
        if self.callback is not None:
            elapsed = time.monotonic() - self.clock
            self.callback(
                Progress(self.done, self.total, self.reused, self.failures, elapsed, report)
            )


# --- grading and keeping -----------------------------------------------------------------------


def _grade(
    todo: Sequence[_Candidate], rubric: Rubric, out: Path, options: BatchOptions
) -> Generator[JobResult, None, None]:
    if not todo:
        return
    annotated = out / ANNOTATED_DIR
    if options.annotate:
        annotated.mkdir(exist_ok=True)
    jobs = [
        Job(c.path, c.name, c.sha256, annotated / f"{c.name}.xlsx" if options.annotate else None)
        for c in todo
    ]
    size = max(1, min(options.jobs, len(jobs)))
    with WorkerPool(rubric.path, size, options.limits, rubric.id) as pool:
        yield from pool.run(jobs)


def _persist(out: Path, candidate: _Candidate, result: JobResult, rubric_digest: str) -> _Done:
    report = replace(result.report, candidate=candidate.name)
    same = result.json_text and result.report.candidate == candidate.name
    text = result.json_text if same else render_json(report)
    write_atomic(out / f"{candidate.name}.json", text, durable=True)
    traits = result.traits if result.traits.sha256 else Traits(sha256=candidate.sha256)
    state = CandidateState(
        candidate.name, candidate.path.name, candidate.sha256, rubric_digest,
        result.annotated, traits,
    )  # fmt: skip
    save_state(out, state)  # last: its presence means the candidate is complete
    return _Done(candidate, report, traits, result.seconds)


def _reuse(out: Path, candidate: _Candidate, rubric_digest: str, annotate: bool) -> _Done | None:
    state = load_state(out, candidate.name)
    if state is None or (state.file_hash, state.rubric_hash, state.source) != (
        candidate.sha256, rubric_digest, candidate.path.name,
    ):  # fmt: skip
        return None
    if annotate and not state.annotated:
        return None
    report = load_report(out / f"{candidate.name}.json")
    if report is None or report.candidate != candidate.name:
        return None
    return _Done(candidate, report, state.traits)


def _forget_stale(out: Path, current: set[str]) -> None:
    """Remove the outputs of candidates whose file left the folder (only files we wrote)."""
    for name in saved_names(out):
        if name in current:
            continue
        for path in (
            out / f"{name}.json",
            out / f"{name}.html",
            out / ANNOTATED_DIR / f"{name}.xlsx",
            state_path(out, name),
        ):
            path.unlink(missing_ok=True)


# --- summary outputs ---------------------------------------------------------------------------


def _finish(
    out: Path,
    rubric: Rubric,
    candidates: Sequence[_Candidate],
    done: Mapping[str, _Done],
    skipped: Sequence[Path],
    interrupted: bool,
) -> BatchSummary:
    finished = [done[c.name] for c in candidates if c.name in done]
    reports = {d.candidate.name: d.report for d in finished}
    overrides, problems = _overrides(out, rubric, reports)
    signals = collusion_signals(
        list(reports.values()),
        {d.candidate.name: d.traits for d in finished},
        read_metadata(rubric.subject),
    )
    finals = _finals(out, rubric, reports, overrides)
    entries = [_entry(d, finals.get(d.candidate.name), signals) for d in finished]
    _annotate_decisions(out, finished, finals)
    links = neighbours([e.name for e in entries])
    for entry in entries:
        page = render_report_html(entry, rubric, links[entry.name])
        write_if_changed(out / f"{entry.name}.html", page)
    write_if_changed(out / "gradebook.csv", render_gradebook_csv(entries, rubric))
    write_if_changed(out / "gradebook.xlsx", render_gradebook_xlsx(entries, rubric))
    write_if_changed(out / "unreadable.csv", render_unreadable_csv(entries, skipped))
    write_if_changed(out / "collusion.csv", render_collusion_csv(signals))
    for relative, text in jury_outputs(entries, rubric).items():
        (out / relative).parent.mkdir(exist_ok=True)
        write_if_changed(out / relative, text)
    pending = tuple(c.name for c in candidates if c.name not in done)
    index = IndexData(rubric, tuple(entries), signals, tuple(skipped), problems, pending)
    write_if_changed(out / "index.html", render_index(index))
    return BatchSummary(
        reports=tuple(d.report for d in finished),
        skipped=tuple(skipped),
        out=out,
        graded=tuple(d.candidate.name for d in finished if d.seconds is not None),
        reused=tuple(d.candidate.name for d in finished if d.seconds is None),
        pending=pending,
        interrupted=interrupted,
        signals=signals,
        override_problems=problems,
    )


def _annotate_decisions(
    out: Path, finished: Sequence[_Done], finals: Mapping[str, FinalGrade]
) -> None:
    """Annotated copies follow the jury's decisions: rewritten for the candidates that have
    some, or whose copy still shows decisions since withdrawn. The file was already read
    under the worker's limits to write the first annotated copy; a failure here keeps it."""
    for done in finished:
        target = out / ANNOTATED_DIR / f"{done.candidate.name}.xlsx"
        if not target.is_file() or done.report.status != Status.GRADED:
            continue
        final = finals.get(done.candidate.name)
        decided = final if final is not None and final.overridden else None
        if decided is None and not shows_decisions(target):
            continue
        try:
            data = annotated_bytes(done.candidate.path, done.report, decided)
        except Exception:  # the automatic annotated copy stays; the batch goes on
            continue
        if data is not None:
            write_if_changed(target, data)


def _overrides(
    out: Path, rubric: Rubric, reports: Mapping[str, CandidateReport]
) -> tuple[tuple[Override, ...], tuple[OverrideProblem, ...]]:
    rows, unreadable_rows = read_overrides(out / OVERRIDES_FILE)
    valid, invalid = check_overrides(rows, reports, rubric)
    return valid, tuple(sorted((*unreadable_rows, *invalid), key=lambda p: p.line))


def _finals(
    out: Path,
    rubric: Rubric,
    reports: Mapping[str, CandidateReport],
    overrides: Sequence[Override],
) -> dict[str, FinalGrade]:
    baseline_file = out / STATE_DIR / "overrides-baseline.json"
    baselines = load_baselines(baseline_file)
    by_candidate: dict[str, dict[str, Override]] = defaultdict(dict)
    for override in overrides:
        by_candidate[override.candidate][override.question] = override
    finals = {
        name: final_grade(report, rubric, by_candidate.get(name, {}), baselines)
        for name, report in reports.items()
        if report.status == Status.GRADED
    }
    for name, report in reports.items():  # hand grades of copies not graded automatically
        whole = by_candidate.get(name, {}).get(WHOLE_COPY)
        if report.status != Status.GRADED and whole is not None:
            finals[name] = hand_grade(report, rubric, whole)
    baseline_file.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(
        baseline_file, render_baselines(updated_baselines(baselines, overrides, reports))
    )
    return finals


def _entry(done: _Done, final: FinalGrade | None, signals: Sequence[Signal]) -> GradebookEntry:
    name = done.candidate.name
    mine = tuple(s for s in signals if name in s.candidates)
    return GradebookEntry(name, done.candidate.path.name, done.report, final, mine)


def _write_run(
    out: Path,
    rubric: Rubric,
    rubric_digest: str,
    folder: Path,
    options: BatchOptions,
    summary: BatchSummary,
    done: Mapping[str, _Done],
    started: datetime,
    clock: float,
) -> None:
    """Run metadata: the only output that changes from one run to the next."""
    durations = {n: round(d.seconds, 4) for n, d in sorted(done.items()) if d.seconds is not None}
    statuses = Counter(str(r.status) for r in summary.reports)
    data = {
        "autocorrect": __version__,
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in ("openpyxl", "formulas", "numpy")},
        "machine": f"{platform.machine()}, {default_jobs()} cœur(s)",
        "rubric": rubric.id,
        "rubric_path": str(rubric.path),
        "rubric_hash": rubric_digest,
        "folder": str(folder),
        "jobs": options.jobs,
        "timeout_s": options.limits.timeout_s,
        "memory_mb": options.limits.memory_mb,
        "annotate": options.annotate,
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - clock, 3),
        "candidates": len(summary.reports) + len(summary.pending),
        "graded_this_run": len(summary.graded),
        "reused": len(summary.reused),
        "pending": list(summary.pending),
        "interrupted": summary.interrupted,
        "statuses": dict(sorted(statuses.items())),
        "skipped_files": [p.name for p in summary.skipped],
        "override_problems": [f"ligne {p.line} : {p.message}" for p in summary.override_problems],
        "durations_s": durations,
    }
    write_atomic(out / "run.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""
