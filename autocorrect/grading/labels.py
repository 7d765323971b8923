"""French label matching, tolerant of case, accents, punctuation, plurals and abbreviations.

"Tx de marque (%)", "TAUX DE MARQUE" and "taux de marque" all normalise to ("taux", "marque").
A synonym matches a label when its words appear contiguously in the label; the score is the
share of the label's words the synonym covers, so that "Taux de marge sur coût variable" is
claimed by the synonym "taux de marge sur coût variable" (score 1) rather than by
"taux de marge" (score 0.5).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

_STOPWORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "d", "l", "en", "a", "au", "aux", "un", "une", "par"}
)
_UNIT_WORDS = frozenset({"eur", "euro", "euros", "e", "pct", "pourcent", "pourcentage", "val"})
_ABBREVIATIONS = {
    "tx": "taux",
    "coeff": "coef",
    "coefficient": "coef",
    "coefficients": "coef",
    "qte": "quantite",
    "nb": "nombre",
    "nbre": "nombre",
    "cout": "cout",
    "couts": "cout",
    "transfo": "transformation",
    "equipes": "equipe",
}
_ENGLISH = {  # plain English headers, word for word
    "rate": "taux",
    "ratio": "ratio",
    "margin": "marge",
    "average": "moyenne",
    "mean": "moyenne",
    "sales": "vente",
    "sale": "vente",
    "selling": "vente",
    "price": "prix",
    "cost": "cout",
    "costs": "cout",
    "purchase": "achat",
    "unit": "unitaire",
    "quantity": "quantite",
    "orders": "commande",
    "order": "commande",
    "target": "objectif",
    "objective": "objectif",
    "achievement": "realisation",
    "gap": "ecart",
    "variance": "ecart",
    "share": "part",
    "rank": "rang",
    "expectation": "attente",
    "expectations": "attente",
    "overall": "globale",
    "complaints": "reclamation",
    "complaint": "reclamation",
    "visits": "visite",
    "closing": "final",
    "opening": "initial",
    "days": "jour",
    "value": "valeur",
    "safety": "securite",
    "fixed": "fixe",
    "variable": "variable",
    "contribution": "contribution",
    "growth": "evolution",
}
_SPLIT = re.compile(r"[^a-z0-9/]+")
_TOKEN = re.compile(r"[a-z0-9/]+\.?")
_DOTTED_ACRONYM = re.compile(r"\b((?:[a-z]\.){2,})")  # s.r., t.t.c., c.a.
_LEADING_PERCENT = re.compile(r"^\s*%\s*")  # « % CA » is a share of the CA, not the CA
_ABBREVIATION_MAX = 5  # « moy. », « coef. », « unit. », « rép. »: a word cut short
_WORD_FORM_PREFIX = 6  # réalisé / réalisation, global / globale, commercial / commerciaux
MAX_LABEL_WORDS = 8  # longer texts are instructions or comments, not labels
_REORDERED = 0.9


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@functools.lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Normalised words of a label; '/' is kept as a word ("marge/pv")."""
    return tuple(w.rstrip(".") for w in label_words(text))


@functools.lru_cache(maxsize=65536)
def label_words(text: str) -> tuple[str, ...]:
    """Normalised words of a label as written by a candidate: dotted acronyms joined
    (« S.R. » → sr), a leading « % » read as a share, « Σ » as a total, English words in
    French, and a word cut short with a dot kept with its dot (« Moy. » → moy.) so that it
    matches the words it abbreviates."""
    lowered = _strip_accents(text.casefold()).replace("œ", "oe")
    lowered = lowered.replace("σ", " total ").replace("∑", " total ")
    lowered = _LEADING_PERCENT.sub(" part ", lowered)
    lowered = _DOTTED_ACRONYM.sub(lambda m: m.group(1).replace(".", "") + " ", lowered)
    lowered = lowered.replace("/", " / ")
    result: list[str] = []
    for token in _TOKEN.findall(lowered):
        raw = token.rstrip(".")
        if not raw or raw in _STOPWORDS or raw in _UNIT_WORDS:
            continue
        word = _ABBREVIATIONS.get(raw) or _ENGLISH.get(raw) or _singular(raw)
        cut = token.endswith(".") and 2 <= len(raw) <= _ABBREVIATION_MAX and not raw.isdigit()
        result.append(word + "." if cut and word == _singular(raw) else word)
    return tuple(result)


