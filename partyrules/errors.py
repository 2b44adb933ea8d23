"""Every error a user can cause, each saying where and what was expected.

The CLI turns any :class:`PartyrulesError` into one line on standard error and
exit status 2; nothing else is allowed to escape as a traceback.
"""

from __future__ import annotations


class PartyrulesError(Exception):
    """Base of every error a user can cause."""


class InputError(PartyrulesError):
    """A fact document that does not follow ``partyrules.facts/1``.

    ``source`` is the file (or ``<mapping>``/``<stdin>``), ``path`` the place in
    the document (``members[12].admitted_on``), ``line``/``column`` the 1-based
    position in the file where it is known.
    """

    def __init__(self, source: str, path: str, message: str,
                 line: int | None = None, column: int | None = None) -> None:
        self.source = source
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.source}: {self.path}: " if self.path else f"{self.source}: "
        at = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{where}{self.message}{at}"


class LocatedError(PartyrulesError):
    """An error in a file at a known place: reported as ``FILE:LINE:COL: message``."""

    def __init__(self, source: str, message: str,
                 line: int | None = None, column: int | None = None) -> None:
        self.source = source
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.line}:{self.column}: {self.message}"


class UsageError(PartyrulesError):
    """A library or command-line call whose arguments are wrong."""


class PolicyError(LocatedError):
    """A policy, parameter, instrument or pack file that is wrong."""


class SourceError(LocatedError):
    """Text that is not a readable document (bad YAML/JSON, hostile tags, too big or too deep)."""


class WorkerError(PartyrulesError):
    """A document of a batch whose worker process died (killed, out of memory): that document only."""


class InternalError(PartyrulesError):
    """A bug met while checking one document of a batch: reported as that document's error, the batch goes on."""
