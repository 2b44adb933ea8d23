"""``partyrules explain``: the tree of values behind one (policy, subject) outcome.

The outcome must be the one ``partyrules check`` reports, and the tree must
account for it: recomputed from the values the tree shows for where, require
and unless (with the engine's rules, written out here independently), it gives
the same outcome.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.errors import UsageError
from partyrules.tools.explain import Node, explain, render_json, render_text
from partyrules.facts.load import load_facts
from partyrules.facts.view import Unknown
from partyrules.rulebook.load import Rulebook, load_rulebook
from partyrules.rulebook.policy import policy_from_data
from partyrules.source import read_yaml

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
SPEC = ROOT / "tests" / "data" / "example-court.yaml"  # the facts contract's own example, copied in
BOOK = load_rulebook()


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def outcome_from_tree(ex) -> str:
    """The outcome that the shown values imply (where → require → unless, Kleene)."""
    parts = {p.name: p for p in ex.parts}
    if any(p.tree is not None and p.tree.error is not None for p in ex.parts):
        return "error"
    where = parts.get("where")
    unknown = False
    if where is not None:
        if where.tree.value is False:
            return "not_applicable"
        unknown = isinstance(where.tree.value, Unknown)
        assert where.tree.value is True or unknown
    req = parts["require"].tree.value
    if req is True:
        return "satisfied"
    for p in ex.parts:
        if p.name.startswith("unless") and p.tree is not None:
            if p.tree.value is True:
                return "satisfied"
            unknown = unknown or isinstance(p.tree.value, Unknown)
    return "unknown" if unknown or isinstance(req, Unknown) else "violated"


def walk(node: Node):
    yield node
    for c in node.children:
        yield from walk(c)


def picks(results):
    """A few subjects of each policy: every one that needs attention, and the first two and the last."""
    by = {}
    for r in results:
        by.setdefault(r.policy, []).append(r)
    for pid, rs in sorted(by.items()):
        chosen = [r for r in rs if r.outcome in ("violated", "unknown", "error")][:3] + rs[:1] + rs[-1:]
        seen = set()
        for r in chosen:
            if r.subject.id not in seen:
                seen.add(r.subject.id)
                yield pid, r


@pytest.mark.parametrize("path", [COURT, SPEC], ids=["court", "spec-example"])
def test_outcome_equals_check_for_every_policy(path):
    doc = load_facts(path)
    report = partyrules.check(doc, include_unverified=True, rulebook=BOOK)
    checked = 0
    policies = set()
    for pid, r in picks(report.results):
        ex = explain(doc, pid, r.subject.id, rulebook=BOOK)
        assert ex.result.outcome == r.outcome, (pid, r.subject.id)
        assert ex.result.missing == r.missing
        assert ex.result.message == r.message
        if ex.parts:
            assert outcome_from_tree(ex) == r.outcome, (pid, r.subject.id)
        if r.outcome == "unknown" and ex.parts:
            shown = set()
            for part in ex.parts:
                if part.tree is not None:
                    for n in walk(part.tree):
                        if isinstance(n.value, Unknown):
                            shown |= n.value.missing
            assert set(r.missing) <= shown, (pid, r.subject.id)
        checked += 1
        policies.add(pid)
    assert policies == {x.policy for x in report.results}
    assert checked >= len(policies)


@pytest.mark.slow
def test_every_policy_example_explains_to_its_expected_outcome():
    for policy in BOOK.policies:
        if policy.inherited_from:
            continue
        for example in policy.examples:
            facts = {"format": "partyrules.facts/1", **example.facts}
            doc = load_facts(facts)
            on = example.as_of or doc.as_of
            editions = [p for p in BOOK.find(policy.id) if BOOK.registry.is_in_force(p.instrument, p.edition, on)]
            if not editions or editions[0].require.text != policy.require.text:
                continue              # the example is dated outside the edition (edition gating is tested apart)
            report = partyrules.check(doc, on, include_unverified=True, rulebook=BOOK)
            subject = example.subject or next(r.subject.id for r in report.results if r.policy == policy.id)
            ex = explain(doc, policy.id, subject, on, rulebook=BOOK)
            assert ex.result.outcome == example.expect, (policy.id, example.name)
            if ex.parts:
                assert outcome_from_tree(ex) == example.expect, (policy.id, example.name)


def test_tree_of_a_violation_zh_by_default():
    code, out, err = run("explain", str(COURT), "--policy", "organs.branch.committee-required",
                         "--subject", "o-filing")
    assert code == 0, err
    assert "结果：违反" in out
    assert "对象：党组织 o-filing" in out
    assert "full_members(org)  → 8" in out
    assert "param('organs.branch_committee_min_full_members')  → 7" in out
    assert "len(org.committee_members) > 0  → 否" in out
    assert "org.committee_members  → []" in out
    assert "《中国共产党党和国家机关基层组织工作条例》（2019年修订）第七条" in out


def test_english_and_short_circuit():
    code, out, _ = run("explain", str(COURT), "--policy", "constitution.member.six-month-lapse",
                       "--subject", "m081", "--lang", "en")
    assert code == 0
    assert "outcome: violated" in out
    # the first operand of the `and` is false, so the second was not needed
    assert "dues_lapse(member, param('constitution.self_withdrawal_months')).lapsed == False  → not evaluated" in out
    # the records of the lapse: the window and each month
    assert "· window: 2024-01 … 2024-06" in out
    assert "· 2024-03: no" in out
    assert "· since 2023-10, 9 months so far" in out


def test_unknown_lists_missing_paths_and_records_that_satisfied_a_month():
    ex = explain(COURT, "constitution.member.six-month-lapse", "m026", rulebook=BOOK)
    assert ex.result.outcome == "unknown" and ex.result.missing == ("members[25].dues_paid",)
    text = render_text(ex, "zh")
    assert "结果：无法判定" in text
    assert "未知（缺少：members[25].dues_paid）" in text
    # which meeting satisfied each month of organisational life
    assert "2024-02：有 · mt-0422 general_meeting 2024-02-19" in text


def test_coverage_records_per_period():
    ex = explain(COURT, "branch-regs.branch.monthly-theme-day", "o-civil2", rulebook=BOOK)
    text = render_text(ex, "en")
    assert "· 2024-06: found · mt-0519 theme_day 2024-06-18" in text
    assert "periods = 12 periods" in text and "(as above)" in text


def test_json_format():
    code, out, _ = run("explain", str(COURT), "--policy", "organs.unit.party-affairs-staff",
                       "--subject", "court-qinghe-intermediate", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["format"] == "partyrules.explain/1"
    assert doc["outcome"] == "violated"
    assert doc["subject"]["kind"] == "unit"
    req = next(p for p in doc["parts"] if p["part"] == "require")
    assert req["tree"]["state"] == "false"
    states = set()

    def collect(n):
        states.add(n["state"])
        for c in n.get("children", []):
            collect(c)
    collect(req["tree"])
    assert "value" in states
    assert doc["evidence"]


def test_not_applicable_skips_require():
    ex = explain(COURT, "organs.branch.committee-required", "o-committee", rulebook=BOOK)
    assert ex.result.outcome == "not_applicable"
    req = next(p for p in ex.parts if p.name == "require")
    assert req.tree is None and req.skipped == "where"
    assert "要求（require）：未求值：适用条件不成立" in render_text(ex)


def _book_with(policy_yaml: str) -> Rulebook:
    doc = read_yaml(policy_yaml, "<test>")
    policy = policy_from_data(doc, (), doc.data, instrument="organs-regulations", edition="2019",
                              registry=BOOK.registry, params=BOOK.params.by_name, derived=BOOK.derived)
    return Rulebook((policy,), BOOK.params, BOOK.registry, BOOK.derived)


def test_an_error_is_shown_where_it_arose():
    book = _book_with("""
