"""Policy packs: a court's or a province's own policies, parameters, instruments and derived facts.

A pack is a directory laid out like the built-in rulebook (see :mod:`.load`)::

    my-pack/
      instruments.yaml          optional: the pack's own instruments, each ``kind: local``
      parameters/*.yaml         optional: its dated parameters (names must not clash)
      <instrument>/<edition>/   its policies (of its own instruments or of national ones)
      derived.py                optional: derived facts written in Python (see below)
      tests/*.yaml              optional: scenario tests (:mod:`.scenarios`), never loaded as policies

It is loaded with ``load_rulebook([dir])`` (``partyrules check --policies DIR``) or,
when an installed Python package registers it, with
``load_rulebook(entry_points=True)``. A package registers a pack with an entry point
in the group ``partyrules.packs`` whose object is a directory path, or a function
returning one::

    # the pack's pyproject.toml
    [project.entry-points."partyrules.packs"]
    qinghe-court = "qinghe_partyrules:pack_dir"

    # qinghe_partyrules/__init__.py
    def pack_dir():
        return Path(__file__).parent / "pack"

**Custom derived facts.** ``derived.py`` defines functions that policy expressions of
any loaded pack may call, registered with :func:`derived`::

    from partyrules.rulebook.packs import Unknown, derived

    @derived("branches_on_department", args=("department",))
    def branches_on_department(view, dept):
        \"\"\"The branches built on the department.\"\"\"
        ...

Each function receives the :class:`~partyrules.facts.view.View` first, then the
arguments the expression passes. ``derived.py`` is imported (and so its code runs)
when the pack is loaded, and only then: load only packs you trust, as you would
install only packages you trust.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..citations import Registry
from ..errors import PolicyError
from ..facts.builtin import BUILTIN
from ..facts.derive import RECORD_FIELDS, Coverage, Derived, PeriodCheck
from ..facts.model import OMITTED
from ..facts.view import Unknown, View

__all__ = [
    "ENTRY_POINT_GROUP",
    "ARG_KINDS",
    "Coverage",
    "OMITTED",
    "PeriodCheck",
    "Unknown",
    "View",
    "derived",
    "each_period",
    "installed_pack_dirs",
    "load_pack_derived",
    "load_pack_registry",
    "merge_derived",
]

ENTRY_POINT_GROUP = "partyrules.packs"
DERIVED_FILE = "derived.py"
TESTS_DIR = "tests"
ARG_KINDS = ("organization", "member", "department", "unit", "int", "str", "date")
RESERVED = frozenset({"param", "len", "min", "max", "abs", "unit", "dept", "org", "member", "as_of", "rule_from",
                      "True", "False", "None"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MARK = "__partyrules_derived__"


# --------------------------------------------------------------------------- the decorator

def derived(name: str | None = None, *, args: Sequence[str] = (), returns: str = "value",
            needs_since: bool = False, doc: str | None = None) -> Callable[[Callable], Callable]:
    """Register a function of a pack's ``derived.py`` as a derived fact.

    ``name`` is how expressions call it (default: the function's name); ``args`` the
    kinds of the arguments expressions pass after the view: ``organization``,
    ``member``, ``department``, ``unit``, ``int``, ``str`` or ``date``, with a trailing
    ``?`` where ``None`` is allowed. ``returns`` is ``value`` (a number, bool, string,
    date, tuple or ``None``) or a record kind whose fields expressions may read
    (``coverage``, ``lapse``, ``election``, …; see ``RECORD_FIELDS``). With
    ``needs_since=True`` the function also receives ``since=``: the day the rule of
    the evaluated policy took effect. The function returns an :class:`Unknown`
    (``Unknown.of("path.of.fact")``) when a fact it needs was omitted.

    The decorator only marks the function; the loader collects the marked
    functions of ``derived.py`` and checks them (names, kinds, signature).
    """
    def mark(fn: Callable) -> Callable:
        if not callable(fn):
            raise TypeError(f"@derived must decorate a function, got {fn!r}")
        setattr(fn, _MARK, {"name": name or fn.__name__, "args": tuple(args), "returns": returns,
                            "needs_since": bool(needs_since), "doc": doc})
        return fn

    if callable(name):          # used bare: @derived
        fn, name = name, None
        return mark(fn)  # type: ignore[return-value]
    if name is not None and not isinstance(name, str):
        raise TypeError("derived(): write the name first, e.g. @derived('branches_on_department', args=(...))")
    return mark


def _where(fn: Callable) -> tuple[str, int | None]:
    target = inspect.unwrap(fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return "<unknown>", None
    return code.co_filename, code.co_firstlineno


def _check_spec(fn: Callable, spec: dict, source: str, line: int | None) -> Derived:
    def bad(message: str) -> PolicyError:
        return PolicyError(source, f"derived fact {spec['name']!r}: {message}", line, 1 if line else None)

    name = spec["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad("its name must be lowercase words joined by '_', e.g. branches_on_department")
    if name in RESERVED:
        raise bad(f"{name!r} is reserved by the expression language")
    kinds = spec["args"]
    if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
        raise bad("args must be a tuple of kinds, e.g. args=('department',)")
    for k in kinds:
        if k.rstrip("?") not in ARG_KINDS or k.count("?") > 1 or ("?" in k and not k.endswith("?")):
            raise bad(f"unknown argument kind {k!r}; expected one of {', '.join(ARG_KINDS)} (with ? for nullable)")
    returns = spec["returns"]
    if returns != "value" and returns not in RECORD_FIELDS:
        raise bad(f"returns must be 'value' or one of {', '.join(sorted(RECORD_FIELDS))}, got {returns!r}")
    try:
        sig = inspect.signature(fn)
        placeholders = [None] * (1 + len(kinds))
        if spec["needs_since"]:
            sig.bind(*placeholders, since=None)
        else:
            sig.bind(*placeholders)
    except TypeError:
        want = ", ".join(["view", *(f"<{k}>" for k in kinds)] + (["*", "since"] if spec["needs_since"] else []))
        raise bad(f"the function must take ({want})") from None
    except ValueError:   # no signature (a builtin): accept it as is
        pass
    doc = spec["doc"] or inspect.getdoc(fn) or ""
    return Derived(name, _guarded(fn, name, source, line), tuple(kinds), doc, returns, spec["needs_since"])


def _guarded(fn: Callable, name: str, source: str, line: int | None) -> Callable:
    """Turn a bug in a pack's function into the outcome ``error`` for one subject, not a crash."""
    from .expr import EvalError   # imported late: expr imports the derived facts module

    where = f"{source}:{line}" if line else source

    @functools.wraps(fn)
    def call(*a: Any, **kw: Any) -> Any:
        try:
            value = fn(*a, **kw)
        except EvalError:
            raise
        except (Exception, SystemExit) as exc:   # the pack's code: any failure (even sys.exit) is that policy's error
            raise EvalError(f"derived fact {name} ({where}) failed: {type(exc).__name__}: {exc}") from None
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, (set, frozenset)):
            value = tuple(sorted(value, key=str))
        return value

    return call


