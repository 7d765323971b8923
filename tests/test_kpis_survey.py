"""Unit tests of the survey KPIs (C16, DOMAIN §6): registry, §11 vectors, the §6.2/§6.4
worked examples, the typical mistakes and the wrong values they give, Excel criteria, complaint
delays, the IPA quadrant with its tie rule and synonyms, and hypothesis properties."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autocorrect.grading.labels import best_score, words
from autocorrect.reference.kpis import KPIS
from autocorrect.reference.kpis import survey as s
from tests.mistakes import Mistake

K: dict[str, Callable[..., Any]] = KPIS  # every vector goes through the registry, by keyword

# --- Registry ---------------------------------------------------------------------------------

REQUIRED_SIGNATURES: dict[str, tuple[str, ...]] = {
    "moyenne": ("valeurs",),
    "moyenne_ponderee": ("valeurs", "poids"),
    "moyenne_generale": ("moyennes",),
    "mediane": ("valeurs",),
    "nombre": ("valeurs",),
    "ecart_type_echantillon": ("valeurs",),
    "ecart_type_population": ("valeurs",),
    "correlation": ("x", "y"),
    "part_satisfaits": ("notes", "seuil"),
    "csat": ("notes",),
    "ecart_satisfaction_attente": ("satisfaction", "attente"),
    "taux_de_reponse": ("repondants", "sollicites"),
    "taux_de_reponse_from_reponses": ("reponses", "sollicites"),
    "part_promoteurs": ("notes",),
    "part_detracteurs": ("notes",),
    "part_passifs": ("notes",),
    "nps": ("notes",),
    "nombre_si": ("valeurs", "critere"),
    "somme_si": ("valeurs", "criteres", "critere"),
    "moyenne_par_segment": ("valeurs", "segments", "segment"),
    "nps_par_segment": ("notes", "segments", "segment"),
    "delai_jours": ("debut", "fin"),
    "delai_moyen": ("debuts", "fins"),
    "part_traitee_sous": ("delais", "jours"),
    "quadrant_ipa": ("attente", "satisfaction", "cut_attente", "cut_satisfaction"),
    # typical mistakes
    "nps_sans_passifs": ("notes",),
    "nps_promoteurs_des_7": ("notes",),
    "nps_passifs_detracteurs": ("notes",),
    "delai_jours_inclusif": ("debut", "fin"),
    "delai_moyen_inclusif": ("debuts", "fins"),
    "nuage_points": ("x", "y"),
}


@pytest.mark.parametrize("name", sorted(REQUIRED_SIGNATURES))
def test_survey_kpi_is_registered_with_its_keyword_names(name: str) -> None:
    params = inspect.signature(KPIS[name]).parameters
    assert tuple(params) == REQUIRED_SIGNATURES[name]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())
    assert KPIS[name].__module__ == s.__name__


def test_every_survey_kpi_is_listed() -> None:
    registered = {n for n, f in KPIS.items() if f.__module__ == s.__name__}
    assert registered == set(REQUIRED_SIGNATURES)


@pytest.mark.parametrize("helper", ["serial_excel", "critere_excel", "QUADRANT_SYNONYMS"])
def test_survey_helpers_are_not_registered(helper: str) -> None:
    assert hasattr(s, helper)
    assert helper not in KPIS


# --- Vectors: DOMAIN §11 and the worked examples of §6 -----------------------------------------

EXACT = 1e-9
RATE = 5e-5 + 1e-12  # a rate printed as 12.34 %
SAMPLE = [5, 4, 4, 3, 5, 2, 4, 4, 3, 5]  # §6.2: 10 satisfaction answers on 1–5
LEVELS = [1, 2, 3, 4, 5]
COUNTS = [0, 1, 2, 4, 3]  # §6.2 distribution of SAMPLE
# §6.4: three 10s, five 9s, four 8s, three 7s, two 6s, two 5s, one 3
RECO = [10] * 3 + [9] * 5 + [8] * 4 + [7] * 3 + [6] * 2 + [5] * 2 + [3]

VECTORS: list[Any] = [
    pytest.param("moyenne", {"valeurs": SAMPLE}, 3.9, EXACT, id="moyenne"),
    pytest.param("part_satisfaits", {"notes": SAMPLE, "seuil": 4}, 0.7, EXACT, id="top_box"),
    pytest.param("part_satisfaits", {"notes": SAMPLE}, 0.7, EXACT, id="top_box-default-4"),
    pytest.param("csat", {"notes": SAMPLE}, 0.7, EXACT, id="csat"),
    pytest.param("ecart_type_echantillon", {"valeurs": SAMPLE}, 0.9944, 5e-5, id="stdev.s"),
    pytest.param("ecart_type_population", {"valeurs": SAMPLE}, 0.9434, 5e-5, id="stdev.p"),
    pytest.param(
        "ecart_satisfaction_attente", {"satisfaction": 3.9, "attente": 4.5}, -0.6, EXACT, id="gap"
    ),
    pytest.param("nps", {"notes": RECO}, 15, EXACT, id="nps"),
    pytest.param("part_promoteurs", {"notes": RECO}, 8 / 20, EXACT, id="promoteurs"),
    pytest.param("part_passifs", {"notes": RECO}, 7 / 20, EXACT, id="passifs"),
    pytest.param("part_detracteurs", {"notes": RECO}, 5 / 20, EXACT, id="detracteurs"),
    pytest.param(
        "moyenne_ponderee", {"valeurs": LEVELS, "poids": COUNTS}, 3.9, EXACT, id="sumproduct"
    ),
    pytest.param("moyenne_generale", {"moyennes": [4.2, 4.7, 4.4]}, 4.4333, 5e-5, id="grand"),
    pytest.param("mediane", {"valeurs": [3, 1, 2]}, 2, EXACT, id="mediane-odd"),
    pytest.param("mediane", {"valeurs": [4, 1, 3, 2]}, 2.5, EXACT, id="mediane-even"),
    pytest.param("nombre", {"valeurs": SAMPLE}, 10, EXACT, id="nombre"),
    pytest.param("taux_de_reponse", {"repondants": 20, "sollicites": 64}, 0.3125, EXACT, id="tr"),
    pytest.param(
        "taux_de_reponse_from_reponses",
        {"reponses": [3] * 20, "sollicites": 64},
        0.3125,
        EXACT,
        id="tr-plage",
    ),
    pytest.param("correlation", {"x": [1, 2, 3], "y": [2, 4, 6]}, 1, EXACT, id="r=1"),
    pytest.param("correlation", {"x": [1, 2, 3], "y": [3, 1, 2]}, -0.5, EXACT, id="r=-0.5"),
    pytest.param("part_traitee_sous", {"delais": [2, 5, 6, 1]}, 0.75, EXACT, id="<=5j"),
    pytest.param("part_traitee_sous", {"delais": [2, 5, 6, 1], "jours": 2}, 0.5, EXACT, id="<=2j"),
]


@pytest.mark.parametrize(("name", "kwargs", "expected", "tol"), VECTORS)
def test_vector(name: str, kwargs: dict[str, Any], expected: float, tol: float) -> None:
    assert K[name](**kwargs) == pytest.approx(expected, abs=tol)


@pytest.mark.parametrize(("level", "count"), list(zip(LEVELS, COUNTS, strict=True)))
def test_distribution_with_nombre_si(level: int, count: int) -> None:
    """§6.2 tri à plat 0 / 1 / 2 / 4 / 3 with NB.SI(plage; niveau)."""
    assert K["nombre_si"](valeurs=SAMPLE, critere=level) == count


def test_quadrant_vectors() -> None:
    """§11: C4 of C16 is « Concentrate here » with grand-mean cuts, « Keep up » with (3; 3)."""
    kw = {"attente": 4.30, "satisfaction": 3.25}
    got = K["quadrant_ipa"](**kw, cut_attente=3.9143, cut_satisfaction=3.6071)
    assert got == "Priorité d'amélioration"
    assert "Concentrate here" in s.QUADRANT_SYNONYMS[got]
    got = K["quadrant_ipa"](**kw, cut_attente=3, cut_satisfaction=3)
    assert got == "Point fort"
    assert "Keep up the good work" in s.QUADRANT_SYNONYMS[got]


@pytest.mark.parametrize(
    ("attente", "satisfaction", "label"),
    [
        (4.5, 3.0, "Priorité d'amélioration"),
        (4.5, 4.5, "Point fort"),
        (3.0, 4.5, "Surqualité"),
        (3.0, 3.0, "Faible priorité"),
        # ties: « forte » = strictly above the cut, so a point on a line is on the low side
        (4.0, 3.0, "Faible priorité"),
        (4.0, 4.0, "Faible priorité"),
        (4.0, 4.5, "Surqualité"),
        (4.5, 4.0, "Priorité d'amélioration"),
        (4.0 + 1e-12, 4.0 - 1e-12, "Faible priorité"),  # float noise is not "higher"
    ],
)
def test_quadrant_ipa_and_its_tie_rule(attente: float, satisfaction: float, label: str) -> None:
    kw = {"cut_attente": 4.0, "cut_satisfaction": 4.0}
    assert K["quadrant_ipa"](attente=attente, satisfaction=satisfaction, **kw) == label


def test_quadrant_synonyms_cover_domain_names() -> None:
    syn = s.QUADRANT_SYNONYMS
    assert set(syn) == {s.PRIORITE, s.POINT_FORT, s.SURQUALITE, s.FAIBLE_PRIORITE}
    assert all(names[0] == canonical for canonical, names in syn.items())
    domain = {
        s.PRIORITE: ["Priorités d'amélioration", "Améliorer en priorité", "Zone de progrès"],
        s.POINT_FORT: ["Points forts à maintenir", "Valoriser", "Points forts"],
        s.SURQUALITE: ["Surqualité", "Maintenir", "Possible overkill"],
        s.FAIBLE_PRIORITE: ["Faible priorité", "À surveiller", "Zone neutre", "Low priority"],
    }
    for canonical, names in domain.items():
        assert set(names) <= set(syn[canonical])
    assert "À améliorer en priorité" in syn[s.PRIORITE]
    assert "Concentrate here" in syn[s.PRIORITE]
    assert "Keep up the good work" in syn[s.POINT_FORT]


def test_quadrant_synonyms_are_unambiguous_after_normalisation() -> None:
    """No normalised synonym names two quadrants, and every synonym (read as a candidate's
    label) scores best for its own quadrant: « Points forts à maintenir » is a point fort
    although « Maintenir » alone is surqualité."""
    normalised = {q: {words(n) for n in names} for q, names in s.QUADRANT_SYNONYMS.items()}
    quadrants = list(normalised)
    for i, q in enumerate(quadrants):
        for other in quadrants[i + 1 :]:
            assert not normalised[q] & normalised[other], (q, other)
    for q, names in s.QUADRANT_SYNONYMS.items():
        for label in names:
            scores = {o: best_score(label, syn) for o, syn in s.QUADRANT_SYNONYMS.items()}
            assert max(scores, key=lambda o: scores[o]) == q, label
            assert sorted(scores.values())[-2] < scores[q], label


# --- Excel criteria (NB.SI / SOMME.SI / MOYENNE.SI) --------------------------------------------

MOTIFS = ["Intervention tardive", "Erreur de facturation", "intervention TARDIVE", "Panne"]


@pytest.mark.parametrize(
    ("valeurs", "critere", "expected"),
    [
        (SAMPLE, ">=4", 7),
        (SAMPLE, ">4", 3),
        (SAMPLE, "<=3", 3),
        (SAMPLE, "<3", 1),
        (SAMPLE, "<>4", 6),
        (SAMPLE, "=4", 4),
        (SAMPLE, "4", 4),
        (SAMPLE, 4, 4),
        (SAMPLE, 4.0, 4),
        ([1.5, 2.5, 2.5], "2,5", 2),  # French decimal comma
        (MOTIFS, "Intervention tardive", 2),  # case-insensitive, like Excel
        (MOTIFS, "<>Intervention tardive", 2),
        (MOTIFS, "Erreur*", 1),
        (MOTIFS, "Pann?", 1),
        (MOTIFS, "Pan", 0),  # whole-cell match, not substring
        (MOTIFS, "*", 4),
        (["a*b", "axb"], "a~*b", 1),  # ~ escapes a wildcard
        (MOTIFS, ">J", 1),  # text comparison: only "Panne" sorts after "J"
        ([1, "1", 2], 1, 1),  # a number never matches a text cell
        ([1, "x", 2], "<>1", 2),  # … except through <>
        ([1, "x", 2], ">=1", 2),
        (["inf", "Inf", "nan"], "INF", 2),  # not numbers: texts, as in Excel
    ],
)
def test_nombre_si_follows_excel_criteria(
    valeurs: list[Any], critere: float | str, expected: int
) -> None:
    assert K["nombre_si"](valeurs=valeurs, critere=critere) == expected


def test_somme_si_and_moyenne_par_segment() -> None:
    ca = [100.0, 200.0, 300.0, 400.0]
    segments = ["PME", "Grand compte", "pme", "Profession libérale"]
    assert K["somme_si"](valeurs=ca, criteres=segments, critere="PME") == 400
    assert K["moyenne_par_segment"](valeurs=ca, segments=segments, segment="PME") == 200
    reco = [9.0, 3.0, 10.0, 7.0]
    assert K["somme_si"](valeurs=ca, criteres=reco, critere="<=6") == 200
    assert K["nps_par_segment"](notes=reco, segments=segments, segment="PME") == 100


def test_segment_with_no_member_raises_zero_division() -> None:
    """MOYENNE.SI over no cell is #DIV/0! in Excel."""
    with pytest.raises(ZeroDivisionError):
        K["moyenne_par_segment"](valeurs=[1.0], segments=["PME"], segment="ETI")


