"""KPI library: pure, typed functions of French commercial maths (C16, C20, C21), and
indicators over transaction-level exports (`transactions`).

Importing this package registers every rubric-callable KPI in `KPIS` (name → function,
called with keyword arguments). Rates are fractions of 1; nothing is rounded.
"""

from autocorrect.reference.kpis import (
    activity,
    commerce,
    costs,
    dashboard,
    dates,
    mistakes,
    stocks,
    survey,
    transactions,
)
from autocorrect.reference.kpis.dates import DayMonth
from autocorrect.reference.kpis.registry import KPIS, kpi

__all__ = [
    "KPIS",
    "DayMonth",
    "activity",
    "commerce",
    "costs",
    "dashboard",
    "dates",
    "kpi",
    "mistakes",
    "stocks",
    "survey",
    "transactions",
]
