"""Policy packs: local instruments, clashes, custom derived facts, entry points, the pytest plugin and the
court-standards example pack."""

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.errors import PartyrulesError, PolicyError
from partyrules.facts.builtin import BUILTIN
from partyrules.rulebook.load import load_rulebook
from partyrules.rulebook.packs import ENTRY_POINT_GROUP, derived, installed_pack_dirs, load_pack_derived

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "packs"
MINI = DATA / "mini"
COURT_PACK = ROOT / "policies" / "packs" / "court-standards"
COURT = ROOT / "examples" / "court.yaml"
BUILTIN_DIR = ROOT / "policies"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- the example pack

def test_the_builtin_rulebook_never_loads_the_packs_folder():
    book = load_rulebook()
    assert not any(p.id.startswith("court-std.") for p in book.policies)
    assert "court-standards" not in book.registry
    assert book.packs == () and set(book.derived) == set(BUILTIN)


def test_court_standards_registers_a_local_instrument_that_says_what_it_is():
    book = load_rulebook([COURT_PACK])
    inst = book.registry.instrument("court-standards")
    assert inst.kind == "local" and inst.key == "court-std"
    assert "本院" in inst.title_zh and "调研报告" in inst.title_zh and "Own" in inst.title_en
    assert all(i.kind == "national" for i in book.registry.instruments if i.id != "court-standards")
    ours = sorted(p.id for p in book.policies if p.instrument == "court-standards")
    assert ours == ["court-std.department.branch-built", "court-std.unit.leader-contact-points",
                    "court-std.unit.party-affairs-staff", "court-std.unit.party-group-study",
                    "court-std.unit.responsibility-letters"]
    # one article per rule, numbered in the pack's STANDARD.md
    articles = sorted(c.citation.article for p in book.policies if p.instrument == "court-standards"
                      for c in p.citations)
    assert articles == [1, 2, 3, 4, 5]
    standard = (COURT_PACK / "STANDARD.md").read_text(encoding="utf-8")
    for n in ("第一条", "第二条", "第三条", "第四条", "第五条", "Article 5"):
        assert n in standard
    assert {"branches_on_department", "leaders_without_contact_point"} <= set(book.derived)


def test_court_standards_on_the_example_court():
    report = partyrules.check(COURT, policies=[COURT_PACK])
    mine = {(r.policy, r.outcome) for r in report.results if r.instrument == "court-standards"}
    assert {p for p, o in mine if o == "violated"} == {
        "court-std.unit.party-affairs-staff", "court-std.unit.responsibility-letters",
        "court-std.unit.leader-contact-points"}
    assert {o for p, o in mine if p == "court-std.department.branch-built"} == {"satisfied"}
    (letters,) = [r for r in report.results if r.policy == "court-std.unit.leader-contact-points"]
    label = letters.citations[0].citation.label_zh(report.registry)
    assert label == "《本院党建工作标准（据法院队伍党建工作调研报告建议制定）》（2024年）第四条"
    assert "周建国 (m001)" in letters.message["zh"]


def test_court_standards_runs_alone_from_the_command_line():
    code, out, _ = run("check", str(COURT), "--policies", str(COURT_PACK), "--no-builtin", "--format", "json")
    assert code == 1
    assert '"court-std.unit.party-affairs-staff"' in out


# ------------------------------------------------------------------------------------------- clashes

