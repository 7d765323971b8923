"""`autocorrect rubric check`: is this rubric fit to grade candidates?

A rubric passes when it loads (schema, references, no cycle), its cross-checks agree with the
computed values, it covers every question of the case's statement, its tolerances are sensible,
the case's reference solution scores full marks with no finding, and every bundled fixture still
gets its golden verdicts. Each problem is one French line naming the file and what to fix.

The case folder is the subject's folder: `sujet.xlsx`, `enonce.md`, `solution.xlsx`,
`submissions/*.xlsx`, `goldens/<stem>.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autocorrect.api import grade
from autocorrect.errors import RubricError
from autocorrect.reference.case import load_case
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.model import Rubric, load_rubric

# Codes a flawless solution may carry: its charts are found, its formulas proven.
_EXPECTED_ON_SOLUTION = {"chart-found", "formula-proven"}
_QUESTION_ID = re.compile(r"\b(C\d+-Q\d+)\b")
_SENSIBLE_ABS = {  # unit -> largest absolute tolerance that still grades something
    "eur": 1.0,
    "percent": 0.005,
    "coefficient": 0.05,
    "days": 2.0,
    "date": 2.0,
    "count": 0.5,
    "number": 0.05,
    "points": 1.0,
}


@dataclass(frozen=True)
class CheckReport:
    rubric: Path
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what was verified, for the log

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rubric(path: Path) -> CheckReport:
    """Run every check; never raises for a bad rubric (the problems say why)."""
    try:
        rubric = load_rubric(path)
        load_case(rubric)
    except RubricError as exc:
        return CheckReport(path, (str(exc),))
    problems: list[str] = []
    notes: list[str] = []
    problems += _coverage(rubric, notes)
    problems += _tolerances(rubric)
    problems += _solution(rubric, notes)
    problems += _goldens(rubric, notes)
    return CheckReport(path, tuple(problems), tuple(notes))


def _coverage(rubric: Rubric, notes: list[str]) -> list[str]:
    enonce = rubric.subject.parent / "enonce.md"
    if not enonce.is_file():
        return [f"{rubric.path} : énoncé introuvable ({enonce}) : impossible de vérifier que "
                "toutes les questions sont couvertes."]  # fmt: skip
    asked = set(_QUESTION_ID.findall(enonce.read_text(encoding="utf-8")))
    covered = {q.id for q in rubric.questions}
    notes.append(f"{len(covered & asked)} question(s) de l'énoncé couvertes")
    problems = [f"{rubric.path} : la question {q} de l'énoncé n'a pas de barème : l'ajouter "
                "dans « questions: »." for q in sorted(asked - covered)]  # fmt: skip
    problems += [f"{rubric.path} : la question {q} n'existe pas dans l'énoncé {enonce.name} : "
                 "corriger son identifiant." for q in sorted(covered - asked)]  # fmt: skip
    return problems


def _tolerances(rubric: Rubric) -> list[str]:
    problems = []
    for question in rubric.questions:
        for item in question.items:
            limit = _SENSIBLE_ABS.get(item.unit)
            if limit is not None and item.tolerance.absolute > limit:
                problems.append(
                    f"{rubric.path} : {question.id}[{item.key}] : tolérance absolue "
                    f"{item.tolerance.absolute:g} trop large pour l'unité « {item.unit} » "
                    f"(au plus {limit:g})."
                )
    return problems


def _solution(rubric: Rubric, notes: list[str]) -> list[str]:
    solution = rubric.subject.parent / "solution.xlsx"
    if not solution.is_file():
        return [f"{rubric.path} : solution de référence introuvable ({solution})."]
    report = grade(solution, rubric)
    if report.status != Status.GRADED:
        return [
            f"{solution} : la solution de référence n'a pas pu être corrigée : {report.message}"
        ]
    problems = [
        f"{solution} : {q.id} obtient « {q.verdict} » au lieu de « correct » : "
        + "; ".join(f"{i.key} : {i.explanation}" for i in q.items if str(i.verdict) != "correct")
        for q in report.questions
        if str(q.verdict) != "correct"
    ]
    codes = sorted(
        {str(c) for q in report.questions for i in q.items for c in i.codes} - _EXPECTED_ON_SOLUTION
    )
    if codes:
        problems.append(f"{solution} : constats inattendus sur la solution : {', '.join(codes)}.")
    problems += [f"{solution} : constat « {f.code} » : {f.message}" for f in report.findings]
    notes.append(f"solution : {report.score:g} / {report.max_score:g}")
    return problems


def _goldens(rubric: Rubric, notes: list[str]) -> list[str]:
    folder = rubric.subject.parent
    problems, checked = [], 0
    for path in sorted((folder / "submissions").glob("*.xlsx")):
        golden = folder / "goldens" / f"{path.stem}.json"
        if not golden.is_file():
            continue
        checked += 1
        problems += _golden_diff(path, golden, grade(path, rubric))
    notes.append(f"{checked} copie(s) d'exemple comparées à leurs verdicts de référence")
    return problems


def _golden_diff(path: Path, golden: Path, report: CandidateReport) -> list[str]:
    expected = {q["id"]: q["verdict"] for q in json.loads(golden.read_text("utf-8"))["questions"]}
    got = report.verdicts()
    return [
        f"{path} : {qid} passe de « {expected.get(qid, '—')} » à « {got.get(qid, '—')} » "
        f"(référence {golden.name})."
        for qid in sorted(set(expected) | set(got))
        if expected.get(qid) != got.get(qid)
    ]
