"""What a batch keeps on disk between runs: atomic writes, content hashes, reports read back.

A rerun must know, without grading again, which candidates are already done: for each one the
output folder holds its JSON report and a small state file (hidden folder `.autocorrect/`)
naming the file's identity (its hash) and the rubric hash it was graded with. The state file
is written last, atomically, so its presence means every output of that candidate is
complete.
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
from autocorrect.report import (
    CandidateReport,
    Code,
    CriterionResult,
    Evidence,
    Finding,
    ItemResult,
    Proposal,
    QuestionResult,
    Status,
    Verdict,
)
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

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "source": self.source,
            "file_hash": self.file_hash,
            "rubric_hash": self.rubric_hash,
            "annotated": self.annotated,
            "traits": self.traits.to_dict(),
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
        return report_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- the JSON contract read back --------------------------------------------------------------


def report_from_dict(data: Mapping[str, object]) -> CandidateReport:
    """Inverse of CandidateReport.to_dict: render_json(report_from_dict(d)) reproduces d."""
    evidence = data.get("evidence")
    return CandidateReport(
        candidate=str(data["candidate"]),
        rubric=str(data["rubric"]),
        status=Status(str(data["status"])),
        message=str(data.get("message", "")),
        score=_float(data.get("score", 0.0)),
        max_score=_float(data.get("max_score", 0.0)),
        questions=tuple(_question(q) for q in _dicts(data.get("questions"))),
        criteria=tuple(_criterion(c) for c in _dicts(data.get("criteria"))),
        findings=tuple(_finding(f) for f in _dicts(data.get("findings"))),
        evidence=_evidence(evidence) if isinstance(evidence, dict) else None,
    )


def _dicts(value: object) -> list[Mapping[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float | str) else 0.0


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _question(data: Mapping[str, object]) -> QuestionResult:
    return QuestionResult(
        id=str(data["id"]),
        title=str(data["title"]),
        verdict=Verdict(str(data["verdict"])),
        points=_float(data["points"]),
        max_points=_float(data["max_points"]),
        items=tuple(_item(i) for i in _dicts(data.get("items"))),
        criteria=_strings(data.get("criteria")),
    )


def _item(data: Mapping[str, object]) -> ItemResult:
    def optional(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return ItemResult(
        key=str(data["key"]),
        verdict=Verdict(str(data["verdict"])),
        expected=data.get("expected"),
        found=data.get("found"),
        cell=optional("cell"),
        formula=optional("formula"),
        located_by=optional("located_by"),
        explanation=str(data.get("explanation", "")),
        codes=tuple(Code(c) for c in _strings(data.get("codes"))),
    )


def _criterion(data: Mapping[str, object]) -> CriterionResult:
    return CriterionResult(
        id=str(data["id"]),
        label=str(data["label"]),
        points=_float(data["points"]),
        max_points=_float(data["max_points"]),
        proposal=Proposal(str(data["proposal"])),
        reason=str(data["reason"]),
    )


def _finding(data: Mapping[str, object]) -> Finding:
    cell = data.get("cell")
    return Finding(
        Code(str(data["code"])), str(data["message"]), None if cell is None else str(cell)
    )


def _evidence(data: Mapping[str, object]) -> Evidence:
    formats = data.get("number_formats")
    answers_found = data.get("answers_found", 0)
    by_formula = data.get("answers_by_formula", 0)
    labelled = data.get("labelled_answers", 0)
    return Evidence(
        added_sheets=_strings(data.get("added_sheets")),
        answers_found=int(answers_found) if isinstance(answers_found, int) else 0,
        answers_by_formula=int(by_formula) if isinstance(by_formula, int) else 0,
        typed_answers=_strings(data.get("typed_answers")),
        number_formats=tuple((str(k), int(v)) for k, v in formats.items() if isinstance(v, int))
        if isinstance(formats, dict)
        else (),
        labelled_answers=int(labelled) if isinstance(labelled, int) else 0,
        conditional_formats=_strings(data.get("conditional_formats")),
        charts=_strings(data.get("charts")),
    )
