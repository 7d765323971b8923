"""Indicators over a transaction-level export (one row per order line, lead, ticket…).

Each column of the export is a list in row order; a criterion is an Excel criterion (« PME »,
« >=100 », « Gagn* »: see `survey.critere_excel`), so a rubric states what SOMME.SI.ENS,
NB.SI.ENS, MOYENNE.SI.ENS, SOMMEPROD and the like compute on the sheet. Blank cells are
skipped where Excel skips them (a sum, a mean, a distinct count). Rates are fractions of 1;
nothing is rounded; an empty selection raises ZeroDivisionError (Excel #DIV/0!).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autocorrect.reference.kpis.registry import kpi
from autocorrect.reference.kpis.survey import Cell, critere_excel

Column = Sequence[Cell | None]


def _rows(length: int, conditions: Sequence[tuple[Column | None, Cell | None]]) -> list[int]:
    """Indices of the rows meeting every given (column, criterion) pair (an AND, as in
    SOMME.SI.ENS); a pair left out (None) is no condition."""
    kept = list(range(length))
    for column, criterion in conditions:
        if column is None and criterion is None:
            continue
        if column is None or criterion is None:
            msg = "a criteria column needs its criterion, and the other way round"
            raise ValueError(msg)
        if len(column) != length:
            msg = f"criteria column of {len(column)} rows for {length} rows of values"
            raise ValueError(msg)
        match = critere_excel(criterion)
        kept = [i for i in kept if match(column[i])]  # type: ignore[arg-type]
    return kept


def _numbers(values: Column, rows: Sequence[int]) -> list[float]:
    """The numbers of the selected rows; texts and blanks are skipped (as SOMME.SI does)."""
    picked = (values[i] for i in rows)
    return [float(v) for v in picked if isinstance(v, int | float) and not isinstance(v, bool)]


@kpi
def somme_si_ens(
    valeurs: Column,
    criteres1: Column,
    critere1: Cell,
    criteres2: Column | None = None,
    critere2: Cell | None = None,
    criteres3: Column | None = None,
    critere3: Cell | None = None,
) -> float:
    """Somme conditionnelle (one to three criteria, all met): CA of one product sold by one
    rep; Excel SOMME.SI.ENS (SUMIFS)."""
    conditions = ((criteres1, critere1), (criteres2, critere2), (criteres3, critere3))
    return math.fsum(_numbers(valeurs, _rows(len(valeurs), conditions)))


@kpi
def nombre_si_ens(
    criteres1: Column,
    critere1: Cell,
    criteres2: Column | None = None,
    critere2: Cell | None = None,
    criteres3: Column | None = None,
    critere3: Cell | None = None,
) -> float:
    """Nombre de lignes meeting one to three criteria: leads per status and source; Excel
    NB.SI.ENS (COUNTIFS)."""
    conditions = ((criteres1, critere1), (criteres2, critere2), (criteres3, critere3))
    return float(len(_rows(len(criteres1), conditions)))


@kpi
def moyenne_si_ens(
    valeurs: Column,
    criteres1: Column,
    critere1: Cell,
    criteres2: Column | None = None,
    critere2: Cell | None = None,
) -> float:
    """Moyenne conditionnelle of the numbers of the matching rows; Excel MOYENNE.SI.ENS
    (AVERAGEIFS). The mean of the lines, not of the orders: see `panier_moyen_commandes`."""
    numbers = _numbers(valeurs, _rows(len(valeurs), ((criteres1, critere1), (criteres2, critere2))))
    return math.fsum(numbers) / len(numbers)


@kpi
def prix_moyen_pondere(
    montants: Column, quantites: Column, criteres: Column | None = None, critere: Cell | None = None
) -> float:
    """Prix moyen pondéré = Σ montants / Σ quantités of the matching rows (a line's amount is
    its price × its quantity): SOMME.SI(montants) / SOMME.SI(quantités), or SOMMEPROD.
    Candidates often give the plain mean of the unit prices (`moyenne_si_ens`)."""
    rows = _rows(len(montants), ((criteres, critere),))
    return math.fsum(_numbers(montants, rows)) / math.fsum(_numbers(quantites, rows))


@kpi
def moyenne_ponderee_si(valeurs: Column, poids: Column, criteres: Column, critere: Cell) -> float:
    """Moyenne pondérée of the matching rows = Σ poids·valeurs / Σ poids: the price per unit
    sold of one product from its price and quantity columns; SOMMEPROD((crit=x)*v*p)/SOMME.SI."""
    rows = _rows(len(valeurs), ((criteres, critere),))
    both = [i for i in rows if _is_number(valeurs[i]) and _is_number(poids[i])]
    pairs = list(zip(_numbers(valeurs, both), _numbers(poids, both), strict=True))
    return math.fsum(v * w for v, w in pairs) / math.fsum(w for _, w in pairs)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@kpi
def nombre_distinct(
    valeurs: Column, criteres: Column | None = None, critere: Cell | None = None
) -> float:
    """Nombre de valeurs distinctes (orders, clients) of the matching rows, blanks excluded;
    texts compare without case or surrounding spaces, 12 and 12.0 are one value. Candidates
    often count the lines (`nombre_si_ens`) when an order has several lines."""
    rows = _rows(len(valeurs), ((criteres, critere),))
    return float(len({_identity(valeurs[i]) for i in rows if valeurs[i] not in (None, "")}))


def _identity(value: Cell | None) -> object:
    return value.strip().casefold() if isinstance(value, str) else float(value or 0)


@kpi
def panier_moyen_commandes(
    montants: Column, commandes: Column, criteres: Column | None = None, critere: Cell | None = None
) -> float:
    """Panier moyen from order lines = Σ montants / number of *distinct* orders (an order of
    three lines is one basket). Candidates often give the mean of the lines (`moyenne_si_ens`)."""
    rows = _rows(len(montants), ((criteres, critere),))
    return math.fsum(_numbers(montants, rows)) / nombre_distinct(commandes, criteres, critere)


@kpi
def part_categorie(categories: Column, categorie: Cell, valeurs: Column | None = None) -> float:
    """Part d'une catégorie: its share of the rows (NB.SI / NBVAL), or, with `valeurs`, of the
    amounts (SOMME.SI / SOMME). The shares of all the categories sum to 1."""
    if valeurs is None:
        filled = [c for c in categories if c not in (None, "")]
        return len(_rows(len(categories), ((categories, categorie),))) / len(filled)
    rows = _rows(len(valeurs), ((categories, categorie),))
    return math.fsum(_numbers(valeurs, rows)) / math.fsum(_numbers(valeurs, range(len(valeurs))))


@kpi
def taux_sur_sous_ensemble(
    statuts: Column,
    succes: Cell,
    echec: Cell,
    criteres: Column | None = None,
    critere: Cell | None = None,
) -> float:
    """Taux over the decided rows only = succès / (succès + échec): won / (won + lost), the
    leads still open left out; optionally within a segment (a source, a rep). Candidates often
    divide by all the leads (`taux_sur_ensemble`)."""
    won = nombre_si_ens(statuts, succes, criteres, critere)
    lost = nombre_si_ens(statuts, echec, criteres, critere)
    return won / (won + lost)


@kpi
def taux_sur_ensemble(
    statuts: Column, succes: Cell, criteres: Column | None = None, critere: Cell | None = None
) -> float:
    """Taux over every row = succès / all rows (of the segment): the open leads counted as
    failures. A known mistake when the subject asks for won / (won + lost)."""
    everything = len(_rows(len(statuts), ((criteres, critere),)))
    return nombre_si_ens(statuts, succes, criteres, critere) / everything
