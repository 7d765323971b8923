"""The typical candidate mistakes of DOMAIN.md, as pure functions.

They are never expected values: the grader uses them to *name* a wrong answer ("calcul sur
le prix TTC", "frais de port remisés") so the jury sees the reason, not just "faux".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from autocorrect.reference.kpis.commerce import net_commercial, prix_ttc
from autocorrect.reference.kpis.dates import DayMonth, date_avec_mois_fermes
from autocorrect.reference.kpis.registry import kpi


@kpi
def ttc_taux_de_marque(pv_ht: float, pa: float, tva: float) -> float:
    """Taux de marque computed on the TTC price: (PV TTC − PA) / PV TTC (HT/TTC confusion)."""
    pv = prix_ttc(pv_ht, tva)
    return (pv - pa) / pv


@kpi
def un_plus_taux_de_marque(pv: float, pa: float) -> float:
    """Coefficient taken as 1 + taux de marque (instead of PV / PA)."""
    return 1 + (pv - pa) / pv


@kpi
def net_a_payer_port_remise(
    brut: float, remises: Sequence[float], taux_escompte: float, port: float, tva: float
) -> float:
    """Net à payer when the port is (wrongly) discounted with the goods: C20 → 11 550.24 €."""
    discounted = net_commercial(brut + port, remises) * (1 - taux_escompte)
    return discounted * (1 + tva)


@kpi
def moyenne_arithmetique_evolutions(valeurs: Sequence[float]) -> float:
    """TCAM taken as the arithmetic mean of the yearly growth rates (instead of a geometric one)."""
    rates = [b / a - 1 for a, b in itertools.pairwise(valeurs)]
    return math.fsum(rates) / len(rates)


@kpi
def commande_stricte(stock: float, point_commande: float) -> bool:
    """Order flag with a strict « < »: misses the tie where the stock equals the reorder point."""
    return stock < point_commande


@kpi
def point_mort_douze_mois_fermes(sr: float, ca: float, fermes: Sequence[float]) -> DayMonth:
    """Point mort with closed months: SR / CA × 12 (instead of × the open months), then the
    closed months skipped. SR/CA = 0.75, August closed → 9 months → 30 octobre (not 8 octobre)."""
    return date_avec_mois_fermes(sr / ca * 12, fermes)
