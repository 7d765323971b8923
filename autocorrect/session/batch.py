"""Batch correction of a whole exam session: parallel, resumable, deterministic.

Every entry of the folder is accounted for (`autocorrect.session.folder`): each regular file
is a submission (a PDF gets status "unreadable" like a broken workbook, a file nobody may read
too); hidden files, Office lock files (`~$name.xlsx`), sub-folders, links (never followed),
pipes and devices are listed as ignored with the reason. Report names come from
`autocorrect.session.names` (any bytes in, a safe and distinct name out).

The output folder is held for the whole run (`autocorrect.session.outdir`): one batch at a time,
for one input folder, never inside it. Each file is graded by a warm, killable worker
(`autocorrect.session.pool`) under a time limit and a memory cap. As soon as a candidate is
graded its JSON report is written atomically, then its state file (file identity, rubric
hash): a rerun skips the candidates whose file and rubric are unchanged, and an interrupted
batch loses nothing already graded. The summary outputs (reports in HTML, gradebooks, lists,
collusion signals, index) are then rebuilt from the saved reports and the jury's overrides;
same inputs give the same bytes. Only the outputs whose inputs changed are rendered again
(`autocorrect.session.rendered`): a rerun with nothing changed reads no report and renders
nothing. Run metadata (versions, hashes, durations) goes to `run.json` only.
"""

from __future__ import annotations

