"""For CI and court systems: --fail-on, --select/--skip, the rulebook digest, SARIF, JUnit and diff."""

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.citations import builtin_policies_dir
from partyrules.rulebook.load import rulebook_digest

from test_cli import COURT, golden

BOOK = partyrules.load_rulebook()
WARNINGS = ("organs.branch.secretary-is-department-head", "organs.unit.party-affairs-staff")


def run(*args, input=None):
    r = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


# ---- --fail-on ---------------------------------------------------------------------------------------

def test_fail_on_decides_which_violations_fail_the_check():
    only_warnings = ["--select", WARNINGS[0], "--select", WARNINGS[1]]
    assert run("check", str(COURT), *only_warnings)[0] == 1                        # default: any violation
    assert run("check", str(COURT), *only_warnings, "--fail-on", "error")[0] == 0
    assert run("check", str(COURT), *only_warnings, "--fail-on", "warning")[0] == 1
    assert run("check", str(COURT))[0] == 1                                        # errors are violated too
    assert run("check", str(COURT), "--fail-on", "never")[0] == 0
    code, _, err = run("check", str(COURT), "--fail-on", "sometimes")
    assert code == 2
    report = partyrules.check(COURT, select=list(WARNINGS), rulebook=BOOK)
    assert report.violations and report.exit_status == 1                           # report-v1 property unchanged
    assert [report.exit_status_for(f) for f in ("error", "warning", "never")] == [0, 1, 0]


def test_fail_on_keeps_exit_2_for_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: partyrules.facts/1\nas_of: 2024-13-01\n", encoding="utf-8")
    for level in ("error", "warning", "never"):
        assert run("check", str(bad), "--fail-on", level)[0] == 2
    assert run("check", str(bad), str(COURT), "--fail-on", "never")[0] == 2      # a batch with a bad document


# ---- --select / --skip -------------------------------------------------------------------------------

def test_select_and_skip_by_id_and_glob():
    everything = partyrules.check(COURT, rulebook=BOOK)
    organs = partyrules.check(COURT, rulebook=BOOK, select=["organs.*"])
    assert organs.results and {r.policy for r in organs.results} == \
        {r.policy for r in everything.results if r.policy.startswith("organs.")}
    skipped = partyrules.check(COURT, rulebook=BOOK, select="organs.*", skip=["organs.branch.*"])
    assert {r.policy for r in skipped.results} == \
        {r.policy for r in organs.results if not r.policy.startswith("organs.branch.")}
    one = partyrules.check(COURT, rulebook=BOOK, select=["constitution.member.enrolled"])
    assert {r.policy for r in one.results} == {"constitution.member.enrolled"}
    assert [r for r in one.results if r.outcome == "violated"][0].subject.id == "m083"


@pytest.mark.parametrize("kw", [{"select": ["organs.nothing*"]}, {"skip": ["typo.policy"]}, {"select": [""]},
                                {"skip": [3]}])
def test_a_pattern_matching_no_policy_is_a_usage_error(kw):
    with pytest.raises(partyrules.UsageError):
        partyrules.check(COURT, rulebook=BOOK, **kw)


def test_select_on_the_command_line_and_in_a_batch(tmp_path):
    code, out, _ = run("check", str(COURT), "--format", "json", "--select", "constitution.*", "--skip",
                       "constitution.member.six-month-lapse")
    policies = {r["policy"] for r in json.loads(out)["results"]}
    assert code == 1 and policies and all(p.startswith("constitution.") for p in policies)
    assert "constitution.member.six-month-lapse" not in policies
    second = tmp_path / "b.yaml"
    shutil.copy(COURT, second)
    code, out, _ = run("check", str(COURT), str(second), "--format", "json", "--select", "organs.unit.*")
    data = json.loads(out)
    assert all(r["policy"].startswith("organs.unit.") for rep in data["reports"] for r in rep["results"])
    code, _, err = run("check", str(COURT), str(second), "--skip", "nope.*")
    assert code == 2 and "nope.*" in err


