"""The admission process laid out step by step: the computation behind :func:`partyrules.timeline`.

It sits beside ``due`` on the engine floor (it reads loaded facts and the rulebook, never the entry
points), so the reports' admission section can use it; ``partyrules.timeline`` is the entry point that
loads the facts and settles the date. What each step and state means is documented there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import attrs

from . import counting
from .errors import UsageError
from .citations import Registry, parse_citation
from .facts.model import OMITTED, Development, FactDocument
from .rulebook.load import Rulebook

FORMAT = "partyrules.timeline/1"
INSTRUMENT = "devt-rules"
ENCODED = "2014"
STATES = ("done_in_time", "done", "late", "early", "due", "overdue", "waiting", "missing", "not_recorded",
          "edition_not_encoded")

# step key → (zh, en) titles, in the order of the process
TITLES = {
    "applied": ("提出入党申请", "application received"),
    "application_talk": ("派人谈话", "talk with the applicant"),
    "activist": ("确定为入党积极分子", "decided an activist"),
    "activist_filed": ("积极分子报上级党委备案", "activist filed with the higher committee"),
    "assessment": ("每半年考察", "half-yearly assessment"),
    "object": ("列为发展对象", "decided a development object"),
    "object_filed": ("发展对象报上级党委备案", "development object filed"),
    "political_review": ("政治审查", "political review"),
    "pre_review": ("上级党委预审", "pre-review by the approving committee"),
    "admission_meeting": ("支部大会讨论接收", "branch admission meeting"),
    "approval": ("上级党委审批", "approval by the Party committee"),
    "oath": ("入党宣誓", "oath"),
    "conversion_application": ("提出转正申请", "conversion application"),
    "conversion_meeting": ("支部大会讨论转正", "branch conversion meeting"),
    "conversion_approval": ("审批转正", "conversion approved"),
}


@attrs.frozen
class Step:
    key: str
    date: Any                      # a date, None (recorded as not done) or OMITTED (not recorded)
    state: str
    bound_kind: str | None = None  # "by", "not_before", "before"
    bound: dt.date | None = None   # the limit's day (for "before": the later step's date, when known)
    citation: str | None = None    # "devt-rules@2014 art.7"
    edition: str | None = None     # the edition that judges the step ("2014"), None when none is encoded
    days_left: int | None = None   # for "due": days from the evaluation date to the limit

    def to_json(self, registry: Registry) -> dict[str, Any]:
        zh, en = TITLES[self.key]
        out: dict[str, Any] = {"step": self.key, "title": {"zh": zh, "en": en},
                               "date": None if self.date in (None, OMITTED) else self.date.isoformat(),
                               "recorded": self.date is not OMITTED, "state": self.state}
        if self.bound_kind is not None:
            bound: dict[str, Any] = {"kind": self.bound_kind,
                                     "date": self.bound.isoformat() if self.bound else None}
            if self.citation:
                cit = parse_citation(self.citation, registry)
                bound["citation"] = {"ref": self.citation, "zh": cit.label_zh(registry), "en": cit.label_en(registry)}
            out["bound"] = bound
        if self.edition is not None:
            out["edition"] = self.edition
        if self.days_left is not None:
            out["days_left"] = self.days_left
        return out


@attrs.frozen
class Person:
    id: str
    name: str
    kind: str                      # "member" or "applicant"
    org: str | None
    steps: tuple[Step, ...]
    # still in the process on the evaluation date: an applicant, or a member not yet a full member
    # (what the reports' timeline section lists; not in partyrules.timeline/1)
    open: bool = True

    def to_json(self, registry: Registry) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "org": self.org,
                "steps": [s.to_json(registry) for s in self.steps]}


@attrs.frozen
class Timeline:
    as_of: dt.date
    people: tuple[Person, ...]
    registry: Registry = attrs.field(eq=False, repr=False)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "as_of": self.as_of.isoformat(), "source": self.source,
                "people": [p.to_json(self.registry) for p in self.people]}

    def in_process(self) -> tuple[Person, ...]:
        """The people still in the process: the applicants and the members not yet full members."""
        return tuple(p for p in self.people if p.open)

    def upcoming(self, days: int = 30) -> list[tuple[Person, Step]]:
        """The steps coming due within ``days`` days of the evaluation date, soonest first, then the overdue."""
        soon = [(p, s) for p in self.people for s in p.steps if s.state == "due" and s.days_left <= days]
        late = [(p, s) for p in self.people for s in p.steps if s.state == "overdue"]
        return sorted(soon, key=lambda x: (x[1].days_left, x[0].id)) + sorted(late, key=lambda x: x[0].id)

    def rows(self) -> Iterable[dict[str, Any]]:
        """One flat row per step (for a ledger sheet): person, step, date, bound, citation, state."""
        for p in self.people:
            for s in p.steps:
                yield {"id": p.id, "name": p.name, "kind": p.kind, "org": p.org, "step": s.key,
                       "title_zh": TITLES[s.key][0], "date": None if s.date in (None, OMITTED) else s.date,
                       "recorded": s.date is not OMITTED, "bound_kind": s.bound_kind, "bound": s.bound,
                       "citation": s.citation, "state": s.state, "days_left": s.days_left}


def admission_timeline(doc: FactDocument, on: dt.date, book: Rulebook, *, member: str | None = None) -> Timeline:
    """The admission timeline of the loaded ``doc`` on the evaluation date ``on`` by the rules of ``book``
    (what :func:`partyrules.timeline` computes once it has loaded the facts and settled the date; the
    reports' admission section calls it on the report's own document and date)."""
    reg = book.registry
    param = _params(book)
    people: list[Person] = []
    for m in doc.members if doc.members is not OMITTED else ():
        if m.development is OMITTED or (m.admitted_on is not OMITTED and m.admitted_on > on):
            continue
        people.append(Person(m.id, m.name if m.name is not OMITTED else m.id, "member",
                             None if m.org in (OMITTED, None) else m.org,
                             tuple(_steps(m.development, m, on, reg, param, m.birth_date)), _probationary(m, on)))
    for a in doc.applicants if doc.applicants is not OMITTED else ():
        if a.development is OMITTED:
            continue
        people.append(Person(a.id, a.name if a.name is not OMITTED else a.id, "applicant",
                             None if a.org in (OMITTED, None) else a.org,
                             tuple(_steps(a.development, None, on, reg, param, a.birth_date))))
    if member is not None:
        people = [p for p in people if p.id == member]
        if not people:
            raise UsageError(f"--member: no member or applicant {member!r} with a recorded admission process")
    return Timeline(on, tuple(people), reg, doc.source)




def _probationary(m: Any, on: dt.date) -> bool:
    """Not yet a full member on ``on``: no ``full_on`` by then (recorded as none, or later), or, where
    ``full_on`` is not recorded, the document's status says probationary."""
    if isinstance(m.full_on, dt.date):
        return m.full_on > on
    if m.full_on is None:
        return True
    return m.status == "probationary"


