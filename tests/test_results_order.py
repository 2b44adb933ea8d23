"""The native engine's results come in report order and partly as rows (report.model.Results): the report
is the one a plain list of results, sorted and marked by finish_results, gives; Results behaves as its tuple."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.api import assemble_report, evaluation_date
from partyrules.engine.native import NativeEngine, evaluate_policy
from partyrules.facts.load import load_facts
from partyrules.facts.view import View
from partyrules.report.model import ReportOrder, Results, finish_results
from partyrules.report.render import render_json
from partyrules.rulebook.load import Rulebook
from partyrules.testing import fact_documents, with_omissions

COURT = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"
BOOK = partyrules.load_rulebook()
REPORT = partyrules.check(COURT, rulebook=BOOK)


def sorted_the_old_way(book: Rulebook, facts, on: dt.date) -> tuple:
    """Each policy's results in the document's order, then sorted and marked by finish_results."""
    view = View(facts, on)
    results = [r for p in book.applicable(on) for r in evaluate_policy(book, p, view)]
    assert type(results) is list
    return finish_results(results, facts)


@st.composite
def documents_and_dates(draw):
    doc = draw(fact_documents())
    if draw(st.booleans()):
        doc, _removed = draw(with_omissions(doc))
    on = dt.date.fromisoformat(doc["as_of"]) - dt.timedelta(days=draw(st.integers(0, 3000)))
    return doc, on


@settings(max_examples=25)
@given(documents_and_dates())
def test_the_report_holds_the_results_sorting_a_plain_list_gives(case):
    doc, on = case
    facts = load_facts(doc)
    try:
        report = partyrules.check(facts, on, rulebook=BOOK)
    except partyrules.PartyrulesError:
        return
    want = sorted_the_old_way(BOOK, facts, on)
    assert type(report.results) is Results
    assert report.results == want and repr(report.results) == repr(want)     # missing_kind included
    assert [r.missing_kind for r in report.results] == [r.missing_kind for r in want]


def test_the_example_court_in_report_order_with_every_field():
    facts = load_facts(COURT)
    want = sorted_the_old_way(BOOK, facts, evaluation_date(facts, None))
    assert tuple(REPORT.results) == want and repr(REPORT.results) == repr(want)


@settings(max_examples=60)
@given(st.integers(-400, 400), st.one_of(st.none(), st.integers(-400, 400)),
       st.one_of(st.none(), st.integers(-400, 400)), st.one_of(st.none(), st.integers(-5, 5).filter(bool)))
def test_results_index_and_slice_as_their_tuple(i, start, stop, step):
    fresh = partyrules.check(COURT, rulebook=BOOK).results      # rows not yet read
    whole = tuple(REPORT.results)
    assert fresh[start:stop:step] == whole[start:stop:step]
    if -len(whole) <= i < len(whole):
        assert fresh[i] == whole[i]
    else:
        try:
            fresh[i]
        except IndexError:
            pass
        else:
            raise AssertionError("no IndexError")


def test_results_behave_as_their_tuple():
    results = partyrules.check(COURT, rulebook=BOOK).results
    whole = tuple(REPORT.results)
    assert len(results) == len(whole)
    assert results == whole and whole == results and results == REPORT.results and not results != whole
    for value in (results, whole):        # results hold dicts: neither hashes
        try:
            hash(value)
        except TypeError:
            pass
        else:
            raise AssertionError("hashed")
    assert list(reversed(results)) == list(reversed(whole))
    assert whole[7] in results and results.index(whole[7]) == whole.index(whole[7])
    assert results.count(whole[3]) == 1
    assert results + whole[:2] == whole + whole[:2] and whole[:2] + results == whole[:2] + whole
    assert results + results == whole + whole
    copy = pickle.loads(pickle.dumps(results))
    assert type(copy) is tuple and copy == whole
    # as a batch's worker sends a report back (its registry and what comes due left out)
    sent = attrs.evolve(partyrules.check(COURT, rulebook=BOOK), registry=None, upcoming=None)
    report = pickle.loads(pickle.dumps(sent))
    assert type(report.results) is tuple
    assert report == attrs.evolve(REPORT, upcoming=None) and report.summary == REPORT.summary


def test_counting_and_listing_read_rows_without_making_results():
    report = partyrules.check(COURT, rulebook=BOOK)
    items = report.results._items
    rows = sum(type(x) is tuple for x in items)
    assert rows and all(x[1] in ("satisfied", "not_applicable") for x in items if type(x) is tuple)
    made = [r for r in REPORT.results]
    assert report.summary == {k: sum(r.outcome == k for r in made) for k in report.summary}
    assert report.listed() == [r for r in made if r.listed]
    assert report.violations == [r for r in made if r.outcome == "violated"]
    report.json_text()
    assert sum(type(x) is tuple for x in items) == rows           # printing the listed made no other result
    assert render_json(report, True) == render_json(REPORT, True)
    assert not any(type(x) is tuple for x in items)                # --all made them all


def test_two_policies_of_one_severity_and_id_are_sorted_by_the_report():
    facts = load_facts(COURT)
    on = evaluation_date(facts, None)
    applicable = BOOK.applicable(on)
    twice = applicable + [applicable[0]]
    view = View(facts, on)
    results = NativeEngine().evaluate(BOOK, twice, view, lazy=True)
    assert type(results) is list and type(results) is not ReportOrder     # interleaved by subject: sorted later
    report = assemble_report(BOOK, view, twice, results, "native")
    key = [r.sort_key() for r in report.results]
    assert key == sorted(key) and len(report.results) == len(REPORT.results) + sum(
        r.policy == applicable[0].id for r in REPORT.results)
