"""Manual overrides: the jury's decisions, kept apart from the automatic grade (nbgrader keeps
`auto_score` and `manual_score` as separate fields; the final score prefers the manual one).

The jury writes `OUT/overrides.csv` (comma or semicolon separated, as a French spreadsheet
saves it), one decision per row:

    candidat;question;points;verdict;motif;auteur
    cand05-report-erreur;C20-Q14;1;;report d'erreur admis à l'oral;Mme Martin

`points` or `verdict` (or both) must be given; an optional `verdict automatique` column records
the automatic verdict the jury saw. The batch never writes this file, so overrides survive every
regrade. When the automatic verdict or points of an overridden question later differ from those
the decision was taken against, the override is flagged for the jury to look at again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from autocorrect.grading.pipeline import criteria_results
from autocorrect.report import CandidateReport, CriterionResult, QuestionResult, Status, Verdict
from autocorrect.rubric.model import Rubric

FILE_NAME = "overrides.csv"
HEADER = ("candidat", "question", "points", "verdict", "motif", "auteur")
VERDICT_WORDS: Mapping[str, Verdict] = {
    "correct": Verdict.CORRECT,
    "juste": Verdict.CORRECT,
    "consequential": Verdict.CONSEQUENTIAL,
    "report d'erreur": Verdict.CONSEQUENTIAL,
    "hardcoded": Verdict.HARDCODED,
    "valeur saisie": Verdict.HARDCODED,
    "incorrect": Verdict.INCORRECT,
    "faux": Verdict.INCORRECT,
    "missing": Verdict.MISSING,
    "absent": Verdict.MISSING,
}
_COLUMNS = {
    "candidat": "candidat",
    "candidate": "candidat",
    "question": "question",
    "points": "points",
    "verdict": "verdict",
    "motif": "motif",
    "raison": "motif",
    "reason": "motif",
    "auteur": "auteur",
    "qui": "auteur",
    "author": "auteur",
    "verdict automatique": "verdict automatique",
    "verdict_automatique": "verdict automatique",
    "verdict auto": "verdict automatique",
}


@dataclass(frozen=True)
class Override:
    candidate: str
    question: str
    points: float | None
    verdict: Verdict | None
    reason: str
    author: str
    line: int
    seen_verdict: Verdict | None = None  # the automatic verdict the jury saw, if written

    @property
    def key(self) -> str:
        """Identity of the decision: any edit of the row makes it a new decision."""
        text = "\x1f".join(
            [self.candidate, self.question, f"{self.points}", f"{self.verdict}", self.reason,
             self.author, f"{self.seen_verdict}"]
        )  # fmt: skip
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class OverrideProblem:
    line: int
    message: str  # French


@dataclass(frozen=True)
class Baseline:
    """The automatic result an override was decided against."""

    verdict: str
    points: float


@dataclass(frozen=True)
class QuestionDecision:
    """One question: automatic result, the jury's override if any, and the final result."""

    question: str
    max_points: float
    auto_verdict: Verdict
    auto_points: float
    final_verdict: Verdict
    final_points: float
    override: Override | None = None
    changed_from: Baseline | None = None  # automatic result the override was decided against,
    # when the current automatic result differs from it (the jury should look again)


@dataclass(frozen=True)
class FinalGrade:
    candidate: str
    auto_score: float
    final_score: float
    max_score: float
    decisions: tuple[QuestionDecision, ...]
    criteria: tuple[CriterionResult, ...]  # proposals recomputed from the final points

    @property
    def overridden(self) -> tuple[QuestionDecision, ...]:
        return tuple(d for d in self.decisions if d.override is not None)

    @property
    def to_recheck(self) -> tuple[QuestionDecision, ...]:
        return tuple(d for d in self.decisions if d.changed_from is not None)


# --- reading the jury's file ----------------------------------------------------------------


