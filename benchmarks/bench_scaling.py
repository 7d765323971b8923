"""Scaling series: how grading time grows with the size of a workbook, measured.

Copies are generated from the bundled fixtures the way a stranger's workbook would look, into a
temporary folder (never committed):

- `c20_blocks(n)`: the C20 solution with its answer blocks (labels and formulas of the
  « Calculs » sheet) written n times: the copies stacked under the first one and, one in
  three, on a sheet « Brouillon » (a candidate's drafts, tests, copies kept « au cas où »);
- `c20_whole_columns()`: the C20 solution whose team totals read whole columns of the sales
  annex (`=SUM('Annexe 4 - Commerciaux'!G:G)/SUM(…!J:J)`), as a candidate may write them;
  `stray=` adds one value typed far down a column those references read (J50000);
- `c16_respondents(n)`: the C16 subject and solution with n survey respondents instead of 20
  (answers drawn at random in the subject's scales, formulas extended to the new range as a
  candidate would), with the matching rubric (its `subject:` and `inputs:` follow).

Run with `make bench` or `python benchmarks/bench_scaling.py [--repeat N]`: prints a French
Markdown table of the grading CPU per copy (warm process, median of N runs) and the slopes.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.worksheet.worksheet import Worksheet

from autocorrect import french
from autocorrect.api import grade
from autocorrect.report import CandidateReport
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric
from autocorrect.session.pool import settle_collector

ROOT = Path(__file__).resolve().parent.parent
C20 = ROOT / "fixtures" / "c20-bureau-plus"
C20_RUBRIC = ROOT / "rubrics" / "c20-bureau-plus.yaml"
C16 = ROOT / "fixtures" / "c16-aquapro"
C16_RUBRIC = ROOT / "rubrics" / "c16-aquapro.yaml"

ANSWER_SHEET = "Calculs"
DRAFT_SHEET = "Brouillon"
BLOCK_ROWS = 70  # the answer blocks fill A1:J66; a copy every 70 rows
SALES_ANNEX = "Annexe 4 - Commerciaux"
STRAY_CELL = "J50000"
SURVEY_ANNEX = "Annexe 1 - Réponses"
SURVEY_FIRST_ROW = 5
SURVEY_ROWS = 20  # respondents in the subject
SOLICITED_PER_RESPONDENT = 64 / 20  # the subject's response rate, kept


# --- C20: copied answer blocks ----------------------------------------------------------------


def c20_blocks(copies: int, folder: Path) -> Path:
    """The C20 solution with its answer blocks written `copies` times (1: the solution as
    openpyxl saves it, no cached values, so that every copy of the series is read alike)."""
    book = load_workbook(C20 / "solution.xlsx")
    source = book[ANSWER_SHEET]
    cells = [
        (c.row, c.column, c.value, c.number_format)
        for row in source.iter_rows()
        for c in row
        if c.value is not None
    ]
    draft: Worksheet | None = None
    placed = {ANSWER_SHEET: 1, DRAFT_SHEET: 0}  # blocks already on each sheet
    for index in range(1, copies):
        on_draft = index % 3 == 2
        if on_draft and draft is None:
            draft = book.create_sheet(DRAFT_SHEET)
        target = draft if on_draft and draft is not None else source
        shift = placed[target.title] * BLOCK_ROWS
        placed[target.title] += 1
        for row, col, value, number_format in cells:  # pasted with its format, as Excel does
            target.cell(row + shift, col, _shifted(value, shift)).number_format = number_format
    path = folder / f"c20-blocs-{copies}.xlsx"
    book.save(path)
    return path


def _shifted(value: object, rows: int) -> object:
    """A formula moved `rows` rows down, as a copy-paste does to references to its own sheet;
    references to the annexes stay (the copy reads the same data)."""
    if not isinstance(value, str) or not value.startswith("=") or rows == 0:
        return value
    tokens = Tokenizer(value).items
    parts = []
    for token in tokens:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE and "!" not in token.value:
            parts.append(Translator.translate_range(token.value, rows, 0))
        else:
            parts.append(token.value)
    return "=" + "".join(parts)


# --- C20: whole-column references and a stray cell --------------------------------------------

# The team row of Dossier 3 written with whole columns of the sales annex.
_WHOLE_COLUMN_TEAM = {
    "B34": "=SUM('{a}'!F:F)/SUM('{a}'!B:B)",
    "C34": "=SUM('{a}'!F:F)/SUM('{a}'!E:E)",
    "D34": "=SUM('{a}'!G:G)/SUM('{a}'!J:J)",
    "E34": "=SUM('{a}'!G:G)-SUM('{a}'!J:J)",
    "F34": "=SUM('{a}'!G:G)/SUM('{a}'!F:F)",
    "G34": "=SUM('{a}'!I:I)/SUM('{a}'!F:F)",
}


def c20_whole_columns(folder: Path, stray: object = None, cell: str = STRAY_CELL) -> Path:
    """The C20 solution whose team totals read whole columns; with `stray`, that value typed
    in `cell` of the sales annex, far below its table (a note, a test, a slip of the mouse)."""
    book = load_workbook(C20 / "solution.xlsx")
    for ref, formula in _WHOLE_COLUMN_TEAM.items():
        book[ANSWER_SHEET][ref] = formula.format(a=SALES_ANNEX)
    name = "c20-colonnes"
    if stray is not None:
        book[SALES_ANNEX][cell] = stray
        name += f"-isolee-{cell}"
    path = folder / f"{name}.xlsx"
    book.save(path)
    return path


# --- C16: more survey respondents -------------------------------------------------------------

_ROW_24 = re.compile(r"(\$?[A-Z]{1,3}\$?)24(?![0-9])")


def c16_respondents(n: int, folder: Path) -> tuple[Path, Path]:
    """(solution, rubric) of C16 with `n` survey respondents: the subject's table grows to n
    rows (answers drawn at random in the subject's scales, same segments), the solution's
    formulas read the new range, the rubric's subject and inputs follow."""
    case = folder / f"c16-{n}"
    case.mkdir(parents=True, exist_ok=True)
    rows = _draw_respondents(n)
    subject = load_workbook(C16 / "sujet.xlsx")
    _fill_survey(subject[SURVEY_ANNEX], rows)
    subject.save(case / "sujet.xlsx")
    solution = load_workbook(C16 / "solution.xlsx")
    _fill_survey(solution[SURVEY_ANNEX], rows)
    last = SURVEY_FIRST_ROW + n - 1
    for sheet in solution.worksheets:
        if sheet.title == SURVEY_ANNEX:
            continue
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and SURVEY_ANNEX in c.value:
                    c.value = _ROW_24.sub(lambda m: f"{m.group(1)}{last}", c.value)
    solution_path = case / "solution.xlsx"
    solution.save(solution_path)
    rubric_path = case / "rubric.yaml"
    rubric_path.write_text(_scaled_rubric(case / "sujet.xlsx", last), encoding="utf-8")
    return solution_path, rubric_path


def _draw_respondents(n: int) -> list[list[object]]:
    """n rows like the subject's: id, segment, 7 expectations and 7 satisfactions (1-5),
    overall satisfaction (1-5), recommendation (0-10), yearly sales, complaints."""
    original = load_workbook(C16 / "sujet.xlsx")[SURVEY_ANNEX]
    segments = [original.cell(SURVEY_FIRST_ROW + i, 2).value for i in range(SURVEY_ROWS)]
    draw = random.Random(n)
    rows: list[list[object]] = []
    for i in range(n):
        notes = [draw.randint(1, 5) for _ in range(15)]
        sales = draw.randrange(2_000, 60_000, 100)
        rows.append([f"R{i + 1:04d}", draw.choice(segments), *notes, draw.randint(0, 10), sales,
                     draw.randint(0, 4)])  # fmt: skip
    return rows


def _fill_survey(sheet: Worksheet, rows: list[list[object]]) -> None:
    for r in range(SURVEY_FIRST_ROW, sheet.max_row + 1):
        for c in range(1, sheet.max_column + 1):
            sheet.cell(r, c).value = None
    for offset, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            sheet.cell(SURVEY_FIRST_ROW + offset, col, value)
    sheet["C2"] = round(len(rows) * SOLICITED_PER_RESPONDENT)


def _scaled_rubric(subject: Path, last: int) -> str:
    """The C16 rubric on the scaled subject: survey ranges end at `last`; the `check:`
    cross-checks (figures of the original subject) are left out."""
    lines = []
    for original in C16_RUBRIC.read_text(encoding="utf-8").splitlines():
        line = original
        if line.strip().startswith("check:"):
            continue
        if line.startswith("subject:"):
            line = f"subject: {subject}"
        elif SURVEY_ANNEX in line:
            line = _ROW_24.sub(lambda m: f"{m.group(1)}{last}", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- measuring --------------------------------------------------------------------------------


def cpu_per_copy(path: Path, rubric: Rubric, repeat: int) -> tuple[float, CandidateReport]:
    """Median CPU seconds of grading `path` in a warm process (first run discarded), with the
    garbage collector settled as in a batch worker."""
    report = grade(path, rubric)
    settle_collector()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        grade(path, rubric)
        times.append(time.process_time() - start)
    return statistics.median(times), report


def verdicts(report: CandidateReport) -> dict[str, str]:
    return {q.id: q.verdict.value for q in report.questions}


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (size, seconds)."""
    xs, ys = zip(*points, strict=True)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def _ms(seconds: float) -> str:
    return f"{french.integer(round(seconds * 1000))} ms"


def _us(seconds: float) -> str:
    return f"{french.integer(round(seconds * 1e6))} µs"


def _formulas(path: Path) -> int:
    book = load_workbook(path)
    return sum(
        1
        for s in book.worksheets
        for row in s.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    )


def _series(
    title: str,
    sizes: list[int],
    build: Callable[[int], tuple[Path, Rubric]],
    repeat: int,
) -> list[tuple[int, float, str]]:
    rows = []
    for size in sizes:
        path, rubric = build(size)
        seconds, report = cpu_per_copy(path, rubric, repeat)
        same = "—"
        if rows:
            same = "oui" if verdicts(report) == rows[0][2] else "non"
        rows.append((size, seconds, verdicts(report), same, _formulas(path)))
    print(f"\n### {title}\n")
    print("| taille | formules | CPU par copie | mêmes verdicts que la première |")
    print("|---|---|---|---|")
    for size, seconds, _, same, formulas in rows:
        print(f"| {size} | {formulas} | {_ms(seconds)} | {same} |")
    return [(size, seconds, str(formulas)) for size, seconds, _, _, formulas in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per file (warm)")
    parser.add_argument("--skip-c16", action="store_true", help="sans la série C16")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"Charge de la machine au départ : {load:.1f} ({os.cpu_count()} cœurs)")
    c20 = load_rubric(C20_RUBRIC)
    with tempfile.TemporaryDirectory(prefix="autocorrect-scaling-") as tmp:
        folder = Path(tmp)
        blocks = _series(
            "C20 : blocs de réponses copiés (libellés et formules)",
            [1, 10, 100],
            lambda n: (c20_blocks(n, folder), c20),
            args.repeat,
        )
        per_block = _slope([(n, s) for n, s, _ in blocks])
        per_formula = _slope([(float(f), s) for _, s, f in blocks])
        print(f"\nPente : {_ms(per_block)} par bloc ajouté, {_us(per_formula)} par formule "
              f"ajoutée ; copie à 100 blocs : {_ms(blocks[-1][1])} (objectif ≤ 1 s).")  # fmt: skip
        normal, normal_report = cpu_per_copy(c20_whole_columns(folder), c20, args.repeat)
        stray, stray_report = cpu_per_copy(c20_whole_columns(folder, 1), c20, args.repeat)
        print("\n### C20 : références à des colonnes entières et valeur isolée\n")
        print("| copie | CPU par copie | rapport au normal |")
        print("|---|---|---|")
        print(f"| colonnes entières (`J:J`…) | {_ms(normal)} | 1,0 × |")
        ratio = french.fixed(stray / normal, 1)
        print(f"| même copie, valeur isolée en {STRAY_CELL} | {_ms(stray)} | {ratio} × |")
        codes = sorted({f.code.value for f in stray_report.findings} - {
            f.code.value for f in normal_report.findings})  # fmt: skip
        print(f"\nConstats propres à la copie avec la valeur isolée : {', '.join(codes) or '—'}")
        if args.skip_c16:
            return
        respondents = _series(
            "C16 : répondants de l'enquête",
            [20, 200, 500, 2000],
            lambda n: _c16(n, folder),
            args.repeat,
        )
        per_respondent = _slope([(n, s) for n, s, _ in respondents])
        print(f"\nPente : {_us(per_respondent)} par répondant ajouté ; 2 000 répondants : "
              f"{_ms(respondents[-1][1])} par copie (objectif ≤ 1 s).")  # fmt: skip
    print(f"\nCharge de la machine à la fin : {os.getloadavg()[0]:.1f}")


def _c16(n: int, folder: Path) -> tuple[Path, Rubric]:
    solution, rubric = c16_respondents(n, folder)
    return solution, load_rubric(rubric)


if __name__ == "__main__":
    main()
