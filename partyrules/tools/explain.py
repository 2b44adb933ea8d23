"""Why a policy gave its outcome on one subject: its conditions as trees of the values they took.

:func:`explain` evaluates one policy on one subject of one fact document and
returns an :class:`Explanation`: the outcome (the engine's own, the same that
``partyrules check`` reports), and for each part of the policy (``where``,
``require``, each ``unless``) the expression as a tree whose every node carries
the value it took — true, false, unknown (with the missing fact paths and any
bounds), a number, a list, a record. Derived facts that return records (a
lapse, a coverage of periods, a training year, a quorum) carry them, so the
reader sees the periods that were looked at and which meeting or payment
satisfied each. Evidence values come last.

The tree is computed by walking the compiled ``ast`` of each expression and
asking :func:`partyrules.rulebook.expr.interpret_node` for each node's value, so it has
exactly the semantics of the engine (Kleene logic, bounds, errors); only which
operands were reached is followed here: an ``and``/``or`` stops at its first
deciding operand, a chained comparison at its first false link, a conditional
takes its branch, and a call with an unknown argument is not made. Derived
facts are memoised, so each is computed once per explanation.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Iterable

import attrs

from ..api import evaluation_date
from ..engine.native import evaluate_policy, param_getter, subjects, to_json
from ..errors import UsageError
from ..facts.derive import Coverage, Derived, Lapse, MonthCheck, PeriodCheck, Quorum, TrainingYear
from ..facts.load import load_facts
from ..facts.model import OMITTED, Department, Election, Member, Organization, Unit
from ..facts.view import Unknown, View
from ..report.safe_text import MESSAGE_LIMIT, NAME_LIMIT, safe_block, safe_text
from ..periods import Month
from ..report.model import Result, Subject
from ..rulebook.expr import Env, EvalError, Expr, interpret, interpret_node
from ..rulebook.kleene import compare, decide, truth
from ..rulebook.load import Rulebook, load_rulebook
from ..rulebook.policy import Policy

__all__ = ["Explanation", "Node", "Part", "explain", "render_text", "render_json"]

_FAILURES = (EvalError, TypeError, ValueError, ArithmeticError, KeyError, AttributeError)


@attrs.frozen
class Node:
    """One sub-expression and the value it took (``reached=False``: the evaluation did not need it)."""

    text: str
    value: Any = None
    reached: bool = True
    error: str | None = None
    children: tuple["Node", ...] = ()


@attrs.frozen
class Part:
    """``where``, ``require`` or ``unless[i]``: its tree, or why it was not evaluated."""

    name: str
    tree: Node | None
    skipped: str | None = None         # why the engine did not evaluate it
    note: dict | None = None           # the note of an ``unless``


@attrs.frozen
class Explanation:
    policy: Policy
    subject: Subject
    as_of: dt.date
    result: Result                     # exactly what the engine reports for (policy, subject)
    parts: tuple[Part, ...]
    evidence: tuple[tuple[str, Node], ...]
    registry: Any


# --------------------------------------------------------------------------- evaluation

def _memoised(derived: dict[str, Derived]) -> dict[str, Derived]:
    """The same derived facts, each computed once per distinct arguments."""
    out = {}
    for name, d in derived.items():
        cache: dict = {}

        def fn(view: View, *args: Any, _d: Derived = d, _cache: dict = cache, **kw: Any) -> Any:
            key = (tuple(id(a) if attrs.has(type(a)) else (type(a).__name__, a) for a in args),
                   tuple(sorted(kw.items())))
            if key not in _cache:
                _cache[key] = (_d.fn(view, *args, **kw), args)     # args kept alive: their ids stay theirs
            return _cache[key][0]

        out[name] = attrs.evolve(d, fn=fn)
    return out


def _source_of(expr: Expr) -> str:
    return "(\n" + expr.text.rstrip() + "\n)"


def _text(source: str, node: ast.AST) -> str:
    seg = ast.get_source_segment(source, node) or ast.unparse(node)
    return re.sub(r"\s+", " ", seg).strip()


def _value(node: ast.AST, env: Env) -> tuple[Any, str | None]:
    try:
        return interpret_node(node, env), None
    except EvalError as exc:
        return None, str(exc)
    except _FAILURES as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _hidden(node: ast.AST) -> bool:
    """Leaves shown by their parent's text alone: literals and variables."""
    return isinstance(node, (ast.Constant, ast.Name))


