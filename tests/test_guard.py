"""Tests of the pre-flight guard: hostile and odd files are built here, in tmp_path.

Four real files from public test suites sit in tests/data/corpus (see ATTRIBUTION.md). The
sweep over ../shared/corpus runs only where that folder exists.
"""

from __future__ import annotations

import csv
import random
import struct
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autocorrect.errors import WorkbookUnreadable
from autocorrect.reading.guard import REASONS, Limits, Preflight, preflight

ROOT = Path(__file__).resolve().parents[1]
SUJET = ROOT / "fixtures" / "c20-bureau-plus" / "sujet.xlsx"
SUJET_BYTES = SUJET.read_bytes()
CORPUS = Path(__file__).parent / "data" / "corpus"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
with zipfile.ZipFile(SUJET) as _zf:
    SUJET_WORKBOOK = _zf.read("xl/workbook.xml")
    SUJET_RELS = _zf.read("xl/_rels/workbook.xml.rels")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_WARNING = "Le classeur contient des macros : elles ne sont jamais exécutées."
SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


# --------------------------------------------------------------------------- helpers


def rejected(path: Path, limits: Limits | None = None) -> WorkbookUnreadable:
    """The error preflight raises for `path`, checked for a known code and a French message."""
    with pytest.raises(WorkbookUnreadable) as caught:
        preflight(path, limits or Limits())
    error = caught.value
    assert error.reason in REASONS
    assert_french(error.message)
    return error


def assert_french(message: str) -> None:
    """Every rejection tells the grader, in French, what to ask of the candidate."""
    assert message.strip()
    assert "candidat" in message
    assert any(word in message for word in (" le ", " la ", " est ", " de "))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def rezip(
    path: Path,
    *,
    drop: tuple[str, ...] = (),
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
    stored: tuple[str, ...] = (),
) -> Path:
    """A copy of the C20 subject workbook with members dropped, replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(SUJET) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, src.read(info.filename))
            method = zipfile.ZIP_STORED if info.filename in stored else zipfile.ZIP_DEFLATED
            out.writestr(info.filename, data, compress_type=method)
        for name, data in (add or {}).items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            out.writestr(name, data, compress_type=method)
    return path


def patch_headers(path: Path, member: str, **fields: int) -> None:
    """Overwrite `flags`, `csize` or `usize` of one member in its local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    local = info.header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(member)] != member.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    offsets = {"flags": (6, 8, "<H"), "csize": (18, 20, "<I"), "usize": (22, 24, "<I")}
    for name, value in fields.items():
        local_at, central_at, fmt = offsets[name]
        struct.pack_into(fmt, data, local + local_at, value)
        struct.pack_into(fmt, data, central + central_at, value)
    path.write_bytes(bytes(data))


