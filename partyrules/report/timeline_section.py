"""The admission-timeline section of the reports (table, HTML, xlsx): the people still in the process.

For each applicant and each member not yet a full member, every step of
:func:`partyrules.timeline.timeline` with its date, its legal bound with the
article that sets it, and its state (done in time, late, due in N days,
overdue, not recorded, …). Members whose process is over are left out: what
went wrong in it is among the findings. The section is omitted when the check
did not look at the development rules (``--select``, a rulebook without them)
or when nobody is in the process.

Every text is made visible (:func:`.safe_text.visible`): names come from the fact document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ..citations import parse_citation
from ..facts.model import OMITTED
from .model import Report
from .safe_text import visible

INSTRUMENT = "devt-rules"

STATE_WORDS = {
    "zh": {"done_in_time": "按时完成", "done": "已完成", "late": "逾期完成", "early": "提前（未满期限）",
           "due": "待办", "overdue": "已逾期", "waiting": "未到期", "missing": "缺失", "not_recorded": "未记录",
           "edition_not_encoded": "版本未编入"},
    "en": {"done_in_time": "done in time", "done": "done", "late": "late", "early": "too early",
           "due": "due", "overdue": "overdue", "waiting": "not yet", "missing": "missing",
           "not_recorded": "not recorded", "edition_not_encoded": "edition not encoded"},
}
# how a state reads at a glance (a CSS class in the HTML)
STATE_LEVEL = {"done_in_time": "ok", "done": "ok", "late": "bad", "early": "bad", "missing": "bad", "overdue": "bad",
               "due": "due", "waiting": "wait", "not_recorded": "unknown", "edition_not_encoded": "wait"}
BOUND_WORDS = {"zh": {"by": "不迟于", "not_before": "不早于", "before": "早于"},
               "en": {"by": "by", "not_before": "not before", "before": "before"}}
KIND_WORDS = {"zh": {"applicant": "入党申请人", "member": "预备党员"},
              "en": {"applicant": "applicant", "member": "probationary member"}}
WORDS = {
    "zh": {"heading": "发展党员工作进度（正在发展的{n}人）", "step": "步骤", "date": "日期", "bound": "期限",
           "state": "状态", "basis": "依据", "not_recorded": "未记录", "not_done": "—", "later": "后续步骤",
           "days": "（还有{n}天）", "basis_note": "各项期限的依据：{instrument}"},
    "en": {"heading": "Admission process ({n} people in it)", "step": "step", "date": "date", "bound": "bound",
           "state": "state", "basis": "article", "not_recorded": "not recorded", "not_done": "—",
           "later": " the next step", "days": " (in {n} days)", "basis_note": "The bounds are set by {instrument}."},
}


@attrs.frozen
class TimelineRow:
    step: str
    date: str
    bound: str
    state: str
    level: str            # ok | bad | due | wait | unknown
    citation: str         # the article that sets the bound, in full ("" when none does)
    article: str = ""     # the same without the instrument when the section names it once (第十一条)


@attrs.frozen
class TimelinePerson:
    name: str
    kind: str
    org: str
    rows: tuple[TimelineRow, ...]


@attrs.frozen
class TimelineSection:
    heading: str
    words: dict
    people: tuple[TimelinePerson, ...]
    basis: str = ""       # the instrument every bound is cited from, said once ("" when they differ)


def report_timeline(report: Report) -> Any:
    """The :class:`~partyrules.timeline.Timeline` of the report's document on its date, or None when the
    report did not check the development rules or carries no document."""
    if report.facts is None or not any(r.instrument == INSTRUMENT for r in report.results):
        return None
    from ..admission import admission_timeline
    from ..rulebook.load import load_rulebook
    return admission_timeline(report.facts, report.as_of, load_rulebook())


def timeline_section(report: Report, lang: str = "zh") -> TimelineSection | None:
    """The section's rows, every text visible; None when nobody is in the process."""
    tl = report_timeline(report)
    people = tl.in_process() if tl is not None else ()
    if not people:
        return None
    w = WORDS[lang]
    org_names = _org_names(report.facts)
    out = []
    for p in people:
        rows = []
        for s in p.steps:
            step, date, bound, state, cite = (visible(x) for x in _row(s, tl.registry, lang))
            rows.append(TimelineRow(step, date, bound, state, STATE_LEVEL[s.state], cite,
                                    _article(s.citation, tl.registry, lang)))
        org = org_names.get(p.org, p.org) if p.org else ""
        out.append(TimelinePerson(visible(p.name), KIND_WORDS[lang][p.kind], visible(org or ""), tuple(rows)))
    instruments = {_instrument(s.citation, tl.registry, lang) for p in people for s in p.steps if s.citation}
    if len(instruments) != 1:          # not one instrument to name once: every row cites in full
        out = [attrs.evolve(p, rows=tuple(attrs.evolve(r, article=r.citation) for r in p.rows)) for p in out]
        return TimelineSection(w["heading"].format(n=len(out)), w, tuple(out))
    return TimelineSection(w["heading"].format(n=len(out)), w, tuple(out),
                           w["basis_note"].format(instrument=instruments.pop()))


def _row(s: Any, registry: Any, lang: str) -> tuple[str, str, str, str, str]:
    """(step, date, bound, state, article) in words."""
    from ..admission import TITLES
    w = WORDS[lang]
    date = s.date.isoformat() if isinstance(s.date, dt.date) else (w["not_done"] if s.date is None
                                                                   else w["not_recorded"])
    bound = ""
    if s.bound_kind is not None:
        word = BOUND_WORDS[lang][s.bound_kind]
        bound = f"{word} {s.bound.isoformat()}" if s.bound else word + w["later"]
    state = STATE_WORDS[lang][s.state]
    if s.state == "due" and s.days_left is not None:
        state += w["days"].format(n=s.days_left)
    cite = ""
    if s.citation:
        c = parse_citation(s.citation, registry)
        cite = c.label_zh(registry) if lang == "zh" else c.label_en(registry)
    return TITLES[s.key][0 if lang == "zh" else 1], date, bound, state, cite


def _instrument(ref: str, registry: Any, lang: str) -> str:
    """The instrument and edition part of a citation's label: 《中国共产党发展党员工作细则》（2014年）."""
    c = parse_citation(ref, registry)
    full = c.label_zh(registry) if lang == "zh" else c.label_en(registry)
    return full[:len(full) - len(_article(ref, registry, lang))].rstrip(", ")


def _article(ref: str | None, registry: Any, lang: str) -> str:
    """The article part of a citation's label: 第十一条 (Article 11)."""
    if not ref:
        return ""
    c = parse_citation(ref, registry)
    full = c.label_zh(registry) if lang == "zh" else c.label_en(registry)
    # 《title》（edition）第N条…: from the first 第 after the title; Title (edition), Article N…
    at = full.index("第", full.rindex("》")) if lang == "zh" else full.rindex(", Article ") + 2
    return full[at:]


def _org_names(facts: Any) -> dict[str, str]:
    if facts is None or facts.organizations is OMITTED:
        return {}
    return {o.id: (o.name if o.name is not OMITTED else o.id) for o in facts.organizations}


def timeline_sheet_rows(report: Report) -> list[tuple]:
    """The xlsx sheet's rows (Chinese): name, standing, organization, step, date, bound, state, article."""
    section = timeline_section(report, "zh")
    if section is None:
        return []
    return [(p.name, p.kind, p.org, r.step, _day(r.date), r.bound, r.state, r.citation)
            for p in section.people for r in p.rows]


def _day(text: str) -> Any:
    """A date cell where the step has a date (a spreadsheet sorts and filters it), else the words."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text