def trace(expr: Expr, env: Env) -> Node:
    """The tree of ``expr`` on ``env``, every reached node with the value ``interpret_node`` gives it."""
    source = _source_of(expr)
    return _trace(expr.tree.body, env, source)


def _unreached(node: ast.AST, source: str) -> Node:
    return Node(_text(source, node), reached=False)


def _trace(node: ast.AST, env: Env, source: str) -> Node:
    value, error = _value(node, env)
    kids: list[Node] = []

    def child(n: ast.AST) -> Node:
        c = _trace(n, env, source)
        if not _hidden(n):
            kids.append(c)
        return c

    if isinstance(node, ast.BoolOp):
        decides = not isinstance(node.op, ast.And)       # False decides an and, True decides an or
        for k, operand in enumerate(node.values):
            c = child(operand)
            if c.error is not None:
                break
            try:
                v = truth(c.value, "and/or operand")
            except EvalError:
                break
            if v is decides:
                kids.extend(_unreached(n, source) for n in node.values[k + 1:] if not _hidden(n))
                break
    elif isinstance(node, ast.Compare):
        left = child(node.left)
        for k, (op, right_node) in enumerate(zip(node.ops, node.comparators)):
            if left.error is not None:
                break
            right = child(right_node)
            if right.error is not None:
                break
            try:
                link = compare(op, left.value, right.value)
            except _FAILURES:
                break
            if link is False:
                kids.extend(_unreached(n, source) for n in node.comparators[k + 1:] if not _hidden(n))
                break
            left = right
    elif isinstance(node, ast.IfExp):
        test = child(node.test)
        if test.error is None:
            try:
                t = truth(test.value, "if condition")
            except EvalError:
                t = None
            if isinstance(t, Unknown):
                child(node.body)
                child(node.orelse)
            elif t is True:
                child(node.body)
                if not _hidden(node.orelse):
                    kids.append(_unreached(node.orelse, source))
            elif t is False:
                if not _hidden(node.body):
                    kids.append(_unreached(node.body, source))
                child(node.orelse)
    elif isinstance(node, ast.Call):
        is_param = isinstance(node.func, ast.Name) and node.func.id == "param"
        for arg in node.args[1:] if is_param else node.args:     # a parameter's name is not a value
            if child(arg).error is not None:
                break
    elif isinstance(node, (ast.BinOp,)):
        if child(node.left).error is None:
            child(node.right)
    elif isinstance(node, ast.UnaryOp):
        child(node.operand)
    elif isinstance(node, ast.Attribute):
        child(node.value)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            if child(e).error is not None:
                break
    return Node(_text(source, node), value, True, error, tuple(kids))


# --------------------------------------------------------------------------- choosing policy and subject

