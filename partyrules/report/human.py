"""What the human views (table, HTML) show, in the order a party-affairs office acts on it.

The JSON lists every result; a person reads them differently:

1. what is violated, grouped by organization (committee → general branches →
   branches), each finding with the name of whom it concerns, the articles in
   full, a plain message and what the rule requires;
2. what cannot be decided for one subject because one of its facts is missing
   (named in words: "萧红的党费交纳记录");
3. policy failures, if any;
   then what comes due, and the admission process of each person still in it
   (:mod:`.timeline_section`);
4. what could not be checked at all because the court does not record a field
   (``missing_kind: not_recorded``), folded into one entry per field with the
   rules it affects and how to start recording it;
5. with ``--all``, the satisfied and not-applicable results.

:func:`human_report` builds this once, as plain values with every text already
made visible (:func:`visible`); the table and the HTML template only lay it out.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..facts.model import OMITTED, FactDocument
from ..facts.recorded import field_pattern
from .model import Report, Result
from .safe_text import visible
from .timeline_section import TimelineSection, timeline_section
from .words import describe, field_words, how_to_record

KIND_RANK = {"committee": 0, "general_branch": 1, "branch": 2}

WORDS = {
    "zh": {
        "heading": "党组织工作合规检查报告", "date": "检查日期", "engine": "引擎", "revision": "规则版本",
        "digest": "规则库摘要", "summary": "各党组织情况汇总", "org": "党组织", "violations": "违反",
        "warnings": "警告", "unknowns": "待补充事实", "errors": "出错", "total": "合计",
        "s_violated": "一、发现的问题", "s_unknown": "二、需要补充事实才能判定的事项", "s_error": "三、检查出错的规则",
        "s_not_recorded": "本次未能核查的事项", "s_other": "其他检查结果（符合、不适用）",
        "none": "未发现违反规定的问题。", "subject": "对象", "finding": "问题", "basis": "依据", "todo": "处理建议",
        "requires": "规定要求：", "supply": "请补充：", "cannot": "无法判定：缺少", "unit_group": "（单位）",
        "no_org": "未编入党组织的党员", "not_recorded_line": "贵院未记录“{what}”（涉及规则：{rules}；共{n}项无法核查）",
        "how": "如需核查：", "notices": "提示", "overall": "检查结果", "exception": "例外：",
        "unverified": "（未核实）", "sep": "、", "colon": "：", "fault": "请将此情况报告给规则维护人员。",
        "outcome": {"error": "违反", "warning": "警告", "unknown": "待补充", "fault": "出错", "satisfied": "符合",
                    "not_applicable": "不适用"},
        "kind": {"unit": "单位", "department": "部门", "organization": "党组织", "member": "党员",
                 "applicant": "入党申请人"},
        "counts": "违反 {violations} · 警告 {warnings} · 待补充事实 {unknowns} · 未记录而未能核查 {not_recorded}"
                  " · 出错 {errors} · 符合 {satisfied} · 不适用 {not_applicable}",
        "page": "第 {page} 页", "rules_sep": "；",
    },
    "en": {
        "heading": "Party organization compliance report", "date": "as of", "engine": "engine",
        "revision": "rules", "digest": "rulebook digest", "summary": "Summary by organization",
        "org": "organization", "violations": "violations", "warnings": "warnings", "unknowns": "facts needed",
        "errors": "errors", "total": "total",
        "s_violated": "1. Findings", "s_unknown": "2. Cannot be decided until a fact is supplied",
        "s_error": "3. Rules that failed", "s_not_recorded": "Not checked this time",
        "s_other": "Other results (satisfied, not applicable)",
        "none": "No violation found.", "subject": "subject", "finding": "finding", "basis": "articles",
        "todo": "what to do", "requires": "The rule: ", "supply": "Please supply: ", "cannot": "Cannot decide: missing ",
        "unit_group": " (unit)", "no_org": "Members not enrolled in any organization",
        "not_recorded_line": "The court does not record {what} (rules: {rules}; {n} checks could not be made)",
        "how": "To check it: ", "notices": "Notices", "overall": "Results", "exception": "Exception: ",
        "unverified": " (unverified)", "sep": ", ", "colon": ": ", "fault": "Please report this to the rule maintainers.",
        "outcome": {"error": "violated", "warning": "warning", "unknown": "fact needed", "fault": "error",
                    "satisfied": "satisfied", "not_applicable": "n/a"},
        "kind": {"unit": "unit", "department": "department", "organization": "organization", "member": "member",
                 "applicant": "applicant"},
        "counts": "violations {violations} · warnings {warnings} · facts needed {unknowns} · not recorded "
                  "{not_recorded} · errors {errors} · satisfied {satisfied} · not applicable {not_applicable}",
        "page": "page {page}", "rules_sep": "; ",
    },
}


@attrs.frozen
class Finding:
    level: str                  # error | warning | unknown | fault | satisfied | not_applicable (a CSS class too)
    outcome: str                # the word for it
    subject: str                # whom it concerns, by name
    subject_kind: str
    policy: str
    citations: tuple[str, ...]
    message: str
    todo: tuple[str, ...]


@attrs.frozen
class Group:
    name: str
    findings: tuple[Finding, ...]


@attrs.frozen
class Section:
    key: str
    title: str
    groups: tuple[Group, ...]

    @property
    def count(self) -> int:
        return sum(len(g.findings) for g in self.groups)


@attrs.frozen
class OrgRow:
    name: str
    violations: int
    warnings: int
    unknowns: int
    errors: int


@attrs.frozen
class NotRecorded:
    """One field the court does not record, and the rules that could therefore not be checked."""

    field: str
    line: str
    how: str
    rules: tuple[str, ...]


@attrs.frozen
class HumanReport:
    lang: str
    title: str
    unit_name: str
    as_of: str
    revision: str
    engine: str
    counts: str
    org_rows: tuple[OrgRow, ...]
    totals: OrgRow
    any_errors: bool
    sections: tuple[Section, ...]
    not_recorded: tuple[NotRecorded, ...]
    notices: tuple[str, ...]
    words: dict
    upcoming: tuple[dict, ...] = ()       # what comes due (report.upcoming), as rows of plain text
    upcoming_heading: str = ""
    timeline: TimelineSection | None = None   # the people still in the admission process, step by step


def tool_version() -> str:
    from importlib import metadata       # here: a report made by check() carries its version already
    try:
        return metadata.version("partyrules")
    except metadata.PackageNotFoundError:     # run from a source tree that was never installed
        return "unknown"


def revision(report: Report, lang: str) -> str:
    """The rulebook revision: the tool version, and the rulebook digest where the report carries one."""
    w = WORDS[lang]
    version = getattr(report, "tool_version", "") or tool_version()
    text = f"partyrules {version}"
    digest = getattr(report, "rulebook_digest", "")       # the hook for a report that names its rulebook
    if digest:
        text += f" · {w['digest']} {digest[:16]}"
    return text


def human_report(report: Report, all_results: bool = False, lang: str = "zh") -> HumanReport:
    w = WORDS[lang]
    facts = report.facts
    places = _Places(facts, lang)
    unit_name = getattr(report, "unit_name", "") or places.unit_name or report.unit
    violated, unknown, faults, other = [], [], [], []
    folded: list[Result] = []
    # listed(): the satisfied and not-applicable results are not made unless shown (report.model.Results)
    for r in report.listed(all_results):
        if r.outcome == "violated":
            violated.append(r)
        elif r.outcome == "unknown":
            (folded if r.not_recorded else unknown).append(r)
        elif r.outcome == "error":
            faults.append(r)
        elif all_results:
            other.append(r)
    sections = []
    for key, results in (("violated", violated), ("unknown", unknown), ("error", faults), ("other", other)):
        if results or key == "violated":
            sections.append(Section(key, w[f"s_{key}"], _groups(results, report, places, lang)))
    rows, totals = _org_rows(report, places, lang)
    summary = report.summary
    counts = w["counts"].format(
        violations=sum(1 for r in violated if r.severity != "warning"),
        warnings=sum(1 for r in violated if r.severity == "warning"),
        unknowns=len(unknown), not_recorded=len(folded), errors=len(faults),
        satisfied=summary["satisfied"], not_applicable=summary["not_applicable"])
    return HumanReport(
        lang=lang, title=visible(f"{unit_name} · {w['heading']}"), unit_name=visible(unit_name),
        as_of=report.as_of.isoformat(), revision=visible(revision(report, lang)), engine=report.engine,
        counts=counts, org_rows=rows, totals=totals, any_errors=bool(faults), sections=tuple(sections),
        not_recorded=_not_recorded(folded, lang),
        notices=tuple(visible(n.message[lang]) for n in report.notices), words=w,
        upcoming=_upcoming(report, lang), upcoming_heading=_upcoming_heading(report, lang),
        timeline=timeline_section(report, lang))


def _upcoming(report: Report, lang: str) -> tuple[dict, ...]:
    """The coming-due rows (the same list as ``partyrules upcoming``), every text made safe to show."""
    up = getattr(report, "upcoming", None)
    if up is None:
        return ()
    from .upcoming import upcoming_rows
    return tuple({k: (visible(v) if isinstance(v, str) else tuple(visible(x) for x in v) if isinstance(v, list)
                      else v) for k, v in row.items()} for row in upcoming_rows(up, lang))


def _upcoming_heading(report: Report, lang: str) -> str:
    up = getattr(report, "upcoming", None)
    if up is None:
        return ""
    return (f"即将到期的事项（{up.within}天内，至{up.until.isoformat()}）" if lang == "zh"
            else f"Coming due (next {up.within} days, until {up.until.isoformat()})")


def _finding(r: Result, report: Report, places: "_Places", lang: str) -> Finding:
    w = WORDS[lang]
    level = {"violated": "warning" if r.severity == "warning" else "error", "error": "fault"}.get(r.outcome, r.outcome)
    cites = []
    for spec in r.citations:
        c = spec.citation
        label = c.label_zh(report.registry) if lang == "zh" else c.label_en(report.registry)
        cites.append(label + ("" if spec.verified else w["unverified"]))
    title = r.title.get(lang, "")
    message = r.message[lang]
    todo: list[str] = []
    missing = [describe(p, places.facts, lang) for p in r.missing]
    if r.outcome == "unknown":
        if message == _generic_unknown(r.missing, lang) or not message:
            message = w["cannot"] + w["sep"].join(missing)
        todo.append(w["supply"] + w["sep"].join(missing))
    elif r.outcome == "violated":
        if title:
            todo.append(w["requires"] + title)
    elif r.outcome == "error":
        todo.append(w["fault"])
    for note in r.evidence.get("exception", ()) if isinstance(r.evidence, dict) else ():
        todo.append(w["exception"] + note[lang])
    return Finding(level=level, outcome=w["outcome"][level], subject=visible(places.subject_name(r)),
                   subject_kind=w["kind"].get(r.subject.kind, r.subject.kind), policy=visible(r.policy),
                   citations=tuple(visible(c) for c in cites), message=visible(message),
                   todo=tuple(visible(t) for t in todo))


def _generic_unknown(missing: tuple[str, ...], lang: str) -> str:
    """The engines' message for an unknown ("缺少事实，无法判定：paths"), which the words replace."""
    paths = sorted(missing)
    return f"缺少事实，无法判定：{'、'.join(paths)}" if lang == "zh" else f"Cannot decide: facts missing: {', '.join(paths)}"


