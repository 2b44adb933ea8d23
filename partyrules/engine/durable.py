"""The durable-rules backend: every policy compiled to a durable-rules ruleset.

The native code still computes the *values* a condition looks at (derived
facts, record fields, parameters, arithmetic); durable-rules decides the
*logic*: each comparison, Kleene's ``and``/``or``/``not`` with errors, and the
outcome of ``where``/``require``/``unless``. How (docs/engines.md has the long
version):

1. **Compile** (pure Python, cached per policy structure). A condition is cut
   into *atoms*, its maximal non-boolean sub-expressions (``full_members(org)``,
   ``param('x')``, ``len(org.committee_members)``, ``'branch'``), and a tree of
   logic nodes: *pairs* (one comparison ``a <op> b`` of a chain), *leaves* (an
   atom used as a truth value), binary ``and``/``or`` (n-ary ones are folded
   left, which is exactly how the native engine short-circuits) and ``not``.
   Every node has one of four values: T, F, U (unknown) or E (evaluation stops
   with an error; N at the root: not a truth value). Each node's semantics is a
   decision tree whose paths become small, mutually exclusive rules, so a fact
   fires exactly one of them: a pair's rules look at one fact holding both
   operands (kind tags, order values, canonical equality strings, the bounds
   of a partly known count), a parent's rules join its children's value facts
   on the subject reference ``ref``. A chain of stage facts then decides the
   outcome exactly as ``native._decide`` does (where → require → each unless
   in order → evidence), and a final rule records it. The rules are packed in
   rulesets of at most 64.
2. **Run**. Per subject the atoms are evaluated natively and encoded into pair
   and leaf facts; those are asserted, rules fire, their actions assert the
   value/stage facts of the next level (forward chaining inside durable), and
   the final rules record the outcome. Messages, evidence and the paths of
   missing facts are then assembled exactly as the native engine does, from the
   node values durable recorded.

All of durable's process-wide state lives in :class:`DurableHost`: a private
``durable.engine.Host`` without its timer threads, unique ruleset names, one
lock around every call into durable; :class:`Collector` holds one state
(``sid``), runs its actions itself with durable's low-level calls and deletes
the state only after every pending action has run.

``durable`` is imported lazily (inside :class:`DurableHost`), so that this
module, and ``partyrules``, import on Python versions where durable-rules does
not load.
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import hashlib
import itertools
import json
import threading
from typing import Any, Callable, Iterable, Mapping

import attrs

from ..errors import PolicyError, UsageError
from ..facts.derive import Derived
from ..facts.view import Unknown, View
from ..periods import Month
from ..report.model import Result, Subject
from ..rulebook.expr import Env, EvalError, Expr, evaluate
from ..rulebook.policy import Policy
from .base import Engine
from .native import _unknown_message, build_result, env_maker, org_kind, result_base, subjects

# Limits that keep every ruleset far from durable-rules' measured failure points
# (docs/engines.md): >~512 rules per ruleset hangs, 65 rules matching one fact
# fail with error 303, an expression of more than ~31 terms fails with 113. A
# ruleset of at most 64 rules can never have 65 rules matching one fact.
MAX_RULES_PER_RULESET = 64
MAX_TERMS_PER_CONDITION = 24
MAX_OPEN_STATES = 1000           # durable allows 1,024 live sids per ruleset
MAX_SUBSTRING_HAYSTACK = 64      # `x in s` on a string: all substrings of s are asserted

MAX_NUMBER = 2 ** 53             # durable parses numbers as C long/double, and no exponents
NO_BOUND = MAX_NUMBER            # stands for a missing bound of a partly known count
_ORDER_CLASS = {"num": "n", "bool": "n", "str": "s", "date": "d", "month": "m", "none": "0"}


def durable_available() -> tuple[bool, str]:
    """Whether durable-rules can be imported here, and why not."""
    try:
        import durable.engine  # noqa: F401
        import durable.lang  # noqa: F401
    except Exception as exc:  # ImportError, or the C extension's undefined symbol on 3.13
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


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


_ORDER_OPS = {"lt": ("$lt", "$gte"), "le": ("$lte", "$gt"), "gt": ("$gt", "$lte"), "ge": ("$gte", "$lt")}


def order_field(op: str, a: str, b: str) -> Pred:
    """``a <op> b`` on two fields of the fact (both numbers, or both strings)."""
    pos, neg = _ORDER_OPS[op]
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


# ============================================================================ encoding values

def kind_of(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unk"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "num"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, Month):
        return "month"
    if isinstance(value, (tuple, list, frozenset, set)):
        return "list"
    return "rec"


def canonical(value: Any) -> Any:
    """A JSON value equal for two Python values exactly when ``==`` says they are equal."""
    if value is None:
        return ["z"]
    if isinstance(value, bool):
        return ["n", int(value)]
    if isinstance(value, int):
        return ["n", str(value)] if abs(value) > 2 ** 53 else ["n", value]
    if isinstance(value, float):
        if value.is_integer():
            return canonical(int(value))
        return ["n", repr(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Month):
        return ["M", str(value)]
    if isinstance(value, tuple):
        return ["t", [canonical(v) for v in value]]
    if isinstance(value, list):
        return ["l", [canonical(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["S", sorted((canonical(v) for v in value), key=lambda c: json.dumps(c, sort_keys=True))]
    if isinstance(value, Unknown):
        return ["U", sorted(value.missing), canonical(value.lo), canonical(value.hi)]
    if attrs.has(type(value)):
        return ["r", type(value).__module__ + "." + type(value).__qualname__,
                [canonical(getattr(value, a.name)) for a in attrs.fields(type(value)) if a.eq]]
    return ["o", type(value).__qualname__, id(value)]


def canon_text(value: Any) -> str:
    return json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def order_class(value: Any) -> str:
    """Which values can be ordered against each other (``0`` None, ``x`` never, ``X`` not by durable)."""
    kind = kind_of(value)
    if kind in _ORDER_CLASS:
        return _ORDER_CLASS[kind]
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return "L" if isinstance(value, tuple) else "l"
    return "X" if kind == "list" else "x"


def order_value(value: Any) -> Any:
    """What durable orders: numbers as numbers, text as the hex of its UTF-8 bytes.

    (durable compares strings on their JSON-escaped text, so ``'a\tb' < 'a b'``
    would come out wrong; hex digits need no escaping and keep the byte order,
    which for UTF-8 is Python's code point order.)
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").hex()
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        # element by element, a shorter prefix first: "!" sorts below every hex digit
        return "".join(order_value(v) + "!" for v in value)
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, Month):
        return value.year * 12 + value.month - 1
    return 0


