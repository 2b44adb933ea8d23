"""Calls of derived facts (rulebook/kleene.py): the compiled call sites (``derived_caller``) and the
interpreter's ``call_derived`` compute each fact once per view and arguments, and tell arguments apart the
same way: a record by identity, any other value by type and value (1, True and 1.0 are different
arguments), a fact that depends on the policy's edition by its ``since`` too; a null argument where the
fact allows none is the same error either way."""

from __future__ import annotations

import ast
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partyrules.facts.derive import Derived
from partyrules.facts.load import load_facts
from partyrules.facts.view import View
from partyrules.rulebook import kleene
from partyrules.rulebook.compiled import compile_tree
from partyrules.rulebook.expr import Env, EvalError

DOC = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u", "name": "Unit"},
                  "organizations": [{"id": "b1", "kind": "branch"}, {"id": "b2", "kind": "branch"}],
                  "members": [{"id": "m1", "org": "b1", "status": "full"},
                              {"id": "m2", "org": "b1", "status": "full"}]})
M1, M2 = DOC.members
B1, B2 = DOC.organizations


def recording(calls: list) -> dict[str, Derived]:
    """Derived facts that record every real computation (a memo hit records nothing)."""
    def one(view: Any, a: Any) -> Any:
        calls.append(("one", a))
        return ("one", type(a).__name__, a if not hasattr(a, "id") else a.id)

    def two(view: Any, a: Any, b: Any, *, since: Any = None) -> Any:
        calls.append(("two", a, b, since))
        return ("two", since, type(b).__name__, b)

    def three(view: Any, a: Any, b: Any, c: Any) -> Any:
        calls.append(("three", a, b, c))
        return ("three", type(c).__name__, c)

    return {"one": Derived("one", one, ("str?",), ""),
            "two": Derived("two", two, ("member", "int"), "", needs_since=True),
            "three": Derived("three", three, ("member", "int", "str?"), "")}


def env_for(view: View, derived: dict, since: Any = None) -> Env:
    return Env(view, {}, lambda *a: None, derived, since)


ARGS = st.sampled_from([M1, M2, B1, B2, 1, True, 1.0, 0, False, 0.0, "1", "", None, dt.date(2024, 1, 1),
                        (1, 2), (True, 2), (), "b1"])
SINCES = st.sampled_from([None, dt.date(2023, 1, 1), dt.date(2024, 1, 1)])


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("value", fn(*args))
    except EvalError as exc:
        return ("error", str(exc))


@given(st.lists(st.tuples(st.sampled_from(["one", "two", "three"]), st.lists(ARGS, min_size=3, max_size=3),
                          SINCES, st.booleans()), max_size=25))
def test_call_sites_and_the_interpreter_memoise_alike(calls):
    """A sequence of calls, each made by a compiled call site or by the interpreter's helper on one view:
    the values are what a fresh computation gives, and a fact is computed again only for arguments
    (or a since, where it depends on one) it has not seen on this view."""
    computed: list = []
    derived = recording(computed)
    view = View(DOC, dt.date(2024, 6, 30))
    arity = {"one": 1, "two": 2, "three": 3}
    callers = {name: kleene.derived_caller(name, n) for name, n in arity.items()}
    seen: set = set()
    for name, args, since, compiled in calls:
        args = tuple(args[:arity[name]])
        env = env_for(view, derived, since)
        before = len(computed)
        got = (outcome(callers[name], env, *args) if compiled
               else outcome(kleene.call_derived, env, name, args))
        fresh_log: list = []
        expected = outcome(kleene.call_derived, env_for(View(DOC, view.as_of), recording(fresh_log), since),
                           name, args)
        assert got == expected
        if got[0] == "error":
            assert len(computed) == before
            continue
        identity = (name, since if name == "two" else None,
                    tuple(id(a) if hasattr(a, "id") else (type(a), a) for a in args))
        assert len(computed) - before == (0 if identity in seen else 1)
        seen.add(identity)


@pytest.mark.parametrize("compiled", [True, False])
def test_equal_numbers_of_different_types_are_different_arguments(compiled):
    computed: list = []
    env = env_for(View(DOC, dt.date(2024, 6, 30)), recording(computed))
    call = (kleene.derived_caller("one", 1) if compiled else
            lambda env, a: kleene.call_derived(env, "one", (a,)))
    values = [call(env, a) for a in (1, True, 1.0, 1, True, 1.0)]
    assert values[:3] == [("one", "int", 1), ("one", "bool", True), ("one", "float", 1.0)]
    assert values[3:] == values[:3] and len(computed) == 3


@pytest.mark.parametrize("compiled", [True, False])
def test_two_equal_records_are_different_arguments(compiled):
    computed: list = []
    env = env_for(View(DOC, dt.date(2024, 6, 30)), recording(computed))
    call = kleene.derived_caller("two", 2) if compiled else lambda env, a, b: kleene.call_derived(env, "two", (a, b))
    call(env, M1, 3)
    call(env, M2, 3)
    call(env, M1, 3)
    assert [c[1].id for c in computed] == ["m1", "m2"]


@pytest.mark.parametrize("compiled", [True, False])
def test_a_null_argument_is_the_error_where_the_kind_allows_none(compiled):
    env = env_for(View(DOC, dt.date(2024, 6, 30)), recording([]))
    two = kleene.derived_caller("two", 2) if compiled else lambda env, a, b: kleene.call_derived(env, "two", (a, b))
    with pytest.raises(EvalError, match=r"^two\(\) got null for its member argument$"):
        two(env, None, 3)
    with pytest.raises(EvalError, match=r"^two\(\) got null for its int argument$"):
        two(env, M1, None)
    three = (kleene.derived_caller("three", 3) if compiled
             else lambda env, *a: kleene.call_derived(env, "three", a))
    assert three(env, M1, 2, None) == ("three", "NoneType", None)      # str? allows null
    with pytest.raises(EvalError, match=r"^three\(\) got null for its int argument$"):
        three(env, M1, None, None)


def test_compiled_expressions_call_derived_facts_through_their_call_site():
    computed: list = []
    derived = recording(computed)
    view = View(DOC, dt.date(2024, 6, 30))
    fn = compile_tree(ast.parse("two(m, 3) == two(m, 3) and one(x) == one(x)", mode="eval"))
    env = Env(view, {"m": M1, "x": 1}, lambda *a: None, derived, dt.date(2024, 1, 1))
    assert fn(env) is True
    assert len(computed) == 2
    assert "'two'" not in fn.source and "'one'" not in fn.source     # through callers bound at compile time
