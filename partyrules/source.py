"""Reading YAML and JSON safely, keeping where every value came from.

Fact documents and policy files both arrive as text written by people or other
systems, so this module is the one door for them:

* only the plain YAML types are accepted (str, int, float, bool, null, lists,
  mappings); any other tag (``!!python/object``, ``!!binary``, merge keys …) is
  an error at its line and column, never constructed;
* YAML timestamps stay strings, so a bad date such as ``2024-13-01`` is reported
  by validation with its path instead of crashing the parser;
* duplicate mapping keys are errors (YAML silently keeps the last one);
* size, nesting depth and the number of values (alias bombs) are bounded;
* every value's position is kept in ``marks`` so that later checks can say
  ``line:column`` for a path.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from .errors import SourceError
from .when_read import MappingWhenRead

try:  # libyaml's C parser when present; the pure-Python one otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000
MAX_STRING = 65_536         # characters in one string: names and notes, never whole files
MAX_INT_DIGITS = 100        # Python refuses to print ints of over 4,300 digits; no fact needs 100

Path_ = tuple  # a path inside a document: keys (str) and list indexes (int)

_PLAIN = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_PLAIN + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SCALARS = yaml.SafeLoader("")  # only its constructor methods are used, on plain scalars


@attrs.frozen
class Document:
    """Plain data read from a file, with the 1-based line and column of each value."""

    data: Any
    source: str
    marks: Mapping = attrs.field(factory=dict, repr=False)
    lines: tuple = attrs.field(default=(), repr=False)   # the text's lines, for positions inside block scalars

    def where(self, path: Path_) -> tuple[int, int] | None:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.marks:
                return self.marks[path]
            if not path:
                return None
            path = path[:-1]


def _short(tag: str) -> str:
    return "!!" + tag[len(_PLAIN):] if tag.startswith(_PLAIN) else tag


def format_path(path: Path_) -> str:
    """``('members', 12, 'admitted_on')`` → ``members[12].admitted_on``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_path(path: str | Path, *, kind: str | None = None, plain_checked: bool = True,
              marks_when_asked: bool = False) -> Document:
    """Read a file (``-`` for standard input) as YAML or JSON.

    JSON is chosen by a ``.json`` suffix, or for standard input when the text
    starts with ``{``; everything else is read as YAML. ``plain_checked=False`` leaves
    :func:`check_plain` of a JSON document to the caller (the fact loader's quick path
    checks the same as it goes, and runs it only when it declines); YAML is checked as
    it is read, either way. ``marks_when_asked``: see :func:`read_yaml`.
    """
    if str(path) == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        source = "<stdin>"
    else:
        p = Path(path)
        source = str(path)
        try:
            with p.open("rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise SourceError(source, "no such file") from None
        except IsADirectoryError:
            raise SourceError(source, "is a directory, expected a file") from None
        except OSError as exc:
            raise SourceError(source, f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise SourceError(source, f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    text = decode(raw, source)
    if kind is None:
        is_json = source.endswith(".json") or (source == "<stdin>" and text.lstrip().startswith("{"))
        kind = "json" if is_json else "yaml"
    return read_json(text, source, plain_checked) if kind == "json" else read_yaml(text, source, marks_when_asked)


_WIDE = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a BOM is allowed); UTF-16/32 and other bytes are refused saying what was found."""
    for bom, name in _WIDE:
        if raw.startswith(bom):
            raise SourceError(source, f"is {name} (it starts with a {name} byte order mark): save it as UTF-8")
    # binary files people keep their records in: said by name, rather than as a byte that is not UTF-8
    if raw.startswith(b"PK\x03\x04"):
        raise SourceError(source, "is an Excel workbook or another ZIP file, not a YAML or JSON fact document "
                                  "(a ledger workbook named *.xlsx is read by `partyrules check`, or by "
                                  "partyrules.ledger.import_ledger)")
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise SourceError(source, "is an old-format Excel (.xls) or Word file, not a YAML or JSON fact document "
                                  "(save a ledger as .xlsx)")
    head = raw[:64]
    if len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4):
        raise SourceError(source, "looks like UTF-16 (every other byte is zero): save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = raw.count(b"\n", 0, bad) + 1
    column = bad - (raw.rfind(b"\n", 0, bad) + 1) + 1
    raise SourceError(source, f"is not UTF-8: byte 0x{raw[bad]:02x} cannot start or continue a character",
                      line, column) from None


def read_yaml(text: str, source: str, marks_when_asked: bool = False) -> Document:
    """Parse one YAML document into plain data and positions (see module doc).

    ``marks_when_asked``: the positions are found when one is first asked for, by
    reading the text again (:class:`MarksWhenAsked`). Keeping a path and a position
    for each of a court's 50,000 values was a quarter of reading it, and a fact
    document that loads without a problem never asks for one. Policy files, whose
    loading keeps the lines of their policies and examples, read them at once.
    """
    if len(text) > MAX_BYTES:
        raise SourceError(source, f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    loader = _Loader(text)
    try:
        data, marks = _Composer(loader, source, not marks_when_asked).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if mark is None:
            raise SourceError(source, f"not valid YAML: {problem}") from None
        raise SourceError(source, f"not valid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise SourceError(source, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if data is _NOTHING:
        return Document(None, source, {})
    if marks_when_asked:
        marks = MarksWhenAsked(text, source)
    return Document(data, source, marks, tuple(text.splitlines()))


class MarksWhenAsked(MappingWhenRead):
    """The positions of a YAML document read without them (see :func:`read_yaml`), found by reading its
    text again the first time one is asked for: the same text gives the same positions."""

    __slots__ = ("_text", "_source")

    def __init__(self, text: str, source: str) -> None:
        super().__init__()
        self._text, self._source = text, source

    def _make(self) -> dict:
        return dict(read_yaml(self._text, self._source).marks)


_NOTHING = object()
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


class _Frame:
    """A mapping or list being read: its value, path, depth and where its count of values started."""

    __slots__ = ("value", "path", "depth", "anchor", "start", "key", "key_mark")

    def __init__(self, value: Any, path: Path_, depth: int, anchor: str | None, start: int) -> None:
        self.value, self.path, self.depth, self.anchor, self.start = value, path, depth, anchor, start
        self.key: Any = _NOTHING          # a mapping's key waiting for its value
        self.key_mark: tuple = ()


class _Composer:
    """Plain data straight from the parser's events, counting values as they come.

    Building from events (instead of PyYAML's node graph) lets the budget stop an
    alias bomb at the alias that would exceed it, before anything is expanded:
    an alias adds the size of what it names, and shares that value instead of
    copying it (the data is only read).
    """

    def __init__(self, loader: Any, source: str, marking: bool = True) -> None:
        self.loader = loader
        self.source = source
        self.marking = marking            # whether to keep each value's path and position in marks
        self.count = 0
        self.marks: dict = {}
        self.anchors: dict[str, tuple[Any, int, int]] = {}   # name → (value, values in it, its height)
        self.seen: dict = {}                                  # scalar event → its value

    def fail(self, message: str, mark: Any) -> SourceError:
        return SourceError(self.source, message, mark.line + 1, mark.column + 1)

    def document(self) -> tuple[Any, dict]:
        loader = self.loader
        loader.get_event()                                   # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return _NOTHING, {}
        loader.get_event()                                   # document start
        data = self.value_tree()
        loader.get_event()                                   # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise self.fail("expected a single document in the stream, found another one", event.start_mark)
        return data, self.marks

    def spend(self, n: int, mark: Any) -> None:
        self.count += n
        if self.count > MAX_VALUES:
            raise self.fail(f"holds more than {MAX_VALUES} values (aliases expanded)", mark)

    def value_tree(self) -> Any:
        # One pass over some 15,000 events for a court: what each step looks up is bound to a local name,
        # and the event's class is compared by identity (the parser makes these classes, never subclasses).
        get_event = self.loader.get_event
        set_mark = self.marks.setdefault
        marking = self.marking
        seen_get = self.seen.get
        stack: list[_Frame] = []
        while True:
            event = get_event()
            kind = type(event)
            if kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                value = frame.value
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (value, self.count - frame.start, self._height(frame, value))
            else:
                if stack:
                    parent = stack[-1]
                    container = parent.value
                    if type(container) is dict:
                        if parent.key is _NOTHING:
                            self.key(parent, event)
                            continue
                        path = parent.path + (parent.key,) if marking else ()
                    else:
                        path = parent.path + (len(container),) if marking else ()
                    depth = parent.depth + 1
                else:
                    path, depth = (), 0
                mark = event.start_mark
                if depth > MAX_DEPTH:
                    raise self.fail(f"nested more than {MAX_DEPTH} levels deep", mark)
                if marking:
                    set_mark(path, (mark.line + 1, mark.column + 1))
                if kind is _SCALAR:
                    self.count += 1
                    if self.count > MAX_VALUES:
                        raise self.fail(f"holds more than {MAX_VALUES} values (aliases expanded)", mark)
                    tag, implicit = event.tag, event.implicit
                    if tag is None and not implicit[0]:         # quoted: a string, its length checked each time
                        value = self.scalar(event)
                    else:                                       # as self.scalar would find it, without the call
                        value = seen_get((tag, event.value, implicit), _NOTHING)
                        if value is _NOTHING:
                            value = self.scalar(event)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, 1, 1)
                elif kind is _ALIAS:
                    if event.anchor not in self.anchors:
                        raise self.fail(f"found undefined alias {event.anchor!r}", mark)
                    value, size, height = self.anchors[event.anchor]
                    if depth + height > MAX_DEPTH + 1:
                        raise self.fail(f"nested more than {MAX_DEPTH} levels deep", mark)
                    self.spend(size, mark)
                elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                    is_map = kind is _MAPPING_START
                    want = _PLAIN + ("map" if is_map else "seq")
                    if event.tag not in (None, "!", want):
                        raise self.fail(f"tag {_short(event.tag)!r} is not allowed: only plain YAML values are read",
                                        mark)
                    self.spend(1, mark)
                    stack.append(_Frame({} if is_map else [], path, depth, event.anchor, self.count - 1))
                    continue
                else:  # pragma: no cover - the parser gives no other event here
                    raise self.fail("unsupported YAML event", mark)
            if not stack:
                return value
            frame = stack[-1]
            container = frame.value
            if type(container) is list:
                container.append(value)
            else:
                container[frame.key] = value
                frame.key = _NOTHING

    @staticmethod
    def _height(frame: _Frame, value: Any) -> int:
        # how deep the finished value goes below itself, from the deepest path recorded under it
        return 1 + _depth_below(value)

    def key(self, frame: _Frame, event: Any) -> None:
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise self.fail("an alias cannot be a mapping key: write the key out", mark)
        if not isinstance(event, yaml.ScalarEvent):
            raise self.fail("a mapping key must be a plain value, not a list or mapping", mark)
        self.spend(1, mark)
        # a scalar read before is no merge key (that would have been refused): keys repeat, resolving is not free
        key = self.seen.get((event.tag, event.value, event.implicit), _NOTHING)
        if key is _NOTHING:
            if self.tag_of(event) == _PLAIN + "merge":
                raise self.fail("merge keys (<<) are not supported: write the keys out", mark)
            key = self.scalar(event)
        if isinstance(key, (bool, float)) or key is None:
            raise self.fail(f"mapping key {event.value!r} must be a string or an integer", mark)
        if key in frame.value:
            raise self.fail(f"duplicate key {key!r}", mark)
        frame.key = key

    def tag_of(self, event: Any) -> str:
        if event.tag is None or event.tag == "!":
            return self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return event.tag

    def scalar(self, event: Any) -> Any:
        if event.tag is None and not event.implicit[0]:
            text = event.value                  # quoted: a string whatever it looks like
            if len(text) > MAX_STRING:
                raise self.fail(f"a value of {len(text)} characters is longer than the {MAX_STRING} allowed",
                                event.start_mark)
            return text
        key = (event.tag, event.value, event.implicit)
        cached = self.seen.get(key, _NOTHING)   # documents repeat their values (kinds, dates, ids)
        if cached is _NOTHING:
            cached = self.seen[key] = self._scalar(event)
        return cached

    def _scalar(self, event: Any) -> Any:
        mark = event.start_mark
        tag = self.tag_of(event)
        text = event.value
        if tag == _PLAIN + "value":                 # a lone "=" (YAML 1.1's value key) is just the text
            tag = _PLAIN + "str"
        if tag not in _SCALAR_TAGS:
            raise self.fail(f"tag {_short(tag)!r} is not allowed: only plain YAML values are read", mark)
        if len(text) > MAX_STRING:
            raise self.fail(f"a value of {len(text)} characters is longer than the {MAX_STRING} allowed", mark)
        if tag in (_PLAIN + "timestamp", _PLAIN + "str"):
            return text
        if event.tag in (None, "!"):
            _check_yaml12(text, tag, lambda m: self.fail(m, mark))
        if tag == _PLAIN + "int" and sum(ch.isdigit() for ch in text) > MAX_INT_DIGITS:
            raise self.fail(f"an integer of more than {MAX_INT_DIGITS} digits is too large", mark)
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            value = _SCALARS.construct_object(node)
        except (yaml.YAMLError, ValueError):
            raise self.fail(f"{text!r} is not a valid {_short(tag)[2:]}", mark) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{text!r} is not a finite number", mark)
        return value


def _depth_below(value: Any) -> int:
    best = 0
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
        best = max(best, d)
    return best


# YAML 1.2 core schema: what a plain scalar means to any current YAML reader
_CORE = (
    (_PLAIN + "null", re.compile(r"~|null|Null|NULL|")),
    (_PLAIN + "bool", re.compile(r"true|True|TRUE|false|False|FALSE")),
    (_PLAIN + "int", re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")),
    (_PLAIN + "float", re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
                                  r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")),
)
_HINT = {_PLAIN + "bool": "write true or false", _PLAIN + "null": "write null",
         _PLAIN + "int": "write the number in decimal", _PLAIN + "float": "write the number in decimal"}


def _core_tag(text: str) -> str:
    for tag, pattern in _CORE:
        if pattern.fullmatch(text):
            return tag
    return _PLAIN + "str"


def _check_yaml12(text: str, tag11: str, fail: Any) -> None:
    """Refuse a plain scalar that YAML 1.1 (PyYAML) and YAML 1.2 read differently.

    ``yes``, ``on``, ``0777``, ``1:30``, ``1_000`` are booleans and numbers to
    YAML 1.1 but strings (or other numbers) to YAML 1.2: which one the author
    meant cannot be known, so the document must say it.
    """
    tag12 = _core_tag(text)
    if tag12 == tag11:
        if tag11 == _PLAIN + "int" and re.fullmatch(r"[-+]?0[0-7_]+", text):
            octal, decimal = int(text.replace("_", ""), 8), int(text.replace("_", ""), 10)
            if octal != decimal:
                raise fail(f"{text!r} is ambiguous: YAML 1.1 reads it as octal ({octal}), YAML 1.2 as {decimal}; "
                           f"quote it (\"{text}\") for a string, or write the number without leading zeros")
        return
    what = {_PLAIN + "bool": "a boolean", _PLAIN + "int": "a number", _PLAIN + "float": "a number",
            _PLAIN + "null": "null", _PLAIN + "str": "a string"}
    raise fail(f"{text!r} is ambiguous: YAML 1.1 reads it as {what[tag11]}, YAML 1.2 as {what[tag12]}; "
               f'quote it: "{text}" for a string'
               f"{', or ' + _HINT[tag11] if tag11 in _HINT else ''}")


def read_json(text: str, source: str, plain_checked: bool = True) -> Document:
    """Parse JSON strictly: no NaN/Infinity, no duplicate keys, bounded depth, sizes and numbers (the last
    by :func:`check_plain`, unless ``plain_checked`` is False: see :func:`read_path`)."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not a finite number")

    def pairs(items: list) -> dict:
        out = dict(items)
        if len(out) != len(items):       # a key given twice: name the first one repeated
            seen: set = set()
            for k, _ in items:
                if k in seen:
                    raise ValueError(f"duplicate key {k!r}")
                seen.add(k)
        return out

    def integer(digits: str) -> int:
        if len(digits) > MAX_INT_DIGITS:
            raise ValueError(f"an integer of more than {MAX_INT_DIGITS} digits is too large")
        return int(digits)

    def number(digits: str) -> float:
        value = float(digits)
        if not math.isfinite(value):
            raise ValueError(f"{digits[:40]!r} is not a finite number")
        return value

    try:
        data = json.loads(text, parse_constant=no_constants, object_pairs_hook=pairs, parse_int=integer,
                          parse_float=number)
    except json.JSONDecodeError as exc:
        raise SourceError(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise SourceError(source, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise SourceError(source, f"not valid JSON: {exc}") from None
    if plain_checked:
        check_plain(data, source)
    return Document(data, source, {})


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_plain(data: Any, source: str) -> None:
    """Bound depth and size, and refuse what cannot be written back as UTF-8 JSON.

    Strings with lone surrogates (JSON's ``"\\udc80"``) are not text; keys must
    be strings or integers; numbers finite and of a sane size. Values of other
    types (dates, a program's own objects) are left to the validation that follows.
    """
    if not _is_plain(data):
        _check_plain_located(data, source)


def _is_plain(data: Any) -> bool:
    """Whether :func:`_check_plain_located` would find nothing, asked quickly.

    Nearly every document is fine, and naming the path of each of its values
    (a tuple and a string per value) cost more than reading the JSON. This pass
    goes level by level, without paths, checking the strings of a level at once;
    it answers False on anything it is unsure of, and the located pass then says
    what is wrong (or that nothing is).
    """
    level = [data]
    depth = seen = 0
    while level:
        seen += len(level)
        if depth > MAX_DEPTH or seen > MAX_VALUES:
            return False
        below: list = []
        keys: list = []
        texts = [value for value in level if type(value) is str]      # most values: one pass in C
        others = level if not texts else [value for value in level if type(value) is not str]
        for value in others:
            kind = type(value)
            if kind is dict:
                keys.extend(value)
                below.extend(value.values())
            elif kind is list or kind is tuple:
                below.extend(value)
            elif kind is int:
                if value.bit_length() > MAX_INT_DIGITS * 3.33:
                    return False
            elif kind is float:
                if not math.isfinite(value):
                    return False
            elif value is None or kind is bool:
                pass
            elif isinstance(value, (str, int, float, dict, list, tuple)):
                return False                      # a subclass: the located pass judges it as its base
        try:
            texts.extend(keys)
            joined = "".join(texts)                   # TypeError: a key that is not a string
        except TypeError:
            if any(type(key) is not int for key in keys if type(key) is not str):
                return False
            texts = [text for text in texts if type(text) is str]
            joined = "".join(texts)
        if len(joined) > MAX_STRING and max(map(len, texts)) > MAX_STRING:
            return False
        if not is_text(joined):
            return False
        level = below
        depth += 1
    return True


def is_text(joined: str) -> bool:
    """Whether ``joined`` (strings of a document put end to end) holds no lone surrogate, asked in C."""
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")                    # refuses exactly the surrogates
    except UnicodeEncodeError:
        return False
    return True


def _check_plain_located(data: Any, source: str) -> None:
    """The problem :func:`check_plain` reports, with the path of the first value found wrong."""
    stack = [(data, 0, ())]
    seen = 0
    while stack:
        value, depth, path = stack.pop()
        seen += 1
        where = f"{format_path(path)}: " if path else ""
        if depth > MAX_DEPTH:
            raise SourceError(source, f"{where}nested more than {MAX_DEPTH} levels deep")
        if seen > MAX_VALUES:
            raise SourceError(source, f"holds more than {MAX_VALUES} values")
        if isinstance(value, str):
            _check_string(value, source, where)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, int):
            if value.bit_length() > MAX_INT_DIGITS * 3.33:
                raise SourceError(source, f"{where}an integer of more than {MAX_INT_DIGITS} digits is too large")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise SourceError(source, f"{where}{value!r} is not a finite number")
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, bool) or not isinstance(k, (str, int)):
                    raise SourceError(source, f"{where}mapping key {_brief(k)} must be a string or an integer")
                if isinstance(k, str):
                    _check_string(k, source, where)
                stack.append((v, depth + 1, path + (k,)))
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1, path + (i,)) for i, v in enumerate(value))


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_string(text: str, source: str, where: str) -> None:
    if len(text) > MAX_STRING:
        raise SourceError(source, f"{where}a value of {len(text)} characters is longer than the {MAX_STRING} allowed")
    if not text.isascii() and _SURROGATE.search(text):
        raise SourceError(source, f"{where}{_brief(text)} holds a lone surrogate, which is not text (strings are UTF-8)")


def from_mapping(data: Any, source: str = "<mapping>") -> Document:
    """Wrap data handed over by a program (no positions), checked as :func:`check_plain`."""
    check_plain(data, source)
    return Document(data, source, {})
