"""`autocorrect regress`: what a rubric change does to candidates, before it reaches them.

The baseline is either a folder of earlier results (the `<candidate>.json` files `batch` writes)
or the same rubric at another git revision, regraded on the same submissions. The impact is
counted per question (how many verdicts moved, up or down in points) and per candidate (score
before and after); the caller fails CI when more candidates moved than it allows.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autocorrect import french
from autocorrect.errors import AutocorrectError
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.folder import submissions
from autocorrect.session.job import Job
from autocorrect.session.limits import RunLimits, default_jobs
from autocorrect.session.names import report_names
from autocorrect.session.pool import WorkerPool

Result = Mapping[str, object]  # one candidate's JSON report, as written by `batch`


class RegressError(AutocorrectError):
    """The baseline cannot be obtained (missing folder, unknown git revision…)."""


@dataclass(frozen=True)
class QuestionMove:
    question: str
    before: str
    after: str
    points_before: float
    points_after: float


@dataclass(frozen=True)
class CandidateImpact:
    candidate: str
    score_before: float | None
    score_after: float | None
    status_before: str
    status_after: str
    moves: tuple[QuestionMove, ...]

    @property
    def changed(self) -> bool:
        return (
            bool(self.moves)
            or self.score_before != self.score_after
            or (self.status_before != self.status_after)
        )


@dataclass(frozen=True)
class Impact:
    candidates: tuple[CandidateImpact, ...]

    @property
    def changed(self) -> tuple[CandidateImpact, ...]:
        return tuple(c for c in self.candidates if c.changed)

    def per_question(self) -> dict[str, dict[str, int]]:
        """Question -> {"up": n, "down": n, "same points": n}."""
        counts: dict[str, dict[str, int]] = {}
        for candidate in self.candidates:
            for move in candidate.moves:
                bucket = counts.setdefault(move.question, {"up": 0, "down": 0, "same points": 0})
                if move.points_after > move.points_before:
                    bucket["up"] += 1
                elif move.points_after < move.points_before:
                    bucket["down"] += 1
                else:
                    bucket["same points"] += 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, object]:
        return {
            "candidates": len(self.candidates),
            "changed_candidates": len(self.changed),
            "per_question": self.per_question(),
            "per_candidate": [
                {
                    "candidate": c.candidate,
                    "score_before": c.score_before,
                    "score_after": c.score_after,
                    "status_before": c.status_before,
                    "status_after": c.status_after,
                    "moves": [m.__dict__ for m in c.moves],
                }
                for c in self.changed
            ],
        }


def regrade(folder: Path, rubric: Rubric, limits: RunLimits | None = None) -> dict[str, Result]:
    """Grade every submission of a folder, keyed by the report name `batch` would use, in the
    batch's pool of killable workers (same time and memory limits per copy)."""
    paths, _ = submissions(folder)
    names = report_names(paths)
    jobs = [Job(p, names[p]) for p in paths]
    if not jobs:
        return {}
    size = min(default_jobs(), len(jobs))
    with WorkerPool(rubric, size, limits or RunLimits(), rubric.id) as pool:
        results = {r.job.name: r.report.to_dict() for r in pool.run(jobs)}
    return dict(sorted(results.items()))


def baseline_from_folder(folder: Path) -> dict[str, Result]:
    if not folder.is_dir():
        raise RegressError(f"Dossier de résultats de référence introuvable : {folder}")
    results: dict[str, Result] = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "questions" in data and "status" in data:
            results[path.stem] = data
    if not results:
        raise RegressError(f"Aucun rapport JSON de candidat dans {folder}")
    return results


