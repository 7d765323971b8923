"""Pre-flight guard: look at a submitted file's bytes before any parser touches it.

Candidate files are hostile until proven otherwise. `preflight` decides from the bytes
(never from the extension) whether the file may be handed to a parser, and raises
`WorkbookUnreadable(reason, message)` with a French message for the grader otherwise.
It uses the standard library only, reads at most `Limits.max_file_bytes` from disk and
never decompresses more than `Limits.max_uncompressed_bytes`. `read_submission` +
`preflight_bytes` let the reader parse exactly the bytes that were checked (no second read of
a file that may have changed in between).

Reason codes (stable):

    empty            0-byte file
    too-large        file larger than `max_file_bytes`
    encrypted        password-protected: OLE2 holding `EncryptedPackage`/`EncryptionInfo`
                     (encrypted .xlsx/.xlsm/.xlsb), a BIFF .xls whose workbook stream starts
                     with a FILEPASS record, or a zip whose members are encrypted
    xls              legacy Excel formats: any other OLE2 compound file (Excel 97-2003 .xls),
                     a raw BIFF2-4 file, an "XML Spreadsheet 2003" file
    ods              OpenDocument spreadsheet (zip whose `mimetype` names it)
    xlsb             Excel binary workbook (zip with `xl/workbook.bin`)
    not-spreadsheet  anything else: PDF, images, text/CSV, HTML, Word/PowerPoint, Numbers,
                     a plain zip archive, an Excel lock file `~$…`; the message names the kind
    damaged          zip that cannot be opened or read (truncated, bad CRC, corrupt deflate
                     data, local and central headers that disagree, compression method other
                     than stored/deflate), an empty zip, or a package without
                     `[Content_Types].xml` or without its workbook part
    zip-bomb         more members than `max_members`, a declared or real member size over
                     `max_member_bytes`, a declared or real total over `max_uncompressed_bytes`,
                     or a member over `ratio_min_member_bytes` compressed more than
                     `max_compression_ratio` to 1
    xml-dtd          an XML member containing `<!DOCTYPE` or `<!ENTITY` anywhere (billion
                     laughs, XXE); Excel never writes them
    large-sheet      a part over `max_member_bytes`, or parts over `max_uncompressed_bytes`
                     in total, compressed no more than `max_compression_ratio` to 1: a
                     genuinely large workbook, not a decompression bomb
    too-many-cells   the sheets hold more than `max_cells` cells, or more than `max_rows`
                     rows (empty rows included), in total
    too-many-formulas the sheets hold more than `max_formulas` formulas in total
    permission       the file may not be read (its permissions)
    not-a-file       the path is not a regular file (named pipe, device, socket, folder)

Raised by the reader (`workbook.load`) once openpyxl has parsed what the guard let through:

    damaged          (also) openpyxl cannot make a workbook of the package
    strict-ooxml     a "Strict Open XML" workbook, which openpyxl reads as empty
    no-sheet         no worksheet at all (chart sheets only, or sheets that cannot be reached)

How members are read. Every member is decompressed once, in chunks, through `zipfile`
(which checks the CRC at the end); the guard counts the real bytes and stops as soon as a
member or the total goes over its limit, whatever the headers declared. A member is treated
as XML when its name ends in .xml/.rels/.vml or its content starts with `<` (so a sheet
renamed `sheet1.png` is still scanned); UTF-16/32 content is scanned with its NUL bytes
removed. The whole member is scanned, not only its first KiB, since a DOCTYPE can hide after
a long comment. One exemption: a member not named .xml/.rels/.vml whose only relationships
are image relationships (an SVG picture, which may legitimately carry a DOCTYPE) is not
parsed as XML by the readers and is not rejected.

The cell rule. A sheet's `<dimension ref="…"/>` is only a claim: a legitimate 1.5 KB file
with a stray value in XFD1048576 declares 17 G cells, and readers that trust the claim
(calamine, `iter_rows`) blow up on it. So a huge declared dimension is never a rejection on
its own: it is recorded in `Preflight.declared_dimensions`, and a French warning is added when
it covers more than `max_declared_cells`. What rejects (`too-many-cells`) is the number of
cells actually present, counted as the `<c>` elements of the sheet parts, summed over all
sheets, above `max_cells`, or the number of `<row>` elements above `max_rows` (a row costs the
parser as much as a cell, even empty); likewise `too-many-formulas` counts the `<f>` elements
(one per formula cell, shared and array formulas included) against `max_formulas`. They are
counted while the member is decompressed, so a rejection costs no parsing, and counted as the
parser sees them: whatever namespace prefix each element uses (`<c>`, `<x:c>`…), and however
long the comments and processing instructions before the root element. A sheet part is
recognised by its root element (worksheet, dialogsheet, macrosheet), not by its name.

Limits enforced elsewhere, kept here so that every limit is one named setting:
`max_formula_length`, `max_formula_depth` and `max_range_cells` are applied by the evaluator
(a formula over a limit is not evaluated and gets a French finding, the copy is still graded),
and `max_text_length` (a computed text longer than an Excel cell can hold is #VALUE!); the
per-file wall time and memory cap are `session.limits.RunLimits`.

Warnings (the file is still graded): macros (`vbaProject.bin`, Excel 4.0 macro sheets),
external links (targets read from the relationship files, never opened), huge declared
dimensions.

A missing path is the caller's error (the `OSError` propagates); a file that may not be read
or is not a regular file, and anything wrong *inside* the file, becomes a
`WorkbookUnreadable`.
"""

from __future__ import annotations

import html
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from types import MappingProxyType
from typing import IO, NoReturn
from urllib.parse import unquote

