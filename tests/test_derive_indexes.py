"""The derived facts answer from per-view indexes exactly as the straightforward scans did.

tests/oracle holds the implementation from before the indexes, verbatim; every derived fact that reads
meetings, attendance, dues or periods is computed both ways on generated courts (with omissions, earlier
evaluation dates, meeting ids, lecturers and activities) and the results must be equal, field by field.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st
from oracle import derive_devt_old as old_devt
from oracle import derive_old as old

from partyrules.facts import derive as new
from partyrules.facts import derive_devt as new_devt
from partyrules.facts.load import load_facts
from partyrules.facts.model import OMITTED
from partyrules.facts.view import Unknown, View
from partyrules.testing.strategies import MEETING_KINDS, fact_documents, with_omissions


def plain(value: Any) -> Any:
    """A value with result records replaced by (class name, fields): the oracle has its own record classes."""
    if isinstance(value, Unknown):
        return value
    if attrs.has(type(value)) and type(value).__module__.endswith(("derive", "derive_old", "derive_devt",
                                                                    "derive_devt_old")):
        return (type(value).__name__,) + tuple(plain(getattr(value, a.name)) for a in attrs.fields(type(value)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(plain(v) for v in value)
    return value


@st.composite
def courts(draw: st.DrawFn) -> tuple[dict, dt.date]:
    doc = draw(fact_documents(max_branches=4, max_members_per_branch=8))
    if draw(st.booleans()):
        doc, _ = draw(with_omissions(doc))
    ids = [m["id"] for m in doc["members"]]
    orgs = [o["id"] for o in doc["organizations"]]
    for i, mt in enumerate(doc.get("meetings", [])):
        if draw(st.integers(0, 2)) == 0:
            mt["id"] = f"mt{i}"
        if mt["kind"] == "party_lecture" and draw(st.integers(0, 3)) > 0:
            mt["lecturer"] = draw(st.sampled_from(ids + [None])) if ids else None
        if "attendees" in mt and ids and draw(st.integers(0, 5)) == 0:
            # someone from another organization (leaders, committee members) took part
            mt["attendees"] = sorted(set(mt["attendees"]) | {draw(st.sampled_from(ids))})
    snap = dt.date.fromisoformat(doc["as_of"])
    if orgs and draw(st.booleans()):
        doc["activities"] = [{"kind": draw(st.sampled_from(["report", "briefing"])),
                              "date": (snap - dt.timedelta(days=draw(st.integers(0, 900)))).isoformat(),
                              **({"org": draw(st.sampled_from(orgs + [None]))} if draw(st.booleans()) else {})}
                             for _ in range(draw(st.integers(0, 12)))]
    on = snap - dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 17, 45, 200, 400])))
    return doc, on


def pairs(facts: Any, on: dt.date) -> tuple[View, View]:
    return View(facts, on), View(facts, on)


def same(fn_new: Any, fn_old: Any, v_new: View, v_old: View, *args: Any, **kw: Any) -> None:
    try:
        expected = plain(fn_old(v_old, *args, **kw))
    except Exception as e:        # the same error both ways
        expected = ("raised", type(e).__name__, str(e))
    try:
        got = plain(fn_new(v_new, *args, **kw))
    except Exception as e:
        got = ("raised", type(e).__name__, str(e))
    assert got == expected, (fn_new.__name__, args, kw)


SINCES = (None, dt.date(2019, 1, 1), dt.date(2023, 7, 1), dt.date(2024, 2, 15))


@given(courts(), st.sampled_from(SINCES))
def test_indexed_derived_facts_equal_the_straightforward_scans(court, since):
    doc, on = court
    facts = load_facts(doc)
    vn, vo = pairs(facts, on)
    members = list(facts.members) if facts.members is not OMITTED else []
    orgs = list(facts.organizations) if facts.organizations is not OMITTED else []
    for m in members:
        for months in (1, 3, 6):
            same(new.org_life_lapse, old.org_life_lapse, vn, vo, m, months)
            same(new.dues_lapse, old.dues_lapse, vn, vo, m, months)
        for count in (3, 12):
            same(new.dues_each, old.dues_each, vn, vo, m, count, since=since)
            same(new_devt.dues_late, old_devt.dues_late, vn, vo, m, count, 6, since=since)
            same(new_devt.dues_shortfalls, old_devt.dues_shortfalls, vn, vo, m, count,
                 (0.005, 0.01, 0.015, 0.02, 0.005, 0.01), since=since)
        same(new.training_year, old.training_year, vn, vo, m, since=since)
        same(new_devt.dues_paid_for, old_devt.dues_paid_for, vn, vo, m, on - dt.timedelta(days=40))
        same(new_devt.assessment_overdue, old_devt.assessment_overdue, vn, vo, m, 6)
        for kind in ("general_meeting", "party_lecture"):
            same(new.meetings_since, old.meetings_since, vn, vo, m, kind, since or dt.date(2023, 1, 1))
        for period in ("month", "quarter", "year"):
            same(new.lectures_by, old.lectures_by, vn, vo, m.id, period, 4, since=since)
    for o in orgs:
        for period, count in (("month", 1), ("month", 12), ("quarter", 4), ("year", 2)):
            for kinds in (("general_meeting",), ("org_life_meeting", "democratic_review"), tuple(MEETING_KINDS)):
                same(new.meetings_each, old.meetings_each, vn, vo, o, kinds if len(kinds) > 1 else kinds[0],
                     period, count, since=since)
            same(new.activities_each, old.activities_each, vn, vo, o, "report", period, count, since=since)
        for kind in ("general_meeting", "committee_meeting"):
            for months in (3, 12):
                same(new.quorum, old.quorum, vn, vo, o, kind, months, since=since)
        same(new.secretary_training, old.secretary_training, vn, vo, o, since=since)
    same(new.activities_each, old.activities_each, vn, vo, None, "briefing", "quarter", 4, since=since)
    for period, count in (("month", 6), ("quarter", 4), ("year", 1)):
        same(new.leaders_org_life, old.leaders_org_life, vn, vo, period, count, since=since)
    for day in (on, on - dt.timedelta(days=31), on - dt.timedelta(days=700)):
        same(new_devt.month_complete, old_devt.month_complete, vn, vo, day)


@given(courts())
def test_a_view_read_by_many_threads_at_once_answers_as_one_thread_does(court):
    doc, on = court
    facts = load_facts(doc)
    members = list(facts.members) if facts.members is not OMITTED else []
    alone = View(facts, on)
    expected = [plain(new.org_life_lapse(alone, m, 3)) for m in members]
    shared = View(facts, on)
    got: list[list] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def work(i: int) -> None:
        start.wait()
        got[i] = [plain(new.org_life_lapse(shared, m, 3)) for m in members]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g == expected for g in got)


@given(courts(), st.sampled_from(SINCES), st.randoms(use_true_random=False))
def test_results_shared_between_members_do_not_depend_on_who_asked_first(court, since, rnd):
    """The per-member facts share equal month and period checks (and dues coverages) on a view: asked for the
    members in any order on one view, each answers as the straightforward scan does on a view of its own."""
    doc, on = court
    facts = load_facts(doc)
    members = list(facts.members) if facts.members is not OMITTED else []
    asked = [(m, months, count) for m in members for months in (1, 2, 6) for count in (1, 12)]
    rnd.shuffle(asked)
    shared = View(facts, on)
    for m, months, count in asked:
        alone = View(facts, on)
        same(new.org_life_lapse, old.org_life_lapse, shared, alone, m, months)
        same(new.dues_lapse, old.dues_lapse, shared, alone, m, months)
        same(new.dues_each, old.dues_each, shared, alone, m, count, since=since)


def unread(value: Any) -> bool:
    """Whether a lapse's month-by-month ``periods`` are still to be made (nothing has read them)."""
    return type(new.Lapse.__dict__["periods"].slot.__get__(value)) is new.Later


