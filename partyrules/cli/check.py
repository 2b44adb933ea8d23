"""``partyrules check``: the report of one fact document (report-v1)."""

from __future__ import annotations

import click

from ..api import ENGINES, check
from ..report.render import render_html, render_json, render_table
from . import emit, main


@main.command("check")
@click.argument("facts")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@click.option("--all", "all_results", is_flag=True, help="List satisfied and not-applicable results too.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default="native", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the table and HTML output (JSON carries both).")
@click.option("--include-unverified", is_flag=True, help="Also run opt-in policies with unverified citations.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically) instead of stdout.")
def check_cmd(facts: str, as_of: str | None, fmt: str, packs: tuple[str, ...], no_builtin: bool,
              all_results: bool, engine: str, lang: str, include_unverified: bool, output: str | None) -> None:
    """Check FACTS (a YAML or JSON fact document, or - for standard input)."""
    report = check(facts, as_of, policies=packs, builtin=not no_builtin, engine=engine,
                   include_unverified=include_unverified)
    if fmt == "json":
        text = render_json(report, all_results)
    elif fmt == "html":
        text = render_html(report, all_results, lang)
    else:
        text = render_table(report, all_results, lang)
    emit(text, output)
    raise click.exceptions.Exit(report.exit_status)
