"""``partyrules explain``: why one policy gave its outcome on one subject."""

from __future__ import annotations

import click

from ..tools.explain import explain, render_json, render_text
from . import emit, main
from .facts_input import facts_input


@main.command("explain")
@click.argument("facts")
@click.option("--policy", "policy_id", required=True, metavar="ID",
              help="The policy id, e.g. organs.branch.committee-required.")
@click.option("--subject", "subject_id", required=True, metavar="ID",
              help="The id of the unit, department, organization or member it applies to.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_cmd(facts: str, policy_id: str, subject_id: str, as_of: str | None, lang: str,
                packs: tuple[str, ...], no_builtin: bool, fmt: str) -> None:
    """Explain the outcome of one policy on one subject of FACTS (a file, or - for standard input).

    Prints the policy's conditions (where, require, unless) as trees, each part
    of an expression with the value it took: true, false, unknown with the
    missing facts, a number or a list; derived facts that look at records
    (lapses, periods, training, quorum) list the periods and the records that
    satisfied each. Then the evidence and the message. The outcome is the one
    `partyrules check` reports for the same policy and subject.

    Exit status 0; 2 when the facts, the policy id or the subject id is wrong
    (with "did you mean").
    """
    ex = explain(facts_input(facts), policy_id, subject_id, as_of, policies=packs, builtin=not no_builtin)
    emit(render_json(ex) if fmt == "json" else render_text(ex, lang), None)