def sheet(cells: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {SHEET_NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def rels(*relationships: tuple[str, str, str]) -> bytes:
    """A .rels part from (type suffix or full type, target, target mode) triples."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{t if "/" in t else REL_TYPE + t}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (t, target, mode) in enumerate(relationships, start=1)
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{head}<Relationships {REL_NS}>{body}</Relationships>".encode()


def lock_file(user: str) -> bytes:
    """Excel's `~$name.xlsx` owner file as Excel writes it (165 bytes)."""
    n = len(user)
    return (
        bytes([n])
        + user.encode("latin-1").ljust(54)
        + bytes([n, 0])
        + (user.ljust(54).encode("utf-16-le"))
    )


# --------------------------------------------------------------------------- the valid workbook


def test_subject_workbook_passes_without_warnings() -> None:
    result = preflight(SUJET)
    assert result == Preflight(
        has_macros=False,
        has_external_links=False,
        external_link_targets=(),
        declared_dimensions=result.declared_dimensions,
        warnings=(),
    )
    assert dict(result.declared_dimensions) == {
        "xl/worksheets/sheet1.xml": "A1:E9",
        "xl/worksheets/sheet2.xml": "A1:B12",
        "xl/worksheets/sheet3.xml": "A1:B15",
        "xl/worksheets/sheet4.xml": "A1:J7",
        "xl/worksheets/sheet5.xml": "A1:B11",
        "xl/worksheets/sheet6.xml": "A1:B10",
        "xl/worksheets/sheet7.xml": "A1:B12",
    }


def test_extension_is_ignored(tmp_path: Path) -> None:
    assert preflight(write(tmp_path / "copie.pdf", SUJET_BYTES)).warnings == ()


def test_subject_workbook_is_checked_in_a_few_milliseconds() -> None:
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        preflight(SUJET)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.02  # about 1 ms measured; generous for slow CI machines


# --------------------------------------------------------------------------- not a zip


RANDOM_BYTES = random.Random(20240601).randbytes(4096)
BIFF2 = bytes.fromhex("0900 0400 0700 1000") + bytes(64)

RAW_CASES: list[tuple[str, bytes, str, str]] = [
    ("empty", b"", "empty", "vide"),
    ("random bytes", RANDOM_BYTES, "not-spreadsheet", "type inconnu"),
    (
        "pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
        "not-spreadsheet",
        "PDF",
    ),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "not-spreadsheet", "PNG"),
    ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "not-spreadsheet", "JPEG"),
    (
        "csv in cp1252",
        "Produit;Prix\nChaise;12,5\nTéléphone;7\n".encode("cp1252"),
        "not-spreadsheet",
        "CSV",
    ),
    ("plain text", b"Bonjour\nvoici ma copie\n", "not-spreadsheet", "fichier texte"),
    (
        "html page",
        b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table>",
        "not-spreadsheet",
        "HTML",
    ),
    (
        "xml spreadsheet 2003",
        b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
        "xls",
        "XML 2003",
    ),
    (
        "fake OLE2 with EncryptedPackage",
        OLE2_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512),
        "encrypted",
        "mot de passe",
    ),
    (
        "fake OLE2 with EncryptionInfo",
        OLE2_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(512),
        "encrypted",
        "mot de passe",
    ),
    ("fake OLE2 without encryption", OLE2_MAGIC + bytes(1024), "xls", ".xls"),
    ("raw BIFF2", BIFF2, "xls", "Excel 2.x"),
    ("excel lock file", lock_file("Jean Dupont"), "not-spreadsheet", "verrouillage"),
]


@pytest.mark.parametrize(
    ("data", "reason", "mentions"),
    [case[1:] for case in RAW_CASES],
    ids=[case[0] for case in RAW_CASES],
)
def test_files_that_are_not_zip(tmp_path: Path, data: bytes, reason: str, mentions: str) -> None:
    error = rejected(write(tmp_path / "copie.xlsx", data))
    assert error.reason == reason
    assert mentions in error.message


def test_encrypted_message_is_the_agreed_sentence(tmp_path: Path) -> None:
    error = rejected(
        write(tmp_path / "c.xlsx", OLE2_MAGIC + "EncryptedPackage".encode("utf-16-le"))
    )
    assert error.message.startswith(
        "Le classeur est protégé par mot de passe : demander au candidat une version sans mot "
        "de passe"
    )


def test_too_large(tmp_path: Path) -> None:
    error = rejected(write(tmp_path / "c.xlsx", SUJET_BYTES), Limits(max_file_bytes=1000))
    assert error.reason == "too-large"


def test_missing_file_is_the_callers_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        preflight(tmp_path / "absent.xlsx")


# --------------------------------------------------------------------------- zip, not an xlsx


