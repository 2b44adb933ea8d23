"""Policy expressions compiled to Python functions, once, from their checked trees.

:func:`compile_tree` turns the whitelisted ``ast`` of a condition into the source
of one Python function of an ``Env`` and compiles it, so that a check runs
straight-line code instead of walking the tree node by node (the interpreter in
:mod:`.expr` stays, for ``explain`` to trace, and the tests prove both agree).

The generated code only ever calls the helpers of :mod:`.kleene` and the
``Env`` it is given; names, fields and parameter names come from the checked
tree (identifiers), and every literal is either ``repr`` of a plain value or a
constant bound in the function's namespace, so no text of a policy file is
executed as code.

Kleene's logic is resolved where the compiler knows the types: a literal operand
of ``and``/``or``/``not``/``x if c else y`` is decided here; comparisons,
``and``/``or``/``not`` are known to give a truth value (True, False or Unknown),
so their results skip the run-time "must be true or false" check; a comparison
with a literal on one side tests only the other side for Unknown, and one between two
numbers, two dates or two texts (for ``==``/``!=``, any two known values) runs as Python's own. Everything
else goes through the generic helpers, with the interpreter's evaluation order
(and so the same errors and the same missing facts).
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import math
from types import CodeType, FunctionType
from typing import Any, Callable, NamedTuple

import attrs

from ..facts import derive, model
from ..facts.view import Unknown
from . import kleene

_PLAIN = (type(None), bool, int, str)
_EQUALITY = (ast.Eq, ast.NotEq)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}

# the record types of the facts and of the built-in derived facts (read without a helper call)
_RECORDS = frozenset(v for m in (model, derive) for v in vars(m).values()
                     if isinstance(v, type) and attrs.has(v) and v is not Unknown)

_NAMESPACE: dict[str, Any] = {
    "_U": Unknown, "_RECORDS": _RECORDS, "_OMITTED": model.OMITTED, "_E": kleene.EvalError, "_ast": ast, "_NUM": (int, float),
    "_ORDERED": (dt.date, str), "_finite": math.isfinite,
    "_field": kleene.field, "_truth": kleene.truth, "_cmp": kleene.compare, "_bounded": kleene.bounded,
    "_order_error": kleene.order_error, "_ifu": kleene.if_unknown, "_arith": kleene.arith,
    "_neg": kleene.neg, "_param_on": kleene.param_on, "_len": kleene.length, "_builtin": kleene.builtin,
    "_union": kleene.union,
    "_min": min, "_max": max, "_abs": abs,
    "_M": object(),     # a call made in a branch not yet made (see _Generator.branch_calls)
}


class _NotApplicable:
    """What :func:`compile_subject`'s function returns when the policy's ``where`` is false."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    def __reduce__(self) -> str:
        return "NOT_APPLICABLE"      # one object in every process: found again by name


NOT_APPLICABLE = _NotApplicable()
_NAMESPACE["_NA"] = NOT_APPLICABLE


class _Val(NamedTuple):
    code: str          # a literal, a local name or a variable lookup: cheap and free of effects to repeat
    kind: str | None   # "const": known at compile time (``value``); "truth": True, False or Unknown
    value: Any = None


