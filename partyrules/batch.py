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

A report holds the whole checked document (for the human views), several MiB
for a court of 300 members, so a batch of a thousand courts should not keep
them. ``render="json"`` (or ``"table"``, ``"html"``) has each document rendered
where it was checked: the item carries the rendered UTF-8 bytes and a
:class:`ReportSummary` (unit, date, counts, exit statuses), not the report;
``keep="summary"`` carries the summary alone. Workers then send back only
that, and the iterator holds at most ``in_flight`` documents at a time (twice
the workers by default), so memory stays flat whatever the number of
documents, as long as the caller does not keep the items either.

With ``workers > 1`` documents are checked on a process pool. Where the
platform can fork and the caller runs no other thread, the pool forks, so it
works from a plain script without an ``if __name__ == "__main__":`` guard
and the workers inherit the loaded rulebook; otherwise it spawns (which needs
that guard in a script, as every spawned pool does). ``executor=`` takes any
:class:`concurrent.futures.Executor` instead (a thread pool, Dask's
``Client.get_executor()``, Ray's): documents are sent to it as tasks. A worker
that dies (killed, out of memory) costs only the document it was checking.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import stat
import threading
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import attrs

from .api import evaluation_date, policy_patterns, check, get_engine, selected
from .errors import InternalError, PartyrulesError, UsageError, WorkerError
from .facts.model import FactDocument
from .periods import parse_date
from .report.model import FAIL_ON, Report
from .rulebook.load import load_rulebook

FACT_SUFFIXES = (".yaml", ".yml", ".json")
KEEP = ("report", "summary")
RENDER = ("json", "table", "html")
IN_FLIGHT_PER_WORKER = 2     # enough to keep every worker busy while the parent takes the next answer


@attrs.frozen
class ReportSummary:
    """What a batch row needs of a report, without the report: a few hundred bytes, picklable.

    ``counts`` is the report's ``summary`` (outcome → count); ``failing`` the
    ``fail_on`` levels at which the report fails (``"warning"``, ``"error"``).
    """

    unit: str
    unit_name: str
    as_of: dt.date
    counts: Mapping[str, int]
    failing: tuple[str, ...] = ()

    @classmethod
    def of(cls, report: Report) -> "ReportSummary":
        return cls(report.unit, report.unit_name, report.as_of, report.summary,
                   tuple(f for f in FAIL_ON if f != "never" and report.exit_status_for(f)))

    @property
    def exit_status(self) -> int:
        """1 with a violation, else 0 (the report's ``exit_status``)."""
        return self.exit_status_for("warning")

    def exit_status_for(self, fail_on: str = "warning") -> int:
        """The report's ``exit_status_for(fail_on)``."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
        return 1 if fail_on in self.failing else 0


def _summary_of(item: "BatchItem") -> ReportSummary | None:
    return ReportSummary.of(item.report) if item.report is not None else None


@attrs.frozen
class BatchItem:
    """One document of a batch: where it came from, and its report or its error.

    ``summary`` is there whenever the document was checked (made from the
    report when one is given); ``report`` unless the batch asked for
    ``keep="summary"`` or a ``render``; ``rendered`` (UTF-8 bytes) when it
    asked for a ``render``.
    """

    source: str
    report: Report | None = None
    error: PartyrulesError | None = None
    summary: ReportSummary | None = attrs.field(default=attrs.Factory(_summary_of, takes_self=True))
    rendered: bytes | None = attrs.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_status(self) -> int:
        """2 when the document could not be checked, else the report's (1 with a violation, 0 without)."""
        return 2 if self.summary is None else self.summary.exit_status

    def exit_status_for(self, fail_on: str = "warning") -> int:
        """2 when the document could not be checked, else the report's for ``fail_on`` (see :class:`Report`)."""
        return 2 if self.summary is None else self.summary.exit_status_for(fail_on)


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


@attrs.frozen
class _Config:
    """Everything a worker needs to check one document and shape its answer (small and picklable)."""

    as_of: Any
    packs: tuple[str, ...]
    builtin: bool
    engine: str
    include_unverified: bool
    select: tuple[str, ...]
    skip: tuple[str, ...]
    keep: str = "report"
    render: str | None = None
    all_results: bool = False
    lang: str = "zh"


def check_many(sources: Iterable[Any], *, as_of: dt.date | str | None = None, policies: Iterable[str | Path] = (),
               builtin: bool = True, engine: str = "native", workers: int = 1,
               progress: Callable[[BatchItem], None] | None = None,
               include_unverified: bool = False, executor: Executor | None = None,
               ordered: bool = True, select: Iterable[str] = (), skip: Iterable[str] = (),
               render: str | None = None, keep: str | None = None, all_results: bool = False, lang: str = "zh",
               in_flight: int | None = None) -> Iterator[BatchItem]:
    """Check every document; an iterator of one :class:`BatchItem` per document (see the module docstring).

    ``sources`` are paths (directories are expanded, see :func:`expand_sources`),
    mappings or loaded :class:`FactDocument` values. ``workers`` is the number
    of processes (``0`` = one per core; ``1`` checks in this process);
    ``executor`` runs the checks on an executor of the caller's instead.
    ``progress`` is called with each item as it is yielded.

    ``render`` (``"json"``, ``"table"``, ``"html"``; ``all_results`` and
    ``lang`` as for the renderers) puts the rendered report in each item's
    ``rendered`` instead of the report itself; ``keep`` says whether items
    carry the ``"report"`` (the default without ``render``) or only its
    ``"summary"`` (the default with ``render``). ``in_flight`` bounds the
    documents sent to the workers and not yet yielded (default: twice the
    workers). The other arguments are those of :func:`partyrules.check`.
    """
    items = expand_sources(sources)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise UsageError(f"workers: expected a whole number >= 0 (0 = all cores), got {workers!r}")
    if executor is not None and not isinstance(executor, Executor):
        raise UsageError(f"executor: expected a concurrent.futures.Executor, got {type(executor).__name__}")
    if render is not None and render not in RENDER:
        raise UsageError(f"render: expected one of {', '.join(RENDER)} or None, got {render!r}")
    if keep is None:
        keep = "report" if render is None else "summary"
    if keep not in KEEP:
        raise UsageError(f"keep: expected one of {', '.join(KEEP)}, got {keep!r}")
    if lang not in ("zh", "en"):
        raise UsageError(f"lang: expected zh or en, got {lang!r}")
    if in_flight is not None and (isinstance(in_flight, bool) or not isinstance(in_flight, int) or in_flight < 1):
        raise UsageError(f"in_flight: expected a whole number >= 1, got {in_flight!r}")
    if workers == 0:
        workers = os.cpu_count() or 1
    as_of = _check_as_of(as_of)
    packs = tuple(str(p) for p in policies)
    get_engine(engine)                                  # an unknown engine fails here, once
    book = load_rulebook(packs, builtin=builtin)        # a bad pack fails here too (the load is cached)
    registry = book.registry
    select, skip = tuple(policy_patterns(select, "select")), tuple(policy_patterns(skip, "skip"))
    selected(book, [], select, skip)                    # a pattern that matches no policy fails here, once
    config = _Config(as_of, packs, builtin, engine, include_unverified, select, skip, keep, render,
                     bool(all_results), lang)
    stream = _stream(items, config, registry, workers, executor, ordered, in_flight)
    return stream if progress is None else _reporting(stream, progress)


def _reporting(stream: Iterator[BatchItem], progress: Callable[[BatchItem], None]) -> Iterator[BatchItem]:
    for item in stream:
        progress(item)
        yield item


def _stream(items: list, config: _Config, registry: Any, workers: int, executor: Executor | None,
            ordered: bool, in_flight: int | None) -> Iterator[BatchItem]:
    remote = [i for i, s in enumerate(items) if _can_send(s)]
    if executor is None and min(workers, len(remote)) <= 1:
        for i, s in enumerate(items):
            yield _run(i, s, config)
        return
    width = min(workers, len(remote)) if executor is None else _executor_width(executor)
    pool = _Pool(executor, width, config)
    try:
        yield from _over(pool, items, remote, config, registry, ordered,
                         in_flight or IN_FLIGHT_PER_WORKER * width)
    finally:
        pool.close()


def _executor_width(executor: Executor) -> int:
    """How many documents the caller's executor checks at once, as far as it says (else the cores)."""
    width = getattr(executor, "_max_workers", None)           # thread and process pools
    client = getattr(executor, "_client", None)               # Dask's ClientExecutor
    if width is None and client is not None:
        try:
            width = sum(client.nthreads().values())
        except Exception:                                     # a cluster that does not answer: guess
            width = None
    return width if isinstance(width, int) and width > 0 else (os.cpu_count() or 1)


def _start_method() -> Any:
    """Fork where it is safe (a POSIX parent running no other thread): no ``__main__`` guard needed."""
    import multiprocessing       # here, not at the top: a single check should not pay for importing it
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _new_process_pool(workers: int) -> Executor:
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers, mp_context=_start_method(), initializer=tune_worker_gc)


