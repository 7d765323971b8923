"""Command line: arguments in, library call, rendering out, exit code. Nothing else."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autocorrect import __version__
from autocorrect.api import grade
from autocorrect.batch import run_batch
from autocorrect.errors import RubricError
from autocorrect.findings import CandidateReport, Status
from autocorrect.render.json import render_json
from autocorrect.render.text import STATUS_FR, number, render_text
from autocorrect.rubric import load_rubric

EXIT_OK = 0
EXIT_USAGE = 2  # bad command line or invalid rubric
EXIT_UNREADABLE = 3  # `grade`: the submission could not be read
EXIT_ERROR = 4  # `grade`: internal error while grading


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autocorrect",
        description="Pré-correction des classeurs Excel des candidats (C16, C20, C21).",
    )
    parser.add_argument("--version", action="version", version=f"autocorrect {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="corriger une copie et afficher le rapport")
    one.add_argument("submission", type=Path, help="classeur du candidat (.xlsx)")
    one.add_argument("--rubric", type=Path, required=True, help="barème YAML")
    one.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="rapport lisible (text, défaut) ou JSON",
    )
    many = commands.add_parser("batch", help="corriger toutes les copies d'un dossier")
    many.add_argument("folder", type=Path, help="dossier des copies")
    many.add_argument("--rubric", type=Path, required=True, help="barème YAML")
    many.add_argument("--out", type=Path, required=True, help="dossier des rapports")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        return _batch(args)
    except RubricError as exc:
        print(f"Barème invalide : {exc}", file=sys.stderr)
        return EXIT_USAGE


def _grade(args: argparse.Namespace) -> int:
    if not args.submission.is_file():
        print(f"Fichier introuvable : {args.submission}", file=sys.stderr)
        return EXIT_USAGE
    report = grade(args.submission, load_rubric(args.rubric))
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return {Status.GRADED: EXIT_OK, Status.UNREADABLE: EXIT_UNREADABLE}.get(
        report.status, EXIT_ERROR
    )


def _batch(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(f"Dossier introuvable : {args.folder}", file=sys.stderr)
        return EXIT_USAGE
    rubric = load_rubric(args.rubric)
    summary = run_batch(args.folder, rubric, args.out, progress=_progress)
    counts = {s: sum(r.status == s for r in summary.reports) for s in Status}
    print(
        f"{len(summary.reports)} copie(s) : "
        + ", ".join(f"{n} {STATUS_FR[s]}" for s, n in counts.items() if n)
    )
    for skipped in summary.skipped:
        print(f"Ignoré (fichier caché ou de verrouillage) : {skipped.name}")
    print(f"Rapports et carnet de notes : {summary.out}")
    return EXIT_OK


def _progress(index: int, total: int, report: CandidateReport) -> None:
    detail = (
        f"{number(report.score)} / {number(report.max_score)}"
        if report.status == Status.GRADED
        else report.message
    )
    print(
        f"[{index}/{total}] {report.candidate} : {STATUS_FR[report.status]} — {detail}", flush=True
    )


if __name__ == "__main__":
    raise SystemExit(main())
