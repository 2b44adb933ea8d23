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
import difflib
import math
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

import attrs

from ..errors import PolicyError
from ..facts.derive import RECORD_FIELDS, Derived
from ..facts.view import Unknown, View
from . import kleene
from .compiled import compile_subject, compile_tree
from .kleene import EvalError

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
    parsed: ast.Expression | None = attrs.field(eq=False, repr=False)   # None: the tree is parse_text(text)
    calls: frozenset = frozenset()
    params: frozenset = frozenset()

    def __reduce__(self) -> tuple:
        # the compiled function is not picklable: a copy compiles its own when first run. A tree that is the
        # parse of the text (parsed is None) is left out: rebuilding every node of every expression was ~7 ms
        # of each rulebook read from the cache, and a cached rulebook brings its code, so few trees are asked for.
        return (Expr, (self.text, self.parsed, self.calls, self.params))

    @cached_property
    def tree(self) -> ast.Expression:
        """The checked syntax tree (positions as in :func:`parse_text`)."""
        return self.parsed if self.parsed is not None else parse_text(self.text)

    @cached_property
    def fn(self) -> Callable[[Any], Any]:
        """The expression as one Python function of an :class:`Env`, generated from the checked tree
        and kept with the expression (so with the loaded policy and rulebook). :func:`compile_all`
        makes it when the rulebook is loaded; an expression made on its own compiles when first run."""
        return self.make_fn()

    def make_fn(self) -> Callable[[Any], Any]:
        """The function :attr:`fn` keeps, made anew (the interpreter's walk when the tree is too deep)."""
        return _function(self.tree, self.text)


@attrs.frozen
class SubjectCode:
    """A policy's ``where``, ``require`` and evidence as one function (:func:`.compiled.compile_subject`):
    what the native engine runs per subject. ``fn`` is None when it cannot be compiled."""

    where: Expr | None
    require: Expr
    evidence: Expr | None

    @property
    def text(self) -> str:
        """What names this code among a rulebook's compiled expressions (disk cache, compile_all): the three
        texts, after a NUL that no expression's text holds (Python refuses to parse one)."""
        return "\0subject\0" + "\0".join(e.text if e is not None else "" for e in (self.where, self.require,
                                                                                     self.evidence))

    def make_fn(self) -> Callable[[Any], Any] | None:
        """The function :attr:`fn` keeps, made anew."""
        return compile_subject(self.where.tree if self.where is not None else None, self.require.tree,
                               self.evidence.tree if self.evidence is not None else None, self.require.text)

    @cached_property
    def fn(self) -> Callable[[Any], Any] | None:
        return self.make_fn()


def _function(tree: ast.Expression, text: str) -> Callable[[Any], Any]:
    fn = compile_tree(tree, text)
    if fn is None:          # too deeply nested for Python's compiler: walk the tree instead
        body = tree.body
        return lambda env: _eval(body, env)
    return fn


def compile_all(exprs: Iterable[Expr]) -> None:
    """Compile every expression of a loaded rulebook once, each text once (policies of several
    editions and subjects repeat conditions; the code depends on the text alone)."""
    made: dict[str, Callable[[Any], Any]] = {}
    for e in exprs:
        if e.text not in made:
            made[e.text] = e.make_fn()
        object.__setattr__(e, "fn", made[e.text])      # what the cached property would keep


def parse_text(text: str) -> ast.Expression:
    """The tree of an expression's text, parenthesised on lines of their own: line breaks and leading
    blanks are allowed, and columns stay those of the file (the text's line n is the tree's line n + 1)."""
    return ast.parse("(\n" + text.rstrip() + "\n)", mode="eval")


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
    shift = 1
    try:
        tree = parse_text(text)
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
                    if kind_of(node.args[1]) not in (None, "date"):
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
    expr = Expr(text, None, frozenset(calls), frozenset(used_params))
    object.__setattr__(expr, "tree", tree)      # what the cached property would find, already at hand
    return expr


# ---------------------------------------------------------------------------- evaluation

class Env:
    """What an expression sees: the view, its variables, parameters and derived facts.

    A plain class with slots, not attrs: one is made per (policy, subject), ~13k for a court,
    and a frozen attrs class sets each field through ``object.__setattr__``. The native engine
    reuses one per policy, setting the subject's variable before each subject (no value keeps its Env).
    """

    __slots__ = ("view", "variables", "param", "derived", "since")

    def __init__(self, view: View, variables: Mapping[str, Any], param: Callable[..., Any],
                 derived: Mapping[str, Derived], since: Any = None) -> None:
        self.view = view
        self.variables = variables
        self.param = param      # (name) → value in force on the evaluation date; (name, day) → on day, or None
        self.derived = derived
        self.since = since      # the day the evaluated policy's edition took effect


_FAILURES = (TypeError, ValueError, ArithmeticError, KeyError, AttributeError)


FAILURES = _FAILURES     # what an expression's code may raise on odd values: the policy's error


def failure(exc: BaseException) -> EvalError:
    """The policy's error for an exception of :data:`FAILURES` raised while evaluating it."""
    return EvalError(f"{type(exc).__name__}: {exc}")


def evaluate(expr: Expr, env: Env) -> Any:
    """The value of ``expr`` on ``env`` (its compiled code); a failure is the policy's :class:`EvalError`."""
    try:
        return expr.fn(env)
    except EvalError:
        raise
    except _FAILURES as exc:
        raise failure(exc) from None


def interpret(expr: Expr, env: Env) -> Any:
    """The same value by walking the tree node by node (what ``explain`` traces; proven equal to
    :func:`evaluate` by the tests)."""
    try:
        return _eval(expr.tree.body, env)
    except EvalError:
        raise
    except _FAILURES as exc:
        raise failure(exc) from None


def interpret_node(node: ast.AST, env: Env) -> Any:
    """The interpreter's value of one node of an expression's tree (``explain`` traces a tree with it)."""
    return _eval(node, env)


_truth = kleene.truth
_compare = kleene.compare
_bounded = kleene.bounded
_missing = kleene.missing


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
        return kleene.field(env.view, _eval(node.value, env), node.attr)
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        unknowns = []
        for value_node in node.values:
            v = _truth(_eval(value_node, env), "and/or operand")
            if v is (not is_and):       # False decides an and, True decides an or
                return v
            if isinstance(v, Unknown):
                unknowns.append(v)
        return kleene.union(unknowns) if unknowns else is_and
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env)
        return kleene.not_(v) if isinstance(node.op, ast.Not) else kleene.neg(v)
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
        return kleene.arith(type(node.op), a, b)
    if isinstance(node, ast.IfExp):
        test = _truth(_eval(node.test, env), "if condition")
        if isinstance(test, Unknown):
            return kleene.if_unknown(test, _eval(node.body, env), _eval(node.orelse, env))
        return _eval(node.body if test else node.orelse, env)
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        if name == "param":
            pname = node.args[0].value  # type: ignore[attr-defined]
            if len(node.args) == 1:
                return env.param(pname)
            # the value in force on another day (e.g. when a term began), or None if none was then
            return kleene.param_on(env.param, pname, _eval(node.args[1], env))
        args = [_eval(a, env) for a in node.args]
        if any(isinstance(a, Unknown) for a in args):
            return kleene.union(args)
        if name in BUILTINS:
            return kleene.builtin(name, args)
        return kleene.call_derived(env, name, tuple(args))
    raise EvalError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover
