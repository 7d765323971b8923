"""Grading cost per copy, case by case, beside the floors it is measured against.

Run with `make bench` (or `python benchmarks/bench_grade.py [--repeat N]`). For each case
(C20, C16, C21), on its bundled copies (solution and candidates), in one warm process:

- engine: CPU per copy of `autocorrect.api.grade`, median, in a process settled as a batch
  worker (`settle_collector`); "cold" empties the process-wide memo
  of formula results before each copy (a copy seen first), "warm" keeps it (a batch);
- the share of the grading spent locating answers by fingerprints (redrawn data sets, proofs,
  attribution), on the cold runs and on the warm ones;
- the openpyxl double-load floor: the time to load the file twice with openpyxl (formulas,
  then cached values), what the engine's reader did before it read each file once;
- a raw XML floor: the sheets' XML parsed by expat, nothing built (the least any reader pays);
- the `formulas` whole-workbook model (load and calculate), what a naive engine would pay.

Prints French Markdown tables for the README. CPU time (`time.process_time`) is used, so that
other processes on the machine count less; the machine load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from autocorrect.api import grade
from autocorrect.evaluate import evaluator
from autocorrect.grading import answers, bind
from autocorrect.rubric.load import load_rubric
from autocorrect.session.pool import settle_collector

ROOT = Path(__file__).resolve().parent.parent
CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs")


def copies(case: str) -> list[Path]:
    folder = ROOT / "fixtures" / case
    return [folder / "solution.xlsx", *sorted((folder / "submissions").glob("*.xlsx"))]


def cpu(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def median_cpu(paths: list[Path], action: Callable[[Path], object], repeat: int) -> float:
    """Median over the copies of each copy's median CPU over `repeat` runs."""
    return statistics.median(
        statistics.median(cpu(lambda p=path: action(p)) for _ in range(repeat)) for path in paths
    )


class FingerprintClock:
    """CPU spent binding answers by fingerprint, measured by wrapping the binder (for this
    benchmark only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        clock = self
        original = bind.Binder

        class TimedBinder(original):  # type: ignore[misc, valid-type]
            def __init__(self, *a: object, **k: object) -> None:
                start = time.process_time()
                super().__init__(*a, **k)
                clock.seconds += time.process_time() - start

            def bind(self, *a: object, **k: object) -> object:
                start = time.process_time()
                try:
                    return super().bind(*a, **k)
                finally:
                    clock.seconds += time.process_time() - start

        answers.Binder = TimedBinder  # type: ignore[misc]


def cold_grade(rubric: object) -> Callable[[Path], object]:
    def run(path: Path) -> object:
        evaluator._MEMO.clear()
        return grade(path, rubric)  # type: ignore[arg-type]

    return run


def openpyxl_double_load(path: Path) -> object:
    import openpyxl  # noqa: PLC0415 -- the measured library, imported where measured

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        openpyxl.load_workbook(path, keep_vba=False, keep_links=False)
        return openpyxl.load_workbook(path, data_only=True, keep_vba=False, keep_links=False)


def raw_xml_parse(path: Path) -> int:
    """Every worksheet's XML through expat, counting cells: the floor of any reader."""
    cells = 0

    def start(name: str, attributes: object) -> None:
        nonlocal cells
        cells += name == "c"

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                parser = expat.ParserCreate()
                parser.StartElementHandler = start
                parser.Parse(archive.read(name), True)
    return cells


def formulas_model(path: Path) -> object:
    import formulas  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return formulas.ExcelModel().loads(str(path)).finish().calculate()


def measure_case(case: str, repeat: int, clock: FingerprintClock) -> dict[str, float]:
    rubric = load_rubric(ROOT / "rubrics" / f"{case}.yaml")
    paths = copies(case)
    for path in paths:  # warm-up: imports, lazy function modules, case data, data sets
        grade(path, rubric)
    settle_collector()  # as a batch worker does once the rubric and the data are loaded
    clock.seconds = 0.0
    started = time.process_time()
    cold = median_cpu(paths, cold_grade(rubric), repeat)
    cold_total = time.process_time() - started
    share = clock.seconds / cold_total if cold_total else 0.0
    clock.seconds = 0.0
    started = time.process_time()
    warm = median_cpu(paths, lambda p: grade(p, rubric), repeat)
    warm_total = time.process_time() - started
    warm_share = clock.seconds / warm_total if warm_total else 0.0
    floor = median_cpu(paths, openpyxl_double_load, repeat)
    raw = median_cpu(paths, raw_xml_parse, repeat)
    sample = paths[:: max(1, len(paths) // 4)][:4]
    naive = median_cpu(sample, formulas_model, 1)
    return {"cold": cold, "warm": warm, "share": share, "warm_share": warm_share,
            "floor": floor, "raw": raw, "naive": naive}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs per copy")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    clock = FingerprintClock()
    results = {case: measure_case(case, args.repeat, clock) for case in CASES}
    machine = platform.processor() or platform.machine()
    print(f"Machine : {machine}, Python {platform.python_version()}, temps CPU par copie "
          f"(médiane des copies d'exemple, {args.repeat} essais chacune)\n")  # fmt: skip
    print("| cas | moteur, mémo vide | moteur, mémo chaud (lot) | part des empreintes "
          "(mémo vide / chaud) | "
          "openpyxl ×2 (plancher) | XML brut (plancher) | modèle `formulas` | "
          "moteur ÷ openpyxl ×2 | `formulas` ÷ moteur |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for case, r in results.items():
        print(f"| {case} | {_ms(r['cold'])} | {_ms(r['warm'])} | "
              f"{r['share']:.0%} / {r['warm_share']:.0%} | "
              f"{_ms(r['floor'])} | {_ms(r['raw'])} | {_ms(r['naive'])} | "
              f"{r['cold'] / r['floor']:.1f} × | {r['naive'] / r['cold']:.1f} × |")  # fmt: skip
    worst = min(r["naive"] / r["cold"] for r in results.values())
    print(f"\nObjectif : correction ≥ 5 × moins chère que le modèle `formulas` — mesuré "
          f"{worst:.1f} × au pire ({'atteint' if worst >= 5 else 'NON atteint'}).")  # fmt: skip
    exe = Path(sys.executable).with_name("autocorrect")
    first = copies(CASES[0])[0]
    rubric_path = ROOT / "rubrics" / f"{CASES[0]}.yaml"
    command = [str(exe), "grade", str(first), "--rubric", str(rubric_path)]
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
    print(f"Commande `autocorrect grade` à froid (imports compris, durée réelle) : "
          f"{statistics.median(walls):.2f} s")  # fmt: skip
    print(f"Charge de la machine (moyenne 1 min) : {load_before:.2f} avant, "
          f"{os.getloadavg()[0]:.2f} après.")  # fmt: skip


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
