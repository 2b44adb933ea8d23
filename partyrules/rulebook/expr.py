"""Policy conditions: a small, safe expression language with three-valued truth.

Conditions are written in Python syntax and parsed by the standard ``ast``
module, but never handed to ``eval``: only a whitelist of nodes is accepted
(``and or not``, comparisons, ``in``, ``is None``, arithmetic, ``x if c else
y``, literals, field access, and calls of derived facts, ``param('name')`` (or
``param('name', day)``: the value in force on another day, ``None`` when none was) and
``len/min/max/abs``). Every name, field and call is checked when the policy is
loaded, and a mistake is reported at the policy file's line and column.

Evaluation follows Kleene's logic: a value that depends on an omitted fact is
an :class:`Unknown`; ``False and Unknown`` is ``False``, ``True or Unknown`` is
``True``, and anything else that touches an unknown stays unknown, carrying the
missing fact paths. Counts known only within bounds still decide comparisons
that the bounds settle.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import math
import operator
from typing import Any, Callable, Mapping

import attrs

from ..errors import PolicyError
from ..facts.derive import RECORD_FIELDS, Derived
from ..facts.view import Unknown, View

BUILTINS: dict[str, Callable[..., Any]] = {"len": len, "min": min, "max": max, "abs": abs}

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Name, ast.Load, ast.Attribute, ast.Call,
    ast.Constant, ast.List, ast.Tuple, ast.IfExp,
)
_DESCRIBE = {
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.DictComp: "comprehensions", ast.SetComp: "comprehensions", ast.Subscript: "indexing",
    ast.Dict: "dict literals", ast.Set: "set literals", ast.NamedExpr: "assignment", ast.Starred: "*args",
    ast.JoinedStr: "f-strings", ast.Await: "await", ast.Yield: "yield", ast.Pow: "**", ast.Mod: "%",
    ast.FloorDiv: "//", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.MatMult: "@",
    ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.UAdd: "unary +",
}
MAX_LENGTH = 4000


class EvalError(Exception):
    """The policy itself failed on one subject (outcome ``error``)."""


@attrs.frozen
class Located:
    """Where an expression's text starts in its file, to point at its parts."""

    source: str
    line: int | None = None
    column: int | None = None
    block: bool = False       # a YAML block scalar: the text starts on the next line
    indent: int = 0           # the block's indentation

    def at(self, node: ast.AST | None, shift: int = 0) -> tuple[int | None, int | None]:
        """The file position of ``node``; ``shift`` lines were added in front of the text to parse it."""
        if self.line is None:
            return None, None
        if node is None or not hasattr(node, "lineno"):
            return self.line, self.column
        lineno = node.lineno - shift
        if self.block:
            return self.line + lineno, self.indent + node.col_offset + 1
        if lineno == 1:
            return self.line, (self.column or 1) + node.col_offset
        return self.line + lineno - 1, node.col_offset + 1


@attrs.frozen
class Expr:
    """A checked expression, ready to evaluate."""

    text: str
    tree: ast.Expression = attrs.field(eq=False, repr=False)
    calls: frozenset = frozenset()
    params: frozenset = frozenset()


