"""The JSON report: a stable contract read by other tools."""

from __future__ import annotations

import json

from autocorrect.report import CandidateReport


def render_json(report: CandidateReport) -> str:
    """Same report → same bytes: fixed key order, no timestamps, UTF-8 text."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