from autocorrect import french
from autocorrect.errors import WorkbookUnreadable

__all__ = ["REASONS", "Limits", "Preflight", "preflight", "preflight_bytes", "read_submission"]

REASONS = frozenset(
    {
        "empty",
        "too-large",
        "encrypted",
        "xls",
        "ods",
        "xlsb",
        "not-spreadsheet",
        "damaged",
        "zip-bomb",
        "xml-dtd",
        "too-many-cells",
        "too-many-formulas",
        "large-sheet",
        "permission",
        "not-a-file",
        "strict-ooxml",  # raised by workbook.load
        "no-sheet",  # raised by workbook.load
    }
)

MIB = 1024**2


@dataclass(frozen=True)
class Limits:
    """Every limit on what a submitted file may make the engine do, whatever the file claims.

    The defaults suit exam workbooks (10–50 KB, under 1,000 cells and 200 formulas) with a wide
    margin, and let every real-world workbook of the reference corpus through (largest: 56,000
    cells, 10,000 formulas, 4 MB of XML, formulas of 1,000 characters)."""

    # the file and its zip container (guard)
    max_file_bytes: int = 20 * MIB
    max_uncompressed_bytes: int = 100 * MIB  # sum of member sizes, declared and real
    max_member_bytes: int = 50 * MIB  # one member, declared and real
    max_compression_ratio: float = 200.0  # per member, on members over ratio_min_member_bytes
    ratio_min_member_bytes: int = MIB
    max_members: int = 2000
    # the sheets (guard, counted in the XML before any parser runs)
    max_declared_cells: int = 2_000_000  # a larger <dimension> is a warning, never a rejection
    max_cells: int = 100_000  # cells actually present, all sheets together
    max_rows: int = 100_000  # <row> elements, empty ones included, all sheets together
    max_formulas: int = 20_000  # formula cells, all sheets together
    # one formula (evaluator: not evaluated beyond these, reported as a finding)
    max_formula_length: int = 8192  # characters; Excel's own limit
    max_formula_depth: int = 64  # nested functions and parentheses; Excel allows 64 functions
    max_range_cells: int = 100_000  # larger: cut to its cells; still larger: not evaluated
    max_text_length: int = 32_767  # characters of a computed text; Excel's cell limit


@dataclass(frozen=True)
class Preflight:
    """What the guard learnt about a file it let through; warnings are not rejections."""

    has_macros: bool = False
    has_external_links: bool = False
    external_link_targets: tuple[str, ...] = ()
    declared_dimensions: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )  # sheet part (e.g. "xl/worksheets/sheet1.xml") -> dimension ref ("A1:E9")
    warnings: tuple[str, ...] = ()  # French sentences for the grader


# --------------------------------------------------------------------------- entry point


def preflight(path: Path, limits: Limits = Limits()) -> Preflight:
    """Inspect the file at `path`; return what was learnt or raise `WorkbookUnreadable`."""
    return preflight_bytes(read_submission(path, limits), limits)


def read_submission(path: Path, limits: Limits = Limits()) -> bytes:
    """The file's bytes, never more than `max_file_bytes` read; empty, too large, unreadable
    or not a regular file raise."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file()
    if info.st_size == 0:
        raise _empty()
    if info.st_size > limits.max_file_bytes:
        raise _too_large(info.st_size, limits)
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except PermissionError:
        raise _permission() from None
    if not data:  # the file shrank, or is a special file reporting no size
        raise _empty()
    if len(data) > limits.max_file_bytes:
        raise _too_large(len(data), limits)
    return data


def preflight_bytes(data: bytes, limits: Limits = Limits()) -> Preflight:
    """Inspect a file's bytes (as read by `read_submission`)."""
    if not data:
        raise _empty()
    if len(data) > limits.max_file_bytes:
        raise _too_large(len(data), limits)
    if data.startswith(_OLE2_MAGIC):
        _reject_ole2(data)
    if not data.startswith(b"PK"):
        _reject_other(data)
    return _check_zip(data, limits)


# --------------------------------------------------------------------------- messages

_RESAVE_XLSX = "Fichier > Enregistrer sous > Classeur Excel (.xlsx)"


def _empty() -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "empty",
        "Le fichier est vide (0 octet) : le dépôt a échoué ou le classeur n'a pas été "
        "enregistré. Demander au candidat de déposer à nouveau son classeur .xlsx.",
    )


def _too_large(size: int, limits: Limits) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "too-large",
        f"Le fichier pèse {french.file_size(size)}, au-delà de la limite de "
        f"{french.file_size(limits.max_file_bytes)} : ce n'est sans doute pas le classeur de "
        "l'épreuve (ou il contient de très grosses images). Il n'a pas été ouvert ; demander "
        "au candidat de vérifier le fichier déposé.",
    )


def _permission() -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "permission",
        "Le fichier ne peut pas être lu : ses droits d'accès l'interdisent au correcteur. "
        "Rendre le fichier lisible (droits de lecture) puis relancer la correction.",
    )


def _not_a_file() -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "not-a-file",
        "Ce n'est pas un fichier ordinaire (dossier, tube nommé ou périphérique) : il n'a pas "
        "été ouvert. Déposer le classeur .xlsx lui-même.",
    )


def _encrypted(what: str = "Le classeur") -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "encrypted",
        f"{what} est protégé par mot de passe : demander au candidat une version sans mot de "
        "passe (Excel : Fichier > Informations > Protéger le classeur > Chiffrer avec mot de "
        "passe, effacer le mot de passe, puis enregistrer).",
    )


