"""Shared fixtures and options for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from autocorrect.rubric.load import load_rubric
from autocorrect.rubric.model import Rubric

ROOT = Path(__file__).resolve().parent.parent
C20_RUBRIC = ROOT / "rubrics" / "c20-bureau-plus.yaml"
C20_FIXTURES = ROOT / "fixtures" / "c20-bureau-plus"
C20_SUBJECT = C20_FIXTURES / "sujet.xlsx"
C16_RUBRIC = ROOT / "rubrics" / "c16-aquapro.yaml"
C16_SUBJECT = ROOT / "fixtures" / "c16-aquapro" / "sujet.xlsx"
C21_RUBRIC = ROOT / "rubrics" / "c21-terroirs.yaml"
C21_SUBJECT = ROOT / "fixtures" / "c21-terroirs" / "sujet.xlsx"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden reports from the current engine (review the diff!)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def c20_rubric() -> Rubric:
    return load_rubric(C20_RUBRIC)
