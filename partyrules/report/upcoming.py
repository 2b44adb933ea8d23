"""What is coming due, as text: a terminal list (zh by default) and ``partyrules.upcoming/1`` JSON.

:func:`upcoming_lines` is the section a table or HTML report can show too: one
block per item (due date, days left, what is due, whom it concerns, the
articles), in the order of :class:`~partyrules.due.Upcoming`.
"""

from __future__ import annotations

import json
import unicodedata

from ..due import DueItem, Upcoming

_WORDS = {
    "zh": {"date": "检查日期", "head": "即将到期：未来{within}天（至{until}）；任期届满提前六个月列出（至{terms_until}）",
           "left": "还有{n}天", "today": "今天到期", "subject": "对象", "basis": "依据", "none": "未来期间内没有即将到期的事项。",
           "total": "共{n}项。", "sep": "："},
    "en": {"date": "as of", "head": "coming due: the next {within} days (to {until}); terms of office from six months "
                                    "ahead (to {terms_until})",
           "left": "in {n} days", "today": "due today", "subject": "concerns", "basis": "cites",
           "none": "Nothing comes due in the window.", "total": "{n} items.", "sep": ": "},
}
_KIND = {"zh": {"organization": "组织", "member": "党员", "unit": "单位"},
         "en": {"organization": "organization", "member": "member", "unit": "unit"}}


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def render_upcoming_json(up: Upcoming) -> str:
    return json.dumps(up.to_json(), ensure_ascii=False, indent=2) + "\n"


def _labels(item: DueItem, up: Upcoming, lang: str) -> list[str]:
    return [s.citation.label_zh(up.registry) if lang == "zh" else s.citation.label_en(up.registry)
            for s in item.citations]


def upcoming_rows(up: Upcoming, lang: str = "zh") -> list[dict]:
    """The items as plain strings for a template (an HTML or spreadsheet section), in the list's order.

    Each row: ``due`` (YYYY-MM-DD), ``days_left`` (int), ``when`` ("还有15天" / "in 15 days"), ``what``
    (the item's title), ``subject_kind`` (组织/党员 …), ``subject_id``, ``subject_name``, ``citations``
    (full article labels), ``policy`` and ``kind``.
    """
    w = _WORDS[lang]
    return [{
        "due": item.due.isoformat(),
        "days_left": item.days_left,
        "when": w["today"] if item.days_left == 0 else w["left"].format(n=item.days_left),
        "what": item.title()[lang],
        "subject_kind": _KIND[lang].get(item.subject.kind, item.subject.kind),
        "subject_id": item.subject.id,
        "subject_name": item.subject.name,
        "citations": _labels(item, up, lang),
        "policy": item.policy,
        "kind": item.kind,
    } for item in up.items]


def upcoming_lines(up: Upcoming, lang: str = "zh") -> list[str]:
    """The items as text lines: a first line with the due date, then whom and which articles, indented."""
    w = _WORDS[lang]
    lines: list[str] = []
    for item in up.items:
        left = w["today"] if item.days_left == 0 else w["left"].format(n=item.days_left)
        lines.append(f"{item.due.isoformat()}  {left}  {item.title()[lang]}")
        indent = " " * 12
        s = item.subject
        who = f"{_KIND[lang].get(s.kind, s.kind)} {s.id}" + (f" {s.name}" if s.name != s.id else "")
        lines.append(f"{indent}{w['subject']}{w['sep']}{who}")
        for i, label in enumerate(_labels(item, up, lang)):
            head = w["basis"] + w["sep"] if i == 0 else " " * _width(w["basis"] + w["sep"])
            lines.append(f"{indent}{head}{label}")
    return lines


def render_upcoming_table(up: Upcoming, lang: str = "zh") -> str:
    w = _WORDS[lang]
    unit = f"{up.unit_name}（{up.unit}）" if up.unit_name and up.unit_name != up.unit else up.unit
    rule = "─" * 72
    lines = [f"{unit} · {w['date']} {up.as_of.isoformat()}",
             w["head"].format(within=up.within, until=up.until.isoformat(), terms_until=up.terms_until.isoformat()),
             rule]
    body = upcoming_lines(up, lang)
    lines.extend(body or [w["none"]])
    lines.append(rule)
    lines.append(w["total"].format(n=len(up.items)))
    return "\n".join(lines) + "\n"
