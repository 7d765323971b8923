"""The slowest workbooks of the shared corpus, graded alone (`make bench`).

Every file of `../shared/corpus` (real-world workbooks from spreadsheet libraries' test suites:
not exam copies, many of them large or strange) is graded with the C20 rubric in this process,
one after the other: CPU time of this process, and elapsed time (which includes the
LibreOffice conversion of .xls/.ods files, made by another process). Prints the slowest files
by elapsed time and the target: no workbook takes more than 10 s alone. Skipped, with a
message, when the corpus is absent.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from autocorrect.api import grade
from autocorrect.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TARGET_S = 10.0
SHOWN = 5


def main() -> None:
    if not CORPUS.is_dir():
        print(f"Corpus partagé absent ({CORPUS}) : mesure non faite.")
        return
    rubric = load_rubric(ROOT / "rubrics" / "c20-bureau-plus.yaml")
    load_before = os.getloadavg()[0]
    timings = []
    for path in sorted(p for p in CORPUS.iterdir() if p.name != "MANIFEST.tsv"):
        started, cpu = time.perf_counter(), time.process_time()
        status = grade(path, rubric).status.value
        elapsed = time.perf_counter() - started
        timings.append((elapsed, path.name, status, time.process_time() - cpu))
    timings.sort(reverse=True)
    print(f"### Corpus partagé : {len(timings)} classeurs corrigés un à un\n")
    print("| classeur | statut | durée | dont CPU du moteur |")
    print("|---|---|---|---|")
    for seconds, name, status, cpu_s in timings[:SHOWN]:
        print(f"| {name} | {status} | {seconds:.1f} s | {cpu_s:.1f} s |")
    worst = timings[0][0]
    verdict = "atteint" if worst <= TARGET_S else "NON atteint"
    print(f"\nObjectif : aucun classeur > {TARGET_S:.0f} s seul — le plus lent : {worst:.1f} s "
          f"({verdict}) ; total {sum(t[0] for t in timings):.0f} s.")  # fmt: skip
    print(f"Charge de la machine (moyenne 1 min) : {load_before:.2f} avant, "
          f"{os.getloadavg()[0]:.2f} après.")  # fmt: skip


if __name__ == "__main__":
    main()
