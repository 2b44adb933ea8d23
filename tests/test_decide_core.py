"""Omitted facts decide in every direction the recorded facts allow (derive.py).

Each test holds a policy's answer with one fact omitted against its answers for
the concrete values that fact could take (those the loader accepts, the extremes
among them): decided only when every value gives that answer (sound), unknown
only when two values disagree or one of them is itself unknown (complete).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules

AS_OF = dt.date(2024, 6, 30)
OMIT = object()


def _doc(*members, as_of=AS_OF, records_from="2022-01-01"):
    return {"format": "partyrules.facts/1", "as_of": as_of.isoformat(), "records_from": records_from,
            "members": list(members)}


def _result(doc, policy, subject="m1"):
    report = partyrules.check(doc, select=[policy])
    (r,) = [r for r in report.results if r.policy == policy and r.subject.id == subject]
    return r


def _days(lo: dt.date, hi: dt.date, picks: list[dt.date]) -> list[dt.date]:
    """The extremes of [lo, hi] and the picks that fall inside it."""
    return sorted({lo, hi, *(d for d in picks if lo <= d <= hi)})


def _member(full_on, bound, admitted_on, **fields) -> dict:
    """Member m1 converted on ``full_on`` (None: still probationary), with one lower bound of the admission
    (``bound``: (birth_date or applied_on, day), or None) and ``admitted_on`` (OMIT: left out)."""
    m = {"id": "m1", **fields, "full_on": None if full_on is None else full_on.isoformat()}
    if full_on is None or full_on > AS_OF:
        m["status"] = "probationary"
    if bound:
        m[bound[0]] = bound[1].isoformat()
    if admitted_on is not OMIT:
        m["admitted_on"] = admitted_on.isoformat()
    return m


def _holds(omitted, concrete: set[str], path: str) -> None:
    if omitted.outcome == "unknown":
        assert len(concrete) > 1 or "unknown" in concrete, concrete
        # the omitted fact is named exactly when some value of it would decide
        assert (path in omitted.missing) == (concrete != {"unknown"}), (omitted.missing, concrete)
    else:
        assert concrete == {omitted.outcome}, (omitted.outcome, concrete)


# ---------------------------------------------------------------- training_year: an omitted admission date

DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=AS_OF)
TRAINING = ["member-edu.member.yearly-training-hours", "organs.member.yearly-training"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=st.sampled_from(TRAINING), full_on=st.one_of(st.none(), DAYS),
       bound=st.one_of(st.none(), st.tuples(st.sampled_from(["birth_date", "applied_on"]), DAYS)),
       hours=st.sampled_from([None, 0, 8, 32, 40]), picks=st.lists(DAYS, max_size=3))
def test_training_without_admitted_on_decides_exactly_when_every_admission_agrees(policy, full_on, bound, hours,
                                                                                    picks):
    """The yearly training rules (last complete year 2023) without admitted_on: the admission lies between
    birth_date or applied_on and full_on (load.py) and the snapshot (records_after)."""
    lo = bound[1] if bound else dt.date(1990, 1, 1)
    hi = min(full_on or AS_OF, AS_OF)
    if lo > hi:
        return                          # no admission fits: the document would be refused whatever it says

    def outcome(admitted_on):
        m = _member(full_on, bound, admitted_on)
        if hours is not None:
            m["training_hours"] = {2023: hours}
        return _result(_doc(m), policy)

    omitted = outcome(OMIT)
    concrete = {outcome(day).outcome for day in _days(lo, hi, [dt.date(2023, 1, 1), dt.date(2022, 12, 31), *picks])}
    _holds(omitted, concrete, "members[0].admitted_on")


# ---------------------------------------------------------------- dues_each: an omitted admission date

MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13) if f"{y}-{m:02d}" <= "2024-06"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_on=st.one_of(st.none(), DAYS),
       bound=st.one_of(st.none(), st.tuples(st.sampled_from(["birth_date", "applied_on"]), DAYS)),
       unpaid=st.sets(st.sampled_from(MONTHS), max_size=3), records_from=st.sampled_from(["2023-01-01", "2023-11-01"]),
       picks=st.lists(DAYS, max_size=3))
def test_dues_without_admitted_on_decide_exactly_when_every_admission_agrees(full_on, bound, unpaid, records_from,
                                                                              picks):
    """The monthly dues rule without admitted_on: the admission lies between birth_date or applied_on and full_on
    (load.py) and the snapshot (records_after); a month is owed from the first whole month of membership."""
    lo = bound[1] if bound else dt.date(1990, 1, 1)
    hi = min(full_on or AS_OF, AS_OF)
    if lo > hi:
        return

    def outcome(admitted_on):
        m = _member(full_on, bound, admitted_on, dues_paid=[mo for mo in MONTHS if mo not in unpaid])
        return _result(_doc(m, records_from=records_from), "member-edu.member.dues-paid-monthly")

    omitted = outcome(OMIT)
    firsts = [dt.date.fromisoformat(mo + "-01") for mo in sorted(unpaid)]
    edges = [d + dt.timedelta(days=k) for d in firsts for k in (-1, 0, 1)]
    concrete = {outcome(day).outcome for day in _days(lo, hi, [*edges, *picks])}
    _holds(omitted, concrete, "members[0].admitted_on")


# ---------------------------------------------------------------- leaders_org_life: a leader's omitted admission

LEADERS = "member-edu.unit.leaders-dual-org-life"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_on=st.one_of(st.none(), DAYS),
       bound=st.one_of(st.none(), st.tuples(st.sampled_from(["birth_date", "applied_on"]), DAYS)),
       attended=st.booleans(), records_from=st.sampled_from(["2022-06-01", "2023-03-01"]),
       picks=st.lists(DAYS, max_size=3))
def test_leaders_org_life_without_admitted_on_decides_exactly_when_every_admission_agrees(full_on, bound, attended,
                                                                                         records_from, picks):
    """A leader's dual organisational life (the last complete year, 2023) without admitted_on: the
    admission lies between birth_date or applied_on and full_on (load.py) and the snapshot (records_after)."""
    lo = bound[1] if bound else dt.date(1990, 1, 1)
    hi = min(full_on or AS_OF, AS_OF)
    if lo > hi:
        return

    def outcome(admitted_on):
        m = _member(full_on, bound, admitted_on, org="b1")
        doc = _doc(m, records_from=records_from)
        doc["unit"] = {"id": "u1", "name": "某法院", "leaders": ["m1"]}
        doc["organizations"] = [{"id": "b1", "kind": "branch", "parent": None}]
        doc["meetings"] = [{"org": "b1", "kind": "theme_day", "date": "2023-06-15",
                            "attendees": ["m1"] if attended else []}]
        return _result(doc, LEADERS, "u1")

    omitted = outcome(OMIT)
    edges = [dt.date(y, 1, 1) + dt.timedelta(days=k) for y in (2023, 2024) for k in (-1, 0, 1)]
    concrete = {outcome(day).outcome for day in _days(lo, hi, [*edges, *picks])}
    _holds(omitted, concrete, "members[0].admitted_on")


# ---------------------------------------------------------------- the six-month lapse: an omitted admission date

WINDOW = [f"{y}-{m:02d}" for y, m in [(2023, m) for m in range(7, 13)] + [(2024, m) for m in range(1, 7)]]
LAPSE = "constitution.member.six-month-lapse"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_on=st.one_of(st.none(), DAYS),
       bound=st.one_of(st.none(), st.tuples(st.sampled_from(["birth_date", "applied_on"]), DAYS)),
       paid=st.sets(st.sampled_from(WINDOW)), attended=st.sets(st.sampled_from(WINDOW)),
       picks=st.lists(DAYS, max_size=3))
def test_the_lapse_without_admitted_on_decides_exactly_when_every_admission_agrees(full_on, bound, paid, attended,
                                                                                  picks):
    """Six months without organisational life or dues (records from 2023-07) without admitted_on: the admission
    lies between birth_date or applied_on and full_on (load.py) and the snapshot (records_after)."""
    lo = bound[1] if bound else dt.date(1990, 1, 1)
    hi = min(full_on or AS_OF, AS_OF)
    if lo > hi:
        return

    def outcome(admitted_on):
        m = _member(full_on, bound, admitted_on, org="b1", dues_paid=sorted(paid))
        doc = _doc(m, records_from="2023-07-01")
        doc["organizations"] = [{"id": "b1", "kind": "branch", "parent": None}]
        doc["meetings"] = [{"org": "b1", "kind": "theme_day", "date": f"{mo}-15", "attendees": ["m1"]}
                           for mo in sorted(attended)]
        return _result(doc, LAPSE)

    omitted = outcome(OMIT)
    edges = [dt.date.fromisoformat(mo + "-01") + dt.timedelta(days=k) for mo in WINDOW for k in (-1, 0)]
    concrete = {outcome(day).outcome for day in _days(lo, hi, [*edges, *picks])}
    _holds(omitted, concrete, "members[0].admitted_on")


# ---------------------------------------------------------------- secretary_training: omitted elections or changes

ROTATION = "branch-regs.branch.secretary-rotation-training"
YEAR_DAYS = st.dates(min_value=dt.date(2021, 6, 1), max_value=AS_OF)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(omit=st.sampled_from(["elections", "secretary_changes"]),
       elected=st.lists(YEAR_DAYS, max_size=2), changes=st.lists(YEAR_DAYS, max_size=2),
       took=st.one_of(st.none(), YEAR_DAYS), trained=st.booleans(), picks=st.lists(YEAR_DAYS, max_size=3))
def test_secretary_training_without_elections_or_changes_decides_exactly_when_every_value_agrees(
        omit, elected, changes, took, trained, picks):
    """The rotation training of the secretary of all of 2023 with the elections or the secretary changes
    omitted: concrete values are none, or one or two dated on the recorded days, 1 January and the picks."""
    def outcome(value):
        b1 = {"id": "b1", "kind": "branch", "parent": None, "secretary": "s",
              "elections": [{"date": d.isoformat()} for d in elected],
              "secretary_changes": [{"date": d.isoformat(), "consent_on": d.isoformat()} for d in changes]}
        if took is not None:
            b1["officers_took_office"] = [{"member": "s", "date": took.isoformat()}]
        if value is OMIT:
            del b1[omit]
        else:
            b1[omit] = value
        doc = _doc({"id": "s", "org": "b1", "status": "full", "training_hours": {2023: 8},
                    "secretary_training_years": [2023] if trained else []})
        doc["organizations"] = [b1]
        return _result(doc, ROTATION, "b1")

    omitted = outcome(OMIT)
    days = sorted({*picks, *elected, *changes, dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2023, 1, 2),
                   *([took] if took else [])})
    values = [[]] + [[{"date": d.isoformat(), "consent_on": d.isoformat()}] for d in days]
    if omit == "elections":
        values = [[]] + [[{"date": d.isoformat()}] for d in days]
    concrete = {outcome(v).outcome for v in values}
    _holds(omitted, concrete, f"organizations[0].{omit}")


# ---------------------------------------------------------------- the secretary's standing: an omitted full_on

STANDING = "branch-regs.branch.secretary-party-standing"
ELECTION_DAYS = st.dates(min_value=dt.date(2019, 1, 1), max_value=AS_OF)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.sampled_from([None, "full", "probationary"]), admitted_on=st.one_of(st.none(), DAYS),
       bound=st.one_of(st.none(), st.tuples(st.sampled_from(["birth_date", "applied_on"]), DAYS)),
       elected=ELECTION_DAYS, picks=st.lists(DAYS, max_size=3))
def test_the_secretary_standing_without_full_on_decides_exactly_when_every_conversion_agrees(
        status, admitted_on, bound, elected, picks):
    """One year of Party standing at the latest election without full_on: the conversion is null (never, not
    with status full) or a day between admitted_on, birth_date and applied_on and the snapshot (load.py)."""
    lows = [d for d in (admitted_on, bound[1] if bound else None) if d is not None]
    if admitted_on is not None and bound and bound[1] > admitted_on:
        return                          # the document would be refused whatever full_on says
    lo = max(lows) if lows else dt.date(1990, 1, 1)

    def outcome(full_on):
        s = {"id": "s", "org": "b"}
        if status:
            s["status"] = status
        if admitted_on is not None:
            s["admitted_on"] = admitted_on.isoformat()
        if bound:
            s[bound[0]] = bound[1].isoformat()
        if full_on is not OMIT:
            s["full_on"] = None if full_on is None else full_on.isoformat()
        doc = _doc(s)
        doc["organizations"] = [{"id": "b", "kind": "branch", "parent": None, "secretary": "s",
                                 "elections": [{"date": elected.isoformat()}]}]
        return _result(doc, STANDING, "b")

    omitted = outcome(OMIT)
    values: list = [] if status == "full" else [None]
    if status != "probationary":
        edge = elected.replace(year=elected.year - 1) if (elected.month, elected.day) != (2, 29) else \
            dt.date(elected.year - 1, 2, 28)
        values += _days(lo, AS_OF, [edge, edge + dt.timedelta(days=1), *picks])
    concrete = {outcome(v).outcome for v in values}
    _holds(omitted, concrete, "members[0].full_on")


# ---------------------------------------------------------------- activities_each: an activity without its org

YEAR_DAYS = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2024, 6, 29))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(own=st.lists(YEAR_DAYS, max_size=2), other=st.lists(YEAR_DAYS, max_size=2),
       open_=st.lists(YEAR_DAYS, min_size=1, max_size=2))
def test_a_secretary_report_without_its_org_is_never_counted_missing_for_sure(own, other, open_):
    """organs art.39 for b1: a report whose org is omitted may be b1's, c1's or the unit's (null). A missed year
    is a violation only when every one of those readings leaves it missed (sound); unknown only when they
    disagree (complete), naming the reports' org."""
    def outcome(org_of_open):
        acts = [{"kind": "secretary_report", "date": d.isoformat(), "org": "b1"} for d in own]
        acts += [{"kind": "secretary_report", "date": d.isoformat(), "org": "c1"} for d in other]
        for d in open_:
            act = {"kind": "secretary_report", "date": d.isoformat()}
            if org_of_open is not OMIT:
                act["org"] = org_of_open
            acts.append(act)
        doc = _doc(records_from="2022-01-01")
        doc["organizations"] = [{"id": "c1", "kind": "committee"}, {"id": "b1", "kind": "branch", "parent": "c1"}]
        doc["activities"] = acts
        return _result(doc, "organs.org.yearly-secretary-report", subject="b1")
    omitted = outcome(OMIT)
    concrete = {outcome(org).outcome for org in ("b1", "c1", None)}
    if omitted.outcome == "unknown":
        assert concrete == {"violated", "satisfied"}, concrete
        assert omitted.missing and all(m.startswith("activities[") and m.endswith("].org") for m in omitted.missing)
    else:
        assert concrete == {omitted.outcome}, (omitted.outcome, concrete)


