"""Held-out copies: workbooks the engine is not tuned on, graded against an examiner's verdicts.

`fixtures/<case>/heldout/` holds LibreOffice-made copies written independently of the engine
(terse, English or missing labels, swapped labels, side-by-side tables, entities in labels,
moved tables, typical mistakes without a label, numbers typed in formulas, error carried
forward from an unlabelled cell) and an `intents.yaml` with the examiner's verdict for every
question. Every question verdict must match the examiner's, and over the whole set the
agreement, the share of `review` and the false credits are held to the targets below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autocorrect.report import Status
from tests.heldout import (
    CASES,
    agreement,
    all_comparisons,
    compare,
    graded,
    heldout_copies,
    heldout_folder,
    intents,
    rubric,
)

ALL = [(case, path) for case in CASES for path in heldout_copies(case)]
VERDICTS = {"correct", "consequential", "hardcoded", "incorrect", "missing"}
MAX_BYTES = 100_000
MIN_AGREEMENT = 0.98  # question verdicts agreeing with the examiner
MAX_REVIEW = 0.02  # question verdicts left to the jury


def _id(param: tuple[str, Path]) -> str:
    return f"{param[0]}/{param[1].stem}"


@pytest.mark.parametrize("case", CASES)
def test_each_case_has_enough_small_heldout_copies(case: str) -> None:
    copies = heldout_copies(case)
    assert len(copies) >= 4, f"{case} : moins de 4 copies hors échantillon"
    for path in copies:
        assert path.stat().st_size < MAX_BYTES, f"{path.name} : classeur trop gros"
    assert (heldout_folder(case) / "README.md").is_file()


@pytest.mark.parametrize("case", CASES)
def test_intents_give_a_verdict_to_every_question_of_every_copy(case: str) -> None:
    questions = [q.id for q in rubric(case).questions]
    declared = intents(case)
    assert set(declared) == {p.stem for p in heldout_copies(case)}
    for stem, intent in declared.items():
        verdicts = intent["verdicts"]
        assert isinstance(verdicts, dict)
        assert list(verdicts) == questions, stem
        assert set(verdicts.values()) <= VERDICTS, stem
        items = intent.get("items") or {}
        assert isinstance(items, dict)
        for q, per_item in items.items():
            assert q in verdicts, (stem, q)
            assert set(per_item.values()) <= VERDICTS, (stem, q)


@pytest.mark.parametrize(("case", "path"), ALL, ids=[_id(p) for p in ALL])
def test_heldout_copy_is_graded_and_its_intent_names_real_items(case: str, path: Path) -> None:
    report = graded(case, path)
    assert report.status == Status.GRADED, report.message
    assert compare(case, path).unknown_items == []


@pytest.mark.parametrize(("case", "path"), ALL, ids=[_id(p) for p in ALL])
def test_heldout_verdicts_match_the_examiner(case: str, path: Path) -> None:
    comparison = compare(case, path)
    assert not comparison.differences, "\n" + comparison.report()


def test_heldout_agreement_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    comparisons = all_comparisons()
    total = agreement(comparisons)
    assert total.verdicts == sum(len(rubric(c).questions) * len(heldout_copies(c)) for c in CASES)
    lines = [
        f"Copies hors échantillon : accord {total.agreeing}/{total.verdicts} verdicts "
        f"({total.share:.1%}), review {total.review_share:.1%}, "
        f"crédits à tort {total.false_credit}, éléments {total.items_agreeing}/{total.items} "
        f"({total.item_share:.1%})"
    ]
    for case in CASES:
        part = agreement(c for c in comparisons if c.case == case)
        lines.append(f"  {case} : {part.agreeing}/{part.verdicts} ({part.share:.1%})")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert total.share >= MIN_AGREEMENT
    assert total.review_share <= MAX_REVIEW
    assert total.false_credit == 0
