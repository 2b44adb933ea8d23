"""Derived facts of the admission process (devt-rules) and of Party dues (dues-regulations).

Registered into the built-in set by :mod:`.derive` (one line at its end). The
counting choices (what "within 1 month" and "one year or more" mean on calendar
days) are the named functions of :mod:`partyrules.counting`; these wrappers make
them callable from policy expressions.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any, Callable

from .. import counting
from ..periods import Month, last_complete_month
from .derive import Derived, count_full, full_member_on
from .model import OMITTED, Applicant, Member
from .view import Unknown, View

# the rate table of dues-regulations@2008 arts 2 and 5: bracket → (upper bound of after-tax monthly pay or None)
BRACKETS = (("up_to_3000", 3000.0), ("up_to_5000", 5000.0), ("up_to_10000", 10000.0), ("over_10000", None))
RETIRED_BRACKETS = ("retired_up_to_5000", "retired_over_5000")
ALL_BRACKETS = tuple(b for b, _ in BRACKETS) + RETIRED_BRACKETS


def age_on(view: View, birth: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (``counting.age_on``: 18 on the 18th birthday)."""
    return counting.age_on(birth, day)


def within_months(view: View, start: dt.date, day: dt.date, months: int) -> bool:
    """``day`` is on or after ``start`` and on or before the same day ``months`` later (``counting.within_months``)."""
    return counting.within_months(start, day, months)


def months_deadline(view: View, start: dt.date, months: int) -> dt.date:
    """The last day of "within ``months`` months of ``start``" (``counting.within_months_deadline``)."""
    return counting.within_months_deadline(start, months)


def anniversary(view: View, start: dt.date, years: int) -> dt.date:
    """The day ``years`` full years after ``start`` are complete; "one year or more" is met on it
    (``counting.anniversary``)."""
    return counting.anniversary(start, years)


def application_date(view: View, member: Member) -> Any:
    """The day a member applied for membership: one fact, recorded as ``development.applied_on`` (devt-rules
    art.5) or as ``applied_on`` (round two, constitution art.1), whichever is given; the loader refuses the
    two when they differ (facts/check_devt.py). Unknown naming ``applied_on`` when neither is given."""
    dev = member.development
    if dev is not OMITTED and dev.applied_on is not OMITTED:
        return dev.applied_on
    if member.applied_on is not OMITTED:
        return member.applied_on
    return Unknown.of(f"{view.path(member)}.applied_on")


def full_member_contacts(view: View, member: Member) -> Any:
    """How many of the cultivation contacts (devt-rules@2014 art.9) were full members on the day the
    person became an activist. A member of this unit counts by their ``full_on``; a person outside it by
    ``full_member``. Bounds when some standing is unknown."""
    return _full_people(view, member, "contacts", "activist_on")


def _full_people(view: View, person: Any, field: str, day_field: str) -> Any:
    dev = person.development
    if dev is OMITTED:
        return Unknown.of(f"{view.path(person)}.development")
    p = view.path(dev)
    people = getattr(dev, field)
    if people is OMITTED:
        return Unknown.of(f"{p}.{field}")
    day = getattr(dev, day_field)
    if day is OMITTED:
        return Unknown.of(f"{p}.{day_field}")
    if day is None:
        return Unknown.of(f"{p}.{day_field}")
    return count_full(view, people, f"{p}.{field}", lambda other: full_member_on(view, other, day))


def applicant_full_contacts(view: View, applicant: Applicant) -> Any:
    """:func:`full_member_contacts` of an applicant (a person of ``applicants``, not yet a member)."""
    return _full_people(view, applicant, "contacts", "activist_on")


def applicant_assessment_overdue(view: View, applicant: Applicant, months: int) -> Any:
    """:func:`assessment_overdue` of an applicant (a person of ``applicants``, not yet a member)."""
    return assessment_overdue(view, applicant, months)


