"""Unit tests of the KPI library: registry, DOMAIN §11 vectors, §2–§4 worked examples,
the typical mistakes (and the wrong values they give), and the point-mort dates."""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable
from typing import Any

import pytest

from autocorrect.reference.kpis import KPIS, DayMonth, kpi
from autocorrect.reference.kpis.activity import funnel_cumulative_rates, funnel_stage_rates
from autocorrect.reference.kpis.commerce import Facture, facture
from autocorrect.reference.kpis.costs import (
    point_mort_date,
    point_mort_mois,
    point_mort_saisonnier_date,
)
from autocorrect.reference.kpis.dates import (
    date_avec_mois_fermes,
    date_civile_365,
    date_commerciale_360,
)
from tests.mistakes import Mistake

K: dict[str, Callable[..., Any]] = (
    KPIS  # every vector below goes through the registry, by keyword, as a rubric would
)

# --- Registry ---------------------------------------------------------------------------------

REQUIRED_SIGNATURES: dict[str, tuple[str, ...]] = {
    # commerce
    "prix_ttc": ("ht", "tva"),
    "prix_ht": ("ttc", "tva"),
    "montant_tva": ("ht", "tva"),
    "marge_unitaire": ("pv", "pa"),
    "taux_de_marge": ("pv", "pa"),
    "taux_de_marque": ("pv", "pa"),
    "marge_to_marque": ("taux",),
    "marque_to_marge": ("taux",),
    "coef_multiplicateur": ("pv", "pa"),
    "coef_multiplicateur_ttc": ("pv_ht", "pa", "tva"),
    "pv_ht_from_taux_marque": ("pa", "taux_marque"),
    "chiffre_affaires": ("pv", "q"),
    "chiffre_affaires_total": ("pv", "q"),
    "marge_globale": ("pv", "pa", "q"),
    "marge_globale_total": ("pv", "pa", "q"),
    "cout_achat_vendu_total": ("pa", "q"),
    "taux_marque_global": ("pv", "pa", "q"),
    "taux_marge_global": ("pv", "pa", "q"),
    "moyenne_simple": ("values",),
    "part": ("valeur", "total"),
    "somme": ("values",),
    "net_commercial": ("brut", "remises"),
    "montant_remises_additionnees": ("brut", "remises"),
    "escompte": ("net_commercial", "taux"),
    "net_financier": ("net_commercial", "taux_escompte"),
    "base_tva": ("net_financier", "port"),
    "tva_facture": ("base", "tva"),
    "net_a_payer": ("base", "tva"),
    "taux_global_equivalent": ("remises",),
    # costs
    "charges_variables": ("cout_achat", "ca", "taux_commission", "taux_transport"),
    "commissions": ("ca", "taux"),
    "mcv": ("ca", "cv"),
    "taux_mcv": ("ca", "cv"),
    "taux_mcv_from_mcv": ("mcv", "ca"),
    "resultat": ("mcv", "cf"),
    "seuil_rentabilite": ("cf", "taux_mcv"),
    "sr_quantite": ("cf", "pv", "cv_unitaire"),
    "point_mort_jours": ("sr", "ca", "base"),
    "point_mort_mois": ("sr", "ca", "mois_activite"),
    "point_mort_date": ("sr", "ca", "base"),
    "point_mort_saisonnier_date": ("sr", "ca_mensuels"),
    "point_mort_saisonnier_jours": ("sr", "ca_mensuels"),
    "marge_securite": ("ca", "sr"),
    "indice_securite": ("ms", "ca"),
    "levier_operationnel": ("mcv", "resultat"),
    # activity
    "ratio": ("numerateur", "denominateur"),
    "taux_realisation": ("realise", "objectif"),
    "ecart_valeur": ("realise", "objectif"),
    "ecart_pct": ("realise", "objectif"),
    "panier_moyen": ("ca", "ventes"),
    "cout_par_vente": ("frais", "ventes"),
    "taux_transformation": ("ventes", "leads"),
    "taux_concretisation": ("ventes", "devis"),
    "moyenne_des_taux": ("numerateurs", "denominateurs"),
    "ratio_des_totaux": ("numerateurs", "denominateurs"),
    "ecart_valeur_total": ("realises", "objectifs"),
    "evolution": ("vn", "vn1"),
    "tcam": ("initial", "final", "n"),
    "indice_base100": ("valeur", "base"),
    "cac": ("cout", "clients"),
    "roi": ("gain", "cout"),
    "roas": ("ca", "cout"),
    "taux_delivrabilite": ("delivres", "envoyes"),
    "taux_ouverture": ("ouvreurs", "delivres"),
    "taux_clic": ("cliqueurs", "delivres"),
    "taux_reactivite": ("cliqueurs", "ouvreurs"),
    "part_de_marche": ("ventes", "marche"),
    "pdm_relative": ("ventes", "ventes_leader"),
}


