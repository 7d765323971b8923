"""Byte-identical xlsx output: openpyxl stamps the save time in `docProps/core.xml` and in every
zip entry; the same content must give the same bytes on every run (outputs are compared and
committed by graders), so both stamps are replaced by fixed values."""

from __future__ import annotations

import io
import re
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")


def reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates and the document's modification time set to
    its creation time (or removed when it has none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core(content)
            entry = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return buffer.getvalue()


def _fixed_core(content: bytes) -> bytes:
    created = _CREATED.search(content)
    stamp = created.group(1) if created else b""
    if not stamp:
        return _MODIFIED.sub(b"", content)
    return _MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), content)
