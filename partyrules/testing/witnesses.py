"""Witness search: can a policy be violated, can it be satisfied, does it ever fire?

A witness is a generated fact document on which the policy gives the wanted
outcome for some subject. Hypothesis searches the courts of
:func:`fact_documents`, dated while the policy's edition is in force, and
shrinks what it finds to a small court, which makes a good new example::

    from partyrules.testing import find_witness
    w = find_witness("organs.branch.committee-required", "violated")
    w.subject, w.result.message["zh"], w.facts     # a small court that breaks the rule

Searches are deterministic (no example database, derandomized) and bounded by
``tries``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from ..facts.load import load_facts
from ..facts.view import View
from ..report.model import Result
from ..rulebook.load import Rulebook, load_rulebook
from ..rulebook.policy import Policy
from .strategies import fact_documents


@attrs.frozen
class Witness:
    facts: dict            # the fact document (a mapping), already shrunk
    subject: str           # the subject id that gave the outcome
    result: Result


def _policy(policy: Policy | str, book: Rulebook) -> Policy:
    if isinstance(policy, Policy):
        return policy
    found = book.find(policy)
    if not found:
        raise KeyError(f"no policy {policy!r} in the rulebook")
    return found[-1]          # the latest edition


def find_witness(policy: Policy | str, outcome: str = "violated", *, rulebook: Rulebook | None = None,
                 tries: int = 200) -> Witness | None:
    """A small generated court on which ``policy`` gives ``outcome``, or None if none was found in ``tries``."""
    from ..engine.native import evaluate_policy

    book = rulebook or load_rulebook()
    pol = _policy(policy, book)
    ed = book.registry.edition(pol.instrument, pol.edition)
    until = book.registry.in_force_until(ed) or dt.date(ed.in_force_from.year + 5, 12, 31)
    docs = st.dates(ed.in_force_from, until).flatmap(lambda day: fact_documents(as_of=day))

    def outcome_of(doc: dict) -> Result | None:
        facts = load_facts(doc)
        for r in evaluate_policy(book, pol, View(facts, facts.as_of)):
            if r.outcome == outcome:
                return r
        return None

    try:
        doc = find(docs, lambda d: outcome_of(d) is not None,
                   settings=settings(max_examples=tries, database=None, derandomize=True, deadline=None,
                                     suppress_health_check=list(HealthCheck)))
    except (NoSuchExample, Unsatisfiable):
        return None
    result = outcome_of(doc)
    assert result is not None
    return Witness(doc, result.subject.id, result)


def can_be_violated(policy: Policy | str, **kw: Any) -> bool:
    return find_witness(policy, "violated", **kw) is not None


def can_be_satisfied(policy: Policy | str, **kw: Any) -> bool:
    return find_witness(policy, "satisfied", **kw) is not None


def never_fire(rulebook: Rulebook | None = None, *, tries: int = 100) -> list[str]:
    """Ids of the policies for which neither their examples nor ``tries`` generated courts give a violation."""
    book = rulebook or load_rulebook()
    out = []
    for pol in book.policies:
        if any(e.expect == "violated" for e in pol.examples):
            continue
        if find_witness(pol, "violated", rulebook=book, tries=tries) is None:
            out.append(pol.id)
    return sorted(set(out))
