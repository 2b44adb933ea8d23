"""Which fields a fact document records at all, so that an unknown can say whose gap it is.

A result is unknown because some facts are omitted. When one member's dues are
omitted while other members' are recorded, the gap is that member's. When no
record of that kind carries the field anywhere in the document (or the whole
list is left out), the court simply does not record it: the same gap makes every
subject unknown, and a reader wants it said once ("贵院未记录…"), not once per
subject. :func:`missing_kind` tells the two apart.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import attrs

from .model import OMITTED, FactDocument

NOT_RECORDED = "not_recorded"
MISSING_FOR_SUBJECT = "missing_for_subject"

_INDEX = re.compile(r"\[\d+\]")


def field_pattern(path: str) -> str:
    """A fact path without its list positions: ``members[25].dues_paid`` → ``members[].dues_paid``."""
    return _INDEX.sub("[]", path)


def recorded_fields(doc: FactDocument) -> frozenset[str]:
    """The field patterns that at least one record of the document carries (given, even as null or [])."""
    out: set[str] = set()
    _walk(doc, "", out)
    return frozenset(out)


def _walk(record: Any, prefix: str, out: set[str]) -> None:
    for f in attrs.fields(type(record)):
        if f.name in ("format", "source"):
            continue
        value = getattr(record, f.name)
        if value is OMITTED:
            continue
        here = f"{prefix}.{f.name}" if prefix else f.name
        out.add(here)
        if isinstance(value, tuple) and value and attrs.has(type(value[0])):
            for item in value:
                _walk(item, here + "[]", out)
        elif attrs.has(type(value)) and not isinstance(value, tuple):
            _walk(value, here, out)


def missing_kind(missing: Iterable[str], recorded: frozenset[str]) -> str:
    """``not_recorded`` when every missing fact is a field the document never records, else ``missing_for_subject``.

    A path the document does not locate (``?``) counts as the subject's: only a
    gap known to be the court's is ever folded away.
    """
    paths = list(missing)
    if not paths:
        return MISSING_FOR_SUBJECT     # unknown for another reason (an exception that might hold)
    for path in paths:
        if path.startswith("?") or field_pattern(path) in recorded:
            return MISSING_FOR_SUBJECT
    return NOT_RECORDED
