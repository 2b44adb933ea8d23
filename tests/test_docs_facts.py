"""The reference pages say what the code does: docs/facts.md's field tables and docs/report.md's keys.

docs/facts.md holds one Markdown table per record type, each after a marker
``<!-- fields: NAME -->``, with the field name in backticks in the first column
and ``yes`` in the third when the field is required. These tests compare those
tables with the attrs model the loader structures into and with the JSON Schema
shipped for editors, so a field added to the loader without its documentation
(or documented but not accepted) fails here, naming it.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import attrs
import pytest

import partyrules
from partyrules.batch import BatchItem
from partyrules.cli.check import render_batch_json
from partyrules.facts import model
from partyrules.periods import Month
from partyrules.schemas import load_schema

ROOT = Path(__file__).resolve().parents[1]
FACTS_MD = ROOT / "docs" / "facts.md"
REPORT_MD = ROOT / "docs" / "report.md"
COURT = ROOT / "examples" / "court.yaml"

# record type in docs/facts.md → (model class, JSON Schema definition; None = the top level)
RECORDS = {
    "document": (model.FactDocument, None),
    "unit": (model.Unit, "unit"),
    "department": (model.Department, "department"),
    "organization": (model.Organization, "organization"),
    "election": (model.Election, "election"),
    "secretary_change": (model.SecretaryChange, "secretary_change"),
    "office_taken": (model.OfficeTaken, "office_taken"),
    "member": (model.Member, "member"),
    "introducer": (model.Introducer, "introducer"),
    "meeting": (model.Meeting, "meeting"),
    "activity": (model.Activity, "activity"),
    "applicant": (model.Applicant, "applicant"),
    "development": (model.Development, "development"),
    "extension": (model.Extension, "extension"),
    "dues_payment": (model.DuesPayment, "dues_payment"),
    "dues_reduction": (model.DuesReduction, "dues_reduction"),
}
NOT_FIELDS = {"source"}                      # FactDocument.source: where it was read from, not a field
NOT_RECORDS = {model.TrainingHours, Month}   # values written as a mapping / a YYYY-MM string, documented in their rows

_MARKER = re.compile(r"^<!-- fields: (\w+) -->$")
_NAME = re.compile(r"^`([a-z_]+)`$")
_CELL_SEP = re.compile(r"(?<!\\)\|")          # a cell may hold an escaped \| (`date \| null`)


def documented_tables(text: str) -> dict[str, dict[str, bool]]:
    """``{record type: {field: required}}`` from the marked tables of docs/facts.md."""
    tables: dict[str, dict[str, bool]] = {}
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = _MARKER.match(line.strip())
        if not m:
            continue
        name = m.group(1)
        assert name not in tables, f"docs/facts.md: two tables marked {name!r}"
        rows = []
        for row in lines[n + 1:]:
            if not row.startswith("|"):
                break
            rows.append(row)
        assert len(rows) >= 3, f"docs/facts.md: the table after <!-- fields: {name} --> has no rows"
        fields: dict[str, bool] = {}
        for row in rows[2:]:                            # after the header and the |---| line
            cells = [c.strip() for c in _CELL_SEP.split(row.strip().strip("|"))]
            got = _NAME.match(cells[0])
            assert got, f"docs/facts.md, table {name}: first cell {cells[0]!r} is not a `field` name"
            assert got.group(1) not in fields, f"docs/facts.md, table {name}: {got.group(1)} is listed twice"
            fields[got.group(1)] = cells[2] == "yes"
        tables[name] = fields
    return tables


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, bool]]:
    return documented_tables(FACTS_MD.read_text(encoding="utf-8"))


def model_fields(cls: type) -> dict[str, bool]:
    """``{field: required}`` of an attrs class of the model (required = no default)."""
    return {f.name: f.default is attrs.NOTHING for f in attrs.fields(cls) if f.name not in NOT_FIELDS}


def schema_fields(definition: str | None) -> tuple[set[str], set[str]]:
    schema = load_schema("facts")
    node = schema if definition is None else schema["$defs"][definition]
    return set(node["properties"]), set(node.get("required", ()))


def difference(what: str, documented: set[str], actual: set[str]) -> list[str]:
    out = []
    if actual - documented:
        out.append(f"{what}: not documented in docs/facts.md: {', '.join(sorted(actual - documented))}")
    if documented - actual:
        out.append(f"{what}: documented in docs/facts.md but not accepted: {', '.join(sorted(documented - actual))}")
    return out


def test_every_record_type_has_one_table(tables):
    assert set(tables) == set(RECORDS)


def reachable_records() -> set[type]:
    """Every attrs class a fact document can contain, found from the model's own type hints."""
    seen: set[type] = set()
    todo = [model.FactDocument]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        hints = typing.get_type_hints(cls, vars(model))
        for f in attrs.fields(cls):
            stack = [hints[f.name]]
            while stack:
                tp = stack.pop()
                if attrs.has(tp) and tp is not model.Omitted:
                    todo.append(tp)
                stack.extend(typing.get_args(tp))
    return seen - NOT_RECORDS


