"""partyrules stands alone: the bundled material is reachable from an installed package, packs are named,
and what the durable extra adds is optional."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import partyrules
from partyrules.cli import main
from partyrules.engine import durable as D

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_example_prints_the_bundled_court_and_writes_it(tmp_path):
    code, out, _ = run("example")
    assert code == 0 and out == COURT.read_text(encoding="utf-8")
    target = tmp_path / "court.yaml"
    assert run("example", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == out
    code, report, _ = run("check", str(target), "--format", "json")
    assert code == 1 and json.loads(report)["unit"] == partyrules.check(COURT).unit


def test_a_bundled_pack_is_named_by_check_test_and_lint(tmp_path):
    by_name = partyrules.check(COURT, policies=["court-standards"])
    by_path = partyrules.check(COURT, policies=[ROOT / "policies" / "packs" / "court-standards"])
    assert by_name == by_path and any(r.instrument == "court-standards" for r in by_name.results)
    code, out, _ = run("test", "court-standards", "--no-coverage")
    assert code == 0 and out.rstrip().endswith("0 failed")
    code, out, _ = run("lint", "court-standards", "--search", "0")
    assert code == 0 and out.strip().endswith("files, no findings") and int(out.split()[0]) >= 5
    with pytest.raises(partyrules.PolicyError, match="bundled packs: court-standards"):
        partyrules.check(COURT, policies=["court-standard"])


def test_test_takes_a_pack_directory_as_a_path():
    """``partyrules test DIR`` on a pack loads it as a pack (it used to read its policies as scenarios)."""
    pack = ROOT / "tests" / "data" / "packs" / "mini"
    code, out, _ = run("test", str(pack), "--no-coverage")
    assert code == 0, out
    with_option = run("test", "--policies", str(pack), "--no-coverage")
    assert out == with_option[1]


def test_without_the_durable_extra_asking_for_it_says_how_to_get_it(monkeypatch):
    if sys.version_info >= (3, 13):
        pytest.skip("on 3.13 durable-rules cannot load at all (tested in test_session)")
    monkeypatch.setattr(D, "durable_available", lambda: (False, "ModuleNotFoundError: No module named 'durable'"))
    with pytest.raises(partyrules.UsageError) as err:
        partyrules.check(COURT, engine="durable")
    assert 'pip install "partyrules[durable]"' in str(err.value) and "\n" not in str(err.value)
    code, _, stderr = run("check", str(COURT), "--engine", "durable")
    assert code == 2 and "partyrules[durable]" in stderr and stderr.count("\n") == 1


def test_the_package_is_typed():
    assert (Path(partyrules.__file__).parent / "py.typed").is_file()


@pytest.mark.slow
def test_a_wheel_used_outside_the_repository_writes_and_checks_the_example(tmp_path):
    """Build the wheel, unpack it away from the checkout, and run the quick start from there."""
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip()[-300:]}")
    wheel = next(dist.glob("partyrules-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "partyrules/py.typed" in names
        assert "partyrules/_builtin/examples/court.yaml" in names
        assert any(n.startswith("partyrules/_builtin/policies/packs/court-standards/") for n in names)
        zf.extractall(site)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "partyrules", *args], cwd=away, env=env,
                              capture_output=True, text=True, timeout=300)

    where = subprocess.run([sys.executable, "-c", "import partyrules; print(partyrules.__file__)"], cwd=away,
                           env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stdout         # the unpacked wheel, not the checkout
    assert cli("example", "-o", "court.yaml").returncode == 0
    checked = cli("check", "court.yaml", "--policies", "court-standards")
    assert checked.returncode == 1 and "court-standards" in cli("check", "court.yaml", "--format", "json",
                                                                "--policies", "court-standards").stdout


def test_nothing_in_the_repository_points_outside_it():
    """No test, doc, script or default may read the material beside the clone, or an absolute path of the
    machine it was written on (the folder the checkout sits in)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist)")
    beside = ".." + "/" + "shared"          # spelled in parts so that this line is not a finding itself
    outside = [("-e", beside), ("-e", f"{ROOT.parent}/")]
    found = subprocess.run(["git", "grep", "-n", "-F", *[x for pair in outside for x in pair]], cwd=ROOT,
                           capture_output=True, text=True)
    assert found.returncode == 1, f"lines pointing outside the repository:\n{found.stdout[:2000]}"
