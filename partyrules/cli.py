"""The ``partyrules`` command, on top of the same API the library offers.

Exit statuses (report-v1): 0 no violation, 1 at least one violation, 2 the
input, a policy or the command line is wrong — with one line on standard error
that names the file and the path or line:column, never a traceback. Output is
rendered whole before anything is written, so nothing is ever half-written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .api import ENGINES, check
from .errors import PartyrulesError
from .report.render import render_html, render_json, render_table
from .rulebook.examples import run_example
from .rulebook.load import load_rulebook


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"partyrules: {message}", err=True)
    return click.exceptions.Exit(2)


def _emit(text: str, output: str | None) -> None:
    """Write the whole text to standard output, or atomically to a file."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PartyrulesError as exc:
            raise _fail(_one_line(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise click.exceptions.Exit(1) from None
        except RecursionError:
            raise _fail("the input is nested too deeply") from None
        except Exception as exc:  # a bug: still one line, and the exit status of a failed check
            if os.environ.get("PARTYRULES_DEBUG"):
                raise
            raise _fail(f"internal error: {type(exc).__name__}: {exc} "
                        "(a bug in partyrules; PARTYRULES_DEBUG=1 shows the traceback)") from None


def _one_line(exc: PartyrulesError) -> str:
    text = str(exc).replace("\n", " ")
    more = getattr(exc, "more", 0)
    return f"{text} [+{more} more]" if more else text


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="partyrules")
def main() -> None:
    """Check a court's Party organizations against the articles of Party regulations."""


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
    _emit(text, output)
    raise click.exceptions.Exit(report.exit_status)


@main.command("test")
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
def test_cmd(packs: tuple[str, ...], no_builtin: bool) -> None:
    """Run every policy's own examples."""
    book = load_rulebook(packs, builtin=not no_builtin)
    failed = passed = 0
    for policy in book.policies:
        for example in policy.examples:
            run = run_example(book, policy, example)
            if run.ok:
                passed += 1
            else:
                failed += 1
                click.echo(f"FAIL {policy.source}:{example.line}: {policy.id}@{policy.edition}: "
                           f"{example.name}: {run.detail}")
    click.echo(f"{passed} passed, {failed} failed")
    raise click.exceptions.Exit(1 if failed else 0)
