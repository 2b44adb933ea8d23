"""The legal coverage index (policies/provisions.yaml) and ``partyrules coverage``.

These tests assert properties, never the current number of encoded provisions:
the rulebook is growing.
"""

import json
import re
from collections import Counter
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import partyrules.tools.coverage as cov
from partyrules.citations import Registry, parse_citation
from partyrules.cli import main
from partyrules.tools.coverage import CoverageReport, coverage, load_index
from partyrules.errors import PolicyError, SourceError, UsageError
from partyrules.rulebook.load import load_rulebook
from partyrules.rulebook.policy import VERIFIED, CitationSpec

PACK = Path(__file__).parent / "data" / "pack-editions"
IN_SCOPE = {("party-constitution", "2017"), ("party-constitution", "2022"), ("organs-regulations", "2019"),
            ("branch-regulations", "2018"), ("member-education-regulations", "2019"),
            ("election-regulations", "2020"), ("tenure-opinion", "2018"), ("devt-rules", "2014"),
            ("dues-regulations", "2008")}
LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): ")


@pytest.fixture(scope="module")
def index():
    return load_index()


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_index(tmp_path, body: str) -> Path:
    path = tmp_path / "provisions.yaml"
    path.write_text("format: partyrules.provisions/1\nprovisions:\n" + body, encoding="utf-8")
    return path


def entry(ref: str, *, verification="F2", ready="true", extra="") -> str:
    return (f"  - ref: {ref}\n"
            f"    verification: {verification}\n"
            f"    checkable: \"yes\"\n"
            f"    ready: {ready}\n"
            f"    summary: {{zh: 摘要, en: summary}}\n"
            f"    source: test\n" + extra)


def with_policies(book, *citations_by_policy):
    """The rulebook with only the given policies: (an existing policy, the refs it cites instead)."""
    policies = []
    for policy, refs in citations_by_policy:
        specs = tuple(CitationSpec(parse_citation(r, book.registry), "F2") for r in refs)
        policies.append(attrs.evolve(policy, citations=specs))
    return attrs.evolve(book, policies=tuple(policies))


def distinct(book, n):
    """``n`` policies with different ids."""
    out = {}
    for p in book.policies:
        out.setdefault(p.id, p)
    return list(out.values())[:n]


def rows(report: CoverageReport):
    return {r.provision.key: r for e in report.editions for r in e.provisions}


# --------------------------------------------------------------------------- the built-in index


def test_the_index_loads_and_every_ref_parses_canonically_and_is_unique(index):
    registry = Registry.builtin()
    assert index
    keys = [p.key for p in index]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    for p in index:
        assert parse_citation(p.ref, registry) == p.citation
        assert p.ref == p.citation.ref()
        registry.resolve(p.citation)                      # the edition is registered
        assert p.checkable in ("yes", "partly")
        assert p.ready == (p.verification in VERIFIED)
        assert p.summary["zh"].strip() and p.summary["en"].strip() and p.source.strip()


def test_the_index_covers_exactly_the_editions_in_scope(index):
    assert {(p.citation.instrument, p.citation.edition) for p in index} == IN_SCOPE


def test_the_constitution_lists_the_same_provisions_for_2017_and_2022(index):
    def positions(edition):
        return sorted((p.citation.article, p.citation.paragraph or 0, p.citation.item or 0, p.part or 0)
                      for p in index if p.citation.instrument == "party-constitution"
                      and p.citation.edition == edition)
    assert positions("2017") == positions("2022")


def test_a_split_provision_always_has_parts_and_only_parts_name_policies(index):
    by_citation = {}
    for p in index:
        by_citation.setdefault(p.citation, []).append(p)
        if p.policies:
            assert p.part is not None
    for citation, entries in by_citation.items():
        parts = [p.part for p in entries]
        assert parts == [None] or (None not in parts and len(set(parts)) == len(parts)), citation
    # provisions.md §11: organs-regs@2019 art.8 para.2 counts as four facts
    art8 = parse_citation("organs-regulations@2019 art.8 para.2", Registry.builtin())
    assert sorted(p.part for p in by_citation[art8]) == [1, 2, 3, 4]


