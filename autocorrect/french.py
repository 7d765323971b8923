"""The one French formatter and vocabulary of every output: numbers, percents, money, dates,
booleans, file sizes, plurals, and the French words for verdicts, statuses and proposals.

French conventions, as a French spreadsheet shows them: decimal comma, thousands grouped with a
narrow no-break space (U+202F, which never breaks a number across lines), the same space before
« % » and « € », dates as 01/11/2024, booleans as VRAI/FAUX. Every report (text, HTML, CSV,
XLSX, annotated copy) and every French message goes through these functions, so a number reads
the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from autocorrect.report import Proposal, Status, Verdict

NNBSP = "\u202f"  # narrow no-break space: thousands separator, and before % and €
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T00:00:00)?$")
_MIB = 1024 * 1024

VERDICT_WORDS: dict[Verdict, str] = {
    Verdict.CORRECT: "juste",
    Verdict.CONSEQUENTIAL: "report d'erreur",
    Verdict.HARDCODED: "valeur saisie",
    Verdict.INCORRECT: "faux",
    Verdict.MISSING: "absent",
    Verdict.REVIEW: "à vérifier",
}
STATUS_WORDS: dict[Status, str] = {
    Status.GRADED: "corrigée",
    Status.UNREADABLE: "illisible",
    Status.ERROR: "erreur du correcteur",
}
PROPOSAL_WORDS: dict[Proposal, str] = {
    Proposal.ACQUIS: "acquis",
    Proposal.NON_ACQUIS: "non acquis",
    Proposal.A_VERIFIER: "à vérifier",
}
LOCATED_WORDS: dict[str, str] = {
    "template": "case prévue",
    "label": "libellé",
    "table": "tableau",
    "value-search": "recherche par valeur",
}


def number(value: float, decimals: int = 2) -> str:
    """291484.4054 -> "291 484,41"; trailing zeros dropped (12.50 -> "12,5", 3.0 -> "3")."""
    if not math.isfinite(value):
        return "non numérique"
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", NNBSP).replace(".", ",")


def decimal(value: float, decimals: int = 2) -> str:
    """A number for a spreadsheet cell (CSV): decimal comma, no grouping, so that French Excel
    and LibreOffice read it as a number: 1234.5 -> "1234,5"."""
    return number(value, decimals).replace(NNBSP, "")


def integer(value: int) -> str:
    """1048576 -> "1 048 576"."""
    return number(float(value), 0)


def fixed(value: float, decimals: int = 2) -> str:
    """A number with exactly `decimals` decimals: 4320 -> "4 320,00" (amounts, rates)."""
    if not math.isfinite(value):
        return "non numérique"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # "-0,00" reads as a sign error
    return text.replace(",", NNBSP).replace(".", ",")


def points(value: float) -> str:
    """Points and marks: at most two decimals, no useless zeros (12.5 -> "12,5")."""
    return number(value, 2)


def percent(share: float, decimals: int = 2) -> str:
    """A share as a percentage: 0.33333 -> "33,33 %", 0.5 -> "50 %"."""
    return f"{number(share * 100, decimals)}{NNBSP}%"


def money(value: float) -> str:
    """An amount in euros, always with cents: 4320 -> "4 320,00 €"."""
    return f"{fixed(value, 2)}{NNBSP}€"


def date(value: dt.date | str) -> str:
    """A date as 01/11/2024, from a date, a datetime or an ISO date text."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            return value
        year, month, day = value[:10].split("-")
        return f"{day}/{month}/{year}"
    return value.strftime("%d/%m/%Y")


def boolean(value: bool) -> str:
    return "VRAI" if value else "FAUX"


def file_size(n_bytes: int) -> str:
    """12582912 -> "12,0 Mo", 1536 -> "1,5 Ko", 12 -> "12 octets"."""
    if n_bytes >= _MIB:
        return f"{fixed(n_bytes / _MIB, 1)} Mo"
    if n_bytes >= 1024:
        return f"{fixed(n_bytes / 1024, 1)} Ko"
    return f"{integer(n_bytes)} octets"


def value(found: object) -> str:
    """An expected or found value as a French reader expects it; None is an em dash.

    Numbers of unknown unit: two decimals from 1 up, four below (a rate 0,1825 keeps its
    precision); pairs (chart points) in parentheses; anything else as its French text.
    """
    if found is None:
        return "—"
    if isinstance(found, bool):
        return boolean(found)
    if isinstance(found, float):
        return number(found, 2 if abs(found) >= 1 else 4)
    if isinstance(found, int):
        return integer(found)
    if isinstance(found, dt.date | str):
        return date(found)
    if isinstance(found, list | tuple):
        return " ; ".join(
            f"({value(v[0])} ; {value(v[1])})"
            if isinstance(v, list | tuple) and len(v) == 2
            else value(v)
            for v in found
        )
    return str(found)


def in_unit(found: object, unit: str, expected: object = None) -> str:
    """A value in the jury's unit: rates « 33,33 % », amounts « 4 320,00 € », flags VRAI/FAUX.

    A rate is stored as a fraction; a candidate may have typed it ×100 (18,25 for 18,25 %): a
    found number is read in percentage points when it is nearer 100 × the expected fraction.
    """
    if isinstance(found, bool) or not isinstance(found, int | float):
        return value(found)
    if unit == "eur":
        return money(found)
    if unit == "percent":
        if _in_percentage_points(found, expected):
            return f"{number(found, 2)}{NNBSP}%"
        return percent(found, 2)
    return value(found)


def _in_percentage_points(found: float, expected: object) -> bool:
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return False
    return abs(found - 100 * expected) < abs(found - expected)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """French agreement with a count: 0 and 1 take the singular (« 1 copie », « 0 copie »,
    « 13 copies »)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{integer(count)} {word}"
