"""The public witness search finds small courts that violate or satisfy a policy, and nothing for a dead one."""

import pytest

import partyrules
from partyrules.engine.native import evaluate_policy
from partyrules.facts.load import load_facts
from partyrules.facts.view import View
from partyrules.testing import can_be_satisfied, find_witness, never_fire

pytestmark = pytest.mark.slow      # hypothesis searches: minutes; `-m "not slow"` skips them

BOOK = partyrules.load_rulebook()


def test_a_violating_witness_really_violates():
    w = find_witness("organs.branch.committee-required", "violated", rulebook=BOOK)
    assert w is not None and w.result.outcome == "violated"
    facts = load_facts(w.facts)
    (policy,) = BOOK.find("organs.branch.committee-required")
    again = [r for r in evaluate_policy(BOOK, policy, View(facts, facts.as_of)) if r.subject.id == w.subject]
    assert [r.outcome for r in again] == ["violated"]
    assert can_be_satisfied("organs.branch.committee-required", rulebook=BOOK)


def test_a_policy_that_cannot_fire_is_reported(tmp_path):
    pack = tmp_path / "pack" / "party-constitution" / "2017"
    pack.mkdir(parents=True)
    (pack / "dead.yaml").write_text(
        "id: test.dead\ntitle: {zh: 永远成立, en: always holds}\nseverity: error\n"
        "citations: [party-constitution@2017 art.8]\napplies_to: member\n"
        "require: member.id == member.id\nmessage: {zh: 不会出现, en: never shown}\n", encoding="utf-8")
    book = partyrules.load_rulebook([tmp_path / "pack"], builtin=False)
    assert find_witness("test.dead", "violated", rulebook=book, tries=30) is None
    assert never_fire(book, tries=30) == ["test.dead"]
