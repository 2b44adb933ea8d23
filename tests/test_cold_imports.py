"""A command imports only what it uses: ``import partyrules`` and ``partyrules check`` start quickly.

Each case runs in a fresh interpreter and looks at ``sys.modules`` afterwards
(what was imported, not how long it took: speed is measured in benchmarks/).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"

# what only some commands or formats need: the HTML templates, the ledger's workbooks, the property tests,
# durable-rules, the batch's process pool, and cattrs (only a document the quick path refuses needs it)
HEAVY = ("jinja2", "openpyxl", "hypothesis", "durable", "multiprocessing", "partyrules.ledger",
         "partyrules.engine.durable", "partyrules.batch", "partyrules.testing", "cattrs", "partyrules.facts.careful")

PROBE = """
import json, sys
{body}
heavy = {heavy!r}
print("MODULES " + json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {{h.split(".")[0] for h in heavy}}
                                        and any(m == h or m.startswith(h + ".") for h in heavy))), file=sys.stderr)
"""

CLI = """
from partyrules.cli import main
try:
    main({args!r})
except SystemExit as exc:
    print("STATUS", exc.code, file=sys.stderr)
"""


def imported(body: str) -> tuple[list[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")]
    assert line, proc.stderr[-3000:]
    return json.loads(line[-1][len("MODULES "):]), proc.stderr


def test_import_partyrules_loads_nothing_heavy():
    found, _ = imported("import partyrules")
    assert found == []


def test_import_partyrules_loads_only_its_version():
    found, err = imported("import partyrules\nprint('LOADED', sorted(m for m in sys.modules if m.startswith('partyrules')), file=sys.stderr)")
    assert "LOADED ['partyrules', 'partyrules.version']" in err      # the version is its own tiny module (floors)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_check_one_document_loads_nothing_heavy(fmt):
    found, err = imported(CLI.format(args=["check", str(COURT), "--format", fmt]))
    assert "STATUS 1" in err                     # the example court has violations: the check did run
    assert found == []


def test_a_document_with_a_problem_does_load_the_careful_path(tmp_path):
    """The control for cattrs: the careful path is there when a problem must be worded."""
    bad = tmp_path / "bad.yaml"
    text = COURT.read_text(encoding="utf-8")
    assert "\nformat: partyrules.facts/1\n" in text
    bad.write_text(text.replace("\nformat: partyrules.facts/1\n", "\nformat: partyrules.facts/1\nextra_field: 1\n"),
                   encoding="utf-8")
    found, err = imported(CLI.format(args=["check", str(bad)]))
    assert "STATUS 2" in err and "extra_field" in err and "cattrs" in found, err[-3000:]


def test_the_html_format_does_load_its_templates():
    """The control: the probe sees an import when there is one."""
    found, err = imported(CLI.format(args=["check", str(COURT), "--format", "html"]))
    assert "STATUS 1" in err and "jinja2" in found and "hypothesis" not in found


def test_names_resolve_on_first_use_and_timeline_stays_the_function():
    found, err = imported(
        "import partyrules, partyrules.timeline\n"
        "import partyrules.cli.timeline\n"
        "assert callable(partyrules.timeline) and partyrules.timeline.__name__ == 'timeline', partyrules.timeline\n"
        "assert partyrules.check.__module__ == 'partyrules.api'\n"
        "assert set(partyrules.__all__) <= set(dir(partyrules))\n"
        "print('OK', file=sys.stderr)")
    assert "OK" in err, err[-3000:]


def test_every_public_name_resolves():
    import partyrules
    for name in partyrules.__all__:
        assert getattr(partyrules, name) is not None
    with pytest.raises(AttributeError):
        partyrules.no_such_name  # noqa: B018


def test_every_command_module_is_known_to_the_lazy_group():
    """A new command module must be listed in COMMANDS, or the lazy group would never import it."""
    import importlib
    import pkgutil

    import partyrules.cli as cli
    helpers = {"facts_input", "options", "output"}
    modules = {m.name for m in pkgutil.iter_modules(cli.__path__)} - helpers
    assert set(cli.COMMANDS.values()) == modules
    for name in sorted(modules):
        importlib.import_module(f"partyrules.cli.{name}")
    assert set(cli.main.commands) == set(cli.COMMANDS)
    assert cli.main.list_commands(None) == sorted(cli.COMMANDS)
