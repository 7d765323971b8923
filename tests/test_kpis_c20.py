"""Integration test: the whole C20 case (DOMAIN §7.2, "Bureau Plus Solutions") recomputed from
the annex data with the KPI functions, checked against every value DOMAIN prints, at the
precision it prints them (a value printed as 31.56 % must be within 0.005 pp)."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import pytest

from autocorrect.reference.kpis import DayMonth
from autocorrect.reference.kpis import activity as a
from autocorrect.reference.kpis import commerce as c
from autocorrect.reference.kpis import costs as k
from autocorrect.reference.kpis.dates import date_commerciale_360

# --- Annex data (the case itself) ------------------------------------------------------------

TVA = 0.20
# Annex 1: ref → (PA HT, PV HT, Q sold)
PRODUCTS = {
    "P1": (2400.0, 3600.0, 40.0),
    "P2": (180.0, 290.0, 220.0),
    "P3": (95.0, 149.0, 150.0),
    "P4": (300.0, 690.0, 60.0),
    "P5": (42.0, 65.0, 1200.0),
}
PA = [p[0] for p in PRODUCTS.values()]
PV = [p[1] for p in PRODUCTS.values()]
Q = [p[2] for p in PRODUCTS.values()]
# Annex 2
TAUX_COMMISSION = 0.05
TAUX_TRANSPORT = 0.01
CHARGES_FIXES = [62_000.0, 14_400.0, 9_600.0, 6_000.0]
# Annex 3
CA_MENSUELS = [
    24_500.0,
    26_800.0,
    31_200.0,
    29_400.0,
    30_100.0,
    33_600.0,
    27_900.0,
    12_450.0,
    33_400.0,
    35_700.0,
    32_100.0,
    32_400.0,
]
# Annex 4: rep → leads, contacts, RDV, devis, ventes, CA signé, jours terrain, frais, objectif
COLUMNS = ("leads", "contacts", "rdv", "devis", "ventes", "ca", "jours", "frais", "objectif")
REPS = {
    "Camille": (320, 210, 84, 46, 19, 118_400, 200, 7_800, 100_000),
    "Hugo": (280, 150, 66, 38, 12, 71_300, 195, 8_900, 90_000),
    "Inès": (350, 245, 105, 52, 23, 102_650, 205, 7_100, 95_000),
    "Malik": (300, 180, 60, 24, 10, 57_200, 190, 6_400, 75_000),
}
TEAM = "Équipe"
# Annex 5
ENVOYES, DELIVRES, OUVREURS, CLIQUEURS = 8_000, 7_600, 1_824, 334
LEADS_MAIL, VENTES_MAIL, CA_MAIL, MARGE_MAIL, COUT_MAIL = 96, 9, 31_500, 11_340, 2_700
# Annex 6
DEVIS_Q, DEVIS_PU, REMISES, TAUX_ESCOMPTE, PORT = 3, 3_600.0, (0.08, 0.03), 0.015, 150.0
# Annex 7
CA_HISTORY = {2021: 286_000.0, 2022: 301_500.0, 2023: 322_000.0, 2024: 349_550.0}
MARCHE, VENTES_BPS, VENTES_LEADER = 5_500, 220, 1_100


def dp(value: float, decimals: int) -> Any:
    """`value` as printed with `decimals` decimals: accept half a unit of the last digit."""
    return pytest.approx(value, abs=0.5 * 10**-decimals + 1e-9)


def pct(printed: float, decimals: int = 2) -> Any:
    """A rate DOMAIN prints as a percentage (31.56 %), compared as a fraction of 1."""
    return pytest.approx(printed / 100, abs=0.5 * 10 ** -(decimals + 2) + 1e-12)


# --- Dossier 1: products ---------------------------------------------------------------------

# ref: PV TTC, marge u, taux de marge %, taux de marque %, coef HT, coef TTC, CA HT,
#      marge globale, % CA, % marge
PRODUCT_TABLE = {
    "P1": (4320.00, 1200.00, 50.00, 33.33, 1.5000, 1.8000, 144_000, 48_000, 41.20, 36.56),
    "P2": (348.00, 110.00, 61.11, 37.93, 1.6111, 1.9333, 63_800, 24_200, 18.25, 18.43),
    "P3": (178.80, 54.00, 56.84, 36.24, 1.5684, 1.8821, 22_350, 8_100, 6.39, 6.17),
    "P4": (828.00, 390.00, 130.00, 56.52, 2.3000, 2.7600, 41_400, 23_400, 11.84, 17.82),
    "P5": (78.00, 23.00, 54.76, 35.38, 1.5476, 1.8571, 78_000, 27_600, 22.31, 21.02),
}


@pytest.mark.parametrize("ref", sorted(PRODUCT_TABLE))
def test_product_row(ref: str) -> None:
    pa, pv, q = PRODUCTS[ref]
    ttc, mu, tmarge, tmarque, coef_ht, coef_ttc, ca, mg, pct_ca, pct_mg = PRODUCT_TABLE[ref]
    ca_total = c.chiffre_affaires_total(pv=PV, q=Q)
    mg_total = c.marge_globale_total(pv=PV, pa=PA, q=Q)
    assert c.prix_ttc(ht=pv, tva=TVA) == dp(ttc, 2)
    assert c.marge_unitaire(pv=pv, pa=pa) == dp(mu, 2)
    assert c.taux_de_marge(pv=pv, pa=pa) == pct(tmarge)
    assert c.taux_de_marque(pv=pv, pa=pa) == pct(tmarque)
    assert c.coef_multiplicateur(pv=pv, pa=pa) == dp(coef_ht, 4)
    assert c.coef_multiplicateur_ttc(pv_ht=pv, pa=pa, tva=TVA) == dp(coef_ttc, 4)
    assert c.coef_multiplicateur(pv=c.prix_ttc(ht=pv, tva=TVA), pa=pa) == dp(coef_ttc, 4)
    assert c.chiffre_affaires(pv=pv, q=q) == dp(ca, 2)
    assert c.marge_globale(pv=pv, pa=pa, q=q) == dp(mg, 2)
    assert c.part(valeur=c.chiffre_affaires(pv=pv, q=q), total=ca_total) == pct(pct_ca)
    assert c.part(valeur=c.marge_globale(pv=pv, pa=pa, q=q), total=mg_total) == pct(pct_mg)


def test_product_parts_sum_to_one() -> None:
    ca_total = c.chiffre_affaires_total(pv=PV, q=Q)
    parts = [
        c.part(valeur=c.chiffre_affaires(pv=v, q=n), total=ca_total)
        for v, n in zip(PV, Q, strict=True)
    ]
    assert c.somme(values=parts) == pytest.approx(1)


# --- Everything else: one recomputation, one assertion per printed value ---------------------


def _reps_column(name: str) -> list[float]:
    index = COLUMNS.index(name)
    return [float(row[index]) for row in REPS.values()]


def _rep_rate(who: str, num: str, den: str) -> float:
    """An individual ratio, or the team ratio of totals."""
    if who == TEAM:
        return a.ratio_des_totaux(numerateurs=_reps_column(num), denominateurs=_reps_column(den))
    row = dict(zip(COLUMNS, REPS[who], strict=True))
    return a.ratio(numerateur=row[num], denominateur=row[den])


@functools.cache
def recompute() -> dict[str, float]:
    r: dict[str, float] = {}
    # Dossier 1 totals
    r["ca"] = c.chiffre_affaires_total(pv=PV, q=Q)
    r["marge_globale"] = c.marge_globale_total(pv=PV, pa=PA, q=Q)
    r["taux_marge_global"] = c.taux_marge_global(pv=PV, pa=PA, q=Q)
    r["taux_marque_global"] = c.taux_marque_global(pv=PV, pa=PA, q=Q)
    r["ca_ttc"] = c.prix_ttc(ht=r["ca"], tva=TVA)
    r["cout_achat"] = c.cout_achat_vendu_total(pa=PA, q=Q)
    # Dossier 2
    r["commissions"] = k.commissions(ca=r["ca"], taux=TAUX_COMMISSION)
    r["transport"] = k.commissions(ca=r["ca"], taux=TAUX_TRANSPORT)
    r["cv"] = k.charges_variables(
        cout_achat=r["cout_achat"],
        ca=r["ca"],
        taux_commission=TAUX_COMMISSION,
        taux_transport=TAUX_TRANSPORT,
    )
    r["mcv"] = k.mcv(ca=r["ca"], cv=r["cv"])
    r["taux_mcv"] = k.taux_mcv(ca=r["ca"], cv=r["cv"])
    r["taux_mcv_from_mcv"] = k.taux_mcv_from_mcv(mcv=r["mcv"], ca=r["ca"])
    r["cf"] = c.somme(values=CHARGES_FIXES)
    r["resultat"] = k.resultat(mcv=r["mcv"], cf=r["cf"])
    r["resultat_pct_ca"] = c.part(valeur=r["resultat"], total=r["ca"])
    r["sr"] = k.seuil_rentabilite(cf=r["cf"], taux_mcv=r["taux_mcv"])
    r["pm_360"] = k.point_mort_jours(sr=r["sr"], ca=r["ca"])
    r["pm_365"] = k.point_mort_jours(sr=r["sr"], ca=r["ca"], base=365)
    r["pm_mois"] = k.point_mort_mois(sr=r["sr"], ca=r["ca"])
    r["pm_saisonnier"] = k.point_mort_saisonnier_jours(sr=r["sr"], ca_mensuels=CA_MENSUELS)
    r["ms"] = k.marge_securite(ca=r["ca"], sr=r["sr"])
    r["is"] = k.indice_securite(ms=r["ms"], ca=r["ca"])
    r["lo"] = k.levier_operationnel(mcv=r["mcv"], resultat=r["resultat"])
    # Dossier 4: emailing
    r["delivrabilite"] = a.taux_delivrabilite(delivres=DELIVRES, envoyes=ENVOYES)
    r["ouverture"] = a.taux_ouverture(ouvreurs=OUVREURS, delivres=DELIVRES)
    r["clic"] = a.taux_clic(cliqueurs=CLIQUEURS, delivres=DELIVRES)
    r["reactivite"] = a.taux_reactivite(cliqueurs=CLIQUEURS, ouvreurs=OUVREURS)
    r["leads/cliqueurs"] = a.ratio(numerateur=LEADS_MAIL, denominateur=CLIQUEURS)
    r["ventes/leads"] = a.taux_transformation(ventes=VENTES_MAIL, leads=LEADS_MAIL)
    r["ventes/delivres"] = a.ratio(numerateur=VENTES_MAIL, denominateur=DELIVRES)
    r["cout_par_lead"] = a.ratio(numerateur=COUT_MAIL, denominateur=LEADS_MAIL)
    r["cac"] = a.cac(cout=COUT_MAIL, clients=VENTES_MAIL)
    r["panier_mail"] = a.panier_moyen(ca=CA_MAIL, ventes=VENTES_MAIL)
    r["roi"] = a.roi(gain=MARGE_MAIL, cout=COUT_MAIL)
    r["roas"] = a.roas(ca=CA_MAIL, cout=COUT_MAIL)
    # Dossier 5: quote
    devis = c.facture(DEVIS_Q * DEVIS_PU, REMISES, TAUX_ESCOMPTE, TVA, port=PORT)
    r["brut"] = devis.brut
    r["net_commercial"] = devis.net_commercial
    r["escompte"] = devis.escompte
    r["net_financier"] = devis.net_financier
    r["port"] = devis.port
    r["base_tva"] = devis.base_tva
    r["tva"] = devis.tva
    r["net_a_payer"] = devis.net_a_payer
    r["remise_equivalente"] = c.taux_global_equivalent(remises=REMISES)
    # Dossier 6: growth and market
    years = sorted(CA_HISTORY)
    for previous, year in itertools.pairwise(years):
        r[f"evolution_{year}"] = a.evolution(vn=CA_HISTORY[year], vn1=CA_HISTORY[previous])
    first, last = CA_HISTORY[years[0]], CA_HISTORY[years[-1]]
    r["evolution_globale"] = a.evolution(vn=last, vn1=first)
    r["tcam"] = a.tcam(initial=first, final=last, n=len(years) - 1)
    for year in years[1:]:
        r[f"indice_{year}"] = a.indice_base100(valeur=CA_HISTORY[year], base=first)
    r["pdm"] = a.part_de_marche(ventes=VENTES_BPS, marche=MARCHE)
    r["pdm_leader"] = a.part_de_marche(ventes=VENTES_LEADER, marche=MARCHE)
    r["pdm_relative"] = a.pdm_relative(ventes=VENTES_BPS, ventes_leader=VENTES_LEADER)
    return r


EXPECTED: list[tuple[str, Any]] = [
    ("ca", dp(349_550, 2)),
    ("marge_globale", dp(131_300, 2)),
    ("taux_marge_global", pct(60.16)),
    ("taux_marque_global", pct(37.56)),
    ("ca_ttc", dp(419_460, 2)),
    ("cout_achat", dp(218_250, 2)),
    ("commissions", dp(17_477.50, 2)),
    ("transport", dp(3_495.50, 2)),
    ("cv", dp(239_223.00, 2)),
    ("mcv", dp(110_327.00, 2)),
    ("taux_mcv", pct(31.56)),
    ("taux_mcv_from_mcv", pct(31.56)),
    ("cf", dp(92_000.00, 2)),
    ("resultat", dp(18_327.00, 2)),
    ("resultat_pct_ca", pct(5.24)),
    ("sr", dp(291_484.41, 2)),
    ("pm_360", dp(300.20, 2)),
    ("pm_365", dp(304.37, 2)),
    ("pm_mois", dp(10.01, 2)),
    ("pm_saisonnier", dp(300 + 6.01, 2)),
    ("ms", dp(58_065.59, 2)),
    ("is", pct(16.61)),
    ("lo", dp(6.02, 2)),
    ("delivrabilite", pct(95.00)),
    ("ouverture", pct(24.00)),
    ("clic", pct(4.39)),
    ("reactivite", pct(18.31)),
    ("leads/cliqueurs", pct(28.74)),
    ("ventes/leads", pct(9.38)),
    ("ventes/delivres", pct(0.12)),
    ("cout_par_lead", dp(28.13, 2)),
    ("cac", dp(300.00, 2)),
    ("panier_mail", dp(3_500, 2)),
    ("roi", pct(320.00)),
    ("roas", dp(11.67, 2)),
    ("brut", dp(10_800.00, 2)),
    ("net_commercial", dp(9_637.92, 2)),
    ("escompte", dp(144.57, 2)),
    ("net_financier", dp(9_493.35, 2)),
    ("port", dp(150.00, 2)),
    ("base_tva", dp(9_643.35, 2)),
    ("tva", dp(1_928.67, 2)),
    ("net_a_payer", dp(11_572.02, 2)),
    ("remise_equivalente", pct(10.76)),
    ("evolution_2022", pct(5.42)),
    ("evolution_2023", pct(6.80)),
    ("evolution_2024", pct(8.56)),
    ("evolution_globale", pct(22.22)),
    ("tcam", pct(6.92)),
    ("indice_2022", dp(105.42, 2)),
    ("indice_2023", dp(112.59, 2)),
    ("indice_2024", dp(122.22, 2)),
    ("pdm", pct(4.00)),
    ("pdm_leader", pct(20.00)),
    ("pdm_relative", dp(0.20, 2)),
]


@pytest.mark.parametrize(("key", "expected"), EXPECTED, ids=[key for key, _ in EXPECTED])
def test_c20_value(key: str, expected: Any) -> None:
    assert recompute()[key] == expected


def test_every_recomputed_value_is_checked() -> None:
    assert set(recompute()) == {key for key, _ in EXPECTED}


# --- Dates ----------------------------------------------------------------------------------


def test_point_mort_dates() -> None:
    r = recompute()
    assert k.point_mort_date(sr=r["sr"], ca=r["ca"]) == DayMonth(1, 11)
    assert k.point_mort_date(sr=r["sr"], ca=r["ca"], base=365) == DayMonth(1, 11)
    assert str(k.point_mort_date(sr=r["sr"], ca=r["ca"])) == "1er novembre"


def test_point_mort_saisonnier() -> None:
    """Cumul 285 050 at 31/10 < SR ≤ 317 150 at 30/11; fraction 0.2004 → 6.01 d → 7 novembre."""
    sr = recompute()["sr"]
    cumul = list(itertools.accumulate(CA_MENSUELS))
    assert cumul == [
        24_500,
        51_300,
        82_500,
        111_900,
        142_000,
        175_600,
        203_500,
        215_950,
        249_350,
        285_050,
        317_150,
        349_550,
    ]
    assert cumul[9] < sr <= cumul[10]
    fraction = (sr - cumul[9]) / CA_MENSUELS[10]
    assert fraction == pct(20.04)
    assert fraction * 30 == dp(6.01, 2)
    assert k.point_mort_saisonnier_date(sr=sr, ca_mensuels=CA_MENSUELS) == DayMonth(7, 11)
    assert str(k.point_mort_saisonnier_date(sr=sr, ca_mensuels=CA_MENSUELS)) == "7 novembre"


# --- Sales reps (dossier 3): rates and amounts, team = ratios of totals ---------------------

# rep: contacts/leads, RDV/contacts, devis/RDV, ventes/devis, ventes/RDV, ventes/leads,
#      taux de réalisation, écart %, frais/CA  (all printed as %)
REP_RATES = {
    "Camille": (65.63, 40.00, 54.76, 41.30, 22.62, 5.94, 118.40, 18.40, 6.59),
    "Hugo": (53.57, 44.00, 57.58, 31.58, 18.18, 4.29, 79.22, -20.78, 12.48),
    "Inès": (70.00, 42.86, 49.52, 44.23, 21.90, 6.57, 108.05, 8.05, 6.92),
    "Malik": (60.00, 33.33, 40.00, 41.67, 16.67, 3.33, 76.27, -23.73, 11.19),
    TEAM: (62.80, 40.13, 50.79, 40.00, 20.32, 5.12, 97.10, -2.90, 8.64),
}
RATE_PAIRS = [
    ("contacts", "leads"),
    ("rdv", "contacts"),
    ("devis", "rdv"),
    ("ventes", "devis"),
    ("ventes", "rdv"),
    ("ventes", "leads"),
    ("ca", "objectif"),
    None,  # écart %, checked below
    ("frais", "ca"),
]
# rep: panier moyen, CA/jour, RDV/jour, CA/RDV, coût/vente, écart €  (printed with 2 decimals)
REP_AMOUNTS = {
    "Camille": (6_231.58, 592.00, 0.42, 1_409.52, 410.53, 18_400),
    "Hugo": (5_941.67, 365.64, 0.34, 1_080.30, 741.67, -18_700),
    "Inès": (4_463.04, 500.73, 0.51, 977.62, 308.70, 7_650),
    "Malik": (5_720.00, 301.05, 0.32, 953.33, 640.00, -17_800),
    TEAM: (5_461.72, 442.47, 0.40, 1_109.68, 471.88, -10_450),
}
AMOUNT_PAIRS = [
    ("ca", "ventes"),
    ("ca", "jours"),
    ("rdv", "jours"),
    ("ca", "rdv"),
    ("frais", "ventes"),
]


@pytest.mark.parametrize("who", list(REP_RATES))
def test_rep_rates(who: str) -> None:
    expected = REP_RATES[who]
    for pair, printed in zip(RATE_PAIRS, expected, strict=True):
        if pair is not None:
            assert _rep_rate(who, *pair) == pct(printed), pair
    assert _rep_rate(who, "ca", "objectif") - 1 == pct(expected[7])


@pytest.mark.parametrize("who", list(REP_AMOUNTS))
def test_rep_amounts(who: str) -> None:
    *ratios, ecart = REP_AMOUNTS[who]
    for pair, printed in zip(AMOUNT_PAIRS, ratios, strict=True):
        assert _rep_rate(who, *pair) == dp(printed, 2), pair
    if who == TEAM:
        got = a.ecart_valeur_total(realises=_reps_column("ca"), objectifs=_reps_column("objectif"))
    else:
        row = dict(zip(COLUMNS, REPS[who], strict=True))
        got = a.ecart_valeur(realise=row["ca"], objectif=row["objectif"])
    assert got == dp(ecart, 2)


@pytest.mark.parametrize("who", list(REPS))
def test_rep_named_functions_agree_with_the_table(who: str) -> None:
    row = dict(zip(COLUMNS, REPS[who], strict=True))
    rates, amounts = REP_RATES[who], REP_AMOUNTS[who]
    assert a.taux_transformation(ventes=row["ventes"], leads=row["leads"]) == pct(rates[5])
    assert a.taux_concretisation(ventes=row["ventes"], devis=row["devis"]) == pct(rates[3])
    assert a.taux_realisation(realise=row["ca"], objectif=row["objectif"]) == pct(rates[6])
    assert a.ecart_pct(realise=row["ca"], objectif=row["objectif"]) == pct(rates[7])
    assert a.panier_moyen(ca=row["ca"], ventes=row["ventes"]) == dp(amounts[0], 2)
    assert a.cout_par_vente(frais=row["frais"], ventes=row["ventes"]) == dp(amounts[4], 2)


def test_team_ca_equals_annex_1_ca() -> None:
    assert c.somme(values=_reps_column("ca")) == recompute()["ca"]


# --- Accepted rounding variants and typical mistakes ----------------------------------------


@pytest.mark.parametrize(
    ("taux_mcv", "sr", "pm"),
    [(0.3156, 291_508.24, 300.22), (0.316, 291_139.24, None), (0.32, 287_500.00, None)],
)
def test_sr_with_rounded_taux_mcv(taux_mcv: float, sr: float, pm: float | None) -> None:
    r = recompute()
    got = k.seuil_rentabilite(cf=r["cf"], taux_mcv=taux_mcv)
    assert got == dp(sr, 2)
    assert got != dp(r["sr"], 2)
    if pm is not None:
        assert k.point_mort_jours(sr=got, ca=r["ca"]) == dp(pm, 2)


def test_mistake_simple_mean_of_taux_de_marque() -> None:
    rates = [c.taux_de_marque(pv=v, pa=p) for v, p in zip(PV, PA, strict=True)]
    assert c.moyenne_simple(values=rates) == pct(39.88)
    assert recompute()["taux_marque_global"] != pct(39.88)


def test_mistake_team_mean_of_rates() -> None:
    ventes, leads = _reps_column("ventes"), _reps_column("leads")
    assert a.moyenne_des_taux(numerateurs=ventes, denominateurs=leads) == pct(5.03)
    assert a.ratio_des_totaux(numerateurs=ventes, denominateurs=leads) == pct(5.12)
    assert a.ratio_des_totaux(numerateurs=ventes, denominateurs=leads) != pct(5.03)


def test_mistake_tcam_with_n_4() -> None:
    first, last = CA_HISTORY[2021], CA_HISTORY[2024]
    assert a.tcam(initial=first, final=last, n=4) == pct(5.14)
    assert recompute()["tcam"] != pct(5.14)


def test_mistake_remises_added() -> None:
    net = c.montant_remises_additionnees(brut=DEVIS_Q * DEVIS_PU, remises=REMISES)
    base = c.base_tva(
        net_financier=c.net_financier(net_commercial=net, taux_escompte=TAUX_ESCOMPTE), port=PORT
    )
    assert c.net_a_payer(base=base, tva=TVA) == dp(11_541.38, 2)
    assert recompute()["net_a_payer"] != dp(11_541.38, 2)


def test_mistake_port_discounted() -> None:
    wrong = c.facture(DEVIS_Q * DEVIS_PU + PORT, REMISES, TAUX_ESCOMPTE, TVA, port=0.0)
    assert wrong.net_a_payer == dp(11_550.24, 2)
    assert recompute()["net_a_payer"] != dp(11_550.24, 2)


def test_mistake_sr_with_taux_de_marque() -> None:
    r = recompute()
    wrong = k.seuil_rentabilite(cf=r["cf"], taux_mcv=r["taux_marque_global"])
    assert wrong == dp(244_924.60, 2)
    assert k.point_mort_jours(sr=wrong, ca=r["ca"]) == dp(252.25, 2)
    assert r["sr"] != dp(244_924.60, 2)


def test_mistake_roi_on_ca() -> None:
    assert a.roi(gain=CA_MAIL, cout=COUT_MAIL) == pct(1_066.67)
    assert recompute()["roi"] != pct(1_066.67)


def test_mistake_ouverture_on_sent() -> None:
    assert a.taux_ouverture(ouvreurs=OUVREURS, delivres=ENVOYES) == pct(22.80)
    assert recompute()["ouverture"] != pct(22.80)


def test_date_of_the_seasonal_day_count_is_the_seasonal_date() -> None:
    r = recompute()
    assert date_commerciale_360(r["pm_saisonnier"]) == DayMonth(7, 11)