@pytest.mark.parametrize("pack,parts", [
    ("clash-instrument", ["clash-instrument/instruments.yaml", "'organs-regulations' is already registered",
                          "policies/instruments.yaml"]),
    ("national", ["national/instruments.yaml", "is kind 'national'", "kind: local"]),
    ("clash-param", ["clash-param/parameters/mine.yaml", "'organs.branch_min_full_members' is already defined",
                     "policies/parameters/organs-regulations.yaml"]),
    ("clash-policy", ["clash-policy/organs-regulations/2019/copy.yaml:", "is already used by",
                      "policies/organs-regulations/2019/art-07-branch-committee.yaml"]),
    ("clash-derived", ["clash-derived/derived.py:4:1: derived fact 'full_members' is already defined in "
                       "partyrules' built-in derived facts", "partyrules/facts/derive.py:"]),
    ("bad-derived-kind", ["bad-derived-kind/derived.py:4:1: derived fact 'heads': unknown argument kind 'dept'"]),
    ("lint-derived", ["lint-derived/mini-rules/2024/art-01.yaml:6:10: branch_count() takes 0 argument(s)"]),
])
def test_a_pack_that_clashes_or_is_wrong_names_the_files(pack, parts):
    with pytest.raises(PartyrulesError) as info:
        load_rulebook([DATA / pack])
    for part in parts:
        assert part in str(info.value)
    code, out, err = run("test", "--policies", str(DATA / pack))
    assert code == 2 and out == "" and parts[0] in err


def test_two_packs_defining_the_same_derived_fact_name_both(tmp_path):
    other = tmp_path / "other"
    write(other / "derived.py", """\
        from partyrules.rulebook.packs import derived

        @derived("branch_count")
        def branch_count(view):
            return 0
        """)
    with pytest.raises(PolicyError) as info:
        load_rulebook([MINI, other], builtin=False)
    text = str(info.value)
    assert f"{other / 'derived.py'}:3:1: derived fact 'branch_count' is already defined in {MINI / 'derived.py'}:" \
        in text


def test_a_pack_named_twice_is_loaded_once():
    once = load_rulebook([MINI], builtin=False)
    twice = load_rulebook([MINI, str(MINI) + "/"], builtin=False)
    assert [p.key for p in once.policies] == [p.key for p in twice.policies]


# ------------------------------------------------------------------------------------------- derived facts

def test_custom_derived_facts_are_checked_and_evaluated():
    book = load_rulebook([MINI], builtin=False)
    d = book.derived["branch_count"]
    assert d.args == () and d.doc == "How many branches the unit has." and d.returns == "value"
    report = partyrules.check({"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u1"},
                               "organizations": [{"id": "b1", "kind": "branch"}]}, rulebook=book)
    outcomes = {(r.policy, r.subject.id): r.outcome for r in report.results}
    assert outcomes[("mini.unit.has-branch", "u1")] == "satisfied"
    assert outcomes[("mini.org.has-secretary", "b1")] == "unknown"
    (r,) = [r for r in report.results if r.policy == "mini.org.has-secretary"]
    assert r.missing == ("organizations[0].secretary",)


def test_a_failing_derived_fact_is_an_error_outcome_not_a_crash():
    book = load_rulebook([DATA / "derived-bug"], builtin=False)
    report = partyrules.check(MINI / "tests" / "_facts" / "court.yaml", rulebook=book)
    (r,) = report.results
    assert r.outcome == "error"
    assert "derived fact broken" in r.message["en"] and "IndexError" in r.message["en"]


@pytest.mark.parametrize("code,message", [
    ("@derived('x', args=('member',))\ndef x(view):\n    return 1\n",
     "derived.py:3:1: derived fact 'x': the function must take (view, <member>)"),
    ("@derived('y', needs_since=True)\ndef y(view):\n    return 1\n",
     "derived fact 'y': the function must take (view, *, since)"),
    ("@derived('len')\ndef f(view):\n    return 1\n", "'len' is reserved by the expression language"),
    ("@derived('Bad-Name')\ndef f(view):\n    return 1\n", "its name must be lowercase words"),
    ("@derived('z', returns='thing')\ndef z(view):\n    return 1\n", "returns must be 'value' or one of"),
    ("def plain(view):\n    return 1\n", "defines no derived fact"),
    ("import does_not_exist_anywhere\n", "derived.py:1:1: importing the pack's derived facts failed: "
                                         "ModuleNotFoundError"),
    ("def broken(:\n", "derived.py:1:12: not valid Python"),
])
def test_mistakes_in_derived_py_are_reported_at_their_line(tmp_path, code, message):
    pack = tmp_path / "pack"
    write(pack / "derived.py", "from partyrules.rulebook.packs import derived\n\n" + code
          if "derived(" in code else code)
    with pytest.raises(PolicyError) as info:
        load_pack_derived(pack)
    assert message in str(info.value)


