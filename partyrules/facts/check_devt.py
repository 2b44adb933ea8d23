"""Load-time checks of the admission-process and dues extensions (docs/facts-devt.md).

Only what cannot be true is an input error: a step dated after the document's
``as_of`` (the snapshot cannot know it), an application before the person was
born, more ayes than people present, more present than entitled to attend, a
month paid twice, ids that clash or name nobody. A step out of its *legal*
order (an approval before the meeting, a development object decided before the
activist) is a fact about the process and is judged by the policies.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any, Iterable

import attrs

from .model import OMITTED, Development, FactDocument, Introducer, Member

Problem = tuple[tuple, str]


def check_devt(facts: FactDocument) -> list[Problem]:
    """Every problem of the extensions, as (path, message) pairs."""
    problems: list[Problem] = []
    members = {m.id for m in facts.members} if facts.members is not OMITTED else set()
    orgs = {o.id for o in facts.organizations} if facts.organizations is not OMITTED else set()
    if facts.members is not OMITTED:
        for i, m in enumerate(facts.members):
            p = ("members", i)
            if m.development is not OMITTED:
                problems += _development(p + ("development",), m.development, m.birth_date, facts.as_of,
                                         members, m.id)
                problems += _application(p, m)
            problems += _dues(p, m, facts.as_of)
    if facts.applicants is not OMITTED:
        seen: dict[str, int] = {}
        for i, a in enumerate(facts.applicants):
            p = ("applicants", i)
            if a.id in seen:
                problems.append((p + ("id",), f"duplicate id {a.id!r} (first used at index {seen[a.id]})"))
            elif a.id in members:
                problems.append((p + ("id",), f"{a.id!r} is also the id of a member: a member's process "
                                              "is recorded under members[].development"))
            seen.setdefault(a.id, i)
            _ref(problems, p + ("org",), a.org, orgs, "organization")
            if a.development is not OMITTED:
                problems += _development(p + ("development",), a.development, a.birth_date, facts.as_of,
                                         members, a.id)
    return problems


def _ref(problems: list[Problem], path: tuple, value: Any, table: Iterable[str], what: str) -> None:
    if value is OMITTED or value is None or value in table:
        return
    close = difflib.get_close_matches(value, list(table), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    problems.append((path, f"{value!r} is not the id of any {what}{hint}"))


def _people(problems: list[Problem], path: tuple, people: Any, members: set[str], own: str) -> None:
    if people is OMITTED:
        return
    for j, person in enumerate(people):
        pp = path + (j,)
        if not isinstance(person, Introducer):
            continue
        if (person.member is OMITTED) == (person.name is OMITTED):
            problems.append((pp, "give either member (an id in this document) or name (someone outside "
                                 "the unit), not both or neither"))
        _ref(problems, pp + ("member",), person.member, members, "member")
        if person.member is not OMITTED and person.member == own:
            problems.append((pp + ("member",), "a person cannot be their own cultivation contact"))


def _development(p: tuple, d: Development, birth: Any, as_of: Any, members: set[str], own: str) -> list[Problem]:
    problems: list[Problem] = []
    _people(problems, p + ("contacts",), d.contacts, members, own)
    dated: list[tuple[tuple, dt.date]] = []
    for a in attrs.fields(Development):
        value = getattr(d, a.name)
        if isinstance(value, dt.date):
            dated.append((p + (a.name,), value))
    if d.assessments is not OMITTED:
        dated += [(p + ("assessments", j), day) for j, day in enumerate(d.assessments)]
    if d.extensions is not OMITTED:
        dated += [(p + ("extensions", j, "decided_on"), e.decided_on) for j, e in enumerate(d.extensions)]
    for path, day in dated:
        if as_of is not OMITTED and day > as_of:
            problems.append((path, f"{day} is after the document's as_of {as_of}"))
        elif birth is not OMITTED and day < birth:
            problems.append((path, f"{day} is before birth_date {birth}"))
    for kind in ("meeting", "conversion"):
        due, present, ayes = (getattr(d, f"{kind}_{x}") for x in ("due", "present", "ayes"))
        if ayes is not OMITTED and present is not OMITTED and ayes > present:
            problems.append((p + (f"{kind}_ayes",), f"{ayes} ayes exceed the {present} present"))
        if present is not OMITTED and due is not OMITTED and present > due:
            problems.append((p + (f"{kind}_present",), f"{present} present exceed the {due} entitled to attend"))
    return problems


def _application(p: tuple, m: Member) -> list[Problem]:
    """``applied_on`` and ``development.applied_on`` are one fact (derive_devt.application_date): two
    different days cannot both be the application, and the one given alone obeys the other's rule."""
    day = m.development.applied_on
    if day is OMITTED:
        return []
    path = p + ("development", "applied_on")
    if m.applied_on is not OMITTED and m.applied_on != day:
        return [(path, f"{day} differs from applied_on {m.applied_on}: both record the one application")]
    if m.applied_on is OMITTED and m.admitted_on is not OMITTED and day > m.admitted_on:
        return [(path, f"{day} is after admitted_on {m.admitted_on}: the application precedes the admission")]
    return []


def _dues(p: tuple, m: Member, as_of: Any) -> list[Problem]:
    problems: list[Problem] = []
    if m.dues_payments is not OMITTED:
        seen: dict[Any, int] = {}
        for j, pay in enumerate(m.dues_payments):
            pp = p + ("dues_payments", j)
            if pay.month in seen:
                problems.append((pp + ("month",), f"month {pay.month} is already listed at index {seen[pay.month]}"))
            seen.setdefault(pay.month, j)
            if pay.paid_on not in (OMITTED, None):
                if as_of is not OMITTED and pay.paid_on > as_of:
                    problems.append((pp + ("paid_on",), f"{pay.paid_on} is after the document's as_of {as_of}"))
    if m.dues_reductions is not OMITTED:
        for j, red in enumerate(m.dues_reductions):
            for field in ("decided_on", "approved_on"):
                value = getattr(red, field)
                if value not in (OMITTED, None) and as_of is not OMITTED and value > as_of:
                    problems.append((p + ("dues_reductions", j, field),
                                     f"{value} is after the document's as_of {as_of}"))
    return problems
