"""Checking many fact documents in one call, optionally on several processes.

    >>> items = partyrules.check_many(["courts/"], workers=0)
    >>> [(i.source, i.report.summary if i.ok else str(i.error)) for i in items]

Each document gets its own :class:`BatchItem`, in input order: the report, or
the :class:`~partyrules.errors.PartyrulesError` that stopped it (a bad file
never aborts the batch). What is wrong for every document alike — an unknown
engine, a bad ``as_of``, a policy pack that does not load — is raised at once.

With ``workers > 1`` documents are checked on a spawn-safe process pool; each
worker loads the rulebook once, and the results come back in input order, so
the output is the same byte for byte whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from .api import _evaluation_date, _patterns, check, get_engine, selected
from .errors import PartyrulesError, UsageError
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

    def exit_status_for(self, fail_on: str = "error") -> int:
        """2 when the document could not be checked, else the report's for ``fail_on`` (see :class:`Report`)."""
        return 2 if self.report is None else self.report.exit_status_for(fail_on)


def expand_directory(directory: str | Path) -> list[Path]:
    """Every ``*.yaml``, ``*.yml`` and ``*.json`` file below ``directory``, sorted.

    Sorted by their path relative to the directory, folder by folder, so the
    order does not depend on the file system. Hidden files and folders (a name
    starting with ``.``) are skipped.
    """
    root = Path(directory)
    found: list[Path] = []
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.endswith(FACT_SUFFIXES):
                found.append(Path(here) / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


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
               include_unverified: bool = False, select: Iterable[str] = (),
               skip: Iterable[str] = ()) -> list[BatchItem]:
    """Check every document and return one :class:`BatchItem` per document, in input order.

    ``sources`` are paths (directories are expanded, see :func:`expand_sources`),
    mappings or loaded :class:`FactDocument` values. ``workers`` is the number
    of processes (``0`` = one per core; ``1`` checks in this process).
    ``progress`` is called with each item as it is done, in input order.
    The other arguments are those of :func:`partyrules.check`.
    """
    items = expand_sources(sources)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise UsageError(f"workers: expected a whole number >= 0 (0 = all cores), got {workers!r}")
    if workers == 0:
        workers = os.cpu_count() or 1
    as_of = _check_as_of(as_of)
    packs = tuple(str(p) for p in policies)
    get_engine(engine)                                  # an unknown engine fails here, once
    book = load_rulebook(packs, builtin=builtin)        # a bad pack fails here too (the load is cached)
    registry = book.registry
    select, skip = tuple(_patterns(select, "select")), tuple(_patterns(skip, "skip"))
    selected(book, [], select, skip)                    # a pattern that matches no policy fails here, once
    config = (as_of, packs, builtin, engine, include_unverified, select, skip)

    remote = [i for i, s in enumerate(items) if _can_send(s)]
    workers = min(workers, len(remote))
    results: list[BatchItem] = []

    def done(item: BatchItem) -> None:
        results.append(item)
        if progress is not None:
            progress(item)

    if workers <= 1:
        for i, s in enumerate(items):
            done(_run(i, s, config))
        return results

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(config,)) as pool:
        chunk = max(1, min(16, len(remote) // (workers * 8)))
        answers = iter(pool.map(_run_remote, [(i, items[i]) for i in remote], chunksize=chunk))
        remote_set = set(remote)
        for i, s in enumerate(items):
            if i in remote_set:
                done(_thaw(next(answers), registry))    # map keeps the input order
            else:
                done(_run(i, s, config))                 # standard input and loaded documents stay here
    return results


def _check_as_of(as_of: Any) -> Any:
    """A date string is parsed once, so that a bad one fails before any document is read."""
    if isinstance(as_of, str):
        try:
            return parse_date(as_of)
        except ValueError:
            raise UsageError(f"as_of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    if as_of is not None:
        _evaluation_date(FactDocument(format="partyrules.facts/1"), as_of)   # the type checks of check()
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
    return BatchItem(label, report)


# ---- worker side ------------------------------------------------------------------------------------

_CONFIG: tuple | None = None


def _init_worker(config: tuple) -> None:
    global _CONFIG
    _CONFIG = config
    load_rulebook(config[1], builtin=config[2])          # once per worker; check() reuses the cache


def _run_remote(task: tuple[int, Any]) -> tuple:
    """Check one document in a worker; the answer is made of plain picklable parts."""
    index, source = task
    assert _CONFIG is not None
    item = _run(index, source, _CONFIG)
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
