"""The output folder of a batch belongs to one input folder and to one batch at a time.

`claim` is held for the whole run:
- the output folder may not be the input folder or lie inside it (the batch would grade its
  own outputs);
- a lock (`.autocorrect/lock`, holding the pid of the batch that writes) refuses a second
  batch on the same folder; the lock is an advisory `flock`, released by the system when its
  holder dies, so the lock file left by a batch that was killed is stale and simply retaken;
- `.autocorrect/owner.json` records the input folder; a batch of another folder is refused
  (it would remove every report of the first one, and the jury's overrides with them);
- temporary files left by a batch that was killed are removed.

Every refusal, and every file-system error on the output side (read-only folder, a file where
the folder should be, disk full), is an `OutputError` carrying one French sentence.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autocorrect.errors import AutocorrectError
from autocorrect.session.names import shown_name
from autocorrect.session.store import STATE_DIR, write_atomic

LOCK_FILE = "lock"
OWNER_FILE = "owner.json"
TEMPORARY_DIRS = (".", STATE_DIR, f"{STATE_DIR}/candidates", "annotees")


class OutputError(AutocorrectError):
    """The output folder cannot be used; the message is one French sentence."""


@dataclass(frozen=True)
class Claim:
    out: Path
    stale_lock_pid: int | None  # the pid of a killed batch whose lock was retaken


def check_places(folder: Path, out: Path) -> None:
    """Refuse an output folder equal to the input folder or inside it."""
    source, target = folder.resolve(), out.resolve()
    if target == source or source in target.parents:
        raise OutputError(
            f"Le dossier de sortie « {_shown(out)} » est le dossier des copies ou se trouve à "
            "l'intérieur : le lot corrigerait ses propres rapports ; choisir avec --out un "
            "dossier placé ailleurs."
        )


@contextmanager
def claim(out: Path, folder: Path) -> Iterator[Claim]:
    """Hold the output folder for one batch of `folder` (see the module docstring)."""
    try:
        state = out / STATE_DIR
        state.mkdir(parents=True, exist_ok=True)
        fd = os.open(state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise output_error(exc, out) from None
    try:
        stale = _lock(fd, out)
        _check_owner(out, folder)
        remove_temporaries(out)
        yield Claim(out, stale)
    except OSError as exc:
        raise output_error(exc, out) from None
    finally:
        _release(fd)


def _lock(fd: int, out: Path) -> int | None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        who = f"le processus {holder}" if holder else "un autre processus"
        raise OutputError(
            f"Un autre lot ({who}) écrit déjà dans « {_shown(out)} » : attendre qu'il se "
            "termine ou choisir un autre dossier avec --out."
        ) from None
    previous = _read_pid(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return previous if previous and previous != os.getpid() else None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _release(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)  # an empty lock file: the last batch ended normally
    os.close(fd)  # closing releases the flock


def _check_owner(out: Path, folder: Path) -> None:
    path = out / STATE_DIR / OWNER_FILE
    mine = str(folder.resolve())
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("input")
    except FileNotFoundError:
        recorded = None
    except (ValueError, AttributeError):
        recorded = None  # damaged: claimed again below
    if isinstance(recorded, str) and recorded != mine:
        raise OutputError(
            f"Le dossier de sortie « {_shown(out)} » contient les rapports du dossier "
            f"« {shown_name(recorded)} », pas de « {_shown(folder)} » : choisir un autre "
            "dossier avec --out (si le dossier des copies a seulement été déplacé, supprimer "
            f"« {STATE_DIR}/{OWNER_FILE} » dans le dossier de sortie)."
        )
    if recorded != mine:
        write_atomic(path, json.dumps({"input": mine}, indent=1) + "\n", durable=True)


def remove_temporaries(out: Path) -> None:
    """Remove the `.<name>.XXXX.tmp` files an interrupted atomic write may have left."""
    for folder in TEMPORARY_DIRS:
        directory = out / folder
        if directory.is_dir():
            for leftover in directory.glob(".*.tmp"):
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink(missing_ok=True)


def output_error(exc: OSError, out: Path) -> OutputError:
    """One French sentence for a file-system error on the output side."""
    where = _shown(out)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # full, over quota or cap
        return OutputError(
            f"Le disque de « {where} » est plein : libérer de la place puis relancer la même "
            "commande (les copies déjà corrigées sont conservées)."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            f"Écriture impossible dans « {where} » (droits insuffisants ou support en lecture "
            "seule) : choisir un autre dossier avec --out."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return OutputError(
            f"« {where} » n'est pas un dossier (un fichier porte ce nom) : choisir un autre "
            "dossier avec --out."
        )
    return OutputError(
        f"Écriture impossible dans « {where} » (erreur système n° {exc.errno}) : vérifier le "
        "dossier de sortie puis relancer la même commande."
    )


def _shown(path: Path) -> str:
    return shown_name(str(path))
