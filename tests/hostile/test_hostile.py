"""The hostile corpus (cases.yaml): every case through the command and through the library.

Each case names the exit status and a fragment of the message; on top of that,
every run must be fast, must stay under a memory limit, must print no traceback
and no "internal error", and must never let a raw control or bidi character
reach the terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import partyrules
from partyrules.errors import PartyrulesError
from partyrules.report.render import render_json, render_table
from partyrules.rulebook.load import load_rulebook

from .generate import GENERATED

HERE = Path(__file__).resolve().parent
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
MINI_INSTRUMENTS = HERE.parent / "data" / "packs" / "derived-bug" / "instruments.yaml"
MEMORY_LIMIT = 3 * 1024 ** 3          # address space of one command run
DEFAULT_SECONDS = 30
# what a terminal would act on: C0 controls but tab and newline, DEL, C1, bidi controls
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CLEAN = ("format: partyrules.facts/1\nas_of: 2024-06-30\nrecords_from: 2024-01-01\n"
         "unit: {id: u1, name: Clean, staff_total: 5}\n")
SLOW_GENERATED = {"parent_chain", "parent_cycle", "million_list"}


def _marks(case: dict) -> list:
    return [pytest.mark.slow] if case.get("generate") in SLOW_GENERATED else []


def _params(kinds: tuple[str, ...], slow: bool = False) -> list:
    """``slow``: the command-line runs of documents and policies (a second each) are in the slow set;
    the quick loop runs them through the library, and the path cases (command line only) always."""
    return [pytest.param(c, id=c["name"], marks=[pytest.mark.slow] if slow else _marks(c))
            for c in CASES if c["kind"] in kinds]


def test_the_manifest_is_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for c in CASES:
        assert c["kind"] in ("facts", "policy", "path") and isinstance(c["exit"], int), c
        assert ("setup" in c) == (c["kind"] == "path"), c
        assert sum(k in c for k in ("text", "bytes", "generate", "setup")) == 1, c
        assert c.get("generate") is None or c["generate"] in GENERATED, c
        assert c.get("setup") is None or c["setup"] in SETUPS, c


# ---- writing a case's files ---------------------------------------------------------------------

def content(case: dict) -> bytes:
    if "text" in case:
        return case["text"].encode("utf-8")
    if "bytes" in case:
        return case["bytes"].encode("latin-1")
    return GENERATED[case["generate"]]()


def write_facts(case: dict, folder: Path) -> Path:
    path = folder / (case["name"] + case.get("suffix", ".yaml"))
    path.write_bytes(content(case))
    return path


def write_pack(case: dict, folder: Path) -> Path:
    pack = folder / "pack"
    (pack / "mini-rules" / "2024").mkdir(parents=True)
    shutil.copy(MINI_INSTRUMENTS, pack / "instruments.yaml")
    (pack / "mini-rules" / "2024" / "hostile.yaml").write_bytes(content(case))
    return pack


# ---- running --------------------------------------------------------------------------------------

def _limit_memory() -> None:   # pragma: no cover - runs in the child
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(args: list, seconds: float, cwd: Path) -> tuple[int, str, str, float]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="200")
    env.pop("PARTYRULES_DEBUG", None)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "partyrules", *map(str, args)], capture_output=True,
                          timeout=seconds + 30, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          preexec_fn=_limit_memory if sys.platform != "win32" else None)
    took = time.monotonic() - start
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
            took)


def assert_answer(case: dict, code: int, out: str, err: str, took: float) -> None:
    seconds = case.get("seconds", DEFAULT_SECONDS)
    assert took < seconds, f"{case['name']}: {took:.1f}s, bound {seconds}s"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert code == case["exit"], (code, err[-1000:], out[-1000:])
    if code == 2:
        lines = [line for line in err.splitlines() if line.startswith("partyrules: ")]
        assert lines, err[-1000:]
    assert case["message"] in (err if code == 2 else out + err), (err[-1000:], out[-1000:])
    for fragment in case.get("absent", ()):
        assert fragment not in out and fragment not in err
    raw = RAW.search(out + err)
    assert raw is None, f"raw {raw.group()!r} reached the terminal"


@pytest.mark.parametrize("case", _params(("facts",), slow=True))
def test_fact_document_on_the_command_line(case, tmp_path):
    path = write_facts(case, tmp_path)
    assert_answer(case, *run_cli(["check", path], case.get("seconds", DEFAULT_SECONDS), tmp_path))
    assert not (Path("/tmp") / "partyrules-pwned").exists()


@pytest.mark.parametrize("case", _params(("facts",)))
def test_fact_document_in_the_library(case, tmp_path):
    path = write_facts(case, tmp_path)
    load_rulebook()                                      # the cache: time the document, not the rulebook
    start = time.monotonic()
    if case["exit"] == 2:
        with pytest.raises(PartyrulesError) as info:
            partyrules.check(path)
        text = str(info.value)
    else:
        report = partyrules.check(path)
        assert report.exit_status == case["exit"]
        render_json(report).encode("utf-8")              # valid UTF-8 JSON, whatever the names
        text = render_table(report, lang="en")
    took = time.monotonic() - start
    assert took < case.get("seconds", DEFAULT_SECONDS)
    assert case["message"] in text
    for fragment in case.get("absent", ()):
        assert fragment not in text


@pytest.mark.parametrize("case", _params(("policy",), slow=True))
def test_policy_on_the_command_line(case, tmp_path):
    pack = write_pack(case, tmp_path)
    court = tmp_path / "court.yaml"
    court.write_text(CLEAN, encoding="utf-8")
    seconds = case.get("seconds", DEFAULT_SECONDS)
    args = ["check", court, "--policies", pack, "--no-builtin"] + (["--all"] if case["exit"] < 2 else [])
    assert_answer(case, *run_cli(args, seconds, tmp_path))
    code, out, err, took = run_cli(["lint", pack, "--search", "0"], seconds, tmp_path)
    assert took < seconds and "Traceback" not in err and "internal error" not in err
    if case["exit"] == 2:
        assert code in (1, 2) and case["message"] in out + err, (code, out, err)


@pytest.mark.parametrize("case", _params(("policy",)))
def test_policy_in_the_library(case, tmp_path):
    pack = write_pack(case, tmp_path)
    court = tmp_path / "court.yaml"
    court.write_text(CLEAN, encoding="utf-8")
    if case["exit"] == 2:
        with pytest.raises(PartyrulesError, match=re.escape(case["message"])):
            load_rulebook([pack], builtin=False)
        return
    report = partyrules.check(court, policies=[pack], builtin=False)
    text = render_json(report, all_results=True)
    assert case["message"] in text
    for fragment in case.get("absent", ()):
        assert fragment not in text


# ---- situations made of paths -------------------------------------------------------------------

def _clean(folder: Path, name: str = "clean.yaml") -> Path:
    path = folder / name
    path.write_text(CLEAN, encoding="utf-8")
    return path


def output_onto_input(tmp: Path) -> list:
    court = _clean(tmp)
    return ["check", court, "-o", court]


def output_symlink_to_input(tmp: Path) -> list:
    court = _clean(tmp)
    (tmp / "link.txt").symlink_to(court)
    return ["check", court, "-o", tmp / "link.txt"]


def output_onto_batch_input(tmp: Path) -> list:
    (tmp / "courts").mkdir()
    _clean(tmp / "courts", "a.yaml")
    b = _clean(tmp / "courts", "b.yaml")
    return ["check", tmp / "courts", "-o", b]


def output_into_directory(tmp: Path) -> list:
    return ["check", _clean(tmp), "-o", tmp]


def output_missing_directory(tmp: Path) -> list:
    return ["check", _clean(tmp), "-o", tmp / "missing" / "report.txt"]


def output_read_only_directory(tmp: Path) -> list:
    court = _clean(tmp)
    if os.geteuid() == 0:                 # root writes anywhere a mode allows nothing: use a folder no one may
        return ["check", court, "-o", "/proc/self/report.txt"]
    (tmp / "ro").mkdir()
    (tmp / "ro").chmod(0o555)
    return ["check", court, "-o", tmp / "ro" / "report.txt"]


def output_disk_full(tmp: Path) -> list:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    return ["check", _clean(tmp), "-o", "/dev/full"]


def fifo_in_batch_directory(tmp: Path) -> list:
    (tmp / "courts").mkdir()
    _clean(tmp / "courts")
    os.mkfifo(tmp / "courts" / "x.yaml")
    return ["check", tmp / "courts"]


def bad_document_in_batch(tmp: Path) -> list:
    (tmp / "courts").mkdir()
    _clean(tmp / "courts", "a.yaml")
    (tmp / "courts" / "b.yaml").write_text("format: partyrules.facts/1\nmembers: [{id: m1, 1: x}]\n")
    _clean(tmp / "courts", "c.yaml")
    return ["check", tmp / "courts"]


def escape_in_file_name(tmp: Path) -> list:
    (tmp / "courts").mkdir()
    _clean(tmp / "courts", "a.yaml")
    (tmp / "courts" / "bad\x1b[2J.yaml").write_text("format: partyrules.facts/1\nunit: {id: 5}\n")
    return ["check", tmp / "courts"]


def killed_worker(tmp: Path) -> list:
    (tmp / "courts").mkdir()
    for unit in ("a", "b", "kill-me", "d"):
        (tmp / "courts" / f"{unit}.yaml").write_text(
            f"format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {{id: {unit}}}\n")
    return ["check", tmp / "courts", "--policies", HERE / "packs" / "killer", "--no-builtin", "-j", "2"]


def pack_exit_on_import(tmp: Path) -> list:
    return ["check", _clean(tmp), "--policies", HERE / "packs" / "exit-on-import", "--no-builtin"]


SETUPS = {f.__name__: f for f in (
    output_onto_input, output_symlink_to_input, output_onto_batch_input, output_into_directory,
    output_missing_directory, output_read_only_directory, output_disk_full, fifo_in_batch_directory,
    bad_document_in_batch, escape_in_file_name, killed_worker, pack_exit_on_import)}


@pytest.mark.parametrize("case", _params(("path",)))
def test_paths_on_the_command_line(case, tmp_path):
    args = SETUPS[case["setup"]](tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_fifo()}
    assert_answer(case, *run_cli(args, case.get("seconds", DEFAULT_SECONDS), tmp_path))
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_fifo()}
    assert after == before                     # every case here fails: nothing written, nothing left over
