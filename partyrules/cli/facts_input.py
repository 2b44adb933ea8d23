"""What a command's FACTS argument names: a fact document, or a filled ledger workbook.

A party-affairs office keeps its records in the Excel ledger (台账) and runs
``partyrules check 台账.xlsx`` on it. A workbook is recognised by its name
(``.xlsx``/``.xlsm``, as Excel and openpyxl recognise it; a workbook under another
name is refused by the fact reader, which says what it is) and read through :func:`partyrules.ledger.import_ledger`, so its problems are reported
as ``BOOK.xlsx: 党员!E4: …`` exactly as ``ledger import`` reports them. Anything
else is handed on unchanged and read by :func:`partyrules.load_facts`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(arg: str) -> bool:
    """Whether ``arg`` names a workbook: a file called ``*.xlsx`` or ``*.xlsm`` (any case)."""
    return arg != "-" and Path(arg).suffix.lower() in WORKBOOK_SUFFIXES


def facts_input(arg: str) -> Any:
    """The facts a command checks: a workbook's validated document, else ``arg`` itself (a path or ``-``)."""
    if not is_workbook(arg):
        return arg
    from ..ledger import import_ledger   # openpyxl is imported only for a workbook
    return import_ledger(arg)[1]
