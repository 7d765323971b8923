"""The synonym index never leaves out a list that scores: for any label, every synonym list
with a score above zero is among its candidates (the index only skips work)."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from autocorrect.grading.labels import SynonymIndex, best_score
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from tests.conftest import ROOT

CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs", "c21-cyclea")


@cache
def _rubric(case: str) -> Rubric:
    return load_rubric(ROOT / "rubrics" / f"{case}.yaml")


@cache
def _lists() -> tuple[tuple[str, ...], ...]:
    found: list[tuple[str, ...]] = []
    for case in CASES:
        for question in _rubric(case).questions:
            for item in question.items:
                found.extend(g for g in (item.labels, item.measure_labels) if g)
    return tuple(dict.fromkeys(found))


@cache
def _vocabulary() -> tuple[str, ...]:
    words = {w for synonyms in _lists() for s in synonyms for w in s.split()}
    return tuple(sorted(words))


def _variant(word: str, how: int) -> str:
    """The word as a candidate may write it: as is, cut short with a dot, upper-case, or
    with another ending."""
    if how == 1 and len(word) > 3:
        return word[:3] + "."
    if how == 2:
        return word.upper()
    if how == 3 and len(word) > 6:
        return word[:6] + "ion"
    return word


@st.composite
def labels(draw: st.DrawFn) -> str:
    vocabulary = _vocabulary()
    picked = draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=6))
    hows = draw(st.lists(st.integers(0, 3), min_size=len(picked), max_size=len(picked)))
    extra = draw(st.sampled_from(["", " (%)", " €", " total", " moy.", " S.R."]))
    return " ".join(_variant(w, h) for w, h in zip(picked, hows, strict=True)) + extra


@settings(max_examples=300, deadline=None)
@given(labels())
def test_every_scoring_list_is_a_candidate(label: str) -> None:
    lists = _lists()
    index = SynonymIndex(lists)
    scoring = {i for i, synonyms in enumerate(lists) if best_score(label, synonyms) > 0}
    assert scoring <= index.candidates(label)


def test_the_index_skips_lists_that_share_no_word() -> None:
    lists = _lists()
    index = SynonymIndex(lists)
    assert index.candidates("Numéro de téléphone du client") != set(range(len(lists)))
    assert index.candidates("Lorem ipsum dolor") == set()
    scoring = {i for i, s in enumerate(lists) if best_score("Taux de marque global", s) > 0}
    assert scoring and scoring <= index.candidates("Taux de marque global")
