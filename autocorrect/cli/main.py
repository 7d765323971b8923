"""Command line: arguments in, library call, rendering out, exit code. Nothing else."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from autocorrect import __version__
from autocorrect.cli import rubric as cli_rubric
from autocorrect.cli.french_args import FrenchArgumentParser
from autocorrect.errors import RubricError
from autocorrect.render.json import render_json
from autocorrect.render.progress import batch_summary_lines, progress_bar, progress_line
from autocorrect.render.text import render_text
from autocorrect.rubric.load import load_rubric
from autocorrect.session.batch import BatchOptions, run_batch
from autocorrect.session.folder import InputFolderError
from autocorrect.session.isolation import grade_isolated
from autocorrect.session.limits import RunLimits, default_jobs
from autocorrect.session.model import Progress
from autocorrect.session.names import shown_name
from autocorrect.session.outdir import OutputError

EXIT_OK = 0
EXIT_USAGE = 2  # bad command line, invalid rubric, unusable input or output folder
EXIT_UNREADABLE = 3  # `grade`: the submission could not be read
EXIT_ERROR = 4  # `grade`: internal error while grading
EXIT_INTERRUPTED = 130  # `batch`: stopped by Ctrl-C (what was graded is kept)


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="autocorrect",
        description="Pré-correction des classeurs Excel des candidats (C16, C20, C21).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"autocorrect {__version__}",
        help="afficher la version et quitter",
    )
    commands = parser.add_subparsers(
        title="commandes", dest="command", required=True, metavar="COMMANDE"
    )
    one = commands.add_parser("grade", help="corriger une copie et afficher le rapport")
    one.add_argument("submission", type=Path, metavar="COPIE", help="classeur du candidat (.xlsx)")
    one.add_argument("--rubric", type=Path, required=True, metavar="BARÈME", help="barème YAML")
    one.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="rapport lisible (text, défaut) ou JSON",
    )
    _limit_options(one)
    one.set_defaults(handler=_grade)
    many = commands.add_parser("batch", help="corriger toutes les copies d'un dossier")
    many.add_argument("folder", type=Path, metavar="DOSSIER", help="dossier des copies")
    many.add_argument("--rubric", type=Path, required=True, metavar="BARÈME", help="barème YAML")
    many.add_argument(
        "--out", type=Path, required=True, metavar="SORTIE", help="dossier des rapports"
    )
    many.add_argument(
        "--jobs",
        type=_positive_int,
        default=default_jobs(),
        metavar="N",
        help="copies corrigées en parallèle (défaut : nombre de cœurs, %(default)s ici)",
    )
    _limit_options(many)
    many.add_argument(
        "--annotate",
        action="store_true",
        help="écrire aussi une copie annotée de chaque classeur (commentaire sur chaque "
        "cellule corrigée) dans SORTIE/annotees/",
    )
    many.set_defaults(handler=_batch)
    cli_rubric.add_commands(commands)
    return parser


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """The per-copy limits, the same for `grade` and `batch` (one isolated worker per copy)."""
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=RunLimits.timeout_s,
        help="délai maximal par copie, en secondes (défaut : %(default)g)",
    )
    parser.add_argument(
        "--memory",
        type=_positive_int,
        default=RunLimits.memory_mb,
        help="mémoire maximale par copie, en Mo (défaut : %(default)s)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu : {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"doit être au moins 1 : {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre attendu : {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"doit être positif : {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except RubricError as exc:
        print(f"Barème invalide : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OutputError, InputFolderError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    return code


def _grade(args: argparse.Namespace) -> int:
    if not args.submission.exists():
        print(f"Fichier introuvable : {shown_name(str(args.submission))}", file=sys.stderr)
        return EXIT_USAGE
    if args.submission.is_dir():
        print(f"Dossier, pas un classeur : {shown_name(str(args.submission))}", file=sys.stderr)
        return EXIT_USAGE
    rubric = load_rubric(args.rubric)  # an invalid rubric is a usage error, before any work
    limits = RunLimits(args.timeout, args.memory)
    name = shown_name(args.submission.stem)
    # the command line has no threads and has imported the engine: fork the worker directly
    report = grade_isolated(args.submission, args.rubric, limits, name, direct=True)
    text = (
        render_json(report)
        if args.format == "json"
        else render_text(report, rubric.mark_step, rubric.item_units())
    )
    sys.stdout.write(text)
    return {"graded": EXIT_OK, "unreadable": EXIT_UNREADABLE}.get(str(report.status), EXIT_ERROR)


def _batch(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(f"Dossier introuvable : {shown_name(str(args.folder))}", file=sys.stderr)
        return EXIT_USAGE
    rubric = load_rubric(args.rubric)
    options = BatchOptions(args.jobs, RunLimits(args.timeout, args.memory), args.annotate)
    progress = _TerminalProgress() if sys.stderr.isatty() else _LineProgress()
    summary = run_batch(args.folder, rubric, args.out, progress=progress, options=options)
    progress.close()
    for line in batch_summary_lines(summary):
        print(line)
    return EXIT_INTERRUPTED if summary.interrupted else EXIT_OK


class _TerminalProgress:
    """The bar, redrawn in place on the terminal (standard error)."""

    def __call__(self, event: Progress) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns  # read each time: resizable
        sys.stderr.write("\r\x1b[2K" + progress_bar(event, columns))
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


class _LineProgress:
    """One line per copy on standard output (logs, CI)."""

    def __call__(self, event: Progress) -> None:
        line = progress_line(event)
        if line is not None:
            print(line, flush=True)

    def close(self) -> None:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
