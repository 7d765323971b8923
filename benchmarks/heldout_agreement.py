"""How closely the engine grades like an examiner on copies it was not tuned on.

Grades every held-out copy (`fixtures/<case>/heldout/*.xlsx`) with the case's rubric and
compares the question verdicts with the examiner's (`heldout/intents.yaml`). Prints, per case
and overall, as a Markdown table: the share of verdicts that agree, the share of `review`, and
the false credits (the engine says correct or consequential where the examiner says incorrect,
missing or hardcoded); then each disagreement, copy by copy.

    .venv/bin/python benchmarks/heldout_agreement.py [--details]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/heldout.py holds the comparison shared with the tests

from tests.heldout import CASES, Agreement, agreement, compare, heldout_copies  # noqa: E402


def _row(name: str, part: Agreement, copies: int) -> str:
    return (
        f"| {name} | {copies} | {part.verdicts} | {part.agreeing} | {part.share:.1%} | "
        f"{part.review_share:.1%} | {part.false_credit} | {part.item_share:.1%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--details", action="store_true", help="afficher aussi les éléments en désaccord"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    comparisons = [compare(case, path) for case in CASES for path in heldout_copies(case)]
    print(
        "| cas | copies | verdicts | identiques | accord | review | crédits à tort | "
        "accord par élément |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case in CASES:
        mine = [c for c in comparisons if c.case == case]
        print(_row(case, agreement(mine), len(mine)))
    print(_row("**total**", agreement(comparisons), len(comparisons)))
    print(f"\n{len(comparisons)} copies corrigées en {time.perf_counter() - start:.1f} s.")
    print("\nVerdicts différents (examinateur → moteur) :")
    for comparison in comparisons:
        if comparison.differences:
            text = comparison.report()
            if not args.details:
                text = "\n".join(line for line in text.splitlines() if "[" not in line)
            print(text)
    credited = [(c, q, i, e) for c in comparisons for q, i, e in c.false_credit]
    print("\nCrédits à tort :")
    print("\n".join(f"- {c.case}/{c.stem} {q} : {i} → {e}" for c, q, i, e in credited) or "- aucun")


if __name__ == "__main__":
    main()
