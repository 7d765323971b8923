"""How an answer of the solution is computed: its formula reduced to what it reads, the
library's indicators that reproduce it, its unit.

Intermediate formula cells (a sub-total the statement does not ask for) are inlined, so that
an answer reads only *leaves*: subject areas, other answers and constants. The KPIs whose
parameters fit the leaves (a range for a sequence, a cell for a number) are then called with
the leaves in every order — remaining required numbers taken from the formula's constants,
« (…)^(1/3) » giving `n: 3` — and kept when they reproduce the solution's value.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import itertools
import math
import re
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from autocorrect.authoring.draft import texts
from autocorrect.authoring.draft.layout import Answer, SolutionLayout
from autocorrect.grading import labels
from autocorrect.grading.readings import flag_reading
from autocorrect.reading.refs import CellRef, RangeRef, parse_area, split_sheet
from autocorrect.reading.workbook import (
    Workbook,
    from_serial,
    is_date_format,
    is_percent_format,
    tokenize,
)
from autocorrect.reference.kpis import KPIS, DayMonth

GENERIC_KPIS = ("ratio", "part", "somme", "moyenne", "moyenne_simple", "ratio_des_totaux",
                "nombre", "mediane", "cumul", "nombre_si", "somme_si",
                # conditional computations over an export (SOMME.SI.ENS, NB.SI.ENS…)
                "somme_si_ens", "nombre_si_ens", "moyenne_si_ens", "nombre_distinct",
                "part_categorie", "taux_sur_sous_ensemble", "moyenne_ponderee_si",
                "prix_moyen_pondere")  # fmt: skip
_MISTAKE_HINTS = ("mistake", "instead of", "wrongly")  # docstrings of known-mistake KPIs
_WEAK_WORDS = frozenset(  # words of KPI names too common to say what an indicator is
    {"taux", "part", "total", "moyenne", "nombre", "valeur", "global", "from", "ratio"}
)
USUAL_VARIANTS: Mapping[str, tuple[tuple[str, Mapping[str, float], str], ...]] = {
    # methods commonly accepted beside the one the solution uses: KPI -> (KPI, args, name)
    "point_mort_jours": (("point_mort_jours", {"base": 365.0}, "année civile de 365 jours"),),
    "point_mort_date": (("point_mort_date", {"base": 365.0}, "année civile de 365 jours"),),
    "ecart_type_echantillon": (("ecart_type_population", {}, "écart-type de population (n)"),),
    "ecart_type_population": (("ecart_type_echantillon", {}, "écart-type d'échantillon (n − 1)"),),
}
_MAX_INLINE_DEPTH = 12
UNRELATED = 3  # rank of a KPI named after another indicator: never proposed


# --- formulas reduced to their leaves ---------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """An operand of an answer's method once intermediate cells are inlined."""

    kind: str  # "input" (subject area) | "answer" | "answers" (area of answers) | "constant"
    area: RangeRef

    @property
    def cell(self) -> CellRef:
        return CellRef(self.area.sheet, self.area.min_row, self.area.min_col)


@dataclass(frozen=True)
class Flat:
    """A formula with its intermediate cells inlined: text pieces and leaf indexes."""

    pieces: tuple[str | int, ...]
    leaves: tuple[Leaf, ...]

    def text(self, names: Sequence[str]) -> str:
        return "=" + "".join(names[p] if isinstance(p, int) else p for p in self.pieces)

    def shape(self) -> tuple[str, ...]:
        """The formula with each operand replaced by its kind: equal for copied formulas."""
        return tuple(
            f"<{self.leaves[p].kind}{p}>" if isinstance(p, int) else p for p in self.pieces
        )

    def literals(self) -> list[float | str]:
        """The numbers typed in the formula (« 360 », « 3 » of ^(1/3)) and its texts (the
        « Gagné » of NB.SI.ENS(statuts;"Gagné"), a criterion)."""
        found: list[float | str] = []
        for piece in self.pieces:
            if not isinstance(piece, str):
                continue
            if re.fullmatch(r"\d+(?:\.\d+)?", piece.strip()):
                found.append(float(piece))
            elif re.fullmatch(r'"[^"]+"', piece.strip()):
                found.append(piece.strip()[1:-1])
        return found


class Unsupported(Exception):
    """The formula reads something a rubric cannot express (a mixed range…)."""


_MAX_INLINED_CELLS = 24  # a longer range of helper cells is not inlined cell by cell


