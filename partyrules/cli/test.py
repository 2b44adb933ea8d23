"""``partyrules test``: every policy's own examples, and scenario tests.

    partyrules test [PATHS] [--policies DIR ...] [--no-builtin] [--installed-packs] [--junit FILE]

PATHS are scenario files or folders of them (see
:mod:`partyrules.tools.scenarios`); the ``tests/`` folder of every loaded pack
is run too. Failures are printed with one ``expected`` and one ``got`` line per
difference, then the coverage of the policies and of their cited articles by
the tests, and last the line ``N passed, M failed`` (CI reads it). Exit status
1 when a test failed, 2 when a policy or a scenario file is wrong.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..tools.examples import run_example
from ..rulebook.load import load_rulebook
from ..rulebook.packs import TESTS_DIR, bundled_packs, is_pack_dir
from ..tools.scenarios import coverage_of_tests, load_scenarios, run_scenario
from ..report.junit import Case, render_junit
from ..report.safe_text import safe_block, safe_text
from . import emit, main


@main.command("test")
@click.argument("paths", nargs=-1)
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@click.option("--installed-packs", is_flag=True,
              help="Also load the packs that installed packages register (entry points partyrules.packs).")
@click.option("--no-coverage", is_flag=True, help="Do not print the coverage of policies and articles.")
@click.option("--junit", "junit", metavar="FILE",
              help="Also write the results as JUnit XML to FILE (one testcase per example and scenario).")
def test_cmd(paths: tuple[str, ...], packs: tuple[str, ...], no_builtin: bool, installed_packs: bool,
             no_coverage: bool, junit: str | None) -> None:
    """Run every policy's own examples and the scenario tests in PATHS (files or folders).

    A PATH that is a pack (a directory laid out as one, or a bundled pack's name) is
    loaded as with --policies; the tests/ folder of each pack is run as well.
    """
    named = [p for p in paths if is_pack_dir(Path(p)) or (not Path(p).exists() and p in bundled_packs())]
    paths = tuple(p for p in paths if p not in named)
    book = load_rulebook(tuple(packs) + tuple(named), builtin=not no_builtin, entry_points=installed_packs)
    sources = list(paths) + [str(d / TESTS_DIR) for d in book.packs if (d / TESTS_DIR).is_dir()]
    scenarios = load_scenarios(sources)       # a badly written scenario file stops here (exit 2)
    failed = passed = 0
    cases: list[Case] = []
    by_examples: set = set()
    for policy in book.policies:
        for example in policy.examples:
            by_examples.add(policy.key)
            run = run_example(book, policy, example)
            cases.append(Case("policy examples", f"{policy.id}@{policy.edition}", example.name,
                              _short(policy.source), example.line, run.ok, () if run.ok else (run.detail,)))
            if run.ok:
                passed += 1
            else:
                failed += 1
                # names and details come from pack files: a control or bidi character in them is escaped,
                # never sent to the terminal as such
                click.echo(safe_block(f"FAIL {policy.source}:{example.line}: {policy.id}@{policy.edition}: "
                                      f"{example.name}: {run.detail}"))
    by_scenarios: set = set()
    for scenario in scenarios:
        run = run_scenario(book, scenario)
        by_scenarios |= run.exercised
        diff = () if run.ok else tuple(run.diff())
        cases.append(Case("scenarios", _short(scenario.source), scenario.name, _short(scenario.source),
                          scenario.line or 1, run.ok, diff))
        if run.ok:
            passed += 1
        else:
            failed += 1
            click.echo(safe_text(f"FAIL {_short(scenario.source)}:{scenario.line or 1}: scenario {scenario.name!r}"))
            for line in diff:
                click.echo(safe_text(line))
    if junit is not None:
        emit(render_junit(cases), junit)
    if not no_coverage:
        for line in coverage_of_tests(book, by_examples, by_scenarios).lines(_short):
            click.echo(safe_text(line))
    click.echo(f"{passed} passed, {failed} failed")
    raise click.exceptions.Exit(1 if failed else 0)


def _short(source: str) -> str:
    """A path relative to the working directory when it is inside it."""
    try:
        return str(Path(source).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return source
