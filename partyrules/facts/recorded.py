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
    _walk((doc,), "", out, {})
    return frozenset(out)


def _walk(records: Iterable[Any], prefix: str, out: set[str], is_record: dict[type, bool]) -> None:
    """The fields any of ``records`` (records found at the same place, ``prefix``) carry, and those below.

    Field by field over all the records of one place at once, rather than record by
    record: a court has some 10⁴ records (meetings, months of dues) of a few dozen kinds.
    """
    by_type: dict[type, list] = {}
    for record in records:
        by_type.setdefault(type(record), []).append(record)
    for cls, items in by_type.items():
        for f in attrs.fields(cls):
            name = f.name
            if name in ("format", "source"):
                continue
            here = f"{prefix}.{name}" if prefix else name
            given = False
            listed: list = []       # records in lists under this field (at here[])
            single: list = []       # records held directly by this field (at here)
            for item in items:
                value = getattr(item, name)
                if value is OMITTED:
                    continue
                given = True
                kind = type(value)
                record = is_record.get(kind)
                if record is None:
                    record = is_record[kind] = attrs.has(kind)
                if isinstance(value, tuple):
                    if value:
                        first = type(value[0])
                        inner = is_record.get(first)
                        if inner is None:
                            inner = is_record[first] = attrs.has(first)
                        if inner:
                            listed.extend(value)
                elif record:
                    single.append(value)
            if given:
                out.add(here)
            if listed:
                _walk(listed, here + "[]", out, is_record)
            if single:
                _walk(single, here, out, is_record)


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
