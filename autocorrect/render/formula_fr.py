"""Formulas as a French Excel shows them: French function names, `;` between arguments and
`,` as the decimal mark (the file stores English names, `,` and `.`; DOMAIN.md §9).

Display only: the text is lexed (strings, quoted sheet names and array constants are left
untouched), never evaluated. A function without a known French name keeps its English name.
"""

from __future__ import annotations

import re
from functools import lru_cache

FRENCH_FUNCTIONS: dict[str, str] = {
    # statistics
    "AVERAGE": "MOYENNE",
    "AVERAGEA": "AVERAGEA",
    "AVERAGEIF": "MOYENNE.SI",
    "AVERAGEIFS": "MOYENNE.SI.ENS",
    "COUNT": "NB",
    "COUNTA": "NBVAL",
    "COUNTBLANK": "NB.VIDE",
    "COUNTIF": "NB.SI",
    "COUNTIFS": "NB.SI.ENS",
    "STDEV": "ECARTYPE",
    "STDEVP": "ECARTYPEP",
    "STDEV.S": "ECARTYPE.STANDARD",
    "STDEV.P": "ECARTYPE.PEARSON",
    "VAR": "VAR",
    "VARP": "VAR.P",
    "VAR.S": "VAR.S",
    "VAR.P": "VAR.P.N",
    "CORREL": "COEFFICIENT.CORRELATION",
    "PEARSON": "PEARSON",
    "MEDIAN": "MEDIANE",
    "MODE": "MODE",
    "MODE.SNGL": "MODE.SIMPLE",
    "FREQUENCY": "FREQUENCE",
    "RANK": "RANG",
    "RANK.EQ": "RANG.EQ",
    "RANK.AVG": "RANG.MOYEN",
    "LARGE": "GRANDE.VALEUR",
    "SMALL": "PETITE.VALEUR",
    "MAX": "MAX",
    "MIN": "MIN",
    "MAXIFS": "MAX.SI.ENS",
    "MINIFS": "MIN.SI.ENS",
    "PERCENTILE": "CENTILE",
    "QUARTILE": "QUARTILE",
    "TREND": "TENDANCE",
    "FORECAST": "PREVISION",
    "FORECAST.LINEAR": "PREVISION.LINEAIRE",
    "SLOPE": "PENTE",
    "INTERCEPT": "ORDONNEE.ORIGINE",
    "RSQ": "COEFFICIENT.DETERMINATION",
    # maths
    "SUM": "SOMME",
    "SUMIF": "SOMME.SI",
    "SUMIFS": "SOMME.SI.ENS",
    "SUMPRODUCT": "SOMMEPROD",
    "SUBTOTAL": "SOUS.TOTAL",
    "PRODUCT": "PRODUIT",
    "ROUND": "ARRONDI",
    "ROUNDUP": "ARRONDI.SUP",
    "ROUNDDOWN": "ARRONDI.INF",
    "MROUND": "ARRONDI.AU.MULTIPLE",
    "CEILING": "PLAFOND",
    "FLOOR": "PLANCHER",
    "INT": "ENT",
    "TRUNC": "TRONQUE",
    "MOD": "MOD",
    "ABS": "ABS",
    "POWER": "PUISSANCE",
    "SQRT": "RACINE",
    "EXP": "EXP",
    "LN": "LN",
    "LOG": "LOG",
    "LOG10": "LOG10",
    "SIGN": "SIGNE",
    "PI": "PI",
    "RAND": "ALEA",
    "RANDBETWEEN": "ALEA.ENTRE.BORNES",
    # logic
    "IF": "SI",
    "IFS": "SI.CONDITIONS",
    "IFERROR": "SIERREUR",
    "IFNA": "SI.NON.DISP",
    "AND": "ET",
    "OR": "OU",
    "NOT": "NON",
    "XOR": "OUX",
    "TRUE": "VRAI",
    "FALSE": "FAUX",
    "SWITCH": "SI.MULTIPLE",
    # lookup
    "VLOOKUP": "RECHERCHEV",
    "HLOOKUP": "RECHERCHEH",
    "LOOKUP": "RECHERCHE",
    "XLOOKUP": "RECHERCHEX",
    "INDEX": "INDEX",
    "MATCH": "EQUIV",
    "XMATCH": "EQUIVX",
    "CHOOSE": "CHOISIR",
    "OFFSET": "DECALER",
    "INDIRECT": "INDIRECT",
    "ROW": "LIGNE",
    "ROWS": "LIGNES",
    "COLUMN": "COLONNE",
    "COLUMNS": "COLONNES",
    "TRANSPOSE": "TRANSPOSE",
    "SORT": "TRIER",
    "FILTER": "FILTRE",
    "UNIQUE": "UNIQUE",
    # dates
    "DATE": "DATE",
    "TODAY": "AUJOURDHUI",
    "NOW": "MAINTENANT",
    "DAY": "JOUR",
    "MONTH": "MOIS",
    "YEAR": "ANNEE",
    "WEEKDAY": "JOURSEM",
    "DAYS": "JOURS",
    "DAYS360": "JOURS360",
    "DATEDIF": "DATEDIF",
    "EDATE": "MOIS.DECALER",
    "EOMONTH": "FIN.MOIS",
    "NETWORKDAYS": "NB.JOURS.OUVRES",
    "WORKDAY": "SERIE.JOUR.OUVRE",
    "YEARFRAC": "FRACTION.ANNEE",
    # text
    "CONCATENATE": "CONCATENER",
    "CONCAT": "CONCAT",
    "TEXTJOIN": "JOINDRE.TEXTE",
    "TEXT": "TEXTE",
    "VALUE": "CNUM",
    "LEFT": "GAUCHE",
    "RIGHT": "DROITE",
    "MID": "STXT",
    "LEN": "NBCAR",
    "UPPER": "MAJUSCULE",
    "LOWER": "MINUSCULE",
    "PROPER": "NOMPROPRE",
    "TRIM": "SUPPRESPACE",
    "SUBSTITUTE": "SUBSTITUE",
    "FIND": "TROUVE",
    "SEARCH": "CHERCHE",
    "REPT": "REPT",
    "EXACT": "EXACT",
    # information and finance
    "ISBLANK": "ESTVIDE",
    "ISNUMBER": "ESTNUM",
    "ISTEXT": "ESTTEXTE",
    "ISERROR": "ESTERREUR",
    "ISNA": "ESTNA",
    "NA": "NA",
    "NPV": "VAN",
    "IRR": "TRI",
    "PMT": "VPM",
    "FV": "VC",
    "PV": "VA",
    "RATE": "TAUX",
}

