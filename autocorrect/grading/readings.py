"""Reading a candidate's value in the rubric's unit, and comparing it with the reference.

A rate may come as 0.3333 formatted as %, as 33.33 under a "%" label, or as the text
"33,33 %"; money as 291484.41 or "291 484,41 €"; a date as an Excel date or "1er novembre".
Each reading records how the value was interpreted, for the explanation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from autocorrect.grading import labels
from autocorrect.reference.kpis import DayMonth
from autocorrect.rubric.model import Tolerance

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER = re.compile(r"^[+\-−]?\d+(?:[.,]\d+)?$")
MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
_MONTH_ABBREV = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"jui": 6, "juil": 7}
_DATE_WORDS = re.compile(r"^(\d{1,2})(?:er)?\s+([a-zéèûô]+)\.?(?:\s+(\d{4}))?$")
_DATE_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")


@dataclass(frozen=True)
class Reading:
    """One interpretation of the candidate's value."""

    value: float | DayMonth | str | bool | tuple[tuple[float, float], ...]
    how: str = ""  # French note when the interpretation is not the plain one
    times_100: bool = False  # a rate read back from a number written ×100 (33.33 for 0.3333)


def parse_number_text(text: str) -> tuple[float, bool] | None:
    """French number text -> (value, is_percent); None when it is not a number."""
    cleaned = _SPACES.sub("", text).replace("€", "").replace("EUR", "")
    cleaned = re.sub(r"(points?|pts?|jours?|j)$", "", cleaned, flags=re.IGNORECASE)
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").replace("−", "-")
    if not _NUMBER.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return (value / 100, True) if percent else (value, False)


def parse_date_text(text: str) -> DayMonth | None:
    """ "1er novembre", "1 nov. 2025", "01/11", "01/11/2025" -> DayMonth."""
    folded = text.strip().casefold()
    folded = folded.replace("é", "e").replace("è", "e").replace("û", "u").replace("ô", "o")
    match = _DATE_WORDS.match(folded)
    if match:
        month = _month_number(match.group(2))
        return _day_month(int(match.group(1)), month) if month else None
    match = _DATE_SLASH.match(folded)
    if match:
        return _day_month(int(match.group(1)), int(match.group(2)))
    return None


