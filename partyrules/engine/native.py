"""The native backend: evaluates compiled policies over the facts with Kleene logic.

One result per (policy, subject). A policy that fails on a subject yields the
outcome ``error`` for that subject only; the other subjects and policies still
run.
"""

from __future__ import annotations

import datetime as dt
import string
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

import attrs

from ..facts.derive import Lapse, MonthCheck
from ..facts.model import OMITTED, Election
from ..facts.view import Unknown, View
from ..periods import Month
from ..report.model import SEVERITY_RANK, MissingKinds, ReportOrder, Result, Subject
from ..rulebook.expr import FAILURES, Env, EvalError, evaluate, failure
from ..rulebook.compiled import NOT_APPLICABLE
from ..rulebook.kleene import NOT_APPLICABLE_OUTCOME, SATISFIED_OUTCOME, decided, decider
from ..rulebook.load import Rulebook
from ..rulebook.policy import Policy
from .base import Engine


class NativeEngine(Engine):
    name = "native"

    def evaluate(self, rulebook: Rulebook, policies: Iterable[Policy], view: View,
                 only: Callable[[Subject], bool] | None = None, lazy: bool = False) -> list[Result]:
        """Every (policy, subject) result; with ``only``, just those of the subjects it accepts.

        ``lazy`` (for a report, see :class:`~partyrules.report.model.Results`): each satisfied or
        not-applicable result as a row that makes the result when first read.

        In report order (a :class:`ReportOrder`: the report need not sort them): the policies by
        severity and id, each policy's subjects by id. Two policies of the same severity and id
        (hand-made rulebooks may hold them) would interleave their subjects in that order: their
        results come in the order evaluated, for the report to sort.
        """
        policies = list(policies)
        key = _policy_order
        ordered = sorted(policies, key=key)
        in_order = all(key(a) != key(b) for a, b in zip(ordered, ordered[1:]))
        results: list[Result] = ReportOrder() if in_order else []
        if in_order:
            results.kinds = missing_kinds(view)     # evaluate_policy marks every unknown with it
        for policy in ordered if in_order else policies:
            results.extend(evaluate_policy(rulebook, policy, view, only, in_order, lazy and in_order))
        return results


    def evaluate_for_report(self, rulebook: Rulebook, policies: Iterable[Policy], view: View) -> list:
        """The satisfied and not-applicable results (two thirds of a check's, printed only on request) as
        rows, made into results when read."""
        return self.evaluate(rulebook, policies, view, lazy=True)


def _policy_order(policy: Policy) -> tuple:
    return (SEVERITY_RANK.get(policy.severity, 9), policy.id)


def subjects(policy: Policy, view: View) -> list[tuple[Any, Subject]] | tuple[str, Subject]:
    """The subjects a policy looks at, or ``(missing path, unit subject)`` when their list was omitted.

    The same for every policy of one kind on one view, so made once per view and kind.
    """
    key = ("subjects", policy.applies_to)
    found = view.memo.get(key)
    if found is None:
        found = view.memo[key] = _subjects(policy.applies_to, view)
    return found


def ordered_subjects(policy: Policy, view: View) -> list[tuple[Any, Subject]] | tuple[str, Subject]:
    """:func:`subjects` in report order (by id; one kind per policy), made once per view and kind."""
    key = ("ordered subjects", policy.applies_to)
    found = view.memo.get(key)
    if found is None:
        found = subjects(policy, view)
        if not isinstance(found, tuple):
            found = sorted(found, key=_subject_id)
        view.memo[key] = found
    return found


def _subject_id(pair: tuple[Any, Subject]) -> str:
    return pair[1].id


def missing_kinds(view: View) -> MissingKinds:
    """Whose gap each unknown of a check on ``view`` is (``Result.missing_kind``), one lookup per view."""
    found = view.memo.get(("missing kinds",))
    if found is None:
        found = view.memo[("missing kinds",)] = MissingKinds(view.facts)
    return found


