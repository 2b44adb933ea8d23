"""The admission timeline: each person in the process, each step with its date, legal bound and state.

``timeline(facts, as_of=...)`` walks every member's and applicant's
``development`` record (docs/facts-devt.md) and lays out the steps of the
2014 development rules in order. Each step shows

* ``date``: the recorded date (``None``: recorded as not done; omitted: not recorded),
* ``bound``: the legal limit (``by`` a day, ``not_before`` a day, or ``before`` a later step), with the
  article that sets it,
* ``state``: ``done_in_time``, ``done`` (no limit applies), ``late``, ``early`` (before a
  ``not_before`` bound), ``due`` (``days_left`` until the limit), ``overdue``, ``waiting`` (a
  ``not_before`` bound still ahead), ``missing`` (recorded as not done, though a later step happened
  or the limit passed), ``not_recorded`` or ``edition_not_encoded``.

A step's edition is the one whose span holds the step's own date, or, while
it has none, the date its bound runs from (:meth:`Registry.edition_for_step`):
a step on or after the 2026 edition's earliest possible start, or before the
2014 edition, is ``edition_not_encoded`` and never judged by 2014.

The same data feeds the reports: :meth:`Timeline.to_json` is ``partyrules.timeline/1``,
:meth:`Timeline.upcoming` the steps coming due, :meth:`Timeline.rows` flat rows for a ledger sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .admission import (ENCODED, FORMAT, INSTRUMENT, STATES, TITLES, Person, Step, Timeline,
                        admission_timeline)
from .facts.load import load_facts
from .facts.model import FactDocument
from .rulebook.load import Rulebook, load_rulebook

__all__ = ["ENCODED", "FORMAT", "INSTRUMENT", "STATES", "TITLES", "Person", "Step", "Timeline", "timeline"]


def timeline(facts: Any, as_of: dt.date | str | None = None, *, rulebook: Rulebook | None = None,
             member: str | None = None) -> Timeline:
    """The admission timeline of ``facts`` on ``as_of`` (the document's date by default).

    ``member`` keeps only that person (a member or applicant id; an unknown id is
    a :class:`~partyrules.errors.UsageError`). People without a ``development``
    record and members whose process ended (converted) before the records show
    anything are left out: the timeline lists the people with a recorded process.
    """
    from .api import evaluation_date
    doc: FactDocument = load_facts(facts)
    return admission_timeline(doc, evaluation_date(doc, as_of), rulebook or load_rulebook(), member=member)