def _month_number(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return _MONTH_ABBREV.get(word[:4]) or _MONTH_ABBREV.get(word[:3])


def _day_month(day: int, month: int) -> DayMonth | None:
    try:
        return DayMonth(day, month)
    except ValueError:
        return None


_TRUE_WORDS = frozenset({"oui", "o", "x", "vrai", "true", "yes", "1", "alerte", "commander"})
_FALSE_WORDS = frozenset({"non", "n", "", "faux", "false", "no", "0", "-", "ok"})


def flag_reading(value: object) -> Reading | None:
    """An alert or order indicator: OUI/NON, Alerte/"", X/"", VRAI/FAUX, 1/0."""
    if isinstance(value, bool):
        return Reading(value)
    if value is None:
        return Reading(False, "cellule vide lue comme « non »")
    if isinstance(value, int | float):
        return Reading(value != 0)
    if not isinstance(value, str):
        return None
    folded = " ".join(labels.words(value)) if value.strip() else ""
    if folded in _FALSE_WORDS or folded.startswith(("non ", "pas ")):
        return Reading(False)
    strong = _TRUE_WORDS - {"o", "x", "1"}
    if folded in _TRUE_WORDS or any(w in strong for w in folded.split()):
        return Reading(True)
    return None


def vocabulary_reading(value: object, vocabulary: Mapping[str, tuple[str, ...]]) -> Reading | None:
    """A text answer mapped to the canonical term whose synonyms match it best."""
    if not isinstance(value, str) or not value.strip():
        return None
    scores = {term: labels.best_score(value, synonyms) for term, synonyms in vocabulary.items()}
    best = max(scores.values(), default=0.0)
    winners = [t for t, v in scores.items() if v == best]
    if best < 0.5 or len(winners) != 1:
        return None
    note = "" if winners[0].casefold() == value.strip().casefold() else f"lu « {winners[0]} »"
    return Reading(winners[0], note)


def readings(
    value: object,
    unit: str,
    is_percent_format: bool,
    percent_label: bool,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Reading]:
    """Every sensible interpretation of a candidate value in `unit`, plain one first."""
    if unit == "flag":
        flag = flag_reading(value)
        return [flag] if flag else []
    if value is None or isinstance(value, bool):
        return []
    if unit == "date":
        return _date_readings(value)
    if unit == "text":
        if vocabulary is not None:
            term = vocabulary_reading(value, vocabulary)
            return [term] if term else []
        return [Reading(str(value))] if isinstance(value, str) else []
    if isinstance(value, str):
        parsed = parse_number_text(value)
        if parsed is None:
            return []
        number, had_percent = parsed
        note = "texte saisi interprété comme un nombre"
        return _numeric_readings(number, unit, had_percent, percent_label, note)
    if isinstance(value, int | float):
        return _numeric_readings(float(value), unit, is_percent_format, percent_label, "")
    return []


def _numeric_readings(
    number: float, unit: str, is_percent: bool, percent_label: bool, note: str
) -> list[Reading]:
    if unit == "points" and is_percent:
        return [Reading(number * 100, _join_notes(note, "score en points affiché au format %"))]
    plain = [Reading(number, note)]
    if unit != "percent" or is_percent:
        return plain
    how = "taux exprimé ×100" + (" sous un libellé en %" if percent_label else "")
    return [*plain, Reading(number / 100, f"{note}, {how}" if note else how, times_100=True)]


def _join_notes(*notes: str) -> str:
    return ", ".join(n for n in notes if n)


def _date_readings(value: object) -> list[Reading]:
    if isinstance(value, dt.datetime | dt.date):
        return [Reading(DayMonth(value.day, value.month))]
    if isinstance(value, str):
        parsed = parse_date_text(value)
        return [Reading(parsed, "date saisie en texte")] if parsed else []
    return []


def _day_of_year(value: DayMonth) -> int:
    return (
        dt.date(2025, value.month, min(value.day, _month_length(value.month))).timetuple().tm_yday
    )


def _month_length(month: int) -> int:
    following = dt.date(2025 + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def agrees(expected: object, reading: Reading, tolerance: Tolerance) -> bool:
    """Whether one reading of the candidate's value equals the expected value."""
    if isinstance(expected, bool) or isinstance(reading.value, bool):
        return isinstance(expected, bool) and expected is reading.value
    if isinstance(expected, tuple):
        return isinstance(reading.value, tuple) and same_points(expected, reading.value, tolerance)
    if isinstance(expected, DayMonth):
        if not isinstance(reading.value, DayMonth):
            return False
        gap = abs(_day_of_year(reading.value) - _day_of_year(expected))
        return gap <= tolerance.absolute
    if isinstance(expected, float) and isinstance(reading.value, float):
        return tolerance.accepts(expected, reading.value)
    if isinstance(expected, str) and isinstance(reading.value, str):
        return expected.strip().casefold() == reading.value.strip().casefold()
    return False


def same_points(
    expected: tuple[object, ...], found: tuple[object, ...], tolerance: Tolerance
) -> bool:
    """Two clouds of (x, y) points, in any order, equal within the tolerance."""
    if len(expected) != len(found):
        return False
    remaining = list(found)
    for point in expected:
        match = next((p for p in remaining if _close_point(point, p, tolerance)), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def _close_point(a: object, b: object, tolerance: Tolerance) -> bool:
    if not (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) == 2):
        return False
    return all(
        isinstance(u, float) and isinstance(v, float) and tolerance.accepts(u, v)
        for u, v in zip(a, b, strict=True)
    )


def first_agreeing(expected: object, found: list[Reading], tolerance: Tolerance) -> Reading | None:
    return next((r for r in found if agrees(expected, r, tolerance)), None)


def display(value: object) -> object:
    """A JSON-friendly form of an expected or found value."""
    if isinstance(value, tuple):
        return [display(v) for v in value]
    if isinstance(value, DayMonth):
        return str(value)
    if isinstance(value, float):
        return round(value, 10)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | list | dict):
        return value
    return str(value)  # an Excel error value (#REF!, #DIV/0!…) as Excel shows it
