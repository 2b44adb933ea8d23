"""One cell to one fact value and back, by the column's kind (see :mod:`.layout`).

Reading gives the plain values a YAML fact document would hold (dates as
``YYYY-MM-DD`` strings, ids as strings), so the project's own loader validates the
result exactly as it validates a hand-written document. A blank cell reads as
:data:`BLANK` (the field is omitted); ``无`` as ``None`` or ``[]``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import attrs

from ..facts.model import OMITTED, TrainingHours
from ..periods import Month, parse_date
from .layout import NONE_WORD, NO, SEPARATORS, SOME_WORD, YES, Column, label_of

BLANK = type("Blank", (), {"__repr__": lambda self: "BLANK"})()
_SPLIT = re.compile("[" + re.escape(SEPARATORS) + "]+")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class CellProblem(Exception):
    """A cell whose content does not fit its column; the message is for the clerk."""


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"日期 {value.isoformat()}"
    return f"数字 {value}"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(col: Column, value: Any) -> Any:
    """The fact value of a cell, :data:`BLANK`, or :class:`CellProblem`."""
    if is_blank(value):
        return BLANK
    word = value.strip() if isinstance(value, str) else None
    if word == NONE_WORD and col.nullable:
        return None
    reader = _READERS[col.kind]
    return reader(col, value, word)


def _text_only(value: Any, word: str | None, what: str) -> str:
    if word is None:
        raise CellProblem(f"应为{what}（文本），得到{_shown(value)}；请把单元格设为“文本”格式后重新输入")
    return word


def _id(col: Column, value: Any, word: str | None) -> str:
    return _text_only(value, word, "编号")


def _text(col: Column, value: Any, word: str | None) -> str:
    if not isinstance(value, str):
        raise CellProblem(f"应为文字，得到{_shown(value)}")
    return value


def read_date(value: Any, word: str | None) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellProblem(f"应为日期（不带时间），得到 {value.isoformat(sep=' ')}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if word is not None:
        try:
            return parse_date(word)
        except ValueError:
            raise CellProblem(f"应为日期 YYYY-MM-DD（如 2024-06-30），得到{_shown(value)}") from None
    raise CellProblem(f"应为日期，得到{_shown(value)}（单元格可能没有设为日期格式）")


def _date(col: Column, value: Any, word: str | None) -> dt.date:
    return read_date(value, word)


def _count(col: Column, value: Any, word: str | None) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if word is not None and word.isascii() and word.isdigit():
        return int(word)
    raise CellProblem(f"应为不小于0的整数，得到{_shown(value)}")


def read_hours(value: Any, word: str | None) -> int | float:
    number: Any = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif word is not None and _NUMBER.match(word):
        number = float(word)
    if number is None or not math.isfinite(number) or number < 0:
        raise CellProblem(f"应为不小于0的学时数，得到{_shown(value)}")
    return int(number) if float(number).is_integer() else float(number)


def _bool(col: Column, value: Any, word: str | None) -> bool:
    if isinstance(value, bool):
        return value
    if word in (YES, NO):
        return word == YES
    raise CellProblem(f"应为“{YES}”或“{NO}”，得到{_shown(value)}")


def _enum(col: Column, value: Any, word: str | None) -> str:
    for code, label in col.choices:
        if word in (code, label):
            return code
    labels = "、".join(label for _, label in col.choices)
    raise CellProblem(f"应为{labels}之一，得到{_shown(value)}")


def _open_enum(col: Column, value: Any, word: str | None) -> str:
    word = _text_only(value, word, "类型")
    return next((code for code, label in col.choices if word == label), word)


def _ids(col: Column, value: Any, word: str | None) -> list[str]:
    word = _text_only(value, word, "编号")
    if word == NONE_WORD:
        return []
    return [part for part in _SPLIT.split(word) if part]


def _years(col: Column, value: Any, word: str | None) -> list[int]:
    if word == NONE_WORD:
        return []
    if word is None:
        return [read_year(value)]
    return [read_year(part) for part in _SPLIT.split(word) if part]


def _marker(col: Column, value: Any, word: str | None) -> str:
    if word in (NONE_WORD, SOME_WORD):
        return word
    raise CellProblem(f"应为“{SOME_WORD}”“{NONE_WORD}”或留空，得到{_shown(value)}")


def _dates(col: Column, value: Any, word: str | None) -> list[dt.date]:
    if word == NONE_WORD:
        return []
    if word is None:
        return [read_date(value, None)]
    return [read_date(part, part) for part in _SPLIT.split(word) if part]


def _month(col: Column, value: Any, word: str | None) -> str:
    return str(read_month(value))


_READERS = {
    "id": _id, "member": _id, "org": _id, "dept": _id, "text": _text, "date": _date, "count": _count,
    "hours": lambda col, v, w: read_hours(v, w), "bool": _bool, "enum": _enum, "open_enum": _open_enum,
    "members": _ids, "depts": _ids, "years": _years, "marker": _marker,
    "dates": _dates, "month": _month,
}


def read_month(value: Any) -> Month:
    """A 党费 column header: ``YYYY-MM`` text, or a date on the 1st (Excel turns typed ``2024-06`` into one)."""
    if isinstance(value, dt.datetime) and value.day == 1 and value.time() == dt.time(0, 0):
        return Month(value.year, value.month)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.day == 1:
        return Month(value.year, value.month)
    if isinstance(value, str):
        try:
            return Month.parse(value.strip())
        except ValueError:
            pass
    raise CellProblem(f"党费表的列标题应为月份 YYYY-MM（如 2024-06），得到{_shown(value)}")


def read_year(value: Any) -> int:
    """A 培训 column header: a year such as 2024 (a number or text)."""
    year = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
    if year is None or not 1900 <= year <= 2999:
        raise CellProblem(f"应为年份（如 2024），得到{_shown(value)}")
    return year


# --- writing --------------------------------------------------------------------------------------


class Unwritable(ValueError):
    """A fact value that a cell cannot hold so that it reads back the same."""


def write_cell(col: Column, value: Any) -> Any:
    """The cell content for a fact value (``None`` for a blank cell)."""
    if value is OMITTED:
        return None
    if value is None:
        return NONE_WORD
    kind = col.kind
    if kind in ("members", "depts"):
        for item in value:
            if _SPLIT.search(item) or item == NONE_WORD:
                raise Unwritable(f"id {item!r} contains a separator and cannot share a cell with others")
        return "、".join(value) if value else NONE_WORD
    if kind == "dates":
        return "、".join(d.isoformat() for d in value) if value else NONE_WORD
    if kind == "month":
        return str(value)
    if kind == "years":
        return "、".join(str(y) for y in value) if value else NONE_WORD
    if kind == "marker":
        if attrs.has(type(value)) and not isinstance(value, TrainingHours):
            return SOME_WORD     # a record kept on another sheet (a development): one row there
        empty = not value.by_year if isinstance(value, TrainingHours) else not value
        return NONE_WORD if empty else SOME_WORD
    if kind == "bool":
        return YES if value else NO
    if kind in ("enum", "open_enum"):
        return label_of(col.choices, value)
    if kind == "date":
        return value
    if kind in ("id", "member", "org", "dept"):
        if value != value.strip() or (col.nullable and value == NONE_WORD):
            raise Unwritable(f"id {value!r} would not read back the same from a cell")
        return value
    if kind == "text":
        if value.strip() == "" or (col.nullable and value.strip() == NONE_WORD):
            raise Unwritable(f"text {value!r} would not read back the same from a cell")
    return value
