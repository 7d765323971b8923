"""The jury report and the index in HTML: French, self-contained, complete; French formulas;
the C16 matrices; and a real headless browser checking that nothing overflows or is missing."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from autocorrect import french
from autocorrect.render.formula_fr import french_formula, french_function
from autocorrect.render.html import error_chain, render_report_html
from autocorrect.render.matrix import matrices
from autocorrect.report import Verdict
from autocorrect.session.model import GradebookEntry
from autocorrect.session.store import load_report
from tests.batch_helpers import Batch, case_batch, scratch
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "data" / "screenshots"
PAGES = {  # screenshot name -> (case, page in the output folder)
    "c20-rapport": ("c20", "cand05-report-erreur.html"),
    "c16-rapport": ("c16", "cand06-coupure-milieu-echelle.html"),
    "c21-rapport": ("c21", "cand12-report-stock-final.html"),
    "c16-index": ("c16", "index.html"),
}


# --- French formulas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("=ROUND(AVERAGE(B2:B9),2)*0.5", "=ARRONDI(MOYENNE(B2:B9);2)*0,5"),
        ('=COUNTIF(J5:J24,">=4")/20', '=NB.SI(J5:J24;">=4")/20'),
        ("=SUMPRODUCT(B2:B6,C2:C6)/SUM(C2:C6)", "=SOMMEPROD(B2:B6;C2:C6)/SOMME(C2:C6)"),
        ("=VLOOKUP(A2,$F$2:$G$9,2,FALSE)", "=RECHERCHEV(A2;$F$2:$G$9;2;FAUX)"),
        ("=_xlfn.STDEV.S('Annexe 1, n'!C5:C24)", "=ECARTYPE.STANDARD('Annexe 1, n'!C5:C24)"),
        ('=IF(AND(C6>$B$14,D6<=$B$15),"Point fort, net","x")',
         '=SI(ET(C6>$B$14;D6<=$B$15);"Point fort, net";"x")'),
        ("=_xlfn.RANK.EQ(B2,B$2:B$6)+_xlfn.DAYS(C2,B2)", "=RANG.EQ(B2;B$2:B$6)+JOURS(C2;B2)"),
        ("=IFERROR(AVERAGEIF(A:A,\"PME\",B:B),0)", '=SIERREUR(MOYENNE.SI(A:A;"PME";B:B);0)'),
        ("=MYUDF(A1,1.5)", "=MYUDF(A1;1,5)"),
        ("={1,2;3,4}", "={1,2;3,4}"),
    ],
)  # fmt: skip
def test_formulas_are_shown_as_a_french_excel_shows_them(stored: str, shown: str) -> None:
    assert french_formula(stored) == shown


def test_french_function_names_of_the_domain_table() -> None:
    table = {
        "AVERAGE": "MOYENNE", "COUNTIF": "NB.SI", "SUMPRODUCT": "SOMMEPROD",
        "VLOOKUP": "RECHERCHEV", "_xlfn.STDEV.S": "ECARTYPE.STANDARD", "IF": "SI",
        "ROUND": "ARRONDI", "COUNTIFS": "NB.SI.ENS", "CORREL": "COEFFICIENT.CORRELATION",
        "MEDIAN": "MEDIANE", "_xlfn.IFS": "SI.CONDITIONS", "MATCH": "EQUIV",
        "_xlfn.XLOOKUP": "RECHERCHEX", "POWER": "PUISSANCE", "COUNTA": "NBVAL",
    }  # fmt: skip
    assert {k: french_function(k) for k in table} == table


def test_values_are_written_the_french_way() -> None:
    assert french.value(291484.4054) == "291\u202f484,41"
    assert french.value(0.32561) == "0,3256"
    assert french.value("2026-11-01") == "01/11/2026"
    assert french.value(None) == "—"
    assert french.value([[3.9, 4.2]]) == "(3,9 ; 4,2)"


# --- the jury report ------------------------------------------------------------------------


def _page(batch: Batch, name: str) -> str:
    return (batch.out / name).read_text("utf-8")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_report_is_french_self_contained_and_complete() -> None:
    batch = case_batch("c20")
    page = _page(batch, "cand05-report-erreur.html")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    for external in ("http://", "https://", "<link", " src=", "@import", "url("):
        assert external not in page
    text = _text(page)
    for heading in ("Fiche candidat", "À examiner", "Critères", "Questions", "Signature",
                    "Annexe", "Détail des questions", "Indices pour le jury"):  # fmt: skip
        assert heading in text
    # 27 / 28 is 19,29 / 20, rounded to the nearest half point
    assert "Note automatique 27 / 28 19,5 / 20" in " ".join(text.split())
    assert "96\u202f% des points" in text  # the criterion's reason
    assert "feuille « Calculs »" in text and "trouvée par" in text
    assert "faux uniquement parce que" in text.casefold()
    report = load_report(batch.out / "cand05-report-erreur.json")
    assert report is not None
    for question in report.questions:
        assert f'id="q-{question.id}"' in page


def test_error_chain_goes_back_to_the_first_wrong_answer() -> None:
    report = load_report(ROOT / "fixtures/c20-bureau-plus/goldens/cand05-report-erreur.json")
    assert report is not None
    index = {(q.id, i.key): (q, i) for q in report.questions for i in q.items}
    question, item = index[("C20-Q15", "jours")]
    chain = [(q.id, i.key) for q, i in error_chain(question, item, index)]
    assert chain == [("C20-Q14", "SR"), ("C20-Q12", "taux de MCV"), ("C20-Q12", "MCV"),
                     ("C20-Q11", "CV")]  # fmt: skip
    page = _text(_page(case_batch("c20"), "cand05-report-erreur.html"))
    assert "Chaîne du report d'erreur" in page
    assert "C20-Q11[CV]" in page and "faux : origine de l'erreur" in page


def test_formulas_in_the_report_use_french_names() -> None:
    page = _page(case_batch("c16"), "cand05-ecart-type-attentes.html")
    formulas = re.findall(r'<span class="formula">(.*?)</span>', page)
    assert formulas and not any("AVERAGE(" in f or "STDEV" in f for f in formulas)
    assert any("MOYENNE(" in f for f in formulas)
    assert any("ECARTYPE.PEARSON(" in f for f in formulas)  # STDEV.P in the file
    assert any(";" in f for f in formulas)


def test_items_to_review_come_first() -> None:
    batch = case_batch("c20")
    report = load_report(batch.out / "cand04-erreurs-marges.json")
    assert report is not None
    late = report.questions[-1]
    doubtful = replace(late.items[0], verdict=Verdict.REVIEW, explanation="Trouvé par sa valeur.")
    late = replace(late, verdict=Verdict.REVIEW, items=(doubtful, *late.items[1:]))
    report = replace(report, questions=(*report.questions[:-1], late))
    page = render_report_html(GradebookEntry("x", "x.xlsx", report, None), batch.rubric)
    first = page.split('id="criteres"')[0]
    assert f"{late.id}[{doubtful.key}]" in first and "Trouvé par sa valeur." in first
    details = page.split('id="questions"')[1]
    assert details.index(f'id="q-{late.id}"') < details.index('id="q-C20-Q01"')


def test_unreadable_copy_page_says_why() -> None:
    page = _text(_page(case_batch("c21"), "ancien.html"))
    assert "Copie non corrigée" in page and "illisible" in page
    assert ".xls" in page


def test_c16_report_draws_both_matrices() -> None:
    batch = case_batch("c16")
    page = _page(batch, "cand06-coupure-milieu-echelle.html")
    section = page.split('id="matrice"')[1].split("</section>")[0]
    assert section.count("<svg") == 2
    assert section.count("<circle") == 14  # 7 criteria, candidate and expected
    assert "Matrice du candidat" in section and "Matrice attendue" in section
    assert section.count('stroke-dasharray="5 4"') == 4  # both axes, both matrices
    assert 'class="alert"' in section  # the labels written with the wrong cut stand out
    report = load_report(batch.out / "cand06-coupure-milieu-echelle.json")
    assert report is not None
    pair = matrices(report)
    assert pair is not None
    mine, expected = pair
    assert mine.cut_attente == pytest.approx(3.9142857143)
    assert set(expected.points) == {f"C{i}" for i in range(1, 8)}
    assert "<svg" not in _page(case_batch("c20"), "cand05-report-erreur.html")


def test_c16_matrix_shows_the_candidates_own_numbers() -> None:
    batch = case_batch("c16")
    report = load_report(batch.out / "cand07-moyennes-generales-fausses.json")
    assert report is not None
    pair = matrices(report)
    assert pair is not None
    mine, expected = pair
    cuts = next(q for q in report.questions if q.id == "C16-Q07")
    assert mine.cut_attente == cuts.items[0].found != expected.cut_attente


def test_index_links_counts_and_failed_questions() -> None:
    batch = case_batch("c16")
    page = _page(batch, "index.html")
    for report in batch.summary.reports:
        assert f'href="{report.candidate}.html"' in page
    text = _text(page)
    assert "Questions les plus souvent manquées" in text
    assert "Copies par statut" in text and "Questions par verdict" in text
    assert "Fichiers non corrigés automatiquement" in text and "scan.pdf" in text
    assert '<table class="sortable">' in page and "addEventListener" in page
    for external in ("http://", "https://", "<link", " src="):
        assert external not in page


# --- in a real browser ------------------------------------------------------------------------

LAYOUT_PROBE = """<script>
(function () {
  var root = document.documentElement, width = root.clientWidth, problems = [];
  if (root.scrollWidth > width + 1) problems.push("page " + root.scrollWidth + " > " + width);
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1)
      problems.push("dépasse à droite : " + el.tagName + " " + el.textContent.slice(0, 40));
    if ((el.tagName === "TD" || el.tagName === "TH") && el.scrollWidth > el.clientWidth + 1)
      problems.push("cellule trop étroite : " + el.textContent.slice(0, 40));
  });
  var out = document.createElement("pre");
  out.id = "layout-probe";
  out.textContent = JSON.stringify({
    problems: problems,
    ids: Array.prototype.map.call(document.querySelectorAll("[id]"), function (e) { return e.id; }),
    circles: document.querySelectorAll("svg circle").length,
    height: root.scrollHeight
  });
  document.body.appendChild(out);
})();
</script>"""

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium absent (apt-get install chromium) : rendu des pages HTML non vérifié",
)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = scratch("chromium-profile")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _probe(page: Path, width: int) -> dict[str, object]:
    probed = page.with_name(f".probe-{page.name}")
    probed.write_text(page.read_text("utf-8").replace("</body>", LAYOUT_PROBE + "</body>"))
    try:
        done = _chromium(f"--window-size={width},1200", "--dump-dom", probed.as_uri())
    finally:
        probed.unlink()
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    data: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return data


@needs_chromium
@pytest.mark.parametrize("shot", sorted(PAGES))
@pytest.mark.parametrize("width", [1200, 800])
def test_pages_lay_out_in_a_real_browser(shot: str, width: int) -> None:
    case, name = PAGES[shot]
    data = _probe(case_batch(case).out / name, width)
    assert data["problems"] == []
    ids = data["ids"]
    assert isinstance(ids, list)
    expected = (
        {"collusion", "candidats", "statuts"}
        if name == "index.html"
        else {
            "a-verifier",
            "criteres",
            "synthese",
            "questions",
            "indices",
            "note",
        }
    )
    assert expected <= set(ids)
    if shot == "c16-rapport":
        assert "matrice" in ids and data["circles"] == 14


@needs_chromium
@pytest.mark.parametrize("shot", sorted(PAGES))
def test_screenshot_of_each_case(shot: str) -> None:
    """The screenshot is kept under tests/data/screenshots/ as a documented manual check
    (README there); set AUTOCORRECT_SCREENSHOTS=1 to refresh the kept copies."""
    case, name = PAGES[shot]
    target = scratch("shot") / f"{shot}.png"
    done = _chromium("--window-size=1100,2600", f"--screenshot={target}",
                     (case_batch(case).out / name).as_uri())  # fmt: skip
    assert target.is_file(), done.stderr[-2000:]
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1100  # IHDR width
    assert len(data) > 50_000  # a rendered page, not a blank one
    if os.environ.get("AUTOCORRECT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / f"{shot}.png")
    assert (SCREENSHOTS / f"{shot}.png").is_file(), "capture de référence absente"


def _pdf_pages(page: Path, name: str) -> int:
    target = scratch("pdf") / f"{name}.pdf"
    done = _chromium("--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri())
    assert target.is_file(), done.stderr[-2000:]
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@needs_chromium
def test_candidate_sheet_of_a_near_perfect_copy_prints_on_one_page() -> None:
    batch = case_batch("c20")
    report = load_report(batch.out / "cand05-report-erreur.json")
    assert report is not None and report.score >= report.max_score - 1
    assert _pdf_pages(batch.out / "cand05-report-erreur.html", "fiche") == 1


@needs_chromium
def test_opened_annex_prints_the_details_too() -> None:
    page = case_batch("c16").out / "cand06-coupure-milieu-echelle.html"
    opened = scratch("annexe") / "ouverte.html"
    opened.write_text(
        page.read_text("utf-8").replace('<details class="annexe"', '<details open class="annexe"')
    )
    assert 2 <= _pdf_pages(opened, "annexe") <= 20


@needs_chromium
def test_session_sheets_print_one_page_per_candidate() -> None:
    batch = case_batch("c20")
    sheets = (batch.out / "fiches.html").read_text("utf-8")
    count = sheets.count('<section class="sheet"')
    assert count == len(batch.summary.reports) > 10
    assert _pdf_pages(batch.out / "fiches.html", "fiches") == count
