"""Three-valued truth: the one place that says what ``and``/``or``/``not``, comparisons and
arithmetic do when a value is :class:`~partyrules.facts.unknown.Unknown`, and how ``where``,
``require`` and ``unless`` make an outcome.

Kleene's logic: ``False and Unknown`` is ``False``, ``True or Unknown`` is ``True``;
anything else that touches an unknown stays unknown and carries the union of the
missing fact paths. A partly known count (an Unknown with bounds) still decides a
comparison its bounds settle. The interpreter (:mod:`.expr`, which ``explain``
traces), the compiled expressions (:mod:`.compiled`) and the engines all rest on
these helpers, so the semantics are written once.
"""

from __future__ import annotations

import ast
import math
import datetime as dt
import operator
from typing import Any, Callable, Iterable

import attrs

from ..facts.view import Unknown


class EvalError(Exception):
    """The policy itself failed on one subject (outcome ``error``)."""


def missing(v: Any) -> frozenset:
    """The missing paths of ``v`` (none when it is known)."""
    return v.missing if isinstance(v, Unknown) else frozenset()


def union(values: Iterable[Any]) -> Unknown:
    """An unknown (without bounds) missing what every unknown among ``values`` misses.

    One of them when it has no bounds and the others miss nothing it does not (equal to the new one, and
    frozen): an unknown check mostly joins the same omitted fact again and again, and making an
    equal copy each time was a sixth of the unknown results' cost."""
    unknowns = [v for v in values if isinstance(v, Unknown)]
    if len(unknowns) == 1:
        return plain(unknowns[0])
    if len(unknowns) == 2:
        return joined(unknowns[0], unknowns[1])
    joint = frozenset().union(*(u.missing for u in unknowns))
    for u in unknowns:
        # u's facts are among the joint ones: as many means the same
        if len(u.missing) == len(joint) and u.lo is None and u.hi is None:
            return u
    return Unknown(joint)


def _adds_nothing(extra: frozenset, missing: frozenset) -> bool:
    """``missing | extra == missing``, without making the union (mostly the very same set)."""
    return extra is missing or extra <= missing


def joined(a: Any, b: Any) -> Unknown:
    """``Unknown(missing(a) | missing(b))`` (one of them at least unknown), reusing an unknown operand as
    :func:`union` does."""
    if isinstance(a, Unknown) and a.lo is None and a.hi is None and _adds_nothing(missing(b), a.missing):
        return a
    if isinstance(b, Unknown) and b.lo is None and b.hi is None and _adds_nothing(missing(a), b.missing):
        return b
    return Unknown(missing(a) | missing(b))


def plain(u: Unknown) -> Unknown:
    """``u`` without its bounds: ``u`` itself when it has none."""
    return u if u.lo is None and u.hi is None else Unknown(u.missing)


def more_missing(missing: frozenset, extra: frozenset) -> frozenset:
    """``missing | extra``: ``missing`` itself when ``extra`` adds nothing (an outcome's facts)."""
    return missing if not extra or _adds_nothing(extra, missing) else missing | extra


def truth(value: Any, what: str) -> Any:
    """``value`` as a truth value (True, False or Unknown); anything else is the policy's error."""
    if isinstance(value, (bool, Unknown)):
        return value
    raise EvalError(f"{what} must be true or false, got {value!r}")


def not_(value: Any) -> Any:
    v = truth(value, "not operand")
    return v if isinstance(v, Unknown) else not v


def neg(value: Any) -> Any:
    return plain(value) if isinstance(value, Unknown) else -value


def if_unknown(test: Unknown, a: Any, b: Any) -> Any:
    """``a if test else b`` when ``test`` is unknown: the common value, when both branches agree."""
    if not isinstance(a, Unknown) and not isinstance(b, Unknown) and a == b:
        return a
    return union((test, a, b))


_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def arith(op: type, a: Any, b: Any) -> Any:
    """``a <op> b`` for numbers (``op`` an ``ast`` operator class); unknown if either is."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return joined(a, b)
    for v in (a, b):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise EvalError(f"arithmetic needs numbers, got {v!r}")
    if op is ast.Div and b == 0:
        raise EvalError("division by zero")
    value = _ARITH[op](a, b)
    # the report is JSON: no Infinity or NaN, and no number too long to print
    if (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, int)
                                                                  and value.bit_length() > 1000):
        raise EvalError("arithmetic overflow: the result is not a finite number of sane size")
    return value


def field(view: Any, base: Any, name: str) -> Any:
    """``base.name``: a record's field (Unknown naming it when omitted); unknown stays unknown."""
    if isinstance(base, Unknown):
        return base
    if base is None:
        raise EvalError(f"no value to read .{name} from (it is null)")
    if attrs.has(type(base)):
        return view.get(base, name)
    raise EvalError(f"{type(base).__name__} has no field {name!r}")