def test_parts_name_policies_that_really_cite_the_provision(index, book):
    cited = {}
    for policy in book.policies:
        cited.setdefault(policy.id, set()).update(book.registry.normalized(c.citation) for c in policy.citations)
    for p in index:
        for pid in p.policies:
            if pid in cited:            # a claim on a policy of this rulebook must be true
                assert p.citation in cited[pid], (p.key, pid)


def test_article_level_only_where_the_addendum_leaves_paragraph_numbers_unverified(index):
    # addendum §0/§7: branch-regs paragraph numbers in these articles are ¶ U — cite the article
    unverified_paragraphs = {7, 15, 16, 19, 21, 22, 24, 25, 27, 29, 30}
    for p in index:
        c = p.citation
        if c.instrument == "branch-regulations" and c.article in unverified_paragraphs:
            assert c.paragraph is None, p.key
        if c.instrument == "branch-regulations" and c.article == 11:
            assert c.paragraph in (None, 1), p.key      # only para.1 is verified in art.11


# --------------------------------------------------------------------------- matching


def test_a_paragraph_citation_counts_for_that_paragraph_only(tmp_path, book):
    path = write_index(tmp_path, entry("organs-regulations@2019 art.9") + entry("organs-regulations@2019 art.9 para.1")
                       + entry("organs-regulations@2019 art.9 para.2"))
    index = load_index(path)
    policy = book.policies[0]
    report = coverage(with_policies(book, (policy, ["organs-regulations@2019 art.9 para.1"])), index)
    r = rows(report)
    assert [e.policy for e in r["organs-regulations@2019 art.9 para.1"].policies] == [policy.id]
    assert not r["organs-regulations@2019 art.9"].encoded
    assert not r["organs-regulations@2019 art.9 para.2"].encoded
    assert report.unindexed == ()


def test_an_article_citation_does_not_claim_its_paragraphs(tmp_path, book):
    path = write_index(tmp_path, entry("organs-regulations@2019 art.9 para.1") + entry("organs-regulations@2019 art.9 para.2"))
    policy = book.policies[0]
    report = coverage(with_policies(book, (policy, ["organs-regulations@2019 art.9"])), load_index(path))
    assert not any(r.encoded for r in rows(report).values())
    (u,) = report.unindexed
    assert (u.policy, u.citation.ref(), u.reason) == (policy.id, "organs-regulations@2019 art.9", "not_indexed")


def test_a_split_provision_counts_only_for_the_parts_that_name_the_policy(tmp_path, book):
    a, b = distinct(book, 2)
    body = (entry("organs-regulations@2019 art.8 para.2", extra=f"    part: 1\n    policies: [{a.id}]\n")
            + entry("organs-regulations@2019 art.8 para.2", extra="    part: 2\n"))
    report = coverage(with_policies(book, (a, ["organs-regulations@2019 art.8 para.2"]),
                                    (b, ["organs-regulations@2019 art.8 para.2"])), load_index(write_index(tmp_path, body)))
    r = rows(report)
    assert [e.policy for e in r["organs-regulations@2019 art.8 para.2 #1"].policies] == [a.id]
    assert not r["organs-regulations@2019 art.8 para.2 #2"].encoded
    assert [(u.policy, u.reason) for u in report.unindexed] == [(b.id, "part_unassigned")]


def test_a_claim_without_the_citation_does_not_count(tmp_path, book):
    a = book.policies[0]
    body = entry("organs-regulations@2019 art.8 para.2", extra=f"    part: 1\n    policies: [{a.id}]\n")
    report = coverage(with_policies(book, (a, ["organs-regulations@2019 art.7"])), load_index(write_index(tmp_path, body)))
    assert not any(r.encoded for r in rows(report).values())


def test_unindexed_citations_say_why(book, index):
    policy = book.policies[0]
    report = coverage(with_policies(book, (policy, ["organs-regulations@2019 art.43", "organs-regulations@2010 art.1",
                                                    "organs-regulations@2019 art.5 para.1"])), index)
    reasons = {(u.citation.ref(), u.reason) for u in report.unindexed}
    assert reasons == {("organs-regulations@2019 art.43", "not_indexed"),
                       ("organs-regulations@2010 art.1", "edition_not_indexed")}


