"""What is coming due: the duties of a unit whose date falls in the next days (``partyrules.upcoming/1``).

    >>> items = partyrules.upcoming("court.yaml", as_of="2024-06-30", within=90)
    >>> [(i.due.isoformat(), i.kind, i.subject.id) for i in items.items]

A check says what went wrong; this says what to do next. Every item is tied to
the policy that would report it once missed, and cites the same articles that
policy cites on the evaluation date; an item whose policy is not in force (or
was left out with ``select``/``skip``) is not listed. The dates and numbers are
those the policies use: the usual term of the organization's kind in force on
the day the term began (``param(name, day)``), the probation of the
Constitution, calendar months, quarters and years.

Only what the recorded facts settle is listed. A duty already done (a record
dated in the current period, on or before the evaluation date) is not listed;
neither is one whose records cannot say (meetings or activities omitted, or
the records starting after the period began): the check reports those as
unknown. The window runs from the evaluation date to ``within`` days after it;
terms of office are listed from six months ahead whatever the window, because a
re-election needs the higher organization's approval and preparation.

This module sits beside the engine: it reads facts, rulebook and citations,
and is called from :mod:`partyrules.api` and the CLI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import attrs

from .citations import Registry
from .facts.model import OMITTED, Member, Organization
from .facts.view import View
from .periods import Period, add_months, add_years
from .rulebook.load import Rulebook
from .rulebook.policy import CitationSpec, Policy

FORMAT = "partyrules.upcoming/1"
DEFAULT_WITHIN = 90
TERM_NOTICE_MONTHS = 6      # terms of office are listed from this many months before they end
MAX_WITHIN = 3660           # ten years: a window beyond that is a typo, not a plan

# The usual term of each kind of organization: the parameters organs.org.reelection-on-time reads.
TERM_PARAMS = {"committee": "organs.committee_term_years", "general_branch": "organs.general_branch_term_years",
               "branch": "organs.branch_term_years"}
REELECTION_POLICY = "organs.org.reelection-on-time"
TERM_LIMIT_POLICY = "constitution.org.term-limit"
PROBATION_POLICY = "constitution.member.probation-decided"
TRAINING_POLICY = "member-edu.member.yearly-training-hours"
LECTURE_POLICY = "branch-regs.committee.secretary-yearly-lecture"
SECRETARY_REPORT_POLICY = "organs.org.yearly-secretary-report"

# Recurring meetings of a branch: (item kind, meeting kind, period, policy).
BRANCH_MEETINGS = (
    ("theme_day", "theme_day", "month", "branch-regs.branch.monthly-theme-day"),
    ("general_meeting", "general_meeting", "quarter", "branch-regs.branch.quarterly-general-meeting"),
    ("org_life_meeting", "org_life_meeting", "year", "branch-regs.branch.yearly-org-life-meeting"),
    ("democratic_review", "democratic_review", "year", "branch-regs.branch.yearly-democratic-review"),
)

KINDS = ("term_end", "postponement_end", "probation_end", "theme_day", "general_meeting", "secretary_lecture",
         "org_life_meeting", "democratic_review", "secretary_report", "training_hours")
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}
_SUBJECT_RANK = {"unit": 0, "department": 1, "organization": 2, "member": 3}

# What is due, in the words of a party-affairs office; {…} are filled from the item's evidence.
TITLES = {
    "term_end": {"zh": "任期届满，应按时换届选举（任期{term_years}年，{election_date}选举产生）",
                 "en": "Term of office ends: re-election due (elected {election_date} for {term_years} years)"},
    "postponement_end": {"zh": "经批准推迟换届的期限届满，应完成换届选举（{election_date}选举产生）",
                         "en": "The approved postponement of the re-election runs out (elected {election_date})"},
    "probation_end": {"zh": "预备期届满，支部大会应及时讨论其转正（{admitted_on}接收为预备党员）",
                      "en": "Probation ends: the branch general meeting decides on conversion (accepted {admitted_on})"},
    "theme_day": {"zh": "本月（{period}）主题党日尚未开展", "en": "No Party theme day yet this month ({period})"},
    "general_meeting": {"zh": "本季度（{period}）党员大会尚未召开",
                        "en": "No general meeting (党员大会) yet this quarter ({period})"},
    "secretary_lecture": {"zh": "党委书记{secretary_name}本年度（{period}）尚未讲党课",
                          "en": "The committee secretary, {secretary_name}, has given no Party lecture yet this year "
                                "({period})"},
    "org_life_meeting": {"zh": "本年度（{period}）组织生活会尚未召开",
                         "en": "No organisational-life meeting (组织生活会) yet this year ({period})"},
    "democratic_review": {"zh": "本年度（{period}）民主评议党员尚未开展",
                          "en": "No democratic review of members (民主评议党员) yet this year ({period})"},
    "secretary_report": {"zh": "本年度（{period}）书记抓党建述职尚未进行",
                         "en": "No secretary's report on Party building (述职) yet this year ({period})"},
    "training_hours": {"zh": "本年度（{period}）集中学习培训已记录{hours}学时，不少于{min_hours}学时",
                       "en": "Training this year ({period}): {hours} class hours recorded of at least {min_hours}"},
}


@attrs.frozen
class Concerned:
    """Whom an item concerns: an organization or a member, with its name (its id when it has none)."""

    kind: str
    id: str
    name: str


@attrs.frozen
class DueItem:
    """One duty coming due: what, by when, under which policy and articles, and for whom."""

    kind: str
    due: dt.date
    days_left: int
    policy: str
    severity: str
    subject: Concerned
    citations: tuple[CitationSpec, ...]
    evidence: tuple[tuple[str, Any], ...] = ()    # (name, value) pairs the title is filled from
    period: str | None = None                     # the month, quarter or year of a recurring duty

    def sort_key(self) -> tuple:
        return (self.due, _KIND_RANK[self.kind], _SUBJECT_RANK.get(self.subject.kind, 9), self.subject.id,
                self.policy)

    def title(self) -> dict[str, str]:
        values = {k: _show(v) for k, v in self.evidence}
        values["period"] = self.period or ""
        return {lang: TITLES[self.kind][lang].format(**values) for lang in ("zh", "en")}

    def to_json(self, registry: Registry) -> dict:
        return {
            "kind": self.kind,
            "due": self.due.isoformat(),
            "days_left": self.days_left,
            "period": self.period,
            "policy": self.policy,
            "severity": self.severity,
            "subject": {"kind": self.subject.kind, "id": self.subject.id, "name": self.subject.name},
            "citations": [c.to_json(registry) for c in self.citations],
            "title": self.title(),
            "evidence": {k: _show(v) for k, v in self.evidence},
        }


@attrs.frozen
class Upcoming:
    """The items coming due on a unit, in order of due date (then kind and subject)."""

    unit: str
    unit_name: str
    as_of: dt.date
    within: int
    until: dt.date             # the last day of the window
    terms_until: dt.date       # the last day for terms of office (six months ahead, or the window if longer)
    items: tuple[DueItem, ...]
    registry: Registry = attrs.field(eq=False, repr=False)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "as_of": self.as_of.isoformat(),
            "within": self.within,
            "until": self.until.isoformat(),
            "terms_until": self.terms_until.isoformat(),
            "items": [i.to_json(self.registry) for i in self.items],
        }


def _show(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_within(within: Any) -> int:
    """The window in days: a whole number from 0 to :data:`MAX_WITHIN` (a :class:`UsageError` otherwise)."""
    from .errors import UsageError
    if isinstance(within, bool) or not isinstance(within, int) or not 0 <= within <= MAX_WITHIN:
        raise UsageError(f"within: expected a whole number of days from 0 to {MAX_WITHIN}, got {within!r}")
    return within


def compute(book: Rulebook, view: View, policies: Iterable[Policy], within: int = DEFAULT_WITHIN) -> Upcoming:
    """The items of ``view``'s facts coming due from its date to ``within`` days later, under ``policies``.

    ``policies`` are those that apply (in force, selected): an item is listed only
    under its policy, and cites what that policy cites on the date.
    """
    within = check_within(within)
    on = view.as_of
    until = on + dt.timedelta(days=within)
    terms_until = max(until, add_months(on, TERM_NOTICE_MONTHS))
    finder = _Finder(book, view, {p.id: p for p in policies}, on)
    items = finder.terms(terms_until) + finder.probations(until) + finder.recurring(until) + finder.training(until)
    unit = view.facts.unit
    unit_id = unit.id if unit is not OMITTED else ""
    unit_name = unit.name if unit is not OMITTED and unit.name is not OMITTED else unit_id
    return Upcoming(unit_id, unit_name, on, within, until, terms_until, tuple(sorted(items, key=DueItem.sort_key)),
                    book.registry)


def _name(entity: Any) -> str:
    return entity.name if entity.name is not OMITTED else entity.id


def _org(o: Organization) -> Concerned:
    return Concerned("organization", o.id, _name(o))


def _member(m: Member) -> Concerned:
    return Concerned("member", m.id, _name(m))


@attrs.frozen
class _Finder:
    """Looks for each kind of item; one per call of :func:`compute`, so nothing is shared between threads."""

    book: Rulebook
    view: View
    policies: dict
    on: dt.date

    def _param(self, name: str, day: dt.date) -> Any:
        found = self.book.params.by_name.get(name)
        value = found.at(day) if found is not None else None
        return None if value is None else value.value

    def _item(self, kind: str, due: dt.date, policy: Policy, subject: Concerned, org_kind: str | None,
              evidence: dict, period: str | None = None) -> DueItem:
        reg = self.book.registry
        cites = tuple(c for c in policy.citations
                      if reg.is_in_force(c.citation.instrument, c.citation.edition, self.on) and c.cited_for(org_kind))
        return DueItem(kind, due, (due - self.on).days, policy.id, policy.severity, subject, cites,
                       tuple(evidence.items()), period)

    def _orgs(self) -> tuple[Organization, ...]:
        orgs = self.view.facts.organizations
        return () if orgs is OMITTED else orgs

    # ---- terms of office ------------------------------------------------------------------------------
    def terms(self, terms_until: dt.date) -> list[DueItem]:
        """Terms ending (the usual term, else the Constitution's bound), and approved postponements running out."""
        out = []
        for o in self._orgs():
            if o.elections is OMITTED:
                continue
            held = [e for e in o.elections if e.date <= self.on]
            if not held:
                continue
            latest = max(held, key=lambda e: e.date)
            years = self._param(TERM_PARAMS[o.kind], latest.date)
            policy = self.policies.get(REELECTION_POLICY)
            if years is None:        # no encoded rule set the usual term then: the Constitution's bound
                years = self._param("constitution.max_term_years", self.on)
                policy = self.policies.get(TERM_LIMIT_POLICY)
            if policy is None or years is None:
                continue
            end = add_years(latest.date, years)
            evidence = {"election_date": latest.date, "term_years": years, "term_end": end}
            if self.on <= end <= terms_until:
                out.append(self._item("term_end", end, policy, _org(o), o.kind, evidence))
            elif end < self.on:
                until = o.postponement_approved_until
                if until is not OMITTED and until is not None and self.on <= until <= terms_until:
                    out.append(self._item("postponement_end", until, policy, _org(o), o.kind, evidence))
        return out

    # ---- probation -------------------------------------------------------------------------------------
    def probations(self, until: dt.date) -> list[DueItem]:
        """Probationary members whose probation (one year, two when extended) ends in the window, undecided."""
        policy = self.policies.get(PROBATION_POLICY)
        members = self.view.facts.members
        if policy is None or members is OMITTED:
            return []
        since = policy.rule_from(self.book.registry)
        first = self._param("constitution.probation_years", self.on)
        extra = self._param("constitution.max_probation_extension_years", self.on)
        if first is None or extra is None:
            return []
        out = []
        for m in members:
            if m.admitted_on is OMITTED or m.admitted_on < since or self.view.status(m) != "probationary":
                continue
            decided = m.conversion_meeting_on
            if decided is not OMITTED and decided is not None and decided <= self.on:
                continue          # the general meeting has decided: nothing is due
            end = add_years(m.admitted_on, first)
            if end < self.on:     # the first year is over: due only when the probation was extended
                if m.probation_extended is OMITTED or m.probation_extended is not True:
                    continue      # overdue (a violation of the check) or not recorded (unknown there)
                end = add_years(m.admitted_on, first + extra)
            if self.on <= end <= until:
                out.append(self._item("probation_end", end, policy, _member(m), None,
                                      {"admitted_on": m.admitted_on, "probation_end": end}))
        return out

    # ---- recurring meetings and activities -----------------------------------------------------------
    def _open_period(self, kind: str, since: dt.date, established: Any, until: dt.date) -> Period | None:
        """The current period when it is due in the window, required, and recorded from its first day."""
        p = Period.containing(kind, self.on)
        if p.last_day() > until or p.first_day() < since:
            return None
        if established is not OMITTED and established is not None and p.first_day() < established:
            return None
        rf = self.view.records_from
        if rf is None or p.first_day() < rf:
            return None           # a record before the records start may exist: not known to be open
        return p

    def recurring(self, until: dt.date) -> list[DueItem]:
        facts = self.view.facts
        out = []
        meetings = facts.meetings
        # this year's meetings up to the evaluation date, by organization: every period looked at lies in them
        year_start = Period.containing("year", self.on).first_day()
        recent: dict[str, list] = {}
        if meetings is not OMITTED:
            for m in meetings:
                if year_start <= m.date <= self.on:
                    recent.setdefault(m.org, []).append(m)
        for o in self._orgs():
            if meetings is not OMITTED and o.kind == "branch":
                for kind, meeting_kind, period, policy_id in BRANCH_MEETINGS:
                    policy = self.policies.get(policy_id)
                    if policy is None:
                        continue
                    p = self._open_period(period, policy.rule_from(self.book.registry), o.established_on, until)
                    if p is not None and not any(m.kind == meeting_kind and p.first_day() <= m.date
                                                 for m in recent.get(o.id, ())):
                        out.append(self._item(kind, p.last_day(), policy, _org(o), o.kind, {}, str(p)))
            lecture = self.policies.get(LECTURE_POLICY)
            if (lecture is not None and meetings is not OMITTED and o.kind == "committee"
                    and o.secretary is not OMITTED and o.secretary is not None):
                p = self._open_period("year", lecture.rule_from(self.book.registry), OMITTED, until)
                # a lecture counts whichever organization held it
                if p is not None and not any(m.kind == "party_lecture"
                                             and (m.lecturer is OMITTED or m.lecturer == o.secretary)
                                             for ms in recent.values() for m in ms):
                    # a lecture whose lecturer was not recorded may have been the secretary's: not known to be open
                    who = self.view.members.get(o.secretary)
                    out.append(self._item("secretary_lecture", p.last_day(), lecture, _org(o), o.kind,
                                          {"secretary": o.secretary,
                                           "secretary_name": _name(who) if who is not None else o.secretary},
                                          str(p)))
            report = self.policies.get(SECRETARY_REPORT_POLICY)
            if report is not None and facts.activities is not OMITTED:
                p = self._open_period("year", report.rule_from(self.book.registry), o.established_on, until)
                if p is not None and not any(a.kind == "secretary_report" and a.org is not OMITTED and a.org == o.id
                                             and p.first_day() <= a.date <= self.on for a in facts.activities):
                    out.append(self._item("secretary_report", p.last_day(), report, _org(o), o.kind, {}, str(p)))
        return out

    # ---- training hours --------------------------------------------------------------------------------
    def training(self, until: dt.date) -> list[DueItem]:
        """Members who were members on 1 January and have fewer class hours recorded this year than required."""
        policy = self.policies.get(TRAINING_POLICY)
        members = self.view.facts.members
        if policy is None or members is OMITTED:
            return []
        p = self._open_period("year", policy.rule_from(self.book.registry), OMITTED, until)
        need = self._param("member-edu.training_min_class_hours", self.on)
        if p is None or need is None:
            return []
        out = []
        for m in members:
            if m.admitted_on is OMITTED or m.admitted_on > p.first_day() or self.view.status(m) is None:
                continue
            if m.training_hours is OMITTED:
                continue
            hours = m.training_hours.get(p.year) or 0.0
            if hours < need:
                out.append(self._item("training_hours", p.last_day(), policy, _member(m), None,
                                      {"hours": hours, "min_hours": need}, str(p)))
        return out
