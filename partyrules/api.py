"""The library's one call: facts in, a report out (load → view → evaluate → report)."""

from __future__ import annotations

import datetime as dt
import fnmatch
from pathlib import Path
from typing import Any, Iterable

from .engine.base import Engine
from .engine.native import NativeEngine, missing_kinds
from .errors import UsageError
from .facts.load import FIRST_DATE, LAST_DATE, load_facts
from .facts.model import OMITTED, FactDocument
from .facts.view import View
from .periods import parse_date
from .report.model import Notice, Report, finish_results
from .rulebook.load import Rulebook, load_rulebook
from .version import __version__
from .due import DEFAULT_WITHIN, Upcoming, check_within
from .due import compute as compute_upcoming

ENGINES = ("native", "durable")


def get_engine(name: str) -> Engine:
    """The backend called ``name``; ``durable`` raises :class:`UsageError` where durable-rules cannot load."""
    if name == "native":
        return NativeEngine()
    if name == "durable":
        from .engine.durable import DurableEngine, durable_available, durable_unavailable_message
        ok, why = durable_available()
        if not ok:
            raise UsageError(durable_unavailable_message(why))
        return DurableEngine()
    raise UsageError(f"unknown engine {name!r}: expected one of {', '.join(ENGINES)}")


def check(facts: Any, as_of: dt.date | str | None = None, *, policies: Iterable[str | Path] = (),
          builtin: bool = True, engine: str = "native", include_unverified: bool = False,
          rulebook: Rulebook | None = None, select: Iterable[str] = (), skip: Iterable[str] = (),
          upcoming_within: int = DEFAULT_WITHIN) -> Report:
    """Check a fact document and return every result with its citations.

    ``facts`` is a path (``-`` for standard input), a mapping that follows
    ``partyrules.facts/1`` or a loaded :class:`FactDocument`. ``as_of`` defaults
    to the document's own date; the editions in force on it decide which
    policies apply and which articles are cited. ``policies`` adds pack
    directories to the built-in rulebook (``builtin=False`` leaves it out).
    ``select`` keeps only the policies whose id matches one of its ids or globs
    (``organs.*``), ``skip`` leaves out those matching one of its; a pattern
    that matches no policy of the rulebook is a :class:`UsageError`. The report
    also lists what comes due in the next ``upcoming_within`` days
    (:mod:`partyrules.due`).
    Raises a :class:`~partyrules.errors.PartyrulesError` for bad input.
    """
    doc = load_facts(facts)
    on = evaluation_date(doc, as_of)
    book = rulebook if rulebook is not None else load_rulebook(policies, builtin=builtin)
    check_within(upcoming_within)
    backend = get_engine(engine)
    view = View(doc, on)
    applicable = selected(book, book.applicable(on, include_unverified), select, skip)
    # an engine's rows (the native one's satisfied and not-applicable results) stay rows until read
    results = backend.evaluate_for_report(book, applicable, view)
    return assemble_report(book, view, applicable, results, backend.name, upcoming_within)


def assemble_report(book: Rulebook, view: View, applicable: list, results: list, engine: str,
                    upcoming_within: int = DEFAULT_WITHIN) -> Report:
    """The report of evaluated results: sorted, with notices, what comes due, and what produced it."""
    doc = view.facts
    results = finish_results(results, doc, missing_kinds(view))
    unit = doc.unit
    unit_id = unit.id if unit is not OMITTED else ""
    unit_name = unit.name if unit is not OMITTED and unit.name is not OMITTED else ""
    return Report(unit_id, view.as_of, results, tuple(notices(book, doc, view.as_of, applicable)),
                  book.registry, engine, doc.source, facts=doc, unit_name=unit_name, tool_version=__version__,
                  rulebook_digest=book.digest, upcoming=compute_upcoming(book, view, applicable, upcoming_within))


def upcoming(facts: Any, as_of: dt.date | str | None = None, *, within: int = DEFAULT_WITHIN,
             policies: Iterable[str | Path] = (), builtin: bool = True, include_unverified: bool = False,
             rulebook: Rulebook | None = None, select: Iterable[str] = (), skip: Iterable[str] = ()) -> Upcoming:
    """What comes due on a unit from ``as_of`` to ``within`` days later (terms from six months ahead).

    The arguments are those of :func:`check`; see :mod:`partyrules.due`.
    """
    doc = load_facts(facts)
    on = evaluation_date(doc, as_of)
    book = rulebook if rulebook is not None else load_rulebook(policies, builtin=builtin)
    applicable = selected(book, book.applicable(on, include_unverified), select, skip)
    return compute_upcoming(book, View(doc, on), applicable, within)


