"""The formula compiler: a policy's where/require/unless cut into atoms and logic nodes, each node's
semantics a decision tree whose paths become rules, packed in rulesets of at most 64 rules.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
from typing import Any, Callable, Mapping

import attrs

from ...rulebook.expr import Expr
from ...rulebook.policy import Policy
from ...errors import PolicyError
from .formulas import If, Leaf, ORDER_OPS, conj, disj, eq, eq_field, formula_json, member, order_field, paths, terms


# Limits that keep every ruleset far from durable-rules' measured failure points
# (docs/engines.md): >~512 rules per ruleset hangs, 65 rules matching one fact
# fail with error 303, an expression of more than ~31 terms fails with 113. A
# ruleset of at most 64 rules can never have 65 rules matching one fact.
MAX_RULES_PER_RULESET = 64
MAX_TERMS_PER_CONDITION = 24


# ============================================================================ compiling

_OPS = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
        ast.In: "in", ast.NotIn: "notin", ast.Is: "is", ast.IsNot: "isnot"}
SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
NEEDS = {"eq": ("c", "c"), "ne": ("c", "c"), "lt": ("v", "v"), "le": ("v", "v"), "gt": ("v", "v"),
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
        for path, leaf in paths(pair_tree(op)):
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

            # Kleene and (or, dually) with errors, exactly as the native engine evaluates left to right
            add([("x", _alias("v", eq("v", stop), n=x))], val(stop, n))
            add([("x", _alias("v", eq("v", "E"), n=x))], val("E", n, "x"))
            pair_rule((go, "U"), (stop,), val(stop, n))
            pair_rule((go, "U"), ("E",), val("E", n, "y"))
            pair_rule((go,), (go,), val(go, n))
            pair_rule((go, "U"), ("U",), val("U", n, "x", "y"))
            pair_rule(("U",), (go,), val("U", n, "x"))
        close(f"node:{n}")

    # ---- the outcome, as kleene.decide: where → require → unless[0..k-1] → end, then evidence
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
        # evaluated (an error in it is the outcome; its missing facts are listed) - kleene.decide
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
    """An atom used as a truth value (``_truth``, and the root checks of ``kleene.decide``).

    A value that is not true, false or unknown stops an and/or/not (E); at the
    root of where/require/unless it is N, which ``kleene.decide`` treats as an error
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


def pair_tree(op: str) -> Any:
    """``expr._compare`` for one comparison of a chain, operands ``l`` and ``r``."""
    if op in FLIP:
        unknown_l = If(eq("rk", "unk"), Leaf("U", ("pair",)), _bounded(op, "l", "r"))
        unknown_r = _bounded(FLIP[op], "r", "l")
    else:
        unknown_l = unknown_r = Leaf("U", ("pair",))
    if op in ("eq", "ne"):
        t, f = ("T", "F") if op == "eq" else ("F", "T")
        known = If(eq_field("lc", "rc"), Leaf(t), Leaf(f))
    elif op in ORDER_OPS:
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
