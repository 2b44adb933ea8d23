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