@pytest.mark.parametrize("name", sorted(REQUIRED_SIGNATURES))
def test_required_kpi_is_registered_with_its_keyword_names(name: str) -> None:
    params = inspect.signature(KPIS[name]).parameters
    assert tuple(params) == REQUIRED_SIGNATURES[name]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())


def test_registry_keys_are_the_function_names() -> None:
    assert all(name == func.__name__ for name, func in KPIS.items())


@pytest.mark.parametrize(
    "helper",
    [
        "facture",
        "funnel_stage_rates",
        "date_civile_365",  # a calendar date; rubrics use point_mort_date(base=365)
    ],
)
def test_convenience_helpers_are_not_registered(helper: str) -> None:
    assert helper not in KPIS


def test_duplicate_registration_raises_and_keeps_the_first() -> None:
    original = KPIS["prix_ttc"]

    def prix_ttc(ht: float, tva: float) -> float:
        return 0.0

    with pytest.raises(ValueError, match="prix_ttc"):
        kpi(prix_ttc)
    assert KPIS["prix_ttc"] is original


def test_positional_only_kpi_is_refused() -> None:
    def _test_only_positional(x: float, /) -> float:
        return x

    with pytest.raises(TypeError, match="keyword"):
        kpi(_test_only_positional)
    assert "_test_only_positional" not in KPIS


# --- Vectors: DOMAIN §11 and the worked examples of §2–§4 ---------------------------------------

RATE = 5e-5 + 1e-12  # a rate printed as 12.34 %
EUR = 0.005 + 1e-9  # an amount printed with 2 decimals
EXACT = 1e-9

SEASONAL_K = [20, 25, 35, 40, 45, 50, 60, 30, 55, 50, 45, 45]  # §3.4, k€
SEASONAL = [1000.0 * v for v in SEASONAL_K]

