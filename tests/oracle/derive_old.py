"""The straightforward derived facts as they were before the per-view indexes (a verbatim copy of
partyrules/facts/derive.py before the change): the reference that tests/test_derive_indexes.py compares the
indexed implementation against. Not used by the library."""

from __future__ import annotations

from typing import Any, Callable

import attrs

import datetime as dt

from partyrules.periods import PERIOD_KINDS, Month, Period, add_months, add_years
from partyrules.facts.model import OMITTED, Department, Election, Member, Organization, Unit
from partyrules.facts.view import Unknown, View


@attrs.frozen
class Derived:
    """One derived fact: its name in expressions, its function and what it takes."""

    name: str
    fn: Callable[..., Any]
    args: tuple[str, ...]     # kinds of arguments: organization, member, department, unit, int, str, date;
                              # a trailing ? allows null
    doc: str
    returns: str = "value"     # a record kind name when it returns a record with fields
    needs_since: bool = False  # receives ``since=``: the day the evaluated policy's edition took effect


@attrs.frozen
class MonthCheck:
    """What the records say about one month of a window."""

    month: str
    found: Any            # True, False or Unknown
    record: str | None    # the record that satisfied the month, or that might have


@attrs.frozen
class Lapse:
    """The result of looking for N consecutive empty months of a member inside the records."""

    lapsed: Any                      # True / False / Unknown
    months: tuple[str, ...]          # the window, oldest first
    periods: tuple[MonthCheck, ...]  # month by month
    since: str | None = None         # when lapsed: the first month of the whole run inside the records
    run_months: int | None = None    # when lapsed: how many months the run lasted (so far, when ongoing)
    until: str | None = None         # when lapsed: the last month of the run
    ongoing: bool | None = None      # when lapsed: the run lasts to the last complete month (not ended)



def _admission_bounds(view: View, member: Any) -> tuple:
    """Not a scan: the bounds the loader puts on an omitted admitted_on are shared with the code under test
    (derive.admission_bounds, imported on use as the oracle's other shared pieces are)."""
    from partyrules.facts.derive import admission_bounds
    return admission_bounds(view, member)

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
    # its approval dates are kept as recorded: like every approval field, a date after the evaluation
    # date means "not yet approved" on it, and each policy says what that means for its rule
    return max(held, key=lambda e: e.date)


def previous_election(view: View, org: Organization) -> Any:
    """The regular election before the most recent one on or before the date, or ``None``."""
    if org.elections is OMITTED:
        return Unknown.of(f"{view.path(org)}.elections")
    held = sorted((e for e in org.elections if e.date <= view.as_of), key=lambda e: e.date)
    return held[-2] if len(held) >= 2 else None


def department_heads(view: View, org: Organization) -> Any:
    """The member ids of the principal heads of the departments the organization is built on.

    Heads that are not Party members (``head: null``) are left out; the heads
    omitted make the list unknown, naming them all.
    """
    if org.departments is OMITTED:
        return Unknown.of(f"{view.path(org)}.departments")
    heads, omitted = [], set()
    for dep_id in org.departments:
        dep = view.departments[dep_id]
        if dep.head is OMITTED:
            omitted.add(f"{view.path(dep)}.head")
        elif dep.head is not None:
            heads.append(dep.head)
    return Unknown(frozenset(omitted)) if omitted else tuple(heads)


def unit_leaders(view: View) -> Any:
    """The unit's leaders who are Party members (本单位党员负责人)."""
    unit = view.facts.unit
    if unit is OMITTED:
        return Unknown.of("unit")
    return view.get(unit, "leaders")


def _window(view: View, months: int) -> Any:
    """Every complete recorded month, oldest first, if there are at least ``months`` of them."""
    if view.records_from is None:
        return Unknown.of("records_from")
    win = view.window
    if win is None or (win[1] - win[0]) + 1 < months:
        return Unknown.of("records_from")
    return [win[0] + i for i in range((win[1] - win[0]) + 1)]


