"""The one French formatter: numbers, percents, money, dates, booleans, plurals, and the same
number printed the same way by the text report and the HTML report."""

from __future__ import annotations

import datetime as dt
import html
import re

from autocorrect import french
from autocorrect.render.text import render_text
from autocorrect.report import Verdict
from autocorrect.session.store import load_report
from tests.batch_helpers import case_batch

N = "\u202f"  # narrow no-break space


def test_numbers_percents_money_dates_booleans() -> None:
    assert french.number(291484.4054) == f"291{N}484,41"
    assert french.number(-1234567.0) == f"-1{N}234{N}567"
    assert french.number(12.50) == "12,5" and french.number(-0.0001) == "0"
    assert french.integer(1048576) == f"1{N}048{N}576"
    assert french.points(18.666666) == "18,67"
    assert french.percent(1 / 3) == f"33,33{N}%" and french.percent(0.5, 0) == f"50{N}%"
    assert french.money(4320) == f"4{N}320,00{N}€" and french.money(-0.001) == f"0,00{N}€"
    assert french.date(dt.date(2024, 11, 1)) == "01/11/2024"
    assert french.date("2024-11-01T00:00:00") == "01/11/2024" == french.value("2024-11-01")
    assert french.value(True) == "VRAI" and french.value(False) == "FAUX"
    assert french.value(None) == "—" and french.value(0.32561) == "0,3256"
    assert french.value([[3.9, 4.2]]) == "(3,9 ; 4,2)"
    assert french.file_size(21 * 1024 * 1024) == "21,0 Mo"
    assert french.number(float("nan")) == "non numérique"


def test_values_in_the_jurys_units() -> None:
    assert french.in_unit(0.1825, "percent") == f"18,25{N}%"
    assert french.in_unit(18.25, "percent", 0.1825) == f"18,25{N}%"  # typed ×100
    assert french.in_unit(0.18, "percent", 0.1825) == f"18{N}%"
    assert french.in_unit(4320, "eur") == f"4{N}320,00{N}€"
    assert french.in_unit(True, "flag") == "VRAI" and french.in_unit(None, "eur") == "—"
    assert french.in_unit("2024-11-01", "date") == "01/11/2024"


def test_report_shows_rates_and_amounts_in_the_jurys_units() -> None:
    batch = case_batch("c20")
    page = html.unescape((batch.out / "cand08-pourcentages-x100.html").read_text("utf-8"))
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    assert any(c.endswith(f"{N}%") for c in cells) and any(c.endswith(f"{N}€") for c in cells)
    assert not any(re.fullmatch(r"0,\d{4}", c) for c in cells)  # no bare fraction


def test_french_plurals() -> None:
    assert french.plural(0, "copie") == "0 copie"
    assert french.plural(1, "copie corrigée", "copies corrigées") == "1 copie corrigée"
    assert french.plural(13, "copie") == "13 copies"


def test_every_verdict_status_and_proposal_has_a_french_word() -> None:
    assert set(french.VERDICT_WORDS) == set(Verdict)
    assert french.VERDICT_WORDS[Verdict.REVIEW] == "à vérifier"


def test_text_and_html_reports_print_numbers_alike() -> None:
    """The same found value reads the same in `grade`'s text and in the HTML report."""
    batch = case_batch("c20")
    report = load_report(batch.out / "cand09-erreurs-ratios.json")
    assert report is not None
    big = [
        french.value(i.found)
        for q in report.questions
        for i in q.items
        if isinstance(i.found, float) and abs(i.found) >= 1000
    ]
    assert big, "a copy with amounts over a thousand"
    text = render_text(report)
    page = html.unescape(
        re.sub(r"<[^>]+>", " ", (batch.out / "cand09-erreurs-ratios.html").read_text("utf-8"))
    )
    for shown in big:
        assert N in shown
        assert shown in text and shown in page
    assert not re.search(r"\d{4},\d", text), "an ungrouped number in the text report"
