"""Reports as text: a terminal table (zh by default), JSON, and a standalone HTML page.

Every renderer returns the whole text at once, so the CLI writes all or nothing,
and the same report always renders to the same bytes.
"""

from __future__ import annotations

import html
import json
import unicodedata

from .model import OUTCOME_ORDER, Report, Result
from .safe_text import MESSAGE_LIMIT, NAME_LIMIT, safe_text

_OUTCOME = {
    "zh": {"violated": "违反", "unknown": "无法判定", "error": "出错", "satisfied": "符合", "not_applicable": "不适用"},
    "en": {"violated": "violated", "unknown": "unknown", "error": "error", "satisfied": "satisfied",
           "not_applicable": "not applicable"},
}
_SEVERITY = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}
_KIND = {"zh": {"unit": "单位", "department": "部门", "organization": "组织", "member": "党员"},
         "en": {"unit": "unit", "department": "department", "organization": "organization", "member": "member"}}
_WORDS = {
    "zh": {"date": "检查日期", "engine": "引擎", "subject": "对象", "basis": "依据", "detail": "说明",
           "missing": "缺少", "summary": "汇总", "notices": "提示", "none": "未发现违反、无法判定或出错的结果。",
           "exception": "例外", "unverified": "（未核实）"},
    "en": {"date": "as of", "engine": "engine", "subject": "subject", "basis": "cites", "detail": "message",
           "missing": "missing", "summary": "summary", "notices": "notices",
           "none": "No violated, unknown or error results.", "exception": "exception",
           "unverified": " (unverified)"},
}


def render_json(report: Report, all_results: bool = False) -> str:
    return json.dumps(report.to_json(all_results), ensure_ascii=False, indent=2) + "\n"


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def _citations(result: Result, report: Report, lang: str) -> list[str]:
    out = []
    for spec in result.citations:
        c = spec.citation
        label = c.label_zh(report.registry) if lang == "zh" else c.label_en(report.registry)
        out.append(label + ("" if spec.verified else _WORDS[lang]["unverified"]))
    return out


def _name(text: str) -> str:
    return safe_text(text, NAME_LIMIT)


def _message(text: str) -> str:
    return safe_text(text, MESSAGE_LIMIT)


def escape_html(text: str) -> str:
    """HTML-escaped, with control and bidi characters shown as escapes (see :mod:`.safe_text`)."""
    return html.escape(safe_text(text))


def render_table(report: Report, all_results: bool = False, lang: str = "zh") -> str:
    w = _WORDS[lang]
    rule = "─" * 72
    name, msg = _name, _message
    lines = [f"{name(report.unit)} · {w['date']} {report.as_of.isoformat()} · {w['engine']} {report.engine}", rule]
    listed = report.listed(all_results)
    if not listed:
        lines.append(w["none"])
    head_width = max([width(_OUTCOME[lang][o]) for o in OUTCOME_ORDER]) + 1
    for r in listed:
        tag = f"{_OUTCOME[lang][r.outcome]}"
        lines.append(f"{_pad(tag, head_width)}[{_SEVERITY[lang][r.severity]}] {r.policy}")
        indent = " " * head_width
        lines.append(f"{indent}{w['subject']}：{_KIND[lang][r.subject.kind]} {name(r.subject.id)} {name(r.subject.name)}"
                     if lang == "zh" else
                     f"{indent}{w['subject']}: {_KIND[lang][r.subject.kind]} {name(r.subject.id)} {name(r.subject.name)}")
        sep = "：" if lang == "zh" else ": "
        for i, label in enumerate(_citations(r, report, lang)):
            lines.append(f"{indent}{w['basis'] if i == 0 else ' ' * width(w['basis'])}{sep if i == 0 else '  '}{label}")
        lines.append(f"{indent}{w['detail']}{sep}{msg(r.message[lang])}")
        if "exception" in r.evidence:
            for note in r.evidence["exception"]:
                lines.append(f"{indent}{w['exception']}{sep}{msg(note[lang])}")
        if r.missing and r.outcome != "unknown":
            lines.append(f"{indent}{w['missing']}{sep}{msg(', '.join(r.missing))}")
        lines.append("")
    lines.append(rule)
    summary = report.summary
    parts = [f"{_OUTCOME[lang][k]} {summary[k]}" for k in OUTCOME_ORDER]
    lines.append(f"{w['summary']}{'：' if lang == 'zh' else ': '}" + " · ".join(parts))
    if report.notices:
        lines.append(f"{w['notices']}{'：' if lang == 'zh' else ':'}")
        for n in report.notices:
            lines.append(f"  - [{n.kind}] {msg(n.message[lang])}")
    return "\n".join(lines) + "\n"


def render_html(report: Report, all_results: bool = False, lang: str = "zh") -> str:
    e = escape_html
    w = _WORDS[lang]
    rows = []
    for r in report.listed(all_results):
        cites = "<br>".join(e(c) for c in _citations(r, report, lang))
        missing = f"<div class=missing>{e(w['missing'])}: {e(', '.join(r.missing))}</div>" if r.missing else ""
        rows.append(
            f"<tr class=\"{e(r.outcome)} {e(r.severity)}\"><td>{e(_OUTCOME[lang][r.outcome])}</td>"
            f"<td>{e(_SEVERITY[lang][r.severity])}</td><td><code>{e(r.policy)}</code></td>"
            f"<td>{e(_KIND[lang][r.subject.kind])} <code>{e(r.subject.id)}</code> {e(r.subject.name)}</td>"
            f"<td>{cites}</td><td>{e(r.message[lang])}{missing}</td></tr>")
    summary = " · ".join(f"{e(_OUTCOME[lang][k])} {v}" for k, v in report.summary.items())
    notices = "".join(f"<li><b>{e(n.kind)}</b> {e(n.message[lang])}</li>" for n in report.notices)
    body = "\n".join(rows) or f"<tr><td colspan=6>{e(w['none'])}</td></tr>"
    return (
        "<!DOCTYPE html>\n"
        f"<html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
        f"<title>partyrules · {e(report.unit)} · {report.as_of.isoformat()}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:.4em;vertical-align:top}tr.violated.error td:first-child{color:#b00}"
        "tr.violated.warning td:first-child{color:#a60}tr.unknown td:first-child{color:#555}"
        ".missing{color:#555;font-size:.9em}</style></head><body>\n"
        f"<h1>{e(report.unit)} · {e(w['date'])} {report.as_of.isoformat()}</h1>\n"
        f"<p>{e(w['summary'])}: {summary} · {e(w['engine'])} {e(report.engine)}</p>\n"
        f"<table><tbody>\n{body}\n</tbody></table>\n"
        + (f"<h2>{e(w['notices'])}</h2><ul>{notices}</ul>\n" if notices else "")
        + "</body></html>\n")


RENDERERS = {"table": render_table, "json": render_json, "html": render_html}
