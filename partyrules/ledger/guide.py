"""The 说明 sheet: how a clerk fills the ledger, and which fact field each column holds."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from .layout import (DUES_MARKS, GRIDS, GUIDE_SHEET, NONE_WORD, REMARK, SOME_WORD, TABLES, UNIT_ROWS, UNIT_SHEET,
                     YES, NO)

TITLE = "党组织工作台账（partyrules 台账）"
RULES = (
    "用途：按本工作簿记录本院党组织、党员和组织生活情况，再用 partyrules 导入检查："
    "partyrules ledger import 台账.xlsx -o court.yaml，然后 partyrules check court.yaml。",
    "每张表第1行是列名，第2行（灰色小字）是对应的事实文件字段，供信息部门对照，请勿修改或删除；从第3行起填写，一条记录一行。",
    "三种填法要分清：",
    f"  · 留空 = 不知道、没有记录。检查时相关规则判为“无法判定”，不会判为符合。",
    f"  · “{NONE_WORD}” = 确认没有（例如没有书记、未设委员会、未获批准、无人出席、一个月党费也没交）。",
    f"  · 填写内容 = 实际情况。是否类填“{YES}”或“{NO}”。",
    "日期：用日期格式的单元格，或按 YYYY-MM-DD 输入文字（如 2024-06-30）；其他写法（如 2024.6.30、2024年6月30日）会被拒绝并指出单元格。",
    "编号：党员、党组织、部门各用一个编号（如 m001、o-civil1、d-civil1），其他表用编号指人、指组织；"
    "几个编号写在同一格时用顿号“、”分隔。编号列已设为文本格式，请勿改为数字格式。",
    f"记在另一张表上的清单（党组织的换届、书记变动，党员的入党介绍人、党费、培训，以及单位表里的各张表）由“标记列”说明："
    f"填“{SOME_WORD}”或留空 = 以另一张表中的记录为准（留空且没有记录 = 未记录）；填“{NONE_WORD}” = 确认一条也没有。",
    f"党费表：每位党员一行，每月一列，列标题为 YYYY-MM；已交纳的月份填“{DUES_MARKS[0]}”（也可填 {'、'.join(DUES_MARKS[1:])}），未交纳留空。"
    "需要更多月份时在右边加列。",
    "培训表：每位党员一行，每年一列，列标题为年份；填当年完成的培训学时。",
    "不要使用公式（请“粘贴为数值”）；不要合并单元格。“备注”列和名称以“备注”开头的工作表不导入，可自由填写。",
    "导入时发现的每个问题都会指出工作表和单元格（如 党员!C12），改正后重新导入；有问题时不会生成任何文件。",
)


def write_guide(ws: Worksheet) -> None:
    ws.title = GUIDE_SHEET
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 90
    ws.cell(1, 1, TITLE).font = Font(name="Calibri", bold=True, size=14)
    row = 3
    for text in RULES:
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 15 * max(1, len(text) // 70 + 1)
        row += 1
    row += 1
    for header in ("工作表 / 列", "字段", "填写说明"):
        ws.cell(row, ("工作表 / 列", "字段", "填写说明").index(header) + 1, header).font = Font(name="Calibri", bold=True)
    row += 1

    def line(a: str, b: str, c: str, bold: bool = False) -> None:
        nonlocal row
        ws.cell(row, 1, a).font = Font(name="Calibri", bold=bold)
        ws.cell(row, 2, b).font = Font(name="Calibri", size=9, color="606060")
        ws.cell(row, 3, c).alignment = Alignment(wrap_text=True)
        row += 1

    line(UNIT_SHEET, "", "本单位情况（按行填写“填写内容”一列）。", bold=True)
    for col in UNIT_ROWS:
        line("  " + col.header, col.field, col.note)
    for table in TABLES:
        line(table.name, ".".join(table.path), table.note, bold=True)
        for col in ((table.owner,) if table.owner else ()) + table.columns:
            line("  " + col.header, col.field, col.note)
        line(f"  {REMARK}", "", "不导入。")
    for g in GRIDS:
        line(g.name, f"members[].{g.field}", g.note, bold=True)
    ws.freeze_panes = "A2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
