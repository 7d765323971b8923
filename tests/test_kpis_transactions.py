"""KPIs over a transaction-level export (order lines, leads): conditional sums and counts,
weighted and per-order averages, distinct counts, shares, rates over the decided rows, ranks,
and the break-even date with closed months. Every value below is worked out by hand on the
small export in the comments (literals as cross-checks); each typical mistake gives its own
wrong value, so a rubric's `mistakes:` can name it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autocorrect.reference.kpis import KPIS, DayMonth
from tests.mistakes import Mistake

K: dict[str, Callable[..., Any]] = KPIS

# Order lines: commande, commercial, produit, quantité, prix unitaire, montant (= qté × PU)
LINES = [
    ("C001", "Alice", "A01", 2, 10.0, 20.0),
    ("C001", "Alice", "B02", 1, 50.0, 50.0),
    ("C002", "Bruno", "A01", 5, 9.0, 45.0),
    ("C003", "Alice", "A01", 1, 10.0, 10.0),
    ("C003", "Alice", "B02", 2, 48.0, 96.0),
    ("C004", "Chloé", "B02", 3, 50.0, 150.0),
    ("C005", "Bruno", "A02", 4, 20.0, 80.0),
]
ORDERS, REPS, PRODUCTS, QTY, PRICE, AMOUNT = (list(c) for c in zip(*LINES, strict=True))
# Leads: statut, source
LEADS = [
    ("Gagné", "Salon"), ("Perdu", "Web"), ("En cours", "Web"), ("Gagné", "Salon"),
    ("Perdu", "Salon"), ("Gagné", "Web"), ("En cours", "Salon"), ("En cours", "Web"),
]  # fmt: skip
STATUS, SOURCE = (list(c) for c in zip(*LEADS, strict=True))
EUR, RATE = 0.005, 5e-5


def test_conditional_sums_and_counts() -> None:
    alice = K["somme_si_ens"](valeurs=AMOUNT, criteres1=REPS, critere1="Alice")
    assert alice == pytest.approx(20 + 50 + 10 + 96)
    both = K["somme_si_ens"](
        valeurs=AMOUNT, criteres1=REPS, critere1="alice", criteres2=PRODUCTS, critere2="B*"
    )
    assert both == pytest.approx(50 + 96)  # case-insensitive, Excel wildcard
    assert K["somme_si_ens"](valeurs=QTY, criteres1=QTY, critere1=">=3") == 12
    assert K["nombre_si_ens"](criteres1=STATUS, critere1="En cours", criteres2=SOURCE,
                              critere2="Web") == 2  # fmt: skip
    assert K["nombre_si_ens"](criteres1=REPS, critere1="Alice") == 4
    assert K["moyenne_si_ens"](valeurs=AMOUNT, criteres1=REPS, critere1="Alice") == 44


def test_blank_cells_and_bad_shapes() -> None:
    amounts = [*AMOUNT, None, "n.c."]
    reps = [*REPS, "Alice", "Alice"]
    assert K["somme_si_ens"](valeurs=amounts, criteres1=reps, critere1="Alice") == 176
    assert K["nombre_distinct"](valeurs=[*ORDERS, None, ""]) == 5
    with pytest.raises(ValueError, match="rows"):
        K["somme_si_ens"](valeurs=AMOUNT, criteres1=REPS[:-1], critere1="Alice")
    with pytest.raises(ValueError, match="criterion"):
        K["nombre_si_ens"](criteres1=REPS, critere1="Alice", criteres2=PRODUCTS)
    with pytest.raises(ZeroDivisionError):
        K["moyenne_si_ens"](valeurs=AMOUNT, criteres1=REPS, critere1="Zoé")


def test_distinct_counts_baskets_and_weighted_prices() -> None:
    assert K["nombre_distinct"](valeurs=ORDERS) == 5
    assert K["nombre_distinct"](valeurs=ORDERS, criteres=REPS, critere="Alice") == 2
    assert K["nombre_distinct"](valeurs=["c001 ", "C001", 12, 12.0]) == 2
    assert K["panier_moyen_commandes"](montants=AMOUNT, commandes=ORDERS) == pytest.approx(451 / 5)
    price = K["prix_moyen_pondere"](montants=AMOUNT, quantites=QTY, criteres=PRODUCTS,
                                    critere="A01")  # fmt: skip
    assert price == pytest.approx(75 / 8)
    same = K["moyenne_ponderee_si"](valeurs=PRICE, poids=QTY, criteres=PRODUCTS, critere="A01")
    assert same == pytest.approx(price)


def test_shares_of_a_category_sum_to_one() -> None:
    by_amount = [K["part_categorie"](categories=PRODUCTS, categorie=p, valeurs=AMOUNT)
                 for p in ("A01", "A02", "B02")]  # fmt: skip
    assert sum(by_amount) == pytest.approx(1)
    assert by_amount[2] == pytest.approx(296 / 451)
    assert K["part_categorie"](categories=PRODUCTS, categorie="B02") == pytest.approx(3 / 7)


def test_rate_over_the_decided_rows() -> None:
    assert K["taux_sur_sous_ensemble"](statuts=STATUS, succes="Gagné", echec="Perdu") == 0.6
    salon = K["taux_sur_sous_ensemble"](
        statuts=STATUS, succes="gagn*", echec="Perdu", criteres=SOURCE, critere="Salon"
    )
    assert salon == pytest.approx(2 / 3)
    with pytest.raises(ZeroDivisionError):
        K["taux_sur_sous_ensemble"](statuts=["En cours"], succes="Gagné", echec="Perdu")


def test_rank_of_a_rep_from_conditional_sums() -> None:
    totals = [K["somme_si_ens"](valeurs=AMOUNT, criteres1=REPS, critere1=r)
              for r in ("Alice", "Bruno", "Chloé")]  # fmt: skip
    assert [K["rang"](valeur=t, valeurs=totals) for t in totals] == [1, 3, 2]


def test_closed_months_break_even_date_from_a_rubric() -> None:
    # DOMAIN §3.4: SR/CA = 0.75, closed in August: 0.75 × 11 = 8.25 months → 8 octobre
    assert K["date_avec_mois_fermes"](mois=8.25, fermes=(8.0,)) == DayMonth(8, 10)
    assert K["point_mort_date_mois_fermes"](sr=375_000, ca=500_000, fermes=(8.0,)) == DayMonth(
        8, 10
    )
    assert K["date_commerciale_360"](jours=270) == DayMonth(30, 9)
    with pytest.raises(ValueError, match="closed months"):
        K["date_avec_mois_fermes"](mois=3, fermes=(8.5,))


MISTAKES = [
    Mistake(
        "panier-moyen-per-line-not-per-order",
        lambda: K["panier_moyen_commandes"](
            montants=AMOUNT, commandes=ORDERS, criteres=REPS, critere="Alice"
        ),
        88.0,
        lambda: K["moyenne_si_ens"](valeurs=AMOUNT, criteres1=REPS, critere1="Alice"),
        44.0,
        EUR,
    ),
    Mistake(
        "orders-counted-as-lines",
        lambda: K["nombre_distinct"](valeurs=ORDERS),
        5,
        lambda: K["nombre_si_ens"](criteres1=ORDERS, critere1="C*"),
        7,
        0,
    ),
    Mistake(
        "plain-mean-of-prices",
        lambda: K["prix_moyen_pondere"](
            montants=AMOUNT, quantites=QTY, criteres=PRODUCTS, critere="A01"
        ),
        9.375,
        lambda: K["moyenne_si_ens"](valeurs=PRICE, criteres1=PRODUCTS, critere1="A01"),
        9.6667,
        EUR,
    ),
    Mistake(
        "won-over-all-leads",
        lambda: K["taux_sur_sous_ensemble"](statuts=STATUS, succes="Gagné", echec="Perdu"),
        0.6,
        lambda: K["taux_sur_ensemble"](statuts=STATUS, succes="Gagné"),
        0.375,
        RATE,
    ),
    Mistake(
        "closed-month-ignored",
        lambda: K["point_mort_date_mois_fermes"](sr=375_000, ca=500_000, fermes=(8.0,)),
        DayMonth(8, 10),
        lambda: K["point_mort_date"](sr=375_000, ca=500_000),
        DayMonth(30, 9),
        0,
    ),
    Mistake(
        "closed-month-times-12",
        lambda: K["point_mort_date_mois_fermes"](sr=375_000, ca=500_000, fermes=(8.0,)),
        DayMonth(8, 10),
        lambda: K["point_mort_douze_mois_fermes"](sr=375_000, ca=500_000, fermes=(8.0,)),
        DayMonth(30, 10),
        0,
    ),
]


@pytest.mark.parametrize("case", MISTAKES, ids=lambda m: m.id)
def test_typical_mistakes_give_their_own_value(case: Mistake) -> None:
    right, wrong = case.correct(), case.mistaken()
    if isinstance(case.expected, DayMonth):
        assert (right, wrong) == (case.expected, case.wrong)
        return
    assert right == pytest.approx(case.expected, abs=case.tol)
    assert wrong == pytest.approx(case.wrong, abs=case.tol)
    assert abs(right - wrong) > case.tol
