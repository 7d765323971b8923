"""C16: the candidate's attente-satisfaction matrix drawn next to the expected one (inline SVG).

The points come from the report itself: for each criterion, satisfaction (C16-Q03) across and
attente (C16-Q02) up, the found values for the candidate and the expected values for the
reference; the axes cross at the C16-Q07 general means (found, and expected). Nothing is
recomputed here: the page shows what the engine compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from autocorrect import french
from autocorrect.report import CandidateReport, QuestionResult

ATTENTE, SATISFACTION, CUTS, LABELS = "C16-Q02", "C16-Q03", "C16-Q07", "C16-Q08"
_SIZE, _PAD = 420, 48
Scale = Callable[[float], float]  # data value -> SVG coordinate
QUADRANTS = (  # (attente forte, satisfaction forte) -> label, as in the C16 subject
    ((True, False), "Priorité d'amélioration"),
    ((True, True), "Point fort"),
    ((False, True), "Surqualité"),
    ((False, False), "Faible priorité"),
)


@dataclass(frozen=True)
class Matrix:
    points: Mapping[str, tuple[float, float]]  # criterion -> (satisfaction, attente)
    cut_satisfaction: float | None
    cut_attente: float | None
    missing: tuple[str, ...]  # criteria without both numbers


def matrices(report: CandidateReport) -> tuple[Matrix, Matrix] | None:
    """(candidate's, expected) matrices, or None when the report is not a C16 one."""
    questions = {q.id: q for q in report.questions}
    if not {ATTENTE, SATISFACTION, CUTS} <= questions.keys():
        return None
    parts = questions[ATTENTE], questions[SATISFACTION], questions[CUTS]
    return _matrix(*parts, "found"), _matrix(*parts, "expected")


def _matrix(
    attente: QuestionResult, satisfaction: QuestionResult, cuts: QuestionResult, side: str
) -> Matrix:
    """`side` is "found" (the candidate's matrix) or "expected" (the reference)."""
    up = {i.key: _number(getattr(i, side)) for i in attente.items}
    across = {i.key: _number(getattr(i, side)) for i in satisfaction.items}
    points: dict[str, tuple[float, float]] = {}
    for key, y in up.items():
        x = across.get(key)
        if x is not None and y is not None:
            points[key] = (x, y)
    cut = {i.key: _number(getattr(i, side)) for i in cuts.items}
    missing = tuple(k for k in up if k not in points)
    return Matrix(points, cut.get("satisfaction"), cut.get("attente"), missing)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def quadrant(point: tuple[float, float], matrix: Matrix) -> str:
    if matrix.cut_attente is None or matrix.cut_satisfaction is None:
        return "—"
    key = (point[1] > matrix.cut_attente, point[0] > matrix.cut_satisfaction)
    return dict(QUADRANTS)[key]


def matrix_section(report: CandidateReport) -> str:
    pair = matrices(report)
    if pair is None:
        return ""
    mine, expected = pair
    low, high = _bounds(mine, expected)
    figures = "\n".join(
        f"<figure><figcaption>{escape(title)}</figcaption>{matrix_svg(m, low, high)}</figure>"
        for title, m in (("Matrice du candidat", mine), ("Matrice attendue", expected))
    )
    return (
        '<section id="matrice">\n<h2>Matrice attente-satisfaction</h2>\n'
        '<p class="meta">Satisfaction moyenne en abscisse (C16-Q03), attente moyenne en ordonnée '
        "(C16-Q02) ; les axes se croisent aux moyennes générales (C16-Q07). À gauche les valeurs "
        "trouvées dans la copie, à droite les valeurs attendues.</p>\n"
        f'<div class="matrices">\n{figures}\n</div>\n'
        f"{_positions(mine, expected, _written_labels(report))}\n</section>"
    )


def _written_labels(report: CandidateReport) -> dict[str, object]:
    question = next((q for q in report.questions if q.id == LABELS), None)
    return {i.key: i.found for i in question.items} if question else {}


def _bounds(*matrices_: Matrix) -> tuple[float, float]:
    """A common scale for both drawings: the 1-5 survey scale, widened to any value outside."""
    values = [1.0, 5.0]
    for matrix in matrices_:
        values += [v for p in matrix.points.values() for v in p]
        values += [c for c in (matrix.cut_attente, matrix.cut_satisfaction) if c is not None]
    return min(values), max(values)


def matrix_svg(matrix: Matrix, low: float, high: float) -> str:
    span = (high - low) or 1.0
    inner = _SIZE - 2 * _PAD

    def x(value: float) -> float:
        return _PAD + (value - low) / span * inner

    def y(value: float) -> float:
        return _SIZE - _PAD - (value - low) / span * inner

    parts = [
        f'<svg viewBox="0 0 {_SIZE} {_SIZE}" role="img" aria-label="Matrice attente-satisfaction">',
        f'<rect x="{_PAD}" y="{_PAD}" width="{inner}" height="{inner}" fill="#fbfbfb" '
        'stroke="#8c959f"/>',
        *_ticks(low, high, x, y),
        *_cuts(matrix, x, y),
        *_dots(matrix, x, y),
        f'<text x="{_SIZE / 2:.1f}" y="{_SIZE - 8}" text-anchor="middle" font-size="12">'
        "Satisfaction moyenne</text>",
        f'<text x="14" y="{_SIZE / 2:.1f}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 14 {_SIZE / 2:.1f})">Attente moyenne</text>',
        "</svg>",
    ]
    return "".join(parts)


def _ticks(low: float, high: float, fx: Scale, fy: Scale) -> list[str]:
    ticks = []
    for value in range(int(low), int(high) + 1):
        if low <= value <= high:
            ticks.append(
                f'<text x="{fx(value):.1f}" y="{_SIZE - _PAD + 16}" text-anchor="middle" '
                f'font-size="11">{value}</text>'
                f'<text x="{_PAD - 8}" y="{fy(value) + 4:.1f}" text-anchor="end" '
                f'font-size="11">{value}</text>'
            )
    return ticks


def _cuts(matrix: Matrix, fx: Scale, fy: Scale) -> list[str]:
    lines = []
    top, bottom = _PAD, _SIZE - _PAD
    if matrix.cut_satisfaction is not None:
        cx = fx(matrix.cut_satisfaction)
        lines.append(
            f'<line x1="{cx:.1f}" y1="{top}" x2="{cx:.1f}" y2="{bottom}" stroke="#c55a11" '
            'stroke-dasharray="5 4"/>'
        )
    if matrix.cut_attente is not None:
        cy = fy(matrix.cut_attente)
        lines.append(
            f'<line x1="{top}" y1="{cy:.1f}" x2="{bottom}" y2="{cy:.1f}" stroke="#c55a11" '
            'stroke-dasharray="5 4"/>'
        )
    if matrix.cut_satisfaction is not None and matrix.cut_attente is not None:
        cx, cy = fx(matrix.cut_satisfaction), fy(matrix.cut_attente)
        corners = {
            "Priorité d'amélioration": ((top + cx) / 2, top + 14),
            "Point fort": ((cx + bottom) / 2, top + 14),
            "Faible priorité": ((top + cx) / 2, bottom - 6),
            "Surqualité": ((cx + bottom) / 2, bottom - 6),
        }
        lines.extend(
            f'<text x="{px:.1f}" y="{py:.1f}" text-anchor="middle" font-size="10" '
            f'fill="#59636e">{escape(label)}</text>'
            for label, (px, py) in corners.items()
        )
    else:
        lines.append(
            f'<text x="{_SIZE / 2:.1f}" y="{top + 14}" text-anchor="middle" font-size="11" '
            'fill="#d9534f">Axes (moyennes générales) non trouvés</text>'
        )
    return lines


def _dots(matrix: Matrix, fx: Scale, fy: Scale) -> list[str]:
    return [
        f'<circle cx="{fx(px):.1f}" cy="{fy(py):.1f}" r="5" fill="#1f4e79"/>'
        f'<text x="{fx(px) + 7:.1f}" y="{fy(py) - 6:.1f}" font-size="11">{escape(key)}</text>'
        for key, (px, py) in sorted(matrix.points.items())
    ]


def _positions(mine: Matrix, expected: Matrix, written: Mapping[str, object]) -> str:
    """Per criterion: where the candidate's own numbers put it, the label the candidate wrote
    (C16-Q08), and the expected quadrant."""
    rows = []
    for key in sorted(set(mine.points) | set(expected.points) | set(mine.missing)):
        found = mine.points.get(key)
        wanted = expected.points.get(key)
        got = quadrant(found, mine) if found else "non trouvé"
        should = quadrant(wanted, expected) if wanted else "—"
        label = french.value(written.get(key)) if written else "—"
        mark = "" if got == should == label or (not written and got == should) else ' class="alert"'
        coords = f"{french.value(found[0])} ; {french.value(found[1])}" if found else "—"
        rows.append(
            f"<tr{mark}><td>{escape(key)}</td><td>{escape(coords)}</td>"
            f"<td>{escape(got)}</td><td>{escape(label)}</td><td>{escape(should)}</td></tr>"
        )
    return (
        "<table><tr><th>Critère</th><th>Satisfaction ; attente (candidat)</th>"
        "<th>Quadrant d'après ses valeurs</th><th>Libellé écrit (C16-Q08)</th>"
        "<th>Quadrant attendu</th></tr>" + "".join(rows) + "</table>"
    )
