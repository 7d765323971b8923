"""The input folder of a batch: every directory entry is either a submission or listed as
ignored with its reason, and each submission gets a bounded content identity.

Entries are examined without following anything: a symbolic link is never followed (it could
point at another candidate's file, outside the folder, at a device or at itself), a
sub-folder, a named pipe, a socket or a device is not a file. Regular files are all
submissions, whatever their name or permissions: a file nobody may read gets an `unreadable`
report saying so.

Hashing runs in the batch's own process, before any worker, so it is bounded: a file over the
pre-flight size limit is not read at all (its identity is its size: the report says it is too
large, whatever its bytes), and the rest is read in chunks under a time budget.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from autocorrect.errors import AutocorrectError
from autocorrect.reading.guard import Limits
from autocorrect.session.model import Ignored
from autocorrect.session.names import shown_name

HIDDEN_REASON = "fichier caché ou fichier de verrouillage Office : ignoré"
LINK_REASON = "lien ignoré (un lien n'est jamais suivi : déposer le classeur lui-même)"
FOLDER_REASON = "dossier ignoré (seuls les fichiers placés directement dans le dossier sont lus)"
HASH_BUDGET_S = 10.0  # reading one file to hash it; beyond, it is graded again at each run
_CHUNK = 1 << 20


class InputFolderError(AutocorrectError):
    """The folder of submissions cannot be listed; the message is one French sentence."""


@dataclass(frozen=True)
class Identity:
    """What says that a file is unchanged since an earlier run."""

    key: str  # compared between runs; "" when it could not be established (always regraded)
    sha256: str = ""  # the content hash, when the whole file was read


def submissions(folder: Path) -> tuple[list[Path], list[Ignored]]:
    """(regular files to grade, every other entry with its reason), both sorted by name."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        raise InputFolderError(
            f"Le dossier des copies « {shown_name(str(folder))} » ne peut pas être lu "
            f"({_why(exc)})."
        ) from None
    graded: list[Path] = []
    ignored: list[Ignored] = []
    for entry in entries:
        reason = _ignored_reason(entry)
        if reason is None:
            graded.append(Path(entry.path))
        else:
            ignored.append(Ignored(shown_name(entry.name), reason))
    return graded, ignored


def _ignored_reason(entry: os.DirEntry[str]) -> str | None:
    if entry.name.startswith((".", "~$")):
        return HIDDEN_REASON
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "entrée disparue ou illisible pendant la lecture du dossier : ignorée"
    if stat.S_ISLNK(mode):
        return LINK_REASON
    if stat.S_ISDIR(mode):
        return FOLDER_REASON
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "tube nommé (FIFO) ignoré : ce n'est pas un fichier"
    if stat.S_ISSOCK(mode):
        return "socket ignorée : ce n'est pas un fichier"
    return "périphérique ignoré : ce n'est pas un fichier"


def identity(path: Path, limits: Limits | None = None, budget_s: float = HASH_BUDGET_S) -> Identity:
    """The file's identity: its SHA-256 when it is within the size limit and could be read in
    time; its size when it is too large to be graded anyway; its access error otherwise."""
    max_bytes = (limits or Limits()).max_file_bytes
    try:
        size = path.stat(follow_symlinks=False).st_size
        if size > max_bytes:
            return Identity(f"trop-gros:{size}")
        return _hashed(path, max_bytes, budget_s)
    except PermissionError:
        return Identity("droits")
    except OSError as exc:
        return Identity(f"illisible:{exc.errno}")


def _hashed(path: Path, max_bytes: int, budget_s: float) -> Identity:
    digest = hashlib.sha256()
    deadline = time.monotonic() + budget_s
    read = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            read += len(chunk)
            if read > max_bytes:  # grew since stat: the worker reports it too large
                return Identity(f"trop-gros:{read}")
            if time.monotonic() > deadline:
                return Identity("")
    hexdigest = digest.hexdigest()
    return Identity(hexdigest, hexdigest)


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "droits insuffisants"
    if isinstance(exc, NotADirectoryError):
        return "ce n'est pas un dossier"
    if isinstance(exc, FileNotFoundError):
        return "introuvable"
    return f"erreur système n° {exc.errno}"