def _subjects(kind: str, view: View) -> list[tuple[Any, Subject]] | tuple[str, Subject]:
    facts = view.facts
    unit = facts.unit
    unit_subject = Subject("unit", unit.id, _name(unit)) if unit is not OMITTED else Subject("unit", "unit", "unit")
    if kind == "unit":
        return ("unit", unit_subject) if unit is OMITTED else [(unit, unit_subject)]
    if kind == "department":
        if unit is OMITTED:
            return ("unit", unit_subject)
        if unit.departments is OMITTED:
            return ("unit.departments", unit_subject)
        return [(d, Subject("department", d.id, _name(d))) for d in unit.departments]
    if kind == "organization":
        if facts.organizations is OMITTED:
            return ("organizations", unit_subject)
        return [(o, Subject("organization", o.id, _name(o))) for o in facts.organizations]
    if kind == "applicant":
        # an extension list: a document without it has no applicants (no result, not an unknown)
        return [] if facts.applicants is OMITTED else [(a, Subject("applicant", a.id, _name(a)))
                                                       for a in facts.applicants]
    if facts.members is OMITTED:
        return ("members", unit_subject)
    # a member admitted after the evaluation date is not yet a member
    return [(m, Subject("member", m.id, _name(m))) for m in facts.members if view.status(m) is not None]


def _name(entity: Any) -> str:
    return entity.name if entity.name is not OMITTED else entity.id


def param_getter(rulebook: Rulebook, on: dt.date):
    """``get(name)``: the value in force on ``on`` (an error if none); ``get(name, day)``: on ``day``, or None.

    Values in force on ``on`` are looked up once per getter (one per policy and view): every subject asks again.
    """
    in_force: dict[str, Any] = {}
    on_day: dict[tuple[str, dt.date], Any] = {}

    def get(name: str, day: dt.date | None = None) -> Any:
        if day is not None:
            # other days too are asked again for every subject (the day an edition took effect, mostly)
            key = (name, day)
            try:
                return on_day[key]
            except KeyError:
                pass
            value = rulebook.params.by_name[name].at(day)
            on_day[key] = found = None if value is None else value.value
            return found
        try:
            return in_force[name]
        except KeyError:
            pass
        value = rulebook.params.by_name[name].at(on)
        if value is None:
            raise EvalError(f"parameter {name!r} has no value in force on {on.isoformat()}")
        in_force[name] = value.value
        return value.value
    return get


def env_maker(rulebook: Rulebook, policy: Policy, view: View, derived: Any):
    """What an expression of ``policy`` sees for one subject: its variables, parameters and derived facts."""
    unit_value = view.facts.unit if view.facts.unit is not OMITTED else Unknown.of("unit")
    getter = param_getter(rulebook, view.as_of)
    since = policy.rule_from(rulebook.registry)
    until = policy.rule_until(rulebook.registry)
    common = {"unit": unit_value, "as_of": view.as_of, "rule_from": since, "rule_until": until}
    variable = policy.variable

    def make(entity: Any) -> Env:
        return Env(view, {variable: entity, **common}, getter, derived, since)
    return make


_NO_EVIDENCE: Mapping[str, Any] = MappingProxyType({})
_SUBJECT = object()     # where evaluate_policy's Env holds the subject, before the first


