"""durable-rules' process-wide state: one private host, its rulesets and states behind one lock,
and the :class:`Collector` that runs one state's actions itself.

``durable`` is imported lazily (inside :class:`DurableHost`), so that this package,
and ``partyrules``, import on Python versions where durable-rules does not load.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any, Mapping

from ...rulebook.policy import Policy
from ...errors import UsageError
from .compiler import Compiled, compile_policy, signature
from .values import dumps


MAX_OPEN_STATES = 1000           # durable allows 1,024 live sids per ruleset


def fnv1_32(text: str) -> int:
    """durable-rules' hash of a fact's ``id`` (its C core's fnv1Hash32 over the UTF-8 bytes, as signed chars)."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ (byte if byte < 128 else byte - 256 & 0xFFFFFFFF)) * 0x01000193) & 0xFFFFFFFF
    return h


def durable_available() -> tuple[bool, str]:
    """Whether durable-rules can be imported here, and why not."""
    try:
        import durable.engine  # noqa: F401
        import durable.lang  # noqa: F401
    except Exception as exc:  # ImportError, or the C extension's undefined symbol on 3.13
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""



# ============================================================================ the host

class EngineFailure(RuntimeError):
    """durable-rules did something the adapter does not expect (a bug, never a user error)."""


class DurableHost:
    """All of durable-rules' process-wide state, behind one lock.

    * one private ``durable.engine.Host`` whose timer threads are never started,
      so no action ever runs on a background thread;
    * rulesets registered once per compiled policy (durable cannot unregister
      them) under unique names, and reused by every evaluation and session;
    * a state (``sid``) per evaluation or session, deleted only after all of
      its pending actions have run; at most ``MAX_OPEN_STATES`` live at once;
    * actions are run by :class:`Collector` itself with durable's low-level
      calls (start an action, handle it, complete it and start the next), not
      by durable's Python action layer: nothing is left pending, an unhandled
      fact cannot strand actions, and no per-action state is serialised;
    * a re-entrant lock held around every call into durable: durable's C core
      holds the GIL anyway, so serialising costs nothing and keeps the per-sid
      result collectors consistent.
    """

    _instance: "DurableHost | None" = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        ok, why = durable_available()
        if not ok:
            raise UsageError(durable_unavailable_message(why))
        import durable_rules_engine
        from durable import engine as durable_engine

        class _QuietHost(durable_engine.Host):
            def _run(self) -> None:        # no dispatch/timer threads: we run actions ourselves
                pass

        self.core = durable_rules_engine
        self.host = _QuietHost()
        self.lock = threading.RLock()
        self._compiled: dict[str, tuple[Compiled, tuple[str, ...]]] = {}
        self._signatures: dict[int, tuple[Policy, str]] = {}
        self.actions: dict[str, dict[str, tuple]] = {}     # ruleset → rule → (spec, compiled, names)
        self.handles: dict[str, int] = {}                  # ruleset → durable's ruleset handle
        self._names = itertools.count(1)
        self._sids = itertools.count(1)
        self.open_states = 0
        self.leaked_states = 0
        self._pending_close: list["Collector"] = []

    @classmethod
    def get(cls) -> "DurableHost":
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = DurableHost()
            return cls._instance

    # ---- rulesets
    def ruleset_for(self, policy: Policy) -> tuple[Compiled, tuple[str, ...]]:
        """The compiled policy and the names of its rulesets (registered on first use, then reused)."""
        with self.lock:
            known = self._signatures.get(id(policy))
            if known is None or known[0] is not policy:
                known = self._signatures[id(policy)] = (policy, signature(policy))   # the policy stays alive
            sig = known[1]
            hit = self._compiled.get(sig)
            if hit is not None:
                return hit
            compiled = compile_policy(policy)
            serial = next(self._names)
            names = tuple(f"partyrules-{serial}-{sig}-{g}" for g in range(len(compiled.groups)))
            for g, name in enumerate(names):
                definition = compiled.ruleset(g, lambda spec: never_called)
                actions = {r.name: (r.action, compiled, names) for f in compiled.groups[g] for r in f.rules}
                actions["hello"] = (("hello",), compiled, names)
                actions.update({rule: (("never",), compiled, names) for rule in definition if rule not in actions})
                self.actions[name] = actions
                self.host.register_rulesets({name: definition})   # durable mutates what it gets: a fresh dict
                self.handles[name] = self.host.get_ruleset(name)._handle
            self._compiled[sig] = (compiled, names)
            return compiled, names

    @property
    def ruleset_count(self) -> int:
        return sum(len(names) for _, names in self._compiled.values())

    # ---- states
    def schedule_close(self, collector: "Collector") -> None:
        """Close ``collector`` at the next safe point (called by finalizers: never touches durable)."""
        self._pending_close.append(collector)

    def close_pending(self) -> None:
        with self.lock:
            while self._pending_close:
                self.close_state(self._pending_close.pop())

    def open_state(self, kind: str) -> "Collector":
        with self.lock:
            self.close_pending()
            if self.open_states >= MAX_OPEN_STATES:
                raise UsageError(f"too many open durable sessions ({MAX_OPEN_STATES}): close some first "
                                 "(durable-rules keeps at most 1,024 live states per ruleset)")
            collector = Collector(self, f"{kind}{next(self._sids)}")
            self.open_states += 1
            return collector

    def close_state(self, collector: "Collector") -> None:
        with self.lock:
            if collector.closed:
                return
            try:
                for name, handle in list(collector.handles.items()):
                    collector.drain(name, handle)          # every pending action runs before the delete
                    if name in collector.greeted:          # else its action context is garbage: leak it
                        self.core.delete_state(self.handles[name], collector.sid)
                    else:                                  # pragma: no cover - greeting never fails
                        self.leaked_states += 1
            finally:
                collector.closed = True
                self.open_states -= 1


def never_called(c: Any) -> None:  # pragma: no cover - the Collector runs actions itself
    raise EngineFailure("durable ran an action on its own")


def durable_unavailable_message(why: str) -> str:
    """One line: why the durable engine cannot run here, and what to do about it."""
    import sys
    version = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    if why.startswith("ModuleNotFoundError") and sys.version_info < (3, 13):
        return ('the durable engine needs the durable extra, which is not installed: pip install '
                f'"partyrules[durable]" (it compiles durable-rules, so it needs a C compiler; {version} is fine). '
                "Or use --engine native.")
    return (f"the durable engine needs durable-rules, which cannot be used on {version} here ({why}); "
            "durable-rules 2.0.28 loads on Python 3.11 and 3.12 only. Use --engine native.")


class Collector:
    """One durable state (sid): the facts asserted into it and what its rules decided."""

    def __init__(self, host: DurableHost, sid: str) -> None:
        self.host = host
        self.sid = sid
        self.closed = False
        self.handles: dict[str, int] = {}                # ruleset name → durable state handle
        self.values: dict[str, dict[int, tuple]] = {}    # ref → node → (value, detail, children)
        self.finals: dict[str, tuple] = {}               # ref → (outcome, source)
        self.derived: dict[str, list[tuple[str, dict]]] = {}   # ref → facts the rules derived
        self.asserted: set[tuple] = set()                # every fact now in durable (never twice)
        # durable keeps a state's facts by a 32-bit hash of their id and refuses a second fact whose id hashes
        # alike ("already asserted"): each fact gets an id whose hash no other fact of this state has
        self.ids: dict[tuple, str] = {}                   # key of a fact now in durable -> its id
        self.id_hashes: set[int] = set()
        self.failures: list[BaseException] = []
        self.outbox: dict[str, list[dict]] = {}          # facts for other rulesets, asserted after a batch
        self.greeted: set[str] = set()                   # rulesets whose state ran its first action
        self.actions_run = 0

    # ---- what the rules do
    def act(self, name: str, handle: int, spec: tuple, frames: dict, compiled: Compiled,
            names: tuple[str, ...]) -> None:
        kind = spec[0]
        ref = next(iter(frames.values())).get("ref")
        if kind == "val":
            _, node, value, *detail = spec
            if node is None:
                node = frames["m"]["n"]
            children = {alias: frames[alias]["v"] for alias in frames if alias in ("x", "y")}
            values = self.values.setdefault(ref, {})
            if node in values:
                raise EngineFailure(f"node {node} of {ref} got two values")
            values[node] = (value, tuple(detail), children)
            self._produce(name, handle, {"t": "v", "ref": ref, "n": node, "v": value}, compiled, names)
        elif kind == "stage":
            _, stage, unknown = spec
            self._produce(name, handle, {"t": "d", "ref": ref, "st": stage, "u": unknown}, compiled, names)
        elif kind == "pre":
            _, outcome, exception = spec
            fact = {"t": "o", "ref": ref, "o": outcome}
            if exception is not None:
                fact["x"] = exception
            self._produce(name, handle, fact, compiled, names)
        elif kind == "final":
            _, outcome, source = spec
            if outcome == "pre":
                pre = frames["o"]
                outcome, source = pre["o"], pre.get("x")
            if ref in self.finals:
                raise EngineFailure(f"{ref} got two outcomes")
            self.finals[ref] = (outcome, source)
        elif kind == "hello":
            self.greeted.add(name)
        else:
            raise EngineFailure(f"a never-firing rule fired: {spec}")

    def _produce(self, name: str, handle: int, fact: dict, compiled: Compiled, names: tuple[str, ...]) -> None:
        """A fact a rule derived: chained now if its consumers share this ruleset, else after the batch."""
        fact["sid"] = self.sid
        target = names[compiled.group_of_fact(fact)]
        self._remember(fact)
        self.derived.setdefault(fact["ref"], []).append((target, fact))
        if target == name:
            code, _ = self.host.core.assert_fact(self.host.handles[name], fact_json(fact))
            if code != 0:
                raise EngineFailure(f"durable-rules refused a derived fact (code {code}): {fact}")
        else:
            self.outbox.setdefault(target, []).append(fact)

    @staticmethod
    def _key(fact: Mapping[str, Any]) -> tuple:
        return (fact["ref"], fact["t"], fact.get("n"), fact.get("st"))

    def _remember(self, fact: dict) -> None:
        key = self._key(fact)
        if key in self.asserted:
            raise EngineFailure(f"the same fact would be asserted twice: {fact}")
        self.asserted.add(key)
        fact["id"] = self._new_id(".".join("" if part is None else str(part) for part in key))
        self.ids[key] = fact["id"]

    def _new_id(self, base: str) -> str:
        """``base``, or ``base~N`` for the first N that makes its hash new in this state."""
        text, salt = base, 0
        digest = fnv1_32(text)
        while digest in self.id_hashes:
            salt += 1
            text = f"{base}~{salt}"
            digest = fnv1_32(text)
        self.id_hashes.add(digest)
        return text

    # ---- called by the engine (under the host lock)
    def assert_facts(self, batches: Mapping[str, list[dict]]) -> None:
        """Assert each ruleset's facts in one batch and run every action, then hand over what the
        actions produced for other rulesets, until nothing is left."""
        for facts in batches.values():
            for f in facts:
                f["sid"] = self.sid
                self._remember(f)
        pending = {name: facts for name, facts in batches.items() if facts}
        for _ in range(10_000):
            if not pending:
                return
            for name, facts in pending.items():
                if name not in self.handles:      # a new state in this ruleset: greet it first
                    facts = [{"t": "hello", "sid": self.sid, "id": self._new_id(f"hello.{name}")}] + facts
                self._call(name, "assert_facts", facts)
                if name not in self.greeted:
                    raise EngineFailure(f"the state {self.sid} of {name} was not initialised")
            pending, self.outbox = self.outbox, {}
        raise EngineFailure("facts kept flowing between rulesets")

    def retract(self, name: str, fact: dict) -> None:
        key = self._key(fact)
        fact = dict(fact, id=self.ids[key])        # durable finds the fact by its id
        self._call(name, "retract_fact", fact)
        self.asserted.discard(key)
        del self.ids[key]
        self.id_hashes.discard(fnv1_32(fact["id"]))

    def forget(self, ref: str) -> list[tuple[str, dict]]:
        """Drop what was recorded for ``ref``; returns the facts the rules derived for it."""
        self.values.pop(ref, None)
        self.finals.pop(ref, None)
        return self.derived.pop(ref, [])

    def _call(self, name: str, what: str, payload: Any) -> None:
        """durable's low-level call, then every action it caused, even when it reports a problem.

        (``Host.assert_facts`` raises on an unhandled fact *before* running the
        actions the other facts caused; durable's timer thread would run them
        later. Here they run now, and the problem is raised afterwards.)
        """
        ruleset = self.host.handles[name]
        code, handle = getattr(self.host.core, what)(ruleset, fact_json(payload))
        if code != 3:                   # 3: nothing to do, and no state handle
            self.handles[name] = handle
            self._run(name, handle)
        if code not in (0, 3):
            kind = {1: "matched no rule", 2: "was already asserted"}.get(code, f"failed with code {code}")
            raise EngineFailure(f"durable-rules: a fact {kind}: {payload!r}"[:2000])
        if self.failures:
            exc = self.failures[0]
            self.failures.clear()
            raise exc

    def _run(self, name: str, handle: int) -> None:
        """Run the state's pending actions: start one, handle it, complete it and start the next."""
        core, ruleset = self.host.core, self.host.handles[name]
        specs = self.host.actions[name]
        result = core.start_action_for_state(ruleset, handle)
        messages = result[1] if result else None
        while messages:
            (rule, frames), = json.loads(messages).items()
            try:
                spec, compiled, names = specs[rule]
                self.act(name, handle, spec, frames, compiled, names)
            except BaseException as exc:          # finish the loop first: nothing may stay pending
                self.failures.append(exc)
            self.actions_run += 1
            messages = core.complete_and_start_action(ruleset, handle)
            self.greeted.add(name)            # a completed action initialised the state's action context

    def drain(self, name: str, handle: int) -> None:
        """Run anything still pending for this state (there never is: checked before a delete)."""
        self._run(name, handle)


def fact_json(payload: Any) -> str:
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return dumps(payload)             # numbers that need care (see encode_operand)