def _params(book: Rulebook):
    def get(name: str) -> Any:
        value = book.params.by_name[name].at(book.registry.edition(INSTRUMENT, ENCODED).in_force_from)
        return value.value
    return get


def _present(value: Any) -> bool:
    return value is not OMITTED and value is not None


def _steps(d: Development, m: Any, on: dt.date, reg: Registry, param, birth: Any = OMITTED) -> list[Step]:
    """Every step the record reaches, in the order of the process (``m``: the member, None for an applicant)."""
    steps: list[Step] = []

    def edition(day: Any) -> str | None:
        if not isinstance(day, dt.date):
            return None
        ed = reg.edition_for_step(INSTRUMENT, day)
        return ed.edition if ed is not None and ed.encoded else None

    def add(key: str, actual: Any, *, anchor: Any = None, kind: str | None = None, bound: Any = None,
            article: str | None = None, later: Any = OMITTED) -> None:
        """``anchor``: the day the bound runs from (chooses the edition while the step has no date);
        ``later``: for ``before`` bounds, the later step's date."""
        judged_on = actual if isinstance(actual, dt.date) else anchor
        ed = edition(judged_on) if isinstance(judged_on, dt.date) else None
        cite = f"{INSTRUMENT}@{ENCODED} {article}" if article and ed == ENCODED else None
        if isinstance(judged_on, dt.date) and ed is None:
            steps.append(Step(key, actual, "edition_not_encoded", kind, None, None, None))
            return
        b = bound if isinstance(bound, dt.date) else (later if isinstance(later, dt.date) else None)
        state, left = _state(actual, kind, b, on, later)
        steps.append(Step(key, actual, state, kind, b, cite, ed, left))

    admitted = m.admitted_on if m is not None else OMITTED
    # a member's application is one fact, recorded here or as round-two applied_on (derive_devt.application_date)
    applied = d.applied_on if d.applied_on is not OMITTED or m is None else m.applied_on
    add("applied", applied, kind="not_before" if _present(birth) else None,
        bound=counting.anniversary(birth, param("devt.min_age")) if _present(birth) else None, article="art.5")
    if _present(applied):
        add("application_talk", d.application_talk_on, anchor=applied, kind="by",
            bound=counting.within_months_deadline(applied, param("devt.application_talk_months")), article="art.7")
    add("activist", d.activist_on, anchor=applied, article="art.8", kind=None)
    if _present(d.activist_on):
        add("activist_filed", d.activist_filed_on, anchor=d.activist_on, kind="before",
            later=d.object_on, article="art.8")
        _assessment(add, d, on, param("devt.assessment_interval_months"))
        add("object", d.object_on, anchor=d.activist_on, kind="not_before",
            bound=counting.anniversary(d.activist_on, param("devt.cultivation_years")), article="art.13")
    if _present(d.object_on):
        add("object_filed", d.object_filed_on, anchor=d.object_on, kind="before", later=admitted, article="art.13")
        add("political_review", d.political_review_on, anchor=d.object_on, kind="before", later=admitted,
            article="art.16")
        add("pre_review", d.pre_review_on, anchor=d.object_on, kind="before", later=admitted, article="art.19")
    if m is None:
        return steps
    add("admission_meeting", admitted, kind=None)
    if not _present(admitted):
        return steps
    months = param("devt.approval_special_months") if d.approval_special is True else param("devt.approval_months")
    add("approval", m.admission_approved_on, anchor=admitted, kind="by",
        bound=counting.within_months_deadline(admitted, months), article="art.26")
    probation_end = counting.anniversary(admitted, 1)
    if d.extensions is not OMITTED:
        for ext in d.extensions:
            if ext.months is not OMITTED:
                probation_end = counting.within_months_deadline(probation_end, ext.months)
    add("oath", d.oath_on, anchor=admitted, kind="before", later=m.full_on, article="art.30")
    add("conversion_application", d.conversion_applied_on, anchor=admitted, kind="before",
        later=m.conversion_meeting_on if _present(m.conversion_meeting_on) else probation_end, article="art.33")
    add("conversion_meeting", m.conversion_meeting_on, anchor=admitted, kind="by", bound=probation_end,
        article="art.32")
    if _present(m.conversion_meeting_on):
        add("conversion_approval", m.conversion_approved_on, anchor=m.conversion_meeting_on, kind="by",
            bound=counting.within_months_deadline(m.conversion_meeting_on, param("devt.conversion_approval_months")),
            article="art.34")
    return steps


