"""``partyrules lint``: every problem of a pack at once, each at its FILE:LINE:COL.

The fixtures under tests/data/lint/ are packs with deliberate mistakes, each
named in the file's first comment; the expected lines below are exact.
"""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partyrules.cli import main
from partyrules.errors import PolicyError
from partyrules.tools.lint import Finding, lint_paths

DATA = Path(__file__).parent / "data" / "lint"
MINI_PACK = Path(__file__).parent / "data" / "packs" / "mini"
PACK = DATA / "pack"
WARN = DATA / "warn-pack"
ORGANS = PACK / "organs-regulations" / "2019"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module", autouse=True)
def at_repo_root(request):
    """Findings name files relative to the working directory: run from the checkout's root."""
    import os
    old = os.getcwd()
    os.chdir(Path(__file__).resolve().parents[1])
    yield
    os.chdir(old)


@pytest.fixture(scope="module")
def pack_lines():
    return [f.render() for f in lint_paths([PACK.relative_to(Path.cwd()) if PACK.is_absolute() else PACK],
                                           search=0)]


def rel(path: Path) -> str:
    return str(path.resolve().relative_to(Path(__file__).resolve().parents[1]))


def test_typo_in_a_field_name(pack_lines):
    f = rel(ORGANS / "typo-field.yaml")
    assert f"{f}:10:14: error: organization has no field 'comittee_members' (did you mean 'committee_members'?)" \
        in pack_lines


def test_bad_operators(pack_lines):
    f = rel(ORGANS / "typo-field.yaml")
    assert f"{f}:12:36: error: not a valid expression: invalid syntax" in pack_lines      # =>
    g = rel(ORGANS / "operators.yaml")
    assert f"{g}:7:12: error: ** not allowed in a condition" in pack_lines
    assert any(x.startswith(f"{g}:21:10: error: not a valid expression: cannot assign to attribute here")
               for x in pack_lines)


def test_several_problems_of_one_policy_are_all_listed(pack_lines):
    g = rel(ORGANS / "operators.yaml")
    # policy [1]: an unknown subject kind and, whatever subject was meant, an assignment in require
    assert f"{g}:13:15: error: [1].applies_to: expected one of unit, department, organization, member, applicant, got " \
           f"'organisation' (did you mean 'organization'?)" in pack_lines
    assert any(x.startswith(f"{g}:14:12: error: not a valid expression") for x in pack_lines)
    # policy [2]: where and require (a block scalar: the column inside it) each have their own mistake
    assert any(x.startswith(f"{g}:21:10: error:") for x in pack_lines)
    assert f"{g}:24:26: error: organization has no field 'comittee_members' (did you mean 'committee_members'?)" \
        in pack_lines
    f = rel(ORGANS / "typo-field.yaml")
    assert sum(1 for x in pack_lines if x.startswith(f + ":")) == 3


def test_wrong_citation_and_unregistered_edition(pack_lines):
    f = rel(ORGANS / "citations.yaml")
    assert f"{f}:6:7: error: [0].citations[0]: unknown instrument 'organs-regulation' " \
           f"(did you mean 'organs-regulations'?)" in pack_lines
    assert f"{f}:7:7: error: [0].citations[1]: edition '2030' of organs-regulations is not registered " \
           f"(registered: 1998, 2010, 2019)" in pack_lines
    u = rel(PACK / "organs-regulations" / "2031" / "unregistered.yaml")
    assert f"{u}:1:1: error: the folder's edition: edition '2031' of organs-regulations is not registered " \
           f"(registered: 1998, 2010, 2019)" in pack_lines


def test_article_not_in_the_coverage_index_is_a_warning(pack_lines):
    f = rel(ORGANS / "citations.yaml")
    assert f"{f}:8:7: warning: organs-regulations@2019 art.99 is not in the coverage index (provisions.yaml): " \
           f"check the article number, or add the provision to the index" in pack_lines


def test_folder_edition_not_cited(pack_lines):
    f = rel(ORGANS / "citations.yaml")
    assert f"{f}:17:5: error: [1].citations: a policy in organs-regulations/2019 must cite " \
           f"organs-regulations@2019" in pack_lines


