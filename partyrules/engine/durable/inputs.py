"""Per-subject work: the atoms of one (policy, subject) evaluated natively and encoded as facts,
and the report entry assembled from the node values durable recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import attrs

from ...facts.derive import Derived
from ...facts.view import Unknown, View
from ...report.model import Result, Subject
from ...rulebook.expr import Env, EvalError, Expr, evaluate
from ...rulebook.policy import Policy
from ...errors import UsageError
from ..native import BaseCache, unknown_message, build_result, env_maker, org_kind, result_base, subjects
from .compiler import Compiled, FLIP, NEEDS, SYMBOL
from .host import EngineFailure, fact_json
from .values import Failed, Fatal, encode_operand


# ============================================================================ per-subject work

@attrs.frozen
class SubjectInput:
    """One (policy, subject): the facts to assert and what the report needs besides the outcome."""

    key: tuple
    subject: Subject
    facts: tuple               # fact dicts without ref/sid
    atoms: tuple               # atom values (Failed/Fatal for errors)
    evidence: dict | None      # evaluated evidence, or None when it failed
    evidence_error: Any        # Failed/Fatal of the first failing evidence expression
    omitted: str | None = None # the missing path when the subject list was omitted
    org_kind: str | None = None  # the subject's kind when it is an organization (for org_kinds citations)

    @property
    def signature(self) -> str:
        return fact_json(self.facts)


def memo_derived(derived: Mapping[str, Derived]) -> dict[str, Derived]:
    """The derived facts, each computed once per (function, arguments) within one evaluation."""
    cache: dict = {}

    def wrap(d: Derived) -> Derived:
        def fn(view: View, *args: Any, **kwargs: Any) -> Any:
            key = (d.name, id(view)) + tuple(_memo_key(a) for a in args) + tuple(sorted(kwargs.items()))
            try:
                return cache[key][0]
            except KeyError:
                value = d.fn(view, *args, **kwargs)
                cache[key] = (value, args)        # args kept alive so their ids stay unique
                return value
        return attrs.evolve(d, fn=fn)

    return {name: wrap(d) for name, d in derived.items()}


def _memo_key(a: Any) -> Any:
    if attrs.has(type(a)) or isinstance(a, (list, dict, set)):
        return ("id", id(a))
    return (type(a), a)


def _atom_value(expr: Expr, env: Env) -> Any:
    try:
        return evaluate(expr, env)
    except EvalError as exc:
        return Failed(str(exc))
    except Exception as exc:
        return Fatal(exc)


def subject_inputs(compiled: Compiled, policy: Policy, rulebook: Any, view: View,
                   derived: Mapping[str, Derived]) -> list[SubjectInput]:
    pkey = (policy.instrument, policy.edition, policy.id)
    subs = subjects(policy, view)
    if isinstance(subs, tuple):
        path, subject = subs
        return [SubjectInput(pkey + (subject.kind, subject.id), subject, ({"t": "om"},), (), None, None, path)]
    make_env = env_maker(rulebook, policy, view, derived)
    out = []
    for entity, subject in subs:
        env = make_env(entity)
        values = tuple(_atom_value(a, env) for a in compiled.atoms)
        facts: list[dict] = []
        for node in compiled.nodes:
            if node.kind == "pair":
                left, right = (values[i] for i in node.args)
                need_l, need_r = NEEDS[node.op]
                fact = {"t": "p", "op": node.op, "n": node.id}
                bounds = ("b", "v") if node.op in FLIP else ()
                fact.update(encode_operand("l", left, frozenset(_tuple(need_l) + bounds)))
                fact.update(encode_operand("r", right, frozenset(_tuple(need_r) + bounds)))
                facts.append(fact)
            elif node.kind == "leaf":
                v = values[node.args[0]]
                fact = encode_operand("", v, frozenset())
                fact.update({"t": "b", "n": node.id, "v": int(v) if isinstance(v, bool) else 0,
                             "root": int(node.context in ("where", "require", "unless"))})
                facts.append(fact)
        evidence: dict | None = {}
        ev_error = None
        for name, e in policy.evidence:
            v = _atom_value(e, env)
            if isinstance(v, (Failed, Fatal)):
                evidence, ev_error = None, v
                break
            evidence[name] = v
        facts.append({"t": "e", "err": int(ev_error is not None)})
        if compiled.where is None:
            facts.append({"t": "w"})          # starts the outcome chain (there is no where to decide)
        out.append(SubjectInput(pkey + (subject.kind, subject.id), subject, tuple(facts), values, evidence, ev_error,
                                org_kind=org_kind(policy, entity)))
    return out


def _tuple(x: Any) -> tuple:
    return (x,) if isinstance(x, str) else tuple(x)


# ---------------------------------------------------------------- explaining a decision

def _missing(compiled: Compiled, inp: SubjectInput, values: Mapping[int, tuple], node: int) -> frozenset:
    """The missing paths of a node durable found unknown (the native engine's unions)."""
    value, detail, children = values[node]
    if value != "U":
        return frozenset()
    n = compiled.nodes[node]
    if n.kind == "leaf":
        return inp.atoms[n.args[0]].missing
    if n.kind == "pair":
        if detail and detail[0] == "bounded":
            side = detail[1]
            return inp.atoms[n.args[0] if side == "l" else n.args[1]].missing
        out: frozenset = frozenset()
        for i in n.args:
            if isinstance(inp.atoms[i], Unknown):
                out |= inp.atoms[i].missing
        if detail and detail[0] == "list_unknown":
            right = inp.atoms[n.args[1]]
            out = frozenset().union(*(x.missing for x in right if isinstance(x, Unknown)))
        return out
    names = dict(zip(("x", "y"), n.args))
    out = frozenset()
    for name in detail:
        child = names[name]
        if values[child][0] == "U":
            out |= _missing(compiled, inp, values, child)
    return out


def _error(compiled: Compiled, inp: SubjectInput, values: Mapping[int, tuple], node: int) -> str:
    """The message of the error that stopped the evaluation at ``node`` (re-raising a crash)."""
    value, detail, _children = values[node]
    n = compiled.nodes[node]
    if n.kind in ("and", "or", "not"):
        return _error(compiled, inp, values, dict(zip(("x", "y"), n.args))[detail[0]])
    if n.kind == "leaf":
        v = inp.atoms[n.args[0]]
        if detail[0] == "atom":
            return _failure(v)
        return f"{n.context} must be true or false, got {v!r}"
    left, right = (inp.atoms[i] for i in n.args)
    what = detail[0]
    if what == "atom":
        return _failure(left if detail[1] == "l" else right)
    if what == "cannot_order":
        return f"cannot order {left!r} and {right!r}"
    if what == "type_error":
        return (f"TypeError: '{SYMBOL[n.op]}' not supported between instances of "
                f"'{_tp_name(left)}' and '{_tp_name(right)}'")
    if what == "is_not_none":
        return "'is' only compares with None: write 'x is None'"
    if what == "in_type":
        return f"'in' needs a list on its right, got {right!r}"
    if what == "in_string":
        return f"TypeError: 'in <string>' requires string as left operand, not {_tp_name(left)}"
    if what == "unsupported":
        raise UsageError(f"the durable engine cannot order these lists ({left!r} {SYMBOL[n.op]} {right!r}): "
                         "it orders lists of text only; use the native engine (--engine native)")
    raise EngineFailure(f"unexplained error {detail}")


def _tp_name(value: Any) -> str:
    """The type name CPython puts in its TypeError messages (``tp_name``: 'int', 'datetime.date', 'Election')."""
    t = type(value)
    if t.__flags__ & (1 << 9) or t.__module__ == "builtins":     # Py_TPFLAGS_HEAPTYPE: a class from Python code
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def _failure(v: Any) -> str:
    if isinstance(v, Fatal):
        raise v.exc
    return v.message


def make_result(compiled: Compiled, policy: Policy, inp: SubjectInput, final: tuple,
                values: Mapping[int, tuple], rulebook: Any, as_of: dt.date,
                names: Mapping[str, tuple[str, bool]] = {}, records_from: Any = None,
                bases: BaseCache | None = None) -> Result:
    """The report entry for one subject, from the outcome durable decided (``bases``: the policy's
    citations in force, computed once per kind of subject)."""
    base = bases.get(inp.org_kind) if bases is not None else result_base(policy, rulebook.registry, as_of, inp.org_kind)
    outcome, source = final
    subject = inp.subject
    if outcome == "omitted":
        return Result(outcome="unknown", subject=subject, message=unknown_message((inp.omitted,)), evidence={},
                      missing=(inp.omitted,), **base)
    if outcome == "error":
        exc = _failure(inp.evidence_error) if source == "evidence" else _error(compiled, inp, values, source)
        return Result(outcome="error", subject=subject, evidence={},
                      message={"zh": f"策略在此对象上执行出错：{exc}", "en": f"The policy failed on this subject: {exc}"},
                      **base)
    evidence = {} if outcome == "not_applicable" else inp.evidence or {}
    notes: list = []
    missing: frozenset = frozenset()
    if outcome == "satisfied" and source is not None:
        notes = [dict(policy.unless[source].note)]
    if outcome == "unknown":
        roots = {"where": [compiled.where], "where+require": [compiled.where, compiled.require]}.get(
            source, [compiled.require, *compiled.unless])
        for root in roots:
            missing |= _missing(compiled, inp, values, root)
    return build_result(policy, subject, outcome, missing, notes, evidence, base, names, records_from)
