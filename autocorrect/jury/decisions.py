"""What the jury still has to do once its decisions are applied, and how each question reads
after them: shared by the report, the candidate sheet, the index, the gradebooks, the review
pages and the annotated copy, so that a decision shows the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from autocorrect import french
from autocorrect.jury.overrides import FinalGrade, QuestionDecision
from autocorrect.report import CandidateReport, ItemResult, QuestionResult, Status, Verdict

JURY_POINTS = "jury"  # final "verdict" code of a points-only decision: no verdict is invented


@dataclass(frozen=True)
class FinalLine:
    """One question as the jury's documents show it after the decisions."""

    question: QuestionResult
    decision: QuestionDecision | None  # the jury's decision on this question, if any
    code: str  # a Verdict value, or JURY_POINTS for a decision given in points only
    word: str  # French: « juste », « faux »…, or « décision du jury »
    points: float

    @property
    def decided(self) -> bool:
        return self.decision is not None


def decision_of(final: FinalGrade | None, question_id: str) -> QuestionDecision | None:
    if final is None:
        return None
    return next((d for d in final.overridden if d.question == question_id), None)


def final_lines(report: CandidateReport, final: FinalGrade | None) -> list[FinalLine]:
    lines = []
    for question in report.questions:
        decision = decision_of(final, question.id)
        if decision is None:
            code, points = str(question.verdict), question.points
        elif decision.override is not None and decision.override.verdict is None:
            code, points = JURY_POINTS, decision.final_points
        else:
            code, points = str(decision.final_verdict), decision.final_points
        lines.append(FinalLine(question, decision, code, verdict_word(code), points))
    return lines


def verdict_word(code: str) -> str:
    if code == JURY_POINTS:
        return "décision du jury"
    return french.VERDICT_WORDS[Verdict(code)] if code in set(Verdict) else code


def pending_items(
    report: CandidateReport, final: FinalGrade | None
) -> list[tuple[QuestionResult, ItemResult]]:
    """The items still `review` in questions the jury has not decided."""
    return [
        (question, item)
        for question in report.questions
        if decision_of(final, question.id) is None
        for item in question.items
        if item.verdict == Verdict.REVIEW
    ]


def pending_questions(report: CandidateReport, final: FinalGrade | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.id for q, _ in pending_items(report, final)))


def to_decide(report: CandidateReport) -> tuple[str, ...]:
    """The questions that needed a decision from the jury (automatic verdict `review`)."""
    return tuple(
        q.id
        for q in report.questions
        if q.verdict == Verdict.REVIEW or any(i.verdict == Verdict.REVIEW for i in q.items)
    )


def is_blank(report: CandidateReport) -> bool:
    """A graded copy with no answer at all: identical to the subject, or nothing found."""
    if report.status != Status.GRADED or not report.questions:
        return False
    if report.evidence is not None and report.evidence.answers_found == 0:
        return True
    return all(q.verdict == Verdict.MISSING for q in report.questions)


def decision_text(decision: QuestionDecision) -> str:
    """« 0,5 / 1 pt (motif — auteur) » for points only, « juste, 1 / 1 pt (…) » otherwise."""
    override = decision.override
    assert override is not None
    marks = f"{french.points(decision.final_points)} / {french.points(decision.max_points)} pt"
    said = marks if override.verdict is None else f"{verdict_word(str(override.verdict))}, {marks}"
    who = " — ".join(x for x in (override.reason, override.author) if x)
    return said + (f" ({who})" if who else "")