# --- Complaint delays ----------------------------------------------------------------------------

RECUE = dt.datetime(2025, 1, 8)
CLOSE = dt.datetime(2025, 1, 10)


@pytest.mark.parametrize(
    ("debut", "fin", "expected"),
    [
        (RECUE, CLOSE, 2),
        (RECUE.date(), CLOSE.date(), 2),
        (45665, 45667, 2),  # Excel serial numbers of 08/01/2025 and 10/01/2025
        (45665.0, CLOSE, 2),  # a serial and a datetime mix
        (RECUE, CLOSE.date(), 2),
        (dt.datetime(2025, 2, 17), dt.datetime(2025, 3, 4), 15),  # across a month end
        (dt.datetime(2025, 6, 24), dt.datetime(2025, 7, 8), 14),
        (dt.datetime(2024, 2, 28), dt.datetime(2024, 3, 1), 2),  # leap year
        (dt.datetime(2025, 1, 8, 12), CLOSE, 1.5),  # a time of day is kept
    ],
)
def test_delai_jours(debut: Any, fin: Any, expected: float) -> None:
    assert K["delai_jours"](debut=debut, fin=fin) == pytest.approx(expected, abs=EXACT)


def test_serial_excel_matches_excel() -> None:
    assert s.serial_excel(dt.date(2025, 1, 8)) == 45665
    assert s.serial_excel(dt.datetime(1900, 3, 1)) == 61
    with pytest.raises(TypeError):
        s.serial_excel(True)


