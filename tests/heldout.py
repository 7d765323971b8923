"""The held-out copies (`fixtures/<case>/heldout/`) graded by the engine, against the examiner.

Shared by `tests/test_heldout.py` and `benchmarks/heldout_agreement.py`. An intent gives a
verdict to every question; `items:` gives per-item verdicts where a question's items differ
(items not listed are `correct`); a question without an `items:` entry has every item at the
question's verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from autocorrect.api import grade
from autocorrect.report import CandidateReport
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric

ROOT = Path(__file__).resolve().parent.parent
CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs")
CREDIT = frozenset({"correct", "consequential"})
NO_CREDIT = frozenset({"incorrect", "missing", "hardcoded"})


def heldout_folder(case: str) -> Path:
    return ROOT / "fixtures" / case / "heldout"


def heldout_copies(case: str) -> list[Path]:
    return sorted(heldout_folder(case).glob("*.xlsx"))


@cache
def intents(case: str) -> dict[str, dict[str, object]]:
    text = (heldout_folder(case) / "intents.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


@cache
def rubric(case: str) -> Rubric:
    return load_rubric(ROOT / "rubrics" / f"{case}.yaml")


@cache
def graded(case: str, path: Path) -> CandidateReport:
    return grade(path, rubric(case))


@dataclass(frozen=True)
class Comparison:
    """One held-out copy: the examiner's verdicts beside the engine's."""

    case: str
    stem: str
    intended: Mapping[str, str]  # question -> verdict
    engine: Mapping[str, str]
    intended_items: Mapping[str, Mapping[str, str]]  # question -> item key -> verdict
    engine_items: Mapping[str, Mapping[str, str]]

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(question, examiner, engine) for each question where they disagree."""
        return [
            (q, verdict, self.engine.get(q, "absent"))
            for q, verdict in self.intended.items()
            if self.engine.get(q) != verdict
        ]

    @property
    def item_differences(self) -> list[tuple[str, str, str, str]]:
        """(question, item, examiner, engine) for each item where they disagree."""
        out = []
        for q, items in self.intended_items.items():
            for key, verdict in items.items():
                found = self.engine_items.get(q, {}).get(key, "absent")
                if found != verdict:
                    out.append((q, key, verdict, found))
        return out

    @property
    def unknown_items(self) -> list[tuple[str, str]]:
        """Items an intent names that the engine's report does not list (a typo in the intent)."""
        return [
            (q, key)
            for q, items in self.intended_items.items()
            for key in items
            if key not in self.engine_items.get(q, {})
        ]

    @property
    def false_credit(self) -> list[tuple[str, str, str]]:
        """Questions credited by the engine that the examiner does not credit."""
        return [(q, i, e) for q, i, e in self.differences if i in NO_CREDIT and e in CREDIT]

    @property
    def reviews(self) -> int:
        return sum(self.engine.get(q) == "review" for q in self.intended)

    def report(self) -> str:
        """A French per-copy diff: question verdicts, then the items behind them."""
        lines = [f"{self.case}/{self.stem} : {len(self.differences)} verdict(s) différent(s)"]
        lines += [f"  {q} : examinateur {i}, moteur {e}" for q, i, e in self.differences]
        diff_q = {q for q, _, _ in self.differences}
        lines += [
            f"    {q}[{key}] : examinateur {i}, moteur {e}"
            for q, key, i, e in self.item_differences
            if q in diff_q
        ]
        return "\n".join(lines)


def _item_intents(
    intent: Mapping[str, object], report: CandidateReport
) -> dict[str, dict[str, str]]:
    """Every item's intended verdict, from `items:` or, failing it, the question's verdict."""
    verdicts: Mapping[str, str] = intent["verdicts"]  # type: ignore[assignment]
    listed: Mapping[str, Mapping[str, str]] = intent.get("items") or {}  # type: ignore[assignment]
    out: dict[str, dict[str, str]] = {}
    for question in report.questions:
        keys = [item.key for item in question.items]
        if question.id in listed:
            out[question.id] = {k: listed[question.id].get(k, "correct") for k in keys}
            out[question.id].update(listed[question.id])  # keep unknown keys visible
        else:
            out[question.id] = dict.fromkeys(keys, verdicts[question.id])
    return out


def compare(case: str, path: Path) -> Comparison:
    intent = intents(case)[path.stem]
    report = graded(case, path)
    return Comparison(
        case=case,
        stem=path.stem,
        intended=dict(intent["verdicts"]),  # type: ignore[call-overload]
        engine=report.verdicts(),
        intended_items=_item_intents(intent, report),
        engine_items={q.id: {i.key: str(i.verdict) for i in q.items} for q in report.questions},
    )


@dataclass(frozen=True)
class Agreement:
    """Counts over a set of copies."""

    verdicts: int
    agreeing: int
    reviews: int
    false_credit: int
    items: int
    items_agreeing: int

    @property
    def share(self) -> float:
        return self.agreeing / self.verdicts if self.verdicts else 0.0

    @property
    def review_share(self) -> float:
        return self.reviews / self.verdicts if self.verdicts else 0.0

    @property
    def item_share(self) -> float:
        return self.items_agreeing / self.items if self.items else 0.0


def agreement(comparisons: Iterable[Comparison]) -> Agreement:
    comparisons = list(comparisons)
    verdicts = sum(len(c.intended) for c in comparisons)
    items = sum(len(v) for c in comparisons for v in c.intended_items.values())
    return Agreement(
        verdicts=verdicts,
        agreeing=verdicts - sum(len(c.differences) for c in comparisons),
        reviews=sum(c.reviews for c in comparisons),
        false_credit=sum(len(c.false_credit) for c in comparisons),
        items=items,
        items_agreeing=items - sum(len(c.item_differences) for c in comparisons),
    )


def all_comparisons() -> list[Comparison]:
    return [compare(case, path) for case in CASES for path in heldout_copies(case)]
