"""Many documents at once: the library's check_many and ``partyrules check`` with several FACTS.

Pinned here: input order, a bad document reported on its own without stopping
the batch, the same bytes whatever the number of worker processes, directory
expansion, and for the command line the exit statuses and the JSON shape.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.batch import BatchItem, check_many, expand_directory, expand_sources
from partyrules.cli import main
from partyrules.errors import PartyrulesError, PolicyError, SourceError, UsageError
from partyrules.report.render import render_json

from batch_docs import CLEAN, SPEC, VIOLATED, write_docs


@pytest.fixture
def docs(tmp_path):
    write_docs(tmp_path)
    (tmp_path / "broken.json").write_text('{"format": "partyrules.facts/1", "as_of": ', encoding="utf-8")
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ---- the library call -------------------------------------------------------------------------------

def test_exported():
    assert partyrules.check_many is check_many and "check_many" in partyrules.__all__


def test_items_come_back_in_input_order_with_errors_per_document(docs):
    mapping = {"format": "partyrules.facts/1", "as_of": "2024-06-30"}
    sources = [docs / "violated.yaml", docs / "missing.yaml", str(docs / "bad.yaml"), mapping,
               docs / "broken.json", str(docs / "clean.yaml")]
    items = list(check_many(sources))
    assert [i.source for i in items] == [str(docs / "violated.yaml"), str(docs / "missing.yaml"),
                                         str(docs / "bad.yaml"), "<mapping 3>", str(docs / "broken.json"),
                                         str(docs / "clean.yaml")]
    assert [i.ok for i in items] == [True, False, False, True, False, True]
    assert [i.exit_status for i in items] == [1, 2, 2, 0, 2, 0]
    assert items[0].report.unit == "u-small" and items[0].report.violations
    for item in items:
        assert isinstance(item, BatchItem)
        assert (item.report is None) == (item.error is not None)
        if item.error is not None:
            assert isinstance(item.error, PartyrulesError) and item.source in str(item.error)
    assert isinstance(items[1].error, SourceError) and "no such file" in str(items[1].error)
    assert "members[0].admitted_on" in str(items[2].error)
    # each report is the one check() gives
    assert render_json(items[0].report) == render_json(partyrules.check(docs / "violated.yaml"))


def test_a_date_after_one_documents_snapshot_fails_that_document_only(docs):
    later = docs / "later.yaml"
    later.write_text(CLEAN.replace("2024-06-30", "2025-06-30"), encoding="utf-8")
    items = list(check_many([docs / "clean.yaml", later], as_of="2025-01-31"))
    assert not items[0].ok and "after the document's snapshot date" in str(items[0].error)
    assert items[1].ok and items[1].report.as_of.isoformat() == "2025-01-31"


def test_what_is_wrong_for_every_document_is_raised_at_once(docs):
    with pytest.raises(UsageError, match="as_of"):
        check_many([docs / "clean.yaml"], as_of="2024-02-30")
    with pytest.raises(UsageError, match="engine"):
        check_many([docs / "clean.yaml"], engine="nope")
    with pytest.raises(PolicyError):
        check_many([docs / "clean.yaml"], policies=[docs / "no-such-pack"])
    with pytest.raises(UsageError, match="workers"):
        check_many([docs / "clean.yaml"], workers=-1)


def test_progress_is_called_once_per_document_in_order(docs):
    seen = []
    items = list(check_many([docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml"], progress=seen.append))
    assert seen == items


def _fingerprint(items):
    return [(i.source, render_json(i.report, True) if i.ok else f"{type(i.error).__name__}: {i.error}")
            for i in items]


def test_two_workers_give_the_same_bytes_as_one(docs):
    sources = [SPEC, docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml", docs / "missing.json",
               {"format": "partyrules.facts/1", "as_of": "2024-06-30"}, docs / "broken.json"]
    one = list(check_many(sources, workers=1))
    two = list(check_many(sources, workers=2))
    assert _fingerprint(two) == _fingerprint(one)
    # errors rebuilt from the worker keep their type and details
    assert type(two[2].error) is type(one[2].error)
    assert getattr(two[2].error, "problems", None) == getattr(one[2].error, "problems", None)
    assert two[0].report.registry is not None and two[0].report == one[0].report


def test_items_are_yielded_as_they_are_done_and_any_executor_can_run_them(docs):
    from concurrent.futures import ThreadPoolExecutor
    sources = [docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml"]
    stream = check_many(sources)
    assert iter(stream) is stream                                     # an iterator, not a list
    first = next(stream)
    assert first.source == str(docs / "violated.yaml") and first.ok
    assert len(list(stream)) == 2
    want = _fingerprint(list(check_many(sources)))
    with ThreadPoolExecutor(2) as pool:
        assert _fingerprint(list(check_many(sources, executor=pool))) == want
        unordered = list(check_many(sources, executor=pool, ordered=False))
    assert sorted(_fingerprint(unordered)) == sorted(want)
    with pytest.raises(UsageError, match="Executor"):
        check_many(sources, executor="dask")


def test_workers_from_a_plain_script_without_a_main_guard(docs, tmp_path):
    """A court's nightly job is often a plain script: a pool must not re-run it (spawn would)."""
    import subprocess
    import sys
    script = tmp_path / "nightly.py"
    script.write_text(
        "import partyrules\n"
        f"items = list(partyrules.check_many([{str(docs / 'violated.yaml')!r}, {str(docs / 'clean.yaml')!r}], "
        "workers=2))\n"
        "print('RESULT', [i.exit_status for i in items])\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("RESULT") == 1 and "RESULT [1, 0]" in out.stdout


def test_directory_expansion_is_sorted_recursive_and_skips_hidden(tmp_path):
    for name in ["b.yaml", "a.json", "sub/c.yml", "sub/z/d.yaml", "notes.txt", ".hidden.yaml", ".git/e.yaml",
                 "A.yaml", "sub2.yaml"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(CLEAN, encoding="utf-8")
    rel = [p.relative_to(tmp_path).as_posix() for p in expand_directory(tmp_path)]
    assert rel == ["A.yaml", "a.json", "b.yaml", "sub/c.yml", "sub/z/d.yaml", "sub2.yaml"]
    expanded = expand_sources(["x.yaml", tmp_path / "sub", "-"])
    assert expanded == ["x.yaml", str(tmp_path / "sub" / "c.yml"), str(tmp_path / "sub" / "z" / "d.yaml"), "-"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no fact documents"):
        expand_sources([tmp_path / "empty"])
    items = list(check_many([tmp_path / "sub"]))
    assert [Path(i.source).name for i in items] == ["c.yml", "d.yaml"] and all(i.ok for i in items)


# ---- the command line -------------------------------------------------------------------------------

def test_batch_exit_statuses(docs):
    assert run("check", docs / "clean.yaml", docs / "clean.yaml")[0] == 0
    assert run("check", docs / "clean.yaml", docs / "violated.yaml")[0] == 1
    code, out, err = run("check", docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml")
    assert code == 2
    assert "u-small" in out and "members[0].admitted_on" in out
    assert err.count("\n") == 1 and str(docs / "bad.yaml") in err and "Traceback" not in err


def test_batch_table_has_one_row_per_document(docs):
    code, out, _ = run("check", docs / "violated.yaml", docs / "missing.yaml", "--lang", "en")
    assert code == 2
    lines = out.splitlines()
    assert lines[0].split() == ["file", "unit", "as", "of", "violated", "unknown", "error", "satisfied", "n/a"]
    row = next(line for line in lines if line.startswith(str(docs / "violated.yaml")))
    assert row.split()[1:3] == ["u-small", "2024-06-30"] and row.split()[3] != "0"
    assert any(str(docs / "missing.yaml") in line and "no such file" in line for line in lines)
    assert "Total: 2 documents, 1 could not be checked, 1 with violations." in out


def test_batch_json_shape(docs):
    code, out, _ = run("check", docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert set(doc) == {"format", "reports", "summary"} and doc["format"] == "partyrules.batch/1"
    reports = doc["reports"]
    assert [r["source"] for r in reports] == [str(docs / n) for n in ("violated.yaml", "bad.yaml", "clean.yaml")]
    assert set(reports[1]) == {"source", "error"} and "members[0].admitted_on" in reports[1]["error"]
    single = json.loads(run("check", docs / "violated.yaml", "--format", "json")[1])
    assert {k: v for k, v in reports[0].items() if k != "source"} == single
    assert reports[2]["format"] == "partyrules.report/1"
    summary = doc["summary"]
    assert summary["documents"] == 3 and summary["failed"] == 1 and summary["with_violations"] == 1
    assert summary["rows"][0] == {"source": str(docs / "violated.yaml"), "unit": "u-small", "as_of": "2024-06-30",
                                  **single["summary"]}
    assert summary["rows"][1] == {"source": str(docs / "bad.yaml"), "error": reports[1]["error"]}
    assert summary["outcomes"]["violated"] == single["summary"]["violated"]


def test_a_directory_is_a_batch_even_with_one_document(tmp_path):
    (tmp_path / "only.yaml").write_text(VIOLATED, encoding="utf-8")
    code, out, _ = run("check", tmp_path, "--format", "json")
    assert code == 1 and json.loads(out)["format"] == "partyrules.batch/1"


def test_jobs_do_not_change_the_output(docs):
    args = ["check", SPEC, docs / "violated.yaml", docs / "bad.yaml", docs / "clean.yaml", "--format", "json"]
    one = run(*args, "--jobs", "1")
    two = run(*args, "--jobs", "2")
    assert one == two and one[0] == 2


def test_batch_usage_errors(docs):
    code, out, err = run("check", docs / "clean.yaml", docs / "violated.yaml", "--format", "html")
    assert code == 2 and out == "" and "--format html" in err
    code, _, err = run("check", docs / "clean.yaml", docs / "violated.yaml", "--as-of", "2024-02-30")
    assert code == 2 and "as_of: expected a date" in err
    assert run("check", docs / "clean.yaml", "--jobs", "-1")[0] == 2
    (docs / "empty").mkdir()
    code, _, err = run("check", docs / "empty", docs / "clean.yaml")
    assert code == 2 and "no fact documents" in err


def test_batch_output_file_is_written_whole(docs):
    target = docs / "out" / "batch.json"
    target.parent.mkdir()
    code, out, _ = run("check", docs / "clean.yaml", docs / "violated.yaml", "--format", "json", "-o", target)
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["documents"] == 2


def test_progress_bar_only_on_a_terminal_and_for_a_long_batch(docs, monkeypatch):
    from partyrules.cli import check as check_module

    many = [docs / "clean.yaml"] * check_module.PROGRESS_MIN
    assert "checking" not in run("check", *many)[2]              # not a terminal
    monkeypatch.setattr(check_module, "_stderr_is_terminal", lambda: True)
    code, out, err = run("check", *many)
    assert code == 0 and "checking" in err and "checking" not in out
    assert "checking" not in run("check", *many[:2])[2]          # a short batch
