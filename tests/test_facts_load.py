"""Loading fact documents: the contract accepted, everything else rejected with file, path and position."""

import datetime as dt
import json
from pathlib import Path

import pytest

from partyrules import OMITTED, InputError, PartyrulesError, SourceError, load_facts
from partyrules.periods import Month

SPEC = Path(__file__).resolve().parent / "data" / "example-court.yaml"  # the facts contract's own example
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "court.yaml"
BASE = "format: partyrules.facts/1\nas_of: 2024-06-30\n"


def write(tmp_path, text, name="facts.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_spec_example_loads_with_omitted_and_null_kept_apart():
    facts = load_facts(SPEC)
    assert facts.as_of == dt.date(2024, 6, 30)
    assert facts.records_from is OMITTED
    civil = {o.id: o for o in facts.organizations}["o-civil1"]
    assert civil.committee_members == ()            # [] is a known none
    assert civil.discipline_member is None           # null is a known none
    assert civil.elections[0].secretary_approved_on is OMITTED   # left out: unknown
    m12 = {m.id: m for m in facts.members}["m12"]
    assert m12.dues_paid == (Month(2023, 11),)
    assert m12.training_hours is OMITTED


def test_bundled_court_loads():
    facts = load_facts(EXAMPLE)
    assert len(facts.members) >= 70 and len(facts.organizations) >= 8


def test_json_and_mapping_give_the_same_model(tmp_path):
    import yaml
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    as_json = json.loads(json.dumps(data, default=str))
    p = tmp_path / "court.json"
    p.write_text(json.dumps(as_json, ensure_ascii=False), encoding="utf-8")
    assert load_facts(str(p)) == load_facts(SPEC) == load_facts(as_json)


def test_training_hours_keys_as_strings_or_ints(tmp_path):
    doc = BASE + "members:\n  - {id: a, training_hours: {2023: 36, '2024': 12.5}}\n"
    m = load_facts(write(tmp_path, doc)).members[0]
    assert m.training_hours.get(2023) == 36 and m.training_hours.get(2024) == 12.5


@pytest.mark.parametrize("text, path, expected", [
    ("members:\n  - {id: a, admitted_on: 2024-13-01}\n", "members[0].admitted_on",
     "expected a date YYYY-MM-DD, got '2024-13-01'"),
    ("members:\n  - {id: a, admitted_on: '2024-1-1'}\n", "members[0].admitted_on", "expected a date"),
    ("members:\n  - {id: a, dues_paid: [2024-01, 2024-13]}\n", "members[0].dues_paid[1]", "expected a month YYYY-MM"),
    ("members:\n  - {id: a, status: ful}\n", "members[0].status", "did you mean 'full'?"),
    ("members:\n  - {id: a, secretery: b}\n", "members[0].secretery", "unknown field"),
    ("organizations:\n  - {id: o, kind: branch, secretery: x}\n", "organizations[0].secretery",
     "did you mean 'secretary'?"),
    ("unit: {id: u, staff_total: '180'}\n", "unit.staff_total", "expected a whole number >= 0, got '180'"),
    ("unit: {id: u, staff_total: -1}\n", "unit.staff_total", "expected a whole number >= 0"),
    ("unit: {id: u, staff_total: 1.5}\n", "unit.staff_total", "expected a whole number"),
    ("unit: {id: u, party_funding_in_budget: 'yes'}\n", "unit.party_funding_in_budget", "expected true or false"),
    ("unit: {id: u, leaders: m1}\n", "unit.leaders", "expected a list, got 'm1'"),
    ("unit: {id: ''}\n", "unit.id", "expected a non-empty string"),
    ("unit: {id: 7}\n", "unit.id", "expected a non-empty string"),
    ("members:\n  - {name: x}\n", "members[0].id", "required field missing"),
    ("members:\n  - {id: a, org: nowhere}\n", "members[0].org", "'nowhere' is not the id of any organization"),
    ("members:\n  - {id: a}\n  - {id: a}\n", "members[1].id", "duplicate id 'a'"),
    ("organizations:\n  - {id: o, kind: branch, secretary: m9}\n", "organizations[0].secretary",
     "'m9' is not the id of any member"),
    ("organizations:\n  - {id: o, kind: club}\n", "organizations[0].kind", "expected one of committee"),
    ("organizations:\n  - {id: a, kind: branch, parent: b}\n  - {id: b, kind: branch, parent: a}\n",
     "organizations[0].parent", "cycle"),
    ("meetings:\n  - {org: o, kind: theme_day, date: 2024-01-01}\n", "meetings[0].org", "not the id"),
    ("meetings:\n  - {kind: theme_day, date: 2024-01-01}\n", "meetings[0].org", "required field missing"),
    ("members:\n  - {id: a, status: full, full_on: null}\n", "members[0].full_on", "contradicts status 'full'"),
    ("members:\n  - {id: a, admitted_on: 2025-01-01}\n", "members[0].admitted_on", "after the document's as_of"),
    ("members:\n  - {id: a, training_hours: {2023: -2}}\n", "members[0].training_hours[2023]", "hours >= 0"),
    ("members:\n  - {id: a, training_hours: {last: 2}}\n", "members[0].training_hours.last", "a year"),
    ("organizations:\n  - {id: o, kind: branch, committee_members: [m1]}\nmembers:\n  - {id: m1}\n", None, None),
    ("unit: {id: u, leaders: [m1, m1]}\nmembers:\n  - {id: m1}\n", "unit.leaders[1]", "listed twice"),
    ("organizations:\n  - {id: o, kind: branch, secretary: null, elections: [{date: null}]}\n",
     "organizations[0].elections[0].date", "got null"),
    ("as_of: null\n", "as_of", "got null"),
])
def test_contract_violations_name_file_path_and_position(tmp_path, text, path, expected):
    f = write(tmp_path, BASE.replace("as_of: 2024-06-30\n", "") + text if text.startswith("as_of")
              else BASE + text)
    if path is None:
        load_facts(f)   # the control case: valid
        return
    with pytest.raises(InputError) as err:
        load_facts(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}: {path}: "), msg
    assert expected in msg
    assert "(line " in msg          # YAML documents report the position too


@pytest.mark.parametrize("text, expected", [
    ("format: partyrules.facts/1\nunit: !!python/object/apply:os.system ['true']\n", "tag '!!python/object/apply"),
    ("format: partyrules.facts/1\nunit: !!binary aGVsbG8=\n", "tag '!!binary'"),
    ("format: partyrules.facts/1\nunit: !custom {id: x}\n", "tag '!custom'"),
    ("format: partyrules.facts/1\nx: &a {k: 1}\nunit:\n  <<: *a\n", "merge keys"),
    ("format: partyrules.facts/1\nas_of: 2024-01-01\nas_of: 2024-01-02\n", "duplicate key 'as_of'"),
    ("format: partyrules.facts/1\nunit: {id: x\n", "not valid YAML"),
    ("format: partyrules.facts/1\n" + "x: " + "[" * 100 + "]" * 100 + "\n", "nested more than"),
    ("format: partyrules.facts/1\na: &a [1,2,3,4,5,6,7,8,9,10]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
     "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
     "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", "values (aliases expanded)"),
    ("format: partyrules.facts/1\nx: .nan\n", "not a finite number"),
])
def test_hostile_yaml_is_rejected_at_its_line_and_column(tmp_path, text, expected):
    f = write(tmp_path, text)
    with pytest.raises(SourceError) as err:
        load_facts(f)
    msg = str(err.value)
    assert expected in msg, msg
    assert msg.startswith(f"{f}:")


def test_recursive_alias_is_rejected(tmp_path):
    f = write(tmp_path, "format: partyrules.facts/1\nx: &a [*a]\n")
    with pytest.raises(PartyrulesError):
        load_facts(f)


@pytest.mark.parametrize("text, expected", [
    ('{"format": "partyrules.facts/1", "as_of": NaN}', "not a finite number"),
    ('{"format": "partyrules.facts/1", "as_of": "2024-01-01", "as_of": "2024-01-02"}', "duplicate key"),
    ('{"format": "partyrules.facts/1",', "not valid JSON"),
    ('{"format": "partyrules.facts/1", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
])
def test_hostile_json(tmp_path, text, expected):
    f = write(tmp_path, text, "facts.json")
    with pytest.raises(SourceError) as err:
        load_facts(f)
    assert expected in str(err.value) and str(err.value).startswith(f"{f}")


def test_wrong_format_and_not_a_mapping(tmp_path):
    with pytest.raises(InputError, match="format: expected 'partyrules.facts/1', got 'partyrules.facts/2'"):
        load_facts(write(tmp_path, "format: partyrules.facts/2\n"))
    with pytest.raises(InputError, match="expected a mapping at the top level"):
        load_facts(write(tmp_path, "- 1\n- 2\n"))
    with pytest.raises(SourceError, match="not UTF-8"):
        p = tmp_path / "latin.yaml"
        p.write_bytes("format: partyrules.facts/1\nunit: {id: caf\xe9}\n".encode("latin-1"))
        load_facts(str(p))
    with pytest.raises(SourceError, match="no such file"):
        load_facts(str(tmp_path / "absent.yaml"))


def test_many_problems_report_the_first_in_document_order(tmp_path):
    text = BASE + "members:\n  - {id: a, status: x}\n  - {id: b, admitted_on: nope}\n  - {id: c, org: zz}\n"
    with pytest.raises(InputError) as err:
        load_facts(write(tmp_path, text))
    assert err.value.path == "members[0].status"
    assert err.value.more >= 1


# A JSON file's plain check runs only when the quick path declines (load_facts): whatever the plain check
# refuses must still be refused with its words, as when reading the file checked it first.
_JSON_BASE = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "records_from": "2023-01-01",
              "organizations": [{"id": "b1", "kind": "branch", "parent": None, "name": "第一支部"}],
              "members": [{"id": "m1", "org": "b1", "status": "full", "name": "张三"}],
              "meetings": [{"org": "b1", "kind": "theme_day", "date": "2024-03-05", "attendees": ["m1"]}]}


def _deep(n):
    value = "x"
    for _ in range(n):
        value = [value]
    return value


@pytest.mark.parametrize("where,value", [
    (("members", 0, "name"), "\ud800"),                      # a lone surrogate: not text
    (("organizations", 0, "name"), "名" * 2_000_000),         # longer than a string may be
    (("meetings", 0, "attendees"), _deep(80)),                # deeper than a document may be
    (("members", 0, "training_hours"), {"2023": 10 ** 40}),   # a number past the bound
    (("members", 0, "unknown_field"), _deep(70)),             # where the model has nothing: deep all the same
    (("members", 0, "name"), "正常的名字"),                     # nothing wrong: both load it
])
def test_a_json_file_is_refused_as_when_its_plain_check_ran_first(tmp_path, where, value):
    import copy

    from partyrules.facts.load import facts_from_document
    from partyrules.source import read_path

    doc = copy.deepcopy(_JSON_BASE)
    target = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    path = tmp_path / "court.json"
    path.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")

    def outcome(load):
        try:
            return ("loaded", load())
        except PartyrulesError as exc:
            return ("refused", type(exc), str(exc))

    before = outcome(lambda: facts_from_document(read_path(path)))       # the plain check first, as before
    assert outcome(lambda: load_facts(path)) == before
