"""The reference side: expected values computed from the subject's data (KPI library,
formula computations)."""
