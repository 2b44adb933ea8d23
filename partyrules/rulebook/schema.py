"""Checking the shape of policy and parameter files, with FILE:LINE:COL messages."""

from __future__ import annotations

import difflib
from typing import Any

import attrs

from ..errors import PolicyError
from ..periods import parse_date
from ..source import Document, format_path

_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


@attrs.frozen
class Fields:
    required: dict = attrs.field(factory=dict)
    optional: dict = attrs.field(factory=dict)


def fail(doc: Document, path: tuple, message: str) -> PolicyError:
    line, col = doc.where(path) or (None, None)
    where = format_path(path)
    return PolicyError(doc.source, f"{where}: {message}" if where else message, line, col)


def type_name(t: Any) -> str:
    if isinstance(t, tuple):
        return " or ".join(_TYPE_NAMES.get(x, x.__name__) for x in t)
    return _TYPE_NAMES.get(t, t.__name__)


def check_type(doc: Document, path: tuple, value: Any, want: Any) -> None:
    ok = isinstance(value, want) and not (isinstance(value, bool) and want is not bool
                                          and not (isinstance(want, tuple) and bool in want))
    if not ok:
        got = "null" if value is None else type_name(type(value))
        raise fail(doc, path, f"expected {type_name(want)}, got {got}")


def check_mapping(doc: Document, path: tuple, value: Any, fields: Fields) -> None:
    """Known keys only (with a suggestion for a typo), required keys present, each of its type."""
    check_type(doc, path, value, dict)
    known = list(fields.required) + list(fields.optional)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise fail(doc, path + (key,), f"unknown key {key!r}{hint}; expected {', '.join(known)}")
    for key, want in fields.required.items():
        if key not in value:
            raise fail(doc, path, f"missing required key {key!r}")
        check_type(doc, path + (key,), value[key], want)
    for key, want in fields.optional.items():
        if key in value:
            check_type(doc, path + (key,), value[key], want)


_TEXT = Fields(required={"zh": str, "en": str})


def text_pair(doc: Document, path: tuple, value: Any) -> dict:
    """A bilingual text: ``{zh: …, en: …}``, both non-empty (zh first)."""
    check_mapping(doc, path, value, _TEXT)
    for lang in ("zh", "en"):
        if not value[lang].strip():
            raise fail(doc, path + (lang,), "must not be empty")
    return {"zh": value["zh"], "en": value["en"]}


def optional_date(doc: Document, path: tuple, data: dict, key: str) -> Any:
    """``data[key]`` as a date (strict ``YYYY-MM-DD``), or None when the key is absent."""
    if key not in data:
        return None
    try:
        return parse_date(data[key])
    except (ValueError, TypeError):
        raise fail(doc, path + (key,), f"expected a date YYYY-MM-DD, got {data[key]!r}") from None
