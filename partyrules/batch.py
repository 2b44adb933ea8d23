"""Checking many fact documents in one call, optionally on several processes.

    >>> for item in partyrules.check_many(["courts/"], workers=0):
    ...     print(item.source, item.report.summary if item.ok else item.error)

:func:`check_many` returns an iterator of :class:`BatchItem`, one per document:
the report, or the :class:`~partyrules.errors.PartyrulesError` that stopped it
(a bad file never aborts the batch). Each item is yielded as soon as it is
done — in input order by default (so output is the same byte for byte
whatever the number of workers), or as they finish with ``ordered=False``.
``list(check_many(...))`` gives them all. What is wrong for every document
alike — an unknown engine, a bad ``as_of``, a policy pack that does not load —
is raised at once, before the iterator is returned.

With ``workers > 1`` documents are checked on a process pool. Where the
platform can fork and the caller runs no other thread, the pool forks, so it
works from a plain script without an ``if __name__ == "__main__":`` guard
and the workers inherit the loaded rulebook; otherwise it spawns (which needs
that guard in a script, as every spawned pool does). ``executor=`` takes any
:class:`concurrent.futures.Executor` instead (a thread pool, Dask's
``Client.get_executor()``, Ray's): documents are sent to it as tasks.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import stat
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import attrs

from .api import evaluation_date, policy_patterns, check, get_engine, selected
from .errors import InternalError, PartyrulesError, UsageError, WorkerError
from .facts.model import FactDocument
from .periods import parse_date
from .report.model import Report
from .rulebook.load import load_rulebook

FACT_SUFFIXES = (".yaml", ".yml", ".json")


@attrs.frozen
class BatchItem:
    """One document of a batch: where it came from, and its report or its error."""

    source: str
    report: Report | None = None
    error: PartyrulesError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_status(self) -> int:
        """2 when the document could not be checked, else the report's (1 with a violation, 0 without)."""
        return 2 if self.report is None else self.report.exit_status

    def exit_status_for(self, fail_on: str = "warning") -> int:
        """2 when the document could not be checked, else the report's for ``fail_on`` (see :class:`Report`)."""
        return 2 if self.report is None else self.report.exit_status_for(fail_on)


def expand_directory(directory: str | Path) -> list[Path]:
    """Every ``*.yaml``, ``*.yml`` and ``*.json`` file below ``directory``, sorted.

    Sorted by their path relative to the directory, folder by folder, so the
    order does not depend on the file system. Hidden files and folders (a name
    starting with ``.``) are skipped, and so is anything that is not a regular
    file (a FIFO named ``x.yaml`` would block the batch forever on reading).
    """
    root = Path(directory)
    found: list[Path] = []
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.endswith(FACT_SUFFIXES) and _is_regular(Path(here) / name):
                found.append(Path(here) / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)          # follows a symbolic link to what it names
    except OSError:
        return False


def expand_sources(sources: Iterable[Any]) -> list[Any]:
    """The sources with every directory replaced by the fact documents below it (in place, sorted).

    A directory that holds no fact document is a :class:`UsageError`.
    """
    out: list[Any] = []
    for s in sources:
        if isinstance(s, (str, Path)) and str(s) != "-" and Path(s).is_dir():
            files = expand_directory(s)
            if not files:
                raise UsageError(f"{s}: no fact documents (*.yaml, *.yml, *.json) in this directory")
            out.extend(str(f) for f in files)
        else:
            out.append(s)
    return out


def _label(source: Any, index: int) -> str:
    if isinstance(source, (str, Path)):
        return "<stdin>" if str(source) == "-" else str(source)
    if isinstance(source, FactDocument):
        return source.source
    return f"<mapping {index}>"


def check_many(sources: Iterable[Any], *, as_of: dt.date | str | None = None, policies: Iterable[str | Path] = (),
               builtin: bool = True, engine: str = "native", workers: int = 1,
               progress: Callable[[BatchItem], None] | None = None,
               include_unverified: bool = False, executor: Executor | None = None,
               ordered: bool = True, select: Iterable[str] = (), skip: Iterable[str] = ()) -> Iterator[BatchItem]:
    """Check every document; an iterator of one :class:`BatchItem` per document (see the module docstring).

    ``sources`` are paths (directories are expanded, see :func:`expand_sources`),
    mappings or loaded :class:`FactDocument` values. ``workers`` is the number
    of processes (``0`` = one per core; ``1`` checks in this process);
    ``executor`` runs the checks on an executor of the caller's instead.
    ``progress`` is called with each item as it is yielded. The other
    arguments are those of :func:`partyrules.check`.
    """
    items = expand_sources(sources)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise UsageError(f"workers: expected a whole number >= 0 (0 = all cores), got {workers!r}")
    if executor is not None and not isinstance(executor, Executor):
        raise UsageError(f"executor: expected a concurrent.futures.Executor, got {type(executor).__name__}")
    if workers == 0:
        workers = os.cpu_count() or 1
    as_of = _check_as_of(as_of)
    packs = tuple(str(p) for p in policies)
    get_engine(engine)                                  # an unknown engine fails here, once
    book = load_rulebook(packs, builtin=builtin)        # a bad pack fails here too (the load is cached)
    registry = book.registry
    select, skip = tuple(policy_patterns(select, "select")), tuple(policy_patterns(skip, "skip"))
    selected(book, [], select, skip)                    # a pattern that matches no policy fails here, once
    config = (as_of, packs, builtin, engine, include_unverified, select, skip)
    stream = _stream(items, config, registry, workers, executor, ordered)
    return stream if progress is None else _reporting(stream, progress)


