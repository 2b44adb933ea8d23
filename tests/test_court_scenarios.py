"""Whole-court scenarios: a clean, fully recorded court, and the same court with one fault planted.

On each date the clean court gives no violation, no unknown and no error; a planted
fault gives exactly the violations it should, citing the edition in force that day,
and nothing before its rule existed.
"""

import pytest

import partyrules
from partyrules.testing.courts import FAULTS, clean_court, planted

DATES = ["2018-06-30", "2021-06-30", "2024-06-30"]
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
    expected = set(fault.expect) if on >= fault.since.isoformat() else set()
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
