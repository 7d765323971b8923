"""Real-world files: every one gets a result within the time bound, under a memory cap, and
either a graded report or a precise French reason; a mixed batch loses nothing.

`tests/data/corpus/` (see ATTRIBUTION.md) holds a small, permissively licensed selection of
the hard cases, so that a fresh clone exercises them. The full reference corpus
(`../shared/corpus`, 265 files from the public test suites of spreadsheet libraries) is swept
when it is present; each file is graded with the C20 rubric through `grade_isolated`, two at
a time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import time
import zipfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autocorrect.reading.libreoffice import soffice_path
from autocorrect.report import CandidateReport, Code, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.batch import run_batch
from autocorrect.session.isolation import RunLimits, grade_isolated
from tests.builders import candidate, product_table
from tests.conftest import C20_FIXTURES, C20_RUBRIC, ROOT
from tests.hostile import (
    FIRST_SHEET,
    LOCAL_CORPUS,
    SUBMISSION,
    grid_sheet,
    members,
    rezip,
    write_zip,
)

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
LOCAL_LIMITS = RunLimits(timeout_s=30, memory_mb=1024)
SHARED_LIMITS = RunLimits(timeout_s=15, memory_mb=1024)  # the sweep: 2 to 3 min on 2 cores
SLACK_S = 15.0  # starting a worker, killing one that is over time
WORKERS = min(2, os.cpu_count() or 1)


def grade_all(
    paths: Iterable[Path], limits: RunLimits
) -> list[tuple[Path, CandidateReport, float]]:
    def one(path: Path) -> tuple[Path, CandidateReport, float]:
        started = time.monotonic()
        report = grade_isolated(path, C20_RUBRIC, limits)
        return path, report, time.monotonic() - started

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, paths))


def is_full_report(report: CandidateReport, rubric: Rubric) -> bool:
    return (
        report.status == Status.GRADED
        and [q.id for q in report.questions] == [q.id for q in rubric.questions]
        and report.max_score == sum(q.points for q in rubric.questions)
    )


# --------------------------------------------------------------------------- local selection

# file -> (status, phrases the message must contain, finding codes the report must carry)
LOCAL: dict[str, tuple[Status, tuple[str, ...], tuple[Code, ...]]] = {
    "calamine__pass_protected.xlsx": (Status.UNREADABLE, ("protégé par mot de passe",), ()),
    "poi__xor-encryption-abc.xls": (Status.UNREADABLE, ("(.xls)", "protégé par mot de passe"), ()),
    # a real .xls: converted by LibreOffice when it is installed, refused with advice otherwise
    "readxl__mtcars.xls": (
        (Status.GRADED, (), (Code.CONVERTED_FILE,))
        if soffice_path()
        else (Status.UNREADABLE, ("Excel 97-2003 (.xls)", "Enregistrer sous"), ())
    ),
    "poi__poc-xmlbomb.xlsx": (Status.UNREADABLE, ("déclaration XML interdite",), ()),
    "pycalamine__empty_file.xlsx": (Status.UNREADABLE, ("vide",), ()),
    "calamine__too_small.xls": (Status.UNREADABLE, ("n'est pas un classeur Excel", "texte"), ()),
    "closedxml__tilde-dollar-lockfile_LoadPivotTables.xlsx": (
        Status.UNREADABLE,
        ("verrouillage",),
        (),
    ),
    "exceldatareader__Test_git_issue_368_header.xls": (
        Status.UNREADABLE,
        ("Excel 2.x à 4.0", ".xlsx"),
        (),
    ),
    "derived__truncated-1000B__ironcalc__XLOOKUP.xlsx": (
        Status.UNREADABLE,
        ("endommagé", "tronquée"),
        (),
    ),
    "phpspreadsheet__oleloop.xls": (Status.UNREADABLE, ("(.xls)", ".xlsx"), ()),
    "calamine__issue_594_dos.ods": (Status.UNREADABLE, ("OpenDocument", ".xlsx"), ()),
    "poi__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-6594557414080512.xlsx": (
        Status.UNREADABLE,
        ("endommagé",),
        (),
    ),
    "phpspreadsheet__rootZipFiles.xlsx": (
        Status.UNREADABLE,
        ("ne peut pas être lu", "endommagé", "à la main"),
        (),
    ),
    "derived__wrong-content-type__poi__shared_formulas.xlsx": (
        Status.UNREADABLE,
        ("[Content_Types].xml",),
        (),
    ),
    "derived__bad-sheet-xml__poi__VLookupFullColumn.xlsx": (
        Status.UNREADABLE,
        ("XML est malformée",),
        (),
    ),
    "roo__strict.xlsx": (Status.UNREADABLE, ("Open XML Strict", "Classeur Excel"), ()),
    "poi__sample.xlsb": (Status.UNREADABLE, ("(.xlsb)", ".xlsx"), ()),
    "ironcalc__CHOOSE.xlsx": (Status.GRADED, (), (Code.UNSUPPORTED_FUNCTION,)),
    "roo__boolean-from-google-sheets.xlsx": (Status.GRADED, (), ()),
    "roo__numbers-export.xlsx": (Status.GRADED, (), ()),
    "sheetjs__write.xlsx": (Status.GRADED, (), ()),
    "roo__type_excelx.ods": (Status.GRADED, (), ()),  # a real .xlsx under an .ods name
    "xlsxwriter__macro01.xlsm": (Status.GRADED, (), (Code.MACROS_IGNORED,)),
    "ironcalc__link_test.xlsx": (Status.GRADED, (), (Code.EXTERNAL_LINKS_IGNORED,)),
    "phpspreadsheet__issue.3982.xlsx": (Status.GRADED, (), ()),  # claims 1 G cells
}


def test_local_selection_is_attributed() -> None:
    """Every third-party file has its source, licence and hash in ATTRIBUTION.md."""
    attribution = (LOCAL_CORPUS / "ATTRIBUTION.md").read_text(encoding="utf-8")
    files = sorted(p for p in LOCAL_CORPUS.iterdir() if p.name != "ATTRIBUTION.md")
    assert {p.name for p in files} == set(LOCAL)
    for path in files:
        row = next(line for line in attribution.splitlines() if f"`{path.name}`" in line)
        assert hashlib.sha256(path.read_bytes()).hexdigest() in row
        assert re.search(r"MIT|Apache-2\.0|BSD-[23]-Clause", row)


def test_local_selection(c20_rubric: Rubric) -> None:
    problems = []
    for path, report, seconds in grade_all(sorted(LOCAL_CORPUS / n for n in LOCAL), LOCAL_LIMITS):
        status, phrases, codes = LOCAL[path.name]
        found = {f.code for f in report.findings}
        if seconds > LOCAL_LIMITS.timeout_s + SLACK_S:
            problems.append(f"{path.name}: {seconds:.1f} s")
        if report.status != status:
            problems.append(f"{path.name}: {report.status} ({report.message})")
        problems += [f"{path.name}: « {p} » absent" for p in phrases if p not in report.message]
        problems += [f"{path.name}: pas de constat {c}" for c in codes if c not in found]
        if status == Status.UNREADABLE and "candidat" not in report.message:
            problems.append(f"{path.name}: message sans consigne : {report.message}")
        if status == Status.GRADED and not is_full_report(report, c20_rubric):
            problems.append(f"{path.name}: rapport incomplet")
    assert problems == []


# --------------------------------------------------------------------------- ../shared/corpus

# container (MANIFEST.tsv) -> phrases one of which an `unreadable` message must contain
UNREADABLE_BY_CONTAINER: dict[str, tuple[str, ...]] = {
    "empty": ("vide",),
    "ooxml-encrypted(OLE)": ("protégé par mot de passe",),
    "xls-biff": ("(.xls)",),
    "xls-biff2-4-raw": ("(.xls très ancien)",),
    "ole-bad": ("(.xls)",),
    "ole-other": ("(.xls)",),
    "ods": ("OpenDocument",),
    "fods": ("OpenDocument",),
    "xlsb": ("(.xlsb)",),
    "zip-bad": ("endommagé",),
    "text/csv-disguised": ("n'est pas un classeur Excel",),
    "unknown-binary": ("n'est pas un classeur Excel",),
    "docx": ("Word", "[Content_Types].xml"),
    "zip": ("n'est pas un classeur Excel", "endommagé", "OpenDocument"),
    "zip-ooxml-unknown": ("n'est pas un classeur Excel", "endommagé"),
}
WORKBOOK_CONTAINERS = {"xlsx", "xlsm", "xltx", "xltm"}
# legacy spreadsheets LibreOffice converts (when installed, in time): graded with a finding
CONVERTIBLE_CONTAINERS = {"xls-biff", "ods", "fods", "ole-other", "ole-bad"}
# why a file holding a workbook may still be refused
WORKBOOK_REFUSALS = (
    "déclaration XML interdite",  # DTD / entities
    "Open XML Strict",
    "ne peut pas être lu",  # openpyxl cannot make a workbook of it
    "endommagé",  # zip damage (CRC…)
)


def converted(report: CandidateReport) -> bool:
    return Code.CONVERTED_FILE in {f.code for f in report.findings}


def check_shared(row: dict[str, str], report: CandidateReport, seconds: float) -> list[str]:
    """What is wrong with one corpus file's result (empty list: nothing)."""
    name, container = row["file"], row["container"]
    problems = []
    if seconds > SHARED_LIMITS.timeout_s + SLACK_S:
        problems.append(f"{name}: {seconds:.1f} s")
    if report.status == Status.ERROR:
        # only a limit may stop a file, never a defect of the engine
        if "délai" not in report.message and "mémoire" not in report.message:
            problems.append(f"{name}: erreur : {report.message}")
        convertible = container in CONVERTIBLE_CONTAINERS and soffice_path()
        if container not in WORKBOOK_CONTAINERS and not convertible:
            problems.append(f"{name}: {container} aurait dû être refusé d'emblée")
    elif report.status == Status.UNREADABLE:
        if "candidat" not in report.message:
            problems.append(f"{name}: message sans consigne : {report.message}")
        expected = UNREADABLE_BY_CONTAINER.get(container, WORKBOOK_REFUSALS)
        if not any(phrase in report.message for phrase in expected):
            problems.append(f"{name} ({container}): {report.message}")
        readable = row["openpyxl_result"] == "ok" and "strict-ooxml" not in row["features"]
        if readable and container in WORKBOOK_CONTAINERS:
            problems.append(f"{name}: lisible par openpyxl mais refusé : {report.message}")
    elif container in CONVERTIBLE_CONTAINERS and soffice_path():
        if Code.CONVERTED_FILE not in {f.code for f in report.findings}:
            problems.append(f"{name}: {container} corrigé sans dire qu'il a été converti")
    elif container not in WORKBOOK_CONTAINERS and not converted(report):
        # a spreadsheet LibreOffice could open (an .ods without its mimetype part) is graded
        # through its conversion, and says so
        problems.append(f"{name}: {container} corrigé comme un classeur")
    return problems


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.skipif(
    not SHARED_CORPUS.is_dir(),
    reason="../shared/corpus est absent : balayage du corpus de référence non exécuté",
)
def test_shared_corpus(c20_rubric: Rubric) -> None:
    with (SHARED_CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    assert len(manifest) == 265
    # the longest first, so that the two workers finish together
    order = sorted(manifest, key=lambda n: -float(manifest[n]["openpyxl_seconds"] or 0))
    started = time.monotonic()
    results = grade_all([SHARED_CORPUS / n for n in order], SHARED_LIMITS)
    elapsed = time.monotonic() - started
    problems = []
    for path, report, seconds in results:
        problems += check_shared(manifest[path.name], report, seconds)
        if report.status == Status.GRADED and not is_full_report(report, c20_rubric):
            problems.append(f"{path.name}: rapport incomplet")
    counts = Counter(str(report.status) for _, report, _ in results)
    slowest = sorted(results, key=lambda r: -r[2])[:8]
    print(f"\ncorpus : {len(results)} fichiers en {elapsed:.0f} s, {dict(sorted(counts.items()))}")
    for path, report, seconds in slowest:
        print(f"  {seconds:5.1f} s  {report.status:<10} {path.name}")
    assert len(results) == len(manifest)
    assert problems == []


# --------------------------------------------------------------------------- a mixed batch


def mixed_folder(folder: Path, tmp: Path) -> dict[str, tuple[Status, str]]:
    """Good, broken and malicious files side by side; name -> (status, phrase of its reason)."""
    folder.mkdir()
    expected: dict[str, tuple[Status, str]] = {}

    def put(name: str, data: bytes, status: Status, phrase: str = "") -> None:
        (folder / name).write_bytes(data)
        expected[Path(name).stem] = (status, phrase)

    for path in sorted((C20_FIXTURES / "submissions").glob("cand0[157]*.xlsx")):
        put(path.name, path.read_bytes(), Status.GRADED)
    base = SUBMISSION.read_bytes()
    put("tronque.xlsx", base[: len(base) // 2], Status.UNREADABLE, "endommagé")
    broken_sheet = [(n, d[: len(d) // 2] if n == FIRST_SHEET else d) for n, d in members()]
    broken = write_zip(tmp / "x.xlsx", broken_sheet).read_bytes()
    put("xml-casse.xlsx", broken, Status.UNREADABLE, "XML est malformée")
    put("vide.xlsx", b"", Status.UNREADABLE, "vide")
    legacy = LOCAL_CORPUS / "readxl__mtcars.xls"
    if soffice_path():  # converted by LibreOffice, then graded
        put(legacy.name, legacy.read_bytes(), Status.GRADED)
    else:
        put(legacy.name, legacy.read_bytes(), Status.UNREADABLE, ".xls")
    for name, phrase in [
        ("calamine__pass_protected.xlsx", "mot de passe"),
        ("calamine__issue_594_dos.ods", "OpenDocument"),
        ("poi__sample.xlsb", ".xlsb"),
        ("roo__strict.xlsx", "Open XML Strict"),
        ("poi__poc-xmlbomb.xlsx", "déclaration XML interdite"),
    ]:
        put(name, (LOCAL_CORPUS / name).read_bytes(), Status.UNREADABLE, phrase)
    bomb = rezip(tmp / "bombe.xlsx")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.png", bytes(120 * 1024 * 1024))
    put("bombe.xlsx", bomb.read_bytes(), Status.UNREADABLE, "bombe de décompression")
    many = rezip(tmp / "m.xlsx", replace={FIRST_SHEET: grid_sheet(100_001)})
    put("cellules.xlsx", many.read_bytes(), Status.UNREADABLE, "cellules")
    trap = {"H1": '=WEBSERVICE("http://example.invalid/")', "H2": "=" + "+".join(["1"] * 4600)}
    risky = candidate(tmp, "piege", {"Calculs": product_table() | trap})
    put("piege.xlsm", risky.read_bytes(), Status.GRADED)
    put(
        "scan.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        Status.UNREADABLE,
        "PDF",
    )
    put("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), Status.UNREADABLE, "JPEG")
    put("notes.txt", b"Nom;Note\nDupont;12\n", Status.UNREADABLE, "CSV")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "~$cand01-plusieurs-feuilles.xlsx").write_bytes(b"\x06Dupont" + bytes(158))
    return expected


def test_mixed_batch_grades_the_good_and_explains_the_bad(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    folder, out = tmp_path / "copies", tmp_path / "rapports"
    expected = mixed_folder(folder, tmp_path)
    summary = run_batch(folder, c20_rubric, out)
    assert sorted(p.name for p in summary.skipped) == [
        ".DS_Store",
        "~$cand01-plusieurs-feuilles.xlsx",
    ]
    by_name = {r.candidate: r for r in summary.reports}
    assert set(by_name) == set(expected)
    problems = []
    for name, (status, phrase) in expected.items():
        report = by_name[name]
        if report.status != status or phrase not in report.message:
            problems.append(f"{name}: {report.status} « {report.message} »")
        saved = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        if saved["status"] != str(status) or saved["message"] != report.message:
            problems.append(f"{name}: rapport JSON différent")
        if status == Status.GRADED and not is_full_report(report, c20_rubric):
            problems.append(f"{name}: rapport incomplet")
    assert problems == []
    trap = {f.code for f in by_name["piege"].findings}
    assert {Code.UNSUPPORTED_FUNCTION, Code.FORMULA_ERROR} <= trap
