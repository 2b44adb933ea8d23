"""partyrules: the articles of Party regulations as checkable policies.

    >>> import partyrules
    >>> report = partyrules.check("court.yaml", as_of="2024-06-30")
    >>> [r.policy for r in report.violations]
    >>> [(i.due, i.kind) for i in partyrules.upcoming("court.yaml", within=90).items]

The public surface is small: :func:`check` and what it returns, the fact and
rulebook loaders, the citation values, and the errors a caller can meet.
"""

from .version import __version__
from .api import check, upcoming
from .batch import check_many
from .citations import Citation, Registry, parse_citation
from .session import Session, open_session
from .errors import InputError, PartyrulesError, PolicyError, SourceError, UsageError
from .facts.load import load_facts
from .facts.model import OMITTED, FactDocument
from .facts.view import Unknown
from .due import DueItem, Upcoming
from .report.model import Notice, Report, Result, Subject
from .rulebook.load import Rulebook, load_rulebook
from .timeline import Timeline, timeline

__all__ = [
    "check", "check_many", "upcoming", "Upcoming", "DueItem", "open_session", "Session", "load_facts", "load_rulebook", "Report", "Result", "Subject",
    "Notice", "Rulebook", "timeline", "Timeline",
    "FactDocument", "OMITTED", "Unknown", "Citation", "Registry", "parse_citation",
    "PartyrulesError", "InputError", "PolicyError", "SourceError", "UsageError", "__version__",
]
