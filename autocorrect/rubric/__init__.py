"""Rubrics: the typed model, loading and validation of the YAML, the dependency graph."""
