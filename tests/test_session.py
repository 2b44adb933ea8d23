"""Streaming sessions (partyrules.open_session): every step equals a fresh batch check."""

from __future__ import annotations

import copy
import gc
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import partyrules
from partyrules import OMITTED, InputError, UsageError
from partyrules.engine.durable import durable_available
from partyrules.report.render import render_json
from partyrules.testing import fact_documents

BOOK = partyrules.load_rulebook()
COURT = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"
HAS_DURABLE = durable_available()[0]
NO_DURABLE = "needs the durable extra (pip install 'partyrules[durable]', Python 3.11/3.12): not installed or cannot load here"
ENGINES = ["native", pytest.param("durable", marks=[pytest.mark.durable, pytest.mark.skipif(
    not HAS_DURABLE, reason=NO_DURABLE)])]


def as_json(report) -> dict:
    out = json.loads(render_json(report, True))
    out.pop("engine")
    return out


def court() -> dict:
    return {
        "format": "partyrules.facts/1", "as_of": "2024-06-30", "records_from": "2023-01-01",
        "unit": {"id": "court", "name": "法院", "level": "county", "staff_total": 100, "party_affairs_staff": 1,
                 "party_funding_in_budget": True, "leaders": ["m1"],
                 "departments": [{"id": "d1", "name": "一庭", "head": "m1", "staff": 10}]},
        "organizations": [{"id": "b1", "kind": "branch", "name": "一支部", "parent": None, "departments": ["d1"],
                           "secretary": "m1", "committee_members": [], "deputy_secretaries": [],
                           "discipline_member": None,
                           "elections": [{"date": "2023-03-01", "secretary_approved_on": "2023-03-10"}]}],
        "members": [{"id": f"m{i}", "name": f"党员{i}", "org": "b1", "status": "full", "admitted_on": "2000-01-01",
                     "full_on": "2001-01-01",   # dues paid for every recorded month but June (no lapse anywhere)
                     "dues_paid": [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-02", "2024-03",
                                                                           "2024-04", "2024-05"]}
                    for i in range(1, 5)],
        "meetings": [{"id": "mt1", "org": "b1", "kind": "general_meeting", "date": "2024-05-10",
                      "attendees": ["m1", "m2", "m3", "m4"]}],
        "activities": [],
    }


def agrees(session) -> dict:
    """The session's report equals a batch check of its document on its date."""
    got = as_json(session.results())
    want = as_json(partyrules.check(session.document, session.as_of, rulebook=BOOK))
    assert got == want
    return got


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def test_opening_from_a_path_a_mapping_or_a_loaded_document(engine, tmp_path):
    path = tmp_path / "court.json"
    path.write_text(json.dumps(court()), encoding="utf-8")
    for facts in (str(path), court(), partyrules.load_facts(court())):
        with partyrules.open_session(facts, engine=engine, rulebook=BOOK) as s:
            report = s.results()
            assert report.engine == engine
            agrees(s)
    with partyrules.open_session(str(path), rulebook=BOOK, engine=engine) as s:
        assert s.results().source == str(path)


