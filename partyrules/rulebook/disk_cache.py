"""The loaded rulebook kept on disk, so that a new process does not read, check and compile it again.

A cold ``partyrules check`` spent most of its time loading the rulebook: reading
the policy YAML with positions, checking every policy and compiling every
expression to Python code. All of that depends only on the rulebook's files and
on the code of partyrules, so :mod:`.load` stores what it built here, under a key
made of both, and a later process with the same key reads it back instead.

The key (:func:`entry_key`) is the content digest of every rulebook file
(built-in and packs, ``load.rulebook_digest``), the directories they were read
from (policies keep their file names), the partyrules version, a stamp of its
source files (an edited checkout misses), the Python implementation and version
(``marshal``'s format is theirs), the versions of PyYAML and attrs, and :data:`FORMAT`. Anything different is a
miss: the rulebook is loaded from its files and its entry written again.

Where: ``PARTYRULES_CACHE_DIR`` when set, else the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
``%LOCALAPPDATA%`` on Windows) plus ``partyrules``. ``PARTYRULES_NO_CACHE=1``
turns it off. A folder that cannot be made, is not the user's own or is writable
by others means no cache; an entry that cannot be read, is cut short, corrupt,
of another format or another key is ignored and written again. Writes go to a
temporary file in the same folder, moved into place with ``os.replace``, so a
reader sees a whole entry or none, and processes writing at once are safe.
The newest :data:`KEEP` entries are kept.

Trust: an entry is a pickle whose expression code is ``marshal``'d code objects,
and loading it runs that code when policies are evaluated. That is acceptable
for the same reason as importing partyrules at all: the folder is the user's own
(checked: owned by the user and writable by nobody else), the same trust as the
user's own site-packages, which anyone able to write the folder could change as
well. The digest in each entry only detects damage (a torn or flipped file), it
is no signature; the unpickler still refuses classes from outside partyrules,
the standard library types a rulebook holds, and ``marshal`` (see
:data:`ALLOWED_MODULES`).
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import marshal
import os
import pickle
import sys
import time
from pathlib import Path
from types import CodeType, MappingProxyType
from typing import Any, Iterable, Mapping

import attr
import yaml

from .. import version
from ..citations import Registry

FORMAT = 4                 # raise when what an entry holds changes shape (4: policies keep subject_code)
KEEP = 8                   # entries kept in the folder, newest first (a rulebook per pack set in use)
MAX_ENTRY_BYTES = 64 << 20
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a process that died while writing
MAGIC = b"partyrules-rulebook-cache\n"
PREFIX, SUFFIX = "rulebook-", ".cache"
PACKAGE_DIR = Path(__file__).resolve().parents[1]

# the modules whose classes an entry may name: partyrules' own, and what policies hold besides (dates,
# the expressions' syntax trees); code objects come only through _code_from_bytes
ALLOWED_MODULES = frozenset({"datetime", "ast", "_ast", "copyreg", "builtins"})
ALLOWED_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict", "complex", "slice", "range",
                              "bytearray", "object"})


def cache_folder(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The folder of the cache, made if missing; None when the cache is off or the folder cannot be used."""
    if environ.get("PARTYRULES_NO_CACHE", "").strip() not in ("", "0"):
        return None
    try:
        folder = _chosen_folder(environ)
        if folder is None:
            return None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder if _own_folder(folder) else None
    except (OSError, RuntimeError, ValueError):
        return None                # no home, a read-only disk, a name the system refuses: no cache


