"""Label matching and value reading: the French conventions candidates use."""

from __future__ import annotations

import datetime as dt

import pytest

from autocorrect.grading import labels
from autocorrect.grading.readings import (
    Reading,
    agrees,
    parse_date_text,
    parse_number_text,
    readings,
)
from autocorrect.reference.kpis import DayMonth
from autocorrect.rubric.model import Tolerance


@pytest.mark.parametrize(
    ("label", "synonym", "expected"),
    [
        ("Tx de marque (%)", "taux de marque", 1.0),
        ("TAUX DE MARQUE", "taux de marque", 1.0),
        ("Taux de marge sur coût variable", "taux de marge", 0.4),
        ("Taux de marge sur coûts variables", "taux de marge sur coût variable", 1.0),
        ("Marge/PV", "marge / pv", 1.0),
        ("Coef. multiplicateur", "coefficient multiplicateur", 1.0),
        ("Prix de vente HT", "prix de vente ttc", 0.0),
        ("Point mort (jours)", "point mort en jours", 1.0),
    ],
)
def test_label_scores(label: str, synonym: str, expected: float) -> None:
    assert labels.score(label, synonym) == pytest.approx(expected)


def test_long_sentences_are_not_labels() -> None:
    sentence = (
        "Calculez le taux de marque de chaque produit puis commentez les résultats obtenus ici"
    )
    assert labels.score(sentence, "taux de marque") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("33,33 %", (0.3333, True)),
        ("291 484,41 €", (291484.41, False)),
        ("291\u202f484,41\u00a0€", (291484.41, False)),
        ("−2,90 %", (-0.029, True)),
        ("1 066,67%", (10.6667, True)),
        ("trois", None),
        ("1er novembre", None),
    ],
)
def test_french_number_text(text: str, expected: tuple[float, bool] | None) -> None:
    parsed = parse_number_text(text)
    if expected is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert parsed[0] == pytest.approx(expected[0])
        assert parsed[1] is expected[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1er novembre", DayMonth(1, 11)),
        ("1 novembre 2025", DayMonth(1, 11)),
        ("7 nov.", DayMonth(7, 11)),
        ("01/11", DayMonth(1, 11)),
        ("01/11/2025", DayMonth(1, 11)),
        ("Le premier", None),
        ("45/11", None),
    ],
)
def test_french_date_text(text: str, expected: DayMonth | None) -> None:
    assert parse_date_text(text) == expected


def test_rate_readings_accept_fraction_and_times_100() -> None:
    tol = Tolerance(5e-5, 0)
    plain = readings(0.3756, "percent", is_percent_format=True, percent_label=False)
    assert [r.value for r in plain] == [0.3756]
    times_100 = readings(37.56, "percent", is_percent_format=False, percent_label=True)
    agreeing = [r for r in times_100 if agrees(0.375626, r, tol)]
    assert agreeing
    assert "×100" in agreeing[0].how


def test_coefficient_is_never_divided_by_100() -> None:
    assert [r.value for r in readings(180.0, "coefficient", False, True)] == [180.0]


def test_dates_compare_by_day_and_month_within_tolerance() -> None:
    tol = Tolerance(1.0, 0)
    found = readings(dt.datetime(2024, 11, 2), "date", False, False)
    assert agrees(DayMonth(1, 11), found[0], tol)
    assert not agrees(DayMonth(1, 11), Reading(DayMonth(3, 11)), tol)


def test_money_tolerance_is_relative_plus_absolute() -> None:
    tol = Tolerance(0.01, 1e-6)
    assert tol.accepts(291484.4054, 291484.41)
    assert not tol.accepts(291484.4054, 291508.24)
