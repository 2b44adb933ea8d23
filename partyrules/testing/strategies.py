"""Hypothesis strategies that generate valid ``partyrules.facts/1`` documents.

Used by partyrules' own property tests and offered to court IT teams who
property-test their own rule sets::

    from hypothesis import given
    from partyrules.testing import fact_documents

    @given(fact_documents(max_branches=4))
    def test_my_policy_never_errors(doc):
        report = partyrules.check(doc)
        assert report.summary["error"] == 0

Every generated document loads without error; the knobs choose its size, its
dates and how much is recorded. ``omit_some`` drops optional facts at random,
which is how the tests check that an omitted fact never decides an outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from ..facts.model import FORMAT
from ..periods import Month, add_years

MEETING_KINDS = ("general_meeting", "committee_meeting", "group_meeting", "party_lecture", "theme_day",
                 "org_life_meeting", "democratic_review")


@st.composite
def fact_documents(draw: st.DrawFn, *, min_branches: int = 1, max_branches: int = 5, max_members_per_branch: int = 12,
                   as_of: dt.date | None = None, records_months: int | None = None,
                   meetings: bool = True) -> dict[str, Any]:
    """A whole court: unit, departments, a committee, branches, members, elections and records.

    ``as_of`` fixes the snapshot date (else drawn between 2018 and 2026);
    ``records_months`` how many months of complete records precede it (else
    drawn, sometimes none at all).
    """
    snap = as_of or draw(st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31)))
    n_branches = draw(st.integers(min_branches, max_branches))
    months = records_months if records_months is not None else draw(st.sampled_from([0, 3, 7, 13, 25]))
    records_from = (Month.of(snap) + (-months)).first_day() if months else None

    departments = [{"id": f"d{i}", "name": f"部门{i}", "staff": draw(st.integers(3, 40))} for i in range(n_branches)]
    members: list[dict] = []
    orgs: list[dict] = []
    committee = {"id": "o0", "name": "机关党委", "kind": "committee", "parent": None}
    if draw(st.booleans()):
        orgs.append(committee)
    top = committee["id"] if orgs else None
    serial = 0
    for b in range(n_branches):
        size = draw(st.integers(0, max_members_per_branch))
        ids = []
        for _ in range(size):
            serial += 1
            mid = f"m{serial:03d}"
            ids.append(mid)
            members.append(_member(draw, mid, f"b{b}", f"d{b}", snap))
        full = [m["id"] for m in members if m["id"] in ids and m["status"] == "full"]
        branch: dict[str, Any] = {"id": f"b{b}", "name": f"第{b + 1}党支部", "kind": "branch", "parent": top,
                                  "departments": [f"d{b}"]}
        if draw(st.booleans()) and full:
            k = draw(st.integers(1, min(5, len(full))))
            branch["committee_members"] = full[:k]
            branch["secretary"] = full[0]
            branch["discipline_member"] = draw(st.sampled_from(full[:k] + [None]))
        else:
            branch["committee_members"] = []
            branch["secretary"] = draw(st.sampled_from(ids + [None])) if ids else None
            branch["discipline_member"] = None
        branch["deputy_secretaries"] = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else []
        branch["elections"] = _elections(draw, snap)
        _extensions(draw, branch, ids, snap)
        departments[b]["head"] = draw(st.sampled_from(ids + [None])) if ids else None
        orgs.append(branch)
    leaders = [m["id"] for m in members[:3]]
    if orgs and orgs[0]["kind"] == "committee":
        committee["secretary"] = draw(st.sampled_from(leaders + [None])) if leaders else None
        committee["deputy_secretaries"] = []
        committee["committee_members"] = leaders
        committee["approved_by_superior"] = draw(st.booleans())
        committee["discipline_commission"] = draw(st.booleans())
        committee["elections"] = _elections(draw, snap)
    if members and draw(st.integers(0, 9)) == 0:
        members[-1]["org"] = None
    staff_total = sum(d["staff"] for d in departments) + draw(st.integers(0, 10))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "as_of": snap.isoformat(),
        "unit": {"id": "court", "name": "测试法院", "level": draw(st.sampled_from(["prefecture", "county"])),
                 "staff_total": staff_total,
                 "party_affairs_staff": draw(st.integers(0, max(0, min(5, staff_total)))),
                 "departments": departments, "leaders": leaders,
                 "party_funding_in_budget": draw(st.booleans())},
        "organizations": orgs,
        "members": members,
        "meetings": [],
    }
    if records_from is not None:
        doc["records_from"] = records_from.isoformat()
    if meetings and records_from is not None:
        doc["meetings"] = _meetings(draw, orgs, members, records_from, snap)
        for m in members:
            m["dues_paid"] = _dues(draw, records_from, snap)
    return doc


def _member(draw: st.DrawFn, mid: str, org: str, dept: str, snap: dt.date) -> dict:
    admitted = draw(st.dates(dt.date(1985, 1, 1), snap))
    birth = add_years(admitted, -draw(st.integers(17, 40)))
    full_on = add_years(admitted, 1)
    status = "full" if full_on <= snap else "probationary"
    out = {"id": mid, "name": f"党员{mid}", "org": org, "status": status, "birth_date": birth.isoformat(),
           "admitted_on": admitted.isoformat(), "full_on": full_on.isoformat() if status == "full" else None,
           "department": dept}
    # optional extension facts (docs/facts.md), present or omitted
    if draw(st.booleans()):
        out["applied_on"] = (admitted - dt.timedelta(days=draw(st.integers(0, 800)))).isoformat()
    if draw(st.booleans()):
        out["probation_extended"] = False
    if draw(st.integers(0, 2)) == 0:
        out["secretary_training_years"] = draw(st.lists(st.integers(2015, snap.year), unique=True, max_size=4))
    return out


def _extensions(draw: st.DrawFn, org: dict, ids: list[str], snap: dt.date) -> None:
    """Optional extension facts of an organization: each present or omitted."""
    officers = [x for x in [org.get("secretary"), *org.get("committee_members", [])] if x]
    if officers and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(officers), unique=True, max_size=len(officers)))
        org["officers_took_office"] = [
            {"member": x, "date": draw(st.dates(dt.date(2012, 1, 1), snap)).isoformat()} for x in chosen]
    if draw(st.booleans()):
        org["postponement_approved_until"] = draw(st.one_of(
            st.none(), st.dates(snap - dt.timedelta(days=900), snap + dt.timedelta(days=400)).map(dt.date.isoformat)))
    if draw(st.booleans()):
        org["secretary_changes"] = []


def _elections(draw: st.DrawFn, snap: dt.date) -> list[dict]:
    if draw(st.integers(0, 5)) == 0:
        return []
    held = draw(st.dates(dt.date(2012, 1, 1), snap))
    approval = draw(st.sampled_from(["recorded", "null", "omitted"]))
    e: dict[str, Any] = {"date": held.isoformat()}
    if approval == "recorded":
        e["secretary_approved_on"] = min(snap, held + dt.timedelta(days=14)).isoformat()
    elif approval == "null":
        e["secretary_approved_on"] = None
    if draw(st.integers(0, 2)) > 0:
        return [e]
    # a previous term, ending before, on or after the day of this election (a late one may be approved)
    earlier = held - dt.timedelta(days=draw(st.integers(2 * 365, 6 * 365)))
    shift = draw(st.sampled_from(["approved", "not approved", "omitted"]))
    if shift != "omitted":
        e["shift_approved"] = shift == "approved"
    return [{"date": earlier.isoformat(), "secretary_approved_on": (earlier + dt.timedelta(days=14)).isoformat()}, e]


def _meetings(draw: st.DrawFn, orgs: list, members: list, start: dt.date, snap: dt.date) -> list[dict]:
    out = []
    by_org: dict[str, list[str]] = {}
    for m in members:
        if m["org"] is not None:
            by_org.setdefault(m["org"], []).append(m["id"])
    first = Month.of(start)
    n = Month.of(snap) - first + 1
    for o in orgs:
        roll = by_org.get(o["id"], [])
        for i in range(n):
            month = first + i
            if draw(st.integers(0, 4)) == 0:
                continue          # a month without a meeting
            day = month.first_day() + dt.timedelta(days=draw(st.integers(0, 27)))
            if day > snap:
                continue
            m: dict[str, Any] = {"org": o["id"], "kind": draw(st.sampled_from(MEETING_KINDS)),
                                 "date": day.isoformat()}
            if draw(st.integers(0, 9)) != 0 and roll:
                m["attendees"] = draw(st.lists(st.sampled_from(roll), unique=True, max_size=len(roll)))
            if m["kind"] == "general_meeting" and draw(st.booleans()):
                m["voting"] = draw(st.booleans())
            out.append(m)
    return out


def _dues(draw: st.DrawFn, start: dt.date, snap: dt.date) -> list[str]:
    first = Month.of(start)
    n = Month.of(snap) - first + 1
    skip = draw(st.sets(st.integers(0, max(0, n - 1)), max_size=n))
    return [str(first + i) for i in range(n) if i not in skip]


@st.composite
def with_omissions(draw: st.DrawFn, doc: dict) -> tuple[dict, list[tuple]]:
    """A copy of ``doc`` with some optional facts left out, and the paths that were removed."""
    import copy
    out = copy.deepcopy(doc)
    candidates: list[tuple] = []
    for i, o in enumerate(out["organizations"]):
        for key in ("secretary", "committee_members", "deputy_secretaries", "discipline_member", "departments",
                    "approved_by_superior", "discipline_commission", "elections", "parent",
                    "officers_took_office", "postponement_approved_until", "secretary_changes"):
            if key in o:
                candidates.append(("organizations", i, key))
    for i, m in enumerate(out["members"]):
        for key in ("status", "org", "admitted_on", "full_on", "dues_paid", "department", "birth_date", "applied_on",
                    "probation_extended", "secretary_training_years"):
            if key in m:
                candidates.append(("members", i, key))
    for i, mt in enumerate(out.get("meetings", [])):
        for key in ("attendees", "voting"):
            if key in mt:
                candidates.append(("meetings", i, key))
    for key in ("staff_total", "party_affairs_staff", "leaders", "party_funding_in_budget"):
        candidates.append(("unit", key))
    if "records_from" in out:
        candidates.append(("records_from",))
    chosen = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=6)) if candidates else []
    for path in chosen:
        target = out
        for part in path[:-1]:
            target = target[part]
        target.pop(path[-1], None)
    return out, chosen
