"""A pytest plugin: a court's scenario tests and its pack's policy examples run with plain ``pytest``.

Installed partyrules registers it (entry point ``pytest11``, name ``partyrules``).
It collects:

* every file named ``*.partyrules.yaml`` (or ``.yml``) that pytest visits: one
  item per scenario (:mod:`partyrules.tools.scenarios`);
* for each pack directory listed in the ini option ``partyrules_packs``: the
  scenario files of its ``tests/`` folder and one item per example of each of
  its policy files. When pytest is run without paths, the packs are added to the
  paths it collects, so that configuring them is enough.

Nothing else is collected: without ``*.partyrules.yaml`` files and without
``partyrules_packs``, the plugin does nothing. Configuration::

    # pytest.ini (or [tool.pytest.ini_options] in pyproject.toml)
    [pytest]
    partyrules_packs = policies/qinghe-court      # paths, relative to the ini file
    partyrules_builtin = true                     # also load the built-in rulebook (default)
    partyrules_installed_packs = false            # also load packs registered by installed packages

Scenarios run against the built-in rulebook (unless ``partyrules_builtin = false``)
plus the configured packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SCENARIO_SUFFIXES = (".partyrules.yaml", ".partyrules.yml")
_STATE = pytest.StashKey["_State"]()


class _State:
    def __init__(self, packs: list[Path], builtin: bool, installed: bool) -> None:
        self.packs = packs
        self.builtin = builtin
        self.installed = installed
        self._book: Any = None
        self._error: BaseException | None = None

    def rulebook(self) -> Any:
        from ..rulebook.load import load_rulebook

        if self._book is None and self._error is None:
            try:
                self._book = load_rulebook(self.packs, builtin=self.builtin, entry_points=self.installed)
            except Exception as exc:   # a PolicyError, or anything a pack's derived.py raises
                self._error = exc
        if self._error is not None:
            raise RulebookError(str(self._error))
        return self._book


class RulebookError(Exception):
    """The rulebook (built-in plus packs) could not be loaded."""


class ScenarioFailed(Exception):
    def __init__(self, run: Any) -> None:
        super().__init__(run.scenario.name)
        self.run = run


class ExampleFailed(Exception):
    pass


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("partyrules_packs", type="paths", default=[],
                  help="partyrules: pack directories whose tests/ scenarios and policy examples are collected")
    parser.addini("partyrules_builtin", type="bool", default=True,
                  help="partyrules: check scenarios with the built-in rulebook too (default true)")
    parser.addini("partyrules_installed_packs", type="bool", default=False,
                  help="partyrules: also load the packs installed packages register (default false)")


def pytest_configure(config: pytest.Config) -> None:
    packs = [Path(p).resolve() for p in config.getini("partyrules_packs")]
    for p in packs:
        if not p.is_dir():
            raise pytest.UsageError(f"partyrules_packs: {p} is not a directory")
    config.stash[_STATE] = _State(packs, bool(config.getini("partyrules_builtin")),
                                  bool(config.getini("partyrules_installed_packs")))
    if packs and config.args_source != pytest.Config.ArgsSource.ARGS:
        roots = [Path(a).resolve() for a in config.args]
        for p in packs:
            if not any(p == r or r in p.parents for r in roots):
                config.args.append(str(p))


def _pack_part(config: pytest.Config, file_path: Path) -> tuple[str, ...] | None:
    state = config.stash.get(_STATE, None)
    if state is None or not state.packs:
        return None
    resolved = file_path.resolve()
    for pack in state.packs:
        try:
            return resolved.relative_to(pack).parts
        except ValueError:
            continue
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    name = file_path.name
    if name.endswith(SCENARIO_SUFFIXES):
        return ScenarioFile.from_parent(parent, path=file_path)
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    parts = _pack_part(parent.config, file_path)
    if not parts or any(p.startswith(("_", ".")) for p in parts):
        return None
    if parts[0] == "tests":
        return ScenarioFile.from_parent(parent, path=file_path, in_directory=True)
    if len(parts) == 3 and parts[0] not in ("parameters", "packs"):
        return PolicyFile.from_parent(parent, path=file_path)
    return None


def _state(node: pytest.Node) -> _State:
    return node.config.stash[_STATE]


def _node_name(text: str) -> str:
    return text.replace("::", ": ").replace("\n", " ")


class ScenarioFile(pytest.File):
    """A scenario file: one item per scenario."""

    def __init__(self, *args: Any, in_directory: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_directory = in_directory

    def collect(self):
        from ..errors import PartyrulesError
        from .scenarios import load_scenario_file

        try:
            scenarios = load_scenario_file(self.path, in_directory=self.in_directory)
        except PartyrulesError as exc:
            raise self.CollectError(str(exc)) from None
        for s in scenarios:
            yield ScenarioItem.from_parent(self, name=_node_name(s.name), scenario=s)


class ScenarioItem(pytest.Item):
    def __init__(self, *args: Any, scenario: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from .scenarios import run_scenario

        run = run_scenario(_state(self).rulebook(), self.scenario)
        if not run.ok:
            raise ScenarioFailed(run)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            run = excinfo.value.run
            return "\n".join([f"scenario {run.scenario.name!r} ({run.scenario.where}) failed:", *run.diff()])
        if isinstance(excinfo.value, RulebookError):
            return f"partyrules could not load the rulebook: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = (self.scenario.line - 1) if self.scenario.line else None
        return self.path, line, f"scenario: {self.scenario.name}"


class PolicyFile(pytest.File):
    """A policy file of a configured pack: one item per example of its policies."""

    def collect(self):
        from .examples import run_example  # noqa: F401  (fail early if missing)

        try:
            book = _state(self).rulebook()
        except RulebookError as exc:
            raise self.CollectError(f"partyrules could not load the rulebook: {exc}") from None
        me = self.path.resolve()
        for policy in book.policies:
            if Path(policy.source).resolve() != me:
                continue
            for example in policy.examples:
                yield ExampleItem.from_parent(self, name=_node_name(f"{policy.id}@{policy.edition}: {example.name}"),
                                              policy=policy, example=example)


class ExampleItem(pytest.Item):
    def __init__(self, *args: Any, policy: Any, example: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.example = example

    def runtest(self) -> None:
        from .examples import run_example

        run = run_example(_state(self).rulebook(), self.policy, self.example)
        if not run.ok:
            raise ExampleFailed(f"{self.policy.source}:{self.example.line}: {self.policy.id}@{self.policy.edition}: "
                                f"{self.example.name}: {run.detail}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (ExampleFailed, RulebookError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.example.line - 1) if self.example.line else None, f"example: {self.name}"