# A check allocates ~100k short-lived objects (results, unknowns, index entries) and keeps the rulebook
# for good: the collector's default young-generation threshold (700) runs it hundreds of times a court,
# each pass walking everything still alive. Measured on a 315-member court: 7-10 % of a check.
WORKER_GC_THRESHOLD = (50_000, 20, 20)


def tune_worker_gc() -> None:
    """Start of each worker of our own pool (never of a caller's executor, never the caller's process):
    freeze what the worker inherited (the rulebook, when it forks) so no collection walks it again, and
    collect the young generation less often."""
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)


def _is_broken_pool(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool
    return isinstance(exc, BrokenProcessPool)


class _Pool:
    """Where documents are sent: the caller's executor, or a process pool of our own.

    Our own pool is made again when a dead worker broke it, so one bad document
    does not leave the rest of a long batch to the one-at-a-time pool.
    """

    def __init__(self, executor: Executor | None, workers: int, config: _Config) -> None:
        from concurrent.futures import ProcessPoolExecutor
        self.own = executor is None
        self.workers = workers
        self.executor = executor if executor is not None else _new_process_pool(workers)
        self.processes = isinstance(self.executor, ProcessPoolExecutor)
        self.alone = _Alone(config) if self.processes else None

    def submit(self, config: _Config, index: int, source: Any) -> Future:
        try:
            return self.executor.submit(_run_remote, config, index, source)
        except Exception as exc:
            if self.own and _is_broken_pool(exc):
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = _new_process_pool(self.workers)
                return self.executor.submit(_run_remote, config, index, source)
            failed: Future = Future()            # the caller's executor refuses work: this document fails
            failed.set_exception(exc)
            return failed

    def close(self) -> None:
        if self.own:
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self.alone is not None:
            self.alone.close()


def _over(pool: _Pool, items: list, remote: list, config: _Config, registry: Any, ordered: bool,
          in_flight: int) -> Iterator[BatchItem]:
    """Send the sendable documents to ``pool``, at most ``in_flight`` not yet yielded; check the others here.

    A future is dropped as soon as its item is yielded, so that neither the
    futures nor their answers pile up in this process.
    """
    waiting = iter(remote)
    futures: dict[int, Future] = {}

    def top_up() -> None:
        while len(futures) < in_flight:
            i = next(waiting, None)
            if i is None:
                return
            futures[i] = pool.submit(config, i, items[i])

    try:
        top_up()
        if not ordered:
            for i, s in enumerate(items):
                if i not in futures and not _can_send(s):
                    yield _run(i, s, config)
            while futures:
                done, _ = wait(futures.values(), return_when=FIRST_COMPLETED)
                for i in [i for i, f in futures.items() if f in done]:
                    item = _collect(futures.pop(i), i, items, registry, pool.alone)
                    top_up()
                    yield item
            return
        for i, s in enumerate(items):
            if i in futures:
                item = _collect(futures.pop(i), i, items, registry, pool.alone)
                top_up()
            else:
                item = _run(i, s, config)
            yield item
    finally:
        for f in futures.values():          # a consumer that stops early does not wait for the rest
            f.cancel()


def _collect(future: Future, index: int, items: list, registry: Any, alone: "_Alone | None" = None) -> BatchItem:
    try:
        return _thaw(future.result(), registry)
    except Exception as exc:
        if _is_broken_pool(exc):
            if alone is not None:
                # one worker died and took every pending document with it: each is checked again on its own,
                # so the others keep their results and only the document that kills a worker is an error
                return alone.run(index, items, registry)
            return _worker_failed(items, index, "the worker process checking it died")
        return _worker_failed(items, index, f"the worker checking it failed ({type(exc).__name__}: {exc})")


def _worker_failed(items: list, index: int, why: str) -> BatchItem:
    label = _label(items[index], index)
    return BatchItem(label, None, WorkerError(f"{label}: could not be checked: {why}"))


class _Alone:
    """A one-worker pool for documents whose pool broke: one at a time, so a crash names its document."""

    def __init__(self, config: _Config) -> None:
        self.config = config
        self.pool: Executor | None = None

    def run(self, index: int, items: list, registry: Any) -> BatchItem:
        if self.pool is None:
            self.pool = _new_process_pool(1)
        try:
            return _thaw(self.pool.submit(_run_remote, self.config, index, items[index]).result(), registry)
        except Exception as exc:
            if not _is_broken_pool(exc):
                raise
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


def _run(index: int, source: Any, config: _Config) -> BatchItem:
    label = _label(source, index)
    try:
        report = check(source, config.as_of, policies=config.packs, builtin=config.builtin, engine=config.engine,
                       include_unverified=config.include_unverified, select=config.select, skip=config.skip)
        if config.render is None:
            return BatchItem(label, report if config.keep == "report" else None, summary=ReportSummary.of(report))
        rendered = _render(report, config).encode("utf-8")
    except PartyrulesError as exc:
        return BatchItem(label, None, exc)
    except (RecursionError, MemoryError, Exception) as exc:      # a bug or a blow-up: this document only
        return BatchItem(label, None, InternalError(
            f"{label}: internal error: {type(exc).__name__}: {str(exc)[:300]} (a bug in partyrules)"))
    return BatchItem(label, report if config.keep == "report" else None, summary=ReportSummary.of(report),
                     rendered=rendered)


def _render(report: Report, config: _Config) -> str:
    from .report import render           # the human views (and jinja2 for HTML) only when asked for
    if config.render == "json":
        return render.render_json(report, config.all_results)
    if config.render == "table":
        return render.render_table(report, config.all_results, config.lang)
    return render.render_html(report, config.all_results, config.lang)


# ---- worker side ------------------------------------------------------------------------------------

def _run_remote(config: _Config, index: int, source: Any) -> tuple:
    """Check one document in a worker; the answer is made of plain picklable parts.

    Only what the caller asked for travels back: the report (without its
    registry), or just its summary and rendered bytes. The rulebook comes from
    the worker's load cache (inherited from the parent when the pool forks).
    """
    item = _run(index, source, config)
    if item.error is None:
        report = item.report
        if report is not None:
            # the parent has the same registry (same packs): leave it out of the pickle
            upcoming = report.upcoming
            if upcoming is not None:
                upcoming = attrs.evolve(upcoming, registry=None)
            report = attrs.evolve(report, registry=None, upcoming=upcoming)
        return ("report", item.source, report, item.summary, item.rendered)
    exc = item.error
    return ("error", item.source, type(exc), str(exc), dict(vars(exc)))


def _thaw(answer: tuple, registry: Any) -> BatchItem:
    if answer[0] == "report":
        _, label, report, summary, rendered = answer
        if report is not None:
            upcoming = report.upcoming
            if upcoming is not None:
                upcoming = attrs.evolve(upcoming, registry=registry)
            report = attrs.evolve(report, registry=registry, upcoming=upcoming)
        return BatchItem(label, report, summary=summary, rendered=rendered)
    _, label, cls, text, state = answer
    # PartyrulesError subclasses take various constructor arguments: rebuild without calling them
    exc = cls.__new__(cls)
    Exception.__init__(exc, text)
    exc.__dict__.update(state)
    return BatchItem(label, None, exc)