VECTORS: list[Any] = [
    # §2.1 VAT
    pytest.param("prix_ttc", {"ht": 60, "tva": 0.2}, 72, EXACT, id="prix_ttc"),
    pytest.param("prix_ht", {"ttc": 72, "tva": 0.2}, 60, EXACT, id="prix_ht"),
    pytest.param("montant_tva", {"ht": 60, "tva": 0.2}, 12, EXACT, id="montant_tva"),
    # §2.2-2.4 margins, rates, multipliers
    pytest.param("marge_unitaire", {"pv": 60, "pa": 40}, 20, EXACT, id="marge_unitaire"),
    pytest.param("taux_de_marge", {"pv": 60, "pa": 40}, 1 / 2, EXACT, id="taux_de_marge"),
    pytest.param("taux_de_marque", {"pv": 60, "pa": 40}, 1 / 3, EXACT, id="taux_de_marque"),
    pytest.param("marge_to_marque", {"taux": 1 / 2}, 1 / 3, EXACT, id="marge_to_marque"),
    pytest.param("marque_to_marge", {"taux": 1 / 3}, 1 / 2, EXACT, id="marque_to_marge"),
    pytest.param("coef_multiplicateur", {"pv": 72, "pa": 40}, 1.8, EXACT, id="coef-ttc"),
    pytest.param("coef_multiplicateur", {"pv": 60, "pa": 40}, 1.5, EXACT, id="coef-ht"),
    pytest.param(
        "coef_multiplicateur_ttc", {"pv_ht": 60, "pa": 40, "tva": 0.2}, 1.8, EXACT, id="coef_ttc"
    ),
    pytest.param(
        "pv_ht_from_taux_marque", {"pa": 60, "taux_marque": 0.4}, 100, EXACT, id="pv_from_tq"
    ),
    # §2.5 discounts, invoice steps
    pytest.param(
        "net_commercial", {"brut": 1000, "remises": (0.10, 0.05)}, 855, EXACT, id="net_commercial"
    ),
    pytest.param(
        "montant_remises_additionnees",
        {"brut": 1000, "remises": (0.10, 0.05)},
        850,
        EXACT,
        id="remises_additionnees",
    ),
    pytest.param("taux_global_equivalent", {"remises": (0.10, 0.05)}, 0.145, EXACT, id="tge"),
    pytest.param("escompte", {"net_commercial": 855, "taux": 0.02}, 17.10, EXACT, id="escompte"),
    pytest.param(
        "net_financier", {"net_commercial": 855, "taux_escompte": 0.02}, 837.90, EXACT, id="nf"
    ),
    pytest.param("base_tva", {"net_financier": 837.90, "port": 0}, 837.90, EXACT, id="base"),
    pytest.param("base_tva", {"net_financier": 837.90, "port": 15}, 852.90, EXACT, id="base+port"),
    pytest.param("tva_facture", {"base": 837.90, "tva": 0.2}, 167.58, EXACT, id="tva_facture"),
    pytest.param("net_a_payer", {"base": 837.90, "tva": 0.2}, 1005.48, EXACT, id="net_a_payer"),
    # §2.6 CA, panier moyen, mix
    pytest.param("chiffre_affaires", {"pv": 15, "q": 120}, 1800, EXACT, id="ca"),
    pytest.param(
        "chiffre_affaires_total", {"pv": [15, 25, 50], "q": [120, 80, 40]}, 5800, EXACT, id="ca_t"
    ),
    pytest.param("panier_moyen", {"ca": 5800, "ventes": 145}, 40, EXACT, id="panier_moyen"),
    pytest.param("ratio", {"numerateur": 240, "denominateur": 145}, 1.66, 0.005, id="ind-vente"),
    pytest.param("ratio", {"numerateur": 5800, "denominateur": 240}, 24.17, EUR, id="prix-moyen"),
    pytest.param("part", {"valeur": 1800, "total": 5800}, 0.3103, RATE, id="part-A"),
    pytest.param("part", {"valeur": 2000, "total": 5800}, 0.3448, RATE, id="part-B"),
    pytest.param("ratio", {"numerateur": 300, "denominateur": 1200}, 0.25, EXACT, id="transfo-mag"),
    pytest.param("somme", {"values": [1800, 2000, 2000]}, 5800, EXACT, id="somme"),
    pytest.param(
        "moyenne_simple", {"values": [5, 4, 4, 3, 5, 2, 4, 4, 3, 5]}, 3.9, EXACT, id="moy"
    ),
    pytest.param("marge_globale", {"pv": 60, "pa": 40, "q": 10}, 200, EXACT, id="marge_globale"),
    # §3 costs
    pytest.param("mcv", {"ca": 500_000, "cv": 300_000}, 200_000, EXACT, id="mcv"),
    pytest.param("taux_mcv", {"ca": 500_000, "cv": 300_000}, 0.4, EXACT, id="taux_mcv"),
    pytest.param("taux_mcv_from_mcv", {"mcv": 200_000, "ca": 500_000}, 0.4, EXACT, id="tmcv2"),
    pytest.param("resultat", {"mcv": 200_000, "cf": 150_000}, 50_000, EXACT, id="resultat"),
    pytest.param("seuil_rentabilite", {"cf": 150_000, "taux_mcv": 0.4}, 375_000, 1e-6, id="sr"),
    pytest.param(
        "sr_quantite", {"cf": 150_000, "pv": 50, "cv_unitaire": 30}, 7500, EXACT, id="sr_q"
    ),
    pytest.param("point_mort_jours", {"sr": 375_000, "ca": 500_000}, 270, EXACT, id="pm-360"),
    pytest.param(
        "point_mort_jours", {"sr": 375_000, "ca": 500_000, "base": 365}, 273.75, EXACT, id="pm-365"
    ),
    pytest.param("point_mort_mois", {"sr": 375_000, "ca": 500_000}, 9, EXACT, id="pm-mois"),
    pytest.param(
        "point_mort_mois",
        {"sr": 375_000, "ca": 500_000, "mois_activite": 11},
        8.25,
        EXACT,
        id="pm-mois-11",
    ),
    pytest.param(
        "point_mort_saisonnier_jours", {"sr": 375_000, "ca_mensuels": SEASONAL}, 279, EXACT, id="s"
    ),
    pytest.param("marge_securite", {"ca": 500_000, "sr": 375_000}, 125_000, EXACT, id="ms"),
    pytest.param("indice_securite", {"ms": 125_000, "ca": 500_000}, 0.25, EXACT, id="is"),
    pytest.param("levier_operationnel", {"mcv": 200_000, "resultat": 50_000}, 4, EXACT, id="lo"),
    pytest.param("commissions", {"ca": 349_550, "taux": 0.05}, 17_477.50, EUR, id="commissions"),
    pytest.param(
        "charges_variables",
        {"cout_achat": 218_250, "ca": 349_550, "taux_commission": 0.05, "taux_transport": 0.01},
        239_223.00,
        EUR,
        id="cv",
    ),
    # §4.1 funnel
    pytest.param("taux_transformation", {"ventes": 18, "leads": 400}, 0.045, EXACT, id="transfo"),
    pytest.param("taux_concretisation", {"ventes": 18, "devis": 48}, 0.375, EXACT, id="concret"),
    pytest.param("ratio", {"numerateur": 18, "denominateur": 96}, 0.1875, EXACT, id="ventes/rdv"),
    pytest.param("ratio", {"numerateur": 240, "denominateur": 400}, 0.60, EXACT, id="traitement"),
    # §4.3 achievement
    pytest.param(
        "taux_realisation", {"realise": 92_000, "objectif": 100_000}, 0.92, EXACT, id="tr"
    ),
    pytest.param("ecart_valeur", {"realise": 92_000, "objectif": 100_000}, -8000, EXACT, id="ev"),
    pytest.param("ecart_pct", {"realise": 92_000, "objectif": 100_000}, -0.08, EXACT, id="ep"),
    pytest.param(
        "ecart_valeur_total",
        {"realises": [92_000, 50_000], "objectifs": [100_000, 45_000]},
        -3000,
        EXACT,
        id="ecart_total",
    ),
    pytest.param(
        "ratio_des_totaux",
        {"numerateurs": [1, 3], "denominateurs": [4, 4]},
        0.5,
        EXACT,
        id="ratio_des_totaux",
    ),
    pytest.param(
        "moyenne_des_taux",
        {"numerateurs": [1, 9], "denominateurs": [2, 10]},
        0.7,
        EXACT,
        id="moyenne_des_taux",
    ),
    pytest.param("cout_par_vente", {"frais": 7800, "ventes": 19}, 410.53, EUR, id="cout/vente"),
    # §4.4 growth
    pytest.param("evolution", {"vn": 115_000, "vn1": 100_000}, 0.15, EXACT, id="evolution"),
    pytest.param("tcam", {"initial": 100_000, "final": 135_000, "n": 3}, 0.10521, 5e-6, id="tcam"),
    pytest.param("indice_base100", {"valeur": 135, "base": 100}, 135, EXACT, id="indice"),
    pytest.param("indice_base100", {"valeur": 108, "base": 100}, 108, EXACT, id="indice-108"),
    # §4.5 marketing
    pytest.param("cac", {"cout": 3000, "clients": 12}, 250, EXACT, id="cac"),
    pytest.param("roi", {"gain": 9600, "cout": 3000}, 2.2, EXACT, id="roi"),
    pytest.param("roas", {"ca": 24_000, "cout": 3000}, 8, EXACT, id="roas"),
    pytest.param(
        "taux_delivrabilite", {"delivres": 9500, "envoyes": 10_000}, 0.95, EXACT, id="deliv"
    ),
    pytest.param("taux_ouverture", {"ouvreurs": 2375, "delivres": 9500}, 0.25, EXACT, id="ouv"),
    pytest.param("taux_clic", {"cliqueurs": 475, "delivres": 9500}, 0.05, EXACT, id="clic"),
    pytest.param("taux_reactivite", {"cliqueurs": 475, "ouvreurs": 2375}, 0.20, EXACT, id="ctor"),
    pytest.param("ratio", {"numerateur": 38, "denominateur": 475}, 0.08, EXACT, id="conv/clics"),
    # §4.6 market
    pytest.param("part_de_marche", {"ventes": 2200, "marche": 55_000}, 0.04, EXACT, id="pdm"),
    pytest.param(
        "pdm_relative", {"ventes": 2200, "ventes_leader": 11_000}, 0.20, EXACT, id="pdm_rel"
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "expected", "tol"), VECTORS)
def test_vector(name: str, kwargs: dict[str, Any], expected: float, tol: float) -> None:
    assert K[name](**kwargs) == pytest.approx(expected, abs=tol)


