"""Loading a rulebook: instruments, dated parameters and policies, edition by edition.

Layout of a policy directory (the built-in one and any pack)::

    instruments.yaml                     the instruments and editions it registers (optional in a pack)
    parameters/*.yaml                    dated parameters
    <instrument>/<edition>/*.yaml        policies of that edition
    <instrument>/<edition>/_edition.yaml optional: ``inherits: "2017"`` carries every policy of an
                                         earlier edition into this one (for amendments that kept the
                                         article numbers), unless this folder redefines its id

A pack (any directory besides the built-in one) may also hold ``derived.py``
(derived facts in Python, imported when the pack is loaded) and ``tests/``
(scenario tests, never read as policies): see :mod:`.packs`. Its instruments
must be ``kind: local``; an instrument id, policy id, parameter name or derived
fact that clashes with the built-in rulebook or another pack is an error that
names both files.

Everything is checked at load time; the first problem is raised as a
:class:`PolicyError` at its file, line and column.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Iterable, Mapping

import attrs

from ..citations import Registry, builtin_policies_dir
from ..errors import PolicyError
from ..facts.builtin import BUILTIN
from ..facts.derive import Derived
from ..source import read_path
from . import disk_cache
from .compiled import function_from_parts, function_parts
from .packs import (DERIVED_FILE, installed_pack_dirs, load_pack_derived, load_pack_registry, merge_derived,
                    resolve_pack)
from .expr import compile_all
from .params import Parameters, parameters_from_document
from .policy import EMPTY_POLICY_FILE, Policy, policy_from_data, retarget
from .schema import Fields, check_mapping, fail

_EDITION_FIELDS = Fields(required={}, optional={"inherits": str, "note": str})
_SKIP_DIRS = {"parameters", "packs", "tests"}
# public: lint reads an edition file and walks a pack as the loader does
EDITION_FIELDS, PACK_SUBFOLDERS = _EDITION_FIELDS, frozenset(_SKIP_DIRS)


@attrs.frozen
class Rulebook:
    """Every policy that can apply, with the parameters and instruments they use."""

    policies: tuple[Policy, ...]
    params: Parameters
    registry: Registry
    derived: Mapping[str, Derived] = attrs.field(factory=lambda: dict(BUILTIN))
    packs: tuple[Path, ...] = ()     # the pack directories loaded besides the built-in rulebook
    digest: str = ""                 # ``sha256:…`` of the files read (:func:`rulebook_digest`); "" when built by hand

    def applicable(self, on, include_unverified: bool = False) -> list[Policy]:
        """The policies whose edition is in force on ``on`` (or has begun, for an instrument judged by step date)."""
        return [p for p in self.policies
                if self.registry.applies_on(p.instrument, p.edition, on)
                and (include_unverified or not p.unverified)]

    def find(self, policy_id: str) -> list[Policy]:
        return [p for p in self.policies if p.id == policy_id]


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")
                  and not p.name.startswith("_"))


def load_registry(dirs: Iterable[Path]) -> Registry:
    """The built-in instruments, plus those that packs register (clashing ids are errors)."""
    builtin = builtin_policies_dir()
    registry = Registry.load(builtin / "instruments.yaml")
    for d in dirs:
        if d.resolve() != builtin.resolve():
            pack = load_pack_registry(d)      # kind: local only
            if pack is not None:
                registry = registry.merged(pack)
    return registry


def load_rulebook(dirs: Iterable[str | Path] | None = None, *, builtin: bool = True,
                  entry_points: bool = False, disk_cache: bool = True) -> Rulebook:
    """Load the built-in rulebook (unless ``builtin=False``) plus the given pack directories.

    With ``entry_points=True`` the packs that installed packages register in the
    entry-point group ``partyrules.packs`` are loaded too (after ``dirs``). A pack
    named twice is loaded once. A pack's ``derived.py`` is imported, running its
    code: load only packs you trust.

    A rulebook loaded before in this process with the same files is returned again;
    one loaded by an earlier process is read from the on-disk cache (:mod:`.disk_cache`,
    docs/cache.md) unless ``disk_cache=False`` or ``PARTYRULES_NO_CACHE=1``. Either
    way the rulebook is the same as one loaded from its files.
    """
    paths = [resolve_pack(d) for d in (dirs or [])]
    if entry_points:
        paths += installed_pack_dirs()
    if builtin:
        paths = [builtin_policies_dir()] + paths
    if not paths:
        raise PolicyError("<policies>", "no policies: --no-builtin needs at least one --policies DIR")
    key = tuple(dict.fromkeys(str(p.resolve()) for p in paths))
    return _CACHE.get(key, disk=disk_cache)


class RulebookCache:
    """Loaded rulebooks by their directories, each kept while its files are unchanged.

    Loading (parsing, checking and compiling every policy) is the dear part of a check;
    the files' sizes and modification times are cheap to read on every call. When they
    changed, the content decides: the same bytes (a file touched, a checkout) keep the
    loaded rulebook, other bytes load it again, so an edited pack is seen in the same
    process. The rulebooks are immutable and shared by every thread; one lock keeps two
    threads from loading the same directories at once.
    """

    def __init__(self, maxsize: int = 8) -> None:
        self.maxsize = maxsize
        self.entries: dict[tuple[str, ...], tuple[tuple, Rulebook]] = {}    # oldest use first
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...], disk: bool = True) -> Rulebook:
        dirs = [Path(k) for k in key]
        # the files' sizes and times, and the folders (a new folder alone changes what loading says)
        stamp = tuple(_stamp(d) for d in dirs)
        with self.lock:
            found = self.entries.pop(key, None)
            if found is not None and found[0] != stamp and _layouts(found[0]) == _layouts(stamp) \
                    and found[1].digest == rulebook_digest(dirs):
                found = (stamp, found[1])          # the same content: only the stamps moved
            if found is None or found[0] != stamp:
                found = (stamp, _load_or_read(dirs, disk))
            self.entries[key] = found
            while len(self.entries) > self.maxsize:
                del self.entries[next(iter(self.entries))]
            return found[1]

    def cache_clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _stamp(folder: Path) -> tuple[tuple, tuple[str, ...]]:
    """(path, size, mtime_ns) of each file :func:`rulebook_files` lists, and the folder's layout (see
    :func:`rulebook_layout`), in one walk (os.scandir: no Path per file, and no stat for a directory entry)."""
    out: list[tuple] = []
    layout: list[str] = []

    def add(entry: os.DirEntry) -> None:
        st = entry.stat()
        out.append((entry.path, st.st_size, st.st_mtime_ns))

    def yaml(entry: os.DirEntry) -> bool:
        return entry.name.endswith((".yaml", ".yml")) and entry.is_file()

    with os.scandir(folder) as top:
        for e in top:
            if e.is_dir():
                if e.name == "parameters":
                    with os.scandir(e.path) as params:
                        for f in params:
                            if yaml(f) and not f.name.startswith("_"):
                                add(f)
                elif e.name not in _SKIP_DIRS and not e.name.startswith((".", "_")):
                    layout.append(e.name + "/")
                    with os.scandir(e.path) as editions:
                        for ed in editions:
                            if ed.is_dir():
                                layout.append(f"{e.name}/{ed.name}/")
                                with os.scandir(ed.path) as files:
                                    for f in files:
                                        if yaml(f):
                                            add(f)
                            elif yaml(ed):
                                layout.append(f"{e.name}/{ed.name}")
            elif e.name in ("instruments.yaml", DERIVED_FILE) and e.is_file():
                add(e)
    out.sort()
    return tuple(out), tuple(sorted(layout))


# the one process-wide cache of loaded rulebooks
_CACHE = RulebookCache()


def clear_rulebook_cache() -> None:
    """Forget every loaded rulebook (the next :func:`load_rulebook` loads from the files again: a cold
    load, as the benchmark measures it)."""
    _CACHE.cache_clear()


def _load_or_read(dirs: list[Path], disk: bool) -> Rulebook:
    """The rulebook of ``dirs`` from the on-disk cache when it holds these files' rulebook, else from the
    files (then stored for the next process)."""
    digest = rulebook_digest(dirs)
    folder = disk_cache.cache_folder() if disk else None
    if folder is None:
        return _load(dirs, digest)
    key = disk_cache.entry_key(digest, dirs, rulebook_layout(dirs))
    stored = disk_cache.read_entry(folder, key)
    rulebook = rulebook_from_entry(stored, dirs, digest) if stored is not None else None
    if rulebook is None:
        rulebook = _load(dirs, digest)
        if rulebook_digest(dirs) == digest:     # no file changed while loading: the entry is what its key names
            disk_cache.write_entry(folder, key, rulebook_entry(rulebook))
    return rulebook


def rulebook_entry(rulebook: Rulebook) -> dict:
    """What the disk cache keeps of a loaded rulebook: everything read, checked and compiled from its files
    (each expression's generated code once per text); not the derived facts, which are code of partyrules
    and of the packs' ``derived.py``, imported again."""
    code = {}
    for p in rulebook.policies:
        for e in _expressions(p):
            if e.text not in code:
                code[e.text] = function_parts(e.fn)
    return {"policies": rulebook.policies, "params": rulebook.params, "registry": rulebook.registry,
            "code": {text: parts for text, parts in code.items() if parts is not None}}


def rulebook_from_entry(stored: object, dirs: list[Path], digest: str) -> Rulebook | None:
    """The rulebook :func:`rulebook_entry` kept, or None when the entry is not of that shape."""
    if not isinstance(stored, dict):
        return None
    policies, params, registry, code = (stored.get(k) for k in ("policies", "params", "registry", "code"))
    if not (isinstance(policies, tuple) and all(isinstance(p, Policy) for p in policies)
            and isinstance(params, Parameters) and isinstance(registry, Registry) and isinstance(code, dict)):
        return None
    made: dict = {}
    uncompiled = []
    try:
        for p in policies:
            for e in _expressions(p):
                fn = made.get(e.text)
                if fn is None and e.text in code:
                    fn = made[e.text] = function_from_parts(*code[e.text])
                if fn is None:
                    uncompiled.append(e)         # the interpreter's fallback: made as loading makes it
                else:
                    object.__setattr__(e, "fn", fn)
    except Exception:      # noqa: BLE001 - an entry of another shape is a miss, never an error
        return None
    compile_all(uncompiled)
    derived, packs = _derived_of(dirs)
    return Rulebook(policies, params, registry, derived, packs, digest)


def _derived_of(dirs: list[Path]) -> tuple[dict[str, Derived], tuple[Path, ...]]:
    """The derived facts (built-in and the packs' ``derived.py``, imported) and the pack directories."""
    derived = dict(BUILTIN)
    builtin_dir = builtin_policies_dir().resolve()
    packs = tuple(d for d in dirs if d.resolve() != builtin_dir)
    for d in packs:
        derived = merge_derived(derived, load_pack_derived(d))
    return derived, packs


def _load(dirs: list[Path], digest: str) -> Rulebook:
    registry = load_registry(dirs)
    params = Parameters()
    for d in dirs:
        pdir = d / "parameters"
        if pdir.is_dir():
            for f in _yaml_files(pdir):
                params = params.merged(parameters_from_document(read_path(f), registry, known=params))
    derived, packs = _derived_of(dirs)
    policies: list[Policy] = []
    inherits: list[tuple[str, str, str, str]] = []   # (instrument, edition, parent, file)
    for d in dirs:
        for inst_dir in sorted(p for p in d.iterdir() if p.is_dir() and p.name not in _SKIP_DIRS
                               and not p.name.startswith((".", "_"))):
            instrument = inst_dir.name
            try:
                inst = registry.instrument(instrument)
            except Exception:
                raise PolicyError(str(inst_dir), f"folder {instrument!r} is not a registered instrument id "
                                                 "(see instruments.yaml)") from None
            if inst.id != instrument:
                raise PolicyError(str(inst_dir), f"name the folder by the instrument id {inst.id!r}")
            for f in _yaml_files(inst_dir):
                # outside an edition folder a policy would cite no edition: refused, not skipped unseen
                raise PolicyError(str(f), f"a policy file belongs in a folder of its edition: "
                                          f"{inst_dir}/EDITION/{f.name}", 1, 1)
            for ed_dir in sorted(p for p in inst_dir.iterdir() if p.is_dir()):
                edition = ed_dir.name
                try:
                    registry.edition(instrument, edition)
                except Exception:
                    raise PolicyError(str(ed_dir), f"edition {edition!r} of {instrument} is not registered "
                                                   "in instruments.yaml") from None
                meta = ed_dir / "_edition.yaml"
                if meta.is_file():
                    doc = read_path(meta)
                    check_mapping(doc, (), doc.data, _EDITION_FIELDS)
                    if "inherits" in doc.data:
                        parent = doc.data["inherits"]
                        try:
                            registry.edition(instrument, parent)
                        except Exception:
                            raise fail(doc, ("inherits",), f"edition {parent!r} of {instrument} "
                                                          "is not registered") from None
                        inherits.append((instrument, edition, parent, str(meta)))
                for f in _yaml_files(ed_dir):
                    doc = read_path(f)
                    if doc.data is None:
                        raise PolicyError(doc.source, EMPTY_POLICY_FILE, 1, 1)
                    items = doc.data if isinstance(doc.data, list) else [doc.data]
                    base = () if not isinstance(doc.data, list) else None
                    for i, item in enumerate(items):
                        path = base if base is not None else (i,)
                        policies.append(policy_from_data(doc, path, item, instrument=instrument, edition=edition,
                                                         registry=registry, params=params, derived=derived))
    inherits.sort(key=lambda t: registry.edition(t[0], t[1]).in_force_from)   # 2022 before a later 2027
    for instrument, edition, parent, meta in inherits:
        own = {p.id for p in policies if p.instrument == instrument and p.edition == edition}
        for p in [p for p in policies if p.instrument == instrument and p.edition == parent]:
            if p.id not in own:
                policies.append(retarget(p, edition, parent, meta))
    _check_unique(policies)
    policies.sort(key=lambda p: (p.id, registry.edition(p.instrument, p.edition).in_force_from))
    compile_all(e for p in policies for e in _expressions(p))   # once, kept with the rulebook
    return Rulebook(tuple(policies), params, registry, derived, packs, digest)


def _expressions(policy: Policy) -> list:
    """Every expression of ``policy``: where, require, each unless, each evidence entry, all of them, and its
    subject code (where, require and evidence as one)."""
    return ([policy.where] if policy.where is not None else []) + [policy.require] \
        + [u.when for u in policy.unless] + [e for _name, e in policy.evidence] \
        + ([policy.evidence_all] if policy.evidence_all is not None else []) \
        + ([policy.subject_code] if policy.subject_code is not None else [])


def rulebook_files(folder: Path) -> list[Path]:
    """The files of one policy directory that decide results, sorted by their relative path.

    Instruments, parameters, policies (with ``_edition.yaml``) and a pack's
    ``derived.py``; never its notes, README or ``tests/``.
    """
    found = [folder / name for name in ("instruments.yaml", DERIVED_FILE) if (folder / name).is_file()]
    pdir = folder / "parameters"
    if pdir.is_dir():
        found += _yaml_files(pdir)
    for inst_dir in (p for p in folder.iterdir() if p.is_dir() and p.name not in _SKIP_DIRS
                     and not p.name.startswith((".", "_"))):
        for ed_dir in (p for p in inst_dir.iterdir() if p.is_dir()):
            found += [p for p in ed_dir.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def rulebook_layout(dirs: Iterable[Path]) -> tuple[tuple[str, ...], ...]:
    """Per directory, the folders the loader walks (instruments and their editions) and any YAML file lying
    directly in an instrument folder, as relative paths.

    They decide a load without being files of the digest: a folder that names no registered instrument
    or edition, or a policy file outside an edition folder, is refused. The caches compare them beside
    the digest, so a rulebook cached before such a change is not handed out after it.
    """
    return _layouts(tuple(_stamp(d) for d in dirs))


def _layouts(stamps: tuple) -> tuple:
    return tuple(layout for _files, layout in stamps)


def rulebook_digest(dirs: Iterable[Path]) -> str:
    """``sha256:…`` over the content of every rulebook file, directory by directory in load order.

    Each file enters as its path relative to its directory and its bytes, so the
    digest names the rulebook's revision wherever it is installed (an editable
    checkout and a wheel give the same), and changes with any policy or parameter.
    """
    h = hashlib.sha256()
    for index, folder in enumerate(dirs):
        for f in rulebook_files(folder):
            data = f.read_bytes()
            name = f.relative_to(folder).as_posix().encode()
            h.update(b"%d\0%s\0%d\0" % (index, name, len(data)))
            h.update(data)
    return "sha256:" + h.hexdigest()


def _at(policy: Policy) -> str:
    """Where a policy is, as lint names it: FILE:LINE."""
    return f"{policy.source}:{policy.line}" if policy.line is not None else policy.source


def _check_unique(policies: list[Policy]) -> None:
    seen: dict[tuple[str, str], Policy] = {}
    instrument_of: dict[str, Policy] = {}
    for p in policies:
        if (p.id, p.edition) in seen and seen[(p.id, p.edition)].instrument == p.instrument:
            other = seen[(p.id, p.edition)]
            raise PolicyError(p.source, f"policy id {p.id!r} is already used by {_at(other)}", p.line, 1)
        if p.id in instrument_of and instrument_of[p.id].instrument != p.instrument:
            other = instrument_of[p.id]
            raise PolicyError(p.source, f"policy id {p.id!r} is already used by {_at(other)} "
                                        f"(instrument {other.instrument})", p.line, 1)
        seen[(p.id, p.edition)] = p
        instrument_of[p.id] = p
