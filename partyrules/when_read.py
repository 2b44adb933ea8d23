"""A mapping worked out the first time it is read, then kept.

Some tables cost more to make than most checks ever use them: the positions of a
YAML fact document's values (read only to locate an error) and the names of a
court's records (read only by a violated result's message). Each is a subclass
that says how to make its table (:meth:`MappingWhenRead._make`); this class makes
it once, when first asked, and answers from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator


class MappingWhenRead(Mapping):
    """A read-only mapping whose table :meth:`_make` returns when it is first read. Two threads that read it
    first at once each make an equal table; one is kept."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict | None = None

    def _make(self) -> dict:
        raise NotImplementedError

    def _table(self) -> dict:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return made

    def __getitem__(self, key: Any) -> Any:
        return self._table()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())
