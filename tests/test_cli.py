"""The command line: report-v1 output, exit statuses, determinism, and one clear line on bad input.

Golden files under tests/golden/ hold the exact reports; regenerate them after a
deliberate change with ``PARTYRULES_UPDATE_GOLDEN=1 python -m pytest tests/test_cli.py``
and review the diff.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from partyrules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "example-court.yaml"  # the facts contract's own example, copied in
COURT = ROOT / "examples" / "court.yaml"
GOLDEN = Path(__file__).parent / "golden"


def run(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def golden(name: str, text: str) -> None:
    # the rulebook digest changes with any policy file, even its notes: it is tested on its own
    # (tests/test_ci.py), and masked here so that a golden report changes only when results do
    text = re.sub(r"sha256:[0-9a-f]{6,64}", "sha256:<rulebook digest>", text)
    path = GOLDEN / name
    if os.environ.get("PARTYRULES_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with PARTYRULES_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_spec_example_json_is_a_valid_report_with_violations_and_unknowns():
    code, out, err = run("check", str(SPEC), "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    assert report["format"] == "partyrules.report/1" and report["unit"] == "court-demo"
    assert report["as_of"] == "2024-06-30"
    outcomes = {r["outcome"] for r in report["results"]}
    assert {"violated", "unknown"} <= outcomes
    for r in report["results"]:
        assert r["citations"], r
        for c in r["citations"]:
            assert c["label"]["zh"].startswith("《") and c["label"]["en"]
            assert isinstance(c["article"], int)
        assert set(r) >= {"policy", "outcome", "severity", "subject", "citations", "message", "evidence", "missing"}
        assert r["outcome"] in ("violated", "unknown", "error")
        if r["outcome"] == "unknown":
            assert r["missing"]
    assert sum(report["summary"].values()) >= len(report["results"])
    golden("example-court.json", out)


def test_all_lists_every_result_and_summary_counts_them():
    code, out, _ = run("check", str(SPEC), "--format", "json", "--all")
    report = json.loads(out)
    assert sum(report["summary"].values()) == len(report["results"])
    keys = [(r["severity"] != "error", r["policy"], r["subject"]["kind"], r["subject"]["id"])
            for r in report["results"]]
    kind_rank = {"unit": 0, "department": 1, "organization": 2, "member": 3}
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], kind_rank[k[2]], k[3]))


def test_bundled_court_golden_reports():
    code, out, _ = run("check", str(COURT), "--format", "json")
    assert code == 1
    golden("court.json", out)
    code, out, _ = run("check", str(COURT))
    assert code == 1
    golden("court.txt", out)
    code, out, _ = run("check", str(COURT), "--format", "html", "--lang", "en")
    assert code == 1 and out.startswith("<!DOCTYPE html>")
    golden("court.en.html", out)


def test_same_input_same_bytes_across_processes(tmp_path):
    outs = []
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-m", "partyrules", "check", str(COURT), "--format", "json"],
                              capture_output=True, env=env, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]


def test_standard_input_yaml_and_json():
    text = SPEC.read_text(encoding="utf-8")
    code, out, _ = run("check", "-", "--format", "json", input=text)
    assert code == 1 and json.loads(out)["unit"] == "court-demo"
    import yaml
    as_json = json.dumps(yaml.safe_load(text), default=str, ensure_ascii=False)
    code, out2, _ = run("check", "-", "--format", "json", input=as_json)
    assert code == 1 and out2 == out


def test_no_violation_exits_0(tmp_path):
    doc = tmp_path / "ok.yaml"
    doc.write_text("format: partyrules.facts/1\nas_of: 2024-06-30\n", encoding="utf-8")
    code, out, _ = run("check", str(doc), "--format", "json")
    assert code == 0
    assert all(r["outcome"] != "violated" for r in json.loads(out)["results"])


@pytest.mark.parametrize("body, where", [
    ("format: partyrules.facts/1\nas_of: 2024-06-30\nmembers:\n  - {id: a, admitted_on: 2024-13-01}\n",
     "members[0].admitted_on"),
    ("format: partyrules.facts/1\nunit: !!python/object/apply:os.system ['echo pwned']\n", ":2:7:"),
    ("format: partyrules.facts/1\nas_of: 2024-06-30\nmembers:\n  - {id: a, org: ghost}\n", "members[0].org"),
    ("format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {id: u, staff_total: many}\n", "unit.staff_total"),
    ("format: partyrules.facts/1\nunit: [\n", ":3:1:"),
    ("format: partyrules.facts/1\n", "as_of"),
])
def test_bad_input_exits_2_with_one_line_and_no_output(tmp_path, body, where):
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    out_file = tmp_path / "report.json"
    code, out, err = run("check", str(f), "--format", "json", "-o", str(out_file))
    assert code == 2
    assert out == "" and not out_file.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(f) in lines[0] and where in lines[0], err
    assert "Traceback" not in err


def test_bad_command_line_exits_2():
    code, _, err = run("check", str(SPEC), "--as-of", "2024-02-30")
    assert code == 2 and "as_of: expected a date" in err
    code, _, err = run("check", str(SPEC), "--as-of", "2030-01-01")
    assert code == 2 and "after the document's snapshot date" in err
    code, _, _ = run("check", str(SPEC), "--format", "pdf")
    assert code == 2
    code, _, err = run("check", str(SPEC), "--policies", "/nonexistent")
    assert code == 2 and "/nonexistent" in err


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "r.json"
    code, out, _ = run("check", str(SPEC), "--format", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "partyrules.report/1"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_policy_examples_command():
    code, out, _ = run("test")
    assert code == 0 and out.strip().endswith("0 failed")
