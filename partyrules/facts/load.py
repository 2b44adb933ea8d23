"""Fact documents in: YAML, JSON, standard input or a mapping → a validated model.

Structuring is done by cattrs with strict hooks (in :mod:`.careful`, imported only
when the quick path of :mod:`.quick` finds anything off; no coercion: ``5`` is not the
string ``"5"``, a string is not a list of characters); every problem is
reported as ``FILE: members[12].admitted_on: expected …`` with the line and
column when the document came from YAML. After structuring, the document's own
rules are checked: unique ids and references that name an existing id of the
right list.
"""

from __future__ import annotations

import datetime as dt
import difflib
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable

import attrs

from ..errors import InputError
from ..periods import Month
from ..source import Document, check_plain, from_mapping, read_path
from . import quick
from .check_devt import check_devt
from .model import FIRST_DATE, FORMAT, LAST_DATE, MAX_COUNT, OMITTED, FactDocument, Member, Organization, TrainingHours

MAX_PROBLEMS = 20


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
        # as for a mapping below: JSON's plain check (read_json) runs only when the quick path declines
        # positions only if a problem is to be located (see read_yaml)
        doc = read_path(source, plain_checked=False, marks_when_asked=True)
        facts = _quickly(doc.data, doc.source)
        if facts is not None:
            return facts
        check_plain(doc.data, doc.source)
        return _careful(doc)
    if isinstance(source, dict):
        if type(source) is not dict:    # a subclass: none of its methods is called before the plain check
            return facts_from_document(from_mapping(source))
        # The quick path accepts nothing check_plain refuses, so the plain check walks the mapping only
        # when the quick path declines, and then says first what is wrong, as it did before. The quick
        # path would decline again on the same data: the careful one follows, as in facts_from_document.
        facts = _quickly(source, "<mapping>")
        return facts if facts is not None else _careful(from_mapping(source))
    raise InputError("<input>", "", f"expected a path, a mapping or a FactDocument, got {type(source).__name__}")


def facts_from_document(doc: Document) -> FactDocument:
    facts = _quickly(doc.data, doc.source)
    return facts if facts is not None else _careful(doc)


def _quickly(data: Any, source: str) -> FactDocument | None:
    """The document the quick path builds, or None when it declines or the document has a problem."""
    if isinstance(data, dict) and data.get("format") == FORMAT:
        try:
            facts, attendees = quick.structure_noting(data, source)
        except quick.NotQuick:
            return None
        if not _references(facts, attendees) and not check_devt(facts):
            return facts
    return None


def structure(data: Any, cls: type) -> Any:
    """One record (already checked plain) structured as the loader does it (sessions change one record)."""
    from . import careful
    return careful.structure(data, cls)


def _careful(doc: Document) -> FactDocument:
    """Structure and check with every problem located and worded (the quick path found one, or gave up)."""
    from . import careful
    data = doc.data
    if not isinstance(data, dict):
        # never echo the content: a file named by mistake (a password file) is not shown back
        raise InputError(doc.source, "", f"expected a mapping at the top level (a fact document, format: {FORMAT}), "
                         f"got {careful.kind_of(data)}", *(doc.where(()) or (None, None)))
    if data.get("format") != FORMAT:
        where = doc.where(("format",)) or (None, None)
        value = data.get("format")
        shown = isinstance(value, str) and value.startswith("partyrules.") and len(value) <= 40
        got = "nothing" if "format" not in data else (careful.describe(value) if shown else careful.kind_of(value))
        raise InputError(doc.source, "format", f"expected {FORMAT!r}, got {got}", *where)
    try:
        facts = careful.structure(data, FactDocument)
    except careful.FAILURES as exc:
        raise _fail(doc, careful.flatten(exc, ())) from None
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


def _references(facts: FactDocument, attendees: set | None = None) -> list[tuple[tuple, str]]:
    """:func:`check_references` but for records dated after as_of (which the quick path sees for itself);
    ``attendees``: every id the meetings' attendees name, when known already."""
    return [] if _references_hold(facts, attendees) else _reference_problems(facts)


_ID, _ORG, _HEAD, _PARENT = attrgetter("id"), attrgetter("org"), attrgetter("head"), attrgetter("parent")
_DEPARTMENT, _DEPARTMENTS = attrgetter("department"), attrgetter("departments")
_OFFICERS = attrgetter("secretary", "discipline_member", "discipline_commission_secretary")
_BOARDS = attrgetter("deputy_secretaries", "committee_members")
_ATTENDEES, _LECTURER, _MEMBER = attrgetter("attendees"), attrgetter("lecturer"), attrgetter("member")