def compile_expr(text: Any, where: Located, variables: Mapping[str, str], derived: Mapping[str, Derived],
                 params: Mapping[str, Any]) -> Expr:
    """Parse and check ``text``; raise :class:`PolicyError` at the offending part."""

    shift = 0

    def fail(message: str, node: ast.AST | None = None) -> PolicyError:
        line, col = where.at(node, shift)
        return PolicyError(where.source, message, line, col)

    if not isinstance(text, str) or not text.strip():
        raise fail(f"expected an expression (a string), got {text!r}")
    if len(text) > MAX_LENGTH:
        raise fail(f"expression longer than {MAX_LENGTH} characters")
    # parenthesised on lines of their own: line breaks and leading blanks are allowed,
    # and columns stay those of the file
    source, shift = "(\n" + text.rstrip() + "\n)", 1
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        node = ast.Constant(None)
        node.lineno, node.col_offset = exc.lineno or 1, max(0, (exc.offset or 1) - 1)
        lines = text.rstrip().split("\n")
        if node.lineno - shift > len(lines) or node.lineno - shift < 1:   # at the added parenthesis
            node.lineno, node.col_offset = len(lines) + shift, len(lines[-1])
        raise fail(f"not a valid expression: {exc.msg}", node) from None
    except (RecursionError, MemoryError, ValueError):
        raise fail("expression too deeply nested") from None

    calls: set[str] = set()
    used_params: set[str] = set()
    names = sorted(set(variables) | set(derived) | set(BUILTINS) | {"param"})

    def kind_of(node: ast.AST) -> str | None:
        """The record kind an expression yields, where it is known statically."""
        if isinstance(node, ast.Name):
            return variables.get(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in derived:
            ret = derived[node.func.id].returns
            return ret if ret in RECORD_FIELDS else None
        return None

    def check(node: ast.AST, depth: int = 0) -> None:
        if depth > 50:
            raise fail("expression too deeply nested", node)
        if not isinstance(node, _ALLOWED):
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise fail(f"{what} not allowed in a condition", node)
        if isinstance(node, ast.Name):
            if node.id not in variables:
                if node.id in derived or node.id in BUILTINS or node.id == "param":
                    raise fail(f"{node.id!r} is a function: call it, e.g. {node.id}(...)", node)
                close = difflib.get_close_matches(node.id, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise fail(f"unknown name {node.id!r}{hint}; this policy can use "
                           f"{', '.join(sorted(variables))} and the derived facts", node)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise fail(f"field {node.attr!r} not allowed", node)
            kind = kind_of(node.value)
            if kind is not None and node.attr not in RECORD_FIELDS[kind]:
                close = difflib.get_close_matches(node.attr, RECORD_FIELDS[kind], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise fail(f"{kind} has no field {node.attr!r}{hint}", node)
            check(node.value, depth + 1)
            return
        elif isinstance(node, ast.Call):
            if node.keywords:
                raise fail("keyword arguments not allowed", node)
            if not isinstance(node.func, ast.Name):
                raise fail("only derived facts, param() and len/min/max/abs can be called", node)
            fname = node.func.id
            if fname == "param":
                if len(node.args) not in (1, 2) or not isinstance(node.args[0], ast.Constant) \
                        or not isinstance(node.args[0].value, str):
                    raise fail("param() takes a parameter name in quotes, and optionally a date: "
                               "param('organs.x') or param('organs.x', latest_election(org).date)", node)
                pname = node.args[0].value
                if pname not in params:
                    close = difflib.get_close_matches(pname, list(params), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise fail(f"unknown parameter {pname!r}{hint}", node.args[0])
                used_params.add(pname)
                if len(node.args) == 2:
                    if kind_of(node.args[1]) is not None:
                        raise fail(f"param()'s second argument is a date, got a {kind_of(node.args[1])}",
                                   node.args[1])
                    check(node.args[1], depth + 1)
                return
            if fname in derived:
                want = derived[fname].args
                if len(node.args) != len(want):
                    raise fail(f"{fname}() takes {len(want)} argument(s) ({', '.join(want) or 'none'}), "
                               f"got {len(node.args)}", node)
                for arg, kind in zip(node.args, want):
                    got = kind_of(arg)
                    kind = kind.rstrip("?")
                    if kind in RECORD_FIELDS and got is not None and got != kind:
                        raise fail(f"{fname}() expects a {kind}, got a {got}", arg)
                calls.add(fname)
            elif fname not in BUILTINS:
                close = difflib.get_close_matches(fname, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise fail(f"unknown function {fname!r}{hint}", node.func)
            for arg in node.args:
                check(arg, depth + 1)
            return
        elif isinstance(node, ast.Constant):
            if not (node.value is None or isinstance(node.value, (str, int, float, bool))):
                raise fail(f"literal {node.value!r} not allowed", node)
        for child in ast.iter_child_nodes(node):
            check(child, depth + 1)

    check(tree)
    return Expr(text, tree, frozenset(calls), frozenset(used_params))


# ---------------------------------------------------------------------------- evaluation

@attrs.frozen
class Env:
    """What an expression sees: the view, its variables, parameters and derived facts."""

    view: View
    variables: Mapping[str, Any]
    param: Callable[..., Any]      # (name) → value in force on the evaluation date; (name, day) → on day, or None
    derived: Mapping[str, Derived]
    since: Any = None       # the day the evaluated policy's edition took effect


def evaluate(expr: Expr, env: Env) -> Any:
    try:
        return _eval(expr.tree.body, env)
    except EvalError:
        raise
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError) as exc:
        raise EvalError(f"{type(exc).__name__}: {exc}") from None


def _truth(value: Any, what: str) -> Any:
    if isinstance(value, (bool, Unknown)):
        return value
    raise EvalError(f"{what} must be true or false, got {value!r}")


def _eval(node: ast.AST, env: Env) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise EvalError(f"the number {node.value!r} is not finite")
        return node.value
    if isinstance(node, ast.Name):
        return env.variables[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_eval(e, env) for e in node.elts)
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, env)
        if isinstance(base, Unknown):
            return base
        if base is None:
            raise EvalError(f"no value to read .{node.attr} from (it is null)")
        if attrs.has(type(base)):
            return env.view.get(base, node.attr)
        raise EvalError(f"{type(base).__name__} has no field {node.attr!r}")
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        unknowns = []
        for value_node in node.values:
            v = _truth(_eval(value_node, env), "and/or operand")
            if v is (not is_and):       # False decides an and, True decides an or
                return v
            if isinstance(v, Unknown):
                unknowns.append(v)
        return Unknown(frozenset().union(*(u.missing for u in unknowns))) if unknowns else is_and
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            v = _truth(v, "not operand")
            return v if isinstance(v, Unknown) else not v
        return Unknown(v.missing) if isinstance(v, Unknown) else -v
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        result: Any = True
        missing: frozenset = frozenset()
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, env)
            r = _compare(op, left, right)
            if r is False:
                return False
            if isinstance(r, Unknown):
                missing |= r.missing
                result = None
            left = right
        return Unknown(missing) if result is None else True
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, env), _eval(node.right, env)
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return Unknown(_missing(a) | _missing(b))
        for v in (a, b):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise EvalError(f"arithmetic needs numbers, got {v!r}")
        if isinstance(node.op, ast.Div) and b == 0:
            raise EvalError("division by zero")
        value = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                 ast.Div: operator.truediv}[type(node.op)](a, b)
        # the report is JSON: no Infinity or NaN, and no number too long to print
        if (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, int)
                                                                      and value.bit_length() > 1000):
            raise EvalError("arithmetic overflow: the result is not a finite number of sane size")
        return value
    if isinstance(node, ast.IfExp):
        test = _truth(_eval(node.test, env), "if condition")
        if isinstance(test, Unknown):
            a, b = _eval(node.body, env), _eval(node.orelse, env)
            if not isinstance(a, Unknown) and not isinstance(b, Unknown) and a == b:
                return a
            return Unknown(test.missing | _missing(a) | _missing(b))
        return _eval(node.body if test else node.orelse, env)
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        if name == "param":
            pname = node.args[0].value  # type: ignore[attr-defined]
            if len(node.args) == 1:
                return env.param(pname)
            # the value in force on another day (e.g. when a term began), or None if none was then
            on = _eval(node.args[1], env)
            if isinstance(on, Unknown):
                return on
            if not isinstance(on, dt.date):
                raise EvalError(f"param({pname!r}, ...) needs a date as its second argument, got {on!r}")
            return env.param(pname, on)
        args = [_eval(a, env) for a in node.args]
        unknown = [a for a in args if isinstance(a, Unknown)]
        if unknown:
            return Unknown(frozenset().union(*(u.missing for u in unknown)))
        if name in BUILTINS:
            if name == "len" and (args[0] is None or not hasattr(args[0], "__len__")):
                raise EvalError(f"len() needs a list, got {args[0]!r}")
            return BUILTINS[name](*args)
        d = env.derived[name]
        for a, kind in zip(args, d.args):
            if a is None and not kind.endswith("?"):
                raise EvalError(f"{name}() got null for its {kind} argument")
        # derived facts are pure functions of the view and their arguments: compute each once per view
        key = (name, env.since if d.needs_since else None,
               tuple(("id", id(a)) if attrs.has(type(a)) else ("v", type(a).__name__, a) for a in args))
        memo = env.view.memo
        if key not in memo:
            memo[key] = d.fn(env.view, *args, since=env.since) if d.needs_since else d.fn(env.view, *args)
        return memo[key]
    raise EvalError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover


def _missing(v: Any) -> frozenset:
    return v.missing if isinstance(v, Unknown) else frozenset()


_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


def _compare(op: ast.cmpop, a: Any, b: Any) -> Any:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        if type(op) in _FLIP and not isinstance(b, Unknown):
            return _bounded(type(op), a, b)
        if type(op) in _FLIP and not isinstance(a, Unknown):
            return _bounded(_FLIP[type(op)], b, a)
        return Unknown(_missing(a) | _missing(b))
    if isinstance(op, (ast.Is, ast.IsNot)):
        if a is not None and b is not None:
            raise EvalError("'is' only compares with None: write 'x is None'")
        return (a is b) if isinstance(op, ast.Is) else (a is not b)
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(b, (tuple, list, str, frozenset, set)):
            raise EvalError(f"'in' needs a list on its right, got {b!r}")
        found = a in b
        if not found and isinstance(b, tuple) and any(isinstance(x, Unknown) for x in b):
            return Unknown(frozenset().union(*(x.missing for x in b if isinstance(x, Unknown))))
        return found if isinstance(op, ast.In) else not found
    if isinstance(op, ast.Eq):
        return a == b
    if isinstance(op, ast.NotEq):
        return a != b
    if a is None or b is None:
        raise EvalError(f"cannot order {a!r} and {b!r}")
    return _ORDER[type(op)](a, b)


def _bounded(op: type, u: Unknown, c: Any) -> Any:
    """Decide ``u <op> c`` from the bounds of ``u`` when they settle it."""
    lo, hi = u.lo, u.hi
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