class Flattener:
    """Inlines the intermediate cells of the solution's formulas."""

    def __init__(self, layout: SolutionLayout, answers: Mapping[CellRef, Answer]) -> None:
        self.solution = layout.solution
        self.layout = layout
        self.answers = answers

    def flatten(self, ref: CellRef) -> Flat:
        leaves: list[Leaf] = []
        pieces = self._pieces(ref, leaves, 0)
        return Flat(tuple(pieces), tuple(leaves))

    def _pieces(self, ref: CellRef, leaves: list[Leaf], depth: int) -> list[str | int]:
        cell = self.solution.get(ref)
        if cell is None or cell.formula is None or depth > _MAX_INLINE_DEPTH:
            raise Unsupported(str(ref))
        pieces: list[str | int] = []
        for token in tokenize(cell.formula):
            if token.kind != "ref":
                pieces.append(token.raw)
                continue
            area = self._area(token.text, ref.sheet)
            if self._is_intermediate_range(area, pieces):
                pieces += self._cell_by_cell(area, leaves, depth)
                continue
            leaf = self._leaf(area)
            if leaf is None:  # an intermediate formula cell: inline it
                corner = CellRef(area.sheet, area.min_row, area.min_col)
                pieces += ["(", *self._pieces(corner, leaves, depth + 1), ")"]
                continue
            if leaf not in leaves:
                leaves.append(leaf)
            pieces.append(leaves.index(leaf))
        return pieces

    def _is_intermediate_range(self, area: RangeRef, before: list[str | int]) -> bool:
        """A range of the solution's own helper cells (a « Perdus » column the statement does
        not ask for), given as a function's argument: SUM(D22:D24)."""
        if area.is_single_cell or self.layout.is_subject_area(area):
            return False
        cells = [c for row in area.cells() for c in row]
        if all(c in self.answers for c in cells) or len(cells) > _MAX_INLINED_CELLS:
            return False
        opened = bool(before) and str(before[-1]).strip().endswith(("(", ",", ";"))
        return opened and all(self._has_formula(c) or c in self.answers for c in cells)

    def _has_formula(self, ref: CellRef) -> bool:
        cell = self.solution.get(ref)
        return cell is not None and cell.formula is not None

    def _cell_by_cell(self, area: RangeRef, leaves: list[Leaf], depth: int) -> list[str | int]:
        """The cells of such a range as a list of arguments, each one inlined (or an answer)."""
        pieces: list[str | int] = []
        for index, cell in enumerate(c for row in area.cells() for c in row):
            pieces += [","] if index else []
            if cell in self.answers:
                leaf = Leaf("answer", RangeRef(cell.sheet, cell.row, cell.col, cell.row, cell.col))
                if leaf not in leaves:
                    leaves.append(leaf)
                pieces.append(leaves.index(leaf))
            else:
                pieces += ["(", *self._pieces(cell, leaves, depth + 1), ")"]
        return pieces

    def _area(self, text: str, sheet: str) -> RangeRef:
        named = self.solution.resolve_name(text)
        if named is not None:
            return named
        ref_sheet, address = split_sheet(text)
        actual = self.solution.sheet_named(ref_sheet) if ref_sheet else sheet
        area = parse_area(actual, address.replace("$", "")) if actual else None
        if area is None:
            raise Unsupported(text)
        last_row, last_col = self.solution.used.get(area.sheet, (1, 1))
        return area.clipped(last_row, last_col)

    def _leaf(self, area: RangeRef) -> Leaf | None:
        cells = [c for row in area.cells() for c in row]
        if self.layout.is_subject_area(area):
            return Leaf("input", area)
        if all(c in self.answers for c in cells):
            return Leaf("answer" if area.is_single_cell else "answers", area)
        cell = self.solution.get(cells[0]) if area.is_single_cell else None
        if cell is not None and cell.formula is not None:
            return None
        if cell is not None and cell.value is not None:
            return Leaf("constant", area)
        raise Unsupported(str(area))


def leaf_value(solution: Workbook, values: Mapping[CellRef, object], leaf: Leaf) -> object:
    """What a leaf holds in the solution (`values`: recomputed answers), a tuple for a range."""

    def one(ref: CellRef) -> object:
        if leaf.kind in ("answer", "answers"):
            value = values.get(ref)
        else:
            cell = solution.get(ref)
            value = cell.value if cell is not None else None
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    if leaf.area.is_single_cell and leaf.kind != "answers":
        return one(leaf.cell)
    return tuple(one(c) for row in leaf.area.cells() for c in row)


# --- KPI matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Param:
    name: str
    sequence: bool
    required: bool


