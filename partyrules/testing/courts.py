"""A clean, fully recorded court, and faults to plant in it one at a time.

``clean_court(as_of)`` builds a fact document (a mapping) of a small court that
keeps every built-in rule on ``as_of``: complete records for two years, terms
in time, every recurring duty done, every admission recorded. ``FAULTS`` are
single departures from it, each naming the policy (and subject) that must then
be violated. Scenario tests check both, on several dates, and users can start
their own scenarios from the same court.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable

import attrs

from ..facts.model import FORMAT
from ..periods import Month, Period, add_years

BRANCHES = (  # id, department, full members, probationary members, has a committee
    ("b1", "d1", 9, 1, True),
    ("b2", "d2", 8, 0, True),
    ("b3", "d3", 5, 1, False),
    ("b4", "d4", 4, 0, False),
)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def clean_court(as_of: dt.date | str, *, records_years: int = 2) -> dict[str, Any]:
    """A court that keeps every built-in rule on ``as_of`` (see the module doc)."""
    on = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    records_from = Month.of(add_years(on, -records_years)).first_day()
    members: list[dict] = []
    orgs: list[dict] = []
    departments: list[dict] = []
    serial = 0

    def member(org: str, dept: str, *, probationary: bool = False) -> dict:
        nonlocal serial
        serial += 1
        mid = f"m{serial:02d}"
        if probationary:
            admitted = on - dt.timedelta(days=120)
            rec = {"id": mid, "name": f"预备党员{serial}", "org": org, "status": "probationary",
                   "birth_date": _iso(add_years(admitted, -26)), "admitted_on": _iso(admitted), "full_on": None,
                   "probation_extended": False, "department": dept, "applied_on": _iso(admitted - dt.timedelta(days=400)),
                   "admission_reviewed_by_party_group_on": _iso(admitted + dt.timedelta(days=7)),
                   "pre_approval_talk_on": _iso(admitted + dt.timedelta(days=10)),
                   "admission_approved_on": _iso(admitted + dt.timedelta(days=14)),
                   "conversion_meeting_on": None}
        else:
            admitted = dt.date(1995 + serial % 15, 7, 1)
            rec = {"id": mid, "name": f"党员{serial}", "org": org, "status": "full",
                   "birth_date": _iso(add_years(admitted, -25)), "admitted_on": _iso(admitted),
                   "full_on": _iso(add_years(admitted, 1)), "probation_extended": False, "department": dept}
        rec["dues_paid"] = [str(m) for m in _months(records_from, on) if m.first_day() >= Month.of(admitted).first_day()]
        rec.update(_dues_details(rec["dues_paid"], on))
        rec["training_hours"] = {y: 40 for y in range(records_from.year, on.year + 1)}
        rec["secretary_training_years"] = list(range(records_from.year, on.year + 1))   # secretaries' rotation training
        members.append(rec)
        return rec

    leaders = []
    for bid, dept, full, prob, committee in BRANCHES:
        roll = [member(bid, dept) for _ in range(full)] + [member(bid, dept, probationary=True) for _ in range(prob)]
        for rec in roll[full:]:   # a recent admission, introduced by two full members of the branch
            rec["introducers"] = [{"member": roll[0]["id"]}, {"member": roll[1]["id"]}]
            rec["development"] = _development(dt.date.fromisoformat(rec["admitted_on"]), roll[:2], full)
            rec["applied_on"] = rec["development"]["applied_on"]   # one application, recorded both ways
        secretary = roll[0]["id"]
        if bid in ("b1", "b2"):
            leaders.append(roll[1]["id"])
        departments.append({"id": dept, "name": f"第{dept[1:]}庭", "head": secretary, "staff": 25})
        org: dict[str, Any] = {
            "id": bid, "name": f"第{bid[1:]}庭党支部", "kind": "branch", "parent": "c", "departments": [dept],
            "secretary": secretary, "established_on": "2000-01-01", "secretary_changes": [],
        }
        if committee:
            org.update(committee_members=[r["id"] for r in roll[:5]], deputy_secretaries=[roll[1]["id"]],
                       discipline_member=roll[2]["id"])
        else:
            org.update(committee_members=[], deputy_secretaries=[], discipline_member=None)
        org["elections"] = [_election(on)]
        orgs.append(org)
    # the committee (机关党委): fewer than 100 members, so set up with approval
    committee_members = [members[0]["id"], leaders[0], leaders[1], members[10]["id"], members[20]["id"]]
    orgs.insert(0, {
        "id": "c", "name": "机关党委", "kind": "committee", "parent": None, "departments": [],
        "approved_by_superior": True, "secretary": leaders[0], "deputy_secretaries": [leaders[1]],
        "committee_members": committee_members, "discipline_commission": True,
        "discipline_commission_secretary": leaders[1], "established_on": "2000-01-01", "secretary_changes": [],
        "elections": [_election(on, top=True)],
    })
    meetings = _meetings(orgs, members, records_from, on, lecturer=leaders[0])
    activities = _activities(orgs, records_from, on)
    return {
        "format": FORMAT, "as_of": _iso(on), "records_from": _iso(records_from),
        "unit": {"id": "court", "name": "示范市中级人民法院", "level": "prefecture", "staff_total": 120,
                 "party_affairs_staff": 2, "departments": departments, "leaders": leaders,
                 "party_funding_in_budget": True},
        "organizations": orgs, "members": members, "meetings": meetings, "activities": activities,
    }


DUES_BASE = 6000            # after-tax monthly pay: 1.5 % (dues-regulations@2008 art.2)
DUES_AMOUNT = 90


def _dues_details(months: list[str], on: dt.date) -> dict:
    """Each paid month at the rate of its bracket, paid on the tenth (or by the snapshot); no reduction."""
    pays = [{"month": m, "amount": DUES_AMOUNT,
             "paid_on": _iso(min(on, Month.parse(m).first_day() + dt.timedelta(days=9)))} for m in months]
    return {"dues_base": DUES_BASE, "dues_payments": pays, "dues_reductions": []}


def _development(admitted: dt.date, contacts: list[dict], full_members: int) -> dict:
    """A clean admission process (devt-rules@2014) ending with the branch meeting on ``admitted``."""
    applied = admitted - dt.timedelta(days=800)
    activist = applied + dt.timedelta(days=40)
    obj = activist + dt.timedelta(days=400)
    return {"applied_on": _iso(applied), "application_talk_on": _iso(applied + dt.timedelta(days=10)),
            "activist_on": _iso(activist), "activist_filed_on": _iso(activist + dt.timedelta(days=5)),
            "contacts": [{"member": c["id"]} for c in contacts],
            "assessments": [_iso(activist + dt.timedelta(days=150)), _iso(activist + dt.timedelta(days=300))],
            "object_on": _iso(obj), "object_filed_on": _iso(obj + dt.timedelta(days=5)),
            "political_review_on": _iso(admitted - dt.timedelta(days=20)), "training_days": 3, "training_hours": 24,
            "pre_review_on": _iso(admitted - dt.timedelta(days=10)),
            "meeting_due": full_members, "meeting_present": full_members, "meeting_ayes": full_members,
            "approver": "committee", "oath_on": _iso(admitted + dt.timedelta(days=20)), "extensions": []}


def _months(first: dt.date, on: dt.date) -> list[Month]:
    out, m = [], Month.of(first)
    while m.first_day() <= on:
        out.append(m)
        m = m + 1
    return out


def _election(on: dt.date, *, top: bool = False) -> dict:
    """The latest regular election, 420 days before ``on`` (inside any term, and before the monthly
    window, so that the committee that met is the one recorded), approved two weeks later."""
    held = on - dt.timedelta(days=420)
    e = {"date": _iso(held), "secretary_approved_on": _iso(held + dt.timedelta(days=14))}
    if top:
        e["party_group_decided_on"] = _iso(held - dt.timedelta(days=30))
        e["work_committee_approved_on"] = _iso(held - dt.timedelta(days=20))
    return e


def _meetings(orgs: list, members: list, first: dt.date, on: dt.date, lecturer: str) -> list[dict]:
    out: list[dict] = []
    roll = {o["id"]: [m["id"] for m in members if m["org"] == o["id"]] for o in orgs}

    def add(org: str, kind: str, day: dt.date, attendees: list[str], **extra: Any) -> None:
        if first <= day <= on:
            out.append({"id": f"mt{len(out) + 1:04d}", "org": org, "kind": kind, "date": _iso(day),
                        "attendees": attendees, **extra})

    for month in _months(first, on):
        for o in orgs:
            people = roll[o["id"]]
            if o["kind"] == "branch":
                add(o["id"], "theme_day", month.first_day() + dt.timedelta(days=9), people)
                if month.month in (2, 5, 8, 11):
                    add(o["id"], "general_meeting", month.first_day() + dt.timedelta(days=14), people, voting=True)
                    add(o["id"], "party_lecture", month.first_day() + dt.timedelta(days=16), people,
                        lecturer=o["secretary"])
                if month.month == 11:
                    add(o["id"], "org_life_meeting", month.first_day() + dt.timedelta(days=19), people)
                    add(o["id"], "democratic_review", month.first_day() + dt.timedelta(days=20), people)
            if o["committee_members"]:
                add(o["id"], "committee_meeting", month.first_day() + dt.timedelta(days=4),
                    list(o["committee_members"]))
            if o["kind"] == "committee" and month.month == 6:
                add(o["id"], "party_lecture", month.first_day() + dt.timedelta(days=11),
                    list(o["committee_members"]), lecturer=lecturer)
    return out


def _activities(orgs: list, first: dt.date, on: dt.date) -> list[dict]:
    out: list[dict] = []
    for year in range(first.year, on.year + 1):
        for day, kind, org in ([(dt.date(year, 1, 15), "secretary_report", o["id"]) for o in orgs]
                               + [(dt.date(year, 1, 20), "dues_publication", o["id"]) for o in orgs
                                  if o["kind"] == "branch"]
                               + [(dt.date(year, 3, 10), "party_group_report", None),
                                  (dt.date(year, 3, 20), "all_member_briefing", None),
                                  (dt.date(year, 4, 10), "party_group_study", None),
                                  (dt.date(year, 10, 10), "party_group_study", None)]):
            if first <= day <= on:
                rec = {"kind": kind, "date": _iso(day)}
                if org is not None:
                    rec["org"] = org
                out.append(rec)
    return out


# ---------------------------------------------------------------------------------------------- faults

@attrs.frozen
class Fault:
    """One departure from the clean court and the results it must produce."""

    name: str
    expect: tuple[tuple[str, str], ...]      # (policy id, subject id) that must be violated, and nothing else
    plant: Callable[[dict], None]
    since: dt.date = dt.date(1900, 1, 1)      # the earliest evaluation date on which the rule exists
    # an earlier rule that reports the same fault before ``since`` (e.g. the branch regulations before the organs
    # regulations of 2019 took over), from ``earlier_since``
    earlier: tuple[tuple[str, str], ...] = ()
    earlier_since: dt.date = dt.date(1900, 1, 1)

    def expected_on(self, on: dt.date) -> set[tuple[str, str]]:
        """The (policy, subject) pairs that must be violated on ``on``, and nothing else."""
        if on >= self.since:
            return set(self.expect)
        return set(self.earlier) if self.earlier and on >= self.earlier_since else set()


def _org(doc: dict, oid: str) -> dict:
    return next(o for o in doc["organizations"] if o["id"] == oid)


def _member(doc: dict, mid: str) -> dict:
    return next(m for m in doc["members"] if m["id"] == mid)


def _drop_meetings(doc: dict, org: str, kind: str, month: Month) -> None:
    doc["meetings"] = [m for m in doc["meetings"] if not (
        m["org"] == org and m["kind"] == kind and Month.of(dt.date.fromisoformat(m["date"])) == month)]


def _last_month(doc: dict) -> Month:
    on = dt.date.fromisoformat(doc["as_of"])
    return Month(Period.last_complete("month", on).year, Period.last_complete("month", on).index)


def _no_org(doc: dict) -> None:
    _member(doc, "m05")["org"] = None


def _no_committee(doc: dict) -> None:
    b2 = _org(doc, "b2")
    b2.update(committee_members=[], discipline_member=None)
    doc["meetings"] = [m for m in doc["meetings"] if not (m["org"] == "b2" and m["kind"] == "committee_meeting")]


def _unapproved(doc: dict) -> None:
    _org(doc, "b3")["elections"][0]["secretary_approved_on"] = None


def _two_deputies(doc: dict) -> None:
    b4 = _org(doc, "b4")
    ids = [m["id"] for m in doc["members"] if m["org"] == "b4"]
    b4["deputy_secretaries"] = ids[1:3]


def _no_theme_day(doc: dict) -> None:
    _drop_meetings(doc, "b1", "theme_day", _last_month(doc) + -2)


def _unpaid(doc: dict) -> None:
    m = _member(doc, "m12")
    recent = {str(_last_month(doc) + -i) for i in range(3)}
    m["dues_paid"] = [x for x in m["dues_paid"] if x not in recent]
    m["dues_payments"] = [p for p in m["dues_payments"] if p["month"] not in recent]


def _no_pre_review(doc: dict) -> None:
    _member(doc, "m10")["development"]["pre_review_on"] = None


def _underpaid(doc: dict) -> None:
    pay = next(p for p in _member(doc, "m12")["dues_payments"] if p["month"] == str(_last_month(doc)))
    pay["amount"] = DUES_AMOUNT * 2 / 3        # 1 % of the base, not the 1.5 % of its bracket


def _no_staff(doc: dict) -> None:
    doc["unit"]["party_affairs_staff"] = 0


def _no_budget(doc: dict) -> None:
    doc["unit"]["party_funding_in_budget"] = False


def _not_leader(doc: dict) -> None:
    committee = _org(doc, "c")
    committee["secretary"] = "m03"
    committee["committee_members"] = ["m03"] + [x for x in committee["committee_members"] if x != "m03"][:4]
    for mt in doc["meetings"]:
        if mt["kind"] == "party_lecture" and mt["org"] == "c":
            mt["lecturer"] = "m03"


def _unapproved_admission(doc: dict) -> None:
    _member(doc, "m10")["admission_approved_on"] = None


def _one_introducer(doc: dict) -> None:
    _member(doc, "m10")["introducers"] = [{"member": "m01"}]


def _overdue(doc: dict) -> None:
    on = dt.date.fromisoformat(doc["as_of"])
    held = add_years(on, -3) - dt.timedelta(days=30)
    b3 = _org(doc, "b3")
    b3["elections"] = [{"date": _iso(held), "secretary_approved_on": _iso(held + dt.timedelta(days=14))}]
    b3["postponement_approved_until"] = None     # no postponement was approved


def _small_committee(doc: dict) -> None:
    b1 = _org(doc, "b1")
    b1["committee_members"] = [b1["committee_members"][0], b1["discipline_member"]]
    doc["meetings"] = [m for m in doc["meetings"] if not (m["org"] == "b1" and m["kind"] == "committee_meeting")] + [
        {**m, "attendees": b1["committee_members"]} for m in doc["meetings"]
        if m["org"] == "b1" and m["kind"] == "committee_meeting"]


def _leader_skips_branch(doc: dict) -> None:
    # the committee's secretary, a court leader enrolled in b1, still sits in the committee's meetings
    # (so no six-month lapse), but attended none of b1's meetings in the last complete year
    leader = doc["unit"]["leaders"][0]
    year = Period.last_complete("year", dt.date.fromisoformat(doc["as_of"]))
    for mt in doc["meetings"]:
        if mt["org"] == "b1" and year.first_day() <= dt.date.fromisoformat(mt["date"]) <= year.last_day():
            mt["attendees"] = [x for x in mt["attendees"] if x != leader]


def _probationary_on_committee(doc: dict) -> None:
    # m10, b1's probationary member, sits on b1's committee instead of m04
    b1 = _org(doc, "b1")
    b1["committee_members"] = [x if x != "m04" else "m10" for x in b1["committee_members"]]


def _early_reelection(doc: dict) -> None:
    # b3's latest election came 18 months before its previous 3-year term would have ended, without approval
    latest = _org(doc, "b3")["elections"][0]
    held = dt.date.fromisoformat(latest["date"])
    previous = add_years(held, -3) + dt.timedelta(days=548)
    latest["shift_approved"] = False
    _org(doc, "b3")["elections"] = [
        {"date": _iso(previous), "secretary_approved_on": _iso(previous + dt.timedelta(days=14))}, latest]


def _applied_at_17(doc: dict) -> None:
    m = _member(doc, "m10")
    m["birth_date"] = _iso(add_years(dt.date.fromisoformat(m["admitted_on"]), -17))
    m.pop("applied_on", None)


def _ended_dues_lapse(doc: dict) -> None:
    # seven months without dues early in the records, paid again since
    m = _member(doc, "m12")
    first = Month.of(dt.date.fromisoformat(doc["records_from"]))
    gap = {str(first + i) for i in range(2, 9)}
    m["dues_paid"] = [x for x in m["dues_paid"] if x not in gap]


FAULTS: tuple[Fault, ...] = (
    Fault("a member enrolled nowhere", (("constitution.member.enrolled", "m05"),), _no_org),
    Fault("a branch of 8 full members without a committee", (("organs.branch.committee-required", "b2"),),
          _no_committee, dt.date(2020, 1, 5), (("branch-regs.branch.committee-required", "b2"),),
          dt.date(2018, 10, 28)),
    Fault("an elected secretary not approved", (("constitution.org.secretary-approved", "b3"),), _unapproved),
    Fault("a small branch with two deputies", (("organs.branch.small-branch-officers", "b4"),), _two_deputies,
          dt.date(2020, 1, 5), (("branch-regs.branch.small-branch-officers", "b4"),), dt.date(2018, 10, 28)),
    Fault("a month without a theme day", (("branch-regs.branch.monthly-theme-day", "b1"),), _no_theme_day,
          dt.date(2018, 10, 28)),
    Fault("no party-affairs staff", (("organs.unit.party-affairs-staff", "court"),), _no_staff, dt.date(2020, 1, 5)),
    Fault("party funding outside the budget", (("organs.unit.funding-in-budget", "court"),), _no_budget,
          dt.date(2020, 1, 5)),
    Fault("the committee's secretary is not a court leader", (("organs.committee.secretary-is-unit-leader", "c"),),
          _not_leader, dt.date(2020, 1, 5)),
    # 120 days after the meeting: also past the 3 months of devt-rules@2014 art.26
    Fault("an admission the higher organization did not approve", (("constitution.member.admission-approved", "m10"),
                                                                    ("devt.admission.approval-time", "m10")),
          _unapproved_admission),
    Fault("an applicant with one introducer", (("constitution.member.two-full-member-introducers", "m10"),),
          _one_introducer),
    # the overdue term must have begun under the 2019 organs regulations to be judged by them
    Fault("a branch re-election a month overdue", (("organs.org.reelection-on-time", "b3"),), _overdue,
          dt.date(2023, 3, 1)),
    Fault("a branch committee of two", (("branch-regs.branch.committee-min-size", "b1"),), _small_committee,
          dt.date(2018, 10, 28)),
    # member-edu-regs took effect 2019-05-06, so the first year judged is 2020 (from 2021-01-01)
    Fault("an admission without the approving committee's pre-review", (("devt.admission.pre-review", "m10"),),
          _no_pre_review, dt.date(2014, 5, 28)),
    Fault("dues below the rate of the member's bracket", (("dues.member.amount", "m12"),), _underpaid,
          dt.date(2008, 4, 1)),
    # the latest election (420 days before the date) must be on or after 2017-10-24 to be judged
    Fault("a probationary member on the branch committee", (("constitution.org.no-probationary-officers", "b1"),),
          _probationary_on_committee, dt.date(2018, 12, 18)),
    # the early election must be held on or after 2020-07-13 (election regulations)
    Fault("a branch re-elected 18 months early without approval",
          (("election-regs.org.early-reelection-approved", "b3"), ("election-regs.org.early-shift-within-one-year", "b3")),
          _early_reelection, dt.date(2021, 9, 6)),
    # the recorded process (development.applied_on) says the same under devt-rules@2014 art.5
    Fault("an applicant accepted at 17", (("constitution.member.applicant-age", "m10"), ("devt.application.age", "m10")),
          _applied_at_17),
    Fault("a seven-month dues lapse that the member ended", (("constitution.member.six-month-lapse", "m12"),),
          _ended_dues_lapse),
    Fault("a court leader who skipped their branch's meetings for a year",
          (("member-edu.unit.leaders-dual-org-life", "court"),), _leader_skips_branch, dt.date(2021, 1, 1)),
)


def planted(fault: Fault, as_of: dt.date | str) -> dict[str, Any]:
    """The clean court of ``as_of`` with ``fault`` planted in it."""
    doc = copy.deepcopy(clean_court(as_of))
    fault.plant(doc)
    return doc