def param_on(get: Callable[..., Any], name: str, on: Any) -> Any:
    """``param(name, on)``: the value in force on another day (None if none was), unknown if the day is."""
    if isinstance(on, Unknown):
        return on
    if not isinstance(on, dt.date):
        raise EvalError(f"param({name!r}, ...) needs a date as its second argument, got {on!r}")
    return get(name, on)


def length(value: Any) -> Any:
    if value is None or not hasattr(value, "__len__"):
        raise EvalError(f"len() needs a list, got {value!r}")
    return len(value)


_BUILTINS: dict[str, Callable[..., Any]] = {"len": len, "min": min, "max": max, "abs": abs}


def builtin(name: str, args: list) -> Any:
    """``len/min/max/abs`` on known arguments."""
    if name == "len" and (args[0] is None or not hasattr(args[0], "__len__")):
        raise EvalError(f"len() needs a list, got {args[0]!r}")
    return _BUILTINS[name](*args)


# argument types keyed by value without asking whether they are records (they never are); asking costs a
# failed attribute lookup, and the calls of a check are mostly memo hits where the key is all the work
_BY_VALUE = frozenset({int, float, bool, str, dt.date, tuple, type(None)})
_MISSING = object()


def _fact_memo(view: Any, name: str) -> dict:
    """The memo of one derived fact on ``view`` (argument key → value); made on first use."""
    memos = view.derived_memo
    memo = memos.get(name)
    if memo is None:
        memo = memos.setdefault(name, {})      # setdefault: threads sharing a view share one dict
    return memo


def _compute(env: Any, d: Any, memo: dict, key: Any, args: tuple) -> Any:
    value = memo[key] = d.fn(env.view, *args, since=env.since) if d.needs_since else d.fn(env.view, *args)
    return value


def call_derived(env: Any, name: str, args: tuple) -> Any:
    """A derived fact on known arguments, computed once per view (they are pure functions of it).

    Each fact has its own memo on the view (:func:`_fact_memo`), keyed by its arguments (records by identity,
    other values by type and value: 1, True and 1.0 are different arguments),
    and by the day the policy's edition took effect when the fact depends on it. :func:`derived_caller`
    makes the same call for one call site of compiled code; both keep the same keys, so they share values.
    """
    d = env.derived[name]
    parts = []
    for a in args:
        t = type(a)
        if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__"):
            if a is None:
                _null_argument(d, name, args)
            parts.append((t, a))
        else:
            parts.append(id(a))
    keys: Any = parts[0] if len(parts) == 1 else tuple(parts)
    key = (env.since, keys) if d.needs_since else keys
    memo = _fact_memo(env.view, name)
    found = memo.get(key, _MISSING)
    return _compute(env, d, memo, key, args) if found is _MISSING else found


def derived_caller(name: str, arity: int) -> Callable[..., Any]:
    """``call(env, *args)``: :func:`call_derived` for one call site of compiled code, with ``arity``
    arguments, without the tuple of arguments and the loop for one to three arguments (most calls of a check
    are memo hits). ``call.derived_call`` is ``(name, arity)``: what makes it again in another process (the
    on-disk rulebook cache keeps that, not the function)."""
    call = _caller(name, arity)
    call.derived_call = (name, arity)       # type: ignore[attr-defined]
    return call


