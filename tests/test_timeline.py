"""The admission timeline: steps, bounds with their articles, states, editions by step date, the command."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.errors import UsageError

BOOK = partyrules.load_rulebook()


def _doc(as_of="2024-06-30", **extra):
    return {"format": "partyrules.facts/1", "as_of": as_of, "organizations": [{"id": "b1", "kind": "branch"}],
            **extra}


PROBATIONARY = {"id": "m1", "name": "张三", "org": "b1", "status": "probationary", "admitted_on": "2024-03-10",
                "full_on": None, "admission_approved_on": None, "birth_date": "1990-01-01",
                "development": {"applied_on": "2022-01-10", "application_talk_on": "2022-03-01",
                                "activist_on": "2022-03-10", "activist_filed_on": "2022-03-20",
                                "object_on": "2023-03-09", "political_review_on": "2024-03-01"}}


def states(tl, pid):
    person = next(p for p in tl.people if p.id == pid)
    return {s.key: s for s in person.steps}


def test_each_step_has_its_date_bound_article_and_state():
    tl = partyrules.timeline(_doc(members=[PROBATIONARY]), rulebook=BOOK)
    s = states(tl, "m1")
    assert (s["application_talk"].state, s["application_talk"].bound) == ("late", dt.date(2022, 2, 10))
    assert s["application_talk"].citation == "devt-rules@2014 art.7"
    assert s["object"].state == "early"                   # a day before the anniversary of the activist date
    assert s["approval"].state == "overdue"               # null approval, 3 months over
    assert s["pre_review"].state == "not_recorded"
    assert (s["conversion_meeting"].state, s["conversion_meeting"].days_left) == ("due", 253)
    assert [k for k in s][:3] == ["applied", "application_talk", "activist"]


def test_an_applicant_shows_what_comes_due_and_upcoming_lists_it():
    doc = _doc(applicants=[{"id": "a1", "org": "b1", "development": {"applied_on": "2024-06-10"}}])
    tl = partyrules.timeline(doc, rulebook=BOOK)
    talk = states(tl, "a1")["application_talk"]
    assert (talk.state, talk.days_left, talk.bound) == ("due", 10, dt.date(2024, 7, 10))
    assert [(p.id, st.key) for p, st in tl.upcoming(30)] == [("a1", "application_talk")]
    assert tl.upcoming(5) == []
    tl_later = partyrules.timeline(doc, "2024-06-12", rulebook=BOOK)
    assert states(tl_later, "a1")["application_talk"].days_left == 28


def test_a_step_after_the_2026_edition_may_have_begun_is_edition_not_encoded():
    doc = _doc("2026-06-30", applicants=[{"id": "a1", "development": {"applied_on": "2026-05-11"}},
                                         {"id": "a2", "development": {"applied_on": "2026-05-10"}},
                                         {"id": "a3", "development": {"applied_on": "2026-05-10",
                                                                      "application_talk_on": None}}])
    tl = partyrules.timeline(doc, rulebook=BOOK)
    assert states(tl, "a1")["application_talk"].state == "edition_not_encoded"
    assert states(tl, "a1")["application_talk"].citation is None
    assert states(tl, "a2")["application_talk"].state == "not_recorded"       # omitted: not judged
    assert states(tl, "a2")["application_talk"].citation == "devt-rules@2014 art.7"
    assert states(tl, "a3")["application_talk"].state == "overdue"


def test_a_member_admitted_in_2019_is_laid_out_by_2014_when_seen_in_2026():
    member = {**PROBATIONARY, "status": "full", "admitted_on": "2019-03-10", "full_on": "2020-03-10",
              "admission_approved_on": "2019-04-01", "conversion_meeting_on": "2020-03-12",
              "conversion_approved_on": "2020-04-01",
              "development": {"applied_on": "2017-01-10", "application_talk_on": "2017-01-20"}}
    tl = partyrules.timeline(_doc("2026-12-01", members=[member]), rulebook=BOOK)
    s = states(tl, "m1")
    assert s["approval"].state == "done_in_time" and s["approval"].edition == "2014"
    assert s["conversion_approval"].state == "done_in_time"


def test_member_filter_and_unknown_id():
    doc = _doc(members=[PROBATIONARY], applicants=[{"id": "a1", "development": {"applied_on": "2024-06-10"}}])
    assert [p.id for p in partyrules.timeline(doc, member="a1", rulebook=BOOK).people] == ["a1"]
    with pytest.raises(UsageError, match="zz"):
        partyrules.timeline(doc, member="zz", rulebook=BOOK)


def test_command_table_and_json(tmp_path):
    path = tmp_path / "court.json"
    path.write_text(json.dumps(_doc(members=[PROBATIONARY])), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["timeline", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["format"] == "partyrules.timeline/1"
    talk = next(s for s in data["people"][0]["steps"] if s["step"] == "application_talk")
    assert talk["bound"]["citation"]["zh"] == "《中国共产党发展党员工作细则》（2014年）第七条"
    assert talk["state"] == "late"
    table = runner.invoke(main, ["timeline", str(path), "--lang", "en", "--member", "m1"])
    assert table.exit_code == 0 and "overdue" in table.output and "Article 26" in table.output
    again = runner.invoke(main, ["timeline", str(path), "--format", "json"])
    assert again.output == out.output
    bad = runner.invoke(main, ["timeline", str(path), "--member", "zz"])
    assert bad.exit_code == 2 and "zz" in bad.output


@pytest.mark.parametrize("assessments,state,date", [
    ([], "overdue", None), (["2023-11-10", "2024-04-10"], "due", None), (["2024-01-10"], "late", "2024-01-10"), (["2023-11-01", "2024-06-20"], "late", "2024-06-20")])
def test_the_half_yearly_assessment_of_an_activist(assessments, state, date):
    doc = _doc(applicants=[{"id": "a1", "development": {"applied_on": "2023-04-03", "activist_on": "2023-05-22",
                                                         "assessments": assessments}}])
    step = states(partyrules.timeline(doc, rulebook=BOOK), "a1")["assessment"]
    assert step.state == state and step.citation == "devt-rules@2014 art.11"
    assert (step.date.isoformat() if step.date else None) == date


def test_partyrules_upcoming_lists_the_admission_steps_coming_due():
    """The upcoming view carries the timeline's steps due in its window (and the overdue ones), with articles."""
    from pathlib import Path
    court = str(Path(__file__).resolve().parents[1] / "examples" / "court.yaml")
    want = partyrules.timeline(court).upcoming(120)
    assert want, "the bundled court has people in the admission process"
    result = CliRunner().invoke(main, ["upcoming", court, "--within", "120", "--format", "json"])
    assert result.exit_code == 0
    steps = json.loads(result.stdout)["admission_steps"]
    assert [(s["person"]["id"], s["step"], s["state"]) for s in steps] == [(p.id, s.key, s.state) for p, s in want]
    assert all(s["bound"]["citation"]["zh"].startswith("《中国共产党发展党员工作细则》") for s in steps if "citation" in
               s.get("bound", {}))
    table = CliRunner().invoke(main, ["upcoming", court, "--within", "120"]).stdout
    assert "发展党员环节" in table and all(p.name in table for p, _ in want)
    short = json.loads(CliRunner().invoke(main, ["upcoming", court, "--within", "0", "--format", "json"]).stdout)
    assert all(s["state"] == "overdue" or s["days_left"] == 0 for s in short["admission_steps"])