def test_the_decorator_can_be_used_bare_and_only_marks_the_function():
    @derived
    def plain(view):
        """Doc."""
        return 1

    assert plain(None) == 1 and plain.__partyrules_derived__["name"] == "plain"
    with pytest.raises(TypeError):
        derived(3)


# ------------------------------------------------------------------------------------------- entry points

@pytest.fixture
def installed_pack(tmp_path, monkeypatch):
    """A package that registers tests/data/packs/mini in the entry-point group, as if installed."""
    site = tmp_path / "site"
    write(site / "mini_pack_dist.py", f"def pack_dir():\n    return {str(MINI)!r}\n")
    write(site / "mini_pack_dist-1.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: mini-pack-dist\n"
                                                             "Version: 1.0\n")
    write(site / "mini_pack_dist-1.0.dist-info" / "entry_points.txt",
          f"[{ENTRY_POINT_GROUP}]\nmini = mini_pack_dist:pack_dir\n")
    monkeypatch.syspath_prepend(str(site))
    return MINI


def test_installed_packs_load_only_when_asked(installed_pack):
    assert installed_pack in installed_pack_dirs()
    plain = load_rulebook()
    assert "mini-rules" not in plain.registry
    book = load_rulebook(entry_points=True)
    assert "mini-rules" in book.registry and MINI.resolve() in book.packs
    both = load_rulebook([MINI], entry_points=True)           # named and installed: loaded once
    assert len([p for p in both.policies if p.instrument == "mini-rules"]) == 2
    code, out, _ = run("test", "--installed-packs", "--no-builtin")
    assert code == 0 and out.strip().endswith("3 passed, 0 failed")


def test_a_broken_entry_point_names_itself(tmp_path, monkeypatch):
    site = tmp_path / "site"
    write(site / "bad_pack-1.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: bad-pack\nVersion: 1.0\n")
    write(site / "bad_pack-1.0.dist-info" / "entry_points.txt", f"[{ENTRY_POINT_GROUP}]\nbad = no_such_module:x\n")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(PolicyError, match=r"entry point 'bad' \(no_such_module:x\) in group partyrules.packs "
                                          r"of bad-pack: cannot be loaded: ModuleNotFoundError"):
        load_rulebook(entry_points=True)


# ------------------------------------------------------------------------------------------- the pytest plugin

def pytest_run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "partyrules.tools.pytest_plugin", "-p", "no:cacheprovider",
                           "-q", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_court_standards_pack_runs_under_plain_pytest(tmp_path):
    write(tmp_path / "pytest.ini", f"[pytest]\npartyrules_packs = {COURT_PACK}\n")
    proc = pytest_run(tmp_path)
    book = load_rulebook([COURT_PACK])
    examples = sum(len(p.examples) for p in book.policies if p.instrument == "court-standards")
    scenarios = 1 + 3                                   # tests/qinghe-2024.yaml, tests/small-courts.yaml
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{examples + scenarios} passed" in proc.stdout


def test_the_plugin_reports_a_failing_scenario_with_its_diff(tmp_path):
    write(tmp_path / "pytest.ini", f"[pytest]\npartyrules_packs = {MINI}\npartyrules_builtin = false\n")
    write(tmp_path / "checks" / "court.partyrules.yaml", """\
        - name: wrong on purpose
          facts: {as_of: 2024-06-30, unit: {id: u1}, organizations: []}
          expect:
            - {policy: mini.unit.has-branch, subject: u1, outcome: satisfied}
        - name: right
          facts: {as_of: 2024-06-30, unit: {id: u1}, organizations: []}
          expect:
            - {policy: mini.unit.has-branch, subject: u1, outcome: violated}
        """)
    proc = pytest_run(tmp_path, "-rN")
    assert proc.returncode == 1
    assert "1 failed, 4 passed" in proc.stdout                 # + mini's 2 examples and tests/basic.yaml
    assert "scenario 'wrong on purpose'" in proc.stdout
    assert "  expected  mini.unit.has-branch  u1  satisfied" in proc.stdout
    assert "  got       mini.unit.has-branch  u1  violated" in proc.stdout


