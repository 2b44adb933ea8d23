"""Batches that stream: workers send back only what the caller asked for, and nothing piles up in the parent.

Pinned here: ``render=``/``keep=`` give the same bytes and counts as a check
of each document alone; at most ``in_flight`` documents are out at a time;
the parent holds no report it was not asked to keep (counted with the garbage
collector, not timed); the CLI's streamed ``partyrules.batch/1`` is byte for
byte what one ``json.dumps`` of the whole gives; Dask's executor runs a batch.
"""

import gc
import json
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partyrules
from partyrules.batch import BatchItem, ReportSummary, check_many
from partyrules.cli import main
from partyrules.cli.check import BATCH_FORMAT, batch_summary, render_batch_json
from partyrules.cli import _one_line
from partyrules.errors import UsageError
from partyrules.report.model import Report
from partyrules.report.render import render_html, render_json, render_table

from batch_docs import ROOT, SPEC, write_docs


@pytest.fixture
def docs(tmp_path):
    write_docs(tmp_path)
    return tmp_path


def _many(docs, n):
    """``n`` sources cycling through a violated, a clean and a bad document."""
    names = ["violated.yaml", "clean.yaml", "bad.yaml"]
    return [str(docs / names[i % 3]) for i in range(n)]


def _live_reports() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Report))


# ---- what comes back --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, render", [("json", render_json), ("table", render_table), ("html", render_html)])
def test_rendered_items_carry_the_bytes_of_a_single_check_and_no_report(docs, fmt, render):
    sources = [docs / "violated.yaml", docs / "bad.yaml", SPEC]
    items = list(check_many(sources, render=fmt, all_results=True, lang="en"))
    assert [i.ok for i in items] == [True, False, True]
    for source, item in zip(sources, items):
        assert item.report is None
        if item.ok:
            report = partyrules.check(source)
            assert item.rendered == render(report, True, *(("en",) if fmt != "json" else ())).encode("utf-8")
            assert item.summary == ReportSummary.of(report)
            assert item.exit_status == report.exit_status
            assert item.exit_status_for("error") == report.exit_status_for("error")
        else:
            assert item.rendered is None and item.summary is None and item.exit_status == 2


def test_keep_chooses_report_or_summary(docs):
    sources = [docs / "violated.yaml", docs / "clean.yaml"]
    summaries = list(check_many(sources, keep="summary"))
    assert [i.report for i in summaries] == [None, None]
    assert [i.summary.counts["violated"] > 0 for i in summaries] == [True, False]
    assert [i.summary.unit for i in summaries] == ["u-small", ""]
    assert [i.exit_status for i in summaries] == [1, 0]
    both = list(check_many(sources, render="json", keep="report"))
    assert all(i.report is not None and i.rendered == render_json(i.report).encode() for i in both)
    plain = list(check_many(sources))                      # the default is unchanged: the report, no bytes
    assert all(i.report is not None and i.rendered is None for i in plain)
    assert [i.summary for i in plain] == [i.summary for i in summaries]
    for bad in ({"render": "sarif"}, {"keep": "everything"}, {"lang": "fr"}, {"in_flight": 0}):
        with pytest.raises(UsageError):
            check_many(sources, **bad)


def test_a_summary_answers_like_its_report(docs):
    report = partyrules.check(docs / "violated.yaml")
    s = ReportSummary.of(report)
    assert s.counts == report.summary and s.as_of == report.as_of and s.unit_name == report.unit_name
    for fail_on in ("warning", "error", "never"):
        assert s.exit_status_for(fail_on) == report.exit_status_for(fail_on)
    with pytest.raises(ValueError):
        s.exit_status_for("sometimes")
    assert BatchItem("x", report).summary == s          # made from the report when not given


def test_workers_send_back_only_what_was_asked_in_input_order(docs):
    sources = _many(docs, 7)
    one = list(check_many(sources, render="json"))
    two = list(check_many(sources, render="json", workers=2, in_flight=2))
    assert [i.source for i in two] == sources
    assert [(i.source, i.rendered, i.summary, i.exit_status) for i in two] == \
           [(i.source, i.rendered, i.summary, i.exit_status) for i in one]
    assert all(i.report is None for i in two)


# ---- nothing piles up -------------------------------------------------------------------------------

class CountingExecutor(Executor):
    """A thread pool that counts what it was given."""

    def __init__(self, workers: int) -> None:
        self.pool = ThreadPoolExecutor(workers)
        self._max_workers = workers
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.mark.parametrize("ordered", [True, False])
def test_at_most_in_flight_documents_are_out_at_a_time(docs, ordered):
    sources = _many(docs, 15)
    with CountingExecutor(2) as pool:
        yielded = 0
        for _ in check_many(sources, executor=pool, ordered=ordered, keep="summary"):
            yielded += 1
            assert pool.submitted <= yielded + 2 * 2          # twice the executor's workers by default
        assert yielded == pool.submitted == 15
    with CountingExecutor(2) as pool:
        stream = check_many(sources, executor=pool, in_flight=3)
        next(stream)
        assert pool.submitted <= 1 + 3
        stream.close()                                        # stopping early sends nothing more
        assert pool.submitted <= 4


def test_the_parent_keeps_no_report_it_yielded(docs):
    """A consumer that drops each item leaves at most the in-flight reports alive, whatever the batch size."""
    sources = _many(docs, 18)
    before = _live_reports()
    most = 0
    with ThreadPoolExecutor(2) as pool:
        for item in check_many(sources, executor=pool, in_flight=2):
            assert item.source
            del item
            most = max(most, _live_reports() - before)
    assert most <= 2 * 2 + 1           # in flight (a check and its copy for sending), and the one handed over
    assert _live_reports() - before == 0


