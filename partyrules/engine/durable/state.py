"""Per-evaluation and per-session state: :class:`RuleState` (facts in, decisions out,
incrementally), :func:`evaluate_all` and the :class:`DurableEngine` backend.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable

from ...facts.view import View
from ...report.model import Result
from ...rulebook.policy import Policy
from ...errors import UsageError
from ..base import Engine
from ..native import BaseCache
from .compiler import Compiled
from .host import DurableHost, EngineFailure
from .inputs import SubjectInput, make_result, memo_derived, subject_inputs


# ============================================================================ the engine

class RuleState:
    """The durable side of one evaluation or session: facts in, decisions out, incrementally.

    ``update`` takes the (policy, subject) inputs of the whole document and
    touches durable only where something changed: the facts of a subject whose
    encoded atoms changed are retracted (with every fact the rules derived from
    them) and its new facts asserted; unchanged subjects keep their state.
    """

    def __init__(self, host: DurableHost, kind: str) -> None:
        self.host = host
        self.collector = host.open_state(kind)
        # key → (rulesets, compiled, ref, input, signature)
        self.current: dict[tuple, tuple[tuple, Compiled, str, SubjectInput, str]] = {}
        self._refs = itertools.count(1)
        self.changed = 0

    def update(self, batches: list[tuple[Compiled, tuple[str, ...], list[SubjectInput]]]) -> None:
        c = self.collector
        with self.host.lock:
            if c.closed:
                raise UsageError("this session is closed")
            self.host.close_pending()
            seen: set[tuple] = set()
            to_assert: dict[str, list[dict]] = {}
            for compiled, names, inputs in batches:
                for inp in inputs:
                    seen.add(inp.key)
                    old = self.current.get(inp.key)
                    sig = inp.signature
                    if old is not None and old[0] == names and old[4] == sig:
                        self.current[inp.key] = (names, compiled, old[2], inp, sig)
                        continue
                    if old is not None:
                        self._retract(old)
                    ref = f"{next(self._refs)}"
                    self.current[inp.key] = (names, compiled, ref, inp, sig)
                    for f in inp.facts:
                        to_assert.setdefault(names[compiled.group_of_fact(f)], []).append(dict(f, ref=ref))
                    self.changed += 1
            for key in [k for k in self.current if k not in seen]:
                self._retract(self.current.pop(key))
            c.assert_facts(to_assert)

    def _retract(self, old: tuple) -> None:
        names, compiled, ref, inp, _sig = old
        c = self.collector
        for rs, fact in reversed(c.forget(ref)):
            c.retract(rs, fact)
        for f in inp.facts:
            c.retract(names[compiled.group_of_fact(f)], dict(f, ref=ref, sid=c.sid))

    def decisions(self, key: tuple) -> tuple[tuple, dict]:
        _names, _compiled, ref, _inp, _sig = self.current[key]
        final = self.collector.finals.get(ref)
        if final is None:
            raise EngineFailure(f"durable decided nothing for {key}")
        return final, self.collector.values.get(ref, {})

    def close(self) -> None:
        self.host.close_state(self.collector)


def evaluate_all(host: DurableHost, rulebook: Any, policies: Iterable[Policy], view: View,
                 state: RuleState) -> list[Result]:
    """Bring ``state`` up to date with ``view`` and return one result per (policy, subject)."""
    derived = memo_derived(rulebook.derived)
    batches = []
    plan = []
    for policy in policies:
        compiled, names = host.ruleset_for(policy)
        inputs = subject_inputs(compiled, policy, rulebook, view, derived)
        batches.append((compiled, names, inputs))
        plan.append((policy, compiled, inputs))
    state.update(batches)
    results = []
    for policy, compiled, inputs in plan:
        bases = BaseCache(policy, rulebook.registry, view.as_of)
        for inp in inputs:
            final, values = state.decisions(inp.key)
            results.append(make_result(compiled, policy, inp, final, values, rulebook, view.as_of, view.names,
                                       view.records_from, bases))
    return results


class DurableEngine(Engine):
    """Policies as durable-rules rulesets (see the module docstring and docs/engines.md)."""

    name = "durable"

    def __init__(self) -> None:
        self.host = DurableHost.get()

    def evaluate(self, rulebook: Any, policies: Iterable[Policy], view: View) -> list[Result]:
        state = RuleState(self.host, "c")
        try:
            return evaluate_all(self.host, rulebook, list(policies), view, state)
        finally:
            state.close()