def test_delai_moyen_and_inclusive_mistake() -> None:
    debuts = [RECUE, dt.datetime(2025, 2, 17)]
    fins = [CLOSE, dt.datetime(2025, 3, 4)]
    assert K["delai_moyen"](debuts=debuts, fins=fins) == 8.5
    assert K["delai_moyen_inclusif"](debuts=debuts, fins=fins) == 9.5
    assert K["delai_jours_inclusif"](debut=RECUE, fin=CLOSE) == 3


# --- Typical mistakes: the correct computation never gives the wrong value -------------------


MISTAKES = [
    # §6.2
    Mistake(
        "mean-of-frequency-column",
        lambda: K["moyenne"](valeurs=SAMPLE),
        3.90,
        lambda: K["moyenne"](valeurs=COUNTS),
        2.00,
        0.005,
    ),
    Mistake(
        "mean-from-table-over-levels",
        lambda: K["moyenne_ponderee"](valeurs=LEVELS, poids=COUNTS),
        3.90,
        lambda: K["somme"](values=[lv * n for lv, n in zip(LEVELS, COUNTS, strict=True)]) / 5,
        7.80,
        0.005,
    ),
    Mistake(
        "top-box-over-5-levels",
        lambda: K["part_satisfaits"](notes=SAMPLE),
        0.70,
        lambda: K["nombre_si"](valeurs=SAMPLE, critere=">=4") / 5,
        1.40,
        RATE,
    ),
    Mistake(
        "note-3-counted-as-satisfied",
        lambda: K["part_satisfaits"](notes=SAMPLE),
        0.70,
        lambda: K["part_satisfaits"](notes=SAMPLE, seuil=3),
        0.90,
        RATE,
    ),
    Mistake(
        "gap-sign-inverted",
        lambda: K["ecart_satisfaction_attente"](satisfaction=3.9, attente=4.5),
        -0.60,
        lambda: K["ecart_satisfaction_attente"](satisfaction=4.5, attente=3.9),
        0.60,
        0.005,
    ),
    # §6.4
    Mistake(
        "nps-without-passives",
        lambda: K["nps"](notes=RECO),
        15,
        lambda: K["nps_sans_passifs"](notes=RECO),
        23.08,
        0.005,
    ),
    Mistake(
        "nps-promoters-from-7",
        lambda: K["nps"](notes=RECO),
        15,
        lambda: K["nps_promoteurs_des_7"](notes=RECO),
        50,
        0.005,
    ),
    Mistake(
        "nps-passives-as-detractors",
        lambda: K["nps"](notes=RECO),
        15,
        lambda: K["nps_passifs_detracteurs"](notes=RECO),
        -20,
        0.005,
    ),
    Mistake(
        "nps-as-mean-score",
        lambda: K["nps"](notes=RECO),
        15,
        lambda: K["moyenne"](valeurs=RECO),
        7.65,
        0.005,
    ),
    Mistake(
        "csat-as-mean",
        lambda: K["csat"](notes=SAMPLE),
        0.70,
        lambda: K["moyenne"](valeurs=SAMPLE),
        3.90,
        0.005,
    ),
    # complaint delays counted inclusively
    Mistake(
        "delay-inclusive",
        lambda: K["delai_jours"](debut=RECUE, fin=CLOSE),
        2,
        lambda: K["delai_jours_inclusif"](debut=RECUE, fin=CLOSE),
        3,
        EXACT,
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
        ("moyenne", {"valeurs": []}),
        ("moyenne_generale", {"moyennes": []}),
        ("mediane", {"valeurs": []}),
        ("part_satisfaits", {"notes": []}),
        ("csat", {"notes": []}),
        ("nps", {"notes": []}),
        ("part_passifs", {"notes": []}),
        ("ecart_type_echantillon", {"valeurs": [4.0]}),
        ("ecart_type_population", {"valeurs": []}),
        ("taux_de_reponse", {"repondants": 20, "sollicites": 0}),
        ("correlation", {"x": [1, 2, 3], "y": [2, 2, 2]}),
        ("moyenne_ponderee", {"valeurs": [1, 2], "poids": [0, 0]}),
        ("part_traitee_sous", {"delais": []}),
        ("delai_moyen", {"debuts": [], "fins": []}),
        ("nps_sans_passifs", {"notes": [7, 8]}),
    ],
)
def test_zero_denominator_raises(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ZeroDivisionError):
        K[name](**kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("moyenne_ponderee", {"valeurs": [1, 2], "poids": [1]}),
        ("correlation", {"x": [1, 2], "y": [1, 2, 3]}),
        ("somme_si", {"valeurs": [1.0], "criteres": [], "critere": 1}),
        ("moyenne_par_segment", {"valeurs": [1.0, 2.0], "segments": ["A"], "segment": "A"}),
        ("delai_moyen", {"debuts": [RECUE], "fins": []}),
    ],
)
def test_mismatched_sequences_raise(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="length"):
        K[name](**kwargs)


