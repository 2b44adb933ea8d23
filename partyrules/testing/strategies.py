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
from typing import Any, Iterator

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
    if draw(st.booleans()):
        doc["applicants"] = draw(applicants(snap, [o["id"] for o in orgs]))
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
    if draw(st.integers(0, 2)) == 0:
        out.update(_admission(draw, admitted, full_on if status == "full" else None, snap))
        if "applied_on" in out:       # one application, recorded both ways (the loader refuses two days)
            out["applied_on"] = out["development"]["applied_on"]
    if draw(st.integers(0, 2)) == 0:
        out.update(_dues_details(draw, admitted, snap))
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


# --------------------------------------------------------------------------- admission process and dues

def _day(draw: st.DrawFn, base: dt.date, lo: int, hi: int, snap: dt.date) -> dt.date:
    """A day ``lo``..``hi`` days after ``base`` (negative: before), never after the snapshot."""
    return min(snap, base + dt.timedelta(days=draw(st.integers(lo, hi))))


def _maybe_null(draw: st.DrawFn, day: dt.date) -> Any:
    return None if draw(st.integers(0, 5)) == 0 else day.isoformat()


def _development(draw: st.DrawFn, applied: dt.date, snap: dt.date, admitted: dt.date | None) -> dict:
    """The steps of an admission process from an application on ``applied`` (up to ``admitted``, if any)."""
    dev: dict[str, Any] = {"applied_on": applied.isoformat(),
                           "application_talk_on": _maybe_null(draw, _day(draw, applied, 0, 45, snap))}
    activist = _day(draw, applied, 5, 120, snap)
    dev["activist_on"] = activist.isoformat()
    dev["activist_filed_on"] = _maybe_null(draw, _day(draw, activist, -3, 30, snap))
    dev["contacts"] = [{"name": f"联系人{i}", "full_member": draw(st.booleans())}
                       for i in range(draw(st.integers(0, 3)))]
    dev["assessments"] = sorted({_day(draw, activist, 30, 700, snap).isoformat()
                                 for _ in range(draw(st.integers(0, 4)))})
    end = admitted or snap
    obj = _day(draw, activist, 250, 500, end)
    dev["object_on"] = obj.isoformat()
    dev["object_filed_on"] = _maybe_null(draw, _day(draw, obj, 0, 30, snap))
    if admitted is not None:
        dev["political_review_on"] = _maybe_null(draw, _day(draw, admitted, -60, 10, snap))
        dev["training_days"] = draw(st.integers(0, 5))
        dev["training_hours"] = draw(st.integers(0, 40))
        dev["pre_review_on"] = _maybe_null(draw, _day(draw, admitted, -40, 5, snap))
        due = draw(st.integers(3, 20))
        present = draw(st.integers(0, due))
        dev.update(meeting_due=due, meeting_present=present, meeting_ayes=draw(st.integers(0, present)))
        dev["approver"] = draw(st.sampled_from(["committee", "work_committee", "general_branch", "party_group"]))
        dev["approval_special"] = draw(st.booleans())
    return dev


def _admission(draw: st.DrawFn, admitted: dt.date, full_on: dt.date | None, snap: dt.date) -> dict:
    """The extension fields of a member's admission: the process, approval, oath and conversion."""
    applied = admitted - dt.timedelta(days=draw(st.integers(400, 1500)))
    dev = _development(draw, applied, snap, admitted)
    out: dict[str, Any] = {"development": dev,
                           "admission_approved_on": _maybe_null(draw, _day(draw, admitted, -5, 200, snap))}
    dev["oath_on"] = _maybe_null(draw, _day(draw, admitted, 0, 400, snap))
    if full_on is not None:
        meeting = _day(draw, full_on, -20, 30, snap)
        out["conversion_meeting_on"] = meeting.isoformat()
        out["conversion_approved_on"] = _maybe_null(draw, _day(draw, meeting, -5, 150, snap))
        dev["conversion_applied_on"] = _maybe_null(draw, _day(draw, meeting, -40, 5, snap))
        due = draw(st.integers(3, 20))
        present = draw(st.integers(0, due))
        dev.update(conversion_due=due, conversion_present=present, conversion_ayes=draw(st.integers(0, present)))
    if draw(st.integers(0, 3)) == 0:
        dev["extensions"] = [{"decided_on": _day(draw, admitted, 360, 370, snap).isoformat(),
                              "months": draw(st.integers(1, 15))} for _ in range(draw(st.integers(1, 2)))]
    return out