def assessment_overdue(view: View, member: Any, months: int) -> Any:
    """The first day by which a half-yearly assessment of an activist (devt-rules@2014 art.11) was due
    and none had been made, or ``None``.

    The cultivation runs from ``activist_on`` to ``object_on`` (or the evaluation
    date while the person is not yet a development object); an assessment is due
    within ``months`` months of the activist decision and of each assessment
    (``counting.within_months``). Unknown when the assessments or the dates are omitted
    and the answer depends on them.

    With ``object_on`` omitted the cultivation may have ended on any day up to
    the evaluation date (the loader does not hold the steps to their legal
    order), and the answer is decided when it does not depend on that day: no
    assessment overdue as late as the evaluation date means none overdue
    earlier either (see :func:`_first_overdue`). A breach is never decided
    without the end, since the cultivation may have ended before the first
    assessment fell due.
    """
    dev = member.development
    if dev is OMITTED:
        return Unknown.of(f"{view.path(member)}.development")
    p = view.path(dev)
    if dev.activist_on is OMITTED:
        return Unknown.of(f"{p}.activist_on")
    if dev.activist_on is None:
        return None                       # never an activist: art.8, not art.11
    end = dev.object_on
    end_known = end is not OMITTED
    if not end_known or end is None or end > view.as_of:
        end = view.as_of                  # the latest the cultivation can have ended
    if dev.assessments is OMITTED:
        deadline = counting.within_months_deadline(dev.activist_on, months)
        if deadline >= end:
            return None
        return Unknown.of(f"{p}.assessments") if end_known else Unknown.of(f"{p}.assessments", f"{p}.object_on")
    overdue = _first_overdue(dev.activist_on, dev.assessments, end, months)
    if overdue is None or end_known:
        return overdue
    return Unknown.of(f"{p}.object_on")


def _first_overdue(start: dt.date, assessments: tuple, end: dt.date, months: int) -> dt.date | None:
    """The first deadline missed by the assessments of a cultivation from ``start`` to ``end``, or None.

    None for an end means None for every earlier end: the assessments up to an
    earlier end are a prefix of these, with no gap among them, and the one after
    the prefix's last (if any) lies after that end and no later than the last's
    deadline, so that deadline has not passed by then either.
    """
    last = start
    for day in sorted(d for d in assessments if start <= d <= end):
        if day > counting.within_months_deadline(last, months):
            return counting.within_months_deadline(last, months)
        last = day
    deadline = counting.within_months_deadline(last, months)
    return deadline if deadline < end else None


def extension_problems(view: View, member: Member, min_months: int, max_months: int) -> Any:
    """What is wrong with the recorded extensions of a probation (devt-rules@2014 art.32): more than one,
    or one shorter than ``min_months`` or longer than ``max_months``. ``()`` when nothing is."""
    dev = member.development
    if dev is OMITTED:
        return Unknown.of(f"{view.path(member)}.development")
    p = view.path(dev)
    if dev.extensions is OMITTED:
        return Unknown.of(f"{p}.extensions")
    bad: list[str] = []
    missing: set[str] = set()
    if len(dev.extensions) > 1:
        bad.append(f"{len(dev.extensions)} extensions")
    for i, ext in enumerate(dev.extensions):
        if ext.months is OMITTED:
            missing.add(f"{p}.extensions[{i}].months")
        elif not min_months <= ext.months <= max_months:
            bad.append(f"{ext.decided_on.isoformat()}: {ext.months} months")
    if bad:
        return tuple(bad)
    return Unknown(frozenset(missing)) if missing else ()


def latest_extension_on(view: View, member: Member) -> Any:
    """The date of the latest recorded extension decision, ``None`` when there is none."""
    dev = member.development
    if dev is OMITTED:
        return Unknown.of(f"{view.path(member)}.development")
    if dev.extensions is OMITTED:
        return Unknown.of(f"{view.path(dev)}.extensions")
    return max((e.decided_on for e in dev.extensions), default=None)


# --------------------------------------------------------------------------- dues


def dues_rate(bracket: str, rates: tuple) -> float:
    """The rate of a bracket; ``rates`` in the order of :data:`ALL_BRACKETS`."""
    return rates[ALL_BRACKETS.index(bracket)]


def bracket_of(base: float) -> str:
    """The bracket of an after-tax monthly pay (upper bounds inclusive: 3000.00 is in up_to_3000)."""
    for name, upper in BRACKETS:
        if upper is None or base <= upper:
            return name
    raise AssertionError("unreachable")


def _checked_months(view: View, member: Member, months: int, since: dt.date | None) -> Any:
    """The last ``months`` complete months that are inside the records, the membership and the rule.

    Unknown only when ``records_from`` is omitted or null; when it is recorded and no month is both over
    and inside the records, no month is checked (``[]``), whatever the payments say."""
    if view.window is None:
        return Unknown.of("records_from") if view.records_from is None else []
    checked, last_days = _months_in_records(view, months, since)
    return checked[_first_checked(member, last_days):]


