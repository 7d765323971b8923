"""Activity dashboards (C21): cumulative figures at the end of a month, catch-up for the rest
of the year, ranking and alert flags.

Cumulative rates are ratios of cumulative totals, never means of monthly rates. `mois` counts
the months cumulated from the first value of the series (1 = the first month); None means the
whole series (the semester total). Rates are fractions of 1. A zero denominator raises
ZeroDivisionError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autocorrect.reference.kpis.registry import kpi

ALERT_THRESHOLD = -0.05  # C21: an écart is "en alerte" when écart % ≤ −5 %
_TIE_TOLERANCE = 1e-9  # a value this close to a threshold *is* at the threshold


def _premiers(valeurs: Sequence[float], mois: float | None) -> Sequence[float]:
    """The first `mois` values of a monthly series (all of them when mois is None)."""
    if mois is None:
        return valeurs
    if mois != int(mois) or not 1 <= mois <= len(valeurs):
        msg = f"mois must be a whole number from 1 to {len(valeurs)}, got {mois}"
        raise ValueError(msg)
    return valeurs[: int(mois)]


def _paires(
    a: Sequence[float], b: Sequence[float], mois: float | None
) -> tuple[Sequence[float], Sequence[float]]:
    if len(a) != len(b):
        msg = "the two monthly series must have the same length"
        raise ValueError(msg)
    return _premiers(a, mois), _premiers(b, mois)


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= _TIE_TOLERANCE * max(1.0, abs(b))


# --- Cumulative figures --------------------------------------------------------------------------


@kpi
def cumul(valeurs: Sequence[float], mois: float | None = None) -> float:
    """Cumul à fin de mois (year-to-date total) = Σ of the first `mois` values."""
    return math.fsum(_premiers(valeurs, mois))


@kpi
def taux_realisation_cumule(
    realises: Sequence[float], objectifs: Sequence[float], mois: float | None = None
) -> float:
    """Taux de réalisation cumulé (YTD achievement) = Σ réalisés / Σ objectifs over the first
    `mois` months: a ratio of cumulative totals. C21 juin (S1): 345 450 / 350 000 = 98.70 %."""
    r, o = _paires(realises, objectifs, mois)
    return math.fsum(r) / math.fsum(o)


@kpi
def ecart_pct_cumule(
    realises: Sequence[float], objectifs: Sequence[float], mois: float | None = None
) -> float:
    """Écart en % cumulé = (Σ réalisés − Σ objectifs) / Σ objectifs. C21 S1: −1.30 %."""
    r, o = _paires(realises, objectifs, mois)
    return (math.fsum(r) - math.fsum(o)) / math.fsum(o)


@kpi
def evolution_cumulee(
    vn: Sequence[float], vn1: Sequence[float], mois: float | None = None
) -> float:
    """Évolution cumulée N/N−1 = (Σ V_N − Σ V_N−1) / Σ V_N−1 over the first `mois` months.

    C21 S1: (345 450 − 327 800) / 327 800 = +5.38 %.
    """
    n, n1 = _paires(vn, vn1, mois)
    return (math.fsum(n) - math.fsum(n1)) / math.fsum(n1)


# --- Catch-up (rattrapage) for the rest of the year ----------------------------------------------


@kpi
def objectif_restant(objectif_annuel: float, objectifs: Sequence[float]) -> float:
    """Objectif de la période restante (e.g. S2) = objectif annuel − Σ objectifs écoulés.

    C21: 730 000 − 350 000 = 380 000.
    """
    return objectif_annuel - math.fsum(objectifs)


@kpi
def ca_a_realiser(objectif_annuel: float, realises: Sequence[float]) -> float:
    """CA à réaliser sur la période restante pour atteindre l'objectif annuel =
    objectif annuel − Σ réalisés. C21: 730 000 − 345 450 = 384 550 €."""
    return objectif_annuel - math.fsum(realises)


@kpi
def taux_rattrapage(
    objectif_annuel: float, realises: Sequence[float], objectifs: Sequence[float]
) -> float:
    """CA à réaliser in % of the remaining objective = (objectif annuel − Σ réalisés) /
    (objectif annuel − Σ objectifs). C21: 384 550 / 380 000 = 101.20 % of the S2 objective."""
    return ca_a_realiser(objectif_annuel, realises) / objectif_restant(objectif_annuel, objectifs)


# --- Ranking and flags ---------------------------------------------------------------------------


@kpi
def rang(valeur: float, valeurs: Sequence[float], decroissant: bool = True) -> float:
    """Rang (rank), Excel RANG / RANG.EQ (RANK.EQ): 1 = the highest value when décroissant
    (the default, 1 = best), 1 = the lowest otherwise. Ties share the best rank and the next
    rank is skipped (RANK.EQ, not RANK.AVG). Raises ValueError when valeur is not among the
    valeurs (Excel #N/A); values within float noise of valeur count as equal to it.
    """
    if not any(_near(v, valeur) for v in valeurs):
        msg = f"{valeur} is not among the values ranked (Excel #N/A)"
        raise ValueError(msg)
    if decroissant:
        better = sum(1 for v in valeurs if v > valeur and not _near(v, valeur))
    else:
        better = sum(1 for v in valeurs if v < valeur and not _near(v, valeur))
    return float(better + 1)


@kpi
def alerte_ecart(ecart_pct: float, seuil: float = ALERT_THRESHOLD) -> bool:
    """Alerte (gap flag) ⇔ écart en % ≤ seuil (C21: −5 %, « inférieur ou égal »).

    An écart exactly at the threshold (within float noise) is in alert.
    """
    return ecart_pct <= seuil or _near(ecart_pct, seuil)


@kpi
def sous_objectif(realise: float, objectif: float) -> bool:
    """Sous l'objectif (below objective) ⇔ réalisé < objectif, strictly (exactly on target is
    not below). The C21 edge case: T. Petit −4.75 % is below objective but not in alert."""
    return realise < objectif and not _near(realise, objectif)


# --- Typical mistakes (never expected values: they name a wrong answer) --------------------------


@kpi
def moyenne_taux_realisation_cumule(
    realises: Sequence[float], objectifs: Sequence[float], mois: float | None = None
) -> float:
    """Cumulative achievement taken as the mean of the monthly rates (instead of Σ réalisés /
    Σ objectifs): C21 S1 98.58 % instead of 98.70 %."""
    r, o = _paires(realises, objectifs, mois)
    return math.fsum(a / b for a, b in zip(r, o, strict=True)) / len(r)