id: test.org.election-date
title: {zh: 测试, en: test}
severity: error
citations: [organs-regulations@2019 art.8]
applies_to: organization
require: latest_election(org).date > as_of or org.secretary is not None
message: {zh: "{subject}", en: "{subject}"}
""")
    facts = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
             "organizations": [{"id": "b1", "kind": "branch", "elections": [], "secretary": None}]}
    ex = explain(facts, "test.org.election-date", "b1", rulebook=book)
    assert ex.result.outcome == "error"
    text = render_text(ex, "en")
    assert "latest_election(org).date  → error: no value to read .date from (it is null)" in text
    assert "latest_election(org)  → none" in text


def test_unless_and_conditional_branches():
    book = _book_with("""
id: test.org.deputies
title: {zh: 测试, en: test}
severity: warning
citations: [organs-regulations@2019 art.7]
applies_to: organization
require: len(org.deputy_secretaries) <= (2 if org.kind == 'committee' else 1)
unless:
  - when: org.approved_by_superior == True
    note: {zh: 经批准, en: approved}
evidence:
  deputies: len(org.deputy_secretaries)
message: {zh: "{subject}有{deputies}名副书记", en: "{subject} has {deputies} deputies"}
""")
    facts = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
             "organizations": [{"id": "b1", "kind": "branch", "deputy_secretaries": ["m1", "m2"]},
                               {"id": "b2", "kind": "branch", "deputy_secretaries": ["m1", "m2"],
                                "approved_by_superior": True}],
             "members": [{"id": "m1", "org": "b1", "status": "full"}, {"id": "m2", "org": "b1", "status": "full"}]}
    ex = explain(facts, "test.org.deputies", "b1", rulebook=book)
    assert ex.result.outcome == "unknown" == outcome_from_tree(ex)
    text = render_text(ex, "en")
    assert "2 if org.kind == 'committee' else 1  → 1" in text
    assert "unless[0]:" in text and "organizations[0].approved_by_superior" in text
    ex2 = explain(facts, "test.org.deputies", "b2", rulebook=book)
    assert ex2.result.outcome == "satisfied" == outcome_from_tree(ex2)
    assert "note: approved" in render_text(ex2, "en")


def test_as_of_earlier_date():
    ex = explain(COURT, "organs.branch.committee-required", "o-filing", "2023-06-30", rulebook=BOOK)
    report = partyrules.check(COURT, "2023-06-30", rulebook=BOOK)
    want = next(r for r in report.results if r.policy == ex.policy.id and r.subject.id == "o-filing")
    assert ex.as_of.isoformat() == "2023-06-30" and ex.result.outcome == want.outcome


def test_unknown_policy_or_subject_exit_2_with_did_you_mean():
    code, _, err = run("explain", str(COURT), "--policy", "organs.branch.comittee-required", "--subject", "o-filing")
    assert code == 2
    assert "did you mean 'organs.branch.committee-required'" in err
    code, _, err = run("explain", str(COURT), "--policy", "organs.branch.committee-required", "--subject", "o-filin")
    assert code == 2
    assert "did you mean 'o-filing'" in err
    with pytest.raises(UsageError):
        explain(COURT, "organs.unit.party-affairs-staff", "o-filing", rulebook=BOOK)


def test_policy_not_in_force_on_the_date_exit_2():
    code, _, err = run("explain", str(COURT), "--policy", "organs.branch.committee-required",
                       "--subject", "o-filing", "--as-of", "2015-01-01")
    assert code == 2 and "no edition in force on 2015-01-01" in err


def test_omitted_subject_list():
    facts = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u1"}}
    ex = explain(facts, "organs.branch.committee-required", "u1", rulebook=BOOK)
    assert ex.result.outcome == "unknown" and ex.result.missing == ("organizations",)
    assert "organizations" in render_text(ex, "en")
    json.loads(render_json(ex))


def test_quorum_records_name_the_meetings_below_half():
    book = _book_with("""
