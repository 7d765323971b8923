"""Grading speed, measured: warm process (the batch case) and cold command line.

Run with `make bench`. Prints a Markdown table for the README. Timings are wall-clock on the
machine at hand; the numbers in the README say which machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from autocorrect.api import grade
from autocorrect.evaluate import evaluator
from autocorrect.grading import answers, bind
from autocorrect.reading.workbook import load
from autocorrect.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "c20-bureau-plus"
RUBRIC = ROOT / "rubrics" / "c20-bureau-plus.yaml"


def _timed(func: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


class _FingerprintClock:
    """Time spent binding answers by fingerprint (redrawn data sets, proofs), measured by
    wrapping the binder for the benchmark only."""

    def __init__(self) -> None:
        self.seconds = 0.0
        original = bind.Binder

        clock = self

        class TimedBinder(original):  # type: ignore[misc, valid-type]
            def __init__(self, *a: object, **k: object) -> None:
                start = time.perf_counter()
                super().__init__(*a, **k)
                clock.seconds += time.perf_counter() - start

            def bind(self, *a: object, **k: object) -> object:
                start = time.perf_counter()
                try:
                    return super().bind(*a, **k)
                finally:
                    clock.seconds += time.perf_counter() - start

        answers.Binder = TimedBinder  # type: ignore[misc]


def _cold_memo(func: object) -> object:
    """Each run starts with an empty formula memo: the cost of a copy seen first."""

    def run() -> object:
        evaluator._MEMO.clear()
        return func()  # type: ignore[operator]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="runs per file (warm)")
    args = parser.parse_args()
    rubric = load_rubric(RUBRIC)
    files = [FIXTURES / "solution.xlsx", *sorted((FIXTURES / "submissions").glob("*.xlsx"))]
    for path in files:  # warm-up: imports, lazy function modules, compiled shapes, case data
        grade(path, rubric)
    machine = platform.processor() or platform.machine()
    print(f"Machine : {machine}, Python {platform.python_version()}")
    print("| fichier | lecture (openpyxl ×2) médiane | correction complète médiane | p90 |")
    print("|---|---|---|---|")
    medians = []
    clock = _FingerprintClock()
    total = 0.0
    for path in files:
        read = _timed(lambda p=path: load(p), args.repeat)
        full = _timed(_cold_memo(lambda p=path: grade(p, rubric)), args.repeat)
        total += sum(full)
        medians.append(statistics.median(full))
        p90 = statistics.quantiles(full, n=10)[-1]
        print(f"| {path.stem} | {statistics.median(read) * 1000:.0f} ms | "
              f"{statistics.median(full) * 1000:.0f} ms | {p90 * 1000:.0f} ms |")  # fmt: skip
    print(f"\nMédiane sur {len(files)} copies (processus chaud, mémo des formules vidé avant "
          f"chaque copie) : {statistics.median(medians) * 1000:.0f} ms par copie")  # fmt: skip
    print(f"Part des empreintes (jeux de données modifiés, preuves, attribution) : "
          f"{clock.seconds / total:.0%} du temps de correction")  # fmt: skip
    warm = [statistics.median(_timed(lambda p=p: grade(p, rubric), args.repeat)) for p in files]
    print(f"Avec le mémo des formules chaud (cas d'un lot) : "
          f"{statistics.median(warm) * 1000:.0f} ms par copie")  # fmt: skip
    exe = Path(sys.executable).with_name("autocorrect")
    cold = _timed(
        lambda: subprocess.run([str(exe), "grade", str(files[0]), "--rubric", str(RUBRIC)],
                               capture_output=True, check=True),
        5,
    )  # fmt: skip
    print(f"Commande `autocorrect grade` à froid (imports compris) : "
          f"{statistics.median(cold):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
