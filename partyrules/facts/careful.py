"""The careful structuring of a fact document: cattrs with strict hooks, every problem located and worded.

Only documents the quick path (:mod:`.quick`) does not take come here, so cattrs
(~10 ms to import) is loaded by :func:`.load.facts_from_document` on first need
rather than by every ``partyrules check`` of a document that is right.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import types
import typing
from typing import Any, Literal, Union

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from ..periods import Month, parse_date
from .model import FIRST_DATE, LAST_DATE, MAX_COUNT, Count, FactDocument, Hours, NonEmpty, Number, Omitted, TrainingHours

MAX_LIST_PROBLEMS = 100      # wrong items of one list that are checked and counted


class _Problem(Exception):
    """A value that does not fit; ``subpath`` continues the path below the value."""

    def __init__(self, message: str, subpath: tuple = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and value.bit_length() > 200:
        return f"a number of {len(str(value))} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def kind_of(value: Any) -> str:
    """What a value is, without showing it."""
    if value is None or isinstance(value, (bool, dict, list)):
        return describe(value)
    if isinstance(value, str):
        return f"a string of {len(value)} characters" if value != "" else "an empty string"
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Problem(f"expected a string, got {describe(value)}")
    return value


def _non_empty(value: Any, _: type) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Problem(f"expected a non-empty string (an id), got {describe(value)}")
    return value


def _bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Problem(f"expected true or false, got {describe(value)}")
    return value


def _count(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Problem(f"expected a whole number >= 0, got {describe(value)}")
    if value > MAX_COUNT:
        raise _Problem(f"expected a whole number up to {MAX_COUNT}, got one of {len(str(value))} digits")
    return value


def _hours(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Problem(f"expected a number of hours >= 0, got {describe(value)}")
    return float(value)


def _number(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Problem(f"expected a number >= 0, got {describe(value)}")
    return float(value)


def _date(value: Any, _: type) -> dt.date:
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = parse_date(value)
        except ValueError:
            pass
    if day is None:
        raise _Problem(f"expected a date YYYY-MM-DD, got {describe(value)}")
    if not FIRST_DATE <= day <= LAST_DATE:
        # periods and terms are counted years past a date: 9999-12-31 would overflow them
        raise _Problem(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {describe(value)}")
    return day


def _month(value: Any, _: type) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, str):
        try:
            month = Month.parse(value)
        except ValueError:
            month = None
        if month is not None and FIRST_DATE.year <= month.year <= LAST_DATE.year:
            return month
    raise _Problem(f"expected a month YYYY-MM from {FIRST_DATE:%Y-%m} to {LAST_DATE:%Y-%m}, got {describe(value)}")


def _training_hours(value: Any, _: type) -> TrainingHours:
    if not isinstance(value, dict):
        raise _Problem(f"expected a mapping of year to hours, got {describe(value)}")
    pairs: dict[int, float] = {}
    for key, hours in value.items():
        year = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4:
            year = int(key)
        if year is None or not 1900 <= year <= 2999:
            raise _Problem(f"expected a year such as 2024 as key, got {describe(key)}", (key,))
        if year in pairs:
            raise _Problem(f"year {year} is given twice", (key,))
        pairs[year] = _hours_at(hours, key)
    return TrainingHours(tuple(sorted(pairs.items())))


def _hours_at(value: Any, key: Any) -> float:
    try:
        return _hours(value, float)
    except _Problem as exc:
        raise _Problem(exc.message, (key,)) from None


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(NonEmpty, _non_empty)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Count, _count)
    conv.register_structure_hook(Hours, _hours)
    conv.register_structure_hook(Number, _number)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Month, _month)
    conv.register_structure_hook(TrainingHours, _training_hours)

    def literal_factory(tp: Any):
        allowed = typing.get_args(tp)

        def hook(value: Any, _: type) -> Any:
            if not isinstance(value, str) or value not in allowed:
                hint = ""
                if isinstance(value, str):
                    close = difflib.get_close_matches(value, allowed, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise _Problem(f"expected one of {', '.join(allowed)}, got {describe(value)}{hint}")
            return value
        return hook

    def tuple_factory(tp: Any):
        (item_type, _ellipsis) = typing.get_args(tp)
        item_hook = conv.get_structure_hook(item_type)

        def hook(value: Any, _: type) -> tuple:
            if not isinstance(value, (list, tuple)):
                raise _Problem(f"expected a list, got {describe(value)}")
            out = []
            errors: list[Exception] = []
            for i, item in enumerate(value):
                if len(errors) >= MAX_LIST_PROBLEMS:
                    # a million wrong items need not all be described: stop, and say so
                    errors.append(_Problem(f"checking stopped after {MAX_LIST_PROBLEMS} wrong items in this list", (i,)))
                    break
                try:
                    out.append(item_hook(item, item_type))
                except _Problem as exc:
                    errors.append(_Problem(exc.message, (i,) + exc.subpath))
                except Exception as exc:
                    exc.__notes__ = getattr(exc, "__notes__", []) + [_Index(i)]
                    errors.append(exc)
            if errors:
                raise cattrs.IterableValidationError("invalid items", errors, tp)
            return tuple(out)
        return hook

    def union_factory(tp: Any):
        args = typing.get_args(tp)
        nullable = type(None) in args
        rest = [a for a in args if a not in (type(None), Omitted)]
        if len(rest) != 1:
            raise TypeError(f"unsupported union {tp}")
        inner = rest[0]
        inner_hook = conv.get_structure_hook(inner)

        def hook(value: Any, _: type) -> Any:
            if value is None:
                if nullable:
                    return None
                raise _Problem("expected a value, got null (leave the key out when it is not known)")
            return inner_hook(value, inner)
        return hook

    def class_factory(cls: type):
        fn = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True,
                                    _cattrs_detailed_validation=True,
                                    **({"source": override(omit=True)} if cls is FactDocument else {}))

        def hook(value: Any, tp: type) -> Any:
            if not isinstance(value, dict):
                raise _Problem(f"expected a mapping, got {describe(value)}")
            return fn(value, tp)
        return hook

    conv.register_structure_hook_factory(lambda t: typing.get_origin(t) is Literal, literal_factory)
    conv.register_structure_hook_factory(
        lambda t: typing.get_origin(t) is tuple and len(typing.get_args(t)) == 2
        and typing.get_args(t)[1] is Ellipsis, tuple_factory)
    conv.register_structure_hook_factory(_is_union, union_factory)
    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (TrainingHours, Month), class_factory)
    return conv


@attrs.frozen
class _Index:
    index: int


_CONVERTER = _make_converter()


def structure(data: Any, cls: type) -> Any:
    """One record (already checked plain) structured as the loader does it (sessions change one record)."""
    return _CONVERTER.structure(data, cls)


def flatten(exc: BaseException, path: tuple) -> list[tuple[tuple, str]]:
    """Turn cattrs' exception groups into (path, message) pairs."""
    if isinstance(exc, ForbiddenExtraKeysError):
        out = []
        fields = [a.name for a in attrs.fields(exc.cl) if a.name != "source"]
        for extra in sorted(exc.extra_fields, key=lambda k: (not isinstance(k, str), str(k))):
            if not isinstance(extra, str):
                out.append((path + (extra,), f"unknown field {describe(extra)}: field names are strings; "
                                             f"expected one of {', '.join(fields)}"))
                continue
            close = difflib.get_close_matches(extra, fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.append((path + (extra,), f"unknown field{hint}; expected one of {', '.join(fields)}"))
        return out
    if isinstance(exc, BaseExceptionGroup):
        out = []
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", [])
            # cattrs notes the attribute after our tuple hook noted the index: attribute first.
            step = path + tuple(n.name for n in notes if type(n).__name__ == "AttributeValidationNote")
            step = step + tuple(n.index for n in notes if type(n).__name__ in ("IterableValidationNote", "_Index"))
            out.extend(flatten(sub, step))
        return out
    if isinstance(exc, _Problem):
        return [(path + exc.subpath, exc.message)]
    if isinstance(exc, KeyError):
        return [(path, "required field missing")]
    return [(path, f"invalid value: {exc}")]


FAILURES = (cattrs.BaseValidationError, _Problem, KeyError)   # what structuring raises about the data
