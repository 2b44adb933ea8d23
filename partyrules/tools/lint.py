"""Checking policy packs without facts: every problem at once, each at ``FILE:LINE:COL``.

:func:`lint_paths` reads pack directories (``instruments.yaml``,
``parameters/*.yaml``, ``<instrument>/<edition>/*.yaml``) or single policy and
parameter files and reports, without stopping at the first problem:

* the loader's own checks, policy by policy (shape, ids, severities, expression
  syntax, names, derived facts and record fields with "did you mean",
  citations, the folder edition being cited, message placeholders): every
  problem that :func:`~partyrules.rulebook.policy.read_policy` lists, the
  validator whose first error the loader raises;
* folders that name no registered instrument or edition;
* duplicate policy ids (in the pack, and against the built-in rulebook);
* parameters: every problem that :func:`~partyrules.rulebook.params.read_parameters`
  lists, the validator whose first error the loader raises (shape, names defined
  twice, citations, two values taking effect on the same day, a value that takes
  effect before the edition it cites is in force), and its warning about a value
  whose edition is replaced while the value stays in force; a pack parameter that
  loosens the national limit it tightens (:mod:`.lint_limits`);
* (warnings) citations of an article that the coverage index
  (``provisions.yaml``, when present) does not list for an edition it covers;
  ``unverified: true`` on a policy whose citations are all verified;
* the policy's own examples: an example that does not give what it expects is
  an error;
* policies that can never fire or never pass: the examples and then up to
  ``search`` courts generated with :func:`partyrules.testing.fact_documents`
  (deterministically) are searched for a ``violated`` and a ``satisfied``
  outcome; finding none is a warning that says how many courts were tried.
  A policy that fails (outcome ``error``) on a court generated for that search
  is a warning too.

Findings are sorted by file, line, column, severity and message, so the same
input always gives the same output.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import attrs

from ..citations import CitationError, Registry, builtin_policies_dir
from ..errors import PartyrulesError, PolicyError
from ..facts.builtin import BUILTIN
from ..facts.derive import Derived
from .lint_limits import check_limits
from ..rulebook.load import EDITION_FIELDS, PACK_SUBFOLDERS, Rulebook
from ..rulebook.packs import bundled_packs
from ..rulebook.params import Parameter, Parameters, read_parameters
from ..rulebook.policy import EMPTY_POLICY_FILE, Policy, read_policy
from ..rulebook.schema import Fields, Problem, fail, has, mapping_problems
from ..source import Document, read_path

__all__ = ["Finding", "lint_paths", "DEFAULT_SEARCH"]

DEFAULT_SEARCH = 100          # generated courts tried per policy that its examples do not cover
_REGISTRY_AT = re.compile(r"\(line (\d+), column (\d+)\)$")


@attrs.frozen(order=True)
class Finding:
    """One problem: where it is, how bad (``error`` or ``warning``) and what it is."""

    file: str
    line: int
    column: int
    severity: str
    message: str

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def __str__(self) -> str:
        return self.render()


class _Sink:
    """Collects findings; ``at`` turns a document path into a position."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, file: str, line: int | None, column: int | None, message: str, severity: str = "error") -> None:
        self.items.append(Finding(_show(file), line or 1, column or 1, severity, message))

    def at(self, doc: Document, path: tuple, message: str, severity: str = "error") -> None:
        err = fail(doc, path, message)
        self.add(doc.source, err.line, err.column, err.message, severity)

    def problem(self, problem: Problem) -> None:
        self.error(problem.shown, problem.severity)

    def error(self, exc: PartyrulesError, severity: str = "error") -> None:
        source = getattr(exc, "source", None)
        if source is not None:
            self.add(source, exc.line, exc.column, exc.message, severity)
            return
        text = str(exc)   # a RegistryError: "FILE: path: message (line L, column C)"
        file, _, rest = text.partition(": ")
        m = _REGISTRY_AT.search(rest)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        self.add(file, line, col, rest[:m.start()].rstrip() if m else rest, severity)


def _show(file: str | Path) -> str:
    """A file as printed: relative to the working directory when it lies inside it."""
    path = Path(file)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(file)


# --------------------------------------------------------------------------- shapes