def _choose_policy(book: Rulebook, policy_id: str, on: dt.date) -> Policy:
    found = book.find(policy_id)
    if not found:
        ids = sorted({p.id for p in book.policies})
        close = difflib.get_close_matches(policy_id, ids, n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise UsageError(f"--policy: no policy {policy_id!r}{hint}")
    for p in found:
        if book.registry.applies_on(p.instrument, p.edition, on):
            return p
    eds = ", ".join(f"{p.instrument}@{p.edition}" for p in found)
    raise UsageError(f"--policy: {policy_id!r} ({eds}) has no edition in force on {on.isoformat()}")


def _choose_subject(policy: Policy, view: View, subject_id: str) -> tuple[Any, Subject, str | None]:
    """The entity, its subject and, when the subject list was omitted, the missing path."""
    subs = subjects(policy, view)
    if isinstance(subs, tuple):
        path, unit_subject = subs
        if subject_id == unit_subject.id:
            return None, unit_subject, path
        raise UsageError(f"--subject: the document gives no {path}, so {policy.id} has one result, for "
                         f"{unit_subject.id!r} (unknown)")
    by_id = {s.id: (e, s) for e, s in subs}
    if subject_id in by_id:
        e, s = by_id[subject_id]
        return e, s, None
    close = difflib.get_close_matches(subject_id, list(by_id), n=3)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    listed = ", ".join(sorted(by_id)[:12]) + (", …" if len(by_id) > 12 else "")
    raise UsageError(f"--subject: {subject_id!r} is not the id of a {policy.applies_to} that {policy.id} "
                     f"applies to on {view.as_of.isoformat()}{hint}; subjects: {listed or 'none'}")


# --------------------------------------------------------------------------- the entry point

def explain(facts: Any, policy_id: str, subject_id: str, as_of: dt.date | str | None = None, *,
            policies: Iterable[str | Path] = (), builtin: bool = True,
            rulebook: Rulebook | None = None) -> Explanation:
    """Explain ``policy_id`` on ``subject_id`` of ``facts`` (a path, a mapping or a loaded document).

    Raises :class:`~partyrules.errors.UsageError` (with "did you mean") for an
    unknown policy or subject, and the usual input errors for bad facts.
    """
    doc = load_facts(facts)
    on = evaluation_date(doc, as_of)
    book = rulebook if rulebook is not None else load_rulebook(policies, builtin=builtin)
    policy = _choose_policy(book, policy_id, on)
    view = View(doc, on)
    entity, subject, omitted = _choose_subject(policy, view, subject_id)
    results = [r for r in evaluate_policy(book, policy, view) if r.subject == subject]
    if len(results) != 1:      # pragma: no cover - subjects() gives each subject once
        raise RuntimeError(f"expected one result for {subject}, got {len(results)}")
    result = results[0]
    if omitted is not None:
        return Explanation(policy, subject, on, result, (), (), book.registry)

    since = policy.rule_from(book.registry)
    unit_value = doc.unit if doc.unit is not OMITTED else Unknown.of("unit")
    env = Env(view, {policy.variable: entity, "unit": unit_value, "as_of": on, "rule_from": since,
                     "rule_until": policy.rule_until(book.registry)},
              param_getter(book, on), _memoised(dict(book.derived)), since)

    parts: list[Part] = []
    stop: str | None = None
    if policy.where is not None:
        where = (trace(policy.where, env))
        parts.append(Part("where", where))
        if where.error is not None:
            stop = "error"
        elif where.value is False:
            stop = "where"
    if stop:
        parts.append(Part("require", None, stop))
    else:
        req = (trace(policy.require, env))
        parts.append(Part("require", req))
        if req.error is not None:
            stop = "error"
        elif req.value is True:
            stop = "require"
    for i, exc in enumerate(policy.unless):
        name = f"unless[{i}]"
        if stop:
            parts.append(Part(name, None, stop, dict(exc.note)))
            continue
        node = (trace(exc.when, env))
        parts.append(Part(name, node, None, dict(exc.note)))
        if node.error is not None:
            stop = "error"
        elif node.value is True:
            stop = "unless"
    evidence: list[tuple[str, Node]] = []
    if result.outcome not in ("not_applicable", "error"):
        for name, e in policy.evidence:
            evidence.append((name, (trace(e, env))))
    # the interpreter that drew the trees must reach the engine's (compiled) outcome
    try:
        outcome = decide(policy, interpret, env)[0]
    except EvalError:
        outcome = "error"
    if outcome != result.outcome:      # pragma: no cover - the same engine on the same facts
        raise RuntimeError(f"explain found {outcome}, the engine {result.outcome}: a bug in partyrules")
    return Explanation(policy, subject, on, result, tuple(parts), tuple(evidence), book.registry)


# --------------------------------------------------------------------------- rendering

_WORDS = {
    "zh": {True: "是", False: "否", None: "无", "unknown": "未知", "missing": "缺少", "between": "介于",
           "and": "与", "sep": "、", "not_reached": "未求值（无需）", "error": "出错",
           "policy": "策略", "cites": "引用", "subject": "对象", "as_of": "检查日期", "outcome": "结果",
           "where": "适用条件", "require": "要求", "unless": "例外", "evidence": "证据", "message": "说明",
           "missing_facts": "缺少的事实", "skipped": {"where": "未求值：适用条件不成立",
                                                    "require": "未求值：要求已满足",
                                                    "unless": "未求值：前一例外已成立",
                                                    "error": "未求值：前一部分出错"},
           "note": "例外说明", "list_omitted": "对象列表缺失：{path}",
           "outcomes": {"violated": "违反", "unknown": "无法判定", "error": "出错", "satisfied": "符合",
                        "not_applicable": "不适用"},
           "kinds": {"unit": "单位", "department": "部门", "organization": "党组织", "member": "党员",
                     "applicant": "入党申请人"},
           "lapsed": "连续未履行", "window": "期间", "ok": "全部满足", "missed": "缺少期间",
           "year": "年度", "required": "应参加", "hours": "学时", "below": "低于半数", "half": "恰好半数",
           "since": "自", "run": "已连续{n}个月",
           "status": {"found": "有记录", "missing": "无记录", "unrecorded": "记录起始日前，未知",
                      "unknown": "记录不全（如出席未记录），未知", "not_required": "不要求"},
           "found": {True: "有", False: "无"}},
    "en": {True: "true", False: "false", None: "none", "unknown": "unknown", "missing": "missing",
           "between": "between", "and": "and", "sep": ", ", "not_reached": "not evaluated (not needed)",
           "error": "error", "policy": "policy", "cites": "cites", "subject": "subject", "as_of": "as of",
           "outcome": "outcome", "where": "where", "require": "require", "unless": "unless",
           "evidence": "evidence", "message": "message", "missing_facts": "missing facts",
           "skipped": {"where": "not evaluated: where is false", "require": "not evaluated: require holds",
                       "unless": "not evaluated: an earlier exception holds",
                       "error": "not evaluated: an earlier part failed"},
           "note": "note", "list_omitted": "the list of subjects is omitted: {path}",
           "outcomes": {"violated": "violated", "unknown": "unknown", "error": "error", "satisfied": "satisfied",
                        "not_applicable": "not applicable"},
           "kinds": {"unit": "unit", "department": "department", "organization": "organization",
                     "member": "member", "applicant": "applicant"},
           "lapsed": "lapsed", "window": "window", "ok": "ok", "missed": "missed", "year": "year",
           "required": "required", "hours": "hours", "below": "below half", "half": "exactly half",
           "since": "since", "run": "{n} months so far",
           "status": {"found": "found", "missing": "missing", "unrecorded": "before the records, unknown",
                      "unknown": "records incomplete (e.g. attendance not recorded), unknown",
                      "not_required": "not required"},
           "found": {True: "yes", False: "no"}},
}


def _entity_label(v: Any) -> str:
    name = getattr(v, "name", OMITTED)
    return v.id if name is OMITTED or name == v.id else f"{v.id}（{name}）"


def show(v: Any, lang: str) -> str:
    """One value in one line."""
    w = _WORDS[lang]
    if isinstance(v, Unknown):
        out = w["unknown"]
        if v.lo is not None or v.hi is not None:
            lo = "?" if v.lo is None else _num(v.lo)
            hi = "?" if v.hi is None else _num(v.hi)
            out += f"（{w['between']} {lo} {w['and']} {hi}）" if lang == "zh" else f" (between {lo} and {hi})"
        if v.missing:
            paths = w["sep"].join(sorted(v.missing))
            out += f"（{w['missing']}：{paths}）" if lang == "zh" else f" (missing: {paths})"
        return out
    if v is None or isinstance(v, bool):
        return w[v]
    if isinstance(v, (int, float)):
        return _num(v)
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Month):
        return str(v)
    if isinstance(v, (tuple, list)) and v and all(isinstance(x, (PeriodCheck, MonthCheck)) for x in v):
        return f"{len(v)} 个期间" if lang == "zh" else f"{len(v)} periods"
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(show(x, lang) for x in v) + "]"
    if isinstance(v, (Member, Organization, Unit, Department)):
        return _entity_label(v)
    if isinstance(v, Lapse):
        return f"{w['lapsed']}={show(v.lapsed, lang)}"
    if attrs.has(type(v)) and hasattr(v, "ok"):      # a coverage, a quorum, leaders' organisational life …
        return f"{w['ok']}={show(v.ok, lang)}"
    if isinstance(v, TrainingYear):
        return f"{w['year']} {v.year}"
    if isinstance(v, Election):
        return f"{v.date.isoformat()}"
    return str(to_json(v))


