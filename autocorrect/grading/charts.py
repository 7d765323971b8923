"""Chart items: a scatter chart whose points are the expected (x, y) pairs, in either
orientation; built on the candidate's own wrong values → `consequential`."""

from __future__ import annotations

from autocorrect.grading.context import Grading
from autocorrect.grading.readings import Reading, agrees, display
from autocorrect.reading.refs import CellRef, RangeRef, parse_ref
from autocorrect.reading.workbook import Chart
from autocorrect.report import Code, ItemResult, LocatedBy, Verdict
from autocorrect.rubric.model import ItemSpec, QuestionSpec

Points = tuple[tuple[float, float], ...]

CHART_KINDS_FR = {
    "scatter": "nuage de points",
    "bar": "histogramme",
    "line": "courbe",
    "pie": "secteurs",
}


def chart_kind_fr(kind: str) -> str:
    return CHART_KINDS_FR.get(kind, kind)


def judge_chart_item(grading: Grading, question: QuestionSpec, item: ItemSpec) -> ItemResult:
    expected = grading.case.reference[(question.id, item.key)]
    own = grading.compute(item.compute, grading.own_answers())
    charts = grading.workbook.charts
    if not charts:
        return _chart_result(item, Verdict.MISSING, expected, None, "Aucun graphique.")
    plotted = [(chart, _chart_points(grading, chart)) for chart in charts]
    for chart, points in plotted:
        if chart.kind != "scatter" or points is None:
            continue
        for orientation, cloud in (("", points), (" (axes inversés)", _swapped(points))):
            if agrees(expected, Reading(cloud), item.tolerance):
                text = f"Nuage de points des valeurs attendues{orientation}."
                return _chart_result(item, Verdict.CORRECT, expected, (chart, points), text)
            if own is not None and agrees(own, Reading(cloud), item.tolerance):
                text = (
                    f"Le nuage reprend vos propres moyennes, fausses{orientation} : "
                    "construction juste (report d'erreur)."
                )
                return _chart_result(item, Verdict.CONSEQUENTIAL, expected, (chart, points), text)
    chart, points = next(((c, p) for c, p in plotted if c.kind == "scatter"), plotted[0])
    text = f"Le graphique ({chart_kind_fr(chart.kind)}) ne représente pas les valeurs attendues."
    return _chart_result(item, Verdict.INCORRECT, expected, (chart, points), text)


def _chart_points(grading: Grading, chart: Chart) -> Points | None:
    points: list[tuple[float, float]] = []
    for series in chart.series:
        xs, ys = _series_values(grading, series.x), _series_values(grading, series.y)
        if xs is None or ys is None or len(xs) != len(ys):
            return None
        points.extend(zip(xs, ys, strict=True))
    return tuple(points)


def _series_values(grading: Grading, reference: str | None) -> list[float] | None:
    if not reference:
        return None
    workbook = grading.workbook
    area = parse_ref(reference.replace("$", ""), workbook.sheets[0])
    sheet = workbook.sheet_named(area.sheet) if area else None
    if area is None or sheet is None:
        return None
    values = [
        grading.evaluator.value(CellRef(sheet, c.row, c.col))
        for r in RangeRef(sheet, area.min_row, area.min_col, area.max_row, area.max_col).cells()
        for c in r
    ]
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return numbers if len(numbers) == len(values) else None


def _swapped(points: Points) -> Points:
    return tuple((y, x) for x, y in points)


def _chart_result(
    item: ItemSpec,
    verdict: Verdict,
    expected: object,
    found: tuple[Chart, Points | None] | None,
    text: str,
) -> ItemResult:
    chart = found[0] if found else None
    refs = None
    if chart is not None:
        refs = " ; ".join(f"x={s.x or '?'} y={s.y or '?'}" for s in chart.series) or "?"
        text += f" Séries tracées : {refs}."
    return ItemResult(
        key=item.key,
        verdict=verdict,
        expected=display(expected),
        found=display(found[1]) if found and found[1] is not None else None,
        cell=chart.sheet if chart else None,
        formula=refs,
        located_by=LocatedBy.CHART if chart else None,
        explanation=text,
        codes=(Code.CHART_FOUND,) if chart else (),
    )
