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

import bisect
from typing import Any, Callable

import attrs

import datetime as dt

from ..periods import PERIOD_KINDS, Period, add_months, add_years
from .model import OMITTED, Applicant, Department, Election, Member, Organization, Unit
from .indexes import first_attended
from .view import Unknown, View


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
    """The result of looking for N consecutive empty months of a member inside the records.

    ``periods`` may be given as a :class:`Later`: it is then made when first read (see :class:`_FirstRead`).
    """

    lapsed: Any                      # True / False / Unknown
    months: tuple[str, ...]          # the window, oldest first
    periods: tuple[MonthCheck, ...]  # month by month
    since: str | None = None         # when lapsed: the first month of the whole run inside the records
    run_months: int | None = None    # when lapsed: how many months the run lasted (so far, when ongoing)
    until: str | None = None         # when lapsed: the last month of the run
    ongoing: bool | None = None      # when lapsed: the run lasts to the last complete month (not ended)


class Later(tuple):
    """``(make, *args)``: a field's value not made yet; ``make(*args)`` makes it. A tuple subclass, so that
    one costs what a tuple costs to make (no Python ``__init__``); told apart from a value by its type."""

    __slots__ = ()


class _FirstRead:
    """A slot of an attrs class whose value may be stored as a :class:`Later`: the first read makes the value
    and keeps it in the slot, so equality, hashing, ``repr``, pickling, ``attrs.fields``/``asdict`` and
    every reader see the value itself, as if it had been given. ``make`` must be pure: two threads that read
    at once may each make it, and each gets an equal value (the last one is kept)."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot          # the attrs class's own slot descriptor, where the value lives

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, cls)
        if type(value) is Later:
            value = value[0](*value[1:])
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:
        self.slot.__delete__(obj)


# the month-by-month evidence of a lapse is read only when a result is shown (most members have none and
# their results are never printed), so _lapse leaves it to be made on first read
Lapse.periods = _FirstRead(Lapse.__dict__["periods"])    # type: ignore[assignment,misc]

# Lapse's slots, set directly by _no_lapse (the names are checked here: a field added to Lapse must be added there)
if tuple(f.name for f in attrs.fields(Lapse)) != ("lapsed", "months", "periods", "since", "run_months", "until",
                                                   "ongoing") \
        or any(f.validator or f.converter for f in attrs.fields(Lapse)):
    raise TypeError("Lapse's fields changed: _no_lapse sets them one by one")
_set_lapsed, _set_months, _set_since, _set_run, _set_until, _set_ongoing = (
    Lapse.__dict__[name].__set__ for name in ("lapsed", "months", "since", "run_months", "until", "ongoing"))
_set_periods = Lapse.__dict__["periods"].slot.__set__
_new = object.__new__


def _no_lapse(months: tuple[str, ...], periods: Later) -> Lapse:
    """``Lapse(False, months, periods)``, most members' lapse (twice each), without attrs' ``__init__``: that
    sets each field through ``object.__setattr__``, and ``periods`` through its descriptor in Python, about
    as long again as the rest of a member's lapse. The same object: every slot set, nothing else to do."""
    lapse = _new(Lapse)
    _set_lapsed(lapse, False)
    _set_months(lapse, months)
    _set_periods(lapse, periods)
    _set_since(lapse, None)
    _set_run(lapse, None)
    _set_until(lapse, None)
    _set_ongoing(lapse, None)
    return lapse