def lapses(facts: Any, on: dt.date) -> tuple[list[tuple[Any, ...]], Any]:
    """Every lapse of every member for 1, 3 and 6 months, on a view of their own that is then dropped:
    ``(fact name, member, months, value)``, each value as the derived fact returned it (nothing read), and
    a weak reference to the view's indexes."""
    view = View(facts, on)
    members = list(facts.members) if facts.members is not OMITTED else []
    return [(fn.__name__, m, months, fn(view, m, months))
            for m in members for months in (1, 3, 6) for fn in (new.org_life_lapse, new.dues_lapse)], \
        weakref.ref(view.index)


@given(courts(), st.integers(0, 4))
def test_a_lapse_whose_months_are_made_when_read_is_the_lapse_made_at_once(court, how):
    """A lapse's months made on first read (most members have no lapse and their months are never shown)
    equal the straightforward scan's, read after the view is gone, in any order, by any reader: the value
    compares, hashes, prints, pickles and turns into JSON as one made with its months at once does."""
    import gc
    import pickle

    from partyrules.engine.native import to_json
    from partyrules.tools.explain import _value_json, records
    doc, on = court
    facts = load_facts(doc)
    got, index = lapses(facts, on)
    gc.collect()                      # the view the lapses came from is gone: reading must not need it
    # nor do the lapses keep its indexes alive (with their proxy of the dead view, which raises when touched)
    assert index() is None
    oracle = View(facts, on)
    if how == 4:                      # several threads read the same values at once
        start = threading.Barrier(4)
        seen: list[list] = [[] for _ in range(4)]

        def work(i: int) -> None:
            start.wait()
            seen[i] = [plain(value) for *_, value in got]

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(s == seen[0] for s in seen)
    for name, m, months, value in got:
        expected = getattr(old, name)(oracle, m, months)
        # made at once: the fields as the oracle has them, in this module's classes
        eager = new.Lapse(expected.lapsed, expected.months,
                          tuple(new.MonthCheck(p.month, p.found, p.record) for p in expected.periods),
                          expected.since, expected.run_months, expected.until, expected.ongoing)
        assert not unread(eager)
        # the first reader may be any of them; every one then sees the same value
        first = (lambda v: v == eager, lambda v: hash(v) == hash(eager), lambda v: repr(v) == repr(eager),
                 lambda v: pickle.loads(pickle.dumps(v)) == eager, lambda v: to_json(v) == to_json(eager))[how % 5]
        assert first(value), (name, m.id, months, how)
        assert not unread(value)
        assert value == eager and hash(value) == hash(eager) and repr(value) == repr(eager)
        assert plain(value) == plain(expected)
        assert to_json(value) == to_json(eager) and _value_json(value) == _value_json(eager)
        assert records(value, "en") == records(eager, "en") and attrs.asdict(value) == attrs.asdict(eager)


