"""The quick way from plain data to a :class:`FactDocument`, for documents that are right.

The careful structuring (cattrs with detailed validation, in :mod:`.load`)
records the path of every value so that a problem can be located; on a court
of some 50,000 values that bookkeeping costs more than reading the JSON. Most
documents have no problem, so this module structures in one pass that only
answers "fine, here it is" or :class:`NotQuick` ("ask the careful path"),
without paths, messages or exception groups. The careful path then finds and
words the problem exactly as before.

The rule that keeps the two in step: whatever this module accepts, the careful
path accepts too and builds an equal document; anything it is unsure of (a
``str`` subclass, an integer past 2**53 given as hours) is simply not quick.
``tests/test_facts_quick.py`` holds the two to that.

It also accepts nothing that :func:`partyrules.source.check_plain` refuses, so a
mapping handed over by a program is not walked a second time for that: the
types are exact here already and the model bounds the depth; the strings (their
length, lone surrogates) and the number of values are checked on the way.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import types
import typing
from collections import deque
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Callable, Iterable, Literal, Union

import attrs

from ..periods import Month, parse_date, parse_dates
from ..source import MAX_STRING, MAX_VALUES, is_text
from .model import FIRST_DATE, LAST_DATE, MAX_COUNT, Count, FactDocument, Hours, Meeting, NonEmpty, Number, Omitted, \
    TrainingHours

NOT_RECORDS = frozenset({"postponement_approved_until"})            # as load.NOT_RECORDS

Hook = Callable[[Any, "_Seen"], Any]


class NotQuick(Exception):
    """The document needs the careful path (which says what, if anything, is wrong)."""


class _Seen:
    """What one load has met so far: parsed dates and months (documents repeat them), the latest record,
    and what the plain-data check needs (see :func:`structure`)."""

    __slots__ = ("dates", "months", "month_lists", "years", "latest", "latest_year", "texts", "values", "id_lists",
                 "attendee_lists", "attendees")

    def __init__(self) -> None:
        self.dates: dict[str, dt.date] = {}
        self.months: dict[str, Month] = {}
        # lists of months met before, as the tuple made of them: most members pay for the same months, and
        # one tuple for them all lets what reads dues work out its months once per list (index.dues_months)
        self.month_lists: dict[tuple, tuple] = {}
        self.years: dict[Any, int] = {}  # keys of training hours (2023, "2023") met before, and their year
        self.latest = FIRST_DATE        # the latest date of a record (see load.records_after)
        self.latest_year = 0            # the latest year of training hours
        self.texts: list[str] = []      # free text and ids, each within MAX_STRING: surrogates checked at the end
        self.values = 1                 # the values met, counted as check_plain counts them (the top mapping)
        self.id_lists: list[tuple] = []  # lists of ids, their items checked together at the end (_ids_are_right)
        self.attendee_lists: list[tuple] = []   # the meetings' lists of ids, kept apart (see structure_noting)
        self.attendees: set = set()     # the ids they name, once each (made by _ids_are_right)


def structure(data: Any, source: str) -> FactDocument:
    """:func:`structure_noting`'s document."""
    return structure_noting(data, source)[0]


def structure_noting(data: Any, source: str) -> tuple[FactDocument, set]:
    """``data`` as a FactDocument, if it is one with no problem the careful path would report about
    its shape or its records' dates, and that :func:`~partyrules.source.check_plain` accepts; raises
    :class:`NotQuick` otherwise.

    The references between records (ids) are left to ``load.check_references``,
    which costs little when nothing is wrong. The set returned holds every id the
    meetings' attendees name: the quick path has made it to check the ids, and the
    reference check need not walk the ~20,000 attendees of a court again.
    """
    seen = _Seen()
    try:
        facts = _DOCUMENT(data, seen, source)
    except NotQuick:
        raise
    except Exception:           # a value no hook expected (unhashable, overflowing): the careful path says
        raise NotQuick from None
    as_of = facts.as_of
    if as_of is not _OMITTED and (seen.latest > as_of or seen.latest_year > as_of.year):
        raise NotQuick
    if not _ids_are_right(seen) or seen.values > MAX_VALUES or not is_text("".join(seen.texts)):
        raise NotQuick
    return facts, seen.attendees