def test_truncated_copy_is_damaged(tmp_path: Path) -> None:
    path = write(tmp_path / "c.xlsx", SUJET_BYTES[: len(SUJET_BYTES) * 60 // 100])
    assert rejected(path).reason == "damaged"


def test_flipped_byte_fails_the_crc(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsx", stored=("xl/worksheets/sheet1.xml",))
    with zipfile.ZipFile(SUJET) as zf:
        content = zf.read("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    at = data.index(content) + len(content) // 2
    data[at] ^= 0x01
    error = rejected(write(path, bytes(data)))
    assert error.reason == "damaged"
    assert "CRC" in error.message
    assert "xl/worksheets/sheet1.xml" in error.message


def test_corrupt_deflate_data_is_damaged(tmp_path: Path) -> None:
    data = bytearray(SUJET_BYTES)
    with zipfile.ZipFile(SUJET) as zf:
        info = zf.getinfo("xl/theme/theme1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for at in range(start + 10, start + 40):
        data[at] ^= 0x5A
    assert rejected(write(tmp_path / "c.xlsx", bytes(data))).reason == "damaged"


@pytest.mark.parametrize("missing", ["[Content_Types].xml", "xl/workbook.xml"])
def test_missing_required_part_is_damaged(tmp_path: Path, missing: str) -> None:
    error = rejected(rezip(tmp_path / "c.xlsx", drop=(missing,)))
    assert error.reason == "damaged"
    assert missing in error.message


def test_empty_zip_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    zipfile.ZipFile(path, "w").close()
    assert rejected(path).reason == "damaged"


def test_headers_that_disagree_are_damaged(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/styles.xml")
    struct.pack_into("<I", data, info.header_offset + 22, info.file_size + 1)  # local only
    error = rejected(write(path, bytes(data)))
    assert error.reason == "damaged"


def test_zip_encrypted_members(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsx")
    patch_headers(path, "xl/styles.xml", flags=0x1)
    assert rejected(path).reason == "encrypted"


def test_ods_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    error = rejected(path)
    assert error.reason == "ods"
    assert "OpenDocument" in error.message


def test_xlsb_is_recognised(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsx", drop=("xl/workbook.xml",), add={"xl/workbook.bin": b"\x83"})
    error = rejected(path)
    assert error.reason == "xlsb"
    assert ".xlsb" in error.message


def test_word_document_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    error = rejected(path)
    assert error.reason == "not-spreadsheet"
    assert "Word" in error.message


def test_workbook_zipped_in_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "rendu.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(SUJET, "Dupont/copie.xlsx")
    error = rejected(path)
    assert error.reason == "not-spreadsheet"
    assert "Dupont/copie.xlsx" in error.message


# --------------------------------------------------------------------------- zip bombs


@pytest.fixture(scope="module")
def bomb_200mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One member of 200 MB of zeros (about 200 KB compressed) in an otherwise valid package."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(SUJET) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        with out.open("xl/sharedStrings.xml", "w") as fh:
            for _ in range(200):
                fh.write(zeros)
    return path


def test_zip_bomb_by_declared_size(bomb_200mb: Path) -> None:
    assert bomb_200mb.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    error = rejected(bomb_200mb)
    assert time.perf_counter() - start < 0.5
    assert error.reason == "zip-bomb"


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsx", add={"xl/media/image1.bin": bytes(2 * 1024 * 1024)})
    error = rejected(path)
    assert error.reason == "zip-bomb"
    assert "xl/media/image1.bin" in error.message


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(max_members=10), "zip-bomb"),
        (Limits(max_uncompressed_bytes=20_000), "large-sheet"),  # normal compression: large
        (Limits(max_member_bytes=5_000), "large-sheet"),
        (Limits(max_compression_ratio=3.0, ratio_min_member_bytes=5_000), "zip-bomb"),
    ],
    ids=["members", "total", "member", "ratio"],
)
def test_every_size_limit_is_a_setting(limits: Limits, reason: str) -> None:
    assert rejected(SUJET, limits).reason == reason


def test_a_large_legitimate_workbook_is_not_called_a_bomb() -> None:
    """Over the size limits with an ordinary compression ratio: `large-sheet`, and the
    message does not speak of a decompression bomb."""
    error = rejected(SUJET, Limits(max_member_bytes=5_000))
    assert error.reason == "large-sheet"
    assert "bombe" not in error.message
    bomb = rejected(SUJET, Limits(max_member_bytes=5_000, max_compression_ratio=1.5))
    assert bomb.reason == "zip-bomb"


def test_many_members_are_counted_before_zipfile_lists_them(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(2001):
            zf.writestr(f"xl/p{i}.xml", "")
    assert rejected(path).reason == "zip-bomb"


def test_lying_declared_size_never_decompresses_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member declaring 1,000 bytes but holding 8 MiB of zeros: only the declared bytes are
    ever produced, and the mismatch is caught."""
    path = rezip(tmp_path / "c.xlsx", add={"xl/media/image1.bin": bytes(8 * 1024 * 1024)})
    patch_headers(path, "xl/media/image1.bin", usize=1000)
    produced = 0
    real_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        nonlocal produced
        data = real_read(self, n)
        produced += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    error = rejected(path)
    assert error.reason in {"damaged", "zip-bomb"}
    assert produced < 200_000


# --------------------------------------------------------------------------- XML declarations

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def test_doctype_in_workbook_part(tmp_path: Path) -> None:
    workbook = BILLION_LAUGHS + SUJET_WORKBOOK.split(b"?>", 1)[-1]
    error = rejected(rezip(tmp_path / "c.xlsx", replace={"xl/workbook.xml": workbook}))
    assert error.reason == "xml-dtd"
    assert "xl/workbook.xml" in error.message


def test_entity_in_a_rels_part(tmp_path: Path) -> None:
    bad = b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' + SUJET_RELS
    path = rezip(tmp_path / "c.xlsx", replace={"xl/_rels/workbook.xml.rels": bad})
    assert rejected(path).reason == "xml-dtd"


def test_doctype_hidden_after_a_long_comment(tmp_path: Path) -> None:
    part = b"<?xml version='1.0'?><!--" + b"x" * 100_000 + b"-->" + BILLION_LAUGHS[22:]
    path = rezip(tmp_path / "c.xlsx", replace={"xl/styles.xml": part})
    assert rejected(path).reason == "xml-dtd"


def test_doctype_in_utf16_part(tmp_path: Path) -> None:
    part = BILLION_LAUGHS.decode().replace("1.0", '1.0" encoding="UTF-16').encode("utf-16")
    path = rezip(tmp_path / "c.xlsx", replace={"xl/worksheets/sheet2.xml": part})
    assert rejected(path).reason == "xml-dtd"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_doctype_in_a_sheet_renamed_as_a_picture(tmp_path: Path, encoding: str) -> None:
    """Readers follow the relationship, whatever the name: the bytes decide."""
    renamed = SUJET_RELS.replace(b"/xl/worksheets/sheet1.xml", b"/xl/media/sheet1.png")
    with zipfile.ZipFile(SUJET) as zf:
        content = BILLION_LAUGHS + zf.read("xl/worksheets/sheet1.xml")
    content = content.decode().encode(encoding)
    path = rezip(
        tmp_path / "c.xlsx",
        drop=("xl/worksheets/sheet1.xml",),
        replace={"xl/_rels/workbook.xml.rels": renamed},
        add={"xl/media/sheet1.png": content},
    )
    error = rejected(path)
    assert error.reason == "xml-dtd"
    assert "xl/media/sheet1.png" in error.message


def test_svg_picture_with_doctype_passes(tmp_path: Path) -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>'
    )
    path = rezip(
        tmp_path / "c.xlsx",
        add={
            "xl/media/image1.svg": svg,
            "xl/drawings/_rels/drawing1.xml.rels": rels(("image", "../media/image1.svg", "")),
        },
    )
    assert preflight(path).warnings == ()


# --------------------------------------------------------------------------- warnings


def test_macros_are_a_warning(tmp_path: Path) -> None:
    path = rezip(tmp_path / "c.xlsm", add={"xl/vbaProject.bin": OLE2_MAGIC + bytes(1024)})
    result = preflight(path)
    assert result.has_macros
    assert result.warnings == (MACRO_WARNING,)


def test_external_links_are_listed(tmp_path: Path) -> None:
    link = f'<externalLink {SHEET_NS}><externalBook r:id="rId1"/></externalLink>'.encode()
    path = rezip(
        tmp_path / "c.xlsx",
        add={
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": rels(
                ("externalLinkPath", "file:///C:/secret/answers.xlsx", "External")
            ),
        },
    )
    result = preflight(path)
    assert result.has_external_links
    assert result.external_link_targets == ("file:///C:/secret/answers.xlsx",)
    assert len(result.warnings) == 1
    assert "file:///C:/secret/answers.xlsx" in result.warnings[0]
    assert "jamais ouvertes" in result.warnings[0]


def test_huge_declared_dimension_with_two_cells_is_a_warning(tmp_path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )
    part = sheet(cells, "A1:XFD1048576")
    result = preflight(rezip(tmp_path / "c.xlsx", replace={"xl/worksheets/sheet1.xml": part}))
    assert result.declared_dimensions["xl/worksheets/sheet1.xml"] == "A1:XFD1048576"
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "Annexe 1 - Produits" in warning
    assert "A1:XFD1048576" in warning
    assert "17\u202f179\u202f869\u202f184" in warning
    assert "environ 2 " in warning
    assert not result.has_macros
    assert not result.has_external_links


def test_many_real_cells_are_rejected(tmp_path: Path) -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 1501))
    path = rezip(tmp_path / "c.xlsx", replace={"xl/worksheets/sheet1.xml": sheet(cells, "A1")})
    error = rejected(path, Limits(max_cells=1000))
    assert error.reason == "too-many-cells"
    assert preflight(path, Limits(max_cells=2000)).warnings == ()


def test_prefixed_cells_are_counted(tmp_path: Path) -> None:
    cells = "".join(f'<x:row r="{r}"><x:c r="A{r}"><x:v>1</x:v></x:c></x:row>' for r in range(50))
    part = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<x:sheetData>{cells}</x:sheetData></x:worksheet>"
    ).encode()
    path = rezip(tmp_path / "c.xlsx", replace={"xl/worksheets/sheet1.xml": part})
    assert rejected(path, Limits(max_cells=40)).reason == "too-many-cells"


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("calamine__pass_protected.xlsx", "encrypted"),  # agile-encrypted OOXML in OLE2
        ("poi__xor-encryption-abc.xls", "encrypted"),  # BIFF8 with FILEPASS
        ("readxl__mtcars.xls", "xls"),
        ("poi__poc-xmlbomb.xlsx", "xml-dtd"),  # billion laughs in sharedStrings.xml
    ],
)
def test_real_files(name: str, reason: str) -> None:
    assert rejected(CORPUS / name).reason == reason


# --------------------------------------------------------------------------- robustness


@settings(
    max_examples=150,
    deadline=1000,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cut=st.one_of(st.just(len(SUJET_BYTES)), st.integers(0, len(SUJET_BYTES))),
    flips=st.lists(
        st.tuples(
            st.one_of(
                st.integers(0, len(SUJET_BYTES) - 1),
                st.integers(len(SUJET_BYTES) - 1500, len(SUJET_BYTES) - 1),  # central dir
            ),
            st.integers(1, 255),
        ),
        max_size=4,
    ),
)
def test_mutated_workbook_never_escapes(
    tmp_path: Path, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(SUJET_BYTES)
    for at, mask in flips:
        data[at] ^= mask
    path = write(tmp_path / "mutant.xlsx", bytes(data[:cut]))
    try:
        preflight(path)
    except WorkbookUnreadable as error:
        assert error.reason in REASONS
        assert_french(error.message)


# --------------------------------------------------------------------------- ../shared corpus

EXPECTED_BY_CONTAINER: Mapping[str, Callable[[str], bool]] = {
    "empty": lambda reason: reason == "empty",
    "ooxml-encrypted(OLE)": lambda reason: reason == "encrypted",
    "xls-biff": lambda reason: reason in {"xls", "encrypted"},
    "xls-biff2-4-raw": lambda reason: reason == "xls",
    "ods": lambda reason: reason == "ods",
    "xlsb": lambda reason: reason == "xlsb",
    "zip-bad": lambda reason: reason == "damaged",
}


@pytest.mark.shared
@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_shared_corpus() -> None:
    """Every file of the reference corpus: nothing escapes, the verdict fits the container,
    every workbook openpyxl reads passes, and each file takes well under a second."""
    with (SHARED_CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    problems = []
    for name, row in sorted(manifest.items()):
        start = time.perf_counter()
        try:
            preflight(SHARED_CORPUS / name)
            reason = "pass"
        except WorkbookUnreadable as error:
            reason = error.reason
            assert_french(error.message)
        elapsed = time.perf_counter() - start
        expected = EXPECTED_BY_CONTAINER.get(row["container"])
        if expected is not None and not expected(reason):
            problems.append(f"{name}: {reason} for container {row['container']}")
        if row["openpyxl_result"] == "ok" and reason != "pass":
            problems.append(f"{name}: {reason}, but openpyxl reads it")
        if elapsed > 0.5:
            problems.append(f"{name}: {elapsed:.2f} s")
    assert problems == []