def _dues_details(draw: st.DrawFn, admitted: dt.date, snap: dt.date) -> dict:
    """A dues base or bracket, the payments of the last months and perhaps a reduction."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["dues_base"] = draw(st.sampled_from([2500, 3000, 4800, 5000, 8000, 10000, 12000]))
    if draw(st.integers(0, 3)) == 0:
        out["dues_bracket"] = draw(st.sampled_from(["up_to_3000", "up_to_5000", "up_to_10000", "over_10000",
                                                    "retired_up_to_5000", "retired_over_5000"]))
    payments = []
    last = Month.of(snap)
    for i in range(draw(st.integers(0, 14))):
        month = last + (-i)
        if month.last_day() < admitted:
            break
        pay: dict[str, Any] = {"month": str(month), "amount": draw(st.sampled_from([0, 12.5, 25, 50, 90, 150]))}
        paid = _day(draw, month.first_day(), 0, 250, snap)
        pay["paid_on"] = None if draw(st.integers(0, 6)) == 0 else paid.isoformat()
        payments.append(pay)
    out["dues_payments"] = payments
    if draw(st.integers(0, 4)) == 0:
        decided = _day(draw, snap, -300, 0, snap)
        out["dues_reductions"] = [{"since": str(Month.of(decided)), "decided_on": decided.isoformat(),
                                   "approved_on": _maybe_null(draw, _day(draw, decided, -5, 20, snap))}]
    return out


@st.composite
def applicants(draw: st.DrawFn, snap: dt.date, orgs: list[str]) -> list[dict]:
    """People in the admission process who are not yet members, at any step up to the development object."""
    out = []
    for i in range(draw(st.integers(0, 3))):
        applied = _day(draw, snap, -900, 0, snap)
        person: dict[str, Any] = {"id": f"a{i + 1:02d}", "name": f"申请人{i + 1}",
                                  "org": draw(st.sampled_from(orgs)) if orgs else None,
                                  "birth_date": add_years(applied, -draw(st.integers(17, 35))).isoformat()}
        dev = _development(draw, applied, snap, None)
        # an applicant stops somewhere along the way: drop the later steps
        steps = ["application_talk_on", "activist_on", "activist_filed_on", "contacts", "assessments",
                 "object_on", "object_filed_on"]
        keep = draw(st.integers(0, len(steps)))
        for key in steps[keep:]:
            dev.pop(key, None)
        person["development"] = dev
        out.append(person)
    return out


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
        for key in ("development", "dues_base", "dues_bracket", "dues_payments", "dues_reductions",
                    "admission_approved_on", "conversion_meeting_on", "conversion_approved_on"):
            if key in m:
                candidates.append(("members", i, key))
        for key in m.get("development", {}):
            candidates.append(("members", i, "development", key))
    for i, a in enumerate(out.get("applicants", [])):
        for key in a.get("development", {}):
            candidates.append(("applicants", i, "development", key))
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
            if isinstance(target, dict) and part not in target:
                target = None           # a record already removed whole (e.g. a member's development)
                break
            target = target[part]
        if target is not None:
            target.pop(path[-1], None)
    return out, chosen


def document_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path inside a plain document (mapping keys and list indexes), the document's own ``()`` first:
    for property tests that damage one value of a generated document and look for it again."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from document_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from document_paths(item, path + (i,))