_FUNCTION = re.compile(r"((?:_xlfn\.|_xlws\.)?[A-Za-z][A-Za-z0-9_.]*)\(")
_NUMBER = re.compile(r"\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_BOOLEANS = {"TRUE": "VRAI", "FALSE": "FAUX"}
_WORD_CHAR = re.compile(r"[A-Za-z0-9_$.!:]")


def french_function(name: str) -> str:
    """`_xlfn.STDEV.S` -> `ECARTYPE.STANDARD`; unknown names unchanged (prefix dropped)."""
    bare = name.upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
    return FRENCH_FUNCTIONS.get(bare, bare)


@lru_cache(maxsize=65536)  # a batch shows the same formulas again and again
def french_formula(formula: str) -> str:
    """`=ROUND(AVERAGE(B2:B9),2)*0.5` -> `=ARRONDI(MOYENNE(B2:B9);2)*0,5`."""
    out: list[str] = []
    index, braces = 0, 0
    while index < len(formula):
        char = formula[index]
        if char in "\"'":
            end = _closing_quote(formula, index)
            out.append(formula[index:end])
            index = end
            continue
        braces += {"{": 1, "}": -1}.get(char, 0)
        step, text = _token(formula, index, braces)
        out.append(text)
        index += step
    return "".join(out)


def _token(formula: str, index: int, braces: int) -> tuple[int, str]:
    """(characters consumed, French text) for the token starting at `index`."""
    char = formula[index]
    follows_word = index > 0 and bool(_WORD_CHAR.match(formula[index - 1]))
    if char == "," and braces == 0:
        return 1, ";"
    function = _FUNCTION.match(formula, index)
    if function and not follows_word:
        return len(function.group(0)), french_function(function.group(1)) + "("
    number = _NUMBER.match(formula, index)
    if number and not follows_word and braces == 0:
        return len(number.group(0)), number.group(0).replace(".", ",")
    word = re.match(r"[A-Za-z0-9_$.!:]+", formula[index:])
    if word:  # a reference or a name, copied whole; TRUE and FALSE are words of their own
        text = word.group(0)
        return len(text), _BOOLEANS.get(text.upper(), text)
    return 1, char


def _closing_quote(formula: str, start: int) -> int:
    """Index just after the string or quoted sheet name opened at `start` (doubled quotes
    escape themselves)."""
    quote, index = formula[start], start + 1
    while index < len(formula):
        if formula[index] == quote:
            if index + 1 < len(formula) and formula[index + 1] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    return len(formula)