@pytest.mark.parametrize("notes", [[11], [-1], [4, 48_000]])
def test_nps_refuses_notes_outside_0_10(notes: list[float]) -> None:
    """A rubric pointing the NPS at the wrong column (CA, 1–5 scale is fine) fails loudly."""
    with pytest.raises(ValueError, match="between 0 and 10"):
        K["nps"](notes=notes)


# --- Properties ----------------------------------------------------------------------------------

reco_notes = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60)
ratings = st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=60)


@given(reco_notes)
def test_nps_parts_and_bounds(notes: list[int]) -> None:
    promoteurs = K["part_promoteurs"](notes=notes)
    passifs = K["part_passifs"](notes=notes)
    detracteurs = K["part_detracteurs"](notes=notes)
    assert promoteurs + passifs + detracteurs == pytest.approx(1)
    score = K["nps"](notes=notes)
    assert -100 - 1e-9 <= score <= 100 + 1e-9
    assert score == pytest.approx((promoteurs - detracteurs) * 100)
    assert K["nps_promoteurs_des_7"](notes=notes) >= score - 1e-9
    assert K["nps_passifs_detracteurs"](notes=notes) <= score + 1e-9


@given(ratings)
def test_standard_deviations(notes: list[int]) -> None:
    sample = K["ecart_type_echantillon"](valeurs=notes)
    population = K["ecart_type_population"](valeurs=notes)
    assert population <= sample + 1e-12
    n = len(notes)
    assert population**2 * n == pytest.approx(sample**2 * (n - 1), abs=1e-9)
    assert K["part_satisfaits"](notes=notes, seuil=3) >= K["part_satisfaits"](notes=notes)


