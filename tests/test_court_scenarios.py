"""Whole-court scenarios: a clean, fully recorded court, and the same court with one fault planted.

On each date the clean court gives no violation, no unknown and no error; a planted
fault gives exactly the violations it should, citing the edition in force that day,
and nothing before its rule existed.
"""

import datetime as dt

import pytest

import partyrules
from partyrules.testing.courts import FAULTS, clean_court, planted

DATES = ["2018-06-30", "2019-06-30", "2021-06-30", "2024-06-30"]
BOOK = partyrules.load_rulebook()


@pytest.mark.parametrize("on", DATES)
def test_clean_court_is_clean(on):
    report = partyrules.check(clean_court(on), rulebook=BOOK)
    listed = [(r.policy, r.subject.id, r.outcome, r.missing) for r in report.listed()]
    assert listed == []
    assert report.summary["satisfied"] > 0


@pytest.mark.parametrize("on", DATES)
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_one_fault_gives_exactly_its_violations(fault, on):
    report = partyrules.check(planted(fault, on), rulebook=BOOK)
    got = {(r.policy, r.subject.id) for r in report.violations}
    expected = fault.expected_on(dt.date.fromisoformat(on))
    assert got == expected
    assert not [r for r in report.results if r.outcome in ("unknown", "error")]
    for r in report.violations:
        for spec in r.citations:
            assert report.registry.is_in_force(spec.citation.instrument, spec.citation.edition, report.as_of)


@pytest.mark.parametrize("on, edition", [("2021-06-30", "2017"), ("2024-06-30", "2022")])
def test_constitution_faults_cite_the_edition_in_force(on, edition):
    fault = next(f for f in FAULTS if f.expect[0][0] == "constitution.member.enrolled")
    (result,) = partyrules.check(planted(fault, on), rulebook=BOOK).violations
    assert [(c.citation.instrument, c.citation.edition, c.citation.article) for c in result.citations] == [
        ("party-constitution", edition, 8)]


def _cited(result):
    return [(c.citation.instrument, c.citation.edition, c.citation.article, c.citation.paragraph)
            for c in result.citations]


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_branch_only_citation_is_shown_for_branches_only(engine):
    """branch-regs@2018 art.21 is cited beside the general rule only when the subject is a branch."""
    if engine == "durable":
        pytest.importorskip("durable.lang", reason="needs the durable extra (pip install 'partyrules[durable]', Python 3.11/3.12): not installed or cannot load here")
    on = "2024-06-30"
    doc = planted(next(f for f in FAULTS if f.expect == (("constitution.org.secretary-approved", "b3"),)), on)
    doc["organizations"][0]["elections"][0]["secretary_approved_on"] = None     # the committee's too
    report = partyrules.check(doc, rulebook=BOOK, engine=engine)
    by_subject = {r.subject.id: r for r in report.violations if r.policy == "constitution.org.secretary-approved"}
    assert set(by_subject) == {"b3", "c"}
    assert _cited(by_subject["b3"]) == [("party-constitution", "2022", 31, None),
                                        ("organs-regulations", "2019", 8, 1),
                                        ("branch-regulations", "2018", 21, None)]
    assert _cited(by_subject["c"]) == [("party-constitution", "2022", 31, None),
                                       ("organs-regulations", "2019", 8, 1)]


def test_overdue_branch_cites_the_branch_term_article():
    fault = next(f for f in FAULTS if f.expect[0][0] == "organs.org.reelection-on-time")
    (result,) = partyrules.check(planted(fault, "2024-06-30"), rulebook=BOOK).violations
    assert ("branch-regulations", "2018", 21, None) in _cited(result)
    assert ("organs-regulations", "2019", 8, 1) == _cited(result)[0]