def test_facture_worked_example() -> None:
    f = facture(1000, (0.10, 0.05), 0.02, 0.2)
    assert isinstance(f, Facture)
    assert f.net_commercial == pytest.approx(855)
    assert f.escompte == pytest.approx(17.10)
    assert f.net_financier == pytest.approx(837.90)
    assert f.base_tva == pytest.approx(837.90)
    assert f.tva == pytest.approx(167.58)
    assert f.net_a_payer == pytest.approx(1005.48)


def test_facture_port_is_added_after_the_discounts() -> None:
    f = facture(1000, (0.10, 0.05), 0.02, 0.2, port=15)
    assert f.net_financier == pytest.approx(837.90)
    assert f.base_tva == pytest.approx(852.90)
    assert f.net_a_payer == pytest.approx(852.90 * 1.2)


def test_facture_is_frozen() -> None:
    f = facture(100, (), 0, 0.2)
    with pytest.raises(AttributeError):
        f.tva = 0.0  # type: ignore[misc]


def test_funnel() -> None:
    stages = [400, 240, 96, 48, 18]
    assert funnel_stage_rates(stages) == pytest.approx([0.6, 0.4, 0.5, 0.375])
    assert funnel_cumulative_rates(stages) == pytest.approx([0.60, 0.24, 0.12, 0.045])
    assert math.prod(funnel_stage_rates(stages)) == pytest.approx(0.045)


