"""Saving a workbook as the same bytes for the same content.

openpyxl stamps the workbook with the time of saving, and every zip entry with the
time of writing; both are replaced by one fixed moment that the caller derives from
its input (the evaluation date, the ledger's date), so a report or a ledger is
reproducible and can be compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl.workbook import Workbook
from openpyxl.writer.excel import ExcelWriter

EPOCH = dt.datetime(2000, 1, 1)     # the moment used when the input names no date


def stamp(day: dt.date | None) -> dt.datetime:
    """The fixed moment for a workbook about ``day`` (midnight; zip times cannot go before 1980)."""
    if day is None or day.year < 1980:
        return EPOCH
    return dt.datetime(day.year, day.month, day.day)


def workbook_bytes(wb: Workbook, when: dt.datetime) -> bytes:
    """The .xlsx bytes of ``wb``, stamped with ``when`` and nothing else that varies."""
    wb.properties.creator = "partyrules"
    wb.properties.lastModifiedBy = "partyrules"
    wb.properties.created = when
    wb.properties.modified = when
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()     # not openpyxl's save_workbook: it resets `modified` to now
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
