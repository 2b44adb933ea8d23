"""A check's report as a workbook for the party-affairs office (``check --format xlsx``).

Sheets: 汇总 (unit, date, counts per organization), 问题清单 (every violation, then
every unknown, then rule faults: organization / whom / article / finding / what to
do), 待办 (what is coming due), 发展党员进度 (each applicant and probationary member,
each step of the admission process with its date, bound, state and article; only when
someone is in the process), 未能核查 (what the court does not record at all), and
one sheet per organization. People and organizations are named, missing facts are
named by the ledger's own sheet and column, so a clerk knows where to fill them in.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__
from ..facts.model import OMITTED, FactDocument
from ..report.model import Report, Result
from ..report.render import width as text_width
from ..report.timeline_section import timeline_sheet_rows
from ..report.words import describe, field_words
from .layout import GRIDS, ORG_KINDS, TABLES, UNIT_ROWS, label_of

OUTCOME_ZH = {"violated": "违反", "unknown": "无法判定", "error": "出错", "satisfied": "符合", "not_applicable": "不适用"}
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
OUTCOME_RANK = {"violated": 0, "unknown": 1, "error": 2, "satisfied": 3, "not_applicable": 4}
KIND_RANK = {"committee": 0, "general_branch": 1, "branch": 2}
UNIT_PLACE = "全院"
HEAD_FONT = Font(name="Calibri", bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
VIOLATED_FONT = Font(name="Calibri", color="B00000", bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
LEFT = Alignment(horizontal="left")
CENTER = Alignment(horizontal="center")
FINDING_HEADERS = (("党组织", 14), ("对象", 10), ("结果", 12), ("依据条款", 28), ("问题", 42), ("怎么办", 30),
                   ("规则编号", 16))
LINE_HEIGHT = 14.5        # points per wrapped line (11 pt text)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_INDEX = re.compile(r"\[\d+\]")


def build_report_book(report: Report, facts: FactDocument, rulebook: Any = None, all_results: bool = False,
                      upcoming: Any = None) -> Workbook:
    places = _Places(facts)
    wb = Workbook()
    listed = [r for r in report.results if r.listed and not _not_recorded(r)]
    listed.sort(key=lambda r: (OUTCOME_RANK[r.outcome], places.rank(r), r.sort_key()))
    _summary(wb.active, report, facts, places, listed)
    _findings(wb.create_sheet("问题清单"), report, places, rulebook, listed, with_place=True)
    _rows_sheet(wb.create_sheet("待办"), ("到期日", "还有（天）", "事项", "涉及", "依据条款"),
                (12, 10, 50, 20, 40), upcoming_rows(upcoming, report),
                "（本次未列出待办事项）" if upcoming is not None else "（本版本未计算待办事项）")
    timeline = timeline_sheet_rows(report)
    if timeline:
        _rows_sheet(wb.create_sheet("发展党员进度"), ("姓名", "身份", "党组织", "步骤", "日期", "期限", "状态", "依据条款"),
                    (10, 12, 20, 22, 12, 18, 16, 40), timeline, "")
    _rows_sheet(wb.create_sheet("未能核查"), ("贵院未记录的事项", "在台账中的位置", "涉及规则", "涉及的检查数"),
                (30, 36, 60, 12), not_recorded_rows([r for r in report.results if _not_recorded(r)], rulebook),
                "（没有因未记录而无法核查的事项）")
    taken = set(wb.sheetnames)
    for place in places.ordered():
        results = [r for r in report.results
                   if places.place(r) == place and (all_results or (r.listed and not _not_recorded(r)))]
        if not results and place == UNIT_PLACE:
            continue
        results.sort(key=lambda r: (OUTCOME_RANK[r.outcome], r.sort_key()))
        ws = wb.create_sheet(_sheet_title(places.name(place), taken))
        _findings(ws, report, places, rulebook, results, with_place=False, title=places.name(place))
    return wb


def _not_recorded(r: Result) -> bool:
    """An unknown only because the court never records a field: folded into 未能核查, out of 问题清单."""
    return r.not_recorded


def upcoming_rows(upcoming: Any, report: Report) -> list[tuple]:
    """The 待办 rows from the items of ``partyrules.upcoming`` (due date, days left, what, whom, article)."""
    if upcoming is None:
        return []
    rows = []
    for item in getattr(upcoming, "items", upcoming):
        cites = "\n".join(spec.citation.label_zh(report.registry) for spec in item.citations)
        rows.append((item.due, item.days_left, item.title()["zh"], item.subject.name or item.subject.id, cites))
    return rows


def not_recorded_rows(results: Iterable[Result], rulebook: Any = None) -> list[tuple]:
    """One row per field the court never records: where to record it and the rules it would decide."""
    by_field: dict[str, dict[str, str]] = {}
    checks: dict[str, int] = {}
    for r in results:
        for pattern in sorted({_INDEX.sub("[]", p) for p in r.missing}):
            by_field.setdefault(pattern, {})[r.policy] = _title(rulebook, r.policy, r) or r.policy
            checks[pattern] = checks.get(pattern, 0) + 1
    rows = []
    for pattern in sorted(by_field, key=lambda p: (-checks[p], p)):
        where = ledger_place(pattern)
        what = field_words(pattern, "zh")
        place = f"“{where[0]}”表“{where[1]}”" if where else pattern
        rows.append((what, place, "\n".join(by_field[pattern][p] for p in sorted(by_field[pattern])), checks[pattern]))
    return rows


def ledger_place(path: str) -> tuple[str, str] | None:
    """Where a fact (``members[25].dues_paid``) is kept in the ledger: (sheet, column header)."""
    pattern = _INDEX.sub("[]", path)
    for col in UNIT_ROWS:
        if pattern == col.field:
            return ("单位", col.header)
    for g in GRIDS:
        if pattern == f"members[].{g.field}":
            return (g.name, g.what)
    for table in TABLES:
        shape = "[].".join(table.path) + "[]"
        for col in table.columns:
            if pattern == f"{shape}.{col.field}":
                return (table.name, col.header)
        if pattern == shape.removesuffix("[]"):
            return (table.name, "整张表")
    return None


def _title(rulebook: Any, policy: str, result: Result | None = None) -> str:
    """The policy's title: what a compliant subject does (the result's own, where results carry it)."""
    carried = getattr(result, "title", None)
    if isinstance(carried, dict) and carried.get("zh"):
        return carried["zh"]
    if rulebook is None:
        return ""
    found = rulebook.find(policy)
    return found[0].title.get("zh", "") if found else ""


def _what_to_do(r: Result, rulebook: Any) -> str:
    if r.outcome == "violated":
        title = _title(rulebook, r.policy, r)
        return f"按要求整改：{title}" if title else "按所引条款整改"
    if r.outcome == "unknown":
        places = [ledger_place(p) for p in r.missing]
        words = [f"“{p[0]}”表的“{p[1]}”" for p in places if p] + [m for m, p in zip(r.missing, places) if not p]
        return ("补充记录：" + "、".join(dict.fromkeys(words))) if words else "补充相关记录后重新检查"
    if r.outcome == "error":
        return "规则运行出错：请把本行交给信息部门"
    return ""


def _finding_message(r: Result, facts: FactDocument) -> str:
    """The finding; for an unknown, the missing facts in words (萧红的党费交纳记录), never as paths."""
    if r.outcome == "unknown" and r.missing:
        return "无法判定：缺少" + "、".join(dict.fromkeys(describe(p, facts, "zh") for p in r.missing))
    return r.message.get("zh", "")


def _head_row(ws: Worksheet, row: int, headers: Iterable[tuple[str, int]]) -> None:
    for c, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row, c, text)
        cell.font, cell.fill, cell.alignment = HEAD_FONT, HEAD_FILL, WRAP
        ws.column_dimensions[get_column_letter(c)].width = width


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _findings(ws: Worksheet, report: Report, places: "_Places", rulebook: Any, results: list[Result], *,
              with_place: bool, title: str = "") -> None:
    headers = FINDING_HEADERS if with_place else FINDING_HEADERS[1:]
    row = 1
    if title:
        ws.cell(1, 1, title).font = Font(name="Calibri", bold=True, size=13)
        counts = {k: sum(1 for r in results if r.outcome == k) for k in OUTCOME_RANK}
        ws.cell(2, 1, "，".join(f"{OUTCOME_ZH[k]} {v}" for k, v in counts.items() if v) or "没有需要处理的问题")
        row = 4
    _head_row(ws, row, headers)
    ws.freeze_panes = f"A{row + 1}"
    _print_setup(ws, row)
    for r in results:
        row += 1
        cites = "\n".join(spec.citation.label_zh(report.registry) + ("" if spec.verified else "（未核实）")
                          for spec in r.citations)
        outcome = OUTCOME_ZH[r.outcome] + (f"（{SEVERITY_ZH[r.severity]}）" if r.outcome == "violated" else "")
        values = (places.name(places.place(r)), places.subject(r), outcome, cites, _finding_message(r, places.facts),
                  _what_to_do(r, rulebook), r.policy)
        for c, value in enumerate(values if with_place else values[1:], start=1):
            cell = ws.cell(row, c, value)
            cell.data_type = "s"
            cell.alignment = WRAP
        if r.outcome == "violated":
            ws.cell(row, 3 if with_place else 2).font = VIOLATED_FONT
        _fit_row(ws, row, [w for _, w in headers])
    if not results:
        ws.cell(row + 1, 1, "没有需要处理的问题。")


def _fit_row(ws: Worksheet, row: int, widths: list[int]) -> None:
    """Give a row the height its wrapped text needs: not every spreadsheet program grows rows by itself."""
    lines = 1
    for c, width in enumerate(widths, start=1):
        value = ws.cell(row, c).value
        if value is None:
            continue
        per_line = max(1, width - 1)
        lines = max(lines, sum(max(1, -(-text_width(part) // per_line)) for part in str(value).split("\n")))
    ws.row_dimensions[row].height = LINE_HEIGHT * lines + 2


def _rows_sheet(ws: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...], rows: list[tuple],
                empty: str) -> None:
    _head_row(ws, 1, zip(headers, widths))
    ws.freeze_panes = "A2"
    _print_setup(ws, 1)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.alignment = WRAP
            if hasattr(value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"
        _fit_row(ws, r, list(widths))
    if not rows:
        ws.cell(2, 1, empty)


def _summary(ws: Worksheet, report: Report, facts: FactDocument, places: "_Places", listed: list[Result]) -> None:
    ws.title = "汇总"
    unit = facts.unit
    name = unit.name if unit is not OMITTED and unit.name is not OMITTED else report.unit
    ws.cell(1, 1, f"{name} 党组织工作检查").font = Font(name="Calibri", bold=True, size=14)
    facts_rows = (("单位", name), ("单位编号", report.unit), ("检查日期", report.as_of), ("规则版本", f"partyrules {__version__}"),
                  ("引擎", report.engine))
    for r, (label, value) in enumerate(facts_rows, start=3):
        ws.cell(r, 1, label).font = HEAD_FONT
        cell = ws.cell(r, 2, value)
        cell.alignment = LEFT
        if hasattr(value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"
    row = 3 + len(facts_rows) + 1
    counts = (("违反（错误）", sum(1 for r in report.results if r.outcome == "violated" and r.severity == "error")),
              ("违反（警告）", sum(1 for r in report.results if r.outcome == "violated" and r.severity == "warning")),
              ("无法判定", sum(1 for r in listed if r.outcome == "unknown")),
              ("未能核查（贵院未记录）", sum(1 for r in report.results if _not_recorded(r))),
              ("出错", report.summary["error"]), ("符合", report.summary["satisfied"]),
              ("不适用", report.summary["not_applicable"]))
    for label, value in counts:
        ws.cell(row, 1, label).font = HEAD_FONT
        ws.cell(row, 2, value).alignment = LEFT
        row += 1
    row += 1
    _head_row(ws, row, (("党组织", 30), ("违反（错误）", 14), ("违反（警告）", 14), ("无法判定", 12), ("出错", 8)))
    for place in places.ordered():
        mine = [r for r in listed if places.place(r) == place]
        if not mine and place == UNIT_PLACE:
            continue
        row += 1
        ws.cell(row, 1, places.name(place))
        for c, test in enumerate((lambda r: r.outcome == "violated" and r.severity == "error",
                                  lambda r: r.outcome == "violated" and r.severity == "warning",
                                  lambda r: r.outcome == "unknown", lambda r: r.outcome == "error"), start=2):
            ws.cell(row, c, sum(1 for r in mine if test(r))).alignment = CENTER
    if report.notices:
        row += 2
        ws.cell(row, 1, "提示").font = HEAD_FONT
        for n in report.notices:
            row += 1
            cell = ws.cell(row, 1, n.message["zh"])
            cell.alignment = WRAP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            ws.row_dimensions[row].height = 30
    _print_setup(ws, 1)
    ws.print_title_rows = None


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "组织"
    base = base[:31]
    title, n = base, 2
    while title in taken:
        suffix = f"({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


class _Places:
    """Which organization a result belongs to, and everyone's names, from the fact document."""

    def __init__(self, facts: FactDocument) -> None:
        self.facts = facts
        orgs = () if facts.organizations is OMITTED else facts.organizations
        members = () if facts.members is OMITTED else facts.members
        applicants = () if facts.applicants is OMITTED else facts.applicants
        self.orgs = {o.id: o for o in orgs}
        self.applicant_org = {a.id: a.org for a in applicants if a.org not in (OMITTED, None)}
        self.order = {o.id: (KIND_RANK.get(o.kind, 9), i) for i, o in enumerate(orgs)}
        self.member_org = {m.id: m.org for m in members if m.org not in (OMITTED, None)}
        self.dept_org: dict[str, str] = {}
        for o in orgs:
            for d in () if o.departments is OMITTED else o.departments:
                self.dept_org.setdefault(d, o.id)

    def place(self, r: Result) -> str:
        kind, sid = r.subject.kind, r.subject.id
        if kind == "organization" and sid in self.orgs:
            return sid
        if kind == "member":
            return self.member_org.get(sid, UNIT_PLACE)
        if kind == "applicant":
            return self.applicant_org.get(sid, UNIT_PLACE)
        if kind == "department":
            return self.dept_org.get(sid, UNIT_PLACE)
        return UNIT_PLACE

    def rank(self, r: Result) -> tuple:
        return self.order.get(self.place(r), (-1, -1))

    def ordered(self) -> list[str]:
        return [UNIT_PLACE] + sorted(self.orgs, key=lambda o: self.order[o])

    def name(self, place: str) -> str:
        org = self.orgs.get(place)
        if org is None:
            return UNIT_PLACE
        return org.name if org.name is not OMITTED else f"{label_of(ORG_KINDS, org.kind)} {org.id}"

    def subject(self, r: Result) -> str:
        if r.subject.kind == "unit":
            return "本单位"
        if r.subject.kind == "applicant":
            return f"{r.subject.name or r.subject.id}（入党申请人）"
        return r.subject.name or r.subject.id
