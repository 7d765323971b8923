"""Every output of a batch on the bundled fixtures, byte for byte.

Speed work (one read of the workbook, memos of formula work, incremental reruns…) must not
change a single report, gradebook, review page, annotated copy or signal. The digests of a
full batch of each case (annotated copies included) are kept in
`tests/data/output-digests.json`; `make goldens` rewrites them after an intended change (review
the JSON goldens' diff first: the digests only say *that* something changed). `run.json`
(durations, dates, versions) and the private state folder are left out: they describe the
run, not the grading.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from autocorrect.rubric.load import load_rubric
from autocorrect.session.batch import BatchOptions, run_batch
from autocorrect.session.limits import RunLimits
from autocorrect.session.store import STATE_DIR
from tests.conftest import ROOT

CASES = ("c20-bureau-plus", "c16-aquapro", "c21-terroirs", "c21-cyclea")
DIGESTS = ROOT / "tests" / "data" / "output-digests.json"
_RUN_DESCRIPTION = {"run.json"}


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of every output file, by path relative to the output folder."""
    found = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if not path.is_file() or relative in _RUN_DESCRIPTION or relative.startswith(STATE_DIR):
            continue
        found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def batch_digests(case: str, out: Path) -> dict[str, str]:
    folder = ROOT / "fixtures" / case
    options = BatchOptions(jobs=2, limits=RunLimits(120), annotate=True)
    run_batch(folder / "submissions", load_rubric(ROOT / "rubrics" / f"{case}.yaml"), out,
              options=options)  # fmt: skip
    return digests(out)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_batch_outputs_are_byte_identical(case: str, tmp_path: Path, update_goldens: bool) -> None:
    got = batch_digests(case, tmp_path / "out")
    known = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.is_file() else {}
    if update_goldens:
        known[case] = got
        DIGESTS.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert case in known, "empreintes des sorties absentes : lancer `make goldens`"
    expected = known[case]
    assert sorted(got) == sorted(expected), "fichiers de sortie ajoutés ou disparus"
    changed = sorted(name for name in got if got[name] != expected[name])
    assert not changed, f"sorties modifiées : {changed[:10]}"
    assert len(got) > 20  # reports, review pages, gradebooks, annotated copies
