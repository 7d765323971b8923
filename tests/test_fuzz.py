"""Property-based robustness: random corruption of a valid submission never crashes or hangs
the engine, grading is deterministic, and where the candidate puts a table does not matter.

Corruptions start from a real LibreOffice-saved copy (cand05): truncation, flipped bytes,
members dropped or duplicated, malformed XML inside a member (the zip itself stays valid, so
the XML reaches the parsers), wrong or broken content types, swapped members, relationships
pointing nowhere. In-process grading runs under a watchdog that fails the test on a hang;
one property also goes through `grade_isolated`, where a hang costs the time limit only.

Sizes are kept so that the whole module runs in about a minute on two cores.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter

from autocorrect.api import grade
from autocorrect.reading.libreoffice import DEFAULT_CONVERSION_S, set_conversion_timeout
from autocorrect.render.json import render_json
from autocorrect.report import CandidateReport, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.isolation import RunLimits, grade_isolated
from tests.builders import candidate, product_table
from tests.conftest import C20_FIXTURES, C20_RUBRIC
from tests.hostile import LOCAL_CORPUS, SUBMISSION, Members, members, write_zip

BASE = SUBMISSION.read_bytes()
BASE_MEMBERS = members()
XML_MEMBERS = [n for n, _ in BASE_MEMBERS if n.endswith((".xml", ".rels"))]
WATCHDOG_S = 60.0
# A damaged zip that still names itself OpenDocument goes to LibreOffice, which may never
# finish on it: the conversion is cut at this limit (a worker uses a third of its own).
CONVERSION_S = 10.0


@pytest.fixture(autouse=True)
def _short_conversions() -> Iterator[None]:
    set_conversion_timeout(CONVERSION_S)
    yield
    set_conversion_timeout(DEFAULT_CONVERSION_S)


SCALE = float(os.environ.get("AUTOCORRECT_FUZZ_SCALE", "1"))  # e.g. 10 for a long local run


def examples(count: int) -> int:
    return max(1, round(count * SCALE))


FUZZ = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so that `grade` cannot turn it into a report."""


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"la correction a duré plus de {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def graded_safely(path: Path, rubric: Rubric) -> CandidateReport:
    """A report, never an exception nor a hang; and never an internal error: every broken
    file must be `unreadable` with a French reason, or graded."""
    with watchdog(WATCHDOG_S):
        report = grade(path, rubric)
    assert report.status in (Status.GRADED, Status.UNREADABLE), report.message
    if report.status == Status.UNREADABLE:
        assert "candidat" in report.message
    return report


# --------------------------------------------------------------------------- corruptions


def _xml_damage(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, max(0, len(data) - 1)))
    how = draw(st.sampled_from(["cut", "insert", "unclose", "tag", "encoding", "empty", "nul"]))
    if how == "cut":
        return data[:at]
    if how == "insert":
        junk = draw(
            st.sampled_from([b"<", b">", b"&", b"&bogus;", b"</x>", b"<c r='A1'>", b"\xff"])
        )
        return data[:at] + junk + data[at:]
    if how == "unclose":
        return re.sub(rb"</[A-Za-z:]+>", b"", data, count=draw(st.integers(1, 5)))
    if how == "tag":
        return re.sub(rb"<(/?)([a-z]+)", rb"<\1zz\2", data, count=draw(st.integers(1, 20)))
    if how == "encoding":
        return b'<?xml version="1.0" encoding="EBCDIC-CP-US"?>' + data.split(b"?>", 1)[-1]
    if how == "nul":
        return data[:at] + b"\0" * draw(st.integers(1, 50)) + data[at:]
    return b""


_CONTENT_TYPES = [
    b"",
    b"<Types/>",
    b"not xml at all",
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
]


