"""The exam statement (`enonce.md`): question ids, titles, criteria and expected elements.

The statement is the examiner's markdown: one table per dossier,

    | Id | Question | Éléments |
    |---|---|---|
    | C20-Q06 | Chiffre d'affaires HT de chaque produit et total | P1…P5, Total |
    | C20-Q18 | Taux de concrétisation (ventes / devis) | idem |

and the objective criteria as `**C16-matrice** — « libellé » (questions C16-Q07, C16-Q08)`.
The « Éléments » column names what each question expects: a series (`P1…P5`, `P01…P10`,
`janvier…juin`), a list (`MCV, taux de MCV`), or `idem` (the previous question's elements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autocorrect.errors import RubricError

_QUESTION_ID = re.compile(r"^C\d+-Q\d+$")
_CRITERION = re.compile(r"\*\*(C\d+-[\w-]+)\*\*\s*[—–-]\s*«")
_CRITERION_QUESTIONS = re.compile(r"^\s*\(questions?\s+([^)]*)\)")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_FOR_EACH = re.compile(r"\bpour chaque ([\wéèêàâîôûç'-]+)", re.IGNORECASE)
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(frozen=True)
class Element:
    """One expected element of a question; `series` names the run it was expanded from."""

    name: str
    series: str | None = None  # "P1…P5" for P3; None for a listed element ("Total", "CV")


@dataclass(frozen=True)
class EnonceQuestion:
    id: str
    title: str
    elements: tuple[Element, ...]
    dossier: str = ""  # "Dossier 1 — Marges par produit (annexe 1)"
    intro: str = ""  # the sentence above the table ("Pour chaque commercial et pour l'équipe")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.elements)


@dataclass(frozen=True)
class EnonceCriterion:
    id: str
    label: str
    questions: tuple[str, ...] | None  # None: every question of the statement


@dataclass(frozen=True)
class Enonce:
    title: str
    questions: tuple[EnonceQuestion, ...]
    criteria: tuple[EnonceCriterion, ...]

    def criteria_of(self, qid: str) -> tuple[str, ...]:
        """The criteria a question counts for, in the statement's order."""
        return tuple(c.id for c in self.criteria if c.questions is None or qid in c.questions)


def load_enonce(path: Path) -> Enonce:
    """Read and parse a statement; RubricError (French) when unreadable or without questions."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(f"{path} : énoncé illisible ({exc.strerror}).") from exc
    enonce = parse_enonce(text)
    if not enonce.questions:
        raise RubricError(
            f"{path} : aucune question trouvée ; l'énoncé doit contenir un tableau "
            "« | Id | Question | Éléments | » avec des identifiants C20-Q01…"
        )
    return enonce


def parse_enonce(text: str) -> Enonce:
    lines = text.splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("# ")), "")
    return Enonce(title, tuple(_questions(lines)), tuple(_criteria(text)))


# --- questions ------------------------------------------------------------------------------


def _questions(lines: list[str]) -> list[EnonceQuestion]:
    questions: list[EnonceQuestion] = []
    dossier, intro = "", ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("### "):
            dossier, intro = stripped[4:].strip(), ""
        elif stripped.startswith("#"):
            dossier, intro = "", ""
        elif stripped.startswith("|"):
            question = _question_row(stripped, questions, dossier, intro)
            if question is not None:
                questions.append(question)
        elif stripped:
            intro = stripped.replace("**", "")
    return questions


def _question_row(
    line: str, previous: list[EnonceQuestion], dossier: str, intro: str
) -> EnonceQuestion | None:
    cells = [c.strip() for c in line.strip("|").split("|")]
    if len(cells) < 3 or not _QUESTION_ID.match(cells[0]):
        return None
    before = previous[-1].elements if previous else ()
    return EnonceQuestion(cells[0], cells[1], expand_elements(cells[2], before), dossier, intro)


def expand_elements(cell: str, previous: tuple[Element, ...] = ()) -> tuple[Element, ...]:
    """ "P1…P5, Total" -> P1, P2, P3, P4, P5, Total; "idem" -> the previous question's."""
    if cell.strip().casefold().rstrip(".") == "idem":
        return previous
    elements: list[Element] = []
    for part in (p.strip() for p in cell.split(",")):
        if part:
            elements.extend(_expand_part(part))
    return tuple(elements)


def _expand_part(part: str) -> list[Element]:
    ends = _ELLIPSIS.split(part)
    if len(ends) != 2:
        return [Element(part)]
    names = _run(ends[0], ends[1])
    if names is None:
        return [Element(part)]
    return [Element(name, part) for name in names]


def _run(first: str, last: str) -> list[str] | None:
    """The names from `first` to `last`: numbered (P01…P10) or months (janvier…juin)."""
    months = [m.casefold() for m in MONTHS]
    if first.casefold() in months and last.casefold() in months:
        start, end = months.index(first.casefold()), months.index(last.casefold())
        return list(MONTHS[start : end + 1]) if start <= end else None
    a, b = _NUMBERED.match(first), _NUMBERED.match(last)
    if a is None or b is None or a.group(1) != b.group(1):
        return None
    low, high = int(a.group(2)), int(b.group(2))
    if not 0 <= high - low <= 500:
        return None
    width = len(a.group(2)) if a.group(2).startswith("0") else 0
    return [f"{a.group(1)}{n:0{width}d}" for n in range(low, high + 1)]


def for_each_word(question: EnonceQuestion) -> str | None:
    """The noun after « pour chaque » / « de chaque » in the title or the table's intro."""
    for text in (question.title, question.intro):
        match = _FOR_EACH.search(text) or re.search(r"\bde chaque ([\wéèêàâîôûç'-]+)", text)
        if match:
            return match.group(1)
    return None


# --- criteria -------------------------------------------------------------------------------


def _criteria(text: str) -> list[EnonceCriterion]:
    criteria: list[EnonceCriterion] = []
    seen: set[str] = set()
    for match in _CRITERION.finditer(text):
        label, end = _guillemets(text, match.end())
        if match.group(1) in seen or label is None:
            continue
        seen.add(match.group(1))
        criteria.append(EnonceCriterion(match.group(1), label, _criterion_scope(text[end:])))
    return criteria


def _guillemets(text: str, start: int) -> tuple[str | None, int]:
    """The text up to the « that closes the one just before `start` (nesting allowed)."""
    depth = 1
    for index in range(start, len(text)):
        char = text[index]
        if char == "«":
            depth += 1
        elif char == "»":
            depth -= 1
            if depth == 0:
                return " ".join(text[start:index].split()), index + 1
    return None, start


def _criterion_scope(after: str) -> tuple[str, ...] | None:
    match = _CRITERION_QUESTIONS.match(after)
    if match is None:
        return None
    ids = tuple(re.findall(r"C\d+-Q\d+", match.group(1)))
    return ids or None