def _check_fields(sink: _Sink, doc: Document, path: tuple, value: Any, fields: Fields) -> bool:
    """Every problem :func:`~partyrules.rulebook.schema.check_mapping` would raise the first of; False if not a
    mapping."""
    for problem in mapping_problems(doc, path, value, fields):
        sink.problem(problem)
    return isinstance(value, dict)


# --------------------------------------------------------------------------- one policy

@attrs.define
class _Entry:
    """A policy as read: its data and place, and the compiled policy when it has no error."""

    doc: Document
    path: tuple
    data: Any
    instrument: str
    edition: str
    folder_ok: bool = True     # the folders name a registered instrument and edition
    policy: Policy | None = None
    errors: int = 0
    cited: list = attrs.field(factory=list)   # (path, Citation) of every citation that parses

    @property
    def id(self) -> str | None:
        pid = self.data.get("id") if isinstance(self.data, dict) else None
        return pid if isinstance(pid, str) else None

    def where(self, *sub: Any) -> tuple[int | None, int | None]:
        return self.doc.where(self.path + sub) or (None, None)


def _lint_policy(sink: _Sink, entry: _Entry, registry: Registry, params: Mapping[str, Any],
                 derived: Mapping[str, Derived], folder_ok: bool) -> None:
    """Every problem of one policy, from the validator the loader runs (rulebook/policy.py)."""
    reading = read_policy(entry.doc, entry.path, entry.data, instrument=entry.instrument, edition=entry.edition,
                          registry=registry, params=params, derived=derived, cite_own=folder_ok)
    for problem in reading.problems:
        sink.problem(problem)
    entry.cited = list(reading.cited)
    entry.errors = sum(1 for p in reading.problems if p.severity == "error")
    entry.policy = reading.policy


# --------------------------------------------------------------------------- parameters

def _lint_parameters(sink: _Sink, doc: Document, registry: Registry,
                     params: dict[str, Parameter]) -> dict[str, Parameter]:
    """Every problem of one parameter file, from the validator the loader runs (rulebook/params.py); the
    parameters it defines (for checking policies). ``params``: those of the files read before."""
    reading = read_parameters(doc, registry, known=Parameters(dict(params)))
    for problem in reading.problems:
        sink.problem(problem)
    return dict(reading.parameters.by_name)


# --------------------------------------------------------------------------- a pack

def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")
                  and not p.name.startswith("_"))


def _read(sink: _Sink, path: Path) -> Document | None:
    try:
        return read_path(path)
    except PartyrulesError as exc:
        sink.error(exc)
        return None


def _is_pack_root(d: Path, known: frozenset[str]) -> bool:
    """A directory laid out as a pack: instruments, parameters, or folders of instruments ``known``."""
    if not d.is_dir():
        return False
    if (d / "instruments.yaml").is_file() or (d / "parameters").is_dir() or _same(d, builtin_policies_dir()):
        return True
    return any(c.is_dir() and c.name in known and any(e.is_dir() for e in c.iterdir()) for c in d.iterdir())


def builtin_instrument_ids() -> frozenset[str]:
    """The ids of the built-in instruments: a folder named by one marks a pack."""
    try:
        return frozenset(i.id for i in Registry.builtin().instruments)
    except PartyrulesError:
        return frozenset()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _root_of(target: Path, known: frozenset[str]) -> Path | None:
    """The pack directory that a path belongs to (None: outside any pack)."""
    if target.is_file():
        if target.parent.name == "parameters" or target.name in ("instruments.yaml", "provisions.yaml"):
            cand = target.parent.parent if target.parent.name == "parameters" else target.parent
        else:
            cand = target.parent.parent.parent
        return cand if _is_pack_root(cand, known) else None
    for cand in (target, target.parent, target.parent.parent):
        if _is_pack_root(cand, known):
            return cand
    return None


def _packs_below(folder: Path, known: frozenset[str]) -> list[Path]:
    """The packs inside a folder that is not one (shallowest first, none inside another)."""
    found: list[Path] = []
    for d in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: (len(p.parts), str(p))):
        if not any(f == d or f in d.parents for f in found) and _is_pack_root(d, known):
            found.append(d)
    return found


@attrs.define
class _Pack:
    root: Path | None
    registry: Registry
    params: dict
    entries: list
    builtin_entries: list
    derived: dict