@given(
    st.lists(st.lists(st.integers(1, 5), min_size=20, max_size=20), min_size=1, max_size=7),
)
def test_grand_mean_equals_mean_of_all_cells_without_missing_answers(
    columns: list[list[int]],
) -> None:
    means = [K["moyenne"](valeurs=c) for c in columns]
    cells = [x for c in columns for x in c]
    assert K["moyenne_generale"](moyennes=means) == pytest.approx(K["moyenne"](valeurs=cells))


@given(
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_delai_is_the_same_for_dates_datetimes_and_serials(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    as_datetime = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
    as_serial = s.serial_excel(start), s.serial_excel(end)
    for debut, fin in [(start, end), as_datetime, as_serial]:
        assert K["delai_jours"](debut=debut, fin=fin) == days


@given(
    st.floats(min_value=1, max_value=5),
    st.floats(min_value=1, max_value=5),
    st.floats(min_value=1, max_value=5),
    st.floats(min_value=1, max_value=5),
)
def test_quadrant_is_one_of_the_four_and_monotonic(
    attente: float, satisfaction: float, cut_a: float, cut_s: float
) -> None:
    label = K["quadrant_ipa"](
        attente=attente, satisfaction=satisfaction, cut_attente=cut_a, cut_satisfaction=cut_s
    )
    assert label in s.QUADRANT_SYNONYMS
    important = label in (s.PRIORITE, s.POINT_FORT)
    satisfied = label in (s.POINT_FORT, s.SURQUALITE)
    assert important == (attente > cut_a + 1e-8) or abs(attente - cut_a) <= 1e-8
    assert satisfied == (satisfaction > cut_s + 1e-8) or abs(satisfaction - cut_s) <= 1e-8