id: test.branch.committee-quorum
title: {zh: 委员会会议到会过半, en: Committee meetings have a quorum}
severity: error
citations: [organs-regulations@2019 art.7]
applies_to: organization
require: quorum(org, 'committee_meeting', 12).ok
message: {zh: "{subject}", en: "{subject}"}
""")
    facts = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "records_from": "2023-01-01",
             "organizations": [{"id": "b1", "kind": "branch", "committee_members": ["m1", "m2", "m3", "m4"],
                                "elections": [{"date": "2022-06-01"}]}],   # the committee met after its election
             "members": [{"id": f"m{i}", "org": "b1", "status": "full"} for i in range(1, 5)],
             "meetings": [{"id": "cm-1", "org": "b1", "kind": "committee_meeting", "date": "2024-05-10",
                           "attendees": ["m1"]},
                          {"id": "cm-2", "org": "b1", "kind": "committee_meeting", "date": "2024-06-10",
                           "attendees": ["m1", "m2"]}]}
    ex = explain(facts, "test.branch.committee-quorum", "b1", rulebook=book)
    assert ex.result.outcome == "violated"
    text = render_text(ex, "en")
    assert "· below half: cm-1 committee_meeting 2024-05-10 (1/4)" in text
    assert "· exactly half: cm-2 committee_meeting 2024-06-10 (2/4)" in text
    assert "· 低于半数：cm-1 committee_meeting 2024-05-10 (1/4)" in render_text(ex, "zh")


def test_training_year_records():
    ex = explain(COURT, "organs.member.yearly-training", "m001", rulebook=BOOK)
    text = render_text(ex, "zh")
    assert "· 年度 2023：应参加 是, 学时 44" in text
    assert "· （同上）" in text