def _load_registry(sink: _Sink, root: Path | None) -> Registry:
    """The built-in instruments and the pack's own, as the loader merges them."""
    from ..rulebook.load import load_registry
    try:
        return load_registry([root] if root is not None else [])
    except PartyrulesError as exc:
        sink.error(exc)
    try:
        return Registry.builtin()
    except PartyrulesError as exc:
        sink.error(exc)
        return Registry(())


def _load_derived(sink: _Sink, root: Path | None) -> dict[str, Derived]:
    """The built-in derived facts and those of the pack's ``derived.py`` (imported: it runs its code)."""
    derived = dict(BUILTIN)
    if root is None or _same(root, builtin_policies_dir()):
        return derived
    try:
        from ..rulebook.packs import load_pack_derived, merge_derived
    except ImportError:       # pragma: no cover - packs ship with partyrules
        return derived
    try:
        return merge_derived(derived, load_pack_derived(root))
    except PartyrulesError as exc:
        sink.error(exc)
        return derived


def _scan(sink: _Sink, root: Path | None, lone: list[Path]) -> _Pack:
    """Read every file of the pack at ``root`` (or only the ``lone`` files outside any pack)."""
    registry = _load_registry(sink, root)
    builtin = builtin_policies_dir()
    is_builtin = root is not None and _same(root, builtin)
    params: dict[str, Parameter] = {}
    builtin_entries: list[_Entry] = []
    if not is_builtin:
        # the built-in parameters and policies a pack is used with (their problems are not the pack's)
        quiet = _Sink()
        for f in _yaml_files(builtin / "parameters") if (builtin / "parameters").is_dir() else []:
            doc = _read(quiet, f)
            if doc is not None:
                params.update(_lint_parameters(quiet, doc, registry, params))
        builtin_entries = _policy_entries(quiet, builtin, registry)
    param_files: list[Path] = []
    if root is not None and not is_builtin and (root / "parameters").is_dir():
        param_files = _yaml_files(root / "parameters")
    elif is_builtin:
        param_files = _yaml_files(builtin / "parameters") if (builtin / "parameters").is_dir() else []
    param_files += [f for f in lone if f.parent.name == "parameters" and f not in param_files]
    for f in param_files:
        doc = _read(sink, f)
        if doc is not None:
            params.update(_lint_parameters(sink, doc, registry, params))
    entries = _policy_entries(sink, root, registry) if root is not None else []
    for f in lone:
        if f.parent.name != "parameters":
            entries += _policy_file_entries(sink, f, f.parent.parent.name, f.parent.name, registry)
    return _Pack(root, registry, params, entries, builtin_entries, _load_derived(sink, root))


def _policy_entries(sink: _Sink, root: Path, registry: Registry) -> list[_Entry]:
    out: list[_Entry] = []
    for inst_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in PACK_SUBFOLDERS
                           and not p.name.startswith((".", "_"))):
        for ed_dir in sorted(p for p in inst_dir.iterdir() if p.is_dir()):
            meta = ed_dir / "_edition.yaml"
            if meta.is_file():
                doc = _read(sink, meta)
                if doc is not None and _check_fields(sink, doc, (), doc.data, EDITION_FIELDS) \
                        and has(doc.data, "inherits", str):
                    try:
                        registry.edition(inst_dir.name, doc.data["inherits"])
                    except CitationError as exc:
                        sink.at(doc, ("inherits",), str(exc))
            files = _yaml_files(ed_dir)
            for f in files:
                out += _policy_file_entries(sink, f, inst_dir.name, ed_dir.name, registry)
            if not files:       # the loader refuses the folder itself, policies or not
                for what in _folder_problems(inst_dir.name, ed_dir.name, registry)[0]:
                    sink.add(str(ed_dir), 1, 1, what)
        if not any(p.is_dir() for p in inst_dir.iterdir()):
            for what in _folder_problems(inst_dir.name, None, registry)[0]:
                sink.add(str(inst_dir), 1, 1, what)
        for f in _yaml_files(inst_dir):
            sink.add(str(f), 1, 1, f"a policy file belongs in a folder of its edition: {inst_dir}/EDITION/{f.name}")
    return out


