"""Where the CLI's output goes: standard output, or a file written all at once.

Every command that takes ``-o FILE`` writes through :func:`write_output`, so the
same guarantees hold everywhere:

* the file appears whole or not at all: the text goes to a temporary file in
  the target's folder (anonymous where the system allows, so that even a
  ``kill -9`` leaves nothing behind), which then replaces the target;
* SIGTERM and SIGHUP during the write remove the temporary file before the
  process ends as the signal asks;
* the file gets the mode a plain write would give it: an existing target keeps
  its own, a new one gets ``0666`` less the umask (not ``mkstemp``'s ``0600``);
* a target that is one of the inputs is refused before anything is written,
  so ``check court.yaml -o court.yaml`` cannot replace the facts by a report;
* an existing target that is not a regular file (``/dev/null``, a FIFO) is
  written into, never replaced;
* a path that cannot be written is one :class:`OutputError` line saying why
  (missing folder, a directory, permission, read-only or full file system).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import PartyrulesError


class OutputError(PartyrulesError):
    """The output path cannot be written (or must not be: it is an input)."""


_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a directory",
    errno.ENAMETOOLONG: "the name is too long",
}
_CLEANUP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def refuse_inputs(output: str | None, inputs: Iterable[object]) -> None:
    """Raise when ``output`` names the same file as one of ``inputs`` (paths; others are ignored)."""
    if output is None or output == "-":
        return
    target = Path(output)
    try:
        target_stat = target.stat()
    except OSError:
        return                                  # nothing there yet: it cannot be an input
    for source in inputs:
        if not isinstance(source, (str, Path)) or str(source) == "-":
            continue
        try:
            same = os.path.samestat(target_stat, Path(source).stat())
        except OSError:
            continue
        if same:
            raise OutputError(f"{output}: is also an input ({source}); refusing to overwrite it with the output")


def write_output(text: str | bytes, output: str | None, inputs: Iterable[object] = ()) -> None:
    """Write ``text`` (or binary ``bytes``) to standard output (``None`` or ``-``), or whole to the file ``output``."""
    with output_stream(output, inputs) as write:
        write(text)


@contextlib.contextmanager
def output_stream(output: str | None, inputs: Iterable[object] = ()) -> Iterator[Callable[[str | bytes], None]]:
    """A function that writes text (or bytes) to standard output, or to the file ``output`` as above.

    For a batch that writes as documents finish: standard output gets each
    piece at once; the file gets them in its temporary file and appears whole
    only when the ``with`` block ends without an exception (on one, nothing is
    left behind and the target is untouched). Text goes to a file as UTF-8, and
    to standard output through ``sys.stdout`` (its encoding, whatever replaced it).
    """
    if output is None or output == "-":
        yield _to_stdout
        return
    refuse_inputs(output, inputs)
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"{output}: is a directory; give a file name")
    folder = target.parent
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise OutputError(f"{output}: cannot write: the folder {str(folder)!r} {what}")
    try:
        st = target.stat()
        mode = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        st = mode = None                        # a new file: the umask decides, as for any plain write
    except OSError as exc:
        raise OutputError(f"{output}: cannot write: {_reason(exc)}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        # /dev/null, /dev/stdout, a FIFO: a stream to write into, never a file to replace
        try:
            fh = open(target, "wb")
        except OSError as exc:
            raise OutputError(f"{output}: cannot write: {_reason(exc)}") from None
        with fh:
            yield _guarded(output, lambda data: _write_all(fh.fileno(), data))
        return
    with _cleanup_on_signals() as pending:
        try:
            fd, tmp, named = _open_temporary(target, mode, pending)
        except OSError as exc:
            raise OutputError(f"{output}: cannot write: {_creating_reason(exc)}") from None
        try:
            yield _guarded(output, lambda data: _write_all(fd, data))
            try:
                _install(fd, tmp, named, target, pending)
            except OSError as exc:
                raise OutputError(f"{output}: cannot write: {_creating_reason(exc)}") from None
        finally:
            os.close(fd)
            for name in pending:
                _unlink_quietly(name)
            pending.clear()


def _to_stdout(data: str | bytes) -> None:
    if isinstance(data, bytes):
        sys.stdout.flush()                      # what was written as text goes out first
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data)
        sys.stdout.flush()


def _creating_reason(exc: OSError) -> str:
    return "no file can be created in that folder" if exc.errno == errno.ENOENT else _reason(exc)


def _guarded(output: str, write: Callable[[bytes], None]) -> Callable[[str | bytes], None]:
    """``write`` of UTF-8, with a failure (disk full …) said as one :class:`OutputError` line."""
    def guarded(data: str | bytes) -> None:
        try:
            write(data if isinstance(data, bytes) else data.encode("utf-8"))
        except OSError as exc:
            raise OutputError(f"{output}: cannot write: {_reason(exc)}") from None
    return guarded


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _open_temporary(target: Path, mode: int | None, pending: list) -> tuple[int, str, bool]:
    """A file to write the output into, beside the target: anonymous where the system allows."""
    folder = str(target.parent)
    tmp = str(target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp")
    fd = _open_anonymous(folder)
    named = fd is None
    if named:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        pending.append(tmp)
    try:
        if mode is not None:
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp, mode)
    except OSError:
        os.close(fd)
        raise
    return fd, tmp, named


def _install(fd: int, tmp: str, named: bool, target: Path, pending: list) -> None:
    """The written temporary file replaces the target, all at once."""
    os.fsync(fd)
    if not named:
        # give the anonymous file a name only now, for the instant before it replaces the target
        pending.append(tmp)
        _link_anonymous(fd, str(target.parent), tmp)
    os.replace(tmp, target)
    pending.remove(tmp)


def _open_anonymous(folder: str) -> int | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), or None where that is not available."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None                         # the file system cannot: fall back to a named file
        raise


def _link_anonymous(fd: int, folder: str, name: str) -> None:
    # os.link calls linkat (which can follow /proc/self/fd/N to the open file) only when given a dir_fd
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", name, src_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


class _Signalled(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _cleanup_on_signals:
    """While writing, SIGTERM/SIGHUP remove the temporary file, then end the process as the signal would.

    Handlers can only be set from the main thread; elsewhere (a library user's
    thread) the write goes on without them.
    """

    def __enter__(self) -> list:
        self.pending: list = []
        self.saved: dict = {}
        if threading.current_thread() is threading.main_thread():
            for sig in _CLEANUP_SIGNALS:
                try:
                    self.saved[sig] = signal.signal(sig, self._raise)
                except (ValueError, OSError):
                    pass
        return self.pending

    @staticmethod
    def _raise(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    def __exit__(self, exc_type: type | None, exc: BaseException | None, _tb: object) -> bool:
        for name in self.pending:
            _unlink_quietly(name)
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)
        if isinstance(exc, _Signalled):
            os.kill(os.getpid(), exc.signum)    # the saved handler (usually: terminate) takes it from here
            raise SystemExit(128 + exc.signum)  # a handler that did not end the process
        return False
