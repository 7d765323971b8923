"""Command line for rubric authors: `rubric check`, `rubric draft`, `regress`.

Arguments in, library call, rendering out, exit code; the work is in rubric_check.py,
draft/ and regress.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from autocorrect.authoring.check import check_rubric
from autocorrect.authoring.draft import draft_rubric
from autocorrect.authoring.regress import (
    baseline_from_folder,
    compare,
    regrade,
    render_json,
    render_markdown,
    render_text,
    rubric_at_revision,
)
from autocorrect.errors import AutocorrectError
from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import CaseFiles

EXIT_OK = 0
EXIT_FAILED = 1  # check failed, or more candidates moved than allowed
EXIT_USAGE = 2
_RENDER: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rubric = commands.add_parser("rubric", help="vérifier ou rédiger un barème")
    actions = rubric.add_subparsers(dest="rubric_command", required=True)
    check = actions.add_parser("check", help="valider un barème (sujet, énoncé, solution, goldens)")
    check.add_argument("rubrics", type=Path, nargs="+", help="barème(s) YAML")
    check.add_argument("--solution", type=Path, help="classeur solution (sinon « solution: » "
                       "du barème, sinon solution.xlsx à côté du sujet)")  # fmt: skip
    check.add_argument("--enonce", type=Path, help="énoncé (sinon « enonce: », sinon enonce.md)")
    check.add_argument("--samples", type=Path, help="dossier des copies d'exemple "
                       "(sinon « samples: », sinon submissions/)")  # fmt: skip
    check.add_argument("--expected", type=Path, help="verdicts attendus : dossier de rapports "
                       "JSON ou fichier YAML {copie: {question: verdict}} (sinon « expected: », "
                       "sinon goldens/)")  # fmt: skip
    check.set_defaults(handler=run_check)
    draft = actions.add_parser("draft", help="brouillon de barème tiré de la solution")
    draft.add_argument("solution", type=Path, help="classeur solution de l'examinateur")
    draft.add_argument("--subject", type=Path, required=True, help="classeur du sujet")
    draft.add_argument("--enonce", type=Path, required=True, help="énoncé (enonce.md)")
    draft.add_argument("--out", type=Path, help="fichier YAML à écrire (sinon : affiché)")
    draft.set_defaults(handler=run_draft)
    regress = commands.add_parser("regress", help="impact d'un changement de barème")
    regress.add_argument("submissions", type=Path, help="dossier des copies")
    regress.add_argument("--rubric", type=Path, required=True, help="nouveau barème YAML")
    base = regress.add_mutually_exclusive_group(required=True)
    base.add_argument("--baseline", type=Path, help="dossier de résultats de référence (batch)")
    base.add_argument("--against", help="révision git du barème de référence (tag, commit…)")
    regress.add_argument("--max-changed", type=int, default=None,
                         help="code de sortie 1 si plus de N candidats changent")  # fmt: skip
    regress.add_argument("--format", choices=sorted(_RENDER), default="text")
    regress.set_defaults(handler=run_regress)


def run_check(args: argparse.Namespace) -> int:
    failed = False
    for option in (args.solution, args.enonce, args.samples, args.expected):
        if option is not None and not option.exists():
            print(f"Fichier ou dossier introuvable : {option}", file=sys.stderr)
            return EXIT_USAGE
    given = CaseFiles(args.solution, args.enonce, args.samples, args.expected)
    for path in args.rubrics:
        report = check_rubric(path, given)
        if report.ok:
            print(f"{path} : OK ({' ; '.join(report.notes)})")
            continue
        failed = True
        print(f"{path} : {len(report.problems)} problème(s)")
        for problem in report.problems:
            print(f"  - {problem}")
    return EXIT_FAILED if failed else EXIT_OK


def run_draft(args: argparse.Namespace) -> int:
    target = args.out or Path.cwd() / "brouillon.yaml"
    try:
        text = draft_rubric(args.solution, args.subject, args.enonce, target)
    except AutocorrectError as exc:
        print(f"Brouillon impossible : {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"Brouillon écrit : {args.out} (à relire, puis `autocorrect rubric check`)")
    return EXIT_OK


def run_regress(args: argparse.Namespace) -> int:
    if not args.submissions.is_dir():
        print(f"Dossier introuvable : {args.submissions}", file=sys.stderr)
        return EXIT_USAGE
    try:
        new = load_rubric(args.rubric)
        if args.baseline is not None:
            before = baseline_from_folder(args.baseline)
        else:
            before = regrade(args.submissions, rubric_at_revision(args.rubric, args.against))
        impact = compare(before, regrade(args.submissions, new))
    except AutocorrectError as exc:
        print(f"Comparaison impossible : {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(_RENDER[args.format](impact))
    too_many = args.max_changed is not None and len(impact.changed) > args.max_changed
    return EXIT_FAILED if too_many else EXIT_OK
