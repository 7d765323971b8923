"""Cost analysis: variable costs, contribution margin, break-even, safety margin, leverage.

Amounts are HT, rates fractions of 1. Nothing is rounded except where a definition is a day
count (the dates). A zero denominator raises ZeroDivisionError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autocorrect.reference.kpis.dates import (
    COMMERCIAL_YEAR_DAYS,
    DAYS_PER_COMMERCIAL_MONTH,
    DayMonth,
    date_avec_mois_fermes,
    date_civile_365,
    date_commerciale_360,
)
from autocorrect.reference.kpis.registry import kpi

CIVIL_YEAR_DAYS = 365
MONTHS_PER_YEAR = 12


@kpi
def commissions(ca: float, taux: float) -> float:
    """Commissions (sales commissions) = CA HT × taux de commission."""
    return ca * taux


@kpi
def charges_variables(
    cout_achat: float, ca: float, taux_commission: float, taux_transport: float
) -> float:
    """Charges variables (CV) = coût d'achat des ventes + CA × (t commission + t transport)."""
    return cout_achat + ca * (taux_commission + taux_transport)


@kpi
def mcv(ca: float, cv: float) -> float:
    """Marge sur coût variable (contribution margin) = CA − CV."""
    return ca - cv


@kpi
def taux_mcv(ca: float, cv: float) -> float:
    """Taux de MCV (contribution margin ratio) = (CA − CV) / CA."""
    return mcv(ca, cv) / ca


@kpi
def taux_mcv_from_mcv(mcv: float, ca: float) -> float:
    """Taux de MCV = MCV / CA."""
    return mcv / ca


@kpi
def resultat(mcv: float, cf: float) -> float:
    """Résultat (operating profit) = MCV − charges fixes."""
    return mcv - cf


@kpi
def seuil_rentabilite(cf: float, taux_mcv: float) -> float:
    """Seuil de rentabilité en valeur (break-even revenue) SR = CF / taux de MCV."""
    return cf / taux_mcv


@kpi
def sr_quantite(cf: float, pv: float, cv_unitaire: float) -> float:
    """Seuil de rentabilité en quantité = CF / MCV unitaire = CF / (PV − CV unitaire)."""
    return cf / (pv - cv_unitaire)


@kpi
def point_mort_jours(sr: float, ca: float, base: float = COMMERCIAL_YEAR_DAYS) -> float:
    """Point mort en jours (break-even day count), uniform activity = SR / CA × 360 (or 365)."""
    return sr / ca * base


@kpi
def point_mort_mois(sr: float, ca: float, mois_activite: float = MONTHS_PER_YEAR) -> float:
    """Point mort en mois = SR / CA × months of activity (12, or 11 when closed one month)."""
    return sr / ca * mois_activite


@kpi
def point_mort_date_mois_fermes(sr: float, ca: float, fermes: Sequence[float]) -> DayMonth:
    """Point mort as a date when the business closes some months (1–12): SR / CA × the open
    months gives the months of activity, counted over the open months only (30 days each).
    SR/CA = 0.75, August closed → 8.25 months → 8 octobre. Candidates often ignore the
    closure (`point_mort_date`), or take × 12 then skip the closed months."""
    open_months = MONTHS_PER_YEAR - len(set(fermes))
    return date_avec_mois_fermes(point_mort_mois(sr, ca, open_months), fermes)


@kpi
def point_mort_date(sr: float, ca: float, base: int = COMMERCIAL_YEAR_DAYS) -> DayMonth:
    """Point mort as a date (activity from 1 January), uniform activity.

    base 360: commercial calendar (`date_commerciale_360`); base 365: day-of-year ⌈d⌉ of a
    non-leap year (`date_civile_365`). C20: 300.20 d → 1er novembre; 304.37 d → 1er novembre.
    """
    jours = point_mort_jours(sr, ca, base)
    if base == COMMERCIAL_YEAR_DAYS:
        return date_commerciale_360(jours)
    if base == CIVIL_YEAR_DAYS:
        date = date_civile_365(jours)
        return DayMonth(date.day, date.month)
    msg = f"base must be 360 or 365, got {base}"
    raise ValueError(msg)


@kpi
def point_mort_saisonnier_jours(sr: float, ca_mensuels: Sequence[float]) -> float:
    """Point mort en jours, seasonal activity (360 convention, 30-day months from January).

    Find the first month k (0-based) whose cumulative CA reaches SR, then interpolate linearly
    inside it: d = 30·k + 30 × (SR − cumul before k) / CA of k. Raises ValueError if the
    cumulative CA never reaches SR.
    """
    cumul = 0.0
    for k, ca in enumerate(ca_mensuels):
        # SR equal to a month-end cumul must count as reached despite float summation error.
        if cumul + ca >= sr or math.isclose(cumul + ca, sr, rel_tol=1e-12):
            return DAYS_PER_COMMERCIAL_MONTH * (k + min(1.0, (sr - cumul) / ca))
        cumul += ca
    msg = f"the cumulative CA ({cumul}) never reaches the seuil de rentabilité ({sr})"
    raise ValueError(msg)


@kpi
def point_mort_saisonnier_date(sr: float, ca_mensuels: Sequence[float]) -> DayMonth:
    """Point mort as a date, seasonal activity: day ⌈30 × fraction⌉ of the first month whose
    cumulative CA reaches SR (the 30th of that month when SR equals its month-end cumul).

    C20: fraction 0.2004 → 6.01 d → 7 novembre. DOMAIN §3.4: fraction 0.30 → 9 d → 9 octobre.
    """
    return date_commerciale_360(point_mort_saisonnier_jours(sr, ca_mensuels))


@kpi
def marge_securite(ca: float, sr: float) -> float:
    """Marge de sécurité (margin of safety, €) = CA − SR."""
    return ca - sr


@kpi
def indice_securite(ms: float, ca: float) -> float:
    """Indice de sécurité (margin of safety ratio) = MS / CA."""
    return ms / ca


@kpi
def levier_operationnel(mcv: float, resultat: float) -> float:
    """Levier opérationnel (degree of operating leverage) = MCV / Résultat, a coefficient."""
    return mcv / resultat
