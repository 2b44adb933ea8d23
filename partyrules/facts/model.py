"""The fact document, ``partyrules.facts/1``, as frozen attrs classes.

Every optional field defaults to :data:`OMITTED`, which is *not* ``None``: the
contract says an omitted field is unknown while ``null`` or ``[]`` is a known
none, and that difference decides between the outcomes ``unknown`` and
``satisfied``/``violated``. ``OMITTED`` refuses to be used as a truth value so
that no code can silently treat "not told" as "no".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Literal, NewType, Union

import attrs

from ..periods import Month


@attrs.frozen(repr=False)
class Omitted:
    """The value of a field that the fact document left out."""

    def __repr__(self) -> str:
        return "OMITTED"

    def __bool__(self) -> bool:
        raise TypeError("an omitted fact has no truth value; test `is OMITTED` instead")


OMITTED = Omitted()

Count = NewType("Count", int)            # an int >= 0
Hours = NewType("Hours", float)          # a finite number >= 0
NonEmpty = NewType("NonEmpty", str)      # an id: a non-empty string
Number = NewType("Number", float)        # a finite number >= 0 (days, yuan)
Level = Literal["central", "provincial", "prefecture", "county"]
OrgKind = Literal["committee", "general_branch", "branch"]
Status = Literal["full", "probationary"]
MeetingKind = Literal["general_meeting", "committee_meeting", "group_meeting", "party_lecture",
                      "theme_day", "org_life_meeting", "democratic_review"]

FORMAT = "partyrules.facts/1"

# the values every loading path accepts (the quick one, the careful one, and --as-of)
MAX_COUNT = 2 ** 53 - 1     # every engine (durable-rules counts in doubles) holds it exactly
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)   # as for training years


@attrs.frozen
class TrainingHours:
    """Class hours of training per calendar year (``{2023: 36}``)."""

    by_year: tuple[tuple[int, float], ...] = ()

    def get(self, year: int) -> float | None:
        for y, hours in self.by_year:
            if y == year:
                return hours
        return None


@attrs.frozen
class Department:
    id: NonEmpty
    name: Union[str, Omitted] = OMITTED
    head: Union[NonEmpty, None, Omitted] = OMITTED
    staff: Union[Count, Omitted] = OMITTED


@attrs.frozen
class Unit:
    id: NonEmpty
    name: Union[str, Omitted] = OMITTED
    level: Union[Level, Omitted] = OMITTED
    staff_total: Union[Count, Omitted] = OMITTED
    party_affairs_staff: Union[Count, Omitted] = OMITTED
    departments: Union[tuple[Department, ...], Omitted] = OMITTED
    leaders: Union[tuple[NonEmpty, ...], Omitted] = OMITTED
    party_funding_in_budget: Union[bool, Omitted] = OMITTED


@attrs.frozen
class Election:
    date: dt.date
    secretary_approved_on: Union[dt.date, None, Omitted] = OMITTED
    shift_approved: Union[bool, Omitted] = OMITTED
    # extensions (docs/facts.md): organs-regs@2019 art.37 para.1
    party_group_decided_on: Union[dt.date, None, Omitted] = OMITTED
    work_committee_approved_on: Union[dt.date, None, Omitted] = OMITTED


@attrs.frozen
class SecretaryChange:
    """A secretary or deputy replaced during a term (organs-regs@2019 art.8 para.2)."""

    date: dt.date
    consent_on: Union[dt.date, None, Omitted] = OMITTED


@attrs.frozen
class OfficeTaken:
    """The day an officer took up the office they now hold in an organization: at its latest regular
    election, or later by a by-election (补选, branch-regs@2018 art.21), which facts-v1 does not record."""

    member: NonEmpty
    date: dt.date


@attrs.frozen
class Introducer:
    """One of the two introducers of an applicant: a member of this unit, or a person outside it."""

    member: Union[NonEmpty, Omitted] = OMITTED
    name: Union[str, Omitted] = OMITTED
    full_member: Union[bool, Omitted] = OMITTED    # for a person outside the unit: a full member then


# --------------------------------------------------------------------------- admission process and dues
# Additive extensions (docs/facts-devt.md): the admission process of a member or of an applicant who is
# not yet one (devt-rules@2014), and a member's dues base and payments (dues-regulations@2008).

Approver = Literal["committee", "work_committee", "general_branch", "party_group", "branch"]
DuesBracket = Literal["up_to_3000", "up_to_5000", "up_to_10000", "over_10000",
                      "retired_up_to_5000", "retired_over_5000"]


@attrs.frozen
class Extension:
    """One extension of a probation: the branch meeting that decided it and its length in months."""

    decided_on: dt.date
    months: Union[Count, Omitted] = OMITTED


@attrs.frozen
class Development:
    """The admission process (发展党员) of one person, step by step; every field optional.

    The admission meeting itself is the member's ``admitted_on``, its approval
    ``admission_approved_on`` and the talk before it ``pre_approval_talk_on``; the
    conversion meeting and approval are ``conversion_meeting_on`` / ``conversion_approved_on``.
    """

    applied_on: Union[dt.date, Omitted] = OMITTED
    application_talk_on: Union[dt.date, None, Omitted] = OMITTED
    activist_on: Union[dt.date, None, Omitted] = OMITTED
    activist_filed_on: Union[dt.date, None, Omitted] = OMITTED
    contacts: Union[tuple[Introducer, ...], Omitted] = OMITTED
    assessments: Union[tuple[dt.date, ...], Omitted] = OMITTED
    object_on: Union[dt.date, None, Omitted] = OMITTED
    object_filed_on: Union[dt.date, None, Omitted] = OMITTED
    political_review_on: Union[dt.date, None, Omitted] = OMITTED
    training_days: Union[Number, Omitted] = OMITTED
    training_hours: Union[Hours, Omitted] = OMITTED
    pre_review_on: Union[dt.date, None, Omitted] = OMITTED
    meeting_due: Union[Count, Omitted] = OMITTED
    meeting_present: Union[Count, Omitted] = OMITTED
    meeting_ayes: Union[Count, Omitted] = OMITTED
    approver: Union[Approver, Omitted] = OMITTED
    approval_special: Union[bool, Omitted] = OMITTED
    oath_on: Union[dt.date, None, Omitted] = OMITTED
    conversion_applied_on: Union[dt.date, None, Omitted] = OMITTED
    conversion_due: Union[Count, Omitted] = OMITTED
    conversion_present: Union[Count, Omitted] = OMITTED
    conversion_ayes: Union[Count, Omitted] = OMITTED
    extensions: Union[tuple[Extension, ...], Omitted] = OMITTED


@attrs.frozen
class Applicant:
    """A person of the unit in the admission process who is not (yet) a Party member."""

    id: NonEmpty
    name: Union[str, Omitted] = OMITTED
    org: Union[NonEmpty, None, Omitted] = OMITTED
    birth_date: Union[dt.date, Omitted] = OMITTED
    development: Union[Development, Omitted] = OMITTED


@attrs.frozen
class DuesPayment:
    """Dues for one month: the amount paid (yuan) and the day it was paid."""

    month: Month
    amount: Union[Number, Omitted] = OMITTED
    paid_on: Union[dt.date, None, Omitted] = OMITTED


@attrs.frozen
class DuesReduction:
    """A reduction or exemption of dues from ``since``: the branch decision and the higher approval."""

    since: Month
    decided_on: Union[dt.date, None, Omitted] = OMITTED
    approved_on: Union[dt.date, None, Omitted] = OMITTED


def register_devt_paths(facts: "FactDocument", paths: dict[int, str]) -> None:
    """Add the paths of the extension records (by ``id()``), so that what is missing can be named."""
    if facts.members is not OMITTED:
        for i, m in enumerate(facts.members):
            if m.development is not OMITTED:
                paths[id(m.development)] = f"members[{i}].development"
    if facts.applicants is not OMITTED:
        for i, a in enumerate(facts.applicants):
            paths[id(a)] = f"applicants[{i}]"
            if a.development is not OMITTED:
                paths[id(a.development)] = f"applicants[{i}].development"

# --------------------------------------------------------------------------- end of the block


@attrs.frozen
class Organization:
    id: NonEmpty
    kind: OrgKind
    name: Union[str, Omitted] = OMITTED
    parent: Union[NonEmpty, None, Omitted] = OMITTED
    departments: Union[tuple[NonEmpty, ...], Omitted] = OMITTED
    approved_by_superior: Union[bool, Omitted] = OMITTED
    secretary: Union[NonEmpty, None, Omitted] = OMITTED
    deputy_secretaries: Union[tuple[NonEmpty, ...], Omitted] = OMITTED
    committee_members: Union[tuple[NonEmpty, ...], Omitted] = OMITTED
    discipline_member: Union[NonEmpty, None, Omitted] = OMITTED
    discipline_commission: Union[bool, Omitted] = OMITTED
    elections: Union[tuple[Election, ...], Omitted] = OMITTED
    # extensions (docs/facts.md)
    established_on: Union[dt.date, Omitted] = OMITTED
    postponement_approved_until: Union[dt.date, None, Omitted] = OMITTED
    discipline_commission_secretary: Union[NonEmpty, None, Omitted] = OMITTED
    secretary_changes: Union[tuple[SecretaryChange, ...], Omitted] = OMITTED
    officers_took_office: Union[tuple[OfficeTaken, ...], Omitted] = OMITTED


@attrs.frozen
class Member:
    id: NonEmpty
    name: Union[str, Omitted] = OMITTED
    org: Union[NonEmpty, None, Omitted] = OMITTED
    status: Union[Status, Omitted] = OMITTED
    birth_date: Union[dt.date, Omitted] = OMITTED
    admitted_on: Union[dt.date, Omitted] = OMITTED
    full_on: Union[dt.date, None, Omitted] = OMITTED
    probation_extended: Union[bool, Omitted] = OMITTED
    department: Union[NonEmpty, None, Omitted] = OMITTED
    dues_paid: Union[tuple[Month, ...], Omitted] = OMITTED
    training_hours: Union[TrainingHours, Omitted] = OMITTED
    # extensions (docs/facts.md): admission and conversion (constitution arts 5, 7;
    # organs-regs@2019 art.37 para.2)
    applied_on: Union[dt.date, Omitted] = OMITTED    # the application for membership (入党申请), constitution art.1
    # calendar years in which the member took part in a centralised rotation training (集中轮训) for branch
    # secretaries run by a Party organization at county level or above (branch-regs@2018 art.25)
    secretary_training_years: Union[tuple[Count, ...], Omitted] = OMITTED
    introducers: Union[tuple[Introducer, ...], Omitted] = OMITTED
    admission_approved_on: Union[dt.date, None, Omitted] = OMITTED
    pre_approval_talk_on: Union[dt.date, None, Omitted] = OMITTED
    admission_reviewed_by_party_group_on: Union[dt.date, None, Omitted] = OMITTED
    conversion_meeting_on: Union[dt.date, None, Omitted] = OMITTED
    conversion_approved_on: Union[dt.date, None, Omitted] = OMITTED
    conversion_reviewed_by_party_group_on: Union[dt.date, None, Omitted] = OMITTED
    # extensions (docs/facts-devt.md): the admission process; dues base and payments
    development: Union[Development, Omitted] = OMITTED
    dues_base: Union[Number, Omitted] = OMITTED
    dues_bracket: Union[DuesBracket, Omitted] = OMITTED
    dues_payments: Union[tuple[DuesPayment, ...], Omitted] = OMITTED
    dues_reductions: Union[tuple[DuesReduction, ...], Omitted] = OMITTED


@attrs.frozen
class Meeting:
    org: NonEmpty
    kind: MeetingKind
    date: dt.date
    id: Union[NonEmpty, Omitted] = OMITTED
    attendees: Union[tuple[NonEmpty, ...], Omitted] = OMITTED
    lecturer: Union[NonEmpty, None, Omitted] = OMITTED
    voting: Union[bool, Omitted] = OMITTED    # extension: a vote was taken (quorum rules apply)


@attrs.frozen
class Activity:
    kind: NonEmpty
    date: dt.date
    org: Union[NonEmpty, None, Omitted] = OMITTED
    member: Union[NonEmpty, None, Omitted] = OMITTED
    note: Union[str, None, Omitted] = OMITTED


@attrs.frozen
class FactDocument:
    """One unit's facts; ``source`` names where it was read from (not part of the contract)."""

    format: Literal["partyrules.facts/1"]
    as_of: Union[dt.date, Omitted] = OMITTED
    records_from: Union[dt.date, None, Omitted] = OMITTED
    unit: Union[Unit, Omitted] = OMITTED
    organizations: Union[tuple[Organization, ...], Omitted] = OMITTED
    members: Union[tuple[Member, ...], Omitted] = OMITTED
    meetings: Union[tuple[Meeting, ...], Omitted] = OMITTED
    activities: Union[tuple[Activity, ...], Omitted] = OMITTED
    applicants: Union[tuple[Applicant, ...], Omitted] = OMITTED   # extension: docs/facts-devt.md
    source: str = attrs.field(default="<mapping>", eq=False)


