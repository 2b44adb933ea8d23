"""``json.dumps(value, ensure_ascii=False, indent=2)``, byte for byte, without its slow path.

With ``indent`` set, CPython's ``json`` leaves its C encoder for a pure-Python chain of
generators (one generator frame per container), which was most of the time of printing a
report. This writes the same text with one plain recursive function, and strings, numbers
and the literals through the same primitives the ``json`` module uses, so the bytes cannot
differ. Any value it does not know exactly (a subclass, a key that is not text, a type
``json`` itself refuses) is handed to ``json.dumps`` and its lines shifted to the depth
where it sits: ``json`` only indents after a newline, and a string never holds a raw newline,
so shifting each newline is exactly what ``json`` does at that depth.

A :class:`Shared` value is written once per depth and its text reused wherever it recurs
(the citations that thousands of results share); an :class:`Each` list makes its items as it
writes them.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "
_float_repr = float.__repr__
_int_repr = int.__repr__


class Shared:
    """A value that recurs in one document: its text is made once per depth where it appears."""

    __slots__ = ("value", "texts")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.texts: dict[str, str] = {}


class Each:
    """A list whose items are made while it is written, ``make(item)`` for each of ``items``: each is
    dropped once written, so thousands of results never live as dicts at once (which would only
    give the garbage collector more to visit)."""

    __slots__ = ("items", "make")

    def __init__(self, items: Any, make: Any) -> None:
        self.items = items
        self.make = make


class Written:
    """A value that writes itself: ``write(indent, out)`` appends what :func:`encode_into` would for it
    (a result whose keys are fixed, written without making its dict)."""

    __slots__ = ("write",)

    def __init__(self, write: Any) -> None:
        self.write = write


def text(value: Any, indent: str = "") -> str:
    """One value's JSON at ``indent`` (a string without a call into the encoder)."""
    if type(value) is str:
        return encode_basestring(value)
    out: list[str] = []
    encode_into(value, indent, out)
    return "".join(out)


def dumps(value: Any, end: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2) + end`` (``end`` joined with the rest: a report's
    text runs to megabytes, and adding a newline afterwards would copy it all again)."""
    out: list[str] = []
    encode_into(value, "", out)
    out.append(end)
    return "".join(out)


def encode_into(value: Any, indent: str, out: list[str]) -> None:
    """Append ``value`` as JSON, its nested lines indented by ``indent`` plus two spaces a level."""
    t = type(value)
    if t is str:
        out.append(encode_basestring(value))
    elif t is dict:
        if not value:
            out.append("{}")
            return
        inner = indent + _INDENT
        sep = "{\n" + inner
        comma = ",\n" + inner
        start = len(out)
        for k, v in value.items():
            if type(k) is not str:          # json turns numbers and literals into keys: let it
                del out[start:]
                out.append(_reference(value, indent))
                return
            tv = type(v)
            if tv is str:                   # most values: no call
                out.append(f"{sep}{encode_basestring(k)}: {encode_basestring(v)}")
            elif v is None:                 # most of the rest (an unknown's evidence)
                out.append(f"{sep}{encode_basestring(k)}: null")
            elif tv is int:                 # exactly int: a bool is written as a literal
                out.append(f"{sep}{encode_basestring(k)}: {_int_repr(v)}")
            elif tv is bool:
                out.append(f"{sep}{encode_basestring(k)}: {'true' if v else 'false'}")
            elif tv is list and not v:
                out.append(f"{sep}{encode_basestring(k)}: []")
            else:
                out.append(f"{sep}{encode_basestring(k)}: ")
                encode_into(v, inner, out)
            sep = comma
        out.append("\n" + indent + "}")
    elif t is list or t is tuple:
        if not value:
            out.append("[]")
            return
        inner = indent + _INDENT
        sep = "[\n" + inner
        comma = ",\n" + inner
        for v in value:
            tv = type(v)
            if tv is str:
                out.append(sep + encode_basestring(v))
            elif v is None:
                out.append(sep + "null")
            elif tv is int:
                out.append(sep + _int_repr(v))
            else:
                out.append(sep)
                encode_into(v, inner, out)
            sep = comma
        out.append("\n" + indent + "]")
    elif t is Each:
        if not value.items:
            out.append("[]")
            return
        inner = indent + _INDENT
        sep = "[\n" + inner
        make = value.make
        for item in value.items:
            out.append(sep)
            encode_into(make(item), inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    elif t is Written:
        value.write(indent, out)
    elif t is Shared:
        text = value.texts.get(indent)
        if text is None:
            part: list[str] = []
            encode_into(value.value, indent, part)
            text = value.texts[indent] = "".join(part)
        out.append(text)
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif t is int:
        out.append(_int_repr(value))
    elif t is float and value == value and value not in (_INF, -_INF):
        out.append(_float_repr(value))
    else:
        out.append(_reference(value, indent))


_INF = float("inf")


def _reference(value: Any, indent: str) -> str:
    """What ``json`` writes for ``value`` at the depth of ``indent`` (and the errors it raises)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + indent) if indent else text
