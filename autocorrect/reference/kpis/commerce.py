"""Commercial maths: VAT, margins, rates, multipliers, turnover, parts, discounts, invoices.

Every amount is HT (excl. VAT) unless the name says TTC. Rates are fractions of 1.
Nothing is rounded; a zero denominator raises ZeroDivisionError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autocorrect.reference.kpis.registry import kpi

# --- VAT -------------------------------------------------------------------------------------


@kpi
def prix_ttc(ht: float, tva: float) -> float:
    """Prix TTC (VAT-inclusive price) = HT × (1 + t)."""
    return ht * (1 + tva)


@kpi
def prix_ht(ttc: float, tva: float) -> float:
    """Prix HT (price excl. VAT) = TTC / (1 + t)."""
    return ttc / (1 + tva)


@kpi
def montant_tva(ht: float, tva: float) -> float:
    """Montant de TVA (VAT amount) = HT × t (never TTC × t)."""
    return ht * tva


# --- Unit margin and rates --------------------------------------------------------------------


@kpi
def marge_unitaire(pv: float, pa: float) -> float:
    """Marge unitaire (unit gross margin) = PV HT − PA HT."""
    return pv - pa


@kpi
def taux_de_marge(pv: float, pa: float) -> float:
    """Taux de marge (markup on cost) = (PV HT − PA HT) / PA HT."""
    return (pv - pa) / pa


@kpi
def taux_de_marque(pv: float, pa: float) -> float:
    """Taux de marque (margin rate on selling price) = (PV HT − PA HT) / PV HT."""
    return (pv - pa) / pv


@kpi
def marge_to_marque(taux: float) -> float:
    """Taux de marque from a taux de marge: Tmarque = Tmarge / (1 + Tmarge)."""
    return taux / (1 + taux)


@kpi
def marque_to_marge(taux: float) -> float:
    """Taux de marge from a taux de marque: Tmarge = Tmarque / (1 − Tmarque)."""
    return taux / (1 - taux)


@kpi
def coef_multiplicateur(pv: float, pa: float) -> float:
    """Coefficient multiplicateur (price multiplier) = price / PA HT (PV HT or PV TTC)."""
    return pv / pa


@kpi
def coef_multiplicateur_ttc(pv_ht: float, pa: float, tva: float) -> float:
    """Coefficient multiplicateur PA HT → PV TTC = PV HT × (1 + t) / PA HT."""
    return prix_ttc(pv_ht, tva) / pa


@kpi
def pv_ht_from_taux_marque(pa: float, taux_marque: float) -> float:
    """Prix de vente HT for a target taux de marque: PV HT = PA HT / (1 − Tmarque)."""
    return pa / (1 - taux_marque)


# --- Turnover, total margins, aggregate rates -------------------------------------------------


@kpi
def chiffre_affaires(pv: float, q: float) -> float:
    """Chiffre d'affaires HT (sales) of one product = PV HT × Q."""
    return pv * q


@kpi
def chiffre_affaires_total(pv: Sequence[float], q: Sequence[float]) -> float:
    """Chiffre d'affaires HT total = Σ PV HT × Q."""
    return math.fsum(p * n for p, n in zip(pv, q, strict=True))


@kpi
def marge_globale(pv: float, pa: float, q: float) -> float:
    """Marge globale (total gross margin) of one product = (PV HT − PA HT) × Q."""
    return (pv - pa) * q


@kpi
def marge_globale_total(pv: Sequence[float], pa: Sequence[float], q: Sequence[float]) -> float:
    """Marge globale totale = Σ (PV HT − PA HT) × Q."""
    return math.fsum(marge_globale(v, a, n) for v, a, n in zip(pv, pa, q, strict=True))


@kpi
def cout_achat_vendu_total(pa: Sequence[float], q: Sequence[float]) -> float:
    """Coût d'achat des marchandises vendues (cost of goods sold) = Σ PA HT × Q."""
    return chiffre_affaires_total(pa, q)