def test_citation_narrowed_to_organization_kinds(pack_lines, tmp_path):
    f = rel(ORGANS / "org-kinds.yaml")
    assert f"{f}:8:27: error: [0].citations[1].org_kinds[1]: expected one of committee, general_branch, branch, " \
           f"got 'generalbranch'" in pack_lines
    assert f"{f}:17:18: error: [1].citations[0].org_kinds: the citation of the policy's own edition applies to " \
           f"every subject; org_kinds is for supporting citations" in pack_lines
    assert f"{f}:27:18: error: [2].citations[1].org_kinds: org_kinds narrows a citation by the kind of " \
           f"organization: only for applies_to: organization" in pack_lines
    # loading the pack stops at the same first mistake, with the same position
    import shutil
    import partyrules
    pack = tmp_path / "pack" / "organs-regulations" / "2019"
    pack.mkdir(parents=True)
    shutil.copy(ORGANS / "org-kinds.yaml", pack / "org-kinds.yaml")
    with pytest.raises(PolicyError) as exc:
        partyrules.load_rulebook([tmp_path / "pack"])
    assert (exc.value.line, exc.value.column) == (8, 27)
    assert "org_kinds[1]: expected one of committee, general_branch, branch" in str(exc.value)


def test_duplicate_ids(pack_lines):
    f = rel(ORGANS / "duplicate.yaml")
    assert f"{f}:9:7: error: policy id 'court.branch.twice' is already used by {f}:2" in pack_lines
    assert f"{f}:16:7: error: policy id 'organs.branch.committee-required' is already used by " \
           f"policies/organs-regulations/2019/art-07-branch-committee.yaml:4" in pack_lines


def test_parameter_dates(pack_lines):
    f = rel(PACK / "parameters" / "court.yaml")
    assert f"{f}:7:7: error: [0].values[1]: two values of 'court.branch_min_size' take effect on 2020-01-05 " \
           f"(the other is values[0])" in pack_lines
    assert f"{f}:15:13: error: [1].values[0].from: takes effect on 2019-06-01, before organs-regulations@2019 is " \
           f"in force (2020-01-05): the value would overlap the period of an earlier edition" in pack_lines


def test_placeholder_not_an_evidence_name(pack_lines):
    f = rel(ORGANS / "typo-field.yaml")
    assert f"{f}:17:30: error: message.zh: placeholder {{siez}} is not an evidence name; use one of size, " \
           f"subject, subject_id (did you mean {{size}}?)" in pack_lines


def test_failing_example(pack_lines):
    f = rel(ORGANS / "citations.yaml")
    assert f"{f}:30:7: error: example 'no committee': expected satisfied, got violated" in pack_lines


def test_without_search_a_policy_with_no_violating_example_is_a_warning(pack_lines):
    f = rel(ORGANS / "citations.yaml")
    assert f"{f}:27:12: warning: policy 'court.branch.bad-example': none of its 2 examples gives violated " \
           f"(generated courts were not searched); add an example that gives violated" in pack_lines


def test_findings_are_sorted_and_deterministic(pack_lines):
    again = [f.render() for f in lint_paths([PACK], search=0)]
    assert again == pack_lines
    keys = [tuple(x.split(":")[:3]) for x in pack_lines]
    parsed = [(k[0], int(k[1]), int(k[2])) for k in keys]
    assert parsed == sorted(parsed)


def test_never_fires_is_a_warning_naming_how_many_courts_were_tried():
    findings = lint_paths([WARN], search=25)
    f = rel(WARN / "court-rules" / "2024" / "never-fires.yaml")
    assert [x.render() for x in findings] == [
        f"{f}:8:10: warning: policy 'court.branch.never-fires' may never fire: no violated outcome found in 25 "
        f"generated courts nor among its 1 examples; add an example that gives violated"]


