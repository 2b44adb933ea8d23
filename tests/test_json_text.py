"""report/json_text.py writes what ``json.dumps(value, ensure_ascii=False, indent=2)`` writes, byte for byte
(the JSON report's bytes are fixed by the goldens; this covers the values no golden holds)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.report import json_text
from partyrules.report.render import render_json
from partyrules.testing import fact_documents
from partyrules.report.json_text import Each, Shared

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                    st.sampled_from(["", "\n", '"', "\\", "中文", "\u2028", "\x00", "{[,]}: "]))
keys = st.one_of(st.text(max_size=8), st.integers(-3, 3), st.floats(), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=4),
    st.dictionaries(keys, inner, max_size=3)), max_leaves=25)


def reference(value):
    return json.dumps(value, ensure_ascii=False, indent=2)


@given(values)
def test_the_same_text_as_json_dumps(value):
    assert json_text.dumps(value) == reference(value)


@given(values)
def test_a_shared_value_is_written_as_if_it_were_inline(value):
    shared = Shared(value)       # at several depths, and twice at one
    doc = {"x": [shared, shared], "y": {"z": shared}}
    assert json_text.dumps(doc) == reference({"x": [value, value], "y": {"z": value}})


def test_subclasses_and_odd_numbers_go_through_json_itself():
    class Text(str):
        pass

    class Count(int):
        pass

    value = {"t": Text("x"), "n": Count(3), "nan": math.nan, "inf": [math.inf, -math.inf], 1: "one"}
    assert json_text.dumps({"deep": [value]}) == reference({"deep": [value]})


def test_what_json_refuses_it_refuses():
    with pytest.raises(TypeError):
        json_text.dumps({"a": [object()]})


@settings(max_examples=25, deadline=None)
@given(fact_documents(), st.booleans())
def test_a_report_renders_as_json_dumps_of_its_document(raw, all_results):
    report = partyrules.check(raw)
    assert render_json(report, all_results) == reference(report.to_json(all_results)) + "\n"


@given(st.lists(values, max_size=4))
def test_a_list_made_while_written_is_written_as_the_list(items):
    made = json_text.dumps({"x": Each(items, lambda v: [v]), "y": Each([], str)})
    assert made == reference({"x": [[v] for v in items], "y": []})


def test_results_of_unusual_shapes_are_written_as_json_dumps_writes_them():
    import attrs
    from pathlib import Path
    court = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"
    report = partyrules.check(court)
    base = report.results[:6]
    odd = [attrs.evolve(base[0], message={"zh": "只有一种"}, evidence={}, missing=()),
           attrs.evolve(base[1], message={"zh": "甲", "en": "a", "de": "ä"}, evidence={"n": [1, 2.5, None]}),
           attrs.evolve(base[2], message={"zh": "\n\"", "en": 3}, missing=("a\u2028", "b"), outcome="unknown",
                        missing_kind=None),
           attrs.evolve(base[3], message={1: "x", "en": "y"}, outcome="unknown", missing_kind="not_recorded"),
           attrs.evolve(base[4], citations=(), missing=("x",), outcome="violated"),
           base[5], base[5]]
    odd_report = attrs.evolve(report, results=tuple(odd))
    for all_results in (False, True):
        assert odd_report.json_text(all_results) == reference(odd_report.to_json(all_results))
    assert attrs.evolve(report, results=()).json_text() == reference(attrs.evolve(report, results=()).to_json())