def _ids_are_right(seen: _Seen) -> bool:
    """Whether every item of these lists of ids is an id: a str, not blank, within MAX_STRING.

    A court lists some 20,000 attendees, of a few hundred distinct ids: the
    type of each item is asked in one pass, the rest once per distinct id.
    """
    flat = list(chain.from_iterable(seen.id_lists + seen.attendee_lists))
    seen.values += len(flat)
    if not flat:
        return True
    if set(map(type, flat)) != {str}:
        return False
    seen.attendees = set(chain.from_iterable(seen.attendee_lists))     # all of them str, as asked just above
    distinct = seen.attendees.union(chain.from_iterable(seen.id_lists))
    seen.texts.extend(distinct)         # their surrogates are looked for with the other texts
    return all(map(str.strip, distinct)) and max(map(len, distinct)) <= MAX_STRING


_OMITTED = attrs.fields(FactDocument).as_of.default


# --------------------------------------------------------------------------- scalar hooks

def _str(value: Any, seen: _Seen) -> str:
    if type(value) is not str or len(value) > MAX_STRING:
        raise NotQuick
    seen.texts.append(value)
    return value


def _non_empty(value: Any, seen: _Seen) -> str:
    if type(value) is not str or not value.strip() or len(value) > MAX_STRING:
        raise NotQuick
    seen.texts.append(value)
    return value


def _bool(value: Any, seen: _Seen) -> bool:
    if value is not True and value is not False:
        raise NotQuick
    return value


def _count(value: Any, seen: _Seen) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise NotQuick
    return value


def _number(value: Any, seen: _Seen) -> float:
    kind = type(value)
    if kind is float:
        if 0 <= value < math.inf:       # NaN compares false
            return value
    elif kind is int and 0 <= value <= MAX_COUNT:
        return float(value)
    raise NotQuick


def _date(value: Any, seen: _Seen) -> dt.date:
    if type(value) is str:
        day = seen.dates.get(value)
        return day if day is not None else _parse_day(value, seen)
    if type(value) is dt.date and FIRST_DATE <= value <= LAST_DATE:
        return value
    raise NotQuick


def _parse_day(text: str, seen: _Seen) -> dt.date:
    """A date not met before in this document, remembered."""
    try:
        day = parse_date(text)
    except ValueError:
        raise NotQuick from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise NotQuick
    seen.dates[text] = day
    return day


def _parse_days(texts: list[str], seen: _Seen) -> None:
    """:func:`_parse_day` of each of ``texts`` (str, none met before), in one pass for them all."""
    try:
        days = parse_dates(texts)
    except ValueError:
        raise NotQuick from None
    if days and (min(days) < FIRST_DATE or max(days) > LAST_DATE):
        raise NotQuick
    seen.dates.update(zip(texts, days))


def _record_date(value: Any, seen: _Seen) -> dt.date:
    """A date that records something that happened: it must not lie after as_of (checked at the end)."""
    day = _date(value, seen)
    if day > seen.latest:
        seen.latest = day
    return day


def _month(value: Any, seen: _Seen) -> Month:
    if type(value) is str:
        month = seen.months.get(value)
        if month is None:
            month = seen.months[value] = _parse_month(value)
        return month
    if type(value) is Month:
        return value
    raise NotQuick


def _parse_month(text: str) -> Month:
    try:
        month = Month.parse(text)
    except ValueError:
        raise NotQuick from None
    if not FIRST_DATE.year <= month.year <= LAST_DATE.year:
        raise NotQuick
    return month


def _training_hours(value: Any, seen: _Seen) -> TrainingHours:
    """A member's hours by year, a mapping at a time: the members of a court repeat the same few years."""
    if type(value) is not dict:
        raise NotQuick
    n = len(value)
    seen.values += n
    years = _years(value, seen)
    if len(set(years)) != n:                    # 2023 and "2023" both given
        raise NotQuick
    if n:
        last = max(years)
        if last > seen.latest_year:
            seen.latest_year = last
    return TrainingHours(tuple(sorted(zip(years, _hours(value.values(), seen)))))


_YEAR_KEYS = frozenset({str, int})
_INT = frozenset({int})


def _years(keys: dict, seen: _Seen) -> list[int]:
    known = seen.years
    if _YEAR_KEYS.issuperset(map(type, keys)):     # exact types: a subclass equal to a known key is not quick
        try:
            return list(map(known.__getitem__, keys))   # in C: a member gives only a few years
        except KeyError:                            # a key not met yet (or not a year)
            pass
    return [_year(key, known) for key in keys]