@kpi
def taux_marque_global(pv: Sequence[float], pa: Sequence[float], q: Sequence[float]) -> float:
    """Taux de marque global (aggregate margin rate) = Σ marge / Σ CA (weighted, not a mean)."""
    return marge_globale_total(pv, pa, q) / chiffre_affaires_total(pv, q)


@kpi
def taux_marge_global(pv: Sequence[float], pa: Sequence[float], q: Sequence[float]) -> float:
    """Taux de marge global (aggregate markup) = Σ marge / Σ coût d'achat."""
    return marge_globale_total(pv, pa, q) / cout_achat_vendu_total(pa, q)


@kpi
def moyenne_simple(values: Sequence[float]) -> float:
    """Moyenne simple (arithmetic mean) = Σ x / n.

    Used to diagnose the typical mistake of averaging product rates instead of Σmarge/ΣCA.
    """
    return math.fsum(values) / len(values)


@kpi
def part(valeur: float, total: float) -> float:
    """Part (share of a total, e.g. % du CA, % de la marge) = valeur / total."""
    return valeur / total


@kpi
def somme(values: Sequence[float]) -> float:
    """Somme (total) = Σ x."""
    return math.fsum(values)


# --- Discounts and invoice --------------------------------------------------------------------


@kpi
def net_commercial(brut: float, remises: Sequence[float]) -> float:
    """Net commercial = brut × Π(1 − rᵢ): rabais, remises, ristournes applied in cascade."""
    return brut * math.prod(1 - r for r in remises)


@kpi
def montant_remises_additionnees(brut: float, remises: Sequence[float]) -> float:
    """Net commercial with the rates ADDED, brut × (1 − Σ rᵢ): the typical mistake."""
    return brut * (1 - math.fsum(remises))


@kpi
def taux_global_equivalent(remises: Sequence[float]) -> float:
    """Taux de remise global équivalent (equivalent single discount) = 1 − Π(1 − rᵢ)."""
    return 1 - math.prod(1 - r for r in remises)


@kpi
def escompte(net_commercial: float, taux: float) -> float:
    """Escompte (cash discount) = net commercial × taux d'escompte."""
    return net_commercial * taux


@kpi
def net_financier(net_commercial: float, taux_escompte: float) -> float:
    """Net financier = net commercial × (1 − taux d'escompte)."""
    return net_commercial * (1 - taux_escompte)


@kpi
def base_tva(net_financier: float, port: float) -> float:
    """Base de TVA (VAT base) = net financier + frais de port (port is never discounted)."""
    return net_financier + port


@kpi
def tva_facture(base: float, tva: float) -> float:
    """TVA of an invoice = base de TVA × t."""
    return base * tva


@kpi
def tva_avec_port(net_financier: float, port: float, tva: float) -> float:
    """TVA of a quote whose base is the net financier plus the (undiscounted) port."""
    return tva_facture(base_tva(net_financier, port), tva)


@kpi
def net_a_payer(base: float, tva: float) -> float:
    """Net à payer TTC (amount due) = base de TVA × (1 + t)."""
    return base * (1 + tva)


@dataclass(frozen=True, slots=True)
class Facture:
    """Every step of a French invoice or quote, unrounded."""

    brut: float
    net_commercial: float
    escompte: float
    net_financier: float
    port: float
    base_tva: float
    tva: float
    net_a_payer: float


def facture(
    brut: float, remises: Sequence[float], escompte: float, tva: float, port: float = 0.0
) -> Facture:
    """Invoice (facture / devis): brut → remises in cascade → net commercial → − escompte
    → net financier → + port → base de TVA → + TVA → net à payer TTC.

    `escompte` is the cash-discount *rate*; the Facture holds its amount.
    """
    nc = net_commercial(brut, remises)
    nf = net_financier(nc, escompte)
    base = base_tva(nf, port)
    return Facture(
        brut=brut,
        net_commercial=nc,
        escompte=nc - nf,
        net_financier=nf,
        port=port,
        base_tva=base,
        tva=tva_facture(base, tva),
        net_a_payer=net_a_payer(base, tva),
    )
