"""The on-disk rulebook cache (docs/cache.md): a hit reads nothing but the entry, any change of the rulebook,
of partyrules or of Python misses, damage and unusable folders only mean no cache, and a check says the
same bytes with the cache cold, warm or off."""

import ast
import hashlib
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import partyrules.version
from partyrules import api
from partyrules.citations import builtin_policies_dir
from partyrules.report.render import render_json
from partyrules.errors import PolicyError
from partyrules.rulebook import disk_cache, load
from partyrules.rulebook.load import clear_rulebook_cache, load_rulebook, rulebook_digest

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
MINI = Path(__file__).parent / "data" / "packs" / "mini"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own, and no rulebook loaded in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PARTYRULES_CACHE_DIR", str(folder))
    monkeypatch.delenv("PARTYRULES_NO_CACHE", raising=False)
    clear_rulebook_cache()
    yield folder
    clear_rulebook_cache()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(disk_cache.PREFIX + "*" + disk_cache.SUFFIX)) if folder.is_dir() else []


def fresh(*args, **kwargs):
    """A load as a new process does it: nothing in memory."""
    clear_rulebook_cache()
    return load_rulebook(*args, **kwargs)


def no_loading_from_files(monkeypatch):
    """Make checking a policy fail: a load that still works came from the cache."""
    def refuse(*_a, **_k):
        raise AssertionError("a policy was read from its file")
    monkeypatch.setattr(load, "policy_from_data", refuse)


def expressions(policy):
    return ([policy.where] if policy.where is not None else []) + [policy.require] \
        + [u.when for u in policy.unless] + [e for _name, e in policy.evidence]


def bound(fn) -> dict:
    """What a generated function's names are bound to; an ``ast`` operator (read by its type) by its type,
    a derived fact's caller (a function made per call site) by the fact and number of arguments it calls."""
    return {k: type(v) if isinstance(v, ast.AST) else getattr(v, "derived_call", v)
            for k, v in fn.__globals__.items() if k != "_expr"}


def assert_same_rulebook(a, b):
    assert a.policies == b.policies and a.params == b.params and a.registry == b.registry
    assert a.packs == b.packs and a.digest == b.digest
    # a pack's derived.py is imported again by every load (cached or not): the same definitions, new functions
    assert {n: (d.fn.__qualname__, d.fn.__code__.co_filename, d.args, d.returns) for n, d in a.derived.items()} == \
        {n: (d.fn.__qualname__, d.fn.__code__.co_filename, d.args, d.returns) for n, d in b.derived.items()}
    for pa, pb in zip(a.policies, b.policies):
        assert (pa.source, pa.line, pa.examples) == (pb.source, pb.line, pb.examples)
        for ea, eb in zip(expressions(pa), expressions(pb)):
            assert ast.dump(ea.tree, include_attributes=True) == ast.dump(eb.tree, include_attributes=True)
            assert getattr(ea.fn, "source", None) == getattr(eb.fn, "source", None)
            if hasattr(ea.fn, "__code__") and hasattr(eb.fn, "__code__"):    # the same compiled function
                assert ea.fn.__code__ == eb.fn.__code__
                assert bound(ea.fn) == bound(eb.fn)


def report_text(book) -> str:
    return render_json(api.check(COURT, rulebook=book), all_results=True)


# ------------------------------------------------------------------------------------------------ hits and misses

def test_a_second_load_reads_the_entry_and_builds_the_same_rulebook(cache, monkeypatch):
    first = fresh()
    assert len(entries(cache)) == 1
    no_loading_from_files(monkeypatch)
    second = fresh()
    assert second is not first
    assert_same_rulebook(first, second)
    assert report_text(first) == report_text(second)


def test_results_are_the_same_bytes_cold_warm_and_off(cache, monkeypatch):
    cold = report_text(fresh())
    warm = report_text(fresh())
    off = report_text(fresh(disk_cache=False))
    monkeypatch.setenv("PARTYRULES_NO_CACHE", "1")
    off_by_env = report_text(fresh())
    assert cold == warm == off == off_by_env


