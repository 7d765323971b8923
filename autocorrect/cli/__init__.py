"""Command line: arguments in, library call, rendering out, exit code (`autocorrect.cli.main`).

`run` is the `autocorrect` command. It imports nothing heavy before it knows the command: a
`batch` first starts the fork server its workers come from, which imports the engine in its own
process while this one imports it too (side by side on two cores, not one after the other).
"""

from __future__ import annotations

import sys


def run() -> int:
    if sys.argv[1:2] == ["batch"]:
        from autocorrect.session.limits import start_fork_server  # noqa: PLC0415 -- light

        start_fork_server()
    from autocorrect.cli.main import main  # noqa: PLC0415 -- the engine, imported now

    return main()


__all__ = ["run"]
