"""`check --format xlsx`: the report workbook for the party-affairs office, deterministic and to a file only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.ledger import report_bytes
from partyrules.ledger.report_book import ledger_place

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def _book(tmp_path: Path, *extra) -> openpyxl.Workbook:
    out = tmp_path / "report.xlsx"
    code, stdout, err = run("check", COURT, "--format", "xlsx", "-o", out, *extra)
    assert (code, stdout, err) == (1, b"", "")       # exit 1: the bundled court has violations
    return openpyxl.load_workbook(out)


def test_the_same_input_gives_the_same_bytes_stamped_with_the_evaluation_date(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run("check", COURT, "--format", "xlsx", "-o", first)[0] == 1
    assert run("check", COURT, "--format", "xlsx", "-o", second)[0] == 1
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert "2023-12-31T00:00:00Z" not in z.read("docProps/core.xml").decode()
        assert "2024-06-30T00:00:00Z" in z.read("docProps/core.xml").decode()
    earlier = tmp_path / "c.xlsx"
    run("check", COURT, "--format", "xlsx", "-o", earlier, "--as-of", "2023-12-31")
    with zipfile.ZipFile(earlier) as z:
        assert "2023-12-31T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_the_workbook_is_never_written_to_a_terminal_or_over_its_input(tmp_path):
    code, out, err = run("check", COURT, "--format", "xlsx")
    assert code == 2 and out == b"" and "give -o FILE" in err
    copy = tmp_path / "court.yaml"
    copy.write_bytes(COURT.read_bytes())
    code, _, err = run("check", copy, "--format", "xlsx", "-o", copy)
    assert code == 2 and "is also an input" in err and copy.read_bytes() == COURT.read_bytes()
    code, _, err = run("check", COURT, COURT, "--format", "xlsx", "-o", tmp_path / "x.xlsx")
    assert code == 2 and "one document" in err


def test_sheets_and_the_list_of_problems_name_people_articles_and_what_to_do(tmp_path):
    wb = _book(tmp_path)
    report = partyrules.check(str(COURT))
    names = wb.sheetnames
    assert names[:5] == ["汇总", "问题清单", "待办", "发展党员进度", "未能核查"]
    assert "立案庭、审判监督庭党支部" in names and "执行局党支部" in names
    assert names.index("机关党委") < names.index("办公室、研究室党支部")      # committee before its branches
    rows = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    outcomes = [r[2] for r in rows]
    assert len(rows) == sum(1 for r in report.results if r.listed and not r.not_recorded)
    first_unknown = next(i for i, o in enumerate(outcomes) if o == "无法判定")
    assert all(o.startswith("违反") for o in outcomes[:first_unknown])
    assert all(o == "无法判定" for o in outcomes[first_unknown:])
    lapse = next(r for r in rows if r[6] == "member-edu.member.dues-paid-monthly" and r[1] == "雷振国")
    assert lapse[0] == "执行局党支部"                                          # the member's organization, by name
    assert "第十六条第三款" in lapse[3] and lapse[4].startswith("党员雷振国") and lapse[5].startswith("按要求整改")
    unknown = next(r for r in rows if r[2] == "无法判定" and r[1] == "萧红")
    assert unknown[4] == "无法判定：缺少萧红的党费交纳记录"
    assert unknown[5] == "补充记录：“党费”表的“党费交纳记录”"
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary["单位"] == "清河市中级人民法院"
    assert summary["违反（错误）"] + summary["违反（警告）"] == len(report.violations)


def test_per_organization_sheets_hold_their_own_findings_and_all_adds_the_rest(tmp_path):
    wb = _book(tmp_path)
    filing = [r for r in wb["立案庭、审判监督庭党支部"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert filing and all(r[5] for r in filing)
    assert any(r[5] == "organs.branch.committee-required" for r in filing)
    office = wb["办公室、研究室党支部"]
    assert office.cell(2, 1).value == "没有需要处理的问题"
    everything = _book(tmp_path, "--all")
    rows = list(everything["办公室、研究室党支部"].iter_rows(min_row=5, values_only=True))
    assert any(r[1] == "符合" for r in rows)


def test_missing_facts_are_placed_in_the_ledger():
    assert ledger_place("members[25].dues_paid") == ("党费", "党费交纳记录")
    assert ledger_place("organizations[2].elections[0].secretary_approved_on") == ("换届", "书记获上级批准日期")
    assert ledger_place("unit.staff_total") == ("单位", "干警总数")
    assert ledger_place("meetings[3].attendees") == ("会议及出席", "出席党员")
    assert ledger_place("members[1].introducers[0].full_member") == ("入党介绍人", "介绍时是否正式党员")


def test_report_bytes_is_the_library_call_behind_the_command():
    doc = partyrules.load_facts(str(COURT))
    report = partyrules.check(doc)
    data = report_bytes(report, doc)
    assert data == report_bytes(report, doc)
    assert openpyxl.load_workbook(io.BytesIO(data))["汇总"]["A1"].value == "清河市中级人民法院 党组织工作检查"


def _court_without(*fields: str) -> dict:
    """The bundled court as one that never records these organization and member fields."""
    from partyrules.source import read_path
    data = read_path(str(COURT)).data
    for record in data["organizations"] + data["members"]:
        for field in fields:
            record.pop(field, None)
    return data


def test_what_the_court_never_records_is_one_row_per_field_and_not_in_the_list_of_problems(tmp_path):
    data = _court_without("secretary_changes", "established_on")
    report = partyrules.check(data)
    folded = [r for r in report.results if r.not_recorded]
    assert folded, "dropping a field everywhere makes some results unknown for want of it"
    wb = openpyxl.load_workbook(io.BytesIO(report_bytes(report, partyrules.load_facts(data))))
    rows = [r for r in wb["未能核查"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert ("任期内书记、副书记调整记录", "“党组织”表“书记变动记录”") in {(r[0], r[1]) for r in rows}
    assert sum(r[3] for r in rows) >= len(folded)
    listed = {(r[6], r[1]) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    assert not any((r.policy, r.subject.name) in listed for r in folded)
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary["未能核查（贵院未记录）"] == len(folded)


def test_what_is_coming_due_fills_the_to_do_sheet(tmp_path):
    wb = _book(tmp_path, "--as-of", "2024-06-10")
    due = partyrules.upcoming(str(COURT), as_of="2024-06-10")
    rows = [r for r in wb["待办"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert due.items and len(rows) == len(due.items)
    first = due.items[0]
    assert rows[0][0].date() == first.due and rows[0][1] == first.days_left
    assert rows[0][2] == first.title()["zh"] and rows[0][3] == (first.subject.name or first.subject.id)
    assert "第" in rows[0][4] and "条" in rows[0][4]


def test_the_admission_sheet_lists_each_step_of_the_people_in_the_process(tmp_path):
    import datetime as dt
    wb = _book(tmp_path)
    rows = list(wb["发展党员进度"].iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份", "党组织", "步骤", "日期", "期限", "状态", "依据条款")
    people = {(r[0], r[1]) for r in rows[1:]}
    # the two applicants and the six probationary members; members whose process is over are not listed
    assert ("韩雪", "入党申请人") in people and ("彭宇", "入党申请人") in people
    assert sum(1 for _, kind in people if kind == "预备党员") == 6 and len(people) == 8
    early = next(r for r in rows if r[0] == "韩雪" and r[3] == "列为发展对象")
    assert early[2] == "执行局党支部" and early[4] == dt.datetime(2023, 3, 20)     # a date cell
    assert early[5] == "不早于 2023-04-20" and early[6] == "提前（未满期限）"
    assert early[7] == "《中国共产党发展党员工作细则》（2014年）第十三条"
    overdue = next(r for r in rows if r[0] == "彭宇" and r[3] == "每半年考察")
    assert overdue[4] == "—" and overdue[5] == "不迟于 2023-11-22" and overdue[6] == "已逾期"
    assert "第十一条" in overdue[7]
    assert any(r[6] and r[6].startswith("待办（还有") for r in rows[1:])


def test_no_admission_sheet_when_nobody_is_in_the_process(tmp_path):
    from partyrules.ledger.report_book import build_report_book
    import yaml
    data = yaml.safe_load(COURT.read_text(encoding="utf-8"))
    data.pop("applicants")
    for m in data["members"]:
        m.pop("development", None)
    report = partyrules.check(data)
    assert "发展党员进度" not in build_report_book(report, report.facts).sheetnames
    found = [r for r in report.results if r.subject.kind == "applicant"]
    assert found == []       # a document without the applicants list never sees the applicant kind
