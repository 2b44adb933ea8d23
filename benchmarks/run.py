#!/usr/bin/env python3
"""The partyrules benchmark: one command, every figure, side by side with the hand-written floor.

    python benchmarks/run.py            # full: 10, 50 and 200 courts
    python benchmarks/run.py --quick    # 5 and 10 courts, short budgets, no profile
    python benchmarks/run.py --thousand # also 1,000 courts streamed on 2 workers (minutes)

What it does, in order (see benchmarks/README.md for the reading of the results):

1. generates the corpus (benchmarks/generate.py; cached under benchmarks/out/courts/ with a
   manifest) and checks that every document loads with ``partyrules.load_facts``;
2. measures one-court latency from an in-memory mapping, a JSON file and a YAML file for the
   floor (benchmarks/floor.py, 12 policies), partyrules restricted to the same 12 policies, and
   partyrules with the full built-in rulebook;
3. splits partyrules' time by phase (parse, validate, derive, evaluate, report) by calling the
   layers one by one, and compares the native engine with durable-rules when it is available;
4. measures courts per second and peak memory for each number of courts, each in a fresh process
   (``check_many`` streaming: each report rendered to JSON where it is checked, none kept), with 1
   and 2 workers, and with ``--thousand`` 1,000 courts on 2 workers;
5. measures how the cost grows with the number of policies (packs that copy the built-in
   policies 1x, 5x and 20x under new ids) and with the number of members (one court of 100, 300,
   1,000 and 3,000 members);
6. measures the cold start of ``partyrules check examples/court.yaml`` against importing its
   dependencies (``python -c "import attrs, cattrs, yaml, click"``), fresh interpreters, median;
7. profiles one check with cProfile and records the hot spots;
8. asserts that the floor's violations equal partyrules' on every court partyrules checked.

Slow measurements are bounded by time budgets: a row that cannot check all its courts within
its budget checks as many as fit, says so (``k/N``), and the rate is computed from those. Pass
``--no-budget`` to run every row in full (and so verify every court).

Results: benchmarks/out/results.json (every number) and benchmarks/out/report.md (the tables),
also printed on standard output.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import floor as floor_impl  # noqa: E402
import generate  # noqa: E402

SEED = "1"
SMALL = {"branches": 3, "members": 45}      # the court used for the policy-count scaling
THOUSAND = 1000                              # courts of the --thousand streaming row
STREAM_WORKERS = 2                           # the "2 workers" of the throughput rows
DEPENDENCIES = "import attrs, cattrs, yaml, click"   # what partyrules check cannot start without

MODES = {
    "full": dict(courts=(10, 50, 200), yaml_courts=3, latency_budget=6.0, latency_runs=50,
                 throughput_budget=30.0, scale=(1, 5, 20), scale_budget=8.0, scale_runs=20, phase_runs=20,
                 members=(100, 300, 1000, 3000), member_budget=10.0, member_runs=10, cold_runs=10,
                 lean=False),
    # quick leaves out: partyrules-12 from YAML, the 1-worker full rows, the 12-policy memory row,
    # 20x policies, the 3,000-member court and the profile (--profile puts it back)
    "quick": dict(courts=(5, 10), yaml_courts=1, latency_budget=2.5, latency_runs=15,
                  throughput_budget=5.0, scale=(1, 5), scale_budget=2.5, scale_runs=5, phase_runs=5,
                  members=(100, 300, 1000), member_budget=1.0, member_runs=3, cold_runs=5,
                  lean=True),
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---- timing helpers ---------------------------------------------------------------------------------

def timed_runs(fn: Callable[[], Any], budget: float, max_runs: int) -> list[float]:
    """Run ``fn`` until ``max_runs`` or the budget (counted from the warm-up on) is spent.

    The warm-up is dropped only when it is short (< 0.5 s): a longer first run is
    already warm (imports and the rulebook are loaded before any timing) and is
    kept, so a slow measurement costs one run, not two.
    """
    start = t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    times = [] if first < 0.5 else [first]
    while len(times) < max_runs and (not times or time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def interleaved_runs(fns: dict[str, Callable[[], Any]], budget: float, max_runs: int) -> dict[str, list[float]]:
    """Run each of ``fns`` once per round, in turn, until ``max_runs`` rounds or the budget is spent (after
    one warm-up round, dropped): every function is measured under the same conditions."""
    for fn in fns.values():
        fn()
    start = time.perf_counter()
    times: dict[str, list[float]] = {name: [] for name in fns}
    rounds = 0
    while rounds < max_runs and (rounds == 0 or time.perf_counter() - start < budget):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
        rounds += 1
    return times


def med(times: list[float]) -> float:
    return statistics.median(times)


def _proc_status(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> int:
    """Reset this process's peak RSS (Linux ``clear_refs``) and return the current RSS in KiB.

    ``ru_maxrss`` cannot be used here: Linux keeps it across ``exec``, so a child
    would report its parent's peak.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    return _proc_status("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_kib() -> int:
    """The peak RSS since the last :func:`reset_peak` (KiB)."""
    return _proc_status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---- machine ------------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=HERE.parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=HERE.parent).stdout.strip()
        commit = commit + ("+changes" if dirty else "")
    except OSError:
        commit = "?"
    import yaml
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "libyaml": bool(getattr(yaml, "__with_libyaml__", False)), "commit": commit,
            "date": dt.date.today().isoformat(), "load_before": os.getloadavg()}


# ---- corpus -------------------------------------------------------------------------------------------

def _validate_one(path: str) -> None:
    import partyrules
    partyrules.load_facts(path)


def ensure_corpus(out: Path, n: int, yaml_n: int) -> dict[str, list[Path]]:
    """Generate (or reuse) n courts, JSON for all and YAML for the first ``yaml_n``; all must load."""
    folder = out / "courts"
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:16]
    manifest = folder / "manifest.json"
    want = {"generator": digest, "seed": SEED, "courts": n, "yaml": yaml_n}
    json_paths = [folder / f"court-{i:04d}.json" for i in range(n)]
    yaml_paths = [folder / f"court-{i:04d}.yaml" for i in range(yaml_n)]
    if manifest.is_file():
        have = json.loads(manifest.read_text())
        if (have.get("generator") == digest and have.get("seed") == SEED and have.get("courts", 0) >= n
                and have.get("yaml", 0) >= yaml_n and all(p.is_file() for p in json_paths + yaml_paths)):
            log(f"corpus: reusing {n} courts in {folder} (validated when generated)")
            return {"json": json_paths, "yaml": yaml_paths}
    t = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    generate.write_courts(folder, n, seed=SEED, formats=("json", "yaml"), yaml_limit=yaml_n)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    every = [str(p) for p in json_paths + yaml_paths]
    with ProcessPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, 4))) as pool:
        list(pool.map(_validate_one, every, chunksize=4))
    log(f"corpus: generated {n} courts in {gen_s:.1f} s, all {len(every)} documents load "
        f"(validated in {time.perf_counter() - t:.1f} s)")
    manifest.write_text(json.dumps(want))
    return {"json": json_paths, "yaml": yaml_paths}