def _reporting(stream: Iterator[BatchItem], progress: Callable[[BatchItem], None]) -> Iterator[BatchItem]:
    for item in stream:
        progress(item)
        yield item


def _stream(items: list, config: tuple, registry: Any, workers: int, executor: Executor | None,
            ordered: bool) -> Iterator[BatchItem]:
    remote = [i for i, s in enumerate(items) if _can_send(s)]
    if executor is None and min(workers, len(remote)) <= 1:
        for i, s in enumerate(items):
            yield _run(i, s, config)
        return
    if executor is not None:
        yield from _over(executor, items, remote, config, registry, ordered)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(remote)), mp_context=_start_method()) as pool:
        yield from _over(pool, items, remote, config, registry, ordered)


def _start_method() -> Any:
    """Fork where it is safe (a POSIX parent running no other thread): no ``__main__`` guard needed."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _over(pool: Executor, items: list, remote: list, config: tuple, registry: Any,
          ordered: bool) -> Iterator[BatchItem]:
    """Send the sendable documents to ``pool``; check the others (stdin, loaded documents) here."""
    futures = {i: pool.submit(_run_remote, config, i, items[i]) for i in remote}
    alone = _Alone(config) if isinstance(pool, ProcessPoolExecutor) else None
    try:
        if not ordered:
            for i, s in enumerate(items):
                if i not in futures:
                    yield _run(i, s, config)
            back = {f: i for i, f in futures.items()}
            for f in as_completed(back):
                yield _collect(f, back[f], items, registry, alone)
            return
        for i, s in enumerate(items):
            yield _collect(futures[i], i, items, registry, alone) if i in futures else _run(i, s, config)
    finally:
        for f in futures.values():          # a consumer that stops early does not wait for the rest
            f.cancel()
        if alone is not None:
            alone.close()


def _collect(future: Future, index: int, items: list, registry: Any, alone: "_Alone | None" = None) -> BatchItem:
    try:
        return _thaw(future.result(), registry)
    except BrokenProcessPool:
        if alone is not None:
            # one worker died and took every pending document with it: each is checked again on its own,
            # so the others keep their results and only the document that kills a worker is an error
            return alone.run(index, items, registry)
        return _worker_failed(items, index, "the worker process checking it died")
    except Exception as exc:               # the executor failed
        return _worker_failed(items, index, f"the worker checking it failed ({type(exc).__name__}: {exc})")


def _worker_failed(items: list, index: int, why: str) -> BatchItem:
    label = _label(items[index], index)
    return BatchItem(label, None, WorkerError(f"{label}: could not be checked: {why}"))


class _Alone:
    """A one-worker pool for documents whose pool broke: one at a time, so a crash names its document."""

    def __init__(self, config: tuple) -> None:
        self.config = config
        self.pool: ProcessPoolExecutor | None = None

    def run(self, index: int, items: list, registry: Any) -> BatchItem:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=_start_method())
        try:
            return _thaw(self.pool.submit(_run_remote, self.config, index, items[index]).result(), registry)
        except BrokenProcessPool:
            self.close()
            return _worker_failed(items, index, "the worker process checking it died (killed, or out of memory)")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _check_as_of(as_of: Any) -> Any:
    """A date string is parsed once, so that a bad one fails before any document is read."""
    if isinstance(as_of, str):
        try:
            return parse_date(as_of)
        except ValueError:
            raise UsageError(f"as_of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    if as_of is not None:
        evaluation_date(FactDocument(format="partyrules.facts/1"), as_of)   # the type checks of check()
    return as_of


def _can_send(source: Any) -> bool:
    """Paths and plain mappings go to worker processes; stdin and loaded documents do not."""
    if isinstance(source, (str, Path)):
        return str(source) != "-"
    return isinstance(source, dict)


def _run(index: int, source: Any, config: tuple) -> BatchItem:
    as_of, packs, builtin, engine, include_unverified, select, skip = config
    label = _label(source, index)
    try:
        report = check(source, as_of, policies=packs, builtin=builtin, engine=engine,
                       include_unverified=include_unverified, select=select, skip=skip)
    except PartyrulesError as exc:
        return BatchItem(label, None, exc)
    except (RecursionError, MemoryError, Exception) as exc:      # a bug or a blow-up: this document only
        return BatchItem(label, None, InternalError(
            f"{label}: internal error: {type(exc).__name__}: {str(exc)[:300]} (a bug in partyrules)"))
    return BatchItem(label, report)


# ---- worker side ------------------------------------------------------------------------------------

def _run_remote(config: tuple, index: int, source: Any) -> tuple:
    """Check one document in a worker; the answer is made of plain picklable parts.

    The rulebook comes from the worker's load cache (inherited from the parent when the pool forks).
    """
    item = _run(index, source, config)
    if item.report is not None:
        # the parent has the same registry (same packs): leave it out of the pickle
        report = item.report
        upcoming = report.upcoming
        if upcoming is not None:
            upcoming = attrs.evolve(upcoming, registry=None)
        return ("report", item.source, attrs.evolve(report, registry=None, upcoming=upcoming))
    exc = item.error
    return ("error", item.source, type(exc), str(exc), dict(vars(exc)))


def _thaw(answer: tuple, registry: Any) -> BatchItem:
    if answer[0] == "report":
        _, label, report = answer
        upcoming = report.upcoming
        if upcoming is not None:
            upcoming = attrs.evolve(upcoming, registry=registry)
        return BatchItem(label, attrs.evolve(report, registry=registry, upcoming=upcoming))
    _, label, cls, text, state = answer
    # PartyrulesError subclasses take various constructor arguments: rebuild without calling them
    exc = cls.__new__(cls)
    Exception.__init__(exc, text)
    exc.__dict__.update(state)
    return BatchItem(label, None, exc)