def _assessment(add, d: Development, on: dt.date, months: int) -> None:
    """The half-yearly assessment of an activist (art.11): the first one that came late, else the next one due
    (while the person is not yet a development object)."""
    end = d.object_on if _present(d.object_on) and d.object_on <= on else on
    if d.assessments is OMITTED:
        add("assessment", OMITTED, anchor=d.activist_on, kind="by",
            bound=counting.within_months_deadline(d.activist_on, months), article="art.11")
        return
    last = d.activist_on
    for day in sorted(x for x in d.assessments if d.activist_on <= x <= end):
        deadline = counting.within_months_deadline(last, months)
        if day > deadline:
            add("assessment", day, anchor=last, kind="by", bound=deadline, article="art.11")
            return
        last = day
    deadline = counting.within_months_deadline(last, months)
    if end is on and not (_present(d.object_on) and d.object_on <= on):
        add("assessment", None, anchor=last, kind="by", bound=deadline, article="art.11")
    elif deadline < end:
        add("assessment", None, anchor=last, kind="by", bound=deadline, article="art.11")


def _state(actual: Any, kind: str | None, bound: dt.date | None, on: dt.date, later: Any) -> tuple[str, int | None]:
    """The state of one step on ``on`` (see the module docstring)."""
    done = isinstance(actual, dt.date) and actual <= on
    if done:
        if kind is None or bound is None:
            return "done", None
        if kind == "not_before":
            return ("done_in_time" if actual >= bound else "early"), None
        return ("done_in_time" if actual <= bound else "late"), None
    # not done (null, omitted, or dated after the evaluation date)
    if kind == "not_before":
        if bound is not None and on < bound:
            return "waiting", None
        # a step allowed from a day on, and not taken: nothing sets a day by which it must be
        return ("not_recorded" if actual is OMITTED else "waiting"), None
    if kind == "before":
        if bound is not None and bound <= on:      # the later step happened without this one
            return ("not_recorded" if actual is OMITTED else "missing"), None
        if bound is not None:                       # the later step lies ahead
            return "due", (bound - on).days
        return "waiting", None                      # the later step has no date yet
    if kind == "by" and bound is not None:
        if on > bound:
            return ("not_recorded" if actual is OMITTED else "overdue"), None
        return "due", (bound - on).days
    return ("not_recorded" if actual is OMITTED else "missing"), None