def rubric_at_revision(rubric_path: Path, revision: str) -> Rubric:
    """The rubric as it was at a git revision, read beside the current one (same relative
    subject path), then removed."""
    repo = _git(rubric_path.parent, "rev-parse", "--show-toplevel").strip()
    relative = rubric_path.resolve().relative_to(Path(repo).resolve())
    text = _git(Path(repo), "show", f"{revision}:{relative.as_posix()}")
    with tempfile.NamedTemporaryFile(
        "w", suffix=".yaml", prefix=".regress-", dir=rubric_path.parent, delete=False
    ) as handle:
        handle.write(text)
    temporary = Path(handle.name)
    try:
        return load_rubric(temporary)
    finally:
        temporary.unlink(missing_ok=True)


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RegressError(f"git {' '.join(args)} a échoué : {done.stderr.strip()}")
    return done.stdout


def compare(before: Mapping[str, Result], after: Mapping[str, Result]) -> Impact:
    impacts = [
        _candidate_impact(name, before.get(name, {}), after.get(name, {}))
        for name in sorted(set(before) | set(after))
    ]
    return Impact(tuple(impacts))


def _candidate_impact(name: str, before: Result, after: Result) -> CandidateImpact:
    old, new = _questions(before), _questions(after)
    moves = tuple(
        QuestionMove(qid, old.get(qid, ("—", 0.0))[0], new.get(qid, ("—", 0.0))[0],
                     old.get(qid, ("—", 0.0))[1], new.get(qid, ("—", 0.0))[1])
        for qid in sorted(set(old) | set(new))
        if old.get(qid) != new.get(qid)
    )  # fmt: skip
    return CandidateImpact(
        candidate=name,
        score_before=_score(before),
        score_after=_score(after),
        status_before=str(before.get("status", "absent")),
        status_after=str(after.get("status", "absent")),
        moves=moves,
    )


def _questions(result: Result) -> dict[str, tuple[str, float]]:
    questions = result.get("questions") or []
    assert isinstance(questions, list)
    return {str(q["id"]): (str(q["verdict"]), float(q["points"])) for q in questions}


def _score(result: Result) -> float | None:
    score = result.get("score")
    return float(score) if isinstance(score, int | float) else None


# --- renderings -------------------------------------------------------------------------------


def render_text(impact: Impact) -> str:
    lines = [f"{len(impact.candidates)} copie(s), {len(impact.changed)} modifiée(s)."]
    per_question = impact.per_question()
    if per_question:
        lines.append("Par question : verdicts modifiés (hausse / baisse / mêmes points)")
        lines += [f"  {q:<10} {c['up']:>3} ↑ {c['down']:>3} ↓ {c['same points']:>3} ="
                  for q, c in per_question.items()]  # fmt: skip
    for candidate in impact.changed:
        lines.append(f"  {candidate.candidate} : {_fmt(candidate.score_before)} → "
                     f"{_fmt(candidate.score_after)}")  # fmt: skip
        lines += [f"      {m.question} : {m.before} → {m.after}" for m in candidate.moves]
    return "\n".join(lines) + "\n"


def render_markdown(impact: Impact) -> str:
    lines = [
        "### Impact du changement de barème",
        "",
        f"{len(impact.candidates)} copie(s), **{len(impact.changed)} modifiée(s)**.",
        "",
    ]
    per_question = impact.per_question()
    if per_question:
        lines += ["| question | hausse | baisse | mêmes points |", "|---|---|---|---|"]
        lines += [f"| {q} | {c['up']} | {c['down']} | {c['same points']} |"
                  for q, c in per_question.items()]  # fmt: skip
        lines.append("")
    if impact.changed:
        lines += ["| candidat | avant | après | questions modifiées |", "|---|---|---|---|"]
        lines += [
            f"| {c.candidate} | {_fmt(c.score_before)} | {_fmt(c.score_after)} | "
            + ", ".join(f"{m.question} {m.before}→{m.after}" for m in c.moves)
            + " |"
            for c in impact.changed
        ]
    return "\n".join(lines) + "\n"


def render_json(impact: Impact) -> str:
    return json.dumps(impact.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _fmt(score: float | None) -> str:
    return "—" if score is None else french.points(score)