def selected(book: Rulebook, applicable: list, select: Iterable[str], skip: Iterable[str]) -> list:
    """The policies of ``applicable`` that ``select`` keeps (all when empty) and ``skip`` does not leave out.

    Patterns are policy ids or globs (``*``, ``?``, ``[…]``) matched against the
    whole id. Each must match a policy of the rulebook, in force on the date or
    not, so that a typo never silently checks everything or nothing.
    """
    select, skip = policy_patterns(select, "select"), policy_patterns(skip, "skip")
    if not select and not skip:
        return applicable
    ids = sorted({p.id for p in book.policies})
    for name, patterns in (("select", select), ("skip", skip)):
        for pat in patterns:
            if not any(fnmatch.fnmatchcase(i, pat) for i in ids):
                raise UsageError(f"{name}: {pat!r} matches no policy of the rulebook")

    def keep(policy_id: str) -> bool:
        if select and not any(fnmatch.fnmatchcase(policy_id, pat) for pat in select):
            return False
        return not any(fnmatch.fnmatchcase(policy_id, pat) for pat in skip)
    return [p for p in applicable if keep(p.id)]


def policy_patterns(value: Any, name: str) -> tuple[str, ...]:
    """``select``/``skip`` as a tuple of non-empty strings (one string is one pattern); batches check them early."""
    if isinstance(value, str):
        value = (value,)
    try:
        out = tuple(value)
    except TypeError:
        raise UsageError(f"{name}: expected policy ids or globs, got {value!r}") from None
    for pat in out:
        if not isinstance(pat, str) or not pat.strip():
            raise UsageError(f"{name}: expected a policy id or glob, got {pat!r}")
    return out


def evaluation_date(doc: FactDocument, as_of: dt.date | str | None) -> dt.date:
    """The day a check of ``doc`` judges: ``as_of`` (a date or ``YYYY-MM-DD``) or the document's own, with the
    same refusals for every entry point (sessions, batches, timelines, explain)."""
    if isinstance(as_of, str):
        try:
            as_of = parse_date(as_of)
        except ValueError:
            raise UsageError(f"as_of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    if as_of is not None and (not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime)):
        raise UsageError(f"as_of: expected a date, got {as_of!r}")
    if as_of is not None and not FIRST_DATE <= as_of <= LAST_DATE:
        raise UsageError(f"as_of: expected a date from {FIRST_DATE} to {LAST_DATE}, got {as_of.isoformat()}")
    if as_of is None:
        if doc.as_of is OMITTED:
            raise UsageError(f"{doc.source}: as_of: the document gives no date; pass an evaluation date (--as-of)")
        return doc.as_of
    if doc.as_of is not OMITTED and as_of > doc.as_of:
        raise UsageError(f"{doc.source}: as_of: the evaluation date {as_of.isoformat()} is after the document's "
                         f"snapshot date {doc.as_of.isoformat()}; the facts say nothing about later days")
    return as_of


def notices(book: Rulebook, doc: FactDocument, on: dt.date, applicable: list) -> list[Notice]:
    """What the reader must know about the check as a whole."""
    out: list[Notice] = []
    reg = book.registry
    for inst in reg.instruments:
        if not any(e.encoded for e in inst.editions):
            continue
        ed = reg.in_force(inst.id, on)
        if ed is not None and not ed.encoded:
            out.append(Notice(
                "edition_not_encoded",
                {"zh": f"{on.isoformat()}施行的《{inst.title_zh}》{ed.label_zh or ed.edition}未编入规则，"
                       "本次检查未适用该文件的任何条款，也未以其他版本代替。",
                 "en": f"The edition of the {inst.title_en} in force on {on.isoformat()} ({ed.edition}) has no "
                       "encoded provisions: none of its articles were checked, and no other edition was applied."},
                inst.id, ed.edition))
        unsure = reg.uncertain_on(inst.id, on)
        if unsure is not None:
            out.append(Notice(
                "edition_date_uncertain",
                {"zh": f"《{inst.title_zh}》{unsure.label_zh}的施行日期不确定（最早{unsure.uncertain_from.isoformat()}，"
                       f"最迟{unsure.in_force_from.isoformat()}）；本次按此前版本检查。{unsure.date_note}",
                 "en": f"The {inst.title_en} ({unsure.edition}) took effect between "
                       f"{unsure.uncertain_from.isoformat()} and {unsure.in_force_from.isoformat()}; the exact date "
                       f"is not known, so the earlier edition was applied. {unsure.date_note}"},
                inst.id, unsure.edition))
    rf = doc.records_from
    if rf is OMITTED or rf is None:
        out.append(Notice("records_incomplete",
                          {"zh": "文件未给出 records_from：按期间判断的规则（会议、党费、培训等）一律无法判定。",
                           "en": "records_from is not given: no rule over dated records (meetings, dues, training…) "
                                 "can be decided."}))
    elif on < rf:
        out.append(Notice("before_records",
                          {"zh": f"检查日期{on.isoformat()}早于记录起始日{rf.isoformat()}：按期间判断的规则无法判定。",
                           "en": f"The evaluation date {on.isoformat()} is before the records start "
                                 f"({rf.isoformat()}): rules over dated records cannot be decided."}))
    unverified = sorted({p.id for p in applicable if p.unverified})
    if unverified:
        out.append(Notice("unverified_citations",
                          {"zh": "以下规则引用的条款未经核实（E1/U级），仅供参考：" + "、".join(unverified),
                           "en": "These policies cite provisions whose numbers are not verified (E1/U): "
                                 + ", ".join(unverified)}))
    return out
