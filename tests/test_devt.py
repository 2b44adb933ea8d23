"""Membership development (devt-rules@2014) and dues (dues-regulations@2008): counting, facts, editions, engines."""

import datetime as dt

import pytest

import partyrules
from partyrules import counting
from partyrules.citations import Registry
from partyrules.errors import PartyrulesError
from partyrules.facts.load import load_facts
from partyrules.periods import Month
from partyrules.rulebook.load import load_rulebook

D = dt.date
BOOK = load_rulebook()
NEW = [p for p in BOOK.policies if p.instrument in ("devt-rules", "dues-regulations")]


# --------------------------------------------------------------------------- counting semantics

def test_within_one_month_includes_the_same_day_a_month_later_and_clips_short_months():
    assert counting.within_months(D(2024, 1, 15), D(2024, 2, 15), 1)
    assert not counting.within_months(D(2024, 1, 15), D(2024, 2, 16), 1)
    assert counting.within_months_deadline(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert counting.within_months_deadline(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert not counting.within_months(D(2024, 1, 15), D(2024, 1, 14), 1)     # before the start: out of order


def test_one_year_or_more_is_met_on_the_anniversary_day_not_the_day_before():
    assert counting.at_least_years(D(2019, 10, 10), D(2020, 10, 10))
    assert not counting.at_least_years(D(2019, 10, 10), D(2020, 10, 9))
    assert counting.anniversary(D(2020, 2, 29)) == D(2021, 2, 28)


def test_age_turns_on_the_birthday():
    assert counting.age_on(D(2001, 9, 1), D(2019, 9, 1)) == 18
    assert counting.age_on(D(2001, 9, 1), D(2019, 8, 31)) == 17
    assert counting.age_on(D(2000, 2, 29), D(2018, 2, 28)) == 18


@pytest.mark.parametrize("start,day,months", [
    (D(2024, 1, 10), D(2024, 3, 9), 1), (D(2024, 1, 10), D(2024, 3, 10), 2), (D(2024, 1, 31), D(2024, 2, 29), 1),
    (D(2024, 1, 10), D(2024, 1, 9), -1), (D(2024, 1, 10), D(2024, 1, 10), 0), (D(2023, 12, 31), D(2024, 2, 28), 1),
])
def test_months_from_counts_whole_months(start, day, months):
    assert counting.months_from(start, day) == months


def test_a_month_may_be_paid_up_to_the_end_of_the_sixth_month_after_it():
    assert counting.month_end_plus(Month(2024, 1), 6) == D(2024, 7, 31)
    assert counting.month_end_plus(Month(2024, 9), 6) == D(2025, 3, 31)


# --------------------------------------------------------------------------- editions by step date

def test_each_step_is_judged_by_the_edition_of_its_own_date():
    reg = Registry.builtin()
    assert reg.edition_for_step("devt-rules", D(2019, 5, 1)).edition == "2014"
    assert reg.edition_for_step("devt-rules", D(2026, 5, 10)).edition == "2014"
    assert reg.edition_for_step("devt-rules", D(2026, 5, 11)).edition == "2026"   # may already apply: not 2014
    assert reg.edition_for_step("devt-rules", D(2014, 5, 27)) is None
    assert reg.applies_on("devt-rules", "2014", D(2026, 12, 1))                   # still judges 2019 steps
    assert not reg.applies_on("organs-regulations", "2010", D(2026, 12, 1))      # other instruments unchanged


def _member_2019():
    return {"format": "partyrules.facts/1", "as_of": "2026-12-01",
            "members": [{"id": "m1", "status": "full", "admitted_on": "2019-05-10", "full_on": "2020-05-10",
                         "development": {"political_review_on": "2019-05-20"}},
                        {"id": "m2", "status": "probationary", "admitted_on": "2026-06-10", "full_on": None,
                         "development": {"political_review_on": "2026-06-20"}}]}


def test_a_member_admitted_in_2019_is_judged_by_2014_when_checked_after_2026_began():
    report = partyrules.check(_member_2019(), rulebook=BOOK)
    got = {r.subject.id: r for r in report.results if r.policy == "devt.admission.political-review"}
    assert got["m1"].outcome == "violated"
    assert [c.citation.ref() for c in got["m1"].citations] == ["devt-rules@2014 art.16"]
    assert got["m2"].outcome == "not_applicable"          # 2026 meeting: edition not encoded, never 2014
    assert any(n.kind == "edition_not_encoded" and n.instrument == "devt-rules" for n in report.notices)


# --------------------------------------------------------------------------- facts

def _doc(**extra):
    return {"format": "partyrules.facts/1", "as_of": "2024-06-30", **extra}


@pytest.mark.parametrize("member,where", [
    ({"id": "m1", "development": {"applied_on": "2024-07-01"}}, "members[0].development.applied_on"),
    ({"id": "m1", "birth_date": "2000-01-01", "development": {"applied_on": "1999-07-01"}},
     "members[0].development.applied_on"),
    ({"id": "m1", "development": {"meeting_present": 5, "meeting_ayes": 6}}, "members[0].development.meeting_ayes"),
    ({"id": "m1", "development": {"meeting_due": 4, "meeting_present": 5}}, "members[0].development.meeting_present"),
    ({"id": "m1", "development": {"contacts": [{"member": "m9"}]}}, "members[0].development.contacts[0].member"),
    ({"id": "m1", "dues_payments": [{"month": "2024-01"}, {"month": "2024-01"}]}, "members[0].dues_payments[1].month"),
    ({"id": "m1", "dues_bracket": "up_to_4000"}, "members[0].dues_bracket"),
    ({"id": "m1", "dues_base": -3}, "members[0].dues_base"),
])
def test_impossible_facts_are_input_errors_naming_the_path(member, where):
    with pytest.raises(PartyrulesError) as exc:
        load_facts(_doc(members=[member]))
    assert where in str(exc.value)


def test_steps_out_of_legal_order_load_and_are_judged():
    doc = _doc(members=[{"id": "m1", "status": "full", "admitted_on": "2021-05-10", "full_on": "2022-05-10",
                         "admission_approved_on": "2021-05-01",
                         "development": {"object_on": "2021-06-01", "object_filed_on": "2021-05-20"}}])
    report = partyrules.check(doc, rulebook=BOOK)
    got = {r.policy: r.outcome for r in report.results}
    assert got["devt.object.decided-and-filed"] == "violated"
    assert got["devt.admission.approval-time"] == "violated"


def test_applicants_need_ids_of_their_own():
    with pytest.raises(PartyrulesError, match=r"applicants\[0\]\.id"):
        load_facts(_doc(members=[{"id": "m1"}], applicants=[{"id": "m1"}]))
    facts = load_facts(_doc(organizations=[{"id": "b1", "kind": "branch"}],
                            applicants=[{"id": "a1", "org": "b1", "development": {"applied_on": "2024-03-01"}}]))
    assert facts.applicants[0].development.applied_on == D(2024, 3, 1)


# --------------------------------------------------------------------------- engines agree

durable = pytest.importorskip("partyrules.engine.durable")


@pytest.mark.durable
@pytest.mark.parametrize("policy,example", [(p, e) for p in NEW for e in p.examples],
                         ids=[f"{p.id}:{e.name}" for p in NEW for e in p.examples])
def test_examples_give_the_same_results_on_both_engines(policy, example):
    pytest.importorskip("durable.lang")
    facts = {"format": "partyrules.facts/1", **example.facts}
    on = example.as_of or facts["as_of"]
    native = partyrules.check(facts, on, rulebook=BOOK, engine="native")
    other = partyrules.check(facts, on, rulebook=BOOK, engine="durable")
    key = lambda r: (r.policy, r.subject.id, r.outcome, r.missing, tuple(sorted(r.evidence.items(), key=str)))
    assert sorted(map(key, native.results)) == sorted(map(key, other.results))
    mine = [r for r in native.results if r.policy == policy.id and (example.subject is None
                                                                   or r.subject.id == example.subject)]
    assert [r.outcome for r in mine] == [example.expect]


# --------------------------------------------------------------------------- the local layer: tighten, never loosen

from partyrules.tools.lint import lint_paths  # noqa: E402
from partyrules.tools.lint_limits import looser  # noqa: E402


def test_days_against_months_compare_on_every_calendar_date():
    assert looser(29, "days", 1, "months", "at_most")          # February has 28 days
    assert not looser(28, "days", 1, "months", "at_most")
    assert looser(30, "days", 1, "months", "at_least")         # a month may have 31
    assert not looser(31, "days", 1, "months", "at_least")
    assert looser(2, "months", 1, "months", "at_most") and not looser(1, "months", 1, "months", "at_most")
    assert looser(1, "times a year", 1, "months", "at_most") is None


def _pack_with(tmp_path, params: str):
    import shutil
    from partyrules.citations import builtin_policies_dir
    pack = tmp_path / "pack"
    shutil.copytree(builtin_policies_dir() / "packs" / "court-standards", pack)
    (pack / "parameters" / "local-devt.yaml").write_text(params, encoding="utf-8")
    return pack


LOCAL = """\
- name: court-standards.application_talk_days
  description: {{zh: 收到入党申请书后派人谈话的期限（天）, en: "Days within which someone talks with an applicant"}}
  unit: days
  tightens: devt.application_talk_months
  values:
    - value: {days}
      citation: court-standards@2024 art.1
"""


def test_lint_reports_a_pack_limit_that_loosens_the_national_one_with_both_citations(tmp_path):
    pack = _pack_with(tmp_path, LOCAL.format(days=45))
    found = [f for f in lint_paths([pack], search=0) if "loosens" in f.message]
    assert len(found) == 1 and found[0].severity == "error"
    assert "devt-rules@2014 art.7" in found[0].message and "court-standards@2024 art.1" in found[0].message
    assert found[0].file.endswith("local-devt.yaml") and found[0].line == 6


def test_lint_accepts_a_pack_limit_that_tightens_the_national_one(tmp_path):
    pack = _pack_with(tmp_path, LOCAL.format(days=20))
    assert not [f for f in lint_paths([pack], search=0) if "loosens" in f.message or "tightens" in f.message]


def test_lint_refuses_to_tighten_what_is_not_a_national_limit(tmp_path):
    text = LOCAL.format(days=20).replace("devt.application_talk_months", "checks.lookback_months")
    found = [f for f in lint_paths([_pack_with(tmp_path, text)], search=0) if "tightens" in f.message]
    assert found and "not marked as a limit" in found[0].message
