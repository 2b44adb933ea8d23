"""Applicants as check subjects (subject.kind applicant), and one application date for a member.

docs/report.md (applicants as subjects) and docs/facts-devt.md (one application date).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.errors import InputError
from partyrules.report.diff import compare, read_report, render_diff_table
from partyrules.report.render import render_html, render_json, render_table
from partyrules.report.sarif import render_sarif, subject_positions

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"

try:
    import durable.lang  # noqa: F401
    HAS_DURABLE = True
except Exception:       # noqa: BLE001 - durable-rules cannot load on every Python
    HAS_DURABLE = False


def doc(*applicants, members=(), as_of="2024-06-30"):
    out = {"format": "partyrules.facts/1", "as_of": as_of, "members": list(members)}
    if applicants:
        out["applicants"] = list(applicants)
    return out


def results_of(report, policy, kind="applicant"):
    return {r.subject.id: r for r in report.results if r.policy == policy and r.subject.kind == kind}


def court() -> dict:
    return yaml.safe_load(COURT.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- each direction, per policy

SCENARIOS = [
    # (policy, development, birth date, outcome, missing)
    ("devt.applicant.age", {"applied_on": "2023-09-01"}, "2006-03-01", "violated", ()),
    ("devt.applicant.age", {"applied_on": "2023-09-01"}, "2005-09-01", "satisfied", ()),
    ("devt.applicant.age", {"applied_on": "2023-09-01"}, None, "unknown", ("applicants[0].birth_date",)),
    ("devt.applicant.talk", {"applied_on": "2024-03-01", "application_talk_on": "2024-04-10"}, None, "violated", ()),
    ("devt.applicant.talk", {"applied_on": "2024-03-01", "application_talk_on": "2024-04-01"}, None, "satisfied", ()),
    ("devt.applicant.talk", {"applied_on": "2024-03-01"}, None, "unknown",
     ("applicants[0].development.application_talk_on",)),
    ("devt.applicant.assessment", {"activist_on": "2023-05-22", "assessments": [], "object_on": None}, None,
     "violated", ()),
    ("devt.applicant.assessment", {"activist_on": "2023-05-22", "assessments": ["2023-11-22", "2024-05-20"],
                                   "object_on": None}, None, "satisfied", ()),
    ("devt.applicant.assessment", {"activist_on": "2023-05-22", "object_on": None}, None, "unknown",
     ("applicants[0].development.assessments",)),
    # without object_on the cultivation may have ended on any day up to as_of: decided when that does not matter
    ("devt.applicant.assessment", {"activist_on": "2023-05-22", "assessments": ["2023-11-22", "2024-05-20"]}, None,
     "satisfied", ()),
    ("devt.applicant.assessment", {"activist_on": "2023-05-22", "assessments": ["2023-11-22"]}, None, "unknown",
     ("applicants[0].development.object_on",)),
    ("devt.applicant.assessment", {"activist_on": "2024-01-10"}, None, "satisfied", ()),
    ("devt.applicant.assessment", {"activist_on": "2023-05-22"}, None, "unknown",
     ("applicants[0].development.assessments", "applicants[0].development.object_on")),
    ("devt.applicant.object-one-year", {"activist_on": "2022-04-20", "object_on": "2023-04-19"}, None, "violated", ()),
    ("devt.applicant.object-one-year", {"activist_on": "2022-04-20", "object_on": "2023-04-20"}, None, "satisfied", ()),
    ("devt.applicant.activist-filed", {"activist_on": "2022-04-20", "activist_filed_on": None,
                                       "object_on": "2023-05-01"}, None, "violated", ()),
    ("devt.applicant.contacts", {"activist_on": "2023-10-10", "contacts": [{"name": "甲"}]}, None, "unknown",
     ("applicants[0].development.contacts[0].full_member",)),
]


@pytest.mark.parametrize("policy,dev,birth,outcome,missing", SCENARIOS,
                         ids=[f"{s[0]}-{s[3]}-{i}" for i, s in enumerate(SCENARIOS)])
@pytest.mark.parametrize("engine", ["native", "durable"])
def test_each_applicant_policy_decides_each_way_on_both_engines(policy, dev, birth, outcome, missing, engine):
    if engine == "durable" and not HAS_DURABLE:
        pytest.skip("needs the durable extra")
    person = {"id": "a1", "name": "韩雪", "development": dev}
    if birth:
        person["birth_date"] = birth
    report = partyrules.check(doc(person), engine=engine)
    found = results_of(report, policy)
    assert set(found) == {"a1"}
    r = found["a1"]
    assert r.outcome == outcome and tuple(r.missing) == missing
    assert r.subject == partyrules.report.model.Subject("applicant", "a1", "韩雪")
    if outcome == "violated":
        assert r.message["zh"].startswith("入党申请人韩雪")


def test_a_document_without_applicants_never_sees_the_kind():
    data = court()
    data.pop("applicants")
    report = partyrules.check(data)
    assert all(r.subject.kind != "applicant" for r in report.results)
    assert '"kind": "applicant"' not in render_json(report, True)
    # the applicant policies give no result at all: not even unknown about the unit
    assert not [r for r in report.results if r.policy.startswith("devt.applicant.")]


def test_the_example_court_reports_its_two_planted_applicant_problems():
    report = partyrules.check(str(COURT))
    violated = {(r.policy, r.subject.id) for r in report.violations if r.subject.kind == "applicant"}
    assert violated == {("devt.applicant.object-one-year", "a01"), ("devt.applicant.assessment", "a02")}
    a01 = results_of(report, "devt.applicant.object-one-year")["a01"]
    assert [c.citation.ref() for c in a01.citations] == ["devt-rules@2014 art.13"]


def test_human_views_name_an_applicant_as_such_under_their_organization():
    report = partyrules.check(str(COURT))
    table = render_table(report)
    assert "违反   韩雪（入党申请人）" in table
    # placed in 执行局党支部 (her org), not with the members enrolled nowhere
    exec_at = table.index("【执行局党支部】")
    assert exec_at < table.index("韩雪（入党申请人）") < table.index("二、需要补充事实")
    html = render_html(report, lang="en")
    assert "韩雪" in html and ">applicant<" in html


def test_sarif_points_at_the_applicant_entry(tmp_path):
    report = partyrules.check(str(COURT))
    sarif = json.loads(render_sarif(report, positions=subject_positions(report.source)))
    hits = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "devt.applicant.assessment"]
    assert len(hits) == 1
    region = hits[0]["locations"][0]["physicalLocation"]["region"]
    line = COURT.read_text(encoding="utf-8").splitlines()[region["startLine"] - 1]
    assert "id: a02" in line


def test_diff_names_a_new_applicant_finding(tmp_path):
    data = court()
    before = copy.deepcopy(data)
    before["applicants"][1]["development"]["assessments"] = ["2023-11-20", "2024-05-10"]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(render_json(partyrules.check(before)), encoding="utf-8")
    new.write_text(render_json(partyrules.check(data)), encoding="utf-8")
    diff = compare(read_report(str(old)), read_report(str(new)))
    assert [(f.policy, f.subject["kind"], f.subject["id"]) for f in diff.added] == \
        [("devt.applicant.assessment", "applicant", "a02")]
    assert "a02 彭宇（入党申请人）" in render_diff_table(diff)


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_sessions_stay_equal_to_a_fresh_check_when_applicants_or_their_contacts_change(engine):
    if engine == "durable" and not HAS_DURABLE:
        pytest.skip("needs the durable extra")
    data = court()
    with partyrules.open_session(data, engine=engine) as s:
        s.results()
        # a02's only contact stops being a full member of the unit: the applicant's art.9 result changes
        contact = next(m for m in data["members"] if m["id"] == "m052")
        s.assert_fact("member", {**contact, "full_on": "2024-06-01", "status": "full"})
        assert render_json(s.results(), True) == render_json(partyrules.check(s.document), True).replace(
            '"engine": "native"', f'"engine": "{s.results().engine}"')
        s.assert_fact("applicant", {"id": "a03", "name": "新人", "org": "o-exec", "birth_date": "2007-01-01",
                                    "development": {"applied_on": "2024-02-01", "application_talk_on": None}})
        report = s.results()
        assert results_of(report, "devt.applicant.age")["a03"].outcome == "violated"
        assert results_of(report, "devt.applicant.talk")["a03"].outcome == "violated"
        s.retract_fact("applicant", "a01")
        report = s.results()
        assert "a01" not in results_of(report, "devt.applicant.object-one-year")
        fresh = partyrules.check(s.document, engine=engine)
        assert render_json(report, True) == render_json(fresh, True)


# ---------------------------------------------------------------- one application date

def member(**extra):
    return {"id": "m1", "status": "full", "birth_date": "2002-03-01", "admitted_on": "2021-05-10",
            "full_on": "2022-05-10", **extra}


def test_the_two_application_fields_are_one_fact_read_by_both_policies():
    for m in (member(applied_on="2019-09-01"), member(development={"applied_on": "2019-09-01"}),
              member(applied_on="2019-09-01", development={"applied_on": "2019-09-01"})):
        report = partyrules.check(doc(members=[m]))
        constitution = results_of(report, "constitution.member.applicant-age", "member")["m1"]
        devt = results_of(report, "devt.application.age", "member")["m1"]
        assert constitution.outcome == devt.outcome == "violated"
        assert constitution.evidence["applied_on"] == devt.evidence["applied_on"]
        assert str(devt.evidence["applied_on"]) == "2019-09-01"


def test_neither_recorded_names_the_member_field_once():
    report = partyrules.check(doc(members=[member(birth_date="1990-01-01")]))
    devt = results_of(report, "devt.application.age", "member")["m1"]
    constitution = results_of(report, "constitution.member.applicant-age", "member")["m1"]
    assert devt.outcome == constitution.outcome == "unknown"
    assert devt.missing == constitution.missing == ("members[0].applied_on",)


def test_two_different_days_are_an_input_error_naming_the_path():
    with pytest.raises(InputError) as err:
        partyrules.check(doc(members=[member(applied_on="2019-09-01", development={"applied_on": "2019-10-01"})]))
    assert "members[0].development.applied_on" in str(err.value) and "2019-09-01" in str(err.value)


def test_a_development_application_after_the_admission_is_refused_like_the_member_field():
    with pytest.raises(InputError) as err:
        partyrules.check(doc(members=[member(development={"applied_on": "2021-06-01"})]))
    assert "members[0].development.applied_on" in str(err.value) and "admitted_on" in str(err.value)


def test_the_timeline_reads_the_member_field_when_the_process_lacks_it():
    tl = partyrules.timeline(doc(members=[member(applied_on="2019-09-01", development={"activist_on": None})]))
    applied = next(s for s in tl.people[0].steps if s.key == "applied")
    assert str(applied.date) == "2019-09-01" and applied.state == "early"


def test_explain_shows_an_applicant_subject():
    from click.testing import CliRunner
    from partyrules.cli import main
    result = CliRunner().invoke(main, ["explain", str(COURT), "--policy", "devt.applicant.assessment",
                                       "--subject", "a02"])
    assert result.exit_code == 0, result.output
    assert "对象：入党申请人 a02（彭宇）" in result.output and "结果：违反" in result.output


# ---------------------------------------------------------------- an omitted end of the cultivation

DAYS = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2024, 6, 30))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activist_on=DAYS, assessments=st.one_of(st.none(), st.lists(DAYS, max_size=5)),
       ends=st.lists(DAYS, min_size=1, max_size=4))
def test_an_omitted_object_on_decides_exactly_when_every_end_agrees(activist_on, assessments, ends):
    """The assessment rule without object_on: decided only when every possible end gives that answer (sound),
    and unknown only when two possible ends disagree (complete). The possible ends: still an activist
    (object_on null, the cultivation runs to as_of) and any day up to as_of, the activist day among them."""
    def outcome(object_on):
        dev = {"activist_on": activist_on.isoformat()}
        if assessments is not None:
            dev["assessments"] = [d.isoformat() for d in assessments]
        if object_on is not OMIT:
            dev["object_on"] = None if object_on is None else object_on.isoformat()
        report = partyrules.check(doc({"id": "a1", "development": dev}), select=["devt.applicant.assessment"])
        (r,) = results_of(report, "devt.applicant.assessment").values()
        return r
    omitted = outcome(OMIT)
    concrete = {outcome(end).outcome for end in [None, activist_on, *ends]}
    if omitted.outcome == "unknown":
        assert concrete == {"violated", "satisfied"} or "unknown" in concrete
        assert "applicants[0].development.object_on" in omitted.missing
    else:
        assert concrete == {omitted.outcome}


OMIT = object()
