"""A YAML fact document is read without its positions, which are found by reading the text again when a
problem is to be located (``read_yaml(..., marks_when_asked=True)``): the data, the positions and every
error located with them are the same as when they are kept at once."""

from __future__ import annotations

import copy
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yaml

from partyrules import PartyrulesError, load_facts
from partyrules.facts.load import facts_from_document
from partyrules.source import MarksWhenAsked, read_path, read_yaml
from partyrules.testing.strategies import document_paths, fact_documents

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

DAMAGE = [None, -1, "", "x", "2024-13-01", "3000-01-01", [], {}, ["m0001", "m0001"], {"2023": -1}, "nobody"]


@st.composite
def yaml_texts(draw):
    """A court as YAML, in block style, sometimes with one value damaged (so that the load fails)."""
    doc = copy.deepcopy(draw(fact_documents(max_branches=2, max_members_per_branch=4)))
    if draw(st.booleans()):
        path = draw(st.sampled_from([p for p in document_paths(doc) if p]))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(st.sampled_from(DAMAGE))
    style = draw(st.sampled_from([False, None]))        # block style, or flow style for the innermost
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=style)


def _outcome(fn):
    try:
        return ("ok", fn())
    except PartyrulesError as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "line", None), getattr(exc, "column", None),
                getattr(exc, "problems", None))


@SETTINGS
@given(yaml_texts())
def test_positions_found_when_asked_are_the_positions_kept_at_once(text):
    at_once = read_yaml(text, "court.yaml")
    later = read_yaml(text, "court.yaml", marks_when_asked=True)
    assert isinstance(later.marks, MarksWhenAsked)
    assert later.data == at_once.data and later.lines == at_once.lines
    paths = list(document_paths(at_once.data))
    assert [later.where(p) for p in paths] == [at_once.where(p) for p in paths]
    assert dict(later.marks) == at_once.marks and later == at_once


@SETTINGS
@given(yaml_texts())
def test_a_fact_file_fails_at_the_same_place_either_way(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("marks") / "court.yaml"
    path.write_text(text, encoding="utf-8")
    at_once = _outcome(lambda: facts_from_document(read_path(path)))
    assert _outcome(lambda: load_facts(path)) == at_once


def test_an_unreadable_document_is_refused_before_any_position_is_asked_for(tmp_path):
    path = tmp_path / "court.yaml"
    path.write_text("format: partyrules.facts/1\nas_of: 2024-06-30\nmembers:\n  - id: m1\n   name: x\n",
                    encoding="utf-8")
    got = _outcome(lambda: load_facts(path))
    assert got[0] == "error" and got[3:5] == (5, 4)      # the parser says where, reading it once


def test_positions_are_read_once():
    text = "a: 1\nb:\n  - 2\n  - c: " + dt.date(2024, 1, 1).isoformat() + "\n"
    marks = read_yaml(text, "x.yaml", marks_when_asked=True).marks
    first = marks[("b", 1, "c")]
    assert first == (4, 8) and marks._made is not None
    found = marks._made
    assert marks[("a",)] == (1, 4) and marks._made is found