def _lapse(view: View, member: Member, months: int, check: Callable[[Month], tuple[Any, str | None]]) -> Lapse:
    """Any ``months`` consecutive complete months inside the records and the membership with nothing found.

    Art.9 para.3 is triggered by any such run, not only one that is still going on: a lapse the member
    later ended is still a case the branch had to handle. The first complete run is reported (with where it
    ended); without one, a run made of empty and unrecorded months makes the answer unknown.
    """
    recorded = _window(view, months)
    if isinstance(recorded, Unknown):
        return Lapse(recorded, (), ())
    checks = [(m, *check(m)) for m in recorded]
    member_from = None if member.admitted_on is OMITTED else member.admitted_on
    earliest, latest = _admission_bounds(view, member)

    def member_in(m: Month) -> Any:
        # a month counts only when the member belonged for all of it
        if member_from is not None:
            return member_from <= m.first_day()
        if latest <= m.first_day():
            return True
        if earliest is not None and m.first_day() < earliest:
            return False
        return Unknown.of(f"{view.path(member)}.admitted_on")

    # runs of months that are surely empty (False) or may be (Unknown), split where the member was not yet admitted
    sure_run: list[int] = []
    maybe_run: list[int] = []
    missing: set[str] = set()
    found_sure: tuple[int, int] | None = None
    for i, (m, found, _) in enumerate(checks):
        inside = member_in(m)
        if found is True or inside is False:
            sure_run, maybe_run = [], []
            continue
        maybe_run.append(i)
        if found is False and inside is True:
            sure_run.append(i)
        else:
            sure_run = []
        if len(sure_run) >= months and found_sure is None:
            found_sure = (sure_run[0], sure_run[0])
        if found_sure is not None and sure_run and sure_run[0] == found_sure[0]:
            found_sure = (sure_run[0], i)
        if len(maybe_run) >= months and found_sure is None:
            for j in maybe_run[-months:]:
                f = checks[j][1]
                if isinstance(f, Unknown):
                    missing |= f.missing
                inside_j = member_in(checks[j][0])
                if isinstance(inside_j, Unknown):
                    missing |= inside_j.missing
    last_window = recorded[-months:]
    if found_sure is None:
        lapsed: Any = Unknown(frozenset(missing)) if missing else False
        return Lapse(lapsed, tuple(str(m) for m in last_window),
                     tuple(MonthCheck(str(m), f, r) for m, f, r in checks[-months:]))
    first, last = found_sure
    run = checks[first:last + 1]
    shown = run[-months:]      # the last N months of the run, month by month; the whole run is since … until
    return Lapse(True, tuple(str(m) for m, _, _ in shown), tuple(MonthCheck(str(m), f, r) for m, f, r in shown),
                 str(run[0][0]), len(run), str(run[-1][0]), last == len(checks) - 1)


def org_life_lapse(view: View, member: Member, months: int) -> Lapse:
    """Did the member take part in no organisational life in each of the last ``months`` complete months?

    Taking part = being among the attendees of any meeting (facts-v1). A
    meeting whose attendance was not recorded may have been attended by the
    members enrolled in its organization (and by its committee members), so it
    makes that month unknown for them rather than empty.
    """
    if view.facts.meetings is OMITTED:
        return Lapse(Unknown.of("meetings"), (), ())
    by_month = view.meetings_by_month

    def check(month: Month) -> tuple[Any, str | None]:
        maybe = None
        for mt in by_month.get(month, []):
            if mt.attendees is OMITTED:
                org = view.orgs.get(mt.org)
                could = (member.org is OMITTED or member.org == mt.org or org is None
                         or org.committee_members is OMITTED or member.id in org.committee_members)
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


@attrs.frozen
class PeriodCheck:
    """One period of a recurring duty: ``found``, ``missing``, ``unrecorded`` (before the
    records start), ``unknown`` (inside the records, but a record that could settle it is
    incomplete, e.g. a meeting without attendance; ``records`` lists those) or
    ``not_required`` (before the rule or the organization existed)."""

    period: str
    status: str
    records: tuple[str, ...] = ()


@attrs.frozen
class Coverage:
    """A recurring duty over the last N complete periods."""

    ok: Any                            # True: every required period has a record; False: one has none
    periods: tuple[PeriodCheck, ...]
    missed: tuple[str, ...]            # the periods with no record


@attrs.frozen
class TrainingYear:
    """Training of one member in the last complete calendar year."""

    year: int
    required: Any          # the member was a member for the whole year, under the rule
    hours: Any             # class hours recorded for that year (0 when the complete records show none)