def evaluate_policy(rulebook: Rulebook, policy: Policy, view: View,
                    only: Callable[[Subject], bool] | None = None, in_order: bool = False,
                    lazy: bool = False) -> list[Result]:
    """One result per subject of ``policy`` (only the subjects ``only`` accepts, when given), in the order of
    the document, or by subject id with ``in_order``. Unknowns carry their ``missing_kind``. ``lazy``:
    see :meth:`NativeEngine.evaluate`."""
    subs = ordered_subjects(policy, view) if in_order else subjects(policy, view)
    kinds = missing_kinds(view)
    if isinstance(subs, tuple):
        path, subject = subs
        base = result_base(policy, rulebook.registry, view.as_of, None)
        return [Result(outcome="unknown", subject=subject, message=_unknown_message((path,)), evidence={},
                       missing=(path,), missing_kind=kinds((path,)), **base)]
    # one Env for every subject, its variable set to each in turn: an expression's value never keeps
    # the Env it was computed on (results keep values), so no subject sees another's
    env = env_maker(rulebook, policy, view, rulebook.derived)(_SUBJECT)
    variables = env.variables
    # a variable named like a common one (unit) is the common value, as env_maker makes it
    variable = policy.variable if variables[policy.variable] is _SUBJECT else None
    bases = BaseCache(policy, rulebook.registry, view.as_of)
    evidence_fns = [(name, e.fn) for name, e in policy.evidence]
    # all of them in one call, sharing their derived facts (policy.evidence_tuple), when the policy has it
    evidence_names = tuple(name for name, _e in policy.evidence)
    evidence_all = policy.evidence_all.fn if policy.evidence_all is not None else None
    names, records_from = view.names, view.records_from
    by_org = policy.applies_to == "organization"
    # the same for every subject but an organization (whose kind narrows the citations)
    base = None if by_org else bases.get(None)
    decide = decider(policy)
    code = policy.subject_code.fn if policy.subject_code is not None else None
    unknown_facts = _unknown_facts(view)
    out = []
    for entity, subject in subs:
        if only is not None and not only(subject):
            continue
        if by_org:
            base = bases.get(entity.kind)
        if variable is not None:
            variables[variable] = entity
        try:
            try:
                # compiled code (run=None); what it raises on odd values becomes the policy's error
                # here, once per subject, not around each expression
                if code is not None:
                    # where, require and the evidence in one call (see rulebook.compiled.compile_subject)
                    done = code(env)
                    if done is NOT_APPLICABLE:
                        outcome, missing, notes = NOT_APPLICABLE_OUTCOME
                        evidence, keys = _NO_EVIDENCE, None
                    else:
                        applies, holds, evidence = done
                        outcome, missing, notes = SATISFIED_OUTCOME if applies is True and holds is True else \
                            decided(policy, env, applies, holds)
                        keys = evidence_names                           # the values, named below
                else:
                    outcome, missing, notes = decide(env)
                    keys = None
                    if outcome == "not_applicable":
                        evidence = _NO_EVIDENCE
                    elif evidence_all is not None:
                        evidence, keys = evidence_all(env), evidence_names     # the values, named below
                    else:
                        evidence = {}
                        for name, fn in evidence_fns:     # a loop, not a comprehension: no function per subject
                            evidence[name] = fn(env)
            except FAILURES as exc:
                raise failure(exc) from None
        except EvalError as exc:
            out.append(Result(outcome="error", subject=subject, evidence={},
                              message={"zh": f"策略在此对象上执行出错：{exc}", "en": f"The policy failed on this subject: {exc}"},
                              **base))
            continue
        if lazy and (outcome == "satisfied" or outcome == "not_applicable"):
            # what build_result's recipe is made of, its Result made from the row when read (see
            # report.model.Results): one tuple, the evidence still its values (a row is kept by the report
            # and most are never read: each object fewer per subject is one the collector need not walk)
            missing = tuple(sorted(missing)) if missing else ()
            out.append((_row_result, outcome, base, policy, subject, missing, evidence, notes, names, records_from,
                        keys))
            continue
        if keys is not None:
            evidence = dict(zip(keys, evidence))
        if outcome == "unknown":
            # the same missing facts recur for a subject under a dozen policies: sorted and judged once
            listed = unknown_facts.get(missing)
            if listed is None:
                ordered_missing = tuple(sorted(missing))
                listed = unknown_facts[missing] = (ordered_missing, kinds(ordered_missing))
            out.append(_made_result(policy, subject, outcome, listed[0], notes, evidence, base, names,
                                    records_from, listed[1]))
            continue
        out.append(build_result(policy, subject, outcome, missing, notes, evidence, base, names, records_from,
                                kinds))
    return out


def _unknown_facts(view: View) -> dict[frozenset, tuple[tuple[str, ...], str]]:
    """An unknown outcome's missing facts (a frozenset) → in order, and whose gap they are
    (:func:`missing_kinds`), made once per view and set of facts."""
    found = view.memo.get(("unknown facts",))
    if found is None:
        found = view.memo.setdefault(("unknown facts",), {})      # setdefault: threads share one dict
    return found