def _folder_problems(instrument: str, edition: str | None, registry: Registry) -> tuple[list[str], bool]:
    """What is wrong with the folders INSTRUMENT/EDITION of a policy (``edition`` None: the instrument's only),
    and whether they name a registered edition (that a policy there must cite)."""
    try:
        inst = registry.instrument(instrument)
    except CitationError:
        close = difflib.get_close_matches(instrument, sorted(i.id for i in registry.instruments), n=1)
        return [f"folder {instrument!r} is not a registered instrument id (see instruments.yaml; a policy "
                f"file lives in PACK/INSTRUMENT/EDITION/)" + (f" (did you mean {close[0]!r}?)" if close else "")], False
    out = [f"folder {instrument!r}: name the folder by the instrument id {inst.id!r}"] if inst.id != instrument else []
    if edition is not None:
        try:
            registry.edition(inst, edition)
        except CitationError as exc:
            return out + [f"the folder's edition: {exc}"], False
    return out, True


def _policy_file_entries(sink: _Sink, f: Path, instrument: str, edition: str, registry: Registry) -> list[_Entry]:
    doc = _read(sink, f)
    if doc is None:
        return []
    problems, folder = _folder_problems(instrument, edition, registry)
    for what in problems:
        sink.add(str(f), 1, 1, what)
    if doc.data is None:
        sink.add(str(f), 1, 1, EMPTY_POLICY_FILE)
        return []
    items = doc.data if isinstance(doc.data, list) else [doc.data]
    base = None if isinstance(doc.data, list) else ()
    out = []
    for i, item in enumerate(items):
        out.append(_Entry(doc, base if base is not None else (i,), item, instrument, edition, folder))
    return out


# --------------------------------------------------------------------------- cross checks

def _check_ids(sink: _Sink, entries: list[_Entry], builtin_entries: list[_Entry]) -> None:
    first: dict[tuple, _Entry] = {}
    by_id: dict[str, _Entry] = {}
    for e in builtin_entries:
        if e.id:
            first.setdefault((e.instrument, e.edition, e.id), e)
            by_id.setdefault(e.id, e)
    for e in entries:
        pid = e.id
        if pid is None:
            continue
        line, col = e.where("id")
        other = first.get((e.instrument, e.edition, pid))
        if other is not None:
            oline = other.where("id")[0]
            sink.add(e.doc.source, line, col, f"policy id {pid!r} is already used by {_show(other.doc.source)}:{oline}")
        elif pid in by_id and by_id[pid].instrument != e.instrument:
            o = by_id[pid]
            sink.add(e.doc.source, line, col, f"policy id {pid!r} is already used by {_show(o.doc.source)}:"
                                              f"{o.where('id')[0]} (instrument {o.instrument})")
        first.setdefault((e.instrument, e.edition, pid), e)
        by_id.setdefault(pid, e)


def _check_index(sink: _Sink, pack: _Pack, targets: list[_Entry]) -> None:
    """Warn about citations of an article the coverage index does not list (for an edition it covers)."""
    indexes = [builtin_policies_dir() / "provisions.yaml"]
    if pack.root is not None and not _same(pack.root, builtin_policies_dir()):
        indexes.append(pack.root / "provisions.yaml")
    try:
        from .coverage import load_index
    except ImportError:       # pragma: no cover - the coverage module ships with partyrules
        return
    articles: set[tuple] = set()
    editions: set[tuple] = set()
    for path in indexes:
        if not path.is_file():
            continue
        try:
            provisions = load_index(path, registry=pack.registry)
        except PartyrulesError as exc:
            sink.add(getattr(exc, "source", str(path)), getattr(exc, "line", None), getattr(exc, "column", None),
                     f"the coverage index could not be read, so citations were not checked against it: "
                     f"{getattr(exc, 'message', exc)}", "warning")
            continue
        for p in provisions:
            c = p.citation
            articles.add((c.instrument, c.edition, c.article))
            editions.add((c.instrument, c.edition))
    if not editions:
        return
    for e in targets:
        for cp, c in e.cited:
            if (c.instrument, c.edition) in editions and (c.instrument, c.edition, c.article) not in articles:
                line, col = e.doc.where(cp) or (None, None)
                sink.add(e.doc.source, line, col, f"{c.instrument}@{c.edition} art.{c.article} is not in the "
                                                  "coverage index (provisions.yaml): check the article number, "
                                                  "or add the provision to the index", "warning")


