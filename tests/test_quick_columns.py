"""A long list of records is structured field by field (``quick._columns``) and a short one record by
record (``make`` for each, in turn): the two must accept the same lists and build the same records.

Each list of records of a drawn and then damaged document (organizations, members,
meetings, activities, applicants) goes through both; they agree on whether it is quick
and, when it is, on the records and on what the load keeps for its checks at the end
(the texts, the lists of ids, the values counted, the latest record's date and year).
The whole quick path, every list taken field by field, still agrees with the careful
path.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import json
import math
import typing
from pathlib import Path

import attrs
import yaml

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

from partyrules.facts import load, quick
from partyrules.facts.model import Activity, Applicant, FactDocument, Meeting, Member, Omitted, Organization
from partyrules.periods import Month
from partyrules.source import Document, _check_plain_located
from partyrules.testing.strategies import fact_documents, with_omissions

SETTINGS = settings(max_examples=int(__import__("os").environ.get("QUICK_EXAMPLES", "40")), deadline=None,
                    derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LISTS = {"organizations": Organization, "members": Member, "meetings": Meeting, "activities": Activity,
         "applicants": Applicant}


COURT = Path(__file__).resolve().parent.parent / "examples" / "court.yaml"


class Text(str):
    """A str subclass: never quick."""


# values a field may be damaged to: each wrong for some field, right for another
HOSTILE = [None, True, False, 0, -1, 1, 2 ** 53, 0.5, math.nan, math.inf, "", " ", "x", "m0001", "b01",
           "2024-13-01", "2024-02-30", "2024-01-01", "3000-01-01", "1899-12-31", "2024-06", "full", "branch",
           "general_meeting", "theme_day", "committee_meeting", "x" * 70_000, Text("m0001"), Text("2024-01-01"),
           Text("full"), Text("branch"), Text("theme_day"),
           [], {}, ["m0001"], ("m0001",), ["2024-01"], [None], [Text("m0001")], [" "], {"2023": 12},
           {"2023": 1, 2023: 2}, {"2024": 1, "2023": 2}, {"2023": 0.5}, {"2023": 2 ** 53}, {"2023": True},
           [Text("2024-01")], [Month(2024, 1)], ["2024-01", "2024-01"],
           {2023: 12}, {"23": 1}, {"id": "x"}, dt.date(2024, 1, 1), dt.date(1800, 1, 1), dt.datetime(2024, 1, 1),
           Month(2024, 1)]


@st.composite
def damaged_lists(draw):
    """One list of records of a drawn court, as it is or with a few records damaged: a value replaced
    (in one record, or in every record that has the field), a key dropped, an unknown key added, a
    record repeated, or a record that is not a mapping."""
    doc, _removed = draw(fact_documents(max_branches=3).flatmap(with_omissions))
    key = draw(st.sampled_from([k for k in LISTS if doc.get(k)]))
    items = copy.deepcopy(doc[key])
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):      # a list untouched or only a little
        records = [item for item in items if type(item) is dict]
        if not records:
            break
        record = draw(st.sampled_from(records))
        op = draw(st.sampled_from(["replace", "replace", "everywhere", "drop", "add", "repeat", "not a record",
                                   "as YAML gives it"]))
        if op == "as YAML gives it":        # every date of the list an unquoted YAML date
            for other in records:
                for field, value in list(other.items()):
                    if type(value) is str and len(value) == 10 and value[4:5] == "-" and value[:4].isdigit():
                        other[field] = dt.date.fromisoformat(value)
        elif op in ("replace", "everywhere") and record:
            field = draw(st.sampled_from(sorted(record, key=repr)))
            value = draw(st.sampled_from(HOSTILE))
            for other in (records if op == "everywhere" else [record]):
                if field in other:
                    other[field] = copy.deepcopy(value)
        elif op == "drop" and record:
            del record[draw(st.sampled_from(sorted(record, key=repr)))]
        elif op == "add":
            record[draw(st.sampled_from(["extra", 5, Text("id"), "attendees", "lecturer", "voting", "full_on"]))] = \
                copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif op == "repeat":
            items.append(copy.deepcopy(record))
        elif op == "not a record":
            items[draw(st.integers(0, len(items) - 1))] = draw(st.sampled_from(HOSTILE))
    return LISTS[key], items


def _kept(seen: quick._Seen) -> tuple:
    """What a load keeps for the end, in a form the order of the work does not change."""
    return (seen.values, seen.latest, seen.latest_year, set(seen.texts), dict(seen.dates),
            collections.Counter(map(repr, seen.id_lists)), collections.Counter(map(repr, seen.attendee_lists)))


def _structured(make, items):
    seen = quick._Seen()
    try:
        built = make(items, seen)
    except Exception:           # NotQuick, or what structure_noting turns into NotQuick (an unhashable value)
        return "not quick"
    return built, _kept(seen)


@SETTINGS
@given(damaged_lists())
def test_columns_and_rows_agree_on_every_list_of_records(drawn):
    cls, items = drawn
    hook = quick._record_hook(cls, {})
    rows = _structured(hook.rows, items)
    columns = _structured(hook.columns, items)
    assert rows == columns


@SETTINGS
@given(damaged_lists())
def test_a_list_the_columns_take_is_one_the_careful_path_takes(drawn):
    cls, items = drawn
    built = _structured(quick._record_hook(cls, {}).columns, items)
    if built == "not quick":
        return
    assert built[0] == tuple(load.structure(items, tuple[cls, ...]))


def _nested(cls: type, records: list, path: str):
    """``records`` (of ``cls``) and, under ``path``, every list of records inside them, each list made of
    the lists of all the records (a court's elections, its members' introducers …) so that it is long."""
    if not records:
        return
    yield path, cls, records[:40]
    for field, hint in quick.field_types(cls).items():
        inner = [a for a in typing.get_args(hint) if a is not Omitted and a is not type(None)] or [hint]
        kind = inner[0]
        if kind in quick._SCALARS or typing.get_args(kind)[:1] and typing.get_args(kind)[0] in quick._SCALARS:
            continue                    # months, hours by year: values, not records
        values = [r[field] for r in records if type(r) is dict and r.get(field) is not None]
        if typing.get_origin(kind) is tuple and attrs.has(typing.get_args(kind)[0]) and values:
            yield from _nested(typing.get_args(kind)[0], [x for v in values for x in v], f"{path}.{field}")
        elif attrs.has(kind) and values:
            yield from _nested(kind, values, f"{path}.{field}")


def _court_lists() -> list[tuple[str, type, list]]:
    """The bundled court's lists of records, with dates as YAML gives them and as JSON gives them."""
    court = yaml.load(COURT.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    as_json = json.loads(json.dumps(court, default=str))
    return [found for style, doc in (("yaml", court), ("json", as_json))
            for found in _nested(FactDocument, [doc], style) if found[1] is not FactDocument]


@pytest.mark.parametrize("name, cls, items", _court_lists(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_field_of_a_court_damaged_in_every_way_is_decided_alike(name, cls, items):
    """Each field of the bundled court's records, in one record or in all of them, replaced by each
    hostile value or left out, and each record given an unknown key: columns and rows agree every time."""
    hook = quick._record_hook(cls, {})
    assert _structured(hook.columns, items) == _structured(hook.rows, items) != "not quick"
    fields = sorted({field for record in items for field in record})
    tried = refused = 0
    for field in fields:
        holders = [i for i, record in enumerate(items) if field in record]
        one = holders[len(holders) // 2]
        for value in HOSTILE + ["drop"]:
            for where in ([one], holders):
                damaged = list(items)           # neither way changes what it is given
                for i in where:
                    damaged[i] = dict(damaged[i])
                    if value == "drop":
                        del damaged[i][field]
                    else:
                        damaged[i][field] = value
                columns = _structured(hook.columns, damaged)
                assert columns == _structured(hook.rows, damaged), (field, value, len(where))
                tried += 1
                refused += columns == "not quick"
    for extra in ("extra", 5, "a str subclass"):
        damaged = copy.deepcopy(items)
        if extra == "a str subclass":       # its key equal to a field's name, and not quick
            name = sorted(damaged[-1])[0]
            damaged[-1][Text(name)] = damaged[-1].pop(name)
        else:
            damaged[-1][extra] = None
        assert _structured(hook.columns, damaged) == _structured(hook.rows, damaged) == "not quick"
    assert 0 < refused < tried          # some damage is refused, some (null where null is allowed) is not


def test_a_court_with_few_records_takes_them_record_by_record(monkeypatch):
    hook = quick._record_hook(Meeting, {})
    calls = []
    monkeypatch.setattr(hook, "columns", lambda items, seen: calls.append(len(items)))
    meetings = [{"org": "b01", "kind": "theme_day", "date": "2024-01-0" + str(day)} for day in range(1, 10)]
    long = meetings * 3
    assert len(long) >= quick.COLUMNS_FROM > len(meetings)
    assert hook.many(meetings, quick._Seen()) == hook.rows(meetings, quick._Seen())
    assert hook.many(long, quick._Seen()) == hook.rows(long, quick._Seen())


@pytest.mark.parametrize("value, quick_", [("2024-01-01", True), (dt.date(2024, 1, 1), True),
                                           (Text("2024-01-01"), False), (dt.datetime(2024, 1, 1), False),
                                           ("2024-02-30", False), (None, False)])
def test_one_odd_date_among_many_decides_the_list(value, quick_):
    meetings = [{"org": "b01", "kind": "theme_day", "date": f"2023-{month:02d}-01"} for month in range(1, 13)] * 3
    meetings[17] = dict(meetings[17], date=value)
    columns = _structured(quick._record_hook(Meeting, {}).columns, meetings)
    assert (columns != "not quick") is quick_
    assert columns == _structured(quick._record_hook(Meeting, {}).rows, meetings)


@SETTINGS
@given(fact_documents(max_branches=3).flatmap(with_omissions))
def test_every_list_by_columns_still_equals_the_careful_document(drawn):
    doc, _removed = drawn
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quick, "COLUMNS_FROM", 1)
        facts = quick.structure(doc, "<mapping>")
    _check_plain_located(doc, "<mapping>")
    assert facts == load._careful(Document(doc, "<mapping>", {}))
    assert isinstance(facts, FactDocument)