def test_the_command_says_the_golden_bytes_cold_warm_and_off(tmp_path):
    folder = tmp_path / "cache"
    outs = []
    for extra in ({}, {}, {"PARTYRULES_NO_CACHE": "1"}):       # cold (empty folder), warm, off
        env = {k: v for k, v in os.environ.items() if k != "PARTYRULES_NO_CACHE"}
        env.update(PARTYRULES_CACHE_DIR=str(folder), **extra)
        proc = subprocess.run([sys.executable, "-m", "partyrules", "check", str(COURT)], capture_output=True,
                              env=env, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == b""
        outs.append(proc.stdout)
        assert len(entries(folder)) == 1
    assert outs[0] == outs[1] == outs[2]
    masked = re.sub(r"sha256:[0-9a-f]{6,64}", "sha256:<rulebook digest>", outs[0].decode("utf-8"))   # as test_cli
    assert masked == (GOLDEN / "court.txt").read_text(encoding="utf-8")


def test_disk_cache_false_and_the_variable_turn_it_off(cache, monkeypatch):
    fresh(disk_cache=False)
    assert entries(cache) == []
    for value in ("1", "yes", "true"):
        monkeypatch.setenv("PARTYRULES_NO_CACHE", value)
        assert disk_cache.cache_folder() is None
    monkeypatch.setenv("PARTYRULES_NO_CACHE", "0")
    assert disk_cache.cache_folder() == cache


def test_an_edited_pack_misses_and_is_seen(cache, tmp_path, monkeypatch):
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack)
    before = fresh([pack], builtin=False)
    policy_file = next(pack.glob("mini-rules/2024/*.yaml"))
    text = policy_file.read_text(encoding="utf-8")
    assert "severity: error" in text or "severity: warning" in text
    edited = text.replace("severity: error", "severity: X").replace("severity: warning", "severity: error") \
                 .replace("severity: X", "severity: warning")
    policy_file.write_text(edited, encoding="utf-8")
    after = fresh([pack], builtin=False)
    assert after.digest != before.digest
    assert [p.severity for p in after.policies] != [p.severity for p in before.policies]
    assert len(entries(cache)) == 2
    policy_file.write_text(text, encoding="utf-8")         # back to the first content: its entry again
    no_loading_from_files(monkeypatch)
    assert_same_rulebook(fresh([pack], builtin=False), before)


@pytest.mark.parametrize("change", ["unregistered instrument folder", "unregistered edition folder",
                                    "policy file outside an edition"])
@pytest.mark.parametrize("where", ["memory", "disk"])
def test_a_change_of_folders_alone_is_seen_by_both_caches(cache, tmp_path, change, where):
    """Folders decide a load without being files of the digest: a rulebook cached before one was added
    (in this process, or on disk by an earlier one) must not hide the error loading now gives."""
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack)
    fresh([pack], builtin=False)                           # stored in memory and on disk
    instrument = next(p for p in pack.iterdir() if p.is_dir() and (p / "2024").is_dir())
    if change == "unregistered instrument folder":
        (pack / "notes").mkdir()
    elif change == "unregistered edition folder":
        (instrument / "2031").mkdir()
    else:
        shutil.copy(next(instrument.glob("2024/*.yaml")), instrument / "stray.yaml")
    with pytest.raises(PolicyError):
        if where == "memory":
            load_rulebook([pack], builtin=False)
        else:
            fresh([pack], builtin=False)


def test_a_pack_keeps_its_derived_facts_on_a_hit(cache, monkeypatch):
    first = fresh([MINI])
    no_loading_from_files(monkeypatch)
    second = fresh([MINI])
    assert set(second.derived) == set(first.derived) and second.packs == first.packs
    assert report_text(first) == report_text(second)


def test_another_version_python_or_folder_is_another_key():
    dirs = [builtin_policies_dir().resolve()]
    digest = rulebook_digest(dirs)
    key = disk_cache.entry_key(digest, dirs)
    assert disk_cache.entry_key(digest, dirs) == key
    assert disk_cache.entry_key("sha256:other", dirs) != key
    assert disk_cache.entry_key(digest, [Path("/elsewhere/policies")]) != key


def test_another_pyyaml_is_another_key(monkeypatch):
    import yaml
    dirs = [builtin_policies_dir().resolve()]
    key = disk_cache.entry_key("sha256:x", dirs)
    monkeypatch.setattr(yaml, "__version__", yaml.__version__ + ".post1")
    assert disk_cache.entry_key("sha256:x", dirs) != key


