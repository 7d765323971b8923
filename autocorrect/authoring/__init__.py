"""Tools for rubric authors: the statement parser, `rubric check`, `rubric draft`, `regress`."""
