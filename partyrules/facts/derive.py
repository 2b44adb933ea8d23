"""Derived facts: the named, documented quantities that policies refer to.

A policy's condition may call only the functions listed here (and the few
built-ins of the expression language). Each takes the :class:`View` first and
returns a plain value, a record, or an :class:`Unknown` listing the omitted
facts it needed; counts that are only partly known carry bounds.

The words of the regulations are kept exact: 正式党员 (full members) and 党员
(all members, probationary included) are different counts; a window of months
is judged only when every month of it is over and inside the records.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from ..periods import Month
from .model import OMITTED, Department, Election, Member, Organization, Unit
from .view import Unknown, View


@attrs.frozen
class Derived:
    """One derived fact: its name in expressions, its function and what it takes."""

    name: str
    fn: Callable[..., Any]
    args: tuple[str, ...]     # kinds of arguments: organization, member, department, unit, int, str
    doc: str
    returns: str = "value"     # a record kind name when it returns a record with fields


@attrs.frozen
class MonthCheck:
    """What the records say about one month of a window."""

    month: str
    found: Any            # True, False or Unknown
    record: str | None    # the record that satisfied the month, or that might have


@attrs.frozen
class Lapse:
    """The result of looking at the last N complete months for a member."""

    lapsed: Any                      # True / False / Unknown
    months: tuple[str, ...]          # the window, oldest first
    periods: tuple[MonthCheck, ...]  # month by month
    since: str | None = None         # when lapsed: the first month of the whole run inside the records
    run_months: int | None = None    # when lapsed: how many months the run has lasted so far


def _members_enrolled(view: View, org: Organization) -> tuple[list[Member], list[Member]]:
    """(members enrolled in ``org``, members whose ``org`` was omitted and so may be)."""
    return view.members_by_org.get(org.id, []), view.members_by_org.get(OMITTED, [])


def full_members(view: View, org: Organization) -> Any:
    """正式党员: members enrolled in the organization who are full members on the date."""
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    sure, maybe = _members_enrolled(view, org)
    return view.count(sure, ("full",), maybe)


def party_members(view: View, org: Organization) -> Any:
    """党员: members enrolled in the organization, full and probationary, on the date."""
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    sure, maybe = _members_enrolled(view, org)
    return view.count(sure, ("full", "probationary"), maybe)


def unit_party_members(view: View) -> Any:
    """党员 of the whole unit (every listed member who is a member on the date)."""
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    return view.count(view.members.values(), ("full", "probationary"))


def unit_full_members(view: View) -> Any:
    """正式党员 of the whole unit on the date."""
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    return view.count(view.members.values(), ("full",))


def organization_count(view: View, kind: str) -> Any:
    """How many organizations of ``kind`` (``any`` for all kinds) the unit has."""
    if view.facts.organizations is OMITTED:
        return Unknown.of("organizations")
    return sum(1 for o in view.orgs.values() if kind == "any" or o.kind == kind)


def status(view: View, member: Member) -> Any:
    """``full``, ``probationary`` or ``None`` (not yet a member) on the evaluation date."""
    return view.status(member)


def latest_election(view: View, org: Organization) -> Any:
    """The organization's most recent regular election on or before the date, or ``None``."""
    if org.elections is OMITTED:
        return Unknown.of(f"{view.path(org)}.elections")
    held = [e for e in org.elections if e.date <= view.as_of]
    if not held:
        return None
    latest = max(held, key=lambda e: e.date)
    approved = latest.secretary_approved_on
    if approved is not OMITTED and approved is not None and approved > view.as_of:
        # approved only after the evaluation date: on that date it was not yet approved
        latest = view.derived_copy(latest, attrs.evolve(latest, secretary_approved_on=None))
    return latest


def department_heads(view: View, org: Organization) -> Any:
    """The member ids of the principal heads of the departments the organization is built on.

    Heads that are not Party members (``head: null``) are left out; a head that
    was omitted makes the list unknown.
    """
    if org.departments is OMITTED:
        return Unknown.of(f"{view.path(org)}.departments")
    heads = []
    for dep_id in org.departments:
        dep = view.departments[dep_id]
        if dep.head is OMITTED:
            return Unknown.of(f"{view.path(dep)}.head")
        if dep.head is not None:
            heads.append(dep.head)
    return tuple(heads)


def unit_leaders(view: View) -> Any:
    """The unit's leaders who are Party members (本单位党员负责人)."""
    unit = view.facts.unit
    if unit is OMITTED:
        return Unknown.of("unit")
    return view.get(unit, "leaders")


def _window(view: View, months: int) -> Any:
    """The last ``months`` complete months, if they are all inside the records."""
    if view.records_from is None:
        return Unknown.of("records_from")
    win = view.window
    if win is None or (win[1] - win[0]) + 1 < months:
        return Unknown.of("records_from")
    last = win[1]
    return [last + (i - months + 1) for i in range(months)]