def test_tested_needs_a_violated_and_a_satisfied_example(book, index):
    policy = next(p for p in book.policies if p.instrument == "organs-regulations")
    only_violated = tuple(e for e in policy.examples if e.expect == "violated")
    assert only_violated and len(only_violated) < len(policy.examples)
    ref = "organs-regulations@2019 art.30"
    full = coverage(with_policies(book, (policy, [ref])), index)
    assert rows(full)[ref].tested
    half = coverage(with_policies(book, (attrs.evolve(policy, examples=only_violated), [ref])), index)
    assert rows(half)[ref].encoded and not rows(half)[ref].tested


def test_inherited_2022_constitution_policies_count_for_2022(book, index):
    report = coverage(book, index)
    c2017 = report.edition("party-constitution@2017")
    c2022 = report.edition("party-constitution@2022")
    enc2017 = {(r.provision.citation.article, r.provision.citation.paragraph, e.policy)
               for r in c2017.provisions for e in r.policies}
    enc2022 = {(r.provision.citation.article, r.provision.citation.paragraph, e.policy)
               for r in c2022.provisions for e in r.policies}
    assert enc2017 and enc2017 == enc2022
    for r in c2022.provisions:
        for e in r.policies:
            assert (e.instrument, e.edition) == ("party-constitution", "2022")
            assert e.inherited_from == "party-constitution@2017"
    assert c2022.totals["encoded"] == c2017.totals["encoded"]


def test_an_inherited_pack_policy_counts_for_its_edition(index):
    book = load_rulebook([PACK], builtin=False)
    report = coverage(book, index)
    art8_2022 = rows(report)["party-constitution@2022 art.8"]
    assert [(e.policy, e.edition, e.inherited_from) for e in art8_2022.policies] == [
        ("test.member.enrolled", "2022", "party-constitution@2017")]
    # its supporting citation of organs-regs art.7 counts there, once per edition of the policy
    art7 = rows(report)["organs-regulations@2019 art.7"]
    assert [(e.policy, e.edition) for e in art7.policies] == [("test.member.enrolled", "2017"),
                                                              ("test.member.enrolled", "2022")]


# --------------------------------------------------------------------------- totals and output


def test_totals_add_up(book, index):
    report = coverage(book, index)
    assert sum(len(e.provisions) for e in report.editions) == len(index)
    for e in report.editions:
        t = e.totals
        rs = e.provisions
        assert t["provisions"] == len(rs)
        assert t["ready"] == sum(r.provision.ready for r in rs)
        assert t["encoded"] == sum(r.encoded for r in rs)
        assert t["tested"] == sum(r.tested for r in rs)
        assert t["tested"] <= t["encoded"] <= t["provisions"]
        assert t["ready_not_encoded"] == sum(r.provision.ready and not r.encoded for r in rs)
        assert t["ready_not_encoded"] + sum(r.provision.ready and r.encoded for r in rs) == t["ready"]
    data = report.to_json()
    for e in data["editions"]:
        assert e["totals"]["provisions"] == len(e["provisions"])
        assert e["totals"]["encoded"] == sum(p["encoded"] for p in e["provisions"])


def test_every_policy_citation_is_either_matched_or_reported(book, index):
    report = coverage(book, index)
    matched = {(e.policy, e.edition) for ed in report.editions for r in ed.provisions for e in r.policies}
    reported = {(u.policy, u.edition) for u in report.unindexed}
    for p in book.policies:
        assert (p.id, p.edition) in matched | reported, p.id


def test_json_output_is_deterministic_and_shaped(book, index):
    code1, out1, _ = run("coverage", "--format", "json")
    code2, out2, _ = run("coverage", "--format", "json")
    assert code1 == code2 == 0 and out1 == out2
    data = json.loads(out1)
    assert list(data) == ["format", "editions", "unindexed_citations"]
    assert data["format"] == "partyrules.coverage/1"
    assert {(e["instrument"], e["edition"]) for e in data["editions"]} == IN_SCOPE
    assert out1 == cov_json(coverage(book, index))
    for e in data["editions"]:
        keys = [(p["citation"]["article"], p["citation"]["paragraph"] or 0, p["citation"]["item"] or 0,
                 p["part"] or 0) for p in e["provisions"]]
        assert keys == sorted(keys)
        for p in e["provisions"]:
            assert p["citation"]["label"]["zh"].startswith("《")
            assert p["encoded"] == bool(p["policies"])
            ids = [(q["id"], q["edition"]) for q in p["policies"]]
            assert len(ids) == len(set(ids))