def _periods(view: View, kind: str, count: int) -> list[Period]:
    if kind not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}, got {kind!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 240:
        raise ValueError(f"the number of periods must be a whole number from 1 to 240, got {count!r}")
    last = Period.last_complete(kind, min(view.as_of, view.snapshot))
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


def _coverage(view: View, kind: str, count: int, since: dt.date | None, established: Any,
              find: Callable[[Period], list[str]], at_least: int = 1) -> Coverage:
    """Judge each of the last ``count`` complete periods (see :class:`PeriodCheck`)."""
    checks = []
    for p in _periods(view, kind, count):
        if since is not None and p.first_day() < since:
            checks.append(PeriodCheck(str(p), "not_required"))
        elif established is not OMITTED and established is not None and p.first_day() < established:
            checks.append(PeriodCheck(str(p), "not_required"))
        elif view.records_from is None or p.first_day() < view.records_from:
            checks.append(PeriodCheck(str(p), "unrecorded"))
        else:
            found = find(p)
            checks.append(PeriodCheck(str(p), "found" if len(found) >= at_least else "missing", tuple(found)))
    missed = tuple(c.period for c in checks if c.status == "missing")
    if missed:
        ok: Any = False
    elif any(c.status == "unrecorded" for c in checks):
        ok = Unknown.of("records_from")
    else:
        ok = True
    return Coverage(ok, tuple(checks), missed)


def _kinds(kinds: Any) -> tuple[str, ...]:
    if isinstance(kinds, str):
        return (kinds,)
    if isinstance(kinds, tuple) and all(isinstance(k, str) for k in kinds):
        return kinds
    raise ValueError(f"expected a kind or a list of kinds, got {kinds!r}")


def meetings_each(view: View, org: Organization, kinds: Any, period: str, count: int, *,
                  since: dt.date | None = None) -> Any:
    """Did ``org`` hold a meeting of one of ``kinds`` in each of the last ``count`` complete periods?

    ``period`` is ``month``, ``quarter`` or ``year``. Only periods that began on or
    after the rule took effect (and the organization's ``established_on``) are
    required; periods before ``records_from`` are unknown.
    """
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    wanted = _kinds(kinds)
    mine = [m for m in view.meetings_upto if m.org == org.id and m.kind in wanted]
    return _coverage(view, period, count, since, org.established_on,
                     lambda p: [_record(view, m) for m in mine if p.first_day() <= m.date <= p.last_day()])


def activities_each(view: View, org: Any, kind: str, period: str, count: int, *,
                    since: dt.date | None = None) -> Any:
    """Is there an activity of ``kind`` (of ``org``; ``None`` for the unit) in each of the last periods?"""
    items = view.facts.activities
    if items is OMITTED:
        return Unknown.of("activities")
    mine = [a for a in items if a.kind == kind and a.date <= view.as_of
            and (org is None or (a.org is not OMITTED and a.org == org.id))]
    established = org.established_on if org is not None else OMITTED
    cov = _coverage(view, period, count, since, established,
                    lambda p: [f"{a.kind} {a.date.isoformat()}" for a in mine
                               if p.first_day() <= a.date <= p.last_day()])
    if cov.ok is False and org is not None:
        # an activity of the kind without its org, in a period found missing, may have been this one's
        open_ = [a for a in items if a.kind == kind and a.date <= view.as_of and a.org is OMITTED
                 and any(c.status == "missing" and c.period == str(Period.containing(period, a.date))
                         for c in cov.periods)]
        if open_:
            return attrs.evolve(cov, ok=Unknown(frozenset(f"{view.path(a)}.org" for a in open_)))
    return cov


def lectures_by(view: View, member_id: Any, period: str, count: int, *, since: dt.date | None = None) -> Any:
    """Did the member give a Party lecture (a ``party_lecture`` with them as ``lecturer``) in each period?"""
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    given = [m for m in view.meetings_upto if m.kind == "party_lecture"
             and m.lecturer is not OMITTED and m.lecturer == member_id]
    unknown = [m for m in view.meetings_upto if m.kind == "party_lecture" and m.lecturer is OMITTED]

    def find(p: Period) -> list[str]:
        return [_record(view, m) for m in given if p.first_day() <= m.date <= p.last_day()]

    cov = _coverage(view, period, count, since, OMITTED, find)
    if cov.ok is False:
        # a lecture whose lecturer was not recorded may have been theirs; a missed period without such a lecture
        # is missed whoever gave them, so only when every missed period has one can the answer change
        open_in = {c.period: [m for m in unknown if str(Period.containing(period, m.date)) == c.period]
                   for c in cov.periods if c.status == "missing"}
        if all(open_in.values()):
            return attrs.evolve(cov, ok=Unknown(frozenset(f"{view.path(m)}.lecturer"
                                                          for found in open_in.values() for m in found)))
    return cov


def training_year(view: View, member: Member, *, since: dt.date | None = None) -> TrainingYear:
    """Class hours of training in the last complete calendar year, and whether the rule required them.

    Required when the member was a member on 1 January of that year and the
    rule was in force for the whole year. The hours are unknown when the year
    lies before ``records_from`` or ``training_hours`` was omitted; a year
    missing from a given ``training_hours`` inside the records means none.
    """
    year = Period.last_complete("year", min(view.as_of, view.snapshot))
    first = year.first_day()
    if since is not None and first < since:
        required: Any = False
    elif member.admitted_on is OMITTED:
        # (decide-core: an omitted admitted_on is bounded as the loader bounds it, as in derive.py)
        if member.full_on not in (OMITTED, None) and member.full_on <= first:
            required = True
        elif any(d is not OMITTED and d > first for d in (member.birth_date, member.applied_on)):
            required = False
        else:
            required = Unknown.of(f"{view.path(member)}.admitted_on")
    else:
        required = member.admitted_on <= first
    if view.records_from is None or first < view.records_from:
        hours: Any = Unknown.of("records_from")
    elif member.training_hours is OMITTED:
        hours = Unknown.of(f"{view.path(member)}.training_hours")
    else:
        got = member.training_hours.get(year.year)
        hours = 0.0 if got is None else got
    return TrainingYear(year.year, required, hours)


def dues_each(view: View, member: Member, count: int, *, since: dt.date | None = None) -> Any:
    """Were dues paid for each of the last ``count`` complete months of membership?

    Months before the member was admitted, before the rule, or before the
    records start are not required or unknown, as for meetings.
    """
    if member.dues_paid is OMITTED:
        return Unknown.of(f"{view.path(member)}.dues_paid")
    paid = set(member.dues_paid)

    def cov_from(admitted: dt.date | None) -> Coverage:
        start = since
        if admitted is not None:
            # the first whole month of membership
            joined = _first_whole_period("month", admitted)
            start = max(start, joined) if start else joined
        return _coverage(view, "month", count, start, OMITTED,
                         lambda p: [f"dues {p}"] if Month(p.year, p.index) in paid else [])
    if member.admitted_on is not OMITTED:
        return cov_from(member.admitted_on)
    from partyrules.facts.derive import between_admissions      # not a scan: shared, as _admission_bounds
    earliest_day, latest_day = _admission_bounds(view, member)
    return between_admissions(view, member, cov_from(earliest_day), cov_from(latest_day))


@attrs.frozen
class LeaderOrgLife:
    """One leader: each period, the meetings of their own organization they attended."""

    member: str
    org: Any                           # the organization they are enrolled in (None: nowhere)
    ok: Any                            # True / False / Unknown
    periods: tuple[PeriodCheck, ...]


@attrs.frozen
class LeadersOrgLife:
    """The unit's leaders and the organisational life of the organization each is enrolled in."""

    ok: Any                            # False when some leader missed a whole period
    lacking: tuple[str, ...]           # "m01 2023": a leader and a period with no meeting of their organization
    leaders: tuple[LeaderOrgLife, ...]


def _attended(view: View, member: Member, meetings: list, p: Period) -> list[str]:
    """The records of the meetings in ``p`` the member is recorded as attending (in document order)."""
    return [_record(view, m) for m in meetings if p.first_day() <= m.date <= p.last_day()
            and m.attendees is not OMITTED and member.id in m.attendees]


def _first_whole_period(kind: str, day: dt.date) -> dt.date:
    """The first day of the first whole period (month, quarter, year) that starts on or after ``day``."""
    first = Period.containing(kind, day)
    return first.first_day() if day == first.first_day() else first.next().first_day()


def _verdict(failed: bool, missing: set | frozenset) -> Any:
    """False when something definitely failed, else unknown while facts are missing, else True."""
    if failed:
        return False
    return Unknown(frozenset(missing)) if missing else True


def leaders_org_life(view: View, period: str, count: int, *, since: dt.date | None = None) -> Any:
    """Did each unit leader attend a meeting held by the organization they are enrolled in, in each period?

    The dual organisational life of leading cadres, as far as records show it:
    besides the leadership team's own meetings, each leader takes part in the
    organisational life of their own branch (any meeting it holds). Each of the
    last ``count`` complete periods is required from the rule's start, the
    leader's first whole period of membership and the organization's
    ``established_on``; periods before ``records_from`` are unknown, and so is a
    period whose only meetings have no recorded attendance. A leader enrolled
    nowhere is left to the enrolment rule (``ok`` true here).
    """
    leaders = unit_leaders(view)
    if isinstance(leaders, Unknown):
        return leaders
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    checks, lacking, missing = [], [], set()
    for mid in leaders:
        mem = view.members.get(mid)
        if mem is None:
            continue                    # references are checked on loading; nothing to judge
        if mem.org is OMITTED:
            checks.append(LeaderOrgLife(mid, None, Unknown.of(f"{view.path(mem)}.org"), ()))
            missing.add(f"{view.path(mem)}.org")
            continue
        if mem.org is None:
            checks.append(LeaderOrgLife(mid, None, True, ()))
            continue
        org = view.orgs.get(mem.org)
        mine = [m for m in view.meetings_upto if m.org == mem.org]
        start, admitted, owed_from = since, mem.admitted_on, None
        if admitted is OMITTED:
            admitted, latest = _admission_bounds(view, mem)
            owed_from = _first_whole_period(period, latest)
        if admitted is not None:
            joined = _first_whole_period(period, admitted)
            start = max(start, joined) if start else joined
        cov = _coverage(view, period, count, start, org.established_on if org is not None else OMITTED,
                        lambda p: _attended(view, mem, mine, p)[:1])    # one record settles the period
        firsts = {str(q): q.first_day() for q in _periods(view, period, count)}
        periods, gaps = list(cov.periods), set()
        for i, c in enumerate(periods):
            if c.status != "missing":
                continue
            unrecorded = [m for m in mine if str(Period.containing(period, m.date)) == c.period
                          and m.attendees is OMITTED]
            if unrecorded:
                periods[i] = PeriodCheck(c.period, "unknown", tuple(_record(view, m) for m in unrecorded))
                gaps |= {f"{view.path(m)}.attendees" for m in unrecorded}
            if owed_from is not None and firsts[c.period] < owed_from:
                gaps.add(f"{view.path(mem)}.admitted_on")
        definite = [c.period for c in periods if c.status == "missing"
                    and (owed_from is None or firsts[c.period] >= owed_from)]
        lacking.extend(f"{mid} {p}" for p in definite)
        if not gaps and any(c.status == "unrecorded" for c in periods):
            gaps.add("records_from")
            if owed_from is not None and any(firsts[c.period] < owed_from for c in periods if c.status == "unrecorded"):
                gaps.add(f"{view.path(mem)}.admitted_on")
        ok = _verdict(bool(definite), gaps)
        if isinstance(ok, Unknown):
            missing |= ok.missing
        checks.append(LeaderOrgLife(mid, mem.org, ok, tuple(periods)))
    return LeadersOrgLife(_verdict(bool(lacking), missing), tuple(lacking), tuple(checks))


@attrs.frozen
class Quorum:
    """Meetings of the last months whose attendance fell below half of those who should attend."""

    ok: Any
    below: tuple[str, ...]        # meetings below the quorum
    exactly_half: tuple[str, ...]  # meetings at exactly one half (半数以上 read as including one half)
    over_half: Any = True         # every meeting had more than half: False if one had exactly half, unknown if it may


def _full_on(view: View, mem: Member, day: dt.date) -> Any:
    """Was ``mem`` a full member (with the right to vote) on ``day``? True, False or Unknown."""
    if mem.admitted_on is not OMITTED and mem.admitted_on > day:
        return False
    if mem.full_on is None or mem.status == "probationary":
        return False
    if mem.full_on is not OMITTED:
        return mem.full_on <= day
    return Unknown.of(f"{view.path(mem)}.full_on")


def _committee_changed_after(view: View, org: Organization, day: dt.date) -> Any:
    """Was the committee re-elected, or did one of the recorded committee members take office, after ``day``?
    True, False or Unknown (the elections are omitted). The recorded committee is the snapshot's, so changes up
    to the snapshot date count, also when evaluating as of an earlier date."""
    if org.elections is OMITTED:
        return Unknown.of(f"{view.path(org)}.elections")
    if any(day < e.date <= view.snapshot for e in org.elections):
        return True
    if org.officers_took_office is not OMITTED and org.committee_members is not OMITTED:
        if any(t.member in org.committee_members and day < t.date <= view.snapshot for t in org.officers_took_office):
            return True
    return False


def quorum(view: View, org: Organization, kind: str, months: int, *, since: dt.date | None = None) -> Any:
    """Attendance at ``kind`` meetings of ``org`` held in the last ``months`` complete months.

    For ``committee_meeting`` those who should attend are the committee members
    (the committee of the snapshot: facts-v1 keeps no history of it, so a meeting
    held before a re-election, or before one of them took office, is unknown); for
    ``general_meeting`` only meetings where a vote was taken count (``voting: true``;
    with the flag omitted a meeting more than half attended passes either way, and
    one at or below half is unknown), and those who
    should attend are the members with the right to vote: full members enrolled in
    the organization on the meeting's date. 半数以上 includes one half
    (provisions.md §0, doubt 16), so exactly half passes and is listed apart.
    Members whose enrolment or standing is omitted may or may not count: a meeting
    is below the quorum only if it is for every way they could count. The window
    must lie inside the records (a meeting before ``records_from`` may be missing)
    and after the rule took effect.
    """
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    periods = _periods(view, "month", months)
    first, last = periods[0].first_day(), periods[-1].last_day()
    if since is not None and first < since:
        first = since
    missing: set[str] = set()
    if view.records_from is None or first < view.records_from:
        missing.add("records_from")
    below, half = [], []
    maybe_half: set[str] = set()          # what is missing to tell whether a meeting had exactly half
    for m in view.meetings_upto:
        if m.org != org.id or m.kind != kind or not first <= m.date <= last:
            continue
        sure: list[str] = []
        maybe: list[str] = []
        unsure: set[str] = set()          # the omitted facts that make a member's count uncertain
        vote: set[str] = set()            # the omitted voting flag: the quorum matters only if a vote was taken
        if kind == "general_meeting":
            if m.voting is False:
                continue
            if m.voting is OMITTED:
                # attendance above half settles it whether or not a vote was taken; only a meeting that
                # would be below (or at) half needs the flag
                vote = {f"{view.path(m)}.voting"}
            if view.facts.members is OMITTED:
                missing.add("members")
                continue
            for mem in view.members_by_org.get(org.id, []) + view.members_by_org.get(OMITTED, []):
                full = _full_on(view, mem, m.date)
                if full is False:
                    continue
                if mem.org is OMITTED or isinstance(full, Unknown):
                    unsure |= {f"{view.path(mem)}.org"} if mem.org is OMITTED else set()
                    unsure |= full.missing if isinstance(full, Unknown) else set()
                    maybe.append(mem.id)
                else:
                    sure.append(mem.id)
        else:
            if org.committee_members is OMITTED:
                missing.add(f"{view.path(org)}.committee_members")
                continue
            changed = _committee_changed_after(view, org, m.date)
            if changed is not False:
                # the snapshot's committee is not the one that met: facts-v1 keeps no history of it
                missing |= changed.missing if isinstance(changed, Unknown) else {
                    f"{view.path(org)}.committee_members (earlier term)"}
                continue
            sure = list(org.committee_members)
        if not sure and not maybe:
            continue
        if m.attendees is OMITTED:
            missing.add(f"{view.path(m)}.attendees")
            missing |= vote
            continue
        present = set(m.attendees)
        p0 = len(present & set(sure))
        came = len(present & set(maybe))
        stayed = len(maybe) - came
        label = _record(view, m) + f" ({p0}/{len(sure)}" + (f", {len(maybe)} unsure" if maybe else "") + ")"
        if 2 * p0 + came < len(sure):            # below however the unsure members count
            if vote:
                missing |= vote
            else:
                below.append(label)
        elif 2 * p0 < len(sure) + stayed:        # below for some way they could count: undecided
            missing |= unsure | vote
        elif not maybe and 2 * p0 == len(sure):
            if vote:
                maybe_half |= vote
            else:
                half.append(label)
        elif 2 * p0 == len(sure) + stayed:       # exactly half if every unsure member counts and those absent count
            maybe_half |= unsure | vote
    return Quorum(_verdict(bool(below), missing), tuple(below), tuple(half),
                  _verdict(bool(half), missing | maybe_half))


def changes_without_consent(view: View, org: Organization, *, since: dt.date | None = None) -> Any:
    """Dates of secretary/deputy changes during a term (on or after the rule) without the higher
    organization's consent on or before the change (organs-regs@2019 art.8 para.2)."""
    if org.secretary_changes is OMITTED:
        return Unknown.of(f"{view.path(org)}.secretary_changes")
    bad, missing = [], set()
    for i, change in enumerate(org.secretary_changes):
        if change.date > view.as_of or (since is not None and change.date < since):
            continue
        if change.consent_on is OMITTED:
            missing.add(f"{view.path(org)}.secretary_changes[{i}].consent_on")
        elif change.consent_on is None or change.consent_on > change.date or change.consent_on > view.as_of:
            bad.append(change.date.isoformat())
    if bad:
        return tuple(bad)
    return Unknown(frozenset(missing)) if missing else ()


def full_member_introducers(view: View, member: Member) -> Any:
    """How many of the member's introducers were full members on the day of admission.

    An introducer from this unit counts when their ``full_on`` is on or before
    ``admitted_on``; one from outside counts by ``full_member``. The count has
    bounds when some introducer's standing is unknown.
    """
    p = view.path(member)
    if member.introducers is OMITTED:
        return Unknown.of(f"{p}.introducers")
    if member.admitted_on is OMITTED:
        return Unknown.of(f"{p}.admitted_on")
    day = member.admitted_on

    def standing(other: Member) -> Any:           # an introducer from this unit counts by full_on alone
        if other.full_on is OMITTED:
            return Unknown.of(f"{view.path(other)}.full_on")
        return other.full_on is not None and other.full_on <= day
    return count_full(view, member.introducers, f"{p}.introducers", standing)


def count_full(view: View, records: Any, where: str, standing: Callable[[Member], Any]) -> Any:
    """How many of ``records`` (introducers, cultivation contacts: each a ``member`` id of this unit or a
    ``full_member`` flag) were full members, by ``standing`` for members; bounds when some are unknown."""
    sure, maybe, missing = 0, 0, set()
    for i, rec in enumerate(records):
        if rec.member is not OMITTED:
            other = view.members.get(rec.member)
            full = standing(other) if other is not None else False
        elif rec.full_member is OMITTED:
            full = Unknown.of(f"{where}[{i}].full_member")
        else:
            full = rec.full_member is True
        if isinstance(full, Unknown):
            maybe += 1
            missing |= full.missing
        elif full is True:
            sure += 1
    return sure if maybe == 0 else Unknown(frozenset(missing), sure, sure + maybe)


def probationary_officers(view: View, org: Organization) -> Any:
    """Officers of the organization (secretary, deputies, committee members, discipline member) who
    were not full members when they took office: they could not be elected.

    The roster is the snapshot's. An officer took office at the latest regular election or later by
    a by-election (补选, branch-regs@2018 art.21), which facts-v1 does not record. So an officer who
    is not a full member on the evaluation date proves the breach (full standing is never regained
    later than office is taken); one who was a full member on the election date was one whenever
    they took office; for the others the day they took office decides (extension field
    ``officers_took_office``), and without it the answer is unknown.
    """
    election = latest_election(view, org)
    if isinstance(election, Unknown) or election is None:
        return election
    ids: list[str] = []
    missing: set[str] = set()
    p = view.path(org)
    fields = ("secretary", "deputy_secretaries", "committee_members")
    if org.kind != "committee":       # a committee has a 机关纪委 instead of a discipline member (facts-v1)
        fields += ("discipline_member",)
    for field in fields:
        value = getattr(org, field)
        if value is OMITTED:
            missing.add(f"{p}.{field}")
        elif isinstance(value, tuple):
            ids.extend(value)
        elif value is not None:
            ids.append(value)
    took = {} if org.officers_took_office is OMITTED else {t.member: t.date for t in org.officers_took_office}
    # the roster is the snapshot's: on an earlier evaluation date it is that day's only if no election came
    # between, and an officer who joined, or took office, after that day was not an officer on it
    then = f"{p}.committee_members (earlier term)"
    if org.elections is not OMITTED and any(view.as_of < e.date <= view.snapshot for e in org.elections):
        return Unknown.of(then)
    bad = []
    for mid in dict.fromkeys(ids):
        mem = view.members[mid]
        day = took.get(mid)
        if (mem.admitted_on is not OMITTED and mem.admitted_on > view.as_of) or (day is not None and day > view.as_of):
            missing.add(then)
            continue
        now = _full_on(view, mem, view.as_of)
        if now is False:
            full: Any = False
        elif day is not None:
            full = _full_on(view, mem, day)
        else:
            full = _full_on(view, mem, election.date)
            if full is False:      # not full at the election: a later by-election may have made them officer
                full = Unknown(frozenset({f"{p}.officers_took_office"})
                               | (now.missing if isinstance(now, Unknown) else frozenset()))
        if full is False:
            bad.append(mid)
        elif isinstance(full, Unknown):
            missing |= full.missing
    if bad:
        return tuple(bad)
    return Unknown(frozenset(missing)) if missing else ()


def meetings_since(view: View, member: Member, kind: str, day: dt.date) -> Any:
    """How many ``kind`` meetings the member's own organization held from ``day`` to the evaluation date.

    Decides only on complete records: unknown when meetings are omitted or the records start after ``day``
    (a meeting before ``records_from`` may be missing), or when the member's organization is omitted;
    ``None`` for a member enrolled nowhere (there is no organization whose meetings could count).
    """
    if member.org is OMITTED:
        return Unknown.of(f"{view.path(member)}.org")
    if member.org is None:
        return None
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    if view.records_from is None or view.records_from > day:
        return Unknown.of("records_from")
    return sum(1 for m in view.meetings_upto if m.org == member.org and m.kind == kind and m.date >= day)


@attrs.frozen
class SecretaryTraining:
    """Whether a branch's secretary of the whole last complete year took part in a rotation training that year."""

    year: int
    secretary: Any                # the member id, or None / Unknown
    required: Any                 # the same secretary held the office all year, and the rule was in force all year
    trained: Any                  # True / False / Unknown
    hours: Any                    # the secretary's class hours that year (training_hours)


def secretary_training(view: View, org: Organization, *, since: dt.date | None = None) -> Any:
    """Did the secretary who held the office for the whole last complete year attend a rotation training in it?

    The office is held all year when the latest regular election (on or before the evaluation date) came before
    1 January of that year, no secretary or deputy was replaced since (``secretary_changes``), and, where
    ``officers_took_office`` lists the secretary, they took office before that day. The training is the extension
    field ``secretary_training_years``; without it, 0 class hours in the year (``training_hours``) still proves that
    no training was attended, and any hours leave it open.
    """
    year = Period.last_complete("year", min(view.as_of, view.snapshot))
    first = year.first_day()
    p = view.path(org)
    if org.secretary is OMITTED:
        return SecretaryTraining(year.year, Unknown.of(f"{p}.secretary"), Unknown.of(f"{p}.secretary"),
                                 Unknown.of(f"{p}.secretary"), Unknown.of(f"{p}.secretary"))
    if org.secretary is None or (since is not None and first < since):
        return SecretaryTraining(year.year, org.secretary, False, False, None)
    election = latest_election(view, org)
    took = {} if org.officers_took_office is OMITTED else {t.member: t.date for t in org.officers_took_office}
    # (decide-core: a conjunction, one part known false settles it, as in derive.py)
    parts = [not (org.secretary in took and took[org.secretary] > first),
             election if isinstance(election, Unknown) else (election is not None and election.date <= first),
             Unknown.of(f"{p}.secretary_changes") if org.secretary_changes is OMITTED
             else not any(first < c.date <= view.as_of for c in org.secretary_changes)]
    if any(part is False for part in parts):
        required: Any = False
    else:
        missing = frozenset().union(*(part.missing for part in parts if isinstance(part, Unknown)))
        required = Unknown(missing) if missing else True
    mem = view.members[org.secretary]
    hours = training_year(view, mem).hours
    if mem.secretary_training_years is not OMITTED:
        trained: Any = year.year in mem.secretary_training_years
    elif isinstance(hours, Unknown):
        trained = Unknown(hours.missing | {f"{view.path(mem)}.secretary_training_years"})
    elif hours == 0:
        trained = False
    else:
        trained = Unknown.of(f"{view.path(mem)}.secretary_training_years")
    return SecretaryTraining(year.year, org.secretary, required, trained, hours)


def member_by_id(view: View, member_id: Any) -> Any:
    """The member record with this id (``None`` for null; unknown when the member list was omitted)."""
    if member_id is None:
        return None
    if view.facts.members is OMITTED:
        return Unknown.of("members")
    return view.members[member_id]


def years_after(view: View, day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    return add_years(day, years)


def months_after(view: View, day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the end of a shorter month."""
    return add_months(day, months)


BUILTIN: dict[str, Derived] = {d.name: d for d in (
    Derived("full_members", full_members, ("organization",), full_members.__doc__ or ""),
    Derived("party_members", party_members, ("organization",), party_members.__doc__ or ""),
    Derived("unit_party_members", unit_party_members, (), unit_party_members.__doc__ or ""),
    Derived("unit_full_members", unit_full_members, (), unit_full_members.__doc__ or ""),
    Derived("organization_count", organization_count, ("str",), organization_count.__doc__ or ""),
    Derived("status", status, ("member",), status.__doc__ or ""),
    Derived("latest_election", latest_election, ("organization",), latest_election.__doc__ or "",
            returns="election"),
    Derived("previous_election", previous_election, ("organization",), previous_election.__doc__ or "",
            returns="election"),
    Derived("department_heads", department_heads, ("organization",), department_heads.__doc__ or ""),
    Derived("unit_leaders", unit_leaders, (), unit_leaders.__doc__ or ""),
    Derived("org_life_lapse", org_life_lapse, ("member", "int"), org_life_lapse.__doc__ or "", returns="lapse"),
    Derived("dues_lapse", dues_lapse, ("member", "int"), dues_lapse.__doc__ or "", returns="lapse"),
    Derived("meetings_each", meetings_each, ("organization", "str", "str", "int"), meetings_each.__doc__ or "",
            returns="coverage", needs_since=True),
    Derived("activities_each", activities_each, ("organization?", "str", "str", "int"),
            activities_each.__doc__ or "", returns="coverage", needs_since=True),
    Derived("lectures_by", lectures_by, ("str", "str", "int"), lectures_by.__doc__ or "", returns="coverage",
            needs_since=True),
    Derived("training_year", training_year, ("member",), training_year.__doc__ or "", returns="training",
            needs_since=True),
    Derived("leaders_org_life", leaders_org_life, ("str", "int"), leaders_org_life.__doc__ or "",
            returns="leaders_org_life", needs_since=True),
    Derived("dues_each", dues_each, ("member", "int"), dues_each.__doc__ or "", returns="coverage",
            needs_since=True),
    Derived("quorum", quorum, ("organization", "str", "int"), quorum.__doc__ or "", returns="quorum",
            needs_since=True),
    Derived("changes_without_consent", changes_without_consent, ("organization",),
            changes_without_consent.__doc__ or "", needs_since=True),
    Derived("full_member_introducers", full_member_introducers, ("member",),
            full_member_introducers.__doc__ or ""),
    Derived("secretary_training", secretary_training, ("organization",), secretary_training.__doc__ or "",
            returns="secretary_training", needs_since=True),
    Derived("meetings_since", meetings_since, ("member", "str", "date"), meetings_since.__doc__ or ""),
    Derived("member_by_id", member_by_id, ("str?",), member_by_id.__doc__ or "", returns="member"),
    Derived("probationary_officers", probationary_officers, ("organization",),
            probationary_officers.__doc__ or ""),
    Derived("years_after", years_after, ("date", "int"), years_after.__doc__ or ""),
    Derived("months_after", months_after, ("date", "int"), months_after.__doc__ or ""),
)}

# The record kinds that expressions may read fields of, for load-time checking.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": tuple(a.name for a in attrs.fields(Unit)),
    "department": tuple(a.name for a in attrs.fields(Department)),
    "organization": tuple(a.name for a in attrs.fields(Organization)),
    "member": tuple(a.name for a in attrs.fields(Member)),
    "election": tuple(a.name for a in attrs.fields(Election)),
    "lapse": tuple(a.name for a in attrs.fields(Lapse)),
    "coverage": tuple(a.name for a in attrs.fields(Coverage)),
    "training": tuple(a.name for a in attrs.fields(TrainingYear)),
    "quorum": tuple(a.name for a in attrs.fields(Quorum)),
    "leaders_org_life": tuple(a.name for a in attrs.fields(LeadersOrgLife)),
    "secretary_training": tuple(a.name for a in attrs.fields(SecretaryTraining)),
}