def _chosen_folder(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("PARTYRULES_CACHE_DIR", "")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = environ.get("LOCALAPPDATA", "")
        return Path(base) / "partyrules" if base else None
    home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "partyrules"
    xdg = environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "partyrules"


def _own_folder(folder: Path) -> bool:
    """Is ``folder`` a directory that only this user can write (anyone else could plant an entry)?"""
    st = folder.stat()
    if not folder.is_dir():
        return False
    if os.name != "posix":
        return True                # the user's profile folder on Windows
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def code_stamp() -> str:
    """(path, size, mtime) of every source file of partyrules: code that loads the rulebook may change
    without a new version in a checkout, and a stat is cheaper than reading every file."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(PACKAGE_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                st = os.stat(path)
                h.update(f"{os.path.relpath(path, PACKAGE_DIR)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def _attrs_stamp() -> str:
    # attrs has no cheap version attribute (its __version__ reads the package metadata: ~30 ms of imports);
    # an upgrade rewrites its files, and _make.py builds the classes
    folder = os.path.dirname(attr.__file__ or "")
    out = []
    for name in ("__init__.py", "_make.py"):
        try:
            st = os.stat(os.path.join(folder, name))
        except OSError:
            continue
        out.append(f"{name} {st.st_size} {st.st_mtime_ns}")
    return f"{folder} " + " ".join(out)


def entry_key(digest: str, dirs: Iterable[Path], layout: tuple = ()) -> str:
    """The key of a rulebook's entry: every input that decides what loading it builds (``layout``: the
    folders the loader walks, ``load.rulebook_layout``, which decide whether it refuses the pack)."""
    parts = [f"format {FORMAT}", f"partyrules {version.__version__}", f"code {code_stamp()}",
             f"python {sys.implementation.name} {sys.implementation.cache_tag} {sys.version}",
             # the parser that read the files and the classes the entry's objects are rebuilt with
             f"pyyaml {yaml.__version__} {getattr(yaml, '__with_libyaml__', False)} attrs {_attrs_stamp()}",
             f"rulebook {digest}", f"layout {layout!r}"] + [f"dir {d}" for d in dirs]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def entry_path(folder: Path, key: str) -> Path:
    return folder / f"{PREFIX}{key}{SUFFIX}"


def read_entry(folder: Path, key: str) -> Any | None:
    """What :func:`write_entry` stored under ``key``, or None (missing, damaged, foreign: never an error)."""
    path = entry_path(folder, key)
    try:
        with open(path, "rb") as f:
            blob = f.read(MAX_ENTRY_BYTES + 1)
        head = MAGIC + key.encode() + b"\n"
        if len(blob) > MAX_ENTRY_BYTES or not blob.startswith(head):
            return None
        check, payload = blob[len(head):len(head) + 65], blob[len(head) + 65:]
        if check != hashlib.sha256(payload).hexdigest().encode() + b"\n":
            return None
        value = _Unpickler(io.BytesIO(payload)).load()
    except Exception:      # noqa: BLE001 - any damage at all (pickle raises many kinds) only means a miss
        return None
    try:
        os.utime(path)     # in use: the newest entries are the ones kept
    except OSError:
        pass
    return value


def write_entry(folder: Path, key: str, value: Any) -> bool:
    """Store ``value`` under ``key`` (atomically), then drop the oldest entries; False when it could not."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _DISPATCH     # type: ignore[attr-defined]
        pickler.dump(value)
        payload = buffer.getvalue()
    except Exception:      # noqa: BLE001 - something that does not pickle is simply not cached
        return False
    if len(payload) > MAX_ENTRY_BYTES:
        return False
    blob = MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    import tempfile      # here: only a miss writes, and its import costs a cold start some milliseconds
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, entry_path(folder, key))
        tmp = None
    except OSError:
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    prune(folder)
    return True


def prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the ``keep`` newest entries and remove temporary files left by processes that died writing."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    entries: list[tuple[float, str]] = []
    now = time.time()
    for name in names:
        path = os.path.join(folder, name)
        try:
            mtime = os.stat(path).st_mtime
            if name.startswith(PREFIX) and name.endswith(SUFFIX):
                entries.append((mtime, path))
            elif name.startswith(".tmp-") and name.endswith(SUFFIX) and now - mtime > STALE_TEMP_SECONDS:
                os.unlink(path)
        except OSError:
            continue           # another process removed or replaced it meanwhile
    entries.sort(reverse=True)
    for _mtime, path in entries[keep:]:
        try:
            os.unlink(path)
        except OSError:
            pass


def _code_from_bytes(data: bytes) -> CodeType:
    code = marshal.loads(data)
    if not isinstance(code, CodeType):
        raise pickle.UnpicklingError("not a code object")
    return code


def _reduce_code(code: CodeType) -> tuple:
    return (_code_from_bytes, (marshal.dumps(code),))


def _reduce_registry(registry: Registry) -> tuple:
    # its lookup tables are read-only views (not picklable); they are rebuilt from the instruments
    return (Registry, (registry.instruments,))


_DISPATCH = MappingProxyType({**copyreg.dispatch_table, CodeType: _reduce_code, Registry: _reduce_registry})


# pickle and marshal run what an entry holds. That is acceptable because the folder is the user's own and
# writable by nobody else (cache_folder): the same trust as the user's site-packages, from which partyrules
# itself is imported. This class is a second fence against a planted file, not the reason it is safe.
class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_code_from_bytes":
            return _code_from_bytes
        if module.split(".")[0] == "partyrules" or (module in ALLOWED_MODULES and module != "builtins") \
                or (module == "builtins" and name in ALLOWED_BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a class of a rulebook")
