"""Scenario tests: the file format, running them, their diff, and ``partyrules test`` with packs and coverage."""

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from partyrules.cli import main
from partyrules.errors import UsageError
from partyrules.rulebook.load import load_rulebook
from partyrules.tools.scenarios import (ScenarioError, coverage_of_tests, load_scenario_file, load_scenarios,
                                           run_scenario, scenario_files)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "packs"
MINI = DATA / "mini"
COURT_PACK = ROOT / "policies" / "packs" / "court-standards"
COURT = ROOT / "examples" / "court.yaml"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


INLINE = """\
    name: {name}
    facts:
      as_of: 2024-06-30
      unit: {{id: u1}}
      organizations: {orgs}
    expect:
{expect}
    only_listed: {only}
"""


def scenario(tmp_path, *, orgs="[]", expect="  - {policy: mini.unit.has-branch, subject: u1, outcome: violated}",
             only="[mini-rules]", name="s"):
    text = INLINE.format(name=name, orgs=orgs, expect=textwrap.indent(expect, "    "), only=only)
    return write(tmp_path, "s.yaml", text)


@pytest.fixture(scope="module")
def mini():
    return load_rulebook([MINI], builtin=False)


# ------------------------------------------------------------------------------------------- the format

def test_a_file_holds_one_scenario_named_after_the_file(tmp_path):
    path = scenario(tmp_path, name="no branch at all")
    (s,) = load_scenario_file(path)
    assert s.name == "no branch at all" and s.line == 1
    assert s.expect[0].policy == "mini.unit.has-branch" and s.expect[0].subject == "u1"
    assert s.only_listed == ("mini-rules",)
    (s,) = load_scenario_file(MINI / "tests" / "basic.yaml")
    assert s.name == "the test court" and s.facts == MINI / "tests" / "_facts/court.yaml"


def test_a_list_of_scenarios_needs_names(tmp_path):
    path = write(tmp_path, "many.yaml", """\
        - name: a
          facts: {as_of: 2024-06-30}
          expect: []
        - facts: {as_of: 2024-06-30}
          expect: []
        """)
    with pytest.raises(ScenarioError, match=r"many.yaml:4:\d+: \[1\]: missing required key 'name'"):
        load_scenario_file(path)


@pytest.mark.parametrize("body,message", [
    ("facts: {}\nexpect: []\nonly_listd: true\n", r"s.yaml:3:\d+: only_listd: unknown key 'only_listd' "
                                                   r"\(did you mean 'only_listed'\?\)"),
    ("facts: {}\nexpect:\n  - {policy: a.b, outcome: broken}\n", r"s.yaml:3:\d+: expect\[0\].outcome: expected one of"),
    ("facts: {}\nexpect:\n  - {policy: a.b, outcome: violated, subject: x}\n  - {policy: a.b, outcome: unknown, subject: x}\n",
     r"s.yaml:4:\d+: expect\[1\]: policy 'a.b' subject 'x' is already expected at expect\[0\]"),
    ("facts: {}\nas_of: 2024-13-01\nexpect: []\n", r"s.yaml:2:\d+: as_of: expected a date YYYY-MM-DD"),
    ("expect: []\n", r"s.yaml:1:1: missing required key 'facts'"),
    ("facts: {}\nexpect: []\nonly_listed: []\n", r"only_listed: expected true, false or a non-empty list"),
])
def test_mistakes_are_reported_at_their_line(tmp_path, body, message):
    path = write(tmp_path, "s.yaml", body)
    with pytest.raises(ScenarioError, match=message):
        load_scenario_file(path)


def test_a_fact_document_is_not_a_scenario(tmp_path):
    facts = write(tmp_path, "court.yaml", "format: partyrules.facts/1\nas_of: 2024-06-30\n")
    with pytest.raises(ScenarioError, match="this is a fact document, not a scenario"):
        load_scenario_file(facts)
    assert load_scenario_file(facts, in_directory=True) == []


