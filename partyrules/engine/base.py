"""The interface every evaluation backend implements.

A backend receives the loaded rulebook, the policies in force on the
evaluation date and the view of the facts, and returns one result per
(policy, subject). Backends must agree byte for byte on the report; the
native backend is the reference.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ..facts.view import View
    from ..report.model import Result
    from ..rulebook.load import Rulebook
    from ..rulebook.policy import Policy


class Engine(abc.ABC):
    name: str = "?"

    @abc.abstractmethod
    def evaluate(self, rulebook: "Rulebook", policies: "Iterable[Policy]", view: "View") -> "list[Result]":
        """One result per (policy, subject), in any order (the report sorts them)."""

    def evaluate_for_report(self, rulebook: "Rulebook", policies: "Iterable[Policy]", view: "View") -> list:
        """:meth:`evaluate` for a report (``partyrules.check``): an engine may also give rows, tuples
        ``(make, outcome, ...)`` that ``make(row)`` turns into the result when it is read
        (:class:`~partyrules.report.model.Results`). By default, the results of :meth:`evaluate`."""
        return self.evaluate(rulebook, policies, view)