def _xls(kind: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "xls",
        f"Le fichier est {kind}, que la correction automatique ne lit pas : demander au "
        "candidat de l'ouvrir dans Excel et de l'enregistrer au format .xlsx "
        f"({_RESAVE_XLSX}).",
    )


def _ods() -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "ods",
        "Le fichier est un classeur OpenDocument (.ods, LibreOffice ou OpenOffice), que la "
        "correction automatique ne lit pas : demander au candidat de l'enregistrer au format "
        ".xlsx (LibreOffice : Fichier > Enregistrer sous > Type : Excel 2007-365 .xlsx).",
    )


def _xlsb() -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "xlsb",
        "Le fichier est un classeur binaire Excel (.xlsb), que la correction automatique ne "
        "lit pas : demander au candidat de l'enregistrer au format .xlsx "
        f"({_RESAVE_XLSX}).",
    )


def _not_spreadsheet(kind: str, advice: str = "") -> WorkbookUnreadable:
    advice = advice or (
        "Demander au candidat de déposer son classeur Excel au format .xlsx "
        f"(Excel : {_RESAVE_XLSX})"
    )
    return WorkbookUnreadable(
        "not-spreadsheet", f"Le fichier n'est pas un classeur Excel : c'est {kind}. {advice}."
    )


def _damaged(detail: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "damaged",
        f"Le classeur est endommagé ({detail}) : l'enregistrement ou le dépôt a sans doute "
        "été interrompu. Demander au candidat de l'ouvrir dans Excel pour vérifier, puis de "
        "le déposer à nouveau.",
    )


def _zip_bomb(detail: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "zip-bomb",
        f"Le fichier est une archive anormale, probablement une bombe de décompression "
        f"({detail}) ; il n'a pas été ouvert. Demander au candidat de déposer son classeur "
        "tel qu'enregistré par Excel.",
    )


def _xml_dtd(part: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "xml-dtd",
        f"Le classeur contient une déclaration XML interdite (<!DOCTYPE> ou <!ENTITY>) dans "
        f"« {part} » : Excel n'en écrit jamais ; le fichier a été fabriqué ou modifié par un "
        "autre outil et peut être malveillant (attaque « billion laughs » ou XXE). Il n'a pas "
        "été ouvert ; demander au candidat de l'enregistrer à nouveau depuis Excel.",
    )


def _too_many_cells(limits: Limits) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "too-many-cells",
        f"Le classeur contient plus de {french.integer(limits.max_cells)} cellules remplies : ce "
        "n'est pas un classeur d'épreuve et sa lecture serait trop longue. Il n'a pas été "
        "ouvert ; demander au candidat de vérifier le fichier déposé.",
    )


def _too_many_rows(limits: Limits) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "too-many-cells",
        f"Le classeur contient plus de {french.integer(limits.max_rows)} lignes (vides "
        "comprises) : ce n'est pas un classeur d'épreuve et sa lecture serait trop longue. "
        "Il n'a pas été ouvert ; demander au candidat de vérifier le fichier déposé.",
    )


def _large_sheet(detail: str) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "large-sheet",
        f"Le classeur est trop volumineux pour une copie d'épreuve ({detail}) : il n'a pas été "
        "ouvert. Demander au candidat de vérifier le fichier déposé (données ou images en "
        "trop).",
    )


def _too_many_formulas(limits: Limits) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        "too-many-formulas",
        f"Le classeur contient plus de {french.integer(limits.max_formulas)} formules : ce "
        "n'est pas un classeur d'épreuve et leur recalcul serait trop long. Il n'a pas été "
        "ouvert ; demander au candidat de vérifier le fichier déposé.",
    )


_MACRO_WARNING = "Le classeur contient des macros : elles ne sont jamais exécutées."


# --------------------------------------------------------------------------- OLE2 (.xls, encrypted)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptedPackage", "EncryptionInfo")
_ENCRYPTION_UTF16 = tuple(name.encode("utf-16-le") for name in _ENCRYPTION_STREAMS)
_END_OF_CHAIN = 0xFFFFFFFA  # sector ids >= this are markers (free, end of chain, FAT, DIFAT)
_BIFF_BOF = (0x0009, 0x0209, 0x0409, 0x0809)
_BIFF_FILEPASS = 0x002F
_BIFF_BOUNDSHEET = 0x0085


@dataclass(frozen=True)
class _OleEntry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


