"""Properties of whole checks over generated courts (see partyrules.testing)."""

import copy
import datetime as dt
import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import partyrules
from partyrules.report.render import render_json
from partyrules.testing import fact_documents, with_omissions

pytestmark = pytest.mark.slow      # hypothesis searches: minutes; `-m "not slow"` skips them

BOOK = partyrules.load_rulebook()


def outcomes(report):
    return {(r.policy, r.subject.kind, r.subject.id): r.outcome for r in report.results}


@given(st.data())
def test_omitting_a_fact_never_decides_an_outcome(data):
    doc = data.draw(fact_documents())
    less, removed = data.draw(with_omissions(doc))
    full = outcomes(partyrules.check(doc, rulebook=BOOK))
    partial = outcomes(partyrules.check(less, rulebook=BOOK))
    for key, outcome in partial.items():
        if key in full:
            assert outcome in (full[key], "unknown"), (key, full[key], outcome, removed)


@given(fact_documents(), st.integers(0, 3000))
def test_no_policy_errors_and_violations_cite_editions_in_force(doc, days_back):
    snap = dt.date.fromisoformat(doc["as_of"])
    on = snap - dt.timedelta(days=days_back)
    report = partyrules.check(doc, on, rulebook=BOOK)
    assert report.summary["error"] == 0, [r.message for r in report.results if r.outcome == "error"][:3]
    reg = report.registry
    for r in report.results:
        assert r.citations, r.policy
        for spec in r.citations:
            assert reg.is_in_force(spec.citation.instrument, spec.citation.edition, on)
        assert any(s.citation.instrument == r.instrument and s.citation.edition == r.edition for s in r.citations)
        if r.outcome == "unknown":
            assert r.missing
        else:
            assert not r.missing


@given(fact_documents())
def test_same_input_same_bytes(doc):
    a = render_json(partyrules.check(copy.deepcopy(doc), rulebook=BOOK), True)
    b = render_json(partyrules.check(json.loads(json.dumps(doc)), rulebook=BOOK), True)
    assert a == b


@given(st.data())
def test_a_meeting_everyone_attends_never_creates_a_lapse(data):
    doc = data.draw(fact_documents(records_months=13))
    members = [m["id"] for m in doc["members"] if m.get("org")]
    assume(members)
    before = outcomes(partyrules.check(doc, rulebook=BOOK))
    snap = dt.date.fromisoformat(doc["as_of"])
    day = snap - dt.timedelta(days=data.draw(st.integers(0, 360)))
    org = next(m["org"] for m in doc["members"] if m.get("org"))
    more = copy.deepcopy(doc)
    more["meetings"].append({"org": org, "kind": "theme_day", "date": day.isoformat(), "attendees": members})
    after = outcomes(partyrules.check(more, rulebook=BOOK))
    for key, outcome in after.items():
        if key[0] == "constitution.member.six-month-lapse" and outcome == "violated":
            assert before.get(key) == "violated", key


_RANK = {"violated": 0, "unknown": 1, "satisfied": 2, "not_applicable": 2}


@given(st.data())
def test_a_leader_attending_their_own_organization_never_makes_dual_life_worse(data):
    doc = data.draw(fact_documents(records_months=25))
    leaders = [m for m in doc["members"] if m["id"] in (doc.get("unit") or {}).get("leaders", []) and m.get("org")]
    assume(leaders)
    leader = data.draw(st.sampled_from(leaders))
    key = ("member-edu.unit.leaders-dual-org-life", "unit", doc["unit"]["id"])
    before = outcomes(partyrules.check(doc, rulebook=BOOK)).get(key, "not_in_force")
    snap = dt.date.fromisoformat(doc["as_of"])
    day = snap - dt.timedelta(days=data.draw(st.integers(0, 720)))
    more = copy.deepcopy(doc)
    more["meetings"].append({"org": leader["org"], "kind": data.draw(st.sampled_from(["theme_day", "general_meeting"])),
                             "date": day.isoformat(), "attendees": [leader["id"]]})
    after = outcomes(partyrules.check(more, rulebook=BOOK)).get(key, "not_in_force")
    assert (before == "not_in_force") == (after == "not_in_force")
    if before != "not_in_force":
        assert _RANK[after] >= _RANK[before], (before, after)


@given(fact_documents())
def test_narrowed_citations_appear_only_on_subjects_of_their_kinds(doc):
    report = partyrules.check(doc, rulebook=BOOK)
    kinds = {o["id"]: o["kind"] for o in doc.get("organizations") or []}
    policies = {p.id: p for p in BOOK.policies}
    for r in report.results:
        shown = {(c.citation, c.org_kinds) for c in r.citations}
        for spec in policies[r.policy].citations:
            if spec.org_kinds is None or not report.registry.is_in_force(
                    spec.citation.instrument, spec.citation.edition, report.as_of):
                continue
            applies = r.subject.kind == "organization" and kinds.get(r.subject.id) in spec.org_kinds
            assert ((spec.citation, spec.org_kinds) in shown) == applies, (r.policy, r.subject, spec.citation)


# Facts that can only make a lapse longer, and the policies whose lapse they lengthen: such a fact never turns a
# violation of them into a pass (a longer gap in dues or attendance, a term begun earlier).
_LENGTHENING = {
    "dues": ("constitution.member.six-month-lapse", "member-edu.member.dues-paid-monthly"),
    "attendance": ("constitution.member.six-month-lapse", "branch-regs.branch.committee-meeting-quorum",
                   "branch-regs.branch.general-meeting-quorum"),
    "term": ("organs.org.reelection-on-time", "constitution.org.term-limit"),
}


@given(st.data())
def test_a_fact_that_only_lengthens_a_lapse_never_turns_violated_into_satisfied(data):
    doc = data.draw(fact_documents(records_months=25))
    kind = data.draw(st.sampled_from(sorted(_LENGTHENING)))
    more = copy.deepcopy(doc)
    if kind == "dues":
        payers = [m for m in more["members"] if m.get("dues_paid")]
        assume(payers)
        m = data.draw(st.sampled_from(payers))
        m["dues_paid"].remove(data.draw(st.sampled_from(m["dues_paid"])))
    elif kind == "attendance":
        attended = [mt for mt in more["meetings"] if mt.get("attendees")]
        assume(attended)
        mt = data.draw(st.sampled_from(attended))
        mt["attendees"].remove(data.draw(st.sampled_from(mt["attendees"])))
    else:
        single = [o for o in more["organizations"] if len(o.get("elections") or []) == 1]
        assume(single)
        e = data.draw(st.sampled_from(single))["elections"][0]
        e["date"] = (dt.date.fromisoformat(e["date"]) - dt.timedelta(days=data.draw(st.integers(1, 900)))).isoformat()
        e.pop("secretary_approved_on", None)
    before = outcomes(partyrules.check(doc, rulebook=BOOK))
    after = outcomes(partyrules.check(more, rulebook=BOOK))
    for key, outcome in before.items():
        if key[0] in _LENGTHENING[kind] and outcome == "violated":
            assert after.get(key) != "satisfied", (key, kind)
