"""Value encoding: how the atoms the native code computes become fields durable-rules can match
(kind tags, order values, canonical equality strings, the bounds of a partly known count).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import attrs

from ...facts.view import Unknown
from ...errors import UsageError
from ...periods import Month


MAX_SUBSTRING_HAYSTACK = 64      # `x in s` on a string: all substrings of s are asserted
MAX_NUMBER = 2 ** 53             # durable parses numbers as C long/double, and no exponents
NO_BOUND = MAX_NUMBER            # stands for a missing bound of a partly known count
_ORDER_CLASS = {"num": "n", "bool": "n", "str": "s", "date": "d", "month": "m", "none": "0"}


# ============================================================================ encoding values

def kind_of(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unk"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "num"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, Month):
        return "month"
    if isinstance(value, (tuple, list, frozenset, set)):
        return "list"
    return "rec"


def canonical(value: Any) -> Any:
    """A JSON value equal for two Python values exactly when ``==`` says they are equal."""
    if value is None:
        return ["z"]
    if isinstance(value, bool):
        return ["n", int(value)]
    if isinstance(value, int):
        return ["n", str(value)] if abs(value) > 2 ** 53 else ["n", value]
    if isinstance(value, float):
        if value.is_integer():
            return canonical(int(value))
        return ["n", repr(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Month):
        return ["M", str(value)]
    if isinstance(value, tuple):
        return ["t", [canonical(v) for v in value]]
    if isinstance(value, list):
        return ["l", [canonical(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["S", sorted((canonical(v) for v in value), key=lambda c: json.dumps(c, sort_keys=True))]
    if isinstance(value, Unknown):
        return ["U", sorted(value.missing), canonical(value.lo), canonical(value.hi)]
    if attrs.has(type(value)):
        return ["r", type(value).__module__ + "." + type(value).__qualname__,
                [canonical(getattr(value, a.name)) for a in attrs.fields(type(value)) if a.eq]]
    return ["o", type(value).__qualname__, id(value)]


def canon_text(value: Any) -> str:
    return json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def order_class(value: Any) -> str:
    """Which values can be ordered against each other (``0`` None, ``x`` never, ``X`` not by durable)."""
    kind = kind_of(value)
    if kind in _ORDER_CLASS:
        return _ORDER_CLASS[kind]
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return "L" if isinstance(value, tuple) else "l"
    return "X" if kind == "list" else "x"


def order_value(value: Any) -> Any:
    """What durable orders: numbers as numbers, text as the hex of its UTF-8 bytes.

    (durable compares strings on their JSON-escaped text, so ``'a\tb' < 'a b'``
    would come out wrong; hex digits need no escaping and keep the byte order,
    which for UTF-8 is Python's code point order.)
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").hex()
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        # element by element, a shorter prefix first: "!" sorts below every hex digit
        return "".join(order_value(v) + "!" for v in value)
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, Month):
        return value.year * 12 + value.month - 1
    return 0


class Fatal:
    """An atom that raised something other than a policy error: re-raised if reached."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Failed:
    """An atom whose evaluation failed with a policy error (outcome ``error`` if reached)."""

    def __init__(self, message: str) -> None:
        self.message = message


def encode_operand(prefix: str, value: Any, needs: frozenset) -> dict:
    """The fields of one comparison operand."""
    if isinstance(value, (Failed, Fatal)):
        return {prefix + "k": "err"}
    kind = kind_of(value)
    out: dict[str, Any] = {prefix + "k": kind}
    if "c" in needs:
        out[prefix + "c"] = canon_text(value) if kind not in ("unk",) else ""
    if "v" in needs:
        out[prefix + "v"] = number(order_value(value))
        out[prefix + "q"] = order_class(value)
    if "b" in needs:
        # a missing bound is a huge sentinel, so "hi < c" needs no "has a bound" test
        lo = value.lo if kind == "unk" else None
        hi = value.hi if kind == "unk" else None
        out.update({prefix + "lo": number(lo) if lo is not None else -NO_BOUND,
                    prefix + "hi": number(hi) if hi is not None else NO_BOUND})
    if "items" in needs:
        items: list[str] = []
        has_unknown = 0
        if kind == "list":
            items = sorted({canon_text(v) for v in value})
            has_unknown = int(isinstance(value, tuple) and any(isinstance(v, Unknown) for v in value))
        elif kind == "str":
            if len(value) > MAX_SUBSTRING_HAYSTACK:
                raise UsageError(f"the durable engine decides `x in s` on a string of at most "
                                 f"{MAX_SUBSTRING_HAYSTACK} characters, got one of {len(value)}; "
                                 "use the native engine (--engine native)")
            items = sorted({canon_text(value[i:j]) for i in range(len(value) + 1)
                            for j in range(i, len(value) + 1)})
        out.update({prefix + "items": items, prefix + "ni": len(items), prefix + "hu": has_unknown})
    return out


class Exact:
    """A float whose shortest text has an exponent (``1e-05``), which durable cannot parse."""

    def __init__(self, value: float) -> None:
        self.value = value


def number(value: Any) -> Any:
    """A number as it may go into a fact: within ±2**53, finite, and marked when it needs care."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value or abs(value) > MAX_NUMBER:
        raise UsageError(f"the durable engine compares numbers up to ±2**53 only, got {value!r}; "
                         "use the native engine (--engine native)")
    if isinstance(value, float) and "e" in repr(value):
        return Exact(value)
    return value


def dumps(value: Any) -> str:
    """JSON as durable-rules parses it: no exponents (the slow path of ``_json``)."""
    if isinstance(value, Exact):
        return format(decimal.Decimal(repr(value.value)), "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        if value != value or abs(value) > MAX_NUMBER:
            raise UsageError(f"the durable engine compares numbers up to ±2**53 only, got {value!r}; "
                             "use the native engine (--engine native)")
        if isinstance(value, int):
            return str(value)
        return format(decimal.Decimal(repr(value)), "f")
    raise TypeError(f"cannot send {value!r} to durable-rules")