def _row_result(row: tuple) -> Result:
    """The result of a row of :func:`evaluate_policy` (satisfied or not applicable: no ``missing_kind``),
    the one :func:`build_result` makes. ``keys``: the names of the evidence when it is still their values."""
    _make, outcome, base, policy, subject, missing, evidence, notes, names, records_from, keys = row
    if keys is not None:
        evidence = dict(zip(keys, evidence))
    return _made_result(policy, subject, outcome, missing, notes, evidence, base, names, records_from, None)


def org_kind(policy: Policy, entity: Any) -> str | None:
    """The kind of the subject when it is an organization (what ``org_kinds`` citations look at)."""
    return entity.kind if policy.applies_to == "organization" else None


def result_base(policy: Policy, registry: Any, as_of: dt.date, kind: str | None) -> dict:
    """What every result of ``policy`` on one subject carries: its id, severity, edition and citations.

    The citations are those of editions in force on ``as_of`` that apply to the
    subject (a citation narrowed by ``org_kinds`` only to organizations of those kinds).
    """
    cites = tuple(c for c in policy.citations
                  if registry.applies_on(c.citation.instrument, c.citation.edition, as_of) and c.cited_for(kind))
    return dict(policy=policy.id, severity=policy.severity, citations=cites,
                instrument=policy.instrument, edition=policy.edition, title=dict(policy.title))


class BaseCache:
    """:func:`result_base` of one policy on one date, computed once per kind of subject (the citations
    in force do not change from one subject to the next)."""

    def __init__(self, policy: Policy, registry: Any, as_of: dt.date) -> None:
        self.policy, self.registry, self.as_of = policy, registry, as_of
        self.bases: dict[str | None, dict] = {}

    def get(self, kind: str | None) -> dict:
        base = self.bases.get(kind)
        if base is None:
            base = self.bases[kind] = result_base(self.policy, self.registry, self.as_of, kind)
        return base


def build_result(policy: Policy, subject: Subject, outcome: str, missing: Iterable[str], notes: Any,
                 evidence: Mapping, base: dict, names: Mapping[str, tuple[str, bool]] = {},
                 records_from: Any = None, kinds: Callable[[tuple], str] | None = None) -> Result:
    """A result with its message and JSON evidence, the same for every engine.

    Both are made when first read (most results are satisfied and never printed), from one
    tuple they share (see :class:`~partyrules.report.model.Result`); the evidence values they are made from are immutable, so the result is
    the same either way. ``names`` (``View.names``) lets the message name the people,
    organizations and departments that the evidence holds by id; the evidence itself keeps the
    ids. ``records_from`` (the document's) lets the message of an unknown result say when the
    records start. ``kinds`` (:class:`~partyrules.report.model.MissingKinds`) marks an unknown's
    ``missing_kind`` now; without it the report does.
    """
    missing = tuple(sorted(missing)) if missing else ()
    kind = kinds(missing) if kinds is not None and outcome == "unknown" else None
    return _made_result(policy, subject, outcome, missing, notes, evidence, base, names, records_from, kind)


def _made_result(policy: Policy, subject: Subject, outcome: str, missing: tuple[str, ...], notes: Any,
                 evidence: Mapping, base: dict, names: Mapping[str, tuple[str, bool]], records_from: Any,
                 kind: str | None) -> Result:
    """:func:`build_result` once its missing facts are in order and their ``missing_kind`` is known."""
    recipe = (_message, _shown_evidence, policy, subject, outcome, missing, evidence, notes, names, records_from)
    # positionally: a keyword call (base's six fields among them) costs a third more, 10⁴ times a check
    return Result(base["policy"], outcome, base["severity"], subject, base["citations"], recipe, recipe, missing,
                  base["instrument"], base["edition"], kind, base["title"])


def _shown_evidence(recipe: tuple) -> dict:
    evidence, notes = recipe[6], recipe[7]
    shown = {k: to_json(v) for k, v in evidence.items()}
    if notes:
        shown["exception"] = list(notes)
    return shown