# --------------------------------------------------------------------------- loading a pack's code

def load_pack_derived(pack: Path) -> dict[str, Derived]:
    """Import ``pack/derived.py`` (running its code) and return its derived facts by name."""
    path = Path(pack) / DERIVED_FILE
    if not path.is_file():
        return {}
    source = str(path)
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    modname = f"partyrules_pack_{re.sub(r'[^0-9a-zA-Z_]', '_', Path(pack).resolve().name)}_{digest}"
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:   # pragma: no cover - a .py file always has a loader
        raise PolicyError(source, "cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(modname, None)
        raise PolicyError(source, f"not valid Python: {exc.msg}", exc.lineno, exc.offset) from None
    except PolicyError:
        sys.modules.pop(modname, None)
        raise
    except (Exception, SystemExit) as exc:     # sys.exit() in a pack must not end partyrules silently
        sys.modules.pop(modname, None)
        line = _traceback_line(exc, path)
        raise PolicyError(source, f"importing the pack's derived facts failed: {type(exc).__name__}: {exc}",
                          line, 1 if line else None) from None
    out: dict[str, Derived] = {}
    origins: dict[str, int | None] = {}
    seen: set[int] = set()
    for value in list(vars(module).values()):
        spec_ = getattr(value, _MARK, None)
        if not isinstance(spec_, dict) or id(value) in seen:
            continue
        seen.add(id(value))
        fsource, line = _where(value)
        fsource = source if Path(fsource).resolve() == path.resolve() else fsource
        d = _check_spec(value, spec_, fsource, line)
        if d.name in out:
            raise PolicyError(fsource, f"derived fact {d.name!r} is defined twice (also at line {origins[d.name]})",
                              line, 1 if line else None)
        out[d.name] = d
        origins[d.name] = line
    if not out:
        raise PolicyError(source, "defines no derived fact: mark each function with "
                                  "@derived('name', args=(...)) from partyrules.rulebook.packs")
    return out


def _traceback_line(exc: BaseException, path: Path) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def origin_of(d: Derived) -> str:
    """``FILE:LINE`` where a derived fact is defined (for error messages)."""
    source, line = _where(d.fn)
    return f"{source}:{line}" if line else source


def merge_derived(base: Mapping[str, Derived], extra: Mapping[str, Derived]) -> dict[str, Derived]:
    """``base`` plus ``extra``; a name defined in both is an error naming both definitions."""
    out = dict(base)
    for name, d in extra.items():
        if name in out:
            source, line = _where(d.fn)
            other = out[name]
            where = origin_of(other)
            if BUILTIN.get(name) is other:
                where = f"partyrules' built-in derived facts ({where})"
            raise PolicyError(source, f"derived fact {name!r} is already defined in {where}",
                              line, 1 if line else None)
        out[name] = d
    return out


# --------------------------------------------------------------------------- instruments and entry points

def load_pack_registry(pack: Path) -> Registry | None:
    """The instruments a pack registers (``instruments.yaml``), each of ``kind: local``."""
    path = Path(pack) / "instruments.yaml"
    if not path.is_file():
        return None
    registry = Registry.load(path)
    for inst in registry.instruments:
        if inst.kind != "local":
            raise PolicyError(str(path), f"instrument {inst.id!r} is kind {inst.kind!r}: a pack registers only its "
                                         "own kind: local instruments (a court's or a province's rules); national "
                                         "regulations belong to the built-in rulebook")
    return registry


def bundled_packs() -> dict[str, Path]:
    """The packs shipped with partyrules (``policies/packs/<name>``), by name."""
    from ..citations import builtin_policies_dir
    folder = builtin_policies_dir() / "packs"
    if not folder.is_dir():
        return {}
    return {d.name: d for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))}