def _plain(x: str) -> str:
    """Code for the unknown ``x`` without its bounds: ``x`` itself when it has none (most do), so that no
    equal copy is made."""
    return f"({x} if {x}.lo is None and {x}.hi is None else _U({x}.missing))"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Generator:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: dict[str, Any] = {}
        self.count = 0
        # derived-fact calls made at the top level of the function, by their tree: a later equal call reads
        # the same local (the top level runs unconditionally and every part of the language is free of
        # effects, so the value is the one the call would give again: a policy's evidence, compiled as one
        # tuple, asks for org_life_lapse(member, …) five times)
        self.top_calls: dict[str, _Val] = {}
        # derived-fact calls made in a branch, by their tree: the local they set, which starts as _M (declared);
        # a later equal call reads it when the branch ran and makes the call when it did not
        self.branch_calls: dict[str, str] = {}
        self.declared: list[str] = []

    def prelude(self) -> list[str]:
        """The lines a generated function starts with: the locals of calls made in a branch, not yet made."""
        return ["    " + " = ".join(self.declared) + " = _M"] if self.declared else []

    def tmp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def const(self, value: Any) -> _Val:
        if type(value) in _PLAIN:
            return _Val(repr(value), "const", value)
        name = f"_k{len(self.consts)}"
        self.consts[name] = value
        return _Val(name, "const", value)

    def bind(self, value: Any) -> str:
        """A compile-time object (an ``ast`` operator) under a name of its own."""
        name = f"_k{len(self.consts)}"
        self.consts[name] = value
        return name

    def emit(self, ind: int, line: str) -> None:
        self.lines.append("    " * ind + line)

    def check_truth(self, ind: int, v: _Val, what: str) -> None:
        """The run-time "must be true or false" check, for values not known to be truth values."""
        if v.kind != "truth":
            self.emit(ind, f"if {v.code}.__class__ is not bool and not isinstance({v.code}, _U): "
                           f"_truth({v.code}, {what!r})")

    def fail(self, ind: int, what: str, value: Any) -> _Val:
        """A literal that is not a truth value where one is needed: the policy's error, when reached."""
        self.emit(ind, f"raise _E({f'{what} must be true or false, got {value!r}'!r})")
        return _Val("None", None)

    # ------------------------------------------------------------------------ nodes
    def expr(self, node: ast.AST, ind: int) -> _Val:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, float) and not math.isfinite(node.value):   # 1e999: as the interpreter
                self.emit(ind, f"raise _E({f'the number {node.value!r} is not finite'!r})")
                return _Val("None", None)
            return self.const(node.value)
        if isinstance(node, ast.Name):
            return _Val(f"_vars[{node.id!r}]", None)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.expr(e, ind) for e in node.elts]
            if all(i.kind == "const" for i in items):
                return self.const(tuple(i.value for i in items))
            t = self.tmp()
            self.emit(ind, f"{t} = ({''.join(i.code + ', ' for i in items)})")
            return _Val(t, None)
        if isinstance(node, ast.Attribute):
            base = self.expr(node.value, ind)
            t = self.tmp()
            # a fact or derived record read directly; anything else (unknown, null, a pack's own
            # record type) through the helper; an omitted field becomes the Unknown naming it
            self.emit(ind, f"{t} = getattr({base.code}, {node.attr!r}) if {base.code}.__class__ in _RECORDS "
                           f"else _field(_view, {base.code}, {node.attr!r})")
            self.emit(ind, f"if {t} is _OMITTED: {t} = _view.get({base.code}, {node.attr!r})")
            return _Val(t, None)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node, ind)
        if isinstance(node, ast.UnaryOp):
            v = self.expr(node.operand, ind)
            if isinstance(node.op, ast.Not):
                if v.kind == "const":
                    return self.const(not v.value) if isinstance(v.value, bool) else self.fail(ind, "not operand", v.value)
                self.check_truth(ind, v, "not operand")
                t = self.tmp()
                self.emit(ind, f"{t} = {v.code} if isinstance({v.code}, _U) else not {v.code}")
                return _Val(t, "truth")
            if v.kind == "const" and _is_number(v.value):
                return self.const(-v.value)
            t = self.tmp()
            self.emit(ind, f"{t} = _neg({v.code})")
            return _Val(t, None)
        if isinstance(node, ast.Compare):
            return self.compare(node, ind)
        if isinstance(node, ast.BinOp):
            a, b = self.expr(node.left, ind), self.expr(node.right, ind)
            t = self.tmp()
            op = type(node.op)
            slow = f"_arith(_ast.{op.__name__}, {a.code}, {b.code})"
            if op is ast.Div:
                fast = f"{a.code} / {b.code}"
                guard = f"type({a.code}) in _NUM and type({b.code}) in _NUM and {b.code} != 0"
            else:
                fast = f"{a.code} {_ARITH[op]} {b.code}"
                guard = f"type({a.code}) in _NUM and type({b.code}) in _NUM"
            self.emit(ind, f"{t} = {fast} if {guard} else {slow}")
            # an infinite or huge result: kleene.arith again, for its overflow error
            self.emit(ind, f"if ({t}.__class__ is float and not _finite({t})) or "
                           f"({t}.__class__ is int and {t}.bit_length() > 1000): {t} = {slow}")
            return _Val(t, None)
        if isinstance(node, ast.IfExp):
            return self.ifexp(node, ind)
        if isinstance(node, ast.Call):
            return self.call(node, ind)
        raise ValueError(f"cannot compile {type(node).__name__}")   # the checker let nothing else through

    def boolop(self, node: ast.BoolOp, ind: int) -> _Val:
        decisive = not isinstance(node.op, ast.And)      # False decides an and, True decides an or
        r, m, u = self.tmp(), self.tmp(), self.tmp()
        # m: the union of the unknown operands' missing facts; u: the first unknown operand
        self.emit(ind, f"{m} = {u} = None")
        level = ind
        for operand in node.values:
            v = self.expr(operand, level)
            if v.kind == "const":
                if not isinstance(v.value, bool):
                    self.fail(level, "and/or operand", v.value)
                    return _Val(r, "truth")
                if v.value is decisive:
                    self.emit(level, f"{r} = {decisive!r}")
                    return _Val(r, "truth")
                continue
            self.check_truth(level, v, "and/or operand")
            self.emit(level, f"if {v.code} is {decisive!r}:")
            self.emit(level + 1, f"{r} = {decisive!r}")
            self.emit(level, "else:")
            level += 1
            self.emit(level, f"if {v.code} is not {(not decisive)!r}:")
            self._gather(level + 1, v.code, m, u)
        self.emit(level, f"{r} = {(not decisive)!r} if {m} is None else {self._unknown(m, u)}")
        return _Val(r, "truth")

    def _gather(self, ind: int, x: str, m: str, u: str) -> None:
        """Add the unknown ``x``'s missing facts to ``m`` (the first unknown kept in ``u``); the same facts
        again (mostly the very same set: one omitted record read twice) make no new set."""
        self.emit(ind, f"if {m} is None: {m} = {x}.missing; {u} = {x}")
        self.emit(ind, f"elif {x}.missing is not {m}: {m} = {m} | {x}.missing")

    @staticmethod
    def _unknown(m: str, u: str) -> str:
        """Code for ``Unknown(m)``: ``u`` itself when ``m`` is still its set and it has no bounds (equal to
        the new one: an unknown condition of a check mostly misses one omitted fact, and its copies were a
        large part of an unknown result's cost)."""
        return f"({u} if {m} is {u}.missing and {u}.lo is None and {u}.hi is None else _U({m}))"

    def compare(self, node: ast.Compare, ind: int) -> _Val:
        left = self.expr(node.left, ind)
        if len(node.ops) == 1:
            return self.link(node.ops[0], left, self.expr(node.comparators[0], ind), ind)
        # a chain a < b < c: each operand evaluated once, the rest skipped after a false link
        r, m, u = self.tmp(), self.tmp(), self.tmp()
        self.emit(ind, f"{m} = {u} = None")
        level = ind
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node, level)
            c = self.link(op, left, right, level).code
            self.emit(level, f"if {c} is False:")
            self.emit(level + 1, f"{r} = False")
            self.emit(level, "else:")
            level += 1
            self.emit(level, f"if {c} is not True:")
            self._gather(level + 1, c, m, u)
            left = right
        self.emit(level, f"{r} = True if {m} is None else {self._unknown(m, u)}")
        return _Val(r, "truth")

    def link(self, op: ast.cmpop, a: _Val, b: _Val, ind: int) -> _Val:
        """One comparison ``a <op> b``: True, False or an Unknown without bounds."""
        t = self.tmp()
        kind = type(op)
        line = None
        if b.kind == "const" and a.kind != "const":
            line = self._with_literal(kind, a.code, b.value, b.code, literal_right=True)
        elif a.kind == "const" and b.kind != "const":
            line = self._with_literal(kind, b.code, a.value, a.code, literal_right=False)
        if line is not None:
            self.emit(ind, f"{t} = {line}")
            return _Val(t, "truth")
        slow = f"_cmp({self.bind(op)}, {a.code}, {b.code})"
        if kind in _ORDERING:       # two numbers, dates or texts: kleene.compare orders them as Python does
            self.emit(ind, f"{t} = ({a.code} {_SYMBOL[kind]} {b.code}) "
                           f"if (type({a.code}) in _NUM and type({b.code}) in _NUM) "
                           f"or (type({a.code}) is type({b.code}) and type({a.code}) in _ORDERED) else {slow}")
        elif kind in _EQUALITY:     # neither unknown: kleene.compare is Python's == (or !=)
            self.emit(ind, f"{t} = {slow} if isinstance({a.code}, _U) or isinstance({b.code}, _U) "
                           f"else ({a.code} {_SYMBOL[kind]} {b.code})")
        else:
            self.emit(ind, f"{t} = {slow}")
        # the interpreter takes any result that is neither False nor Unknown as True
        self.emit(ind, f"if {t} is not True and {t} is not False and not isinstance({t}, _U): {t} = True")
        return _Val(t, "truth")

    def _with_literal(self, kind: type, x: str, c: Any, code: str, literal_right: bool) -> str | None:
        """``x <op> c`` (or ``c <op> x``) for a literal ``c``: only ``x`` can be unknown."""
        a, b = (x, code) if literal_right else (code, x)
        if kind in _EQUALITY or (kind in _ORDERING and c is not None):
            # kleene.compare: an unknown side is judged by its bounds against a number, else stays unknown
            flipped = kind if literal_right else kleene.FLIP[kind]
            unknown = f"_bounded(_ast.{flipped.__name__}, {x}, {code})" if _is_number(c) else _plain(x)
            known = f"{a} {_SYMBOL[kind]} {b}"
            if kind in _ORDERING:
                known = f"_order_error({a}, {b}) if {x} is None else {known}"
            return f"{unknown} if isinstance({x}, _U) else ({known})"
        if not literal_right:
            return None
        if kind in (ast.Is, ast.IsNot) and c is None:
            return f"{_plain(x)} if isinstance({x}, _U) else ({x} {'is' if kind is ast.Is else 'is not'} None)"
        if kind in (ast.In, ast.NotIn) and isinstance(c, (tuple, str)):
            return f"{_plain(x)} if isinstance({x}, _U) else ({x} {'in' if kind is ast.In else 'not in'} {code})"
        return None

    def ifexp(self, node: ast.IfExp, ind: int) -> _Val:
        test = self.expr(node.test, ind)
        if test.kind == "const":
            if not isinstance(test.value, bool):
                return self.fail(ind, "if condition", test.value)
            return self.expr(node.body if test.value else node.orelse, ind)
        self.check_truth(ind, test, "if condition")
        r = self.tmp()
        kinds = []
        self.emit(ind, f"if {test.code} is True:")
        v = self.expr(node.body, ind + 1)
        kinds.append(v.kind)
        self.emit(ind + 1, f"{r} = {v.code}")
        self.emit(ind, f"elif {test.code} is False:")
        v = self.expr(node.orelse, ind + 1)
        kinds.append(v.kind)
        self.emit(ind + 1, f"{r} = {v.code}")
        self.emit(ind, "else:")
        a, b = self.expr(node.body, ind + 1), self.expr(node.orelse, ind + 1)
        self.emit(ind + 1, f"{r} = _ifu({test.code}, {a.code}, {b.code})")
        return _Val(r, "truth" if kinds == ["truth", "truth"] else None)

    def call(self, node: ast.Call, ind: int) -> _Val:
        name = node.func.id      # type: ignore[attr-defined]
        t = self.tmp()
        if name == "param":
            pname = node.args[0].value     # type: ignore[attr-defined]
            if len(node.args) == 1:
                self.emit(ind, f"{t} = env.param({pname!r})")
            else:
                on = self.expr(node.args[1], ind)
                self.emit(ind, f"{t} = _param_on(env.param, {pname!r}, {on.code})")
            return _Val(t, None)
        key = ast.dump(node)
        done = self.top_calls.get(key)
        if done is not None:
            return done
        earlier = self.branch_calls.get(key) if name not in ("len", "min", "max", "abs") else None
        args = [self.expr(a, ind) for a in node.args]
        codes = [a.code for a in args]
        if earlier is not None:
            # the same call made before in a branch: its value when that branch ran (the arguments, free of
            # effects, are the same values), else the call now, where it was always made
            t = earlier
            self.emit(ind, f"if {t} is _M:")
            ind_call = ind + 1
        else:
            ind_call = ind
        level = ind_call
        maybe_unknown = [a.code for a in args if a.kind != "const"]
        if maybe_unknown:
            test = " or ".join(f"isinstance({c}, _U)" for c in maybe_unknown)
            self.emit(ind_call, f"if {test}: {t} = _union(({''.join(c + ', ' for c in codes)}))")
            self.emit(ind_call, "else:")
            level += 1
        if name == "len" and len(args) == 1:
            self.emit(level, f"{t} = _len({codes[0]})")
        elif name == "len":
            self.emit(level, f"{t} = _builtin('len', [{', '.join(codes)}])")
        elif name in ("min", "max", "abs"):
            self.emit(level, f"{t} = _{name}({', '.join(codes)})")
        else:
            # a caller of this call site's own (made here, once): no tuple of arguments per call
            caller = self.bind(kleene.derived_caller(name, len(codes)))
            self.emit(level, f"{t} = {caller}(env, {', '.join(codes)})")
            if ind == 1:
                self.top_calls[key] = _Val(t, None)
            elif earlier is None:
                self.branch_calls[key] = t
                self.declared.append(t)
        return _Val(t, None)