class Fatal:
    """An atom that raised something other than a policy error: re-raised if reached."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Failed:
    """An atom whose evaluation failed with a policy error (outcome ``error`` if reached)."""

    def __init__(self, message: str) -> None:
        self.message = message


def encode_operand(prefix: str, value: Any, needs: frozenset) -> dict:
    """The fields of one comparison operand."""
    if isinstance(value, (Failed, Fatal)):
        return {prefix + "k": "err"}
    kind = kind_of(value)
    out: dict[str, Any] = {prefix + "k": kind}
    if "c" in needs:
        out[prefix + "c"] = canon_text(value) if kind not in ("unk",) else ""
    if "v" in needs:
        out[prefix + "v"] = number(order_value(value))
        out[prefix + "q"] = order_class(value)
    if "b" in needs:
        # a missing bound is a huge sentinel, so "hi < c" needs no "has a bound" test
        lo = value.lo if kind == "unk" else None
        hi = value.hi if kind == "unk" else None
        out.update({prefix + "lo": number(lo) if lo is not None else -NO_BOUND,
                    prefix + "hi": number(hi) if hi is not None else NO_BOUND})
    if "items" in needs:
        items: list[str] = []
        has_unknown = 0
        if kind == "list":
            items = sorted({canon_text(v) for v in value})
            has_unknown = int(isinstance(value, tuple) and any(isinstance(v, Unknown) for v in value))
        elif kind == "str":
            if len(value) > MAX_SUBSTRING_HAYSTACK:
                raise UsageError(f"the durable engine decides `x in s` on a string of at most "
                                 f"{MAX_SUBSTRING_HAYSTACK} characters, got one of {len(value)}; "
                                 "use the native engine (--engine native)")
            items = sorted({canon_text(value[i:j]) for i in range(len(value) + 1)
                            for j in range(i, len(value) + 1)})
        out.update({prefix + "items": items, prefix + "ni": len(items), prefix + "hu": has_unknown})
    return out


class Exact:
    """A float whose shortest text has an exponent (``1e-05``), which durable cannot parse."""

    def __init__(self, value: float) -> None:
        self.value = value


def number(value: Any) -> Any:
    """A number as it may go into a fact: within ±2**53, finite, and marked when it needs care."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value or abs(value) > MAX_NUMBER:
        raise UsageError(f"the durable engine compares numbers up to ±2**53 only, got {value!r}; "
                         "use the native engine (--engine native)")
    if isinstance(value, float) and "e" in repr(value):
        return Exact(value)
    return value


