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
from autocorrect.rubric.model import ID, ID_PATTERN

# a criterion opens its line (« - **C21-ecarts** — « … » »); the competence is mid-sentence
_CRITERION = re.compile(rf"^[ \t]*(?:[-*][ \t]+)?\*\*({ID_PATTERN})\*\*\s*[—–-]\s*«", re.M)
_ID_HEADERS = {"id", "identifiant", "n°", "no", "réf", "ref", "question"}
_CRITERION_QUESTIONS = re.compile(r"^\s*\(questions?\s+([^)]*)\)")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*|\s+(?:à|au)\s+")
_LISTED = re.compile(r"^[^()]*\(([^()]*[,;][^()]*)\)\s*$")  # « sources (Salon, Site web) »
_GRID = re.compile(r"^([A-Za-z])(\d+)$")  # one letter then a number: A01…B03
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
            "« | Id | Question | Éléments | » (une ligne par question, son identifiant en "
            "première colonne : C20-Q01, S2-Q01, D1.a…)"
        )
    return enonce


def parse_enonce(text: str) -> Enonce:
    lines = text.splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("# ")), "")
    return Enonce(title, tuple(_questions(lines)), tuple(_criteria(text)))


# --- questions ------------------------------------------------------------------------------


def _questions(lines: list[str]) -> list[EnonceQuestion]:
    """The rows of the tables headed « | Id | Question | Éléments | »: any id shape."""
    questions: list[EnonceQuestion] = []
    dossier, intro, in_table = "", "", False
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("|"):
            in_table = False
        if stripped.startswith("### "):
            dossier, intro = stripped[4:].strip(), ""
        elif stripped.startswith("#"):
            dossier, intro = "", ""
        elif stripped.startswith("|"):
            cells = _cells(stripped)
            if not in_table:
                in_table = _is_question_header(cells)
                continue
            question = _question_row(cells, questions, dossier, intro)
            if question is not None:
                questions.append(question)
        elif stripped:
            intro = stripped.replace("**", "")
    return questions


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _is_question_header(cells: list[str]) -> bool:
    return len(cells) >= 3 and cells[0].casefold().rstrip(".") in _ID_HEADERS


def _question_row(
    cells: list[str], previous: list[EnonceQuestion], dossier: str, intro: str
) -> EnonceQuestion | None:
    qid = cells[0].strip("*` ")
    if len(cells) < 3 or not ID.match(qid):
        return None  # the |---|---| line, or a row without an id
    before = previous[-1].elements if previous else ()
    return EnonceQuestion(qid, cells[1], expand_elements(cells[2], before), dossier, intro)


def expand_elements(cell: str, previous: tuple[Element, ...] = ()) -> tuple[Element, ...]:
    """ "P1…P5, Total" -> P1, P2, P3, P4, P5, Total; "idem" -> the previous question's;
    "P1 à P5" like "P1…P5"; "A01…B03" -> A01, A02, A03, B01, B02, B03; "sources (Salon,
    Site web)" -> Salon, Site web."""
    if cell.strip().casefold().rstrip(".") == "idem":
        return previous
    elements: list[Element] = []
    for part in (p.strip() for p in _top_level_split(cell)):
        if part:
            elements.extend(_expand_part(part))
    return tuple(elements)


def _top_level_split(cell: str) -> list[str]:
    """Split on the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in cell:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _expand_part(part: str) -> list[Element]:
    listed = _LISTED.match(part)
    if listed is not None:
        listed_names = [n.strip() for n in re.split(r"[,;]", listed.group(1)) if n.strip()]
        return [Element(name, part) for name in listed_names]
    ends = _ELLIPSIS.split(part)
    if len(ends) != 2:
        return [Element(part)]
    names = _run(ends[0].strip(), ends[1].strip())
    if names is None:
        return [Element(part)]
    return [Element(name, part) for name in names]


def _run(first: str, last: str) -> list[str] | None:
    """The names from `first` to `last`: numbered (P01…P10), months (janvier…juin), or a
    letter-and-number grid (A01…B03: A01 to A03, then B01 to B03)."""
    months = [m.casefold() for m in MONTHS]
    if first.casefold() in months and last.casefold() in months:
        start, end = months.index(first.casefold()), months.index(last.casefold())
        return list(MONTHS[start : end + 1]) if start <= end else None
    a, b = _NUMBERED.match(first), _NUMBERED.match(last)
    if a is None or b is None:
        return None
    if a.group(1) != b.group(1):
        return _grid(first, last)
    return _numbers(a.group(1), a.group(2), b.group(2))


def _numbers(prefix: str, low_text: str, high_text: str) -> list[str] | None:
    low, high = int(low_text), int(high_text)
    if not 0 <= high - low <= 500:
        return None
    width = len(low_text) if low_text.startswith("0") else 0
    return [f"{prefix}{n:0{width}d}" for n in range(low, high + 1)]


def _grid(first: str, last: str) -> list[str] | None:
    a, b = _GRID.match(first), _GRID.match(last)
    if a is None or b is None or a.group(1).isupper() != b.group(1).isupper():
        return None
    letters = range(ord(a.group(1)), ord(b.group(1)) + 1)
    numbers = _numbers("", a.group(2), b.group(2))
    if not letters or numbers is None or len(letters) > 26:
        return None
    return [f"{chr(letter)}{n}" for letter in letters for n in numbers]


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
    parts = re.split(r"\s*(?:,|;|\bet\b)\s*", match.group(1))
    ids = tuple(p.strip("*` .") for p in parts if ID.match(p.strip("*` .")))
    return ids or None