def _content_types(draw: st.DrawFn, data: bytes) -> bytes:
    choice = draw(st.integers(0, len(_CONTENT_TYPES) + 2))
    if choice < len(_CONTENT_TYPES):
        return _CONTENT_TYPES[choice]
    if choice == len(_CONTENT_TYPES):  # the workbook declared as a Word document
        return data.replace(b"spreadsheetml.sheet.main", b"wordprocessingml.document.main")
    if choice == len(_CONTENT_TYPES) + 1:  # sheets declared as charts
        return data.replace(b"spreadsheetml.worksheet+xml", b"drawingml.chart+xml")
    return re.sub(rb"<Override[^>]*/>", b"", data)  # every override gone


def _relationships(draw: st.DrawFn, data: bytes) -> bytes:
    target = draw(
        st.sampled_from(
            [b"../../etc/passwd", b"/xl/worksheets/absent.xml", b"", b"http://example.invalid/x"]
        )
    )
    count = draw(st.integers(1, 3))
    return re.sub(rb'Target="[^"]*"', b'Target="' + target + b'"', data, count=count)


ANSWERS = "xl/worksheets/sheet8.xml"  # the candidate's own sheet in cand05
_HOSTILE_FORMULAS = [
    "SUM(((",
    "=1",
    "A1:CHOOSE(2,B1,C1)",
    "INDIRECT(&quot;B9&quot;)",
    "'[1]Feuil1'!A1",
    "[secret.xlsx]Feuil1!A1",
    "XFD1048576+1",
    "SUM(A:A)+SUM(1:1)",
    "Table1[[#This Row],[Prix]]",
    "LET(x,1,x+1)",
    "LAMBDA(x,x)(1)",
    "_xlfn.WEBSERVICE(&quot;http://example.invalid/&quot;)",
    "1/0",
    "#REF!+1",
    "10^400",
    "&quot;" + "x" * 40 + "&quot;&amp;B5",
    "+".join(["B5"] * 300),
    "ABS(" * 80 + "1" + ")" * 80,
    "B5:B9 B7:B8",
    "{1,2;3,4}",
    "Zz_Undefined_Name*2",
    "B5#",
]
_HOSTILE_VALUES = ["NaN", "inf", "-0", "1e999", "", "abc", "1.7976931348623157e309", "0x10"]
_HOSTILE_ATTRIBUTES = [
    (rb'r="[A-Z]+\d+"', b'r="A0"'),
    (rb'r="[A-Z]+\d+"', b'r="XFE1"'),
    (rb'r="[A-Z]+\d+"', b'r="A99999999"'),
    (rb's="\d+"', b's="99999"'),
    (rb'<c r="([A-Z]+\d+)"', rb'<c r="\1" t="e"'),
    (rb'<c r="([A-Z]+\d+)"', rb'<c r="\1" t="d"'),
    (rb'<c r="([A-Z]+\d+)"', rb'<c r="\1" t="s"'),
    (rb'<c r="([A-Z]+\d+)"', rb'<c r="\1" t="b"'),
    (rb'<row r="\d+"', b'<row r="0"'),
]


