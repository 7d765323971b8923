"""LibreOffice headless as a recalculation oracle (fixtures, cross-checks, tests).

LibreOffice keeps the cached values a file carries unless its profile forces recalculation on
load; a brand-new profile does not, so every call uses a private profile that does.
Concurrent calls need distinct profiles, which a temporary directory per call gives.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autocorrect.errors import AutocorrectError

RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


class LibreOfficeError(AutocorrectError):
    """soffice is missing or did not convert every file."""


# Per kind of legacy spreadsheet: its suffix, and the only import filter LibreOffice may use
# (without one, LibreOffice opens any unknown bytes as a text file and "converts" them).
CONVERTIBLE_SUFFIXES = {"xls": ".xls", "xml-2003": ".xml", "ods": ".ods", "fods": ".fods"}
IMPORT_FILTERS = {
    "xls": "MS Excel 97",
    "xml-2003": "MS Excel 2003 XML",
    "ods": "calc8",
    "fods": "OpenDocument Spreadsheet Flat",
}


DEFAULT_CONVERSION_S = 40.0
_CONVERSION = {"timeout_s": DEFAULT_CONVERSION_S}  # per process


def set_conversion_timeout(seconds: float) -> None:
    """The time a conversion may take in this process (a grading worker sets a third of its
    own limit, so that it reports a slow conversion itself instead of being killed)."""
    _CONVERSION["timeout_s"] = max(1.0, seconds)


def convert_to_xlsx(data: bytes, kind: str, timeout: float | None = None) -> bytes:
    """A .xls/.ods/.fods submission's bytes converted to .xlsx by LibreOffice headless, with a
    private profile that recalculates on load and never runs macros; raises LibreOfficeError
    when LibreOffice is absent, slow or fails. The time limit stays under the grading
    worker's own (see set_conversion_timeout), so the worker reports the failure itself."""
    timeout = timeout or _CONVERSION["timeout_s"]
    with tempfile.TemporaryDirectory(prefix="lo-convert-") as tmp:
        source = Path(tmp) / f"copie{CONVERTIBLE_SUFFIXES[kind]}"
        source.write_bytes(data)
        try:
            (converted,) = recalculate(
                [source], Path(tmp) / "xlsx", timeout=timeout, input_filter=IMPORT_FILTERS[kind]
            )
        except LibreOfficeError as exc:
            raise LibreOfficeError("LibreOffice ne l'a pas ouvert comme un classeur") from exc
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice n'a pas fini en {timeout:.0f} s") from exc
        except OSError as exc:
            raise LibreOfficeError(f"LibreOffice n'a pas pu être lancé : {exc}") from exc
        return converted.read_bytes()


def _killed_after(seconds: float) -> list[str]:
    """`timeout -s KILL` before the command: it kills LibreOffice's whole process group on
    time even when our own process was killed first (a grading worker past its limit), so
    no LibreOffice is ever left running."""
    wrapper = shutil.which("timeout")
    return [wrapper, "-s", "KILL", f"{seconds:.0f}"] if wrapper else []


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(
    files: Sequence[Path], outdir: Path, timeout: float = 900, input_filter: str | None = None
) -> list[Path]:
    """Open, recalculate and save every file as .xlsx in `outdir`, in one soffice call."""
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) est introuvable : apt-get install libreoffice-calc"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ON_LOAD, "utf-8")
        command = [
            *_killed_after(timeout),
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            *([f"--infilter={input_filter}"] if input_filter else []),
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout + 5, check=False
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    outputs = [outdir / f"{f.stem}.xlsx" for f in files]
    missing = [p.name for p in outputs if not p.exists()]
    if done.returncode != 0 or missing:
        raise LibreOfficeError(
            f"LibreOffice n'a pas converti {missing or 'les classeurs'} "
            f"(code {done.returncode}) : {done.stderr.strip()}"
        )
    return outputs