import json
import platform
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import overload

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
from autocorrect.reading.guard import Limits
from autocorrect.render.annotated import annotated_bytes, shows_decisions
from autocorrect.render.gradebook import (
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
from autocorrect.session.folder import identity, submissions
from autocorrect.session.job import Job, JobResult
from autocorrect.session.limits import RunLimits, default_jobs
from autocorrect.session.model import BatchSummary, GradebookEntry, Ignored, Progress
from autocorrect.session.names import report_names, shown_name
from autocorrect.session.outdir import check_places, claim
from autocorrect.session.pool import WorkerPool
from autocorrect.session.rendered import Record, Writer, digest, load_record, save_record
from autocorrect.session.store import (
    STATE_DIR,
    CandidateState,
    content_hash,
    load_state,
    parse_report,
    rubric_hash,
    save_state,
    saved_names,
    state_path,
    write_atomic,
    write_if_changed,
)

__all__ = [
    "BatchOptions",
    "BatchSummary",
    "Progress",
    "report_names",
    "run_batch",
    "submissions",
    "write_atomic",
]

ANNOTATED_DIR = "annotees"
RETIRED_DIR = f"{STATE_DIR}/retired"  # reports of candidates gone from the folder
BASELINE_FILE = f"{STATE_DIR}/overrides-baseline.json"


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = field(default_factory=default_jobs)
    limits: RunLimits = field(default_factory=RunLimits)
    annotate: bool = False


@dataclass(frozen=True)
class _Candidate:
    path: Path
    name: str
    key: str  # the file's identity between runs ("" when unknown: always regraded)
    sha256: str  # its content hash, "" when it was not read in full

    @property
    def source(self) -> str:
        return shown_name(self.path.name)


@dataclass
class _Done:
    candidate: _Candidate
    report_hash: str  # SHA-256 of its saved JSON report
    status: Status
    traits: Traits
    seconds: float | None = None  # None when reused from an earlier run
    saved: bytes = b""  # the saved JSON report, read back only if an output needs it
    parsed: CandidateReport | None = None

    @property
    def report(self) -> CandidateReport:
        if self.parsed is None:
            report = parse_report(self.saved)
            assert report is not None  # its hash was checked against the state's
            self.parsed = report
        return self.parsed


class _SavedReports(Sequence[CandidateReport]):
    """The batch's reports, each read back from its JSON the first time it is asked for: a
    rerun with nothing to render reads none."""

    def __init__(self, finished: Sequence[_Done]) -> None:
        self._finished = tuple(finished)

    def __len__(self) -> int:
        return len(self._finished)

    @overload
    def __getitem__(self, index: int) -> CandidateReport: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[CandidateReport, ...]: ...

    def __getitem__(self, index: int | slice) -> CandidateReport | tuple[CandidateReport, ...]:
        if isinstance(index, slice):
            return tuple(done.report for done in self._finished[index])
        return self._finished[index].report


def run_batch(
    folder: Path,
    rubric: Rubric,
    out: Path,
    progress: Callable[[Progress], None] | None = None,
    options: BatchOptions | None = None,
) -> BatchSummary:
    """Grade every submission of `folder` into `out`. Raises `OutputError` when the output
    folder is refused or cannot be written, `InputFolderError` when the folder cannot be
    listed: both carry one French sentence, and nothing already written is lost."""
    options = options or BatchOptions()
    check_places(folder, out)
    with claim(out, folder) as held:
        notices = [] if held.stale_lock_pid is None else [_stale_lock_notice(held.stale_lock_pid)]
        return _run(folder, rubric, out, progress, options, notices)


def _run(
    folder: Path,
    rubric: Rubric,
    out: Path,
    progress: Callable[[Progress], None] | None,
    options: BatchOptions,
    notices: list[str],
) -> BatchSummary:
    started, clock = datetime.now(UTC), time.monotonic()
    paths, ignored = submissions(folder)
    names = report_names(paths)
    candidates = [_candidate(p, names[p]) for p in paths]
    notices.extend(_retire_gone(out, candidates))
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
    summary = _finish(out, rubric, rubric_digest, candidates, done, ignored, interrupted, notices)
    _write_run(out, rubric, rubric_digest, folder, options, summary, done, started, clock)
    return summary


def _candidate(path: Path, name: str) -> _Candidate:
    found = identity(path, Limits())
    return _Candidate(path, name, found.key, found.sha256)


def _stale_lock_notice(pid: int) -> str:
    return (
        f"Le lot précédent (processus {pid}) s'est arrêté avant la fin : son verrou est repris "
        "et ce qu'il avait corrigé est conservé."
    )


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
    data = (result.json_text if same else render_json(report)).encode("utf-8")
    write_atomic(out / f"{candidate.name}.json", data, durable=True)
    traits, saved_hash = result.traits, content_hash(data)
    state = CandidateState(
        candidate.name, candidate.source, candidate.key, rubric_digest, result.annotated, traits,
        saved_hash, str(report.status),
    )  # fmt: skip
    save_state(out, state)  # last: its presence means the candidate is complete
    return _Done(candidate, saved_hash, report.status, traits, result.seconds, parsed=report)


def _reuse(out: Path, candidate: _Candidate, rubric_digest: str, annotate: bool) -> _Done | None:
    state = load_state(out, candidate.name)
    if not candidate.key or state is None:
        return None
    if (state.file_hash, state.rubric_hash, state.source) != (
        candidate.key, rubric_digest, candidate.source,
    ):  # fmt: skip
        return None
    if annotate and not state.annotated:
        return None
    try:
        saved = (out / f"{candidate.name}.json").read_bytes()
    except OSError:
        return None
    saved_hash = content_hash(saved)
    if state.report_hash:  # the report is the one saved with the state, unread
        status = _status(state.status)
        if saved_hash != state.report_hash or status is None:
            return None
        return _Done(candidate, saved_hash, status, state.traits, saved=saved)
    report = parse_report(saved)  # a state saved before reports were hashed: read it once
    if report is None or report.candidate != candidate.name:
        return None
    save_state(out, replace(state, report_hash=saved_hash, status=str(report.status)))
    return _Done(candidate, saved_hash, report.status, state.traits, parsed=report)


def _status(text: str) -> Status | None:
    try:
        return Status(text)
    except ValueError:
        return None


def _retire_gone(out: Path, candidates: Sequence[_Candidate]) -> list[str]:
    """Remove the outputs of candidates whose file left the folder (only files we wrote); their
    JSON report is kept in `.autocorrect/retired/`. When the jury's overrides name such a
    candidate, say so, naming the new candidate if the same file came back under another name
    (a renamed file would otherwise drop the jury's decisions silently)."""
    current = {c.name for c in candidates}
    by_key = {c.key: c.name for c in candidates if c.key}
    overridden = {o.candidate for o in read_overrides(out / OVERRIDES_FILE)[0]}
    notices = []
    for name in saved_names(out):
        if name in current:
            continue
        state = load_state(out, name)
        report = out / f"{name}.json"
        if report.is_file():
            retired = out / RETIRED_DIR
            retired.mkdir(parents=True, exist_ok=True)
            report.replace(retired / report.name)
        for path in (out / f"{name}.html", out / ANNOTATED_DIR / f"{name}.xlsx"):
            path.unlink(missing_ok=True)
        state_path(out, name).unlink(missing_ok=True)  # last: the removal is complete
        if name in overridden:
            notices.append(_retired_notice(name, state, by_key))
    return notices


def _retired_notice(name: str, state: CandidateState | None, by_key: Mapping[str, str]) -> str:
    source = f"« {state.source} »" if state else "sa copie"
    renamed = by_key.get(state.file_hash) if state and state.file_hash else None
    gone = f"renommé : la même copie est maintenant « {renamed} »" if renamed else "retiré"
    move = f" ; les reporter sur « {renamed} » si besoin" if renamed else ""
    return (
        f"Le candidat « {name} » n'est plus dans le dossier (fichier {source} {gone}) : ses "
        f"dérogations dans overrides.csv ne s'appliquent plus{move} ; son dernier rapport est "
        f"conservé dans {RETIRED_DIR}/{name}.json."
    )


# --- summary outputs ---------------------------------------------------------------------------


def _finish(
    out: Path,
    rubric: Rubric,
    rubric_digest: str,
    candidates: Sequence[_Candidate],
    done: Mapping[str, _Done],
    skipped: Sequence[Ignored],
    interrupted: bool,
    notices: Sequence[str],
) -> BatchSummary:
    finished = [done[c.name] for c in candidates if c.name in done]
    pending = tuple(c.name for c in candidates if c.name not in done)
    record = load_record(out)
    if not record.fresh(out, _batch_inputs(out, rubric_digest, finished, skipped, pending)):
        record = _render(out, rubric, rubric_digest, finished, skipped, pending, record)
        save_record(out, record)  # last: the outputs it lists are complete
    return BatchSummary(
        reports=_SavedReports(finished),
        statuses=tuple(d.status for d in finished),
        skipped=tuple(skipped),
        out=out,
        graded=tuple(d.candidate.name for d in finished if d.seconds is not None),
        reused=tuple(d.candidate.name for d in finished if d.seconds is None),
        pending=pending,
        interrupted=interrupted,
        signals=record.signals,
        override_problems=record.problems,
        notices=tuple(notices),
    )


def _batch_inputs(
    out: Path,
    rubric_digest: str,
    finished: Sequence[_Done],
    skipped: Sequence[Ignored],
    pending: Sequence[str],
) -> str:
    """Everything the summary outputs are made of, in one digest: the rubric, each saved report
    and its traits, the entries not graded, the jury's overrides, the baselines of the
    overrides, and which annotated copies exist."""
    annotated = out / ANNOTATED_DIR
    copies = sorted(p.name for p in annotated.glob("*.xlsx")) if annotated.is_dir() else []
    return digest(
        rubric_digest,
        _candidates_text(finished),
        json.dumps([[i.name, i.reason] for i in skipped], ensure_ascii=False),
        json.dumps(list(pending), ensure_ascii=False),
        _read(out / OVERRIDES_FILE),
        _read(out / BASELINE_FILE),
        json.dumps(copies, ensure_ascii=False),
    )


def _candidates_text(finished: Sequence[_Done]) -> str:
    rows = [
        [d.candidate.name, d.candidate.source, d.report_hash, d.traits.to_dict()] for d in finished
    ]
    return json.dumps(rows, ensure_ascii=False, sort_keys=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\0absent"


def _render(
    out: Path,
    rubric: Rubric,
    rubric_digest: str,
    finished: Sequence[_Done],
    skipped: Sequence[Ignored],
    pending: tuple[str, ...],
    previous: Record,
) -> Record:
    """Every summary output whose inputs changed since the record, rendered and written."""
    reports = {d.candidate.name: d.report for d in finished}
    overrides, problems = _overrides(out, rubric, reports)
    signals_inputs = digest(rubric_digest, _candidates_text(finished))
    signals = (
        previous.signals
        if previous.signals_inputs == signals_inputs
        else collusion_signals(
            list(reports.values()),
            {d.candidate.name: d.traits for d in finished},
            read_metadata(rubric.subject),
        )
    )
    finals = _finals(out, rubric, reports, overrides)
    mine = _by_candidate(signals)
    entries = [_entry(d, finals.get(d.candidate.name), mine) for d in finished]
    inputs = {e.name: _entry_inputs(e, d) for e, d in zip(entries, finished, strict=True)}
    writer = Writer(out, previous)
    _annotate_decisions(writer, finished, finals, inputs)
    links = neighbours([e.name for e in entries])
    for entry in entries:
        key = digest(rubric_digest, "html", inputs[entry.name], repr(links[entry.name]))
        writer.write(
            f"{entry.name}.html", key, partial(render_report_html, entry, rubric, links[entry.name])
        )
    everyone = digest(rubric_digest, *(inputs[e.name] for e in entries))
    gradebook = partial(render_gradebook_csv, entries, rubric)
    writer.write("gradebook.csv", digest(everyone, "gradebook.csv"), gradebook)
    workbook = partial(render_gradebook_xlsx, entries, rubric)
    writer.write("gradebook.xlsx", digest(everyone, "gradebook.xlsx"), workbook)
    unreadable = partial(render_unreadable_csv, entries, skipped)
    writer.write("unreadable.csv", digest(everyone, "unreadable", repr(tuple(skipped))), unreadable)
    writer.write("collusion.csv", digest(repr(signals)), partial(render_collusion_csv, signals))
    writer.write_group(digest(everyone, "jury"), partial(jury_outputs, entries, rubric))
    index = IndexData(rubric, tuple(entries), signals, tuple(skipped), problems, pending)
    index_inputs = digest(everyone, repr((signals, tuple(skipped), problems, pending)))
    writer.write("index.html", index_inputs, partial(render_index, index))
    batch = _batch_inputs(out, rubric_digest, finished, skipped, pending)  # baselines as written
    return writer.record(batch, signals_inputs, signals, problems)


def _entry_inputs(entry: GradebookEntry, done: _Done) -> str:
    """What a candidate's own outputs are made of: its saved report, its final grade (the
    jury's decisions) and its collusion signals."""
    return digest(
        entry.name, entry.source, done.report_hash, repr(entry.final), repr(entry.signals)
    )


def _annotate_decisions(
    writer: Writer,
    finished: Sequence[_Done],
    finals: Mapping[str, FinalGrade],
    inputs: Mapping[str, str],
) -> None:
    """Annotated copies follow the jury's decisions: rewritten for the candidates that have
    some, or whose copy still shows decisions since withdrawn."""
    for done in finished:
        name = f"{ANNOTATED_DIR}/{done.candidate.name}.xlsx"
        if not (writer.out / name).is_file() or done.status != Status.GRADED:
            continue
        final = finals.get(done.candidate.name)
        decided = final if final is not None and final.overridden else None
        key = digest(inputs[done.candidate.name], done.candidate.key)
        writer.check(name, key, partial(_annotate_copy, writer.out / name, done, decided))


def _annotate_copy(target: Path, done: _Done, decided: FinalGrade | None) -> None:
    """The file was already read under the worker's limits to write the first annotated copy;
    a failure here keeps it."""
    if decided is None and not shows_decisions(target):
        return
    try:
        data = annotated_bytes(done.candidate.path, done.report, decided)
    except Exception:  # the automatic annotated copy stays; the batch goes on
        return
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
    baseline_file = out / BASELINE_FILE
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


def _entry(
    done: _Done, final: FinalGrade | None, signals: Mapping[str, tuple[Signal, ...]]
) -> GradebookEntry:
    name = done.candidate.name
    return GradebookEntry(name, done.candidate.source, done.report, final, signals.get(name, ()))


def _by_candidate(signals: Sequence[Signal]) -> dict[str, tuple[Signal, ...]]:
    """Each candidate's signals, in the batch's order."""
    mine: dict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        for name in dict.fromkeys(signal.candidates):
            mine[name].append(signal)
    return {name: tuple(found) for name, found in mine.items()}


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
    statuses = Counter(str(s) for s in summary.statuses)
    data = {
        "autocorrect": __version__,
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in ("openpyxl", "formulas", "numpy")},
        "machine": f"{platform.machine()}, {default_jobs()} cœur(s)",
        "rubric": rubric.id,
        "rubric_path": shown_name(str(rubric.path)),
        "rubric_hash": rubric_digest,
        "folder": shown_name(str(folder)),
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
        "skipped_files": [f"{i.name} : {i.reason}" for i in summary.skipped],
        "notices": list(summary.notices),
        "override_problems": [f"ligne {p.line} : {p.message}" for p in summary.override_problems],
        "durations_s": durations,
    }
    write_atomic(out / "run.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""