def admission_bounds(view: View, member: Member) -> tuple[dt.date | None, dt.date]:
    """The earliest and the latest day an omitted ``admitted_on`` can be, as the loader holds it: not before
    ``birth_date`` or ``applied_on`` (``None``: no lower bound recorded), not after ``full_on`` or the snapshot."""
    lows = [d for d in (member.birth_date, member.applied_on) if d is not OMITTED]
    latest = view.snapshot if member.full_on in (OMITTED, None) else min(view.snapshot, member.full_on)
    return (max(lows) if lows else None), latest


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

    Heads that are not Party members (``head: null``) are left out; an omitted head makes the list unknown,
    naming every head omitted (the list is the whole of them).
    """
    known = _heads_known(view, org)
    if isinstance(known, Unknown):
        return known
    heads, omitted = known
    return Unknown(omitted) if omitted else heads


def _heads_known(view: View, org: Organization) -> tuple[tuple[str, ...], frozenset[str]] | Unknown:
    """(the recorded Party-member heads of the organization's departments, the paths of the heads omitted)."""
    if org.departments is OMITTED:
        return Unknown.of(f"{view.path(org)}.departments")
    heads, omitted = [], []
    for dep_id in org.departments:
        dep = view.departments[dep_id]
        if dep.head is OMITTED:
            omitted.append(f"{view.path(dep)}.head")
        elif dep.head is not None:
            heads.append(dep.head)
    return tuple(heads), frozenset(omitted)


def is_department_head(view: View, org: Organization, member_id: Any) -> Any:
    """Is ``member_id`` the principal Party-member head of one of the departments the organization is built on?

    A recorded head decides it whatever the omitted ones are; without one, an omitted head may be them."""
    known = _heads_known(view, org)
    if isinstance(known, Unknown):
        return known
    heads, omitted = known
    if member_id is not None and member_id in heads:
        return True
    # null (no secretary) is no department's head; an omitted head is a member id or null
    return Unknown(omitted) if omitted and member_id is not None else False


def has_party_member_head(view: View, org: Organization) -> Any:
    """Is a Party member the principal head of at least one of the departments the organization is built on?"""
    known = _heads_known(view, org)
    if isinstance(known, Unknown):
        return known
    heads, omitted = known
    return True if heads else Unknown(omitted) if omitted else False


def unit_leaders(view: View) -> Any:
    """The unit's leaders who are Party members (本单位党员负责人)."""
    unit = view.facts.unit
    if unit is OMITTED:
        return Unknown.of("unit")
    return view.get(unit, "leaders")


def _window(view: View, months: int) -> Any:
    """Every complete recorded month, oldest first, if there are at least ``months`` of them."""
    if view.records_from is None or view.window is None:
        return Unknown.of("records_from")
    recorded = view.index.window_months
    if len(recorded) < months:
        return Unknown.of("records_from")
    return recorded


def _lapse(view: View, member: Member, months: int, hits: int, make: Callable[..., tuple], *args: Any) -> Lapse:
    """Any ``months`` consecutive complete months inside the records and the membership with nothing found.

    Art.9 para.3 is triggered by any such run, not only one that is still going on: a lapse the member
    later ended is still a case the branch had to handle. The first complete run is reported (with where it
    ended); without one, a run made of empty and unrecorded months makes the answer unknown.

    With ``admitted_on`` omitted the admission lies between ``birth_date``/``applied_on`` and ``full_on`` (or
    the snapshot), as the loader holds it. A month counts for every admission in that range when it began on or
    after the latest one, and for none when it began before the earliest one, so a run of surely empty months
    after the latest admission is a lapse whatever the admission was, and months before the earliest break a
    run; only a run that needs the months between is unknown, naming ``admitted_on``.

    ``hits``: in how many months of the window the records found something. ``make(*args)`` gives
    ``(found, other, record)``: ``found[i]`` says whether the records settle the i-th
    month of the window (something was found); ``other(month)`` says what they show for any other month, False
    or Unknown; ``record(i, month)`` names the record behind the i-th month. Months are numbers,
    ``year * 12 + month``. ``make`` must not keep the view or its indexes alive: a result may read it after
    the view is gone.
    """
    recorded = _window(view, months)
    if isinstance(recorded, Unknown):
        return Lapse(recorded, (), ())
    index = view.index
    labels = index.window_labels
    ordinals = index.window_ordinals
    # most members miss fewer months than a run needs: then nothing can have lapsed, and only the last
    # ``months`` months are shown, made when the result is read (most never are), with the month-by-month
    # facts behind them; ``hits`` alone settles it, so nothing is made per month here (this runs per member)
    if _too_few_missed(months, len(ordinals), hits):
        return _no_lapse(index.last_labels(months), Later((_last_months, labels, ordinals, months, make, *args)))
    found, other, record = make(*args)
    # a month counts only when the member belonged for all of it: from the first month that began on or
    # after admission (the months' first days are in order), or every month when admission is unknown
    member_from = None if member.admitted_on is OMITTED else member.admitted_on
    start = 0 if member_from is None else bisect.bisect_left(index.window_firsts, member_from)
    # (bytes(n) is n zero bytes: a run of n months not found; any other kind of number takes the search)
    if type(months) is not int or months < 1 or bytes(months) in bytes(found[start:]):
        return _lapse_runs(view, member, months, found, other, record)
    return _no_lapse(index.last_labels(months), Later((_last_months, labels, ordinals, months, make, *args)))


def _too_few_missed(months: Any, window: int, hits: int) -> bool:
    """Whether a window of ``window`` months with something found in ``hits`` of them leaves too few months for
    a run of ``months`` (a whole number of at least one; any other kind of number takes :func:`_lapse`'s
    search): :func:`_lapse` then answers from the window alone, whoever the member is."""
    return type(months) is int and months >= 1 and window - hits < months


def _last_months(labels: tuple[str, ...], ordinals: tuple[int, ...], months: int, make: Callable[..., tuple],
                 *args: Any) -> tuple[MonthCheck, ...]:
    """The last ``months`` months of the window, month by month (the arguments as :func:`_lapse` has them).

    Made when a result is first read, maybe after the view is gone: neither this nor ``make`` and ``args``
    may read the view or keep its indexes alive (so each MonthCheck is made here, not shared on the view)."""
    found, other, record = make(*args)
    return tuple(MonthCheck(labels[i], True if found[i] else other(ordinals[i]), record(i, ordinals[i]))
                 for i in range(len(ordinals) - months, len(ordinals)))


def _lapse_runs(view: View, member: Member, months: int, found: Any, other: Callable[[int], Any],
                record: Callable[[int, int], str | None]) -> Lapse:
    """:func:`_lapse` for a member with a run of ``months`` months without a record: month by month."""
    index = view.index
    labels = index.window_labels
    ordinals = index.window_ordinals
    found_in = [True if got else other(month) for got, month in zip(found, ordinals)]
    if member.admitted_on is not OMITTED:
        belongs: list[Any] = [member.admitted_on <= first for first in index.window_firsts]
    else:
        # the admission lies between the latest of birth_date and applied_on and the earliest of full_on and
        # the snapshot (load.py): a month begun on or after the latest admission is inside for every admission,
        # one begun before the earliest for none, and only those between depend on it
        earliest, latest = admission_bounds(view, member)
        maybe = Unknown.of(f"{view.path(member)}.admitted_on")
        belongs = [True if latest <= first else False if earliest is not None and first < earliest else maybe
                   for first in index.window_firsts]

    # runs of months that are surely empty (False) or may be (Unknown), split where the member was not yet admitted
    sure_run: list[int] = []
    maybe_run: list[int] = []
    missing: set[str] = set()
    found_sure: tuple[int, int] | None = None
    for i, got in enumerate(found_in):
        inside = belongs[i]
        if got is True or inside is False:
            if maybe_run:
                sure_run, maybe_run = [], []
            continue
        maybe_run.append(i)
        if got is False and inside is True:
            sure_run.append(i)
        else:
            sure_run = []
        if len(sure_run) >= months and found_sure is None:
            found_sure = (sure_run[0], sure_run[0])
        if found_sure is not None and sure_run and sure_run[0] == found_sure[0]:
            found_sure = (sure_run[0], i)
        if len(maybe_run) >= months and found_sure is None:
            for j in maybe_run[-months:]:
                f = found_in[j]
                if isinstance(f, Unknown):
                    missing |= f.missing
                inside_j = belongs[j]
                if isinstance(inside_j, Unknown):
                    missing |= inside_j.missing
    shared = index.shared
    positions = range(len(found_in))
    if found_sure is None:
        lapsed: Any = Unknown(frozenset(missing)) if missing else False
        return Lapse(lapsed, tuple(labels[-months:]),
                     tuple(shared(MonthCheck, labels[i], found_in[i], record(i, ordinals[i]))
                           for i in positions[-months:]))
    first, last = found_sure
    run = positions[first:last + 1]
    shown = run[-months:]      # the last N months of the run, month by month; the whole run is since … until
    return Lapse(True, tuple(labels[i] for i in shown),
                 tuple(shared(MonthCheck, labels[i], found_in[i], record(i, ordinals[i])) for i in shown),
                 labels[run[0]], len(run), labels[run[-1]], last == len(found_in) - 1)


def org_life_lapse(view: View, member: Member, months: int) -> Lapse:
    """Did the member take part in no organisational life in each of the last ``months`` complete months?

    Taking part = being among the attendees of any meeting (facts-v1). A
    meeting whose attendance was not recorded may have been attended by the
    members enrolled in its organization (and by its committee members), so it
    makes that month unknown for them rather than empty.
    """
    if view.facts.meetings is OMITTED:
        return Lapse(Unknown.of("meetings"), (), ())
    index = view.index
    # what the month-by-month facts are made from: no index itself (record, the meeting names, and the
    # tables may outlive the view: _last_months)
    return _lapse(view, member, months, index.months_attended(member.id), _org_life_months, member,
                  index.attended_in_window, index.window_meetings, index.unrecorded, index.attendance_unknown,
                  index.record)


def _org_life_months(member: Member, attended: tuple[frozenset, ...], meetings: tuple[tuple, ...],
                     unrecorded: dict, unknown: Callable[[Any], Unknown],
                     name: Callable[[Any], str]) -> tuple[list[bool], Callable, Callable]:
    """``(found, other, record)`` of :func:`_lapse` for organisational life: for each month of the window,
    who attended any of its meetings (``attended``), its meetings (date order), and those of each month
    whose attendance was not recorded."""
    mid = member.id

    def unrecorded_in(month: int) -> Any:
        open_ = unrecorded.get(month)
        maybe = open_.first_for(member) if open_ is not None else None
        return False if maybe is None else unknown(maybe)

    # any meeting of the month they attended settles it; else the first unrecorded one they could have attended
    def record(i: int, month: int) -> str | None:
        mt = first_attended(meetings[i], mid) if mid in attended[i] else None
        if mt is None:
            open_ = unrecorded.get(month)
            mt = open_.first_for(member) if open_ is not None else None
        return None if mt is None else name(mt)

    return [mid in first for first in attended], unrecorded_in, record


def dues_lapse(view: View, member: Member, months: int) -> Lapse:
    """Were dues paid for none of the last ``months`` complete months?"""
    if member.dues_paid is OMITTED:
        return Lapse(Unknown.of(f"{view.path(member)}.dues_paid"), (), ())
    index = view.index
    paid = index.dues_months(member)
    hits = len(index.window_set.intersection(paid))
    # too few months missed for a run: _lapse answers from the months paid and the window alone, not from
    # who the member is, so members who paid for the same months (one set: dues_months) share it
    key = ("dues_lapse", id(paid), months) if _too_few_missed(months, len(index.window_ordinals), hits) else None
    kept = index.shared_value(key) if key is not None else None
    if kept is not None and kept[0] is paid:    # the set is kept with it: its id stays its own
        return kept[1]
    lapse = _lapse(view, member, months, hits, _dues_months, paid, index.window_labels, index.window_ordinals)
    if key is not None and kept is None:
        index.keep_shared(key, (paid, lapse))
    return lapse


def _dues_months(paid: set[int], labels: tuple[str, ...],
                 ordinals: tuple[int, ...]) -> tuple[list[bool], Callable, Callable]:
    """``(found, other, record)`` of :func:`_lapse` for dues: ``paid`` holds the months paid for."""

    def record(i: int, month: int) -> str | None:
        return f"dues {labels[i]}" if month in paid else None

    return [n in paid for n in ordinals], _nothing_found, record


def _nothing_found(month: int) -> bool:
    return False


def _entries(index: dict, key: Any) -> list:
    """``index[key]``, or nothing: a key that cannot be hashed equals no recorded value (as a scan found)."""
    try:
        return index.get(key, [])
    except TypeError:
        return []


def _record(view: View, meeting: Any) -> str:
    return view.index.record(meeting)


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


def _check_periods(kind: str, count: int) -> None:
    if kind not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}, got {kind!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 240:
        raise ValueError(f"the number of periods must be a whole number from 1 to 240, got {count!r}")


def _periods(view: View, kind: str, count: int) -> list[Period]:
    _check_periods(kind, count)
    return [p for p, _, _, _ in view.index.periods(kind, count)]


def _coverage(view: View, kind: str, count: int, since: dt.date | None, established: Any,
              find: Callable[[Period], list[str]], at_least: int = 1, share: bool = True) -> Coverage:
    """Judge each of the last ``count`` complete periods (see :class:`PeriodCheck`).

    With ``share`` (the built-in facts, whose records are texts), equal period checks are one object on the
    view (:meth:`~.indexes.Indexes.shared`): most members and organizations have the same ones."""
    _check_periods(kind, count)
    make = view.index.shared if share else _make
    checks = []
    records_from = view.records_from
    if established is OMITTED:
        established = None
    for p, label, first, _ in view.index.periods(kind, count):
        if since is not None and first < since:
            checks.append(make(PeriodCheck, label, "not_required"))
        elif established is not None and first < established:
            checks.append(make(PeriodCheck, label, "not_required"))
        elif records_from is None or first < records_from:
            checks.append(make(PeriodCheck, label, "unrecorded"))
        else:
            found = find(p)
            checks.append(make(PeriodCheck, label, "found" if len(found) >= at_least else "missing", tuple(found)))
    missed = tuple([c.period for c in checks if c.status == "missing"])
    if missed:
        ok: Any = False
    elif any(c.status == "unrecorded" for c in checks):
        ok = Unknown.of("records_from")
    else:
        ok = True
    return Coverage(ok, tuple(checks), missed)


def _make(cls: type, *fields: Any) -> Any:
    return cls(*fields)


def period_coverage(view: View, kind: str, count: int, since: dt.date | None, established: Any,
                    find: Callable[[Period], list[str]], at_least: int = 1) -> Coverage:
    """Judge each of the last ``count`` complete periods (see :class:`PeriodCheck`): public, for a pack's
    derived facts (rulebook/packs.py). Its records are whatever ``find`` gives, so its checks are its own."""
    return _coverage(view, kind, count, since, established, find, at_least, share=False)


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
    _check_periods(period, count)          # before the meetings are grouped by period
    index = view.index
    mine = (index.meetings_of_kind(org.id, wanted[0]) if len(wanted) == 1
            else [m for m in index.meetings_of(org.id) if m.kind in wanted])
    by_period = _by_period(period, mine)
    name = index.record
    return _coverage(view, period, count, since, org.established_on,
                     lambda p: [name(m) for m in by_period.get((p.year, p.index), ())])


def _period_key(kind: str, day: dt.date) -> tuple[int, int]:
    """``(year, index)`` of the period of ``kind`` containing ``day`` (as :meth:`Period.containing`)."""
    if kind == "month":
        return day.year, day.month
    if kind == "quarter":
        return day.year, (day.month - 1) // 3 + 1
    return day.year, 1


def _by_period(kind: str, items: list) -> dict:
    """``items`` (with a ``date``) grouped by the period of ``kind`` their day falls in, each in the items' order.

    Items, not their labels: only the last few periods are judged, and a label is made only for an item in one
    of them (three years of monthly meetings were all labelled for a check of the last quarter)."""
    out: dict[tuple[int, int], list] = {}
    for item in items:
        out.setdefault(_period_key(kind, item.date), []).append(item)
    return out


def activities_each(view: View, org: Any, kind: str, period: str, count: int, *,
                    since: dt.date | None = None) -> Any:
    """Is there an activity of ``kind`` (of ``org``; ``None`` for the unit) in each of the last periods?

    An activity whose ``org`` was omitted may have been this organization's: in a period with none of its
    own it makes the answer unknown (naming that ``org``) rather than missing, as a lecture without its
    lecturer does in :func:`lectures_by`.
    """
    items = view.facts.activities
    if items is OMITTED:
        return Unknown.of("activities")
    _check_periods(period, count)          # before the activities are grouped by period
    of_kind = _entries(view.index.activities_by_kind, kind)
    mine = [a for a in of_kind if org is None or (a.org is not OMITTED and a.org == org.id)]
    established = org.established_on if org is not None else OMITTED
    by_period = _by_period(period, mine)
    cov = _coverage(view, period, count, since, established,
                    lambda p: [f"{a.kind} {a.date.isoformat()}" for a in by_period.get((p.year, p.index), ())])
    if cov.ok is False and org is not None:
        missing = {c.period for c in cov.periods if c.status == "missing"}
        open_ = [a for a in of_kind if a.org is OMITTED and str(Period.containing(period, a.date)) in missing]
        if open_:
            return attrs.evolve(cov, ok=Unknown(frozenset(f"{view.path(a)}.org" for a in open_)))
    return cov


def lectures_by(view: View, member_id: Any, period: str, count: int, *, since: dt.date | None = None) -> Any:
    """Did the member give a Party lecture (a ``party_lecture`` with them as ``lecturer``) in each period?"""
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    by_lecturer, unknown = view.index.lectures
    given = _entries(by_lecturer, member_id)

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

    With ``admitted_on`` omitted, ``required`` is still decided where the
    loader bounds the admission (:func:`admission_bounds`): it is never after
    ``full_on`` or the snapshot, so either on or before 1 January proves the
    member was one then; and never before ``birth_date`` or ``applied_on``, so
    either of them after 1 January proves they were not. Between the bounds either answer is
    possible, and ``required`` stays unknown, naming ``admitted_on``.
    """
    year = view.index.last_year
    first = year.first_day()
    if since is not None and first < since:
        required: Any = False
    elif member.admitted_on is OMITTED:
        earliest, latest = admission_bounds(view, member)
        if latest <= first:
            required = True                 # admitted on or before 1 January whatever the day
        elif earliest is not None and earliest > first:
            required = False                # admitted after 1 January whatever the day
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

    With ``admitted_on`` omitted the admission lies between ``birth_date`` and
    ``applied_on`` (the earliest) and ``full_on`` or the snapshot (the latest),
    as the loader holds it; the months owed for a later admission are a suffix
    of those owed for an earlier one, so the answer is decided when the
    earliest and the latest admission agree: a month missed even when owed
    from the latest admission is missed whatever it was (violated, listing
    those months), and every month paid from the earliest admission is paid
    whatever it was. Otherwise unknown, naming ``admitted_on`` (and what the
    earliest admission leaves unknown).
    """
    if member.dues_paid is OMITTED:
        return Unknown.of(f"{view.path(member)}.dues_paid")
    _check_periods("month", count)
    paid = view.index.dues_months(member)
    if member.admitted_on is not OMITTED:
        return _dues_coverage(view, paid, count, since, member.admitted_on)
    earliest_day, latest_day = admission_bounds(view, member)
    earliest = _dues_coverage(view, paid, count, since, earliest_day)
    if earliest.ok is True:
        return earliest
    return between_admissions(view, member, earliest, _dues_coverage(view, paid, count, since, latest_day))


def between_admissions(view: View, member: Member, earliest: Coverage, latest: Coverage) -> Coverage:
    """The coverage of a member whose ``admitted_on`` is omitted, from the coverages owed from the earliest and
    from the latest day it can be (:func:`admission_bounds`), when a later admission owes a suffix of what an
    earlier one owes: all met from the earliest is met whatever the day, one missed from the latest is missed
    whatever it; otherwise unknown, naming ``admitted_on`` beside what the earliest leaves unknown."""
    if earliest.ok is True:
        return earliest
    if latest.ok is False:
        return latest
    if isinstance(earliest.ok, Unknown) and isinstance(latest.ok, Unknown):
        return earliest
    missing = earliest.ok.missing if isinstance(earliest.ok, Unknown) else frozenset()
    return attrs.evolve(earliest, ok=Unknown(missing | {f"{view.path(member)}.admitted_on"}))


def _dues_coverage(view: View, paid: Any, count: int, since: dt.date | None, admitted: dt.date | None) -> Coverage:
    """The dues coverage of a member admitted on ``admitted`` (``None``: before every month) who paid ``paid``."""
    start = since
    if admitted is not None:
        # the first whole month of membership
        joined = _first_whole_period("month", admitted)
        start = max(start, joined) if start else joined
    index = view.index
    firsts, numbers = index.period_firsts("month", count), index.month_numbers(count)
    # the coverage depends on nothing else than which months are required (those that begin on or after
    # start: a prefix of the periods is not) and which of the others were paid: members alike share one
    skip = 0 if start is None else bisect.bisect_left(firsts, start)
    key = ("dues_each", count, skip, tuple([n in paid for n in numbers[skip:]]))
    cov = index.shared_value(key)
    if cov is None:
        cov = index.keep_shared(key, _coverage(view, "month", count, start, OMITTED, lambda p: [
            f"dues {p.year:04d}-{p.index:02d}"] if p.year * 12 + p.index in paid else []))
    return cov


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

    With a leader's ``admitted_on`` omitted the admission lies between
    ``birth_date``/``applied_on`` and ``full_on`` (or the snapshot), as the
    loader holds it. A period is owed for every admission in that range when
    it begins on or after the first whole period after the latest one, and for
    none when it begins before the first whole period after the earliest one;
    a period without a meeting attended is lacking in the first case, not
    required in the second, and unknown (naming ``admitted_on``) only between.
    """
    leaders = unit_leaders(view)
    if isinstance(leaders, Unknown):
        return leaders
    if view.facts.meetings is OMITTED:
        return Unknown.of("meetings")
    checks, lacking, missing = [], [], set()
    _check_periods(period, count)
    firsts = {label: first for _, label, first, _ in view.index.periods(period, count)}
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
        mine = view.index.meetings_of(mem.org)
        start, admitted, owed_from = since, mem.admitted_on, None
        if admitted is OMITTED:         # the earliest and the latest admission the loader allows
            admitted, latest = admission_bounds(view, mem)
            owed_from = _first_whole_period(period, latest)
        if admitted is not None:
            joined = _first_whole_period(period, admitted)
            start = max(start, joined) if start else joined
        cov = _coverage(view, period, count, start, org.established_on if org is not None else OMITTED,
                        lambda p: _attended(view, mem, mine, p)[:1])    # one record settles the period
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
                gaps.add(f"{view.path(mem)}.admitted_on")       # a later admission owes no such period
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


full_member_on = _full_on       # public: the development facts count with it (derive_devt.py)


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


def _voters(view: View, org: Organization) -> tuple[tuple[dt.date, ...], tuple[str, ...], tuple[Member, ...]]:
    """Who may vote at a general meeting of ``org``, made once per view and organization: (days, ids) of the
    enrolled members whose right to vote (:func:`_full_on`) begins on a known day, in the order of those
    days, and the members :func:`_full_on` must judge meeting by meeting (enrolment or ``full_on`` omitted).
    Those who never have it (probationary, or ``full_on`` null) are left out."""
    key = ("quorum voters", org.id)
    found = view.index.shared_value(key)
    if found is not None:
        return found
    known: list[tuple[dt.date, str]] = []
    others: list[Member] = []
    for mem in view.members_by_org.get(org.id, []):
        if mem.full_on is None or mem.status == "probationary":
            continue
        if mem.full_on is OMITTED:
            others.append(mem)
        elif mem.admitted_on is OMITTED:
            known.append((mem.full_on, mem.id))
        else:       # full from the later of admission and full_on (_full_on tests both)
            known.append((max(mem.admitted_on, mem.full_on), mem.id))
    others.extend(view.members_by_org.get(OMITTED, []))
    known.sort(key=lambda k: k[0])
    voters = (tuple(day for day, _ in known), tuple(mid for _, mid in known), tuple(others))
    return view.index.keep_shared(key, voters)


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
    for m in _entries(view.index.meetings_by_org_kind, (org.id, kind)):
        if not first <= m.date <= last:
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
            thresholds, ids, others = _voters(view, org)
            # those whose right to vote began on or before the meeting (thresholds are in order)
            sure = list(ids[:bisect.bisect_right(thresholds, m.date)])
            for mem in others:
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
    return sum(1 for m in view.index.meetings_of(member.org) if m.kind == kind and m.date >= day)


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

    ``required`` is a conjunction of those conditions, so one of them known to fail settles it whatever the
    omitted ones say: a secretary listed in ``officers_took_office`` as taking office after 1 January, or a
    recorded change of secretary or deputy during the year, means the office was not held all year even with
    the elections omitted, and an election during the year (or none) even with ``secretary_changes`` omitted.
    """
    year = view.index.last_year
    first = year.first_day()
    p = view.path(org)
    if org.secretary is OMITTED:
        return SecretaryTraining(year.year, Unknown.of(f"{p}.secretary"), Unknown.of(f"{p}.secretary"),
                                 Unknown.of(f"{p}.secretary"), Unknown.of(f"{p}.secretary"))
    if org.secretary is None or (since is not None and first < since):
        return SecretaryTraining(year.year, org.secretary, False, False, None)
    # required is a conjunction: one part known false settles it, whatever the omitted parts say
    took = {} if org.officers_took_office is OMITTED else {t.member: t.date for t in org.officers_took_office}
    election = latest_election(view, org)
    changes = org.secretary_changes
    if ((org.secretary in took and took[org.secretary] > first)
            or (not isinstance(election, Unknown) and (election is None or election.date > first))
            or (changes is not OMITTED and any(first < c.date <= view.as_of for c in changes))):
        required: Any = False
    else:
        missing = set(election.missing) if isinstance(election, Unknown) else set()
        if changes is OMITTED:
            missing.add(f"{p}.secretary_changes")
        required = Unknown(frozenset(missing)) if missing else True
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


def full_member_for_years(view: View, member: Member, years: int, day: dt.date) -> Any:
    """Had the member been a full member for at least ``years`` years (党龄) on ``day``? True, False or Unknown.

    Party standing runs from ``full_on`` (``null``: none). With ``full_on`` omitted it is still decided where
    the loader bounds the conversion: a member recorded as probationary has none (``full_on`` can then only be
    null, a later date being after ``as_of``), and the conversion is never before ``admitted_on``,
    ``birth_date`` or ``applied_on``, so ``years`` after the latest of them falling after ``day`` proves too
    short a standing. A standing long enough is never proven without ``full_on``.
    """
    full_on = member.full_on
    if full_on is None:
        return False
    if full_on is not OMITTED:
        return add_years(full_on, years) <= day
    if member.status == "probationary":
        return False
    lows = [d for d in (member.admitted_on, member.birth_date, member.applied_on) if d is not OMITTED]
    if lows and add_years(max(lows), years) > day:
        return False
    return Unknown.of(f"{view.path(member)}.full_on")


def years_after(view: View, day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    return add_years(day, years)


def months_after(view: View, day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the end of a shorter month."""
    return add_months(day, months)


# the core derived facts; facts/builtin.py gathers them with the development and dues facts
DERIVED: tuple[Derived, ...] = (
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
    Derived("is_department_head", is_department_head, ("organization", "str?"), is_department_head.__doc__ or ""),
    Derived("has_party_member_head", has_party_member_head, ("organization",), has_party_member_head.__doc__ or ""),
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
    Derived("full_member_for_years", full_member_for_years, ("member", "int", "date"),
            full_member_for_years.__doc__ or ""),
    Derived("years_after", years_after, ("date", "int"), years_after.__doc__ or ""),
    Derived("months_after", months_after, ("date", "int"), months_after.__doc__ or ""),
)

# The record kinds that expressions may read fields of, for load-time checking.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": tuple(a.name for a in attrs.fields(Unit)),
    "department": tuple(a.name for a in attrs.fields(Department)),
    "organization": tuple(a.name for a in attrs.fields(Organization)),
    "member": tuple(a.name for a in attrs.fields(Member)),
    "applicant": tuple(a.name for a in attrs.fields(Applicant)),
    "election": tuple(a.name for a in attrs.fields(Election)),
    "lapse": tuple(a.name for a in attrs.fields(Lapse)),
    "coverage": tuple(a.name for a in attrs.fields(Coverage)),
    "training": tuple(a.name for a in attrs.fields(TrainingYear)),
    "quorum": tuple(a.name for a in attrs.fields(Quorum)),
    "leaders_org_life": tuple(a.name for a in attrs.fields(LeadersOrgLife)),
    "secretary_training": tuple(a.name for a in attrs.fields(SecretaryTraining)),
}
