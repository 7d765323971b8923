"""What a jury member checks by eye, gathered objectively from the workbook: added sheets,
answers by formula, number formats, conditional formatting, charts; and the workbook-level
findings (no cached values, macros, external links, evaluator findings). Facts, never a score.
"""

from __future__ import annotations

from autocorrect.evaluate.evaluator import Evaluator
from autocorrect.evaluate.policy import converted_finding
from autocorrect.grading.charts import chart_kind_fr
from autocorrect.grading.context import Grading
from autocorrect.reading.workbook import Chart, Workbook, is_date_format, is_percent_format
from autocorrect.report import Code, Evidence, Finding, LocatedBy

_BY_LABEL = (LocatedBy.LABEL, LocatedBy.TABLE)


def jury_evidence(grading: Grading) -> Evidence:
    workbook = grading.workbook
    subject_sheets = {ref.sheet.casefold() for ref in grading.case.subject_cells}
    answers = [a for a in grading.answers.values() if not a.by_value_search]
    formats: dict[str, int] = {}
    for answer in answers:
        cell = workbook.get(answer.location.cell)
        kind = _format_kind(cell.number_format if cell else "General")
        formats[kind] = formats.get(kind, 0) + 1
    return Evidence(
        added_sheets=tuple(s for s in workbook.sheets if s.casefold() not in subject_sheets),
        answers_found=len(answers),
        answers_by_formula=sum(a.formula is not None for a in answers),
        typed_answers=tuple(
            str(c) for c in sorted(a.location.cell for a in answers if a.formula is None)
        ),
        number_formats=tuple(sorted(formats.items())),
        labelled_answers=sum(
            a.location.located_by in (LocatedBy.LABEL, LocatedBy.TABLE) for a in answers
        ),
        conditional_formats=tuple(
            f"{c.sheet}!{c.ranges} : {c.rule}" for c in workbook.conditional_formats
        ),
        charts=tuple(_describe_chart(c) for c in workbook.charts),
    )


def _format_kind(number_format: str) -> str:
    if is_percent_format(number_format):
        return "pourcentage"
    if "€" in number_format or "EUR" in number_format.upper():
        return "monétaire"
    if is_date_format(number_format):
        return "date"
    if number_format in ("General", "@"):
        return "standard"
    return "nombre"


def _describe_chart(chart: Chart) -> str:
    series = " ; ".join(f"x={s.x or '—'} y={s.y or '—'}" for s in chart.series) or "sans série"
    return f"{chart.sheet or '?'} : {chart_kind_fr(chart.kind)} ({series})"


def workbook_findings(workbook: Workbook, evaluator: Evaluator) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    if not workbook.has_cached_values and any(c.is_formula for c in workbook.cells.values()):
        findings.append(
            Finding(
                Code.NO_CACHED_VALUES,
                "Le fichier ne contient aucune valeur calculée (enregistré par un "
                "programme) : toutes les formules ont été recalculées par le moteur.",
            )
        )
    if workbook.converted_from:
        findings.append(converted_finding(workbook.converted_from))
    preflight = workbook.preflight
    if preflight.has_macros:
        findings.append(
            Finding(
                Code.MACROS_IGNORED,
                "Le classeur contient des macros : elles n'ont pas été exécutées.",
            )
        )
    if preflight.has_external_links:
        findings.append(
            Finding(
                Code.EXTERNAL_LINKS_IGNORED,
                "Le classeur contient des liaisons "
                "vers d'autres fichiers : elles n'ont pas été suivies.",
            )
        )
    findings.extend(evaluator.findings)
    return tuple(findings)