def _lapse(view: View, member: Member, months: int, check: Callable[[Month], tuple[Any, str | None]]) -> Lapse:
    window = _window(view, months)
    if isinstance(window, Unknown):
        return Lapse(window, (), ())
    periods = tuple(MonthCheck(str(m), *check(m)) for m in window)
    if any(p.found is True for p in periods):
        lapsed: Any = False
    else:
        unknown = [p.found for p in periods if isinstance(p.found, Unknown)]
        if unknown:
            lapsed = Unknown(frozenset().union(*(u.missing for u in unknown)))
        else:
            lapsed = True
    if lapsed is True:
        # a member admitted during the window cannot have lapsed for all of it
        if member.admitted_on is OMITTED:
            lapsed = Unknown.of(f"{view.path(member)}.admitted_on")
        elif member.admitted_on > window[0].first_day():
            lapsed = False
    if lapsed is not True:
        return Lapse(lapsed, tuple(str(m) for m in window), periods)
    # how long the run has lasted: back from the window, while inside the records and the membership
    first_recorded = view.window[0]
    start = window[0]
    while (start + -1 >= first_recorded and check(start + -1)[0] is False
           and member.admitted_on <= (start + -1).first_day()):
        start = start + -1
    return Lapse(True, tuple(str(m) for m in window), periods, str(start), (window[-1] - start) + 1)


def org_life_lapse(view: View, member: Member, months: int) -> Lapse:
    """Did the member take part in no organisational life in each of the last ``months`` complete months?

    Taking part = being among the attendees of any meeting (facts-v1). A
    meeting whose attendance was not recorded may have been attended by the
    members enrolled in its organization (and by its committee members), so it
    makes that month unknown for them rather than empty.
    """
    if view.facts.meetings is OMITTED:
        return Lapse(Unknown.of("meetings"), (), ())
    by_month: dict[Month, list] = {}
    for mt in view.meetings_upto:
        by_month.setdefault(Month.of(mt.date), []).append(mt)
    def check(month: Month) -> tuple[Any, str | None]:
        maybe = None
        for mt in sorted(by_month.get(month, []), key=lambda x: x.date):
            if mt.attendees is OMITTED:
                org = view.orgs.get(mt.org)
                could = member.org is OMITTED or member.org == mt.org or (
                    org is not None and org.committee_members is not OMITTED and member.id in org.committee_members)
                if could and maybe is None:
                    maybe = mt
            elif member.id in mt.attendees:
                return True, _record(view, mt)
        if maybe is not None:
            return Unknown.of(f"{view.path(maybe)}.attendees"), _record(view, maybe)
        return False, None

    return _lapse(view, member, months, check)


def dues_lapse(view: View, member: Member, months: int) -> Lapse:
    """Were dues paid for none of the last ``months`` complete months?"""
    if member.dues_paid is OMITTED:
        return Lapse(Unknown.of(f"{view.path(member)}.dues_paid"), (), ())
    paid = set(member.dues_paid)

    def check(month: Month) -> tuple[Any, str | None]:
        return (True, f"dues {month}") if month in paid else (False, None)

    return _lapse(view, member, months, check)


def _record(view: View, meeting: Any) -> str:
    label = meeting.id if meeting.id is not OMITTED else view.path(meeting)
    return f"{label} {meeting.kind} {meeting.date.isoformat()}"


BUILTIN: dict[str, Derived] = {d.name: d for d in (
    Derived("full_members", full_members, ("organization",), full_members.__doc__ or ""),
    Derived("party_members", party_members, ("organization",), party_members.__doc__ or ""),
    Derived("unit_party_members", unit_party_members, (), unit_party_members.__doc__ or ""),
    Derived("unit_full_members", unit_full_members, (), unit_full_members.__doc__ or ""),
    Derived("organization_count", organization_count, ("str",), organization_count.__doc__ or ""),
    Derived("status", status, ("member",), status.__doc__ or ""),
    Derived("latest_election", latest_election, ("organization",), latest_election.__doc__ or "",
            returns="election"),
    Derived("department_heads", department_heads, ("organization",), department_heads.__doc__ or ""),
    Derived("unit_leaders", unit_leaders, (), unit_leaders.__doc__ or ""),
    Derived("org_life_lapse", org_life_lapse, ("member", "int"), org_life_lapse.__doc__ or "", returns="lapse"),
    Derived("dues_lapse", dues_lapse, ("member", "int"), dues_lapse.__doc__ or "", returns="lapse"),
)}

# The record kinds that expressions may read fields of, for load-time checking.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": tuple(a.name for a in attrs.fields(Unit)),
    "department": tuple(a.name for a in attrs.fields(Department)),
    "organization": tuple(a.name for a in attrs.fields(Organization)),
    "member": tuple(a.name for a in attrs.fields(Member)),
    "election": tuple(a.name for a in attrs.fields(Election)),
    "lapse": tuple(a.name for a in attrs.fields(Lapse)),
}