def _groups(results: list[Result], report: Report, places: "_Places", lang: str) -> tuple[Group, ...]:
    by_place: dict[tuple, list[Result]] = {}
    for r in results:
        by_place.setdefault(places.place_of(r), []).append(r)
    out = []
    for place in sorted(by_place):
        items = sorted(by_place[place], key=lambda r: (_OUTCOME_RANK.get(r.outcome, 9), r.sort_key()))
        out.append(Group(visible(place[2]), tuple(_finding(r, report, places, lang) for r in items)))
    return tuple(out)


_OUTCOME_RANK = {"violated": 0, "unknown": 1, "error": 2, "satisfied": 3, "not_applicable": 4}


def _org_rows(report: Report, places: "_Places", lang: str) -> tuple[tuple[OrgRow, ...], OrgRow]:
    counts: dict[tuple, list[int]] = {p: [0, 0, 0, 0] for p in places.all_places()}
    for r in report.listed():           # the outcomes counted below, none of the others made
        if r.outcome == "violated":
            i = 1 if r.severity == "warning" else 0
        elif r.outcome == "unknown" and not r.not_recorded:
            i = 2
        elif r.outcome == "error":
            i = 3
        else:
            continue
        counts.setdefault(places.place_of(r), [0, 0, 0, 0])[i] += 1
    rows = tuple(OrgRow(visible(p[2]), *c) for p, c in sorted(counts.items()))
    totals = OrgRow(WORDS[lang]["total"], *(sum(c[i] for c in counts.values()) for i in range(4)))
    return rows, totals