def _same_word(label_word: str, synonym_word: str) -> bool:
    """A label's word stands for a synonym's word: the same, an abbreviation of it
    (« moy. »), or another form of it (réalisé / réalisation)."""
    if label_word == synonym_word:
        return True
    if label_word.endswith("."):
        return synonym_word.startswith(label_word[:-1])
    n = _WORD_FORM_PREFIX
    return len(label_word) >= n and len(synonym_word) >= n and label_word[:n] == synonym_word[:n]


@functools.lru_cache(maxsize=65536)
def acronym(synonym: str) -> str:
    """The initials of a synonym of two words or more (« marge sur coût variable » → mscv)."""
    found = words(synonym)
    return "".join(w[0] for w in found if w and w[0].isalpha()) if len(found) >= 2 else ""


def has_percent(text: str) -> bool:
    """Whether a label announces a percentage ("Taux de marge (%)", "% du CA")."""
    return "%" in text or "pourcent" in text.casefold()


def score(label: str, synonym: str) -> float:
    """Share of the label's words covered by the synonym's words; 0 when no match."""
    return best_score(label, (synonym,))


def _covered(found: tuple[str, ...], synonym_words: tuple[str, ...]) -> float:
    if not synonym_words or not found or len(found) > MAX_LABEL_WORDS:
        return 0.0
    size = len(synonym_words)
    for start in range(len(found) - size + 1):
        window = found[start : start + size]
        if all(_same_word(a, b) for a, b in zip(window, synonym_words, strict=True)):
            return size / len(found)
    if size > 1 and all(any(_same_word(a, b) for a in found) for b in synonym_words):
        # Same words in another order ("moyenne satisfaction globale"): slightly less sure.
        return _REORDERED * min(1.0, len(set(synonym_words)) / len(set(found)))
    return 0.0


class SynonymIndex:
    """Which synonym lists share at least one word with a label. Only those can score above
    zero (every word of a synonym must stand for some word of the label, see `_covered`), so a
    workbook of 20,000 distinct texts is not compared word by word with every list."""

    def __init__(self, synonym_lists: Sequence[tuple[str, ...]]) -> None:
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._prefix: dict[str, set[int]] = defaultdict(set)
        self._all: list[tuple[str, int]] = []
        n = _WORD_FORM_PREFIX
        for index, synonyms in enumerate(synonym_lists):
            for synonym in synonyms:
                initials = acronym(synonym)
                for word in (*words(synonym), *((initials,) if len(initials) >= 2 else ())):
                    self._exact[word].add(index)
                    if len(word) >= n:
                        self._prefix[word[:n]].add(index)
                    self._all.append((word, index))

    def candidates(self, label: str) -> set[int]:
        """Indexes of the synonym lists that may match the label (a superset, never fewer)."""
        found = label_words(label)
        if not found or len(found) > MAX_LABEL_WORDS:
            return set()
        hit: set[int] = set()
        n = _WORD_FORM_PREFIX
        for word in found:
            hit |= self._exact.get(word, set())
            if word.endswith("."):
                hit |= {i for w, i in self._all if w.startswith(word[:-1])}
            elif len(word) >= n:
                hit |= self._prefix.get(word[:n], set())
        return hit


@functools.lru_cache(maxsize=262144)
def best_score(label: str, synonyms: tuple[str, ...]) -> float:
    """Best score of any synonym, or of its initials (MSCV, SR, CMUP); cached, since the
    same headers recur in every copy."""
    found = label_words(label)
    if not found or len(found) > MAX_LABEL_WORDS:
        return 0.0
    candidates = [words(s) for s in synonyms]
    candidates += [(a,) for a in map(acronym, synonyms) if len(a) >= 2]
    return max((_covered(found, w) for w in candidates if w), default=0.0)
