"""Indexes over one :class:`~partyrules.facts.view.View`, built once, so that a derived fact asked for each
member or organization reads a few dictionary entries instead of scanning every meeting of the court.

The derived facts used to scan the meetings (or the months of the window) on every call: asked once per
member, the cost of a check grew with members × meetings. Each index here is built on first use and kept on
the view (``view.index``); the view is immutable, so the indexes never go stale. Every index is computed
whole and only then stored (``cached_property``), so threads that read one view at once can at worst build
an index twice, never see half of one.
"""

from __future__ import annotations

import weakref
from collections import Counter
from itertools import chain
from functools import cached_property
import datetime as dt
from typing import Any, Protocol

from ..periods import Month, Period
from .model import OMITTED, FactDocument, Meeting, Member, RecordPaths
from .unknown import Unknown


class View(Protocol):
    """What the indexes read of the view that makes them (facts/view.py), said here so that this module
    need not import the view, which imports it."""

    facts: FactDocument
    as_of: dt.date
    snapshot: dt.date
    paths: RecordPaths

    @property
    def window(self) -> tuple[Month, Month] | None: ...
    @property
    def orgs(self) -> dict[str, Any]: ...
    @property
    def meetings_upto(self) -> list[Meeting]: ...
    @property
    def meetings_by_month(self) -> Any: ...
    @property
    def index(self) -> "Indexes": ...

    def path(self, entity: Any) -> str: ...


class OpenMeetings:
    """The meetings of one month whose attendance was not recorded, in date order, and for each kind of
    member that could have attended the first one they could have (positions in that order)."""

    __slots__ = ("meetings", "anyone", "by_org", "by_committee")

    def __init__(self, view: View, meetings: list[Meeting]) -> None:
        self.meetings = meetings
        self.anyone: int | None = None             # an organization not listed, or whose committee is omitted
        self.by_org: dict[str, int] = {}           # members enrolled in the meeting's organization
        self.by_committee: dict[str, int] = {}     # members of its committee
        for i, mt in enumerate(meetings):
            self.by_org.setdefault(mt.org, i)
            org = view.orgs.get(mt.org)
            if org is None or org.committee_members is OMITTED:
                if self.anyone is None:
                    self.anyone = i
            else:
                for mid in org.committee_members:
                    self.by_committee.setdefault(mid, i)

    def first_for(self, member: Member) -> Meeting | None:
        """The first of these meetings ``member`` may have attended (org_life_lapse's rule), or ``None``."""
        if member.org is OMITTED:
            return self.meetings[0]
        best = self.anyone
        for i in (self.by_org.get(member.org), self.by_committee.get(member.id)):
            if i is not None and (best is None or i < best):
                best = i
        return None if best is None else self.meetings[best]


def first_attended(meetings: tuple[Meeting, ...], member_id: str) -> Meeting | None:
    """The first of ``meetings`` (one month's with attendance recorded, in date order, as
    :attr:`Indexes.window_meetings` has them) that ``member_id`` attended, or ``None``."""
    for mt in meetings:
        if member_id in mt.attendees:
            return mt
    return None


class MeetingNames:
    """How results name meetings (``id kind date``; the path when there is no id), each name made when first
    asked for: results name a few of the meetings.

    Apart from :class:`Indexes`, and reading the view's paths, not the view: a lapse's months are named when
    its result is first read, maybe after the view is gone (derive.Lapse), and what it keeps for that should
    not keep the view's indexes (nor their proxy of the dead view) alive."""

    __slots__ = ("_paths", "_made")

    def __init__(self, paths: RecordPaths) -> None:
        self._paths = paths             # the view's own (View.path), which it may still add to
        self._made: dict[int, tuple[Meeting, str]] = {}

    def record(self, meeting: Meeting) -> str:
        found = self._made.get(id(meeting))
        if found is None or found[0] is not meeting:
            label = meeting.id if meeting.id is not OMITTED else self._paths.path(meeting)   # as View.path
            # the meeting is kept with its name: its id stays its own while the entry lives
            found = self._made[id(meeting)] = (meeting, f"{label} {meeting.kind} {meeting.date.isoformat()}")
        return found[1]


class AttendanceUnknowns:
    """For a meeting whose attendance was not recorded, the Unknown naming it (``….attendees``), made when
    first asked for and then the same object on this view: only a lapse that may have happened asks, or a
    result's months when read (most checks name none of a court's unrecorded meetings).

    Apart from :class:`Indexes` and reading the view's paths, not the view, as :class:`MeetingNames`: a
    lapse's months may be made after the view is gone."""

    __slots__ = ("_paths", "_made")

    def __init__(self, paths: RecordPaths) -> None:
        self._paths = paths
        self._made: dict[int, tuple[Meeting, Unknown]] = {}

    def __call__(self, meeting: Meeting) -> Unknown:
        found = self._made.get(id(meeting))
        if found is None or found[0] is not meeting:
            # the meeting is kept with its unknown: its id stays its own while the entry lives
            found = self._made[id(meeting)] = (meeting, Unknown.of(f"{self._paths.path(meeting)}.attendees"))
        return found[1]