def _months_in_records(view: View, months: int, since: dt.date | None) -> tuple[list[Month], list[dt.date]]:
    """The last ``months`` complete months inside the records and the rule, with their last days (``view.window``
    given). The same for every member (asked for each member by three dues rules): worked out once per view,
    and a member's months are a suffix of them (:func:`_first_checked`)."""
    key = ("checked_months", months, since)
    found = view.memo.get(key)
    if found is None:
        first_rec, last = view.window
        out = []
        for i in range(months):
            m = last + (-i)
            if m < first_rec or (since is not None and m.first_day() < since):
                break
            out.append(m)
        out.reverse()
        found = view.memo[key] = (out, [m.last_day() for m in out])
    return found


def _first_checked(member: Member, last_days: list[dt.date]) -> int:
    """Where ``member``'s months start among the months in the records: the first that ends on or after
    the admission (all of them when the admission is omitted)."""
    return 0 if member.admitted_on is OMITTED else bisect.bisect_left(last_days, member.admitted_on)


def _late_limit_passed(view: View, member: Member, months: int, since: dt.date | None, late_months: int) -> bool:
    """Whether the limit of some month checked for ``member`` (:func:`_checked_months`, ``records_from``
    given) has passed by the evaluation date or the snapshot, whichever is later: what decides
    :func:`dues_late` when the payments are omitted.

    The limits of the months in the records are the same for every member, whose months are a suffix of
    them: whether one has passed from each starting month on is worked out once per view."""
    if view.window is None:
        return False        # records_from null: no month is checked
    checked, last_days = _months_in_records(view, months, since)
    key = ("late limit passed", months, since, late_months)
    passed_from = view.memo.get(key)
    if passed_from is None:
        latest = max(view.as_of, view.snapshot)      # no payment is dated after the snapshot
        passed_from = [False] * (len(checked) + 1)
        for i in range(len(checked) - 1, -1, -1):
            passed_from[i] = passed_from[i + 1] or counting.month_end_plus(checked[i], late_months) < latest
        view.memo[key] = passed_from
    return passed_from[_first_checked(member, last_days)]


def _reduced(member: Member, month: Month) -> bool:
    if member.dues_reductions is OMITTED:
        return False
    return any(r.since <= month for r in member.dues_reductions)


def dues_shortfalls(view: View, member: Member, months: int, rates: tuple, *, since: dt.date | None = None) -> Any:
    """Months among the last ``months`` checked whose recorded amount is below the amount due.

    Due = rate of the member's bracket × base, to the fen (0.01 yuan; a shortfall
    of less than half a fen is rounding). The bracket is ``dues_bracket`` when
    given, else the one ``dues_base`` falls in; without a base no payment can be
    judged, not even one of nothing, since a base of 0 (which the facts allow,
    whatever the bracket) owes 0.00 and a large one more than any payment.
    Months from a reduction's ``since`` on are not judged (the reduced amount is
    not recorded). A month without a payment is left to the lateness and lapse
    rules.

    With ``dues_payments`` omitted the answer is ``()`` when no month is
    judged: every month checked is reduced, or none is checked (a membership
    or records that begin after the last complete month). The payments could
    only be judged in those months, so every list of them gives ``()``;
    otherwise the empty list gives ``()`` and a payment of nothing in a judged
    month is short or itself unknown, so it stays unknown, naming
    ``dues_payments`` (and ``records_from`` and ``dues_reductions`` when they
    are omitted too).

    With ``dues_reductions`` omitted no month is proved short: a reduction
    from that month on (the facts allow one from any month) would leave it
    unjudged, and no reductions would leave it short. So a short month is then
    unknown naming ``dues_reductions``, which is also named beside whatever
    else leaves a judged month in doubt, since a reduction alone would settle
    it.
    """
    window = _checked_months(view, member, months, since)
    if member.dues_payments is OMITTED:
        return _payments_omitted(view, member, window,
                                 window if isinstance(window, Unknown) else
                                 [m for m in window if not _reduced(member, m)], reductions=True)
    if isinstance(window, Unknown):
        return window
    p = view.path(member)
    bracket = member.dues_bracket
    base = member.dues_base
    if bracket is OMITTED and base is not OMITTED:
        bracket = bracket_of(base)
    due: Any
    if base is OMITTED:
        due = Unknown.of(f"{p}.dues_base")
    elif bracket is OMITTED:
        due = Unknown.of(f"{p}.dues_bracket")
    else:
        due = round(base * dues_rate(bracket, rates), 2)
    by_month = {pay.month: (i, pay) for i, pay in enumerate(member.dues_payments)}
    short, missing = [], set()
    for m in window:
        if m not in by_month or _reduced(member, m):
            continue
        i, pay = by_month[m]
        if pay.amount is OMITTED:
            missing.add(f"{p}.dues_payments[{i}].amount")
        elif isinstance(due, Unknown):
            missing |= due.missing        # a base of 0 owes 0.00: not even nothing is short for sure
        elif pay.amount + 0.005 < due:
            if member.dues_reductions is OMITTED:       # a reduction from this month on would excuse it
                missing.add(f"{p}.dues_reductions")
            else:
                short.append(f"{m}: {pay.amount:.2f} < {due:.2f}")
    if short:
        return tuple(short)
    if missing and member.dues_reductions is OMITTED:
        missing.add(f"{p}.dues_reductions")     # a reduction would excuse every month still in doubt
    return Unknown(frozenset(missing)) if missing else ()


