"""Recomputing the candidate's formulas: the only importer of `formulas`."""
