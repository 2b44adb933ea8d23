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
import sys
from pathlib import Path
from typing import Any

import attrs
import yaml

from .errors import SourceError

try:  # libyaml's C parser when present; the pure-Python one otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000

Path_ = tuple  # a path inside a document: keys (str) and list indexes (int)

_PLAIN = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_PLAIN + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SCALARS = yaml.SafeLoader("")  # only its constructor methods are used, on plain scalars


@attrs.frozen
class Document:
    """Plain data read from a file, with the 1-based line and column of each value."""

    data: Any
    source: str
    marks: dict = attrs.field(factory=dict, repr=False)
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


def read_path(path: str | Path, *, kind: str | None = None) -> Document:
    """Read a file (``-`` for standard input) as YAML or JSON.

    JSON is chosen by a ``.json`` suffix, or for standard input when the text
    starts with ``{``; everything else is read as YAML.
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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source, f"is not UTF-8 (byte {exc.start})") from None
    if kind is None:
        is_json = source.endswith(".json") or (source == "<stdin>" and text.lstrip().startswith("{"))
        kind = "json" if is_json else "yaml"
    return read_json(text, source) if kind == "json" else read_yaml(text, source)


def read_yaml(text: str, source: str) -> Document:
    """Parse one YAML document into plain data and positions (see module doc)."""
    if len(text) > MAX_BYTES:
        raise SourceError(source, f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if mark is None:
            raise SourceError(source, f"not valid YAML: {problem}") from None
        raise SourceError(source, f"not valid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise SourceError(source, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise SourceError(source, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    if node is None:
        return Document(None, source, {})
    marks: dict = {}
    budget = [MAX_VALUES]
    data = _convert(node, (), 0, marks, budget, source)
    return Document(data, source, marks, tuple(text.splitlines()))


def _convert(node: yaml.Node, path: Path_, depth: int, marks: dict, budget: list, source: str) -> Any:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > MAX_DEPTH:
        raise SourceError(source, f"nested more than {MAX_DEPTH} levels deep", line, col)
    budget[0] -= 1
    if budget[0] < 0:
        raise SourceError(source, f"holds more than {MAX_VALUES} values (aliases expanded)", line, col)
    marks.setdefault(path, (line, col))
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise SourceError(source, f"tag {_short(node.tag)!r} is not allowed: only plain YAML values are read", line, col)
        if node.tag == _PLAIN + "timestamp" or node.tag == _PLAIN + "str":
            return node.value
        value = _SCALARS.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            raise SourceError(source, f"{node.value!r} is not a finite number", line, col)
        return value
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _PLAIN + "seq":
            raise SourceError(source, f"tag {_short(node.tag)!r} is not allowed: only plain YAML values are read", line, col)
        return [_convert(item, path + (i,), depth + 1, marks, budget, source) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _PLAIN + "map":
            raise SourceError(source, f"tag {_short(node.tag)!r} is not allowed: only plain YAML values are read", line, col)
        out: dict = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == _PLAIN + "merge":
                raise SourceError(source, "merge keys (<<) are not supported: write the keys out", kline, kcol)
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(source, "a mapping key must be a plain value, not a list or mapping", kline, kcol)
            key = _convert(key_node, path + ("<key>",), depth + 1, {}, budget, source)
            if isinstance(key, (bool, float)) or key is None:
                raise SourceError(source, f"mapping key {key_node.value!r} must be a string or an integer", kline, kcol)
            if key in out:
                raise SourceError(source, f"duplicate key {key!r}", kline, kcol)
            out[key] = _convert(value_node, path + (key,), depth + 1, marks, budget, source)
        return out
    raise SourceError(source, "unsupported YAML node", line, col)  # pragma: no cover


def read_json(text: str, source: str) -> Document:
    """Parse JSON strictly: no NaN/Infinity, no duplicate keys, bounded depth."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not a finite number")

    def pairs(items: list) -> dict:
        out: dict = {}
        for k, v in items:
            if k in out:
                raise ValueError(f"duplicate key {k!r}")
            out[k] = v
        return out

    try:
        data = json.loads(text, parse_constant=no_constants, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise SourceError(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise SourceError(source, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise SourceError(source, f"not valid JSON: {exc}") from None
    _check_depth(data, source)
    return Document(data, source, {})


def _check_depth(data: Any, source: str) -> None:
    stack = [(data, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise SourceError(source, f"nested more than {MAX_DEPTH} levels deep")
        if seen > MAX_VALUES:
            raise SourceError(source, f"holds more than {MAX_VALUES} values")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def from_mapping(data: Any, source: str = "<mapping>") -> Document:
    """Wrap data handed over by a program (no positions), bounding its depth."""
    _check_depth(data, source)
    return Document(data, source, {})