def _year(key: Any, known: dict) -> int:
    if type(key) is int:
        year = key
    elif type(key) is str and key.isascii() and key.isdigit() and len(key) == 4:
        year = int(key)
    else:
        raise NotQuick
    if not 1900 <= year <= 2999:
        raise NotQuick
    known[key] = year
    return year


def _hours(values: Any, seen: _Seen) -> Iterable[float]:
    """Hours as _number takes them; whole numbers (the usual) in one pass, each type asked in C."""
    if values and _INT.issuperset(map(type, values)) and min(values) >= 0 and max(values) <= MAX_COUNT:
        return map(float, values)
    return [_number(hours, seen) for hours in values]


def _nullable(inner: Hook) -> Hook:
    def hook(value: Any, seen: _Seen) -> Any:
        return None if value is None else inner(value, seen)
    hook.inner = inner          # type: ignore[attr-defined]  # for the generated record functions
    return hook


def _literal(allowed: tuple) -> Hook:
    allowed_set = frozenset(allowed)

    def hook(value: Any, seen: _Seen) -> Any:
        if type(value) is not str or value not in allowed_set:
            raise NotQuick
        return value
    hook.allowed = allowed_set  # type: ignore[attr-defined]  # for the generated record functions
    return hook


# --------------------------------------------------------------------------- lists and records

def _ids(value: Any, seen: _Seen) -> tuple:
    """A list of ids, its items checked with all the others at the end (attendance lists are most of
    a court's values); written into the record functions rather than called."""
    if type(value) is not list and type(value) is not tuple:
        raise NotQuick
    ids = tuple(value)
    seen.id_lists.append(ids)
    return ids


def _months(value: Any, seen: _Seen) -> tuple:
    """A list of months (dues paid), in bulk: a court lists some 10,000, of a few dozen distinct ones."""
    if type(value) is not list and type(value) is not tuple:
        raise NotQuick
    seen.values += len(value)
    if _STR.issuperset(map(type, value)):   # exact types: a value only equal to a month's text is not quick
        texts = tuple(value)
        made = seen.month_lists.get(texts)
        return made if made is not None else _new_month_list(texts, seen)
    return tuple([_month(x, seen) for x in value])


def _new_month_list(texts: tuple[str, ...], seen: _Seen) -> tuple[Month, ...]:
    """The months of ``texts`` (a list not met before), remembered."""
    try:
        made = tuple(map(seen.months.__getitem__, texts))      # looked up in C, not by bytecode per month
    except KeyError:                # a month not met yet (or not a month): one by one
        made = tuple([_month(x, seen) for x in texts])
    seen.month_lists[texts] = made
    return made


def _list_of(item: Hook) -> Hook:
    many = getattr(item, "many", None)      # records: the function generated for a whole list
    if many is not None:
        return many

    def hook(value: Any, seen: _Seen) -> tuple:
        if type(value) is not list and type(value) is not tuple:
            raise NotQuick
        seen.values += len(value)
        return tuple([item(x, seen) for x in value])
    return hook


# Simple checks are written into the record's function rather than called: a court has some 2,000
# records of a few fields each, and a call per field was most of the time.
_INLINE = {_str: "type({v}) is not str or len({v}) > MAX_STRING",
           _non_empty: "type({v}) is not str or not {v}.strip() or len({v}) > MAX_STRING",
           _bool: "{v} is not True and {v} is not False",
           _count: "type({v}) is not int or not 0 <= {v} <= MAX_COUNT"}
_TEXTS = (_str, _non_empty)            # strings kept for the surrogate check at the end

_ABSENT = object()
_ATTENDEES = (Meeting, "attendees")       # their lists are kept apart: see structure_noting
# A key is a field's name by equality; its type is asked too, as check_plain asks it: an object (or a str
# subclass holding other text) that only says it equals "id" is not quick.
_STR = frozenset({str})


