"""Differential tests: the durable backend gives the native engine's report, byte for byte but the engine.

* generated courts (partyrules.testing.fact_documents), with facts left out at
  random and random evaluation dates: the default (ci) profile runs a few dozen,
  ``HYPOTHESIS_PROFILE=thorough`` runs the profile's many more, and adds bigger
  courts (``test_engines_agree_on_big_courts``);
* the two hand-written example courts, on several dates;
* a streaming session fed examples/court.yaml record by record (members,
  organizations, then meetings in date order, activities, elections): its
  report equals a batch check at sampled steps (``SESSION_SAMPLES`` of them,
  evenly spread, plus the last; 66 under the thorough profile: a check of the
  whole court costs seconds, so all 661 steps would take half an hour).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.durable, pytest.mark.slow]
pytest.importorskip("durable.lang", reason="needs the durable extra (pip install 'partyrules[durable]', Python 3.11/3.12): not installed or cannot load here")

import partyrules  # noqa: E402
from partyrules.report.render import render_json  # noqa: E402
from partyrules.source import read_path  # noqa: E402
from partyrules.testing import fact_documents, with_omissions  # noqa: E402
from session_events import court_events  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
SPEC_COURT = ROOT / "tests" / "data" / "example-court.yaml"
BOOK = partyrules.load_rulebook()
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SESSION_SAMPLES = 66 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 6


def rendered(report) -> str:
    """The JSON report (all results) without its engine field."""
    data = json.loads(render_json(report, True))
    data.pop("engine")
    return json.dumps(data, ensure_ascii=False, indent=2)


def assert_same(facts, as_of=None) -> None:
    try:
        native = partyrules.check(facts, as_of, rulebook=BOOK)
    except partyrules.PartyrulesError as exc:          # a date the document cannot be checked on
        with pytest.raises(type(exc)):
            partyrules.check(facts, as_of, rulebook=BOOK, engine="durable")
        return
    durable = partyrules.check(facts, as_of, rulebook=BOOK, engine="durable")
    assert (native.engine, durable.engine) == ("native", "durable")
    assert rendered(durable) == rendered(native)


@st.composite
def documents_and_dates(draw, **size):
    doc = draw(fact_documents(**size))
    if draw(st.booleans()):
        doc, _removed = draw(with_omissions(doc))
    snap = dt.date.fromisoformat(doc["as_of"])
    on = snap - dt.timedelta(days=draw(st.integers(0, 3000)))
    return doc, on


@given(documents_and_dates())
def test_engines_agree_on_generated_courts(case):
    doc, on = case
    assert_same(doc, on)


@pytest.mark.skipif(not THOROUGH, reason="the big run: HYPOTHESIS_PROFILE=thorough")
@settings(max_examples=300)
@given(documents_and_dates(max_branches=8, max_members_per_branch=20))
def test_engines_agree_on_big_courts(case):
    doc, on = case
    assert_same(doc, on)


@pytest.mark.parametrize("as_of", [None, "2024-01-15", "2023-06-30", "2021-12-31", "2019-06-30"])
def test_engines_agree_on_the_example_court(as_of):
    assert_same(str(COURT), as_of)


@pytest.mark.parametrize("as_of", [None, "2023-12-31"])
def test_engines_agree_on_the_spec_example_court(as_of):
    assert_same(str(SPEC_COURT), as_of)


def test_a_session_fed_the_example_court_record_by_record_matches_batch_checks():
    data = read_path(COURT).data
    start, events = court_events(data)
    every = max(1, len(events) // SESSION_SAMPLES)
    checked = 0
    with partyrules.open_session(start, rulebook=BOOK, engine="durable") as session:
        assert rendered(session.results()) == rendered(partyrules.check(session.document, rulebook=BOOK))
        for i, (kind, record) in enumerate(events, 1):
            session.assert_fact(kind, copy.deepcopy(record))
            if i % every == 0 or i == len(events):
                native = partyrules.check(session.document, rulebook=BOOK)
                assert rendered(session.results()) == rendered(native), (i, kind, record)
                checked += 1
        final = session.results()
    # the rebuilt document is the example court, records in another order (so other paths)
    assert final.summary == partyrules.check(str(COURT), rulebook=BOOK).summary
    assert checked >= min(SESSION_SAMPLES, len(events))


def test_an_exception_that_might_hold_without_naming_a_fact_gives_unknown_in_both_engines(tmp_path):
    """A pack's derived fact may answer Unknown() without paths; an exception it leaves open is not a violation."""
    import textwrap
    pack = tmp_path / "pack"
    (pack / "open-rules" / "2024").mkdir(parents=True)
    (pack / "instruments.yaml").write_text(textwrap.dedent("""\
        - id: open-rules
          key: open
          title: {zh: 测试规则, en: Test rules}
          kind: local
          editions:
            - {edition: "2024", in_force_from: 2024-01-01, label: {zh: "", en: ""}, encoded: true}
        """), encoding="utf-8")
    (pack / "derived.py").write_text(textwrap.dedent("""\
        from partyrules.rulebook.packs import Unknown, derived


        @derived("waiver_on_file", args=("organization",))
        def waiver_on_file(view, org):
            \"\"\"Asked of an outside register that did not answer: unknown, with no fact to name.\"\"\"
            return Unknown()
        """), encoding="utf-8")
    (pack / "open-rules" / "2024" / "art-01.yaml").write_text(textwrap.dedent("""\
        id: open.org.has-committee
        title: {zh: 有委员会, en: Has a committee}
        severity: error
        citations: [open-rules@2024 art.1]
        applies_to: organization
        require: len(org.committee_members) > 0
        unless:
          - when: waiver_on_file(org)
            note: {zh: 已豁免, en: waived}
        message: {zh: "{subject}没有委员会。", en: "{subject} has no committee."}
        """), encoding="utf-8")
    book = partyrules.load_rulebook([pack], builtin=False)
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "organizations": [{"id": "b1", "kind": "branch", "committee_members": []}]}
    for engine in ("native", "durable"):
        (result,) = partyrules.check(doc, rulebook=book, engine=engine).results
        assert result.outcome == "unknown", engine



EXAMPLES = [(p, e) for p in BOOK.policies for e in p.examples]


@pytest.mark.parametrize("policy,example", EXAMPLES, ids=[f"{p.id}@{p.edition}:{e.name}" for p, e in EXAMPLES])
def test_engines_agree_on_the_policy_examples(policy, example):
    """Each policy's own example documents, with every policy checked, give the same report on both engines."""
    assert_same({"format": "partyrules.facts/1", **example.facts}, example.as_of)