def test_a_rendered_batch_on_processes_never_holds_a_report_here(docs):
    sources = _many(docs, 9)
    before = _live_reports()
    seen = []
    for item in check_many(sources, render="json", workers=2):
        seen.append(item.rendered is not None)
        assert _live_reports() == before                # the reports live and die in the workers
    assert seen == [True, True, False] * 3


def test_a_killed_worker_early_in_a_long_batch_costs_only_its_document(tmp_path):
    """The broken pool is replaced, so the documents after the crash still run on every worker."""
    from partyrules.errors import WorkerError
    killer = ROOT / "tests" / "hostile" / "packs" / "killer"
    names = ["kill-me"] + [f"u{i}" for i in range(7)]
    for unit in names:
        (tmp_path / f"{unit}.yaml").write_text(
            f"format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {{id: {unit}, name: 法院}}\n", encoding="utf-8")
    sources = [tmp_path / f"{n}.yaml" for n in names]
    items = list(check_many(sources, policies=[killer], builtin=False, workers=2, in_flight=2, keep="summary"))
    assert [Path(i.source).stem for i in items] == names
    assert [i.ok for i in items] == [False] + [True] * 7
    assert isinstance(items[0].error, WorkerError) and "died" in str(items[0].error)


# ---- the command line writes as documents finish ------------------------------------------------------

def _items(docs):
    return list(check_many([docs / "violated.yaml", docs / "bad.yaml", SPEC, docs / "clean.yaml"]))


def _one_dumps(items, all_results=False):
    """The batch document the way it was made before it streamed: one json.dumps of the whole."""
    reports = [{"source": i.source, "error": _one_line(i.error)} if i.error is not None
               else {"source": i.source, **i.report.to_json(all_results)} for i in items]
    doc = {"format": BATCH_FORMAT, "reports": reports, "summary": batch_summary(items)}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("all_results", [False, True])
def test_the_streamed_batch_json_is_one_dumps_byte_for_byte(docs, all_results):
    items = _items(docs)
    assert render_batch_json(items, all_results) == _one_dumps(items, all_results)
    rendered = list(check_many([docs / "violated.yaml", docs / "bad.yaml", SPEC, docs / "clean.yaml"],
                               render="json", all_results=all_results))
    assert render_batch_json(rendered, all_results) == _one_dumps(items, all_results)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sources=st.lists(st.tuples(st.text(max_size=12), st.sampled_from(["ok", "clean", "error"])), max_size=5))
def test_any_sources_and_mix_stream_to_the_same_bytes(docs, sources):
    report = partyrules.check(docs / "violated.yaml")
    clean = partyrules.check(docs / "clean.yaml")
    items = []
    for name, kind in sources:
        if kind == "error":
            items.append(BatchItem(name, None, partyrules.PartyrulesError(f"{name}: \"bad\"\n line\t{name}")))
        else:
            items.append(BatchItem(name, report if kind == "ok" else clean))
    assert render_batch_json(items) == _one_dumps(items)


def test_the_cli_batch_streams_the_same_output_and_writes_a_file_whole(docs):
    args = ["check", str(docs / "violated.yaml"), str(docs / "bad.yaml"), str(SPEC), str(docs / "clean.yaml")]
    result = CliRunner().invoke(main, args + ["--format", "json", "--jobs", "2"])
    assert result.exit_code == 2
    assert result.stdout == _one_dumps(_items(docs))
    assert result.stderr.count("\n") == 1 and "bad.yaml" in result.stderr
    target = docs / "out.json"
    result = CliRunner().invoke(main, args + ["--format", "json", "-o", str(target), "--all"])
    assert result.exit_code == 2 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == _one_dumps(_items(docs), True)
    assert sorted(p.name for p in docs.iterdir()) == ["bad.yaml", "clean.yaml", "out.json", "violated.yaml"]


def test_a_batch_that_fails_leaves_no_output_file(docs, monkeypatch):
    import partyrules.batch as batch

    def explode(*_args, **_kwargs):
        raise KeyboardInterrupt
    target = docs / "out.json"
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(batch, "_run", explode)
    result = CliRunner().invoke(main, ["check", str(docs / "violated.yaml"), str(docs / "clean.yaml"),
                                       "--format", "json", "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_text(encoding="utf-8") == "old\n"          # untouched, and no temporary file beside it
    assert sorted(p.name for p in docs.iterdir()) == ["bad.yaml", "clean.yaml", "out.json", "violated.yaml"]


# ---- Dask -----------------------------------------------------------------------------------------

def test_a_dask_cluster_runs_a_batch(docs):
    distributed = pytest.importorskip("distributed")
    sources = _many(docs, 6)
    want = [(i.source, i.rendered, i.exit_status) for i in check_many(sources, render="json")]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = [(i.source, i.rendered, i.exit_status)
               for i in check_many(sources, render="json", executor=client.get_executor())]
        unordered = list(check_many(sources, keep="summary", executor=client.get_executor(), ordered=False))
    assert got == want
    assert sorted(i.source for i in unordered) == sorted(sources)


def test_our_own_workers_tune_their_collector_and_the_callers_process_is_left_alone():
    # the pool check_many makes starts each worker with tune_worker_gc; the caller's process keeps its settings
    import gc
    import partyrules.batch as batch
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    pool = batch._new_process_pool(1)
    try:
        threshold, frozen = pool.submit(_collector_state).result()
    finally:
        pool.shutdown()
    assert threshold == batch.WORKER_GC_THRESHOLD and frozen > 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen_before)


def _collector_state():
    import gc
    return gc.get_threshold(), gc.get_freeze_count()