def _record(cls: type, hooks: dict[str, Hook]) -> Hook:
    """One function that checks and builds a ``cls`` from a mapping, generated for its fields.

    Fields are passed positionally in attrs' order; a key left out takes the
    field's default (OMITTED), a key that is not a field or a required field
    missing is not quick.
    """
    fields = [f for f in attrs.fields(cls) if f.name in hooks]
    skipped = [f for f in attrs.fields(cls) if f.name not in hooks]
    if any(not f.init or f.kw_only or isinstance(f.default, attrs.Factory) for f in fields) or \
            attrs.fields(cls)[len(fields):] != tuple(skipped):
        raise TypeError(f"no quick structuring for {cls.__name__}")
    ns: dict[str, Any] = {"cls": cls, "NotQuick": NotQuick, "MAX_COUNT": MAX_COUNT, "MAX_STRING": MAX_STRING,
                          "ABSENT": _ABSENT, "STR": _STR,
                          "names": frozenset(hooks),
                          "required": frozenset(f.name for f in fields if f.default is attrs.NOTHING),
                          "_date": _date, "_parse_day": _parse_day}
    binds = ["dates = seen.dates", "latest = seen.latest"]
    kinds = {_nullable_inner(hooks[f.name]) for f in fields}    # what is kept for the end is bound if used
    if kinds & set(_TEXTS):
        binds.append("text = seen.texts.append")
    if _ids in kinds:
        binds += ["ids = seen.id_lists.append", "attend = seen.attendee_lists.append"]
    body = ["if type(value) is not dict:",
            "    raise NotQuick",
            "keys = value.keys()",
            "if not (keys <= names and keys >= required) or not STR.issuperset(map(type, keys)):",
            "    raise NotQuick",
            "count += len(value)",
            "get = value.get"]
    for i, f in enumerate(fields):
        body += _field_lines(f, f"v{i}", hooks[f.name], i, ns, "attend" if (cls, f.name) == _ATTENDEES else "ids")
    built = f"cls({', '.join(f'v{i}' for i in range(len(fields)))})"
    setters = _slot_setters(cls, fields)
    if setters is not None:
        ns["new"] = object.__new__
        ns.update((f"S{i}", setter) for i, setter in enumerate(setters))
        body += ["built = new(cls)"] + [f"S{i}(built, v{i})" for i in range(len(fields))]
        built = "built"
    end = ["seen.values += count",
           "if latest > seen.latest:           # records inside may have moved it on",
           "    seen.latest = latest"]
    one = ["def make(value, seen):"] + _indent(binds + ["count = 0"] + body + end + [f"return {built}"])
    exec(compile("\n".join(one), f"<quick structuring of {cls.__name__}>", "exec"), ns)
    make = ns["make"]
    columns = _columns(cls, fields, hooks, setters)

    def rows(items: Any, seen: _Seen) -> tuple:
        """A list of records, one ``make`` each. (Generated once more as a loop, it took as long to
        compile, at every start, as it saved on a court's few short lists.)"""
        if type(items) is not list and type(items) is not tuple:
            raise NotQuick
        seen.values += len(items)
        return tuple([make(value, seen) for value in items])

    def make_list(items: Any, seen: _Seen) -> tuple:
        # a court's long lists (some 1,900 meetings, 300 members) field by field; a short one (a member's
        # introducers) record by record, where a dozen passes over it would cost more than they save
        return columns(items, seen) if type(items) is list and len(items) >= COLUMNS_FROM else rows(items, seen)
    make.many, make.rows, make.columns = make_list, rows, columns
    return make


# a list of records this long or longer is structured field by field (see _columns); shorter ones record by record
COLUMNS_FROM = 24

_DICT = frozenset({dict})
_BOOL = frozenset({bool})
_SEQUENCE = frozenset({list, tuple})