# ---- what produced the report ------------------------------------------------------------------------

def test_the_report_names_tool_rulebook_and_unit():
    data = partyrules.check(COURT, rulebook=BOOK).to_json()
    assert data["tool"] == {"name": "partyrules", "version": partyrules.__version__}
    assert data["unit_name"] == "清河市中级人民法院"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", data["rulebook"]["digest"])
    assert data["rulebook"]["digest"] == BOOK.digest


def test_the_digest_follows_the_content_of_the_rulebook_files(tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(builtin_policies_dir(), copy)
    assert rulebook_digest([copy]) == rulebook_digest([builtin_policies_dir()])   # wherever it is installed
    readme = copy / "packs" / "court-standards" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nmore\n", encoding="utf-8")
    assert rulebook_digest([copy]) == BOOK.digest                                 # not a rulebook file
    param = copy / "parameters" / "checks.yaml"
    param.write_text(param.read_text(encoding="utf-8").replace("value: 12", "value: 11"), encoding="utf-8")
    assert rulebook_digest([copy]) != BOOK.digest
    pack = builtin_policies_dir() / "packs" / "court-standards"
    with_pack = partyrules.load_rulebook([pack])
    assert with_pack.digest not in ("", BOOK.digest)


# ---- SARIF -------------------------------------------------------------------------------------------

def sarif(*extra, path=str(COURT)):
    code, out, err = run("check", path, "--format", "sarif", *extra)
    assert code == 1, err
    return json.loads(out), out


def test_sarif_has_one_rule_per_policy_and_a_result_per_finding(monkeypatch):
    monkeypatch.chdir(COURT.parent.parent)            # a relative path, so that the golden file is the same anywhere
    log, text = sarif(path="examples/court.yaml")
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    report = partyrules.check(COURT, rulebook=BOOK)
    assert [r["id"] for r in rules] == sorted({r.policy for r in report.results})
    listed = [r for r in report.listed() if not r.not_recorded]     # what the court never records is folded
    assert any(r.not_recorded for r in report.listed())
    assert len(run_["results"]) == len(listed)
    for res, r in zip(run_["results"], listed):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == r.policy
        want = {"violated": r.severity, "unknown": "note", "error": "error"}[r.outcome]
        assert res["level"] == want and res["kind"] == "fail"
        assert res["message"]["text"] == r.message["zh"]
        assert res["properties"]["outcome"] == r.outcome
    rule = next(r for r in rules if r["id"] == "organs.branch.committee-required")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["citations"][0]["label"]["zh"].startswith("《中国共产党党和国家机关基层组织工作条例》")
    assert "第七条" in rule["fullDescription"]["text"]
    golden("court.sarif.json", text)


def test_sarif_locations_point_at_the_subjects_line():
    log, _ = sarif()
    lines = COURT.read_text(encoding="utf-8").splitlines()
    located = 0
    for res in log["runs"][0]["results"]:
        (loc,) = res["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == COURT.as_uri()
        subject = res["properties"]["subject"]
        region = loc["physicalLocation"].get("region")
        if region is None:
            continue
        located += 1
        line = lines[region["startLine"] - 1]
        assert f"id: {subject['id']}" in line[region["startColumn"] - 1:], (subject, line)
    assert located >= 6


def test_sarif_from_json_or_stdin_names_only_the_subject(tmp_path):
    import yaml
    as_json = tmp_path / "court.json"
    as_json.write_text(json.dumps(yaml.safe_load(COURT.read_text(encoding="utf-8")), default=str), encoding="utf-8")
    code, out, _ = run("check", str(as_json), "--format", "sarif")
    res = json.loads(out)["runs"][0]["results"][0]
    assert "region" not in res["locations"][0]["physicalLocation"]
    code, out, _ = run("check", "-", "--format", "sarif", input=COURT.read_text(encoding="utf-8"))
    res = json.loads(out)["runs"][0]["results"][0]
    assert "physicalLocation" not in res["locations"][0] and res["locations"][0]["logicalLocations"][0]["name"]


def test_sarif_with_all_marks_passes_and_is_one_document_only(tmp_path):
    log, _ = sarif("--all", "--lang", "en")
    kinds = {(r["kind"], r["level"]) for r in log["runs"][0]["results"]}
    assert ("pass", "none") in kinds and ("notApplicable", "none") in kinds
    second = tmp_path / "b.yaml"
    shutil.copy(COURT, second)
    code, _, err = run("check", str(COURT), str(second), "--format", "sarif")
    assert code == 2 and "one document" in err


def test_sarif_relative_paths_stay_relative_and_are_uri_references(monkeypatch, tmp_path):
    monkeypatch.chdir(COURT.parent.parent)
    code, out, _ = run("check", "examples/court.yaml", "--format", "sarif")
    res = json.loads(out)["runs"][0]
    assert res["artifacts"] == [{"location": {"uri": "examples/court.yaml"}}]
    odd = tmp_path / "清河 court.yaml"
    shutil.copy(COURT, odd)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", odd.name, "--format", "sarif")
    uri = json.loads(out)["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri == "%E6%B8%85%E6%B2%B3%20court.yaml"


# ---- JUnit -------------------------------------------------------------------------------------------

PACK = Path(__file__).parent / "data" / "packs" / "mini"


def test_junit_has_a_testcase_per_example_and_scenario(tmp_path):
    target = tmp_path / "junit.xml"
    code, out, _ = run("test", "--junit", str(target), "--no-coverage")
    assert code == 0
    root = ET.parse(target).getroot()
    cases = root.findall("./testsuite/testcase")
    examples = sum(len(p.examples) for p in BOOK.policies)
    assert int(root.get("tests")) == len(cases) == examples
    assert root.get("failures") == "0" and f"{examples} passed, 0 failed" in out
    first = cases[0]
    assert "@" in first.get("classname") and first.get("file").endswith(".yaml") and int(first.get("line")) > 0


def test_junit_records_failures_with_their_differences(tmp_path):
    scenario = tmp_path / "scenarios.yaml"
    facts = ("  facts: {as_of: 2024-06-30, organizations: [{id: b1, kind: branch, parent: null, committee_members: []}],\n"
             "          members: [{id: m1, org: b1, status: full, admitted_on: 2000-01-01, full_on: 2001-01-01}]}\n")
    scenario.write_text(
        "- name: a wrong expectation\n" + facts +
        "  expect:\n"
        "    - {policy: organs.branch.committee-required, subject: b1, outcome: violated}\n"
        "- name: a right one\n" + facts +
        "  expect:\n"
        "    - {policy: organs.branch.committee-required, subject: b1, outcome: satisfied}\n",
        encoding="utf-8")
    target = tmp_path / "junit.xml"
    code, _, _ = run("test", str(scenario), "--junit", str(target), "--no-coverage")
    assert code == 1
    root = ET.parse(target).getroot()
    suite = root.find("./testsuite[@name='scenarios']")
    assert suite.get("tests") == "2" and suite.get("failures") == "1" and root.get("failures") == "1"
    failed = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["a wrong expectation"]
    assert "violated" in failed[0].find("failure").text
    again = tmp_path / "again.xml"
    run("test", str(scenario), "--junit", str(again), "--no-coverage")
    assert again.read_bytes() == target.read_bytes()


# ---- diff --------------------------------------------------------------------------------------------

def reports(tmp_path):
    import yaml
    old_doc = yaml.safe_load(COURT.read_text(encoding="utf-8"))
    new_doc = json.loads(json.dumps(old_doc, default=str))
    old_doc = json.loads(json.dumps(old_doc, default=str))
    # this month: m083 was enrolled (resolved), m001's enrolment was lost (new)
    next(m for m in new_doc["members"] if m["id"] == "m083")["org"] = "o-exec"
    next(m for m in new_doc["members"] if m["id"] == "m001")["org"] = None
    paths = []
    for name, doc in (("old", old_doc), ("new", new_doc)):
        f = tmp_path / f"{name}.yaml"
        f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        out = tmp_path / f"{name}.json"
        run("check", str(f), "--format", "json", "-o", str(out))
        paths.append(out)
    return paths


def test_diff_lists_new_resolved_and_unchanged(tmp_path):
    old, new = reports(tmp_path)
    code, out, _ = run("diff", str(old), str(new), "--format", "json")
    data = json.loads(out)
    assert data["format"] == "partyrules.diff/1"
    resolved = {(f["policy"], f["subject"]["id"]) for f in data["findings"]["resolved"]}
    assert ("constitution.member.enrolled", "m083") in resolved
    added = {(f["policy"], f["subject"]["id"]) for f in data["findings"]["new"]}
    assert ("constitution.member.enrolled", "m001") in added and code == 1
    assert data["summary"]["unchanged"] > 0 and data["rulebook_changed"] is False
    code, back, _ = run("diff", str(new), str(old), "--format", "json")
    flipped = json.loads(back)
    assert {(f["policy"], f["subject"]["id"]) for f in flipped["findings"]["new"]} == resolved
    assert {(f["policy"], f["subject"]["id"]) for f in flipped["findings"]["resolved"]} == added
    assert code == (1 if resolved else 0)
    code, text, _ = run("diff", str(old), str(new))
    assert code == 1 and f"新增：{len(added)}项" in text and "m001" in text


def test_diff_of_a_report_with_itself_is_all_unchanged(tmp_path):
    out = tmp_path / "r.json"
    run("check", str(COURT), "--format", "json", "--all", "-o", str(out))
    code, text, _ = run("diff", str(out), str(out), "--format", "json")
    data = json.loads(text)
    listed = len(partyrules.check(COURT, rulebook=BOOK).listed())
    assert code == 0 and data["summary"] == {"new": 0, "resolved": 0, "changed": 0, "unchanged": listed}
    golden("court.diff.json", re.sub(r'"source": "[^"]*"', '"source": "r.json"', text))


def test_diff_refuses_what_is_not_a_report(tmp_path):
    good = tmp_path / "r.json"
    run("check", str(COURT), "--format", "json", "-o", str(good))
    for body, where in (("[]", "expected a JSON report"), ('{"format": "x"}', "format"),
                        ('{"format": "partyrules.report/1", "results": [1]}', "results[0]"),
                        ('{"format": "partyrules.batch/1"}', "batch"), ("{", "not valid JSON")):
        bad = tmp_path / "bad.json"
        bad.write_text(body, encoding="utf-8")
        code, out, err = run("diff", str(good), str(bad))
        assert code == 2 and out == "" and where in err and str(bad) in err, err
    other = json.loads(good.read_text(encoding="utf-8"))
    other["unit"] = "another-court"
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    code, _, err = run("diff", str(good), str(tmp_path / "other.json"))
    assert code == 2 and "different units" in err


def test_sarif_keeps_the_constraints_of_the_2_1_0_specification():
    """The official schema cannot be shipped here; its constraints that partyrules could break are checked."""
    log, _ = sarif("--all")
    assert set(log) == {"$schema", "version", "runs"}
    (run_,) = log["runs"]
    assert run_["tool"]["driver"]["name"] and run_["columnKind"] in ("utf16CodeUnits", "unicodeCodePoints")
    rules = run_["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
    for res in run_["results"]:
        assert res["kind"] in ("pass", "open", "informational", "notApplicable", "review", "fail")
        assert res["level"] in ("none", "note", "warning", "error")
        if res["kind"] != "fail":
            assert res["level"] == "none"            # §3.27.10: only a failure has a level above none
        assert res["message"]["text"] and 0 <= res["ruleIndex"] < len(rules)
        assert all(isinstance(v, str) for v in res["partialFingerprints"].values())
        for loc in res["locations"]:
            region = loc.get("physicalLocation", {}).get("region")
            if region:
                assert region["startLine"] >= 1 and region["startColumn"] >= 1
    fingerprints = [tuple(r["partialFingerprints"].values()) for r in run_["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