# --------------------------------------------------------------------------- examples and witnesses

def _check_behaviour(sink: _Sink, book: Rulebook, targets: list[_Entry], search: int) -> None:
    from ..engine.native import evaluate_policy
    from .examples import run_example

    needs: dict[int, set[str]] = {}
    for k, e in enumerate(targets):
        policy = e.policy
        if policy is None or not e.folder_ok:
            continue        # its folder names no registered edition (an error already): no dates to run it on
        seen: set[str] = set()
        for i, ex in enumerate(policy.examples):
            run = run_example(book, policy, ex)
            if run.ok:
                seen.add(ex.expect)
            else:
                line, col = e.where("examples", i)
                sink.add(e.doc.source, line, col, f"example {ex.name!r}: {run.detail}")
        missing = {"violated", "satisfied"} - seen
        if missing:
            needs[k] = missing
    if not needs:
        return
    found: dict[int, set[str]] = {k: set() for k in needs}
    tried: dict[int, int] = {k: 0 for k in needs}
    errors: dict[int, tuple[int, str]] = {}
    why = ""
    by_period: dict[tuple, list[int]] = {}
    for k in needs:
        by_period.setdefault(_period(book.registry, targets[k].policy), []).append(k)
    for period, ks in sorted(by_period.items()):
        views, why = _generated_views(search, *period)
        for view in views:
            for k in ks:
                policy = targets[k].policy
                if not book.registry.is_in_force(policy.instrument, policy.edition, view.as_of):
                    continue          # as a check would: only while its edition is in force
                tried[k] += 1
                for r in evaluate_policy(book, policy, view):
                    found[k].add(r.outcome)
                    if r.outcome == "error":
                        n, msg = errors.get(k, (0, r.message["en"]))
                        errors[k] = (n + 1, msg)
            if all(needs[k] <= found[k] for k in ks):
                break
    for k, want in needs.items():
        e = targets[k]
        line, col = e.where("require")
        n_ex = len(e.policy.examples)
        for outcome in sorted(want - found[k]):
            verb = "fire" if outcome == "violated" else "pass"
            if search <= 0:
                text = (f"policy {e.policy.id!r}: none of its {n_ex} examples gives {outcome} (generated courts "
                        f"were not searched); add an example that gives {outcome}")
            else:
                text = (f"policy {e.policy.id!r} may never {verb}: no {outcome} outcome found in {tried[k]} "
                        f"generated courts{why} nor among its {n_ex} examples; add an example that gives {outcome}")
            sink.add(e.doc.source, line, col, text, "warning")
        if k in errors:
            n, msg = errors[k]
            sink.add(e.doc.source, line, col, f"policy {e.policy.id!r} failed on {n} subject(s) of generated "
                                              f"courts: {msg}", "warning")


def _period(registry: Registry, policy: Policy) -> tuple[_dt.date, _dt.date]:
    """The dates a generated court is drawn from: while the policy's edition is in force (five years at most)."""
    ed = registry.edition(policy.instrument, policy.edition)
    until = registry.in_force_until(ed)
    last = _dt.date(min(ed.in_force_from.year + 5, 9999), ed.in_force_from.month, 1)
    return ed.in_force_from, min(until, last) if until is not None else last


_CHUNK = 20


