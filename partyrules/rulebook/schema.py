"""Checking the shape of policy and parameter files, with FILE:LINE:COL messages.

Each check has two faces: ``*_problems`` yields every problem (``partyrules lint``), the other
raises the first (the loaders), so both say the same thing at the same place.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Iterator

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

    def fits(self, value: dict) -> bool:
        """Has the mapping ``value`` no problem at all? (One pass: the usual case costs little.)"""
        required, optional = self.required, self.optional
        for key, item in value.items():
            want = required.get(key) or optional.get(key)
            if want is None or not is_a(item, want):
                return False
        return all(key in value for key in required)


def fail(doc: Document, path: tuple, message: str) -> PolicyError:
    line, col = doc.where(path) or (None, None)
    where = format_path(path)
    return PolicyError(doc.source, f"{where}: {message}" if where else message, line, col)


@attrs.frozen
class Problem:
    """One finding of a validator: the loader raises the first error, ``partyrules lint`` lists them all.

    ``detail`` is lint's finer statement of the same problem where it has one (a
    position inside the scalar, a "did you mean"); the loader's message stays short.
    """

    error: PolicyError
    severity: str = "error"
    detail: PolicyError | None = None

    @property
    def shown(self) -> PolicyError:
        """The statement a list of findings shows."""
        return self.detail if self.detail is not None else self.error


def first_error(problems: Iterable[Problem]) -> None:
    """Raise the first error among ``problems`` (warnings are lint's alone)."""
    for problem in problems:
        if problem.severity == "error":
            raise problem.error


def type_name(t: Any) -> str:
    if isinstance(t, tuple):
        return " or ".join(_TYPE_NAMES.get(x, x.__name__) for x in t)
    return _TYPE_NAMES.get(t, t.__name__)


def is_a(value: Any, want: Any) -> bool:
    """``isinstance``, except that true and false are not numbers here."""
    if value.__class__ is bool:       # bool cannot be subclassed
        return want is bool or (isinstance(want, tuple) and bool in want)
    return isinstance(value, want)


def has(data: Any, key: str, want: Any) -> bool:
    """``data`` is a mapping whose ``key`` holds a value of type ``want``."""
    return isinstance(data, dict) and key in data and is_a(data[key], want)


def type_problem(doc: Document, path: tuple, value: Any, want: Any) -> Problem | None:
    if is_a(value, want):
        return None
    got = "null" if value is None else type_name(type(value))
    return Problem(fail(doc, path, f"expected {type_name(want)}, got {got}"))


def check_type(doc: Document, path: tuple, value: Any, want: Any) -> None:
    problem = type_problem(doc, path, value, want)
    if problem is not None:
        raise problem.error


def mapping_problems(doc: Document, path: tuple, value: Any, fields: Fields) -> Iterator[Problem]:
    """Known keys only (with a suggestion for a typo), required keys present, each of its type: every problem,
    in the order :func:`check_mapping` meets them. A value that is not a mapping is one problem."""
    if isinstance(value, dict) and fields.fits(value):
        return
    problem = type_problem(doc, path, value, dict)
    if problem is not None:
        yield problem
        return
    known = list(fields.required) + list(fields.optional)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield Problem(fail(doc, path + (key,), f"unknown key {key!r}{hint}; expected {', '.join(known)}"))
    for key, want in fields.required.items():
        if key not in value:
            yield Problem(fail(doc, path, f"missing required key {key!r}"))
        elif (problem := type_problem(doc, path + (key,), value[key], want)) is not None:
            yield problem
    for key, want in fields.optional.items():
        if key in value and (problem := type_problem(doc, path + (key,), value[key], want)) is not None:
            yield problem


def check_mapping(doc: Document, path: tuple, value: Any, fields: Fields) -> None:
    """Known keys only (with a suggestion for a typo), required keys present, each of its type."""
    if isinstance(value, dict) and fields.fits(value):
        return            # the usual case, without starting the list of problems
    first_error(mapping_problems(doc, path, value, fields))


_TEXT = Fields(required={"zh": str, "en": str})


def text_pair_problems(doc: Document, path: tuple, value: Any) -> Iterator[Problem]:
    """A bilingual text: ``{zh: …, en: …}``, both non-empty (zh first)."""
    yield from mapping_problems(doc, path, value, _TEXT)
    for lang in ("zh", "en"):
        if has(value, lang, str) and not value[lang].strip():
            yield Problem(fail(doc, path + (lang,), "must not be empty"))


def text_pair(doc: Document, path: tuple, value: Any) -> dict:
    """A bilingual text: ``{zh: …, en: …}``, both non-empty (zh first)."""
    first_error(text_pair_problems(doc, path, value))
    return {"zh": value["zh"], "en": value["en"]}


def optional_date(doc: Document, path: tuple, data: dict, key: str) -> Any:
    """``data[key]`` as a date (strict ``YYYY-MM-DD``), or None when the key is absent."""
    if key not in data:
        return None
    try:
        return parse_date(data[key])
    except (ValueError, TypeError):
        raise fail(doc, path + (key,), f"expected a date YYYY-MM-DD, got {data[key]!r}") from None