def test_folders_are_searched_without_underscore_and_dot_names(tmp_path):
    write(tmp_path, "t/a.yaml", "facts: {}\nexpect: []\n")
    write(tmp_path, "t/sub/b.yml", "facts: {}\nexpect: []\n")
    write(tmp_path, "t/_facts/c.yaml", "not: a scenario\n")
    write(tmp_path, "t/.hidden.yaml", "not: a scenario\n")
    write(tmp_path, "t/notes.md", "# not yaml\n")
    found = [p.name for p, _ in scenario_files([tmp_path / "t", tmp_path / "t" / "a.yaml"])]
    assert found == ["a.yaml", "b.yml"]
    assert [s.name for s in load_scenarios([tmp_path / "t"])] == ["a", "b"]
    with pytest.raises(UsageError, match="no such scenario file or directory"):
        scenario_files([tmp_path / "nowhere"])


# ------------------------------------------------------------------------------------------- running

def test_a_passing_scenario_exercises_what_it_names(tmp_path, mini):
    (s,) = load_scenario_file(scenario(tmp_path))
    run_ = run_scenario(mini, s)
    assert run_.ok and run_.diff() == []
    assert run_.exercised == {("mini-rules", "2024", "mini.unit.has-branch")}


def test_a_failing_scenario_shows_expected_and_got_one_line_each(tmp_path, mini):
    expect = ("- {policy: mini.unit.has-branch, subject: u1, outcome: violated}\n"
              "- {policy: mini.unit.has-brach, outcome: satisfied}\n"
              "- {policy: mini.org.has-secretary, subject: b9, outcome: satisfied}")
    path = scenario(tmp_path, orgs="[{id: b1, kind: branch, secretary: null}]", expect=expect, only="true")
    (s,) = load_scenario_file(path)
    r = run_scenario(mini, s)
    assert not r.ok
    lines = r.diff()
    assert lines == [
        "  expected  mini.unit.has-branch    u1               violated",
        "  got       mini.unit.has-branch    u1               satisfied",
        "  expected  mini.unit.has-brach     (every subject)  satisfied",
        "  got       mini.unit.has-brach     (every subject)  (no such policy in the rulebook; "
        "did you mean 'mini.unit.has-branch'?)",
        "  expected  mini.org.has-secretary  b9               satisfied",
        "  got       mini.org.has-secretary  b9               (no result for this subject; "
        "the policy's subjects are: b1)",
        "  expected  mini.org.has-secretary  b1               (not listed: only satisfied or not_applicable)",
        "  got       mini.org.has-secretary  b1               violated",
    ]


def test_missing_facts_are_compared_when_given(tmp_path, mini):
    expect = "- {policy: mini.org.has-secretary, subject: b1, outcome: unknown, missing: [organizations.secretary]}"
    (s,) = load_scenario_file(scenario(tmp_path, orgs="[{id: b1, kind: branch}]", expect=expect))
    r = run_scenario(mini, s)
    assert not r.ok
    assert r.diff()[1].endswith("unknown (missing: organizations[0].secretary)")


def test_only_listed_with_instruments_ignores_the_other_rules(tmp_path):
    book = load_rulebook([MINI])          # the built-in rules find plenty in this tiny document
    (s,) = load_scenario_file(scenario(tmp_path))
    assert run_scenario(book, s).ok
    (s,) = load_scenario_file(scenario(tmp_path, only="true"))
    r = run_scenario(book, s)
    assert not r.ok and all("not listed" in m.expected for m in r.mismatches)


def test_facts_that_cannot_be_read_fail_the_scenario_with_the_reason(tmp_path, mini):
    (s,) = load_scenario_file(write(tmp_path, "a.yaml", "facts: missing.yaml\nexpect: []\n"))
    r = run_scenario(mini, s)
    assert not r.ok and "missing.yaml: no such file" in r.error
    assert r.diff() == [f"  error     {r.error}"]
    path = write(tmp_path, "b.yaml", """\
        facts:
          as_of: 2024-06-30
          members:
            - {id: m1, admitted_on: 2024-13-01}
        expect: []
        """)
    (s,) = load_scenario_file(path)
    r = run_scenario(mini, s)
    assert "b.yaml: members[0].admitted_on: expected a date" in r.error and "line 4" in r.error


