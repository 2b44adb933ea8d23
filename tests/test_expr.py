"""The condition language: what it refuses at load time, and its three-valued truth."""

import ast
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partyrules.errors import PolicyError
from partyrules.facts.builtin import BUILTIN
from partyrules.facts.load import load_facts
from partyrules.facts.view import Unknown, View
from partyrules.rulebook.expr import Env, EvalError, Located, _bounded, compile_expr, evaluate

VARS = {"org": "organization", "unit": "unit"}
PARAMS = {"organs.x": None}


def compile_(text, line=10, col=7):
    return compile_expr(text, Located("p.yaml", line, col), VARS, BUILTIN, PARAMS)


@pytest.mark.parametrize("text, message, column", [
    ("org.secretery is None", "organization has no field 'secretery' (did you mean 'secretary'?)", 7),
    ("full_member(org) > 3", "unknown function 'full_member' (did you mean 'full_members'?)", 7),
    ("orgg.kind == 'branch'", "unknown name 'orgg' (did you mean 'org'?)", 7),
    ("__import__('os').system('x')", "only derived facts, param() and len/min/max/abs can be called", 7),
    ("__import__('os')", "unknown function '__import__'", 7),
    ("org.__class__", "field '__class__' not allowed", 7),
    ("(lambda: 1)()", "only derived facts", 7),
    ("[m for m in org.committee_members]", "comprehensions not allowed", 7),
    ("org.committee_members[0]", "indexing not allowed", 7),
    ("2 ** 100", "** not allowed", 7),
    ("full_members(org, org) > 1", "full_members() takes 1 argument(s)", 7),
    ("full_members(unit) > 1", "full_members() expects a organization, got a unit", 20),
    ("param('organs.y')", "unknown parameter 'organs.y' (did you mean 'organs.x'?)", 13),
    ("param(3)", "param() takes a parameter name in quotes, and optionally a date", 7),
    ("param('organs.x', as_of, as_of)", "param() takes a parameter name in quotes, and optionally a date", 7),
    ("param('organs.x', org)", "param()'s second argument is a date, got a organization", 25),
    ("param('organs.x', org.electionz)", "organization has no field 'electionz'", 25),
    ("len(x=1)", "keyword arguments not allowed", 7),
    ("org.kind ==", "not a valid expression", None),
    ("full_members", "'full_members' is a function: call it", 7),
    ("f'{org}'", "f-strings not allowed", 7),
])
def test_mistakes_are_reported_at_line_and_column(text, message, column):
    with pytest.raises(PolicyError) as err:
        compile_(text)
    assert message in str(err.value)
    assert err.value.source == "p.yaml" and err.value.line == 10
    if column is not None:
        assert err.value.column == column


def test_column_points_inside_the_expression():
    with pytest.raises(PolicyError) as err:
        compile_("org.kind == 'branch' and len(org.committee_memberz) > 0", line=3, col=10)
    assert (err.value.line, err.value.column) == (3, 10 + len("org.kind == 'branch' and len("))


FACTS = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30",
                    "organizations": [{"id": "o", "kind": "branch", "secretary": None},
                                      {"id": "p", "kind": "branch"}]})


def run(text, org_index=0):
    view = View(FACTS, dt.date(2024, 6, 30))
    env = Env(view, {"org": FACTS.organizations[org_index], "unit": Unknown.of("unit")},
              lambda name: 7, BUILTIN)
    return evaluate(compile_(text), env)


def test_omitted_field_is_unknown_and_null_is_none():
    assert run("org.secretary is None") is True
    result = run("org.secretary is None", 1)
    assert isinstance(result, Unknown) and result.missing == {"organizations[1].secretary"}


U = "org.committee_members == ()"          # unknown in organization p (committee omitted)
TRUTH = {"True": True, "False": False, "U": None}


def three(v):
    return None if isinstance(v, Unknown) else v


