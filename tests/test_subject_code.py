"""A policy's subject code (rulebook/compiled.compile_subject: where, require and the evidence compiled as one
function, what the native engine runs per subject) decides as the three asked one after the other do.

* every built-in policy without exceptions, on every subject of generated courts (facts left out at random,
  random evaluation dates): the same outcome, missing facts, notes and evidence values, or the same error;
* generated where, require and evidence of the whole language over values that include unknowns, null,
  numbers, text and lists (so where and require that are neither true nor false, and expressions that
  fail): the same again, error messages word for word;
* a subject code too deep for Python's compiler is None, and the engine then asks the three one by one.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from test_compiled import BOOK, DOC, NAMES, documents_and_dates, subject_envs, texts, values

from partyrules.engine.native import NativeEngine
from partyrules.facts.builtin import BUILTIN
from partyrules.facts.load import load_facts
from partyrules.facts.view import View
from partyrules.rulebook.compiled import NOT_APPLICABLE
from partyrules.rulebook.expr import FAILURES, Env, EvalError, Located, SubjectCode, compile_expr, failure
from partyrules.rulebook.kleene import decide, decided
from partyrules.rulebook.policy import Policy, evidence_tuple


def typed(values):
    return None if values is None else tuple((type(v), v) for v in values)


def one_by_one(policy, env):
    """What the engine asks without subject code: the decision, then the evidence unless not applicable."""
    try:
        try:
            outcome, missing, notes = decide(policy, None, env)
            values = None if outcome == "not_applicable" else \
                policy.evidence_all.fn(env) if policy.evidence_all is not None else ()
        except FAILURES as exc:
            raise failure(exc) from None
    except EvalError as exc:
        return ("error", str(exc))
    return (outcome, frozenset(missing), notes, typed(values))


def at_once(policy, env):
    """What the engine asks with it (evaluate_policy)."""
    try:
        try:
            done = policy.subject_code.fn(env)
            if done is NOT_APPLICABLE:
                return ("not_applicable", frozenset(), (), None)
            applies, holds, values = done
            outcome, missing, notes = decided(policy, env, applies, holds)
        except FAILURES as exc:
            raise failure(exc) from None
    except EvalError as exc:
        return ("error", str(exc))
    return (outcome, frozenset(missing), notes, typed(values))


def test_every_builtin_policy_without_exceptions_has_subject_code_and_the_others_none():
    for policy in BOOK.policies:
        if policy.unless:
            assert policy.subject_code is None, policy.id
        else:
            code = policy.subject_code
            assert (code.where, code.require, code.evidence) == (policy.where, policy.require, policy.evidence_all)
            assert hasattr(code.fn, "source"), policy.id


@given(documents_and_dates())
def test_every_builtin_policy_decides_at_once_as_one_by_one(case):
    raw, on = case
    for policy, subject, a, b in subject_envs(raw, on, keep=lambda policy: policy.subject_code is not None):
        assert at_once(policy, a) == one_by_one(policy, b), (policy.id, subject.id)


def generated_policy(where, require, evidence):
    def expr(text):
        return compile_expr(text, Located("t.yaml"), {n: "value" for n in NAMES}, BUILTIN, {})
    where = expr(where) if where is not None else None
    require = expr(require)
    evidence = tuple((f"e{i}", expr(t)) for i, t in enumerate(evidence))
    together = evidence_tuple(evidence)
    return Policy(id="t.generated", instrument="t", edition="2024", title={"zh": "t", "en": "t"}, severity="error",
                  citations=(), applies_to="unit", require=require, message={"zh": "t", "en": "t"}, where=where,
                  evidence=evidence, evidence_all=together, subject_code=SubjectCode(where, require, together))


@given(st.one_of(st.none(), texts()), texts(), st.lists(texts(), max_size=3),
       st.fixed_dictionaries({n: values for n in NAMES}))
def test_generated_policies_decide_at_once_as_one_by_one(where, require, evidence, bound):
    policy = generated_policy(where, require, evidence)
    assert hasattr(policy.subject_code.fn, "source"), (where, require)
    env = Env(View(DOC, DOC.as_of), bound, lambda *a: None, BUILTIN)
    assert at_once(policy, env) == one_by_one(policy, env), policy.subject_code.fn.source


@given(st.sampled_from([None, "a", "b == 1", "3", "c is None"]), st.sampled_from(["b", "a == 2", "'x'", "a / 0"]),
       st.sampled_from([True, False, None, 0, "x", 2, (1,)]), st.sampled_from([True, False, None, 1, "y"]))
def test_where_and_require_that_are_not_truth_values_fail_with_the_same_words(where, require, a, b):
    """The checks of where and require written into the subject code, next to decide's own."""
    policy = generated_policy(where, require, ["a / 0", "c"])
    env = Env(View(DOC, DOC.as_of), {"a": a, "b": b, "c": None}, lambda *a: None, BUILTIN)
    assert at_once(policy, env) == one_by_one(policy, env)


def test_subject_code_too_deep_for_python_is_none_and_the_engine_asks_one_by_one():
    import attrs
    deep = " and ".join(f"unit.name != '{i}'" for i in range(120))      # nests 120 blocks in the code
    require = compile_expr(deep, Located("t.yaml"), {"unit": "unit"}, BUILTIN, {})
    base = BOOK.find("organs.unit.committee-required")[0]
    policy = attrs.evolve(base, require=require, where=None, unless=(), evidence=(), evidence_all=None,
                          subject_code=SubjectCode(None, require, None))
    assert policy.subject_code.fn is None
    doc = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u", "name": "某院"}})
    for name, expected in (("某院", "satisfied"), ("7", "violated")):
        doc = attrs.evolve(doc, unit=attrs.evolve(doc.unit, name=name))
        (result,) = NativeEngine().evaluate(BOOK, [policy], View(doc, dt.date(2024, 6, 30)))
        assert result.outcome == expected, (result.outcome, result.missing, result.message)
