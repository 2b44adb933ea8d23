"""The floors of partyrules: every import points down, tools use public names, no private name crosses a module.

Read from the source with ``ast``, so imports inside functions count as much as those at the
top of a module (a function-level import is still a dependency; it only hides it).
docs/architecture.md draws these floors and states the rule this test enforces.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import partyrules

PACKAGE = Path(partyrules.__file__).parent

# Bottom to top. A module belongs to the floor of the longest prefix that names it, and may import
# modules of its own floor and of the floors below, never above.
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # plain values, safe reading, errors: what every floor needs
    ("base", ("partyrules.errors", "partyrules.source", "partyrules.periods", "partyrules.counting",
              "partyrules.schemas", "partyrules.version", "partyrules.when_read")),
    # the fact model, its loader, the view on one date and the derived facts
    ("facts", ("partyrules.facts",)),
    # policies, expressions, parameters, editions, citations, packs
    ("rulebook", ("partyrules.rulebook", "partyrules.citations")),
    # the result values the engines produce and the reports read, and the JSON writer they serialise with
    ("results", ("partyrules.report.model", "partyrules.report.json_text")),
    # evaluating policies on facts (native and durable-rules), and what comes due
    ("engine", ("partyrules.engine", "partyrules.due", "partyrules.admission")),
    # turning results into tables, HTML, SARIF, JUnit, diffs
    ("report", ("partyrules.report",)),
    # the library's entry points: one check, a session, a batch, a timeline, the ledger workbook
    ("api", ("partyrules", "partyrules.api", "partyrules.session", "partyrules.batch", "partyrules.timeline",
             "partyrules.ledger")),
    # tools built on the checker; they see only TOOL_SURFACE below
    ("tools", ("partyrules.tools", "partyrules.testing")),
    # the command line: may use anything
    ("cli", ("partyrules.cli", "partyrules.__main__")),
)

# The public modules a tool may import from the floors below (only their names without a leading
# underscore; from the package itself only ``partyrules.__all__``). Anything else (the durable-rules
# adapter, the compiled form of expressions, the report layouts, sessions and batches) can change
# without a tool noticing.
TOOL_SURFACE = frozenset({
    "partyrules", "partyrules.api", "partyrules.errors", "partyrules.source", "partyrules.periods",
    "partyrules.citations", "partyrules.facts.model", "partyrules.facts.view", "partyrules.facts.load",
    "partyrules.facts.derive", "partyrules.facts.builtin", "partyrules.rulebook.load", "partyrules.rulebook.policy",
    "partyrules.rulebook.params", "partyrules.rulebook.schema", "partyrules.rulebook.expr",
    "partyrules.rulebook.kleene", "partyrules.rulebook.packs", "partyrules.engine.native",
    "partyrules.report.model", "partyrules.report.safe_text",
})

# Imports the rule allows although they break it: (importer, imported module, name). None today;
# an entry needs a reason beside it.
EXCEPTIONS: frozenset[tuple[str, str, str]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel.with_suffix(".py")).is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def floor_of(module: str) -> int:
    best, floor = -1, None
    for i, (_name, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            exact_only = prefix == "partyrules"      # the package itself, not everything below it
            if module == prefix or (not exact_only and module.startswith(prefix + ".")):
                if len(prefix) > best:
                    best, floor = len(prefix), i
    assert floor is not None, f"{module} is on no floor: add it to FLOORS"
    return floor


def imports(path: Path) -> list[tuple[str, str, int]]:
    """(module imported, name or "", line) for every import of a partyrules module in ``path``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> list[tuple[str, str, int]]:
    """The imports of a module of ``package``, at any depth of its tree.

    ``from partyrules.x import y`` where ``y`` is itself a module counts as importing that module.
    """
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == "partyrules"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "partyrules":
                continue
            for a in node.names:
                if is_module(f"{target}.{a.name}"):
                    out.append((f"{target}.{a.name}", "", node.lineno))
                else:
                    out.append((target, a.name, node.lineno))
    return out


def private_attributes(path: Path) -> list[tuple[str, str, int]]:
    """``mod._name`` where ``mod`` is a partyrules module bound by an import in ``path``."""
    bound: dict[str, str] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("partyrules") and a.asname:
                    bound[a.asname] = a.name
    for target, name, _line in imports(path):
        if not name and target != "partyrules":
            bound.setdefault(target.rpartition(".")[2], target)
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                and is_private(node.attr)):
            out.append((bound[node.value.id], node.attr, node.lineno))
    return out


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_on_a_floor():
    for path in SOURCES:
        floor_of(module_name(path))


def test_imports_point_down():
    wrong = []
    for path in SOURCES:
        me = module_name(path)
        for target, name, line in imports(path):
            if (me, target, name) in EXCEPTIONS:
                continue
            if floor_of(target) > floor_of(me):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {FLOORS[floor_of(me)][0]} module {me} "
                             f"imports {target} ({FLOORS[floor_of(target)][0]})")
    assert not wrong, "\n".join(wrong)


def test_tools_use_only_public_names():
    tools = next(i for i, (name, _p) in enumerate(FLOORS) if name == "tools")
    wrong = []
    for path in SOURCES:
        me = module_name(path)
        if floor_of(me) != tools:
            continue
        for target, name, line in imports(path):
            if floor_of(target) == tools or (me, target, name) in EXCEPTIONS:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if target not in TOOL_SURFACE:
                wrong.append(f"{where}: {me} imports {target}, not a public module (TOOL_SURFACE)")
            elif target == "partyrules" and name and name not in partyrules.__all__:
                wrong.append(f"{where}: {me} imports partyrules.{name}, not in partyrules.__all__")
    assert not wrong, "\n".join(wrong)


def test_no_private_name_crosses_a_module():
    wrong = []
    for path in SOURCES:
        me = module_name(path)
        found = [(t, n, line) for t, n, line in imports(path) if n and is_private(n)] + private_attributes(path)
        for target, name, line in found:
            if target != me and (me, target, name) not in EXCEPTIONS:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {me} uses {target}.{name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("source, expected", [
    ("from ..engine.native import NativeEngine", [("partyrules.engine.native", "NativeEngine")]),
    ("def f():\n    from ..api import check", [("partyrules.api", "check")]),
    ("from .. import counting", [("partyrules.counting", "")]),
    ("from .view import _private", [("partyrules.facts.view", "_private")]),
    ("import partyrules.facts.view as v", [("partyrules.facts.view", "")]),
    ("import json\nfrom typing import Any", []),
])
def test_the_reader_sees_every_kind_of_import(source, expected):
    # as a module of partyrules/facts/ would import
    assert [(t, n) for t, n, _line in imports_in(source, "partyrules.facts")] == expected


def test_a_lower_floor_importing_an_upper_one_is_caught():
    assert floor_of("partyrules.facts.derive") < floor_of("partyrules.rulebook.expr") < \
        floor_of("partyrules.report.model") < floor_of("partyrules.engine.native") < \
        floor_of("partyrules.report.render") < floor_of("partyrules.api") == floor_of("partyrules.session") < \
        floor_of("partyrules.tools.lint") < floor_of("partyrules.cli.check")
