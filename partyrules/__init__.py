"""partyrules: the articles of Party regulations as checkable policies.

    >>> import partyrules
    >>> report = partyrules.check("court.yaml", as_of="2024-06-30")
    >>> [r.policy for r in report.violations]
    >>> [(i.due, i.kind) for i in partyrules.upcoming("court.yaml", within=90).items]

The public surface is small: :func:`check` and what it returns, the fact and
rulebook loaders, the citation values, and the errors a caller can meet.

Each name is imported on first use (PEP 562), so ``import partyrules`` is
quick and a command pays only for what it uses (``partyrules check`` never
loads the batch machinery, the session, the ledger or the HTML templates).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from .version import __version__

# public name -> the module that defines it
_EXPORTS = {
    "check": "api", "upcoming": "api",
    "check_many": "batch",
    "Citation": "citations", "Registry": "citations", "parse_citation": "citations",
    "Session": "session", "open_session": "session",
    "InputError": "errors", "PartyrulesError": "errors", "PolicyError": "errors", "SourceError": "errors",
    "UsageError": "errors",
    "load_facts": "facts.load",
    "OMITTED": "facts.model", "FactDocument": "facts.model",
    "Unknown": "facts.unknown",
    "DueItem": "due", "Upcoming": "due",
    "Notice": "report.model", "Report": "report.model", "Result": "report.model", "Subject": "report.model",
    "Rulebook": "rulebook.load", "load_rulebook": "rulebook.load",
    "Timeline": "timeline", "timeline": "timeline",
}

__all__ = [
    "check", "check_many", "upcoming", "Upcoming", "DueItem", "open_session", "Session", "load_facts", "load_rulebook", "Report", "Result", "Subject",
    "Notice", "Rulebook", "timeline", "Timeline",
    "FactDocument", "OMITTED", "Unknown", "Citation", "Registry", "parse_citation",
    "PartyrulesError", "InputError", "PolicyError", "SourceError", "UsageError", "__version__",
]

if TYPE_CHECKING:
    from .api import check, upcoming
    from .batch import check_many
    from .citations import Citation, Registry, parse_citation
    from .due import DueItem, Upcoming
    from .session import Session, open_session
    from .errors import InputError, PartyrulesError, PolicyError, SourceError, UsageError
    from .facts.load import load_facts
    from .facts.model import OMITTED, FactDocument
    from .facts.unknown import Unknown
    from .report.model import Notice, Report, Result, Subject
    from .rulebook.load import Rulebook, load_rulebook
    from .timeline import Timeline, timeline


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    if name != "timeline":
        globals()[name] = value              # found once; later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """``partyrules.timeline`` is the function, although a submodule has that name too.

    Importing the submodule sets the package's attribute to the module; this
    property keeps the public name pointing at the function whoever imports
    what first (eagerly, the package used to import the function last).
    """

    @property
    def timeline(self) -> Any:
        return __getattr__("timeline")

    @timeline.setter
    def timeline(self, _module: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package