def _cell_damage(draw: st.DrawFn, data: bytes) -> bytes:
    """Well-formed XML, hostile content: odd formulas, values, references, types, styles."""
    how = draw(st.sampled_from(["formula", "value", "attribute"]))
    count = draw(st.integers(1, 10))
    if how == "formula":
        text = draw(st.sampled_from(_HOSTILE_FORMULAS)).encode()
        return re.sub(rb"<f>[^<]*</f>", b"<f>" + text + b"</f>", data, count=count)
    if how == "value":
        text = draw(st.sampled_from(_HOSTILE_VALUES)).encode()
        return re.sub(rb"<v>[^<]*</v>", b"<v>" + text + b"</v>", data, count=count)
    pattern, replacement = draw(st.sampled_from(_HOSTILE_ATTRIBUTES))
    return re.sub(pattern, replacement, data, count=count)


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes]:
    """(what was done, the corrupted file)."""
    kind = draw(
        st.sampled_from(
            ["truncate", "flip", "drop", "duplicate", "xml", "types", "swap", "rels", "junk"]
            + ["cells"] * 3  # the richest: well-formed XML that reaches the evaluator
        )
    )
    parts: Members = list(BASE_MEMBERS)
    names = [n for n, _ in parts]
    if kind == "truncate":
        return kind, BASE[: draw(st.integers(0, len(BASE) - 1))]
    if kind == "flip":
        data = bytearray(BASE)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        return kind, bytes(data)
    if kind == "drop":
        gone = draw(st.sets(st.sampled_from(names), min_size=1, max_size=4))
        parts = [(n, d) for n, d in parts if n not in gone]
        return f"drop {sorted(gone)}", _zipped(parts)
    if kind == "duplicate":
        name = draw(st.sampled_from(names))
        other = draw(st.sampled_from(parts))[1]
        first = draw(st.booleans())
        copy = (name, other)
        return f"duplicate {name}", _zipped([copy, *parts] if first else [*parts, copy])
    if kind in ("xml", "types", "rels", "cells"):
        pool = {
            "xml": XML_MEMBERS,
            "types": ["[Content_Types].xml"],
            "rels": [n for n in names if n.endswith(".rels")],
            "cells": [ANSWERS],
        }[kind]
        name = draw(st.sampled_from(pool))
        damage = {
            "xml": _xml_damage,
            "types": _content_types,
            "rels": _relationships,
            "cells": _cell_damage,
        }[kind]
        parts = [(n, damage(draw, d) if n == name else d) for n, d in parts]
        return f"{kind} {name}", _zipped(parts)
    if kind == "swap":
        a, b = draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
        content = dict(parts)
        parts = [(n, content[b] if n == a else content[a] if n == b else d) for n, d in parts]
        return f"swap {a} {b}", _zipped(parts)
    name = draw(st.sampled_from(names))  # junk: random bytes in place of a member
    junk = draw(st.binary(min_size=0, max_size=2000))
    return f"junk {name}", _zipped([(n, junk if n == name else d) for n, d in parts])


def _zipped(parts: Members) -> bytes:
    buffer = io.BytesIO()
    write_zip(buffer, parts)
    return buffer.getvalue()


@FUZZ
@given(case=corrupted())
def test_corrupted_copy_never_crashes_nor_hangs(
    tmp_path: Path, c20_rubric: Rubric, case: tuple[str, bytes]
) -> None:
    what, data = case
    path = tmp_path / "copie.xlsx"
    path.write_bytes(data)
    report = graded_safely(path, c20_rubric)
    assert report.candidate == "copie", what
    event(f"{what.split()[0]} -> {report.status}")


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=corrupted())
def test_corrupted_copy_in_a_killable_worker(tmp_path: Path, case: tuple[str, bytes]) -> None:
    """Through the isolation layer: a report within the time bound, whatever happens."""
    what, data = case
    path = tmp_path / "isole.xlsx"
    path.write_bytes(data)
    started = time.monotonic()
    report = grade_isolated(path, C20_RUBRIC, RunLimits(timeout_s=20, memory_mb=1024))
    assert time.monotonic() - started < 20 + 15, what
    assert report.status in (Status.GRADED, Status.UNREADABLE), (what, report.message)


# --------------------------------------------------------------------------- determinism

SAMPLES = sorted((C20_FIXTURES / "submissions").glob("*.xlsx")) + sorted(
    p for p in LOCAL_CORPUS.iterdir() if p.suffix != ".md"
)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SAMPLES), damage=st.none() | corrupted())
def test_grading_twice_gives_identical_json(
    c20_rubric: Rubric, tmp_path_factory: pytest.TempPathFactory, source: Path, damage: object
) -> None:
    path = source
    if isinstance(damage, tuple):
        path = tmp_path_factory.mktemp("twice") / source.name
        path.write_bytes(damage[1])
    with watchdog(WATCHDOG_S):
        first = render_json(grade(path, c20_rubric))
        second = render_json(grade(path, c20_rubric))
    assert first == second


# --------------------------------------------------------------------------- moved tables

_OWN_REF = re.compile(r"(!?)(\$?)([A-Z]{1,3})(\$?)(\d+)")