def _columns(cls: type, fields: list, hooks: dict[str, Hook], setters: list | None) -> Callable[[Any, _Seen], tuple]:
    """What ``make`` does for each of a list of ``cls`` records, field by field.

    Record by record, each field of each record is some ten bytecodes: a court's
    1,900 meetings and 300 members took 9 ms. Here a field's values are taken from
    every record at once (``map`` over an ``itemgetter``) and checked together:
    their types as one set, texts and ids once per distinct value, dates through
    the load's table of dates met. The type of every key is asked in one pass, and
    every key layout (the tuple of a record's keys; a court's meetings have three)
    is checked once. The records are then built slot by slot, each slot for every
    record in one ``map``. It accepts exactly the lists whose every record ``make``
    accepts and builds equal records (``tests/test_quick_columns.py`` holds them to
    it).
    """
    names = frozenset(hooks)
    required = frozenset(f.name for f in fields if f.default is attrs.NOTHING)
    steps = [(f.name, f.default, itemgetter(f.name), _column_step(hooks[f.name], (cls, f.name) == _ATTENDEES),
              getattr(hooks[f.name], "inner", None) is not None) for f in fields]
    new = object.__new__

    def make_columns(items: Any, seen: _Seen) -> tuple:
        if type(items) is not list and type(items) is not tuple:
            raise NotQuick
        n = len(items)
        if not n:
            return ()
        if not _DICT.issuperset(map(type, items)):
            raise NotQuick
        # every key's type, not only those of the distinct layouts: a layout with a str subclass for a key
        # equals the layout with the name itself, and a set of them keeps only one
        if not _STR.issuperset(map(type, chain.from_iterable(items))):
            raise NotQuick
        layouts = set(map(tuple, items))
        for keys in layouts:
            if not (required.issubset(keys) and names.issuperset(keys)):
                raise NotQuick
        every = names.intersection(*layouts)
        some = names.intersection(chain.from_iterable(layouts))
        seen.values += n + sum(map(len, items))
        columns = []
        for name, default, take, step, nullable in steps:
            if name not in some:
                columns.append([default] * n)
                continue
            column = list(map(take, items)) if name in every else \
                list(map(dict.get, items, repeat(name, n), repeat(_ABSENT, n)))
            if name in every and not (nullable and None in column):
                columns.append(step(column, seen))
                continue
            # some records leave the field out (or give null): the others' values are checked, then put back
            # in their places
            if nullable:
                given = [v for v in column if v is not _ABSENT and v is not None]
                made = iter(step(given, seen)).__next__
                columns.append([default if v is _ABSENT else None if v is None else made() for v in column])
            else:
                given = [v for v in column if v is not _ABSENT]
                made = iter(step(given, seen)).__next__
                columns.append([default if v is _ABSENT else made() for v in column])
        if setters is None:
            return tuple(map(cls, *columns))
        built = list(map(new, repeat(cls, n)))
        for setter, column in zip(setters, columns):
            deque(map(setter, built, column), 0)
        return tuple(built)
    return make_columns


def _column_step(hook: Hook, attendees: bool) -> Callable[[list, _Seen], list]:
    """The check of a column of a field's given values (no null among them), as ``hook`` checks each value;
    it returns the values as the record keeps them. ``attendees``: a meeting's list of ids (see
    structure_noting)."""
    hook = _nullable_inner(hook)
    if hook is _str or hook is _non_empty:
        not_blank = hook is _non_empty

        def texts(values: list, seen: _Seen) -> list:
            if not _STR.issuperset(map(type, values)):
                raise NotQuick
            distinct = set(values)
            if (not_blank and not all(map(str.strip, distinct))) or max(map(len, distinct), default=0) > MAX_STRING:
                raise NotQuick
            seen.texts.extend(distinct)
            return values
        return texts
    if hook is _bool:
        return _of_types(_BOOL)
    if hook is _count:
        return _of_types(_INT, (0, MAX_COUNT))
    allowed = getattr(hook, "allowed", None)
    if allowed is not None:
        def choices(values: list, seen: _Seen) -> list:
            if not _STR.issuperset(map(type, values)) or not allowed.issuperset(values):
                raise NotQuick
            return values
        return choices
    if hook is _ids:
        def id_lists(values: list, seen: _Seen) -> list:
            if not _SEQUENCE.issuperset(map(type, values)):
                raise NotQuick
            made = list(map(tuple, values))
            (seen.attendee_lists if attendees else seen.id_lists).extend(made)
            return made
        return id_lists
    if hook is _date or hook is _record_date:
        records = hook is _record_date

        def days(values: list, seen: _Seen) -> list:
            if _STR.issuperset(map(type, values)):
                known = seen.dates
                _parse_days(list(set(values).difference(known)), seen)     # each date not met yet, once
                made = list(map(known.__getitem__, values))
            else:
                made = [_date(v, seen) for v in values]
            if records and made:
                last = max(made)
                if last > seen.latest:
                    seen.latest = last
            return made
        return days

    if hook is _training_hours:
        return _hours_by_year
    if hook is _months:
        return _month_lists

    def each(values: list, seen: _Seen) -> list:
        return [hook(v, seen) for v in values]
    return each