def dues_late(view: View, member: Member, months: int, late_months: int, *, since: dt.date | None = None) -> Any:
    """Months among the last ``months`` checked whose dues were paid, or are still unpaid, more than
    ``late_months`` months after the month ended (``counting.month_end_plus``). A month that
    ``dues_payments`` does not list is unpaid, unless facts-v1 ``dues_paid`` lists it (then paid on an
    unknown day); a payment with its date omitted is unknown once its deadline has passed.

    With ``dues_payments`` omitted the answer is ``()`` when the deadline of
    every month checked is on or after both the evaluation date and the
    document's ``as_of`` (or no month is checked): such a month can be neither
    unpaid past its deadline nor paid after it (no payment is dated after
    ``as_of``), so every list of payments gives ``()``. Once a month's deadline
    has passed, no payment makes it late and a payment in time does not, so it
    stays unknown, naming ``dues_payments`` (and ``records_from`` when that is
    omitted too).

    With ``dues_reductions`` omitted a month unpaid past its deadline is not
    proved late: a reduction from that month on would excuse it, none would
    not. It is unknown naming ``dues_reductions``. A payment made after the
    deadline is late whatever the reductions.
    """
    window = _checked_months(view, member, months, since)
    if member.dues_payments is OMITTED:
        return _payments_omitted(view, member, window,
                                 window if isinstance(window, Unknown) else
                                 _late_limit_passed(view, member, months, since, late_months))
    if isinstance(window, Unknown):
        return window
    p = view.path(member)
    by_month = {pay.month: (i, pay) for i, pay in enumerate(member.dues_payments)}
    late, missing = [], set()
    listed_paid = set(member.dues_paid) if member.dues_paid is not OMITTED else set()
    for m in window:
        deadline = counting.month_end_plus(m, late_months)
        if m not in by_month and m in listed_paid:
            # paid by facts-v1 dues_paid, but the day is not in dues_payments
            if deadline < view.as_of:
                missing.add(f"{p}.dues_payments")
            continue
        if m not in by_month or by_month[m][1].paid_on is None:
            if deadline < view.as_of and not _reduced(member, m):
                if member.dues_reductions is OMITTED:   # a reduction from this month on would excuse it
                    missing.add(f"{p}.dues_reductions")
                else:
                    late.append(f"{m}: unpaid")
            continue
        i, pay = by_month[m]
        if pay.paid_on is OMITTED:
            if deadline < view.as_of:
                missing.add(f"{p}.dues_payments[{i}].paid_on")
        elif pay.paid_on > deadline:
            late.append(f"{m}: paid {pay.paid_on.isoformat()}")
    if late:
        return tuple(late)
    return Unknown(frozenset(missing)) if missing else ()