def dumps(value: Any) -> str:
    """JSON as durable-rules parses it: no exponents (the slow path of ``_json``)."""
    if isinstance(value, Exact):
        return format(decimal.Decimal(repr(value.value)), "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        if value != value or abs(value) > MAX_NUMBER:
            raise UsageError(f"the durable engine compares numbers up to ±2**53 only, got {value!r}; "
                             "use the native engine (--engine native)")
        if isinstance(value, int):
            return str(value)
        return format(decimal.Decimal(repr(value)), "f")
    raise TypeError(f"cannot send {value!r} to durable-rules")


# ============================================================================ compiling

_OPS = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
        ast.In: "in", ast.NotIn: "notin", ast.Is: "is", ast.IsNot: "isnot"}
_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
_NEEDS = {"eq": ("c", "c"), "ne": ("c", "c"), "lt": ("v", "v"), "le": ("v", "v"), "gt": ("v", "v"),
          "ge": ("v", "v"), "in": ("c", "items"), "notin": ("c", "items"), "is": ((), ()), "isnot": ((), ())}


@attrs.frozen
class Node:
    """One logic node: ``kind`` is pair, leaf, and, or, not; ``args`` its children or atoms."""

    id: int
    kind: str
    args: tuple
    op: str = ""
    context: str = ""


@attrs.frozen
class Rule:
    name: str
    condition: dict            # durable's JSON form: {"all": [...]}
    action: tuple              # what the action does (see Collector.act)


@attrs.frozen
class Family:
    """Rules that consume the same facts: they must share a ruleset (their joins meet there)."""

    name: str                  # pair:<op>, leaf, node:<n>, where, stage:<i>, end, final
    rules: tuple


