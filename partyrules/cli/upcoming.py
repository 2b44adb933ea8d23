"""``partyrules upcoming``: what comes due on a unit in the next days (``partyrules.upcoming/1``).

    partyrules upcoming FACTS [--within 90] [--as-of D] [--format table|json] [--lang zh|en]

Exit status 0 (a list of duties is not a verdict), 2 on bad input.
"""

from __future__ import annotations

import click

from ..api import upcoming
from ..report.upcoming import render_upcoming_json, render_upcoming_table
from ..due import DEFAULT_WITHIN, MAX_WITHIN
from . import emit, main
from .options import select_options


@main.command("upcoming")
@click.argument("facts")
@click.option("--within", type=click.IntRange(0, MAX_WITHIN), default=DEFAULT_WITHIN, show_default=True,
              metavar="DAYS", help="Days ahead to look (terms of office: at least six months).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the table (JSON carries both).")
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@select_options
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def upcoming_cmd(facts: str, within: int, as_of: str | None, fmt: str, lang: str, packs: tuple[str, ...],
                 no_builtin: bool, select: tuple[str, ...], skip: tuple[str, ...], output: str | None) -> None:
    """List what comes due on the unit of FACTS: terms ending, probations ending, this month's theme day,
    this quarter's general meeting, this year's meetings, reports and training not yet done."""
    up = upcoming(facts, as_of, within=within, policies=packs, builtin=not no_builtin, select=select, skip=skip)
    emit(render_upcoming_json(up) if fmt == "json" else render_upcoming_table(up, lang), output)
