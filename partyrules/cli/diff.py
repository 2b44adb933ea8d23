"""``partyrules diff OLD.json NEW.json``: what changed between two JSON reports of one unit.

Exit status 1 when NEW has a new finding (or one that became a violation),
0 otherwise, 2 when a file is not a ``partyrules.report/1`` document.
"""

from __future__ import annotations

import click

from ..report.diff import compare, read_report, render_diff_json, render_diff_table
from ..errors import UsageError
from . import emit, main


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the table (JSON carries both).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def diff_cmd(old: str, new: str, fmt: str, lang: str, output: str | None) -> None:
    """Compare two JSON reports (partyrules check --format json) of the same unit: new, resolved, changed
    and unchanged findings, keyed by policy and subject."""
    if old == "-" and new == "-":
        raise UsageError("standard input (-) can be given only once")
    diff = compare(read_report(old), read_report(new))
    emit(render_diff_json(diff) if fmt == "json" else render_diff_table(diff, lang), output)
    raise click.exceptions.Exit(diff.exit_status)