@attrs.frozen
class Compiled:
    """A policy compiled to durable-rules: its atoms, logic nodes, and rules in groups.

    Each group becomes one ruleset of at most ``MAX_RULES_PER_RULESET`` rules.
    A fact goes to the one group whose rules consume it (``route``); a rule's
    action that produces a fact for another group hands it over after the
    current batch (durable cannot join across rulesets, and need not: every
    rule's facts meet in its own group).
    """

    signature: str
    atoms: tuple               # Expr per atom
    nodes: tuple               # Node per id
    where: int | None
    require: int
    unless: tuple
    groups: tuple              # tuple of tuples of Family
    family_group: Mapping[str, int] = attrs.field(eq=False)
    parents: Mapping[int, str] = attrs.field(eq=False)   # node → the family consuming its value

    def group_of_fact(self, fact: Mapping[str, Any]) -> int:
        t = fact["t"]
        if t == "p":
            family = f"pair:{fact['op']}"
        elif t == "b":
            family = "leaf"
        elif t == "v":
            family = self.parents[fact["n"]]
        elif t == "d":
            st = max(0, fact["st"])          # -1: where was unknown, decided with require's value
            family = f"stage:{st}" if st <= len(self.unless) else "end"
        elif t == "w":
            family = "where"
        else:                  # o, e, om
            family = "final"
        return self.family_group[family]

    @property
    def rule_count(self) -> int:
        return sum(len(f.rules) for g in self.groups for f in g)

    def ruleset(self, group: int, actions: Callable[[tuple], Callable]) -> dict:
        out = {}
        for family in self.groups[group]:
            for r in family.rules:
                out[r.name] = dict(r.condition, run=actions(r.action))
        # the first fact of every state: its no-op action initialises the state's action
        # context, which durable-rules 2.0.28 leaves uninitialised and frees on delete_state
        out["hello"] = {"all": [{"m": {"t": "hello"}}], "run": actions(("hello",))}
        # catch-alls that never fire: every fact type is "handled" in every ruleset, so a
        # batch can never raise MessageNotHandledException and leave actions pending
        for t in FACT_TYPES:
            out[f"never-{t}"] = {"all": [{"a": {"t": t}}, {"z": {"t": "__never__"}}], "run": actions(("never",))}
        return out


FACT_TYPES = ("p", "b", "v", "w", "d", "o", "e", "om")
MAX_FAMILY_RULES = MAX_RULES_PER_RULESET - len(FACT_TYPES) - 1     # and the "hello" rule


class CompileError(PolicyError):
    """A condition the durable engine cannot compile (raised when the policy is first used)."""