def _caller(name: str, arity: int) -> Callable[..., Any]:
    if arity == 1:
        def call1(env: Any, a: Any) -> Any:
            d = env.derived[name]
            t = type(a)
            if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__"):
                if a is None:
                    _null_argument(d, name, (a,))
                ka: Any = (t, a)
            else:
                ka = id(a)
            key = (env.since, ka) if d.needs_since else ka
            memo = env.view.derived_memo.get(name)
            if memo is not None:
                found = memo.get(key, _MISSING)
                if found is not _MISSING:
                    return found
            value = _fact_memo(env.view, name)[key] = (d.fn(env.view, a, since=env.since) if d.needs_since
                                                       else d.fn(env.view, a))
            return value
        return call1
    if arity == 2:
        def call2(env: Any, a: Any, b: Any) -> Any:
            d = env.derived[name]
            if a is None or b is None:
                _null_argument(d, name, (a, b))
            t = type(a)
            ka = (t, a) if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__") else id(a)
            t = type(b)
            kb = (t, b) if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__") else id(b)
            key = (env.since, (ka, kb)) if d.needs_since else (ka, kb)
            memo = env.view.derived_memo.get(name)
            if memo is not None:
                found = memo.get(key, _MISSING)
                if found is not _MISSING:
                    return found
            value = _fact_memo(env.view, name)[key] = (d.fn(env.view, a, b, since=env.since) if d.needs_since
                                                       else d.fn(env.view, a, b))
            return value
        return call2
    if arity == 3:
        def call3(env: Any, a: Any, b: Any, c: Any) -> Any:
            d = env.derived[name]
            if a is None or b is None or c is None:
                _null_argument(d, name, (a, b, c))
            t = type(a)
            ka = (t, a) if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__") else id(a)
            t = type(b)
            kb = (t, b) if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__") else id(b)
            t = type(c)
            kc = (t, c) if t in _BY_VALUE or not hasattr(t, "__attrs_attrs__") else id(c)
            key = (env.since, (ka, kb, kc)) if d.needs_since else (ka, kb, kc)
            memo = env.view.derived_memo.get(name)
            if memo is not None:
                found = memo.get(key, _MISSING)
                if found is not _MISSING:
                    return found
            value = _fact_memo(env.view, name)[key] = (d.fn(env.view, a, b, c, since=env.since) if d.needs_since
                                                       else d.fn(env.view, a, b, c))
            return value
        return call3

    def call(env: Any, *args: Any) -> Any:
        return call_derived(env, name, args)
    return call


def _null_argument(d: Any, name: str, args: tuple) -> None:
    """The error for a null argument where the derived fact does not allow one (its kind has no ``?``)."""
    kinds = d.args
    for i, a in enumerate(args):
        if a is None and i < len(kinds) and not kinds[i].endswith("?"):
            raise EvalError(f"{name}() got null for its {kinds[i]} argument")


# ---------------------------------------------------------------------------- comparisons

_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


