"""Grading one submission, step by step.

1. `Grading.start`: the evaluator and the label index of this workbook (`context`);
2. `locate_answers`: each value item's cell, by template, label, table or value search
   (`answers`, `locate`);
3. `judge_items`: a verdict per item, in dependency order so that errors carry forward
   (`judge` for values, `charts` for charts, `methods` for « formules adaptées »);
4. question verdicts and points, criteria proposals (`scoring`: one scoring rule);
5. workbook findings and the jury's evidence (`evidence`).
"""

from __future__ import annotations

from autocorrect.grading.answers import locate_answers, value_for_downstream
from autocorrect.grading.charts import judge_chart_item
from autocorrect.grading.context import Grading
from autocorrect.grading.evidence import jury_evidence, workbook_findings
from autocorrect.grading.judge import judge_value_item
from autocorrect.grading.scoring import criteria_results, question_points, question_verdict
from autocorrect.reading.workbook import Workbook
from autocorrect.reference.case import CaseData
from autocorrect.report import CandidateReport, Code, Finding, QuestionResult, Status, Verdict
from autocorrect.rubric.graph import ordered_items as rubric_order
from autocorrect.rubric.model import Rubric


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
        findings=(*workbook_findings(workbook, grading.evaluator), *_empty_copy(questions)),
        evidence=jury_evidence(grading),
    )


def _empty_copy(questions: list[QuestionResult]) -> tuple[Finding, ...]:
    """No answer found at all: the jury looks at the copy (a subject handed back as it was,
    or a layout nothing recognises)."""
    if not questions or any(q.verdict != Verdict.MISSING for q in questions):
        return ()
    text = (
        "Copie vide : aucune réponse trouvée (classeur identique au sujet, ou disposition que "
        "rien ne reconnaît) ; à examiner par le jury."
    )
    return (Finding(Code.EMPTY_COPY, text),)


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