def _of_types(kinds: frozenset, bounds: tuple | None = None) -> Callable[[list, _Seen], list]:
    """The check of a column whose values must be of exactly ``kinds`` (and within ``bounds``, low and high)."""
    def check(values: list, seen: _Seen) -> list:
        if not kinds.issuperset(map(type, values)) or \
                (bounds is not None and values and not bounds[0] <= min(values) <= max(values) <= bounds[1]):
            raise NotQuick
        return values
    return check


def _hours_by_year(values: list, seen: _Seen) -> list:
    """``_training_hours`` of each value: the years of each distinct set of keys (a court's members give a
    few) worked out once, every member's hours checked in one pass."""
    if not _DICT.issuperset(map(type, values)) or not _YEAR_KEYS.issuperset(map(type, chain.from_iterable(values))):
        return [_training_hours(v, seen) for v in values]
    hours = list(chain.from_iterable(map(dict.values, values)))
    if hours and not (_INT.issuperset(map(type, hours)) and min(hours) >= 0 and max(hours) <= MAX_COUNT):
        return [_training_hours(v, seen) for v in values]
    years_of = {}
    for keys in set(map(tuple, values)):
        years = _years(keys, seen)
        if len(set(years)) != len(keys):            # 2023 and "2023" both given
            raise NotQuick
        if years and max(years) > seen.latest_year:
            seen.latest_year = max(years)
        # in the order the record keeps them; most give their years in order already
        years_of[keys] = (tuple(years), None) if years == sorted(years) else (tuple(sorted(years)), years)
    seen.values += len(hours)
    made = []
    for value in values:
        years, given = years_of[tuple(value)]
        if given is None:
            made.append(TrainingHours(tuple(zip(years, map(float, value.values())))))
        else:
            made.append(TrainingHours(tuple(sorted(zip(given, map(float, value.values()))))))
    return made


def _month_lists(values: list, seen: _Seen) -> list:
    """``_months`` of each value: each distinct list of months (most members pay for the same months) is
    made once, into the load's table of them, and every member's found there in one pass."""
    if not _SEQUENCE.issuperset(map(type, values)):
        raise NotQuick
    texts = list(map(tuple, values))
    if not _STR.issuperset(map(type, chain.from_iterable(texts))):     # months given as Month, or wrong
        return [_months(v, seen) for v in values]
    lists = seen.month_lists
    for new in set(texts).difference(lists):
        _new_month_list(new, seen)
    seen.values += sum(map(len, texts))
    return list(map(lists.__getitem__, texts))