def test_the_plugin_collects_nothing_unless_configured(tmp_path):
    write(tmp_path / "pytest.ini", "[pytest]\n")
    write(tmp_path / "tests" / "scenario.yaml", "facts: {}\nexpect: []\n")   # a plain .yaml: not collected
    proc = pytest_run(tmp_path, "--collect-only")
    assert proc.returncode == 5 and "no tests collected" in proc.stdout   # 5: nothing collected


def test_the_plugin_is_registered_for_pytest():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"partyrules": "partyrules.tools.pytest_plugin"}


# ------------------------------------------------------------------------------------------- docs/authoring.md

def _walkthrough(section: str) -> tuple[list[str], list[str]]:
    import re
    text = section[section.index("### 6."):]
    blocks = re.findall(r"```(\w*)\n(.*?)```", text, re.S)
    return [b for lang, b in blocks if lang == "sh"], [b for lang, b in blocks if lang == ""]


def test_the_worked_example_of_the_authoring_guide_runs_as_written(tmp_path):
    doc = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    zh, en = doc.split("\n## English\n")
    commands, outputs = _walkthrough(zh)
    assert _walkthrough(en) == (commands, outputs)          # both languages show the same commands
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    out = ""
    for block in commands:
        proc = subprocess.run(["bash", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        out += proc.stdout + proc.stderr
    # the outputs the guide shows: the test runs, the lint finding of step 3, the pytest run
    for shown in outputs:
        if shown.startswith("FAIL "):                       # the output of a deliberate mistake, not run
            continue
        for line in shown.strip().splitlines():
            assert line.startswith(".") or line.strip() in out, (line, out)      # pytest's dots vary
    assert "4 passed, 0 failed" in out and "违反" in out


# ------------------------------------------------------------------------------------------- the rulebook cache

def test_an_edited_pack_is_seen_again_in_the_same_process(tmp_path):
    import shutil
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack)
    facts = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u1"}, "organizations": []}

    def outcome():
        report = partyrules.check(facts, policies=[pack], builtin=False)
        return {r.policy: r.outcome for r in report.results}["mini.unit.has-branch"]

    first = load_rulebook([pack], builtin=False)
    assert load_rulebook([pack], builtin=False) is first      # unchanged files: the loaded rulebook
    assert outcome() == "violated"
    rule = pack / "mini-rules" / "2024" / "art-01-branch.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(">= param('mini.min_branches')", ">= 0"),
                    encoding="utf-8")
    assert outcome() == "satisfied"
    edited = load_rulebook([pack], builtin=False)
    assert edited is not first and edited.digest != first.digest
    # touched but the same bytes: the same rulebook, no reload
    stat = rule.stat()
    os.utime(rule, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_rulebook([pack], builtin=False) is edited
    # a new policy file is seen too
    write(pack / "mini-rules" / "2024" / "art-03-new.yaml", (pack / "mini-rules" / "2024" / "art-01-branch.yaml")
          .read_text(encoding="utf-8").replace("mini.unit.has-branch", "mini.unit.has-branch-too"))
    assert {p.id for p in load_rulebook([pack], builtin=False).policies} >= {"mini.unit.has-branch-too"}


def test_the_rulebook_cache_serves_threads_one_rulebook():
    from concurrent.futures import ThreadPoolExecutor
    from partyrules.rulebook.load import RulebookCache
    cache = RulebookCache()
    dirs = (str(MINI.resolve()),)
    with ThreadPoolExecutor(4) as pool:
        books = list(pool.map(lambda _: cache.get(dirs), range(8)))
    assert all(b is books[0] for b in books) and len(cache.entries) == 1