def signature(policy: Policy) -> str:
    """The policy's logic, as the key of its compiled rulesets (same logic → same rulesets)."""
    parts = [ast.dump(policy.where.tree) if policy.where is not None else "-", ast.dump(policy.require.tree)]
    parts += [ast.dump(u.when.tree) for u in policy.unless]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def compile_policy(policy: Policy) -> Compiled:
    """Compile ``policy``'s where/require/unless; raise :class:`CompileError` for what durable cannot decide."""
    atoms: list[Expr] = []
    nodes: list[Node] = []

    def fail(message: str) -> CompileError:
        return CompileError(policy.source or policy.id,
                            f"policy {policy.id}: the durable engine cannot compile this condition: {message} "
                            "(use the native engine, or rewrite the condition)",
                            policy.line, 1 if policy.line else None)

    def atom(node: ast.expr) -> int:
        """A value the native code computes. A conditional value (``p if org.kind == 'x' else q``)
        is a value too, test included; any other logic inside a value is refused."""
        def check(sub: ast.AST, in_test: bool) -> None:
            logic = isinstance(sub, (ast.BoolOp, ast.Compare)) or (isinstance(sub, ast.UnaryOp)
                                                                  and isinstance(sub.op, ast.Not))
            if logic and not in_test:
                raise fail(f"logic inside a value ({ast.unparse(node)!r}): and/or/not and comparisons "
                           "belong at the top of a condition (or in the test of a conditional value)")
            if isinstance(sub, ast.IfExp):
                check(sub.test, True)
                check(sub.body, in_test)
                check(sub.orelse, in_test)
                return
            for child in ast.iter_child_nodes(sub):
                check(child, in_test)

        check(node, False)
        atoms.append(Expr(ast.unparse(node), ast.Expression(body=node)))
        return len(atoms) - 1

    def new(kind: str, args: tuple, op: str = "", context: str = "") -> int:
        nodes.append(Node(len(nodes), kind, args, op, context))
        return len(nodes) - 1

    def boolean(node: ast.expr, context: str) -> int:
        if isinstance(node, ast.BoolOp):
            kind = "and" if isinstance(node.op, ast.And) else "or"
            ids = [boolean(v, "and/or operand") for v in node.values]
            acc = ids[0]
            for nxt in ids[1:]:           # folded left: the native engine's evaluation order
                acc = new(kind, (acc, nxt))
            return acc
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return new("not", (boolean(node.operand, "not operand"),))
        if isinstance(node, ast.Compare):
            # a chain a < b < c is (a < b) and (b < c), b evaluated once, c only if a < b is not false
            operands = [atom(node.left)] + [atom(c) for c in node.comparators]
            pairs = [new("pair", (operands[i], operands[i + 1]), _OPS[type(op)]) for i, op in enumerate(node.ops)]
            acc = pairs[0]
            for nxt in pairs[1:]:
                acc = new("and", (acc, nxt))
            return acc
        if isinstance(node, ast.IfExp):
            raise fail(f"conditional expression {ast.unparse(node)!r} used as a condition; write it with and/or")
        return new("leaf", (atom(node),), context=context)

    where = boolean(policy.where.tree.body, "where") if policy.where is not None else None
    require = boolean(policy.require.tree.body, "require")
    unless = tuple(boolean(u.when.tree.body, "unless") for u in policy.unless)
    families = _families(nodes, where, require, unless)
    parents: dict[int, str] = {}
    for node in nodes:
        for child in node.args if node.kind in ("and", "or", "not") else ():
            parents[child] = f"node:{node.id}"
    if where is not None:
        parents[where] = "where"
    parents[require] = "stage:0"
    for i, u in enumerate(unless):
        parents[u] = f"stage:{i + 1}"
    groups: list[list[Family]] = []
    for family in families:               # first fit, in order
        if len(family.rules) > MAX_FAMILY_RULES:
            raise fail(f"one of its parts needs {len(family.rules)} rules, more than a ruleset may hold")
        for g in groups:
            if sum(len(f.rules) for f in g) + len(family.rules) <= MAX_FAMILY_RULES:
                g.append(family)
                break
        else:
            groups.append([family])
    family_group = {f.name: i for i, g in enumerate(groups) for f in g}
    return Compiled(signature(policy), tuple(atoms), tuple(nodes), where, require, unless,
                    tuple(tuple(g) for g in groups), family_group, parents)


def _alias(t: str, *formulas: Any, **fields: Any) -> dict:
    items: list = [{"t": t}] + [{k: v} for k, v in fields.items()]
    for f in formulas:
        items += formula_json(f)
    return {"$and": items} if len(items) > 1 else items[0]


