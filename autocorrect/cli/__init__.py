"""Command line: arguments in, library call, rendering out, exit code (`autocorrect.cli.main`).

`run` is the `autocorrect` command. It imports nothing heavy before it knows the command: the
first batch into an output folder starts the fork server its workers come from before its own
imports, so that the server imports the engine side by side with this process (two cores, not
one after the other). A rerun into a folder whose outputs are complete often has nothing to
grade: it starts the server only when a copy needs grading (started for nothing, the server's
imports slow the rerun down on a busy machine).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

RECORD_FILE = ".autocorrect/outputs.json"  # `session.rendered.RECORD_FILE`, not imported: heavy


def run() -> int:
    if starts_fork_server_first(sys.argv[1:]):
        from autocorrect.session.limits import start_fork_server  # noqa: PLC0415 -- light

        start_fork_server()
    from autocorrect.cli.main import main  # noqa: PLC0415 -- the engine, imported now

    return main()


def starts_fork_server_first(arguments: Sequence[str]) -> bool:
    """A `batch` whose output folder holds no finished outputs yet (read from the raw
    arguments: the full parse needs the imports this decision is made before)."""
    if list(arguments[:1]) != ["batch"]:
        return False
    out = _option(arguments, "--out")
    return out is None or not (Path(out) / RECORD_FILE).is_file()


def _option(arguments: Sequence[str], name: str) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(f"{name}="):
            return argument.partition("=")[2]
    return None


__all__ = ["run", "starts_fork_server_first"]
