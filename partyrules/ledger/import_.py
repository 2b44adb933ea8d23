"""A filled ledger → a fact document, validated by the project's own loader.

Every problem names the sheet and cell (``BOOK.xlsx: 党员!C12: …``): first those of
single cells (a bad date, a word where a number belongs, a formula), then, once
every cell reads, those the fact loader finds (an unknown member id, a duplicate
id, dates that contradict each other), traced back from the document path to the
cell it came from. A workbook that is not one (not a zip, bomb-like, huge) is one
:class:`SourceError` line.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from ..errors import InputError, PartyrulesError, SourceError
from ..facts.load import facts_from_document
from ..facts.model import FORMAT, FactDocument
from ..source import Document
from .cells import BLANK, CellProblem, is_blank, read_cell, read_hours, read_month, read_year
from .layout import (DUES_MARKS, FIRST_DATA_ROW, GRIDS, GUIDE_SHEET, NONE_WORD, REMARK, SHEET_ORDER, SOME_WORD,
                     TABLES, UNIT_ROWS, UNIT_SHEET, Column, Grid, Table)
from .safety import check_workbook_file

MAX_ROWS = 100_000
MAX_COLS = 400
MAX_REPORTED = 50

# (sheet position in SHEET_ORDER × ROW_SPAN + row, column): sorts in reading order, and is a pair, the
# shape of the (line, column) marks that the fact loader hands back with each problem
Cell = tuple[int, int]
ROW_SPAN = 1_000_000


class LedgerError(PartyrulesError):
    """Problems in a ledger's cells: ``problems`` holds one line per problem, in sheet and cell order."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.more = len(problems) - 1
        super().__init__(problems[0])