def read_overrides(path: Path) -> tuple[tuple[Override, ...], tuple[OverrideProblem, ...]]:
    """Every valid row, and a French problem for each row that cannot be used."""
    if not path.is_file():
        return (), ()
    text = _decode(path.read_bytes())
    lines = text.splitlines()
    if not lines:
        return (), ()
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_COLUMNS.get(_fold(h), _fold(h)) for h in next(reader, [])]
    missing = [c for c in ("candidat", "question") if c not in header]
    if missing:
        return (), (OverrideProblem(1, f"colonnes manquantes : {', '.join(missing)}"),)
    overrides, problems = [], []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        parsed = _parse_row(dict(zip(header, row, strict=False)), number)
        if isinstance(parsed, Override):
            overrides.append(parsed)
        else:
            problems.append(parsed)
    return _last_wins(overrides, problems)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # a spreadsheet saved "CSV (Windows)"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _parse_row(row: Mapping[str, str], line: int) -> Override | OverrideProblem:
    candidate, question = row.get("candidat", "").strip(), row.get("question", "").strip()
    if not candidate or not question:
        return OverrideProblem(line, "candidat et question sont obligatoires")
    points_text = row.get("points", "").strip().replace(",", ".").replace(" ", "")
    verdict_text = _fold(row.get("verdict", ""))
    seen_text = _fold(row.get("verdict automatique", ""))
    if not points_text and not verdict_text:
        return OverrideProblem(line, "indiquer des points ou un verdict")
    try:
        points = float(points_text) if points_text else None
    except ValueError:
        return OverrideProblem(line, f"points illisibles : « {row.get('points', '')} »")
    for text in (verdict_text, seen_text):
        if text and text not in VERDICT_WORDS and text not in ("review", "a verifier"):
            allowed = ", ".join(sorted({w for w in VERDICT_WORDS if "'" not in w} | {"…"}))
            return OverrideProblem(line, f"verdict inconnu « {text} » (permis : {allowed})")
    if verdict_text in ("review", "a verifier"):
        return OverrideProblem(line, "« à vérifier » n'est pas une décision du jury")
    return Override(
        candidate,
        question,
        points,
        VERDICT_WORDS.get(verdict_text),
        row.get("motif", "").strip(),
        row.get("auteur", "").strip(),
        line,
        _seen(seen_text),
    )


def _seen(text: str) -> Verdict | None:
    if text in ("review", "a verifier"):
        return Verdict.REVIEW
    return VERDICT_WORDS.get(text)


def _last_wins(
    overrides: list[Override], problems: list[OverrideProblem]
) -> tuple[tuple[Override, ...], tuple[OverrideProblem, ...]]:
    kept: dict[tuple[str, str], Override] = {}
    for override in overrides:
        earlier = kept.get((override.candidate, override.question))
        if earlier is not None:
            problems.append(
                OverrideProblem(
                    earlier.line,
                    f"remplacée par la ligne {override.line} (même candidat, même question)",
                )
            )
        kept[(override.candidate, override.question)] = override
    return tuple(kept.values()), tuple(sorted(problems, key=lambda p: p.line))


def check_overrides(
    overrides: Sequence[Override], reports: Mapping[str, CandidateReport], rubric: Rubric
) -> tuple[tuple[Override, ...], tuple[OverrideProblem, ...]]:
    """Keep the overrides that name a graded candidate and a question of the rubric with
    points in range; a French problem for the others."""
    maximum = {q.id: q.points for q in rubric.questions}
    valid, problems = [], []
    for override in overrides:
        report = reports.get(override.candidate)
        problem = ""
        if report is None:
            problem = f"candidat inconnu « {override.candidate} »"
        elif report.status != Status.GRADED:
            problem = f"la copie « {override.candidate} » n'a pas été corrigée automatiquement"
        elif override.question not in maximum:
            problem = f"question inconnue « {override.question} » dans le barème {rubric.id}"
        elif override.points is not None and not 0 <= override.points <= maximum[override.question]:
            problem = (
                f"{override.points:g} point(s) hors de l'intervalle 0 – "
                f"{maximum[override.question]:g} de {override.question}"
            )
        if problem:
            problems.append(OverrideProblem(override.line, problem))
        else:
            valid.append(override)
    return tuple(valid), tuple(problems)