def cov_json(report):
    from partyrules.cli.coverage import render_coverage_json
    return render_coverage_json(report)


def test_table_lists_labels_policies_marks_and_totals(book, index):
    code, out, err = run("coverage")
    assert code == 0, err
    assert "《中国共产党党和国家机关基层组织工作条例》（2019年修订）第八条第二款［要点1］" in out
    assert out.count("合计：") == len(IN_SCOPE)
    assert "总计" in out
    report = coverage(book, index)
    some = next(r for e in report.editions for r in e.provisions if r.tested)
    assert some.policies[0].policy in out and "✓" in out and "✗" in out
    code2, out2, _ = run("coverage")
    assert out == out2


def test_edition_option_filters_and_checks(book, index):
    code, out, _ = run("coverage", "--format", "json", "--edition", "organs-regs@2019")
    assert code == 0
    data = json.loads(out)
    assert [(e["instrument"], e["edition"]) for e in data["editions"]] == [("organs-regulations", "2019")]
    assert all(u["citation"]["instrument"] == "organs-regulations" for u in data["unindexed_citations"])
    for bad in ("organs-regulations@2010", "nonesuch@2019", "organs-regulations"):
        code, out, err = run("coverage", "--edition", bad)
        assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("partyrules: "), (bad, err)
    with pytest.raises(UsageError):
        coverage(book, index, ["party-constitution@2012"])


# --------------------------------------------------------------------------- a broken index


def located(exc: PolicyError, path: Path, line: int) -> None:
    m = LOCATED.match(str(exc))
    assert m, str(exc)
    assert m["file"] == str(path) and int(m["line"]) == line, str(exc)


@pytest.mark.parametrize("body, line, words", [
    (entry("organs-regulations@2019 art.x"), 3, "expected a citation"),
    (entry("organs-regulations@2021 art.5"), 3, "not registered"),
    (entry("nonesuch@2019 art.5"), 3, "unknown instrument"),
    (entry("organs-regs@2019 art.5"), 3, "canonically"),
    (entry("organs-regulations@2019 art.5", extra="    sumary: {zh: x, en: y}\n"), 9, "unknown key 'sumary'"),
    (entry("party-constitution art.8", extra="    editions: [\"2017\", \"2027\"]\n"), 9, "'2027'"),
    (entry("party-constitution art.8", extra="    editions: [2017]\n"), 9, "quote it"),
    (entry("party-constitution@2017 art.8", extra="    editions: [\"2017\"]\n"), 3, "without @edition"),
    (entry("party-constitution art.8"), 3, "edition"),
    (entry("organs-regulations@2019 art.5", verification="E1"), 6, "ready must be false"),
    (entry("organs-regulations@2019 art.5", verification="F3"), 4, "expected one of"),
    (entry("organs-regulations@2019 art.5").replace('"yes"', "yes"), 5, 'quote it: "yes"'),
    (entry("organs-regulations@2019 art.5") + entry("organs-regulations@2019 art.5"), 9, "already listed"),
    (entry("organs-regulations@2019 art.5", extra="    part: 1\n") + entry("organs-regulations@2019 art.5"),
     10, "with and without a part"),
    (entry("organs-regulations@2019 art.5", extra="    policies: [a.b]\n"), 9, "only a part"),
])
def test_a_broken_index_is_reported_at_file_line_col(tmp_path, body, line, words):
    path = write_index(tmp_path, body)
    with pytest.raises((PolicyError, SourceError)) as caught:    # SourceError: the YAML reader refused it
        load_index(path)
    located(caught.value, path, line)
    assert words in str(caught.value)


def test_a_broken_index_is_one_line_and_exit_2_on_the_command_line(tmp_path, monkeypatch):
    path = write_index(tmp_path, entry("organs-regulations@2019 art.5", extra="    colour: red\n"))
    monkeypatch.setattr(cov, "default_index_path", lambda: path)
    code, out, err = run("coverage")
    assert code == 2 and out == ""
    assert re.match(rf"^partyrules: {re.escape(str(path))}:9:\d+: provisions\[0\]\.colour: unknown key", err), err
    assert err.count("\n") == 1


def test_the_index_format_is_checked(tmp_path):
    path = tmp_path / "provisions.yaml"
    path.write_text("format: partyrules.provisions/9\nprovisions: []\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_index(path)
    located(caught.value, path, 1)
