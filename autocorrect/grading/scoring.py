"""The one scoring rule: points of a question from its verdict and its items' verdicts, and
the criteria proposals from the questions' points.

Used by automatic grading (`grading.pipeline`) and by the jury's overrides (`jury.overrides`),
so that the same item verdicts always give the same points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autocorrect import french
from autocorrect.report import CriterionResult, ItemResult, Proposal, QuestionResult, Verdict
from autocorrect.rubric.model import QuestionSpec, Rubric, Scoring


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
    return points_for(rubric.scoring, question.points, verdict, [i.verdict for i in items])


def points_for(
    scoring: Scoring,
    max_points: float,
    verdict: Verdict,
    item_verdicts: Sequence[Verdict],
) -> float:
    """`max_points` × the rubric's share for `verdict`; under `incorrect: items` an incorrect
    question earns the mean share of its items (a wrong item earns nothing)."""
    if verdict == Verdict.INCORRECT and scoring.incorrect_by_items:
        if not item_verdicts:
            return 0.0
        shares = [0.0 if v == Verdict.INCORRECT else scoring.share(str(v)) for v in item_verdicts]
        return round(max_points * sum(shares) / len(shares), 4)
    return round(max_points * scoring.share(str(verdict)), 4)


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
        return Proposal.ACQUIS, f"{_pc(low)} des points (seuil « acquis » : {_pc(acquis)})."
    if high < non_acquis:
        return (
            Proposal.NON_ACQUIS,
            f"{_pc(high)} des points (seuil « non acquis » : < {_pc(non_acquis)}).",
        )
    if pending:
        return Proposal.A_VERIFIER, (
            f"Entre {_pc(low)} et {_pc(high)} des points selon les réponses à vérifier par le jury."
        )
    return Proposal.A_VERIFIER, (
        f"{_pc(low)} des points : entre les seuils « non acquis » "
        f"({_pc(non_acquis)}) et « acquis » ({_pc(acquis)})."
    )


def _pc(share: float) -> str:
    return french.percent(share, 0)


def mark_out_of_20(score: float, max_score: float, step: float = 0.5) -> float:
    """The score brought to a mark out of 20, rounded to the nearest multiple of `step`
    (half up: 14,75 with a step of 0,5 gives 15). Rounded once, from the exact score, never
    summed from rounded parts."""
    if max_score <= 0:
        return 0.0
    exact = 20 * score / max_score
    steps = math.floor(exact / step + 0.5 + 1e-9)
    return round(min(20.0, max(0.0, steps * step)), 4)
