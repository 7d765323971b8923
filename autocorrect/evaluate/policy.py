"""Which value the grader uses when the recalculation and the saved value disagree.

- A file saved by a spreadsheet application in automatic calculation mode holds what the
  candidate saw: a disagreement there is first a suspected engine gap. The grader uses the
  saved value, and a `recalc-mismatch` finding tells the jury; the engine alone never makes
  the candidate wrong.
- A file saved in manual calculation mode, or by a program that does not calculate (no
  application name, openpyxl…): the recalculation decides (the stale saved value is reported
  by the grader as today).
- A formula the engine cannot evaluate (an unknown function, here or upstream) is never
  credited on its saved value alone: the grader is asked to send it to `review`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.reading.refs import CellRef
from autocorrect.reading.workbook import excel_serial
from autocorrect.report import Code, Finding, ItemResult, Verdict

_RELATIVE = 1e-9


@dataclass(frozen=True)
class GradingValue:
    """The value of a cell as the grader must use it, and why."""

    value: object
    mismatch: Finding | None = None  # recalculation and saved value disagree (jury)
    review: str | None = None  # French reason why the value cannot be credited alone


def grading_value(evaluator: Evaluator, ref: CellRef) -> GradingValue:
    cell = evaluator.workbook.get(ref)
    if cell is None or not cell.is_formula:
        return GradingValue(cell.value if cell is not None else None)
    recalculated = evaluator.value(ref)
    if evaluator.is_unverified(ref):
        return GradingValue(recalculated, review=_unverified_reason(evaluator, ref))
    saved = cell.cached
    if saved is None or _same(recalculated, saved) or not _trust_saved(evaluator):
        return GradingValue(recalculated)
    finding = Finding(
        Code.RECALC_MISMATCH,
        f"Le recalcul du moteur ({_show(recalculated)}) diffère de la valeur enregistrée par "
        f"le tableur ({_show(saved)}), en calcul automatique : la copie est notée sur la "
        "valeur enregistrée (celle que le candidat a vue) ; écart probable du moteur, à "
        "vérifier par le jury.",
        str(ref),
    )
    return GradingValue(saved, mismatch=finding)


def adjust_item(result: ItemResult, graded: GradingValue, evaluator: Evaluator) -> ItemResult:
    """The item's verdict once the policy is applied: a mismatch is reported (finding and
    code), a value the engine could not verify is never credited: `review`."""
    codes = list(result.codes)
    explanation = result.explanation
    verdict = result.verdict
    if graded.mismatch is not None:
        evaluator.add_finding(graded.mismatch)
        codes.append(Code.RECALC_MISMATCH)
        explanation += " " + graded.mismatch.message
    if graded.review is not None and verdict in _CREDITED:
        codes.append(Code.UNSUPPORTED_FUNCTION)
        explanation += " " + graded.review
        verdict = Verdict.REVIEW
    if (verdict, codes, explanation) == (result.verdict, list(result.codes), result.explanation):
        return result
    return replace(
        result, verdict=verdict, codes=tuple(dict.fromkeys(codes)), explanation=explanation
    )


_CREDITED = (Verdict.CORRECT, Verdict.CONSEQUENTIAL, Verdict.HARDCODED)


def _trust_saved(evaluator: Evaluator) -> bool:
    calc = evaluator.workbook.calc
    return calc.saved_by_calculating_application and calc.automatic


def _unverified_reason(evaluator: Evaluator, ref: CellRef) -> str:
    return (
        "Formule que le moteur ne sait pas recalculer (fonction inconnue, ici ou dans une "
        "cellule dont elle dépend) : la valeur enregistrée par le tableur ne suffit pas à la "
        "créditer, à vérifier par le jury."
    )


def _same(recalculated: object, saved: object) -> bool:
    saved = excel_serial(saved)
    if isinstance(recalculated, dt.datetime):
        recalculated = excel_serial(recalculated)
    if isinstance(recalculated, ExcelError):
        return isinstance(saved, str) and saved.strip().upper() == recalculated.code
    if isinstance(recalculated, bool) or isinstance(saved, bool):
        return recalculated == saved
    if isinstance(recalculated, int | float) and isinstance(saved, int | float):
        a, b = float(recalculated), float(saved)
        return math.isclose(a, b, rel_tol=_RELATIVE, abs_tol=1e-12)
    if recalculated in (None, "", 0.0) and saved in (None, "", 0):
        return True
    return recalculated == saved


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.15g}".replace(".", ",")
    return str(value)


def converted_finding(suffix: str) -> Finding:
    """A copy handed in as .xls/.ods/.fods and graded through its LibreOffice conversion."""
    return Finding(
        Code.CONVERTED_FILE,
        f"Copie déposée au format {suffix} : convertie en .xlsx par LibreOffice (sans macros) "
        "puis corrigée ; les valeurs sont celles que LibreOffice a recalculées.",
    )
