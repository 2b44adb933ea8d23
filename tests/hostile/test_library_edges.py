"""Hostile cases that only the library can pose: sessions, batches, output writing, text escaping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import partyrules
from partyrules.batch import check_many, expand_directory
from partyrules.cli.output import OutputError, write_output
from partyrules.errors import PartyrulesError, WorkerError
from partyrules.facts.load import load_facts
from partyrules.report.safe_text import safe_block, safe_line, safe_text

from .generate import GENERATED

HERE = Path(__file__).resolve().parent
COURT = {"format": "partyrules.facts/1", "as_of": "2024-06-30",
         "unit": {"id": "u1", "staff_total": 10},
         "organizations": [{"id": "o1", "kind": "branch"}],
         "members": [{"id": "m1", "org": "o1"}]}


# ---- sessions validate like the loader ------------------------------------------------------------

@pytest.mark.parametrize("kind, record, fragment", [
    ("member", {"id": "m9", 1: "x"}, "field names are strings"),
    ("member", {"id": "m9", "name": "o\udc80"}, "lone surrogate"),
    ("unit", {"id": "u1", "staff_total": 10 ** 5000}, "too large"),
    ("unit", {"id": "u1", "staff_total": 2 ** 60}, "up to 9007199254740991"),
    ("meeting", {"org": "o1", "kind": "general_meeting", "date": "2024-07-01"}, "after the document's as_of"),
])
def test_session_refuses_what_the_loader_refuses(kind, record, fragment):
    with partyrules.open_session(dict(COURT)) as session:
        before = session.results().summary
        with pytest.raises(PartyrulesError, match=fragment):
            session.assert_fact(kind, record)
        assert session.results().summary == before          # the change was undone, results still work


@pytest.mark.parametrize("data, fragment", [
    ({**COURT, "unit": {"id": "u1", None: 1}}, "mapping key None must be a string or an integer"),
    ({**COURT, "unit": {"id": "u1", True: 1}}, "mapping key True"),
    ({**COURT, "unit": {"id": "u1", "name": float("nan")}}, "not a finite number"),
    ({**COURT, "unit": {"id": "u1", "name": "x" * 70_000}}, "longer than the 65536 allowed"),
])
def test_mappings_from_programs_are_checked_like_files(data, fragment):
    with pytest.raises(PartyrulesError, match=fragment):
        load_facts(data)


def test_loading_is_linear_in_organizations(tmp_path):
    for name in ("parent_chain", "dangling_refs"):
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(GENERATED[name]())
        start = time.monotonic()
        try:
            load_facts(path)
        except PartyrulesError:
            pass
        assert time.monotonic() - start < 10, name


def test_each_cycle_is_named_once_from_its_first_organization():
    data = {"format": "partyrules.facts/1", "organizations": [
        {"id": "a", "kind": "branch", "parent": "b"}, {"id": "b", "kind": "branch", "parent": "c"},
        {"id": "c", "kind": "branch", "parent": "a"}, {"id": "d", "kind": "branch", "parent": "a"},
        {"id": "e", "kind": "branch", "parent": "e2"}, {"id": "e2", "kind": "branch", "parent": "e"}]}
    with pytest.raises(PartyrulesError) as info:
        load_facts(data)
    cycles = [m for _, m, _ in info.value.problems if "cycle" in m]
    assert cycles == ["parents form a cycle: a → b → c → a", "parents form a cycle: e → e2 → e"]


# ---- batches ---------------------------------------------------------------------------------------

def _write(folder: Path, name: str, unit: str = "u1") -> Path:
    path = folder / name
    path.write_text(f"format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {{id: {unit}}}\n", encoding="utf-8")
    return path


def test_directories_list_only_regular_files(tmp_path):
    _write(tmp_path, "a.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "dir.yaml").mkdir()
    _write(tmp_path / "dir.yaml", "inner.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "a.yaml")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_directory(tmp_path)]
    assert found == ["a.yaml", "dir.yaml/inner.yaml", "link.yaml"]


def test_a_killed_worker_costs_only_its_document(tmp_path):
    for unit in ("a", "b", "kill-me", "d", "e"):
        _write(tmp_path, f"{unit}.yaml", unit)
    items = list(check_many([tmp_path], policies=[HERE / "packs" / "killer"], builtin=False, workers=2))
    assert [Path(i.source).name for i in items] == ["a.yaml", "b.yaml", "d.yaml", "e.yaml", "kill-me.yaml"]
    assert [i.ok for i in items] == [True, True, True, True, False]
    assert isinstance(items[-1].error, WorkerError) and "died" in str(items[-1].error)


def test_a_bad_document_is_one_item_and_the_batch_goes_on(tmp_path):
    _write(tmp_path, "a.yaml")
    (tmp_path / "b.yaml").write_text("format: partyrules.facts/1\nmembers: [{id: m1, 1: x}]\n")
    _write(tmp_path, "c.yaml")
    items = list(check_many([tmp_path]))
    assert [i.ok for i in items] == [True, False, True]


# ---- output ----------------------------------------------------------------------------------------

def test_a_new_output_gets_the_umask_and_an_old_one_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_output("x\n", str(tmp_path / "new.txt"))
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640
    (tmp_path / "old.txt").write_text("old")
    (tmp_path / "old.txt").chmod(0o604)
    write_output("y\n", str(tmp_path / "old.txt"))
    assert (tmp_path / "old.txt").read_text() == "y\n"
    assert (tmp_path / "old.txt").stat().st_mode & 0o777 == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt", "old.txt"]


def test_the_output_is_refused_when_it_is_an_input(tmp_path):
    court = _write(tmp_path, "court.yaml")
    before = court.read_bytes()
    with pytest.raises(OutputError, match="is also an input"):
        write_output("report", str(court), [str(court)])
    (tmp_path / "hard.yaml").hardlink_to(court)
    with pytest.raises(OutputError, match="is also an input"):
        write_output("report", str(tmp_path / "hard.yaml"), [str(court)])
    assert court.read_bytes() == before


def test_streams_are_written_into_never_replaced(tmp_path):
    write_output("to nowhere\n", os.devnull)
    assert Path(os.devnull).exists() and not Path(os.devnull).is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("anonymous", [True, False])
def test_sigterm_during_the_write_leaves_no_temporary_file(tmp_path, anonymous):
    script = textwrap.dedent(f"""
        import os, signal
        import partyrules.cli.output as output
        if not {anonymous}:
            output._open_anonymous = lambda folder: None
        real_write = os.write
        def write(fd, data):
            os.kill(os.getpid(), signal.SIGTERM)      # the signal arrives in the middle of the write
            return real_write(fd, data)
        output.os.write = write
        output.write_output("report\\n", {str(tmp_path / "out.txt")!r})
        print("not reached")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert b"not reached" not in proc.stdout
    assert list(tmp_path.iterdir()) == []