def _families(nodes: list[Node], where: int | None, require: int, unless: tuple) -> list[Family]:
    families: list[Family] = []
    rules: list[Rule] = []
    count = itertools.count()

    def add(aliases: list[tuple[str, dict]], action: tuple) -> None:
        rules.append(Rule(f"r{next(count)}", {"all": [{name: cond} for name, cond in aliases]}, action))

    def close(name: str) -> None:
        families.append(Family(name, tuple(rules)))
        rules.clear()

    def val(v: str, n: int | None, *detail: Any) -> tuple:
        return ("val", n, v) + detail

    # one family of rules per comparison operator used, one for truth leaves: the fact
    # carries its node id, which the action passes on to the value fact it asserts
    for op in sorted({node.op for node in nodes if node.kind == "pair"}):
        for path, leaf in paths(_pair_tree(op)):
            if terms(path) > MAX_TERMS_PER_CONDITION:
                raise AssertionError(f"pair condition too long: {terms(path)}")
            add([("m", _alias("p", path, op=op))], val(leaf.value, None, *leaf.detail))
        close(f"pair:{op}")
    if any(node.kind == "leaf" for node in nodes):
        for path, leaf in paths(_leaf_tree()):
            add([("m", _alias("b", path))], val(leaf.value, None, *leaf.detail))
        close("leaf")
    for node in nodes:
        n = node.id
        if node.kind in ("pair", "leaf"):
            continue
        if node.kind == "not":
            (x,) = node.args
            for v, out in (("T", "F"), ("F", "T"), ("U", "U")):
                add([("x", _alias("v", eq("v", v), n=x))], val(out, n, "x") if out == "U" else val(out, n))
            add([("x", _alias("v", eq("v", "E"), n=x))], val("E", n, "x"))
        else:
            x, y = node.args
            stop, go = ("F", "T") if node.kind == "and" else ("T", "F")
            ref = {"ref": {"x": "ref"}}
            x_is = lambda v: eq("v", v)  # noqa: E731

            def pair_rule(xv: tuple, yv: tuple, action: tuple) -> None:
                # one rule per combination of values: an $or next to a join reference breaks the
                # join in durable-rules (the alternatives become alpha paths without it)
                for a, b in itertools.product(xv, yv):
                    add([("x", _alias("v", x_is(a), n=x)),
                         ("y", {"$and": [{"t": "v"}, {"n": y}, {"v": b}, ref]})], action)

            # Kleene and (or, dually) with errors, exactly as expr._eval evaluates left to right
            add([("x", _alias("v", eq("v", stop), n=x))], val(stop, n))
            add([("x", _alias("v", eq("v", "E"), n=x))], val("E", n, "x"))
            pair_rule((go, "U"), (stop,), val(stop, n))
            pair_rule((go, "U"), ("E",), val("E", n, "y"))
            pair_rule((go,), (go,), val(go, n))
            pair_rule((go, "U"), ("U",), val("U", n, "x", "y"))
            pair_rule(("U",), (go,), val("U", n, "x"))
        close(f"node:{n}")

    # ---- the outcome, as native._decide: where → require → unless[0..k-1] → end, then evidence
    # (where F: not applicable, no evidence; where U: unknown; a stage carries u=1 once
    # require or an unless was unknown)
    end = len(unless) + 1
    if where is None:
        add([("w", _alias("w"))], ("stage", 0, 0))
    else:
        # not applicable: the native engine shows no evidence then, so none is looked at
        add([("x", _alias("v", eq("v", "F"), n=where))], ("final", "not_applicable", None))
        add([("x", _alias("v", eq("v", "E"), n=where))], ("final", "error", where))
        add([("x", _alias("v", eq("v", "T"), n=where))], ("stage", 0, 0))
        add([("x", _alias("v", eq("v", "N"), n=where))], ("final", "error", where))
        # unknown whether it applies: unknown whatever require says, but require is still
        # evaluated (an error in it is the outcome; its missing facts are listed) - native._decide
        add([("x", _alias("v", eq("v", "U"), n=where))], ("stage", -1, 0))
    close("where")
    for stage, node in enumerate((require,) + tuple(unless)):
        outcome_t = ("pre", "satisfied", None) if stage == 0 else ("pre", "satisfied", stage - 1)

        def stage_rule(u: tuple, values: tuple, action: tuple, stage: int = stage, node: int = node) -> None:
            for known, value in itertools.product(u, values):
                d = _alias("d", st=stage, u=known)
                x = {"$and": [{"t": "v"}, {"n": node}, {"v": value}, {"ref": {"d": "ref"}}]}
                add([("d", d), ("x", x)], action)

        stage_rule((0, 1), ("E", "N"), ("final", "error", node))
        stage_rule((0, 1), ("T",), outcome_t)
        stage_rule((0,), ("F",), ("stage", stage + 1, 0))
        stage_rule((0,), ("U",), ("stage", stage + 1, 1))
        stage_rule((1,), ("F", "U"), ("stage", stage + 1, 1))
        if stage == 0 and where is not None:        # where was unknown (d st=-1): require decides little
            stage_rule((0,), ("E",), ("final", "error", node), stage=-1)
            stage_rule((0,), ("U",), ("pre", "unknown", "where+require"), stage=-1)
            stage_rule((0,), ("T", "F", "N"), ("pre", "unknown", "where"), stage=-1)
        close(f"stage:{stage}")
    add([("d", _alias("d", st=end, u=0))], ("pre", "violated", None))
    add([("d", _alias("d", st=end, u=1))], ("pre", "unknown", None))
    close("end")
    ref_o = {"ref": {"o": "ref"}}
    add([("o", _alias("o")), ("e", {"$and": [{"t": "e"}, {"err": 0}, ref_o]})], ("final", "pre", None))
    add([("o", _alias("o")), ("e", {"$and": [{"t": "e"}, {"err": 1}, ref_o]})], ("final", "error", "evidence"))
    add([("m", _alias("om"))], ("final", "omitted", None))
    close("final")
    return families