def compare(op: ast.cmpop, a: Any, b: Any) -> Any:
    """One link ``a <op> b`` of a comparison: True, False or Unknown (without bounds)."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        if type(op) in FLIP and not isinstance(b, Unknown):
            return bounded(type(op), a, b)
        if type(op) in FLIP and not isinstance(a, Unknown):
            return bounded(FLIP[type(op)], b, a)
        return joined(a, b)
    if isinstance(op, (ast.Is, ast.IsNot)):
        if a is not None and b is not None:
            raise EvalError("'is' only compares with None: write 'x is None'")
        return (a is b) if isinstance(op, ast.Is) else (a is not b)
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(b, (tuple, list, str, frozenset, set)):
            raise EvalError(f"'in' needs a list on its right, got {b!r}")
        found = a in b
        if not found and isinstance(b, tuple) and any(isinstance(x, Unknown) for x in b):
            return union(b)
        return found if isinstance(op, ast.In) else not found
    if isinstance(op, ast.Eq):
        return a == b
    if isinstance(op, ast.NotEq):
        return a != b
    if a is None or b is None:
        raise EvalError(f"cannot order {a!r} and {b!r}")
    return _ORDER[type(op)](a, b)


def order_error(a: Any, b: Any) -> Any:
    raise EvalError(f"cannot order {a!r} and {b!r}")


def bounded(op: type, u: Unknown, c: Any) -> Any:
    """Decide ``u <op> c`` from the bounds of ``u`` when they settle it."""
    lo, hi = u.lo, u.hi
    if lo is None and hi is None:
        return u      # nothing settles it, and u is already the unknown without bounds (no new one to make)
    if isinstance(c, bool) or not isinstance(c, (int, float)):
        return Unknown(u.missing)
    if lo is not None and lo == hi:
        return {ast.Lt: lo < c, ast.LtE: lo <= c, ast.Gt: lo > c, ast.GtE: lo >= c,
                ast.Eq: lo == c, ast.NotEq: lo != c}[op]
    if op is ast.Lt:
        decided = True if hi is not None and hi < c else False if lo is not None and lo >= c else None
    elif op is ast.LtE:
        decided = True if hi is not None and hi <= c else False if lo is not None and lo > c else None
    elif op is ast.Gt:
        decided = True if lo is not None and lo > c else False if hi is not None and hi <= c else None
    elif op is ast.GtE:
        decided = True if lo is not None and lo >= c else False if hi is not None and hi < c else None
    else:
        outside = (lo is not None and lo > c) or (hi is not None and hi < c)
        decided = (False if op is ast.Eq else True) if outside else None
    return Unknown(u.missing) if decided is None else decided


# ---------------------------------------------------------------------------- outcomes

_NONE: frozenset = frozenset()


def decide(policy: Any, run: Callable[[Any, Any], Any] | None, env: Any) -> tuple[str, frozenset, Any]:
    """The outcome of ``policy`` from ``where``, ``require`` and ``unless``; ``run(expr, env)`` gives a value
    (None: each expression's compiled code, ``expr.fn(env)``, without a call around it).

    Returns (outcome, missing paths, exception notes); the notes are an empty tuple when there are none
    (one object for the many results that carry none).
    """
    if policy.where is not None:
        applies = policy.where.fn(env) if run is None else run(policy.where, env)
        if applies is False:
            return NOT_APPLICABLE_OUTCOME
        if applies is not True:
            return _unsettled_where(policy, run, env, applies)
    holds = policy.require.fn(env) if run is None else run(policy.require, env)
    return _judged(policy, run, env, holds)


def _unsettled_where(policy: Any, run: Callable[[Any, Any], Any] | None, env: Any,
                     applies: Any) -> tuple[str, frozenset, Any]:
    """The outcome when ``where`` gave neither True nor False."""
    if isinstance(applies, Unknown):
        # whether the rule applies is unknown: even a condition that holds could not tell
        # satisfied from not_applicable, so the outcome is unknown; list what the condition lacks too
        holds = policy.require.fn(env) if run is None else run(policy.require, env)
        return decided(policy, env, applies, holds)
    raise EvalError(f"where must be true or false, got {applies!r}")


# the two usual outcomes (outcome, missing facts, exception notes), one tuple each, shared by every subject
NOT_APPLICABLE_OUTCOME = ("not_applicable", _NONE, ())
SATISFIED_OUTCOME = ("satisfied", _NONE, ())


def decider(policy: Any) -> Callable[[Any], tuple[str, frozenset, Any]]:
    """``decide(policy, None, env)`` as a function of ``env``, with the policy's compiled code looked up
    once (it runs for every subject): the usual outcomes, where false or require true, are settled
    here, anything else by :func:`decide`'s own steps."""
    where = policy.where.fn if policy.where is not None else None
    require = policy.require.fn

    def run(env: Any) -> tuple[str, frozenset, Any]:
        if where is not None:
            applies = where(env)
            if applies is False:
                return NOT_APPLICABLE_OUTCOME
            if applies is not True:
                return _unsettled_where(policy, None, env, applies)
        holds = require(env)
        if holds is True:
            return SATISFIED_OUTCOME
        return _judged(policy, None, env, holds)
    return run


def decided(policy: Any, env: Any, applies: Any, holds: Any) -> tuple[str, frozenset, Any]:
    """The outcome of a policy whose ``where`` gave ``applies`` (True or Unknown) and ``require`` ``holds``:
    :func:`decide`'s steps once the values are known (the compiled subject code of
    :func:`.compiled.compile_subject` has refused what they refuse)."""
    if applies is True:
        return SATISFIED_OUTCOME if holds is True else _judged(policy, None, env, holds)
    return "unknown", more_missing(applies.missing, missing(holds)), ()


def _judged(policy: Any, run: Callable[[Any, Any], Any] | None, env: Any, holds: Any) -> tuple[str, frozenset, Any]:
    """The outcome once ``require`` gave ``holds`` (and the policy applies): the exceptions decide what it does not."""
    if not isinstance(holds, (bool, Unknown)):
        raise EvalError(f"require must be true or false, got {holds!r}")
    if holds is True:
        return "satisfied", _NONE, ()
    excused_unknown: frozenset = frozenset()
    may_be_excused = False       # an exception that might hold (even one that names no missing fact)
    for exc in policy.unless:
        v = exc.when.fn(env) if run is None else run(exc.when, env)
        if v is True:
            return "satisfied", _NONE, [dict(exc.note)]
        if isinstance(v, Unknown):
            excused_unknown |= v.missing
            may_be_excused = True
        elif v is not False:
            raise EvalError(f"unless must be true or false, got {v!r}")
    if isinstance(holds, Unknown):
        return "unknown", more_missing(holds.missing, excused_unknown), ()
    if may_be_excused:
        return "unknown", excused_unknown, ()
    return "violated", _NONE, ()
