"""Names in a batch: the report name of each submission, and its file name as shown to people.

A file name is any bytes but `/` and NUL (an archive made on Windows and unpacked here gives
names in cp1252, not UTF-8; a name may hold control characters). Report names are derived
from it by a stable transliteration: undecodable bytes are read as cp1252, then every
character that is not a letter, a digit, `-`, `_` or `.` becomes `_`. The original name is
shown escaped (`\\xe9` for an undecodable byte, `\\x07` for a control character), so every
output can be written as UTF-8 and still says which file it was.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from pathlib import Path, PurePath

RESERVED = frozenset(
    {"index", "run", "gradebook", "unreadable", "collusion", "overrides", "fiches"}
    | {"overrides-a-completer"}
)
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
)  # not files on Windows, where graders open the output folder
MAX_NAME_BYTES = 150  # file names are limited to 255 bytes, suffixes and temporaries included


def shown_name(name: str) -> str:
    """The file name as people read it: undecodable bytes and control characters escaped."""
    return "".join(_shown_char(c) for c in name)


def _shown_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def readable_name(name: str) -> str:
    """The name decoded as UTF-8, or as cp1252 when its bytes are not UTF-8."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def report_names(paths: list[Path]) -> dict[Path, str]:
    """File stem, safe as a file name; files sharing a stem all get their extension added
    (`dupont_xls`, `dupont_xlsx`), so no report overwrites another and none depends on order.
    Stems that would overwrite a summary file (`index`, `run`…) or name a Windows device
    (`CON`, `NUL`, `COM1`…) get `_copie` added; long stems are cut to fit the file system."""
    readable = {p: PurePath(readable_name(p.name)) for p in paths}
    safe = {p: _safe_stem(readable[p].stem) for p in paths}
    counts = Counter(name.casefold() for name in safe.values())
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        name = safe[path]
        if counts[name.casefold()] > 1:
            suffix = "".join(c if c.isalnum() else "_" for c in readable[path].suffix[1:])
            name = f"{name}_{suffix or 'sans-extension'}"
        base, counter = name, 2
        while name.casefold() in taken:
            name, counter = f"{base}_{counter}", counter + 1
        taken.add(name.casefold())
        names[path] = name
    return names


def _safe_stem(text: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "copie"
    if stem.startswith("."):
        stem = "_" + stem[1:]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:  # room for ".<name>.json.XXXX.tmp"
        stem = stem[:-1]
    head, dot, rest = stem.partition(".")
    if head.upper() in WINDOWS_DEVICES:  # Windows reads "con.xlsx" as CON: mark the head
        return f"{head}_copie{dot}{rest}"
    return f"{stem}_copie" if stem.casefold() in RESERVED else stem