class _Reader:
    """The state of one import: where each value came from, and the problems so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[Cell | None, str]] = []
        self.marks: dict[tuple, Cell] = {}

    def cell(self, sheet: str, row: int, col: int) -> Cell:
        return (SHEET_ORDER.index(sheet) * ROW_SPAN + row, col)

    def problem(self, where: Cell | None, message: str) -> None:
        self.problems.append((where, message))

    def render(self, where: Cell | None, message: str) -> str:
        if where is None:
            return f"{self.source}: {message}"
        sheet, row = divmod(where[0], ROW_SPAN)
        col = where[1]
        ref = f"{get_column_letter(col)}{row}" if row else ""
        return f"{self.source}: {SHEET_ORDER[sheet]}{'!' + ref if ref else ''}: {message}"

    def fail(self) -> LedgerError:
        ordered = sorted(self.problems, key=lambda p: p[0] or (-1, 0))
        lines = [self.render(w, m) for w, m in ordered[:MAX_REPORTED]]
        if len(ordered) > MAX_REPORTED:
            lines.append(f"{self.source}: … and {len(ordered) - MAX_REPORTED} more problems")
        return LedgerError(lines)


def _value(reader: _Reader, cell: Any, where: Cell) -> Any:
    """The raw value of a cell; formulas and error values are problems (None is returned)."""
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        reader.problem(where, "公式不能导入：请复制后“粘贴为数值”")
        return None
    if kind == "e":
        reader.problem(where, f"单元格是错误值 {cell.value}")
        return None
    return getattr(cell, "value", None)


def read_ledger(path: str | Path) -> tuple[dict, FactDocument]:
    """Read a ledger: the plain fact document (for writing as YAML) and its validated model.

    Raises :class:`SourceError` for a file that is not a sane workbook, and
    :class:`LedgerError` listing every problem with its sheet and cell.
    """
    source = str(path)
    check_workbook_file(Path(path), source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # openpyxl warns about extensions it does not read
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken part
        raise SourceError(source, f"is not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from None
    try:
        sheets = _read_sheets(wb, source)
    except SourceError:
        raise
    except Exception as exc:  # a sheet's XML that openpyxl cannot parse
        raise SourceError(source, f"is not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from None
    finally:
        wb.close()
    reader = _Reader(source)
    data = _assemble(reader, sheets)
    if reader.problems:
        raise reader.fail()
    doc = Document(data, source, reader.marks)
    try:
        facts = facts_from_document(doc)
    except InputError as exc:
        for path_text, message, where in getattr(exc, "problems", [(exc.path, exc.message, None)]):
            reader.problem(where or None, message if where else f"{path_text}: {message}")
        raise reader.fail() from None
    return data, facts


def _read_sheets(wb: Any, source: str) -> dict[str, list[tuple]]:
    sheets: dict[str, list[tuple]] = {}
    known = set(SHEET_ORDER)
    for ws in wb.worksheets:
        name = ws.title
        if name.startswith(REMARK) or name == GUIDE_SHEET:
            continue
        if name not in known:
            close = difflib.get_close_matches(name, SHEET_ORDER, n=1, cutoff=0.5)
            hint = f"（是不是“{close[0]}”？）" if close else ""
            raise SourceError(source, f"工作表“{name}”不是台账的工作表{hint}；台账只有 {'、'.join(SHEET_ORDER)}，"
                                      f"自己的表请以“{REMARK}”开头命名")
        if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > 16384:
            raise SourceError(source, f"{name}: more than {MAX_ROWS} rows: not a ledger sheet")
        rows = []
        for index, row in enumerate(ws.iter_rows(max_col=MAX_COLS + 1), start=1):
            if index > MAX_ROWS:
                if any(not is_blank(getattr(c, "value", None)) for c in row):
                    raise SourceError(source, f"{name}: more than {MAX_ROWS} rows: not a ledger sheet")
                continue
            if len(row) > MAX_COLS and not is_blank(getattr(row[MAX_COLS], "value", None)):
                raise SourceError(source, f"{name}: more than {MAX_COLS} columns: not a ledger sheet")
            rows.append(tuple(row[:MAX_COLS]))
        while rows and all(is_blank(getattr(c, "value", None)) for c in rows[-1]):
            rows.pop()
        sheets[name] = rows
    return sheets


def _at(rows: list[tuple], r: int, c: int) -> Any:
    """The cell at 1-based row ``r``, column ``c`` (None beyond the data)."""
    if r - 1 >= len(rows):
        return None
    row = rows[r - 1]
    return row[c - 1] if c - 1 < len(row) else None


# --- assembling the document ------------------------------------------------------------------------


class _Table:
    """The records read from one table sheet, each with its row and owner id."""

    def __init__(self) -> None:
        self.records: list[tuple[int, str | None, dict]] = []   # (row, owner id, fields)
        self.cells: dict[tuple[int, str], Cell] = {}             # (row, field) → cell
        self.sheet_cell: Cell | None = None


def _assemble(reader: _Reader, sheets: dict[str, list[tuple]]) -> dict:
    unit_fields, unit_cells = _read_unit(reader, sheets.get(UNIT_SHEET, []))
    tables = {t.name: _read_table(reader, t, sheets.get(t.name, [])) for t in TABLES}
    grids = {g.name: _read_grid(reader, g, sheets.get(g.name, [])) for g in GRIDS}
    data: dict[str, Any] = {"format": FORMAT}
    for key in ("as_of", "records_from"):
        if key in unit_fields:
            data[key] = unit_fields[key]
            reader.marks[(key,)] = unit_cells[key]
    unit = {k[5:]: v for k, v in unit_fields.items() if k.startswith("unit.")}
    departments = _top_list(reader, tables["内设部门"], unit_fields, unit_cells, "unit.departments", ("unit", "departments"))
    if departments is not None:
        unit["departments"] = departments
    if unit:
        if "id" not in unit:
            first = min(unit_cells[k] for k in unit_fields if k.startswith("unit."))
            reader.problem(unit_cells.get("unit.id", first), "填写了单位情况，但没有填单位编号")
        order = [c.field[5:] for c in UNIT_ROWS if c.field.startswith("unit.")]
        data["unit"] = {k: unit[k] for k in order if k in unit}
        for k in unit_fields:
            if k.startswith("unit."):
                reader.marks[("unit", k[5:])] = unit_cells[k]
    for key, sheet in (("organizations", "党组织"), ("members", "党员"), ("meetings", "会议及出席"),
                       ("activities", "其他活动"), ("applicants", "入党申请人")):
        items = _top_list(reader, tables[sheet], unit_fields, unit_cells, key, (key,))
        if items is not None:
            data[key] = items
    if "organizations" in data:
        _children(reader, data["organizations"], ("organizations",), tables["党组织"],
                  {"elections": tables["换届"], "secretary_changes": tables["书记变动"],
                   "officers_took_office": tables["到任"]})
    if "members" in data:
        _children(reader, data["members"], ("members",), tables["党员"],
                  {"introducers": tables["入党介绍人"], "dues_payments": tables["党费交纳明细"],
                   "dues_reductions": tables["党费减免"]})
        _grids(reader, data["members"], tables["党员"], grids)
    _developments(reader, data, tables)
    _orphans(reader, data, tables, grids)
    _check_ids(reader, data, tables, unit_fields, unit_cells)
    return data


_REF_SHEETS = {"member": ("党员", "党员编号"), "members": ("党员", "党员编号"), "org": ("党组织", "组织编号"),
               "dept": ("内设部门", "部门编号"), "depts": ("内设部门", "部门编号")}


def _check_ids(reader: _Reader, data: dict, tables: dict, unit_fields: dict, unit_cells: dict) -> None:
    """Ids unique on their sheet, and every id a cell names found on its sheet, in the clerk's words.

    The fact loader checks the same afterwards (and more); doing it here names the sheet
    an id should be on and the row that already holds a duplicate.
    """
    known = {"党员": _unique(reader, tables["党员"], "党员"), "党组织": _unique(reader, tables["党组织"], "党组织"),
             "内设部门": _unique(reader, tables["内设部门"], "内设部门")}
    _unique(reader, tables["会议及出席"], "会议及出席")

    def check(where: Cell, header: str, kind: str, value: Any) -> None:
        sheet, id_header = _REF_SHEETS[kind]
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None or v in known[sheet]:
                continue
            close = difflib.get_close_matches(v, sorted(known[sheet]), n=1)
            hint = f"（是不是“{close[0]}”？）" if close else ""
            reader.problem(where, f"{header}：“{v}”不是{sheet}表中的{id_header}{hint}")
        if isinstance(value, list):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                reader.problem(where, f"{header}：{'、'.join(repeated)} 重复")

    for col in UNIT_ROWS:
        if col.kind in _REF_SHEETS and col.field in unit_fields:
            check(unit_cells[col.field], col.header, col.kind, unit_fields[col.field])
    for table in TABLES:
        read = tables[table.name]
        for row, _owner, record in read.records:
            for col in table.columns:
                if col.kind in _REF_SHEETS and col.field in record:
                    check(read.cells[(row, col.field)], col.header, col.kind, record[col.field])


def _unique(reader: _Reader, table: _Table, sheet: str) -> set[str]:
    seen: dict[str, int] = {}
    for row, _owner, record in table.records:
        value = record.get("id")
        if value is None:
            continue
        if value in seen:
            reader.problem(table.cells[(row, "id")], f"编号“{value}”重复（第{seen[value]}行已有）")
        else:
            seen[value] = row
    return set(seen)


def _read_unit(reader: _Reader, rows: list[tuple]) -> tuple[dict, dict]:
    by_label = {c.header: c for c in UNIT_ROWS}
    fields: dict[str, Any] = {}
    cells: dict[str, Cell] = {}
    seen: dict[str, int] = {}
    for r in range(2, len(rows) + 1):
        label_cell, value_cell = _at(rows, r, 1), _at(rows, r, 2)
        label = getattr(label_cell, "value", None)
        if is_blank(label):
            if not is_blank(getattr(value_cell, "value", None)):
                reader.problem(reader.cell(UNIT_SHEET, r, 1), "这一行填写了内容，但没有项目名称")
            continue
        label = str(label).strip()
        col = by_label.get(label)
        if col is None:
            close = difflib.get_close_matches(label, list(by_label), n=1, cutoff=0.5)
            hint = f"（是不是“{close[0]}”？）" if close else ""
            reader.problem(reader.cell(UNIT_SHEET, r, 1), f"不认识的项目“{label}”{hint}")
            continue
        if label in seen:
            reader.problem(reader.cell(UNIT_SHEET, r, 1), f"项目“{label}”重复（第{seen[label]}行已有）")
            continue
        seen[label] = r
        where = reader.cell(UNIT_SHEET, r, 2)
        cells[col.field] = where
        raw = _value(reader, value_cell, where)
        try:
            value = read_cell(col, raw)
        except CellProblem as exc:
            reader.problem(where, f"{col.header}：{exc}")
            continue
        if value is not BLANK:
            fields[col.field] = value
    for col in UNIT_ROWS:      # where a marker would have been, for messages about its list
        cells.setdefault(col.field, reader.cell(UNIT_SHEET, 0, 0))
    return fields, cells


def _headers(reader: _Reader, name: str, rows: list[tuple], columns: tuple[Column, ...],
             expected_field: dict[str, str]) -> dict[int, Column]:
    """Column index → column, from the headers in row 1 (columns may be moved or left out)."""
    by_header = {c.header: c for c in columns}
    found: dict[int, Column] = {}
    used: dict[str, int] = {}
    width = max((len(r) for r in rows[:2]), default=0)
    for c in range(1, width + 1):
        head = getattr(_at(rows, 1, c), "value", None)
        if is_blank(head):
            continue
        head = str(head).strip()
        if head.startswith(REMARK):
            continue
        col = by_header.get(head)
        if col is None:
            close = difflib.get_close_matches(head, list(by_header), n=1, cutoff=0.5)
            hint = f"（是不是“{close[0]}”？）" if close else ""
            reader.problem(reader.cell(name, 1, c), f"不认识的列“{head}”{hint}；不导入的内容请放在“{REMARK}”列")
            continue
        if head in used:
            reader.problem(reader.cell(name, 1, c), f"列“{head}”重复（{get_column_letter(used[head])}列已有）")
            continue
        used[head] = c
        field_row = getattr(_at(rows, 2, c), "value", None)
        if str(field_row or "").strip() != expected_field[head]:
            reader.problem(reader.cell(name, 2, c), f"第2行应为字段名“{expected_field[head]}”（请勿删除或改动第2行）")
        found[c] = col
    if rows:
        for col in columns:
            if col.required and col.header not in used:
                reader.problem(reader.cell(name, 1, 1), f"缺少必填的列“{col.header}”")
    return found


def _read_table(reader: _Reader, table: Table, rows: list[tuple]) -> _Table:
    out = _Table()
    columns = ((table.owner,) if table.owner else ()) + table.columns
    expected = {c.header: c.field for c in table.columns}
    if table.owner:
        expected[table.owner.header] = f"{table.path[0]}[].id"
    found = _headers(reader, table.name, rows, columns, expected)
    for r in range(FIRST_DATA_ROW, len(rows) + 1):
        fields: dict[str, Any] = {}
        owner = None
        blank = True
        for c, col in found.items():
            cell = _at(rows, r, c)
            where = reader.cell(table.name, r, c)
            if is_blank(getattr(cell, "value", None)) and getattr(cell, "data_type", None) != "f":
                continue
            blank = False
            raw = _value(reader, cell, where)
            try:
                value = read_cell(col, raw)
            except CellProblem as exc:
                reader.problem(where, f"{col.header}：{exc}")
                continue
            if value is BLANK:
                continue
            out.cells[(r, col.field if col is not table.owner else "<owner>")] = where
            if col is table.owner:
                owner = value
            else:
                fields[col.field] = value
        if blank:
            continue
        for c, col in found.items():
            if col.required and (r, col.field if col is not table.owner else "<owner>") not in out.cells:
                if not any(p[0] == reader.cell(table.name, r, c) for p in reader.problems):
                    reader.problem(reader.cell(table.name, r, c), f"{col.header}：必须填写")
        out.records.append((r, owner, {c.field: fields[c.field] for c in table.columns if c.field in fields}))
    return out


def _mark_record(reader: _Reader, table: _Table, path: tuple, row: int, record: dict, sheet: str) -> None:
    reader.marks[path] = reader.cell(sheet, row, 1)
    for field in record:
        where = table.cells.get((row, field))
        if where is not None:
            reader.marks[path + (field,)] = where


def _top_list(reader: _Reader, table: _Table, unit_fields: dict, unit_cells: dict, key: str,
              path: tuple) -> list | None:
    """A list held by a whole sheet, governed by its marker row on the 单位 sheet."""
    marker = unit_fields.get(key, BLANK)
    sheet = next(c.child for c in UNIT_ROWS if c.field == key)
    items = []
    for i, (row, _owner, record) in enumerate(table.records):
        _mark_record(reader, table, path + (i,), row, record, sheet)
        items.append(record)
    reader.marks[path] = unit_cells[key]
    return _resolve_marker(reader, marker, unit_cells[key], items, sheet, "")


def _resolve_marker(reader: _Reader, marker: Any, where: Cell, items: list, sheet: str, whose: str) -> list | None:
    if marker == NONE_WORD:
        if items:
            reader.problem(where, f"填了“{NONE_WORD}”，但“{sheet}”表中有{whose}{len(items)}条记录")
        return []
    if marker == SOME_WORD and not items:
        reader.problem(where, f"填了“{SOME_WORD}”，但“{sheet}”表中没有{whose}记录")
        return None
    return items if items else None


def _children(reader: _Reader, owners: list[dict], path: tuple, owner_table: _Table,
              children: dict[str, _Table]) -> None:
    """Attach the rows of child sheets (换届, 书记变动, 入党介绍人) to their owners."""
    index = {rec.get("id"): i for i, rec in enumerate(owners) if "id" in rec}
    rows_of = [row for row, _o, _r in owner_table.records]
    for field, table in children.items():
        sheet = next(t.name for t in TABLES if t.path == path + (field,))
        by_owner: dict[int, list[tuple[int, dict]]] = {}
        for row, owner, record in table.records:
            if owner is None:
                continue
            if owner not in index:
                close = difflib.get_close_matches(owner, [k for k in index if isinstance(k, str)], n=1)
                hint = f"（是不是“{close[0]}”？）" if close else ""
                owner_sheet = next(t.owner_sheet for t in TABLES if t.name == sheet)
                reader.problem(table.cells[(row, "<owner>")], f"“{owner}”不是{owner_sheet}表中的编号{hint}")
                continue
            by_owner.setdefault(index[owner], []).append((row, record))
        for i, rec in enumerate(owners):
            marker = rec.get(field, BLANK)
            where = owner_table.cells.get((rows_of[i], field), reader.cell(sheet, 0, 0))
            rows = by_owner.get(i, [])
            for j, (row, record) in enumerate(rows):
                _mark_record(reader, table, path + (i, field, j), row, record, sheet)
            value = _resolve_marker(reader, marker, where, [r for _, r in rows], sheet, f"“{rec.get('id', '')}”的")
            if value is None:
                rec.pop(field, None)
            else:
                rec[field] = value
                reader.marks[path + (i, field)] = where if rows == [] else reader.cell(sheet, rows[0][0], 1)


def _developments(reader: _Reader, data: dict, tables: dict) -> None:
    """Attach the 发展党员 rows (and their 培养联系人 and 延长预备期 rows) to members and applicants."""
    people: dict[str, tuple[str, int, dict]] = {}
    for key, sheet in (("members", "党员"), ("applicants", "入党申请人")):
        rows_of = [row for row, _o, _r in tables[sheet].records]
        for i, rec in enumerate(data.get(key, [])):
            if "id" in rec and rec["id"] not in people:
                people[rec["id"]] = (key, i, rec)
                rec["<row>"] = (sheet, rows_of[i])
    devt_table = tables["发展党员"]
    devts: dict[str, tuple[int, dict]] = {}
    for row, owner, record in devt_table.records:
        if owner is None:
            continue
        if owner not in people:
            close = difflib.get_close_matches(owner, sorted(people), n=1)
            hint = f"（是不是“{close[0]}”？）" if close else ""
            reader.problem(devt_table.cells[(row, "<owner>")], f"“{owner}”不是党员表或入党申请人表中的编号{hint}")
            continue
        if owner in devts:
            reader.problem(devt_table.cells[(row, "<owner>")], f"“{owner}”在本表中重复（第{devts[owner][0]}行已有）")
            continue
        devts[owner] = (row, record)
    for field, sheet in (("contacts", "培养联系人"), ("extensions", "延长预备期")):
        table = tables[sheet]
        by_owner: dict[str, list[tuple[int, dict]]] = {}
        for row, owner, record in table.records:
            if owner is None:
                continue
            if owner not in devts:
                reader.problem(table.cells[(row, "<owner>")], f"“{owner}”在“发展党员”表中没有记录")
                continue
            by_owner.setdefault(owner, []).append((row, record))
        for owner, (row, record) in devts.items():
            key, i, _rec = people[owner]
            marker = record.get(field, BLANK)
            where = devt_table.cells.get((row, field), reader.cell("发展党员", row, 1))
            rows = by_owner.get(owner, [])
            base = (key, i, "development", field)
            for j, (r, rec) in enumerate(rows):
                _mark_record(reader, table, base + (j,), r, rec, sheet)
            value = _resolve_marker(reader, marker, where, [r for _, r in rows], sheet, f"“{owner}”的")
            if value is None:
                record.pop(field, None)
            else:
                record[field] = value
                reader.marks[base] = where if not rows else reader.cell(sheet, rows[0][0], 1)
    for pid, (key, i, rec) in people.items():
        sheet, row = rec.pop("<row>")
        marker = rec.get("development", BLANK)
        where = tables[sheet].cells.get((row, "development"), reader.cell(sheet, row, 1))
        if pid in devts:
            devt_row, record = devts[pid]
            if marker == NONE_WORD:
                reader.problem(where, f"填了“{NONE_WORD}”，但“发展党员”表中有“{pid}”的记录")
                continue
            _mark_record(reader, devt_table, (key, i, "development"), devt_row, record, "发展党员")
            rec["development"] = record
        else:
            rec.pop("development", None)
            if marker == SOME_WORD:
                reader.problem(where, f"填了“{SOME_WORD}”，但“发展党员”表中没有“{pid}”的记录")
    if not people:
        for sheet in ("发展党员", "培养联系人", "延长预备期"):
            for row, _owner, _fields in tables[sheet].records:
                if sheet == "发展党员":
                    continue      # already reported: not an id of either sheet
                reader.problem(reader.cell(sheet, row, 1), "党员表和入党申请人表都没有记录，这一行无所属的人")


def _read_grid(reader: _Reader, g: Grid, rows: list[tuple]) -> dict[str, tuple[int, dict]]:
    """member id → (row, {period: (value, cell)})."""
    out: dict[str, tuple[int, dict]] = {}
    periods: dict[int, Any] = {}
    width = max((len(r) for r in rows[:2]), default=0)
    for c in range(3, width + 1):
        head = getattr(_at(rows, 1, c), "value", None)
        if is_blank(head) or (isinstance(head, str) and head.strip().startswith(REMARK)):
            continue
        try:
            period = read_month(head) if g.period == "month" else read_year(head)
        except CellProblem as exc:
            reader.problem(reader.cell(g.name, 1, c), str(exc))
            continue
        if period in periods.values():
            reader.problem(reader.cell(g.name, 1, c), f"列标题 {period} 重复")
            continue
        periods[c] = period
    for r in range(FIRST_DATA_ROW, len(rows) + 1):
        id_cell = _at(rows, r, 1)
        where_id = reader.cell(g.name, r, 1)
        entries: dict = {}
        for c, period in periods.items():
            cell = _at(rows, r, c)
            if is_blank(getattr(cell, "value", None)) and getattr(cell, "data_type", None) != "f":
                continue
            where = reader.cell(g.name, r, c)
            raw = _value(reader, cell, where)
            if raw is None:
                continue
            word = raw.strip() if isinstance(raw, str) else None
            if g.period == "month":
                if word in DUES_MARKS:
                    entries[period] = (str(period), where)
                else:
                    reader.problem(where, f"已交纳填“{DUES_MARKS[0]}”，未交纳留空；得到 {raw!r}")
            else:
                try:
                    entries[period] = (read_hours(raw, word), where)
                except CellProblem as exc:
                    reader.problem(where, str(exc))
        raw_id = _value(reader, id_cell, where_id) if id_cell is not None else None
        if is_blank(raw_id):
            if entries:
                reader.problem(where_id, "这一行有记录，但没有党员编号")
            continue
        if not isinstance(raw_id, str):
            reader.problem(where_id, f"党员编号应为文本，得到 {raw_id!r}")
            continue
        member = raw_id.strip()
        if member in out:
            reader.problem(where_id, f"党员“{member}”在本表中重复（第{out[member][0]}行已有）")
            continue
        out[member] = (r, entries)
    return out


def _grids(reader: _Reader, members: list[dict], member_table: _Table, grids: dict) -> None:
    ids = {m.get("id"): i for i, m in enumerate(members)}
    rows_of = [row for row, _o, _r in member_table.records]
    for g in GRIDS:
        grid = grids[g.name]
        for member, (row, _entries) in grid.items():
            if member not in ids:
                close = difflib.get_close_matches(member, [k for k in ids if isinstance(k, str)], n=1)
                hint = f"（是不是“{close[0]}”？）" if close else ""
                reader.problem(reader.cell(g.name, row, 1), f"“{member}”不是党员表中的党员编号{hint}")
        for i, rec in enumerate(members):
            marker = rec.get(g.field, BLANK)
            where = member_table.cells.get((rows_of[i], g.field), reader.cell("党员", rows_of[i], 1))
            row, entries = grid.get(rec.get("id"), (0, {}))
            items = list(entries.items())
            value = _resolve_marker(reader, marker, where, items, g.name, f"“{rec.get('id', '')}”的")
            if value is None:
                rec.pop(g.field, None)
                continue
            path = ("members", i, g.field)
            reader.marks[path] = reader.cell(g.name, row, 1) if row else where
            if g.period == "month":
                rec[g.field] = [text for _period, (text, _w) in items]
                for k, (_period, (_text, cell)) in enumerate(items):
                    reader.marks[path + (k,)] = cell
            else:
                rec[g.field] = {year: hours for year, (hours, _w) in items}
                for year, (_hours, cell) in items:
                    reader.marks[path + (year,)] = cell


def _orphans(reader: _Reader, data: dict, tables: dict, grids: dict) -> None:
    """Rows of child sheets whose owner sheet holds nothing at all."""
    if "organizations" not in data:
        for name in ("换届", "书记变动", "到任"):
            for row, _owner, _fields in tables[name].records:
                reader.problem(reader.cell(name, row, 1), "党组织表没有记录，这一行无所属党组织")
    if "members" not in data:
        for name in ("入党介绍人", "党费交纳明细", "党费减免"):
            for row, _owner, _fields in tables[name].records:
                reader.problem(reader.cell(name, row, 1), "党员表没有记录，这一行无所属党员")
        for g in GRIDS:
            for member, (row, _entries) in grids[g.name].items():
                reader.problem(reader.cell(g.name, row, 1), f"“{member}”不是党员表中的党员编号（党员表没有记录）")
