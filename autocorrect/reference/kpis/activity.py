"""Activity KPIs: funnel, productivity ratios, achievement and variances, growth, marketing.

Rates are fractions of 1; indices (base 100) and coefficients (ROAS, PDM relative) are plain
numbers. Team figures are ratios of totals. A zero denominator raises ZeroDivisionError.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from autocorrect.reference.kpis.registry import kpi

# --- Generic ratios and team aggregates -------------------------------------------------------


@kpi
def ratio(numerateur: float, denominateur: float) -> float:
    """Ratio (any productivity ratio: CA/jour, RDV/contacts, frais/CA…) = num / dénom."""
    return numerateur / denominateur


@kpi
def ratio_des_totaux(numerateurs: Sequence[float], denominateurs: Sequence[float]) -> float:
    """Team ratio (ratio des totaux) = Σ numérateurs / Σ dénominateurs."""
    if len(numerateurs) != len(denominateurs):
        msg = "numerateurs and denominateurs must have the same length"
        raise ValueError(msg)
    return math.fsum(numerateurs) / math.fsum(denominateurs)


@kpi
def moyenne_des_taux(numerateurs: Sequence[float], denominateurs: Sequence[float]) -> float:
    """Mean of the individual ratios, Σ(nᵢ/dᵢ) / k: the typical team mistake (not a team rate)."""
    rates = [n / d for n, d in zip(numerateurs, denominateurs, strict=True)]
    return math.fsum(rates) / len(rates)


# --- Funnel -----------------------------------------------------------------------------------


@kpi
def taux_transformation(ventes: float, leads: float) -> float:
    """Taux de transformation global (overall conversion) = ventes / leads."""
    return ventes / leads


@kpi
def taux_concretisation(ventes: float, devis: float) -> float:
    """Taux de concrétisation (closing rate) = ventes / devis."""
    return ventes / devis


def funnel_stage_rates(stages: Sequence[float]) -> list[float]:
    """Taux de passage (stage conversion rates) = stageₖ / stageₖ₋₁, for k ≥ 1.

    Their product is the overall rate last / first.
    """
    return [after / before for before, after in itertools.pairwise(stages)]


def funnel_cumulative_rates(stages: Sequence[float]) -> list[float]:
    """Taux cumulés (cumulative conversion rates) = stageₖ / stage₀, for k ≥ 1."""
    return [stage / stages[0] for stage in stages[1:]]


# --- Achievement and variances ----------------------------------------------------------------


@kpi
def taux_realisation(realise: float, objectif: float) -> float:
    """Taux de réalisation (achievement rate) = réalisé / objectif."""
    return realise / objectif


@kpi
def ecart_valeur(realise: float, objectif: float) -> float:
    """Écart en valeur (variance) = réalisé − objectif; negative means under-performance."""
    return realise - objectif


@kpi
def ecart_pct(realise: float, objectif: float) -> float:
    """Écart en % (relative variance) = (réalisé − objectif) / objectif."""
    return (realise - objectif) / objectif


@kpi
def ecart_valeur_total(realises: Sequence[float], objectifs: Sequence[float]) -> float:
    """Écart total (team variance) = Σ réalisés − Σ objectifs."""
    if len(realises) != len(objectifs):
        msg = "realises and objectifs must have the same length"
        raise ValueError(msg)
    return math.fsum(realises) - math.fsum(objectifs)


# --- Productivity -----------------------------------------------------------------------------


@kpi
def panier_moyen(ca: float, ventes: float) -> float:
    """Panier moyen (average order value) = CA / number of sales (tickets, commandes)."""
    return ca / ventes


@kpi
def cout_par_vente(frais: float, ventes: float) -> float:
    """Coût par vente (cost per sale) = frais / ventes."""
    return frais / ventes


# --- Growth -----------------------------------------------------------------------------------


@kpi
def evolution(vn: float, vn1: float) -> float:
    """Taux d'évolution N/N−1 (growth rate) = (V_N − V_N−1) / V_N−1."""
    return (vn - vn1) / vn1


@kpi
def tcam(initial: float, final: float, n: float) -> float:
    """TCAM (CAGR) = (final / initial)^(1/n) − 1, n = number of intervals (years − 1)."""
    return math.pow(final / initial, 1 / n) - 1


@kpi
def indice_base100(valeur: float, base: float) -> float:
    """Indice base 100 (index) = valeur / base × 100, a plain number."""
    return valeur / base * 100


# --- Marketing --------------------------------------------------------------------------------


@kpi
def cac(cout: float, clients: float) -> float:
    """Coût d'acquisition client (CAC) = campaign cost / new clients."""
    return cout / clients


@kpi
def roi(gain: float, cout: float) -> float:
    """ROI (return on investment) = (gain − coût) / coût, gain = margin generated (not CA)."""
    return (gain - cout) / cout


@kpi
def roas(ca: float, cout: float) -> float:
    """ROAS (return on ad spend) = CA / coût, a coefficient."""
    return ca / cout


@kpi
def taux_delivrabilite(delivres: float, envoyes: float) -> float:
    """Taux de délivrabilité (deliverability) = délivrés / envoyés."""
    return delivres / envoyes


@kpi
def taux_ouverture(ouvreurs: float, delivres: float) -> float:
    """Taux d'ouverture (open rate) = ouvreurs uniques / délivrés."""
    return ouvreurs / delivres


@kpi
def taux_clic(cliqueurs: float, delivres: float) -> float:
    """Taux de clic (CTR) = cliqueurs uniques / délivrés."""
    return cliqueurs / delivres


@kpi
def taux_reactivite(cliqueurs: float, ouvreurs: float) -> float:
    """Taux de réactivité (CTOR, click-to-open rate) = cliqueurs / ouvreurs."""
    return cliqueurs / ouvreurs


# --- Market -----------------------------------------------------------------------------------


@kpi
def part_de_marche(ventes: float, marche: float) -> float:
    """Part de marché (market share) = own sales / total market sales (same unit)."""
    return ventes / marche


@kpi
def pdm_relative(ventes: float, ventes_leader: float) -> float:
    """Part de marché relative = own sales / leader's sales (= PDM / PDM leader), a coefficient."""
    return ventes / ventes_leader
