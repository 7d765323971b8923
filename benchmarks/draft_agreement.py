"""How well a rubric drafted from the examiner's solution grades like the hand-written one.

For each case, the rubric is drafted from `fixtures/<case>/solution.xlsx` with no manual edit
and written next to a copy of the rubrics (`rubrics/draft-<case>.yaml` in a temporary copy of
the repository layout); the case's fixtures are graded with the draft and with the hand-written
rubric, and the share of question verdicts that agree is printed as a Markdown table, with the
verdicts that differ and what `rubric check` says of the draft.

Then, for the case the draft was never tuned on (`c21-cyclea`, a new session with its own ids
and transaction-level exports), the share of the hand-written rubric's items the draft gets
*usable as is*: same question and key, same expected value and same verdict on the solution
and on every sample copy (`item_agreement`). Target: 90 %.

    .venv/bin/python benchmarks/draft_agreement.py [--keep DOSSIER]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autocorrect.authoring.check import check_rubric
from autocorrect.authoring.draft import draft_rubric, item_agreement, verdict_agreement

ROOT = Path(__file__).resolve().parent.parent
CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs")
UNSEEN = "c21-cyclea"  # written before the draft was tuned, never tuned against
TARGET = 0.90


def _draft(layout: Path, case: str) -> tuple[Path, float]:
    folder = layout / "fixtures" / case
    path = layout / "rubrics" / f"draft-{case}.yaml"
    start = time.perf_counter()
    text = draft_rubric(folder / "solution.xlsx", folder / "sujet.xlsx", folder / "enonce.md", path)
    path.write_text(text, encoding="utf-8")
    return path, time.perf_counter() - start


def _report(layout: Path) -> None:
    print("| cas | verdicts comparés | identiques | accord | brouillon | rubric check |")
    print("|---|---|---|---|---|---|")
    details = []
    for case in CASES:
        path, seconds = _draft(layout, case)
        submissions = (ROOT / "fixtures" / case / "submissions").glob("*.xlsx")
        agreement = verdict_agreement(path, ROOT / "rubrics" / f"{case}.yaml", submissions)
        check = check_rubric(path)
        golden = sum("(référence " in p for p in check.problems)
        verdict = "OK" if check.ok else f"{len(check.problems)} écart(s) ({golden} aux goldens)"
        print(f"| {case} | {agreement.verdicts} | {agreement.agreeing} | "
              f"{agreement.share:.1%} | {seconds:.1f} s | {verdict} |")  # fmt: skip
        details += [f"- {case} : {d}" for d in agreement.differences]
    print("\nVerdicts différents (barème écrit à la main ≠ brouillon) :")
    print("\n".join(details) or "- aucun")
    _report_unseen(layout)


def _report_unseen(layout: Path) -> None:
    path, seconds = _draft(layout, UNSEEN)
    folder = ROOT / "fixtures" / UNSEEN
    workbooks = [folder / "solution.xlsx", *sorted((folder / "submissions").glob("*.xlsx"))]
    items = item_agreement(path, ROOT / "rubrics" / f"{UNSEEN}.yaml", workbooks)
    check = check_rubric(path)
    verdict = "OK" if check.ok else f"{len(check.problems)} écart(s)"
    status = "atteint" if items.share >= TARGET else "NON atteint"
    print(f"\n## Cas jamais vu pendant la mise au point : {UNSEEN}\n")
    print("| éléments du barème | utilisables tels quels | part | objectif | brouillon | check |")
    print("|---|---|---|---|---|---|")
    print(f"| {items.verdicts} | {items.agreeing} | {items.share:.1%} | {TARGET:.0%} ({status}) "
          f"| {seconds:.1f} s | {verdict} |")  # fmt: skip
    print("\nÉléments non utilisables tels quels :")
    print("\n".join(f"- {d}" for d in items.differences) or "- aucun")
    print("\n".join(f"- rubric check : {p}" for p in check.problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="dossier où garder les brouillons écrits")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        layout = Path(temporary)
        (layout / "fixtures").symlink_to(ROOT / "fixtures", target_is_directory=True)
        (layout / "rubrics").mkdir()
        _report(layout)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (layout / "rubrics").glob("*.yaml"):
                shutil.copy(path, args.keep / path.name)
            print(f"\nBrouillons copiés dans {args.keep}")


if __name__ == "__main__":
    main()
