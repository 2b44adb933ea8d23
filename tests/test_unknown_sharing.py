"""The shortcuts that hand back an unknown operand instead of an equal new one (``kleene.union``,
``joined``, ``more_missing``, the compiled ``and``/``or`` and comparison chains) against the plain
definitions: Kleene's logic with the union of the missing facts, an unknown without bounds.

The operands come from a small pool of shared objects (one omitted fact read twice is the very same
Unknown), bounded ones among them, so that the identity shortcuts and their bounds checks are both met.
"""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.api import get_engine
from partyrules.engine.native import env_maker, subjects
from partyrules.facts.load import load_facts
from partyrules.facts.recorded import missing_kind, recorded_fields
from partyrules.facts.view import Unknown, View
from partyrules.rulebook import kleene
from partyrules.rulebook.expr import Env, Located, compile_expr
from partyrules.testing import fact_documents, with_omissions
from partyrules.facts.builtin import BUILTIN

_SETS = [frozenset({"x.p"}), frozenset({"y.q"}), frozenset({"x.p", "y.q"}), frozenset()]
POOL = [Unknown(s) for s in _SETS] + [Unknown(_SETS[0], 1, 3), Unknown(_SETS[2], None, 5), Unknown(_SETS[1], 2, 2)]
unknown = st.sampled_from(POOL)
# an equal set that is another object: the identity test must not be the only way to reuse
unknown_copies = st.sampled_from(_SETS).map(lambda s: Unknown(frozenset(set(s))))
truth = st.one_of(st.booleans(), unknown, unknown_copies)
anything = st.one_of(truth, st.integers(-2, 4), st.none())


def plain_union(values) -> Unknown:
    return Unknown(frozenset().union(*(v.missing for v in values if isinstance(v, Unknown))))


def plain_and(values):
    if any(v is False for v in values):
        return False
    unknowns = [v for v in values if isinstance(v, Unknown)]
    return plain_union(unknowns) if unknowns else True


def plain_or(values):
    if any(v is True for v in values):
        return True
    unknowns = [v for v in values if isinstance(v, Unknown)]
    return plain_union(unknowns) if unknowns else False


def same(got, want) -> bool:
    """Equal and of the same type (True is not 1): an unknown is equal by its facts and bounds."""
    return type(got) is type(want) and got == want


@given(st.lists(anything, max_size=4))
def test_union_is_the_plain_union(values):
    got = kleene.union(values)
    assert same(got, plain_union(values))
    assert got.lo is None and got.hi is None


@given(anything, anything)
def test_joined_is_the_plain_union_of_two(a, b):
    if not (isinstance(a, Unknown) or isinstance(b, Unknown)):
        return
    assert same(kleene.joined(a, b), plain_union((a, b)))


@given(st.sampled_from(_SETS), st.sampled_from(_SETS))
def test_more_missing_is_the_union(a, b):
    assert kleene.more_missing(a, b) == a | b


@given(unknown)
def test_neg_and_plain_drop_the_bounds(u):
    assert same(kleene.neg(u), Unknown(u.missing))
    assert same(kleene.plain(u), Unknown(u.missing))


@given(st.sampled_from([ast.Eq(), ast.NotEq(), ast.Lt(), ast.GtE(), ast.In(), ast.Is()]), unknown,
       st.one_of(unknown, unknown_copies, st.integers(0, 6)))
def test_compare_with_unknowns_is_bounded_or_the_plain_union(op, a, b):
    got = kleene.compare(op, a, b)
    if isinstance(b, Unknown) or type(op) not in kleene.FLIP:
        assert same(got, plain_union((a, b)))
    else:
        assert same(got, kleene.bounded(type(op), a, b))


@given(unknown, st.one_of(unknown, st.integers(0, 3)), st.one_of(unknown, st.integers(0, 3)))
def test_if_unknown_is_the_common_value_or_the_plain_union(test, a, b):
    got = kleene.if_unknown(test, a, b)
    if not isinstance(a, Unknown) and not isinstance(b, Unknown) and a == b:
        assert same(got, a)
    else:
        assert same(got, plain_union((test, a, b)))


NAMES = ("a", "b", "c", "d")
DOC = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30"})


def compiled(text: str, bound: dict):
    expr = compile_expr(text, Located("t.yaml"), {n: "value" for n in NAMES}, BUILTIN, {})
    assert hasattr(expr.fn, "source")         # compiled, not the interpreter's fallback
    return expr.fn(Env(View(DOC, DOC.as_of), bound, lambda *a: None, BUILTIN))


@given(st.sampled_from(["and", "or"]), st.integers(2, 4), st.fixed_dictionaries({n: truth for n in NAMES}))
def test_compiled_and_or_is_kleene_with_the_plain_union(op, count, bound):
    names = NAMES[:count]
    got = compiled(f" {op} ".join(names), bound)
    values = [bound[n] for n in names]
    assert same(got, plain_and(values) if op == "and" else plain_or(values))


@given(st.fixed_dictionaries({n: st.one_of(unknown, unknown_copies, st.integers(0, 3)) for n in NAMES}))
def test_compiled_comparison_chain_is_the_plain_union_of_its_links(bound):
    a, b, c, d = (bound[n] for n in NAMES)
    links = [kleene.compare(ast.LtE(), a, b), kleene.compare(ast.LtE(), b, c), kleene.compare(ast.LtE(), c, d)]
    if False in links:
        want = False     # a false link decides the chain (later links are not looked at)
    else:
        want = plain_and(links)
    assert same(compiled("a <= b <= c <= d", bound), want)


# ---------------------------------------------------------------- the engine's unknown results

BOOK = partyrules.load_rulebook()


@st.composite
def documents(draw):
    doc = draw(fact_documents(max_branches=3, max_members_per_branch=6))
    doc, _removed = draw(with_omissions(doc))
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_unknown_results_list_their_facts_in_order_and_whose_gap_they_are(raw):
    """The native engine sorts and judges each set of missing facts once per view (they recur under many
    policies): each unknown's ``missing`` is the outcome's own, in order, and its ``missing_kind`` the one
    ``missing_kind`` gives on the whole walk of the document."""
    doc = load_facts(raw)
    view = View(doc, doc.as_of)
    policies = BOOK.applicable(doc.as_of)
    results = get_engine("native").evaluate(BOOK, policies, view)
    recorded = recorded_fields(doc)
    by_key = {(r.policy, r.subject.id): r for r in results}
    for policy in policies:
        subs = subjects(policy, View(doc, doc.as_of))
        if isinstance(subs, tuple):
            continue
        make = env_maker(BOOK, policy, View(doc, doc.as_of), BOOK.derived)     # a view of its own
        for entity, subject in subs:
            try:
                outcome, missing, _notes = kleene.decide(policy, None, make(entity))
            except Exception:
                continue        # the policy's error on this subject
            r = by_key[(policy.id, subject.id)]
            assert r.outcome == outcome
            if outcome == "unknown":
                assert r.missing == tuple(sorted(missing)), (policy.id, subject.id)
                assert r.missing_kind == missing_kind(r.missing, recorded), (policy.id, subject.id)
