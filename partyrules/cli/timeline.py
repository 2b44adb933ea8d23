"""``partyrules timeline``: each person in the admission process, step by step, with bounds and states.

``--format json`` prints ``partyrules.timeline/1`` (see :mod:`partyrules.timeline`). Exit status 0, or 2
when the input or an option is wrong; the timeline states facts and deadlines, it does not judge (that is
``partyrules check``).
"""

from __future__ import annotations

import json

import click

from ..citations import parse_citation
from ..report.render import width
from ..report.timeline_section import BOUND_WORDS, STATE_WORDS
from ..timeline import TITLES, Timeline, timeline
from . import emit, main
from .facts_input import facts_input

# the same words as the reports' admission section, so a step reads alike in both
_STATE = STATE_WORDS
_BOUND = BOUND_WORDS
_HEAD = {"zh": ("步骤", "日期", "期限", "状态", "依据"), "en": ("step", "date", "bound", "state", "article")}


def render_timeline_json(tl: Timeline) -> str:
    return json.dumps(tl.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_timeline_table(tl: Timeline, lang: str = "zh") -> str:
    out = [("发展党员工作时间表" if lang == "zh" else "Admission timeline") + f" · {tl.as_of.isoformat()}", ""]
    if not tl.people:
        out.append("没有记录发展党员工作流程的人员。" if lang == "zh" else "Nobody has a recorded admission process.")
    for p in tl.people:
        kind = {"member": ("党员", "member"), "applicant": ("申请人", "applicant")}[p.kind][lang != "zh"]
        out.append(f"{p.name}（{p.id}，{kind}{'，' + p.org if p.org else ''}）" if lang == "zh"
                   else f"{p.name} ({p.id}, {kind}{', ' + p.org if p.org else ''})")
        rows = [_HEAD[lang]]
        for s in p.steps:
            date = s.date.isoformat() if hasattr(s.date, "isoformat") else ("—" if s.date is None else "?")
            bound = ""
            if s.bound_kind is not None:
                bound = f"{_BOUND[lang][s.bound_kind]} {s.bound.isoformat() if s.bound else '…'}"
            state = _STATE[lang][s.state]
            if s.state == "due" and s.days_left is not None:
                state += f"（{s.days_left}天）" if lang == "zh" else f" (in {s.days_left} days)"
            cite = ""
            if s.citation:
                c = parse_citation(s.citation, tl.registry)
                cite = c.label_zh(tl.registry) if lang == "zh" else c.label_en(tl.registry)
            rows.append((TITLES[s.key][0 if lang == "zh" else 1], date, bound, state, cite))
        cols = [max(width(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            out.append(("  " + "  ".join(r[i] + " " * (cols[i] - width(r[i])) for i in range(4)) + "  " + r[4]).rstrip())
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


@main.command("timeline")
@click.argument("facts")
@click.option("--member", "member", metavar="ID", help="Only this member or applicant.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def timeline_command(facts: str, member: str | None, as_of: str | None, fmt: str, lang: str,
                     output: str | None) -> None:
    """The admission timeline of FACTS: each step's date, legal bound with its article, and state."""
    tl = timeline(facts_input(facts), as_of, member=member)
    emit(render_timeline_json(tl) if fmt == "json" else render_timeline_table(tl, lang), output)