def _num(v: float) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def records(v: Any, lang: str) -> list[str]:
    """The records a derived fact used, one line each (empty for plain values)."""
    w = _WORDS[lang]
    out: list[str] = []
    colon = "：" if lang == "zh" else ": "
    if isinstance(v, Lapse):
        if v.months:
            out.append(f"{w['window']}{colon}{v.months[0]} … {v.months[-1]}")
        for p in v.periods:
            found = show(p.found, lang) if isinstance(p.found, Unknown) else w["found"][p.found]
            out.append(f"{p.month}{colon}{found}" + (f" · {p.record}" if p.record else ""))
        if v.since is not None:
            out.append(f"{w['since']} {v.since}, " + w["run"].format(n=v.run_months))
    elif isinstance(v, Coverage):
        for p in v.periods:
            line = f"{p.period}{colon}{w['status'][p.status]}"
            if p.records:
                line += " · " + w["sep"].join(p.records)
            out.append(line)
        if v.missed:
            out.append(f"{w['missed']}{colon}{w['sep'].join(v.missed)}")
    elif isinstance(v, Quorum):
        for label, items in ((w["below"], v.below), (w["half"], v.exactly_half)):
            for item in items:
                out.append(f"{label}{colon}{item}")
    elif isinstance(v, TrainingYear):
        out.append(f"{w['year']} {v.year}{colon}{w['required']} {show(v.required, lang)}, "
                   f"{w['hours']} {show(v.hours, lang)}")
    elif isinstance(v, (tuple, list)) and v and all(isinstance(x, (PeriodCheck, MonthCheck)) for x in v):
        for x in v:
            out.extend(records(Coverage(None, (x,), ()) if isinstance(x, PeriodCheck)
                               else Lapse(None, (), (x,)), lang))
    elif isinstance(v, Election):
        for k, val in attrs.asdict(v, recurse=False).items():
            if val is not OMITTED and k != "date":
                out.append(f"{k}{colon}{show(val, lang)}")
    return out


