"""Derived facts of the court-standards pack (imported when the pack is loaded).

Each function receives the View of the fact document on the evaluation date,
then the arguments the policy expression passes. A fact that the document
leaves out makes the answer an ``Unknown`` naming it, never a pass or a fail.
"""

from __future__ import annotations

import calendar
import datetime as dt

from partyrules.rulebook.packs import OMITTED, Coverage, PeriodCheck, Unknown, derived, each_period

BRANCH_KINDS = ("branch", "general_branch")


@derived("department_full_members", args=("department",))
def department_full_members(view, dept):
    """正式党员 of a department on the date: members whose ``department`` is it and who are full members.

    A member whose department was omitted may belong to it: the count then has bounds.
    """
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    sure, maybe, missing = 0, 0, set()
    for m in view.members.values():
        if m.department is not OMITTED and m.department != dept.id:
            continue
        status = view.status(m)
        if status is None:                       # admitted after the date
            continue
        if isinstance(status, Unknown):
            maybe += 1
            missing |= status.missing
        elif status != "full":
            continue
        elif m.department is OMITTED:
            maybe += 1
        else:
            sure += 1
        if m.department is OMITTED:
            missing.add(f"{view.path(m)}.department")
    return sure if maybe == 0 else Unknown(frozenset(missing), sure, sure + maybe)


@derived("branches_on_department", args=("department",))
def branches_on_department(view, dept):
    """The branches (or general branches) built on the department, alone or jointly with others."""
    if view.facts.organizations is OMITTED:
        return Unknown.of("organizations")
    found, unsure = [], set()
    for org in view.orgs.values():
        if org.kind not in BRANCH_KINDS:
            continue
        if org.established_on is not OMITTED and org.established_on > view.as_of:
            continue                             # not set up yet on the date
        if org.departments is OMITTED:
            unsure.add(f"{view.path(org)}.departments")
        elif dept.id in org.departments:
            found.append(org.id)
    if found or not unsure:
        return tuple(found)
    return Unknown(frozenset(unsure))


@derived("responsibility_letters", args=("int", "int"), returns="coverage", needs_since=True)
def responsibility_letters(view, deadline_month, years, *, since=None):
    """Were the year's responsibility letters (``responsibility_letter`` activities) signed by the deadline?

    Looks at the last ``years`` years whose deadline (the end of ``deadline_month``)
    is over on the date. A year is required only when the rule was in force on its
    1 January, and judged only when the records start on or before that day.
    """
    if not 1 <= deadline_month <= 12:
        raise ValueError(f"the deadline month must be 1 to 12, got {deadline_month}")
    if view.facts.activities is OMITTED:
        return Unknown.of("activities")
    on = min(view.as_of, view.snapshot)
    letters = [a for a in view.facts.activities if a.kind == "responsibility_letter" and a.date <= on]

    def deadline(year):
        return dt.date(year, deadline_month, calendar.monthrange(year, deadline_month)[1])

    last = on.year if on > deadline(on.year) else on.year - 1
    checks = []
    for year in range(last - years + 1, last + 1):
        first = dt.date(year, 1, 1)
        if since is not None and first < since:
            checks.append(PeriodCheck(str(year), "not_required"))
        elif view.records_from is None or first < view.records_from:
            checks.append(PeriodCheck(str(year), "unrecorded"))
        else:
            on_time = [f"responsibility_letter {a.date.isoformat()}" for a in letters
                       if first <= a.date <= deadline(year)]
            late = [f"late: responsibility_letter {a.date.isoformat()}" for a in letters
                    if deadline(year) < a.date and a.date.year == year]
            checks.append(PeriodCheck(str(year), "found" if on_time else "missing", tuple(on_time or late)))
    missed = tuple(c.period for c in checks if c.status == "missing")
    if missed:
        ok = False
    elif any(c.status == "unrecorded" for c in checks):
        ok = Unknown.of("records_from")
    else:
        ok = True
    return Coverage(ok, tuple(checks), missed)


@derived("leaders_without_contact_point", args=())
def leaders_without_contact_point(view):
    """The unit's leaders (``unit.leaders``) with no contact-point branch.

    A contact point is a ``contact_point`` activity dated on or before the date, whose
    ``member`` is the leader and whose ``org`` is a branch. Such an activity records a
    standing designation: the document lists every designation in force, whatever its
    date (see the pack's README). Leaders are named ``name (id)``.
    """
    unit = view.facts.unit
    if unit is OMITTED:
        return Unknown.of("unit")
    leaders = view.get(unit, "leaders")
    if isinstance(leaders, Unknown):
        return leaders
    if view.facts.activities is OMITTED:
        return Unknown.of("activities")
    points = [a for a in view.facts.activities if a.kind == "contact_point" and a.date <= view.as_of]
    without, unsure = [], set()
    for leader in leaders:
        has, maybe = False, set()
        for a in points:
            if a.member is OMITTED:
                maybe.add(f"{view.path(a)}.member")
                continue
            if a.member != leader:
                continue
            if a.org is OMITTED:
                maybe.add(f"{view.path(a)}.org")
                continue
            org = view.orgs.get(a.org) if a.org is not None else None
            if a.org is not None and org is None:
                maybe.add("organizations")
            elif org is not None and org.kind == "branch":
                has = True
                break
        if has:
            continue
        if maybe:
            unsure |= maybe
        else:
            member = view.members.get(leader)
            name = member.name if member is not None and member.name is not OMITTED else leader
            without.append(f"{name} ({leader})")
    if without or not unsure:
        return tuple(without)
    return Unknown(frozenset(unsure))


@derived("unit_activities_at_least", args=("str", "int", "str", "int"), returns="coverage", needs_since=True)
def unit_activities_at_least(view, kind, at_least, period, count, *, since=None):
    """Did the unit record at least ``at_least`` activities of ``kind`` in each of the last ``count`` periods?

    ``period`` is ``month``, ``quarter`` or ``year``; complete periods only, as the
    built-in ``activities_each`` (which asks for one).
    """
    if view.facts.activities is OMITTED:
        return Unknown.of("activities")
    mine = [a for a in view.facts.activities if a.kind == kind and a.date <= view.as_of]
    return each_period(view, period, count, since,
                       lambda p: [f"{a.kind} {a.date.isoformat()}" for a in mine
                                  if p.first_day() <= a.date <= p.last_day()],
                       at_least=at_least)
