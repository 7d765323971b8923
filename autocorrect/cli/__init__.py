"""Command line: arguments in, library call, rendering out, exit code."""

from autocorrect.cli.main import main

__all__ = ["main"]
