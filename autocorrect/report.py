"""Typed results: finding codes, item and question results, the candidate report.

Codes are append-only: reports, rubrics and other tools depend on these strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    STALE_CACHE = "stale-cache"  # saved value differs from our recomputation
    NO_CACHED_VALUES = "no-cached-values"  # file never recalculated by a spreadsheet app
    UNSUPPORTED_FUNCTION = "unsupported-function"
    EXTERNAL_REFERENCE = "external-reference"  # formula points to another workbook
    CIRCULAR_REFERENCE = "circular-reference"
    FORMULA_ERROR = "formula-error"  # the formula itself cannot be parsed
    MACROS_IGNORED = "macros-ignored"
    EXTERNAL_LINKS_IGNORED = "external-links-ignored"
    HUGE_DIMENSION = "huge-dimension"
    VALUE_SEARCH_ONLY = "value-search-only"  # located by its number, no supporting label
    CONSTANT_FORMULA = "constant-formula"  # a formula made of constants only
    HARDCODED_VALUE = "hardcoded-value"
    AMBIGUOUS_LOCATION = "ambiguous-location"
    KNOWN_MISTAKE = "known-mistake"
    ROUNDED_INTERMEDIATE = "rounded-intermediate"
    VARIANT_ACCEPTED = "variant-accepted"
    PERCENT_TIMES_100 = "percent-times-100"
    METHOD_SHORT_RANGE = "method-short-range"
    METHOD_COPY_SHIFT = "method-copy-shift"
    METHOD_HARDCODED_COUNT = "method-hardcoded-count"
    METHOD_WRONG_FUNCTION = "method-wrong-function"
    CHART_FOUND = "chart-found"
    RECALC_MISMATCH = "recalc-mismatch"  # engine and calculating application disagree
    LOOPING_NAME = "looping-name"  # a defined name that refers to itself
    CONVERTED_FILE = "converted-file"  # .xls/.ods graded through a LibreOffice conversion


class Verdict(StrEnum):
    CORRECT = "correct"
    CONSEQUENTIAL = "consequential"
    HARDCODED = "hardcoded"
    INCORRECT = "incorrect"
    MISSING = "missing"
    REVIEW = "review"


class Status(StrEnum):
    GRADED = "graded"
    UNREADABLE = "unreadable"
    ERROR = "error"


class Proposal(StrEnum):
    ACQUIS = "acquis"
    NON_ACQUIS = "non acquis"
    A_VERIFIER = "à vérifier"


@dataclass(frozen=True)
class Finding:
    """An observation about the workbook, with a stable code and a French message."""

    code: Code
    message: str
    cell: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"code": str(self.code), "cell": self.cell, "message": self.message}


@dataclass(frozen=True)
class ItemResult:
    key: str
    verdict: Verdict
    expected: object
    found: object
    cell: str | None
    formula: str | None
    located_by: str | None  # "template" | "label" | "table" | "value-search"
    explanation: str
    codes: tuple[Code, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "verdict": str(self.verdict),
            "expected": self.expected,
            "found": self.found,
            "cell": self.cell,
            "formula": self.formula,
            "located_by": self.located_by,
            "explanation": self.explanation,
            "codes": [str(c) for c in self.codes],
        }


@dataclass(frozen=True)
class QuestionResult:
    id: str
    title: str
    verdict: Verdict
    points: float
    max_points: float
    items: tuple[ItemResult, ...]
    criteria: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "verdict": str(self.verdict),
            "points": self.points,
            "max_points": self.max_points,
            "criteria": list(self.criteria),
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True)
class CriterionResult:
    id: str
    label: str
    points: float
    max_points: float
    proposal: Proposal
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "points": self.points,
            "max_points": self.max_points,
            "proposal": str(self.proposal),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Evidence:
    """Objective observations for the criteria the jury keeps (readability, relevance):
    facts about the workbook, never a score."""

    added_sheets: tuple[str, ...] = ()
    answers_found: int = 0
    answers_by_formula: int = 0
    typed_answers: tuple[str, ...] = ()  # cells of answers typed without a formula
    number_formats: tuple[tuple[str, int], ...] = ()  # ("pourcentage", 12), ("monétaire", 8)…
    labelled_answers: int = 0  # answers found next to a label or under a header
    conditional_formats: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "added_sheets": list(self.added_sheets),
            "answers_found": self.answers_found,
            "answers_by_formula": self.answers_by_formula,
            "typed_answers": list(self.typed_answers),
            "number_formats": dict(self.number_formats),
            "labelled_answers": self.labelled_answers,
            "conditional_formats": list(self.conditional_formats),
            "charts": list(self.charts),
        }


@dataclass(frozen=True)
class CandidateReport:
    candidate: str
    rubric: str
    status: Status
    message: str = ""
    score: float = 0.0
    max_score: float = 0.0
    questions: tuple[QuestionResult, ...] = ()
    criteria: tuple[CriterionResult, ...] = ()
    findings: tuple[Finding, ...] = field(default=())
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "candidate": self.candidate,
            "rubric": self.rubric,
            "status": str(self.status),
            "message": self.message,
            "score": self.score,
            "max_score": self.max_score,
            "questions": [q.to_dict() for q in self.questions],
            "criteria": [c.to_dict() for c in self.criteria],
            "findings": [f.to_dict() for f in self.findings],
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }

    def verdicts(self) -> dict[str, str]:
        """Question id -> verdict: the flattened view goldens and the gradebook use."""
        return {q.id: str(q.verdict) for q in self.questions}
