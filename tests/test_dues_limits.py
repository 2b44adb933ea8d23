"""dues_late with the payments omitted asks only whether the limit of some month checked has passed; that
is worked out once per view for the months in the records (each member's months are a suffix of them).
Held here against the plain definition, month by month, for several members sharing one view."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from partyrules import counting
from partyrules.facts import derive_devt
from partyrules.facts.load import load_facts
from partyrules.facts.view import Unknown, View

DAYS = st.dates(min_value=dt.date(2021, 6, 1), max_value=dt.date(2024, 12, 31))


def plain_passed(view: View, member, months: int, since, late_months: int) -> bool:
    window = derive_devt._checked_months(view, member, months, since)
    assert not isinstance(window, Unknown)      # records_from given: dues_late asks only then
    latest = max(view.as_of, view.snapshot)
    return any(counting.month_end_plus(m, late_months) < latest for m in window)


@settings(max_examples=150, deadline=None)
@given(doc_as_of=DAYS, on=DAYS, records_from=DAYS,
       admitted=st.lists(st.one_of(st.none(), DAYS), min_size=1, max_size=4),
       months=st.integers(0, 14), since=st.one_of(st.none(), DAYS),
       late=st.lists(st.integers(0, 8), min_size=1, max_size=3))
def test_a_passed_limit_is_found_as_month_by_month(doc_as_of, on, records_from, admitted, months, since, late):
    members = [{"id": f"m{i}", "status": "full"} for i in range(len(admitted))]
    for member, day in zip(members, admitted):
        if day is not None:
            member["admitted_on"] = min(day, doc_as_of).isoformat()
    doc = {"format": "partyrules.facts/1", "as_of": doc_as_of.isoformat(), "members": members,
           "records_from": min(records_from, doc_as_of).isoformat()}
    view = View(load_facts(doc), on)
    for _round in range(2):        # the second round reads what the first kept on the view
        for member, late_months in itertools.product(view.facts.members, late):
            assert (derive_devt._late_limit_passed(view, member, months, since, late_months)
                    == plain_passed(view, member, months, since, late_months))
