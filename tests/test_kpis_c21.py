"""Integration test: the whole C21 case (DOMAIN §7.3, "Terroirs & Co", reporting S1) recomputed
from the annex data with the KPI functions, checked against every value DOMAIN prints, at the
precision it prints them (a rate printed as 97.66 % must be within 0.005 pp).

`answers()` holds one registry call per item of every question of the énoncé (C21-Q01…Q24),
with the arguments a rubric would give: annex ranges or cells, or other answers. The annex data
is copied below; `test_annex_copy_matches_the_subject` checks the copy against the subject
workbook when ../shared is present."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from autocorrect.reference.kpis import KPIS

K: dict[str, Callable[..., Any]] = KPIS

# --- Annex data (the case itself) --------------------------------------------------------------

MOIS = ("janvier", "février", "mars", "avril", "mai", "juin")
# Annex 1, rows 4–9: objectif CA HT (B), réalisé N (C), réalisé N−1 (D), visites (E), commandes (F)
ACTIVITY = {
    "janvier": (52_000, 48_360, 46_100, 160, 58),
    "février": (50_000, 51_250, 47_800, 150, 61),
    "mars": (58_000, 55_680, 53_900, 170, 66),
    "avril": (60_000, 62_400, 57_200, 175, 71),
    "mai": (62_000, 57_040, 58_300, 168, 63),
    "juin": (68_000, 70_720, 64_500, 182, 79),
}
# Annex 2, rows 4–7: objectif S1 (B), réalisé S1 (C), visites (D), commandes (E),
# objectif nouveaux clients (F), nouveaux clients (G)
REPS = {
    "Léa Martin": (95_000, 101_650, 270, 112, 8, 9),
    "Julien Roux": (90_000, 79_200, 255, 84, 8, 5),
    "Sofia Benali": (85_000, 88_400, 240, 101, 6, 7),
    "Thomas Petit": (80_000, 76_200, 240, 101, 6, 4),
}
# Annex 3, rows 4–13: SI (C), entrées (D), sorties (E), stock de sécurité (F), délai (G),
# coût unitaire HT (H; P06: the text "CMUP (annexe 4)"), demandes non servies (I)
STOCKS: dict[str, tuple[float, float, float, float, float, float | str, float]] = {
    "P01": (420, 2400, 2520, 120, 10, 2.80, 0),
    "P02": (260, 1500, 1480, 80, 15, 6.40, 35),
    "P03": (380, 1800, 1950, 100, 12, 3.10, 60),
    "P04": (150, 900, 820, 50, 8, 3.95, 0),
    "P05": (90, 1300, 1310, 40, 3, 4.20, 12),
    "P06": (500, 600, 540, 60, 20, "CMUP (annexe 4)", 0),
    "P07": (140, 700, 690, 40, 15, 4.75, 18),
    "P08": (60, 1100, 1080, 30, 4, 5.30, 8),
    "P09": (220, 300, 260, 30, 25, 7.90, 0),
    "P10": (80, 250, 300, 20, 30, 18.50, 22),
}
# Annex 4, rows 4–9 (B: quantité, C: coût unitaire; an exit has no cost)
P06_MOUVEMENTS = ("Stock initial", "Sortie", "Entrée", "Sortie", "Entrée", "Sortie")
P06_QUANTITES = [500, 180, 300, 200, 300, 160]
P06_COUTS: list[float | None] = [5.5, None, 5.7, None, 5.9, None]
# Paramètres B3:B5
OBJECTIF_ANNUEL, SEUIL_ALERTE, JOURS = 730_000, -0.05, 180
# Annex 5 (DOMAIN only, not in the workbook): P01 counts, 01/01 then the six month-ends
P01_RELEVES = [420, 380, 310, 460, 270, 390, 300]

# The annex columns, as a rubric reads them (one range each, in entity order)
OBJ = [v[0] for v in ACTIVITY.values()]  # B4:B9
REAL = [v[1] for v in ACTIVITY.values()]  # C4:C9
N1 = [v[2] for v in ACTIVITY.values()]  # D4:D9
VIS = [v[3] for v in ACTIVITY.values()]  # E4:E9
CMD = [v[4] for v in ACTIVITY.values()]  # F4:F9
M = {m: dict(zip(("obj", "real", "n1", "vis", "cmd"), v, strict=True)) for m, v in ACTIVITY.items()}
R = {
    r: dict(zip(("obj", "real", "vis", "cmd", "nc_obj", "nc"), v, strict=True))
    for r, v in REPS.items()
}
P = {
    p: dict(zip(("si", "entrees", "sorties", "ss", "delai", "cout", "ns"), v, strict=True))
    for p, v in STOCKS.items()
}
S1 = "S1"
TOTAL = "Total"

Answers = dict[tuple[str, str], Any]


@functools.cache
def answers() -> Answers:
    """Every item of the énoncé, each by ONE registered KPI called by keyword on annex cells /
    ranges or on other answers (a[...]): the calls a rubric makes."""
    a: Answers = {}
    # Dossier 1 — monthly dashboard, each month then the S1 total
    for m in MOIS:
        x = M[m]
        a["C21-Q01", m] = K["ecart_valeur"](realise=x["real"], objectif=x["obj"])
        a["C21-Q02", m] = K["ecart_pct"](realise=x["real"], objectif=x["obj"])
        a["C21-Q03", m] = K["taux_realisation"](realise=x["real"], objectif=x["obj"])
        a["C21-Q04", m] = K["evolution"](vn=x["real"], vn1=x["n1"])
        a["C21-Q05", m] = K["panier_moyen"](ca=x["real"], ventes=x["cmd"])
        a["C21-Q06", m] = K["taux_transformation"](ventes=x["cmd"], leads=x["vis"])
    a["C21-Q01", S1] = K["ecart_valeur_total"](realises=REAL, objectifs=OBJ)
    a["C21-Q02", S1] = K["ecart_pct_cumule"](realises=REAL, objectifs=OBJ)
    a["C21-Q03", S1] = K["taux_realisation_cumule"](realises=REAL, objectifs=OBJ)
    a["C21-Q04", S1] = K["evolution_cumulee"](vn=REAL, vn1=N1)
    a["C21-Q05", S1] = K["ratio_des_totaux"](numerateurs=REAL, denominateurs=CMD)
    a["C21-Q06", S1] = K["ratio_des_totaux"](numerateurs=CMD, denominateurs=VIS)
    for k, m in enumerate(MOIS, start=1):
        a["C21-Q07", m] = K["taux_realisation_cumule"](realises=REAL, objectifs=OBJ, mois=k)
        a["C21-Q08", m] = K["alerte_ecart"](ecart_pct=a["C21-Q02", m], seuil=SEUIL_ALERTE)
    a["C21-Q09", "CA à réaliser"] = K["ca_a_realiser"](
        objectif_annuel=OBJECTIF_ANNUEL, realises=REAL
    )
    a["C21-Q09", "% objectif S2"] = K["taux_rattrapage"](
        objectif_annuel=OBJECTIF_ANNUEL, realises=REAL, objectifs=OBJ
    )
    # Dossier 2 — sales reps
    for r, x in R.items():
        a["C21-Q10", r] = K["ecart_valeur"](realise=x["real"], objectif=x["obj"])
        a["C21-Q11", r] = K["ecart_pct"](realise=x["real"], objectif=x["obj"])
        a["C21-Q12", r] = K["taux_realisation"](realise=x["real"], objectif=x["obj"])
        a["C21-Q14", r] = K["panier_moyen"](ca=x["real"], ventes=x["cmd"])
    for r in R:
        a["C21-Q13", r] = K["rang"](
            valeur=a["C21-Q12", r], valeurs=[a["C21-Q12", o] for o in R], decroissant=True
        )
        a["C21-Q15", r] = K["alerte_ecart"](ecart_pct=a["C21-Q11", r], seuil=SEUIL_ALERTE)
    # Dossier 3 — stocks
    a["C21-Q23", "CMUP"] = K["cmup_periode"](quantites=P06_QUANTITES, couts=P06_COUTS)
    for p, item in P.items():
        a["C21-Q16", p] = K["stock_final"](
            si=item["si"], entrees=item["entrees"], sorties=item["sorties"]
        )
        a["C21-Q17", p] = K["stock_moyen_si_sf"](si=item["si"], sf=a["C21-Q16", p])
        a["C21-Q18", p] = K["rotation"](sorties=item["sorties"], stock_moyen=a["C21-Q17", p])
        a["C21-Q19", p] = K["duree_stockage"](rotation=a["C21-Q18", p], base=JOURS)
        a["C21-Q20", p] = K["point_de_commande_periode"](
            sorties=item["sorties"], delai=item["delai"], stock_securite=item["ss"], base=JOURS
        )
        a["C21-Q21", p] = K["commande_a_passer"](
            stock=a["C21-Q16", p], point_commande=a["C21-Q20", p]
        )
        a["C21-Q22", p] = K["taux_rupture_from_sorties"](
            non_servies=item["ns"], sorties=item["sorties"]
        )
        cout = a["C21-Q23", "CMUP"] if p == "P06" else item["cout"]
        a["C21-Q24", p] = K["valeur_stock"](quantite=a["C21-Q16", p], cout_unitaire=cout)
    a["C21-Q24", TOTAL] = K["somme"](values=[a["C21-Q24", p] for p in P])
    return a


def dp(value: float, decimals: int) -> Any:
    """`value` as printed with `decimals` decimals: accept half a unit of the last digit."""
    return pytest.approx(value, abs=0.5 * 10**-decimals + 1e-9)


def pct(printed: float, decimals: int = 2) -> Any:
    """A rate DOMAIN prints as a percentage (97.66 %), compared as a fraction of 1."""
    return pytest.approx(printed / 100, abs=0.5 * 10 ** -(decimals + 2) + 1e-12)


# DOMAIN §7.3 monthly dashboard: écart €, écart %, taux de réal., évol. N/N−1, panier moyen,
# visites→commandes, indice (janv = 100), cumul réalisé, cumul taux réal., cumul évol., alerte
MONTHLY = {
    "janvier": (-3640, -7.00, 93.00, 4.90, 833.79, 36.25, 100.00, 48_360, 93.00, 4.90, True),
    "février": (1250, 2.50, 102.50, 7.22, 840.16, 40.67, 105.98, 99_610, 97.66, 6.08, False),
    "mars": (-2320, -4.00, 96.00, 3.30, 843.64, 38.82, 115.14, 155_290, 97.06, 5.07, False),
    "avril": (2400, 4.00, 104.00, 9.09, 878.87, 40.57, 129.03, 217_690, 98.95, 6.19, False),
    "mai": (-4960, -8.00, 92.00, -2.16, 905.40, 37.50, 117.95, 274_730, 97.42, 4.34, True),
    "juin": (2720, 4.00, 104.00, 9.64, 895.19, 43.41, 146.24, 345_450, 98.70, 5.38, False),
}
# Sales reps: rang, écart €, écart %, taux réal., panier moyen, transfo visites→cmd, CA/visite,
# new clients réal. %, new clients écart, below objective, alerte −5 %
REP_TABLE = {
    "Léa Martin": (1, 6650, 7.00, 107.00, 907.59, 41.48, 376.48, 112.50, 1, False, False),
    "Julien Roux": (4, -10_800, -12.00, 88.00, 942.86, 32.94, 310.59, 62.50, -3, True, True),
    "Sofia Benali": (2, 3400, 4.00, 104.00, 875.25, 42.08, 368.33, 116.67, 1, False, False),
    "Thomas Petit": (3, -3800, -4.75, 95.25, 754.46, 42.08, 317.50, 66.67, -2, True, False),
}
# Stocks: SF, stock moyen, rotation, durée (180), durée (181), conso/j, couverture SF, PC,
# order?, taux rupture %, coût u, valeur SF
STOCK_TABLE = {
    "P01": (300, 360.0, 7.00, 25.7, 25.9, 14.000, 21.4, 260.0, False, 0.00, 2.80, 840.00),
    "P02": (280, 270.0, 5.48, 32.8, 33.0, 8.222, 34.1, 203.3, False, 2.31, 6.40, 1792.00),
    "P03": (230, 305.0, 6.39, 28.2, 28.3, 10.833, 21.2, 230.0, True, 2.99, 3.10, 713.00),
    "P04": (230, 190.0, 4.32, 41.7, 41.9, 4.556, 50.5, 86.4, False, 0.00, 3.95, 908.50),
    "P05": (80, 85.0, 15.41, 11.7, 11.7, 7.278, 11.0, 61.8, False, 0.91, 4.20, 336.00),
    "P06": (560, 530.0, 1.02, 176.7, 177.6, 3.000, 186.7, 120.0, False, 0.00, 5.6636, 3171.64),
    "P07": (150, 145.0, 4.76, 37.8, 38.0, 3.833, 39.1, 97.5, False, 2.54, 4.75, 712.50),
    "P08": (80, 70.0, 15.43, 11.7, 11.7, 6.000, 13.3, 54.0, False, 0.74, 5.30, 424.00),
    "P09": (260, 240.0, 1.08, 166.2, 167.1, 1.444, 180.0, 66.1, False, 0.00, 7.90, 2054.00),
    "P10": (30, 55.0, 5.45, 33.0, 33.2, 1.667, 18.0, 70.0, True, 6.83, 18.50, 555.00),
}

EXPECTED: dict[tuple[str, str], Any] = {
    **{("C21-Q01", m): dp(v[0], 2) for m, v in MONTHLY.items()},
    ("C21-Q01", S1): dp(-4550, 2),
    **{("C21-Q02", m): pct(v[1]) for m, v in MONTHLY.items()},
    ("C21-Q02", S1): pct(-1.30),
    **{("C21-Q03", m): pct(v[2]) for m, v in MONTHLY.items()},
    ("C21-Q03", S1): pct(98.70),
    **{("C21-Q04", m): pct(v[3]) for m, v in MONTHLY.items()},
    ("C21-Q04", S1): pct(5.38),
    **{("C21-Q05", m): dp(v[4], 2) for m, v in MONTHLY.items()},
    ("C21-Q05", S1): dp(867.96, 2),
    **{("C21-Q06", m): pct(v[5]) for m, v in MONTHLY.items()},
    ("C21-Q06", S1): pct(39.60),
    **{("C21-Q07", m): pct(v[8]) for m, v in MONTHLY.items()},
    **{("C21-Q08", m): v[10] for m, v in MONTHLY.items()},
    ("C21-Q09", "CA à réaliser"): dp(384_550, 2),
    ("C21-Q09", "% objectif S2"): pct(101.20),
    **{("C21-Q10", r): dp(v[1], 2) for r, v in REP_TABLE.items()},
    **{("C21-Q11", r): pct(v[2]) for r, v in REP_TABLE.items()},
    **{("C21-Q12", r): pct(v[3]) for r, v in REP_TABLE.items()},
    **{("C21-Q13", r): v[0] for r, v in REP_TABLE.items()},
    **{("C21-Q14", r): dp(v[4], 2) for r, v in REP_TABLE.items()},
    **{("C21-Q15", r): v[10] for r, v in REP_TABLE.items()},
    **{("C21-Q16", p): dp(v[0], 2) for p, v in STOCK_TABLE.items()},
    **{("C21-Q17", p): dp(v[1], 1) for p, v in STOCK_TABLE.items()},
    **{("C21-Q18", p): dp(v[2], 2) for p, v in STOCK_TABLE.items()},
    **{("C21-Q19", p): dp(v[3], 1) for p, v in STOCK_TABLE.items()},
    **{("C21-Q20", p): dp(v[7], 1) for p, v in STOCK_TABLE.items()},
    **{("C21-Q21", p): v[8] for p, v in STOCK_TABLE.items()},
    **{("C21-Q22", p): pct(v[9]) for p, v in STOCK_TABLE.items()},
    ("C21-Q23", "CMUP"): dp(5.6636, 4),
    **{("C21-Q24", p): dp(v[11], 2) for p, v in STOCK_TABLE.items()},
    ("C21-Q24", TOTAL): dp(11_506.64, 2),
}


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{q}[{k}]" for q, k in EXPECTED])
def test_c21_answer(key: tuple[str, str]) -> None:
    got, expected = answers()[key], EXPECTED[key]
    if isinstance(expected, bool):
        assert got is expected
    else:
        assert got == expected


def test_every_answer_is_checked() -> None:
    assert set(answers()) == set(EXPECTED)


def test_every_question_of_the_enonce_is_answered() -> None:
    assert {q for q, _ in answers()} == {f"C21-Q{n:02d}" for n in range(1, 25)}


def test_exact_values() -> None:
    a = answers()
    assert a["C21-Q23", "CMUP"] == pytest.approx(623 / 110, abs=1e-12)
    assert a["C21-Q20", "P03"] == pytest.approx(230, abs=1e-9)  # SF = PC: the tie → order
    assert a["C21-Q16", "P03"] == 230
    assert a["C21-Q09", "CA à réaliser"] == 384_550


# --- The rest of §7.3: values DOMAIN prints beyond the énoncé's questions ----------------------


@pytest.mark.parametrize("m", MOIS)
def test_monthly_extras(m: str) -> None:
    _, _, _, _, _, _, indice, cumul, _, cumul_evol, _ = MONTHLY[m]
    k = MOIS.index(m) + 1
    assert K["indice_base100"](valeur=M[m]["real"], base=M["janvier"]["real"]) == dp(indice, 2)
    assert K["cumul"](valeurs=REAL, mois=k) == dp(cumul, 2)
    assert K["evolution_cumulee"](vn=REAL, vn1=N1, mois=k) == pct(cumul_evol)
    # the cumulative rate is also the ratio of the cumulative answers
    ratio = K["ratio"](numerateur=K["cumul"](valeurs=REAL, mois=k), denominateur=sum(OBJ[:k]))
    assert ratio == pytest.approx(answers()["C21-Q07", m])


def test_s1_totals() -> None:
    assert K["somme"](values=OBJ) == 350_000
    assert K["somme"](values=REAL) == 345_450
    assert K["somme"](values=N1) == 327_800
    assert K["somme"](values=VIS) == 1005
    assert K["somme"](values=CMD) == 398
    assert K["objectif_restant"](objectif_annuel=OBJECTIF_ANNUEL, objectifs=OBJ) == 380_000
    # the S1 items equal the same KPI applied to the S1 totals
    a = answers()
    assert a["C21-Q01", S1] == K["ecart_valeur"](realise=345_450, objectif=350_000)
    assert a["C21-Q02", S1] == pytest.approx(K["ecart_pct"](realise=345_450, objectif=350_000))
    assert a["C21-Q04", S1] == pytest.approx(K["evolution"](vn=345_450, vn1=327_800))
    assert a["C21-Q05", S1] == pytest.approx(K["panier_moyen"](ca=345_450, ventes=398))
    assert a["C21-Q07", "juin"] == pytest.approx(a["C21-Q03", S1])


@pytest.mark.parametrize("r", list(REPS))
def test_rep_extras(r: str) -> None:
    _, _, _, _, _, transfo, ca_visite, nc_pct, nc_ecart, below, _ = REP_TABLE[r]
    x = R[r]
    assert K["taux_transformation"](ventes=x["cmd"], leads=x["vis"]) == pct(transfo)
    assert K["ratio"](numerateur=x["real"], denominateur=x["vis"]) == dp(ca_visite, 2)
    assert K["taux_realisation"](realise=x["nc"], objectif=x["nc_obj"]) == pct(nc_pct)
    assert K["ecart_valeur"](realise=x["nc"], objectif=x["nc_obj"]) == nc_ecart
    assert K["sous_objectif"](realise=x["real"], objectif=x["obj"]) is below


def test_thomas_petit_edge_case() -> None:
    """Under objective (−4.75 %) but inside the −5 % tolerance: flagged by « sous l'objectif »
    (accepted) and not by the alert threshold (expected)."""
    x = R["Thomas Petit"]
    assert K["sous_objectif"](realise=x["real"], objectif=x["obj"]) is True
    assert answers()["C21-Q15", "Thomas Petit"] is False


@pytest.mark.parametrize("p", list(STOCKS))
def test_stock_extras(p: str) -> None:
    _, _, _, _, duree_181, conso, couverture, *_ = STOCK_TABLE[p]
    x, a = P[p], answers()
    assert K["duree_stockage"](rotation=a["C21-Q18", p], base=181) == dp(duree_181, 1)
    daily = K["consommation_journaliere"](sorties=x["sorties"], base=JOURS)
    assert daily == dp(conso, 3)
    assert K["couverture"](stock=a["C21-Q16", p], conso_journaliere=daily) == dp(couverture, 1)
    pc = K["point_de_commande"](conso_journaliere=daily, delai=x["delai"], stock_securite=x["ss"])
    assert pc == pytest.approx(a["C21-Q20", p])


def test_overall_stock_out_rate() -> None:
    ns = [x["ns"] for x in P.values()]
    sorties = [x["sorties"] for x in P.values()]
    assert K["somme"](values=ns) == 155
    assert K["taux_rupture_global"](non_servies=ns, sorties=sorties) == pct(1.40)
    # DOMAIN prints "31/2 221": the same fraction, reduced by 5
    assert K["taux_rupture_global"](non_servies=ns, sorties=sorties) == pytest.approx(31 / 2221)


def test_p06_perpetual_cmup() -> None:
    cmup = K["cmup_permanent"](quantites=P06_QUANTITES, couts=P06_COUTS)
    assert cmup == dp(5.7231, 4)
    value = K["valeur_stock_permanent"](quantites=P06_QUANTITES, couts=P06_COUTS)
    assert value == dp(3204.95, 2)
    assert value != dp(answers()["C21-Q24", "P06"], 2)  # the two methods differ


def test_p01_average_stock_by_method() -> None:
    assert K["stock_moyen_si_sf"](si=420, sf=300) == dp(360.00, 2)
    assert K["stock_moyen_releves"](releves=P01_RELEVES) == dp(361.43, 2)
    assert K["stock_moyen_trapeze"](releves=P01_RELEVES) == dp(361.67, 2)
    assert K["stock_moyen_fins_de_mois"](releves=P01_RELEVES) == dp(351.67, 2)


def test_smart_proposal_figures() -> None:
    """The numbers the §7.3 SMART examples are anchored on."""
    julien = R["Julien Roux"]
    orders = 255 * 0.38
    assert orders == dp(96.9, 1)
    assert orders * answers()["C21-Q14", "Julien Roux"] == pytest.approx(91_363, abs=1)
    assert orders * answers()["C21-Q14", "Julien Roux"] > julien["obj"]
    # P10: safety stock 40 → reorder point 90
    p10 = P["P10"]
    assert K["point_de_commande_periode"](
        sorties=p10["sorties"], delai=p10["delai"], stock_securite=40, base=JOURS
    ) == dp(90, 2)
    # P06: a 60-day cover is 180 units; the excess of 380 units is ≈ 2 152 € at the CMUP
    daily = K["consommation_journaliere"](sorties=P["P06"]["sorties"], base=JOURS)
    target = daily * 60
    assert target == dp(180, 2)
    excess = answers()["C21-Q16", "P06"] - target
    assert excess == dp(380, 2)
    assert K["valeur_stock"](quantite=excess, cout_unitaire=answers()["C21-Q23", "CMUP"]) == (
        pytest.approx(2152, abs=1)
    )


# --- Candidate mistakes of §7.3 and the values they produce ----------------------------------


def test_mistake_cumulative_rate_as_mean_of_monthly_rates() -> None:
    """98.58 % instead of 98.70 %."""
    wrong = K["moyenne_taux_realisation_cumule"](realises=REAL, objectifs=OBJ)
    assert wrong == pct(98.58)
    assert K["moyenne_des_taux"](numerateurs=REAL, denominateurs=OBJ) == pytest.approx(wrong)
    assert answers()["C21-Q03", S1] != pct(98.58)


def test_mistake_rotation_on_sf() -> None:
    """P10: 300/30 = 10.0 instead of 5.45."""
    p10 = P["P10"]
    wrong = K["rotation"](sorties=p10["sorties"], stock_moyen=answers()["C21-Q16", "P10"])
    assert wrong == dp(10.0, 1)
    assert answers()["C21-Q18", "P10"] != dp(10.0, 1)


def test_mistake_cmup_simple_mean_of_prices() -> None:
    """5.70 instead of 5.6636."""
    wrong = K["cmup_moyenne_simple"](quantites=P06_QUANTITES, couts=P06_COUTS)
    assert wrong == dp(5.70, 2)
    assert answers()["C21-Q23", "CMUP"] != dp(5.70, 4)


def test_mistake_hard_no_for_p03() -> None:
    """P03: SF = PC = 230. The tie rule « ≤ » orders; a strict « < » (a hard "non") is flagged."""
    a = answers()
    assert a["C21-Q16", "P03"] == pytest.approx(a["C21-Q20", "P03"])
    assert a["C21-Q21", "P03"] is True
    assert K["commande_a_passer"](stock=230.5, point_commande=a["C21-Q20", "P03"]) is False


# --- The copy of the annexes is the subject's --------------------------------------------------

SUBJECT = Path(__file__).resolve().parents[2] / "shared" / "cases" / "c21-terroirs" / "sujet.xlsx"


def _rows(wb: Any, sheet: str, first: int, last: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in wb[sheet].iter_rows(min_row=first, max_row=last, values_only=True)]


@pytest.mark.shared
def test_annex_copy_matches_the_subject() -> None:
    if not SUBJECT.is_file():
        pytest.skip(f"{SUBJECT} is not present (the reference material folder ../shared)")
    wb = openpyxl.load_workbook(SUBJECT, read_only=True)
    activity = _rows(wb, "Annexe 1 - Activité", 4, 9)
    assert activity == [(m, *v) for m, v in ACTIVITY.items()]
    reps = _rows(wb, "Annexe 2 - Commerciaux", 4, 7)
    assert reps == [(r, *v) for r, v in REPS.items()]
    stocks = [(r[0], *r[2:]) for r in _rows(wb, "Annexe 3 - Stocks", 4, 13)]
    assert stocks == [(p, *v) for p, v in STOCKS.items()]
    p06 = _rows(wb, "Annexe 4 - Mouvements P06", 4, 9)
    assert p06 == list(zip(P06_MOUVEMENTS, P06_QUANTITES, P06_COUTS, strict=True))
    params = [r[1] for r in _rows(wb, "Paramètres", 3, 5)]
    assert params == [OBJECTIF_ANNUEL, SEUIL_ALERTE, JOURS]
    wb.close()
