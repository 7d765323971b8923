"""The table row shared by the KPI tests of typical candidate mistakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Mistake(NamedTuple):
    """A typical candidate mistake: the right computation and value, how the mistake is
    computed and the wrong value DOMAIN says it gives."""

    id: str
    correct: Callable[[], float]
    expected: float
    mistaken: Callable[[], float]
    wrong: float
    tol: float