def test_a_new_partyrules_version_misses(cache, monkeypatch):
    fresh()
    monkeypatch.setattr(partyrules.version, "__version__", partyrules.version.__version__ + ".dev1")
    fresh()
    assert len(entries(cache)) == 2


def test_another_python_misses(cache, monkeypatch):
    fresh()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    fresh()
    assert len(entries(cache)) == 2


def test_a_rulebook_file_changed_while_loading_is_not_stored(cache, tmp_path, monkeypatch):
    pack = tmp_path / "mini"
    shutil.copytree(MINI, pack)
    real = load.compile_all

    def compile_then_edit(exprs):       # the last step of loading from the files
        real(exprs)
        (pack / "parameters" / "mini.yaml").write_text(
            (pack / "parameters" / "mini.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")

    monkeypatch.setattr(load, "compile_all", compile_then_edit)
    fresh([pack], builtin=False)
    assert entries(cache) == []


# ------------------------------------------------------------------------------------------ damage and folders

def test_a_corrupt_entry_is_ignored_and_written_again(cache):
    reference = fresh()
    [path] = entries(cache)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_rulebook(fresh(), reference)
    assert path.read_bytes() == good


@pytest.fixture(scope="module")
def stored_entry(tmp_path_factory):
    """A valid entry of the built-in rulebook: its folder, key and bytes, and the rulebook loaded from files."""
    folder = tmp_path_factory.mktemp("damage")
    dirs = [builtin_policies_dir().resolve()]
    clear_rulebook_cache()
    reference = load_rulebook(disk_cache=False)
    key = disk_cache.entry_key(reference.digest, dirs)
    assert disk_cache.write_entry(folder, key, load.rulebook_entry(reference))
    return folder, key, disk_cache.entry_path(folder, key).read_bytes(), reference


@given(data=st.data())
def test_random_damage_is_never_read_and_never_raises(stored_entry, data):
    folder, key, good, reference = stored_entry
    blob = bytearray(good)
    how = data.draw(st.sampled_from(["cut", "flip", "garbage", "splice"]))
    if how == "cut":
        blob = blob[: data.draw(st.integers(0, len(blob) - 1))]
    elif how == "flip":
        for i in data.draw(st.lists(st.integers(0, len(blob) - 1), min_size=1, max_size=8, unique=True)):
            blob[i] ^= data.draw(st.integers(1, 255))
    elif how == "garbage":
        blob = bytearray(data.draw(st.binary(max_size=2000)))
    else:
        at = data.draw(st.integers(0, len(blob)))
        blob[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    path = disk_cache.entry_path(folder, key)
    try:
        path.write_bytes(bytes(blob))
        got = disk_cache.read_entry(folder, key)
        if got is not None:        # damage that left the bytes whole (a garbage draw of the entry itself)
            assert_same_rulebook(load.rulebook_from_entry(got, [builtin_policies_dir().resolve()], reference.digest),
                                 reference)
    finally:
        path.write_bytes(good)


def test_the_stored_entry_rebuilds_the_rulebook(stored_entry):
    folder, key, _good, reference = stored_entry
    rebuilt = load.rulebook_from_entry(disk_cache.read_entry(folder, key), [builtin_policies_dir().resolve()],
                                reference.digest)
    assert_same_rulebook(rebuilt, reference)


class Planted:
    def __reduce__(self):
        return (os.system, ("echo planted",))


def test_an_entry_naming_other_code_is_refused(cache):
    fresh()
    [path] = entries(cache)
    key = path.name[len(disk_cache.PREFIX):-len(disk_cache.SUFFIX)]
    payload = pickle.dumps({"policies": Planted()})
    path.write_bytes(disk_cache.MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode()
                     + b"\n" + payload)
    assert disk_cache.read_entry(cache, key) is None


def test_an_entry_of_another_key_or_shape_is_a_miss(cache):
    cache.mkdir(mode=0o700)
    assert disk_cache.write_entry(cache, "a" * 64, {"policies": "not a tuple"})
    os.replace(disk_cache.entry_path(cache, "a" * 64), disk_cache.entry_path(cache, "b" * 64))
    assert disk_cache.read_entry(cache, "b" * 64) is None           # the key inside is a's
    assert disk_cache.write_entry(cache, "c" * 64, ["a list"])
    assert load.rulebook_from_entry(disk_cache.read_entry(cache, "c" * 64), [], "") is None


def test_an_unusable_folder_means_no_cache_and_no_noise(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PARTYRULES_CACHE_DIR", str(blocker / "cache"))
    reference = fresh(disk_cache=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_rulebook(fresh(), reference)
    assert capsys.readouterr() == ("", "")
    clear_rulebook_cache()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("PARTYRULES_CACHE_DIR", str(shared))
    assert disk_cache.cache_folder() is None
    fresh()
    assert entries(shared) == []
    clear_rulebook_cache()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="POSIX permissions (root writes anyway)")
def test_a_read_only_folder_means_no_cache(cache):
    cache.mkdir(mode=0o700)
    cache.chmod(0o500)
    try:
        reference = fresh(disk_cache=False)
        assert_same_rulebook(fresh(), reference)
        assert entries(cache) == []
    finally:
        cache.chmod(0o700)


def test_no_home_means_no_cache(monkeypatch):
    for name in ("PARTYRULES_CACHE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    if sys.platform != "win32":
        assert disk_cache.cache_folder() is None


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG folder is Linux's")
def test_the_user_folder_follows_xdg(tmp_path):
    assert disk_cache.cache_folder({"XDG_CACHE_HOME": str(tmp_path / "xdg")}) == tmp_path / "xdg" / "partyrules"
    # a relative XDG_CACHE_HOME is to be ignored (the XDG rules): the home's .cache
    assert disk_cache.cache_folder({"XDG_CACHE_HOME": "relative", "HOME": str(tmp_path / "home")}) == \
        tmp_path / "home" / ".cache" / "partyrules"
    assert disk_cache.cache_folder({"HOME": str(tmp_path / "home")}) == tmp_path / "home" / ".cache" / "partyrules"


# ------------------------------------------------------------------------------------ concurrency and its size

def test_threads_writing_and_reading_one_key_see_whole_entries(cache):
    cache.mkdir(mode=0o700)
    value = {"policies": tuple(range(2000)), "text": "x" * 100_000}
    seen, errors = [], []

    def writer():
        for _ in range(15):
            if not disk_cache.write_entry(cache, "d" * 64, value):
                errors.append("a write failed")

    def reader():
        for _ in range(40):
            got = disk_cache.read_entry(cache, "d" * 64)
            if got is not None:
                seen.append(got == value)

    threads = [threading.Thread(target=writer) for _ in range(4)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(seen)
    assert disk_cache.read_entry(cache, "d" * 64) == value
    assert [p.name for p in cache.iterdir()] == [disk_cache.entry_path(cache, "d" * 64).name]


def test_processes_loading_at_once_agree(tmp_path):
    folder = tmp_path / "cache"
    env = dict(os.environ, PARTYRULES_CACHE_DIR=str(folder))
    env.pop("PARTYRULES_NO_CACHE", None)
    procs = [subprocess.Popen([sys.executable, "-m", "partyrules", "check", str(COURT), "--format", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
             for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 1 for p in procs), [err for _out, err in outs]
    assert all(err == b"" for _out, err in outs)
    assert len({out for out, _err in outs}) == 1
    assert len(entries(folder)) == 1 and not list(folder.glob(".tmp-*"))


def test_only_the_newest_entries_are_kept(cache):
    cache.mkdir(mode=0o700)
    for i in range(disk_cache.KEEP + 3):
        key = f"{i:064x}"
        assert disk_cache.write_entry(cache, key, i)
        os.utime(disk_cache.entry_path(cache, key), (1_000_000 + i, 1_000_000 + i))
    disk_cache.prune(cache)
    kept = sorted(int(p.name[len(disk_cache.PREFIX):-len(disk_cache.SUFFIX)], 16) for p in entries(cache))
    assert kept == list(range(3, disk_cache.KEEP + 3))


def test_a_temporary_file_left_by_a_dead_writer_is_removed(cache):
    cache.mkdir(mode=0o700)
    stale, young = cache / (".tmp-dead" + disk_cache.SUFFIX), cache / (".tmp-busy" + disk_cache.SUFFIX)
    stale.write_bytes(b"half an entry")
    young.write_bytes(b"being written")
    os.utime(stale, (1_000_000, 1_000_000))
    disk_cache.prune(cache)
    assert not stale.exists() and young.exists()

