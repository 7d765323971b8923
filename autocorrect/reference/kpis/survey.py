"""Satisfaction-survey statistics (C16): means, top-box shares, standard deviations, NPS, CSAT,
Excel-style conditional counts and means, complaint delays, and the attente-satisfaction
(importance-performance, IPA) matrix.

Ratings are plain numbers (1–5 scales, 0–10 recommendation); shares are fractions of 1; the NPS
is a score in points (−100…+100), never a fraction. Nothing is rounded; an empty population
raises ZeroDivisionError.

Longer than most modules: one pure function per survey statistic of C16, each a few lines;
they share the same validation helpers.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from autocorrect.reference.kpis.registry import kpi

SATISFIED_FROM = 4  # top-2-box of a 1–5 scale: 4 and 5 are "satisfait"
PROMOTER_FROM = 9  # NPS: promoters 9–10, passives 7–8, detractors 0–6
DETRACTOR_UP_TO = 6
NPS_SCALE = (0.0, 10.0)
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0 of the 1900 system (right from 1 March 1900)
SECONDS_PER_DAY = 86_400
_TIE_TOLERANCE = 1e-9  # a value this close to a cut is *on* the cut (float noise is not "higher")

# --- Descriptive statistics -------------------------------------------------------------------


@kpi
def moyenne(valeurs: Sequence[float]) -> float:
    """Moyenne (mean) = Σ x / n; Excel MOYENNE (AVERAGE)."""
    return math.fsum(valeurs) / len(valeurs)


@kpi
def moyenne_ponderee(valeurs: Sequence[float], poids: Sequence[float]) -> float:
    """Moyenne pondérée (weighted mean) = Σ wᵢ·xᵢ / Σ wᵢ; Excel SOMMEPROD / SOMME.

    Mean from a frequency table (valeurs = levels, poids = counts), or the importance-weighted
    satisfaction index Σ(Iⱼ·Sⱼ)/ΣIⱼ (valeurs = satisfaction means, poids = importance means).
    """
    if len(valeurs) != len(poids):
        msg = "valeurs and poids must have the same length"
        raise ValueError(msg)
    return math.fsum(w * x for x, w in zip(valeurs, poids, strict=True)) / math.fsum(poids)


@kpi
def moyenne_generale(moyennes: Sequence[float]) -> float:
    """Moyenne générale (grand mean, the IPA cut value) = mean of the criterion means.

    Equal to the mean of every rating when no answer is missing.
    """
    return moyenne(moyennes)


@kpi
def mediane(valeurs: Sequence[float]) -> float:
    """Médiane (median); Excel MEDIANE (MEDIAN): mean of the two middle values when n is even."""
    ordered = sorted(valeurs)
    if not ordered:
        msg = "the median of an empty list is undefined"
        raise ZeroDivisionError(msg)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@kpi
def nombre(valeurs: Sequence[float]) -> float:
    """Nombre de valeurs (count, e.g. of respondents); Excel NB (COUNT)."""
    return float(len(valeurs))


def _ecart_quadratique(valeurs: Sequence[float]) -> float:
    """Σ (x − x̄)², the sum of squared deviations."""
    m = moyenne(valeurs)
    return math.fsum((x - m) ** 2 for x in valeurs)


@kpi
def ecart_type_echantillon(valeurs: Sequence[float]) -> float:
    """Écart-type d'échantillon (sample std. dev., n − 1) = √(Σ(x − x̄)² / (n − 1));
    Excel ECARTYPE.STANDARD (STDEV.S), legacy ECARTYPE (STDEV)."""
    return math.sqrt(_ecart_quadratique(valeurs) / (len(valeurs) - 1))


@kpi
def ecart_type_population(valeurs: Sequence[float]) -> float:
    """Écart-type de population (population std. dev., n) = √(Σ(x − x̄)² / n);
    Excel ECARTYPE.PEARSON (STDEV.P)."""
    return math.sqrt(_ecart_quadratique(valeurs) / len(valeurs))


@kpi
def correlation(x: Sequence[float], y: Sequence[float]) -> float:
    """Coefficient de corrélation de Pearson r = cov(x, y) / (σx·σy); Excel
    COEFFICIENT.CORRELATION (CORREL). Derived importance of a criterion = r(S critère, S globale).
    """
    if len(x) != len(y):
        msg = "x and y must have the same length"
        raise ValueError(msg)
    mx, my = moyenne(x), moyenne(y)
    cov = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return cov / math.sqrt(_ecart_quadratique(x) * _ecart_quadratique(y))


# --- Satisfaction shares, response rate --------------------------------------------------------


@kpi
def part_satisfaits(notes: Sequence[float], seuil: float = SATISFIED_FROM) -> float:
    """% de satisfaits (top-box share) = number of notes ≥ seuil / number of notes.

    On a 1–5 scale seuil 4 is the top-2-box (4 and 5); also the "% important" of the attentes.
    Excel NB.SI(plage;">=4")/NB(plage).
    """
    return sum(1 for n in notes if n >= seuil) / len(notes)


@kpi
def csat(notes: Sequence[float]) -> float:
    """CSAT (customer satisfaction score) = share of 4–5 answers on a 1–5 overall question.

    Top-2-box, *not* the mean.
    """
    return part_satisfaits(notes, SATISFIED_FROM)


@kpi
def ecart_satisfaction_attente(satisfaction: float, attente: float) -> float:
    """Écart satisfaction − attente (IPA gap) = S − I; negative means a shortfall."""
    return satisfaction - attente


@kpi
def taux_de_reponse(repondants: float, sollicites: float) -> float:
    """Taux de réponse (response rate) = répondants / clients sollicités."""
    return repondants / sollicites


@kpi
def taux_de_reponse_from_reponses(reponses: Sequence[float], sollicites: float) -> float:
    """Taux de réponse from a column of answers = NB(réponses) / sollicités (one answer per
    respondent, e.g. the overall-satisfaction column)."""
    return len(reponses) / sollicites


# --- NPS -----------------------------------------------------------------------------------------


def _recommandations(notes: Sequence[float]) -> Sequence[float]:
    low, high = NPS_SCALE
    if any(not low <= n <= high for n in notes):
        msg = f"NPS notes must lie between {low:g} and {high:g}"
        raise ValueError(msg)
    return notes


@kpi
def part_promoteurs(notes: Sequence[float]) -> float:
    """% de promoteurs = share of recommendation notes 9–10 (0–10 scale)."""
    notes = _recommandations(notes)
    return sum(1 for n in notes if n >= PROMOTER_FROM) / len(notes)


@kpi
def part_detracteurs(notes: Sequence[float]) -> float:
    """% de détracteurs = share of recommendation notes 0–6 (0–10 scale)."""
    notes = _recommandations(notes)
    return sum(1 for n in notes if n <= DETRACTOR_UP_TO) / len(notes)


@kpi
def part_passifs(notes: Sequence[float]) -> float:
    """% de passifs (neutres) = share of recommendation notes 7–8 (0–10 scale)."""
    notes = _recommandations(notes)
    return sum(1 for n in notes if DETRACTOR_UP_TO < n < PROMOTER_FROM) / len(notes)


@kpi
def nps(notes: Sequence[float]) -> float:
    """Net Promoter Score, in points (−100…+100) = (% promoteurs − % détracteurs) × 100.

    Passives (7–8) count in the base. 8 promoters, 7 passives, 5 detractors → +15.
    """
    return (part_promoteurs(notes) - part_detracteurs(notes)) * 100


# --- Excel conditional functions (NB.SI, SOMME.SI, MOYENNE.SI) ----------------------------------

Cell = float | str
# Longest operators first, so that "<=" is not read as "<" followed by "=4".
_OPERATORS: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = (
    ("<=", operator.le),
    (">=", operator.ge),
    ("<>", operator.ne),
    ("<", operator.lt),
    (">", operator.gt),
    ("=", operator.eq),
)


def _as_number(text: str) -> float | None:
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # "Inf", "NaN" are texts, as in Excel


def _wildcard(text: str) -> re.Pattern[str]:
    """Excel text pattern: * any run, ? one character, ~ escapes; case-insensitive."""
    parts: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "~":
            parts.append(re.escape(next(chars, "~")))
        elif ch in "*?":
            parts.append(".*" if ch == "*" else ".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _split_criterion(critere: str) -> tuple[str | None, str]:
    for symbol, _ in _OPERATORS:
        if critere.startswith(symbol):
            return symbol, critere[len(symbol) :]
    return None, critere


def critere_excel(critere: Cell) -> Callable[[Cell], bool]:
    """The predicate of an Excel NB.SI / SOMME.SI / MOYENNE.SI criterion.

    A number matches equal numbers. A text may start with an operator (=, <>, <, <=, >, >=):
    followed by a number (">=4", "<=6", "<>0") it compares numbers, and a text cell matches
    only "<>"; followed by a text it compares texts case-insensitively, with the * ? ~
    wildcards for = and <>. A text without operator means "=" ("PME", "Retard de livraison").
    """
    if not isinstance(critere, str):
        target = float(critere)
        return lambda v: not isinstance(v, str) and v == target
    symbol, operand = _split_criterion(critere)
    op = dict(_OPERATORS)[symbol or "="]
    number = _as_number(operand)
    if number is not None:
        return lambda v: symbol == "<>" if isinstance(v, str) else bool(op(float(v), number))
    if symbol in (None, "=", "<>"):
        pattern = _wildcard(operand)
        equal = symbol != "<>"
        return lambda v: (isinstance(v, str) and pattern.fullmatch(v) is not None) == equal
    folded = operand.casefold()
    return lambda v: isinstance(v, str) and bool(op(v.casefold(), folded))


def _selection(valeurs: Sequence[float], criteres: Sequence[Cell], critere: Cell) -> list[float]:
    if len(valeurs) != len(criteres):
        msg = "valeurs and criteres must have the same length"
        raise ValueError(msg)
    match = critere_excel(critere)
    return [v for v, c in zip(valeurs, criteres, strict=True) if match(c)]


@kpi
def nombre_si(valeurs: Sequence[Cell], critere: Cell) -> float:
    """Nombre de valeurs qui satisfont un critère (count by reason, distribution of a level);
    Excel NB.SI (COUNTIF): NB.SI(motifs;"Retard de livraison"), NB.SI(notes;">=4")."""
    match = critere_excel(critere)
    return float(sum(1 for v in valeurs if match(v)))


@kpi
def somme_si(valeurs: Sequence[float], criteres: Sequence[Cell], critere: Cell) -> float:
    """Somme conditionnelle = Σ valeurs whose criterion cell matches; Excel SOMME.SI (SUMIF)
    with the range order (criteres; critere; valeurs). CA by segment, CA of the detractors."""
    return math.fsum(_selection(valeurs, criteres, critere))


@kpi
def moyenne_par_segment(valeurs: Sequence[float], segments: Sequence[Cell], segment: Cell) -> float:
    """Moyenne par segment = mean of the valeurs whose segment matches; Excel MOYENNE.SI
    (AVERAGEIF). Also the mean délai by reason (segments = motifs)."""
    return moyenne(_selection(valeurs, segments, segment))


@kpi
def nps_par_segment(notes: Sequence[float], segments: Sequence[Cell], segment: Cell) -> float:
    """NPS (points) of the respondents of one segment."""
    return nps(_selection(notes, segments, segment))


# --- Complaint delays ----------------------------------------------------------------------------

DateLike = dt.date | float


def serial_excel(date: DateLike) -> float:
    """Excel serial number of a date (1900 system): 45 665 is 8 January 2025.

    Numbers pass through unchanged (a cell holding a serial); a datetime keeps its time of day.
    """
    if isinstance(date, dt.datetime):
        return (date - EXCEL_EPOCH).total_seconds() / SECONDS_PER_DAY
    if isinstance(date, dt.date):
        return float((date - EXCEL_EPOCH.date()).days)
    if isinstance(date, bool):
        msg = "a boolean is not a date"
        raise TypeError(msg)
    return float(date)


@kpi
def delai_jours(debut: DateLike, fin: DateLike) -> float:
    """Délai en jours (elapsed days) = fin − début: reçue le 08/01, clôturée le 10/01 → 2.

    Dates are datetime/date values or Excel serial numbers; Excel =C4-B4 or JOURS(C4;B4).
    """
    return serial_excel(fin) - serial_excel(debut)


def _delais(debuts: Sequence[DateLike], fins: Sequence[DateLike]) -> list[float]:
    if len(debuts) != len(fins):
        msg = "debuts and fins must have the same length"
        raise ValueError(msg)
    return [delai_jours(d, f) for d, f in zip(debuts, fins, strict=True)]


@kpi
def delai_moyen(debuts: Sequence[DateLike], fins: Sequence[DateLike]) -> float:
    """Délai moyen de traitement (mean delay, days) = mean of (fin − début)."""
    return moyenne(_delais(debuts, fins))


@kpi
def part_traitee_sous(delais: Sequence[float], jours: float = 5) -> float:
    """% de réclamations traitées en `jours` jours ou moins = NB.SI(délais;"<=5") / NB(délais)."""
    return sum(1 for d in delais if d <= jours) / len(delais)


# --- The attente-satisfaction matrix (IPA) -------------------------------------------------------

PRIORITE = "Priorité d'amélioration"
POINT_FORT = "Point fort"
SURQUALITE = "Surqualité"
FAIBLE_PRIORITE = "Faible priorité"

QUADRANT_SYNONYMS: dict[str, tuple[str, ...]] = {
    # canonical label (the C16 subject's) → accepted names, DOMAIN §6.5 and French teaching.
    # Labels are compared after normalisation (case, accents, plurals: autocorrect.grading.labels).
    # "Maintenir" alone is Satisfactory.fr's name for surqualité [S21], while "Points forts
    # à maintenir" is a point fort: match whole labels, the best-scoring synonym wins.
    PRIORITE: (
        PRIORITE,
        "Priorités d'amélioration",
        "Améliorer en priorité",
        "À améliorer en priorité",
        "Amélioration prioritaire",
        "Axe d'amélioration prioritaire",
        "Zone d'amélioration prioritaire",
        "Zone de progrès",
        "Priorité",
        "Concentrate here",
    ),
    POINT_FORT: (
        POINT_FORT,
        "Points forts à maintenir",
        "Point fort à maintenir",
        "Points forts",
        "Valoriser",
        "Keep up the good work",
    ),
    SURQUALITE: (
        SURQUALITE,
        "Zone de surqualité",
        "Maintenir",
        "Possible overkill",
    ),
    FAIBLE_PRIORITE: (
        FAIBLE_PRIORITE,
        "À surveiller",
        "Surveiller",
        "Zone neutre",
        "Low priority",
    ),
}


def _above(value: float, cut: float) -> bool:
    """High ⇔ value > cut, strictly; a value within float noise of the cut is on it (low)."""
    return value > cut + _TIE_TOLERANCE * max(1.0, abs(cut))


@kpi
def quadrant_ipa(
    attente: float, satisfaction: float, cut_attente: float, cut_satisfaction: float
) -> str:
    """Quadrant of a criterion in the attente-satisfaction (IPA) matrix, canonical French label.

    High ⇔ value strictly above the cut (DOMAIN §6.5 tie rule; « forte = strictement
    supérieure »): attente high & satisfaction low → « Priorité d'amélioration » (Concentrate
    here); both high → « Point fort » (Keep up the good work); attente low & satisfaction high
    → « Surqualité » (Possible overkill); both low → « Faible priorité » (Low priority).
    Cuts: grand means (`moyenne_generale`), or the scale midpoint (3 on 1–5).
    """
    important = _above(attente, cut_attente)
    satisfied = _above(satisfaction, cut_satisfaction)
    if important:
        return POINT_FORT if satisfied else PRIORITE
    return SURQUALITE if satisfied else FAIBLE_PRIORITE


# --- Typical mistakes (never expected values: they name a wrong answer) --------------------------


@kpi
def nps_sans_passifs(notes: Sequence[float]) -> float:
    """NPS with the passives left out of the base: (P − D)/(P + D) × 100 (C16: −23.08)."""
    notes = _recommandations(notes)
    promoteurs = sum(1 for n in notes if n >= PROMOTER_FROM)
    detracteurs = sum(1 for n in notes if n <= DETRACTOR_UP_TO)
    return (promoteurs - detracteurs) / (promoteurs + detracteurs) * 100


@kpi
def nps_promoteurs_des_7(notes: Sequence[float]) -> float:
    """NPS with promoters taken as 7–10 (passives counted for): DOMAIN §6.4 example → 50."""
    notes = _recommandations(notes)
    promoteurs = sum(1 for n in notes if n > DETRACTOR_UP_TO)
    detracteurs = len(notes) - promoteurs
    return (promoteurs - detracteurs) / len(notes) * 100


@kpi
def nps_passifs_detracteurs(notes: Sequence[float]) -> float:
    """NPS with the passives counted against, as detractors (0–8): (P − (n − P))/n × 100."""
    promoteurs = part_promoteurs(notes)
    return (promoteurs - (1 - promoteurs)) * 100


@kpi
def delai_jours_inclusif(debut: DateLike, fin: DateLike) -> float:
    """Délai counted inclusively, fin − début + 1 (both ends counted): 08/01 → 10/01 gives 3."""
    return delai_jours(debut, fin) + 1


@kpi
def delai_moyen_inclusif(debuts: Sequence[DateLike], fins: Sequence[DateLike]) -> float:
    """Mean délai with each délai counted inclusively (+1 day): C16 → 7.42 instead of 6.42."""
    return delai_moyen(debuts, fins) + 1


@kpi
def nuage_points(x: Sequence[float], y: Sequence[float]) -> tuple[tuple[float, float], ...]:
    """The points of a scatter chart (matrice attente-satisfaction): (x_i, y_i) pairs."""
    if len(x) != len(y):
        msg = f"x and y differ in length ({len(x)} vs {len(y)})"
        raise ValueError(msg)
    return tuple((float(a), float(b)) for a, b in zip(x, y, strict=True))