@dataclass(frozen=True)
class KpiMatch:
    kpi: str
    binding: tuple[tuple[str, int], ...]  # parameter -> leaf index
    literals: tuple[tuple[str, float | str], ...]  # parameter -> a constant of the formula

    def arguments(self, values: Sequence[object]) -> dict[str, object]:
        kwargs: dict[str, object] = {p: values[i] for p, i in self.binding}
        kwargs.update(self.literals)
        return kwargs


@functools.cache
def _params(name: str) -> tuple[_Param, ...]:
    """The KPI's parameters in signature order; a list parameter is one whose annotation,
    aliases resolved (`Column`), is a Sequence."""
    func = KPIS[name]
    try:
        hints = typing.get_type_hints(func)
    except (NameError, TypeError):  # an annotation that does not resolve: read it as written
        hints = {}
    return tuple(
        _Param(
            p.name,
            "Sequence" in str(hints.get(p.name, p.annotation)),
            p.default is inspect.Parameter.empty,
        )
        for p in inspect.signature(func).parameters.values()
    )


def _usable_kpis() -> tuple[str, ...]:
    """The registered KPIs, known-mistake ones aside (never a reference method)."""
    return tuple(
        name
        for name, func in KPIS.items()
        if not func.__module__.endswith(".mistakes")
        and not any(h in (func.__doc__ or "").casefold() for h in _MISTAKE_HINTS)
    )


def _bindings(
    params: tuple[_Param, ...], kinds: Sequence[bool], literals: Sequence[float | str]
) -> Iterator[tuple[tuple[tuple[str, int], ...], tuple[tuple[str, float | str], ...]]]:
    """Every way to give the leaves (sequence or not) to parameters of the same kind, the
    remaining required parameters taking one of the formula's constants; a constant left
    over may fill one optional parameter (the second criterion of NB.SI.ENS)."""
    if len(kinds) > len(params):
        return
    numbers = sorted({v for v in literals if isinstance(v, float)})
    constants: list[float | str] = [*numbers, *sorted({v for v in literals if isinstance(v, str)})]
    for chosen in itertools.permutations(params, len(kinds)):
        if any(p.sequence != k for p, k in zip(chosen, kinds, strict=True)):
            continue
        rest = [p for p in params if p not in chosen and p.required]
        if any(p.sequence for p in rest):
            continue
        binding = tuple((p.name, i) for i, p in enumerate(chosen))
        optional = [p for p in params if p not in chosen and not p.required and not p.sequence]
        for extra in _optional_fills(optional, len(constants) > len(rest)):
            fill = [*rest, *extra]
            for values in itertools.product(constants, repeat=len(fill)):
                yield binding, tuple((p.name, v) for p, v in zip(fill, values, strict=True))


def _optional_fills(optional: list[_Param], spare: bool) -> Iterator[tuple[_Param, ...]]:
    """No optional parameter, then, when the formula has a constant to spare, each one."""
    yield ()
    if spare:
        yield from ((p,) for p in optional)


def kpi_matches(
    values: Sequence[object], literals: Sequence[float | str], target: object
) -> list[KpiMatch]:
    """Registered KPIs reproducing `target` from the leaf values, in registry order."""
    kinds = [isinstance(v, tuple) for v in values]
    found = []
    for name in _usable_kpis():
        for binding, constants in _bindings(_params(name), kinds, literals):
            match = KpiMatch(name, binding, constants)
            if same_value(call_kpi(name, match.arguments(values)), target):
                found.append(match)
    return found


def call_kpi(name: str, kwargs: Mapping[str, object]) -> object:
    try:
        return KPIS[name](**kwargs)
    except Exception:  # a KPI given values of the wrong kind: simply not a match
        return None


def kpi_rank(match: KpiMatch, wording: Iterable[str]) -> tuple[int, float, int, int, int]:
    """Indicators named like the item first (0), then generic ones (1), then those half named
    like it (2); an indicator named after something else (3) is a coincidence of arithmetic,
    not the method."""
    wanted = frozenset().union(*(texts.words(t) for t in wording))
    name_words = texts.words(match.kpi.replace("_", " ")) - _WEAK_WORDS
    common = len(name_words & wanted)
    similarity = common / len(name_words) if name_words else 0.0
    if similarity > 0.5:
        bucket = 0
    elif match.kpi in GENERIC_KPIS:
        bucket = 1
    elif similarity == 0.5:
        bucket = 2
    else:
        bucket = UNRELATED
    return bucket, -similarity, -common, len(match.literals), _inversions(match)


