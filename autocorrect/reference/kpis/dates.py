"""Day counts to calendar dates for the point mort (break-even date).

Every conversion starts on 1 January and works on a *day number* n = ⌈d⌉ (1-based):
the point mort falls during day n. A count that is a whole number of days (d = 270) therefore
ends on day 270 itself, which is how French teaching reads "the 30th of the last full month".
Counts within 1e-9 of a whole number are treated as whole, so that float noise
(270.00000000001) does not push the date one day later.

- 360 convention (année commerciale): 12 months of 30 days.
- 365 convention (année civile): the real calendar of a given year (2025 is not leap).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from autocorrect.reference.kpis.registry import kpi

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

DAYS_PER_COMMERCIAL_MONTH = 30
COMMERCIAL_YEAR_DAYS = 360
NON_LEAP_YEAR = 2025
_WHOLE_DAY_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class DayMonth:
    """A day of a month without a year, e.g. DayMonth(7, 11) is « 7 novembre ».

    Under the 360 convention every month has 30 days, so « 30 février » can occur: it means
    the end of February.
    """

    day: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= len(MOIS) or not 1 <= self.day <= 31:
            msg = f"invalid day/month: {self.day}/{self.month}"
            raise ValueError(msg)

    @property
    def month_name(self) -> str:
        """French name of the month, lower case (« novembre »)."""
        return MOIS[self.month - 1]

    def __str__(self) -> str:
        day = "1er" if self.day == 1 else str(self.day)
        return f"{day} {self.month_name}"


def day_number(jours: float) -> int:
    """Number of the day (1-based) during which a count of `jours` days ends: ⌈jours⌉."""
    n = math.ceil(jours - _WHOLE_DAY_TOLERANCE)
    if n < 1:
        msg = f"a point mort of {jours} days is not inside the year"
        raise ValueError(msg)
    return n


@kpi
def date_commerciale_360(jours: float) -> DayMonth:
    """Date of day ⌈jours⌉ in a 360-day commercial year starting 1 January (30-day months).

    Equivalent to months = ⌊d/30⌋, day = ⌈d − 30·months⌉ of the next month, and the 30th of
    the last full month when d is a multiple of 30. 300.20 → 1er novembre; 270 → 30 septembre.
    """
    n = day_number(jours)
    if n > COMMERCIAL_YEAR_DAYS:
        msg = f"a point mort of {jours} days is beyond the 360-day year"
        raise ValueError(msg)
    month, day = divmod(n - 1, DAYS_PER_COMMERCIAL_MONTH)
    return DayMonth(day + 1, month + 1)


def date_civile_365(jours: float, year: int = NON_LEAP_YEAR) -> dt.date:
    """Calendar date of day-of-year ⌈jours⌉ of `year` (1 January is day 1).

    273.75 → day 274 → 2025-10-01. Raises ValueError past 31 December.
    """
    n = day_number(jours)
    date = dt.date(year, 1, 1) + dt.timedelta(days=n - 1)
    if date.year != year:
        msg = f"a point mort of {jours} days is beyond the year {year}"
        raise ValueError(msg)
    return date


@kpi
def date_avec_mois_fermes(mois: float, fermes: Sequence[float]) -> DayMonth:
    """Date reached after `mois` months of *activity* when the months in `fermes` are closed.

    Closed months (1–12) are skipped; each open month counts 30 days. The whole part of `mois`
    gives the full open months, the fraction ×30 the day (⌈·⌉) of the next open month.
    8.25 months, August closed → 8 octobre.
    """
    if any(not 1 <= m <= len(MOIS) or m != int(m) for m in fermes):
        msg = f"closed months must be between 1 and 12, got {list(fermes)}"
        raise ValueError(msg)
    open_months = [m for m in range(1, len(MOIS) + 1) if m not in set(fermes)]
    n = day_number(mois * DAYS_PER_COMMERCIAL_MONTH)
    index, day = divmod(n - 1, DAYS_PER_COMMERCIAL_MONTH)
    if index >= len(open_months):
        msg = f"{mois} months of activity do not fit in the open months of the year"
        raise ValueError(msg)
    return DayMonth(day + 1, open_months[index])
