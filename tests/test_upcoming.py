"""What is coming due: the items, their dates and citations, the window, and the command."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.cli import main
from partyrules.testing import fact_documents
from partyrules.due import KINDS

from test_cli import COURT, golden

BOOK = partyrules.load_rulebook()


def court(**extra):
    """A small court on 2024-06-15: one branch elected 2021-07-15 (its 3-year term ends in 30 days)."""
    doc = {
        "format": "partyrules.facts/1",
        "as_of": "2024-06-15",
        "records_from": "2023-01-01",
        "unit": {"id": "court-x", "name": "某县人民法院"},
        "organizations": [{"id": "b1", "kind": "branch", "name": "第一党支部", "parent": None,
                           "elections": [{"date": "2021-07-15"}]}],
        "members": [
            {"id": "m1", "name": "张三", "org": "b1", "status": "full", "admitted_on": "2010-05-01",
             "full_on": "2011-05-01", "training_hours": {2024: 12}},
            {"id": "m2", "name": "李四", "org": "b1", "status": "probationary", "admitted_on": "2023-08-20",
             "full_on": None, "probation_extended": False, "conversion_meeting_on": None},
        ],
        "meetings": [],
        "activities": [],
    }
    doc.update(extra)
    return doc


def items(up, kind=None):
    return [i for i in up.items if kind is None or i.kind == kind]


def test_a_branch_term_ending_in_30_days_is_listed_with_its_citations():
    up = partyrules.upcoming(court(), within=90, rulebook=BOOK)
    (term,) = items(up, "term_end")
    assert term.due == dt.date(2024, 7, 15) and term.days_left == 30
    assert (term.subject.id, term.subject.name) == ("b1", "第一党支部")
    assert term.policy == "organs.org.reelection-on-time"
    labels = [c.citation.label_zh(BOOK.registry) for c in term.citations]
    # the policy's citations on this date, the branch-only article included for a branch
    assert any("第八条第一款" in lb for lb in labels) and any("支部工作条例" in lb and "第二十一条" in lb for lb in labels)
    data = term.to_json(BOOK.registry)
    assert data["title"]["zh"].startswith("任期届满") and "2021-07-15" in data["title"]["zh"]


def test_terms_are_listed_from_six_months_ahead_and_not_beyond():
    doc = court()
    doc["organizations"][0]["elections"] = [{"date": "2021-12-10"}]
    up = partyrules.upcoming(doc, within=30, rulebook=BOOK)
    assert [i.due for i in items(up, "term_end")] == [dt.date(2024, 12, 10)]     # 178 days, inside six months
    doc["organizations"][0]["elections"] = [{"date": "2022-01-10"}]
    assert items(partyrules.upcoming(doc, within=30, rulebook=BOOK), "term_end") == []   # ends 2025-01-10


def test_a_term_whose_usual_length_is_unknown_uses_the_constitution_bound():
    # a committee term begun before any encoded rule set its usual length: five years at most
    doc = court(as_of="2023-02-01", records_from="2022-01-01")
    del doc["members"][1]                                   # admitted later
    doc["members"][0]["training_hours"] = {2022: 12}        # no record may lie after the document's date
    doc["organizations"][0]["elections"] = []
    doc["organizations"].append({"id": "c1", "kind": "committee", "parent": None,
                                 "elections": [{"date": "2018-03-01"}]})
    assert BOOK.params.by_name["organs.committee_term_years"].at(dt.date(2018, 3, 1)) is None
    (term,) = items(partyrules.upcoming(doc, rulebook=BOOK), "term_end")
    assert term.due == dt.date(2023, 3, 1) and term.policy == "constitution.org.term-limit"


def test_an_approved_postponement_running_out_is_listed():
    doc = court()
    doc["organizations"][0].update(elections=[{"date": "2021-03-01"}], postponement_approved_until="2024-08-31")
    up = partyrules.upcoming(doc, rulebook=BOOK)
    assert [(i.kind, i.due) for i in items(up) if i.subject.id == "b1" and i.kind.endswith("_end")] == \
        [("postponement_end", dt.date(2024, 8, 31))]


def test_duties_not_yet_done_this_period_are_listed():
    up = partyrules.upcoming(court(), within=200, rulebook=BOOK)
    got = {(i.kind, i.subject.id, i.due.isoformat(), i.period) for i in up.items}
    assert ("theme_day", "b1", "2024-06-30", "2024-06") in got
    assert ("general_meeting", "b1", "2024-06-30", "2024-Q2") in got
    assert ("org_life_meeting", "b1", "2024-12-31", "2024") in got
    assert ("democratic_review", "b1", "2024-12-31", "2024") in got
    assert ("secretary_report", "b1", "2024-12-31", "2024") in got
    assert ("training_hours", "m1", "2024-12-31", "2024") in got        # 12 of 32 hours
    assert ("probation_end", "m2", "2024-08-20", None) in got


def test_items_already_done_are_not_listed():
    done = court(
        meetings=[{"org": "b1", "kind": k, "date": "2024-06-03"} for k in
                  ("theme_day", "general_meeting", "org_life_meeting", "democratic_review")],
        activities=[{"kind": "secretary_report", "org": "b1", "date": "2024-02-01"}])
    done["members"][0]["training_hours"] = {2024: 32}
    done["members"][1]["conversion_meeting_on"] = "2024-06-01"
    done["organizations"][0]["elections"].append({"date": "2024-06-01"})
    up = partyrules.upcoming(done, within=200, rulebook=BOOK)
    assert up.items == ()
    # a meeting after the evaluation date has not happened yet on it
    late = copy.deepcopy(done)
    late["as_of"] = "2024-06-30"
    up = partyrules.upcoming(late, as_of="2024-06-02", within=200, rulebook=BOOK)
    assert {"theme_day", "general_meeting"} <= {i.kind for i in up.items}


def test_what_the_records_cannot_settle_is_not_listed():
    # records start after the quarter began: a general meeting in April may exist unrecorded
    doc = court(records_from="2024-05-01")
    kinds = {i.kind for i in partyrules.upcoming(doc, within=200, rulebook=BOOK).items}
    assert "theme_day" in kinds and "general_meeting" not in kinds and "org_life_meeting" not in kinds
    omitted = court()
    del omitted["meetings"]
    del omitted["members"][0]["training_hours"]
    kinds = {i.kind for i in partyrules.upcoming(omitted, within=200, rulebook=BOOK).items}
    assert kinds.isdisjoint({"theme_day", "general_meeting", "org_life_meeting", "training_hours"})


def test_skipped_policies_have_no_items():
    up = partyrules.upcoming(court(), within=200, rulebook=BOOK, skip=["branch-regs.*", "organs.*"])
    assert {i.kind for i in up.items} == {"probation_end", "training_hours"}
    with pytest.raises(partyrules.UsageError, match="matches no policy"):
        partyrules.upcoming(court(), rulebook=BOOK, select=["no.such.*"])


def test_the_window_must_be_a_whole_number_of_days():
    for bad in (-1, 1.5, True, "90", 100000):
        with pytest.raises(partyrules.UsageError, match="within"):
            partyrules.upcoming(court(), within=bad, rulebook=BOOK)


def test_the_json_report_carries_the_upcoming_section_additively():
    report = partyrules.check(court(), rulebook=BOOK)
    data = report.to_json()
    assert data["format"] == "partyrules.report/1" and list(data)[:7] == \
        ["format", "unit", "as_of", "engine", "results", "summary", "notices"]
    up = data["upcoming"]
    assert up["format"] == "partyrules.upcoming/1" and up["within"] == 90
    assert up == partyrules.upcoming(court(), rulebook=BOOK).to_json()


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(doc=fact_documents(max_branches=3, max_members_per_branch=6), within=st.integers(0, 400),
       back=st.integers(0, 200))
def test_every_item_is_due_inside_its_window_and_in_order(doc, within, back):
    snap = dt.date.fromisoformat(doc["as_of"])
    on = max(snap - dt.timedelta(days=back), dt.date(2018, 1, 1))
    up = partyrules.upcoming(doc, as_of=on, within=within, rulebook=BOOK)
    assert up.until == on + dt.timedelta(days=within) and up.terms_until >= up.until
    for item in up.items:
        assert item.kind in KINDS
        end = up.terms_until if item.kind in ("term_end", "postponement_end") else up.until
        assert on <= item.due <= end, item
        assert item.days_left == (item.due - on).days
        assert item.citations, item
    assert list(up.items) == sorted(up.items, key=lambda i: i.sort_key())
    assert json.dumps(up.to_json(), ensure_ascii=False) == json.dumps(
        partyrules.upcoming(doc, as_of=on, within=within, rulebook=BOOK).to_json(), ensure_ascii=False)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(doc=fact_documents(max_branches=3, max_members_per_branch=4, records_months=13))
def test_a_meeting_listed_as_due_is_missed_if_nothing_more_is_recorded(doc):
    """Consistency with the check: on the due date, with no new record, the policy reports the period missed."""
    up = partyrules.upcoming(doc, within=400, rulebook=BOOK)
    for item in up.items:
        if item.kind not in ("theme_day", "general_meeting", "org_life_meeting", "democratic_review"):
            continue
        later = dict(doc, as_of=item.due.isoformat())
        report = partyrules.check(later, rulebook=BOOK, select=[item.policy])
        (result,) = [r for r in report.results if r.subject.id == item.subject.id]
        assert result.outcome == "violated" and item.period in result.evidence["missed"], (item, result)


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_upcoming_command(tmp_path):
    f = tmp_path / "court.yaml"
    f.write_text(json.dumps(court(), ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("upcoming", str(f), "--within", "90")
    assert code == 0 and "2024-07-15  还有30天  任期届满" in out and "第一党支部" in out
    code, out, _ = run("upcoming", str(f), "--format", "json", "--within", "10")
    data = json.loads(out)
    assert code == 0 and data["format"] == "partyrules.upcoming/1"
    assert all(i["due"] <= data["until"] or i["kind"] == "term_end" for i in data["items"])
    code, _, err = run("upcoming", str(f), "--as-of", "2030-01-01")
    assert code == 2 and "snapshot date" in err
    code, _, err = run("upcoming", str(f), "--select", "nope")
    assert code == 2 and "matches no policy" in err


def test_upcoming_goldens():
    code, out, _ = run("upcoming", str(COURT), "--as-of", "2024-06-15")
    assert code == 0
    golden("court.upcoming.txt", out)
    code, out, _ = run("upcoming", str(COURT), "--within", "200", "--format", "json")
    assert code == 0
    golden("court.upcoming.json", out)
    code, out, _ = run("upcoming", str(COURT), "--within", "200", "--lang", "en")
    golden("court.upcoming.en.txt", out)


def test_the_committee_secretarys_lecture_names_the_secretary_and_counts_any_organizations_lecture():
    doc = court()
    doc["organizations"].insert(0, {"id": "c1", "kind": "committee", "name": "机关党委", "parent": None,
                                    "secretary": "m1", "elections": []})
    (item,) = items(partyrules.upcoming(doc, within=200, rulebook=BOOK), "secretary_lecture")
    assert item.subject.id == "c1" and item.title()["zh"] == "党委书记张三本年度（2024）尚未讲党课"
    given = copy.deepcopy(doc)
    given["meetings"] = [{"org": "b1", "kind": "party_lecture", "date": "2024-03-01", "lecturer": "m1"}]
    assert items(partyrules.upcoming(given, within=200, rulebook=BOOK), "secretary_lecture") == []
    unsure = copy.deepcopy(doc)
    unsure["meetings"] = [{"org": "b1", "kind": "party_lecture", "date": "2024-03-01"}]    # lecturer not recorded
    assert items(partyrules.upcoming(unsure, within=200, rulebook=BOOK), "secretary_lecture") == []
    other = copy.deepcopy(doc)
    other["meetings"] = [{"org": "b1", "kind": "party_lecture", "date": "2024-03-01", "lecturer": "m2"}]
    assert len(items(partyrules.upcoming(other, within=200, rulebook=BOOK), "secretary_lecture")) == 1


def test_rows_for_a_template_follow_the_items():
    from partyrules.report.upcoming import upcoming_rows
    up = partyrules.upcoming(court(), within=200, rulebook=BOOK)
    rows = upcoming_rows(up, "zh")
    assert [(r["due"], r["kind"], r["subject_id"]) for r in rows] == \
        [(i.due.isoformat(), i.kind, i.subject.id) for i in up.items]
    term = next(r for r in rows if r["kind"] == "term_end")
    assert term["when"] == "还有30天" and term["subject_name"] == "第一党支部" and term["subject_kind"] == "组织"
    assert all(c.startswith("《") for r in rows for c in r["citations"])
    assert upcoming_rows(up, "en")[0]["when"].startswith("in ")


def test_every_human_report_shows_what_is_coming_due():
    """The table and HTML carry the same coming-due list as ``partyrules upcoming``, after the findings."""
    from partyrules.report.render import render_html, render_table
    report = partyrules.check(COURT, "2024-05-20", rulebook=BOOK)
    up = partyrules.upcoming(COURT, "2024-05-20", rulebook=BOOK)
    assert up.items and report.upcoming.to_json() == up.to_json()
    for lang in ("zh", "en"):
        table = render_table(report, False, lang)
        html = render_html(report, False, lang)
        heading = "即将到期的事项" if lang == "zh" else "Coming due"
        assert heading in table and heading in html
        assert table.index(heading) > table.index(report.violations[0].subject.name)
        for item in up.items:
            assert item.due.isoformat() in table and item.due.isoformat() in html
    quiet = partyrules.check(court(), rulebook=BOOK)
    if not quiet.upcoming.items:
        assert "即将到期的事项" not in render_table(quiet, False, "zh")
