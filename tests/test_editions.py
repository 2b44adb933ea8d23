"""Editions by date: nothing applies before its edition is in force, and the edition in force is cited."""

from pathlib import Path

import partyrules

PACK = Path(__file__).parent / "data" / "pack-editions"
DOC = {"format": "partyrules.facts/1", "as_of": "2024-06-30", "unit": {"id": "u"},
       "members": [{"id": "a", "org": None, "admitted_on": "2001-01-01", "full_on": "2002-01-01",
                    "status": "full"}]}


def cited(report):
    (result,) = [r for r in report.results if r.policy == "test.member.enrolled"]
    return [(c.citation.instrument, c.citation.edition) for c in result.citations]


def test_the_edition_in_force_is_cited():
    on_2021 = partyrules.check(DOC, "2021-06-30", policies=[PACK], builtin=False)
    assert cited(on_2021) == [("party-constitution", "2017"), ("organs-regulations", "2019")]
    on_2024 = partyrules.check(DOC, "2024-06-30", policies=[PACK], builtin=False)
    assert cited(on_2024) == [("party-constitution", "2022"), ("organs-regulations", "2019")]
    # the day before and the day of the 2022 amendment
    assert cited(partyrules.check(DOC, "2022-10-21", policies=[PACK], builtin=False))[0][1] == "2017"
    assert cited(partyrules.check(DOC, "2022-10-22", policies=[PACK], builtin=False))[0][1] == "2022"


def test_supporting_citation_is_dropped_before_its_edition():
    report = partyrules.check(DOC, "2018-06-30", policies=[PACK], builtin=False)
    assert cited(report) == [("party-constitution", "2017")]
    notices = {(n.kind, n.instrument, n.edition) for n in report.notices}
    assert ("edition_not_encoded", "organs-regulations", "2010") in notices


def test_nothing_applies_before_its_edition():
    report = partyrules.check(DOC, "2017-06-30", policies=[PACK], builtin=False)
    assert report.results == ()
    kinds = {(n.kind, n.instrument, n.edition) for n in report.notices}
    assert ("edition_not_encoded", "party-constitution", "2012") in kinds


def test_organs_2019_policies_wait_for_the_2019_edition():
    book = partyrules.load_rulebook()
    organs = {p.id for p in book.policies if p.instrument == "organs-regulations"}
    assert organs
    before = partyrules.check(DOC, "2019-12-15")
    assert not {r.policy for r in before.results} & organs
    kinds = {(n.kind, n.edition) for n in before.notices if n.instrument == "organs-regulations"}
    assert ("edition_not_encoded", "2010") in kinds and ("edition_date_uncertain", "2019") in kinds
    after = partyrules.check(DOC, "2020-01-05")
    assert {r.policy for r in after.results} & organs


def test_inherited_policy_keeps_its_examples_and_source():
    book = partyrules.load_rulebook([PACK], builtin=False)
    (p2017,) = [p for p in book.policies if p.edition == "2017"]
    (p2022,) = [p for p in book.policies if p.edition == "2022"]
    assert p2022.inherited_from == "party-constitution@2017"
    assert p2022.examples == p2017.examples and p2022.source == p2017.source