# ---- text shown to people --------------------------------------------------------------------------

def test_control_and_bidi_characters_are_shown_escaped():
    assert safe_text("\x1b]0;pwned\x07\x1b[2J") == "\\u001b]0;pwned\\u0007\\u001b[2J"
    assert safe_text("gpj\u202eexe\u2066") == "gpj\\u202eexe\\u2066"
    assert safe_text("a\rb\bc\x9b") == "a\\u000db\\u0008c\\u009b"
    assert safe_text("法院 · ok\t") == "法院 · ok\\u0009"
    assert safe_block("line 1\nline\x1b 2\n") == "line 1\nline\\u001b 2\n"
    assert safe_line("one\ntwo\r\nthree") == "one two three"
    assert safe_text("n" * 500, 200) == "n" * 200 + "…(+300 characters)"


def test_html_escapes_controls_too(tmp_path):
    from partyrules.report.render import render_html
    court = tmp_path / "court.yaml"
    court.write_text('format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {id: u1, name: "<b>\\e[2J\\u202e"}\n')
    page = render_html(partyrules.check(court), all_results=True)
    assert "\x1b" not in page and "\u202e" not in page and "&lt;b&gt;" in page
    assert "\\u001b[2J\\u202e" in page


def test_a_batch_with_a_bad_document_writes_its_summary_and_exits_2(tmp_path):
    # the documented exception to "exit 2: nothing on standard output" (README, cli/check.py)
    from click.testing import CliRunner

    from partyrules.cli import main
    _write(tmp_path, "a.yaml")
    (tmp_path / "b.yaml").write_text("format: partyrules.facts/1\nmembers: [{id: m1, 1: x}]\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2
    assert "a.yaml" in result.stdout and "b.yaml" in result.stdout and "Total: 2 documents, 1 could not" in result.stdout
    assert "b.yaml: members[0][1]: unknown field 1" in result.stderr