class _Ole:
    """A bounded, read-only view of an OLE2 compound file; every failure is `ValueError`."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise ValueError("short header")
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            raise ValueError("sector size")
        self.ssize = 1 << shift
        self.first_dir = struct.unpack_from("<I", data, 0x30)[0]
        self.mini_cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.difat = struct.unpack_from("<109I", data, 0x4C)
        self.max_steps = len(data) // self.ssize + 1

    def sector(self, sid: int) -> bytes:
        offset = (sid + 1) * self.ssize
        if sid >= _END_OF_CHAIN or offset >= len(self.data):
            raise ValueError("sector out of file")
        return self.data[offset : offset + self.ssize]

    def next_sector(self, sid: int) -> int:
        per_sector = self.ssize // 4
        index = sid // per_sector
        if index >= len(self.difat):  # the rest of the DIFAT chain is not followed
            raise ValueError("FAT beyond the header DIFAT")
        fat = self.sector(self.difat[index])
        return int(struct.unpack_from("<I", fat, (sid % per_sector) * 4)[0])

    def entries(self) -> list[_OleEntry]:
        found: list[_OleEntry] = []
        seen: set[int] = set()
        sid = self.first_dir
        while sid < _END_OF_CHAIN and sid not in seen and len(seen) < 64:
            seen.add(sid)
            block = self.sector(sid)
            for pos in range(0, len(block) - 127, 128):
                name_len, kind = struct.unpack_from("<HB", block, pos + 64)
                if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                    continue
                name = block[pos : pos + name_len - 2].decode("utf-16-le", "replace")
                start, size = struct.unpack_from("<IQ", block, pos + 116)
                if self.ssize == 512:
                    size &= 0xFFFFFFFF  # version 3: the high half is undefined
                found.append(_OleEntry(name, kind, start, size))
            sid = self.next_sector(sid)
        return found

    def stream_head(self, entry: _OleEntry, root: _OleEntry) -> bytes:
        """The first sector of a stream (64 bytes when it lives in the mini stream)."""
        if entry.size >= self.mini_cutoff:
            return self.sector(entry.start)[: entry.size]
        position = entry.start * 64
        sid = root.start
        for _ in range(position // self.ssize):
            sid = self.next_sector(sid)
        offset = position % self.ssize
        return self.sector(sid)[offset : offset + min(64, entry.size)]


def _biff_has_filepass(head: bytes) -> bool:
    """True when a BIFF workbook stream declares encryption (FILEPASS right after BOF)."""
    pos = 0
    for index in range(6):
        if pos + 4 > len(head):
            return False
        rtype, rlen = struct.unpack_from("<HH", head, pos)
        if index == 0 and rtype not in _BIFF_BOF:
            return False
        if rtype == _BIFF_FILEPASS:
            return True
        if rtype == _BIFF_BOUNDSHEET:
            return False
        pos += 4 + rlen
    return False


def _reject_ole2(data: bytes) -> NoReturn:
    entries: list[_OleEntry] = []
    filepass = False
    try:
        ole = _Ole(data)
        entries = ole.entries()
        names = {entry.name.lower(): entry for entry in entries}
        book = names.get("workbook") or names.get("book")
        root = entries[0] if entries and entries[0].kind == 5 else None
        if book is not None and root is not None:
            filepass = _biff_has_filepass(ole.stream_head(book, root))
    except (ValueError, struct.error, IndexError):
        pass  # a damaged or fake directory: the byte search below still applies
    names_lower = {entry.name.lower() for entry in entries}
    if any(name.lower() in names_lower for name in _ENCRYPTION_STREAMS) or any(
        marker in data for marker in _ENCRYPTION_UTF16
    ):
        raise _encrypted()
    if filepass:
        raise _encrypted("Le classeur Excel 97-2003 (.xls)")
    if "worddocument" in names_lower:
        raise _not_spreadsheet("un document Word 97-2003 (.doc)")
    if "powerpoint document" in names_lower:
        raise _not_spreadsheet("une présentation PowerPoint 97-2003 (.ppt)")
    if "workbook" in names_lower or "book" in names_lower:
        raise _xls("au format Excel 97-2003 (.xls)")
    raise _xls("dans l'ancien format OLE2 des fichiers Office, sans doute Excel 97-2003 (.xls)")


# --------------------------------------------------------------------------- not a zip, not OLE2

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "un document PDF"),
    (b"\x89PNG\r\n\x1a\n", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF87a", "une image GIF"),
    (b"GIF89a", "une image GIF"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"\x1f\x8b", "une archive compressée gzip"),
    (b"Rar!\x1a\x07", "une archive RAR"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip"),
    (b"{\\rtf", "un document RTF (traitement de texte)"),
    (b"\x7fELF", "un programme (exécutable Linux)"),
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _reject_other(data: bytes) -> NoReturn:
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            raise _not_spreadsheet(kind)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise _not_spreadsheet("une image WebP")
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        raise _not_spreadsheet("une photo HEIC (téléphone)")
    if _is_lock_file(data):
        raise _not_spreadsheet(
            "le fichier de verrouillage temporaire qu'Excel crée pendant que le classeur est "
            "ouvert (nom commençant par « ~$ »)",
            "Demander au candidat de déposer son vrai classeur .xlsx, pas ce fichier",
        )
    if len(data) >= 8:
        rtype, rlen = struct.unpack_from("<HH", data)
        if rtype in _BIFF_BOF and 4 <= rlen <= 20:
            raise _xls("au format Excel 2.x à 4.0 (.xls très ancien)")
    text = _as_text(data[:4096])
    if text is not None:
        kind = _text_kind(text)
        if kind == _XML_2003:
            raise _xls("une « Feuille de calcul XML 2003 » (.xml)")
        if kind == _FLAT_ODS:
            raise _ods()
        raise _not_spreadsheet(kind)
    if data.startswith(b"MZ"):
        raise _not_spreadsheet("un programme Windows (.exe)")
    if data.startswith(b"BM") and len(data) >= 18 and data[14] in (12, 40, 56, 108, 124):
        raise _not_spreadsheet("une image BMP")
    raise _not_spreadsheet("un fichier de type inconnu (ni zip, ni ancien format Office)")


def _is_lock_file(data: bytes) -> bool:
    """Excel's `~$name.xlsx` owner file: a length byte, the user name padded to 54 bytes, the
    same length again at offset 55, then the name in UTF-16."""
    return 150 <= len(data) <= 180 and 0 < data[0] <= 54 and data[55] == data[0] and not data[56]


def _as_text(sample: bytes) -> str | None:
    """The sample decoded as text, or None when it looks binary."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return sample[: len(sample) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    if len(sample) >= 4 and sample[1::2].count(0) >= len(sample) // 2 * 0.9:
        sample = sample[: len(sample) // 2 * 2].decode("utf-16-le", "replace").encode()
    if _CONTROL_BYTES.search(sample):
        return None
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the 4 KiB sample
            return sample[: exc.start].decode("utf-8")
        return sample.decode("cp1252", "replace")  # French CSV from older Excel


_XML_2003 = "XML Spreadsheet 2003"
_FLAT_ODS = "flat OpenDocument spreadsheet"


def _text_kind(text: str) -> str:
    """What the text is, in French, or one of the two spreadsheet markers above."""
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return _XML_2003
        if "opendocument.spreadsheet" in text or "<office:spreadsheet" in text:
            return _FLAT_ODS
        if start.startswith("<!doctype html") or "<html" in start or "<table" in start:
            return "une page web HTML (souvent un faux « .xls » exporté depuis un site)"
        return "un fichier XML"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    separated = sum(1 for line in lines if any(sep in line for sep in ";,\t"))
    if lines and separated * 2 >= len(lines):
        return "un fichier texte CSV (il ne conserve ni les formules ni la mise en forme)"
    return "un fichier texte"


# --------------------------------------------------------------------------- zip packages

_ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,  # includes UnicodeDecodeError
    struct.error,
    NotImplementedError,
    RuntimeError,  # zipfile: "File is encrypted, password required"
    OverflowError,
    IndexError,
    KeyError,
)
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_XML_NAME_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_SHEET_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:worksheet|dialogsheet|macrosheet)[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_RELATIONSHIP = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_SHEET_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")


@dataclass(frozen=True)
class _Rel:
    source_rels: str  # the .rels member it was read from
    base: str  # folder its targets are relative to
    rid: str
    type: str
    target: str  # as written (XML-unescaped)
    external: bool

    @property
    def resolved(self) -> str:
        """The member name the target points to (internal targets)."""
        target = unquote(self.target)
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join(self.base, target))