def _payments_omitted(view: View, member: Member, window: Any, judged: Any, *, reductions: bool = False) -> Any:
    """The answer of a dues rule whose ``dues_payments`` are omitted: ``()`` when no month of the
    ``window`` can be ``judged`` whatever the payments (``judged``: those that can, or whether any can),
    else unknown naming what is missing
    (``dues_reductions`` too when omitted and, by ``reductions``, able alone to excuse every month)."""
    missing = {f"{view.path(member)}.dues_payments"}
    if reductions and member.dues_reductions is OMITTED:
        missing.add(f"{view.path(member)}.dues_reductions")
    if isinstance(window, Unknown):
        return Unknown(frozenset(window.missing | missing))
    return Unknown(frozenset(missing)) if judged else ()


def reductions_without_records(view: View, member: Member, *, since: dt.date | None = None) -> Any:
    """Reductions or exemptions of dues (from a month on or after the rule) that lack the branch decision or
    the higher committee's approval, or whose approval came before the decision; ``()`` when none does.
    Reductions starting after the evaluation date's month are not looked at."""
    if member.dues_reductions is OMITTED:
        return Unknown.of(f"{view.path(member)}.dues_reductions")
    p = view.path(member)
    bad, missing = [], set()
    for i, red in enumerate(member.dues_reductions):
        if (since is not None and red.since.last_day() < since) or red.since.first_day() > view.as_of:
            continue
        decided, approved = red.decided_on, red.approved_on
        if decided is None or approved is None:
            bad.append(f"{red.since}: {'no branch decision' if decided is None else 'no approval'}")
        elif decided is OMITTED or approved is OMITTED:
            missing |= {f"{p}.dues_reductions[{i}].{f}" for f, v in (("decided_on", decided),
                                                                      ("approved_on", approved)) if v is OMITTED}
        elif approved < decided or approved > view.as_of:
            bad.append(f"{red.since}: approved {approved.isoformat()}, decided {decided.isoformat()}")
    if bad:
        return tuple(bad)
    return Unknown(frozenset(missing)) if missing else ()


def dues_paid_for(view: View, member: Member, month_day: dt.date) -> Any:
    """Were dues paid for the month containing ``month_day``? From ``dues_payments`` (a payment with a
    date or an amount) or facts-v1 ``dues_paid``; unknown when neither list was given."""
    month = Month.of(month_day)
    known = False
    if member.dues_payments is not OMITTED:
        known = True
        for pay in member.dues_payments:
            if pay.month == month and pay.paid_on is not None:
                return True
    if member.dues_paid is not OMITTED:
        known = True
        if month in member.dues_paid:
            return True
    if not known:
        return Unknown.of(f"{view.path(member)}.dues_payments")
    return False


def month_complete(view: View, day: dt.date) -> Any:
    """Is the month containing ``day`` over and inside the records on the evaluation date?

    A month not yet over is ``False`` whatever ``records_from`` says (omitted,
    null or any day): being over does not depend on the records."""
    month = Month.of(day)
    if month > last_complete_month(min(view.as_of, view.snapshot)):
        return False
    if view.window is None:
        return Unknown.of("records_from") if view.records_from is None else False
    first, last = view.window
    return True if month >= first else Unknown.of("records_from")


def _d(name: str, fn: Callable[..., Any], args: tuple[str, ...], **kw: Any) -> Derived:
    return Derived(name, fn, args, fn.__doc__ or "", **kw)


DERIVED: tuple[Derived, ...] = (
    _d("age_on", age_on, ("date", "date")),
    _d("within_months", within_months, ("date", "date", "int")),
    _d("months_deadline", months_deadline, ("date", "int")),
    _d("anniversary", anniversary, ("date", "int")),
    _d("application_date", application_date, ("member",)),
    _d("full_member_contacts", full_member_contacts, ("member",)),
    _d("applicant_full_contacts", applicant_full_contacts, ("applicant",)),
    _d("applicant_assessment_overdue", applicant_assessment_overdue, ("applicant", "int")),
    _d("assessment_overdue", assessment_overdue, ("member", "int")),
    _d("extension_problems", extension_problems, ("member", "int", "int")),
    _d("latest_extension_on", latest_extension_on, ("member",)),
    _d("dues_shortfalls", dues_shortfalls, ("member", "int", "list"), needs_since=True),
    _d("dues_late", dues_late, ("member", "int", "int"), needs_since=True),
    _d("dues_paid_for", dues_paid_for, ("member", "date")),
    _d("reductions_without_records", reductions_without_records, ("member",), needs_since=True),
    _d("month_complete", month_complete, ("date",)),
)
