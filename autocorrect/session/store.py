"""What a batch keeps on disk between runs: atomic writes, content hashes, reports read back.

A rerun must know, without grading again, which candidates are already done: for each one the
output folder holds its JSON report and a small state file (hidden folder `.autocorrect/`)
naming the file's identity (its hash), the rubric hash it was graded with, and the hash and
status of the JSON report written (a rerun checks the report by its hash instead of reading it).
The state file is written last, atomically, so its presence means every output of that
candidate is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autocorrect import __version__
from autocorrect.jury.traits import Traits
from autocorrect.report import CandidateReport, report_from_dict
from autocorrect.rubric.model import Rubric

STATE_DIR = ".autocorrect"


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


FILE_MODE = 0o666 & ~_umask()  # what open() would give: 0644 under the usual umask 022


def write_atomic(path: Path, data: str | bytes, durable: bool = False) -> None:
    """Write to a temporary file then rename, so a stop never leaves half a file; `durable`
    also flushes it to the disk first (the commit marker of a candidate). The file gets the
    mode a plain open() would give (the temporary file is private until then)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Atomic write skipped when the file already holds exactly these bytes."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == payload:
        return False
    write_atomic(path, payload)
    return True


def rubric_hash(rubric: Rubric) -> str:
    """Everything a grade depends on besides the file: the rubric text, the subject workbook
    and the engine version (a new engine regrades)."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(b"\0" + rubric.path.read_bytes())
    digest.update(b"\0" + rubric.subject.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class CandidateState:
    """Proof that a candidate's outputs are complete, and what they were computed from."""

    name: str
    source: str  # the submission's file name in the folder
    file_hash: str  # the file's identity (`folder.identity`): its SHA-256 in the usual case
    rubric_hash: str
    annotated: bool
    traits: Traits
    report_hash: str = ""  # SHA-256 of the JSON report written ("" in states saved before)
    status: str = ""  # the report's status

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "source": self.source,
            "file_hash": self.file_hash,
            "rubric_hash": self.rubric_hash,
            "annotated": self.annotated,
            "traits": self.traits.to_dict(),
            "report_hash": self.report_hash,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CandidateState:
        traits = data.get("traits")
        return cls(
            name=str(data["name"]),
            source=str(data["source"]),
            file_hash=str(data["file_hash"]),
            rubric_hash=str(data["rubric_hash"]),
            annotated=bool(data["annotated"]),
            traits=Traits.from_dict(traits if isinstance(traits, dict) else {}),
            report_hash=str(data.get("report_hash", "")),
            status=str(data.get("status", "")),
        )


def state_path(out: Path, name: str) -> Path:
    return out / STATE_DIR / "candidates" / f"{name}.json"


def save_state(out: Path, state: CandidateState) -> None:
    path = state_path(out, state.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_atomic(path, text, durable=True)


def load_state(out: Path, name: str) -> CandidateState | None:
    """The saved state, or None when absent or unreadable (then the candidate is regraded)."""
    try:
        data = json.loads(state_path(out, name).read_text(encoding="utf-8"))
        return CandidateState.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def saved_names(out: Path) -> list[str]:
    folder = out / STATE_DIR / "candidates"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load_report(path: Path) -> CandidateReport | None:
    try:
        return parse_report(path.read_bytes())
    except OSError:
        return None


def parse_report(data: bytes) -> CandidateReport | None:
    """A saved JSON report read back; None when it is not one."""
    try:
        return report_from_dict(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError):
        return None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