def test_a_date_after_the_snapshot_fails_the_scenario(tmp_path, mini):
    (s,) = load_scenario_file(write(tmp_path, "a.yaml", "facts: {as_of: 2024-06-30}\nas_of: 2025-01-01\nexpect: []\n"))
    assert "after the document's snapshot date" in run_scenario(mini, s).error


def test_coverage_counts_policies_and_articles(mini):
    cov = coverage_of_tests(mini, {("mini-rules", "2024", "mini.unit.has-branch")}, set())
    assert [p.id for p in cov.unexercised] == ["mini.org.has-secretary"]
    assert cov.articles == ("mini-rules@2024 art.1", "mini-rules@2024 art.2")
    assert cov.articles_unexercised == ("mini-rules@2024 art.2",)
    assert cov.lines()[0] == "coverage: 1 of 2 policies exercised (1 by their examples, 0 by scenarios)"


# ------------------------------------------------------------------------------------------- the command

def test_the_command_runs_examples_and_the_pack_tests_folder():
    code, out, _ = run("test", "--policies", str(MINI), "--no-builtin")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "3 passed, 0 failed"          # 2 examples + tests/basic.yaml, found by itself
    assert "coverage: 1 of 2 policies exercised (1 by their examples, 1 by scenarios)" in lines
    assert any(line.startswith("  not exercised: mini.org.has-secretary@2024") for line in lines)
    assert "  not exercised: mini-rules@2024 art.2" in lines


def test_the_command_runs_given_paths_once(tmp_path):
    code, out, _ = run("test", "--policies", str(MINI), "--no-builtin", str(MINI / "tests"),
                       str(MINI / "tests" / "basic.yaml"))
    assert code == 0 and out.strip().endswith("3 passed, 0 failed")


def test_a_failing_scenario_exits_1_with_its_diff(tmp_path):
    path = scenario(tmp_path, expect="  - {policy: mini.unit.has-branch, subject: u1, outcome: satisfied}")
    code, out, _ = run("test", "--policies", str(MINI), "--no-builtin", str(path))
    assert code == 1
    assert f"FAIL {path}:1: scenario 's'" in out
    assert "  expected  mini.unit.has-branch  u1  satisfied" in out
    assert "  got       mini.unit.has-branch  u1  violated" in out
    assert out.strip().splitlines()[-1] == "3 passed, 1 failed"


def test_the_command_escapes_control_and_bidi_characters_from_the_files(tmp_path):
    # what a scenario expects comes from a file anyone may have written: an ANSI escape or a right-to-left
    # override in it must reach the terminal escaped, as in every other text view
    path = scenario(tmp_path, expect='  - {policy: mini.unit.has-branch, subject: "u9\\x1b[2J\\u202eevil", '
                                     'outcome: satisfied}')
    code, out, _ = run("test", "--policies", str(MINI), "--no-builtin", str(path))
    assert code == 1
    assert "\x1b" not in out and "\u202e" not in out
    expected = next(line for line in out.splitlines() if line.startswith("  expected"))
    assert "u9" in expected and "2J" in expected and "evil" in expected    # shown, its unsafe characters escaped


def test_a_badly_written_scenario_exits_2_with_its_place(tmp_path):
    path = write(tmp_path, "bad.yaml", "facts: {}\nexpect: nope\n")
    code, out, err = run("test", "--policies", str(MINI), "--no-builtin", str(path))
    assert code == 2 and out == ""
    assert err.strip() == f"partyrules: {path}:2:9: expect: expected a list, got a string"


def test_without_paths_the_builtin_examples_still_run():
    code, out, _ = run("test", "--no-coverage")
    assert code == 0 and out.strip().endswith(" passed, 0 failed")
    assert "coverage:" not in out


def test_the_court_standards_pack_passes_its_own_tests():
    code, out, _ = run("test", "--policies", str(COURT_PACK), str(COURT_PACK / "tests"))
    assert code == 0, out
    assert out.strip().endswith(" passed, 0 failed")
    assert "not exercised: court-std" not in out and "not exercised: court-standards" not in out