def _message(recipe: tuple) -> dict:
    _m, _e, policy, subject, outcome, missing, evidence, _notes, names, records_from = recipe
    if outcome == "unknown":
        return _unknown_text(missing, records_from)     # build_result sorted them
    if outcome == "violated":
        return {lang: _fill(policy.message[lang], evidence, subject, lang, names) for lang in ("zh", "en")}
    return dict(policy.title)


def _unknown_message(missing: Iterable[str], records_from: Any = None) -> dict:
    """The message of an unknown result. ``records_from`` among the missing facts of a document that gives a
    date there means the records start too late for the period a rule looks at, not that the date is missing:
    the message says so."""
    return _unknown_text(sorted(missing), records_from)


def _unknown_text(missing: list[str] | tuple[str, ...], records_from: Any) -> dict:
    if "records_from" not in missing or not isinstance(records_from, dt.date):
        return {"zh": f"缺少事实，无法判定：{'、'.join(missing)}",
                "en": f"Cannot decide: facts missing: {', '.join(missing)}"}
    others = [m for m in missing if m != "records_from"]
    day = records_from.isoformat()
    zh = f"记录自{day}起才完整（records_from），本规则检查的期间早于此日，无法判定"
    en = f"Cannot decide: the records start on {day} (records_from) and the period this rule looks at reaches before it"
    if others:
        zh += f"；另缺少事实：{'、'.join(others)}"
        en += f"; facts also missing: {', '.join(others)}"
    return {"zh": zh, "en": en}


unknown_message = _unknown_message     # public: the durable engine words its unknowns the same


_WORDS = {"zh": {None: "无", True: "是", False: "否", "unknown": "未知", "sep": "、"},
          "en": {None: "none", True: "yes", False: "no", "unknown": "unknown", "sep": ", "}}


def _fill(template: str, evidence: dict, subject: Subject, lang: str,
          names: Mapping[str, tuple[str, bool]] = {}) -> str:
    words = _WORDS[lang]

    def show(v: Any) -> Any:
        if isinstance(v, str) and v in names:
            name, shared = names[v]
            return (f"{name}（{v}）" if lang == "zh" else f"{name} ({v})") if shared else name
        if isinstance(v, Unknown):
            return words["unknown"]
        if v is None or isinstance(v, bool):
            return words[v]
        if isinstance(v, tuple):
            return words["sep"].join(str(show(x)) for x in v) if v else words[None]
        if isinstance(v, (int, float, str)):
            return v
        return str(to_json(v))

    # only the values the template names are shown (a lapse's evidence holds its whole month-by-month record,
    # which a message does not print); subject and subject_id name the subject whatever the evidence holds
    values: dict[str, Any] = {"subject": subject.name, "subject_id": subject.id}
    out = []
    for literal, field, spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        v = values[field] if field in values else values.setdefault(field, show(evidence[field]))
        numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
        out.append(_formatted(v, spec) if spec and numeric else str(v))
    return "".join(out)


def _formatted(value: float, spec: str) -> str:
    # the loader allows only formats that work on any number; a pack built before that still renders
    try:
        return format(value, spec) if len(spec) <= 8 else str(value)
    except ValueError:
        return str(value)


def to_json(value: Any) -> Any:
    """Evidence values as JSON: dates and months as text, records as their fields, unknown as null."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:     # most values, before the checks below
        return value
    if isinstance(value, Unknown):
        return None
    if isinstance(value, (dt.date, Month)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Election):
        return {k: to_json(v) for k, v in attrs.asdict(value, recurse=False).items() if v is not OMITTED}
    if isinstance(value, Lapse):
        out = {"lapsed": to_json(value.lapsed), "months": list(value.months),
               "periods": [to_json(p) for p in value.periods]}
        if value.since is not None:
            out["since"] = value.since
            out["run_months"] = value.run_months
        return out
    if isinstance(value, MonthCheck):
        found = "unrecorded" if isinstance(value.found, Unknown) else value.found
        return {"month": value.month, "found": found, "record": value.record}
    if attrs.has(type(value)) and hasattr(value, "id"):
        return value.id
    if attrs.has(type(value)):
        return {k: to_json(v) for k, v in attrs.asdict(value, recurse=False).items() if v is not OMITTED}
    return value
