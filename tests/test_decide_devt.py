"""Derived facts of the admission process and of dues decide in every direction the facts allow.

With a fact omitted, a check is decided only when every value the fact could take gives that outcome
(sound), and unknown only when two of them disagree or one is itself unknown (complete). An omitted date
may be any day up to as_of, or null where the model allows it; an omitted list any list the loader takes.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.periods import Month

OMIT = object()
AS_OF = dt.date(2024, 6, 30)
DAYS = st.dates(min_value=dt.date(2022, 1, 1), max_value=AS_OF)


def check(policy: str, member: dict, records_from=OMIT, as_of: dt.date = AS_OF):
    doc = {"format": "partyrules.facts/1", "as_of": as_of.isoformat(), "members": [member]}
    if records_from is not OMIT:
        doc["records_from"] = None if records_from is None else records_from.isoformat()
    (r,) = [r for r in partyrules.check(doc, select=[policy]).results if r.policy == policy]
    return r


def agree(omitted, concrete: set[str], field: str) -> None:
    if omitted.outcome == "unknown":
        assert concrete == {"violated", "satisfied"} or "unknown" in concrete or len(concrete) > 1, concrete
        if concrete != {"unknown"}:       # some value of the field decides: its absence leaves it unknown
            assert field in omitted.missing, omitted.missing
    else:
        assert concrete == {omitted.outcome}, (omitted.outcome, concrete)


def months_before(as_of: dt.date) -> list[Month]:
    """Every month from 2021-06 to the last one over on ``as_of``."""
    last = Month.of(as_of) if as_of == Month.of(as_of).last_day() else Month.of(as_of) + (-1)
    out, m = [], Month(2021, 6)
    while m <= last:
        out.append(m)
        m = m + 1
    return out


# ---------------------------------------------------------------- month_complete: records_from omitted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_of=DAYS, admitted=DAYS, paid=st.lists(st.integers(0, 2), max_size=3), starts=st.lists(DAYS, max_size=3))
def test_an_omitted_records_from_decides_the_month_of_acceptance_exactly_when_every_start_agrees(
        as_of, admitted, paid, starts):
    """dues.member.probationary-from-acceptance without records_from: the month of acceptance not yet over
    is not looked at whatever the records say; otherwise decided only when every start of the records
    (null, the earliest day, the acceptance, as_of, others) agrees."""
    admitted = min(admitted, as_of)
    month = Month.of(admitted)
    member = {"id": "m1", "status": "probationary", "admitted_on": admitted.isoformat(), "full_on": None,
              "dues_paid": sorted({str(month + k) for k in paid if (month + k).first_day() <= as_of})}
    policy = "dues.member.probationary-from-acceptance"
    omitted = check(policy, member, OMIT, as_of)
    values = [None, dt.date(2000, 1, 1), admitted, month.first_day(), as_of, *(min(s, as_of) for s in starts)]
    concrete = {check(policy, member, v, as_of).outcome for v in values}
    agree(omitted, concrete, "records_from")
    if month.last_day() > as_of:      # not yet over: not looked at, whatever the start of the records
        assert omitted.outcome == "not_applicable" and concrete == {"not_applicable"}, (omitted, concrete)


# ---------------------------------------------------------------- dues_late, dues_shortfalls: dues_payments omitted


def _payments(months: list[Month], how: str, as_of: dt.date) -> list[dict]:
    out = []
    for m in months:
        last = min(m.last_day(), as_of)
        if how == "in_time":
            out.append({"month": str(m), "amount": 1000, "paid_on": last.isoformat()})
        elif how == "on_as_of":
            out.append({"month": str(m), "amount": 1000, "paid_on": as_of.isoformat()})
        elif how == "nothing":
            out.append({"month": str(m), "amount": 0, "paid_on": last.isoformat()})
        elif how == "undated":
            out.append({"month": str(m), "amount": 1000})
        elif how == "unpaid":
            out.append({"month": str(m), "paid_on": None})
    return out


HOWS = ("in_time", "on_as_of", "nothing", "undated", "unpaid")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_of=DAYS, admitted=st.dates(min_value=dt.date(2021, 1, 1), max_value=AS_OF),
       records_from=st.one_of(st.just(OMIT), st.none(), DAYS),
       reduced_since=st.one_of(st.none(), DAYS), policy=st.sampled_from(["dues.member.late", "dues.member.amount"]))
def test_omitted_dues_payments_decide_exactly_when_every_list_agrees(as_of, admitted, records_from, reduced_since,
                                                                    policy):
    """dues.member.late and dues.member.amount without dues_payments: decided (satisfied) only when no month
    checked can be judged whatever the payments, unknown only when two lists of payments disagree. The lists:
    none, every month paid in time, paid on as_of, paid nothing, undated, marked unpaid."""
    admitted = min(admitted, as_of)
    if records_from not in (OMIT, None):
        records_from = min(records_from, as_of)
    member = {"id": "m1", "status": "full", "admitted_on": admitted.isoformat(), "dues_base": 6000}
    if reduced_since is not None:
        since = Month.of(min(reduced_since, as_of))
        member["dues_reductions"] = [{"since": str(since), "decided_on": since.first_day().isoformat(),
                                      "approved_on": since.first_day().isoformat()}]
    omitted = check(policy, member, records_from, as_of)
    months = months_before(as_of)
    concrete = {check(policy, {**member, "dues_payments": []}, records_from, as_of).outcome}
    concrete |= {check(policy, {**member, "dues_payments": _payments(months, how, as_of)}, records_from, as_of).outcome
                 for how in HOWS}
    agree(omitted, concrete, "members[0].dues_payments")
    if omitted.outcome == "unknown" and records_from is OMIT:
        assert "records_from" in omitted.missing


def test_records_that_begin_after_the_last_complete_month_check_no_month():
    """records_from recorded, but no month both over and inside the records: nothing to judge (satisfied),
    not unknown naming the recorded records_from."""
    member = {"id": "m1", "status": "full", "admitted_on": "2010-01-05", "full_on": "2011-01-05", "dues_base": 6000,
              "dues_payments": [{"month": "2024-01", "amount": 0, "paid_on": "2024-06-20"}]}
    for policy in ("dues.member.late", "dues.member.amount"):
        r = check(policy, member, dt.date(2024, 6, 15))
        assert (r.outcome, r.missing) == ("satisfied", ()), (policy, r.outcome, r.missing)


# ---------------------------------------------------------------- dues_shortfalls: dues_base omitted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amount=st.sampled_from([0, 0.01, 15, 60, 90, 500]),
       bracket=st.sampled_from([None, "up_to_3000", "up_to_10000", "over_10000", "retired_up_to_5000"]),
       bases=st.lists(st.floats(min_value=0, max_value=50000, allow_nan=False), max_size=3))
def test_an_omitted_dues_base_decides_a_shortfall_only_when_every_base_agrees(amount, bracket, bases):
    """dues.member.amount without dues_base: decided only when every base (0, within and above the brackets,
    a very large one, others) gives that outcome; a base of 0 owes 0.00, so not even a payment of nothing is
    short for sure."""
    member = {"id": "m1", "status": "full", "admitted_on": "2010-01-05",
              "dues_payments": [{"month": "2024-05", "amount": amount, "paid_on": "2024-05-20"}]}
    if bracket is not None:
        member["dues_bracket"] = bracket
    policy = "dues.member.amount"
    start = dt.date(2024, 1, 1)
    omitted = check(policy, member, start)
    concrete = {check(policy, {**member, "dues_base": b}, start).outcome
                for b in [0, 2000, 6000, 20000, 10**7, *bases]}
    agree(omitted, concrete, "members[0].dues_base")


# ---------------------------------------------------------------- dues_shortfalls, dues_late: dues_reductions omitted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hows=st.lists(st.sampled_from((*HOWS, "none")), min_size=1, max_size=36), base=st.sampled_from([0, 6000]),
       starts=st.lists(DAYS, max_size=3), policy=st.sampled_from(["dues.member.late", "dues.member.amount"]))
def test_omitted_dues_reductions_decide_exactly_when_every_list_agrees(hows, base, starts, policy):
    """dues.member.amount and dues.member.late without dues_reductions: a reduction from a month on excuses
    a short or unpaid month, so decided only when every list of reductions (none, one from before the records,
    from a month of the records, unapproved) agrees, and unknown only when two disagree."""
    months = months_before(AS_OF)[-len(hows):]
    payments = [p for m, how in zip(months, hows) if how != "none" for p in _payments([m], how, AS_OF)]
    member = {"id": "m1", "status": "full", "admitted_on": "2010-01-05", "dues_base": base, "dues_payments": payments}
    start = dt.date(2023, 1, 1)
    omitted = check(policy, member, start)
    lists = [[], [{"since": "2000-01", "decided_on": "1999-12-01", "approved_on": "1999-12-05"}],
             [{"since": "2000-01", "decided_on": None, "approved_on": None}]]
    lists += [[{"since": str(Month.of(s)), "decided_on": s.isoformat(), "approved_on": s.isoformat()}] for s in starts]
    concrete = {check(policy, {**member, "dues_reductions": r}, start).outcome for r in lists}
    agree(omitted, concrete, "members[0].dues_reductions")
