"""Presentation only: JSON, French text and CSV renderings of reports. Deterministic output."""