def test_a_member_without_a_lapse_leaves_its_months_to_be_made_when_read():
    """The property above is about something: without a run of empty months nothing reads the months."""
    doc = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "records_from": "2024-01-01",
           "organizations": [{"id": "b1", "kind": "branch", "parent": None}],
           "members": [{"id": "m1", "org": "b1", "status": "full", "admitted_on": "2003-06-18",
                        "dues_paid": ["2024-02", "2024-05"]}],
           "meetings": [{"org": "b1", "kind": "theme_day", "date": "2024-02-14", "attendees": ["m1"]},
                        {"org": "b1", "kind": "theme_day", "date": "2024-05-14", "attendees": ["m1"]},
                        {"org": "b1", "kind": "theme_day", "date": "2024-06-04"}]}
    facts = load_facts(doc)
    (_, _, _, life), (_, _, _, dues) = [g for g in lapses(facts, dt.date(2024, 6, 30))[0] if g[2] == 3]
    assert life.lapsed is False and dues.lapsed is False and unread(life) and unread(dues)
    assert [(p.month, p.found, p.record) for p in dues.periods] == [
        ("2024-04", False, None), ("2024-05", True, "dues 2024-05"), ("2024-06", False, None)]
    assert [(p.month, p.found, p.record) for p in life.periods] == [
        ("2024-04", False, None), ("2024-05", True, "meetings[1] theme_day 2024-05-14"),
        ("2024-06", Unknown.of("meetings[2].attendees"), "meetings[2] theme_day 2024-06-04")]


def _every_record(facts: Any) -> list[tuple[Any, str]]:
    """Each record of ``facts`` with the path facts-v1 gives it, walked here by hand."""
    out: list[tuple[Any, str]] = []
    for name in ("organizations", "members", "meetings", "activities", "applicants"):
        items = getattr(facts, name)
        for i, item in enumerate(() if items is OMITTED else items):
            out.append((item, f"{name}[{i}]"))
            for field in ("elections",):
                for j, e in enumerate(getattr(item, field, OMITTED) if getattr(item, field, OMITTED) is not OMITTED
                                      else ()):
                    out.append((e, f"{name}[{i}].{field}[{j}]"))
            if getattr(item, "development", OMITTED) is not OMITTED:
                out.append((item.development, f"{name}[{i}].development"))
    if facts.unit is not OMITTED:
        out.append((facts.unit, "unit"))
        for i, d in enumerate(() if facts.unit.departments is OMITTED else facts.unit.departments):
            out.append((d, f"unit.departments[{i}]"))
    return out


