"""Reports as text: a terminal table (zh by default), JSON, and a standalone HTML page.

Every renderer returns the whole text at once, so the CLI writes all or nothing,
and the same report always renders to the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from .human import HumanReport, human_report
from .safe_text import visible
from .model import Report

if TYPE_CHECKING:
    import jinja2


def render_json(report: Report, all_results: bool = False) -> str:
    return report.json_text(all_results, end="\n")


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


TABLE_WIDTH = 80
# punctuation that must not start a line (it stays with the text before it), or end one
_NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)]%")
_NO_LINE_END = set("（《「『“‘([")
_TOKEN = re.compile(r"[A-Za-z0-9_\-./@\[\]()+%:'<>=#~*]+|\s|.")


def wrap(text: str, cols: int) -> list[str]:
    """``text`` in lines of at most ``cols`` terminal columns: CJK text breaks between characters, other
    text between words (a word longer than a line is cut); closing punctuation never starts a line."""
    lines: list[str] = []
    line: list[str] = []                  # the tokens of the line being filled
    used = 0
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if line and used < cols:
                line.append(" ")
                used += 1
            continue
        if used + width(tok) > cols and "".join(line).strip():
            carry: list[str] = []
            if tok in _NO_LINE_START or line[-1] in _NO_LINE_END:
                carry = [line.pop()]      # the word before the punctuation goes down with it
                while line and line[-1] in _NO_LINE_END:
                    carry.insert(0, line.pop())
                # what goes down must fit on the next line with the token: the width comes before the
                # punctuation rule (a bracket then ends a line rather than a line running past the edge)
                while carry and sum(width(t) for t in carry) + width(tok) > cols:
                    line.append(carry.pop(0))
            if "".join(line).strip():
                lines.append("".join(line).rstrip())
                line, used = carry, sum(width(t) for t in carry)
            else:                         # nothing left to keep: break here after all
                line, used = carry, sum(width(t) for t in carry)
                lines.append("".join(line).rstrip())
                line, used = [], 0
        while width(tok) > cols - used:   # a long path or URL: cut it
            if width(tok) <= cols and not line:
                break
            cut = _fit(tok, cols - used)
            lines.append("".join(line) + tok[:cut])
            line, used, tok = [], 0, tok[cut:]
        line.append(tok)
        used += width(tok)
    if "".join(line).strip() or not lines:
        lines.append("".join(line).rstrip())
    return lines


def _fit(text: str, cols: int) -> int:
    used = 0
    for i, ch in enumerate(text):
        used += width(ch)
        if used > cols:
            return max(i, 1)
    return max(len(text), 1)


def _hanging(label: str, text: str, indent: int, cols: int = TABLE_WIDTH) -> list[str]:
    """``label`` then ``text`` wrapped, continuation lines aligned under the text."""
    lead = " " * indent + label
    body = wrap(text, cols - width(lead))
    return [lead + body[0]] + [" " * width(lead) + more for more in body[1:]]


def render_table(report: Report, all_results: bool = False, lang: str = "zh") -> str:
    """The report for a terminal of 80 columns, in the order of the HTML page (see ``report.human``)."""
    h = human_report(report, all_results, lang)
    w = h.words
    colon = w["colon"]
    out: list[str] = []
    out.extend(wrap(h.title, TABLE_WIDTH))
    out.extend(wrap(f"{w['date']} {h.as_of} · {w['revision']} {h.revision} · {w['engine']} {h.engine}", TABLE_WIDTH))
    out.extend(wrap(f"{w['overall']}{colon}{h.counts}", TABLE_WIDTH))
    out.append("═" * TABLE_WIDTH)
    out.append(w["summary"])
    out.extend(_summary_table(h))
    tag = max(width(word) for word in w["outcome"].values()) + 1     # the outcome column
    indent = 2 + tag
    for section in h.sections:
        out.append("")
        out.append(f"{section.title}（{section.count}）" if lang == "zh" else f"{section.title} ({section.count})")
        out.append("─" * TABLE_WIDTH)
        if not section.groups:
            out.append("  " + w["none"])
        for group in section.groups:
            out.extend(wrap(f"【{group.name}】" if lang == "zh" else f"[{group.name}]", TABLE_WIDTH))
            for f in group.findings:
                out.extend(_hanging(_pad(f.outcome, tag), f"{f.subject}（{f.subject_kind}）" if lang == "zh"
                                    else f"{f.subject} ({f.subject_kind})", 2))
                out.extend(_hanging(w["finding"] + colon, f.message, indent))
                for i, c in enumerate(f.citations):
                    label = w["basis"] + colon if i == 0 else " " * width(w["basis"] + colon)
                    out.extend(_hanging(label, c, indent))
                for t in f.todo:
                    out.extend(_hanging(w["todo"] + colon, t, indent))
                out.extend(_hanging(" " * width(w["todo"] + colon), f"[{f.policy}]", indent))
            out.append("")
    if h.upcoming:
        out.append("")
        out.append(h.upcoming_heading)
        out.append("─" * TABLE_WIDTH)
        for row in h.upcoming:
            who = f"{row['subject_name']}（{row['subject_kind']}）" if lang == "zh" else \
                f"{row['subject_name']} ({row['subject_kind']})"
            out.extend(_hanging(f"{row['due']}  {row['when']}  ", f"{row['what']} · {who}", 0))
            for c in row["citations"]:
                out.extend(_hanging("", c, 12))
    if h.timeline is not None:
        out.extend(_timeline_lines(h))
    if h.not_recorded:
        out.append("")
        out.append(f"{w['s_not_recorded']}（{len(h.not_recorded)}）" if lang == "zh"
                   else f"{w['s_not_recorded']} ({len(h.not_recorded)})")
        out.append("─" * TABLE_WIDTH)
        for item in h.not_recorded:
            out.extend(_hanging("- ", item.line, 0))
            out.extend(_hanging("", item.how, 2))
    if h.notices:
        out.append("")
        out.append(w["notices"])
        out.append("─" * TABLE_WIDTH)
        for n in h.notices:
            out.extend(_hanging("- ", n, 0))
    return "\n".join(line.rstrip() for line in out) + "\n"


def _timeline_lines(h: HumanReport) -> list[str]:
    """The admission-process section: per person, each step on a line (step, date, state), its bound and
    article on the next."""
    t = h.timeline
    tw = t.words
    zh = h.lang == "zh"
    out = ["", t.heading, "─" * TABLE_WIDTH]
    if t.basis:
        out.extend(wrap(t.basis, TABLE_WIDTH))
    step_cols = max(width(r.step) for p in t.people for r in p.rows) + 2
    for p in t.people:
        who = f"{p.name}（{p.kind}{'，' + p.org if p.org else ''}）" if zh else \
            f"{p.name} ({p.kind}{', ' + p.org if p.org else ''})"
        out.extend(wrap(f"【{who}】" if zh else f"[{who}]", TABLE_WIDTH))
        for r in p.rows:
            out.extend(_hanging(_pad(r.step, step_cols) + _pad(r.date, 12), r.state, 2))
            basis = " · ".join(x for x in ((tw["bound"] + ("：" if zh else ": ") + r.bound) if r.bound else "",
                                           r.article) if x)
            if basis:
                out.extend(_hanging("", basis, 4))
        out.append("")
    return out[:-1]


def _summary_table(h: HumanReport) -> list[str]:
    w = h.words
    heads = [w["violations"], w["warnings"], w["unknowns"]] + ([w["errors"]] if h.any_errors else [])
    num = [max(width(x), 4) for x in heads]
    name_cols = TABLE_WIDTH - sum(n + 2 for n in num)

    def row(name: str, values: list[str]) -> list[str]:
        names = wrap(name, name_cols)
        cells = "".join("  " + " " * (n - width(v)) + v for n, v in zip(num, values))
        return [_pad(names[0], name_cols) + cells] + names[1:]

    out = row(w["org"], heads)
    out.append("─" * TABLE_WIDTH)
    for r in (*h.org_rows, h.totals):
        if r is h.totals:
            out.append("─" * TABLE_WIDTH)
        values = [r.violations, r.warnings, r.unknowns] + ([r.errors] if h.any_errors else [])
        out.extend(row(r.name, [str(v) for v in values]))
    return out


def render_html(report: Report, all_results: bool = False, lang: str = "zh") -> str:
    """A standalone page for the screen and for A4 print (``templates/report.html.j2``, autoescaped)."""
    h = human_report(report, all_results, lang)
    return _templates().get_template("report.html.j2").render(h=h, w=h.words, lang=lang).rstrip("\n") + "\n"


def _templates() -> jinja2.Environment:
    import jinja2      # here: only the HTML page needs it, and importing it costs a plain check ~30 ms
    # a new environment per call: no module-level mutable state (jinja2 caches compiled templates per environment)
    env = jinja2.Environment(loader=jinja2.PackageLoader("partyrules.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["visible"] = visible
    return env


RENDERERS = {"table": render_table, "json": render_json, "html": render_html}
