"""argparse speaking French: usage line, section titles, `-h` help and error messages (the
standard library prints them in English whatever the locale)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

_MESSAGES = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments inconnus : \1"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
     r"argument \1 : choix invalide : \2 (possibles : \3)"),
    (r"argument (.*?): expected one argument", r"argument \1 : une valeur attendue"),
    (r"argument (.*?): invalid (.*?) value: (.*)", r"argument \1 : valeur invalide : \3"),
    (r"argument (.*?): not allowed with argument (.*)",
     r"argument \1 : incompatible avec l'argument \2"),
    (r"one of the arguments (.*) is required", r"un des arguments \1 est obligatoire"),
    (r"argument (.*?): (.*)", r"argument \1 : \2"),
)  # fmt: skip


def french_message(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """Same behaviour as ArgumentParser, every text in French (sub-commands inherit it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS,
            help="afficher cette aide et quitter",
        )  # fmt: skip

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_message(message)}\n")
