"""`autocorrect rubric draft`: a first rubric drafted from the examiner's solution workbook.

Every formula cell of the solution that answers an element of the statement becomes an item:

1. **where** (`layout`) — its row label and column header are matched against the
   statement's questions: an entity name (P1, Camille, janvier, Total) crossing a header that
   matches the question's title, or a label matching an element (« Taux de MCV » → C20-Q12
   « taux de MCV ») or the part of the title that names it;
2. **what it reads** (`methods`) — intermediate formula cells (a sub-total the statement
   does not ask for) are inlined, so that each answer reads only subject cells (declared in
   `inputs:`, named after the subject's headers: `inputs`), other answers (item references:
   the dependencies along which errors are carried forward) and constants;
3. **how it is computed** (`methods`) — the library's indicators whose parameters fit the
   distinct references are tried, binding them in every order (remaining numeric parameters
   taken from the formula's constants): those that reproduce the value are ranked, KPIs named
   like the item first, then generic ones (`ratio`, `somme`…); a KPI named after something
   else, or a known-mistake KPI, is never taken. Otherwise the examiner's formula itself is
   the reference (`formula:`, computed by the engine on the case data);
4. **how it is written** (`build`, `render`) — a row or column of copied formulas becomes a
   `for_each` over an entity group (entities and synonyms from the solution's and the
   subject's labels); the unit comes from the number format (%, €, date) or the result
   (« OUI »/« NON » is a flag, other texts a vocabulary); labels and synonyms come from the
   neighbouring cells and the title.

The result is commented YAML for the examiner to review, then `autocorrect rubric check`
and `autocorrect regress`. `verdict_agreement` measures a draft against a hand-written rubric
on graded submissions, question by question; `item_agreement` counts the hand-written rubric's
items the draft gets right as is (same key, same expected value, same verdict everywhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autocorrect.api import grade
from autocorrect.authoring.draft.build import Drafter
from autocorrect.authoring.draft.render import render
from autocorrect.authoring.enonce import load_enonce
from autocorrect.reading.workbook import load
from autocorrect.rubric.load import load_rubric

__all__ = ["Agreement", "draft_rubric", "item_agreement", "verdict_agreement"]


def draft_rubric(solution: Path, subject: Path, enonce: Path, rubric_path: Path) -> str:
    """Commented YAML of a rubric drafted from the examiner's solution workbook, to be
    written at `rubric_path` (its `subject:` is relative to that file) and reviewed.
    Raises WorkbookUnreadable or RubricError (French messages) for unreadable inputs."""
    draft = Drafter(load(solution), load(subject), load_enonce(enonce)).run()
    names = {"solution": solution, "subject": subject, "enonce": enonce}
    return render(draft, names, rubric_path)


@dataclass(frozen=True)
class Agreement:
    """How often a draft rubric gives the hand-written rubric's question verdicts."""

    verdicts: int
    agreeing: int
    differences: tuple[str, ...]  # « cand05 C20-Q15 : consequential (barème) ≠ incorrect… »

    @property
    def share(self) -> float:
        return self.agreeing / self.verdicts if self.verdicts else 1.0


def verdict_agreement(draft: Path, reference: Path, submissions: Iterable[Path]) -> Agreement:
    """Grade each submission with both rubrics and compare their question verdicts; a
    question the draft lacks counts as a disagreement."""
    drafted, written = load_rubric(draft), load_rubric(reference)
    total, agreeing, differences = 0, 0, []
    for path in sorted(submissions):
        mine = grade(path, drafted).verdicts()
        for qid, verdict in grade(path, written).verdicts().items():
            total += 1
            found = mine.get(qid, "absente")
            if found == verdict:
                agreeing += 1
            else:
                differences.append(f"{path.stem} {qid} : {verdict} (barème) ≠ {found} (brouillon)")
    return Agreement(total, agreeing, tuple(differences))


def item_agreement(draft: Path, reference: Path, workbooks: Iterable[Path]) -> Agreement:
    """Items of the hand-written rubric the draft has *usable as is*: an item with the same
    question and key whose expected value, and verdict, are the same on every workbook (the
    solution first, then the sample copies). A missing item, another key or a wrong value
    counts against the draft."""
    drafted, written = load_rubric(draft), load_rubric(reference)
    mine: dict[tuple[str, str], list[object]] = {}
    theirs: dict[tuple[str, str], list[object]] = {}
    names = []
    for path in workbooks:
        names.append(path.stem)
        for rubric, into in ((drafted, mine), (written, theirs)):
            for question in grade(path, rubric).questions:
                for item in question.items:
                    key = (question.id, item.key)
                    into.setdefault(key, []).append((str(item.verdict), _rounded(item.expected)))
    differences = []
    for key, outcomes in theirs.items():
        found = mine.get(key)
        if found != outcomes:
            differences.append(_item_difference(key, names, outcomes, found))
    total = len(theirs)
    return Agreement(total, total - len(differences), tuple(differences))


def _rounded(value: object) -> object:
    return round(value, 6) if isinstance(value, float) else str(value)


def _item_difference(
    key: tuple[str, str], names: list[str], expected: list[object], found: list[object] | None
) -> str:
    where = f"{key[0]}[{key[1]}]"
    if found is None:
        return f"{where} : absent du brouillon"
    first = next(i for i, (a, b) in enumerate(zip(expected, found, strict=True)) if a != b)
    return f"{where} : {names[first]} : {expected[first]} (barème) ≠ {found[first]} (brouillon)"