class Indexes:
    """What the derived facts look up, built from one view on first use."""

    def __init__(self, view: View) -> None:
        # a proxy, not the view itself: the view holds its indexes, and a cycle would keep a whole
        # document's view alive until the garbage collector next looks for cycles
        self._view = weakref.proxy(view)
        self.names = MeetingNames(view.paths)
        self.record = self.names.record      # how results name a meeting: made when first asked for

    # ---- meetings -----------------------------------------------------------------------------------
    @cached_property
    def meetings_by_org(self) -> dict[str, list[Meeting]]:
        """Meetings up to the evaluation date by organization id, in document order."""
        out: dict[str, list[Meeting]] = {}
        for m in self._view.meetings_upto:
            out.setdefault(m.org, []).append(m)
        return out

    def meetings_of(self, org_id: Any) -> list[Meeting]:
        return self.meetings_by_org.get(org_id, [])

    @cached_property
    def meetings_by_org_kind(self) -> dict[tuple[Any, Any], list[Meeting]]:
        """Meetings up to the evaluation date by (organization id, kind), in document order."""
        out: dict[tuple[Any, Any], list[Meeting]] = {}
        for m in self._view.meetings_upto:
            out.setdefault((m.org, m.kind), []).append(m)
        return out

    def meetings_of_kind(self, org_id: Any, kind: str) -> list[Meeting]:
        return self.meetings_by_org_kind.get((org_id, kind), [])

    @cached_property
    def lectures(self) -> tuple[dict[Any, list[Meeting]], list[Meeting]]:
        """Party lectures up to the evaluation date by lecturer (document order), and those whose lecturer
        was omitted."""
        given: dict[Any, list[Meeting]] = {}
        unknown: list[Meeting] = []
        for m in self._view.meetings_upto:
            if m.kind != "party_lecture":
                continue
            if m.lecturer is OMITTED:
                unknown.append(m)
            else:
                given.setdefault(m.lecturer, []).append(m)
        return given, unknown

    @cached_property
    def attendance_unknown(self) -> "AttendanceUnknowns":
        """``attendance_unknown(meeting)``: for a meeting without recorded attendance, the Unknown naming it."""
        return AttendanceUnknowns(self._view.paths)

    @cached_property
    def window_meetings(self) -> tuple[tuple[Meeting, ...], ...]:
        """For each month of :attr:`window_months`, in order: its meetings whose attendance was recorded, in
        date order (org_life_lapse reads no other month)."""
        by_month = self._view.meetings_by_month
        return tuple(tuple(mt for mt in by_month.get(month, ()) if mt.attendees is not OMITTED)
                     for month in self.window_months)

    @cached_property
    def attended_in_window(self) -> tuple[frozenset, ...]:
        """For each month of :attr:`window_months`, in order: the ids of those who attended any of its
        meetings. A set, not each one's first meeting (:func:`first_attended`): only the months a result
        shows need that, and a dictionary of it cost three times the set for every view."""
        return tuple(frozenset().union(*[mt.attendees for mt in meetings]) for meetings in self.window_meetings)

    @cached_property
    def _months_attended(self) -> dict[str, int]:
        """For each member id, :meth:`months_attended`: counted from the months missed, since most members
        attend most months and the ids not in each month's set are few."""
        ids = frozenset(self._view.members)
        missed = Counter(chain.from_iterable(ids.difference(got) for got in self.attended_in_window))
        months = len(self.attended_in_window)
        return {mid: months - missed.get(mid, 0) for mid in ids}

    def months_attended(self, member_id: Any) -> int:
        """In how many months of :attr:`window_months` ``member_id`` attended a meeting (a member who missed
        fewer months than a lapse needs cannot have lapsed, whatever the months)."""
        found = self._months_attended.get(member_id)
        return sum(member_id in got for got in self.attended_in_window) if found is None else found

    @cached_property
    def unrecorded(self) -> dict[int, OpenMeetings]:
        """By month number, the meetings whose attendance was not recorded (only months that have some)."""
        view = self._view
        out: dict[int, OpenMeetings] = {}
        for month, meetings in view.meetings_by_month.items():
            open_ = [mt for mt in meetings if mt.attendees is OMITTED]
            if open_:
                out[month.year * 12 + month.month] = OpenMeetings(view, open_)
        return out

    # ---- activities ---------------------------------------------------------------------------------
    @cached_property
    def activities_by_kind(self) -> dict[str, list[Any]]:
        """Activities up to the evaluation date by kind, in document order (empty when omitted)."""
        view = self._view
        items = view.facts.activities
        out: dict[str, list[Any]] = {}
        if items is not OMITTED:
            for a in items:
                if a.date <= view.as_of:
                    out.setdefault(a.kind, []).append(a)
        return out

    # ---- periods ------------------------------------------------------------------------------------
    @cached_property
    def window_months(self) -> tuple[Month, ...]:
        """Every complete, fully recorded month, oldest first (empty when there is none)."""
        win = self._view.window
        if win is None:
            return ()
        return tuple(win[0] + i for i in range((win[1] - win[0]) + 1))

    @cached_property
    def window_ordinals(self) -> tuple[int, ...]:
        """The months of :attr:`window_months` as numbers, ``year * 12 + month`` (cheap to hash and look up)."""
        return tuple(m.year * 12 + m.month for m in self.window_months)

    @cached_property
    def window_set(self) -> frozenset[int]:
        """:attr:`window_ordinals` as a set."""
        return frozenset(self.window_ordinals)

    @cached_property
    def window_days(self) -> tuple[tuple[Any, Any], ...]:
        """The first and last day of each month of :attr:`window_months`."""
        return tuple((m.first_day(), m.last_day()) for m in self.window_months)

    @cached_property
    def window_labels(self) -> tuple[str, ...]:
        return tuple(str(m) for m in self.window_months)

    def last_labels(self, count: int) -> tuple[str, ...]:
        """The labels of the last ``count`` months of :attr:`window_labels`: one tuple per count on a view (the
        months most members' lapse shows)."""
        key = ("labels", count)
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = self.window_labels[-count:]
        return found     # type: ignore[return-value]

    @cached_property
    def window_firsts(self) -> tuple[Any, ...]:
        """The first day of each month of :attr:`window_months` (in order: bisect finds a member's first)."""
        return tuple(first for first, _ in self.window_days)

    # ---- dues ---------------------------------------------------------------------------------------
    @cached_property
    def _dues(self) -> dict[int, tuple[tuple, set[int]]]:
        return {}

    def dues_months(self, member: Member) -> set[int]:
        """The months (numbers, as in :attr:`window_ordinals`) ``member`` paid dues for (``dues_paid`` given);
        shared by the dues facts, not to be changed. Made once per list of months: members whose lists the
        loader made one tuple (the same months paid, as most members have) share it."""
        paid = member.dues_paid
        found = self._dues.get(id(paid))
        if found is None or found[0] is not paid:
            # the list is kept with its months: its id stays its own while the entry lives
            found = self._dues[id(paid)] = (paid, {m.year * 12 + m.month for m in paid})
        return found[1]

    # ---- result records -----------------------------------------------------------------------------
    @cached_property
    def _shared(self) -> dict[tuple, Any]:
        return {}

    def shared(self, cls: type, *fields: Any) -> Any:
        """``cls(*fields)``, one object for equal fields on this view: the same month or period check (a
        frozen record) recurs for most members, and making one costs more than finding it."""
        key = (cls, fields)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = cls(*fields)        # equal objects: a race is harmless
        return found

    def shared_value(self, key: tuple) -> Any:
        """A result a derived fact kept under ``key`` (its own name first) with :meth:`keep_shared`, or None."""
        return self._shared.get(key)

    def keep_shared(self, key: tuple, value: Any) -> Any:
        """Keep ``value`` (an immutable result) for every later call that finds the same ``key``."""
        return self._shared.setdefault(key, value)

    @cached_property
    def _periods(self) -> dict[tuple, tuple]:
        return {}

    def periods(self, kind: str, count: int) -> tuple[tuple[Period, str, Any, Any], ...]:
        """The last ``count`` complete periods of ``kind``, oldest first, each with its label, first and
        last day (arguments already checked by the caller)."""
        key = (kind, count)
        found = self._periods.get(key)
        if found is None:
            view = self._view
            last = Period.last_complete(kind, min(view.as_of, view.snapshot))
            out = [last]
            while len(out) < count:
                out.append(out[-1].previous())
            found = tuple((p, str(p), p.first_day(), p.last_day()) for p in reversed(out))
            self._periods[key] = found          # a whole tuple or nothing: safe to race
        return found

    def period_firsts(self, kind: str, count: int) -> tuple[Any, ...]:
        """The first day of each of :meth:`periods` (in order: bisect finds where a date falls)."""
        key = ("firsts", kind, count)
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = tuple(first for _, _, first, _ in self.periods(kind, count))
        return found     # type: ignore[return-value]

    def month_numbers(self, count: int) -> tuple[int, ...]:
        """The months of ``periods("month", count)`` as numbers (as in :attr:`window_ordinals`)."""
        key = ("numbers", "month", count)
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = tuple(p.year * 12 + p.index for p, _, _, _ in self.periods("month", count))
        return found     # type: ignore[return-value]

    @cached_property
    def last_year(self) -> Period:
        """The last complete calendar year on the evaluation date."""
        view = self._view
        return Period.last_complete("year", min(view.as_of, view.snapshot))
