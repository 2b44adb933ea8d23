"""Refusing a workbook before openpyxl parses it: not a zip, too big, bomb-like, DTDs.

An .xlsx is a zip of XML parts. A ledger arrives from a clerk's desktop, so the
file is bounded before any part is inflated: its size on disk, the number of parts,
their inflated sizes and compression ratios; and no part may carry a DOCTYPE
(entity expansion is the XML bomb; real workbooks never declare one).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import SourceError

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_PARTS = 2000
MAX_INFLATED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200               # inflated / compressed, for any part over a megabyte
PROLOG_BYTES = 4096           # a DOCTYPE must come before the root element


def check_workbook_file(path: Path, source: str) -> None:
    """Raise :class:`SourceError` (one line) unless ``path`` looks like a sane .xlsx."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except OSError as exc:
        raise SourceError(source, f"cannot be read: {exc.strerror}") from None
    if path.is_dir():
        raise SourceError(source, "is a directory, expected an .xlsx workbook")
    if size > MAX_FILE_BYTES:
        raise SourceError(source, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if not zipfile.is_zipfile(path):
        raise SourceError(source, "is not an Excel workbook (.xlsx): not a zip file "
                                  "(an old .xls or a CSV must be saved as .xlsx first)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise SourceError(source, f"holds more than {MAX_PARTS} parts: not a ledger workbook")
            total = 0
            for info in infos:
                total += info.file_size
                if total > MAX_INFLATED_BYTES:
                    raise SourceError(source, f"inflates to more than {MAX_INFLATED_BYTES // (1024 * 1024)} MiB")
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
                    raise SourceError(source, f"part {info.filename} is compressed {info.file_size // max(1, info.compress_size)}:1, "
                                              "a zip bomb rather than a workbook")
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(info) as part:
                        head = part.read(PROLOG_BYTES)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise SourceError(source, f"part {info.filename} declares a DOCTYPE, which no workbook needs: refused")
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise SourceError(source, "is a zip file but not an Excel workbook (no xl/workbook.xml)")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise SourceError(source, f"is not a readable .xlsx workbook: {exc}") from None
