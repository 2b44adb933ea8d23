"""Every example of every built-in policy, run as its own test."""

import pytest

from partyrules.tools.examples import run_example
from partyrules.rulebook.load import load_rulebook

BOOK = load_rulebook()
CASES = [(p, e) for p in BOOK.policies for e in p.examples]


@pytest.mark.parametrize("policy,example", CASES,
                         ids=[f"{p.id}@{p.edition}:{e.name}" for p, e in CASES])
def test_example(policy, example):
    run = run_example(BOOK, policy, example)
    assert run.ok, f"{policy.source}:{example.line}: {run.detail}"


def test_every_policy_has_a_violating_and_a_satisfying_example():
    for p in BOOK.policies:
        outcomes = {e.expect for e in p.examples}
        assert {"violated", "satisfied"} <= outcomes, f"{p.source}: {p.id} needs both kinds of example"
