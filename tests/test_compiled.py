"""Compiled expressions (rulebook/compiled.py) against the interpreter that explain traces (expr.interpret_node).

* every expression of every built-in policy (where, require, each unless, each
  evidence entry) on every subject of generated courts, with facts left out at
  random and random evaluation dates: the same value (same type, same missing
  facts and bounds) or the same error message;
* generated expressions of the whole language over values that include unknowns
  with and without bounds, null, numbers, text and lists: the same again, which
  covers the shapes the compiler specialises (literals on either side, chains,
  constant operands of and/or/not, conditionals, arithmetic) and every error path.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

import partyrules
from partyrules.engine.native import env_maker, subjects
from partyrules.facts.builtin import BUILTIN
from partyrules.facts.load import load_facts
from partyrules.facts.view import Unknown, View
from partyrules.rulebook.compiled import compile_tree
from partyrules.rulebook.expr import Env, EvalError, Located, compile_expr, evaluate, interpret
from partyrules.testing import fact_documents, with_omissions

BOOK = partyrules.load_rulebook()


def compiled(expr, env):
    """The compiled form (what evaluate runs)."""
    return evaluate(expr, env)


def outcome(run, expr, env):
    try:
        value = run(expr, env)
    except EvalError as exc:
        return ("error", str(exc))
    return ("value", type(value), value)


def expressions(policy):
    out = [("where", policy.where)] if policy.where is not None else []
    out.append(("require", policy.require))
    out += [(f"unless[{i}]", u.when) for i, u in enumerate(policy.unless)]
    out += [(f"evidence.{name}", e) for name, e in policy.evidence]
    return out


@st.composite
def documents_and_dates(draw):
    doc = draw(fact_documents())
    if draw(st.booleans()):
        doc, _removed = draw(with_omissions(doc))
    snap = dt.date.fromisoformat(doc["as_of"])
    return doc, snap - dt.timedelta(days=draw(st.integers(0, 3000)))


def subject_envs(raw, on, keep=lambda policy: True):
    """``(policy, subject, env, other env)`` for every subject of every built-in policy in force on ``on`` that
    ``keep`` accepts, on the document ``raw``; the two environments on separate views, so that each way of
    evaluating fills its own memo of derived facts."""
    doc = load_facts(raw)
    for policy in BOOK.applicable(on, include_unverified=True):
        subs = subjects(policy, View(doc, on))
        if not keep(policy) or isinstance(subs, tuple):
            continue
        one, other = (env_maker(BOOK, policy, View(doc, on), BOOK.derived) for _ in range(2))
        for entity, subject in subs:
            yield policy, subject, one(entity), other(entity)


@given(documents_and_dates())
def test_every_builtin_expression_compiles_to_what_the_interpreter_gives(case):
    raw, on = case
    compared = 0
    for policy, subject, a, b in subject_envs(raw, on):
        for where, expr in expressions(policy):
            assert expr.fn is not None
            assert outcome(compiled, expr, a) == outcome(interpret, expr, b), (policy.id, subject.id, where)
            compared += 1
        if policy.evidence_all is not None:
            same_as_each_entry(policy, a)
    assert compared or not BOOK.applicable(on)


def same_as_each_entry(policy, env):
    """All the evidence in one call (what the native engine runs) gives each entry's value, or the error of
    the first entry that fails."""
    each = [outcome(compiled, e, env) for _name, e in policy.evidence]
    together = outcome(compiled, policy.evidence_all, env)
    failed = [o for o in each if o[0] == "error"]
    if failed:
        assert together == failed[0], policy.id
    else:
        assert together[0] == "value" and len(together[2]) == len(each), policy.id
        assert [(type(v), v) for v in together[2]] == [(o[1], o[2]) for o in each], policy.id


def test_a_derived_fact_asked_again_at_the_top_level_is_computed_once():
    """compiled.py reuses a top-level call's value for an equal call later in the function (the language has
    no effects); a call inside a branch is reused by a later equal call when the branch ran, and made there
    when it did not."""
    text = "[months_after(a, 2), b and months_after(a, 3) == a, months_after(a, 2), months_after(a, 3)]"
    expr = compile_expr(text, Located("t.yaml"), {"a": "value", "b": "value"}, BUILTIN, {})
    source = expr.fn.source
    assert source.count("(env, ") == 3, source     # 2 at the top, 3 in the branch, 3 again at the top
    local = source.split("(env, ")[1].rsplit("\n", 1)[-1].split("=")[0].strip()     # what the branch's call sets
    assert f"{local} = _M" in source and f"if {local} is _M:" in source, source
    for bound in ({"a": dt.date(2024, 1, 31), "b": True}, {"a": dt.date(2024, 1, 31), "b": False},
                  {"a": Unknown.of("x.p"), "b": Unknown.of("y.q")}, {"a": None, "b": True}):
        env = Env(View(DOC, DOC.as_of), dict(bound), lambda *a: None, BUILTIN)
        assert outcome(compiled, expr, env) == outcome(interpret, expr, env), bound


def test_each_policy_keeps_its_evidence_as_one_tuple_expression_in_order():
    for policy in BOOK.policies:
        if not policy.evidence:
            assert policy.evidence_all is None
            continue
        tree = policy.evidence_all.tree.body
        assert [type(e) for e in tree.elts] == [type(e.tree.body) for _n, e in policy.evidence], policy.id
        import ast
        assert [ast.dump(e) for e in tree.elts] == [ast.dump(e.tree.body) for _n, e in policy.evidence], policy.id


# ---------------------------------------------------------------------------- the whole language

NAMES = ("a", "b", "c")
unknowns = st.builds(
    Unknown, st.frozensets(st.sampled_from(["x.p", "y.q", "z.r"]), max_size=2),
    st.one_of(st.none(), st.integers(0, 4)), st.one_of(st.none(), st.integers(2, 7)))
plain = st.one_of(st.booleans(), st.none(), st.integers(-3, 9), st.sampled_from([0.5, 2.0, "branch", "x", ""]),
                  st.sampled_from([dt.date(2023, 5, 6), dt.date(2024, 6, 30)]),
                  st.sampled_from([1e308, -1e308, 2 ** 999, 1e-320]))      # sums and products that overflow
values = st.one_of(plain, unknowns, st.lists(st.one_of(plain, unknowns), max_size=3).map(tuple))


def literal(draw) -> str:
    return draw(st.sampled_from(["True", "False", "None", "0", "1", "3", "-2", "2.5", "'branch'", "'x'",
                                 "(1, 2)", "['branch', 'x']", "[]", "1e308", "1e999"]))


@st.composite
def texts(draw, depth=0):
    leaf = depth >= 3 or draw(st.integers(0, 3)) == 0
    if leaf:
        return draw(st.sampled_from(NAMES)) if draw(st.booleans()) else literal(draw)
    sub = lambda: draw(texts(depth + 1))     # noqa: E731
    shape = draw(st.sampled_from(["and", "or", "not", "cmp", "chain", "arith", "if", "neg", "call", "list"]))
    if shape in ("and", "or"):
        return "(" + f" {shape} ".join(sub() for _ in range(draw(st.integers(2, 4)))) + ")"
    if shape == "not":
        return f"(not {sub()})"
    ops = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]
    if shape == "cmp":
        return f"({sub()} {draw(st.sampled_from(ops))} {sub()})"
    if shape == "chain":
        return f"({sub()} {draw(st.sampled_from(ops[:6]))} {sub()} {draw(st.sampled_from(ops[:6]))} {sub()})"
    if shape == "arith":
        return f"({sub()} {draw(st.sampled_from(['+', '-', '*', '/']))} {sub()})"
    if shape == "if":
        return f"({sub()} if {sub()} else {sub()})"
    if shape == "neg":
        return f"(-{sub()})"
    if shape == "call":
        fn = draw(st.sampled_from(["len", "min", "max", "abs"]))
        return f"{fn}({', '.join(sub() for _ in range(draw(st.integers(1, 2))))})"
    return "[" + ", ".join(sub() for _ in range(draw(st.integers(0, 3)))) + "]"


DOC = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30"})


@given(texts(), st.fixed_dictionaries({n: values for n in NAMES}))
def test_generated_expressions_compile_to_what_the_interpreter_gives(text, bound):
    expr = compile_expr(text, Located("t.yaml"), {n: "value" for n in NAMES}, BUILTIN, {})
    assert hasattr(expr.fn, "source")         # compiled, not the interpreter's fallback
    env = Env(View(DOC, DOC.as_of), bound, lambda *a: None, BUILTIN)
    assert outcome(compiled, expr, env) == outcome(interpret, expr, env), expr.fn.source


def test_an_expression_too_deep_for_python_is_interpreted():
    text = " and ".join(f"a == {i}" for i in range(120))       # nests 120 blocks in the generated code
    expr = compile_expr(text, Located("t.yaml"), {"a": "value"}, BUILTIN, {})
    assert compile_tree(expr.tree) is None
    env = Env(View(DOC, DOC.as_of), {"a": 0}, lambda *a: None, BUILTIN)
    assert compiled(expr, env) is False
    assert compiled(expr, Env(View(DOC, DOC.as_of), {"a": Unknown.of("x.p")}, lambda *a: None, BUILTIN)) \
        == Unknown.of("x.p")


def test_the_compiled_form_is_made_once_and_kept_with_the_policy():
    policy = BOOK.find("organs.branch.committee-required")[0]
    assert policy.require.fn is policy.require.fn
    assert "_expr" in policy.require.fn.__name__


def test_every_expression_is_compiled_when_the_rulebook_is_loaded_each_text_once():
    from partyrules.rulebook.load import _expressions
    fns = {}
    for policy in BOOK.policies:
        for expr in _expressions(policy):
            fn = object.__getattribute__(expr, "fn")      # set by the loader: no compiling on first read
            assert hasattr(fn, "source"), (policy.id, expr.text)
            assert fns.setdefault(expr.text, fn) is fn, (policy.id, expr.text)


def test_a_policy_with_compiled_expressions_still_pickles():
    import pickle
    policy = BOOK.find("organs.branch.committee-required")[0]
    policy.require.fn
    copy = pickle.loads(pickle.dumps(policy))
    assert copy == policy and copy.require.text == policy.require.text
    assert copy.require.fn is not policy.require.fn and callable(copy.require.fn)


def test_all_the_evidence_at_once_fails_where_the_first_failing_entry_fails():
    from partyrules.rulebook.policy import evidence_tuple

    def expr(text):
        return compile_expr(text, Located("t.yaml"), {"a": "value"}, BUILTIN, {})

    evidence = (("plus", expr("a + 1")), ("size", expr("len(a)")), ("ratio", expr("a / 0")))
    together = evidence_tuple(evidence)
    for a in (3, "x", (1, 2), Unknown.of("x.p")):
        env = Env(View(DOC, DOC.as_of), {"a": a}, lambda *a: None, BUILTIN)
        each = [outcome(compiled, e, env) for _n, e in evidence]
        failed = [o for o in each if o[0] == "error"]
        got = outcome(compiled, together, env)
        assert got == failed[0] if failed else got == ("value", tuple, tuple(o[2] for o in each)), (a, got, each)
