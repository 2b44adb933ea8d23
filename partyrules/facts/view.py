"""A fact document seen on one evaluation date (the three-valued ``Unknown`` is :mod:`.unknown`'s).

:class:`View` indexes the document once (organizations by id, members of each
organization, paths for error messages) and answers questions as of a date.
Anything that cannot be answered because a fact was omitted comes back as an
:class:`Unknown` that lists the missing fact paths, and where a count is only
partly known, the bounds it must lie within, so that ``full_members >= 3`` can
still be decided when three full members are certain.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import cached_property
from operator import attrgetter
from collections.abc import Mapping
from typing import Any, Iterable

from ..periods import Month, complete_months
from ..when_read import MappingWhenRead
from .indexes import Indexes
from .model import OMITTED, FactDocument, Meeting, Member, Organization, RecordPaths
from .unknown import Unknown

_date_of = attrgetter("date")      # a meeting's date, read in C (sorting ~2,000 meetings per view)


class RecordNames(MappingWhenRead):
    """:attr:`View.names`, worked out when first read: every result keeps it for its message, and only a
    violated result's message reads it (a check of a clean court never does). Keeps the view's tables of
    records, not the view."""

    __slots__ = ("_tables",)

    def __init__(self, tables: tuple[dict, ...]) -> None:
        super().__init__()
        self._tables = tables

    def _make(self) -> dict[str, tuple[str, bool]]:
        seen: dict[str, list[str]] = {}
        for records in self._tables:
            for key, record in records.items():
                seen.setdefault(key, []).append(record.name if record.name is not OMITTED else "")
        unique = {key: names[0] for key, names in seen.items() if len(names) == 1 and names[0]}
        counts: dict[str, int] = {}
        for name in unique.values():
            counts[name] = counts.get(name, 0) + 1
        return {key: (name, counts[name] > 1) for key, name in unique.items()}


class View:
    """The facts of one document as of ``as_of`` (defaults to the document's own date)."""

    def __init__(self, facts: FactDocument, as_of: dt.date) -> None:
        self.facts = facts
        self.as_of = as_of
        rf = facts.records_from
        self.records_from: dt.date | None = None if rf is OMITTED or rf is None else rf
        self.snapshot = facts.as_of if facts.as_of is not OMITTED else as_of
        self.paths = RecordPaths(facts)   # where each record is (members[3] …): made when first asked for
        self._keep: list[Any] = []
        self.memo: dict[tuple, Any] = {}   # what the engines work out once per view (subjects by kind)
        # each derived fact's values already computed on this view, by its name (they are pure functions of it)
        self.derived_memo: dict[str, dict] = {}
        self._omitted: dict[tuple[str, str], Unknown] = {}
        # (id of a registered record, field) -> its Unknown: get() then skips building the path; only
        # records with a path here are kept (they stay alive with the document or _keep, so ids are not reused)
        self._omitted_fields: dict[tuple[int, str], Unknown] = {}

    # ---- where things are -------------------------------------------------
    def path(self, entity: Any) -> str:
        return self.paths.path(entity)

    def derived_copy(self, original: Any, copy: Any) -> Any:
        """Register ``copy`` (a record adjusted to the evaluation date) under ``original``'s path."""
        self._keep.append(copy)   # keep it alive so that its id is not reused
        self.paths.add(copy, self.path(original))
        return copy

    def get(self, entity: Any, field: str) -> Any:
        """A field's value, or :class:`Unknown` naming it when it was omitted."""
        value = getattr(entity, field)
        if value is OMITTED:
            key = (id(entity), field)
            found = self._omitted_fields.get(key)
            if found is None:
                path = self.paths.find(entity)
                if path is None:
                    return self.omitted("?", field)
                found = self._omitted_fields[key] = self.omitted(path, field)
            return found
        return value

    def omitted(self, path: str, field: str) -> "Unknown":
        """The Unknown naming ``path.field``, made once per view: the same omitted fact is asked about for
        every member and every policy that reads it."""
        key = (path, field)
        found = self._omitted.get(key)
        if found is None:
            found = self._omitted[key] = Unknown.of(f"{path}.{field}")   # equal values: a race is harmless
        return found

    # ---- indexes -----------------------------------------------------------
    @cached_property
    def index(self) -> Indexes:
        """The lookups derived facts use (meetings by organization, attendance by member and month, …)."""
        return Indexes(self)

    @cached_property
    def orgs(self) -> dict[str, Organization]:
        items = self.facts.organizations
        return {} if items is OMITTED else {o.id: o for o in items}

    @cached_property
    def members(self) -> dict[str, Member]:
        items = self.facts.members
        return {} if items is OMITTED else {m.id: m for m in items}

    @cached_property
    def departments(self) -> dict:
        unit = self.facts.unit
        if unit is OMITTED or unit.departments is OMITTED:
            return {}
        return {d.id: d for d in unit.departments}

    @cached_property
    def members_by_org(self) -> dict[Any, list[Member]]:
        """Members grouped by their ``org`` value (``OMITTED`` and ``None`` are keys too)."""
        out: dict[Any, list[Member]] = {}
        for m in self.members.values():
            out.setdefault(m.org if m.org is not OMITTED else OMITTED, []).append(m)
        return out

    @cached_property
    def meetings_upto(self) -> list[Meeting]:
        """Meetings dated on or before the evaluation date (later ones are never used)."""
        items = self.facts.meetings
        return [] if items is OMITTED else [m for m in items if m.date <= self.as_of]

    @cached_property
    def meetings_by_month(self) -> dict[Month, list[Meeting]]:
        """Meetings up to the evaluation date, by calendar month, each month in date order."""
        ordered = sorted(self.meetings_upto, key=_date_of)
        days = list(map(_date_of, ordered))
        out: dict[Month, list[Meeting]] = {}
        # the meetings of a month are a slice of the sorted ones: one search per month that has any, not a
        # lookup per meeting (a court has ~2,000 meetings in ~40 months)
        start, end = 0, len(days)
        while start < end:
            day = days[start]
            month = Month(day.year, day.month)
            stop = end if (day.year, day.month) == (9999, 12) else bisect_left(days, (month + 1).first_day(), start)
            out[month] = ordered[start:stop]
            start = stop
        return out

    @cached_property
    def window(self) -> tuple[Month, Month] | None:
        """The complete, fully recorded calendar months on the evaluation date."""
        return complete_months(self.records_from, min(self.as_of, self.snapshot))

    @cached_property
    def names(self) -> Mapping[str, tuple[str, bool]]:
        """``id → (name, shared)`` for members, organizations and departments that have a name.

        Messages show these names instead of bare ids. An id used by two kinds of
        record is left out (it would be a guess), and ``shared`` says another record
        has the same name, so that a message can add the id to tell them apart.
        Worked out when first read (see :class:`RecordNames`).
        """
        return RecordNames((self.members, self.orgs, self.departments))

    # ---- membership on the evaluation date ---------------------------------
    def status(self, m: Member) -> Any:
        """``'full'``, ``'probationary'``, ``None`` (not yet a member) or Unknown, on ``as_of``.

        On the snapshot date the recorded status decides; on an earlier date the
        admission and conversion dates do (facts-v1: evaluating as of an earlier
        date uses only what was true then).
        """
        on = self.as_of
        if m.admitted_on is not OMITTED and m.admitted_on > on:
            return None
        if on >= self.snapshot:
            if m.status is not OMITTED:
                return m.status
            if m.full_on is None:
                return "probationary"
            if m.full_on is not OMITTED and m.full_on <= on:
                return "full"
            return self.omitted(self.path(m), "status")
        # an earlier date
        if m.admitted_on is OMITTED:
            return self.omitted(self.path(m), "admitted_on")
        if m.full_on is None or m.status == "probationary":
            return "probationary"
        if m.full_on is OMITTED:
            return self.omitted(self.path(m), "full_on")
        return "full" if m.full_on <= on else "probationary"

    def count(self, members: Iterable[Member], statuses: tuple[str, ...], possible_extra: Iterable[Member] = ()) -> Any:
        """How many of ``members`` have one of ``statuses`` on the evaluation date.

        ``possible_extra`` are members that may or may not belong to the group
        (their ``org`` was omitted). The result is an int, or Unknown with
        bounds when some status or membership is not known.
        """
        sure = 0
        maybe = 0
        missing: set[str] = set()
        for m in members:
            st = self.status(m)
            if isinstance(st, Unknown):
                maybe += 1
                missing |= st.missing
            elif st in statuses:
                sure += 1
        for m in possible_extra:
            st = self.status(m)
            if st is None or (not isinstance(st, Unknown) and st not in statuses):
                continue
            maybe += 1
            missing.add(f"{self.path(m)}.org")
            if isinstance(st, Unknown):
                missing |= st.missing
        if maybe == 0:
            return sure
        return Unknown(frozenset(missing), sure, sure + maybe)