def compile_tree(tree: ast.Expression, text: str = "") -> Callable[[Any], Any] | None:
    """The checked expression ``tree`` as a function of an ``Env``; None when Python cannot compile
    the generated code (nesting beyond its limits): the caller then interprets the tree."""
    gen = _Generator()
    try:
        result = gen.expr(tree.body, 1)
    except RecursionError:
        return None
    label = " ".join(text.split())[:80] or ast.unparse(tree)[:80]
    return _function(gen, result.code, f"<policy expression: {label}>")


def _function(gen: _Generator, result: str, filename: str) -> Callable[[Any], Any] | None:
    """The function of an ``Env`` that runs what ``gen`` emitted and returns ``result``; None when Python
    cannot compile it (nesting beyond its limits)."""
    head = ["def _expr(env):", "    _vars = env.variables", "    _view = env.view"] + gen.prelude()
    source = "\n".join(head + gen.lines + [f"    return {result}", ""])
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    namespace = dict(_NAMESPACE, **gen.consts)
    exec(code, namespace)      # the source is generated from checked trees: see the module docstring
    fn = namespace["_expr"]
    fn.source = source         # for debugging: what the expression became
    return fn


def compile_subject(where: ast.Expression | None, require: ast.Expression, evidence: ast.Expression | None,
                    text: str = "") -> Callable[[Any], Any] | None:
    """A policy's ``where``, ``require`` and evidence (one tuple expression) as one function of an ``Env``:
    what the native engine asks of every subject, in one call, a derived fact the three share computed once
    (the top-level calls of one function, see ``_Generator.top_calls``).

    It returns :data:`NOT_APPLICABLE` when ``where`` is false (nothing else evaluated), else
    ``(applies, holds, evidence values)``. It raises what the three would raise one after the other, in the
    order :func:`.kleene.decide` and the engine ask them: ``where`` neither true, false nor unknown, then
    ``require`` neither true, false nor unknown where the policy applies, with the words of
    :func:`.kleene.decide`, before any evidence is evaluated. For a policy without exceptions (``unless``),
    which come between the condition and the evidence; None when Python cannot compile it (the engine then
    asks the three one by one)."""
    gen = _Generator()
    try:
        if where is not None:
            w = gen.expr(where.body, 1)
            gen.emit(1, f"_w = {w.code}")         # a local: a literal operand of `is` makes Python warn
            gen.emit(1, "if _w is False: return _NA")
            if w.kind != "truth":           # a comparison, and/or/not give True, False or Unknown
                gen.emit(1, "if _w is not True and not isinstance(_w, _U): "
                            "raise _E('where must be true or false, got ' + repr(_w))")
        h = gen.expr(require.body, 1)
        gen.emit(1, f"_h = {h.code}")
        if h.kind != "truth":
            check = "_h.__class__ is not bool and not isinstance(_h, _U)"
            gen.emit(1, f"if {'_w is True and ' if where is not None else ''}{check}: "
                        "raise _E('require must be true or false, got ' + repr(_h))")
        e = gen.expr(evidence.body, 1) if evidence is not None else None
    except RecursionError:
        return None
    result = f"({'_w' if where is not None else 'True'}, _h, {e.code if e is not None else '()'})"
    return _function(gen, result, f"<policy subject: {' '.join(text.split())[:80] or 'subject'}>")