# ---------------------------------------------------------------- lectures_by: lectures whose lecturer is omitted

LECTURER = st.sampled_from(["m1", "m2", OMIT])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(years=st.integers(1, 3), lectures=st.lists(st.tuples(st.sampled_from([2021, 2022, 2023]), LECTURER),
                                                  max_size=5))
def test_lectures_with_an_omitted_lecturer_decide_exactly_when_every_lecturer_agrees(years, lectures):
    """The secretary's yearly lecture over the last ``years`` complete years: a lecture whose lecturer was not
    recorded may have been anyone's. A year with no lecture that could be theirs is missed whoever gave the
    open ones, so the answer is unknown only when giving them to the secretary could cover every missed year."""
    import itertools

    from partyrules.facts.derive import lectures_by
    from partyrules.facts.view import View

    def ok(lecturers):
        meetings = []
        for (year, _), who in zip(lectures, lecturers):
            mt = {"org": "b1", "kind": "party_lecture", "date": f"{year}-05-10"}
            if who is not OMIT:
                mt["lecturer"] = who
            meetings.append(mt)
        doc = {"format": "partyrules.facts/1", "as_of": AS_OF.isoformat(), "records_from": "2021-01-01",
               "organizations": [{"id": "b1", "kind": "branch", "parent": None}],
               "members": [{"id": "m1", "org": "b1", "status": "full"}, {"id": "m2", "org": "b1", "status": "full"}],
               "meetings": meetings}
        return lectures_by(View(partyrules.load_facts(doc), AS_OF), "m1", "year", years).ok

    got = ok([who for _, who in lectures])
    open_ = [i for i, (_, who) in enumerate(lectures) if who is OMIT]
    concrete = set()
    for pick in itertools.product(["m1", "m2"], repeat=len(open_)):
        lecturers = [who for _, who in lectures]
        for i, who in zip(open_, pick):
            lecturers[i] = who
        concrete.add(ok(lecturers))
    if isinstance(got, bool):
        assert concrete == {got}, (got, concrete)
    else:
        assert concrete == {True, False}, concrete
        assert all(m.endswith(".lecturer") for m in got.missing)


