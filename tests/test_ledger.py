"""The Excel ledger: template → filled by hand → facts; facts → ledger → facts; every problem at its cell."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import assume, HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.cli import main
from partyrules.errors import SourceError
from partyrules.ledger import LedgerError, export_bytes, facts_yaml, import_ledger, template_bytes
from partyrules.ledger.layout import SHEET_ORDER, TABLES, UNIT_ROWS
from partyrules.report.render import render_json
from partyrules.testing import fact_documents, with_omissions

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def column_of(ws, header: str) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header!r} on sheet {ws.title}")


def fill(ws, row: int, values: dict) -> None:
    """Type values into a row by header, as a clerk does."""
    for header, value in values.items():
        ws.cell(row, column_of(ws, header), value)


def unit_row(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(label)


# --- the round trip ---------------------------------------------------------------------------------


def test_court_round_trip_gives_the_same_report_and_the_same_facts(tmp_path):
    book = tmp_path / "court.xlsx"
    assert run("ledger", "export", COURT, "-o", book)[0] == 0
    out = tmp_path / "court.yaml"
    code, _, err = run("ledger", "import", book, "-o", out)
    assert (code, err) == (0, "")
    original = partyrules.check(str(COURT))
    again = partyrules.check(str(out))
    assert render_json(again, all_results=True) == render_json(original, all_results=True)
    assert partyrules.load_facts(str(out)) == partyrules.load_facts(str(COURT))
    again_out = tmp_path / "again.yaml"
    assert run("ledger", "import", book, "-o", again_out)[0] == 0
    assert again_out.read_bytes() == out.read_bytes()                  # the same ledger, the same YAML bytes
    assert original.violations, "the bundled court has violations: the comparison would be vacuous otherwise"


def test_export_and_template_are_the_same_bytes_every_time(tmp_path):
    assert export_bytes(str(COURT)) == export_bytes(str(COURT))
    assert template_bytes(2024) == template_bytes(2024)
    assert template_bytes(2024) != template_bytes(2025)
    with zipfile.ZipFile(io.BytesIO(export_bytes(str(COURT)))) as z:
        core = z.read("docProps/core.xml").decode()
        assert "2024-06-30T00:00:00Z" in core          # stamped with the ledger's date, not the time of writing
        assert {i.date_time for i in z.infolist()} == {(2024, 6, 30, 0, 0, 0)}


def _round_trip(doc: dict, tmp_path: Path) -> None:
    facts = partyrules.load_facts(doc)
    book = tmp_path / "b.xlsx"
    book.write_bytes(export_bytes(facts))
    data, again = import_ledger(book)
    assert again == facts
    # the YAML written is the same document again
    assert partyrules.load_facts(_yaml_mapping(facts_yaml(data, str(book)))) == facts


def _yaml_mapping(text: str) -> dict:
    from partyrules.source import read_yaml
    return read_yaml(text, "<yaml>").data


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])    # examples: the profile's (tests/conftest.py)
@given(st.data())
def test_any_document_survives_the_ledger(tmp_path, data):
    doc = data.draw(fact_documents(max_branches=3, max_members_per_branch=6))
    doc, _removed = data.draw(with_omissions(doc))
    doc = data.draw(_with_extensions(doc))
    try:                        # the property is about documents the loader accepts: the extensions drawn here
        partyrules.load_facts(doc)   # can contradict each other (an assessment before a birth date …)
    except partyrules.InputError:
        assume(False)
    _round_trip(doc, tmp_path)


@st.composite
def _with_extensions(draw, doc: dict) -> dict:
    """Add the extension fields, known-empty lists and awkward text that the generator leaves out."""
    day = st.dates(dt.date(1990, 1, 1), dt.date(2017, 12, 31)).map(str)
    members = [m["id"] for m in doc["members"]]
    for org in doc["organizations"]:
        if draw(st.booleans()):
            org["secretary_changes"] = draw(st.lists(st.fixed_dictionaries(
                {"date": day}, optional={"consent_on": st.one_of(st.none(), day)}), max_size=2))
        if draw(st.booleans()):
            org["postponement_approved_until"] = draw(st.one_of(st.none(), day))
        if draw(st.booleans()):
            org["established_on"] = draw(day)
        if draw(st.booleans()) and members:
            org["officers_took_office"] = draw(st.lists(st.fixed_dictionaries(
                {"member": st.sampled_from(members), "date": day}), max_size=2, unique_by=lambda t: t["member"]))
        for e in org.get("elections", []):
            if draw(st.booleans()):
                e["party_group_decided_on"] = draw(st.one_of(st.none(), day))
                e["shift_approved"] = draw(st.booleans())
    for m in doc["members"]:
        if draw(st.booleans()):
            m["name"] = draw(st.sampled_from(["=SUM(A1)", "无名", "张 三", "0012", "李\n四"]))
        if draw(st.booleans()) and len(members) > 1:
            others = [x for x in members if x != m["id"]]
            m["introducers"] = draw(st.lists(st.one_of(
                st.sampled_from(others).map(lambda i: {"member": i}),
                st.fixed_dictionaries({"name": st.just("院外介绍人")}, optional={"full_member": st.booleans()})),
                max_size=2))
        if draw(st.booleans()):
            m["admission_approved_on"] = draw(st.one_of(st.none(), day))
        if draw(st.booleans()):
            m["secretary_training_years"] = draw(st.lists(st.integers(2015, 2024), max_size=3))
        if draw(st.booleans()):
            last = int(str(doc["as_of"])[:4]) if doc.get("as_of") else 2024    # the loader refuses later years
            m["training_hours"] = draw(st.dictionaries(st.integers(min(2015, last), last),
                                                       st.sampled_from([0, 12.5, 40]), max_size=3))
        if draw(st.booleans()):
            m["dues_base"] = draw(st.sampled_from([0, 2999.5, 8000]))
            m["dues_bracket"] = draw(st.sampled_from(["up_to_3000", "over_10000", "retired_up_to_5000"]))
        if draw(st.booleans()):
            m["dues_payments"] = draw(st.lists(st.fixed_dictionaries(
                {"month": st.sampled_from(["2015-01", "2016-07"])},
                optional={"amount": st.sampled_from([0, 12.5]), "paid_on": st.one_of(st.none(), day)}),
                max_size=2, unique_by=lambda p: p["month"]))
        if draw(st.booleans()):
            m["dues_reductions"] = draw(st.lists(st.fixed_dictionaries(
                {"since": st.just("2016-01")}, optional={"decided_on": day, "approved_on": st.one_of(st.none(), day)}),
                max_size=1))
        if draw(st.booleans()):
            m["development"] = draw(_developments(day, [x for x in members if x != m["id"]]))
    if draw(st.booleans()):
        doc["applicants"] = draw(st.lists(st.fixed_dictionaries(
            {"id": st.sampled_from(["a1", "a2"])},
            optional={"name": st.just("申请人"), "development": _developments(day, members)}),
            max_size=2, unique_by=lambda a: a["id"]))
    for mt in doc.get("meetings", []):
        if draw(st.booleans()):
            mt["voting"] = draw(st.booleans())
        if mt.get("kind") == "party_lecture" and draw(st.booleans()):
            mt["lecturer"] = draw(st.one_of(st.none(), st.sampled_from(members))) if members else None
    if draw(st.booleans()):
        doc["activities"] = draw(st.lists(st.fixed_dictionaries(
            {"kind": st.sampled_from(["secretary_report", "responsibility_letter"]), "date": day},
            optional={"note": st.one_of(st.none(), st.just("述职"))}), max_size=3))
    return doc


def _developments(day, members: list[str]):
    """A development record with some of its fields, lists known-empty or not."""
    contact = (st.sampled_from(members).map(lambda i: {"member": i}) if members
               else st.just({"name": "院外联系人"}))
    return st.fixed_dictionaries({}, optional={
        "applied_on": day, "activist_on": st.one_of(st.none(), day), "contacts": st.lists(contact, max_size=2),
        "assessments": st.lists(day, max_size=2), "training_days": st.sampled_from([0, 2.5]),
        "meeting_due": st.integers(0, 9), "approver": st.sampled_from(["committee", "party_group"]),
        "approval_special": st.booleans(),
        "extensions": st.lists(st.fixed_dictionaries({"decided_on": day}, optional={"months": st.integers(1, 12)}),
                               max_size=1)})


# --- a ledger filled by hand ---------------------------------------------------------------------------


def _clerk_book(tmp_path: Path) -> openpyxl.Workbook:
    """A clerk opens the template and types a small court, the way one does in Excel."""
    path = tmp_path / "template.xlsx"
    assert run("ledger", "template", "--year", "2024", "-o", path)[0] == 0
    wb = openpyxl.load_workbook(path)
    unit = wb["单位"]
    for label, value in (("台账截至日期", dt.datetime(2024, 6, 30)), ("记录完整起始日期", "2024-01-01"),
                         ("单位编号", "court-x"), ("单位名称", "某县人民法院"), ("行政级别", "县级"),
                         ("干警总数", 60), ("专职党务干部人数", 1), ("院领导中的党员", "m1、m2"),
                         ("党组织工作经费列入预算", "是")):
        unit.cell(unit_row(unit, label), 2, value)
    fill(wb["内设部门"], 3, {"部门编号": "d1", "部门名称": "立案庭", "部门主要负责人": "m1", "人数": 12})
    fill(wb["党组织"], 3, {"组织编号": "o1", "组织名称": "立案庭党支部", "组织类别": "党支部", "上级党组织": "无",
                         "所建部门": "d1", "书记": "m1", "副书记": "无", "委员": "无", "纪检委员": "无",
                         "书记变动记录": "无"})
    members = wb["党员"]
    fill(members, 3, {"党员编号": "m1", "姓名": "王一", "所在党组织": "o1", "党员类别": "正式党员",
                      "出生日期": dt.datetime(1975, 3, 1), "接收为预备党员日期": "1999-07-01",
                      "转正日期": dt.datetime(2000, 7, 1), "所在部门": "d1", "党费记录": "有"})
    fill(members, 4, {"党员编号": "m2", "姓名": "李二", "所在党组织": "o1", "党员类别": "预备党员",
                      "接收为预备党员日期": dt.datetime(2024, 3, 1), "转正日期": "无", "所在部门": "无",
                      "党费记录": "无"})
    fill(wb["会议及出席"], 3, {"党组织": "o1", "会议类型": "主题党日", "会议日期": dt.datetime(2024, 5, 20),
                             "出席党员": "m1、m2", "进行表决": "否"})
    fill(wb["换届"], 3, {"组织编号": "o1", "换届选举日期": "2023-01-10", "书记获上级批准日期": "无"})
    dues = wb["党费"]
    dues.cell(3, 1, "m1")
    for c in range(3, 9):        # 2024-01 … 2024-06
        dues.cell(3, c, "✓")
    wb["培训"].cell(3, 1, "m1")
    wb["培训"].cell(3, 3, 32)
    return wb


def test_a_ledger_filled_by_hand_imports_to_a_valid_document(tmp_path):
    book = save(_clerk_book(tmp_path), tmp_path / "book.xlsx")
    out = tmp_path / "court.yaml"
    code, _, err = run("ledger", "import", book, "-o", out)
    assert (code, err) == (0, "")
    facts = partyrules.load_facts(str(out))
    assert facts.as_of == dt.date(2024, 6, 30) and facts.records_from == dt.date(2024, 1, 1)
    assert facts.unit.level == "county" and facts.unit.leaders == ("m1", "m2")
    o1 = facts.organizations[0]
    assert (o1.kind, o1.parent, o1.secretary, o1.committee_members, o1.discipline_member) == \
        ("branch", None, "m1", (), None)
    assert o1.secretary_changes == () and o1.elections[0].secretary_approved_on is None
    assert o1.approved_by_superior is partyrules.OMITTED          # blank: not recorded
    m1, m2 = facts.members
    assert [str(m) for m in m1.dues_paid] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert m1.training_hours.get(2024) == 32 and m1.full_on == dt.date(2000, 7, 1)
    assert m2.dues_paid == () and m2.full_on is None and m2.department is None
    assert m2.training_hours is partyrules.OMITTED and m2.birth_date is partyrules.OMITTED
    meeting = facts.meetings[0]
    assert (meeting.kind, meeting.attendees, meeting.voting) == ("theme_day", ("m1", "m2"), False)
    report = partyrules.check(str(out))
    assert any(r.policy for r in report.results)       # and it checks


def _problems(tmp_path: Path, wb: openpyxl.Workbook) -> list[str]:
    book = save(wb, tmp_path / "book.xlsx")
    out = tmp_path / "out.yaml"
    code, stdout, err = run("ledger", "import", book, "-o", out)
    assert code == 2 and stdout == "" and not out.exists()
    return [line.removeprefix("partyrules: ").replace(str(book), "BOOK.xlsx") for line in err.splitlines()]


def test_a_bad_date_is_reported_at_its_cell(tmp_path):
    wb = _clerk_book(tmp_path)
    col = column_of(wb["党员"], "出生日期")
    wb["党员"].cell(4, col, "1980.5.6")
    letter = openpyxl.utils.get_column_letter(col)
    assert _problems(tmp_path, wb) == [
        f"BOOK.xlsx: 党员!{letter}4: 出生日期：应为日期 YYYY-MM-DD（如 2024-06-30），得到'1980.5.6'"]


def test_an_unknown_member_is_reported_at_its_cell(tmp_path):
    wb = _clerk_book(tmp_path)
    fill(wb["会议及出席"], 3, {"出席党员": "m1、m9"})
    fill(wb["党组织"], 3, {"书记": "m11"})
    wb["党费"].cell(4, 1, "m7")
    wb["党费"].cell(4, 3, "✓")
    att = openpyxl.utils.get_column_letter(column_of(wb["会议及出席"], "出席党员"))
    sec = openpyxl.utils.get_column_letter(column_of(wb["党组织"], "书记"))
    assert _problems(tmp_path, wb) == [
        f"BOOK.xlsx: 党组织!{sec}3: 书记：“m11”不是党员表中的党员编号（是不是“m1”？）",
        f"BOOK.xlsx: 会议及出席!{att}3: 出席党员：“m9”不是党员表中的党员编号",
        "BOOK.xlsx: 党费!A4: “m7”不是党员表中的党员编号"]


def test_duplicate_ids_formulas_and_wrong_types_are_each_named(tmp_path):
    wb = _clerk_book(tmp_path)
    fill(wb["党员"], 5, {"党员编号": "m1", "姓名": "重复"})
    fill(wb["内设部门"], 3, {"人数": "十二"})
    fill(wb["党组织"], 3, {"组织名称": "=A1&\"党支部\""})
    lines = _problems(tmp_path, wb)
    name = openpyxl.utils.get_column_letter(column_of(wb["党组织"], "组织名称"))
    staff = openpyxl.utils.get_column_letter(column_of(wb["内设部门"], "人数"))
    assert lines == [f"BOOK.xlsx: 内设部门!{staff}3: 人数：应为不小于0的整数，得到'十二'",
                     f"BOOK.xlsx: 党组织!{name}3: 公式不能导入：请复制后“粘贴为数值”",
                     "BOOK.xlsx: 党员!A5: 编号“m1”重复（第3行已有）"]


def test_what_only_the_fact_loader_knows_is_still_traced_to_the_cell(tmp_path):
    wb = _clerk_book(tmp_path)
    fill(wb["党员"], 3, {"转正日期": "1998-01-01"})          # before the admission on 1999-07-01
    col = openpyxl.utils.get_column_letter(column_of(wb["党员"], "转正日期"))
    assert _problems(tmp_path, wb) == [f"BOOK.xlsx: 党员!{col}3: 1998-01-01 is before admitted_on 1999-07-01"]


def test_known_none_and_the_rows_of_another_sheet_must_agree(tmp_path):
    wb = _clerk_book(tmp_path)
    fill(wb["党员"], 4, {"党费记录": "无"})
    wb["党费"].cell(4, 1, "m2")
    wb["党费"].cell(4, 5, "√")
    col = openpyxl.utils.get_column_letter(column_of(wb["党员"], "党费记录"))
    assert _problems(tmp_path, wb) == [f"BOOK.xlsx: 党员!{col}4: 填了“无”，但“党费”表中有“m2”的1条记录"]


def test_a_time_in_a_date_cell_and_a_number_where_a_date_belongs_are_refused(tmp_path):
    wb = _clerk_book(tmp_path)
    fill(wb["会议及出席"], 3, {"会议日期": dt.datetime(2024, 5, 20, 14, 30)})
    fill(wb["换届"], 3, {"换届选举日期": 45000})
    lines = _problems(tmp_path, wb)
    assert len(lines) == 2
    assert "会议及出席!D3: 会议日期：应为日期（不带时间），得到 2024-05-20 14:30:00" in lines[0]
    assert "换届!B3: 换届选举日期：应为日期，得到数字 45000" in lines[1]


def test_an_unknown_column_or_sheet_is_named(tmp_path):
    wb = _clerk_book(tmp_path)
    ws = wb["党员"]
    ws.cell(1, ws.max_column + 1, "出生年月")
    assert any("不认识的列“出生年月”（是不是“出生日期”？）" in line for line in _problems(tmp_path, wb))
    wb = _clerk_book(tmp_path)
    wb.create_sheet("党员表")
    lines = _problems(tmp_path, wb)
    assert len(lines) == 1 and "工作表“党员表”不是台账的工作表（是不是“党员”？）" in lines[0]
    wb = _clerk_book(tmp_path)
    wb.create_sheet("备注-统计")["A1"] = "=1+1"       # the office's own sheets are left alone
    book = save(wb, tmp_path / "ok.xlsx")
    assert import_ledger(book)[1].unit.id == "court-x"


# --- files that are not ledgers ------------------------------------------------------------------------


def _one_line_error(tmp_path: Path, path: Path) -> str:
    code, out, err = run("ledger", "import", path, "-o", tmp_path / "out.yaml")
    assert code == 2 and out == "" and not (tmp_path / "out.yaml").exists()
    assert err.count("\n") == 1
    return err


def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path):
    text = tmp_path / "court.xlsx"
    text.write_text("id,name\n", encoding="utf-8")
    assert "not a zip file" in _one_line_error(tmp_path, text)
    zipped = tmp_path / "other.xlsx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "no xl/workbook.xml" in _one_line_error(tmp_path, zipped)
    assert "no such file" in _one_line_error(tmp_path, tmp_path / "missing.xlsx")


def test_a_zip_bomb_and_a_dtd_are_refused_before_parsing(tmp_path):
    good = export_bytes(str(COURT))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    assert "zip bomb" in _one_line_error(tmp_path, bomb)
    laughs = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(laughs, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body = body.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1)
            dst.writestr(info.filename, body)
    assert "DOCTYPE" in _one_line_error(tmp_path, laughs)


def test_a_huge_sheet_is_refused(tmp_path, monkeypatch):
    import partyrules.ledger.import_ as imp
    monkeypatch.setattr(imp, "MAX_ROWS", 50)
    wb = _clerk_book(tmp_path)
    wb["党员"].cell(60, 1, "m60")
    book = save(wb, tmp_path / "big.xlsx")
    with pytest.raises(SourceError, match="党员: more than 50 rows"):
        import_ledger(book)


# --- the command line ----------------------------------------------------------------------------------


def test_the_workbook_commands_need_a_file_and_never_overwrite_their_input(tmp_path):
    code, out, err = run("ledger", "template")
    assert code == 2 and "give -o FILE" in err and out == ""
    code, _, err = run("ledger", "export", COURT)
    assert code == 2 and "give -o FILE" in err
    book = tmp_path / "book.xlsx"
    book.write_bytes(export_bytes(str(COURT)))
    before = book.read_bytes()
    code, _, err = run("ledger", "import", book, "-o", book)
    assert code == 2 and "is also an input" in err and book.read_bytes() == before
    copy = tmp_path / "court.yaml"
    copy.write_text(COURT.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run("ledger", "export", copy, "-o", copy)
    assert code == 2 and "is also an input" in err and copy.read_text(encoding="utf-8") == COURT.read_text(encoding="utf-8")


def test_the_template_has_every_sheet_header_field_row_and_validation():
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(2024)))
    assert tuple(wb.sheetnames) == SHEET_ORDER
    for table in TABLES:
        ws = wb[table.name]
        headers = [c.value for c in ws[1]]
        fields = [c.value for c in ws[2]]
        for col in table.columns:
            i = headers.index(col.header)
            assert fields[i] == col.field
        assert ws.freeze_panes in ("B3", "C3")
    kinds = wb["党组织"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in kinds.data_validations.dataValidation}
    kind_col = openpyxl.utils.get_column_letter(column_of(kinds, "组织类别"))
    assert lists[f"{kind_col}3"] == '"机关党委,党总支,党支部"'
    meetings = wb["会议及出席"]
    date_col = openpyxl.utils.get_column_letter(column_of(meetings, "会议日期"))
    assert meetings.column_dimensions[date_col].number_format == "yyyy-mm-dd"
    assert [c.value for c in wb["党费"][1]][2:5] == ["2024-01", "2024-02", "2024-03"]
    assert [wb["单位"].cell(r, 1).value for r in range(2, 2 + len(UNIT_ROWS))] == [c.header for c in UNIT_ROWS]
    guide = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "“无” = 确认没有" in guide and "留空 = 不知道" in guide


def test_every_field_of_the_facts_model_has_a_place_in_the_ledger():
    """A field added to the contract and not to the ledger would be dropped silently by export: fail here."""
    import attrs

    from partyrules.facts import model
    from partyrules.ledger import layout

    def names(table):
        return {c.field for c in table.columns}

    places = {
        model.FactDocument: {c.field for c in UNIT_ROWS if "." not in c.field} | {"format", "source", "unit"},
        model.Unit: {c.field[5:] for c in UNIT_ROWS if c.field.startswith("unit.")},
        model.Department: names(layout.DEPARTMENTS),
        model.Organization: names(layout.ORGANIZATIONS),
        model.Election: names(layout.ELECTIONS),
        model.SecretaryChange: names(layout.SECRETARY_CHANGES),
        model.Member: names(layout.MEMBERS),
        model.Introducer: names(layout.INTRODUCERS),
        model.OfficeTaken: names(layout.OFFICERS_TOOK_OFFICE),
        model.Meeting: names(layout.MEETINGS),
        model.Activity: names(layout.ACTIVITIES),
    }
    for cls, fields in places.items():
        assert {f.name for f in attrs.fields(cls)} == fields, cls.__name__


_ANY_CELL = st.one_of(
    st.none(), st.text(max_size=12), st.sampled_from(["无", "有", "是", "否", "✓", "m1", "o1", "d1", "2024-02-30",
                                                     "党支部", "=1+1", "m1、m1", " "]),
    st.integers(-5, 50000), st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2030, 1, 1)))


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(SHEET_ORDER[1:]), st.integers(1, 6), st.integers(1, 20), _ANY_CELL),
                      min_size=1, max_size=6))
def test_whatever_a_clerk_types_import_gives_a_document_or_cell_problems_never_a_crash(tmp_path, edits):
    wb = _clerk_book(tmp_path)
    for sheet, row, col, value in edits:
        if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            continue        # openpyxl itself refuses control characters in cells
        wb[sheet].cell(row, col, value)
    book = save(wb, tmp_path / "fuzz.xlsx")
    try:
        _data, facts = import_ledger(book)
    except LedgerError as exc:
        assert exc.problems and all(line.startswith(f"{book}: ") for line in exc.problems)
    except SourceError:
        pass
    else:
        assert partyrules.load_facts(facts) is facts


def test_the_ledger_sits_above_the_library_and_below_the_command_line():
    import ast

    package = ROOT / "partyrules"
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {(n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        if rel.startswith("ledger/"):
            assert not any("cli" in m.split(".") for m in imported), rel
        elif not rel.startswith("cli/"):
            assert not any("ledger" in m.split(".") for m in imported), f"{rel} imports the ledger"


@pytest.mark.slow
def test_a_realistic_300_member_court_survives_the_ledger(tmp_path):
    """The benchmarks' court generator: 20 branches, ~300 members, ~1900 meetings, every kind of record."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    facts = partyrules.load_facts(generate.make_court(1, 0))
    assert len(facts.members) >= 300
    book = tmp_path / "big.xlsx"
    book.write_bytes(export_bytes(facts))
    _data, again = import_ledger(book)
    assert again == facts
    assert render_json(partyrules.check(again), True) == render_json(partyrules.check(facts), True)