@given(courts(), st.booleans(), st.randoms(use_true_random=False))
def test_every_record_is_named_by_its_own_place_whichever_is_asked_first(court, twin, rnd):
    """The paths are made in two tables (meetings, the rest) when first asked for: in any order of asking,
    each record gets its own place, an equal copy of a meeting its own, and what is not a record none."""
    doc, on = court
    if twin and doc.get("meetings"):
        twin_meeting = {k: v for k, v in doc["meetings"][0].items() if k != "id"}   # ids are unique
        doc = {**doc, "meetings": doc["meetings"] + [twin_meeting, dict(twin_meeting)]}   # two equal records
    facts = load_facts(doc)
    records = _every_record(facts)
    rnd.shuffle(records)
    view = View(facts, on)
    for record, where in records:
        assert view.path(record) == where
        assert view.paths.find(record) == where
    stranger = attrs.evolve(facts.meetings[0]) if facts.meetings is not OMITTED and facts.meetings else object()
    assert view.path(stranger) == "?" and view.paths.find(stranger) is None
    copy = attrs.evolve(facts.members[0]) if facts.members is not OMITTED and facts.members else object()
    view.derived_copy(records[0][0], copy)
    assert view.path(copy) == records[0][1]


@given(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)) | st.sampled_from(
    [dt.date(2999, 12, 31), dt.date(2999, 12, 1), dt.date(2999, 11, 30), dt.date(1900, 1, 1), dt.date(2024, 2, 29)]),
    max_size=40), st.booleans())
def test_meetings_by_month_are_the_meetings_grouped_by_their_month_in_date_order(days, calendar_end):
    """meetings_by_month cuts the sorted meetings at each month's first day; grouped one by one instead, the
    months, their order and each month's meetings (same-day ones in document order) are the same. A document
    built by hand may hold the last month of the calendar, which has no next month to cut at."""
    doc = {"format": "partyrules.facts/1", "as_of": "2999-12-31",
           "organizations": [{"id": "b1", "kind": "branch", "parent": None}],
           "meetings": [{"org": "b1", "kind": "theme_day", "date": d.isoformat(), "id": f"mt{i}"}
                        for i, d in enumerate(days)]}
    facts = load_facts(doc)
    on = dt.date(2999, 12, 31)
    if calendar_end:
        on = dt.date(9999, 12, 31)
        last = [attrs.evolve(mt, date=dt.date(9999, 12, 31 - i), id=f"end{i}") for i, mt in enumerate(facts.meetings[:3])]
        facts = attrs.evolve(facts, meetings=facts.meetings + tuple(last))
    want: dict[tuple[int, int], list] = {}
    for mt in sorted(facts.meetings, key=lambda m: m.date):
        want.setdefault((mt.date.year, mt.date.month), []).append(mt)
    got = View(facts, on).meetings_by_month
    assert [((m.year, m.month), [x.id for x in ms]) for m, ms in got.items()] == \
           [(k, [x.id for x in ms]) for k, ms in want.items()]


def names_at_once(view: View) -> dict:
    """View.names as it was worked out when the view first asked (the same rule, written plainly)."""
    seen: dict = {}
    for table in (view.members, view.orgs, view.departments):
        for key, record in table.items():
            seen.setdefault(key, []).append(record.name if record.name is not OMITTED else "")
    unique = {key: names[0] for key, names in seen.items() if len(names) == 1 and names[0]}
    return {key: (name, list(unique.values()).count(name) > 1) for key, name in unique.items()}


@given(courts(), st.integers(0, 3), st.data())
def test_the_names_results_keep_are_worked_out_when_first_read_as_at_once(court, first, data):
    """Names that messages show are worked out on the first read of any kind, and are then those the rule
    gives, whichever kind of read came first; what they were made from is kept, not the view."""
    doc, on = court
    facts = load_facts(doc)
    if doc.get("members") and doc.get("organizations") and data.draw(st.booleans()):
        # two records of one name: the message then adds the id
        doc["members"][0]["name"] = doc["organizations"][0]["name"] = "第一支部"
        facts = load_facts(doc)
    view = View(facts, on)
    names = view.names
    expected = names_at_once(View(facts, on))
    key = data.draw(st.sampled_from(sorted(expected) or ["nobody"]))
    got = (lambda: dict(names), lambda: key in names and names[key], lambda: len(names),
           lambda: list(iter(names)))[first]()
    assert got == (expected, key in expected and expected[key], len(expected), list(expected))[first]
    assert dict(names) == expected and names == expected and view.names is names


@given(courts())
def test_months_attended_counts_the_months_of_the_window_with_a_meeting_attended(court):
    """Worked out from the months missed (few, for most members): the same count as asking each month, for
    every member and for an id that is no member's."""
    doc, on = court
    view = View(load_facts(doc), on)
    if view.window is None:
        return
    months = view.index.attended_in_window
    ids = list(view.members) + ["nobody", *{a for got in months for a in got}]
    for mid in ids:
        assert view.index.months_attended(mid) == sum(mid in got for got in months), mid
