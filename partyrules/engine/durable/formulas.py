"""Formulas over the fields of one fact, and decision trees cut into mutually exclusive paths.

Negation is pushed down to the predicates (each knows its exact complement), so that
"not T and not F" can be written without durable's order-sensitive ``none``; a tree's
paths become the small rules of one logic node (see :mod:`.compiler`).
"""

from __future__ import annotations

import json
from typing import Any

import attrs


# ============================================================================ formulas
# A condition on the fields of ONE fact, with negation pushed down to the
# predicates (each predicate knows its exact complement), so that "not T and not
# F" can be written without durable's order-sensitive `none`.

@attrs.frozen
class Pred:
    pos: Any
    neg: Any


@attrs.frozen
class And:
    items: tuple


@attrs.frozen
class Or:
    items: tuple


class _Const:
    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "TRUE" if self.value else "FALSE"


TRUE = _Const(True)
FALSE = _Const(False)


def conj(*items: Any) -> Any:
    out: list = []
    for f in items:
        if f is TRUE:
            continue
        if f is FALSE:
            return FALSE
        out.extend(f.items if isinstance(f, And) else [f])
    return TRUE if not out else out[0] if len(out) == 1 else And(tuple(out))


def disj(*items: Any) -> Any:
    out: list = []
    for f in items:
        if f is FALSE:
            continue
        if f is TRUE:
            return TRUE
        out.extend(f.items if isinstance(f, Or) else [f])
    return FALSE if not out else out[0] if len(out) == 1 else Or(tuple(out))


def negate(f: Any) -> Any:
    if f is TRUE:
        return FALSE
    if f is FALSE:
        return TRUE
    if isinstance(f, Pred):
        return Pred(f.neg, f.pos)
    if isinstance(f, And):
        return disj(*(negate(x) for x in f.items))
    return conj(*(negate(x) for x in f.items))


def formula_json(f: Any) -> list:
    """The formula as the items of a durable ``$and`` list."""
    if f is TRUE:
        return []
    if f is FALSE:
        raise AssertionError("a rule that can never fire was generated")
    if isinstance(f, And):
        return [_node_json(x) for x in f.items]
    return [_node_json(f)]


def _node_json(f: Any) -> Any:
    if isinstance(f, Pred):
        return f.pos
    # see paths(): an $or fires a rule once per alternative that holds, and next to a
    # join reference it loses the join; no generated rule contains one
    raise AssertionError(f"only conjunctions of predicates may reach durable: {f}")


def terms(f: Any, top: bool = True) -> int:
    """Terms durable stores for a condition (nested groups cost one each)."""
    if f is TRUE or f is FALSE or isinstance(f, Pred):
        return 0 if f is TRUE or f is FALSE else 1
    inner = sum(terms(x, False) for x in f.items)
    return inner if top and isinstance(f, And) else inner + 1


def eq(field: str, value: Any) -> Pred:
    return Pred({field: value}, {"$neq": {field: value}})


def eq_field(a: str, b: str) -> Pred:
    return Pred({a: {"$m": b}}, {"$neq": {a: {"$m": b}}})


ORDER_OPS = {"lt": ("$lt", "$gte"), "le": ("$lte", "$gt"), "gt": ("$gt", "$lte"), "ge": ("$gte", "$lt")}


def order_field(op: str, a: str, b: str) -> Pred:
    """``a <op> b`` on two fields of the fact (both numbers, or both strings)."""
    pos, neg = ORDER_OPS[op]
    return Pred({pos: {a: {"$m": b}}}, {neg: {a: {"$m": b}}})


def member(items: str, count: str, needle: str) -> Any:
    """The canonical string ``needle`` is one of the list ``items`` (``$iall`` is false on [])."""
    return conj(Pred({"$gt": {count: 0}}, {"$lte": {count: 0}}),
                Pred({"$iany": {items: {"$i": {"$m": needle}}}},
                     {"$iall": {items: {"$neq": {"$i": {"$m": needle}}}}}))


# ---------------------------------------------------------------- decision trees
# Each node's semantics is a decision tree over the fields of its fact; every
# root-to-leaf path becomes one rule, so the rules of a node are mutually
# exclusive and cover every case by construction.

@attrs.frozen
class If:
    cond: Any
    then: Any
    orelse: Any


@attrs.frozen
class Leaf:
    value: str                 # T F U E
    detail: tuple = ()         # what the action needs to explain the value


def paths(tree: Any) -> list[tuple[Any, Leaf]]:
    """Every root-to-leaf path of ``tree`` as a conjunction of single predicates.

    Compound conditions are first split into nested ``If`` s over single
    predicates: durable-rules turns an ``$or`` into one alpha path per
    alternative, so a fact that satisfies two alternatives fires the rule twice.
    Rules made of plain conjunctions, one per path, fire at most once per fact.
    Tests already decided on the way down are not repeated (and paths that
    contradict themselves are dropped).
    """
    out: list[tuple[Any, Leaf]] = []

    def walk(node: Any, path: list, known: "_Known") -> None:
        if isinstance(node, Leaf):
            out.append((conj(*path), node))
            return
        cond = node.cond
        if cond is TRUE or cond is FALSE:
            walk(node.then if cond is TRUE else node.orelse, path, known)
        elif isinstance(cond, And):
            rest = conj(*cond.items[1:])
            walk(If(cond.items[0], If(rest, node.then, node.orelse), node.orelse), path, known)
        elif isinstance(cond, Or):
            rest = disj(*cond.items[1:])
            walk(If(cond.items[0], node.then, If(rest, node.then, node.orelse)), path, known)
        else:
            truth = known.truth(cond)
            if truth is not None:
                walk(node.then if truth else node.orelse, path, known)
                return
            walk(node.then, path + [cond], known.plus(cond, True))
            walk(node.orelse, path + [negate(cond)], known.plus(cond, False))

    walk(tree, [], _Known())
    return out


class _Known:
    """What the tests on a path have already settled: equalities with constants, and literals."""

    def __init__(self, eqs: dict | None = None, neqs: frozenset = frozenset(), lits: dict | None = None) -> None:
        self.eqs = eqs or {}
        self.neqs = neqs
        self.lits = lits or {}

    @staticmethod
    def _const_eq(pred: Pred) -> tuple | None:
        pos = pred.pos
        if len(pos) == 1:
            (k, v), = pos.items()
            if not k.startswith("$") and not isinstance(v, (dict, list)):
                return k, json.dumps(v)
        return None

    def truth(self, pred: Pred) -> bool | None:
        for p, flip in ((pred, False), (negate(pred), True)):
            ce = self._const_eq(p)
            if ce is not None:
                field, value = ce
                if field in self.eqs:
                    return (self.eqs[field] == value) != flip
                if (field, value) in self.neqs:
                    return flip
        key = json.dumps(pred.pos, sort_keys=True)
        if key in self.lits:
            return self.lits[key]
        nkey = json.dumps(pred.neg, sort_keys=True)
        if nkey in self.lits:
            return not self.lits[nkey]
        return None

    def plus(self, pred: Pred, truth: bool) -> "_Known":
        eqs, neqs, lits = dict(self.eqs), self.neqs, dict(self.lits)
        p = pred if truth else negate(pred)
        ce = self._const_eq(p)
        nce = self._const_eq(negate(p))
        if ce is not None:
            eqs[ce[0]] = ce[1]
        elif nce is not None:
            neqs = neqs | {nce}
        else:
            lits[json.dumps(pred.pos, sort_keys=True)] = truth
        return _Known(eqs, neqs, lits)
