"""The three-valued ``Unknown``: a value that depends on facts the document omitted.

It lists the paths of the missing facts, and where a count is only partly known, the bounds it must lie
within, so that ``full_members >= 3`` can still be decided when three full members are certain. A module
of its own, below the view and its indexes, which both make unknowns.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Unknown:
    """A value that depends on omitted facts (``missing`` are their paths)."""

    missing: frozenset = frozenset()
    lo: float | None = None
    hi: float | None = None

    def __bool__(self) -> bool:
        raise TypeError("an unknown value has no truth value")

    @staticmethod
    def of(*paths: str) -> "Unknown":
        return Unknown(frozenset(paths))

    def merge(self, other: "Unknown") -> "Unknown":
        return Unknown(self.missing | other.missing)