def _node_lines(node: Node, lang: str, depth: int, shown: set) -> list[str]:
    w = _WORDS[lang]
    pad = "  " * depth
    if not node.reached:
        return [f"{pad}{node.text}  → {w['not_reached']}"]
    if node.error is not None and any(c.error == node.error for c in node.children):
        lines = [f"{pad}{node.text}  → {w['error']}"]          # the message is shown where it arose
    elif node.error is not None:
        lines = [f"{pad}{node.text}  → {w['error']}{'：' if lang == 'zh' else ': '}{node.error}"]
    else:
        lines = [f"{pad}{node.text}  → {show(node.value, lang)}"]
    recs = records(node.value, lang) if node.error is None else []
    if recs:
        if id(node.value) in shown:
            lines.append(f"{pad}    · (as above)" if lang == "en" else f"{pad}    · （同上）")
        else:
            _mark_shown(node.value, shown)
            lines.extend(f"{pad}    · {r}" for r in recs)
    for c in node.children:
        lines.extend(_node_lines(c, lang, depth + 1, shown))
    return lines


def _mark_shown(value: Any, shown: set) -> None:
    """Remember that the records of ``value`` (and its list of periods) were listed."""
    shown.add(id(value))
    periods = getattr(value, "periods", None)
    if isinstance(periods, tuple):
        shown.add(id(periods))


def render_text(ex: Explanation, lang: str = "zh") -> str:
    w = _WORDS[lang]
    colon = "：" if lang == "zh" else ": "
    p, r = ex.policy, ex.result
    out = [f"{w['policy']}{colon}{p.id}（{p.instrument}@{p.edition}）" if lang == "zh"
           else f"{w['policy']}{colon}{p.id} ({p.instrument}@{p.edition})",
           f"  {p.title[lang]}"]
    for spec in r.citations:          # the result's: in force on the date, and applying to this subject
        c = spec.citation
        label = c.label_zh(ex.registry) if lang == "zh" else c.label_en(ex.registry)
        out.append(f"{w['cites']}{colon}{label}")
    kind = w["kinds"][ex.subject.kind]
    subject_name = safe_text(ex.subject.name, NAME_LIMIT)
    name = "" if ex.subject.name == ex.subject.id else (f"（{subject_name}）" if lang == "zh"
                                                        else f" ({subject_name})")
    out.append(f"{w['subject']}{colon}{kind} {safe_text(ex.subject.id, NAME_LIMIT)}{name}")
    out.append(f"{w['as_of']}{colon}{ex.as_of.isoformat()}")
    out.append(f"{w['outcome']}{colon}{w['outcomes'][r.outcome]}")
    if r.missing:
        out.append(f"{w['missing_facts']}{colon}{w['sep'].join(r.missing)}")
    if not ex.parts:
        out.append(w["list_omitted"].format(path=", ".join(r.missing)))
    shown: set = set()
    for part in ex.parts:
        out.append("")
        title = w["unless"] + part.name[len("unless"):] if part.name.startswith("unless") else w[part.name]
        head = f"{title}（{part.name}）" if lang == "zh" else part.name
        if part.tree is None:
            out.append(f"{head}{colon}{w['skipped'][part.skipped]}")
        else:
            out.append(f"{head}{colon}".rstrip())
            out.extend(_node_lines(part.tree, lang, 1, shown))
        if part.note is not None:
            out.append(f"  {w['note']}{colon}{part.note[lang]}")
    if ex.evidence:
        out.append("")
        out.append(f"{w['evidence']}（evidence）{colon}" if lang == "zh" else f"{w['evidence']}:")
        for name, node in ex.evidence:
            value = (f"{w['error']}{colon}{node.error}" if node.error is not None else show(node.value, lang))
            out.append(f"  {name} = {value}")
            recs = records(node.value, lang) if node.error is None else []
            if recs and id(node.value) in shown:
                out.append("      · （同上）" if lang == "zh" else "      · (as above)")
            elif recs:
                _mark_shown(node.value, shown)
                out.extend(f"      · {x}" for x in recs)
    out.append("")
    out.append(f"{w['message']}{colon}{safe_text(r.message[lang], MESSAGE_LIMIT)}")
    return safe_block("\n".join(out) + "\n")     # values quoted from the facts: no raw escapes


