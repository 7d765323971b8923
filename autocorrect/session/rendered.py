"""What each summary output of a batch was made from, so that a rerun writes only what changed.

A batch ends by rebuilding its summary outputs (reports in HTML, gradebooks, lists, collusion
signals, index, pages for the jury, annotated copies showing decisions) from the saved reports,
the jury's overrides and the rubric. `.autocorrect/outputs.json` records, for each output, a
digest of its inputs and a digest of its bytes: an output whose inputs are the same and whose
file still holds those bytes is not rendered again. The record also keeps a digest of every
input of the batch's outputs together, with the collusion signals and the override problems:
when nothing changed at all, nothing is rendered and no report is read.

The record is written after every output, and each output is checked against its own bytes: a
batch stopped while writing its outputs, or an output edited or deleted by hand, is rendered
again by the next run. Same inputs give the same bytes either way, rendered or kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from autocorrect import __version__
from autocorrect.jury.collusion import Signal, SignalKind
from autocorrect.jury.overrides import OverrideProblem
from autocorrect.session.store import STATE_DIR, write_atomic, write_if_changed

RECORD_FILE = f"{STATE_DIR}/outputs.json"


def digest(*parts: str | bytes) -> str:
    """One SHA-256 of several inputs, each part delimited (no two lists of parts collide),
    prefixed by the engine version (a new engine renders everything again)."""
    hashed = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes; "" when it cannot be read (it is rendered again)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


@dataclass(frozen=True)
class Record:
    batch: str = ""  # digest of every input of the batch's outputs
    signals_inputs: str = ""  # digest of what the collusion signals were computed from
    files: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # path: inputs, bytes
    signals: tuple[Signal, ...] = ()
    problems: tuple[OverrideProblem, ...] = ()

    def fresh(self, out: Path, batch: str) -> bool:
        """Whether every output is there, made from these inputs: nothing to render."""
        return (
            bool(self.batch)
            and self.batch == batch
            and all(file_digest(out / name) == kept for name, (_, kept) in self.files.items())
        )


def load_record(out: Path) -> Record:
    """The record of the last batch that finished its outputs; empty when absent or damaged
    (then everything is rendered)."""
    try:
        data = json.loads((out / RECORD_FILE).read_text(encoding="utf-8"))
        return Record(
            batch=str(data["batch"]),
            signals_inputs=str(data["signals_inputs"]),
            files={str(k): (str(v[0]), str(v[1])) for k, v in data["files"].items()},
            signals=tuple(_signal(s) for s in data["signals"]),
            problems=tuple(OverrideProblem(int(p[0]), str(p[1])) for p in data["problems"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return Record()


def save_record(out: Path, record: Record) -> None:
    data = {
        "batch": record.batch,
        "signals_inputs": record.signals_inputs,
        "files": {name: list(pair) for name, pair in sorted(record.files.items())},
        "signals": [
            [str(s.kind), list(s.candidates), s.measure, list(s.evidence)] for s in record.signals
        ],
        "problems": [[p.line, p.message] for p in record.problems],
    }
    write_atomic(out / RECORD_FILE, json.dumps(data, ensure_ascii=False, indent=0) + "\n")


def _signal(data: list[object]) -> Signal:
    kind, candidates, measure, evidence = data
    if not (isinstance(candidates, list) and isinstance(evidence, list)):
        raise TypeError("signal")
    if not isinstance(measure, int | float):
        raise TypeError("signal measure")
    names, facts = tuple(map(str, candidates)), tuple(map(str, evidence))
    return Signal(SignalKind(str(kind)), names, float(measure), facts)


def _given(data: str | bytes) -> str | bytes:
    return data


class Writer:
    """Writes the outputs whose inputs or bytes changed since the record, and records all."""

    def __init__(self, out: Path, previous: Record) -> None:
        self.out = out
        self.previous = previous
        self.files: dict[str, tuple[str, str]] = {}

    def write(self, name: str, inputs: str, render: Callable[[], str | bytes]) -> None:
        """`name` (relative to the output folder) from `render()`, unless the record says it
        was made from the same `inputs` and the file still holds what was written."""
        path = self.out / name
        kept = self.previous.files.get(name)
        if kept is not None and kept[0] == inputs and file_digest(path) == kept[1]:
            self.files[name] = kept
            return
        data = render()
        payload = data.encode("utf-8") if isinstance(data, str) else data
        path.parent.mkdir(exist_ok=True)
        write_if_changed(path, payload)
        self.files[name] = (inputs, hashlib.sha256(payload).hexdigest())

    def write_group(self, inputs: str, render: Callable[[], Mapping[str, str | bytes]]) -> None:
        """Outputs rendered together (the jury's pages): all kept when the record lists them
        with these inputs and they all hold what was written, else all rendered."""
        kept = {n: pair for n, pair in self.previous.files.items() if pair[0] == inputs}
        if kept and all(file_digest(self.out / n) == pair[1] for n, pair in kept.items()):
            self.files.update(kept)
            return
        for name, data in render().items():
            self.write(name, inputs, partial(_given, data))

    def check(self, name: str, inputs: str, update: Callable[[], None]) -> None:
        """An output another step may have written (an annotated copy): `update()` brings it
        up to date, unless the record says it is already, from the same `inputs`."""
        path = self.out / name
        kept = self.previous.files.get(name)
        if kept is not None and kept[0] == inputs and file_digest(path) == kept[1]:
            self.files[name] = kept
            return
        update()
        self.files[name] = (inputs, file_digest(path))

    def record(self, batch: str, signals_inputs: str, signals: Iterable[Signal],
               problems: Iterable[OverrideProblem]) -> Record:  # fmt: skip
        return Record(batch, signals_inputs, dict(self.files), tuple(signals), tuple(problems))