def is_pack_dir(path: Path) -> bool:
    """Whether a directory is laid out as a pack (instruments, parameters, derived facts, or
    ``<instrument>/<edition>/`` folders of policies) rather than a folder of scenario files."""
    if not path.is_dir():
        return False
    if (path / "instruments.yaml").is_file() or (path / "parameters").is_dir() or (path / DERIVED_FILE).is_file():
        return True
    return any(child.is_dir() and any(e.is_dir() and e.name[:4].isdigit() for e in child.iterdir())
               for child in path.iterdir() if child.name != TESTS_DIR)


def resolve_pack(value: str | Path) -> Path:
    """A pack given as a directory, or by the name of a bundled pack (``court-standards``).

    A directory wins over a bundled pack of the same name, so a court's own copy is used when it is there.
    """
    path = Path(value)
    if path.is_dir():
        return path
    bundled = bundled_packs()
    if str(value) in bundled:
        return bundled[str(value)]
    names = ", ".join(bundled) or "none"
    raise PolicyError(str(value), f"is not a directory of policies nor the name of a bundled pack "
                                  f"(bundled packs: {names})")


def installed_pack_dirs() -> list[Path]:
    """The pack directories that installed packages register in the entry-point group ``partyrules.packs``.

    An entry point's object is a path (``str`` or ``os.PathLike``) or a function
    without arguments returning one. Sorted by entry-point name, so the load
    order does not depend on installation order.
    """
    from importlib.metadata import entry_points

    out: list[Path] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        label = f"entry point {ep.name!r} ({ep.value}) in group {ENTRY_POINT_GROUP}"
        dist = getattr(ep, "dist", None)
        if dist is not None:
            label += f" of {dist.metadata['Name']}"
        try:
            obj = ep.load()
            value = obj() if callable(obj) else obj
        except Exception as exc:
            raise PolicyError(label, f"cannot be loaded: {type(exc).__name__}: {exc}") from None
        try:
            path = Path(value)
        except TypeError:
            raise PolicyError(label, f"expected a directory path, got {value!r}") from None
        if not path.is_dir():
            raise PolicyError(label, f"{path} is not a directory of policies")
        out.append(path)
    return out


# --------------------------------------------------------------------------- helpers for derived facts

def each_period(view: View, period: str, count: int, since: Any, find: Callable[[Any], list[str]], *,
                established: Any = OMITTED, at_least: int = 1) -> Coverage:
    """Judge a recurring duty over the last ``count`` complete periods, as the built-in facts do.

    ``period`` is ``month``, ``quarter`` or ``year``; ``find(period)`` returns the
    records (as short strings) that count for one period, which needs ``at_least``
    of them. Periods before ``since`` (the rule) or ``established`` are not
    required; periods before the records start are unknown, never a pass. The
    result is a ``coverage`` record (``.ok``, ``.missed``, ``.periods``).
    """
    from ..facts.derive import period_coverage

    return period_coverage(view, period, count, since, established, find, at_least)
