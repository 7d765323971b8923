"""Unit tests of the C21 KPIs: stocks (DOMAIN §5) and dashboards (§4.3): registry, §11 vectors,
the §5 running example, the typical mistakes and the wrong values they give, the tie rules
of the order and alert flags, Excel RANK.EQ ranking, and hypothesis properties."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autocorrect.reference.kpis import KPIS
from autocorrect.reference.kpis import dashboard as d
from autocorrect.reference.kpis import stocks as s
from tests.mistakes import Mistake

K: dict[str, Callable[..., Any]] = KPIS  # every vector goes through the registry, by keyword

# --- Registry ---------------------------------------------------------------------------------

REQUIRED_SIGNATURES: dict[str, tuple[str, ...]] = {
    # stocks
    "stock_final": ("si", "entrees", "sorties"),
    "stock_moyen_si_sf": ("si", "sf"),
    "stock_moyen_releves": ("releves",),
    "stock_moyen_trapeze": ("releves",),
    "stock_moyen_fins_de_mois": ("releves",),
    "rotation": ("sorties", "stock_moyen"),
    "duree_stockage": ("rotation", "base"),
    "consommation_journaliere": ("sorties", "base"),
    "couverture": ("stock", "conso_journaliere"),
    "stock_securite": ("conso_journaliere", "delai_securite"),
    "point_de_commande": ("conso_journaliere", "delai", "stock_securite"),
    "point_de_commande_periode": ("sorties", "delai", "stock_securite", "base"),
    "commande_a_passer": ("stock", "point_commande"),
    "taux_rupture": ("non_servies", "demandes"),
    "taux_rupture_from_sorties": ("non_servies", "sorties"),
    "taux_rupture_global": ("non_servies", "sorties"),
    "taux_service": ("non_servies", "demandes"),
    "cmup_periode": ("quantites", "couts"),
    "cmup_permanent": ("quantites", "couts"),
    "valeur_stock_permanent": ("quantites", "couts"),
    "valeur_stock": ("quantite", "cout_unitaire"),
    "duree_stockage_inversee": ("rotation", "base"),
    "cmup_moyenne_simple": ("quantites", "couts"),
    # dashboard
    "cumul": ("valeurs", "mois"),
    "taux_realisation_cumule": ("realises", "objectifs", "mois"),
    "ecart_pct_cumule": ("realises", "objectifs", "mois"),
    "evolution_cumulee": ("vn", "vn1", "mois"),
    "objectif_restant": ("objectif_annuel", "objectifs"),
    "ca_a_realiser": ("objectif_annuel", "realises"),
    "taux_rattrapage": ("objectif_annuel", "realises", "objectifs"),
    "rang": ("valeur", "valeurs", "decroissant"),
    "alerte_ecart": ("ecart_pct", "seuil"),
    "sous_objectif": ("realise", "objectif"),
    "moyenne_taux_realisation_cumule": ("realises", "objectifs", "mois"),
}


@pytest.mark.parametrize("name", sorted(REQUIRED_SIGNATURES))
def test_c21_kpi_is_registered_with_its_keyword_names(name: str) -> None:
    params = inspect.signature(KPIS[name]).parameters
    assert tuple(params) == REQUIRED_SIGNATURES[name]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())


def test_every_stock_and_dashboard_kpi_is_listed() -> None:
    modules = {s.__name__, d.__name__}
    registered = {n for n, f in KPIS.items() if f.__module__ in modules}
    assert registered == set(REQUIRED_SIGNATURES)


def test_stock_card_helper_is_not_registered() -> None:
    assert "fiche_cmup_permanent" not in KPIS


# --- Vectors: DOMAIN §11 and the §5 running example (SI 400, SF 600, sorties 6 000/year) -------

EXACT = 1e-9
RATE = 5e-5 + 1e-12
P01_COUNTS = [420, 380, 310, 460, 270, 390, 300]  # C21 annex 5: 01/01 then six month-ends
CMUP_CARD = ([100, 200, 100], [10, 11, 12.4])  # §5: SI 100 @ 10, entries 200 @ 11, 100 @ 12.40

VECTORS: list[Any] = [
    pytest.param("stock_moyen_si_sf", {"si": 400, "sf": 600}, 500, EXACT, id="sm"),
    pytest.param("rotation", {"sorties": 6000, "stock_moyen": 500}, 12, EXACT, id="rotation"),
    pytest.param("duree_stockage", {"rotation": 12, "base": 360}, 30, EXACT, id="duree-360"),
    pytest.param("duree_stockage", {"rotation": 12}, 30, EXACT, id="duree-default-360"),
    pytest.param("duree_stockage", {"rotation": 12, "base": 365}, 30.42, 0.005, id="duree-365"),
    pytest.param("consommation_journaliere", {"sorties": 6000}, 16.67, 0.005, id="conso"),
    pytest.param(
        "couverture", {"stock": 600, "conso_journaliere": 6000 / 360}, 36, EXACT, id="couverture"
    ),
    pytest.param(
        "stock_securite", {"conso_journaliere": 20, "delai_securite": 3}, 60, EXACT, id="ss"
    ),
    pytest.param(
        "point_de_commande",
        {"conso_journaliere": 20, "delai": 7, "stock_securite": 60},
        200,
        EXACT,
        id="pc",
    ),
    pytest.param(
        "point_de_commande_periode",
        {"sorties": 7200, "delai": 7, "stock_securite": 60},
        200,
        EXACT,
        id="pc-periode",
    ),
    pytest.param(
        "point_de_commande_periode",
        {"sorties": 1950, "delai": 12, "stock_securite": 100, "base": 180},
        230,
        EXACT,
        id="pc-C21-P03",
    ),
    pytest.param("taux_rupture", {"non_servies": 60, "demandes": 1200}, 0.05, EXACT, id="rupt"),
    pytest.param("taux_service", {"non_servies": 60, "demandes": 1200}, 0.95, EXACT, id="serv"),
    pytest.param(
        "taux_rupture_from_sorties", {"non_servies": 60, "sorties": 1140}, 0.05, EXACT, id="r-s"
    ),
    pytest.param(
        "taux_rupture_global",
        {"non_servies": [60, 0], "sorties": [1140, 800]},
        0.03,
        EXACT,
        id="rupture-globale",
    ),
    pytest.param(
        "cmup_periode",
        {"quantites": CMUP_CARD[0], "couts": CMUP_CARD[1]},
        11.10,
        EXACT,
        id="cmup",
    ),
    pytest.param("stock_moyen_releves", {"releves": P01_COUNTS}, 361.43, 0.005, id="sm-rel"),
    pytest.param("stock_moyen_trapeze", {"releves": P01_COUNTS}, 361.67, 0.005, id="sm-trap"),
    pytest.param("stock_moyen_fins_de_mois", {"releves": P01_COUNTS}, 351.67, 0.005, id="sm-fdm"),
    pytest.param("stock_final", {"si": 420, "entrees": 2400, "sorties": 2520}, 300, EXACT, id="sf"),
    pytest.param("valeur_stock", {"quantite": 300, "cout_unitaire": 2.8}, 840, EXACT, id="val"),
]


@pytest.mark.parametrize(("name", "kwargs", "expected", "tol"), VECTORS)
def test_vector(name: str, kwargs: dict[str, Any], expected: float, tol: float) -> None:
    assert K[name](**kwargs) == pytest.approx(expected, abs=tol)


# --- Stock card: CMUP of the period and perpetual ------------------------------------------------

P06_Q = [500, 180, 300, 200, 300, 160]  # C21 annex 4: SI, exit, entry, exit, entry, exit
P06_C: list[float | None] = [5.5, None, 5.7, None, 5.9, None]  # an exit has no unit cost


def test_cmup_periode_ignores_exits() -> None:
    with_exits = K["cmup_periode"](quantites=P06_Q, couts=P06_C)
    entries_only = K["cmup_periode"](quantites=[500, 300, 300], couts=[5.5, 5.7, 5.9])
    assert with_exits == entries_only == pytest.approx(623 / 110, abs=EXACT)


def test_perpetual_stock_card() -> None:
    card = s.fiche_cmup_permanent(P06_Q, P06_C)
    assert [row.quantite for row in card] == [500, 320, 620, 420, 720, 560]
    cmups = [round(row.cmup, 4) for row in card]
    assert cmups == [5.5, 5.5, 5.5968, 5.5968, 5.7231, 5.7231]
    assert K["cmup_permanent"](quantites=P06_Q, couts=P06_C) == pytest.approx(5.7231, abs=5e-5)
    value = K["valeur_stock_permanent"](quantites=P06_Q, couts=P06_C)
    assert value == pytest.approx(3204.95, abs=0.005)


def test_perpetual_cmup_without_exits_is_the_period_cmup() -> None:
    q, c = CMUP_CARD
    assert K["cmup_permanent"](quantites=q, couts=c) == pytest.approx(
        K["cmup_periode"](quantites=q, couts=c)
    )


@pytest.mark.parametrize(
    ("quantites", "couts"),
    [
        ([100, 150], [10.0, None]),  # exit larger than the stock
        ([100], [None]),  # a card cannot open with an exit
    ],
)
def test_perpetual_card_refuses_impossible_exits(
    quantites: list[float], couts: list[float | None]
) -> None:
    with pytest.raises(ValueError, match="exit"):
        s.fiche_cmup_permanent(quantites, couts)


# --- Order flag: stock ≤ point de commande ⇒ order --------------------------------------------


@pytest.mark.parametrize(
    ("stock", "pc", "order"),
    [
        (230, 230, True),  # C21 P03: SF = PC → order (tie rule ≤)
        (30, 70, True),  # C21 P10
        (300, 260, False),  # C21 P01
        (230.0, 1950 / 180 * 12 + 100, True),  # PC computed in floats is still a tie
        (230.001, 230, False),
    ],
)
def test_commande_a_passer(stock: float, pc: float, order: bool) -> None:
    assert K["commande_a_passer"](stock=stock, point_commande=pc) is order


# --- Dashboard: cumulative rates, catch-up, rank, alert ----------------------------------------

OBJ = [52_000, 50_000, 58_000, 60_000, 62_000, 68_000]  # C21 annex 1
REAL = [48_360, 51_250, 55_680, 62_400, 57_040, 70_720]


@pytest.mark.parametrize(
    ("mois", "cumul", "taux"),
    [
        (1, 48_360, 0.9300),
        (2, 99_610, 0.9766),
        (3, 155_290, 0.9706),
        (6, 345_450, 0.9870),
        (None, 345_450, 0.9870),
        (6.0, 345_450, 0.9870),  # a rubric literal arrives as a float
    ],
)
def test_cumulative_figures(mois: float | None, cumul: float, taux: float) -> None:
    assert K["cumul"](valeurs=REAL, mois=mois) == cumul
    got = K["taux_realisation_cumule"](realises=REAL, objectifs=OBJ, mois=mois)
    assert got == pytest.approx(taux, abs=RATE)


@pytest.mark.parametrize("mois", [0, 7, 2.5, -1])
def test_mois_must_be_a_month_of_the_series(mois: float) -> None:
    with pytest.raises(ValueError, match="mois"):
        K["cumul"](valeurs=REAL, mois=mois)


def test_catch_up() -> None:
    assert K["objectif_restant"](objectif_annuel=730_000, objectifs=OBJ) == 380_000
    assert K["ca_a_realiser"](objectif_annuel=730_000, realises=REAL) == 384_550
    got = K["taux_rattrapage"](objectif_annuel=730_000, realises=REAL, objectifs=OBJ)
    assert got == pytest.approx(1.0120, abs=RATE)


@pytest.mark.parametrize(
    ("valeur", "valeurs", "decroissant", "expected"),
    [
        (1.07, [1.07, 0.88, 1.04, 0.9525], True, 1),
        (0.88, [1.07, 0.88, 1.04, 0.9525], True, 4),
        (0.88, [1.07, 0.88, 1.04, 0.9525], False, 1),
        # ties share the best rank, the next one is skipped (RANK.EQ)
        (5, [7, 5, 5, 3], True, 2),
        (3, [7, 5, 5, 3], True, 4),
        (5, [7, 5, 5, 3], False, 2),
        (0.1 + 0.2, [0.3, 0.5], True, 2),  # float noise is not a different value
        (0.3, [0.1 + 0.2, 0.3, 0.5], True, 2),
    ],
)
def test_rang_is_excel_rank_eq(
    valeur: float, valeurs: list[float], decroissant: bool, expected: int
) -> None:
    assert K["rang"](valeur=valeur, valeurs=valeurs, decroissant=decroissant) == expected


def test_rang_of_a_missing_value_is_na() -> None:
    with pytest.raises(ValueError, match="N/A"):
        K["rang"](valeur=2, valeurs=[1, 3])


@pytest.mark.parametrize(
    ("ecart", "seuil", "alert"),
    [
        (-0.07, -0.05, True),
        (-0.05, -0.05, True),  # « inférieur ou égal au seuil »
        ((76_000 - 80_000) / 80_000, -0.05, True),
        (76_000 / 80_000 - 1, -0.05, True),  # −0.050000000000000044: float noise, still a tie
        (-0.0475, -0.05, False),  # C21 Thomas Petit: under objective, not in alert
        (0.04, -0.05, False),
        (-0.02, -0.02, True),
    ],
)
def test_alerte_ecart(ecart: float, seuil: float, alert: bool) -> None:
    assert K["alerte_ecart"](ecart_pct=ecart, seuil=seuil) is alert


def test_alerte_ecart_default_threshold_is_minus_5_pct() -> None:
    assert K["alerte_ecart"](ecart_pct=-0.05) is True
    assert K["alerte_ecart"](ecart_pct=-0.0499) is False


@pytest.mark.parametrize(
    ("realise", "objectif", "below"),
    [(76_200, 80_000, True), (80_000, 80_000, False), (101_650, 95_000, False)],
)
def test_sous_objectif(realise: float, objectif: float, below: bool) -> None:
    assert K["sous_objectif"](realise=realise, objectif=objectif) is below


# --- Typical mistakes: the correct computation never gives the wrong value -------------------


MISTAKES = [
    # §5
    Mistake(
        "stock-moyen-as-sf",
        lambda: K["rotation"](sorties=6000, stock_moyen=500),
        12,
        lambda: K["rotation"](sorties=6000, stock_moyen=600),
        10,
        0.005,
    ),
    Mistake(
        "rotation-ca-over-sm-at-cost",
        lambda: K["rotation"](sorties=90_000, stock_moyen=7_500),
        12,
        lambda: K["rotation"](sorties=150_000, stock_moyen=7_500),
        20,
        0.005,
    ),
    Mistake(
        "duree-as-base-times-rotation",
        lambda: K["duree_stockage"](rotation=12, base=360),
        30,
        lambda: K["duree_stockage_inversee"](rotation=12, base=360),
        4320,
        0.05,
    ),
    Mistake(
        "duree-annual-base-on-semester-data",
        lambda: K["duree_stockage"](rotation=7, base=180),
        25.7,
        lambda: K["duree_stockage"](rotation=7, base=360),
        51.4,
        0.05,
    ),
    Mistake(
        "pc-without-safety-stock",
        lambda: K["point_de_commande"](conso_journaliere=20, delai=7, stock_securite=60),
        200,
        lambda: K["point_de_commande"](conso_journaliere=20, delai=7, stock_securite=0),
        140,
        EXACT,
    ),
    Mistake(
        "rupture-over-served",
        lambda: K["taux_rupture_from_sorties"](non_servies=60, sorties=1140),
        0.05,
        lambda: K["taux_rupture"](non_servies=60, demandes=1140),
        0.0526,
        RATE,
    ),
    Mistake(
        "cmup-simple-mean-of-prices",
        lambda: K["cmup_periode"](quantites=CMUP_CARD[0], couts=CMUP_CARD[1]),
        11.10,
        lambda: K["cmup_moyenne_simple"](quantites=CMUP_CARD[0], couts=CMUP_CARD[1]),
        11.13,
        0.005,
    ),
    Mistake(
        "cmup-simple-mean-C21-P06",
        lambda: K["cmup_periode"](quantites=P06_Q, couts=P06_C),
        5.6636,
        lambda: K["cmup_moyenne_simple"](quantites=P06_Q, couts=P06_C),
        5.70,
        5e-5,
    ),
    # §4.3 cumulative achievement
    Mistake(
        "cumulative-rate-as-mean-of-monthly-rates",
        lambda: K["taux_realisation_cumule"](realises=REAL, objectifs=OBJ),
        0.9870,
        lambda: K["moyenne_taux_realisation_cumule"](realises=REAL, objectifs=OBJ),
        0.9858,
        RATE,
    ),
    Mistake(
        "cumulative-rate-as-mean-of-monthly-rates-at-march",
        lambda: K["taux_realisation_cumule"](realises=REAL, objectifs=OBJ, mois=3),
        0.9706,
        lambda: K["moyenne_taux_realisation_cumule"](realises=REAL, objectifs=OBJ, mois=3),
        0.9717,
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


# --- Errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("rotation", {"sorties": 100, "stock_moyen": 0}),
        ("duree_stockage", {"rotation": 0}),
        ("couverture", {"stock": 10, "conso_journaliere": 0}),
        ("taux_rupture", {"non_servies": 0, "demandes": 0}),
        ("taux_rupture_from_sorties", {"non_servies": 0, "sorties": 0}),
        ("cmup_periode", {"quantites": [], "couts": []}),
        ("cmup_moyenne_simple", {"quantites": [5], "couts": [None]}),
        ("taux_realisation_cumule", {"realises": [], "objectifs": []}),
        ("taux_rattrapage", {"objectif_annuel": 100, "realises": [40], "objectifs": [100]}),
        ("moyenne_taux_realisation_cumule", {"realises": [], "objectifs": []}),
    ],
)
def test_zero_denominator_raises(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ZeroDivisionError):
        K[name](**kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("cmup_periode", {"quantites": [1, 2], "couts": [1.0]}),
        ("cmup_permanent", {"quantites": [1], "couts": [1.0, 2.0]}),
        ("taux_rupture_global", {"non_servies": [1], "sorties": [1, 2]}),
        ("taux_realisation_cumule", {"realises": [1], "objectifs": [1, 2]}),
        ("evolution_cumulee", {"vn": [1, 2], "vn1": [1]}),
    ],
)
def test_mismatched_sequences_raise(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="length"):
        K[name](**kwargs)


@pytest.mark.parametrize("releves", [[], [420]])
def test_average_stock_from_counts_needs_two_counts(releves: list[float]) -> None:
    for name in ("stock_moyen_releves", "stock_moyen_trapeze", "stock_moyen_fins_de_mois"):
        with pytest.raises(ValueError, match="count"):
            K[name](releves=releves)


def test_negative_quantity_on_a_stock_card_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        K["cmup_periode"](quantites=[100, -20], couts=[10.0, None])


# --- Properties ----------------------------------------------------------------------------------

quantities = st.integers(min_value=1, max_value=10_000)
costs = st.floats(min_value=0.01, max_value=1_000, allow_nan=False)


@given(quantities, quantities)
def test_two_counts_give_the_same_average_stock_by_every_method(si: int, sf: int) -> None:
    expected = K["stock_moyen_si_sf"](si=si, sf=sf)
    assert K["stock_moyen_releves"](releves=[si, sf]) == pytest.approx(expected)
    assert K["stock_moyen_trapeze"](releves=[si, sf]) == pytest.approx(expected)


@given(st.lists(st.tuples(quantities, costs), min_size=1, max_size=8))
def test_cmup_lies_between_the_extreme_costs(lots: list[tuple[int, float]]) -> None:
    q = [n for n, _ in lots]
    c: list[float | None] = [cost for _, cost in lots]
    cmup = K["cmup_periode"](quantites=q, couts=c)
    known = [cost for _, cost in lots]
    assert min(known) - 1e-9 <= cmup <= max(known) + 1e-9
    assert K["cmup_permanent"](quantites=q, couts=c) == pytest.approx(cmup)


@given(quantities, quantities, st.floats(min_value=1, max_value=360))
def test_rotation_times_duration_is_the_base(sorties: int, sm: int, base: float) -> None:
    rot = K["rotation"](sorties=sorties, stock_moyen=sm)
    assert rot * K["duree_stockage"](rotation=rot, base=base) == pytest.approx(base)


@given(
    st.lists(
        st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)), min_size=1, max_size=12
    ).flatmap(lambda pairs: st.tuples(st.just(pairs), st.integers(1, len(pairs))))
)
def test_cumulative_rate_is_the_ratio_of_totals(args: tuple[list[tuple[int, int]], int]) -> None:
    pairs, mois = args
    realises = [r for r, _ in pairs]
    objectifs = [o for _, o in pairs]
    got = K["taux_realisation_cumule"](realises=realises, objectifs=objectifs, mois=mois)
    ratio = K["ratio_des_totaux"](numerateurs=realises[:mois], denominateurs=objectifs[:mois])
    assert got == pytest.approx(ratio)
    ecart = K["ecart_pct_cumule"](realises=realises, objectifs=objectifs, mois=mois)
    assert ecart == pytest.approx(got - 1, abs=1e-12)


@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=20))
def test_ranks_are_excel_ranks(values: list[int]) -> None:
    ranks = [K["rang"](valeur=v, valeurs=values) for v in values]
    ascending = [K["rang"](valeur=v, valeurs=values, decroissant=False) for v in values]
    assert min(ranks) == 1
    assert min(ascending) == 1
    for v, r, a in zip(values, ranks, ascending, strict=True):
        assert r == 1 + sum(1 for w in values if w > v)
        assert r + a + values.count(v) - 2 == len(values)
    if len(set(values)) == len(values):
        assert sorted(ranks) == list(range(1, len(values) + 1))