def test_levier_operationnel_dynamic_check() -> None:
    """§3.5: CA +10 % → résultat +40 %, and LO = CA / MS = 1 / IS."""
    r0 = K["resultat"](mcv=K["mcv"](ca=500_000, cv=300_000), cf=150_000)
    r1 = K["resultat"](mcv=K["mcv"](ca=550_000, cv=330_000), cf=150_000)
    assert r1 == pytest.approx(70_000)
    elasticity = K["evolution"](vn=r1, vn1=r0) / K["evolution"](vn=550_000, vn1=500_000)
    lo = K["levier_operationnel"](mcv=200_000, resultat=r0)
    assert elasticity == pytest.approx(lo)
    assert lo == pytest.approx(1 / K["indice_securite"](ms=125_000, ca=500_000))
    assert K["marge_securite"](ca=500_000, sr=375_000) * 0.4 == pytest.approx(r0)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("taux_de_marge", {"pv": 60, "pa": 0}),
        ("seuil_rentabilite", {"cf": 150_000, "taux_mcv": 0}),
        ("panier_moyen", {"ca": 5800, "ventes": 0}),
        ("ratio_des_totaux", {"numerateurs": [1, 2], "denominateurs": [0, 0]}),
        ("moyenne_simple", {"values": []}),
        ("levier_operationnel", {"mcv": 100, "resultat": 0}),
    ],
)
def test_zero_denominator_raises(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ZeroDivisionError):
        K[name](**kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("chiffre_affaires_total", {"pv": [1, 2], "q": [1]}),
        ("ratio_des_totaux", {"numerateurs": [1, 2], "denominateurs": [1]}),
        ("moyenne_des_taux", {"numerateurs": [1], "denominateurs": [1, 2]}),
        ("ecart_valeur_total", {"realises": [1], "objectifs": []}),
    ],
)
def test_mismatched_sequences_raise(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"length|shorter|longer"):
        K[name](**kwargs)


# --- Typical mistakes: the correct computation never gives the wrong value -------------------


STAGES = [400, 240, 96, 48, 18]

