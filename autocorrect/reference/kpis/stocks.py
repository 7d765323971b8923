"""Stock management (C21): closing and average stock, rotation, days of stock, daily
consumption, cover, safety stock, reorder point, stock-out rate, CMUP and stock value.

Quantities are units, costs € HT, rates fractions of 1, durations days. The period base is
the number of days of the period the flows cover: 360 for a commercial year (the default,
DOMAIN §1.4), 180 for a semester (181 civil). Nothing is rounded; a zero denominator raises
ZeroDivisionError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autocorrect.reference.kpis.registry import kpi

COMMERCIAL_YEAR_DAYS = 360
_TIE_TOLERANCE = 1e-9  # a stock this close to the reorder point *is* at the point (order)

# --- Stock levels ----------------------------------------------------------------------------


@kpi
def stock_final(si: float, entrees: float, sorties: float) -> float:
    """Stock final (closing stock) SF = SI + entrées − sorties."""
    return si + entrees - sorties


@kpi
def stock_moyen_si_sf(si: float, sf: float) -> float:
    """Stock moyen (average stock) = (SI + SF) / 2."""
    return (si + sf) / 2


def _releves(releves: Sequence[float]) -> Sequence[float]:
    if len(releves) < 2:
        msg = "an average stock from counts needs the opening stock and at least one count"
        raise ValueError(msg)
    return releves


@kpi
def stock_moyen_releves(releves: Sequence[float]) -> float:
    """Stock moyen from counts (SI first) = (SI + S1 + … + Sn) / (n + 1). C21 P01: 361.43."""
    return math.fsum(_releves(releves)) / len(releves)


@kpi
def stock_moyen_trapeze(releves: Sequence[float]) -> float:
    """Stock moyen, trapezoid rule (SI first) = (SI/2 + S1 + … + S(n−1) + Sn/2) / n.

    C21 P01: 361.67.
    """
    counts = _releves(releves)
    inner = math.fsum(counts[1:-1])
    return (counts[0] / 2 + inner + counts[-1] / 2) / (len(counts) - 1)


@kpi
def stock_moyen_fins_de_mois(releves: Sequence[float]) -> float:
    """Stock moyen as the mean of the end-of-period counts, SI excluded (SI first in `releves`).

    C21 P01: 351.67.
    """
    counts = _releves(releves)[1:]
    return math.fsum(counts) / len(counts)


# --- Rotation, duration, consumption, cover ----------------------------------------------------


@kpi
def rotation(sorties: float, stock_moyen: float) -> float:
    """Coefficient de rotation (stock turnover) = sorties / stock moyen, both in the same unit
    (quantities, or coût d'achat des ventes / SM at cost). A coefficient, per period."""
    return sorties / stock_moyen


@kpi
def duree_stockage(rotation: float, base: float = COMMERCIAL_YEAR_DAYS) -> float:
    """Durée moyenne de stockage (days of inventory) = base / rotation = SM / sorties × base.

    base = days of the period of the rotation: 360 (year), 180 (semester).
    """
    return base / rotation


@kpi
def consommation_journaliere(sorties: float, base: float = COMMERCIAL_YEAR_DAYS) -> float:
    """Consommation moyenne journalière (daily consumption) = sorties / jours de la période."""
    return sorties / base


@kpi
def couverture(stock: float, conso_journaliere: float) -> float:
    """Couverture de stock (stock cover, days) = stock disponible / consommation journalière."""
    return stock / conso_journaliere


# --- Safety stock, reorder point ----------------------------------------------------------------


@kpi
def stock_securite(conso_journaliere: float, delai_securite: float) -> float:
    """Stock de sécurité, simplified = consommation journalière × délai de sécurité (days)."""
    return conso_journaliere * delai_securite


@kpi
def point_de_commande(conso_journaliere: float, delai: float, stock_securite: float) -> float:
    """Point de commande / stock d'alerte (reorder point) = conso journalière × délai de
    réapprovisionnement + stock de sécurité. 20 × 7 + 60 = 200."""
    return conso_journaliere * delai + stock_securite


@kpi
def point_de_commande_periode(
    sorties: float, delai: float, stock_securite: float, base: float = COMMERCIAL_YEAR_DAYS
) -> float:
    """Point de commande from the period's exits = sorties / base × délai + stock de sécurité.

    C21 P03: 1 950 / 180 × 12 + 100 = 230.
    """
    return point_de_commande(consommation_journaliere(sorties, base), delai, stock_securite)


@kpi
def commande_a_passer(stock: float, point_commande: float) -> bool:
    """Commande à déclencher (order flag) ⇔ stock ≤ point de commande.

    Tie rule: a stock equal to the point triggers the order (C21 P03: SF = PC = 230 → oui);
    a stock within float noise of the point counts as equal.
    """
    return stock <= point_commande + _TIE_TOLERANCE * max(1.0, abs(point_commande))


# --- Stock-outs ----------------------------------------------------------------------------------


@kpi
def taux_rupture(non_servies: float, demandes: float) -> float:
    """Taux de rupture (stock-out rate) = demandes non servies / demandes totales."""
    return non_servies / demandes


@kpi
def taux_rupture_from_sorties(non_servies: float, sorties: float) -> float:
    """Taux de rupture when the demand is sorties + non servies = non servies / (sorties +
    non servies). C21 P10: 22 / 322 = 6.83 %."""
    return non_servies / (sorties + non_servies)


@kpi
def taux_rupture_global(non_servies: Sequence[float], sorties: Sequence[float]) -> float:
    """Overall stock-out rate = Σ non servies / (Σ sorties + Σ non servies) (C21: 31/2 221)."""
    if len(non_servies) != len(sorties):
        msg = "non_servies and sorties must have the same length"
        raise ValueError(msg)
    return taux_rupture_from_sorties(math.fsum(non_servies), math.fsum(sorties))


@kpi
def taux_service(non_servies: float, demandes: float) -> float:
    """Taux de service (fill rate) = 1 − taux de rupture = demandes servies / demandes."""
    return 1 - taux_rupture(non_servies, demandes)


# --- CMUP and stock value -----------------------------------------------------------------------
#
# A stock card (fiche de stock) is two parallel columns, as in the subject: quantities, and unit
# costs where a row WITHOUT unit cost (None, a blank cell) is an exit (sortie). The first row is
# the opening stock. A card of the opening stock and the entries only is valid too.


def _fiche(quantites: Sequence[float], couts: Sequence[float | None]) -> None:
    if len(quantites) != len(couts):
        msg = "quantites and couts must have the same length"
        raise ValueError(msg)
    if any(q < 0 for q in quantites):
        msg = "quantities are positive; an exit is a row without unit cost"
        raise ValueError(msg)


@kpi
def cmup_periode(quantites: Sequence[float], couts: Sequence[float | None]) -> float:
    """CMUP de la période (weighted average cost) = (valeur SI + Σ valeurs entrées) /
    (quantité SI + Σ quantités entrées); exits (rows without cost) are ignored.

    SI 100 @ 10, entries 200 @ 11 and 100 @ 12.40 → 11.10. C21 P06: 623/110 = 5.6636.
    """
    _fiche(quantites, couts)
    lots = [(q, c) for q, c in zip(quantites, couts, strict=True) if c is not None]
    return math.fsum(q * c for q, c in lots) / math.fsum(q for q, _ in lots)


@dataclass(frozen=True, slots=True)
class LigneStock:
    """One row of a perpetual-CMUP stock card, after the movement."""

    quantite: float
    cmup: float
    valeur: float


def fiche_cmup_permanent(
    quantites: Sequence[float], couts: Sequence[float | None]
) -> list[LigneStock]:
    """Perpetual CMUP (CMUP après chaque entrée): each entry recomputes the CMUP, each exit
    leaves at the current CMUP. C21 P06: CMUP 5.5000 → 5.5968 → 5.7231, SF value 3 204.95 €.

    Raises ValueError when an exit takes more than the stock, or the card opens with an exit.
    """
    _fiche(quantites, couts)
    rows: list[LigneStock] = []
    stock, valeur = 0.0, 0.0
    for q, c in zip(quantites, couts, strict=True):
        if c is None:
            if not rows or q > stock:
                msg = f"exit of {q} units from a stock of {stock}"
                raise ValueError(msg)
            cmup = rows[-1].cmup
            stock -= q
            valeur = stock * cmup
        else:
            stock += q
            valeur += q * c
            cmup = valeur / stock
        rows.append(LigneStock(stock, cmup, valeur))
    return rows


@kpi
def cmup_permanent(quantites: Sequence[float], couts: Sequence[float | None]) -> float:
    """CMUP after the last movement, perpetual method (C21 P06: 5.7231)."""
    return fiche_cmup_permanent(quantites, couts)[-1].cmup


@kpi
def valeur_stock_permanent(quantites: Sequence[float], couts: Sequence[float | None]) -> float:
    """Value of the closing stock, perpetual CMUP (C21 P06: 560 × 5.7231 = 3 204.95 €)."""
    return fiche_cmup_permanent(quantites, couts)[-1].valeur


@kpi
def valeur_stock(quantite: float, cout_unitaire: float) -> float:
    """Valorisation du stock (stock value) = quantité × coût unitaire (CMUP, PEPS…), at cost."""
    return quantite * cout_unitaire


# --- Typical mistakes (never expected values: they name a wrong answer) --------------------------


@kpi
def duree_stockage_inversee(rotation: float, base: float = COMMERCIAL_YEAR_DAYS) -> float:
    """Durée de stockage computed as base × rotation (instead of base / rotation): 12 → 4 320."""
    return base * rotation


@kpi
def cmup_moyenne_simple(quantites: Sequence[float], couts: Sequence[float | None]) -> float:
    """CMUP taken as the simple mean of the unit costs, unweighted: 11.13 instead of 11.10
    (C21 P06: 5.70 instead of 5.6636)."""
    _fiche(quantites, couts)
    prices = [c for c in couts if c is not None]
    return math.fsum(prices) / len(prices)