def _slot_setters(cls: type, fields: list) -> list | None:
    """The slots' own setters of ``cls``'s fields, in order, when setting them on a bare instance builds
    what ``cls(...)`` builds; None otherwise.

    attrs' frozen __init__ sets each field through ``object.__setattr__`` by name, about
    a third of building a record; a court builds some 2,300. That is the same object only
    when __init__ does nothing else: no validator, converter, pre/post-init hook, cached
    hash, base class or ``__new__`` of its own, and every slot is a field given here.
    """
    names = [f.name for f in fields]
    if (cls.__mro__ != (cls, object) or cls.__new__ is not object.__new__
            or set(getattr(cls, "__slots__", ())) != {*names, "__weakref__"}
            or tuple(attrs.fields(cls)) != tuple(fields)
            or any(f.validator is not None or f.converter is not None for f in fields)
            or hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__")):
        return None
    slots = [cls.__dict__.get(name) for name in names]
    if not all(type(slot) is types.MemberDescriptorType for slot in slots):
        return None
    return [slot.__set__ for slot in slots]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _field_lines(f: Any, v: str, hook: Hook, i: int, ns: dict, keep: str) -> list[str]:
    """The lines that take field ``f`` from ``value`` into ``v``, checked; its default when left out.
    ``keep``: the name bound to the list a list of ids is kept in."""
    check = _field_check(v, hook, i, ns, keep)
    if f.default is attrs.NOTHING:
        return [f"{v} = value[{f.name!r}]"] + check
    ns[f"D{i}"] = f.default
    return [f"{v} = get({f.name!r}, ABSENT)",
            f"if {v} is ABSENT:",
            f"    {v} = D{i}",
            "else:"] + _indent(check)


def _nullable_inner(hook: Hook) -> Hook:
    """The hook a nullable one calls for a value that is not None; any other hook itself."""
    return getattr(hook, "inner", hook)


def _field_check(v: str, hook: Hook, i: int, ns: dict, keep: str) -> list[str]:
    """The lines that check (and convert) the value in ``v`` for ``hook``, raising NotQuick."""
    nullable = getattr(hook, "inner", None)
    hook = _nullable_inner(hook)
    if hook in _INLINE:
        lines = [f"if {_INLINE[hook].format(v=v)}:", "    raise NotQuick"]
        if hook in _TEXTS:
            lines.append(f"text({v})")
    elif hook is _ids:
        lines = [f"if type({v}) is not list and type({v}) is not tuple:", "    raise NotQuick",
                 f"{v} = tuple({v})", f"{keep}({v})"]
    elif hasattr(hook, "allowed"):
        ns[f"A{i}"] = hook.allowed
        lines = [f"if type({v}) is not str or {v} not in A{i}:", "    raise NotQuick"]
    elif hook is _date or hook is _record_date:
        lines = [f"if type({v}) is str:",
                 f"    day = dates.get({v})",
                 f"    {v} = day if day is not None else _parse_day({v}, seen)",
                 "else:",
                 f"    {v} = _date({v}, seen)"]
        if hook is _record_date:
            lines += [f"if {v} > latest:", f"    latest = {v}"]
    else:
        ns[f"H{i}"] = hook
        lines = [f"{v} = H{i}({v}, seen)"]
    if nullable is not None:
        lines = [f"if {v} is not None:"] + ["    " + line for line in lines]
    return lines


_SCALARS: dict[Any, Hook] = {str: _str, NonEmpty: _non_empty, bool: _bool, Count: _count, Hours: _number,
                             Number: _number, dt.date: _date, Month: _month, TrainingHours: _training_hours}


def _hook_for(tp: Any, records: dict[type, Hook], record_date: bool = False) -> Hook:
    """The hook of one field type; ``record_date``: a date field whose value records an event."""
    origin = typing.get_origin(tp)
    if origin is Union:
        args = typing.get_args(tp)
        rest = [a for a in args if a not in (type(None), Omitted)]
        if len(rest) != 1:
            raise TypeError(f"unsupported union {tp}")
        inner = _hook_for(rest[0], records, record_date)
        return _nullable(inner) if type(None) in args else inner
    if origin is Literal:
        return _literal(typing.get_args(tp))
    if origin is tuple:
        item_type, _ellipsis = typing.get_args(tp)
        if item_type is NonEmpty:
            return _ids
        if item_type is Month:
            return _months
        return _list_of(_hook_for(item_type, records))
    if tp is dt.date and record_date:
        return _record_date
    if tp in _SCALARS:
        return _SCALARS[tp]
    if attrs.has(tp):
        return _record_hook(tp, records)
    raise TypeError(f"no quick hook for {tp}")


def _record_hook(cls: type, records: dict[type, Hook]) -> Hook:
    if cls not in records:
        hints = field_types(cls)
        hooks = {f.name: _hook_for(hints[f.name], records,
                                   record_date=cls is not FactDocument and f.name not in NOT_RECORDS)
                 for f in attrs.fields(cls) if not (cls is FactDocument and f.name == "source")}
        records[cls] = _record(cls, hooks)
    return records[cls]


def field_types(cls: type) -> dict[str, Any]:
    """The types of ``cls``'s attrs fields, as ``typing.get_type_hints`` resolves them.

    The model's annotations are strings (``from __future__ import annotations``);
    get_type_hints compiles each one apart, some 120 compilations that were half of
    building these hooks at import. Evaluated as one tuple per class, it is one.
    """
    fields = attrs.fields(cls)
    texts = [f.type for f in fields]
    if not all(isinstance(text, str) for text in texts) or len(cls.__mro__) != 2:
        hints = typing.get_type_hints(cls)      # resolved already, or inherited: the general way
        return {f.name: hints[f.name] for f in fields}
    code = compile("(" + "".join(f"({text}),\n" for text in texts) + ")", f"<types of {cls.__name__}>", "eval")
    values = eval(code, vars(sys.modules[cls.__module__]), dict(vars(cls)))   # noqa: S307  our own annotations
    return dict(zip([f.name for f in fields], values))


def _document_hook() -> Callable[[Any, _Seen, str], FactDocument]:
    top = _record_hook(FactDocument, {})

    def hook(value: Any, seen: _Seen, source: str) -> FactDocument:
        facts = top(value, seen)
        return attrs.evolve(facts, source=source) if source != facts.source else facts
    return hook


_DOCUMENT = _document_hook()
