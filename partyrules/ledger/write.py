"""Writing a ledger workbook: empty (the template) or filled from a fact document (export).

Both go through :func:`build_ledger`, so the template a clerk starts from and the
ledger an export produces have the same sheets, headers, validations and formats
that import reads (all from :mod:`.layout`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import UsageError
from ..facts.model import OMITTED, FactDocument, TrainingHours
from ..periods import Month
from ..report.render import width as text_width
from .cells import Unwritable, write_cell
from .guide import write_guide
from .layout import (DUES_MARKS, FIRST_DATA_ROW, GRIDS, NO, NONE_WORD, REMARK, SOME_WORD, TABLES, UNIT_ROWS,
                     UNIT_SHEET, YES, Column, Grid, Table)

VALIDATED_ROWS = 5000          # validations and formats reach this row: room for a court's records
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEAD_FONT = Font(name="Calibri", bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
FIELD_FONT = Font(name="Calibri", size=8, color="808080")
MAX_WIDTH = 48
MAX_PERIODS = 240              # months (or years) a grid shows besides those the facts name


def build_ledger(facts: FactDocument | None, *, months: Iterable[Month] = (), years: Iterable[int] = ()) -> Workbook:
    """A ledger workbook: the template when ``facts`` is None, else filled from it."""
    wb = Workbook()
    write_guide(wb.active)
    _unit_sheet(wb.create_sheet(UNIT_SHEET), facts)
    months = sorted(set(months) | _dues_months(facts))
    years = sorted(set(years) | _training_years(facts))
    for name in ("内设部门", "党组织", "党员", "入党介绍人", "会议及出席"):
        _table_sheet(wb.create_sheet(name), next(t for t in TABLES if t.name == name), facts)
    for g in GRIDS:
        _grid_sheet(wb.create_sheet(g.name), g, facts, months if g.period == "month" else years)
    for name in ("换届", "书记变动", "到任", "其他活动", "入党申请人", "发展党员", "培养联系人", "延长预备期",
                 "党费交纳明细", "党费减免"):
        _table_sheet(wb.create_sheet(name), next(t for t in TABLES if t.name == name), facts)
    return wb


def periods_between(facts: FactDocument | None) -> tuple[list[Month], list[int]]:
    """The months and years from ``records_from`` to ``as_of``: the columns a clerk fills."""
    if facts is None or facts.records_from in (OMITTED, None) or facts.as_of is OMITTED:
        return [], []
    first, last = Month.of(facts.records_from), Month.of(facts.as_of)
    months = []
    while first <= last and len(months) < MAX_PERIODS:
        months.append(first)
        first = first + 1
    return months, sorted({m.year for m in months})


def _dues_months(facts: FactDocument | None) -> set[Month]:
    if facts is None or facts.members is OMITTED:
        return set()
    return {m for member in facts.members if member.dues_paid is not OMITTED for m in member.dues_paid}


def _training_years(facts: FactDocument | None) -> set[int]:
    if facts is None or facts.members is OMITTED:
        return set()
    return {y for member in facts.members if member.training_hours is not OMITTED
            for y, _ in member.training_hours.by_year}


def _head(ws: Worksheet, col: int, header: str, field: str, note: str = "") -> None:
    cell = ws.cell(1, col, header)
    cell.font, cell.fill = HEAD_FONT, HEAD_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if note:
        cell.comment = Comment(note, "partyrules", width=240, height=90)
    ws.cell(2, col, field).font = FIELD_FONT


def _validation(ws: Worksheet, col: Column, letter: str, first: int, last: int) -> None:
    words: tuple[str, ...] = ()
    strict = True
    if col.kind == "bool":
        words = (YES, NO)
    elif col.kind == "marker":
        words = (SOME_WORD, NONE_WORD)
    elif col.kind in ("enum", "open_enum"):
        words = tuple(label for _, label in col.choices)
        strict = col.kind == "enum"
    elif col.kind in ("member", "org", "dept", "date") and col.nullable:
        # not a closed list: the hint shows that 无 is a valid entry besides an id or a date
        dv = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showErrorMessage=False,
                            showInputMessage=True, promptTitle=col.header[:32], prompt=f"填写{'日期' if col.kind == 'date' else '编号'}，或“{NONE_WORD}”")
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)
        return
    if not words:
        return
    if col.nullable and NONE_WORD not in words:
        words = words + (NONE_WORD,)
    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                        showErrorMessage=strict, errorTitle=col.header[:32],
                        error="请从下拉列表中选择：" + "、".join(words))
    dv.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(dv)


def _column_format(ws: Worksheet, col: Column, letter: str) -> str | None:
    if col.kind == "date":
        return DATE_FORMAT
    if col.kind in ("id", "member", "org", "dept", "members", "depts", "text", "month", "dates"):
        return TEXT_FORMAT      # so that an id such as 001 stays text instead of becoming the number 1
    return None


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None) -> None:
    if value is None:
        return
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"    # a text that starts with "=" stays text, never a formula
    if fmt:
        cell.number_format = fmt


def _widths(ws: Worksheet, minimum: dict[int, int]) -> None:
    for idx, least in minimum.items():
        letter = get_column_letter(idx)
        longest = least
        for (cell,) in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 400), min_col=idx, max_col=idx):
            if cell.value is not None and not isinstance(cell.value, (dt.date, dt.datetime)):
                longest = max(longest, text_width(str(cell.value)) + 2)
        ws.column_dimensions[letter].width = min(MAX_WIDTH, longest)


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, the two header rows on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:2"
    ws.oddFooter.center.text = "&A 第 &P 页，共 &N 页"


def _unit_sheet(ws: Worksheet, facts: FactDocument | None) -> None:
    for i, (header, note) in enumerate((("项目", ""), ("填写内容", "在这一列填写"), ("字段", "事实文件中的字段"),
                                         ("说明", ""))):
        cell = ws.cell(1, i + 1, header)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
    ws.freeze_panes = "A2"
    for r, col in enumerate(UNIT_ROWS, start=2):
        ws.cell(r, 1, col.header).font = HEAD_FONT
        ws.cell(r, 3, col.field).font = FIELD_FONT
        ws.cell(r, 4, col.note or (f"见“{col.child}”表；“{SOME_WORD}”或留空：按该表；“{NONE_WORD}”：一条也没有。"
                                   if col.kind == "marker" else "")).alignment = Alignment(wrap_text=True)
        fmt = _column_format(ws, col, "B")
        if fmt:
            ws.cell(r, 2).number_format = fmt
        _validation(ws, col, "B", r, r)
        if facts is not None:
            _put(ws, r, 2, _checked(col, _unit_value(facts, col.field), f"{UNIT_SHEET}: {col.header}"), fmt)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].width = 60
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _unit_value(facts: FactDocument, field: str) -> Any:
    if field.startswith("unit."):
        return OMITTED if facts.unit is OMITTED else getattr(facts.unit, field[5:])
    return getattr(facts, field)


def _checked(col: Column, value: Any, where: str) -> Any:
    try:
        return write_cell(col, value)
    except Unwritable as exc:
        raise UsageError(f"{where}: cannot write to the ledger: {exc}") from None


def _rows(table: Table, facts: FactDocument | None) -> list[tuple[str | None, Any]]:
    """(owner id, record) pairs in document order."""
    if facts is None:
        return []
    if table.path[0] == "members|applicants":
        return _development_rows(table, facts)
    top = getattr(facts, table.path[0]) if table.path[0] != "unit" else facts.unit
    if table.path == ("unit", "departments"):
        return [] if top is OMITTED or top.departments is OMITTED else [(None, d) for d in top.departments]
    if top is OMITTED:
        return []
    if table.owner is None:
        return [(None, r) for r in top]
    out = []
    for owner in top:
        items = getattr(owner, table.path[1])
        if items is not OMITTED:
            out.extend((owner.id, item) for item in items)
    return out


def _development_rows(table: Table, facts: FactDocument) -> list[tuple[str | None, Any]]:
    """Rows of 发展党员 (one per person with a development record) and of its child sheets."""
    out = []
    for people in (facts.members, facts.applicants):
        for person in () if people is OMITTED else people:
            devt = person.development
            if devt is OMITTED:
                continue
            if len(table.path) == 2:
                out.append((person.id, devt))
                continue
            items = getattr(devt, table.path[2])
            if items is not OMITTED:
                out.extend((person.id, item) for item in items)
    return out


def _table_sheet(ws: Worksheet, table: Table, facts: FactDocument | None) -> None:
    columns = ((table.owner,) if table.owner else ()) + table.columns
    widths: dict[int, int] = {}
    formats: list[str | None] = []
    for c, col in enumerate(columns, start=1):
        _head(ws, c, col.header, col.field if col is not table.owner else f"{table.path[0]}[].id", col.note)
        letter = get_column_letter(c)
        fmt = _column_format(ws, col, letter)
        formats.append(fmt)
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        _validation(ws, col, letter, FIRST_DATA_ROW, VALIDATED_ROWS)
        widths[c] = max(col.width, text_width(col.header) + 2)
    remark = len(columns) + 1
    _head(ws, remark, REMARK, "（不导入）", "自由填写，导入时不读取。")
    widths[remark] = 16
    for r, (owner, record) in enumerate(_rows(table, facts), start=FIRST_DATA_ROW):
        for c, col in enumerate(columns, start=1):
            value = owner if col is table.owner else getattr(record, col.field)
            _put(ws, r, c, _checked(col, value, f"{table.name}!{get_column_letter(c)}{r}"), formats[c - 1])
    ws.freeze_panes = "B3" if table.owner is None else "C3"
    _print_setup(ws)
    _widths(ws, widths)


def _grid_sheet(ws: Worksheet, g: Grid, facts: FactDocument | None, periods: list) -> None:
    _head(ws, 1, "党员编号", "members[].id", "党员表中的党员编号。")
    _head(ws, 2, "姓名", "（参考，不导入）", "仅供核对，导入时不读取。")
    ws.column_dimensions["A"].number_format = TEXT_FORMAT
    for i, period in enumerate(periods, start=3):
        header = str(period)
        _head(ws, i, header, g.field, g.cell_note)
        ws.cell(1, i).number_format = TEXT_FORMAT    # so that Excel keeps 2024-06 as text, not a date
    remark = len(periods) + 3
    _head(ws, remark, REMARK, "（不导入）")
    if g.period == "month" and periods:
        dv = DataValidation(type="list", formula1='"' + ",".join(DUES_MARKS[:2]) + '"', allow_blank=True,
                            showErrorMessage=False)
        dv.add(f"C{FIRST_DATA_ROW}:{get_column_letter(remark - 1)}{VALIDATED_ROWS}")
        ws.add_data_validation(dv)
    members = () if facts is None or facts.members is OMITTED else facts.members
    for r, member in enumerate(members, start=FIRST_DATA_ROW):
        _put(ws, r, 1, member.id, TEXT_FORMAT)
        _put(ws, r, 2, None if member.name is OMITTED else member.name, TEXT_FORMAT)
        value = getattr(member, g.field)
        if value is OMITTED:
            continue
        if g.period == "month":
            paid = set(value)
            for i, month in enumerate(periods, start=3):
                if month in paid:
                    ws.cell(r, i, DUES_MARKS[0])
        else:
            hours = dict(value.by_year) if isinstance(value, TrainingHours) else {}
            for i, year in enumerate(periods, start=3):
                if year in hours:
                    h = hours[year]
                    ws.cell(r, i, int(h) if float(h).is_integer() else h)
    ws.freeze_panes = "C3"
    _print_setup(ws)
    _widths(ws, {1: 10, 2: 10, **{i: (8 if g.period == "month" else 7) for i in range(3, remark)}, remark: 16})