def test_every_record_class_of_the_model_is_documented():
    """A record type added to the model needs its table (and an entry in RECORDS above)."""
    assert reachable_records() == {cls for cls, _ in RECORDS.values()}


def test_every_object_of_the_schema_is_documented():
    defs = load_schema("facts")["$defs"]
    objects = {name for name, node in defs.items() if node.get("type") == "object" and "properties" in node}
    objects.discard("training_hours")
    assert objects == {d for _, d in RECORDS.values() if d is not None}


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_documented_fields_are_the_models(tables, record):
    cls, _ = RECORDS[record]
    problems = difference(f"{record} (model {cls.__name__})", set(tables[record]), set(model_fields(cls)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_documented_fields_are_the_schemas(tables, record):
    _, definition = RECORDS[record]
    properties, _ = schema_fields(definition)
    problems = difference(f"{record} (schema {definition or 'top level'})", set(tables[record]), properties)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_documented_required_fields_are_the_required_ones(tables, record):
    cls, definition = RECORDS[record]
    documented = {f for f, req in tables[record].items() if req}
    by_model = {f for f, req in model_fields(cls).items() if req}
    _, by_schema = schema_fields(definition)
    problems = difference(f"{record}: required (model)", documented, by_model)
    problems += difference(f"{record}: required (schema)", documented, by_schema)
    assert not problems, "\n".join(problems)


def test_the_table_parser_notices_a_missing_and_an_extra_field():
    """The comparison can fail: a table without `kind` and with `colour` is two problems."""
    text = ("<!-- fields: activity -->\n| field | type | required | meaning |\n|---|---|---|---|\n"
            "| `date` | date | yes | when |\n| `colour` | string | no | not a field |\n"
            "| `org` | id | no | |\n| `member` | id | no | |\n| `note` | string | no | |\n")
    table = documented_tables(text)["activity"]
    problems = difference("activity", set(table), set(model_fields(model.Activity)))
    assert problems == ["activity: not documented in docs/facts.md: kind",
                        "activity: documented in docs/facts.md but not accepted: colour"]


def test_no_link_to_the_old_extensions_page():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "facts-extensions" not in page.read_text(encoding="utf-8"), page.name


# --------------------------------------------------------------------------- docs/report.md


def keys_named(text: str) -> set[str]:
    """Every key written in backticks, dotted paths (`summary.rows`) giving each of their parts."""
    return {part for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", text) for part in name.split(".")}


@pytest.fixture(scope="module")
def court_report() -> partyrules.Report:
    return partyrules.check(str(COURT))


def test_report_page_names_every_key_of_a_real_report(court_report):
    data = court_report.to_json(all_results=True)
    named = keys_named(REPORT_MD.read_text(encoding="utf-8"))
    top = set(data)
    result = {k for r in data["results"] for k in r}
    subject = {k for r in data["results"] for k in r["subject"]}
    citation = {k for r in data["results"] for c in r["citations"] for k in c}
    notice = {k for n in data["notices"] for k in n}
    outcomes = set(data["summary"])
    missing = {"top level": top - named, "result": result - named, "subject": subject - named,
               "citation": citation - named, "notice": notice - named, "summary": outcomes - named}
    assert top and result and citation and outcomes
    assert not any(missing.values()), {k: sorted(v) for k, v in missing.items() if v}


def test_report_page_names_every_key_of_a_batch_summary(court_report):
    items = [BatchItem(str(COURT), court_report),
             BatchItem("bad.yaml", None, partyrules.PartyrulesError("bad.yaml: format: expected something"))]
    data = json.loads(render_batch_json(items))
    named = keys_named(REPORT_MD.read_text(encoding="utf-8"))
    keys = set(data) | set(data["summary"]) | {k for row in data["summary"]["rows"] for k in row}
    keys |= {k for rep in data["reports"] for k in rep}
    assert not keys - named, sorted(keys - named)
    assert data["format"] in REPORT_MD.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- links inside the reference pages


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rule) gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", ["facts.md", "report.md", "engines.md", "ledger.md"])
def test_links_inside_the_reference_pages_resolve(page):
    docs = ROOT / "docs"
    text = (docs / page).read_text(encoding="utf-8")
    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    broken = [a for a in re.findall(r"\]\(#([^)]+)\)", text) if a not in anchors]
    files = [f for f in re.findall(r"\]\(([\w./-]+\.md)(?:#[^)]*)?\)", text) if not (docs / f).is_file()]
    assert not broken and not files, {"anchors": broken, "files": files}


def test_slug_follows_the_renderer():
    assert slug("Known, none and unknown / 已知、无与未知") == "known-none-and-unknown--已知无与未知"
    assert slug("The JSON report (`partyrules.report/1`)") == "the-json-report-partyrulesreport1"
