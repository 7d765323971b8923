"""`autocorrect rubric check`: is this rubric fit to grade candidates?

A rubric passes when it loads (schema, references, no cycle), its cross-checks agree with the
computed values, it covers every question of the case's statement, its tolerances are sensible,
the case's reference solution scores full marks with no finding, and every bundled fixture still
gets its golden verdicts. Each problem is one French line naming the file and what to fix.

The case's files are found, in this order: the command's options (`--solution`, `--enonce`,
`--samples`, `--expected`), the rubric's keys (`solution:`, `enonce:`, `samples:`, `expected:`,
relative to the rubric), then the subject's folder: `enonce.md`, `solution.xlsx`,
`submissions/*.xlsx`, `goldens/<stem>.json`. Expected verdicts are either a folder of report
JSON files named after the samples, or one YAML file `{copie: {question: verdict}}` (an
`intents.yaml` with its `verdicts:` reads too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autocorrect.api import grade
from autocorrect.authoring.enonce import load_enonce
from autocorrect.errors import RubricError
from autocorrect.reference.case import load_case
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import CaseFiles, Rubric

# Codes a flawless solution may carry: its charts are found, its formulas proven.
_EXPECTED_ON_SOLUTION = {"chart-found", "formula-proven"}
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


def check_rubric(path: Path, given: CaseFiles | None = None) -> CheckReport:
    """Run every check; never raises for a bad rubric (the problems say why). `given`: the
    case files named on the command line, before the rubric's own keys."""
    try:
        rubric = load_rubric(path)
        load_case(rubric)
    except RubricError as exc:
        return CheckReport(path, (str(exc),))
    files = case_files(rubric, given)
    problems: list[str] = []
    notes: list[str] = []
    problems += _coverage(rubric, files, notes)
    problems += _tolerances(rubric)
    problems += _solution(rubric, files, notes)
    problems += _goldens(rubric, files, notes)
    return CheckReport(path, tuple(problems), tuple(notes))


def case_files(rubric: Rubric, given: CaseFiles | None = None) -> CaseFiles:
    """Each case file from the command line, else the rubric, else beside the subject."""
    folder = rubric.subject.parent
    defaults = CaseFiles(
        folder / "solution.xlsx", folder / "enonce.md", folder / "submissions", folder / "goldens"
    )
    layers = [given or CaseFiles(), rubric.case_files or CaseFiles(), defaults]
    return CaseFiles(
        *(
            next(getattr(layer, key) for layer in layers if getattr(layer, key) is not None)
            for key in ("solution", "enonce", "samples", "expected")
        )
    )


def _coverage(rubric: Rubric, files: CaseFiles, notes: list[str]) -> list[str]:
    enonce = files.enonce
    assert enonce is not None  # case_files fills every field
    if not enonce.is_file():
        return [f"{rubric.path} : énoncé introuvable ({enonce}) : impossible de vérifier que "
                "toutes les questions sont couvertes ; le désigner par « enonce: » dans le "
                "barème ou --enonce."]  # fmt: skip
    try:
        asked = {q.id for q in load_enonce(enonce).questions}
    except RubricError as exc:
        return [str(exc)]
    covered = {q.id for q in rubric.questions}
    notes.append(f"{len(covered & asked)} question(s) de l'énoncé couvertes")
    problems = [f"{rubric.path} : la question {q} de l'énoncé n'a pas de barème : l'ajouter "
                "dans « questions: »." for q in sorted(asked - covered)]  # fmt: skip
    problems += [f"{rubric.path} : la question {q} n'existe pas dans l'énoncé {enonce.name} "
                 f"(questions de l'énoncé : {_some(asked)}) : corriger son identifiant dans le "
                 "barème ou l'énoncé." for q in sorted(covered - asked)]  # fmt: skip
    return problems


def _some(ids: set[str]) -> str:
    ordered = sorted(ids)
    return ", ".join(ordered[:6]) + (" …" if len(ordered) > 6 else "")


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


def _solution(rubric: Rubric, files: CaseFiles, notes: list[str]) -> list[str]:
    solution = files.solution
    assert solution is not None
    if not solution.is_file():
        return [f"{rubric.path} : solution de référence introuvable ({solution}) : la désigner "
                "par « solution: » dans le barème ou --solution."]  # fmt: skip
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


def _goldens(rubric: Rubric, files: CaseFiles, notes: list[str]) -> list[str]:
    assert files.samples is not None and files.expected is not None
    try:
        expected = expected_verdicts(files.expected, files.samples)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [f"{files.expected} : verdicts attendus illisibles ({exc})."]
    problems, checked = [], 0
    for path in sorted(files.samples.glob("*.xlsx")):
        if path.stem not in expected:
            continue
        checked += 1
        source, verdicts = expected[path.stem]
        report = grade(path, rubric)
        if not source.endswith(".json"):  # a YAML list of verdicts: unlisted means correct
            verdicts = dict.fromkeys(report.verdicts(), "correct") | verdicts
        problems += _golden_diff(path, source, verdicts, report)
    notes.append(f"{checked} copie(s) d'exemple comparées à leurs verdicts de référence")
    return problems


def expected_verdicts(where: Path, samples: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Sample stem -> (where its verdicts come from, question -> verdict)."""
    if where.is_dir():
        found = {}
        for path in sorted(samples.glob("*.xlsx")):
            golden = where / f"{path.stem}.json"
            if golden.is_file():
                questions = json.loads(golden.read_text("utf-8"))["questions"]
                found[path.stem] = (golden.name, {q["id"]: q["verdict"] for q in questions})
        return found
    if not where.is_file():
        return {}
    data: Any = yaml.safe_load(where.read_text("utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError("un dictionnaire {copie: {question: verdict}} est attendu")
    return {str(stem): (where.name, _verdicts_of(entry)) for stem, entry in data.items()}


def _verdicts_of(entry: Any) -> dict[str, str]:
    verdicts = entry.get("verdicts", entry) if isinstance(entry, dict) else None
    if not isinstance(verdicts, dict):
        raise ValueError(f"verdicts invalides : {entry!r}")
    return {str(q): str(v) for q, v in verdicts.items()}


def _golden_diff(
    path: Path, source: str, expected: dict[str, str], report: CandidateReport
) -> list[str]:
    got = report.verdicts()
    return [
        f"{path} : {qid} passe de « {expected.get(qid, '—')} » à « {got.get(qid, '—')} » "
        f"(référence {source})."
        for qid in sorted(set(expected) | set(got))
        if expected.get(qid) != got.get(qid)
    ]
