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


class RecordedLookup:
    """``pattern in lookup`` is ``pattern in recorded_fields(doc)``, found for the patterns asked only.

    An unknown result asks about the few fields it misses; the whole walk visits every record of
    the court (some 10⁴) to learn about every field. This follows one pattern's path down the
    records, stops at the first record that gives the field, and keeps each answer for the
    check (one lookup per report: no state outlives it).
    """

    __slots__ = ("doc", "known", "fields")

    def __init__(self, doc: FactDocument) -> None:
        self.doc = doc
        self.known: dict[str, bool] = {}
        self.fields: dict[type, frozenset[str]] = {}     # each record class's field names

    def __contains__(self, pattern: object) -> bool:
        if type(pattern) is not str:
            return False
        found = self.known.get(pattern)
        if found is None:
            found = self.known[pattern] = _given_at(self.doc, pattern, self.fields)
        return found


def _given_at(doc: FactDocument, pattern: str, fields: dict[type, frozenset[str]]) -> bool:
    """Whether some record at ``pattern``'s place gives its last field: the places :func:`_walk`
    goes through, ``name[]`` into a list of records and ``name`` into one record."""
    records: list = [doc]
    steps = pattern.split(".")
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        listed = step.endswith("[]")
        name = step[:-2] if listed else step
        if name in ("format", "source") or (last and listed):
            return False        # never among the recorded fields (nor a list position at the end)
        below: list = []
        for record in records:
            cls = type(record)
            names = fields.get(cls)
            if names is None:
                names = fields[cls] = frozenset(f.name for f in attrs.fields(cls)) if attrs.has(cls) else frozenset()
            if name not in names:
                continue
            value = getattr(record, name)
            if value is OMITTED:
                continue
            if last:
                return True
            if listed:
                if isinstance(value, tuple) and value and attrs.has(type(value[0])):
                    below.extend(value)
            elif not isinstance(value, tuple) and attrs.has(type(value)):
                below.append(value)
        if not below:
            return False
        records = below
    return False


def missing_kind(missing: Iterable[str], recorded: frozenset[str] | RecordedLookup) -> str:
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