def test_a_policy_that_fires_on_generated_courts_is_not_reported(tmp_path):
    pack = tmp_path / "pack"
    (pack / "court-rules" / "2024").mkdir(parents=True)
    (pack / "instruments.yaml").write_text((WARN / "instruments.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (pack / "court-rules" / "2024" / "secretary.yaml").write_text("""\
id: court.branch.secretary
title: {zh: 支部有书记, en: A branch has a secretary}
severity: warning
citations: [court-rules@2024 art.1]
applies_to: organization
where: org.kind == 'branch'
require: org.secretary is not None
message: {zh: "{subject}没有书记。", en: "{subject} has no secretary."}
""", encoding="utf-8")
    # no example at all: the generated courts show both outcomes
    assert lint_paths([pack], search=60) == []


def test_cli_exit_statuses():
    code, out, err = run("lint", str(PACK), "--search", "0")
    assert code == 1
    assert out.splitlines() == [f.render() for f in lint_paths([PACK], search=0)]
    assert "error(s)" in err
    code, out, _ = run("lint", str(WARN), "--search", "5")
    assert code == 0 and "warning: policy 'court.branch.never-fires' may never fire" in out
    code, out, err = run("lint", str(DATA / "no-such-pack"))
    assert code == 2 and "no such file or directory" in err and out == ""


def test_single_file_reports_only_that_file_but_sees_its_pack():
    findings = lint_paths([ORGANS / "duplicate.yaml"], search=0)
    files = {f.file for f in findings}
    assert files == {rel(ORGANS / "duplicate.yaml")}
    assert any("already used by" in f.message for f in findings)
    # the parameters of the pack are known: no "unknown parameter" from a file linted alone
    typo = lint_paths([ORGANS / "typo-field.yaml"], search=0)
    assert {f.message for f in typo} == {f.message for f in lint_paths([PACK], search=0)
                                         if f.file == rel(ORGANS / "typo-field.yaml")}


def test_single_parameter_file():
    findings = lint_paths([PACK / "parameters" / "court.yaml"], search=0)
    assert [f.line for f in findings] == [7, 15]
    assert all(f.file == rel(PACK / "parameters" / "court.yaml") for f in findings)


def test_parameter_value_kept_past_its_edition_is_a_warning(tmp_path):
    pack = tmp_path / "pack"
    (pack / "parameters").mkdir(parents=True)
    (pack / "parameters" / "p.yaml").write_text("""\
- name: court.min_members
  values:
    - value: 3
      citation: party-constitution@2017 art.30 para.1
""", encoding="utf-8")
    findings = lint_paths([pack], search=0)
    assert [(f.line, f.column, f.severity) for f in findings] == [(4, 17, "warning")]
    assert "party-constitution@2017 is replaced on 2022-10-22 by party-constitution@2022" in findings[0].message


def test_pack_with_derived_facts_and_local_instruments():
    pack = Path(__file__).resolve().parents[1] / "policies" / "packs" / "court-standards"
    if not pack.is_dir():
        pytest.skip("no bundled court-standards pack in this checkout")
    assert [f for f in lint_paths([pack], search=0) if f.severity == "error"] == []


def test_builtin_rulebook_has_no_errors():
    findings = lint_paths()
    errors = [f.render() for f in findings if f.severity == "error"]
    assert errors == []
    code, out, _ = run("lint")
    assert code == 0


def test_finding_render():
    assert Finding("a.yaml", 3, 7, "warning", "x").render() == "a.yaml:3:7: warning: x"


def test_missing_path_raises():
    with pytest.raises(PolicyError):
        lint_paths([DATA / "nope"])


def test_a_folder_of_packs_lints_each_pack():
    both = lint_paths([DATA], search=0)
    assert both == sorted(set(lint_paths([PACK], search=0)) | set(lint_paths([WARN], search=0)))


def test_a_file_outside_any_pack(tmp_path):
    f = tmp_path / "policy.yaml"
    f.write_text((ORGANS / "typo-field.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    findings = lint_paths([f], search=0)
    assert [(x.line, x.column) for x in findings] == [(1, 1), (10, 14), (12, 36), (17, 30)]
    assert "is not a registered instrument id" in findings[0].message


def test_parameter_that_clashes_with_a_builtin_one(tmp_path):
    pack = tmp_path / "pack"
    (pack / "parameters").mkdir(parents=True)
    (pack / "parameters" / "p.yaml").write_text("""\
- name: checks.lookback_months
  values:
    - {value: 6, setting: half a year, from: 2000-01-01}
""", encoding="utf-8")
    [finding] = lint_paths([pack], search=0)
    assert (finding.line, finding.column, finding.severity) == (1, 9, "error")
    assert finding.message.startswith("[0].name: parameter 'checks.lookback_months' is already defined in ")
    assert "policies/parameters/checks.yaml:" in finding.message


def test_edition_file(tmp_path):
    ed = tmp_path / "pack" / "party-constitution" / "2022"
    ed.mkdir(parents=True)
    (tmp_path / "pack" / "parameters").mkdir()
    (ed / "_edition.yaml").write_text('inherits: "2016"\ninherit: "2017"\n', encoding="utf-8")
    findings = [(f.line, f.column, f.message) for f in lint_paths([tmp_path / "pack"], search=0)]
    assert findings == [
        (1, 11, "inherits: edition '2016' of party-constitution is not registered (registered: 2012, 2017, 2022)"),
        (2, 10, "inherit: unknown key 'inherit' (did you mean 'inherits'?); expected inherits, note"),
    ]


# --------------------------------------------------------------------------- one validator for loader and lint

GOOD_POLICY = """id: organs.branch.test-x
title: {zh: 测试, en: A test}
severity: error
citations:
  - organs-regulations@2019 art.7
  - {ref: party-constitution@2017 art.30, verification: E1, org_kinds: [branch]}
applies_to: organization
where: org.kind == 'branch'
require: len(org.committee_members) > 0
unverified: true
unless:
  - when: org.approved_by_superior == True
    note: {zh: 批准, en: approved}
evidence:
  size: len(org.committee_members)
message: {zh: "{subject}有{size}名", en: "{subject} has {size:.1f}"}
examples:
  - {name: one, expect: violated, subject: b1, as_of: "2024-06-30", missing: [a], facts: {unit: {name: x}}}
"""

BREAKS = [
    ("severity: error", "severity: fatal"), ("en: A test", "en: ' '"), ("applies_to: organization", "applies_to: org"),
    ("organs-regulations@2019 art.7", "organs-regulation@2019 art.7"), ("verification: E1", "verification: Z9"),
    ("org_kinds: [branch]", "org_kinds: [twig]"), ("unverified: true", "unverified: 1"),
    ("where: org.kind == 'branch'", "where: org.kid == 'branch'"), ("> 0\n", ">\n"),
    ("when: org.approved_by_superior", "when: org.aproved"), ("note: {zh: 批准, en: approved}", "nota: {zh: x, en: y}"),
    ("  size: len", "  2size: len"), ("{size:.1f}", "{siez!r}"), ("expect: violated", "expect: broken"),
    ('as_of: "2024-06-30"', 'as_of: "2024-6-30"'), ("missing: [a]", "missing: [3]"), ("id: organs", "id: Organs"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sets(st.sampled_from(range(len(BREAKS))), min_size=1, max_size=4))
def test_the_loader_raises_the_first_problem_lint_lists(broken):
    """However many things are wrong with a policy, each is listed (lint sees them all) and the loader raises
    the first of the same list, so the two never disagree about a policy."""
    from partyrules.errors import PolicyError
    from partyrules.rulebook.load import load_rulebook
    from partyrules.rulebook.policy import policy_from_data, policy_problems
    from partyrules.source import read_yaml

    text = GOOD_POLICY
    for k in sorted(broken):
        text = text.replace(*BREAKS[k])
    book = load_rulebook()
    doc = read_yaml(text, "p.yaml")
    args = dict(instrument="organs-regulations", edition="2019", registry=book.registry, params=book.params,
                derived=book.derived)
    problems = [p for p in policy_problems(doc, (), doc.data, **args) if p.severity == "error"]
    assert len(problems) >= len(broken), text
    with pytest.raises(PolicyError) as raised:
        policy_from_data(doc, (), doc.data, **args)
    assert str(raised.value) == str(problems[0].error)


def test_folders_the_loader_refuses_are_errors_even_without_a_policy_file(tmp_path):
    """The loader refuses a folder that names no registered instrument or edition whatever it holds (a notes
    folder with a README); lint, which reports such a folder at each policy file, reports it at the folder."""
    from partyrules.rulebook.load import load_rulebook
    for folder in ("notes", "organs-regulations/2031"):
        pack = tmp_path / folder.replace("/", "-") / "pack"
        (pack / folder).mkdir(parents=True)
        (pack / "parameters").mkdir()           # what marks a folder as a pack for lint
        (pack / folder / "README.md").write_text("notes\n", encoding="utf-8")
        with pytest.raises(PolicyError) as raised:
            load_rulebook([pack])
        assert "is not a registered" in str(raised.value) or "is not registered" in str(raised.value)
        [finding] = lint_paths([pack], search=0)
        assert (Path(finding.file).resolve(), finding.severity) == ((pack / folder).resolve(), "error")
        assert finding.message == {
            "notes": "folder 'notes' is not a registered instrument id (see instruments.yaml; a policy file "
                     "lives in PACK/INSTRUMENT/EDITION/)",
            "organs-regulations/2031": "the folder's edition: edition '2031' of organs-regulations is not "
                                       "registered (registered: 1998, 2010, 2019)"}[folder]


def test_a_policy_file_outside_an_edition_folder_is_refused_by_the_loader_as_lint_says(tmp_path):
    """A policy file lying in an instrument folder cites no edition: the loader used to skip it unseen
    (a policy gone without a word); now both refuse it, with the same words at the same place."""
    from partyrules.rulebook.load import load_rulebook
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    instrument = next(p for p in pack.iterdir() if p.is_dir() and any(q.is_dir() for q in p.iterdir())
                      and p.name not in ("parameters", "tests"))
    stray = instrument / "stray.yaml"
    shutil.copy(next(instrument.glob("*/*.yaml")), stray)
    with pytest.raises(PolicyError) as raised:
        load_rulebook([pack], builtin=False, disk_cache=False)
    errors = [f for f in lint_paths([pack], search=0) if f.severity == "error"]
    assert [(Path(f.file).resolve(), f.line, f.column, f.message) for f in errors] == \
        [(stray.resolve(), 1, 1, f"a policy file belongs in a folder of its edition: {instrument}/EDITION/stray.yaml")]
    assert str(raised.value) == f"{stray}:1:1: {errors[0].message}"


ONE_POLICY = """- id: x.one
  title: {zh: 一, en: one}
  severity: error
  citations: [{ref: party-constitution@2022 art.1}]
  applies_to: unit
  require: "True"
  message: {zh: 一, en: one}
"""


def test_an_empty_policy_file_is_refused_in_the_same_words(tmp_path):
    from partyrules.rulebook.load import load_rulebook
    f = tmp_path / "pack" / "party-constitution" / "2022" / "a.yaml"
    f.parent.mkdir(parents=True)
    f.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_rulebook([tmp_path / "pack"], builtin=False, disk_cache=False)
    [finding] = [f for f in lint_paths([tmp_path / "pack"], search=0) if f.severity == "error"]
    assert (finding.line, finding.column) == (1, 1)
    assert str(raised.value) == f"{f}:1:1: {finding.message}"
    assert finding.message == "the file is empty: expected a policy (a mapping) or a list of policies"


def test_a_duplicate_id_names_the_other_policy_by_file_and_line_in_both(tmp_path):
    from partyrules.rulebook.load import load_rulebook
    folder = tmp_path / "pack" / "party-constitution" / "2022"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("# first\n" + ONE_POLICY, encoding="utf-8")
    (folder / "b.yaml").write_text(ONE_POLICY, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_rulebook([tmp_path / "pack"], builtin=False, disk_cache=False)
    [finding] = [f for f in lint_paths([tmp_path / "pack"], search=0) if f.severity == "error"]
    assert finding.message == f"policy id 'x.one' is already used by {folder / 'a.yaml'}:2"
    assert str(raised.value) == f"{folder / 'b.yaml'}:1:1: {finding.message}"
    assert Path(finding.file).resolve() == (folder / "b.yaml").resolve() and finding.line == 1


@pytest.mark.parametrize("folder,said", [
    ("nosuch/2022", "folder 'nosuch' is not a registered instrument id (see instruments.yaml; a policy file "
                    "lives in PACK/INSTRUMENT/EDITION/)"),
    ("party-constitution/1999", "the folder's edition: edition '1999' of party-constitution is not registered "
                                "(registered: 2012, 2017, 2022)")])
def test_a_policy_in_an_unregistered_folder_is_a_finding_not_a_crash(tmp_path, folder, said):
    """lint went on to run such a policy on generated courts, which needs its edition's dates, and stopped
    with one bare line ('unknown instrument') instead of its findings."""
    f = tmp_path / "pack" / folder / "a.yaml"
    f.parent.mkdir(parents=True)
    f.write_text(ONE_POLICY, encoding="utf-8")
    for search in (0, 5):
        findings = lint_paths([tmp_path / "pack"], search=search)
        assert [(Path(x.file).resolve(), x.line, x.severity, x.message) for x in findings
                if x.severity == "error"][:1] == [(f.resolve(), 1, "error", said)]
