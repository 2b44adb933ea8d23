"""Fuzzing the loaders: random mutations of valid fact documents and policies.

Whatever the mutation, the only outcomes allowed are a report (whose JSON is
valid and whose table holds no raw control character) or a
:class:`PartyrulesError`, each within a time and a memory bound. The short runs
are part of every test run; the ``slow`` ones search much longer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

import partyrules
from partyrules.errors import PartyrulesError
from partyrules.report.render import render_json, render_table
from partyrules.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
SEED_FACTS = [ROOT / "examples" / "court.yaml", ROOT / "tests" / "data" / "example-court.yaml"]
MINI_PACK = ROOT / "tests" / "data" / "packs" / "mini"
SEED_POLICIES = sorted((MINI_PACK / "mini-rules").rglob("*.yaml"))
SECONDS = 20                      # per example, on a shared machine
PEAK_BYTES = 400 * 1024 ** 2      # traced allocations of one example
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TOKENS = ["&a ", "*a", "!!python/object/apply:os.system ", "!!binary ", "<<: ", "{", "}", "[", "]", ", ",
          "yes", "on", "0777", "1:30", "0x1F", "1_000", "~", "\x00", "\x1b[2J", "\u202e", "9" * 400, "1e999",
          ".nan", "-.inf", "- ", ": ", "\n", "\n  ", "'", '"', "\\udc80", "\n---\n", "%YAML 1.1\n---\n",
          "{n:1000000000}", "{n:.1}", "{subject!r}", "{0}", "{members.__class__}", "2024-13-01", "9999-12-31",
          "٢٠٢٤-٠١", "null", "[]", "{}", "? ", "|\n", ">-\n", "#", "\t", "\r", "1: x", "~: x"]

FAST = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
# the slow set searches longer; PARTYRULES_FUZZ_EXAMPLES=2000 searches much longer still
THOROUGH = settings(max_examples=int(os.environ.get("PARTYRULES_FUZZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@st.composite
def mutated_text(draw, seeds: list[Path]) -> str:
    text = draw(st.sampled_from(seeds)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        if op == "insert":
            piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)))
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif op == "replace":
            piece = draw(st.sampled_from(TOKENS))
            text = text[:at] + piece + text[at + len(piece):]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:at] + text[at:end] * draw(st.integers(2, 50)) + text[at:]
    return text


HOSTILE_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10 ** 20, max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20), st.sampled_from(TOKENS),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers(), st.none()), st.integers(), max_size=3),
)


@st.composite
def mutated_mapping(draw) -> dict:
    data = yaml.safe_load(draw(st.sampled_from(SEED_FACTS)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        node, container, key = data, None, None
        for _depth in range(draw(st.integers(1, 4))):
            keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            container, key = node, draw(st.sampled_from(keys))
            if not isinstance(node[key], (dict, list)) or draw(st.booleans()):
                break
            node = node[key]
        if container is None:
            continue
        if isinstance(container, dict) and draw(st.booleans()):
            container[draw(HOSTILE_VALUES.filter(lambda k: isinstance(k, (str, int)) or k is None))] = \
                draw(HOSTILE_VALUES)
        else:
            container[key] = draw(HOSTILE_VALUES)
    return data


def only_a_report_or_an_error(run) -> None:
    """Run ``run()`` (which returns a report) within the bounds; a PartyrulesError is fine too."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        report = run()
    except PartyrulesError as exc:
        assert str(exc).strip()
        report = None
    finally:
        took = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert took < SECONDS, f"{took:.1f}s"
    assert peak < PEAK_BYTES, f"{peak / 1024 ** 2:.0f} MiB"
    if report is not None:
        text = render_json(report, all_results=True)
        json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON report"))
        text.encode("utf-8")
        assert RAW.search(render_table(report, lang="en")) is None


def check_text(text: str, suffix: str = ".yaml") -> None:
    folder = Path(tempfile.mkdtemp(prefix="partyrules-fuzz-"))
    try:
        path = folder / f"facts{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        only_a_report_or_an_error(lambda: partyrules.check(path))
    finally:
        shutil.rmtree(folder)


def check_policy_text(text: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="partyrules-fuzz-"))
    try:
        pack = folder / "pack"
        shutil.copytree(MINI_PACK, pack)
        target = pack / SEED_POLICIES[0].relative_to(MINI_PACK)
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        court = folder / "court.yaml"
        shutil.copy(SEED_FACTS[1], court)
        # a fresh folder per example: the rulebook cache never sees a changed file under an old name
        only_a_report_or_an_error(lambda: (load_rulebook([pack], builtin=False),
                                           partyrules.check(court, policies=[pack], builtin=False))[1])
    finally:
        shutil.rmtree(folder)


@FAST
@given(mutated_text(SEED_FACTS))
def test_mutated_fact_text_quick(text):
    check_text(text)


@FAST
@given(mutated_mapping())
def test_mutated_fact_mapping_quick(data):
    only_a_report_or_an_error(lambda: partyrules.check(data))


@FAST
@given(mutated_text(SEED_POLICIES))
def test_mutated_policy_quick(text):
    check_policy_text(text)


@pytest.mark.slow
@THOROUGH
@given(mutated_text(SEED_FACTS))
def test_mutated_fact_text(text):
    check_text(text)


@pytest.mark.slow
@THOROUGH
@given(mutated_text(SEED_FACTS))
def test_mutated_fact_text_as_json(text):
    try:
        data = yaml.safe_load(text)
        text = json.dumps(data, default=str, ensure_ascii=False)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):     # not data JSON can hold: fuzz the text
        pass
    check_text(text, ".json")


@pytest.mark.slow
@THOROUGH
@given(mutated_mapping())
def test_mutated_fact_mapping(data):
    only_a_report_or_an_error(lambda: partyrules.check(data))


@pytest.mark.slow
@THOROUGH
@given(mutated_text(SEED_POLICIES))
def test_mutated_policy(text):
    check_policy_text(text)
