"""The Excel ledger (台账), both ways, and the Excel report.

* :func:`template_bytes` — an empty ledger workbook in the party-affairs office's terms;
* :func:`export_bytes` — a ledger filled from a fact document;
* :func:`import_ledger` — a filled ledger → a validated fact document (and its YAML);
* :func:`report_bytes` — a check's report as a workbook (``check --format xlsx``).

The sheet layout is data (:mod:`.layout`) shared by all of them. This package sits
above :mod:`partyrules.api` and uses only public names below it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from ..facts.load import load_facts
from ..facts.model import OMITTED, FactDocument
from ..periods import Month
from .import_ import LedgerError, read_ledger
from .write import build_ledger, periods_between
from .xlsx import stamp, workbook_bytes

__all__ = ["template_bytes", "export_bytes", "import_ledger", "facts_yaml", "report_bytes", "LedgerError"]


def template_bytes(year: int) -> bytes:
    """An empty ledger whose 党费 and 培训 sheets have the columns of ``year``."""
    months = [Month(year, m) for m in range(1, 13)]
    return workbook_bytes(build_ledger(None, months=months, years=[year]), stamp(dt.date(year, 1, 1)))


def export_bytes(facts: Any) -> bytes:
    """A ledger filled from ``facts`` (a path, a mapping or a :class:`FactDocument`)."""
    doc = load_facts(facts)
    months, years = periods_between(doc)
    day = doc.as_of if doc.as_of is not OMITTED else None
    return workbook_bytes(build_ledger(doc, months=months, years=years), stamp(day))


def import_ledger(path: str | Path) -> tuple[dict, FactDocument]:
    """A filled ledger as plain fact data and its validated model (raises :class:`LedgerError`)."""
    return read_ledger(path)


def facts_yaml(data: dict, source: str) -> str:
    """The fact document as YAML, the same text for the same data."""
    head = f"# partyrules.facts/1, imported from the ledger {Path(source).name} by `partyrules ledger import`\n"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
    if text.startswith("{"):       # a document of scalars only: keep the top level in block style
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return head + text


def report_bytes(report: Any, facts: FactDocument, rulebook: Any = None, all_results: bool = False,
                 upcoming: Any = None) -> bytes:
    """The report workbook of ``check --format xlsx``.

    ``upcoming`` (what is coming due: an object with ``items``, or the items) fills the 待办
    sheet through :func:`.report_book.upcoming_rows`; without it the sheet says none were computed.
    """
    from .report_book import build_report_book
    return workbook_bytes(build_report_book(report, facts, rulebook, all_results, upcoming), stamp(report.as_of))