MISTAKES = [
    # §2.1
    Mistake(
        "ht-as-ttc-x-0.8", lambda: K["prix_ht"](ttc=72, tva=0.2), 60, lambda: 72 * 0.8, 57.60, EUR
    ),
    Mistake(
        "tva-on-ttc",
        lambda: K["montant_tva"](ht=60, tva=0.2),
        12,
        lambda: K["montant_tva"](ht=72, tva=0.2),
        14.40,
        EUR,
    ),
    # §2.2-2.3 margins on TTC, swapped rates
    Mistake(
        "marge-on-ttc",
        lambda: K["marge_unitaire"](pv=60, pa=40),
        20,
        lambda: K["marge_unitaire"](pv=72, pa=40),
        32,
        EUR,
    ),
    Mistake(
        "marque-on-ttc",
        lambda: K["taux_de_marque"](pv=60, pa=40),
        1 / 3,
        lambda: K["taux_de_marque"](pv=72, pa=40),
        0.4444,
        RATE,
    ),
    Mistake(
        "marge-rate-on-ttc",
        lambda: K["taux_de_marge"](pv=60, pa=40),
        0.5,
        lambda: K["taux_de_marge"](pv=72, pa=40),
        0.80,
        RATE,
    ),
    Mistake(
        "marque-and-marge-swapped",
        lambda: K["taux_de_marque"](pv=60, pa=40),
        1 / 3,
        lambda: K["taux_de_marge"](pv=60, pa=40),
        0.50,
        RATE,
    ),
    # §2.4 multipliers
    Mistake(
        "coef-as-1-plus-tmarque",
        lambda: K["coef_multiplicateur"](pv=60, pa=40),
        1.5,
        lambda: 1 + K["taux_de_marque"](pv=60, pa=40),
        1.33,
        0.005,
    ),
    Mistake(
        "pv-with-tmarque-as-tmarge",
        lambda: K["pv_ht_from_taux_marque"](pa=60, taux_marque=0.4),
        100,
        lambda: 60 * (1 + 0.4),
        84,
        EUR,
    ),
    # §2.5 invoice
    Mistake(
        "remises-added",
        lambda: facture(1000, (0.10, 0.05), 0.02, 0.2).net_a_payer,
        1005.48,
        lambda: K["net_a_payer"](
            base=K["net_financier"](
                net_commercial=K["montant_remises_additionnees"](brut=1000, remises=(0.1, 0.05)),
                taux_escompte=0.02,
            ),
            tva=0.2,
        ),
        999.60,
        EUR,
    ),
    Mistake(
        "tva-before-escompte",
        lambda: facture(1000, (0.10, 0.05), 0.02, 0.2).net_a_payer,
        1005.48,
        lambda: K["net_a_payer"](base=855, tva=0.2) - K["escompte"](net_commercial=855, taux=0.02),
        1008.90,
        EUR,
    ),
    Mistake(
        "tva-on-brut",
        lambda: facture(1000, (0.10, 0.05), 0.02, 0.2).net_a_payer,
        1005.48,
        lambda: 837.90 + K["tva_facture"](base=1000, tva=0.2),
        1037.90,
        EUR,
    ),
    Mistake(
        "equivalent-rate-as-sum",
        lambda: K["taux_global_equivalent"](remises=(0.10, 0.05)),
        0.145,
        lambda: K["somme"](values=(0.10, 0.05)),
        0.15,
        RATE,
    ),
    # §2.6 panier moyen
    Mistake(
        "panier-per-article",
        lambda: K["panier_moyen"](ca=5800, ventes=145),
        40,
        lambda: K["panier_moyen"](ca=5800, ventes=240),
        24.17,
        EUR,
    ),
    Mistake(
        "panier-per-client",
        lambda: K["panier_moyen"](ca=5800, ventes=145),
        40,
        lambda: K["panier_moyen"](ca=5800, ventes=116),
        50,
        EUR,
    ),
    # §3.2-3.3 MCV and SR
    Mistake(
        "taux-mcv-on-cv",
        lambda: K["taux_mcv"](ca=500_000, cv=300_000),
        0.4,
        lambda: K["ratio"](numerateur=200_000, denominateur=300_000),
        0.6667,
        RATE,
    ),
    Mistake(
        "sr-as-cf-over-mcv",
        lambda: K["seuil_rentabilite"](cf=150_000, taux_mcv=0.4),
        375_000,
        lambda: K["ratio"](numerateur=150_000, denominateur=200_000),
        0.75,
        EUR,
    ),
    Mistake(
        "sr-as-cf-plus-cv",
        lambda: K["seuil_rentabilite"](cf=150_000, taux_mcv=0.4),
        375_000,
        lambda: 150_000 + 300_000,
        450_000,
        EUR,
    ),
    Mistake(
        "sr-with-taux-mcv-on-cv",
        lambda: K["seuil_rentabilite"](cf=150_000, taux_mcv=0.4),
        375_000,
        lambda: K["seuil_rentabilite"](cf=150_000, taux_mcv=200_000 / 300_000),
        225_000,
        EUR,
    ),
    Mistake(
        "sr-q-as-cf-over-pv",
        lambda: K["sr_quantite"](cf=150_000, pv=50, cv_unitaire=30),
        7500,
        lambda: K["ratio"](numerateur=150_000, denominateur=50),
        3000,
        EXACT,
    ),
    # §3.5 safety and leverage
    Mistake(
        "ms-as-resultat",
        lambda: K["marge_securite"](ca=500_000, sr=375_000),
        125_000,
        lambda: K["resultat"](mcv=200_000, cf=150_000),
        50_000,
        EUR,
    ),
    Mistake(
        "is-on-sr",
        lambda: K["indice_securite"](ms=125_000, ca=500_000),
        0.25,
        lambda: K["indice_securite"](ms=125_000, ca=375_000),
        0.3333,
        RATE,
    ),
    Mistake(
        "lo-inverted",
        lambda: K["levier_operationnel"](mcv=200_000, resultat=50_000),
        4,
        lambda: K["ratio"](numerateur=50_000, denominateur=200_000),
        0.25,
        0.005,
    ),
    # §4.1 funnel
    Mistake(
        "funnel-mean-of-stage-rates",
        lambda: K["taux_transformation"](ventes=18, leads=400),
        0.045,
        lambda: K["moyenne_simple"](values=funnel_stage_rates(STAGES)),
        0.4688,
        RATE,
    ),
    Mistake(
        "funnel-inverted-ratio",
        lambda: K["ratio"](numerateur=240, denominateur=400),
        0.60,
        lambda: K["ratio"](numerateur=400, denominateur=240),
        1.6667,
        RATE,
    ),
    # §4.3 achievement
    Mistake(
        "realisation-inverted",
        lambda: K["taux_realisation"](realise=92_000, objectif=100_000),
        0.92,
        lambda: K["taux_realisation"](realise=100_000, objectif=92_000),
        1.0870,
        RATE,
    ),
    Mistake(
        "ecart-sign-inverted",
        lambda: K["ecart_valeur"](realise=92_000, objectif=100_000),
        -8000,
        lambda: 100_000 - 92_000,
        8000,
        EUR,
    ),
    Mistake(
        "ecart-pct-on-realise",
        lambda: K["ecart_pct"](realise=92_000, objectif=100_000),
        -0.08,
        lambda: (92_000 - 100_000) / 92_000,
        -0.0870,
        RATE,
    ),
    # §4.4 growth
    Mistake(
        "evolution-divided-by-n",
        lambda: K["evolution"](vn=115_000, vn1=100_000),
        0.15,
        lambda: K["evolution"](vn=115_000, vn1=100_000) * 100_000 / 115_000,
        0.1304,
        RATE,
    ),
    Mistake(
        "evolution-as-ratio",
        lambda: K["evolution"](vn=115_000, vn1=100_000),
        0.15,
        lambda: K["ratio"](numerateur=115_000, denominateur=100_000),
        1.15,
        RATE,
    ),
    Mistake(
        "tcam-mean-of-annual-rates",
        lambda: K["tcam"](initial=100, final=135, n=3),
        0.1052,
        lambda: K["moyenne_simple"](values=[0.20, -0.10, 0.25]),
        0.1167,
        RATE,
    ),
    Mistake(
        "tcam-n-equals-years",
        lambda: K["tcam"](initial=100, final=135, n=3),
        0.1052,
        lambda: K["tcam"](initial=100, final=135, n=4),
        0.0779,
        RATE,
    ),
    Mistake(
        "tcam-global-over-3",
        lambda: K["tcam"](initial=100, final=135, n=3),
        0.1052,
        lambda: K["evolution"](vn=135, vn1=100) / 3,
        0.1167,
        RATE,
    ),
    # §4.5 marketing
    Mistake(
        "roi-on-ca",
        lambda: K["roi"](gain=9600, cout=3000),
        2.2,
        lambda: K["roi"](gain=24_000, cout=3000),
        7.0,
        RATE,
    ),
    Mistake(
        "roi-without-minus-1",
        lambda: K["roi"](gain=9600, cout=3000),
        2.2,
        lambda: K["ratio"](numerateur=9600, denominateur=3000),
        3.2,
        RATE,
    ),
    Mistake(
        "ouverture-on-sent",
        lambda: K["taux_ouverture"](ouvreurs=2375, delivres=9500),
        0.25,
        lambda: K["taux_ouverture"](ouvreurs=2375, delivres=10_000),
        0.2375,
        RATE,
    ),
    Mistake(
        "clic-on-sent",
        lambda: K["taux_clic"](cliqueurs=475, delivres=9500),
        0.05,
        lambda: K["taux_clic"](cliqueurs=475, delivres=10_000),
        0.0475,
        RATE,
    ),
    # §4.6 market share
    Mistake(
        "pdm-relative-as-difference",
        lambda: K["pdm_relative"](ventes=2200, ventes_leader=11_000),
        0.20,
        lambda: 0.20 - 0.04,
        0.16,
        RATE,
    ),
]


