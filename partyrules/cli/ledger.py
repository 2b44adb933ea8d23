"""``partyrules ledger``: the Excel ledger (台账) a party-affairs office keeps, both ways.

``template`` writes an empty ledger, ``export`` fills one from a fact document,
``import`` turns a filled one into a fact document (YAML). Workbooks are binary:
they go to a file (atomically), never to a terminal. A ledger with problems gives
one line per problem (``BOOK.xlsx: 党员!C12: …``) on standard error, exit status 2,
and nothing written.
"""

from __future__ import annotations

import datetime as dt
import sys

import click

from ..errors import UsageError
from . import fail, main
from .output import refuse_inputs, write_output


def emit_bytes(data: bytes, output: str | None, *, what: str, inputs: tuple[str, ...] = ()) -> None:
    """Write a binary file through the one output writer (atomic, mode kept, inputs refused); never to a terminal."""
    if output is None:
        raise UsageError(f"{what} is a binary .xlsx file: give -o FILE")
    if output == "-" and sys.stdout.isatty():
        raise UsageError(f"{what} is a binary .xlsx file: it is not written to a terminal; give -o FILE")
    write_output(data, output, inputs)


@main.group("ledger")
def ledger() -> None:
    """The Excel ledger (台账): an empty template, export from facts, import to facts."""


@ledger.command("template")
@click.option("-o", "--output", metavar="BOOK.xlsx", help="Write the workbook to this file.")
@click.option("--year", type=click.IntRange(1980, 2999), default=None,
              help="The year whose months and training column the 党费/培训 sheets start with (default: this year).")
def template_cmd(output: str | None, year: int | None) -> None:
    """Write an empty ledger workbook to fill in Excel or WPS."""
    from ..ledger import template_bytes
    emit_bytes(template_bytes(year or dt.date.today().year), output, what="the ledger")


@ledger.command("export")
@click.argument("facts")
@click.option("-o", "--output", metavar="BOOK.xlsx", help="Write the workbook to this file.")
def export_cmd(facts: str, output: str | None) -> None:
    """Fill a ledger workbook from the fact document FACTS (YAML or JSON)."""
    from ..ledger import export_bytes
    if output is None:
        raise UsageError("the ledger is a binary .xlsx file: give -o FILE")
    refuse_inputs(output, (facts,))          # before the work: never overwrite the facts
    emit_bytes(export_bytes(facts), output, what="the ledger", inputs=(facts,))


@ledger.command("import")
@click.argument("book")
@click.option("-o", "--output", metavar="FACTS.yaml", help="Write the fact document here (default: standard output).")
def import_cmd(book: str, output: str | None) -> None:
    """Turn a filled ledger BOOK.xlsx into a fact document (YAML), checked as `partyrules check` would."""
    from ..ledger import LedgerError, facts_yaml, import_ledger
    refuse_inputs(output, (book,))           # before the work: never overwrite the ledger itself
    try:
        data, _facts = import_ledger(book)
    except LedgerError as exc:
        for line in exc.problems:
            click.echo(f"partyrules: {line}", err=True)
        raise click.exceptions.Exit(2) from None
    write_output(facts_yaml(data, book), output, (book,))


__all__ = ["emit_bytes", "ledger", "fail"]