# ---------------------------------------------------------------- department heads: one head omitted

HEAD = st.sampled_from(["m1", "m2", None, OMIT])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(heads=st.lists(HEAD, min_size=1, max_size=3), secretary=st.sampled_from(["m1", "m2", "m3", None]))
def test_a_branch_secretary_with_an_omitted_department_head_decides_exactly_when_every_head_agrees(heads, secretary):
    """organs art.8 para.2: the secretary heads one of the branch's departments. A department head that was
    not recorded may be any member or none; a recorded one decides whatever the omitted ones are."""
    import itertools

    policy = "organs.branch.secretary-is-department-head"

    def outcome(values):
        return _result(doc_of(values), policy, "b1")

    def doc_of(values):
        departments = []
        for i, head in enumerate(values):
            dep = {"id": f"d{i}", "name": f"庭{i}"}
            if head is not OMIT:
                dep["head"] = head
            departments.append(dep)
        doc = {"format": "partyrules.facts/1", "as_of": AS_OF.isoformat(),
               "unit": {"id": "u1", "departments": departments},
               "organizations": [{"id": "b1", "kind": "branch", "parent": None, "secretary": secretary,
                                  "departments": [d["id"] for d in departments]}],
               "members": [{"id": m, "org": "b1", "status": "full"} for m in ("m1", "m2", "m3")]}
        return doc

    got = outcome(heads)
    open_ = [i for i, h in enumerate(heads) if h is OMIT]
    concrete = set()
    for pick in itertools.product(["m1", "m2", "m3", None], repeat=len(open_)):
        values = list(heads)
        for i, h in zip(open_, pick):
            values[i] = h
        concrete.add(outcome(values).outcome)
    if got.outcome == "unknown":
        assert len(concrete) > 1, concrete
        assert all(m.startswith("unit.departments[") and m.endswith("].head") for m in got.missing), got.missing
    else:
        assert concrete == {got.outcome}, (got.outcome, concrete)
    # the list of heads the evidence shows: unknown (null) while any head is omitted, and then the derived
    # fact names every head omitted, not the first one only
    if got.outcome != "not_applicable":
        assert got.evidence["department_heads"] == (None if open_ else [h for h in heads if h is not None])
    if open_:
        from partyrules.facts.derive import department_heads
        from partyrules.facts.load import load_facts
        from partyrules.facts.view import View
        facts = load_facts(doc_of(heads))
        value = department_heads(View(facts, AS_OF), facts.organizations[0])
        assert value.missing == {f"unit.departments[{i}].head" for i in open_}
