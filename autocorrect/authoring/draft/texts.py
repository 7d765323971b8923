"""Labels and titles: how the draft compares a solution's headers with the statement, and
the synonyms it proposes for a candidate's own wording."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from autocorrect.authoring.enonce import EnonceQuestion
from autocorrect.grading import labels

EXPANSIONS = {  # abbreviations of commercial maths, expanded before comparing labels
    "ca": ("chiffre", "affaire"),
    "pv": ("prix", "vente"),
    "pa": ("prix", "achat"),
    "cv": ("charge", "variable"),
    "mcv": ("marge", "cout", "variable"),
    "sr": ("seuil", "rentabilite"),
    "pdm": ("part", "marche"),
    "moy": ("moyenne",),
    "moyen": ("moyenne",),
    "evol": ("evolution",),
    "pourcentage": ("%",),
    "classement": ("rang",),
}
_SHORT_FORMS = {  # word -> the abbreviation a candidate may write (« Moy. attente »)
    "moyenne": "moy",
    "moyen": "moy",
    "unitaire": "u",
    "evolution": "evol",
    "pourcentage": "%",
    "nombre": "nb",
}
AGGREGATES = {  # aggregate rows or columns and how candidates name them
    "total": ("Total", "Total général", "Ensemble", "Global", "Total produits"),
    "equipe": ("Équipe", "Total équipe", "Total de l'équipe", "Ensemble", "Total"),
    "s1": ("S1", "Total S1", "Semestre", "1er semestre", "Total semestre", "Cumul S1", "Total"),
    "s2": ("S2", "Total S2", "2e semestre", "Total"),
    "ensemble": ("Ensemble", "Total"),
}
_SLUG_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "en", "a", "au",
                             "aux", "un", "une", "par", "et", "e", "eur", "sur"})  # fmt: skip
_NO_ACRONYM = ("taux", "part", "nombre", "total", "ecart")  # « TM » would say nothing
_WEAK_HEADS = frozenset({"taux", "total", "montant", "nombre", "part", "%", "/"})


def words(text: str) -> frozenset[str]:
    """Normalised words of a label, abbreviations expanded, "%" kept as a word."""
    found: set[str] = set()
    for word in labels.words(text):
        found.update(EXPANSIONS.get(word, (word,)))
    if labels.has_percent(text):
        found.add("%")
    return frozenset(found)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def coverage(header: frozenset[str], title: frozenset[str]) -> float:
    """Share of the header's words found in the title, plus a little for its precision."""
    if not header or not title:
        return 0.0
    common = len(header & title)
    return common / len(header) + 0.1 * common / len(title)


def fold(text: str) -> str:
    """A text as compared between labels: its words, lower case, without accents."""
    return " ".join(labels.words(text)) or text.strip().casefold()


def same_name(text: str, name: str) -> bool:
    """« P1 » is « p1 »; « Profession libérale » is « professions liberales »."""
    return text.strip().casefold() == name.strip().casefold() or (
        bool(labels.words(text)) and labels.words(text) == labels.words(name)
    )


def aggregate(name: str) -> tuple[str, ...] | None:
    """The synonyms of an aggregate row or column (Total, Équipe, S1), None otherwise."""
    return AGGREGATES.get("".join(labels.words(name)))


def percent_agrees(text: str, percent_cell: bool) -> bool:
    """Whether a cell's % format fits the text naming it (« en % », « en valeur »)."""
    if labels.has_percent(text):
        return percent_cell
    found = set(labels.words(text))
    return not (percent_cell and (found & {"valeur", "montant"} or "€" in text))


# --- titles -----------------------------------------------------------------------------------