def shifted(cells: dict[str, object], rows: int, cols: int) -> dict[str, object]:
    """A table built at A1 moved `rows` down and `cols` right; references to its own cells
    move with it, references to the subject's annexes (after a `!`) do not."""

    def one(m: re.Match[str]) -> str:
        if m[1]:
            return m[0]
        column = get_column_letter(column_index_from_string(m[3]) + cols)
        return f"{m[2]}{column}{m[4]}{int(m[5]) + rows}"

    def move(text: str) -> str:
        return _OWN_REF.sub(one, text)

    return {
        move(coord): move(v) if isinstance(v, str) and v.startswith("=") else v
        for coord, v in cells.items()
    }


@pytest.fixture(scope="module")
def baseline(c20_rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = candidate(tmp_path_factory.mktemp("base"), "base", {"Calculs": product_table()})
    return grade(path, c20_rubric).verdicts()


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sheet=st.sampled_from(
        ["Calculs", "Feuil1", "Réponses", "Mes calculs", "Annexe 7 - Historique"]
    ),
    rows=st.integers(0, 80),
    cols=st.integers(0, 25),
)
def test_moving_the_table_does_not_change_verdicts(
    tmp_path: Path,
    c20_rubric: Rubric,
    baseline: dict[str, str],
    sheet: str,
    rows: int,
    cols: int,
) -> None:
    if sheet.startswith("Annexe"):
        cols = max(cols, 2)  # beside the annex's own table (columns A-B); below it: see next
    table = shifted(product_table(), rows, cols)
    report = grade(candidate(tmp_path, "deplace", {sheet: table}), c20_rubric)
    assert report.verdicts() == baseline


def test_table_right_under_an_annex_keeps_its_own_headers(
    tmp_path: Path, c20_rubric: Rubric, baseline: dict[str, str]
) -> None:
    """The annex header « CA HT (€) » above the same column used to take the table's column B
    (« PV TTC »): the formulas now say what each column computes."""
    table = shifted(product_table(), 20, 0)
    report = grade(candidate(tmp_path, "sous-annexe", {"Annexe 7 - Historique": table}), c20_rubric)
    assert report.verdicts() == baseline


def test_shifted_helper_moves_own_references_only(baseline: dict[str, str]) -> None:
    annex = "='Annexe 1 - Produits'!D5-'Annexe 1 - Produits'!C5"
    moved = shifted({"C2": annex, "D2": "=C2/$C$2", "F7": "=SUM(F2:F6)"}, 3, 2)
    assert moved == {"E5": annex, "F5": "=E5/$E$5", "H10": "=SUM(H5:H9)"}
    # the property above would hold vacuously if the table were not found at all
    assert baseline["C20-Q01"] == "correct"
    assert sum(v == "correct" for v in baseline.values()) >= 5


# --------------------------------------------------------------------------- found by fuzzing


def test_error_values_as_answers_are_reported(tmp_path: Path, c20_rubric: Rubric) -> None:
    """Answers that evaluate to #REF! or #DIV/0! (a deleted annex, a zero divisor) used to
    make the JSON report impossible to write: the batch worker died on them."""
    table = product_table() | {"C2": "=#REF!-'Annexe 1 - Produits'!C5", "C3": "=1/0"}
    report = grade(candidate(tmp_path, "erreurs", {"Calculs": table}), c20_rubric)
    saved = json.loads(render_json(report))
    items = {i["key"]: i for q in saved["questions"] for i in q["items"] if q["id"] == "C20-Q02"}
    assert (items["P1"]["found"], items["P1"]["verdict"]) == ("#REF!", "incorrect")
    assert (items["P2"]["found"], items["P2"]["verdict"]) == ("#DIV/0!", "incorrect")
    dropped = [(n, d) for n, d in BASE_MEMBERS if n != "xl/worksheets/sheet1.xml"]
    path = tmp_path / "sans-annexe.xlsx"
    path.write_bytes(_zipped(dropped))
    assert "#REF!" in render_json(graded_safely(path, c20_rubric))