def test_every_kind_of_change_keeps_results_equal_to_a_batch_check(engine):
    with partyrules.open_session(court(), engine=engine, rulebook=BOOK) as s:
        agrees(s)
        s.assert_fact("member", {"id": "m5", "name": "新党员", "org": "b1", "status": "probationary",
                                 "admitted_on": "2024-03-01", "full_on": None})
        agrees(s)
        s.assert_fact("member", {"id": "m5", "name": "新党员", "org": None, "status": "probationary",
                                 "admitted_on": "2024-03-01", "full_on": None})       # replaced: now enrolled nowhere
        assert any(r.subject.id == "m5" and r.outcome == "violated" for r in agrees_report(s))
        s.assert_fact("meeting", {"org": "b1", "kind": "theme_day", "date": "2024-06-03", "attendees": ["m1"]})
        s.assert_fact("meeting", {"id": "mt1", "org": "b1", "kind": "general_meeting", "date": "2024-05-10"})
        agrees(s)                                                          # mt1 replaced: attendance unknown
        s.retract_fact("meeting", {"org": "b1", "kind": "theme_day", "date": "2024-06-03", "attendees": ["m1"]})
        s.retract_fact("meeting", "mt1")
        agrees(s)
        s.assert_fact("activity", {"kind": "party_group_study", "date": "2024-04-01", "note": "研究党建"})
        agrees(s)
        s.retract_fact("activity", {"kind": "party_group_study", "date": "2024-04-01", "note": "研究党建"})
        s.assert_fact("election", {"org": "b1", "date": "2024-04-01", "secretary_approved_on": None})
        assert agrees(s) != {}
        s.retract_fact("election", {"org": "b1", "date": "2024-04-01"})
        s.assert_fact("department", {"id": "d2", "name": "二庭", "head": None, "staff": 5})
        s.assert_fact("organization", {"id": "b2", "kind": "branch", "name": "二支部", "parent": None,
                                       "departments": ["d2"], "secretary": None, "committee_members": []})
        agrees(s)
        s.assert_fact("unit", {"party_affairs_staff": OMITTED, "staff_total": 300})
        assert "party_affairs_staff" not in s.document["unit"]
        agrees(s)
        s.set("records_from", OMITTED)
        agrees(s)
        s.set("records_from", "2022-01-01")
        s.set("as_of", "2024-05-31")
        agrees(s)
        s.retract_fact("organization", "b2")
        s.retract_fact("department", "d2")
        s.retract_fact("member", {"id": "m5"})
        agrees(s)


def agrees_report(session):
    agrees(session)
    return session.results().results


def test_an_invalid_change_is_refused_and_undone(engine):
    with partyrules.open_session(court(), engine=engine, rulebook=BOOK) as s:
        before = as_json(s.results())
        doc = s.document
        with pytest.raises(InputError, match="not the id of any"):
            s.retract_fact("member", "m1")            # still the secretary, a leader and a head
        with pytest.raises(InputError):
            s.assert_fact("member", {"id": "m9", "org": "nowhere"})
        with pytest.raises(UsageError, match="no member"):
            s.retract_fact("member", "m404")
        with pytest.raises(UsageError, match="unknown kind"):
            s.assert_fact("memebr", {"id": "x"})
        with pytest.raises(InputError):
            s.set("records_from", "not a date")
        with pytest.raises(UsageError, match="expected one of as_of, records_from"):
            s.set("unit", {})
        assert s.document == doc
        assert as_json(s.results()) == before


def test_a_fixed_evaluation_date_is_kept(engine):
    with partyrules.open_session(court(), as_of="2024-03-31", engine=engine, rulebook=BOOK) as s:
        assert s.as_of.isoformat() == "2024-03-31"
        agrees(s)
        with pytest.raises(UsageError, match="change refused"):
            s.set("as_of", "2024-01-31")             # the document would end before the evaluation date
        s.set("as_of", "2024-04-30")
        assert s.results().as_of.isoformat() == "2024-03-31"
        agrees(s)


def test_closed_sessions_refuse_everything(engine):
    s = partyrules.open_session(court(), engine=engine, rulebook=BOOK)
    s.close()
    s.close()
    for call in (s.results, lambda: s.assert_fact("member", {"id": "x"}), lambda: s.retract_fact("member", "m1"),
                 lambda: s.set("as_of", "2024-01-01")):
        with pytest.raises(UsageError, match="closed"):
            call()


def test_unknown_engine_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown engine"):
        partyrules.open_session(court(), engine="drools")


