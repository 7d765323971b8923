"""Property tests of the KPI library (hypothesis): identities the formulas must satisfy."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autocorrect.reference.kpis import DayMonth
from autocorrect.reference.kpis import activity as a
from autocorrect.reference.kpis import commerce as c
from autocorrect.reference.kpis import costs as k
from autocorrect.reference.kpis.dates import date_commerciale_360

rates = st.floats(min_value=0.0, max_value=0.95, allow_nan=False)
prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
amounts = st.floats(min_value=1.0, max_value=1e7, allow_nan=False)


@given(rates)
def test_marque_marge_round_trip(t: float) -> None:
    assert c.marge_to_marque(taux=c.marque_to_marge(taux=t)) == pytest.approx(t, abs=1e-12)
    assert c.marque_to_marge(taux=c.marge_to_marque(taux=t)) == pytest.approx(t, abs=1e-12)


@given(prices, prices)
def test_taux_de_marque_below_taux_de_marge(pv: float, pa: float) -> None:
    assume(abs(pv - pa) > 1e-6 * max(pv, pa))
    assert c.taux_de_marque(pv=pv, pa=pa) < c.taux_de_marge(pv=pv, pa=pa)


@given(prices, st.floats(min_value=1.0, max_value=20.0))
def test_conversion_formula_matches_direct_rates(pa: float, coef: float) -> None:
    """Selling at a loss is left out: near Tmarge = −1 the conversion is ill-conditioned."""
    pv = pa * coef
    assert c.marge_to_marque(taux=c.taux_de_marge(pv=pv, pa=pa)) == pytest.approx(
        c.taux_de_marque(pv=pv, pa=pa), rel=1e-9, abs=1e-12
    )


@given(prices, rates)
def test_pricing_from_taux_de_marque_gives_that_taux(pa: float, t: float) -> None:
    pv = c.pv_ht_from_taux_marque(pa=pa, taux_marque=t)
    assert c.taux_de_marque(pv=pv, pa=pa) == pytest.approx(t, abs=1e-9)


@given(amounts, st.lists(st.floats(min_value=0.0, max_value=0.3), min_size=0, max_size=4))
def test_cascade_is_never_below_added_rates(brut: float, remises: list[float]) -> None:
    cascade = c.net_commercial(brut=brut, remises=remises)
    added = c.montant_remises_additionnees(brut=brut, remises=remises)
    assert cascade >= added - 1e-9 * brut
    assert c.taux_global_equivalent(remises=remises) <= math.fsum(remises) + 1e-12
    assert cascade == pytest.approx(brut * (1 - c.taux_global_equivalent(remises=remises)))


@given(
    st.lists(st.floats(min_value=0.01, max_value=0.5), min_size=2, max_size=4).filter(
        lambda rs: sum(r > 0 for r in rs) >= 2
    )
)
def test_cascade_strictly_above_added_rates_with_two_discounts(remises: list[float]) -> None:
    assert c.net_commercial(brut=1000, remises=remises) > c.montant_remises_additionnees(
        brut=1000, remises=remises
    )


@given(amounts, st.floats(min_value=0.05, max_value=0.9), st.floats(min_value=0.0, max_value=1.0))
def test_break_even_identities(ca: float, tmcv: float, share: float) -> None:
    """With CF below the MCV: MS × taux de MCV = résultat and LO = MCV / R = CA / MS = 1 / IS."""
    cv = ca * (1 - tmcv)
    marge = k.mcv(ca=ca, cv=cv)
    cf = marge * share * 0.9
    r = k.resultat(mcv=marge, cf=cf)
    sr = k.seuil_rentabilite(cf=cf, taux_mcv=k.taux_mcv(ca=ca, cv=cv))
    ms = k.marge_securite(ca=ca, sr=sr)
    assert ms * k.taux_mcv(ca=ca, cv=cv) == pytest.approx(r, rel=1e-9, abs=1e-6)
    lo = k.levier_operationnel(mcv=marge, resultat=r)
    assert lo == pytest.approx(1 / k.indice_securite(ms=ms, ca=ca), rel=1e-9)


@given(st.floats(min_value=1_000, max_value=1e6), st.floats(min_value=0.05, max_value=1.0))
def test_uniform_seasonal_point_mort_equals_uniform_point_mort(
    monthly: float, share: float
) -> None:
    ca_mensuels = [monthly] * 12
    sr = 12 * monthly * share
    assert k.point_mort_saisonnier_jours(sr=sr, ca_mensuels=ca_mensuels) == pytest.approx(
        k.point_mort_jours(sr=sr, ca=12 * monthly)
    )


@given(st.integers(min_value=1, max_value=360))
def test_whole_day_counts_map_onto_the_commercial_calendar(n: int) -> None:
    assert date_commerciale_360(n) == DayMonth((n - 1) % 30 + 1, (n - 1) // 30 + 1)


@given(st.floats(min_value=0.001, max_value=359.0))
def test_commercial_dates_are_monotonic(d: float) -> None:
    before, after = date_commerciale_360(d), date_commerciale_360(d + 1)
    assert (after.month, after.day) >= (before.month, before.day)


@given(
    st.floats(min_value=1.0, max_value=1e6),
    st.floats(min_value=-0.5, max_value=1.0),
    st.integers(min_value=1, max_value=10),
)
def test_tcam_compounds_back_to_the_final_value(initial: float, growth: float, n: int) -> None:
    final = initial * (1 + growth)
    t = a.tcam(initial=initial, final=final, n=n)
    assert initial * (1 + t) ** n == pytest.approx(final, rel=1e-9)


@given(st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=10))
def test_parts_sum_to_one(values: list[float]) -> None:
    total = c.somme(values=values)
    assume(total > 0)
    parts = [c.part(valeur=v, total=total) for v in values]
    assert math.fsum(parts) == pytest.approx(1)


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=6))
def test_funnel_stage_rates_multiply_to_the_overall_rate(stages: list[int]) -> None:
    overall = a.taux_transformation(ventes=stages[-1], leads=stages[0])
    assert math.prod(a.funnel_stage_rates(stages)) == pytest.approx(overall)