# ---- rulebooks ----------------------------------------------------------------------------------------

def rulebook_subset(book: Any, ids: tuple[str, ...]) -> Any:
    from partyrules.rulebook.load import Rulebook
    have = {p.id for p in book.policies}
    lost = [i for i in ids if i not in have]
    if lost:
        raise SystemExit(f"benchmark: the floor's policies {lost} are not in the built-in rulebook any more; "
                         "update benchmarks/floor.py")
    return Rulebook(tuple(p for p in book.policies if p.id in ids), book.params, book.registry, book.derived)


def make_pack(folder: Path, copies: int) -> Path:
    """A pack with every built-in policy ``copies`` times under new ids (``<id>.cN``).

    Same instrument/edition folders (so the registry knows them), parameters copied; loaded
    with ``load_rulebook([folder], builtin=False)``.
    """
    from partyrules.citations import builtin_policies_dir
    src = builtin_policies_dir()
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(src / "parameters", folder / "parameters")
    for inst in sorted(p for p in src.iterdir() if p.is_dir() and p.name not in ("parameters", "packs")
                       and not p.name.startswith((".", "_"))):
        for ed in sorted(p for p in inst.iterdir() if p.is_dir()):
            target = folder / inst.name / ed.name
            target.mkdir(parents=True)
            for f in sorted(ed.glob("*.yaml")):
                if f.name.startswith("_"):
                    shutil.copy(f, target / f.name)
                    continue
                text = f.read_text(encoding="utf-8")
                for j in range(1, copies + 1):
                    renamed = re.sub(r"^(- )?id: ([a-z][\w.-]*)\s*$", lambda m: f"{m.group(1) or ''}id: {m.group(2)}.c{j}",
                                     text, flags=re.M)
                    (target / f"{f.stem}.c{j}.yaml").write_text(renamed, encoding="utf-8")
    return folder


# ---- partyrules, layer by layer -------------------------------------------------------------------

def phases_once(path: Path, book: Any, engine: str = "native", derived_clock: list | None = None) -> dict:
    """One check of ``path`` split by phase, calling the layers the way ``partyrules.check`` does."""
    from partyrules.api import assemble_report, evaluation_date, get_engine
    from partyrules.facts.load import facts_from_document
    from partyrules.facts.view import View
    from partyrules.report.render import render_json
    from partyrules.source import read_path

    clock = derived_clock if derived_clock is not None else [0.0]
    clock[0] = 0.0
    backend = get_engine(engine)
    t0 = time.perf_counter()
    doc = read_path(path, plain_checked=False, marks_when_asked=True)     # as load_facts reads a file
    t1 = time.perf_counter()
    facts = facts_from_document(doc)
    t2 = time.perf_counter()
    on = evaluation_date(facts, None)
    view = View(facts, on)
    applicable = book.applicable(on)
    t3 = time.perf_counter()
    # as partyrules.check asks: the native engine's results in report order, the unlisted ones as rows
    # (the report sorts what another engine gives)
    results = backend.evaluate(book, applicable, view, **({"lazy": True} if engine == "native" else {}))
    t4 = time.perf_counter()
    report = assemble_report(book, view, applicable, results, backend.name)
    render_json(report)
    t5 = time.perf_counter()
    inside = clock[0]
    return {"parse": t1 - t0, "validate": t2 - t1, "derive": (t3 - t2) + inside, "evaluate": (t4 - t3) - inside,
            "report": t5 - t4, "total": t5 - t0, "engine": t4 - t3,
            "outcomes": sorted((r.policy, r.subject.id, r.outcome) for r in report.results)}


def timed_derived(book: Any) -> tuple[Any, list, dict]:
    """The rulebook with every derived fact wrapped in a clock (total seconds, calls per name)."""
    import attrs
    clock = [0.0]
    calls: dict[str, list] = {}

    def wrap(name: str, fn: Callable) -> Callable:
        stat = calls.setdefault(name, [0, 0.0])

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                d = time.perf_counter() - t
                clock[0] += d
                stat[0] += 1
                stat[1] += d
        return timed

    derived = {name: attrs.evolve(d, fn=wrap(name, d.fn)) for name, d in book.derived.items()}
    return attrs.evolve(book, derived=derived), clock, calls


# ---- children: measurements that need a fresh process ------------------------------------------------