def _generated_views(count: int, first: _dt.date, last: _dt.date) -> tuple[Iterable[Any], str]:
    """Up to ``count`` courts from :func:`fact_documents` dated from ``first`` to ``last``, made as they
    are needed (so a search that succeeds early stops early) and the same ones every time: batches of
    ``_CHUNK`` with fixed seeds, no example database."""
    if count <= 0:
        return [], ""
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        return [], " (hypothesis is not installed: install partyrules[test] to search generated courts)"

    def views() -> Iterable[Any]:
        made = 0
        for chunk in range((count + _CHUNK - 1) // _CHUNK):
            for view in _chunk(min(_CHUNK, count - made), first, last, chunk):
                yield view
            made += _CHUNK
    return views(), ""


def _chunk(size: int, first: _dt.date, last: _dt.date, index: int) -> list:
    """The courts of one batch: the same every time (a fixed seed), made afresh (no module-level cache)."""
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st

    from ..facts.load import load_facts
    from ..facts.view import View
    from ..testing import fact_documents

    docs: list[dict] = []

    @seed(20240630 + index)
    @settings(max_examples=size, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(st.dates(first, last).flatmap(lambda day: fact_documents(as_of=day)))
    def collect(doc: dict) -> None:
        docs.append(doc)

    collect()
    views = []
    for d in docs[:size]:
        facts = load_facts(d)
        views.append(View(facts, facts.as_of))
    return views


# --------------------------------------------------------------------------- the entry point

def lint_targets(paths: Iterable[str | Path] = ()) -> list[Path]:
    """The files and folders to lint: the given ones (a bundled pack may be named), or the built-in rulebook."""
    targets = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            if str(p) not in bundled_packs():
                raise PolicyError(str(p), "no such file or directory")
            path = bundled_packs()[str(p)]
        targets.append(path)
    return targets or [builtin_policies_dir()]


def files_linted(paths: Iterable[str | Path] = ()) -> int:
    """How many policy, parameter and derived-fact files a lint of ``paths`` reads."""
    seen = set()
    for t in lint_targets(paths):
        for f in (t.rglob("*") if t.is_dir() else [t]):
            if f.is_file() and (f.suffix in (".yaml", ".yml") or f.name == "derived.py"):
                seen.add(f.resolve())
    return len(seen)


def lint_paths(paths: Iterable[str | Path] = (), *, search: int = DEFAULT_SEARCH) -> list[Finding]:
    """Every finding for the given pack directories and policy or parameter files, sorted.

    With no paths, the built-in rulebook. A path that does not exist raises
    :class:`PolicyError`. ``search`` is how many generated courts are tried for a
    policy whose own examples do not show both a violation and a pass (0: none).
    """
    targets = lint_targets(paths)
    sink = _Sink()
    known = builtin_instrument_ids()
    expanded: list[Path] = []
    for t in targets:
        if t.is_dir() and _root_of(t, known) is None:
            expanded += _packs_below(t, known) or [t]     # a folder of packs; else its files, each by its folders
        else:
            expanded.append(t)
    groups: dict[str, tuple[Path | None, list[Path]]] = {}
    for t in expanded:
        root = _root_of(t, known)
        key = str(root.resolve()) if root is not None else ""
        groups.setdefault(key, (root, []))[1].append(t)
    for key in sorted(groups):
        root, wanted = groups[key]
        lone = []
        if root is None:
            lone = sorted(p for t in wanted for p in (t.rglob("*") if t.is_dir() else [t])
                          if p.is_file() and p.suffix in (".yaml", ".yml") and not p.name.startswith("_"))
        _lint_group(sink, root, lone, wanted, search)
    return sorted(set(sink.items))


def _lint_group(sink: _Sink, root: Path | None, lone: list[Path], wanted: list[Path], search: int) -> None:
    local = _Sink()
    pack = _scan(local, root, lone)
    params = Parameters(dict(pack.params))
    for e in pack.entries:
        _lint_policy(local, e, pack.registry, pack.params, pack.derived, e.folder_ok)

    def inside(file: str) -> bool:
        p = Path(file).resolve()
        return any(p == w.resolve() or w.resolve() in p.parents for w in wanted)

    targets = [e for e in pack.entries if inside(e.doc.source)]
    # a clash is reported at the later policy: the linted ones come after the rest of their pack
    _check_ids(local, [e for e in pack.entries if not inside(e.doc.source)] + targets, pack.builtin_entries)
    book = Rulebook(tuple(e.policy for e in pack.entries if e.policy is not None), params, pack.registry,
                    pack.derived)
    _check_index(local, pack, targets)
    check_limits(local.add, root, pack.registry)       # a pack tightens national limits, never loosens them
    _check_behaviour(local, book, targets, search)
    sink.items.extend(f for f in local.items if inside(f.file) or not Path(f.file).exists())


def exit_status(findings: list[Finding]) -> int:
    """1 when there is an error, else 0 (warnings only)."""
    return 1 if any(f.severity == "error" for f in findings) else 0


def render(findings: list[Finding]) -> str:
    return "".join(f.render() + "\n" for f in findings)
