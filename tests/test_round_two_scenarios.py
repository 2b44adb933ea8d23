"""Whole-court scenarios for the second round of the rulebook (issue 12): verdicts the facts do not support
become unknown, directions the facts decide are decided, and unknowns say what is really missing."""

import copy
import datetime as dt

import pytest

import partyrules
from partyrules.periods import add_years
from partyrules.testing.courts import clean_court

BOOK = partyrules.load_rulebook()
ON = "2024-06-30"


def _org(doc, oid):
    return next(o for o in doc["organizations"] if o["id"] == oid)


def _member(doc, mid):
    return next(m for m in doc["members"] if m["id"] == mid)


def _outcomes(doc, policy, engine="native"):
    report = partyrules.check(doc, rulebook=BOOK, engine=engine)
    return {r.subject.id: r for r in report.results if r.policy == policy}


def test_an_officer_converted_after_the_election_is_unknown_not_violated():
    doc = clean_court(ON)
    b1 = _org(doc, "b1")
    held = dt.date.fromisoformat(b1["elections"][0]["date"])
    m04 = _member(doc, "m04")     # a committee member of b1, made a full member after the election
    m04.update(admitted_on=(held - dt.timedelta(days=200)).isoformat(),
               full_on=(held + dt.timedelta(days=165)).isoformat())
    for key in ("introducers", "admission_approved_on", "pre_approval_talk_on"):
        m04.pop(key, None)
    result = _outcomes(doc, "constitution.org.no-probationary-officers")["b1"]
    assert result.outcome == "unknown" and result.missing == ("organizations[1].officers_took_office",)
    # the day of a by-election after the conversion decides it
    b1["officers_took_office"] = [{"member": "m04", "date": (held + dt.timedelta(days=200)).isoformat()}]
    assert _outcomes(doc, "constitution.org.no-probationary-officers")["b1"].outcome == "satisfied"
    b1["officers_took_office"] = [{"member": "m04", "date": held.isoformat()}]
    assert _outcomes(doc, "constitution.org.no-probationary-officers")["b1"].outcome == "violated"


def test_committee_meetings_before_a_re_election_are_not_measured_against_the_new_committee():
    doc = clean_court(ON)
    b1 = _org(doc, "b1")
    recent = dt.date.fromisoformat(ON) - dt.timedelta(days=60)
    b1["elections"].append({"date": recent.isoformat(), "secretary_approved_on": recent.isoformat()})
    for mt in doc["meetings"]:        # the old committee met with two of today's members only
        if mt["org"] == "b1" and mt["kind"] == "committee_meeting" and mt["date"] < recent.isoformat():
            mt["attendees"] = mt["attendees"][:2]
    result = _outcomes(doc, "branch-regs.branch.committee-meeting-quorum")["b1"]
    assert result.outcome == "unknown"
    assert result.missing == ("organizations[1].committee_members (earlier term)",)


def test_a_usual_term_is_a_warning_and_the_hard_bound_an_error():
    doc = clean_court(ON)
    b3 = _org(doc, "b3")
    held = add_years(dt.date.fromisoformat(ON), -4)
    b3["elections"] = [{"date": held.isoformat(), "secretary_approved_on": held.isoformat()}]
    b3["postponement_approved_until"] = None
    on_time = _outcomes(doc, "organs.org.reelection-on-time")["b3"]
    assert (on_time.outcome, on_time.severity) == ("violated", "warning")
    assert "一般3年" in on_time.message["zh"] and "最迟" not in on_time.message["zh"]
    assert _outcomes(doc, "constitution.org.term-limit")["b3"].outcome == "satisfied"
    older = add_years(dt.date.fromisoformat(ON), -5) - dt.timedelta(days=30)
    b3["elections"] = [{"date": older.isoformat(), "secretary_approved_on": older.isoformat()}]
    limit = _outcomes(doc, "constitution.org.term-limit")["b3"]
    assert (limit.outcome, limit.severity) == ("violated", "error")


def test_more_than_a_year_overdue_is_decided_without_the_postponement_field():
    doc = clean_court(ON)
    b3 = _org(doc, "b3")
    held = add_years(dt.date.fromisoformat(ON), -4) - dt.timedelta(days=30)
    b3["elections"] = [{"date": held.isoformat(), "secretary_approved_on": held.isoformat()}]
    b3.pop("postponement_approved_until", None)
    assert _outcomes(doc, "organs.org.reelection-on-time")["b3"].outcome == "violated"
    b3["elections"] = [{"date": (held + dt.timedelta(days=60)).isoformat()}]     # less than a year overdue
    assert _outcomes(doc, "organs.org.reelection-on-time")["b3"].outcome == "unknown"


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_records_that_start_too_late_are_named_with_their_date(engine):
    if engine == "durable":
        pytest.importorskip("durable.lang")
    doc = clean_court(ON)
    doc["records_from"] = "2024-05-01"
    report = partyrules.check(doc, rulebook=BOOK, engine=engine)
    late = [r for r in report.results if r.outcome == "unknown" and "records_from" in r.missing]
    assert late
    for r in late:
        assert "记录自2024-05-01起才完整" in r.message["zh"], r.message["zh"]
        assert "the records start on 2024-05-01" in r.message["en"]
    doc.pop("records_from")
    report = partyrules.check(doc, rulebook=BOOK, engine=engine)
    unknown = [r for r in report.results if r.outcome == "unknown" and r.missing == ("records_from",)]
    assert unknown and all(r.message["zh"] == "缺少事实，无法判定：records_from" for r in unknown)


def test_a_probation_past_its_end_with_no_general_meeting_since_is_decided():
    doc = clean_court(ON)
    m10 = _member(doc, "m10")
    admitted = dt.date.fromisoformat(ON) - dt.timedelta(days=500)
    m10["admitted_on"] = admitted.isoformat()
    m10["admission_reviewed_by_party_group_on"] = (admitted + dt.timedelta(days=7)).isoformat()
    m10["pre_approval_talk_on"] = (admitted + dt.timedelta(days=10)).isoformat()
    m10["admission_approved_on"] = (admitted + dt.timedelta(days=14)).isoformat()
    m10["applied_on"] = (admitted - dt.timedelta(days=400)).isoformat()
    m10.pop("development", None)               # its process is another test's: one application date, given once
    m10["birth_date"] = add_years(admitted, -26).isoformat()
    m10.pop("conversion_meeting_on", None)     # no conversion meeting recorded (the clean court says null: none)
    end = add_years(admitted, 1).isoformat()
    with_meetings = copy.deepcopy(doc)
    doc["meetings"] = [m for m in doc["meetings"]
                       if not (m["org"] == "b1" and m["kind"] == "general_meeting" and m["date"] >= end)]
    assert _outcomes(doc, "constitution.member.probation-decided")["m10"].outcome == "violated"
    assert _outcomes(doc, "constitution.member.probation-past-end")["m10"].outcome == "satisfied"
    assert _outcomes(with_meetings, "constitution.member.probation-decided")["m10"].outcome == "unknown"
    warning = _outcomes(with_meetings, "constitution.member.probation-past-end")["m10"]
    assert (warning.outcome, warning.severity) == ("violated", "warning")
