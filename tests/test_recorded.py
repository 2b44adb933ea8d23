"""recorded_fields walks a court field by field over all records of one place at once: the
same set as the plain record-by-record walk (kept here as the reference), on generated courts
with facts left out at random and on the bundled court."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from partyrules.facts.load import load_facts
from partyrules.facts.model import OMITTED
from partyrules.facts.recorded import RecordedLookup, recorded_fields
from partyrules.testing import fact_documents, with_omissions

COURT = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"


def reference(doc: Any) -> frozenset[str]:
    out: set[str] = set()

    def walk(record: Any, prefix: str) -> None:
        for f in attrs.fields(type(record)):
            if f.name in ("format", "source"):
                continue
            value = getattr(record, f.name)
            if value is OMITTED:
                continue
            here = f"{prefix}.{f.name}" if prefix else f.name
            out.add(here)
            if isinstance(value, tuple) and value and attrs.has(type(value[0])):
                for item in value:
                    walk(item, here + "[]")
            elif attrs.has(type(value)) and not isinstance(value, tuple):
                walk(value, here)

    walk(doc, "")
    return frozenset(out)


@st.composite
def courts(draw):
    doc = draw(fact_documents())
    if draw(st.booleans()):
        doc, _removed = draw(with_omissions(doc))
    return doc


@given(courts())
def test_recorded_fields_equal_the_record_by_record_walk(raw):
    doc = load_facts(raw)
    assert recorded_fields(doc) == reference(doc)


def test_recorded_fields_of_the_bundled_court():
    doc = load_facts(str(COURT))
    found = recorded_fields(doc)
    assert found == reference(doc)
    assert "members[].dues_paid" in found and "organizations[].elections[].date" in found


def _asked(found: frozenset[str]) -> set[str]:
    """Patterns to ask a lookup: every recorded one, and near misses (a list step, an unknown field, a
    step too far, the skipped fields) that the walk never records."""
    out = set(found) | {"format", "source", "members[].format", "", ".", "members[]", "members[][]",
                        "unit.nothing", "nothing", "?.x"}
    for pattern in found:
        out |= {pattern + "[]", pattern + ".id", pattern + "[].id", pattern + ".x", pattern.replace("[]", "")}
    return out


@given(courts())
def test_a_lookup_answers_as_the_whole_walk(raw):
    doc = load_facts(raw)
    found = recorded_fields(doc)
    lookup = RecordedLookup(doc)
    for pattern in sorted(_asked(found)):
        assert (pattern in lookup) == (pattern in found), pattern


def test_a_lookup_of_the_bundled_court_answers_as_the_whole_walk():
    doc = load_facts(str(COURT))
    found = recorded_fields(doc)
    lookup = RecordedLookup(doc)
    for pattern in sorted(_asked(found)):
        assert (pattern in lookup) == (pattern in found), pattern