def _node_json(node: Node) -> dict:
    out: dict[str, Any] = {"text": node.text}
    if not node.reached:
        out["state"] = "not_evaluated"
    elif node.error is not None:
        out["state"] = "error"
        out["error"] = node.error
    elif isinstance(node.value, Unknown):
        out["state"] = "unknown"
        out["missing"] = sorted(node.value.missing)
        if node.value.lo is not None or node.value.hi is not None:
            out["bounds"] = [node.value.lo, node.value.hi]
    elif isinstance(node.value, bool):
        out["state"] = "true" if node.value else "false"
    else:
        out["state"] = "value"
        out["value"] = _value_json(node.value)
    if node.children:
        out["children"] = [_node_json(c) for c in node.children]
    return out


def _value_json(v: Any) -> Any:
    if isinstance(v, (Member, Organization, Unit, Department)):
        return v.id
    if isinstance(v, Unknown):
        return {"unknown": sorted(v.missing)}
    if isinstance(v, (Coverage, Quorum, TrainingYear)):
        return {k: _value_json(x) for k, x in attrs.asdict(v, recurse=False).items()}
    if isinstance(v, (tuple, list)):
        return [_value_json(x) for x in v]
    if isinstance(v, PeriodCheck):
        return {"period": v.period, "status": v.status, "records": list(v.records)}
    if isinstance(v, MonthCheck):
        found = {"unknown": sorted(v.found.missing)} if isinstance(v.found, Unknown) else v.found
        return {"month": v.month, "found": found, "record": v.record}
    if isinstance(v, Lapse):
        out = {"lapsed": _value_json(v.lapsed), "months": list(v.months),
               "periods": [_value_json(p) for p in v.periods]}
        if v.since is not None:
            out["since"], out["run_months"] = v.since, v.run_months
        return out
    return to_json(v)


def to_json_doc(ex: Explanation) -> dict:
    parts = []
    for part in ex.parts:
        item: dict[str, Any] = {"part": part.name}
        if part.tree is None:
            item["skipped"] = part.skipped
        else:
            item["tree"] = _node_json(part.tree)
        if part.note is not None:
            item["note"] = part.note
        parts.append(item)
    return {
        "format": "partyrules.explain/1",
        "policy": ex.policy.id, "instrument": ex.policy.instrument, "edition": ex.policy.edition,
        "title": dict(ex.policy.title),
        "subject": {"kind": ex.subject.kind, "id": ex.subject.id, "name": ex.subject.name},
        "as_of": ex.as_of.isoformat(),
        "outcome": ex.result.outcome,
        "missing": list(ex.result.missing),
        "parts": parts,
        "evidence": {name: _node_json(node) for name, node in ex.evidence},
        "message": dict(ex.result.message),
    }


def render_json(ex: Explanation) -> str:
    import json
    return json.dumps(to_json_doc(ex), ensure_ascii=False, indent=2) + "\n"