@pytest.mark.parametrize("a", list(TRUTH))
@pytest.mark.parametrize("b", list(TRUTH))
def test_kleene_truth_tables(a, b):
    def term(x):
        return U if x == "U" else x
    va, vb = TRUTH[a], TRUTH[b]

    def k_and(x, y):
        return False if False in (x, y) else None if None in (x, y) else True

    def k_or(x, y):
        return True if True in (x, y) else None if None in (x, y) else False
    assert three(run(f"({term(a)}) and ({term(b)})", 1)) == k_and(va, vb)
    assert three(run(f"({term(a)}) or ({term(b)})", 1)) == k_or(va, vb)
    assert three(run(f"not ({term(a)})", 1)) == (None if va is None else not va)


def test_runtime_type_errors_are_eval_errors():
    with pytest.raises(EvalError):
        run("org.kind and True")
    with pytest.raises(EvalError):
        run("1 / 0 > 1")
    with pytest.raises(EvalError):
        run("org.secretary.name == 'x'")


OPS = [ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq]
PY = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
      ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


@given(st.integers(0, 20), st.integers(0, 20), st.integers(-2, 25), st.sampled_from(OPS))
def test_bounds_decide_only_what_every_value_in_them_agrees_on(lo, span, c, op):
    hi = lo + span
    decided = _bounded(op, Unknown(frozenset({"x"}), lo, hi), c)
    answers = {PY[op](x, c) for x in range(lo, hi + 1)}
    if isinstance(decided, Unknown):
        assert len(answers) == 2, (lo, hi, c, op)
    else:
        assert answers == {decided}


def test_param_on_another_day_is_the_value_then_or_none():
    """param(name, day): the value in force on ``day`` (None before the first), not on the evaluation date."""
    def get(name, day=None):
        if day is None:
            return 7
        return None if day < dt.date(2018, 10, 28) else (3 if day < dt.date(2020, 1, 5) else 5)
    facts = load_facts({"format": "partyrules.facts/1", "as_of": "2024-06-30",
                        "organizations": [{"id": "o", "kind": "branch", "elections": [{"date": "2019-03-01"}]},
                                          {"id": "p", "kind": "branch", "elections": [{"date": "2017-03-01"}]},
                                          {"id": "q", "kind": "branch"},
                                          {"id": "r", "kind": "branch", "elections": [{"date": "2021-03-01"}]}]})
    view = View(facts, dt.date(2024, 6, 30))

    def at(i, text):
        env = Env(view, {"org": facts.organizations[i], "unit": Unknown.of("unit"), "as_of": view.as_of},
                  get, BUILTIN)
        return evaluate(compile_expr(text, Located("p.yaml", 1, 1), {**VARS, "as_of": "date"}, BUILTIN, PARAMS), env)

    assert at(0, "param('organs.x', latest_election(org).date)") == 3
    assert at(1, "param('organs.x', latest_election(org).date)") is None
    assert at(3, "param('organs.x', latest_election(org).date)") == 5
    assert at(0, "param('organs.x')") == 7
    unknown = at(2, "param('organs.x', latest_election(org).date)")
    assert isinstance(unknown, Unknown) and unknown.missing == {"organizations[2].elections"}
    with pytest.raises(EvalError, match="needs a date as its second argument"):
        at(0, "param('organs.x', org.kind)")


def test_a_pickled_expression_parses_its_tree_again_with_the_same_positions():
    """A copy leaves out a tree that is the parse of its text, and gives back an equal one on first use;
    a tree that is not (made by another engine from nodes) travels with the copy."""
    import ast
    import pickle

    from partyrules.rulebook.expr import Expr, parse_text
    text = "org.kind == 'branch' and\n   unit.name != 'a'"
    expr = compile_(text)
    copy = pickle.loads(pickle.dumps(expr))
    assert copy.parsed is None and copy == expr
    assert ast.dump(copy.tree, include_attributes=True) == ast.dump(expr.tree, include_attributes=True) \
        == ast.dump(parse_text(text), include_attributes=True)
    assert copy.fn.__code__.co_code == expr.fn.__code__.co_code
    node = ast.parse("a and b", mode="eval").body
    other = Expr(ast.unparse(node), ast.Expression(body=node))
    kept = pickle.loads(pickle.dumps(other))
    assert kept.parsed is not None
    assert ast.dump(kept.tree, include_attributes=True) == ast.dump(other.tree, include_attributes=True)