@pytest.mark.durable
@pytest.mark.skipif(not HAS_DURABLE, reason=NO_DURABLE)
def test_only_changed_subjects_go_back_to_durable():
    with partyrules.open_session(court(), rulebook=BOOK, engine="durable") as s:
        s.results()
        total = s.last_update["subjects"]
        assert s.last_update["reasserted"] == total
        s.assert_fact("member", court()["members"][1])             # the same record again: no change
        agrees(s)
        assert s.last_update["reasserted"] == 0                    # nothing changed, nothing re-asserted
        s.assert_fact("member", {"id": "m2", "name": "党员2", "org": "b1", "status": "full",
                                 "admitted_on": "2000-01-01", "full_on": "2001-01-01", "dues_paid": []})
        agrees(s)
        assert 0 < s.last_update["reasserted"] < total / 3         # m2's dues policy, counts of b1 …


def big_court(n: int = 30) -> dict:
    doc = court()
    doc["organizations"].append({"id": "b2", "kind": "branch", "name": "二支部", "parent": None, "departments": [],
                                 "secretary": "m5", "committee_members": [], "deputy_secretaries": [],
                                 "discipline_member": None,
                                 "elections": [{"date": "2023-03-01", "secretary_approved_on": "2023-03-10"}]})
    for i in range(5, n):
        doc["members"].append({"id": f"m{i}", "name": f"党员{i}", "org": "b2" if i % 2 else "b1", "status": "full",
                               "admitted_on": "2000-01-01", "full_on": "2001-01-01", "dues_paid": ["2024-05"]})
    return doc


def test_the_native_session_rechecks_only_the_subjects_a_change_can_touch():
    with partyrules.open_session(big_court(), rulebook=BOOK) as s:
        assert s.engine == "native"
        agrees(s)
        total = s.last_update["subjects"]
        assert s.last_update["reasserted"] == total                     # the first results check everything
        s.assert_fact("meeting", {"id": "mt2", "org": "b2", "kind": "theme_day", "date": "2024-06-05",
                                  "attendees": ["m5", "m7"]})
        agrees(s)
        assert 0 < s.last_update["reasserted"] < total * 0.7             # b1's members are not re-checked
        s.assert_fact("member", {"id": "m8", "name": "党员8", "org": "b1", "status": "full",
                                 "admitted_on": "2000-01-01", "full_on": "2001-01-01", "dues_paid": []})
        agrees(s)
        s.assert_fact("member", {"id": "m31", "name": "新人", "org": "b2", "status": "probationary",
                                 "admitted_on": "2024-01-10", "full_on": None,
                                 "introducers": [{"member": "m9"}, {"member": "m11"}]})
        agrees(s)
        s.assert_fact("member", {"id": "m9", "name": "党员9", "org": "b2", "status": "full",
                                 "admitted_on": "2000-01-01", "full_on": "2024-03-01", "dues_paid": []})
        agrees(s)                                                        # m31's introducer count changed
        s.assert_fact("election", {"org": "b2", "date": "2024-04-01", "secretary_approved_on": "2024-04-10"})
        agrees(s)
        s.assert_fact("activity", {"kind": "party_lecture", "org": "b2", "date": "2024-04-02", "member": "m5"})
        agrees(s)
        s.assert_fact("meeting", {"id": "mt2", "org": "b2", "kind": "theme_day", "date": "2024-06-05"})
        agrees(s)                                                        # attendance now unrecorded


@pytest.mark.durable
@pytest.mark.skipif(not HAS_DURABLE, reason=NO_DURABLE)
def test_sessions_and_batch_checks_interleave():
    a = partyrules.open_session(court(), rulebook=BOOK, engine="durable")
    b = partyrules.open_session(court(), rulebook=BOOK, engine="durable")
    try:
        for i in range(5, 9):
            a.assert_fact("member", {"id": f"m{i}", "org": "b1", "status": "full", "admitted_on": "2010-01-01",
                                     "full_on": "2011-01-01"})
            agrees(a)
            partyrules.check(court(), rulebook=BOOK, engine="durable")
            agrees(b)
            b.retract_fact("meeting", "mt1") if i == 5 else None
            agrees(b)
    finally:
        a.close()
        b.close()


