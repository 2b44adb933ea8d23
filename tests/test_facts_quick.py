"""The quick loading path agrees with the careful one.

``facts_from_document`` first tries :mod:`partyrules.facts.quick` (no paths,
no messages) and falls back to the careful cattrs path when anything is off;
``check_plain`` likewise asks a pathless question before its located walk.
These properties hold the pairs to one answer: on valid documents the same
FactDocument, on mutated and hostile ones the same error, word for word.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import pickle

import attrs

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pytest

from partyrules import source
from partyrules.errors import PartyrulesError
from partyrules.facts import load, quick
from partyrules.facts.model import FactDocument
from partyrules.periods import Month
from partyrules.source import Document, _check_plain_located, _is_plain, check_plain, from_mapping
from partyrules.testing.strategies import document_paths, fact_documents, with_omissions

SETTINGS = settings(max_examples=int(__import__("os").environ.get("QUICK_EXAMPLES", "40")), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Text(str):
    """A str subclass: the quick path leaves such values to the careful one."""


HOSTILE = [None, True, False, 0, -1, 1, 2 ** 53 - 1, 2 ** 53, 2 ** 70, 10 ** 120, 0.5, -0.0, math.nan, math.inf,
           "", " ", "x", "m0001", "b01", "2024-13-01", "2024-02-30", "2024-01-01", "2999-12-31", "3000-01-01",
           "1899-12-31", "1900-01-01", "2024-06", "2024-13", "0000-01", "9999-12-31", "full", "branch",
           "general_meeting", "\ud800", "x" * 70_000, Text("m0001"), Text("2024-01-01"), [], {}, ["m0001"],
           ["2024-01"], ["m0001", "m0001"], [None], {"2023": 12}, {2023: 12}, {"2023": -1}, {"2023": 10 ** 400},
           {"23": 1}, {True: 1}, {"id": "x"}, {"date": "2024-01-01"}, dt.date(2024, 1, 1),
           dt.datetime(2024, 1, 1), Month(2024, 1), (1, 2), {"a": {"b": {"c": []}}}]


def _old(data: object, source: str = "<mapping>"):
    """The careful way, as before the quick path: the located plain check, then cattrs and the checks."""
    _check_plain_located(data, source)
    return load._careful(Document(data, source, {}))


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except PartyrulesError as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "problems", None), getattr(exc, "more", None))


def _at(doc, path):
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw):
    """A valid document with a few values replaced, keys dropped or added, or items repeated."""
    doc = copy.deepcopy(draw(fact_documents(max_branches=2, max_members_per_branch=4)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in document_paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "repeat", "late"]))
        if op == "late":                    # a record (or a year of training) after the document's as_of
            dated = [p for p in paths if isinstance(_at(doc, p), str) and len(_at(doc, p)) == 10
                     and _at(doc, p)[4:5] == "-"] + [p for p in paths if p[-1:] == ("training_hours",)]
            if dated:
                at = draw(st.sampled_from(dated))
                parent = _at(doc, at[:-1])
                parent[at[-1]] = "2030-01-01" if isinstance(parent[at[-1]], str) else {"2031": 1}
        elif op == "replace":
            parent[last] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif op == "drop":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "id", "date", "as_of", 5, "source"]))] = \
                copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif op == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return doc


@SETTINGS
@given(fact_documents(max_branches=3).flatmap(with_omissions))
def test_valid_documents_take_the_quick_path_and_equal_the_careful_result(drawn):
    doc, _removed = drawn
    assert _is_plain(doc)
    facts = quick.structure(doc, "<mapping>")          # raises NotQuick if the quick path gave up
    assert facts == _old(doc)
    assert load.facts_from_document(from_mapping(doc)) == facts


@SETTINGS
@given(mutated())
def test_mutated_documents_give_the_same_result_or_the_same_error(doc):
    expected = _outcome(_old, doc)
    assert _outcome(lambda d: load.facts_from_document(from_mapping(d)), doc) == expected
    assert _outcome(load.load_facts, doc) == expected       # a mapping: the plain check only if not quick
    assert _outcome(load.facts_from_document, _mapping(doc)) == _outcome(load._careful, _mapping(doc))


@SETTINGS
@given(mutated())
def test_quick_structure_accepts_only_what_the_careful_path_accepts(doc):
    try:
        facts = quick.structure(doc, "<mapping>")
    except quick.NotQuick:
        return
    careful = load.structure(doc, FactDocument)       # the plain check and references come apart
    assert facts == careful
    assert _outcome(_check_plain_located, doc, "<x>") == ("ok", None)   # load_facts relies on it
    assert not load.records_after(careful)                       # late records are never quick


@SETTINGS
@given(mutated())
def test_plain_check_quick_answer_matches_the_located_walk(doc):
    located = _outcome(_check_plain_located, doc, "<x>")
    if _is_plain(doc):                       # it may be unsure (a str subclass), never wrongly sure
        assert located == ("ok", None)
    assert _outcome(check_plain, doc, "<x>") == located


# texts check_plain refuses (a lone surrogate, one character too long) and the longest it accepts
BAD_TEXTS = ["\ud800", "m\udfff", "\udc80名", "x" * 65_537, "名" * 65_537, "x" * 65_536]
SURROGATES = st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE00F), min_size=1, max_size=3)


@st.composite
def with_a_bad_text(draw):
    """A valid document in which every occurrence of one string (an id, a name, a kind, a date) is
    replaced by a text check_plain refuses or barely accepts: an id stays an id everywhere it is named,
    so the quick path would accept the document but for the text itself."""
    doc = copy.deepcopy(draw(fact_documents(max_branches=2, max_members_per_branch=4)))
    texts = sorted({_at(doc, p) for p in document_paths(doc) if p and type(_at(doc, p)) is str})
    words = [text for text in texts if not text[:1].isdigit()] or texts     # most strings are dates
    old = draw(st.sampled_from(words) | st.sampled_from(texts))
    new = draw(st.sampled_from(BAD_TEXTS) | SURROGATES.map(lambda bad: old + bad))
    for path in [p for p in document_paths(doc) if p and _at(doc, p) == old]:
        _at(doc, path[:-1])[path[-1]] = new
    return doc


@SETTINGS
@given(with_a_bad_text())
def test_a_text_check_plain_refuses_is_refused_with_the_same_error_by_load_facts(doc):
    expected = _outcome(_old, doc)
    assert _outcome(load.load_facts, doc) == expected
    try:
        quick.structure(doc, "<mapping>")
    except quick.NotQuick:
        return
    assert _outcome(_check_plain_located, doc, "<x>") == ("ok", None)


def _count_values(value) -> int:
    """The values of a document as check_plain counts them: every mapping value and list item, and the top."""
    if isinstance(value, dict):
        return 1 + sum(map(_count_values, value.values()))
    if isinstance(value, list):
        return 1 + sum(map(_count_values, value))
    return 1


@SETTINGS
@given(fact_documents(max_branches=3).flatmap(with_omissions), st.sampled_from([-1, 0]))
def test_the_limit_on_values_is_the_same_either_way(drawn, spare):
    doc, _removed = drawn
    with _max_values(_count_values(doc) + spare):
        expected = _outcome(_old, doc)
        assert expected[0] == ("ok" if spare == 0 else "error")
        assert _outcome(load.load_facts, doc) == expected


@contextlib.contextmanager
def _max_values(n: int):
    """MAX_VALUES set to ``n`` where check_plain and the quick path read it."""
    saved = source.MAX_VALUES, quick.MAX_VALUES
    source.MAX_VALUES = quick.MAX_VALUES = n
    try:
        yield
    finally:
        source.MAX_VALUES, quick.MAX_VALUES = saved


def test_a_mapping_subclass_is_checked_plain_before_anything_else():
    class Facts(dict):
        pass
    doc = Facts({"format": "partyrules.facts/1", "members": [{"id": "m\ud800"}]})
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    assert "lone surrogate" in _outcome(load.load_facts, doc)[2]


def _mapping(doc) -> Document:
    return Document(doc, "<mapping>", {})


@pytest.mark.parametrize("depth", [63, 64, 65, 66])
def test_nesting_limit_is_the_same_either_way(depth):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    assert _is_plain(value) == (depth <= 64)
    assert _outcome(check_plain, value, "<x>") == _outcome(_check_plain_located, value, "<x>")


def test_a_late_record_falls_back_to_the_located_message():
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "organizations": [{"id": "b01", "kind": "branch"}],
           "meetings": [{"org": "b01", "kind": "general_meeting", "date": "2024-07-01"}]}
    with pytest.raises(quick.NotQuick):
        quick.structure(doc, "<mapping>")
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    assert "meetings[0].date: 2024-07-01 is after the document's as_of 2024-06-30" in _outcome(load.load_facts, doc)[2]


def test_field_types_are_what_get_type_hints_resolves():
    """The one-expression evaluation of a record's annotations gives get_type_hints' answer, for every record."""
    import typing

    import attrs

    from partyrules.facts import model
    records = [v for v in vars(model).values() if isinstance(v, type) and attrs.has(v) and v.__module__ == model.__name__]
    assert FactDocument in records and len(records) > 10
    for cls in records:
        hints = typing.get_type_hints(cls)
        assert quick.field_types(cls) == {f.name: hints[f.name] for f in attrs.fields(cls)}, cls


@st.composite
def with_crossed_references(draw):
    """A valid document in which a few strings (ids and the references to them) name another record, of
    this kind or another, or nothing, or a list names one of its items again."""
    doc = copy.deepcopy(draw(fact_documents(max_branches=3, max_members_per_branch=4)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in document_paths(doc) if p and type(_at(doc, p)) is str and not _at(doc, p)[:1].isdigit()]
        lists = [p for p in document_paths(doc) if p and type(_at(doc, p)) is list and _at(doc, p)]
        op = draw(st.sampled_from(["rename", "rename", "repeat", "parent", "dates"]))
        if op == "rename" or (op == "repeat" and not lists):
            path = draw(st.sampled_from(paths))
            names = sorted({_at(doc, p) for p in paths}) + ["nobody"]
            _at(doc, path[:-1])[path[-1]] = draw(st.sampled_from(names))
        elif op == "repeat":
            items = _at(doc, draw(st.sampled_from(lists)))
            items.append(copy.deepcopy(items[draw(st.integers(0, len(items) - 1))]))
        elif op == "parent":                # a parent anywhere: itself, a cycle, or a branch above the committee
            orgs = doc["organizations"]
            draw(st.sampled_from(orgs))["parent"] = draw(st.sampled_from(orgs))["id"]
        elif doc["members"]:                # two dates of a member swapped, or its status turned
            member = draw(st.sampled_from(doc["members"]))
            keys = [k for k in ("birth_date", "admitted_on", "full_on", "applied_on") if member.get(k)]
            if len(keys) >= 2 and draw(st.booleans()):
                a, b = draw(st.permutations(keys))[:2]
                member[a], member[b] = member[b], member[a]
            else:
                member["status"] = draw(st.sampled_from(["full", "probationary"]))
    return doc


@settings(SETTINGS, max_examples=5 * SETTINGS.max_examples)     # cheap examples, and many ways to be wrong
@given(with_crossed_references())
def test_references_are_found_holding_exactly_when_the_worded_walk_finds_nothing(doc):
    try:
        facts = load.structure(doc, FactDocument)
    except Exception:                      # a kind or a date replaced: not about references
        return
    assert load._references_hold(facts) == (not load._reference_problems(facts))
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)


def test_a_cycle_of_parents_alone_is_found_by_the_reference_check():
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "organizations": [{"id": "c", "kind": "committee", "parent": "b"},
                             {"id": "b", "kind": "branch", "parent": "c"}]}
    facts = load.structure(doc, FactDocument)
    assert not load._references_hold(facts)
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    assert "parents form a cycle: c → b → c" in _outcome(load.load_facts, doc)[2]


@pytest.mark.parametrize("hours", [{"2023": 12}, {2023: 12}, {"2023": 1, 2023: 2}, {Text("2023"): 12},
                                   {"2023": 1.5, "2024": 0}, {"2023": math.nan}, {"2023": -0.0}, {"2023": 2 ** 53},
                                   {"2023": True}, {True: 1}, {"0023": 1}, {"２０２３": 1}, {}])
def test_training_hours_the_quick_path_takes_are_the_careful_ones(hours):
    """A year met before (in the first member) is looked up, not parsed: a key only equal to it is not quick."""
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "members": [{"id": "m1", "training_hours": {"2023": 1, 2022: 2}},
                       {"id": "m2", "training_hours": hours}]}
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    try:
        facts = quick.structure(doc, "<mapping>")
    except quick.NotQuick:
        return
    assert facts == load.structure(doc, FactDocument)
    assert type(next(iter(hours), "")) in (str, int)


class _SaysId:
    """A value that claims to be "id" (equal, same hash) without being the string."""

    claims = "id"

    def __eq__(self, other):
        return other == self.claims

    def __hash__(self):
        return hash(self.claims)

    def __repr__(self):
        return f"{type(self).__name__}()"


class _TextSaysId(str):
    __eq__ = _SaysId.__eq__
    __hash__ = _SaysId.__hash__
    claims = "id"


class _SaysMonth(_SaysId):
    claims = "2024-01"


class _TextSaysMonth(_TextSaysId):
    claims = "2024-01"


@pytest.mark.parametrize("key", [_SaysId(), _TextSaysId("\ud800"), _TextSaysId("x" * 70_000), Text("id")])
def test_a_key_that_only_equals_a_field_name_gets_the_plain_check_answer(key):
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "members": [{key: "m1"}]}
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    with pytest.raises(quick.NotQuick):
        quick.structure(doc, "<mapping>")


@pytest.mark.parametrize("month", [_SaysMonth(), _TextSaysMonth("\ud800"), _TextSaysMonth("x" * 70_000), Text("2024-01")])
def test_a_value_that_only_equals_a_month_met_before_gets_the_plain_check_answer(month):
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "members": [{"id": "m1", "dues_paid": ["2024-01"]}, {"id": "m2", "dues_paid": [month]}]}
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)
    with pytest.raises(quick.NotQuick):
        quick.structure(doc, "<mapping>")


def _records(value):
    """Every attrs record in ``value``, depth first."""
    if isinstance(value, tuple):
        for item in value:
            yield from _records(item)
    elif attrs.has(type(value)):
        yield value
        for field in attrs.fields(type(value)):
            yield from _records(getattr(value, field.name))


@SETTINGS
@given(fact_documents(max_branches=3).flatmap(with_omissions))
def test_records_the_quick_path_builds_through_their_slots_are_the_ones_init_builds(drawn):
    doc, _removed = drawn
    pairs = list(zip(_records(quick.structure(doc, "<mapping>")), _records(_old(doc)), strict=True))
    assert pairs
    for built, expected in pairs:
        assert type(built) is type(expected)
        assert built.__getstate__() == expected.__getstate__()     # every slot set, each to its own field
        assert repr(built) == repr(expected) and hash(built) == hash(expected)
        assert pickle.loads(pickle.dumps(built)) == expected
        assert attrs.evolve(built) == expected


def test_every_record_class_but_the_document_is_built_through_its_slots():
    """The slot setters are used where the model allows them (a change to the model may turn them off)."""
    from partyrules.facts import model
    classes = [c for c in vars(model).values() if isinstance(c, type) and c.__module__ == model.__name__
               and attrs.has(c) and c not in (model.FactDocument, model.Omitted, model.TrainingHours)]
    assert len(classes) >= 10
    for cls in classes:
        assert "new" in quick._record_hook(cls, {}).__globals__, cls


# few values, most of them equal to another (1, 1.0, True; "2023", Text("2023")), so that members repeat them
_YEAR_KEYS = ["2023", 2023, Text("2023"), True, "0023", "2024"]
_HOURS = [1, 1.0, True, 0, False, -1, 2 ** 53 + 1, math.nan, 1.5]


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(_YEAR_KEYS), st.sampled_from(_HOURS), max_size=3), min_size=1,
                max_size=4))
@example([{"2023": 1}, {"2023": True}]).via("a bool equal to hours met before")
@example([{"2023": 1, "2024": 2}, {2024: 1.0}]).via("whole hours as int and as float")
@example([{"2023": 1}, {Text("2023"): 1}]).via("a str subclass equal to a year met before")
def test_training_hours_are_made_as_the_careful_path_makes_them(hours):
    """The same answer either way, and the same hours: 1.0, not 1 (equal, but printed otherwise)."""
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "members": [{"id": f"m{i}", "training_hours": h} for i, h in enumerate(hours)]}
    expected = _outcome(_old, doc)
    assert _outcome(load.load_facts, doc) == expected
    if expected[0] == "ok":
        assert repr(expected[1]) == repr(load.load_facts(doc))


@SETTINGS
@given(st.one_of(fact_documents(max_branches=3).flatmap(with_omissions).map(lambda drawn: drawn[0]), mutated()))
def test_the_attendees_the_quick_path_notes_are_those_of_its_meetings(doc):
    """The reference check takes the attendees from the quick path instead of walking the meetings again."""
    try:
        facts, attendees = quick.structure_noting(doc, "<mapping>")
    except quick.NotQuick:
        return
    meetings = () if facts.meetings is load.OMITTED else facts.meetings
    assert attendees == {a for m in meetings if m.attendees is not load.OMITTED for a in m.attendees}
    assert facts == quick.structure(doc, "<mapping>")


@SETTINGS
@given(fact_documents(max_branches=2), st.sampled_from(["nobody", "b01", "m0001", ""]), st.data())
def test_an_attendee_who_is_no_member_is_found_as_before(doc, name, data):
    """The attendees' ids the quick path hands over: one that names no member (or is listed twice) is found."""
    doc = copy.deepcopy(doc)
    meetings = [m for m in doc.get("meetings", []) if isinstance(m.get("attendees"), list)]
    if not meetings:
        return
    data.draw(st.sampled_from(meetings))["attendees"].append(name)
    assert _outcome(load.load_facts, doc) == _outcome(_old, doc)


def test_members_who_paid_for_the_same_months_share_one_tuple_of_them():
    """Equal lists of months become one tuple (what reads dues then works a list out once); a list in another
    order, or with a month more, is a tuple of its own, and each holds its months as written."""
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
           "members": [{"id": "m1", "dues_paid": ["2024-01", "2024-02"]},
                       {"id": "m2", "dues_paid": ["2024-01", "2024-02"]},
                       {"id": "m3", "dues_paid": ["2024-02", "2024-01"]},
                       {"id": "m4", "dues_paid": ["2024-01", "2024-02", "2024-03"]}]}
    m1, m2, m3, m4 = quick.structure(doc, "<mapping>").members
    assert m1.dues_paid is m2.dues_paid and m1.dues_paid == (Month(2024, 1), Month(2024, 2))
    assert m3.dues_paid == (Month(2024, 2), Month(2024, 1)) and m3.dues_paid is not m1.dues_paid
    assert m4.dues_paid == (Month(2024, 1), Month(2024, 2), Month(2024, 3))
    assert load.load_facts(doc) == quick.structure(doc, "<mapping>")