def _inversions(match: KpiMatch) -> int:
    """Pairs of operands given to the KPI in the reverse of the formula's order: SOMME.SI's
    (criteres; critere; valeurs) and NB.SI.ENS's pairs keep their order when they can."""
    order = {p.name: i for i, p in enumerate(_params(match.kpi))}
    positions = [order[name] for name, _ in sorted(match.binding, key=lambda b: b[1])]
    return sum(1 for a, b in itertools.combinations(positions, 2) if a > b)


def in_signature_order(kpi: str, args: Mapping[str, object]) -> dict[str, object]:
    """The arguments in the order of the KPI's parameters (how a reader checks them)."""
    order = {p.name: i for i, p in enumerate(_params(kpi))}
    return dict(sorted(args.items(), key=lambda kv: order.get(kv[0], len(order))))


def usual_variants(kpi: str, args: Mapping[str, object]) -> list[dict[str, object]]:
    """`accept:` entries for the usual alternatives of a KPI (365-day year, population
    standard deviation), with the item's own arguments."""
    return [
        {"kpi": name, "args": {**args, **extra}, "name": label}
        for name, extra, label in USUAL_VARIANTS.get(kpi, ())
        if not extra or any(args.get(k) != v for k, v in extra.items())
    ]


# --- values and units -------------------------------------------------------------------------


def same_value(value: object, target: object) -> bool:
    """A computed value equals the solution's: numbers to 1e-9, flags as flags (« OUI » is
    True), a day and month against a date serial, texts without case."""
    if value is None or target is None:
        return False
    if isinstance(value, bool) or isinstance(target, bool):
        if not isinstance(target, bool | str) or not isinstance(value, bool | str):
            return False
        reading, other = flag_reading(target), flag_reading(value)
        return reading is not None and other is not None and reading.value is other.value
    if isinstance(value, DayMonth):
        if isinstance(target, DayMonth):
            return target == value
        day = from_serial(float(target)) if isinstance(target, int | float) else None
        return day is not None and (day.day, day.month) == (value.day, value.month)
    if isinstance(value, str) or isinstance(target, str):
        return str(value).strip().casefold() == str(target).strip().casefold()
    if isinstance(value, int | float) and isinstance(target, int | float):
        return math.isclose(float(value), float(target), rel_tol=1e-9, abs_tol=1e-9)
    return False


def in_unit(target: object, unit: str) -> object:
    """The solution's value as the engine compares it in `unit` (a flag, a day and month)."""
    if unit == "flag":
        reading = flag_reading(target)
        return reading.value if reading else target
    if unit == "date" and isinstance(target, int | float) and not isinstance(target, bool):
        day = from_serial(float(target))
        return DayMonth(day.day, day.month) if day else target
    if unit == "date" and isinstance(target, dt.datetime):
        return DayMonth(target.day, target.month)
    if isinstance(target, int) and not isinstance(target, bool):
        return float(target)
    return target


def value_unit(targets: Sequence[object], number_format: str, flat: Flat, wording: str) -> str:
    """The unit of an item: a flag or a text from its values, else from its number format
    (%, €, date) and wording (jours, coefficient…)."""
    if all(isinstance(t, bool) for t in targets):
        return "flag"
    if all(isinstance(t, str) for t in targets):
        return "flag" if all(flag_reading(t) is not None for t in targets) else "text"
    found = set(labels.words(wording))
    if is_percent_format(number_format):
        return "percent"
    if "€" in number_format or "EUR" in number_format.upper():
        return "eur"
    if is_date_format(number_format):
        return "date"
    if 100.0 in flat.literals() and ("%" in wording or found & {"pourcentage", "point", "nps"}):
        return "points"  # a share ×100 without a % format: percentage points
    if found & {"jour", "delai", "duree"}:
        return "days"
    if found & {"coef", "coefficient", "levier", "rotation", "relative"}:
        return "coefficient"
    return "count" if number_format in ("0", "#,##0") else "number"


def days_tolerance(number_format: str, targets: Sequence[object]) -> float:
    """Days counted between dates are exact (±0.01); a computed duration is judged to half
    a unit of the examiner's last displayed decimal (0.0 → ±0.05), within ±0.005…0.5."""
    numbers = [t for t in targets if isinstance(t, int | float) and not isinstance(t, bool)]
    if numbers and all(float(t).is_integer() for t in numbers):
        return 0.01
    decimals = number_format.partition(".")[2].rstrip(';@_ )"') if "." in number_format else ""
    return min(0.5, max(0.005, 0.5 * 10.0 ** -len(decimals)))
