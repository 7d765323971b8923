"""The report model: finding codes, item and question results, the candidate report, and its
JSON round trip (`CandidateReport.to_dict` and `report_from_dict`).

Codes are append-only: reports, rubrics and other tools depend on these strings.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    FORMULA_PROVEN = "formula-proven"  # same result as the method on every redrawn data set
    FORMULA_IGNORES_DATA = "formula-ignores-data"  # right on the subject only: typed numbers
    COMPUTES_OTHER_ITEM = "computes-other-item"  # the formula computes another item's value
    RECALC_MISMATCH = "recalc-mismatch"  # engine and calculating application disagree
    LOOPING_NAME = "looping-name"  # a defined name that refers to itself
    CONVERTED_FILE = "converted-file"  # .xls/.ods graded through a LibreOffice conversion

    EMPTY_COPY = (
        "empty-copy"  # no answer found at all: the subject handed back, or unreadable layout
    )
    STRAY_CELL = "stray-cell"  # a value far below the data that a whole-column reference reads


class LocatedBy(StrEnum):
    """How an answer's cell was found."""

    TEMPLATE = "template"  # the rubric names the cell (an answer grid in the subject)
    LABEL = "label"  # beside or under one of the item's labels
    METHOD = "method"  # by what its formula computes (fingerprint on redrawn data sets)
    TABLE = "table"  # where a measure header and an entity header cross
    VALUE_SEARCH = "value-search"  # only by its number: never credited without a human look
    CHART = "chart"  # a chart of the workbook


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
    located_by: LocatedBy | None
    explanation: str
    codes: tuple[Code, ...] = ()
    label: str | None = None  # the candidate's own label or header for the cell, as read

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "verdict": str(self.verdict),
            "expected": self.expected,
            "found": self.found,
            "cell": self.cell,
            "formula": self.formula,
            "located_by": str(self.located_by) if self.located_by else None,
            "label": self.label,
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


# --- the JSON contract read back (inverse of to_dict) ---------------------------------------------


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
        located_by=_located_by(data.get("located_by")),
        label=optional("label"),
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


def _located_by(value: object) -> LocatedBy | None:
    return None if value is None else LocatedBy(str(value))
