"""The jury's day on a small session: answers to decide grouped by question, decisions pasted
into overrides.csv flowing into the report, the sheet, the index and the gradebook, a blank
copy and an unreadable copy listed to examine, a hand grade for the unreadable one."""

from __future__ import annotations

import html
import json
import re
import statistics
from pathlib import Path

import pytest

from autocorrect import french
from autocorrect.errors import RubricError
from autocorrect.grading.scoring import mark_out_of_20
from autocorrect.rubric.load import load_rubric
from autocorrect.session.batch import BatchOptions, run_batch
from tests.batch_helpers import case_batch, read_french_csv, rubric_path
from tests.builders import candidate
from tests.conftest import C20_RUBRIC, ROOT
from tests.test_html import _chromium, needs_chromium

SOLUTION = ROOT / "fixtures" / "c20-bureau-plus" / "goldens" / "solution.json"


def _expected(question: str, key: str) -> float:
    data = json.loads(SOLUTION.read_text("utf-8"))
    found = next(
        i["expected"] for q in data["questions"] if q["id"] == question for i in q["items"]
        if i["key"] == key
    )  # fmt: skip
    assert isinstance(found, float)
    return found


def _text(path: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))).split())


def test_mark_out_of_20_is_rounded_once_to_the_step() -> None:
    assert mark_out_of_20(27, 28) == 19.5  # 19,29 -> nearest half point
    assert mark_out_of_20(27, 28, 0.25) == 19.25
    assert mark_out_of_20(27, 28, 1) == 19
    assert mark_out_of_20(14.75, 20) == 15  # half up
    assert mark_out_of_20(0, 28) == 0 and mark_out_of_20(28, 28) == 20
    assert mark_out_of_20(5, 0) == 0


def test_rounding_step_comes_from_the_rubric(tmp_path: Path) -> None:
    assert load_rubric(C20_RUBRIC).mark_step == 0.5  # default
    subject = (C20_RUBRIC.parent / "../fixtures/c20-bureau-plus/sujet.xlsx").resolve()
    text = C20_RUBRIC.read_text("utf-8").replace(
        "subject: ../fixtures/c20-bureau-plus/sujet.xlsx", f"subject: {subject}"
    )
    path = tmp_path / "c20.yaml"
    path.write_text(f"mark_step: 0.25\n{text}", "utf-8")
    assert load_rubric(path).mark_step == 0.25
    for wrong in ("0", "beaucoup", "30"):
        path.write_text(f"mark_step: {wrong}\n{text}", "utf-8")
        with pytest.raises(RubricError, match="arrondi"):
            load_rubric(path)


def test_decisions_flow_from_the_review_page_into_every_output(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    sr = _expected("C20-Q14", "SR")  # typed in an unlabelled cell: found by its value only
    for name in ("ana", "ben"):
        candidate(folder, name, {"Brouillon": {"D7": sr}})
    candidate(folder, "cleo", {})  # the subject as it was handed out: a blank copy
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 200)
    out = tmp_path / "out"
    rubric = load_rubric(rubric_path("c20"))
    run_batch(folder, rubric, out, options=BatchOptions(jobs=2))

    to_fill = read_french_csv(out / "overrides-a-completer.csv")
    assert [(r["candidat"], r["question"]) for r in to_fill] == [
        ("ana", "C20-Q14"), ("ben", "C20-Q14"),
    ]  # fmt: skip
    assert to_fill[0]["verdict automatique"] == "à vérifier"
    assert to_fill[0]["trouvé"] == to_fill[0]["attendu"] == "291\u202f484,41\u202f€"
    assert to_fill[0]["cellules"].endswith("D7")
    assert to_fill[0]["libellés du candidat"] == "—"  # typed in a cell without any label
    review = (out / "revue" / "C20-Q14.html").read_text("utf-8")
    assert review.count('class="question" id="groupe-') == 1  # identical answers: one group
    assert "2 copies à décider" in _text(out / "revue" / "C20-Q14.html")
    assert "Libellé du candidat" in review
    index = _text(out / "index.html")
    assert "0 / 2 décidés" in index
    assert "cleo : copie vide" in index and "scan : copie illisible" in index
    assert "Copie vide" in _text(out / "cleo.html")
    assert "C20-Q14[SR]" in _text(out / "ana.html").split("Critères")[0]  # to examine
    ben = (out / "ben.html").read_text("utf-8")  # previous and next candidates, as in the index
    assert '<a href="ana.html" rel="prev">' in ben and '<a href="cleo.html" rel="next">' in ben

    # the jury pastes the lines of the group for « juste » and marks the unreadable copy
    juste = re.search(r"Pour décider « juste » :.*?<pre[^>]*>(.*?)</pre>", review, re.S)
    assert juste is not None
    lines = html.unescape(juste.group(1))
    (out / "overrides.csv").write_text(
        "candidat;question;points;verdict;motif;auteur\n"
        f"{lines}\nscan;copie;12,5;;copie papier corrigée à la main;Mme Martin\n",
        "utf-8",
    )
    again = run_batch(folder, rubric, out, options=BatchOptions(jobs=2))
    assert again.graded == () and again.override_problems == ()
    assert read_french_csv(out / "overrides-a-completer.csv") == []
    index = _text(out / "index.html")
    assert "2 / 2 décidés" in index and "ana : réponses à vérifier" not in index
    assert "scan : copie illisible, note donnée par le jury" in index
    sheet = _text(out / "ana.html").split("Annexe")[0]
    assert "C20-Q14[SR]" not in sheet.split("Critères")[0]  # decided: left « À examiner »
    assert "Jury : juste, 1 / 1 pt (revue par question)" in sheet
    rows = {r["candidat"]: r for r in read_french_csv(out / "gradebook.csv")}
    assert rows["ana"]["C20-Q14"] == "review"  # the automatic code stays
    assert (rows["ana"]["C20-Q14 (décision)"], rows["ana"]["C20-Q14 (points)"]) == ("juste", "1")
    assert rows["ana"]["note"] == "0" and rows["ana"]["note finale"] == "1"
    assert rows["ana"]["à vérifier"] == ""
    scan = rows["scan"]
    assert (scan["statut"], scan["note"], scan["note finale"]) == ("unreadable", "", "12,5")
    assert scan["note sur 20"] == "9"  # 12,5 / 28 × 20 = 8,93 -> 9
    assert "copie notée par le jury : 12,5 pt" in scan["dérogations"]
    assert "12,5 / 28" in _text(out / "scan.html")


