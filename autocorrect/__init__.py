"""autocorrect — pré-correction des classeurs Excel des candidats."""

__version__ = "0.1.0"
