"""``partyrules lint``: every problem of policy packs and files, without facts.

Prints one line per finding, ``FILE:LINE:COL: severity: message``, sorted. The
exit status is 1 when there is an error, 0 when there are only warnings (or
nothing), 2 when a path does not exist.
"""

from __future__ import annotations

import click

from ..tools.lint import DEFAULT_SEARCH, exit_status, files_linted, lint_paths, render
from ..report.safe_text import safe_block
from . import emit, main


@main.command("lint")
@click.argument("paths", nargs=-1)
@click.option("--search", type=click.IntRange(min=0), default=DEFAULT_SEARCH, show_default=True, metavar="N",
              help="Generated courts tried for a policy whose examples do not show both a violation and a pass "
                   "(0: only the examples).")
def lint_cmd(paths: tuple[str, ...], search: int) -> None:
    """Check policy packs (directories, or a bundled pack by name) or single policy and parameter files.

    With no PATHS, the built-in rulebook; prints "N files, no findings" when all is well. Every problem is listed, not only the
    first: the shape of each policy, its expressions (syntax, names, derived
    facts and fields, with "did you mean"), its citations (registered
    instrument and edition, the folder's edition cited, the coverage index),
    message placeholders, duplicate ids, parameters whose dates clash, the
    policy's own examples, and policies that can never fire or never pass
    (searched for among the examples and generated courts; a warning).

    Exit status: 1 when there is an error, 0 with warnings only, 2 when a path
    does not exist.
    """
    findings = lint_paths(paths, search=search)
    emit(safe_block(render(findings)), None)         # policy text quoted in findings: no raw escapes
    if findings:
        errors = sum(1 for f in findings if f.severity == "error")
        click.echo(f"{errors} error(s), {len(findings) - errors} warning(s)", err=True)
    else:
        click.echo(f"{files_linted(paths)} files, no findings")
    raise click.exceptions.Exit(exit_status(findings))
