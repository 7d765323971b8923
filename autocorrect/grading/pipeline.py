"""Grading one submission, step by step.

1. `Grading.start`: the evaluator and the label index of this workbook (`context`);
2. `locate_answers`: each value item's cell, by template, label, table or value search
   (`answers`, `locate`);
3. `judge_items`: a verdict per item, in dependency order so that errors carry forward
   (`judge` for values, `charts` for charts, `methods` for « formules adaptées »);
4. question verdicts and points, criteria proposals (below: one scoring rule);
5. workbook findings and the jury's evidence (`evidence`).
"""

from __future__ import annotations

from autocorrect.grading.answers import locate_answers, value_for_downstream
from autocorrect.grading.charts import judge_chart_item
from autocorrect.grading.context import Grading
from autocorrect.grading.evidence import jury_evidence, workbook_findings
from autocorrect.grading.judge import judge_value_item
from autocorrect.reading.workbook import Workbook
from autocorrect.reference.case import CaseData
from autocorrect.report import (
    CandidateReport,
    CriterionResult,
    ItemResult,
    Proposal,
    QuestionResult,
    Status,
    Verdict,
)
from autocorrect.rubric.graph import ordered_items as rubric_order
from autocorrect.rubric.model import QuestionSpec, Rubric


def grade_workbook(
    workbook: Workbook, rubric: Rubric, case: CaseData, candidate: str
) -> CandidateReport:
    grading = Grading.start(workbook, rubric, case)
    locate_answers(grading)
    judge_items(grading)
    questions = question_results(grading)
    return CandidateReport(
        candidate=candidate,
        rubric=rubric.id,
        status=Status.GRADED,
        score=round(sum(q.points for q in questions), 4),
        max_score=sum(q.max_points for q in questions),
        questions=tuple(questions),
        criteria=criteria_results(rubric, questions),
        findings=workbook_findings(workbook, grading.evaluator),
        evidence=jury_evidence(grading),
    )


def judge_items(grading: Grading) -> None:
    """A verdict for every item, upstream items first (the rubric's dependency order)."""
    for question, item in rubric_order(grading.rubric):
        key = (question.id, item.key)
        if item.kind == "scatter-chart":
            grading.results[key] = judge_chart_item(grading, question, item)
        else:
            grading.results[key] = judge_value_item(grading, question, item)
        answer = grading.answers.get(key)
        if answer is not None:
            grading.candidate_values[key] = value_for_downstream(grading, item, key, answer)


def question_results(grading: Grading) -> list[QuestionResult]:
    questions = []
    for question in grading.rubric.questions:
        items = [grading.results[(question.id, i.key)] for i in question.items]
        verdict = question_verdict(items)
        questions.append(
            QuestionResult(
                id=question.id,
                title=question.title,
                verdict=verdict,
                points=question_points(grading.rubric, question, verdict, items),
                max_points=question.points,
                items=tuple(items),
                criteria=question.criteria,
            )
        )
    return questions


# --- questions, criteria, report ------------------------------------------------------------


def question_verdict(items: list[ItemResult]) -> Verdict:
    verdicts = [i.verdict for i in items]
    if all(v == Verdict.MISSING for v in verdicts):
        return Verdict.MISSING
    if Verdict.INCORRECT in verdicts or Verdict.MISSING in verdicts:
        return Verdict.INCORRECT
    if Verdict.REVIEW in verdicts:
        return Verdict.REVIEW
    if Verdict.HARDCODED in verdicts:
        return Verdict.HARDCODED
    if Verdict.CONSEQUENTIAL in verdicts:
        return Verdict.CONSEQUENTIAL
    return Verdict.CORRECT


def question_points(
    rubric: Rubric, question: QuestionSpec, verdict: Verdict, items: list[ItemResult]
) -> float:
    share = rubric.scoring[str(verdict)]
    if share == "items":
        credit = {str(v): rubric.scoring[str(v)] for v in Verdict if v != Verdict.INCORRECT}
        credit["incorrect"] = 0.0
        shares = [float(credit[str(i.verdict)]) for i in items]
        return round(question.points * sum(shares) / len(shares), 4)
    return round(question.points * float(share), 4)


def criteria_results(
    rubric: Rubric, questions: list[QuestionResult]
) -> tuple[CriterionResult, ...]:
    results = []
    for criterion in rubric.criteria:
        mine = [q for q in questions if criterion.id in q.criteria]
        points = sum(q.points for q in mine)
        maximum = sum(q.max_points for q in mine)
        pending = sum(q.max_points - q.points for q in mine if q.verdict == Verdict.REVIEW)
        proposal, reason = _proposal(
            criterion.acquis, criterion.non_acquis, points, pending, maximum
        )
        results.append(
            CriterionResult(
                criterion.id, criterion.label, round(points, 4), maximum, proposal, reason
            )
        )
    return tuple(results)


def _proposal(
    acquis: float, non_acquis: float, points: float, pending: float, maximum: float
) -> tuple[Proposal, str]:
    if maximum <= 0:
        return Proposal.A_VERIFIER, "Aucune question pour ce critère."
    low, high = points / maximum, (points + pending) / maximum
    if low >= acquis:
        return Proposal.ACQUIS, f"{low:.0%} des points (seuil « acquis » : {acquis:.0%})."
    if high < non_acquis:
        return (
            Proposal.NON_ACQUIS,
            f"{high:.0%} des points (seuil « non acquis » : < {non_acquis:.0%}).",
        )
    if pending:
        return Proposal.A_VERIFIER, (
            f"Entre {low:.0%} et {high:.0%} des points selon les réponses à vérifier par le jury."
        )
    return Proposal.A_VERIFIER, (
        f"{low:.0%} des points : entre les seuils « non acquis » "
        f"({non_acquis:.0%}) et « acquis » ({acquis:.0%})."
    )