def _not_recorded(results: list[Result], lang: str) -> tuple[NotRecorded, ...]:
    """One entry per field the court does not record: the rules it affects (by title) and how to record it."""
    w = WORDS[lang]
    rules: dict[str, dict[str, str]] = {}
    checks: dict[str, int] = {}
    for r in results:
        for pattern in sorted({field_pattern(p) for p in r.missing}):
            rules.setdefault(pattern, {})[r.policy] = r.title.get(lang) or r.policy
            checks[pattern] = checks.get(pattern, 0) + 1
    out = []
    for pattern in sorted(rules, key=lambda p: (-checks[p], p)):
        titles = w["rules_sep"].join(rules[pattern][pid] for pid in sorted(rules[pattern]))
        line = w["not_recorded_line"].format(what=field_words(pattern, lang), rules=titles, n=checks[pattern])
        out.append(NotRecorded(visible(pattern), visible(line), visible(w["how"] + how_to_record(pattern, lang)),
                               tuple(visible(p) for p in sorted(rules[pattern]))))
    return tuple(out)


class _Places:
    """Where a result belongs in the report (its organization) and whom it names, from the document."""

    def __init__(self, facts: FactDocument | None, lang: str) -> None:
        self.facts = facts
        self.lang = lang
        w = WORDS[lang]
        self.unit_name = ""
        self.orgs: dict[str, tuple] = {}
        self.member_org: dict[Any, Any] = {}    # member id, or ("applicant", id) → organization id
        self.dept_org: dict[str, str] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.kind_words = w["kind"]
        if facts is None:        # a report built without its document: group by what the results say
            self.unit_place = (0, 0, w["kind"]["unit"])
            self.no_org = (9, 0, w["kind"]["member"])
            return
        unit = facts.unit
        if unit is not OMITTED:
            self.unit_name = unit.name if unit.name is not OMITTED else unit.id
            self.names[("unit", unit.id)] = self.unit_name
            for d in unit.departments if unit.departments is not OMITTED else ():
                self.names[("department", d.id)] = d.name if d.name is not OMITTED else d.id
        self.unit_place = (0, 0, self.unit_name + w["unit_group"])
        self.no_org = (9, 0, w["no_org"])
        for i, o in enumerate(facts.organizations if facts.organizations is not OMITTED else ()):
            name = o.name if o.name is not OMITTED else o.id
            self.orgs[o.id] = (1 + KIND_RANK.get(o.kind, 3), i, name)
            self.names[("organization", o.id)] = name
            for d in o.departments if o.departments is not OMITTED else ():
                self.dept_org.setdefault(d, o.id)
        for m in facts.members if facts.members is not OMITTED else ():
            self.names[("member", m.id)] = m.name if m.name is not OMITTED else m.id
            self.member_org[m.id] = m.org
        for a in facts.applicants if facts.applicants is not OMITTED else ():
            self.names[("applicant", a.id)] = a.name if a.name is not OMITTED else a.id
            self.member_org[("applicant", a.id)] = a.org

    def all_places(self) -> list[tuple]:
        return ([self.unit_place] if self.facts is not None and self.facts.unit is not OMITTED else []) + \
            list(self.orgs.values())

    def place_of(self, r: Result) -> tuple:
        kind, sid = r.subject.kind, r.subject.id
        if self.facts is None and kind == "organization":
            return (2, 0, r.subject.name or sid)
        if kind == "organization" and sid in self.orgs:
            return self.orgs[sid]
        if kind in ("member", "applicant"):
            org = self.member_org.get(sid if kind == "member" else (kind, sid), OMITTED)
            if isinstance(org, str) and org in self.orgs:
                return self.orgs[org]
            return self.no_org
        if kind == "department" and sid in self.dept_org:
            return self.orgs[self.dept_org[sid]]
        return self.unit_place

    def subject_name(self, r: Result) -> str:
        return self.names.get((r.subject.kind, r.subject.id)) or r.subject.name or r.subject.id
