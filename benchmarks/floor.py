"""The practical floor: 12 built-in policies written by hand in plain Python.

What a competent programmer would write to check the same 12 policies without
partyrules: read the document with ``json.load`` / libyaml's ``CSafeLoader``,
index it once, and test each rule directly. No partyrules import, no
validation, no citations, no report beyond the list of violations — that is
what makes it a floor. It implements exactly the logic of the policy files
(thresholds in force on the evaluation date, the Kleene rules for omitted
facts: an omitted fact never gives a violation unless the other operand of an
``and`` already decides it), and the benchmark asserts that its violation set
equals partyrules' on every generated court, so the comparison is honest.

The thresholds are those of the editions in force from 2022-10-22 on (organs
regulations 2019, constitution 2017/2022, which agree), i.e. for the generated
courts (as_of 2024-06-30).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

POLICIES = (
    "constitution.member.enrolled",
    "constitution.member.six-month-lapse",
    "constitution.org.secretary-approved",
    "constitution.unit.grassroots-organization",
    "organs.branch.committee-required",
    "organs.branch.discipline-member",
    "organs.branch.secretary-is-department-head",
    "organs.branch.small-branch-officers",
    "organs.committee.discipline-commission",
    "organs.committee.secretary-is-unit-leader",
    "organs.unit.committee-required",
    "organs.unit.party-affairs-staff",
)

# parameters in force on the generated courts' date (policies/parameters/*.yaml)
COMMITTEE_MIN_MEMBERS = 100
BRANCH_COMMITTEE_MIN_FULL = 7
SMALL_BRANCH_MAX_DEPUTIES = 1
STAFF_MIN_RATIO = 0.01
STAFF_MIN_PERSONS = 1
ORG_MIN_FULL = 3
LAPSE_MONTHS = 6

U = None          # unknown, in the three-valued logic below
_MISSING = object()


def load(path: str) -> dict:
    """Read a fact document as plain data."""
    with open(path, "rb") as fh:
        if str(path).endswith(".json"):
            return json.load(fh)
        return yaml.load(fh, Loader=_Loader)


def _date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)


def _and(*vals: Any) -> Any:
    if any(v is False for v in vals):
        return False
    return U if any(v is U for v in vals) else True


def _or(*vals: Any) -> Any:
    if any(v is True for v in vals):
        return True
    return U if any(v is U for v in vals) else False


def _ge(bounds: tuple[int, int], c: int) -> Any:
    lo, hi = bounds
    return True if lo >= c else False if hi < c else U


def _lt(bounds: tuple[int, int], c: int) -> Any:
    lo, hi = bounds
    return True if hi < c else False if lo >= c else U


def _eq(bounds: tuple[int, int], c: int) -> Any:
    lo, hi = bounds
    if lo == hi:
        return lo == c
    return False if lo > c or hi < c else U


def _len_gt0(v: Any) -> Any:
    return U if v is _MISSING else len(v) > 0


def _month(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def violations(doc: dict) -> set[tuple[str, str]]:
    """``{(policy id, subject id)}`` of every violation of the 12 policies, on the document's own date."""
    on = _date(doc["as_of"])        # the snapshot date: the recorded status holds

    def _status(m: dict) -> Any:
        st = m.get("status", _MISSING)
        if st is not _MISSING:
            return st
        full_on = m.get("full_on", _MISSING)
        if full_on is None:
            return "probationary"
        return "full" if full_on is not _MISSING and _date(full_on) <= on else U

    unit = doc.get("unit", _MISSING)
    orgs = doc.get("organizations", _MISSING)
    members = doc.get("members", _MISSING)
    meetings = doc.get("meetings", _MISSING)
    out: set[tuple[str, str]] = set()
    uid = unit["id"] if unit is not _MISSING else "unit"

    # ---- counts -----------------------------------------------------------------------------------
    def count(rows: Iterable[dict], statuses: tuple[str, ...], extra: Iterable[dict] = ()) -> tuple[int, int]:
        sure = maybe = 0
        for m in rows:
            st = _status(m)
            if st is U:
                maybe += 1
            elif st in statuses:
                sure += 1
        for m in extra:
            st = _status(m)
            if st is U or st in statuses:
                maybe += 1
        return sure, sure + maybe

    by_org: dict[Any, list[dict]] = {}
    if members is not _MISSING:
        for m in members:
            by_org.setdefault(m.get("org", _MISSING), []).append(m)
        unit_members = count(members, ("full", "probationary"))
        unit_full = count(members, ("full",))
    org_list = orgs if orgs is not _MISSING else []
    kinds = [o["kind"] for o in org_list]
    n_committees = kinds.count("committee") if orgs is not _MISSING else U
    n_general = kinds.count("general_branch") if orgs is not _MISSING else U

    # ---- unit policies ----------------------------------------------------------------------------
    if unit is not _MISSING and members is not _MISSING:
        where = _ge(unit_members, COMMITTEE_MIN_MEMBERS)
        require = U if n_committees is U else n_committees > 0
        if where is True and require is False:
            excused = _and(_eq(unit_members, COMMITTEE_MIN_MEMBERS), n_committees == 0,
                           U if n_general is U else n_general > 0)
            if excused is False:
                out.add(("organs.unit.committee-required", uid))
        req = _or(_lt(unit_full, ORG_MIN_FULL), U if orgs is _MISSING else len(org_list) > 0)
        if req is False:
            out.add(("constitution.unit.grassroots-organization", uid))
    if unit is not _MISSING:
        staff = unit.get("party_affairs_staff", _MISSING)
        total = unit.get("staff_total", _MISSING)
        first = U if staff is _MISSING else staff >= STAFF_MIN_PERSONS
        second = U if staff is _MISSING or total is _MISSING else (total == 0 or staff / total >= STAFF_MIN_RATIO)
        if _and(first, second) is False:
            out.add(("organs.unit.party-affairs-staff", uid))

    # ---- organization policies --------------------------------------------------------------------
    heads: dict[str, Any] = {}
    if unit is not _MISSING and unit.get("departments", _MISSING) is not _MISSING:
        heads = {d["id"]: d.get("head", _MISSING) for d in unit["departments"]}
    leaders = unit.get("leaders", _MISSING) if unit is not _MISSING else _MISSING
    omitted_org = by_org.get(_MISSING, [])
    for o in org_list:
        oid, kind = o["id"], o["kind"]
        cm = o.get("committee_members", _MISSING)
        sec = o.get("secretary", _MISSING)
        if members is not _MISSING:
            full = count(by_org.get(oid, []), ("full",), omitted_org)
        else:
            full = (0, 10 ** 9)
        if kind == "branch":
            if _or(_lt(full, BRANCH_COMMITTEE_MIN_FULL), _len_gt0(cm)) is False:
                out.add(("organs.branch.committee-required", oid))
            if _lt(full, BRANCH_COMMITTEE_MIN_FULL) is True:
                deputies = o.get("deputy_secretaries", _MISSING)
                req = _and(U if cm is _MISSING else len(cm) == 0,
                           U if sec is _MISSING else sec is not None,
                           U if deputies is _MISSING else len(deputies) <= SMALL_BRANCH_MAX_DEPUTIES)
                if req is False:
                    out.add(("organs.branch.small-branch-officers", oid))
            deps = o.get("departments", _MISSING)
            if deps is not _MISSING:
                # a recorded head decides; an omitted one may be the secretary (unless there is none)
                known, omitted = [], False
                for d in deps:
                    h = heads.get(d, _MISSING)
                    if h is _MISSING:
                        omitted = True
                    elif h is not None:
                        known.append(h)
                if known and sec is not _MISSING and sec not in known and (sec is None or not omitted):
                    out.add(("organs.branch.secretary-is-department-head", oid))
        if kind in ("general_branch", "branch") and _len_gt0(cm) is True:
            dm = o.get("discipline_member", _MISSING)
            if dm is not _MISSING and (dm is None or dm not in cm):
                out.add(("organs.branch.discipline-member", oid))
        if kind == "committee" and o.get("discipline_commission", _MISSING) is False:
            out.add(("organs.committee.discipline-commission", oid))
        parent = o.get("parent", _MISSING)
        where = _or(kind == "committee",
                    _and(kind == "general_branch", U if parent is _MISSING else parent is None,
                         U if n_committees is U else n_committees == 0))
        if where is True and sec is not _MISSING and leaders is not _MISSING and sec not in leaders:
            out.add(("organs.committee.secretary-is-unit-leader", oid))
        elections = o.get("elections", _MISSING)
        if elections is not _MISSING:
            held = [e for e in elections if _date(e["date"]) <= on]
            if held:
                latest = max(held, key=lambda e: _date(e["date"]))
                if "secretary_approved_on" in latest and latest["secretary_approved_on"] is None:
                    out.add(("constitution.org.secretary-approved", oid))

    # ---- member policies --------------------------------------------------------------------------
    if members is _MISSING:
        return out
    window = _window(doc, on)
    attended: dict[int, set[str]] = {}
    unrecorded: dict[int, list[str]] = {}          # month → orgs with a meeting whose attendance is omitted
    if window is not None and meetings is not _MISSING:
        first, last = window
        for mt in meetings:
            d = _date(mt["date"])
            if d > on:
                continue
            mo = _month(d)
            if first <= mo <= last:
                att = mt.get("attendees", _MISSING)
                if att is _MISSING:
                    unrecorded.setdefault(mo, []).append(mt["org"])
                else:
                    attended.setdefault(mo, set()).update(att)
    committees = {o["id"]: o.get("committee_members", _MISSING) for o in org_list}
    # the months each member was seen at a meeting, and the months an unrecorded meeting of an organization
    # may have held them (its enrolled members and its committee)
    attended_items = list(attended.items())
    label_of = {} if window is None else {f"{mo // 12:04d}-{mo % 12 + 1:02d}": mo
                                          for mo in range(window[0], window[1] + 1)}
    open_in: dict[str, set[int]] = {}
    for mo, oids in unrecorded.items():
        for oid in oids:
            open_in.setdefault(oid, set()).add(mo)
    committee_of: dict[str, list[str]] = {}
    for oid, cmo in committees.items():
        if cmo is not _MISSING and oid in open_in:
            for mid in cmo:
                committee_of.setdefault(mid, []).append(oid)
    every_open = set().union(*open_in.values()) if open_in else set()
    for m in members:
        mid = m["id"]
        admitted = m.get("admitted_on", _MISSING)
        if admitted is not _MISSING and _date(admitted) > on:
            continue                                 # not yet a member
        org = m.get("org", _MISSING)
        if org is None:
            out.add(("constitution.member.enrolled", mid))
        if window is None:
            continue
        first, last = window
        # any LAPSE_MONTHS consecutive complete months inside the records (not only the last ones: a lapse that
        # ended is still a case), counting only months the member surely belonged to for the whole month: a run
        # is a gap of LAPSE_MONTHS or more between the months that break it
        if admitted is not _MISSING:
            joined = _date(admitted)
        else:
            # an omitted admission lies on or before full_on and the snapshot: months from then surely count
            full_on = m.get("full_on")
            joined = on if full_on is None else min(on, _date(full_on))
        start = max(first, _month(joined) + (0 if joined.day == 1 else 1))
        if last - start + 1 < LAPSE_MONTHS:
            continue
        if meetings is not _MISSING:
            breaks = {mo for mo, ids in attended_items if mid in ids}
            if org is _MISSING:
                breaks |= every_open
            else:
                breaks |= open_in.get(org, set())
            for oid in committee_of.get(mid, ()):
                breaks |= open_in[oid]
            if _has_gap(breaks, start, last):
                out.add(("constitution.member.six-month-lapse", mid))
                continue
        paid = m.get("dues_paid", _MISSING)
        if paid is not _MISSING:
            # months outside the records do not matter; "YYYY-MM" labels map to month numbers by lookup
            months_paid = {label_of[p] for p in map(str, paid) if p in label_of}
            if _has_gap(months_paid, start, last):
                out.add(("constitution.member.six-month-lapse", mid))
    return out


