"""Fact documents in: YAML, JSON, standard input or a mapping → a validated model.

Structuring is done by cattrs with strict hooks (no coercion: ``5`` is not the
string ``"5"``, a string is not a list of characters); every problem is
reported as ``FILE: members[12].admitted_on: expected …`` with the line and
column when the document came from YAML. After structuring, the document's own
rules are checked: unique ids and references that name an existing id of the
right list.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import types
import typing
from pathlib import Path
from typing import Any, Literal, NewType, Union

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from ..errors import InputError
from ..periods import Month, parse_date
from ..source import Document, from_mapping, read_path
from . import quick
from .check_devt import check_devt
from .model import (FORMAT, OMITTED, Count, FactDocument, Hours, Member, NonEmpty, Number, Omitted, Organization,
                    TrainingHours)

MAX_PROBLEMS = 20
MAX_LIST_PROBLEMS = 100      # wrong items of one list that are checked and counted


class _Problem(Exception):
    """A value that does not fit; ``subpath`` continues the path below the value."""

    def __init__(self, message: str, subpath: tuple = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and value.bit_length() > 200:
        return f"a number of {len(str(value))} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    """What a value is, without showing it."""
    if value is None or isinstance(value, (bool, dict, list)):
        return _describe(value)
    if isinstance(value, str):
        return f"a string of {len(value)} characters" if value != "" else "an empty string"
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Problem(f"expected a string, got {_describe(value)}")
    return value


def _non_empty(value: Any, _: type) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Problem(f"expected a non-empty string (an id), got {_describe(value)}")
    return value


def _bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Problem(f"expected true or false, got {_describe(value)}")
    return value


MAX_COUNT = 2 ** 53 - 1     # every engine (durable-rules counts in doubles) holds it exactly


def _count(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Problem(f"expected a whole number >= 0, got {_describe(value)}")
    if value > MAX_COUNT:
        raise _Problem(f"expected a whole number up to {MAX_COUNT}, got one of {len(str(value))} digits")
    return value


def _hours(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Problem(f"expected a number of hours >= 0, got {_describe(value)}")
    return float(value)


def _number(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Problem(f"expected a number >= 0, got {_describe(value)}")
    return float(value)


FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)   # as for training years


def _date(value: Any, _: type) -> dt.date:
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = parse_date(value)
        except ValueError:
            pass
    if day is None:
        raise _Problem(f"expected a date YYYY-MM-DD, got {_describe(value)}")
    if not FIRST_DATE <= day <= LAST_DATE:
        # periods and terms are counted years past a date: 9999-12-31 would overflow them
        raise _Problem(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {_describe(value)}")
    return day


def _month(value: Any, _: type) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, str):
        try:
            month = Month.parse(value)
        except ValueError:
            month = None
        if month is not None and FIRST_DATE.year <= month.year <= LAST_DATE.year:
            return month
    raise _Problem(f"expected a month YYYY-MM from {FIRST_DATE:%Y-%m} to {LAST_DATE:%Y-%m}, got {_describe(value)}")


def _training_hours(value: Any, _: type) -> TrainingHours:
    if not isinstance(value, dict):
        raise _Problem(f"expected a mapping of year to hours, got {_describe(value)}")
    pairs: dict[int, float] = {}
    for key, hours in value.items():
        year = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4:
            year = int(key)
        if year is None or not 1900 <= year <= 2999:
            raise _Problem(f"expected a year such as 2024 as key, got {_describe(key)}", (key,))
        if year in pairs:
            raise _Problem(f"year {year} is given twice", (key,))
        pairs[year] = _hours_at(hours, key)
    return TrainingHours(tuple(sorted(pairs.items())))


def _hours_at(value: Any, key: Any) -> float:
    try:
        return _hours(value, float)
    except _Problem as exc:
        raise _Problem(exc.message, (key,)) from None


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(NonEmpty, _non_empty)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Count, _count)
    conv.register_structure_hook(Hours, _hours)
    conv.register_structure_hook(Number, _number)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Month, _month)
    conv.register_structure_hook(TrainingHours, _training_hours)

    def literal_factory(tp: Any):
        allowed = typing.get_args(tp)

        def hook(value: Any, _: type) -> Any:
            if not isinstance(value, str) or value not in allowed:
                hint = ""
                if isinstance(value, str):
                    close = difflib.get_close_matches(value, allowed, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise _Problem(f"expected one of {', '.join(allowed)}, got {_describe(value)}{hint}")
            return value
        return hook

    def tuple_factory(tp: Any):
        (item_type, _ellipsis) = typing.get_args(tp)
        item_hook = conv.get_structure_hook(item_type)

        def hook(value: Any, _: type) -> tuple:
            if not isinstance(value, (list, tuple)):
                raise _Problem(f"expected a list, got {_describe(value)}")
            out = []
            errors: list[Exception] = []
            for i, item in enumerate(value):
                if len(errors) >= MAX_LIST_PROBLEMS:
                    # a million wrong items need not all be described: stop, and say so
                    errors.append(_Problem(f"checking stopped after {MAX_LIST_PROBLEMS} wrong items in this list", (i,)))
                    break
                try:
                    out.append(item_hook(item, item_type))
                except _Problem as exc:
                    errors.append(_Problem(exc.message, (i,) + exc.subpath))
                except Exception as exc:
                    exc.__notes__ = getattr(exc, "__notes__", []) + [_Index(i)]
                    errors.append(exc)
            if errors:
                raise cattrs.IterableValidationError("invalid items", errors, tp)
            return tuple(out)
        return hook

    def union_factory(tp: Any):
        args = typing.get_args(tp)
        nullable = type(None) in args
        rest = [a for a in args if a not in (type(None), Omitted)]
        if len(rest) != 1:
            raise TypeError(f"unsupported union {tp}")
        inner = rest[0]
        inner_hook = conv.get_structure_hook(inner)

        def hook(value: Any, _: type) -> Any:
            if value is None:
                if nullable:
                    return None
                raise _Problem("expected a value, got null (leave the key out when it is not known)")
            return inner_hook(value, inner)
        return hook

    def class_factory(cls: type):
        fn = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True,
                                    _cattrs_detailed_validation=True,
                                    **({"source": override(omit=True)} if cls is FactDocument else {}))

        def hook(value: Any, tp: type) -> Any:
            if not isinstance(value, dict):
                raise _Problem(f"expected a mapping, got {_describe(value)}")
            return fn(value, tp)
        return hook

    conv.register_structure_hook_factory(lambda t: typing.get_origin(t) is Literal, literal_factory)
    conv.register_structure_hook_factory(
        lambda t: typing.get_origin(t) is tuple and len(typing.get_args(t)) == 2
        and typing.get_args(t)[1] is Ellipsis, tuple_factory)
    conv.register_structure_hook_factory(_is_union, union_factory)
    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (TrainingHours, Month), class_factory)
    return conv


@attrs.frozen
class _Index:
    index: int


_CONVERTER = _make_converter()


def structure(data: Any, cls: type) -> Any:
    """One record (already checked plain) structured as the loader does it (sessions change one record)."""
    return _CONVERTER.structure(data, cls)


def _flatten(exc: BaseException, path: tuple) -> list[tuple[tuple, str]]:
    """Turn cattrs' exception groups into (path, message) pairs."""
    if isinstance(exc, ForbiddenExtraKeysError):
        out = []
        fields = [a.name for a in attrs.fields(exc.cl) if a.name != "source"]
        for extra in sorted(exc.extra_fields, key=lambda k: (not isinstance(k, str), str(k))):
            if not isinstance(extra, str):
                out.append((path + (extra,), f"unknown field {_describe(extra)}: field names are strings; "
                                             f"expected one of {', '.join(fields)}"))
                continue
            close = difflib.get_close_matches(extra, fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.append((path + (extra,), f"unknown field{hint}; expected one of {', '.join(fields)}"))
        return out
    if isinstance(exc, BaseExceptionGroup):
        out = []
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", [])
            # cattrs notes the attribute after our tuple hook noted the index: attribute first.
            step = path + tuple(n.name for n in notes if type(n).__name__ == "AttributeValidationNote")
            step = step + tuple(n.index for n in notes if type(n).__name__ in ("IterableValidationNote", "_Index"))
            out.extend(_flatten(sub, step))
        return out
    if isinstance(exc, _Problem):
        return [(path + exc.subpath, exc.message)]
    if isinstance(exc, KeyError):
        return [(path, "required field missing")]
    return [(path, f"invalid value: {exc}")]


class _DanglingRef:
    """The message about a reference to no id; "did you mean" is looked for only if it is shown.

    Comparing every dangling reference with every id costs O(n·m) string
    matching, while one line (or twenty) is printed.
    """

    __slots__ = ("value", "table", "what")

    def __init__(self, value: Any, table: dict, what: str) -> None:
        self.value, self.table, self.what = value, table, what

    def __str__(self) -> str:
        close = difflib.get_close_matches(self.value, list(self.table), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{self.value!r} is not the id of any {self.what}{hint}"


def _fail(doc: Document, problems: list[tuple[tuple, str]]) -> InputError:
    from ..source import format_path

    def order(p: tuple[tuple, str]) -> tuple:
        where = doc.where(p[0])
        return (0, where) if where else (1, (0, 0))
    problems = sorted(problems, key=order)
    path, message = problems[0]
    where = doc.where(path)
    err = InputError(doc.source, format_path(path), str(message), *(where or (None, None)))
    err.problems = [(format_path(p), str(m), doc.where(p)) for p, m in problems[:MAX_PROBLEMS]]
    err.more = max(0, len(problems) - 1)
    return err


def load_facts(source: Any) -> FactDocument:
    """Load and validate a fact document.

    ``source`` is a path (``str`` or ``Path``; ``-`` for standard input), a
    mapping that follows the contract, or an already loaded
    :class:`FactDocument` (returned as is). Raises :class:`InputError`.
    """
    if isinstance(source, FactDocument):
        return source
    if isinstance(source, (str, Path)):
        doc = read_path(source)
    elif isinstance(source, dict):
        doc = from_mapping(source)
    else:
        raise InputError("<input>", "", f"expected a path, a mapping or a FactDocument, got {type(source).__name__}")
    return facts_from_document(doc)


def facts_from_document(doc: Document) -> FactDocument:
    data = doc.data
    if isinstance(data, dict) and data.get("format") == FORMAT:
        try:
            facts = quick.structure(data, doc.source)
        except quick.NotQuick:
            pass
        else:
            if not _references(facts) and not check_devt(facts):
                return facts
    return _careful(doc)


def _careful(doc: Document) -> FactDocument:
    """Structure and check with every problem located and worded (the quick path found one, or gave up)."""
    data = doc.data
    if not isinstance(data, dict):
        # never echo the content: a file named by mistake (a password file) is not shown back
        raise InputError(doc.source, "", f"expected a mapping at the top level (a fact document, format: {FORMAT}), "
                         f"got {_kind_of(data)}", *(doc.where(()) or (None, None)))
    if data.get("format") != FORMAT:
        where = doc.where(("format",)) or (None, None)
        value = data.get("format")
        shown = isinstance(value, str) and value.startswith("partyrules.") and len(value) <= 40
        got = "nothing" if "format" not in data else (_describe(value) if shown else _kind_of(value))
        raise InputError(doc.source, "format", f"expected {FORMAT!r}, got {got}", *where)
    try:
        facts = _CONVERTER.structure(data, FactDocument)
    except (cattrs.BaseValidationError, _Problem, KeyError) as exc:
        raise _fail(doc, _flatten(exc, ())) from None
    facts = attrs.evolve(facts, source=doc.source)
    problems = check_references(facts) + check_devt(facts)
    if problems:
        raise _fail(doc, problems)
    return facts


def _ids(items: Any, list_name: str, problems: list, key: str = "id") -> dict[str, int]:
    seen: dict[str, int] = {}
    if items is OMITTED:
        return seen
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value is OMITTED:
            continue
        if value in seen:
            problems.append(((list_name, i, key) if not isinstance(list_name, tuple) else list_name + (i, key),
                             f"duplicate id {value!r} (first used at index {seen[value]})"))
        else:
            seen[value] = i
    return seen


def check_references(facts: FactDocument) -> list[tuple[tuple, str]]:
    """Unique ids and references to an existing id of the right list; dates that contradict each other."""
    return _references(facts) + records_after(facts)


def _references(facts: FactDocument) -> list[tuple[tuple, str]]:
    """:func:`check_references` but for records dated after as_of (which the quick path sees for itself)."""
    problems: list[tuple[tuple, str]] = []
    orgs = _ids(facts.organizations, "organizations", problems)
    members = _ids(facts.members, "members", problems)
    departments: dict[str, int] = {}
    unit = facts.unit
    if unit is not OMITTED:
        departments = _ids(unit.departments, ("unit", "departments"), problems)
    _ids(facts.meetings, "meetings", problems)

    def ref(path: tuple, value: Any, table: dict, what: str) -> None:
        if value is OMITTED or value is None:
            return
        if value not in table:
            problems.append((path, _DanglingRef(value, table, what)))

    def refs(path: tuple, values: Any, table: dict, what: str) -> None:
        if values is OMITTED:
            return
        distinct = set(values)
        if len(distinct) == len(values) and table.keys() >= distinct:
            return                      # the usual case, without a path per value (attendance lists are long)
        seen = set()
        for i, v in enumerate(values):
            ref(path + (i,), v, table, what)
            if v in seen:
                problems.append((path + (i,), f"{v!r} is listed twice"))
            seen.add(v)

    if unit is not OMITTED:
        refs(("unit", "leaders"), unit.leaders, members, "member")
        if unit.departments is not OMITTED:
            for i, d in enumerate(unit.departments):
                ref(("unit", "departments", i, "head"), d.head, members, "member")
        if (unit.staff_total is not OMITTED and unit.party_affairs_staff is not OMITTED
                and unit.party_affairs_staff > unit.staff_total):
            problems.append((("unit", "party_affairs_staff"),
                             f"{unit.party_affairs_staff} party-affairs staff exceed staff_total {unit.staff_total}"))
    if facts.organizations is not OMITTED:
        for i, o in enumerate(facts.organizations):
            p = ("organizations", i)
            ref(p + ("parent",), o.parent, orgs, "organization")
            if o.parent is not OMITTED and o.parent == o.id:
                problems.append((p + ("parent",), "an organization cannot be its own parent"))
            refs(p + ("departments",), o.departments, departments, "department")
            ref(p + ("secretary",), o.secretary, members, "member")
            refs(p + ("deputy_secretaries",), o.deputy_secretaries, members, "member")
            refs(p + ("committee_members",), o.committee_members, members, "member")
            ref(p + ("discipline_member",), o.discipline_member, members, "member")
            ref(p + ("discipline_commission_secretary",), o.discipline_commission_secretary, members, "member")
            if o.officers_took_office is not OMITTED:
                refs(p + ("officers_took_office",), tuple(t.member for t in o.officers_took_office), members,
                     "member")
        problems.extend(_parent_cycles(facts.organizations))
    if facts.members is not OMITTED:
        for i, m in enumerate(facts.members):
            p = ("members", i)
            ref(p + ("org",), m.org, orgs, "organization")
            ref(p + ("department",), m.department, departments, "department")
            if m.introducers is not OMITTED:
                for j, intro in enumerate(m.introducers):
                    ip = p + ("introducers", j)
                    if (intro.member is OMITTED) == (intro.name is OMITTED):
                        problems.append((ip, "give either member (an id in this document) or name "
                                             "(someone outside the unit), not both or neither"))
                    ref(ip + ("member",), intro.member, members, "member")
                    if intro.member is not OMITTED and intro.member == m.id:
                        problems.append((ip + ("member",), "a member cannot introduce themselves"))
            problems.extend(_member_dates(p, m, facts.as_of))
    if facts.meetings is not OMITTED:
        for i, mt in enumerate(facts.meetings):
            p = ("meetings", i)
            ref(p + ("org",), mt.org, orgs, "organization")
            refs(p + ("attendees",), mt.attendees, members, "member")
            ref(p + ("lecturer",), mt.lecturer, members, "member")
    if facts.activities is not OMITTED:
        for i, a in enumerate(facts.activities):
            p = ("activities", i)
            ref(p + ("org",), a.org, orgs, "organization")
            ref(p + ("member",), a.member, members, "member")
    if (facts.records_from not in (OMITTED, None) and facts.as_of is not OMITTED
            and facts.records_from > facts.as_of):
        problems.append((("records_from",), f"{facts.records_from} is after as_of {facts.as_of}"))
    return problems


def _parent_cycles(orgs: tuple[Organization, ...]) -> list[tuple[tuple, str]]:
    """Each cycle of parents once, named from its first organization in the document; O(n)."""
    parent = {o.id: o.parent for o in orgs if o.parent not in (OMITTED, None)}
    index = {o.id: i for i, o in enumerate(orgs)}
    state: dict[str, int] = {}           # 1: on the walk being followed, 2: known to reach no cycle
    problems = []
    for start in (o.id for o in orgs if o.id in parent):
        walk: list[str] = []
        node = start
        while node in parent and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent[node]
        if state.get(node) == 1:                         # the walk came back onto itself: a new cycle
            cycle = walk[walk.index(node):]
            first = min(cycle, key=index.__getitem__)
            at = cycle.index(first)
            ring = cycle[at:] + cycle[:at]
            problems.append((("organizations", index[first], "parent"),
                             "parents form a cycle: " + " → ".join(ring + [first])))
        for n in walk:
            state[n] = 2
    return problems


def _member_dates(p: tuple, m: Member, as_of: Any) -> list[tuple[tuple, str]]:
    problems = []
    if m.status == "full" and m.full_on is None:
        problems.append((p + ("full_on",), "null (still probationary) contradicts status 'full'"))
    if m.status == "probationary" and m.full_on not in (OMITTED, None) and (as_of is OMITTED or m.full_on <= as_of):
        problems.append((p + ("full_on",), f"{m.full_on} (became full) contradicts status 'probationary'"))
    if m.admitted_on is not OMITTED and m.full_on not in (OMITTED, None) and m.full_on < m.admitted_on:
        problems.append((p + ("full_on",), f"{m.full_on} is before admitted_on {m.admitted_on}"))
    if m.birth_date is not OMITTED and m.admitted_on is not OMITTED and m.admitted_on < m.birth_date:
        problems.append((p + ("admitted_on",), f"{m.admitted_on} is before birth_date {m.birth_date}"))
    if m.applied_on is not OMITTED and m.admitted_on is not OMITTED and m.applied_on > m.admitted_on:
        problems.append((p + ("applied_on",), f"{m.applied_on} is after admitted_on {m.admitted_on}: "
                                              "the application comes before the admission"))
    return problems


# Dates that are not records of something that happened: a deadline may lie after the snapshot.
NOT_RECORDS = frozenset({"postponement_approved_until"})


def records_after(facts: FactDocument) -> list[tuple[tuple, str]]:
    """Every dated record after the document's ``as_of``: the snapshot says nothing about later days.

    One rule for every date of the document (meetings, activities, elections,
    approvals, admissions, secretary changes, training years), except the
    deadlines in :data:`NOT_RECORDS`. Dues are months paid *for*, and may be
    paid in advance, so they are not records dated after ``as_of``.
    """
    as_of = facts.as_of
    if as_of is OMITTED:
        return []
    problems: list[tuple[tuple, str]] = []
    stack: list[tuple[Any, tuple]] = [(facts, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, tuple):
            stack.extend((v, path + (i,)) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, TrainingHours):
            late = [y for y, _ in value.by_year if y > as_of.year]
            if late:
                problems.append((path, f"training hours for {late[0]} are after the document's as_of {as_of}"))
        elif attrs.has(type(value)) and not isinstance(value, Month):
            for field in attrs.fields(type(value)):
                v = getattr(value, field.name)
                if isinstance(v, dt.date) and path and field.name not in NOT_RECORDS:
                    if v > as_of:
                        problems.append((path + (field.name,), f"{v} is after the document's as_of {as_of}"))
                elif isinstance(v, (tuple, TrainingHours)) or (attrs.has(type(v)) and not isinstance(v, Month)):
                    stack.append((v, path + (field.name,)))
    return problems