INDEX_PROBE = """<script>
(function () {
  var form = document.getElementById("filtres");
  var heads = Array.prototype.map.call(document.querySelectorAll("#candidats th"),
    function (th) { return th.tabIndex; });
  function visible() {
    return Array.prototype.filter.call(document.querySelectorAll("#candidats tbody tr"),
      function (r) { return !r.hidden; }).length;
  }
  var all = visible();
  form.querySelector("[name=recherche]").value = "cand0";
  form.dispatchEvent(new Event("input"));
  var searched = visible();
  form.querySelector("[name=recherche]").value = "";
  form.querySelector("[name=statut]").value = "unreadable";
  form.dispatchEvent(new Event("change"));
  var unreadable = visible();
  var out = document.createElement("pre");
  out.id = "index-probe";
  out.textContent = JSON.stringify({heads: heads, all: all, searched: searched,
    unreadable: unreadable});
  document.body.appendChild(out);
})();
</script>"""


@needs_chromium
def test_index_filters_search_and_keyboard_sort_in_a_real_browser() -> None:
    batch = case_batch("c20")
    page = batch.out / "index.html"
    probed = page.with_name(".probe-index-filtres.html")
    probed.write_text(page.read_text("utf-8").replace("</body>", INDEX_PROBE + "</body>"))
    try:
        done = _chromium("--window-size=1200,1200", "--dump-dom", probed.as_uri())
    finally:
        probed.unlink()
    found = re.search(r'<pre id="index-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    data = json.loads(html.unescape(found.group(1)))
    assert data["heads"] and all(t == 0 for t in data["heads"])  # reachable by Tab
    reports = batch.summary.reports
    assert data["all"] == len(reports)
    assert data["searched"] == sum("cand0" in r.candidate for r in reports) > 0
    assert data["unreadable"] == sum(str(r.status) == "unreadable" for r in reports) > 0


def test_index_shows_the_distribution_and_success_rates() -> None:
    batch = case_batch("c20")
    text = _text(batch.out / "index.html")
    rows = read_french_csv(batch.out / "gradebook.csv")
    marks = [float(r["note sur 20"].replace(",", ".")) for r in rows if r["note sur 20"]]
    mean = french.points(statistics.fmean(marks))
    assert f"moyenne : {mean}" in text
    assert f"médiane : {french.points(statistics.median(marks))}" in text
    page = (batch.out / "index.html").read_text("utf-8")
    assert page.count("<rect ") == 10  # one bar per two points
    # success rate of C20-Q01, recomputed from the gradebook's final verdicts
    graded = [r for r in rows if r["statut"] == "graded"]
    right = sum(r["C20-Q01 (décision)"] in ("juste", "report d'erreur") for r in graded)
    rate = " ".join(french.percent(right / len(graded), 0).split())  # as _text shows it
    assert f"C20-Q01 Prix de vente TTC {rate}" in text
    assert "Acquis" in text and "C20-calculs" in text