def strip_parentheses(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\([^()]*\)", " ", text)
    return " ".join(text.split())


def parentheses(text: str) -> list[str]:
    return [p.strip() for p in re.findall(r"\(([^()]*)\)", text) if p.strip()]


def title_parts(question: EnonceQuestion) -> list[str]:
    """The title split into one phrase per element when it lists them (« MCV et taux de
    MCV », « Net Promoter Score : % de promoteurs, % de détracteurs, NPS »), else [title]."""
    title = strip_parentheses(question.title)
    head, _, rest = title.rpartition(" : ")
    pieces = re.split(r"\s*;\s*|,\s*(?:et|puis)?\s*|\s+et\s+", rest)
    parts = [re.sub(r"^(?:puis|ce|cette|ces)\s+", "", p.strip()) for p in pieces if p.strip()]
    if len(parts) != len(question.elements) or len(parts) < 2:
        return [title]
    shared = re.split(r"\s+(?:de|des|du|d')\s*", parts[0])[0]  # « Moyennes générales »
    imperative = head.split()[0].endswith("ez") if head else True  # « Établissez le devis »
    joined = []
    for index, part in enumerate(parts):
        phrase = f"{shared} {part}" if index and re.match(r"^(de|des|du|d')\b", part) else part
        short = len(labels.words(phrase)) < 2
        joined.append(f"{head} {phrase}" if short and not imperative else phrase)
    return joined


def clean_title(text: str) -> str:
    """A title as a label: no parentheses, no « de chaque produit », no leading verb."""
    text = strip_parentheses(text)
    text = text.rpartition(" : ")[2] if " : " in text else text
    text = re.sub(r"\s+(?:de|pour|à la fin de) chaque \w+", "", text)
    text = re.split(r",|\s+par rapport\b|\s+selon\b|\s+obtenu\b", text)[0]
    text = re.sub(r"\s+et\s+(?:\w+\s+)?(?:totale?|pour l'équipe)$", "", text)
    return text.strip(" .;")


def short_label(text: str) -> str:
    """A label cut before its first « de l' », « du », « à l' » complement, when it has one."""
    return re.split(r"\s+(?:de l'|du |à l'|à la |en nombre|sous forme)", text)[0].strip()


def without_entity_word(text: str, group: str | None) -> str:
    """« Classement des commerciaux » → « Classement » for items over the commercial group."""
    if not group:
        return text
    stem = slug(group, "x")[:6]

    def drop(match: re.Match[str]) -> str:
        return "" if slug(match.group(1), "x")[:6] == stem else match.group(0)

    return re.sub(r"\s+(?:des|de|du|d'|par)\b\s*(\w+)", drop, text).strip()


# --- synonyms ---------------------------------------------------------------------------------


def synonyms(texts: Iterable[str]) -> tuple[str, ...]:
    """Each text and its usual short forms, one per normalised wording, in order."""
    found: list[str] = []
    for text in texts:
        cleaned = " ".join(text.split()).strip(" .:;")
        size = len(labels.words(cleaned))
        if cleaned and 0 < size <= labels.MAX_LABEL_WORDS:
            found += variants(cleaned)
    unique: dict[tuple[str, ...], str] = {}
    for text in found:
        unique.setdefault(labels.words(text), text)
    return tuple(unique.values())


def variants(text: str) -> list[str]:
    """Shorter ways a candidate writes a label: « Durée moyenne de stockage en jours » →
    « Durée moyenne de stockage » ; « Montant total des avoirs » → « Montant des avoirs » ;
    « Panier moyen » → « PM » ; « Attente moyenne » → « Attente moy »."""
    found = [text]
    cut = re.split(r"\s+(?:en (?:jours?|%|valeur|nombre)|ou (?:moins|plus))\b", text)[0]
    if len(labels.words(cut)) >= 2:
        found.append(cut)
    untotalled = re.sub(r"^total (?:des |de |du |d')?|\s+totale?\b", "", text, flags=re.IGNORECASE)
    if untotalled != text and len(labels.words(untotalled)) >= 2:
        found.append(untotalled)
    found += [a for a in (abbreviated(t) for t in list(found)) if a]
    found += [a for a in (acronym(text),) if a]
    return found


def abbreviated(text: str) -> str | None:
    """« Attente moyenne » -> « Attente moy », « Marge unitaire » -> « Marge u »."""
    tokens = text.split()
    changed = [_SHORT_FORMS.get(labels.words(t)[0], t) if labels.words(t) else t for t in tokens]
    return " ".join(changed) if changed != tokens else None


def acronym(text: str) -> str | None:
    """« Panier moyen » -> « PM », « Stock final » -> « SF » (two or three words, not a rate)."""
    found = labels.words(text)
    if "(" in text or not 2 <= len(found) <= 3 or found[0] in _NO_ACRONYM:
        return None
    if not all(w.isalpha() and len(w) >= 4 for w in found):
        return None
    return initials(text)


def initials(text: str) -> str:
    return "".join(w[0] for w in labels.words(text)).upper()


def head_word(text: str) -> str | None:
    """The noun a label starts with, rate words aside (« Taux d'évolution » → évolution)."""
    for token in text.split():
        bare = token.rpartition("'")[2]
        found = labels.words(bare)
        if not found or found[0] in _WEAK_HEADS:
            continue
        return bare.strip(".:()") if found[0].isalpha() and len(found[0]) >= 4 else None
    return None


# --- names ------------------------------------------------------------------------------------


def slug(text: str, fallback: str) -> str:
    """A YAML- and formula-safe name from a label: « Devis émis » -> devis_emis (never a cell
    address such as « q06 », nor TRUE/FALSE)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    kept = [w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in _SLUG_STOPWORDS]
    name = "_".join(kept[:3]) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if re.fullmatch(r"[a-z]{1,3}\d+", name) or name in ("true", "false"):
        name += "_v"
    return name


def unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    return next(f"{name}_{n}" for n in itertools.count(2) if f"{name}_{n}" not in taken)
