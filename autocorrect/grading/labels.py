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
_SPLIT = re.compile(r"[^a-z0-9/]+")
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
    lowered = _strip_accents(text.casefold()).replace("/", " / ").replace("œ", "oe")
    result: list[str] = []
    for raw in _SPLIT.split(lowered):
        if not raw or raw in _STOPWORDS or raw in _UNIT_WORDS:
            continue
        result.append(_ABBREVIATIONS.get(raw, _singular(raw)))
    return tuple(result)


def has_percent(text: str) -> bool:
    """Whether a label announces a percentage ("Taux de marge (%)", "% du CA")."""
    return "%" in text or "pourcent" in text.casefold()


def score(label: str, synonym: str) -> float:
    """Share of the label's words covered by the synonym's words; 0 when no match."""
    return _covered(words(label), words(synonym))


def _covered(label_words: tuple[str, ...], synonym_words: tuple[str, ...]) -> float:
    if not synonym_words or not label_words or len(label_words) > MAX_LABEL_WORDS:
        return 0.0
    size = len(synonym_words)
    first = synonym_words[0]
    for start, word in enumerate(label_words[: len(label_words) - size + 1]):
        if word == first and label_words[start : start + size] == synonym_words:
            return size / len(label_words)
    if size > 1 and set(synonym_words) <= set(label_words):
        # Same words in another order ("moyenne satisfaction globale"): slightly less sure.
        return _REORDERED * min(1.0, len(set(synonym_words)) / len(set(label_words)))
    return 0.0


@functools.lru_cache(maxsize=262144)
def best_score(label: str, synonyms: tuple[str, ...]) -> float:
    """Best score of any synonym; cached, since the same headers recur in every copy."""
    label_words = words(label)
    if not label_words or len(label_words) > MAX_LABEL_WORDS:
        return 0.0
    present = set(label_words)
    return max(
        (_covered(label_words, w) for w in map(words, synonyms) if w and set(w) <= present),
        default=0.0,
    )