def _references_hold(facts: FactDocument, attendees: set | None = None) -> bool:
    """Whether :func:`_reference_problems` would find nothing, asked a list at a time with sets (in C).

    A court names its members some 20,000 times (attendance); looking each name up
    apart, with a path for it, was most of the check. True only when nothing is
    wrong; on False the worded walk finds and says what (a value that cannot be
    hashed, which the model never holds, is left to it too). ``attendees``: every id the meetings'
    attendees name (None: found here).
    """
    try:
        orgs, members, departments = tables = _tables(facts)
        if None in tables or _unique(_listed(facts.meetings)) is None:
            return False                # an id given twice
        return (_unit_holds(facts.unit, members)
                and _organizations_hold(_listed(facts.organizations), orgs, members, departments)
                and _members_hold(facts, orgs, members, departments) and _records_hold(facts, orgs, members, attendees))
    except TypeError:
        return False


def _listed(items: Any) -> Any:
    return () if items is OMITTED else items


def _unique(items: Any) -> set | None:
    """The ids given in ``items``, or None when one is given twice."""
    ids = [i for i in map(_ID, items) if i is not OMITTED]
    distinct = set(ids)
    return distinct if len(distinct) == len(ids) else None


def _tables(facts: FactDocument) -> tuple[set | None, set | None, set | None]:
    """The ids of organizations, members and departments (None: one is given twice)."""
    unit = facts.unit
    departments = _unique(_listed(unit.departments)) if unit is not OMITTED else set()
    return _unique(_listed(facts.organizations)), _unique(_listed(facts.members)), departments


def _all_in(values: Iterable, table: set) -> bool:
    """Every value given (neither OMITTED nor None) is in ``table``."""
    return table.issuperset([v for v in values if v is not OMITTED and v is not None])


def _lists_in(lists: Iterable, table: set, named: set | None = None) -> bool:
    """Every list given names values of ``table``, none twice; ``named``: the values they name, if known."""
    lists = [values for values in lists if values is not OMITTED]
    return (sum(map(len, lists)) == sum(map(len, map(set, lists)))
            and table.issuperset(chain.from_iterable(lists) if named is None else named))


def _unit_holds(unit: Any, members: set) -> bool:
    if unit is OMITTED:
        return True
    return (_lists_in((unit.leaders,), members) and _all_in(map(_HEAD, _listed(unit.departments)), members)
            and (unit.staff_total is OMITTED or unit.party_affairs_staff is OMITTED
                 or unit.party_affairs_staff <= unit.staff_total))


def _organizations_hold(items: Any, orgs: set, members: set, departments: set) -> bool:
    officers = [o.officers_took_office for o in items if o.officers_took_office is not OMITTED]
    return (_all_in(map(_PARENT, items), orgs)
            and not any(o.parent is not OMITTED and o.parent == o.id for o in items)
            and _lists_in(map(_DEPARTMENTS, items), departments)
            and _all_in(chain.from_iterable(map(_OFFICERS, items)), members)
            and _lists_in(chain.from_iterable(map(_BOARDS, items)), members)
            and _lists_in([tuple(map(_MEMBER, taken)) for taken in officers], members)
            and not _parent_cycles(items))


def _members_hold(facts: FactDocument, orgs: set, members: set, departments: set) -> bool:
    items = _listed(facts.members)
    if not (_all_in(map(_ORG, items), orgs) and _all_in(map(_DEPARTMENT, items), departments)):
        return False
    as_of = facts.as_of
    return not any(_member_dates((), m, as_of) or (m.introducers is not OMITTED and not _introducers_hold(m, members))
                   for m in items)


def _introducers_hold(m: Member, members: set) -> bool:
    for intro in m.introducers:
        if (intro.member is OMITTED) == (intro.name is OMITTED):
            return False
        if intro.member is not OMITTED and (intro.member == m.id or not _all_in((intro.member,), members)):
            return False
    return True


def _records_hold(facts: FactDocument, orgs: set, members: set, attendees: set | None) -> bool:
    """Meetings and activities name what exists; records_from is not after as_of."""
    meetings, activities = _listed(facts.meetings), _listed(facts.activities)
    return (_all_in(chain(map(_ORG, meetings), map(_ORG, activities)), orgs)
            and _lists_in(map(_ATTENDEES, meetings), members, attendees)
            and _all_in(chain(map(_LECTURER, meetings), map(_MEMBER, activities)), members)
            and (facts.records_from in (OMITTED, None) or facts.as_of is OMITTED
                 or facts.records_from <= facts.as_of))


def _reference_problems(facts: FactDocument) -> list[tuple[tuple, str]]:
    """Each problem :func:`_references` finds, with its path and message."""
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