def function_parts(fn: Callable[[Any], Any]) -> tuple[CodeType, dict[str, Any], str, dict[str, tuple]] | None:
    """What rebuilds a function :func:`compile_tree` made in another process (the on-disk rulebook cache,
    :mod:`.disk_cache`): its code object, the constants bound beside the helpers, its generated source, and
    its derived-fact callers as ``(name, arity)`` (functions, made again by :func:`kleene.derived_caller`);
    None for anything else (the interpreter's fallback for a tree too deep to compile)."""
    source = getattr(fn, "source", None)
    if not isinstance(fn, FunctionType) or not isinstance(source, str) or fn.__closure__ or fn.__defaults__:
        return None
    consts, callers = {}, {}
    for k, v in fn.__globals__.items():
        if k in _NAMESPACE or k in ("__builtins__", "_expr"):
            continue
        call = getattr(v, "derived_call", None)
        if call is not None:
            callers[k] = call
        else:
            consts[k] = v
    return fn.__code__, consts, source, callers


def function_from_parts(code: CodeType, consts: dict[str, Any], source: str,
                        callers: dict[str, tuple]) -> Callable[[Any], Any]:
    """The function :func:`function_parts` took apart, bound to this process's helpers, as
    :func:`compile_tree` binds it."""
    namespace = dict(_NAMESPACE, **consts)
    for k, (name, arity) in callers.items():
        namespace[k] = kleene.derived_caller(name, arity)
    namespace["__builtins__"] = builtins.__dict__
    fn = FunctionType(code, namespace)
    namespace["_expr"] = fn
    fn.source = source         # type: ignore[attr-defined]
    return fn