def _leaf_tree() -> Any:
    """An atom used as a truth value (``_truth``, and the root checks of ``_decide``).

    A value that is not true, false or unknown stops an and/or/not (E); at the
    root of where/require/unless it is N, which ``_decide`` treats as an error
    except where it never looks at it (require when where is unknown).
    """
    return If(eq("k", "err"), Leaf("E", ("atom",)),
              If(eq("k", "unk"), Leaf("U", ("atom",)),
                 If(eq("k", "bool"), If(eq("v", 1), Leaf("T"), Leaf("F")),
                    If(eq("root", 1), Leaf("N", ("nonbool",)), Leaf("E", ("nonbool",))))))


def _bounded(op: str, u: str, c: str) -> Any:
    """``expr._bounded``: decide ``u <op> c`` from the bounds of the unknown ``u``."""
    lo, hi, cv = u + "lo", u + "hi", c + "v"
    if op in ("eq", "ne"):
        t, f = ("T", "F") if op == "eq" else ("F", "T")
        outside = If(order_field("gt", lo, cv), Leaf(f, ("bounded", u)),
                     If(order_field("lt", hi, cv), Leaf(f, ("bounded", u)), Leaf("U", ("pair",))))
        tree = If(conj(eq_field(lo, hi), eq_field(lo, cv)), Leaf(t, ("bounded", u)), outside)
    else:
        true_if = {"lt": order_field("lt", hi, cv), "le": order_field("le", hi, cv),
                   "gt": order_field("gt", lo, cv), "ge": order_field("ge", lo, cv)}[op]
        false_if = {"lt": order_field("ge", lo, cv), "le": order_field("gt", lo, cv),
                    "gt": order_field("le", hi, cv), "ge": order_field("lt", hi, cv)}[op]
        tree = If(true_if, Leaf("T", ("bounded", u)), If(false_if, Leaf("F", ("bounded", u)), Leaf("U", ("pair",))))
    return If(eq(c + "k", "num"), tree, Leaf("U", ("pair",)))


def _pair_tree(op: str) -> Any:
    """``expr._compare`` for one comparison of a chain, operands ``l`` and ``r``."""
    if op in _FLIP:
        unknown_l = If(eq("rk", "unk"), Leaf("U", ("pair",)), _bounded(op, "l", "r"))
        unknown_r = _bounded(_FLIP[op], "r", "l")
    else:
        unknown_l = unknown_r = Leaf("U", ("pair",))
    if op in ("eq", "ne"):
        t, f = ("T", "F") if op == "eq" else ("F", "T")
        known = If(eq_field("lc", "rc"), Leaf(t), Leaf(f))
    elif op in _ORDER_OPS:
        cannot = Leaf("E", ("cannot_order",))
        type_error, unsupported = Leaf("E", ("type_error",)), Leaf("E", ("unsupported",))
        sequence_r = disj(eq("rq", "L"), eq("rq", "l"), eq("rq", "X"))
        known = If(eq("lq", "0"), cannot, If(eq("rq", "0"), cannot,
                   If(eq("lq", "X"), If(sequence_r, unsupported, type_error),
                      If(eq("rq", "X"), If(disj(eq("lq", "L"), eq("lq", "l")), unsupported, type_error),
                         If(eq_field("lq", "rq"),
                            If(eq("lq", "x"), type_error, If(order_field(op, "lv", "rv"), Leaf("T"), Leaf("F"))),
                            type_error)))))
    elif op in ("is", "isnot"):
        t, f = ("T", "F") if op == "is" else ("F", "T")
        known = If(eq("lk", "none"), If(eq("rk", "none"), Leaf(t), Leaf(f)),
                   If(eq("rk", "none"), Leaf(f), Leaf("E", ("is_not_none",))))
    else:  # in, notin
        t, f = ("T", "F") if op == "in" else ("F", "T")
        found = member("ritems", "rni", "lc")
        known = If(eq("rk", "list"), If(found, Leaf(t), If(eq("rhu", 1), Leaf("U", ("list_unknown",)), Leaf(f))),
                   If(eq("rk", "str"), If(eq("lk", "str"), If(found, Leaf(t), Leaf(f)), Leaf("E", ("in_string",))),
                      Leaf("E", ("in_type",))))
    return If(eq("lk", "err"), Leaf("E", ("atom", "l")),
              If(eq("rk", "err"), Leaf("E", ("atom", "r")),
                 If(eq("lk", "unk"), unknown_l,
                    If(eq("rk", "unk"), unknown_r, known))))


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
                definition = compiled.ruleset(g, lambda spec: _never_called)
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


def _never_called(c: Any) -> None:  # pragma: no cover - the Collector runs actions itself
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
            code, _ = self.host.core.assert_fact(self.host.handles[name], _json(fact))
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
                    facts = [{"t": "hello", "sid": self.sid}] + facts
                self._call(name, "assert_facts", facts)
                if name not in self.greeted:
                    raise EngineFailure(f"the state {self.sid} of {name} was not initialised")
            pending, self.outbox = self.outbox, {}
        raise EngineFailure("facts kept flowing between rulesets")

    def retract(self, name: str, fact: dict) -> None:
        self._call(name, "retract_fact", fact)
        self.asserted.discard(self._key(fact))

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
        code, handle = getattr(self.host.core, what)(ruleset, _json(payload))
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


def _json(payload: Any) -> str:
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return dumps(payload)             # numbers that need care (see encode_operand)


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
        return _json(self.facts)


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
                need_l, need_r = _NEEDS[node.op]
                fact = {"t": "p", "op": node.op, "n": node.id}
                bounds = ("b", "v") if node.op in _FLIP else ()
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
        return (f"TypeError: '{_SYMBOL[n.op]}' not supported between instances of "
                f"'{_tp_name(left)}' and '{_tp_name(right)}'")
    if what == "is_not_none":
        return "'is' only compares with None: write 'x is None'"
    if what == "in_type":
        return f"'in' needs a list on its right, got {right!r}"
    if what == "in_string":
        return f"TypeError: 'in <string>' requires string as left operand, not {_tp_name(left)}"
    if what == "unsupported":
        raise UsageError(f"the durable engine cannot order these lists ({left!r} {_SYMBOL[n.op]} {right!r}): "
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
                names: Mapping[str, tuple[str, bool]] = {}, records_from: Any = None) -> Result:
    """The report entry for one subject, from the outcome durable decided."""
    base = result_base(policy, rulebook.registry, as_of, inp.org_kind)
    outcome, source = final
    subject = inp.subject
    if outcome == "omitted":
        return Result(outcome="unknown", subject=subject, message=_unknown_message((inp.omitted,)), evidence={},
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
        for inp in inputs:
            final, values = state.decisions(inp.key)
            results.append(make_result(compiled, policy, inp, final, values, rulebook, view.as_of, view.names,
                                       view.records_from))
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
