"""Results as the engine makes them: compact until read, the same when read, copied field by field."""

from __future__ import annotations

import pickle
from pathlib import Path

import attrs

import partyrules
from partyrules.report.model import Result, _with_missing_kind
from partyrules.report.render import render_json

COURT = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"


def test_satisfied_and_not_applicable_results_make_nothing_until_read():
    report = partyrules.check(COURT)
    quiet = [r for r in report.results if r.outcome in ("satisfied", "not_applicable")]
    assert quiet
    # one recipe tuple for both until read
    assert all(type(r._message) is tuple and r._evidence is r._message for r in quiet)
    r = quiet[0]
    assert r.message is r.message and isinstance(r.evidence, dict)   # made once, then kept
    assert type(r._message) is dict and type(r._evidence) is dict


def test_a_result_pickles_with_its_values_and_compares_equal():
    report = partyrules.check(COURT)
    for r in report.results[:50]:
        copy = pickle.loads(pickle.dumps(r))
        assert type(copy._message) is dict and type(copy._evidence) is dict   # the values, not the recipe
        assert copy == r and copy.message == r.message and copy.evidence == r.evidence


def test_marking_an_unknown_copies_every_field_as_evolve_does():
    report = partyrules.check(COURT)
    for r in [r for r in report.results if r.outcome == "unknown"][:20]:
        for kind in (None, "not_recorded", "missing_for_subject"):
            fast, slow = _with_missing_kind(r, kind), attrs.evolve(r, missing_kind=kind)
            assert [getattr(fast, a.name) for a in attrs.fields(Result)] == \
                [getattr(slow, a.name) for a in attrs.fields(Result)]


def test_printing_a_report_as_json_keeps_no_message_nor_evidence_on_its_results():
    report = partyrules.check(COURT)
    listed = report.listed()
    assert any(type(r._message) is tuple for r in listed)
    recipes = [(r._message, r._evidence) for r in listed]
    render_json(report)
    assert [(r._message, r._evidence) for r in listed] == recipes     # made for the text, not kept