# --- applying them ----------------------------------------------------------------------------


def final_grade(
    report: CandidateReport,
    rubric: Rubric,
    overrides: Mapping[str, Override],
    baselines: Mapping[str, Baseline],
) -> FinalGrade:
    """The final grade of one candidate; `overrides` by question id, `baselines` by key."""
    decisions = tuple(_decide(q, rubric, overrides.get(q.id), baselines) for q in report.questions)
    final_questions = [
        replace(q, verdict=d.final_verdict, points=d.final_points)
        for q, d in zip(report.questions, decisions, strict=True)
    ]
    criteria = criteria_results(rubric, final_questions) if decisions else report.criteria
    return FinalGrade(
        report.candidate,
        report.score,
        round(sum(d.final_points for d in decisions), 4) if decisions else report.score,
        report.max_score,
        decisions,
        criteria,
    )


def _decide(
    question: QuestionResult,
    rubric: Rubric,
    override: Override | None,
    baselines: Mapping[str, Baseline],
) -> QuestionDecision:
    auto = QuestionDecision(
        question.id, question.max_points, question.verdict, question.points,
        question.verdict, question.points,
    )  # fmt: skip
    if override is None:
        return auto
    verdict = override.verdict or _verdict_for_points(question, override.points)
    points = override.points
    if points is None:
        points = question.max_points * rubric.scoring.share(str(verdict))
    baseline = baseline_for(override, question, baselines)
    return replace(
        auto,
        final_verdict=verdict,
        final_points=round(points, 4),
        override=override,
        changed_from=baseline if _changed(question, baseline) else None,
    )


def _verdict_for_points(question: QuestionResult, points: float | None) -> Verdict:
    """Points without a verdict: the automatic verdict stands, unless it was `review` (the jury
    has now decided: full points read as right, anything less as wrong)."""
    if question.verdict != Verdict.REVIEW:
        return question.verdict
    return Verdict.CORRECT if (points or 0.0) >= question.max_points else Verdict.INCORRECT


def baseline_for(
    override: Override, question: QuestionResult, baselines: Mapping[str, Baseline]
) -> Baseline:
    """What the override was decided against: the verdict the jury wrote, else the automatic
    result recorded the first time the override was applied, else the current one."""
    if override.seen_verdict is not None:
        return Baseline(str(override.seen_verdict), -1.0)  # points unknown: verdict compared
    return baselines.get(override.key) or Baseline(str(question.verdict), question.points)


def _changed(question: QuestionResult, baseline: Baseline) -> bool:
    verdict_changed = baseline.verdict != str(question.verdict)
    points_changed = baseline.points >= 0 and abs(baseline.points - question.points) > 1e-9
    return verdict_changed or points_changed


# --- the baselines, kept by the batch ---------------------------------------------------------


def load_baselines(path: Path) -> dict[str, Baseline]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): Baseline(str(v["verdict"]), float(v["points"]))
        for k, v in data.items()
        if isinstance(v, dict) and "verdict" in v and "points" in v
    }


def updated_baselines(
    baselines: Mapping[str, Baseline],
    overrides: Sequence[Override],
    reports: Mapping[str, CandidateReport],
) -> dict[str, Baseline]:
    """Baselines of the overrides still in the file: the recorded ones are kept, the new ones
    get the current automatic result. Rows removed from the file are forgotten."""
    kept: dict[str, Baseline] = {}
    for override in overrides:
        report = reports.get(override.candidate)
        question = (
            next((q for q in report.questions if q.id == override.question), None)
            if (report)
            else None
        )
        if question is not None:
            kept[override.key] = baselines.get(override.key) or Baseline(
                str(question.verdict), question.points
            )
    return dict(sorted(kept.items()))


def render_baselines(baselines: Mapping[str, Baseline]) -> str:
    data = {k: {"verdict": b.verdict, "points": b.points} for k, b in sorted(baselines.items())}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