def known(value: object) -> bool:
    """True when a fact was given (possibly as null or empty)."""
    return value is not OMITTED


def meeting_places(facts: FactDocument) -> dict[int, int]:
    """id of each meeting of ``facts`` → its index in ``meetings`` (the path is written when asked for: a
    court has ~2,000 meetings and names a few)."""
    items = facts.meetings
    return {} if items is OMITTED else dict(zip(map(id, items), range(len(items))))


def other_paths(facts: FactDocument) -> dict[int, str]:
    """id of each record of ``facts`` but the meetings (:func:`meeting_places`) → its path (``members[3]``,
    ``organizations[0].elections[1]``, ``unit.departments[2]``, the development records)."""
    paths: dict[int, str] = {}
    for name in ("organizations", "members", "activities"):
        items = getattr(facts, name)
        if items is not OMITTED:
            for i, item in enumerate(items):
                paths[id(item)] = f"{name}[{i}]"
                if name == "organizations" and item.elections is not OMITTED:
                    for j, e in enumerate(item.elections):
                        paths[id(e)] = f"{name}[{i}].elections[{j}]"
    register_devt_paths(facts, paths)
    if facts.unit is not OMITTED:
        paths[id(facts.unit)] = "unit"
        if facts.unit.departments is not OMITTED:
            for i, d in enumerate(facts.unit.departments):
                paths[id(d)] = f"unit.departments[{i}]"
    return paths