@pytest.mark.parametrize("case", MISTAKES, ids=[m.id for m in MISTAKES])
def test_correct_computation_gives_the_expected_value(case: Mistake) -> None:
    assert case.correct() == pytest.approx(case.expected, abs=case.tol)


@pytest.mark.parametrize("case", MISTAKES, ids=[m.id for m in MISTAKES])
def test_correct_computation_does_not_give_the_wrong_value(case: Mistake) -> None:
    assert case.correct() != pytest.approx(case.wrong, abs=case.tol)


@pytest.mark.parametrize("case", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_reproduces_the_wrong_value(case: Mistake) -> None:
    assert case.mistaken() == pytest.approx(case.wrong, abs=case.tol)


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dm", "text"),
    [
        (DayMonth(1, 11), "1er novembre"),
        (DayMonth(7, 11), "7 novembre"),
        (DayMonth(30, 9), "30 septembre"),
        (DayMonth(15, 8), "15 août"),
        (DayMonth(2, 2), "2 février"),
        (DayMonth(31, 12), "31 décembre"),
    ],
)
def test_daymonth_french_text(dm: DayMonth, text: str) -> None:
    assert str(dm) == text


@pytest.mark.parametrize(("day", "month"), [(0, 1), (32, 1), (1, 0), (1, 13)])
def test_daymonth_rejects_impossible_values(day: int, month: int) -> None:
    with pytest.raises(ValueError, match="invalid"):
        DayMonth(day, month)


@pytest.mark.parametrize(
    ("jours", "expected"),
    [
        (270, DayMonth(30, 9)),  # §11: exact multiple → 30th of the last full month
        (244.5, DayMonth(5, 9)),  # §11
        (300.1985, DayMonth(1, 11)),  # C20
        (306.013, DayMonth(7, 11)),  # C20 seasonal
        (279, DayMonth(9, 10)),  # §3.4 seasonal
        (0.2, DayMonth(1, 1)),
        (30, DayMonth(30, 1)),
        (30.01, DayMonth(1, 2)),
        (60, DayMonth(30, 2)),  # commercial calendar: « 30 février » = end of February
        (360, DayMonth(30, 12)),
        (270 + 1e-11, DayMonth(30, 9)),  # float noise does not push the date one day later
    ],
)
def test_date_commerciale_360(jours: float, expected: DayMonth) -> None:
    assert date_commerciale_360(jours) == expected


