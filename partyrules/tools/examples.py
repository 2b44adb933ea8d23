"""Running a policy's own examples: facts that must violate it and facts that must satisfy it.

The examples test the policy's logic on the date they name, whatever edition
is in force then (edition gating is tested separately), so that a policy
carried into a later edition is checked by the same examples.
"""

from __future__ import annotations

import attrs

from ..engine.native import evaluate_policy
from ..errors import PartyrulesError
from ..facts.load import facts_from_document
from ..facts.model import FORMAT, OMITTED
from ..facts.view import View
from ..source import from_mapping
from ..rulebook.load import Rulebook
from ..rulebook.policy import Example, Policy


@attrs.frozen
class ExampleRun:
    policy: Policy
    example: Example
    ok: bool
    detail: str


def run_example(rulebook: Rulebook, policy: Policy, example: Example) -> ExampleRun:
    def done(ok: bool, detail: str) -> ExampleRun:
        return ExampleRun(policy, example, ok, detail)

    data = {"format": FORMAT, **example.facts}
    try:
        facts = facts_from_document(from_mapping(data, f"{policy.source} example {example.name!r}"))
    except PartyrulesError as exc:
        return done(False, f"the example's facts are not a valid fact document: {exc}")
    on = example.as_of or (facts.as_of if facts.as_of is not OMITTED else None)
    if on is None:
        return done(False, "the example needs as_of (in its facts or beside them)")
    results = evaluate_policy(rulebook, policy, View(facts, on))
    if example.subject is not None:
        results = [r for r in results if r.subject.id == example.subject]
    if len(results) != 1:
        ids = ", ".join(r.subject.id for r in results) or "none"
        return done(False, f"expected one result for subject {example.subject!r}, got {len(results)} ({ids})")
    got = results[0]
    if got.outcome != example.expect:
        extra = f" (missing: {', '.join(got.missing)})" if got.missing else ""
        if got.outcome == "error":
            extra = f" ({got.message['en']})"
        return done(False, f"expected {example.expect}, got {got.outcome}{extra}")
    if example.missing is not None and tuple(sorted(example.missing)) != got.missing:
        return done(False, f"expected missing {sorted(example.missing)}, got {list(got.missing)}")
    return done(True, got.outcome)
