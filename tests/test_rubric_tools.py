"""`rubric check` and `regress`: a rubric change is checked and its impact measured before
it reaches candidates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autocorrect.authoring.check import check_rubric
from autocorrect.authoring.regress import compare, regrade, render_markdown, render_text
from autocorrect.cli.main import main
from autocorrect.rubric.load import load_rubric
from tests.conftest import C20_FIXTURES, ROOT

RUBRICS = sorted((ROOT / "rubrics").glob("*.yaml"))


def _variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of a rubric with one edit, its subject path made absolute."""
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    subject = load_rubric(source).subject.resolve()
    text = text.replace("subject: ../fixtures/", f"subject: {subject.parent.parent}/", 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("rubric", RUBRICS, ids=lambda p: p.stem)
def test_every_bundled_rubric_passes_its_check(rubric: Path) -> None:
    report = check_rubric(rubric)
    assert report.problems == ()
    assert any("solution" in n for n in report.notes)


def test_a_missing_question_is_reported(tmp_path: Path) -> None:
    source = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    path = _variant(tmp_path, source, "  - id: C20-Q27\n", "  - id: C20-Q99\n")
    problems = check_rubric(path).problems
    assert any("C20-Q27 de l'énoncé n'a pas de barème" in p for p in problems)
    assert any("C20-Q99 n'existe pas" in p for p in problems)


def test_an_absurd_tolerance_is_reported(tmp_path: Path) -> None:
    source = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    path = _variant(
        tmp_path, source, "        tolerance: {abs: 0.02}", "        tolerance: {abs: 50}"
    )
    problems = check_rubric(path).problems
    assert any(
        "tolérance absolue 50 trop large" in p and "C20-Q25[net à payer]" in p for p in problems
    )


_VARIANT_365 = (
    '          - {kpi: point_mort_jours, args: {sr: "C20-Q14[SR]", ca: "C20-Q06[Total]", '
    'base: 365}, name: "année civile de 365 jours"}\n'
)


def test_a_dropped_variant_breaks_a_golden_and_shows_in_regress(tmp_path: Path) -> None:
    """A rubric change that moves a verdict: the 365-day convention no longer accepted.
    (A lost label synonym no longer moves anything: a right formula is recognised by what it
    computes, whatever its label.)"""
    source = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    path = _variant(tmp_path, source, _VARIANT_365, "")
    problems = check_rubric(path).problems
    assert any("cand11-convention-365" in p and "C20-Q15" in p for p in problems)

    submissions = C20_FIXTURES / "submissions"
    before = regrade(submissions, load_rubric(source))
    impact = compare(before, regrade(submissions, load_rubric(path)))
    assert [c.candidate for c in impact.changed] == ["cand11-convention-365"]
    moves = impact.changed[0].moves
    assert [(m.question, m.before) for m in moves] == [("C20-Q15", "correct")]
    assert impact.per_question() == {"C20-Q15": {"up": 0, "down": 1, "same points": 0}}
    assert "| C20-Q15 | 0 | 1 | 0 |" in render_markdown(impact)
    assert "cand11-convention-365 : 28 → 27,5" in render_text(impact)


def test_a_lost_synonym_moves_no_verdict(tmp_path: Path) -> None:
    source = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    path = _variant(
        tmp_path, source, '"marge par unité", "marge u", "mu"', '"marge par unité", "mu"'
    )
    submissions = C20_FIXTURES / "submissions"
    before = regrade(submissions, load_rubric(source))
    assert compare(before, regrade(submissions, load_rubric(path))).changed == ()


def test_an_unchanged_rubric_moves_nothing() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "c20-bureau-plus.yaml")
    results = regrade(C20_FIXTURES / "submissions", rubric)
    assert compare(results, results).changed == ()


def test_cli_rubric_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    assert main(["rubric", "check", str(good)]) == 0
    assert "OK" in capsys.readouterr().out
    bad = _variant(tmp_path, good, "  - id: C20-Q27\n", "  - id: C20-Q99\n")
    assert main(["rubric", "check", str(bad)]) == 1
    assert "C20-Q27" in capsys.readouterr().out


def test_cli_regress_threshold_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = ROOT / "rubrics" / "c20-bureau-plus.yaml"
    baseline = tmp_path / "avant"
    baseline.mkdir()
    for name, result in regrade(C20_FIXTURES / "submissions", load_rubric(source)).items():
        (baseline / f"{name}.json").write_text(json.dumps(result), encoding="utf-8")
    changed = _variant(tmp_path, source, _VARIANT_365, "")
    args = ["regress", str(C20_FIXTURES / "submissions"), "--rubric", str(changed),
            "--baseline", str(baseline), "--format", "markdown"]  # fmt: skip
    assert main([*args, "--max-changed", "0"]) == 1
    assert "**1 modifiée(s)**" in capsys.readouterr().out
    assert main([*args, "--max-changed", "1"]) == 0


def test_cli_draft_writes_a_loadable_rubric(tmp_path: Path) -> None:
    case = ROOT / "fixtures" / "c20-bureau-plus"
    out = ROOT / "rubrics" / f".draft-test-{tmp_path.name}.yaml"
    try:
        args = ["rubric", "draft", str(case / "solution.xlsx"), "--subject",
                str(case / "sujet.xlsx"), "--enonce", str(case / "enonce.md")]  # fmt: skip
        code = main([*args, "--out", str(out)])
        assert code == 0
        assert {q.id for q in load_rubric(out).questions} == {f"C20-Q{n:02d}" for n in range(1, 29)}
    finally:
        out.unlink(missing_ok=True)
