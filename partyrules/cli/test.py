"""``partyrules test``: every policy's own examples."""

from __future__ import annotations

import click

from ..rulebook.examples import run_example
from ..rulebook.load import load_rulebook
from . import main


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
