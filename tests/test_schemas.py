"""The JSON Schemas shipped in the package: what partyrules accepts fits them, mistakes do not.

Validated with ``jsonschema`` when it is installed; otherwise with the small
draft 2020-12 validator below, which implements exactly the keywords the two
schemas use (a test keeps it that way), so the tests never silently skip.
"""

import copy
import functools
import json
import re
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from partyrules.cli import main
from partyrules.facts import model
from partyrules.schemas import load_schema, schema_path, schema_text
from partyrules.source import read_path

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
SPEC = ROOT / "tests" / "data" / "example-court.yaml"  # the facts contract's own example, copied in
POLICIES = ROOT / "policies"

try:
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None


# --------------------------------------------------------------------------- a minimal validator

_KEYWORDS = {"$schema", "$defs", "$ref", "title", "description", "type", "enum", "const", "pattern", "minLength",
             "maxLength", "minimum", "minItems", "uniqueItems", "items", "properties", "required",
             "additionalProperties", "propertyNames", "oneOf", "anyOf", "not"}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def mini_errors(schema, value, root=None, path="$"):
    """Every error of ``value`` against ``schema`` (the keywords of _KEYWORDS only)."""
    root = root if root is not None else schema
    errs = []
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        errs += mini_errors(target, value, root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, t) for t in types):
            return errs + [f"{path}: not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not in enum")
    if "const" in schema and value != schema["const"]:
        errs.append(f"{path}: {value!r} is not {schema['const']!r}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errs.append(f"{path}: bad length")
    if _is_type(value, "number") and "minimum" in schema and value < schema["minimum"]:
        errs.append(f"{path}: below minimum")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{path}: too few items")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            errs.append(f"{path}: items not unique")
        if "items" in schema:
            for i, v in enumerate(value):
                errs += mini_errors(schema["items"], v, root, f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errs.append(f"{path}: {key!r} is required")
        for key, v in value.items():
            if "propertyNames" in schema:
                errs += mini_errors(schema["propertyNames"], key, root, f"{path}.<{key}>")
            if key in props:
                errs += mini_errors(props[key], v, root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected key {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += mini_errors(schema["additionalProperties"], v, root, f"{path}.{key}")
    if "oneOf" in schema:
        ok = sum(1 for s in schema["oneOf"] if not mini_errors(s, value, root, path))
        if ok != 1:
            errs.append(f"{path}: matches {ok} of oneOf")
    if "anyOf" in schema and not any(not mini_errors(s, value, root, path) for s in schema["anyOf"]):
        errs.append(f"{path}: matches none of anyOf")
    if "not" in schema and not mini_errors(schema["not"], value, root, path):
        errs.append(f"{path}: matches not")
    return errs


def errors(name, value):
    """The errors of ``value`` (plain data, as JSON would give it) against schema ``name``."""
    value = json.loads(json.dumps(value))          # YAML's integer keys become strings, as in JSON
    schema = load_schema(name)
    if jsonschema is not None:
        found = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(value)]
        # the fallback must agree, so that it is trustworthy where jsonschema is missing
        assert bool(found) == bool(mini_errors(schema, value)), (found, mini_errors(schema, value))
        return found
    return mini_errors(schema, value)


def keywords(schema):
    out = set()
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in ("properties", "$defs"):
                out.add(k)
                for sub in v.values():
                    out |= keywords(sub)
            else:
                out.add(k)
                out |= keywords(v)
    elif isinstance(schema, list):
        for v in schema:
            out |= keywords(v)
    return out


# --------------------------------------------------------------------------- the schemas themselves

@pytest.mark.parametrize("name", ["policy", "facts"])
def test_schema_is_draft_2020_12_and_uses_known_keywords(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert keywords(schema) <= _KEYWORDS, keywords(schema) - _KEYWORDS
    if jsonschema is not None:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_facts_schema_follows_the_model():
    """Every object of the schema has exactly the fields of its model class, and the same required ones."""
    schema = load_schema("facts")
    defs = schema["$defs"]
    pairs = {"unit": model.Unit, "department": model.Department, "organization": model.Organization,
             "election": model.Election, "secretary_change": model.SecretaryChange, "member": model.Member,
             "introducer": model.Introducer, "meeting": model.Meeting, "activity": model.Activity}
    for name, cls in pairs.items():
        fields = attrs.fields(cls)
        assert set(defs[name]["properties"]) == {f.name for f in fields}, name
        required = {f.name for f in fields if f.default is attrs.NOTHING}
        assert set(defs[name].get("required", [])) == required, name
        assert defs[name]["additionalProperties"] is False
    top = {f.name for f in attrs.fields(model.FactDocument)} - {"source"}
    assert set(schema["properties"]) == top
    assert schema["properties"]["format"] == {"const": model.FORMAT}
    assert set(defs["member"]["properties"]["status"]["enum"]) == {"full", "probationary"}
    assert set(defs["meeting"]["properties"]["kind"]["enum"]) == set(model.MeetingKind.__args__)


# --------------------------------------------------------------------------- what must fit

def policy_files():
    out = []
    for f in sorted(POLICIES.glob("*/*/*.yaml")) + sorted(POLICIES.glob("packs/*/*/*/*.yaml")):
        if f.name.startswith("_") or f.parent.parent.name in ("parameters", "packs", "tests") \
                or f.parent.name in ("parameters", "tests"):
            continue
        out.append(f)
    return out


def test_builtin_policies_and_their_example_facts_fit():
    files = policy_files()
    assert len(files) >= 10
    examples = 0
    for f in files:
        data = read_path(f).data
        assert errors("policy", data) == [], f
        for p in data if isinstance(data, list) else [data]:
            for ex in p.get("examples", []):
                assert errors("facts", {"format": "partyrules.facts/1", **ex["facts"]}) == [], (f, ex["name"])
                examples += 1
    assert examples >= 50


@pytest.mark.parametrize("path", [COURT, SPEC], ids=["examples/court.yaml", "spec example-court.yaml"])
def test_example_courts_fit(path):
    assert errors("facts", read_path(path).data) == []


# --------------------------------------------------------------------------- what must not

@functools.lru_cache(maxsize=1)
def _court():
    return read_path(COURT).data


def court():
    """The example court cut down to three of each list (the mistakes below are made in those)."""
    data = copy.deepcopy(_court())
    for key in ("organizations", "members", "meetings", "activities"):
        if key in data:
            data[key] = data[key][:3]
    data["unit"]["departments"] = data["unit"]["departments"][:3]
    return data


@pytest.mark.parametrize("change", [
    lambda d: d.pop("format"),
    lambda d: d.update(format="partyrules.facts/2"),
    lambda d: d.update(as_of="2024-13-01"),
    lambda d: d.update(as_of="30.06.2024"),
    lambda d: d.update(colour="red"),
    lambda d: d["unit"].update(level="city"),
    lambda d: d["unit"].update(staff_total=-1),
    lambda d: d["unit"].update(staff_total=1.5),
    lambda d: d["unit"].update(leaders=["m001", "m001"]),
    lambda d: d["organizations"][0].update(kind="cell"),
    lambda d: d["organizations"][0].update(secretary=""),
    lambda d: d["organizations"][0].update(comittee_members=[]),
    lambda d: d["organizations"][0].pop("kind"),
    lambda d: d["organizations"][0]["elections"][0].update(date=None),
    lambda d: d["members"][0].update(status="candidate"),
    lambda d: d["members"][0].update(status=None),
    lambda d: d["members"][0].update(dues_paid=["2024-13"]),
    lambda d: d["members"][0].update(dues_paid="2024-01"),
    lambda d: d["members"][0].update(training_hours={"last year": 3}),
    lambda d: d["members"][0].update(training_hours={2023: -2}),
    lambda d: d["members"][0].update(introducers=[{"member": "m002", "name": "张三"}]),
    lambda d: d["members"][0].update(introducers=[{"full_member": True}]),
    lambda d: d["meetings"][0].update(kind="party_day"),
    lambda d: d["meetings"][0].update(voting="yes"),
    lambda d: d["meetings"][0].pop("date"),
    lambda d: d.update(activities=[{"kind": "x"}]),
], ids=lambda f: "")
def test_bad_fact_documents_do_not_fit(change):
    data = court()
    assert errors("facts", data) == []
    change(data)
    assert errors("facts", data) != []


def test_extensions_fit():
    data = court()
    data["members"][0].update(introducers=[{"member": "m002"}, {"name": "张三", "full_member": True}],
                              admission_approved_on="2020-01-02", conversion_meeting_on=None,
                              training_hours={2023: 36, "2024": 12.5})
    data["organizations"][0].update(established_on="2019-03-01", postponement_approved_until=None,
                                    secretary_changes=[{"date": "2022-01-01", "consent_on": None}])
    data["organizations"][0]["elections"][0].update(party_group_decided_on="2021-06-01")
    data["meetings"][0]["voting"] = True
    assert errors("facts", data) == []


POLICY = {
    "id": "court.branch.example", "title": {"zh": "例", "en": "example"}, "severity": "error",
    "citations": ["organs-regulations@2019 art.7", {"ref": "organs-regs@2019 art.7 para.1", "verification": "F2"}],
    "applies_to": "organization", "require": "org.secretary is not None",
    "message": {"zh": "{subject}", "en": "{subject}"},
    "evidence": {"正式党员": "full_members(org)", "n": "len(org.committee_members)"},
    "examples": [{"name": "x", "expect": "violated", "facts": {"as_of": "2024-06-30"}}],
}


def test_a_policy_and_a_list_of_policies_fit():
    assert errors("policy", POLICY) == []
    assert errors("policy", [POLICY, POLICY]) == []


@pytest.mark.parametrize("change", [
    lambda p: p.update(requre="x"),
    lambda p: p.pop("require"),
    lambda p: p.update(severity="fatal"),
    lambda p: p.update(applies_to="organisation"),
    lambda p: p.update(id="Court Branch"),
    lambda p: p.update(citations=[]),
    lambda p: p.update(citations=["art.7 of the organs regulations"]),
    lambda p: p.update(citations=[{"ref": "organs-regulations@2019 art.7", "verification": "F3"}]),
    lambda p: p.update(title={"zh": "例"}),
    lambda p: p.update(message={"zh": " ", "en": "x"}),
    lambda p: p.update(require=""),
    lambda p: p.update(unless=[{"when": "True"}]),
    lambda p: p.update(evidence={"two words": "1"}),
    lambda p: p.update(examples=[{"name": "x", "expect": "fails", "facts": {}}]),
    lambda p: p.update(examples=[{"name": "x", "expect": "violated", "facts": {}, "as_of": "June"}]),
    lambda p: p.update(unverified="yes"),
], ids=lambda f: "")
def test_bad_policies_do_not_fit(change):
    p = copy.deepcopy(POLICY)
    change(p)
    assert errors("policy", p) != []
    assert errors("policy", [POLICY, p]) != []


# --------------------------------------------------------------------------- the command

def test_schema_command_prints_the_shipped_files():
    for name in ("policy", "facts"):
        result = CliRunner().invoke(main, ["schema", name])
        assert result.exit_code == 0
        assert json.loads(result.stdout) == load_schema(name)
        assert result.stdout == schema_text(name)
        result = CliRunner().invoke(main, ["schema", name, "--path"])
        assert Path(result.stdout.strip()) == schema_path(name) and schema_path(name).is_file()
    result = CliRunner().invoke(main, ["schema", "report"])
    assert result.exit_code == 2


def test_schema_help_documents_the_editor_line():
    result = CliRunner().invoke(main, ["schema", "--help"])
    assert "# yaml-language-server: $schema=" in result.stdout
    doc = (ROOT / "docs" / "editor.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in doc and "partyrules schema policy" in doc