@dataclass
class _Scan:
    """What one pass over the members found."""

    dtd_members: list[str] = field(default_factory=list)
    rels: list[_Rel] = field(default_factory=list)
    dimensions: dict[str, str] = field(default_factory=dict)
    sheet_cells: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    rows: int = 0
    formulas: int = 0
    compressed: int = 0  # compressed bytes of the members read so far


def _check_zip(data: bytes, limits: Limits) -> Preflight:
    # Counted on the raw bytes before zipfile builds one object per central-directory entry.
    if data.count(b"PK\x01\x02") > limits.max_members:
        raise _zip_bomb(f"plus de {french.integer(limits.max_members)} parties")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except _ZIP_ERRORS:
        raise _damaged("l'archive zip est tronquée ou illisible") from None
    with archive:
        try:
            return _check_package(archive, data, limits)
        except _ZIP_ERRORS:
            raise _damaged("la structure de l'archive zip est incohérente") from None


def _check_package(archive: zipfile.ZipFile, data: bytes, limits: Limits) -> Preflight:
    infos = archive.infolist()
    if not infos:
        raise _damaged("l'archive zip est vide")
    _check_declared_sizes(infos, limits)
    names = {info.filename for info in infos}
    _reject_other_packages(archive, names)
    for info in infos:
        if info.flag_bits & 0x1:
            raise _encrypted("Le fichier (archive zip chiffrée)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(f"méthode de compression non standard pour « {info.filename} »")
        _check_local_header(data, info)

    scan = _read_members(archive, infos, limits)
    _reject_dtd(scan)
    if "[Content_Types].xml" not in names:
        raise _damaged("la partie [Content_Types].xml manque")
    office = [
        rel
        for rel in scan.rels
        if rel.source_rels == "_rels/.rels"
        and rel.type.lower().endswith("/officedocument")
        and not rel.external
    ]
    workbook = office[0].resolved if office else "xl/workbook.xml"
    if workbook not in names:
        raise _damaged(f"la partie du classeur « {workbook} » manque")
    return _findings(archive, names, scan, workbook, limits)


def _check_declared_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise _zip_bomb(
            f"{french.integer(len(infos))} parties, limite {french.integer(limits.max_members)}"
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        compressed = sum(info.compress_size for info in infos)
        detail = (
            f"{french.file_size(total)} une fois décompressé, limite "
            f"{french.file_size(limits.max_uncompressed_bytes)}"
        )
        raise _oversized(detail, total, compressed, limits)
    for info in infos:
        if info.file_size > limits.max_member_bytes:
            detail = (
                f"« {info.filename} » ferait {french.file_size(info.file_size)}, limite "
                f"{french.file_size(limits.max_member_bytes)}"
            )
            raise _oversized(detail, info.file_size, info.compress_size, limits)
        if info.file_size > limits.ratio_min_member_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise _zip_bomb(
                    f"« {info.filename} » est compressé {french.integer(round(ratio))} fois, "
                    f"limite {french.integer(round(limits.max_compression_ratio))}"
                )


def _reject_other_packages(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Zip files that are not Excel packages: ODF, xlsb, Word, PowerPoint, Numbers, plain zip."""
    lower = {name.lower() for name in names}
    if "mimetype" in names:
        with archive.open("mimetype") as fh:
            mimetype = fh.read(200).strip()
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise _ods()
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            raise _not_spreadsheet("un document OpenDocument (LibreOffice) autre qu'un classeur")
    if "content.xml" in names and "meta-inf/manifest.xml" in lower:  # ODF without mimetype
        manifest = next(n for n in names if n.lower() == "meta-inf/manifest.xml")
        with archive.open(manifest) as fh:
            if b"opendocument.spreadsheet" in fh.read(64 * 1024):
                raise _ods()
        raise _not_spreadsheet("un document OpenDocument (LibreOffice) autre qu'un classeur")
    if "xl/workbook.bin" in lower:
        raise _xlsb()
    if "word/document.xml" in lower:
        raise _not_spreadsheet("un document Word (.docx)")
    if "ppt/presentation.xml" in lower:
        raise _not_spreadsheet("une présentation PowerPoint (.pptx)")
    if "index.zip" in lower or any(n.startswith("index/") and n.endswith(".iwa") for n in lower):
        raise _not_spreadsheet(
            "un classeur Apple Numbers",
            "Demander au candidat de l'exporter au format .xlsx "
            "(Numbers : Fichier > Exporter vers > Excel)",
        )
    if not any(n in ("[content_types].xml", "_rels/.rels") or n.startswith("xl/") for n in lower):
        inner = sorted(n for n in names if n.lower().endswith((".xlsx", ".xlsm")))
        if inner:
            raise _not_spreadsheet(
                f"une archive zip qui contient « {inner[0]} »",
                "Demander au candidat de déposer ce classeur directement, sans le compresser",
            )
        shown = ", ".join(f"« {n} »" for n in sorted(names)[:3])
        raise _not_spreadsheet(f"une archive zip ordinaire (contenu : {shown}…)")


def _check_local_header(data: bytes, info: zipfile.ZipInfo) -> None:
    """The local header must agree with the central directory (readers differ on which
    they trust); sizes are compared unless a data descriptor or ZIP64 is in use."""
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise _damaged(f"en-tête zip de « {info.filename} » hors du fichier")
    sig, _, flags, method, _, _, _, csize, usize, _, _ = _LOCAL_HEADER.unpack_from(data, offset)
    if sig != b"PK\x03\x04" or method != info.compress_type:
        raise _damaged(f"en-têtes zip incohérents pour « {info.filename} »")
    if flags & 0x08 or 0xFFFFFFFF in (csize, usize):
        return
    if (csize, usize) != (info.compress_size, info.file_size):
        raise _damaged(f"en-têtes zip incohérents pour « {info.filename} »")


def _read_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> _Scan:
    """Decompress every member once, in chunks: CRC, real sizes, DTDs, sheets, relationships."""
    scan = _Scan()
    total = 0
    for info in infos:
        try:
            with archive.open(info) as fh:
                total = _read_member(fh, info, scan, total, limits)
        except _ZIP_ERRORS as exc:
            if "CRC" in str(exc):
                raise _damaged(
                    f"contrôle d'intégrité CRC en échec pour « {info.filename} »"
                ) from None
            raise _damaged(f"la partie « {info.filename} » est illisible ou tronquée") from None
    return scan


def _read_member(
    fh: IO[bytes], info: zipfile.ZipInfo, scan: _Scan, total: int, limits: Limits
) -> int:
    """Read one member to its end (zipfile checks the CRC there); return the running total."""
    name = info.filename
    scan.compressed += info.compress_size
    size = 0
    is_xml = name.lower().endswith(_XML_NAME_SUFFIXES)
    sheet: _SheetCounter | None = None
    dtd = False
    kept: list[bytes] | None = [] if name.lower().endswith(".rels") else None
    tail = b""
    while chunk := fh.read(_CHUNK):
        size += len(chunk)
        total += len(chunk)
        if size > limits.max_member_bytes:
            most = french.file_size(limits.max_member_bytes)
            detail = f"« {name} » dépasse {most} une fois décompressé"
            raise _oversized(detail, size, info.compress_size, limits)
        if total > limits.max_uncompressed_bytes:
            detail = (
                f"plus de {french.file_size(limits.max_uncompressed_bytes)} une fois décompressé"
            )
            raise _oversized(detail, total, scan.compressed, limits)
        if kept is not None:
            kept.append(chunk)
        if size == len(chunk):  # first chunk: is it XML (BOMs and NULs aside)?
            head = _denul(chunk)
            is_xml = is_xml or head.lstrip(_BLANKS).startswith(b"<")
            sheet = _SheetCounter(name) if is_xml else None
        if not is_xml:
            continue
        text = _denul(chunk)
        window = tail + text
        dtd = dtd or any(marker in window for marker in _DTD_MARKERS)
        if sheet is not None:
            sheet.feed(text, scan, limits)
        tail = window[-16:]
    if sheet is not None:
        sheet.finish(scan, limits)
    if dtd:
        scan.dtd_members.append(name)
    if kept is not None:
        scan.rels.extend(_parse_rels(name, b"".join(kept)))
    return total


def _oversized(detail: str, size: int, compressed: int, limits: Limits) -> WorkbookUnreadable:
    """Over a size limit: a bomb when compressed beyond the ratio limit, else a large file."""
    if size / max(compressed, 1) > limits.max_compression_ratio:
        return _zip_bomb(detail)
    return _large_sheet(detail)


_BLANKS = b"\xef\xbb\xbf\xff\xfe \t\r\n"
_TAG_SPAN = 80  # enough bytes after a "<" to recognise a prefixed element name
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


@dataclass
class _SheetCounter:
    """Counts a member's cells, formulas and rows as a parser would meet them, once its root
    element (after any comments and processing instructions, however long) says it is a
    sheet. Elements are recognised whatever their namespace prefix. Chunks are cut at their
    last `<`, so an element split over two chunks is counted once."""

    name: str
    state: str = "prolog"  # until the root element is seen; then "sheet" or "other"
    pending: bytes = b""  # prolog bytes still to be examined, or the start of the last tag

    def feed(self, text: bytes, scan: _Scan, limits: Limits) -> None:
        if self.state == "prolog":
            text = self._after_prolog(self.pending + text, scan)
        if self.state == "sheet" and text:
            region = self.pending + text
            cut = region.rfind(b"<")
            if cut < 0:
                self.pending = b""
                self._tally(region, scan, limits)
            else:
                self.pending = region[cut : cut + _TAG_SPAN]
                self._tally(region[:cut], scan, limits)

    def finish(self, scan: _Scan, limits: Limits) -> None:
        if self.state == "sheet":
            self._tally(self.pending, scan, limits)

    def _after_prolog(self, buffer: bytes, scan: _Scan) -> bytes:
        """Skip the prolog; once the root element is reached, decide what the part is and
        return the bytes from the root on (empty while still in the prolog)."""
        while True:
            buffer = buffer.lstrip(_BLANKS)
            if buffer.startswith(b"<?"):
                end = buffer.find(b"?>", 2)
                if end < 0:
                    self.pending = b"<?" + buffer[2:][-1:]
                    return b""
                buffer = buffer[end + 2 :]
            elif buffer.startswith(b"<!--"):
                end = buffer.find(b"-->", 4)
                if end < 0:
                    self.pending = b"<!--" + buffer[4:][-2:]
                    return b""
                buffer = buffer[end + 3 :]
            elif len(buffer) < 4 and (b"<!--".startswith(buffer) or b"<?".startswith(buffer)):
                self.pending = buffer  # too short to tell yet ("", "<", "<!", "<!-")
                return b""
            else:
                break
        if b">" not in buffer and len(buffer) < _CHUNK:
            self.pending = buffer  # the root's start tag is not complete yet
            return b""
        self.pending = b""
        if _SHEET_ROOT.match(buffer) is None:
            self.state = "other"
            return b""
        self.state = "sheet"
        found = _DIMENSION.search(buffer, 0, _CHUNK)
        if found is not None:
            scan.dimensions[self.name] = found.group(1).decode("ascii", "replace")[:64]
        return buffer

    def _tally(self, body: bytes, scan: _Scan, limits: Limits) -> None:
        cells = len(_CELL_TAG.findall(body))
        scan.sheet_cells[self.name] = scan.sheet_cells.get(self.name, 0) + cells
        scan.cells += cells
        if scan.cells > limits.max_cells:
            raise _too_many_cells(limits)
        scan.rows += len(_ROW_TAG.findall(body))
        if scan.rows > limits.max_rows:
            raise _too_many_rows(limits)
        scan.formulas += len(_FORMULA_TAG.findall(body))
        if scan.formulas > limits.max_formulas:
            raise _too_many_formulas(limits)


def _denul(chunk: bytes) -> bytes:
    """UTF-16/32 text made searchable as ASCII (XML markup is ASCII)."""
    return chunk.replace(b"\x00", b"") if b"\x00" in chunk else chunk


def _parse_rels(member: str, content: bytes) -> list[_Rel]:
    text = _denul(content).decode("utf-8", "replace")
    folder = posixpath.dirname(posixpath.dirname(member))  # "xl/_rels/x.rels" -> "xl"
    rels = []
    for element in _RELATIONSHIP.finditer(text):
        attrs = {
            key.split(":")[-1]: html.unescape(dq if dq else sq)
            for key, dq, sq in _ATTRIBUTE.findall(element.group(1))
        }
        rels.append(
            _Rel(
                source_rels=member,
                base=folder,
                rid=attrs.get("Id", ""),
                type=attrs.get("Type", ""),
                target=attrs.get("Target", ""),
                external=attrs.get("TargetMode", "").lower() == "external",
            )
        )
    return rels


def _reject_dtd(scan: _Scan) -> None:
    """Reject the first member with a DTD, except pictures only reached as images."""
    for member in scan.dtd_members:
        targeting = [rel for rel in scan.rels if not rel.external and rel.resolved == member]
        picture = (
            not member.lower().endswith(_XML_NAME_SUFFIXES)
            and bool(targeting)
            and all(rel.type.lower().endswith("/image") for rel in targeting)
        )
        if not picture:
            raise _xml_dtd(member)


def _findings(
    archive: zipfile.ZipFile, names: set[str], scan: _Scan, workbook: str, limits: Limits
) -> Preflight:
    lower = [name.lower() for name in names]
    has_macros = any(
        n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower
    ) or any(rel.type.lower().endswith("/vbaproject") for rel in scan.rels)

    targets: list[str] = []
    for rel in scan.rels:
        from_link_part = rel.source_rels.lower().startswith("xl/externallinks/_rels/")
        link = from_link_part or "externallinkpath" in rel.type.lower()
        if link and rel.target and rel.target not in targets:
            targets.append(rel.target)
    has_links = (
        bool(targets)
        or any(n.startswith("xl/externallinks/") for n in lower)
        or any(rel.type.lower().endswith("/externallink") for rel in scan.rels)
    )

    warnings: list[str] = []
    if has_macros:
        warnings.append(_MACRO_WARNING)
    if has_links:
        shown = ", ".join(f"« {t} »" for t in targets[:5]) or "cible non indiquée"
        more = f" et {len(targets) - 5} autres" if len(targets) > 5 else ""
        warnings.append(
            f"Le classeur contient des liaisons vers d'autres fichiers ({shown}{more}) : "
            "elles ne sont jamais ouvertes ; seules les valeurs enregistrées dans le "
            "classeur comptent."
        )
    huge = {
        part: (ref, declared)
        for part, ref in scan.dimensions.items()
        if (declared := _declared_cells(ref)) > limits.max_declared_cells
    }
    if huge:
        sheet_names = _sheet_names(archive, workbook, scan.rels)
        for part, (ref, declared) in sorted(huge.items()):
            present = french.integer(scan.sheet_cells.get(part, 0))
            warnings.append(
                f"La feuille « {sheet_names.get(part, part)} » déclare une plage utilisée {ref} "
                f"de {french.integer(declared)} cellules mais n'en contient qu'environ {present} "
                "(souvent une saisie égarée dans une cellule lointaine) : seules les cellules "
                "réellement présentes sont lues."
            )
    return Preflight(
        has_macros=has_macros,
        has_external_links=has_links,
        external_link_targets=tuple(targets),
        declared_dimensions=MappingProxyType(dict(scan.dimensions)),
        warnings=tuple(warnings),
    )


def _declared_cells(ref: str) -> int:
    """Number of cells a dimension ref covers ("A1:XFD1048576" -> 17 179 869 184); 0 if
    unreadable."""
    match = _REF.fullmatch(ref.strip())
    if match is None:
        return 0
    col1, row1, col2, row2 = match.groups()
    col2, row2 = col2 or col1, row2 or row1
    cols = abs(_column_number(col2) - _column_number(col1)) + 1
    rows = abs(int(row2) - int(row1)) + 1
    return cols * rows


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_names(archive: zipfile.ZipFile, workbook: str, rels: Iterable[_Rel]) -> dict[str, str]:
    """Sheet part -> sheet name as the candidate sees it; best effort, for messages only."""
    workbook_rels = posixpath.join(
        posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"
    )
    by_id = {rel.rid: rel.resolved for rel in rels if rel.source_rels == workbook_rels}
    with archive.open(workbook) as fh:
        head = _denul(fh.read(MIB))
    names: dict[str, str] = {}
    for element in _SHEET_ELEMENT.finditer(head):
        attrs = {
            key.split(":")[-1]: html.unescape(dq if dq else sq)
            for key, dq, sq in _ATTRIBUTE.findall(element.group(1).decode("utf-8", "replace"))
        }
        part = by_id.get(attrs.get("id", ""))
        if part is not None and "name" in attrs:
            names[part] = attrs["name"]
    return names


# --------------------------------------------------------------------------- OpenDocument

_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def check_opendocument(data: bytes, kind: str, limits: Limits = Limits()) -> None:
    """Bound an OpenDocument spreadsheet (.ods, or flat .fods) before LibreOffice converts it.
    Its cells carry repeat counts: one `<table:table-cell>` may claim a billion copies of a
    filled cell, which LibreOffice would spend minutes expanding. Filled cells are counted with
    their repeats (empty repeated cells, which every LibreOffice file has at the end of its
    sheets, cost nothing); beyond `max_cells` the file is refused, like an .xlsx holding too
    many cells. Raises WorkbookUnreadable; other kinds and unreadable parts are left to the
    conversion."""
    if kind == "ods":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                info = archive.getinfo("content.xml")
                if info.file_size > limits.max_member_bytes:
                    size = french.file_size(info.file_size)
                    raise _large_sheet(f"contenu des feuilles de {size} une fois décompressé")
                xml = archive.read(info)
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, zlib.error):
            return
    elif kind == "fods":
        xml = data
    else:
        return
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise _not_spreadsheet("un document XML qui déclare des entités (refusé par sécurité)")
    if _filled_opendocument_cells(xml, limits.max_cells) > limits.max_cells:
        raise WorkbookUnreadable(
            "too-many-cells",
            f"Le classeur OpenDocument (.ods) déclare plus de "
            f"{french.integer(limits.max_cells)} cellules remplies (cellules répétées) : ce "
            "n'est pas un classeur d'épreuve et sa conversion serait trop longue. Il n'a pas "
            "été ouvert ; demander au candidat de vérifier le fichier déposé et de "
            "l'enregistrer au format .xlsx (LibreOffice : Fichier > Enregistrer sous > Type : "
            "Excel 2007-365 .xlsx).",
        )


def _filled_opendocument_cells(xml: bytes, ceiling: int) -> int:
    """Filled cells of an OpenDocument content part, repeats counted, stopping past `ceiling`."""
    from xml.parsers import expat  # noqa: PLC0415 -- only OpenDocument files need it

    parser = expat.ParserCreate(namespace_separator=" ")
    state = {"row_repeat": 1, "filled": 0, "cell_repeat": 0, "cell_filled": False}

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == f"{_ODF_TABLE} table-row":
            state["row_repeat"] = _repeat(attributes.get(f"{_ODF_TABLE} number-rows-repeated"))
        elif name in (f"{_ODF_TABLE} table-cell", f"{_ODF_TABLE} covered-table-cell"):
            state["cell_repeat"] = _repeat(attributes.get(f"{_ODF_TABLE} number-columns-repeated"))
            typed = f"{_ODF_OFFICE} value-type" in attributes
            state["cell_filled"] = typed or f"{_ODF_TABLE} formula" in attributes
        elif name == f"{_ODF_TEXT} p":
            state["cell_filled"] = True

    def end(name: str) -> None:
        if name in (f"{_ODF_TABLE} table-cell", f"{_ODF_TABLE} covered-table-cell"):
            if state["cell_filled"]:
                state["filled"] += state["row_repeat"] * state["cell_repeat"]
            if state["filled"] > ceiling:
                raise _Enough
        elif name == f"{_ODF_TABLE} table-row":
            state["row_repeat"] = 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(xml, True)
    except _Enough:
        pass
    except expat.ExpatError:
        return 0  # malformed: LibreOffice will say so itself
    return int(state["filled"])


class _Enough(Exception):
    """Counting can stop: the ceiling is passed."""


def _repeat(text: str | None) -> int:
    try:
        return max(1, int(text or "1"))
    except ValueError:
        return 1