@pytest.mark.durable
@pytest.mark.skipif(not HAS_DURABLE, reason=NO_DURABLE)
def test_a_forgotten_session_frees_its_durable_state():
    from partyrules.engine.durable import DurableHost
    host = DurableHost.get()
    base = host.open_states
    s = partyrules.open_session(court(), rulebook=BOOK, engine="durable")
    s.results()
    assert host.open_states == base + 1
    del s
    gc.collect()
    partyrules.check(court(), rulebook=BOOK, engine="durable")      # a safe point: pending closes run
    assert host.open_states == base


@pytest.mark.durable
@pytest.mark.skipif(not HAS_DURABLE, reason=NO_DURABLE)
def test_retracting_and_reasserting_the_same_record():
    with partyrules.open_session(court(), rulebook=BOOK, engine="durable") as s:
        record = copy.deepcopy(court()["meetings"][0])
        for _ in range(3):
            s.retract_fact("meeting", "mt1")
            agrees(s)
            s.assert_fact("meeting", record)
            agrees(s)


@pytest.mark.skipif(HAS_DURABLE, reason="durable-rules loads here (tests/test_durable.py covers the message)")
def test_where_durable_rules_cannot_load_asking_for_it_is_a_clear_usage_error():
    import sys

    from click.testing import CliRunner

    from partyrules.cli import main
    version = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    for call in (lambda: partyrules.check(court(), engine="durable"), lambda: partyrules.open_session(court(), engine="durable")):
        with pytest.raises(UsageError, match=version):
            call()
    result = CliRunner().invoke(main, ["check", "-", "--engine", "durable"], input=json.dumps(court()))
    assert result.exit_code == 2 and version in result.output


@pytest.mark.slow
def test_a_native_session_fed_the_example_court_record_by_record_matches_batch_checks():
    from session_events import court_events

    from partyrules.source import read_path
    start, events = court_events(read_path(COURT).data)
    every = max(1, len(events) // 12)
    with partyrules.open_session(start, rulebook=BOOK) as s:
        agrees(s)
        for i, (kind, record) in enumerate(events, 1):
            s.assert_fact(kind, copy.deepcopy(record))
            if i % every == 0 or i == len(events):
                agrees(s)
    assert s.last_update["reasserted"] <= s.last_update["subjects"]


@pytest.mark.slow
@settings(max_examples=15)
@given(data=st.data())
def test_a_native_session_fed_a_generated_court_record_by_record_equals_a_fresh_check(data):
    """The native session's touched-subject bound is exact: after every step, the same report as a fresh check."""
    doc = data.draw(fact_documents(max_branches=3, max_members_per_branch=6))
    members, meetings = doc.get("members") or [], doc.get("meetings") or []
    later_members = data.draw(st.sets(st.sampled_from(range(len(members))), max_size=4)) if members else set()
    start = dict(doc, meetings=[], activities=[])
    # members that others name (as secretary, introducer …) must exist from the start: add only unnamed ones later
    named = {s for i, m in enumerate(members) for s in _texts(doc, exclude=m)}
    start["members"] = [m for i, m in enumerate(members) if i not in later_members or m["id"] in named]
    late = [m for i, m in enumerate(members) if i in later_members and m["id"] not in named]
    with partyrules.open_session(start, rulebook=BOOK) as s:
        agrees(s)
        steps = [("member", m) for m in late] + [("meeting", m) for m in meetings]
        for kind, record in data.draw(st.permutations(steps))[:12]:
            if kind == "meeting" and data.draw(st.booleans()):
                record = {k: v for k, v in record.items() if k != "attendees"}
            try:
                s.assert_fact(kind, record)
            except InputError:
                continue                       # e.g. a meeting attended by a member not yet added
            agrees(s)


def _texts(doc: dict, exclude: dict) -> set:
    out: set = set()

    def walk(v):
        if v is exclude:
            return
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk({k: v for k, v in doc.items() if k != "meetings"})
    return out

