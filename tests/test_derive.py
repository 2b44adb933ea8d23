"""Derived facts: windows over complete, recorded periods; counts with bounds; dates on the evaluation day."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from partyrules.facts import derive as d
from partyrules.facts.load import load_facts
from partyrules.facts.view import Unknown, View

D = dt.date


def view(doc, on=None):
    facts = load_facts({"format": "partyrules.facts/1", **doc})
    return View(facts, on or facts.as_of), facts


def branch_with(meetings, as_of="2024-03-31", records_from="2023-01-01", **org):
    return view({"as_of": as_of, "records_from": records_from,
                 "organizations": [{"id": "b", "kind": "branch", **org}],
                 "meetings": [{"org": "b", "kind": "theme_day", "date": m} for m in meetings]})


def test_monthly_window_judges_complete_recorded_months_only():
    months = [f"2023-{m:02d}-05" for m in range(4, 13)] + ["2024-01-05", "2024-02-05", "2024-03-05"]
    v, f = branch_with(months)
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "month", 12)
    assert cov.ok is True and [p.period for p in cov.periods][0] == "2023-04"
    # mid-April: April is not over, so the window still ends in March
    v, f = branch_with(months, as_of="2024-04-20")
    assert d.meetings_each(v, f.organizations[0], "theme_day", "month", 12).ok is True
    # a missing month inside the records is a violation even if earlier months are unrecorded
    v, f = branch_with(months[:-2], records_from="2023-06-01")
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "month", 12)
    assert cov.ok is False and cov.missed == ("2024-02", "2024-03")
    statuses = {p.period: p.status for p in cov.periods}
    assert statuses["2023-05"] == "unrecorded" and statuses["2023-06"] == "found"
    # nothing missing, but months before the records: unknown
    v, f = branch_with(months, records_from="2023-06-01")
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "month", 12)
    assert isinstance(cov.ok, Unknown) and cov.ok.missing == {"records_from"}
    # records that start mid-month: that month is not fully recorded
    v, f = branch_with(months, records_from="2023-04-02")
    assert {p.period: p.status for p in d.meetings_each(v, f.organizations[0], "theme_day", "month", 12).periods}[
        "2023-04"] == "unrecorded"


def test_rule_start_and_establishment_exclude_earlier_periods():
    v, f = branch_with(["2024-02-05", "2024-03-05"], established_on="2024-02-01")
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "month", 12)
    assert cov.ok is True and sum(p.status == "not_required" for p in cov.periods) == 10
    v, f = branch_with(["2024-03-05"])
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "month", 3, since=D(2024, 3, 1))
    assert cov.ok is True


def test_quarters_and_years():
    v, f = branch_with(["2023-05-05", "2023-08-05", "2023-11-05", "2024-02-05"], as_of="2024-03-31")
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "quarter", 4)
    assert cov.ok is True and [p.period for p in cov.periods] == ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]
    v, f = branch_with(["2023-05-05"], as_of="2024-12-30")
    cov = d.meetings_each(v, f.organizations[0], "theme_day", "year", 1)
    assert [p.period for p in cov.periods] == ["2023"] and cov.ok is True
    v, f = branch_with([], as_of="2024-12-31")
    assert d.meetings_each(v, f.organizations[0], "theme_day", "year", 1).missed == ("2024",)


@given(st.lists(st.dates(D(2022, 1, 1), D(2024, 6, 30)), max_size=20), st.dates(D(2022, 1, 1), D(2024, 6, 30)),
       st.sampled_from(["month", "quarter", "year"]))
def test_adding_a_meeting_never_makes_a_duty_worse(dates, extra, period):
    rank = {True: 2, "unknown": 1, False: 0}

    def ok(ds):
        v, f = branch_with([x.isoformat() for x in ds], as_of="2024-06-30", records_from="2022-07-01")
        value = d.meetings_each(v, f.organizations[0], "theme_day", period, 4).ok
        return "unknown" if isinstance(value, Unknown) else value
    assert rank[ok(dates + [extra])] >= rank[ok(dates)]


def test_dues_each_counts_only_months_of_membership():
    v, f = view({"as_of": "2024-06-30", "records_from": "2023-01-01",
                 "members": [{"id": "a", "admitted_on": "2024-03-15", "status": "probationary", "full_on": None,
                              "dues_paid": ["2024-04", "2024-05", "2024-06"]}]})
    cov = d.dues_each(v, f.members[0], 12)
    assert cov.ok is True and sum(p.status == "not_required" for p in cov.periods) == 9
    v, f = view({"as_of": "2024-06-30", "records_from": "2023-01-01",
                 "members": [{"id": "a", "dues_paid": ["2024-05"]}]})
    assert isinstance(d.dues_each(v, f.members[0], 3).ok, Unknown)   # admission unknown: months may not be owed


def test_training_year():
    doc = {"as_of": "2024-06-30", "records_from": "2023-01-01",
           "members": [{"id": "a", "admitted_on": "2010-01-01", "training_hours": {2022: 40}},
                       {"id": "b", "admitted_on": "2023-05-01", "training_hours": {}},
                       {"id": "c", "admitted_on": "2010-01-01"}]}
    v, f = view(doc)
    a, b, c = (d.training_year(v, m) for m in f.members)
    assert (a.year, a.required, a.hours) == (2023, True, 0.0)     # no 2023 entry inside the records: none
    assert b.required is False
    assert isinstance(c.hours, Unknown) and c.hours.missing == {"members[2].training_hours"}
    v, f = view({**doc, "records_from": "2023-02-01"})
    assert isinstance(d.training_year(v, f.members[0]).hours, Unknown)


def test_quorum_counts_committee_members_and_voting_full_members():
    doc = {"as_of": "2024-06-30", "records_from": "2023-01-01",
           "organizations": [{"id": "b", "kind": "branch", "committee_members": ["a", "b2", "c", "e"],
                              "elections": [{"date": "2022-06-01"}]}],
           "members": [{"id": x, "org": "b", "status": "full", "full_on": "2010-01-01"} for x in
                       ("a", "b2", "c", "e")] + [{"id": "p", "org": "b", "status": "probationary", "full_on": None}],
           "meetings": [{"id": "k1", "org": "b", "kind": "committee_meeting", "date": "2024-05-02",
                         "attendees": ["a"]},
                        {"id": "k2", "org": "b", "kind": "committee_meeting", "date": "2024-06-02",
                         "attendees": ["a", "c"]},
                        {"id": "g1", "org": "b", "kind": "general_meeting", "date": "2024-06-10", "voting": True,
                         "attendees": ["a", "c", "e", "p"]},
                        {"id": "g2", "org": "b", "kind": "general_meeting", "date": "2024-06-11"}]}
    v, f = view(doc)
    q = d.quorum(v, f.organizations[0], "committee_meeting", 12)
    assert q.ok is False and len(q.below) == 1 and q.below[0].startswith("k1") and q.exactly_half[0].startswith("k2")
    g = d.quorum(v, f.organizations[0], "general_meeting", 12)
    # g2: neither attendance nor the vote recorded
    assert isinstance(g.ok, Unknown) and g.ok.missing == {"meetings[3].attendees", "meetings[3].voting"}


def _general(attendees, voting=None):
    meeting = {"id": "g", "org": "b", "kind": "general_meeting", "date": "2024-06-10", "attendees": attendees}
    if voting is not None:
        meeting["voting"] = voting
    doc = {"as_of": "2024-06-30", "records_from": "2023-01-01",
           "organizations": [{"id": "b", "kind": "branch", "committee_members": []}],
           "members": [{"id": x, "org": "b", "status": "full", "full_on": "2010-01-01"} for x in "abcd"],
           "meetings": [meeting]}
    v, f = view(doc)
    return d.quorum(v, f.organizations[0], "general_meeting", 12)


def test_general_meeting_quorum_without_the_voting_flag_decides_when_attendance_does():
    over = _general(["a", "b", "c"])                  # more than half: held whether or not a vote was taken
    assert over.ok is True and over.over_half is True
    half = _general(["a", "b"])                       # exactly half: the quorum holds; the warning needs the flag
    assert half.ok is True and isinstance(half.over_half, Unknown) and half.over_half.missing == {"meetings[0].voting"}
    low = _general(["a"])                             # below half: a breach only if a vote was taken
    assert isinstance(low.ok, Unknown) and low.ok.missing == {"meetings[0].voting"}
    assert _general(["a"], voting=True).ok is False and _general(["a"], voting=False).ok is True
    assert _general(["a", "b"], voting=True).over_half is False


def test_committee_meetings_before_a_re_election_are_unknown_not_below_quorum():
    def q(elections, took=None):
        org = {"id": "b", "kind": "branch", "committee_members": ["a", "b2", "c"]}
        if elections is not None:
            org["elections"] = elections
        if took is not None:
            org["officers_took_office"] = took
        doc = {"as_of": "2024-06-30", "records_from": "2023-01-01", "organizations": [org],
               "members": [{"id": x, "org": "b", "status": "full", "full_on": "2010-01-01"} for x in ("a", "b2", "c")],
               "meetings": [{"id": "k", "org": "b", "kind": "committee_meeting", "date": "2024-02-02",
                             "attendees": ["a"]}]}
        v, f = view(doc)
        return d.quorum(v, f.organizations[0], "committee_meeting", 12)

    assert q([{"date": "2022-06-01"}]).ok is False
    before = q([{"date": "2022-06-01"}, {"date": "2024-03-01"}]).ok
    assert isinstance(before, Unknown) and before.missing == {"organizations[0].committee_members (earlier term)"}
    assert isinstance(q(None).ok, Unknown) and q(None).ok.missing == {"organizations[0].elections"}
    by_election = q([{"date": "2022-06-01"}], [{"member": "c", "date": "2024-04-01"}]).ok
    assert isinstance(by_election, Unknown)


def test_lapse_reports_the_whole_run():
    doc = {"as_of": "2024-06-30", "records_from": "2023-01-01",
           "organizations": [{"id": "b", "kind": "branch"}],
           "members": [{"id": "a", "org": "b", "admitted_on": "2010-01-01",
                        "dues_paid": [f"2023-{m:02d}" for m in range(1, 10)]}]}
    v, f = view(doc)
    lapse = d.dues_lapse(v, f.members[0], 6)
    assert lapse.lapsed is True and (lapse.since, lapse.run_months) == ("2023-10", 9)


def test_latest_election_keeps_approval_dates_as_recorded():
    # an approval after the evaluation date is "not yet approved" there: the policies compare it with as_of
    # (as they do every other approval field), so the derived fact does not rewrite it
    doc = {"as_of": "2024-06-30", "organizations": [{"id": "b", "kind": "branch", "elections": [
        {"date": "2024-03-01", "secretary_approved_on": "2024-04-01"}]}]}
    v, f = view(doc, D(2024, 3, 15))
    e = d.latest_election(v, f.organizations[0])
    assert e.secretary_approved_on == D(2024, 4, 1) and v.path(e) == "organizations[0].elections[0]"
    v, f = view(doc, D(2024, 2, 15))
    assert d.latest_election(v, f.organizations[0]) is None


def test_status_on_an_earlier_date_follows_admission_and_conversion():
    doc = {"as_of": "2024-06-30", "members": [
        {"id": "a", "status": "full", "admitted_on": "2022-01-10", "full_on": "2023-01-10"},
        {"id": "b", "status": "full"}]}
    v, f = view(doc, D(2022, 6, 30))
    assert v.status(f.members[0]) == "probationary"
    assert isinstance(v.status(f.members[1]), Unknown)
    v, f = view(doc, D(2021, 6, 30))
    assert v.status(f.members[0]) is None


def test_introducers_and_changes():
    doc = {"as_of": "2024-06-30", "organizations": [{"id": "b", "kind": "branch", "secretary_changes": [
        {"date": "2023-01-01", "consent_on": "2022-12-20"}, {"date": "2024-01-01", "consent_on": None},
        {"date": "2018-01-01", "consent_on": None}]}],
        "members": [{"id": "x", "full_on": "2010-01-01"}, {"id": "y", "full_on": "2023-06-01"}, {"id": "z"},
                    {"id": "n", "admitted_on": "2023-03-01",
                     "introducers": [{"member": "x"}, {"member": "y"}, {"name": "外单位", "full_member": True}]},
                    {"id": "u", "admitted_on": "2023-03-01", "introducers": [{"member": "x"}, {"member": "z"}]}]}
    v, f = view(doc)
    assert d.changes_without_consent(v, f.organizations[0], since=D(2020, 1, 5)) == ("2024-01-01",)
    assert d.full_member_introducers(v, f.members[3]) == 2
    count = d.full_member_introducers(v, f.members[4])
    assert isinstance(count, Unknown) and (count.lo, count.hi) == (1, 2)


def test_a_lapse_earlier_in_the_records_is_found_and_said_to_have_ended():
    doc = {"as_of": "2024-06-30", "records_from": "2023-01-01",
           "organizations": [{"id": "b", "kind": "branch"}],
           "members": [{"id": "a", "org": "b", "admitted_on": "2010-01-01",
                        "dues_paid": ["2023-01"] + [f"2023-{m:02d}" for m in range(9, 13)]
                        + [f"2024-{m:02d}" for m in range(1, 7)]}]}
    v, f = view(doc)
    lapse = d.dues_lapse(v, f.members[0], 6)
    assert lapse.lapsed is True and (lapse.since, lapse.until, lapse.run_months) == ("2023-02", "2023-08", 7)
    assert lapse.ongoing is False
    # five empty months are not six, wherever they are
    doc["members"][0]["dues_paid"] = ["2023-01", "2023-07"] + [f"2023-{m:02d}" for m in range(8, 13)] + [
        f"2024-{m:02d}" for m in range(1, 7)]
    v, f = view(doc)
    assert d.dues_lapse(v, f.members[0], 6).lapsed is False
