"""Integration test: the whole C16 case (DOMAIN §7.1, "AquaPro Services") recomputed from the
annex data with the KPI functions, checked against every value DOMAIN prints, at the precision
it prints them (a mean printed as 4.20 must be within 0.005).

`answers()` holds one registry call per item of every question of the énoncé (C16-Q01…Q16,
except the Q09 chart), with the arguments a rubric would give: annex ranges or other answers.
The annex data is copied below; `test_annex_copy_matches_the_subject` checks the copy against
the subject workbook when ../shared is present."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from autocorrect.reference.kpis import KPIS
from autocorrect.reference.kpis.survey import QUADRANT_SYNONYMS

K: dict[str, Callable[..., Any]] = KPIS

# --- Annex data (the case itself) --------------------------------------------------------------


def D(month: int, day: int) -> dt.datetime:
    """A date of the 2025 complaints log, as openpyxl reads it."""
    return dt.datetime(2025, month, day)


SOLLICITES = 64  # 'Annexe 1 - Réponses'!C2
CRITERES = ("C1", "C2", "C3", "C4", "C5", "C6", "C7")
# Annex 1, rows 5–24: respondent, segment, attentes C1–C7 (C:I), satisfactions C1–C7 (J:P),
# satisfaction globale (Q), recommandation (R), CA annuel HT (S), réclamations (T)
RESPONSES = [
    ("R01", "Profession libérale", (3, 5, 5, 3, 4, 4, 1), (4, 4, 3, 4, 4, 4, 4), 4, 9, 4800, 0),
    ("R02", "PME", (3, 5, 3, 3, 5, 4, 2), (4, 3, 5, 2, 4, 4, 5), 3, 7, 12500, 0),
    ("R03", "PME", (5, 5, 4, 4, 4, 4, 2), (4, 3, 4, 3, 2, 4, 3), 3, 6, 9800, 0),
    ("R04", "PME", (3, 5, 4, 5, 5, 2, 2), (4, 2, 4, 2, 3, 5, 2), 2, 4, 15200, 2),
    ("R05", "Grand compte", (4, 5, 4, 4, 4, 3, 3), (5, 3, 3, 3, 4, 3, 3), 3, 8, 48000, 0),
    ("R06", "Profession libérale", (5, 5, 4, 4, 4, 3, 3), (2, 3, 5, 3, 4, 4, 5), 3, 5, 3900, 1),
    ("R07", "PME", (5, 5, 5, 4, 4, 5, 3), (5, 4, 5, 3, 3, 2, 4), 5, 10, 11300, 0),
    ("R08", "Profession libérale", (5, 4, 5, 4, 5, 2, 5), (4, 3, 4, 4, 5, 4, 4), 4, 8, 5200, 0),
    ("R09", "PME", (4, 5, 3, 5, 3, 3, 2), (3, 2, 4, 4, 1, 4, 5), 3, 6, 8700, 1),
    ("R10", "PME", (4, 5, 5, 5, 4, 4, 2), (4, 4, 3, 5, 3, 3, 4), 4, 9, 14100, 0),
    ("R11", "PME", (4, 5, 5, 5, 4, 3, 1), (5, 3, 5, 4, 2, 4, 4), 4, 7, 10400, 0),
    ("R12", "Grand compte", (4, 3, 5, 5, 2, 2, 3), (4, 2, 5, 4, 2, 5, 5), 3, 7, 62500, 1),
    ("R13", "PME", (5, 5, 4, 4, 4, 3, 4), (4, 4, 4, 3, 3, 5, 2), 4, 8, 7600, 0),
    ("R14", "Profession libérale", (4, 4, 4, 4, 4, 3, 3), (4, 2, 5, 3, 3, 5, 4), 3, 6, 4300, 0),
    ("R15", "PME", (4, 5, 4, 5, 3, 3, 4), (3, 1, 4, 4, 4, 4, 4), 3, 8, 13900, 2),
    ("R16", "Profession libérale", (5, 4, 5, 5, 3, 4, 2), (4, 1, 5, 3, 2, 3, 3), 2, 6, 6100, 3),
    ("R17", "Grand compte", (4, 5, 5, 4, 3, 4, 4), (3, 3, 4, 5, 3, 4, 3), 4, 9, 39800, 0),
    ("R18", "Profession libérale", (4, 5, 5, 4, 4, 4, 2), (4, 5, 5, 3, 3, 4, 5), 5, 9, 5700, 0),
    ("R19", "Grand compte", (4, 4, 4, 4, 3, 3, 3), (3, 2, 5, 2, 3, 5, 4), 2, 3, 55300, 2),
    ("R20", "PME", (5, 5, 5, 5, 3, 5, 2), (5, 4, 4, 1, 4, 4, 3), 3, 5, 9200, 1),
]
# Annex 2, rows 4–15: n°, reçue le (B), clôturée le (C), motif (D), avoir HT (E)
COMPLAINTS = [
    ("L01", D(1, 8), D(1, 10), "Intervention tardive", 0),
    ("L02", D(1, 21), D(1, 31), "Erreur de facturation", 85),
    ("L03", D(2, 3), D(2, 5), "Retard de livraison", 0),
    ("L04", D(2, 17), D(3, 4), "Intervention tardive", 120),
    ("L05", D(3, 6), D(3, 7), "Retard de livraison", 0),
    ("L06", D(3, 19), D(3, 26), "Panne récurrente", 60),
    ("L07", D(4, 2), D(4, 4), "Erreur de facturation", 42),
    ("L08", D(4, 14), D(4, 30), "Intervention tardive", 150),
    ("L09", D(5, 5), D(5, 9), "Retard de livraison", 0),
    ("L10", D(5, 22), D(5, 23), "Panne récurrente", 0),
    ("L11", D(6, 10), D(6, 13), "Intervention tardive", 0),
    ("L12", D(6, 24), D(7, 8), "Erreur de facturation", 95),
]

# The annex columns, as a rubric reads them (one range each)
SEGMENTS = [r[1] for r in RESPONSES]  # B5:B24
ATTENTES = {c: [r[2][i] for r in RESPONSES] for i, c in enumerate(CRITERES)}  # C5:C24 … I5:I24
SATISFACTIONS = {c: [r[3][i] for r in RESPONSES] for i, c in enumerate(CRITERES)}  # J5:J24 … P
GLOBALE = [r[4] for r in RESPONSES]  # Q5:Q24
RECO = [r[5] for r in RESPONSES]  # R5:R24
CA = [r[6] for r in RESPONSES]  # S5:S24
RECLAMATIONS = [r[7] for r in RESPONSES]  # T5:T24
LOG_KEYS = [c[0] for c in COMPLAINTS]
RECUES = {c[0]: c[1] for c in COMPLAINTS}  # B4:B15
CLOTUREES = {c[0]: c[2] for c in COMPLAINTS}  # C4:C15
MOTIFS = [c[3] for c in COMPLAINTS]  # D4:D15
AVOIRS = [c[4] for c in COMPLAINTS]  # E4:E15
SEGMENT_NAMES = ("Grand compte", "PME", "Profession libérale")
MOTIF_NAMES = (
    "Erreur de facturation",
    "Intervention tardive",
    "Panne récurrente",
    "Retard de livraison",
)

Answers = dict[tuple[str, str], Any]


@functools.cache
def answers() -> Answers:
    """Every item of the énoncé, each by ONE registered KPI called by keyword on annex ranges
    (names above) or on other answers (a[...]): the calls a rubric makes."""
    a: Answers = {}
    a["C16-Q01", "taux"] = K["taux_de_reponse_from_reponses"](
        reponses=GLOBALE, sollicites=SOLLICITES
    )
    for c in CRITERES:
        a["C16-Q02", c] = K["moyenne"](valeurs=ATTENTES[c])
        a["C16-Q03", c] = K["moyenne"](valeurs=SATISFACTIONS[c])
        a["C16-Q04", c] = K["ecart_satisfaction_attente"](
            satisfaction=a["C16-Q03", c], attente=a["C16-Q02", c]
        )
        a["C16-Q05", c] = K["part_satisfaits"](notes=SATISFACTIONS[c])
        a["C16-Q06", c] = K["ecart_type_echantillon"](valeurs=SATISFACTIONS[c])
    a["C16-Q07", "attente"] = K["moyenne_generale"](moyennes=[a["C16-Q02", c] for c in CRITERES])
    a["C16-Q07", "satisfaction"] = K["moyenne_generale"](
        moyennes=[a["C16-Q03", c] for c in CRITERES]
    )
    for c in CRITERES:
        a["C16-Q08", c] = K["quadrant_ipa"](
            attente=a["C16-Q02", c],
            satisfaction=a["C16-Q03", c],
            cut_attente=a["C16-Q07", "attente"],
            cut_satisfaction=a["C16-Q07", "satisfaction"],
        )
    a["C16-Q10", "moyenne"] = K["moyenne"](valeurs=GLOBALE)
    a["C16-Q10", "% satisfaits"] = K["csat"](notes=GLOBALE)
    a["C16-Q11", "promoteurs"] = K["part_promoteurs"](notes=RECO)
    a["C16-Q11", "détracteurs"] = K["part_detracteurs"](notes=RECO)
    a["C16-Q11", "NPS"] = K["nps"](notes=RECO)
    for seg in SEGMENT_NAMES:
        a["C16-Q12", seg] = K["moyenne_par_segment"](
            valeurs=GLOBALE, segments=SEGMENTS, segment=seg
        )
    for key in LOG_KEYS:
        a["C16-Q13", key] = K["delai_jours"](debut=RECUES[key], fin=CLOTUREES[key])
    a["C16-Q14", "délai moyen"] = K["delai_moyen"](
        debuts=[RECUES[k] for k in LOG_KEYS], fins=[CLOTUREES[k] for k in LOG_KEYS]
    )
    a["C16-Q14", "% ≤ 5 j"] = K["part_traitee_sous"](
        delais=[a["C16-Q13", k] for k in LOG_KEYS], jours=5
    )
    for motif in MOTIF_NAMES:
        a["C16-Q15", motif] = K["nombre_si"](valeurs=MOTIFS, critere=motif)
    a["C16-Q16", "total"] = K["somme"](values=AVOIRS)
    return a


def dp(value: float, decimals: int) -> Any:
    """`value` as printed with `decimals` decimals: accept half a unit of the last digit."""
    return pytest.approx(value, abs=0.5 * 10**-decimals + 1e-9)


def pct(printed: float, decimals: int = 2) -> Any:
    """A rate DOMAIN prints as a percentage (31.25 %), compared as a fraction of 1."""
    return pytest.approx(printed / 100, abs=0.5 * 10 ** -(decimals + 2) + 1e-12)


PRIO, FORT, SURQ, FAIBLE = (
    "Priorité d'amélioration",
    "Point fort",
    "Surqualité",
    "Faible priorité",
)

# DOMAIN §7.1 "Expected results — per criterion": mean I, mean S, S − I, % satisfied,
# σ S (n−1), quadrant with the grand-mean cut
PER_CRITERION = {
    "C1": (4.20, 3.90, -0.30, 75, 0.788, FORT),
    "C2": (4.70, 2.90, -1.80, 30, 1.071, PRIO),
    "C3": (4.40, 4.30, -0.10, 85, 0.733, FORT),
    "C4": (4.30, 3.25, -1.05, 40, 1.020, PRIO),
    "C5": (3.75, 3.10, -0.65, 35, 0.968, FAIBLE),
    "C6": (3.40, 4.00, 0.60, 80, 0.795, SURQ),
    "C7": (2.65, 3.80, 1.15, 65, 0.951, SURQ),
}
DELAIS = dict(zip(LOG_KEYS, (2, 10, 2, 15, 1, 7, 2, 16, 4, 1, 3, 14), strict=True))

EXPECTED: dict[tuple[str, str], Any] = {
    ("C16-Q01", "taux"): pct(31.25),
    **{("C16-Q02", c): dp(v[0], 2) for c, v in PER_CRITERION.items()},
    **{("C16-Q03", c): dp(v[1], 2) for c, v in PER_CRITERION.items()},
    **{("C16-Q04", c): dp(v[2], 2) for c, v in PER_CRITERION.items()},
    **{("C16-Q05", c): pct(v[3], 0) for c, v in PER_CRITERION.items()},
    **{("C16-Q06", c): dp(v[4], 3) for c, v in PER_CRITERION.items()},
    ("C16-Q07", "attente"): dp(3.9143, 4),
    ("C16-Q07", "satisfaction"): dp(3.6071, 4),
    **{("C16-Q08", c): v[5] for c, v in PER_CRITERION.items()},
    ("C16-Q10", "moyenne"): dp(3.35, 2),
    ("C16-Q10", "% satisfaits"): pct(40.00),
    ("C16-Q11", "promoteurs"): pytest.approx(5 / 20),  # DOMAIN: 5 promoters of 20
    ("C16-Q11", "détracteurs"): pytest.approx(8 / 20),  # 8 detractors
    ("C16-Q11", "NPS"): dp(-15, 0),
    ("C16-Q12", "Grand compte"): dp(3.00, 2),
    ("C16-Q12", "PME"): dp(3.40, 2),
    ("C16-Q12", "Profession libérale"): dp(3.50, 2),
    **{("C16-Q13", k): pytest.approx(v, abs=1e-9) for k, v in DELAIS.items()},
    ("C16-Q14", "délai moyen"): dp(6.42, 2),
    ("C16-Q14", "% ≤ 5 j"): pct(58.33),
    ("C16-Q15", "Intervention tardive"): 4,
    ("C16-Q15", "Erreur de facturation"): 3,
    ("C16-Q15", "Retard de livraison"): 3,
    ("C16-Q15", "Panne récurrente"): 2,
    ("C16-Q16", "total"): dp(552, 2),
}


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{q}[{k}]" for q, k in EXPECTED])
def test_c16_answer(key: tuple[str, str]) -> None:
    assert answers()[key] == EXPECTED[key]


def test_every_answer_is_checked() -> None:
    assert set(answers()) == set(EXPECTED)


def test_every_numeric_question_of_the_enonce_is_answered() -> None:
    """C16-Q01…Q16; Q09 is the chart (graded on the drawing, not by a KPI)."""
    questions = {q for q, _ in answers()}
    assert questions == {f"C16-Q{n:02d}" for n in range(1, 17)} - {"C16-Q09"}


def test_quadrant_labels_are_canonical() -> None:
    assert {answers()["C16-Q08", c] for c in CRITERES} <= set(QUADRANT_SYNONYMS)


def test_grand_means_are_the_exact_fractions() -> None:
    assert answers()["C16-Q07", "attente"] == pytest.approx(137 / 35, abs=1e-12)
    assert answers()["C16-Q07", "satisfaction"] == pytest.approx(101 / 28, abs=1e-12)
    # equal to the mean of every cell, since no answer is missing (rubric "accept" variant)
    every_attente = [x for c in CRITERES for x in ATTENTES[c]]
    assert K["moyenne"](valeurs=every_attente) == pytest.approx(137 / 35, abs=1e-12)


def test_response_rate_from_the_respondent_count() -> None:
    repondants = K["nombre"](valeurs=GLOBALE)
    assert repondants == 20
    got = K["taux_de_reponse"](repondants=repondants, sollicites=SOLLICITES)
    assert got == answers()["C16-Q01", "taux"]


# --- The rest of §7.1: values DOMAIN prints beyond the énoncé's questions ----------------------

# criterion: % important (4–5), σ S (n), r(S, overall), quadrant with the (3; 3) midpoint cut
EXTRA_PER_CRITERION = {
    "C1": (85, 0.768, 0.282, FORT),
    "C2": (95, 1.044, 0.769, PRIO),
    "C3": (90, 0.714, -0.090, FORT),
    "C4": (90, 0.994, 0.428, FORT),
    "C5": (65, 0.943, 0.143, FORT),
    "C6": (45, 0.775, -0.378, FORT),
    "C7": (20, 0.927, 0.215, SURQ),
}
# criterion: importance distribution, satisfaction distribution (counts of levels 1…5)
DISTRIBUTIONS = {
    "C1": ((0, 0, 3, 10, 7), (0, 1, 4, 11, 4)),
    "C2": ((0, 0, 1, 4, 15), (2, 5, 7, 5, 1)),
    "C3": ((0, 0, 2, 8, 10), (0, 0, 3, 8, 9)),
    "C4": ((0, 0, 2, 10, 8), (1, 3, 8, 6, 2)),
    "C5": ((0, 1, 6, 10, 3), (1, 4, 8, 6, 1)),
    "C6": ((0, 3, 8, 7, 2), (0, 1, 3, 11, 5)),
    "C7": ((2, 8, 6, 3, 1), (0, 2, 5, 8, 5)),
}


@pytest.mark.parametrize("c", CRITERES)
def test_extra_per_criterion(c: str) -> None:
    important, sigma_n, r, midpoint = EXTRA_PER_CRITERION[c]
    a = answers()
    assert K["part_satisfaits"](notes=ATTENTES[c]) == pct(important, 0)
    assert K["ecart_type_population"](valeurs=SATISFACTIONS[c]) == dp(sigma_n, 3)
    assert K["correlation"](x=SATISFACTIONS[c], y=GLOBALE) == dp(r, 3)
    got = K["quadrant_ipa"](
        attente=a["C16-Q02", c], satisfaction=a["C16-Q03", c], cut_attente=3, cut_satisfaction=3
    )
    assert got == midpoint


@pytest.mark.parametrize("c", CRITERES)
def test_distributions(c: str) -> None:
    importance, satisfaction = DISTRIBUTIONS[c]
    levels = range(1, 6)
    assert tuple(K["nombre_si"](valeurs=ATTENTES[c], critere=n) for n in levels) == importance
    assert tuple(K["nombre_si"](valeurs=SATISFACTIONS[c], critere=n) for n in levels) == (
        satisfaction
    )


def test_medians_of_the_criterion_means() -> None:
    a = answers()
    assert K["mediane"](valeurs=[a["C16-Q02", c] for c in CRITERES]) == dp(4.2, 1)
    assert K["mediane"](valeurs=[a["C16-Q03", c] for c in CRITERES]) == dp(3.8, 1)


def test_priority_order_by_gap() -> None:
    """C2 (−1.80), C4, C5, C1, C3, C6, C7 (+1.15): rank of S − I, most negative first."""
    gaps = [answers()["C16-Q04", c] for c in CRITERES]
    ranks = {
        c: K["rang"](valeur=g, valeurs=gaps, decroissant=False)
        for c, g in zip(CRITERES, gaps, strict=True)
    }
    assert sorted(CRITERES, key=lambda c: ranks[c]) == ["C2", "C4", "C5", "C1", "C3", "C6", "C7"]
    assert sorted(ranks.values()) == [1, 2, 3, 4, 5, 6, 7]


def test_overall_satisfaction() -> None:
    assert tuple(K["nombre_si"](valeurs=GLOBALE, critere=n) for n in range(1, 6)) == (
        0,
        3,
        9,
        6,
        2,
    )
    assert K["ecart_type_echantillon"](valeurs=GLOBALE) == dp(0.8751, 4)
    assert K["part_satisfaits"](notes=GLOBALE) == K["csat"](notes=GLOBALE)


def test_nps_counts_and_detractors_ca() -> None:
    assert K["nombre_si"](valeurs=RECO, critere=">=9") == 5
    assert K["part_passifs"](notes=RECO) == pytest.approx(7 / 20)
    assert K["nombre_si"](valeurs=RECO, critere="<=6") == 8
    detractors = [r[0] for r in RESPONSES if r[5] <= 6]
    assert detractors == ["R03", "R04", "R06", "R09", "R14", "R16", "R19", "R20"]
    ca_detracteurs = K["somme_si"](valeurs=CA, criteres=RECO, critere="<=6")
    assert ca_detracteurs == dp(112_500, 2)
    assert K["somme"](values=CA) == dp(348_300, 2)
    assert K["part"](valeur=ca_detracteurs, total=K["somme"](values=CA)) == pct(32.30)


# segment: n, mean overall satisfaction, NPS, CA
SEGMENT_TABLE = {
    "Grand compte": (4, 3.00, 0.0, 205_600),
    "PME": (10, 3.40, -20.0, 112_700),
    "Profession libérale": (6, 3.50, -16.7, 30_000),
}


@pytest.mark.parametrize("segment", SEGMENT_NAMES)
def test_segment_table(segment: str) -> None:
    n, mean, score, ca = SEGMENT_TABLE[segment]
    assert K["nombre_si"](valeurs=SEGMENTS, critere=segment) == n
    assert K["moyenne_par_segment"](valeurs=GLOBALE, segments=SEGMENTS, segment=segment) == dp(
        mean, 2
    )
    assert K["nps_par_segment"](notes=RECO, segments=SEGMENTS, segment=segment) == dp(score, 1)
    assert K["somme_si"](valeurs=CA, criteres=SEGMENTS, critere=segment) == dp(ca, 2)


def test_complaints_correlation_and_weighted_index() -> None:
    a = answers()
    assert K["correlation"](x=RECLAMATIONS, y=GLOBALE) == dp(-0.7443, 4)
    index = K["moyenne_ponderee"](
        valeurs=[a["C16-Q03", c] for c in CRITERES], poids=[a["C16-Q02", c] for c in CRITERES]
    )
    assert index == dp(3.5839, 4)


def test_complaints_log_extras() -> None:
    delais = [answers()["C16-Q13", k] for k in LOG_KEYS]
    assert K["mediane"](valeurs=delais) == dp(3.5, 1)
    assert K["moyenne"](valeurs=delais) == answers()["C16-Q14", "délai moyen"]
    by_reason = {
        "Intervention tardive": 9.00,
        "Erreur de facturation": 8.67,
        "Panne récurrente": 4.00,
        "Retard de livraison": 2.33,
    }
    for motif, mean in by_reason.items():
        got = K["moyenne_par_segment"](valeurs=delais, segments=MOTIFS, segment=motif)
        assert got == dp(mean, 2), motif


# --- Candidate mistakes of §7.1 and the values they produce ----------------------------------


def test_mistake_mean_of_the_distribution_counts() -> None:
    """Mean of C1 satisfaction counts = 4.00 instead of 3.90."""
    counts = DISTRIBUTIONS["C1"][1]
    assert K["moyenne"](valeurs=counts) == dp(4.00, 2)
    assert answers()["C16-Q03", "C1"] != dp(4.00, 2)


def test_mistake_neutral_level_counted_as_satisfied() -> None:
    """C2: 65 % instead of 30 %."""
    assert K["part_satisfaits"](notes=SATISFACTIONS["C2"], seuil=3) == pct(65, 0)
    assert answers()["C16-Q05", "C2"] != pct(65, 0)


def test_mistake_nps_without_passives() -> None:
    """(5 − 8)/13 → −23.08 instead of −15."""
    assert K["nps_sans_passifs"](notes=RECO) == dp(-23.08, 2)
    assert answers()["C16-Q11", "NPS"] != dp(-23.08, 2)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [("nps_promoteurs_des_7", 20.0), ("nps_passifs_detracteurs", -50.0), ("moyenne", 7.0)],
)
def test_other_nps_mistakes_give_distinct_values(name: str, wrong: float) -> None:
    kwargs = {"valeurs": RECO} if name == "moyenne" else {"notes": RECO}
    assert K[name](**kwargs) == dp(wrong, 2)
    assert answers()["C16-Q11", "NPS"] != dp(wrong, 2)


def test_mistake_midpoint_cut_moves_c4_c5_c6() -> None:
    """With the (3; 3) cut 5 of 7 criteria become « Point fort » (Keep up the good work)."""
    a = answers()
    midpoint = {
        c: K["quadrant_ipa"](
            attente=a["C16-Q02", c], satisfaction=a["C16-Q03", c], cut_attente=3, cut_satisfaction=3
        )
        for c in CRITERES
    }
    assert [c for c in CRITERES if midpoint[c] != a["C16-Q08", c]] == ["C4", "C5", "C6"]
    assert sum(1 for v in midpoint.values() if v == FORT) == 5


def test_mistake_delays_counted_inclusively() -> None:
    debuts = [RECUES[k] for k in LOG_KEYS]
    fins = [CLOTUREES[k] for k in LOG_KEYS]
    assert K["delai_moyen_inclusif"](debuts=debuts, fins=fins) == dp(7.42, 2)
    assert K["delai_jours_inclusif"](debut=RECUES["L01"], fin=CLOTUREES["L01"]) == 3


def test_delays_from_excel_serials() -> None:
    """The same délais when the engine hands over Excel serial numbers instead of datetimes."""
    epoch = dt.datetime(1899, 12, 30)
    for key in LOG_KEYS:
        debut = (RECUES[key] - epoch).days
        fin = (CLOTUREES[key] - epoch).days
        assert K["delai_jours"](debut=debut, fin=fin) == DELAIS[key]


# --- The copy of the annexes is the subject's --------------------------------------------------

SUBJECT = Path(__file__).resolve().parents[2] / "shared" / "cases" / "c16-aquapro" / "sujet.xlsx"


@pytest.mark.shared
def test_annex_copy_matches_the_subject() -> None:
    if not SUBJECT.is_file():
        pytest.skip(f"{SUBJECT} is not present (the reference material folder ../shared)")
    wb = openpyxl.load_workbook(SUBJECT, read_only=True)
    ws = wb["Annexe 1 - Réponses"]
    assert ws["C2"].value == SOLLICITES
    rows = [tuple(r) for r in ws.iter_rows(min_row=5, max_row=24, values_only=True)]
    expected = [(r[0], r[1], *r[2], *r[3], *r[4:]) for r in RESPONSES]
    assert rows == expected
    log = [
        tuple(r)
        for r in wb["Annexe 2 - Réclamations"].iter_rows(min_row=4, max_row=15, values_only=True)
    ]
    assert log == COMPLAINTS
    wb.close()