@pytest.mark.parametrize("jours", [0, -5, 360.5, 400])
def test_date_commerciale_360_outside_the_year(jours: float) -> None:
    with pytest.raises(ValueError, match="year"):
        date_commerciale_360(jours)


@pytest.mark.parametrize(
    ("jours", "year", "expected"),
    [
        (273.75, 2025, dt.date(2025, 10, 1)),  # §11
        (304.37, 2025, dt.date(2025, 11, 1)),  # C20
        (273, 2025, dt.date(2025, 9, 30)),
        (244.5, 2025, dt.date(2025, 9, 2)),
        (1, 2025, dt.date(2025, 1, 1)),
        (365, 2025, dt.date(2025, 12, 31)),
        (60, 2024, dt.date(2024, 2, 29)),
        (366, 2024, dt.date(2024, 12, 31)),
    ],
)
def test_date_civile_365(jours: float, year: int, expected: dt.date) -> None:
    assert date_civile_365(jours, year) == expected


def test_date_civile_365_defaults_to_a_non_leap_year_and_stops_at_31_december() -> None:
    assert date_civile_365(60) == dt.date(2025, 3, 1)
    with pytest.raises(ValueError, match="beyond"):
        date_civile_365(365.5)


@pytest.mark.parametrize(("base", "expected"), [(360, DayMonth(30, 9)), (365, DayMonth(1, 10))])
def test_point_mort_date_both_conventions(base: int, expected: DayMonth) -> None:
    assert point_mort_date(sr=375_000, ca=500_000, base=base) == expected


def test_point_mort_date_rejects_other_bases() -> None:
    with pytest.raises(ValueError, match="360 or 365"):
        point_mort_date(sr=375_000, ca=500_000, base=366)


def test_point_mort_in_months_is_not_a_date() -> None:
    """§3.4 mistake: SR/CA × 12 = 9.0 read as « 9 septembre » instead of 30 septembre."""
    months = point_mort_mois(sr=375_000, ca=500_000)
    wrong = DayMonth(int(months), 9)
    assert point_mort_date(sr=375_000, ca=500_000) != wrong
    assert point_mort_date(sr=375_000, ca=500_000) == DayMonth(30, 9)


def test_point_mort_saisonnier_date_domain_example() -> None:
    """§3.4 / §11: cumul 360 k€ at 30/09, October 50 k€ → fraction 0.30 → 9 octobre."""
    assert point_mort_saisonnier_date(sr=375_000, ca_mensuels=SEASONAL) == DayMonth(9, 10)
    # the uniform method gives 30 septembre for the same SR and CA
    assert sum(SEASONAL) == 500_000
    assert point_mort_date(sr=375_000, ca=500_000) == DayMonth(30, 9)


def test_point_mort_saisonnier_when_sr_equals_a_month_end_cumul() -> None:
    """SR reached exactly at the end of September → 30 septembre, not 1 octobre."""
    assert point_mort_saisonnier_date(sr=360_000, ca_mensuels=SEASONAL) == DayMonth(30, 9)
    assert K["point_mort_saisonnier_jours"](sr=360_000, ca_mensuels=SEASONAL) == 270


def test_point_mort_saisonnier_reached_on_the_last_day() -> None:
    """SR equal to the annual CA is reached on 30 décembre, not "never"."""
    assert point_mort_saisonnier_date(sr=sum(SEASONAL), ca_mensuels=SEASONAL) == DayMonth(30, 12)


def test_point_mort_saisonnier_never_reached() -> None:
    with pytest.raises(ValueError, match="never reaches"):
        point_mort_saisonnier_date(sr=600_000, ca_mensuels=SEASONAL)


@pytest.mark.parametrize(
    ("mois", "fermes", "expected"),
    [
        (8.25, (8,), DayMonth(8, 10)),  # §11: August closed → 8 octobre
        (8.25, (), DayMonth(8, 9)),
        (7, (8,), DayMonth(30, 7)),
        (7.5, (8,), DayMonth(15, 9)),
        (11, (8,), DayMonth(30, 12)),
        (2.1, (1, 2), DayMonth(3, 5)),
    ],
)
def test_date_avec_mois_fermes(mois: float, fermes: tuple[int, ...], expected: DayMonth) -> None:
    assert date_avec_mois_fermes(mois, fermes) == expected


@pytest.mark.parametrize(("mois", "fermes"), [(11.5, (8,)), (1, (13,)), (0, ())])
def test_date_avec_mois_fermes_invalid(mois: float, fermes: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"months|year"):
        date_avec_mois_fermes(mois, fermes)
