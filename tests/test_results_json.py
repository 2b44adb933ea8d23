"""The JSON report writes its results straight to text (``report.model._write_results``): the same bytes as
``json.dumps`` of the results' dicts (``Result.to_json``, the careful way), for results of every shape,
odd text and all, at any depth, whichever results share a subject, a list of citations or an ending."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.report import json_text
from partyrules.report.model import OUTCOME_ORDER, Report, Result, Subject, _write_results

COURT = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"

ODD = ["", "\n", '"', "\\", "\\u2028", "\u2028\u2029", "\x00\x1f\x7f", "\ud800", "\udfff\ud800", "\U0001f600",
       "中文，“引号”", "</script>", "{[,]}: ", "x" * 3000, "ä" * 700 + "\U00010000"]
texts = st.one_of(st.sampled_from(ODD), st.text(st.characters(blacklist_categories=()), max_size=12))


class Text(str):
    """A ``str`` subclass: equal to its text, written by ``json`` as the text."""


scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False), texts,
                    texts.map(Text))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=2).map(tuple),
    st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
keys = st.one_of(texts, st.sampled_from([1, True, 0, False, None, 1.5]))
messages = st.one_of(
    st.builds(lambda zh, en: {"zh": zh, "en": en}, texts, texts),
    st.builds(lambda zh, en: {"en": en, "zh": zh}, texts, texts),
    st.builds(lambda zh, en: {Text("zh"): zh, "en": en}, texts, texts),
    st.builds(lambda zh, en: {"zh": zh, "en": en}, scalars, scalars),
    st.dictionaries(keys, scalars, max_size=3))
evidences = st.one_of(st.dictionaries(texts, st.one_of(st.none(), texts, values), max_size=4),
                      st.dictionaries(keys, values, max_size=3), values.filter(lambda v: type(v) is not tuple))
missings = st.one_of(st.lists(texts, max_size=3).map(tuple), st.sampled_from([(1,), (True,), (1.0,), ("a", 1)]),
                     st.lists(texts, max_size=2))
kinds = st.one_of(st.none(), st.sampled_from(["not_recorded", "missing_for_subject"]), texts, st.just(1))


@cache
def court_report() -> Report:
    return partyrules.check(COURT)


def citation_lists() -> list[tuple]:
    lists = {id(r.citations): r.citations for r in court_report().results}
    return [()] + list(lists.values())


def lazily(message: dict, evidence) -> tuple:
    """The recipe a result keeps until its message or evidence is read (see :class:`Result`)."""
    return (lambda t: t[2], lambda t: t[3], message, evidence)


@st.composite
def results(draw) -> list[Result]:
    subjects = draw(st.lists(st.builds(Subject, texts, texts, texts), min_size=1, max_size=3))
    policies = draw(st.lists(texts, min_size=1, max_size=3))
    made = []
    for _ in range(draw(st.integers(0, 8))):
        message, evidence = draw(messages), draw(evidences)
        lazy = draw(st.booleans())
        made.append(Result(
            draw(st.sampled_from(policies)), draw(st.sampled_from(OUTCOME_ORDER)),
            draw(st.sampled_from(["error", "warning"]) | texts), draw(st.sampled_from(subjects)),
            draw(st.sampled_from(citation_lists())),
            lazily(message, evidence) if lazy else message, lazily(message, evidence) if lazy else evidence,
            draw(missings), "", "", draw(kinds)))
    return made


def reference(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=150)
@given(results(), st.booleans())
def test_a_report_writes_its_results_as_json_dumps_of_their_dicts(made, all_results):
    report = attrs.evolve(court_report(), results=tuple(made))
    assert report.json_text(all_results) == reference(report.to_json(all_results))


@given(results(), st.integers(0, 3))
def test_the_results_are_written_alike_at_any_depth(made, depth):
    registry = court_report().registry
    written = json_text.Written(lambda indent, out: _write_results(made, registry, indent, out))
    doc, expected = written, [r.to_json(registry) for r in made]
    for _ in range(depth):
        doc, expected = {"x": [doc]}, {"x": [expected]}
    assert json_text.dumps(doc) == reference(expected)