def _has_gap(breaks: set[int], start: int, last: int) -> bool:
    """Whether LAPSE_MONTHS consecutive months of start..last hold none of ``breaks``."""
    previous = start - 1
    for mo in sorted(b for b in breaks if start <= b <= last):
        if mo - previous - 1 >= LAPSE_MONTHS:
            return True
        previous = mo
    return last - previous >= LAPSE_MONTHS


def _window(doc: dict, on: dt.date) -> tuple[int, int] | None:
    """The complete months inside the records (at least six), as month numbers, or None."""
    rf = doc.get("records_from", _MISSING)
    if rf is _MISSING or rf is None:
        return None
    rf = _date(rf)
    snap = _date(doc["as_of"]) if "as_of" in doc else on
    until = min(on, snap)
    first = _month(rf) + (0 if rf.day == 1 else 1)
    last = _month(until)
    nxt = last + 1
    if until != dt.date(nxt // 12, nxt % 12 + 1, 1) - dt.timedelta(days=1):
        last -= 1
    if last < first or last - first + 1 < LAPSE_MONTHS:
        return None
    return first, last


def check_file(path: str) -> str:
    """End to end as the floor would run it: read, check, print the violations as JSON."""
    found = sorted(violations(load(path)))
    return json.dumps([{"policy": p, "subject": s} for p, s in found], ensure_ascii=False)