def child(spec: dict) -> dict:
    """Run one isolated measurement and return its numbers (called as ``run.py --child JSON``)."""
    kind = spec["kind"]
    paths = [Path(p) for p in spec["paths"]]
    if kind == "floor":
        base = reset_peak()
        t = time.perf_counter()
        found = {}
        for p in paths:
            out = floor_impl.check_file(str(p))
            found[str(p)] = [[v["policy"], v["subject"]] for v in json.loads(out)]
        secs = time.perf_counter() - t
        return {"n": len(paths), "seconds": secs, "rss_base_kib": base, "rss_peak_kib": rss_kib(),
                "violations": found}
    import partyrules
    from partyrules.report.render import render_json
    book = partyrules.load_rulebook()
    if kind == "memory":                       # one court end to end from its JSON file
        base = reset_peak()
        report = partyrules.check(paths[0], rulebook=rulebook_subset(book, floor_impl.POLICIES)
                                  if spec.get("twelve") else None)
        render_json(report)
        return {"rss_base_kib": base, "rss_peak_kib": rss_kib()}
    budget, est, workers = spec["budget"], spec["estimate"], spec.get("workers", 1)
    # at least one court per worker, so that a "2 workers" row does run on two
    k = len(paths) if budget is None else min(len(paths), max(workers, int(budget * workers / max(est, 1e-9))))
    # when the budget leaves out courts, take them evenly spread, so that more distinct courts get verified
    run = paths if k == len(paths) else [paths[(i * len(paths)) // k + spec.get("offset", 0) % max(1, len(paths) // k)]
                                         for i in range(k)]
    twelve = floor_impl.POLICIES
    base = reset_peak()
    t = time.perf_counter()
    aside = 0.0                               # time spent on the verification, not counted
    found: dict[str, list] = {}
    if kind == "twelve":                      # the same 12 policies, one process, check() + render
        rb = rulebook_subset(book, twelve)
        for p in run:
            r = partyrules.check(p, rulebook=rb)
            render_json(r)
            t0 = time.perf_counter()
            found[str(p)] = sorted([x.policy, x.subject.id] for x in r.results if x.outcome == "violated")
            aside += time.perf_counter() - t0
    else:                                     # the full rulebook through check_many, streaming
        # each report rendered to JSON where it is checked and not kept: the batch's memory stays flat
        for item in partyrules.check_many(run, workers=workers, render="json"):
            if not item.ok:
                raise SystemExit(f"benchmark: {item.source}: {item.error}")
            t0 = time.perf_counter()
            found[item.source] = violations_in(item.rendered, twelve) if spec.get("verify", True) else []
            aside += time.perf_counter() - t0
    secs = time.perf_counter() - t - aside
    return {"n": k, "of": len(paths), "seconds": secs, "rss_base_kib": base, "rss_peak_kib": rss_kib(),
            "worker_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "workers": workers,
            "violations": found}


_STR = rb'"(?:[^"\\]|\\.)*"'
# a result of report-v1 as render_json lays it out (Result.to_json's key order): policy, outcome, severity, subject
_VIOLATED = re.compile(rb'"policy": (' + _STR + rb'),\s*"outcome": "violated",\s*"severity": ' + _STR +
                       rb',\s*"subject": \{\s*"kind": ' + _STR + rb',\s*"id": (' + _STR + rb')')


def violations_in(rendered: bytes, policies: tuple[str, ...]) -> list:
    """The violated [policy, subject] pairs of ``policies`` in a report's JSON.

    Read with a pattern, not ``json.loads``: parsing a 5 MB report would put tens of MiB on
    the batch's peak memory that partyrules never uses. Should the layout change, the pattern
    finds nothing and the comparison with the floor fails loudly.
    """
    found = ([json.loads(p), json.loads(s)] for p, s in _VIOLATED.findall(rendered))
    return sorted(v for v in found if v[0] in policies)


def in_child(spec: dict) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child {spec['kind']} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- the measurements -------------------------------------------------------------------------------

def measure(mode: str, out: Path, budget_off: bool, durable_on: bool, profile_on: bool,
            thousand: bool = False) -> dict:
    cfg = MODES[mode]
    # the cold start first, before this process loads the machine with anything else
    log("cold start")
    cold = cold_start(cfg["cold_runs"], out)
    import partyrules
    from partyrules.report.render import render_json

    res: dict[str, Any] = {"mode": mode, "machine": machine(), "seed": SEED, "cold_start": cold}
    n_max = max(cfg["courts"])
    corpus = ensure_corpus(out, max(n_max, THOUSAND if thousand else 0), cfg["yaml_courts"])
    book = partyrules.load_rulebook()
    ids = sorted({p.id for p in book.policies})
    on = dt.date(2024, 6, 30)
    rb12 = rulebook_subset(book, floor_impl.POLICIES)
    res["rulebook"] = {"policies": len(book.policies), "ids": len(ids), "applicable": len(book.applicable(on)),
                       "floor_policies": list(floor_impl.POLICIES)}
    first_json, first_yaml = corpus["json"][0], corpus["yaml"][0]
    mapping = floor_impl.load(str(first_json))
    res["court"] = {"members": len(mapping["members"]), "organizations": len(mapping["organizations"]),
                    "meetings": len(mapping["meetings"]),
                    "attendances": sum(len(m.get("attendees", ())) for m in mapping["meetings"]),
                    "json_bytes": first_json.stat().st_size, "yaml_bytes": first_yaml.stat().st_size}
    lb = None if budget_off else cfg["latency_budget"]
    big = 10 ** 9

    # -- 1. latency ------------------------------------------------------------------------------------
    log("latency: floor")
    lat: dict[str, dict[str, Any]] = {}

    def row(name: str, fn: Callable[[], Any]) -> None:
        times = timed_runs(fn, lb if lb is not None else big, cfg["latency_runs"] if lb is not None else 3)
        lat[name] = {"median": med(times), "runs": len(times), "min": min(times)}

    # the floor and partyrules from the same input take turns, one run each, so that a ratio compares runs
    # made under the same load and the same state of the collector (measured one row after the other, the
    # floor once took 10.5 ms in a run where it takes 6.5-7.5 ms side by side, and the ratio read 2.3x
    # where it was 4x)
    floors = {"mapping": lambda: json.dumps(sorted(floor_impl.violations(mapping))),
              "json": lambda: floor_impl.check_file(str(first_json)),
              "yaml": lambda: floor_impl.check_file(str(first_yaml))}
    for src_name, src in (("mapping", mapping), ("json", first_json), ("yaml", first_yaml)):
        group = {f"floor/{src_name}": floors[src_name]}
        for label, rb in (("twelve", rb12), ("full", book)):
            if cfg["lean"] and label == "twelve" and src_name == "yaml":
                continue
            group[f"{label}/{src_name}"] = lambda src=src, rb=rb: render_json(partyrules.check(src, rulebook=rb))
        log(f"latency: floor and partyrules from {src_name}, taking turns")
        turns = interleaved_runs(group, lb * len(group) if lb is not None else big,
                                 cfg["latency_runs"] if lb is not None else 3)
        for name, times in turns.items():
            lat[name] = {"median": med(times), "runs": len(times), "min": min(times)}
    # a service that freezes what its warm-up loaded (docs/batch.md): the collector no longer walks the
    # rulebook and the imports at each full collection; the library itself never touches the collector
    log("latency: partyrules full from mapping, warm-up frozen")
    gc.collect()
    gc.freeze()
    try:
        row("full_frozen/mapping", lambda: render_json(partyrules.check(mapping, rulebook=book)))
    finally:
        gc.unfreeze()
    res["latency"] = lat
    # what the full rulebook's report weighs: its text alone, written by the C encoder from the finished
    # document (compact: json.dumps with an indent runs the pure-Python encoder), against the floor's whole run
    log("latency: the full report's text through json.dumps")
    full_text = render_json(partyrules.check(mapping, rulebook=book))
    full_doc = json.loads(full_text)
    dumps = timed_runs(lambda: json.dumps(full_doc, ensure_ascii=False, separators=(",", ":")),
                       lb if lb is not None else big, cfg["latency_runs"] if lb is not None else 3)
    res["full_report"] = {"bytes": len(full_text.encode("utf-8")), "results": len(full_doc["results"]),
                          "outcomes": dict(full_doc["summary"]), "c_dumps": med(dumps)}

    # -- 2. phases and engines -----------------------------------------------------------------------
    log("phases")
    timed_book, clock, calls = timed_derived(book)
    phase_runs: list[dict] = []
    times = timed_runs(lambda: phase_runs.append(phases_once(first_json, timed_book, "native", clock)),
                       lb if lb is not None else big, cfg["phase_runs"])
    keep = phase_runs[-len(times):]
    res["phases"] = {k: med([r[k] for r in keep]) for k in ("parse", "validate", "derive", "evaluate", "report",
                                                            "total")}
    runs = len(phase_runs)
    res["derived_calls"] = {name: {"calls": c / runs, "seconds": s / runs} for name, (c, s) in sorted(calls.items())
                            if c}
    fp: list[float] = []

    def floor_phases() -> None:
        t = time.perf_counter()
        data = floor_impl.load(str(first_json))
        t1 = time.perf_counter()
        found = floor_impl.violations(data)
        t2 = time.perf_counter()
        json.dumps(sorted(found))
        fp.append((t1 - t, t2 - t1, time.perf_counter() - t2))
    timed_runs(floor_phases, lb if lb is not None else big, 50)
    res["floor_phases"] = {"parse": med([x[0] for x in fp]), "evaluate": med([x[1] for x in fp]),
                           "report": med([x[2] for x in fp])}
    from partyrules.source import read_path
    res["parse_yaml"] = {"partyrules": med(timed_runs(lambda: read_path(first_yaml, marks_when_asked=True),
                                                      lb or big, 20)),
                         "floor": med(timed_runs(lambda: floor_impl.load(str(first_yaml)), lb or big, 20))}
    # the native engine's figure is the phases' (derive + evaluate): no extra run of a slow check
    res["engines"] = engines(first_json, book, durable_on, lb, med([r["engine"] for r in keep]),
                             keep[-1]["outcomes"])

    # -- 3. parsers: does orjson pay? ------------------------------------------------------------------
    res["parsers"] = parsers(first_json)

    # -- 4. throughput and memory, each row in a fresh process -----------------------------------------
    est_full = lat["full/json"]["median"]
    est_twelve = lat["twelve/json"]["median"]
    tb = None if budget_off else cfg["throughput_budget"]
    thr = []
    cores = os.cpu_count() or 1
    for j, n in enumerate(cfg["courts"]):
        paths = [str(p) for p in corpus["json"][:n]]
        log(f"throughput: {n} courts")
        f = in_child({"kind": "floor", "paths": paths})
        t12 = in_child({"kind": "twelve", "paths": paths, "budget": tb, "estimate": est_twelve, "offset": 3 * j})
        full1 = None if cfg["lean"] else in_child({"kind": "full", "paths": paths, "budget": tb, "estimate": est_full,
                                                   "workers": 1, "offset": 3 * j + 1})
        full2 = in_child({"kind": "full", "paths": paths, "budget": tb, "estimate": est_full,
                          "workers": STREAM_WORKERS, "offset": 3 * j + 2}) if cores > 1 else None
        thr.append({"courts": n, "floor": f, "twelve": t12, "full_1": full1, "full_2": full2,
                    "workers": STREAM_WORKERS, "cores": cores})
    res["throughput"] = [{k: ({kk: vv for kk, vv in v.items() if kk != "violations"} if isinstance(v, dict) else v)
                          for k, v in r.items()} for r in thr]
    if thousand:
        log(f"throughput: {THOUSAND} courts streamed on {STREAM_WORKERS} workers (minutes)")
        row = in_child({"kind": "full", "paths": [str(p) for p in corpus["json"][:THOUSAND]], "budget": None,
                        "estimate": est_full, "workers": STREAM_WORKERS, "verify": False})
        row.pop("violations", None)
        res["thousand"] = row
    log("memory: one court")
    res["memory"] = {
        "floor": in_child({"kind": "floor", "paths": [str(first_json)]}),
        "twelve": None if cfg["lean"] else in_child({"kind": "memory", "paths": [str(first_json)], "twelve": True}),
        "full": in_child({"kind": "memory", "paths": [str(first_json)]}),
    }
    for v in res["memory"].values():
        if v is not None:
            v.pop("violations", None)

    # -- 5. honesty: the floor finds exactly what partyrules finds ---------------------------------------
    floor_sets: dict[str, set] = {}
    for r in thr:
        for src, v in r["floor"]["violations"].items():
            floor_sets[src] = {tuple(x) for x in v}
    checked: dict[str, set] = {}
    for r in thr:
        for key in ("twelve", "full_1", "full_2"):
            if r[key] is None:
                continue
            for src, v in r[key]["violations"].items():
                got = {tuple(x) for x in v}
                if src in checked:
                    assert checked[src] == got, f"{src}: partyrules differs between runs"
                checked[src] = got
    mismatches = {src: {"floor_only": sorted(floor_sets[src] - got), "partyrules_only": sorted(got - floor_sets[src])}
                  for src, got in checked.items() if floor_sets[src] != got}
    res["verification"] = {"courts": len(floor_sets), "checked_by_partyrules": len(checked),
                           "violations_compared": sum(len(v) for v in checked.values()),
                           "mismatches": mismatches}
    assert not mismatches, f"the floor and partyrules disagree: {json.dumps(mismatches, indent=1)[:3000]}"
    log(f"verified: floor == partyrules on {len(checked)} of {len(floor_sets)} courts "
        f"({res['verification']['violations_compared']} violations)")

    # -- 6. growth with the number of policies ----------------------------------------------------------
    try:
        res["policy_scaling"] = policy_scaling(out, cfg, None if budget_off else cfg["scale_budget"])
    except Exception as exc:  # a pack copied from a rulebook that is being edited may not load: say so
        res["policy_scaling"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        log(f"policy scaling failed: {res['policy_scaling']['error']}")

    # -- 7. growth with the number of members -----------------------------------------------------------
    res["member_scaling"] = member_scaling(cfg, None if budget_off else cfg["member_budget"], book)

    # -- 8. profile ------------------------------------------------------------------------------------
    if profile_on:
        log("profile")
        res["profile"] = profile(mapping, book, out)
    return res


def engines(path: Path, book: Any, durable_on: bool, budget: float | None, native_seconds: float,
            native_outcomes: list) -> dict:
    """Evaluation time of each engine on the same view (the evaluate phase, derived facts included)."""
    from partyrules import api
    from partyrules.facts.load import load_facts
    from partyrules.facts.view import View
    out: dict[str, Any] = {"available": list(api.ENGINES), "native": native_seconds}
    if not durable_on:
        out["durable"] = {"skipped": "--no-durable"}
        return out
    if "durable" not in api.ENGINES:
        out["durable"] = {"skipped": "partyrules.api.ENGINES has no 'durable' engine yet"}
        return out
    facts = load_facts(path)
    on = facts.as_of
    applicable = book.applicable(on)
    try:
        backend = api.get_engine("durable")
        got: list = []

        def run() -> None:
            got[:] = backend.evaluate(book, applicable, View(facts, on))
        seconds = med(timed_runs(run, budget if budget is not None else 10 ** 9, 20))
        same = sorted((r.policy, r.subject.id, r.outcome) for r in got) == [tuple(x) for x in native_outcomes]
        out["durable"] = {"seconds": seconds, "same_outcomes": same}
    except Exception as exc:  # the engine is being written: report, do not fail the benchmark
        out["durable"] = {"skipped": f"{type(exc).__name__}: {exc}"[:300]}
    return out


def parsers(path: Path) -> dict:
    """JSON parsing of one court: partyrules' strict reader, plain json, and orjson if installed."""
    from partyrules.source import read_json
    text = path.read_text(encoding="utf-8")
    raw = path.read_bytes()
    out = {"partyrules_read_json": med(timed_runs(lambda: read_json(text, str(path)), 2, 30)),
           "json_loads": med(timed_runs(lambda: json.loads(text), 2, 30))}
    try:
        import orjson  # type: ignore[import-not-found]
        out["orjson_loads"] = med(timed_runs(lambda: orjson.loads(raw), 2, 30))
        out["orjson_version"] = orjson.__version__
    except ImportError:
        out["orjson_loads"] = None
    return out


def policy_scaling(out: Path, cfg: dict, budget: float | None) -> dict:
    import partyrules
    from partyrules.report.render import render_json
    from partyrules.rulebook import load as rb_load
    doc = generate.make_court(SEED, 0, **SMALL)
    mapping = json.loads(generate.to_json(doc))
    rows = []
    b = budget if budget is not None else 10 ** 9
    for k in cfg["scale"]:
        log(f"policies x{k}")
        pack = make_pack(out / "packs" / f"x{k}", k)
        rb_load.clear_rulebook_cache()
        t = time.perf_counter()
        rb = partyrules.load_rulebook([pack], builtin=False, disk_cache=False)   # from the files, every time
        load_s = time.perf_counter() - t
        times = timed_runs(lambda: render_json(partyrules.check(mapping, rulebook=rb)), b, cfg["scale_runs"])
        fl = timed_runs(lambda: [floor_impl.violations(mapping) for _ in range(k)], b, cfg["scale_runs"])
        rows.append({"copies": k, "policies": len(rb.policies), "load": load_s, "check": med(times),
                     "runs": len(times), "floor_k": med(fl)})
    rb_load.clear_rulebook_cache()
    return {"court": {"members": len(mapping["members"]), "meetings": len(mapping["meetings"]),
                      "organizations": len(mapping["organizations"])}, "rows": rows}


def member_scaling(cfg: dict, budget: float | None, book: Any) -> dict:
    """One court of each size (full rulebook, from a mapping, rendered): is the cost per member flat?"""
    import partyrules
    from partyrules.report.render import render_json
    rows = []
    for n in cfg["members"]:
        doc = generate.make_court(SEED, 0, branches=max(3, n // 15), members=n)
        mapping = json.loads(generate.to_json(doc))
        log(f"members: {len(mapping['members'])}")
        b = budget if budget is not None else 10 ** 9
        times = timed_runs(lambda: render_json(partyrules.check(mapping, rulebook=book)), b, cfg["member_runs"])
        fl = timed_runs(lambda: json.dumps(sorted(floor_impl.violations(mapping))), b, cfg["member_runs"])
        members = len(mapping["members"])
        records = count_records(mapping)
        rows.append({"members": members, "organizations": len(mapping["organizations"]),
                     "meetings": len(mapping["meetings"]), "records": records, "check": med(times),
                     "runs": len(times), "per_member": med(times) / members, "per_record": med(times) / records,
                     "floor": med(fl), "floor_per_member": med(fl) / members})
    return {"rows": rows}


def count_records(value: Any) -> int:
    """Every entry of every list in a fact document, at any depth (members, meetings, each attendee of a
    meeting, each month of dues paid …): what a check reads. The generator's courts do not keep records per
    member constant (a smaller court has fewer branches, so fewer meetings, per member), so the cost per
    record is the figure to compare across sizes."""
    if isinstance(value, dict):
        return sum(count_records(v) for v in value.values())
    if isinstance(value, list):
        return len(value) + sum(count_records(v) for v in value)
    return 0


def cold_start(runs: int, out: Path) -> dict:
    """Fresh interpreters, median wall time: the dependencies' import, ``import partyrules``, a whole check.

    The commands take turns in each round, so that a change in the machine's load falls on all of them.
    Bytecode is cached (in ``out/pycache``, whatever ``PYTHONDONTWRITEBYTECODE`` says), as it is for an
    installed package: without it every start would compile every module from source.

    The whole check runs twice: as a user's second run finds it, with the compiled rulebook in the cache
    folder (here ``out/rulebook-cache``, not the runner's own), and with that cache off
    (``PARTYRULES_NO_CACHE=1``: what a first run, or a read-only home, costs).
    """
    court = HERE.parent / "examples" / "court.yaml"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PARTYRULES_NO_CACHE")}
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    env["PARTYRULES_CACHE_DIR"] = str(out / "rulebook-cache")
    check = [sys.executable, "-m", "partyrules", "check", str(court)]
    commands = {
        "dependencies": ([sys.executable, "-c", DEPENDENCIES], env),
        "import": ([sys.executable, "-c", "import partyrules"], env),
        "check": (check, env),
        "check_uncached": (check, dict(env, PARTYRULES_NO_CACHE="1")),
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    for cmd, cmd_env in commands.values():          # warm the file cache, the bytecode and the rulebook cache
        subprocess.run(cmd, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cmd_env)
    for _ in range(runs):
        for name, (cmd, cmd_env) in commands.items():
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=cmd_env)
            times[name].append(time.perf_counter() - t)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"benchmark: {' '.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    out: dict[str, Any] = {k: med(v) for k, v in times.items()}
    out["runs"] = runs
    out["ratio"] = out["check"] / out["dependencies"]
    out["ratio_uncached"] = out["check_uncached"] / out["dependencies"]
    return out


def profile(mapping: dict, book: Any, out: Path) -> dict:
    import partyrules
    prof = cProfile.Profile()
    prof.enable()
    partyrules.check(mapping, rulebook=book)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(25)
    (out / "profile.txt").write_text(buf.getvalue(), encoding="utf-8")
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    top = []
    for (file, line, fn), (cc, nc, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:12]:  # type: ignore[attr-defined]
        short = file.split("/partyrules/")[-1] if "/partyrules/" in file else Path(file).name
        top.append({"function": f"{short}:{line}({fn})", "calls": nc, "tottime": tt, "cumtime": ct})
    cum = []
    for (file, line, fn), (cc, nc, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][3]):  # type: ignore[attr-defined]
        if "/partyrules/" in file and ("derive.py" in file or "native.py" in file or "expr.py" in file
                                       or "load.py" in file or "source.py" in file):
            cum.append({"function": f"{file.split('/partyrules/')[-1]}:{line}({fn})", "calls": nc, "cumtime": ct})
        if len(cum) >= 10:
            break
    return {"total": total, "top_tottime": top, "top_cumtime": cum}


# ---- the report -------------------------------------------------------------------------------------

def ms(x: float | None) -> str:
    if x is None:
        return "—"
    if x >= 10:
        return f"{x:,.0f} s" if x >= 100 else f"{x:.1f} s"
    v = x * 1000
    return f"{v:,.0f} ms" if v >= 100 else (f"{v:.1f} ms" if v >= 1 else f"{v:.2f} ms")


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    r = a / b
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×"


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def render(res: dict) -> str:
    return "\n".join(render_lines(res)) + "\n"


def render_lines(res: dict) -> list[str]:
    m, c, lat = res["machine"], res["court"], res["latency"]
    out = [f"# partyrules benchmark ({res['mode']})", "",
           f"Machine: {m['nproc']} cores, {m['cpu']}, {m['implementation']} {m['python']}, libyaml "
           f"{'yes' if m['libyaml'] else 'no'}, {m['platform']}; partyrules {m['commit']}, {m['date']}. "
           f"Load average before/after: {m['load_before'][0]:.2f}/{m.get('load_after', [0])[0]:.2f} "
           "(above 0 means other work shared the cores).", "",
           f"Court `court-0000`: {c['members']} members, {c['organizations']} organizations, {c['meetings']} meetings "
           f"({c['attendances']:,} attendances), JSON {c['json_bytes'] / 1024:,.0f} KiB, YAML "
           f"{c['yaml_bytes'] / 1024:,.0f} KiB. Built-in rulebook: {res['rulebook']['ids']} policy ids "
           f"({res['rulebook']['applicable']} applicable on 2024-06-30); the floor implements 12 of them.", "",
           "## One court, end to end (warm; median)", "",
           "| input | floor (12) | partyrules, same 12 | ratio | partyrules, full rulebook | ratio to floor |",
           "|---|---:|---:|---:|---:|---:|"]
    none = {"median": None, "runs": 0}
    for src, label in (("mapping", "in-memory mapping"), ("json", "JSON file"), ("yaml", "YAML file")):
        f, t, a = lat[f"floor/{src}"], lat.get(f"twelve/{src}", none), lat[f"full/{src}"]
        out.append(f"| {label} | {ms(f['median'])} | {ms(t['median'])} ({t['runs']} runs) | "
                   f"{ratio(t['median'], f['median'])} | {ms(a['median'])} ({a['runs']} runs) | "
                   f"{ratio(a['median'], f['median'])} |")
    fz = lat.get("full_frozen/mapping")
    if fz:
        out += ["", f"The full rulebook from a mapping in a process that froze its warm-up (`gc.freeze()` after "
                f"loading the rulebook, as a service may; docs/batch.md): {ms(fz['median'])} ({fz['runs']} runs), "
                f"{ratio(fz['median'], lat['floor/mapping']['median'])} the floor."]
    fr = res.get("full_report")
    if fr:
        out += ["", f"The full rulebook's report of this court is {fr['bytes'] / 1e6:.1f} MB of JSON listing "
                f"{fr['results']:,} results ({fr['outcomes'].get('violated', 0):,} violated, "
                f"{fr['outcomes'].get('unknown', 0):,} unknown: facts the generated courts do not record, such as "
                f"dues amounts and admission records). Writing that text alone from the finished document with the "
                f"C encoder (`json.dumps`, compact) takes {ms(fr['c_dumps'])}, "
                f"{ratio(fr['c_dumps'], lat['floor/mapping']['median'])} the floor's whole run."]
    ph, fp = res["phases"], res["floor_phases"]
    out += ["", "## Time by phase (court-0000 from its JSON file, full rulebook, native engine; median)", "",
            "| phase | partyrules | share | floor | what |", "|---|---:|---:|---:|---|"]
    what = {"parse": "`source.read_path` (strict JSON, as `load_facts` reads a file) / `json.load`",
            "validate": "`facts_from_document`: cattrs structuring and reference checks",
            "derive": "`View(...)` + time inside derived facts (`org_life_lapse`, counts …)",
            "evaluate": "engine `evaluate` minus derived facts: expressions, results, sort",
            "report": "notices, upcoming, `Report`, `render_json`"}
    floor_map = {"parse": fp["parse"], "evaluate": fp["evaluate"], "report": fp["report"]}
    for k in ("parse", "validate", "derive", "evaluate", "report"):
        out.append(f"| {k} | {ms(ph[k])} | {ph[k] / ph['total'] * 100:.1f} % | {ms(floor_map.get(k))} | {what[k]} |")
    out.append(f"| total | {ms(ph['total'])} | 100 % | {ms(sum(floor_map.values()))} | |")
    py = res["parse_yaml"]
    out += ["", f"Parsing the same court from YAML instead: partyrules `read_path` {ms(py['partyrules'])} "
            f"(libyaml events, as the fact loader reads: each value's position found only when an error is "
            f"to be located), floor `yaml.load(CSafeLoader)` {ms(py['floor'])}."]
    dc = res["derived_calls"]
    if dc:
        out += ["", "Derived facts per check: " + "; ".join(
            f"`{n}` {v['calls']:,.0f} calls, {ms(v['seconds'])}" for n, v in
            sorted(dc.items(), key=lambda kv: -kv[1]["seconds"]))]
    e = res["engines"]
    out += ["", "## Engines (evaluate phase on court-0000, derived facts included; median)", "",
            "| engine | evaluate | native is faster by |", "|---|---:|---:|",
            f"| native | {ms(e['native'])} | |"]
    d = e["durable"]
    if "seconds" in d:
        out.append(f"| durable | {ms(d['seconds'])} | {ratio(d['seconds'], e['native'])} "
                   f"(same outcomes: {'yes' if d['same_outcomes'] else 'NO'}) |")
    else:
        out.append(f"| durable | skipped: {d['skipped'][:160]} | |")
    p = res["parsers"]
    out += ["", "## JSON parsing of court-0000 (median)", "", "| parser | time |", "|---|---:|",
            f"| `partyrules.source.read_json` (duplicate keys, depth) | {ms(p['partyrules_read_json'])} |",
            f"| `json.loads` | {ms(p['json_loads'])} |",
            f"| `orjson.loads` | {ms(p['orjson_loads']) if p['orjson_loads'] else 'not installed'} |"]
    out += ["", "## Courts per second (each row a fresh process; JSON files; end to end incl. rendering)", "",
            "| courts | floor | partyrules, same 12, 1 process | ratio | partyrules full, `check_many` 1 worker "
            f"| `check_many` {STREAM_WORKERS} workers | memory floor | memory partyrules, 1 worker "
            f"| memory, {STREAM_WORKERS} workers: parent / largest worker |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def rate(x: dict | None) -> str:
        if x is None:
            return "—"
        part = "" if x["n"] == x.get("of", x["n"]) else f" ({x['n']}/{x['of']})"
        return f"{x['n'] / x['seconds']:,.2f}{part}"

    def above(x: dict | None) -> str:
        return "—" if x is None else mib(x["rss_peak_kib"] - x["rss_base_kib"])
    for r in res["throughput"]:
        f, t, a1, a2 = r["floor"], r["twelve"], r["full_1"], r.get("full_2")
        worker = f" / {mib(a2['worker_peak_kib'])}" if a2 is not None and a2.get("worker_peak_kib") else ""
        out.append(f"| {r['courts']} | {rate(f)} | {rate(t)} | "
                   f"{ratio(t['seconds'] / t['n'], f['seconds'] / f['n'])} | {rate(a1)} | {rate(a2)} | "
                   f"{above(f)} | {above(a1)} | {above(a2)}{worker} |")
    th = res.get("thousand")
    if th is not None:
        out.append(f"| {th['n']:,} (`--thousand`) | | | | | {rate(th)} | | | {above(th)} / "
                   f"{mib(th['worker_peak_kib'])} |")
    mem = res["memory"]

    def mem_cells(key: str) -> tuple[str, str]:
        v = mem.get(key)
        return ("—", "—") if v is None else (mib(v["rss_peak_kib"]), mib(v["rss_peak_kib"] - v["rss_base_kib"]))
    out += ["", "Memory: peak RSS above the process's baseline after imports and rulebook loading (the parent); "
            "`check_many` streams (`render=\"json\"`: each report rendered where it is checked, none kept), so "
            "the parent's memory does not grow with the number of courts. A worker's peak is its whole RSS "
            "(forked from the parent with the rulebook loaded).",
            "", "## Peak memory of one court, end to end from its JSON file (fresh process)", "",
            "| | floor | partyrules, same 12 | partyrules, full |", "|---|---:|---:|---:|",
            "| peak RSS | " + " | ".join(mem_cells(k)[0] for k in ("floor", "twelve", "full")) + " |",
            "| above baseline | " + " | ".join(mem_cells(k)[1] for k in ("floor", "twelve", "full")) + " |"]
    ps = res["policy_scaling"]
    if "error" in ps:
        out += ["", "## Growth with the number of policies", "", f"Not measured: {ps['error']}"]
    else:
        out += policy_table(ps)
    out += member_table(res["member_scaling"])
    out += cold_table(res["cold_start"])
    return out + tail(res)


def member_table(ms_: dict) -> list[str]:
    out = ["", "## Growth with the number of members (one court, full rulebook, from a mapping, rendered; median)",
           "", "| members | organizations | meetings | records | partyrules | per member | per 1,000 records "
           "| floor (12) | per member | ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in ms_["rows"]:
        per_record = ms(r["per_record"] * 1000) if "per_record" in r else "—"     # results.json of older runs
        records = f"{r['records']:,}" if "records" in r else "—"
        out.append(f"| {r['members']:,} | {r['organizations']} | {r['meetings']:,} | {records} | {ms(r['check'])} "
                   f"({r['runs']} runs) | {ms(r['per_member'])} | {per_record} | {ms(r['floor'])} | "
                   f"{ms(r['floor_per_member'])} | {ratio(r['check'], r['floor'])} |")
    return out


def cold_table(c: dict) -> list[str]:
    return ["", f"## Cold start (a fresh interpreter each time, bytecode cached; median of {c['runs']})", "",
            "| command | time | to the dependencies |", "|---|---:|---:|",
            f"| `python -c \"{DEPENDENCIES}\"` | {ms(c['dependencies'])} | 1× |",
            f"| `python -c \"import partyrules\"` | {ms(c['import'])} | {ratio(c['import'], c['dependencies'])} |",
            f"| `partyrules check examples/court.yaml` (compiled rulebook in the cache folder) | {ms(c['check'])} | "
            f"{ratio(c['check'], c['dependencies'])} |",
            f"| the same with the rulebook cache off (`PARTYRULES_NO_CACHE=1`: a first run) | "
            f"{ms(c['check_uncached'])} | {ratio(c['check_uncached'], c['dependencies'])} |"]


def policy_table(ps: dict) -> list[str]:
    sc = ps["court"]
    out: list[str] = []
    out += ["", f"## Growth with the number of policies (small court: {sc['members']} members, "
            f"{sc['organizations']} organizations, {sc['meetings']} meetings; from a mapping; median)", "",
            "| copies | policies | rulebook load (cold) | check | per policy | floor, evaluation k times |",
            "|---:|---:|---:|---:|---:|---:|"]
    for r in ps["rows"]:
        out.append(f"| {r['copies']}× | {r['policies']} | {ms(r['load'])} | {ms(r['check'])} | "
                   f"{ms(r['check'] / r['policies'])} | {ms(r['floor_k'])} |")
    return out


def tail(res: dict) -> list[str]:
    out: list[str] = []
    v = res["verification"]
    out += ["", f"Verification: the floor's violation set equals partyrules' on {v['checked_by_partyrules']} of "
            f"{v['courts']} courts ({v['violations_compared']} violations compared; the others were left out by "
            "the time budgets)." if v['checked_by_partyrules'] < v['courts'] else
            f"Verification: the floor's violation set equals partyrules' on all {v['courts']} courts "
            f"({v['violations_compared']} violations compared)."]
    out += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in targets(res):
        out.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else ('—' if t['met'] is None else '**no**')} |")
    prof = res.get("profile")
    if prof is None:
        return out + ["", "Hot spots: not profiled (--quick; add --profile)."]
    out += ["", f"## Hot spots (cProfile, one check of court-0000 from a mapping, {prof['total']:.1f} s "
            "under the profiler; by own time)", "", "| function | calls | own time | cumulative |", "|---|---:|---:|---:|"]
    for t in prof["top_tottime"][:10]:
        out.append(f"| `{t['function']}` | {t['calls']:,} | {ms(t['tottime'])} | {ms(t['cumtime'])} |")
    return out


def targets(res: dict) -> list[dict]:
    lat = res["latency"]
    out = []
    worst = max(lat[f"twelve/{s}"]["median"] / lat[f"floor/{s}"]["median"] for s in ("mapping", "json", "yaml")
                if f"twelve/{s}" in lat)
    out.append({"target": "end to end within 3× of the floor (same 12 policies)",
                "measured": f"{worst:,.1f}× at worst (mapping, JSON, YAML)", "met": worst <= 3})
    full = lat["full/mapping"]["median"]
    out.append({"target": "a ~300-member court, full rulebook, from a mapping, well under 30 ms",
                "measured": ms(full) + f" ({res['court']['members']} members)", "met": full < 0.030})
    c = res["cold_start"]
    out.append({"target": "cold `partyrules check examples/court.yaml` within 3× of importing its dependencies",
                "measured": f"{c['ratio']:.1f}× ({ms(c['check'])} / {ms(c['dependencies'])}; cache off "
                            f"{c['ratio_uncached']:.1f}×)", "met": c["ratio"] <= 3})
    d = res["engines"]["durable"]
    if "seconds" in d:
        r = d["seconds"] / res["engines"]["native"]
        out.append({"target": "native evaluation at least 10× faster than durable-rules",
                    "measured": f"{r:.1f}×", "met": r >= 10})
    else:
        out.append({"target": "native evaluation at least 10× faster than durable-rules",
                    "measured": "durable not measured: " + d["skipped"][:160], "met": None})
    return out


_RB12: list = []


def _verify_one(path: str) -> tuple[str, list]:
    """partyrules' violations of the floor's 12 policies on one court (in a worker process)."""
    import partyrules
    if not _RB12:
        _RB12.append(rulebook_subset(partyrules.load_rulebook(), floor_impl.POLICIES))
    report = partyrules.check(path, rulebook=_RB12[0])
    return path, sorted([r.policy, r.subject.id] for r in report.results if r.outcome == "violated")


def verify_all(out: Path, n: int) -> int:
    """Check every generated court with partyrules and the floor, on every core; no timing."""
    corpus = ensure_corpus(out, n, MODES["full"]["yaml_courts"])
    paths = [str(p) for p in corpus["json"]] + [str(p) for p in corpus["yaml"]]
    t = time.perf_counter()
    bad = 0
    compared = 0
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for i, (path, got) in enumerate(pool.map(_verify_one, paths)):
            want = sorted([list(v) for v in floor_impl.violations(floor_impl.load(path))])
            compared += len(got)
            if got != want:
                bad += 1
                log(f"MISMATCH {path}: floor only {[v for v in want if v not in got]}, "
                    f"partyrules only {[v for v in got if v not in want]}")
            if (i + 1) % 10 == 0:
                log(f"verified {i + 1}/{len(paths)} ({time.perf_counter() - t:.0f} s)")
    print(f"verify-all: {len(paths) - bad} of {len(paths)} documents agree ({compared} violations compared), "
          f"{time.perf_counter() - t:.0f} s")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The partyrules benchmark (see benchmarks/README.md).")
    ap.add_argument("--quick", action="store_true", help="5 and 10 courts, short budgets, no profile")
    ap.add_argument("--no-budget", action="store_true",
                    help="run every row in full, whatever it takes (verifies every court)")
    ap.add_argument("--no-durable", action="store_true", help="leave the durable-rules engine out")
    ap.add_argument("--profile", action="store_true", help="profile one check also in --quick mode")
    ap.add_argument("--thousand", action="store_true",
                    help=f"also stream {THOUSAND:,} courts through check_many on {STREAM_WORKERS} workers "
                         "(courts/s and peak memory; takes minutes)")
    ap.add_argument("--verify-all", type=int, metavar="N", nargs="?", const=200,
                    help="only assert floor == partyrules on every one of N generated courts (default 200), "
                         "on every core, without timing")
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.verify_all:
        return verify_all(out, args.verify_all)
    t = time.perf_counter()
    res = measure("quick" if args.quick else "full", out, args.no_budget, not args.no_durable,
                  args.profile or not args.quick, args.thousand)
    res["machine"]["load_after"] = os.getloadavg()
    res["wall_seconds"] = time.perf_counter() - t
    res["targets"] = targets(res)
    (out / "results.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    text = render(res) + f"\nWall time of the benchmark: {res['wall_seconds']:.0f} s.\n"
    (out / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