def _no_paths(facts: FactDocument) -> dict[int, str]:
    return {}


class RecordPaths:
    """Where each record of a document is (by ``id()``), for naming what is missing. Each table is made when
    first asked for, the meetings' apart from the rest: a check of a clean court names few records, naming all
    ~2,250 cost ~1 ms per view, and the meetings are most of them while what a court omits is mostly elsewhere
    (one meeting without recorded attendance no longer names every record of the document).

    A view owns one; what names meetings after the view is gone (a lapse's months, read with its result)
    keeps this, not the view. Two threads that both make a table keep the one stored first, so a copy
    registered later (:meth:`add`) is never lost."""

    __slots__ = ("_facts", "_box")

    def __init__(self, facts: FactDocument) -> None:
        self._facts = facts
        self._box: dict[str, dict[int, Any]] = {}

    def _table(self, name: str, make: Callable[[FactDocument], dict[int, Any]]) -> dict[int, Any]:
        table = self._box.get(name)
        if table is None:
            table = self._box.setdefault(name, make(self._facts))
        return table

    def find(self, entity: Any) -> str | None:
        """The path of ``entity``, a record of the document (or one :meth:`add` registered), or None."""
        key = id(entity)
        added = self._box.get("added")
        if added is not None and key in added:
            return added[key]
        # a meeting is only ever in the meetings; any other record is looked for among the rest
        if type(entity) is Meeting:
            place = self._table("meetings", meeting_places).get(key)
            return None if place is None else f"meetings[{place}]"
        return self._table("others", other_paths).get(key)

    def path(self, entity: Any) -> str:
        """The path of ``entity``, or ``?`` for what is not a record of the document."""
        found = self.find(entity)
        return "?" if found is None else found

    def add(self, entity: Any, path: str) -> None:
        """Name ``entity`` (kept alive by the caller, so that its id stays its own) ``path``."""
        self._table("added", _no_paths)[id(entity)] = path
