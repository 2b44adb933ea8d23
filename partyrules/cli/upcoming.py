"""``partyrules upcoming``: what comes due on a unit in the next days (``partyrules.upcoming/1``).

    partyrules upcoming FACTS [--within 90] [--as-of D] [--format table|json] [--lang zh|en]

The admission steps of the timeline (``partyrules timeline``) that come due in the
window, or are overdue, follow the duties: a section in the table, and the key
``admission_steps`` in the JSON (an addition to ``partyrules.upcoming/1``).

Exit status 0 (a list of duties is not a verdict), 2 on bad input.
"""

from __future__ import annotations

import json

import click

from ..api import upcoming
from ..citations import parse_citation
from ..report.safe_text import safe_line
from ..timeline import TITLES, timeline
from ..report.upcoming import render_upcoming_json, render_upcoming_table
from ..due import DEFAULT_WITHIN, MAX_WITHIN
from ..facts.load import load_facts
from . import emit, main
from .facts_input import facts_input
from .options import select_options


@main.command("upcoming")
@click.argument("facts")
@click.option("--within", type=click.IntRange(0, MAX_WITHIN), default=DEFAULT_WITHIN, show_default=True,
              metavar="DAYS", help="Days ahead to look (terms of office: at least six months).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the table (JSON carries both).")
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@select_options
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def upcoming_cmd(facts: str, within: int, as_of: str | None, fmt: str, lang: str, packs: tuple[str, ...],
                 no_builtin: bool, select: tuple[str, ...], skip: tuple[str, ...], output: str | None) -> None:
    """List what comes due on the unit of FACTS: terms ending, probations ending, this month's theme day,
    this quarter's general meeting, this year's meetings, reports and training not yet done."""
    # read once for both lists: standard input cannot be read twice, nor a workbook worth reading twice
    facts = load_facts(facts_input(facts))
    up = upcoming(facts, as_of, within=within, policies=packs, builtin=not no_builtin, select=select, skip=skip)
    steps = timeline(facts, as_of).upcoming(within)
    if fmt == "json":
        data = up.to_json()
        data["admission_steps"] = [{"person": {"kind": p.kind, "id": p.id, "name": p.name},
                                    **s.to_json(up.registry)} for p, s in steps]
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_upcoming_table(up, lang) + _steps_table(steps, lang, up.registry)
    emit(text, output, (facts,))


def _steps_table(steps: list, lang: str, registry) -> str:
    """The admission steps coming due (soonest first), then the overdue ones."""
    if not steps:
        return ""
    head = "发展党员环节：即将到期或已逾期" if lang == "zh" else "Admission steps coming due or overdue"
    lines = ["", head, "─" * 72]
    for person, s in steps:
        title = TITLES[s.key][0 if lang == "zh" else 1]
        bound = s.bound.isoformat() if s.bound else ""
        if s.state == "due":
            when = f"还有{s.days_left}天" if lang == "zh" else f"in {s.days_left} days"
        else:
            when = "已逾期" if lang == "zh" else "overdue"
        who = safe_line(f"{person.name}（{person.id}）" if lang == "zh" else f"{person.name} ({person.id})")
        lines.append(f"{bound}  {when}  {title} · {who}")
        if s.citation:
            cite = parse_citation(s.citation, registry)
            lines.append(" " * 12 + (cite.label_zh(registry) if lang == "zh" else cite.label_en(registry)))
    return "\n".join(lines) + "\n"
