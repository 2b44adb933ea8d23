"""The durable-rules backend: its compiler, and a regression test for each measured durable-rules problem.

docs/engines.md ("What was measured about durable-rules 2.0.28") lists what
durable-rules 2.0.28 was measured to do wrong, and says how the backend designs
around each one. The tests named ``test_problem_*`` pin those designs. Those
that could crash the interpreter if the design broke run in a child process.

Run as a script for the long memory soak (docs/engines.md quotes its figure)::

    python tests/test_durable.py soak 10000
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import attrs
import pytest

pytestmark = [pytest.mark.durable]
pytest.importorskip("durable.lang", reason="needs the durable extra (pip install 'partyrules[durable]', Python 3.11/3.12): not installed or cannot load here")

import partyrules  # noqa: E402
from partyrules.engine import durable as D  # noqa: E402
from partyrules.errors import PolicyError, UsageError  # noqa: E402
from partyrules.report.render import render_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
BOOK = partyrules.load_rulebook()


def as_json(report) -> dict:
    out = json.loads(render_json(report, True))
    out.pop("engine")
    return out


def small_court(members: int = 4, **unit) -> dict:
    doc = {
        "format": "partyrules.facts/1", "as_of": "2024-06-30", "records_from": "2023-01-01",
        "unit": {"id": "court", "name": "法院", "staff_total": 100, "party_affairs_staff": 1,
                 "party_funding_in_budget": True, "leaders": ["m1"],
                 "departments": [{"id": "d1", "name": "一庭", "head": "m1", "staff": 10}]},
        "organizations": [{"id": "b1", "kind": "branch", "name": "一支部", "parent": None, "departments": ["d1"],
                           "secretary": "m1", "committee_members": [], "deputy_secretaries": [],
                           "discipline_member": None, "elections": [{"date": "2023-03-01",
                                                                     "secretary_approved_on": None}]}],
        "members": [{"id": f"m{i}", "name": f"党员{i}", "org": "b1", "status": "full", "admitted_on": "2000-01-01",
                     "full_on": "2001-01-01", "dues_paid": []} for i in range(1, members + 1)],
        "meetings": [],
    }
    if members == 0:
        doc["unit"]["leaders"] = []
        doc["unit"]["departments"][0]["head"] = None
        doc["organizations"][0]["secretary"] = None
    doc["unit"].update(unit)
    return doc


def pack(tmp_path: Path, *policies: dict) -> Path:
    """A policy pack of organization policies in organs-regulations/2019."""
    d = tmp_path / "organs-regulations" / "2019"
    d.mkdir(parents=True, exist_ok=True)
    items = []
    for i, p in enumerate(policies):
        item = {"id": p.get("id", f"test.org.p{i}"), "title": {"zh": "t", "en": "t"}, "severity": "error",
                "citations": ["organs-regulations@2019 art.7"], "applies_to": p.get("applies_to", "organization"),
                "require": p["require"], "message": {"zh": "m {subject}", "en": "m {subject}"}}
        for key in ("where", "unless", "evidence"):
            if key in p:
                item[key] = p[key]
        items.append(item)
    (d / "policies.yaml").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def only(book, prefix: str):
    return attrs.evolve(book, policies=tuple(p for p in book.policies if p.id.startswith(prefix)))


def both(doc, book, as_of=None):
    native = partyrules.check(doc, as_of, rulebook=book)
    durable = partyrules.check(doc, as_of, rulebook=book, engine="durable")
    assert durable.engine == "durable"
    assert as_json(durable) == as_json(native)
    return durable


def run_child(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a durable-rules crash must not take pytest down)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=ROOT)


def all_rulesets():
    host = D.DurableHost.get()
    for compiled, names in host._compiled.values():
        for g, name in enumerate(names):
            yield compiled, name, compiled.ruleset(g, lambda spec: D.never_called)


# ---------------------------------------------------------------------------- the engine as a whole

def test_court_reports_are_identical_to_native():
    report = both(str(COURT), BOOK)
    assert report.summary["violated"] > 0 and report.summary["unknown"] > 0


def test_cli_engine_durable_prints_the_native_report_but_for_the_engine(tmp_path):
    from click.testing import CliRunner

    from partyrules.cli import main
    runner = CliRunner()
    a = runner.invoke(main, ["check", str(COURT), "--format", "json", "--all", "--engine", "durable"])
    b = runner.invoke(main, ["check", str(COURT), "--format", "json", "--all", "--engine", "native"])
    assert a.exit_code == b.exit_code == 1, a.output[-500:]
    assert a.output.replace('"engine": "durable"', '"engine": "native"') == b.output


def test_engine_is_listed_and_named():
    assert "durable" in partyrules.api.ENGINES
    assert partyrules.api.get_engine("durable").name == "durable"


def test_unavailable_durable_is_a_usage_error_naming_python_and_the_reason(monkeypatch):
    monkeypatch.setattr(D, "durable_available", lambda: (False, "ImportError: undefined symbol: PyEval_CallObject"))
    with pytest.raises(UsageError) as err:
        partyrules.api.get_engine("durable")
    text = str(err.value)
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in text
    assert "PyEval_CallObject" in text and "--engine native" in text


# ---------------------------------------------------------------------------- the compiler

EDGE_CONDITIONS = [
    # comparisons of every kind, chains, Kleene logic, errors reached and not reached
    "org.kind == 'branch'", "org.kind != 'branch'", "full_members(org) >= 3", "3 <= full_members(org) < 7",
    "full_members(org) == party_members(org)", "org.secretary in unit_leaders()", "org.secretary not in ['m1']",
    "org.secretary is None", "org.parent is not None", "len(org.committee_members) > 0 or org.secretary is None",
    "not (org.kind == 'branch' and full_members(org) < 7)", "org.approved_by_superior == True",
    "org.approved_by_superior", "org.kind < 'c'", "org.name < 'z'", "org.secretary < 3",
    "org.secretary > None", "org.kind is 'branch'", "org.kind in 3", "3 in org.kind", "'ran' in org.kind",
    "org.kind in ('branch', 'committee')", "unit.staff_total / 0 > 1", "unit.staff_total == 0 or 1 / 0 > 1",
    "org.kind == 'committee' and 1 / 0 > 1", "len(org.kind)", "full_members(org) + 1 > 2.5",
    "full_members(org) == 4.0", "org.committee_members == []", "org.committee_members < ['m2']",
    "latest_election(org).date < as_of", "latest_election(org).secretary_approved_on is None",
    "as_of > rule_from > latest_election(org).date", "unit.party_affairs_staff / unit.staff_total >= 0.01",
    "unit.party_affairs_staff / unit.staff_total >= 0.00001", "org.secretary in department_heads(org)",
    "[org.secretary, 'x'] == ['m1', 'x']", "'m1' in [org.secretary, org.discipline_member]",
    "(1 if org.kind == 'branch' else 2) < 2", "True", "False", "None",
]


@pytest.mark.parametrize("condition", EDGE_CONDITIONS)
def test_edge_conditions_agree_with_native_on_full_and_omitted_facts(tmp_path, condition):
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": condition,
                                                           "where": "org.kind != 'committee' or True",
                                                           "unless": [{"when": "org.secretary == 'nobody'",
                                                                       "note": {"zh": "n", "en": "n"}}]})]),
                "test.")
    doc = small_court()
    both(doc, book)
    for org_key in ("secretary", "elections", "committee_members", "approved_by_superior"):
        less = json.loads(json.dumps(doc))
        less["organizations"][0].pop(org_key, None)
        both(less, book)
    unknown_status = json.loads(json.dumps(doc))
    for m in unknown_status["members"][:2]:
        del m["status"], m["full_on"]
    both(unknown_status, book)                 # partly known counts: bounds decide or not
    no_unit = json.loads(json.dumps(doc))
    del no_unit["unit"], no_unit["organizations"][0]["departments"]
    both(no_unit, book)
    no_orgs = json.loads(json.dumps(doc))
    del no_orgs["organizations"]
    for m in no_orgs["members"]:
        del m["org"]
    both(no_orgs, book)


def test_a_conditional_expression_as_a_condition_is_refused_at_compile_time(tmp_path):
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": "True if org.kind == 'branch' else False"})]),
                "test.")
    with pytest.raises(PolicyError, match="durable engine cannot compile.*conditional expression"):
        partyrules.check(small_court(), rulebook=book, engine="durable")
    partyrules.check(small_court(), rulebook=book)          # the native engine takes it


def test_logic_inside_a_value_is_refused_at_compile_time(tmp_path):
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": "(org.kind == 'branch') == True"})]), "test.")
    with pytest.raises(PolicyError, match="logic inside a value"):
        partyrules.check(small_court(), rulebook=book, engine="durable")


def test_ordering_lists_of_other_things_is_a_clear_error_not_a_wrong_answer(tmp_path):
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": "org.elections < org.elections"})]), "test.")
    with pytest.raises(UsageError, match="cannot order these lists"):
        partyrules.check(small_court(), rulebook=book, engine="durable")


def test_huge_numbers_are_a_clear_error(tmp_path):
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": "unit.staff_total < 10000000000000000000"})]),
                "test.")
    with pytest.raises(UsageError, match="numbers up to"):
        partyrules.check(small_court(), rulebook=book, engine="durable")


def test_the_logic_is_in_the_rules():
    """Every comparison and every and/or/not is a durable rule; only values are computed natively."""
    policy = next(p for p in BOOK.policies if p.id == "organs.branch.committee-required")
    compiled = D.compile_policy(policy)
    kinds = sorted(n.kind for n in compiled.nodes)
    assert kinds == ["or", "pair", "pair", "pair"]
    assert {a.text for a in compiled.atoms} >= {"org.kind", "'branch'", "len(org.committee_members)", "0"}
    conditions = json.dumps([r.condition for g in compiled.groups for f in g for r in f.rules])
    assert '"$lt": {"lv": {"$m": "rv"}}' in conditions            # a < b decided by durable
    assert '"$iany"' not in conditions                              # no `in` in this policy


def test_decision_trees_become_exclusive_rules_without_or():
    for op in ("eq", "ne", "lt", "le", "gt", "ge", "in", "notin", "is", "isnot"):
        for path, _leaf in D.paths(D.pair_tree(op)):
            assert D.terms(path) <= D.MAX_TERMS_PER_CONDITION
            assert "$or" not in json.dumps(D.formula_json(path))


def test_strings_are_ordered_by_code_point_even_with_escapes(tmp_path):
    """durable compares JSON-escaped text; the hex encoding keeps Python's order."""
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": "org.name < 'a b'"})]), "test.")
    doc = small_court()
    for name in ("a\tb", "a\"b", "a\\b", "a b", "中文", "", "a"):
        doc["organizations"][0]["name"] = name
        assert both(doc, book).results[0].outcome == ("satisfied" if name < "a b" else "violated"), name


# ---------------------------------------------------------------------------- measured problems

def test_problem_delete_state_with_pending_actions_never_happens():
    """Notes: delete_state with actions pending segfaulted 3/3. close_state runs them first."""
    proc = run_child("""
        import json, partyrules
        from partyrules.engine import durable as D
        book = partyrules.load_rulebook()
        policy = next(p for p in book.policies if p.id == "organs.branch.committee-required")
        host = D.DurableHost.get()
        compiled, names = host.ruleset_for(policy)
        c = host.open_state("t")
        facts = [{"t": "p", "op": "eq", "n": 0, "lk": "str", "lc": "x", "rk": "str", "rc": "x",
                  "lv": "", "rv": "", "lq": "s", "rq": "s", "llo": 0, "lhi": 0, "rlo": 0, "rhi": 0,
                  "ref": str(i), "sid": c.sid} for i in range(50)]
        name = names[compiled.group_of_fact(facts[0])]
        # assert WITHOUT running the actions: 50 are now pending in the state
        code, handle = host.core.assert_facts(host.handles[name], json.dumps(facts))
        c.handles[name] = handle
        before = c.actions_run
        host.close_state(c)
        print("ran", c.actions_run - before, "leaked", host.leaked_states)
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ran 50 leaked 0" in proc.stdout


def test_problem_a_state_where_no_action_ran_is_never_deleted():
    """Found here (valgrind): delete_state frees the action context of a state, which durable-rules
    2.0.28 leaves uninitialised until an action runs. Every state gets a first no-op action."""
    proc = run_child("""
        import partyrules
        from partyrules.engine import durable as D
        book = partyrules.load_rulebook()
        policy = next(p for p in book.policies if p.id == "organs.unit.committee-required")
        host = D.DurableHost.get()
        compiled, names = host.ruleset_for(policy)
        for i in range(300):
            c = host.open_state("t")
            # a value fact of a node whose sibling never comes: no rule completes, no action runs
            fact = {"t": "v", "ref": "1", "n": compiled.nodes[-1].id, "v": "T"}
            c.assert_facts({names[compiled.group_of_fact(fact)]: [fact]})
            assert c.greeted == set(c.handles), (c.greeted, c.handles)
            host.close_state(c)
        print("closed 300")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "closed 300" in proc.stdout


def test_problem_no_state_is_deleted_with_actions_pending(monkeypatch):
    seen = []
    orig = D.Collector.drain

    def drain(self, name, handle):
        before = self.actions_run
        orig(self, name, handle)
        seen.append(self.actions_run - before)

    monkeypatch.setattr(D.Collector, "drain", drain)
    partyrules.check(small_court(), rulebook=BOOK, engine="durable")
    assert seen and set(seen) == {0}


def test_problem_no_rule_joins_on_an_id_field_and_every_fact_id_hashes_apart():
    """Notes: a join on `id` never fired or crashed the process. Joins use `ref`; no rule reads `id`. Every fact
    has an id of the collector's (durable keeps a state's facts by its 32-bit hash), no two of a state alike."""
    both(str(COURT), BOOK)
    for _compiled, _name, ruleset in all_rulesets():
        for rule in ruleset.values():
            for alias in rule["all"]:
                text = json.dumps(alias)
                assert '"id"' not in text, text
    facts = []
    orig = D.Collector.assert_facts

    def spy(self, batches):
        facts.extend(f for fs in batches.values() for f in fs)
        return orig(self, batches)

    D.Collector.assert_facts = spy
    try:
        partyrules.check(str(COURT), rulebook=BOOK, engine="durable")
    finally:
        D.Collector.assert_facts = orig
    assert facts and all("id" in f for f in facts)
    by_state: dict = {}
    for f in facts:
        by_state.setdefault(f["sid"], []).append(D.fnv1_32(f["id"]))
    assert all(len(set(hashes)) == len(hashes) for hashes in by_state.values())


def test_problem_no_negation_and_results_do_not_depend_on_fact_order(monkeypatch):
    """Notes: `none` was order-sensitive. No rule uses negation, and every order gives the same report."""
    def keys(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    for _compiled, _name, ruleset in all_rulesets():
        for rule in ruleset.values():
            assert set(rule) == {"all", "run"}                       # no "any", no "none"
            assert not any(k.endswith("$not") or k in ("$not", "none") for k in keys(rule["all"]))
    doc = small_court(members=6)
    doc["members"][2]["org"] = None
    del doc["members"][3]["status"]
    expected = as_json(partyrules.check(doc, rulebook=BOOK))
    orig = D.Collector.assert_facts
    for order in ("reverse", "shuffle-1", "shuffle-2", "shuffle-3", "one-by-one", "one-by-one-reverse"):
        def reorder(self, batches, order=order):
            items = [(name, f) for name, facts in batches.items() for f in facts]
            if "reverse" in order:
                items.reverse()
            elif order.startswith("shuffle"):
                random.Random(order).shuffle(items)
            if order.startswith("one-by-one"):
                for name, f in items:
                    orig(self, {name: [f]})
                return None
            regrouped: dict = {}
            for name, f in items:
                regrouped.setdefault(name, []).append(f)
            return orig(self, dict(reversed(list(regrouped.items()))) if "reverse" in order else regrouped)

        monkeypatch.setattr(D.Collector, "assert_facts", reorder)
        assert as_json(partyrules.check(doc, rulebook=BOOK, engine="durable")) == expected, order


def test_problem_a_batch_never_loses_actions():
    """Notes: one unmatched fact made assert_facts raise before the others' actions ran."""
    for _compiled, _name, ruleset in all_rulesets():          # every fact type is handled everywhere
        caught = {rule["all"][0]["a"]["t"] for key, rule in ruleset.items() if key.startswith("never-")}
        assert caught == set(D.FACT_TYPES)
    host = D.DurableHost.get()
    policy = next(p for p in BOOK.policies if p.id == "constitution.member.enrolled")
    compiled, names = host.ruleset_for(policy)
    c = host.open_state("t")
    try:
        good = [{"t": "p", "op": "isnot", "n": 0, "lk": "none", "rk": "none", "ref": str(i)} for i in range(30)]
        stray = {"t": "stray", "ref": "x"}                    # matches no rule at all
        name = names[compiled.group_of_fact(good[0])]
        with pytest.raises(D.EngineFailure, match="matched no rule"):
            c.assert_facts({name: good + [stray]})
        assert len(c.values) == 30                           # every action of the good facts ran, at once
        assert all(v[0][0] == "F" for v in c.values.values())
    finally:
        host.close_state(c)
    for n in (1, 10, 200):                                  # and whole evaluations lose nothing
        report = partyrules.check(small_court(members=n), rulebook=BOOK, engine="durable")
        assert sum(1 for r in report.results if r.policy == "constitution.member.enrolled") == n


def test_problem_no_ruleset_can_match_65_rules_on_one_fact(tmp_path):
    """Notes: 65 rules matching one fact fail with 303; >~512 rules per ruleset hang. Rulesets hold <= 64."""
    condition = " or ".join(f"full_members(org) == {i}" for i in range(40))
    big = " and ".join(f"(org.secretary != 'x{i}' or full_members(org) > {i})" for i in range(12))
    book = only(partyrules.load_rulebook([pack(tmp_path, {"require": condition}, {"require": big, "where": big})]),
                "test.")
    both(small_court(), book)
    both(small_court(members=0), book)
    sizes = [len(ruleset) for _c, _n, ruleset in all_rulesets()]
    assert max(sizes) <= D.MAX_RULES_PER_RULESET
    compiled = D.compile_policy(book.policies[1])
    assert len(compiled.groups) > 1                           # a big policy spans several rulesets


def test_problem_the_65_rule_limit_is_real():
    """What the limit above guards against, measured again in a child process."""
    proc = run_child("""
        from durable import engine
        class H(engine.Host):
            def _run(self): pass
        h = H()
        def rules(k):
            return {f"r{j}": {"all": [{"m": {"$gte": {"x": j}}}], "run": lambda c: None} for j in range(k)}
        h.register_rulesets({"ok": rules(64), "bad": rules(65)})
        h.assert_fact("ok", {"x": 1000, "sid": "1"})
        try:
            h.assert_fact("bad", {"x": 1000, "sid": "1"})
        except Exception as exc:
            print("bad:", exc)
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error code: 303" in proc.stdout


def test_problem_more_than_1024_sessions_over_time(tmp_path):
    """Notes: at most 1,024 live states per ruleset, then a bare MemoryError. States are deleted."""
    book = only(BOOK, "constitution.member.enrolled")
    doc = small_court(members=1)
    for _ in range(1100):
        with partyrules.open_session(doc, rulebook=book, engine="durable") as s:
            assert s.results().summary["satisfied"] == 1
    host = D.DurableHost.get()
    assert host.open_states == 0


def test_problem_too_many_open_sessions_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(D.host, "MAX_OPEN_STATES", 3)     # the limit lives with the host
    book = only(BOOK, "constitution.member.enrolled")
    sessions = [partyrules.open_session(small_court(members=1), rulebook=book, engine="durable") for _ in range(3)]
    try:
        with pytest.raises(UsageError, match="too many open durable sessions"):
            partyrules.open_session(small_court(members=1), rulebook=book, engine="durable")
    finally:
        for s in sessions:
            s.close()
    partyrules.open_session(small_court(members=1), rulebook=book, engine="durable").close()


def test_problem_the_same_fact_is_never_asserted_twice():
    """Notes: the same fact twice raises MessageObservedException. A guard refuses it first."""
    host = D.DurableHost.get()
    policy = next(p for p in BOOK.policies if p.id == "constitution.member.enrolled")
    compiled, names = host.ruleset_for(policy)
    c = host.open_state("t")
    try:
        fact = {"t": "p", "op": "isnot", "n": 0, "lk": "none", "rk": "none", "ref": "1"}
        name = names[compiled.group_of_fact(fact)]
        c.assert_facts({name: [dict(fact)]})
        with pytest.raises(D.EngineFailure, match="asserted twice"):
            c.assert_facts({name: [dict(fact)]})
    finally:
        host.close_state(c)
    doc = small_court(members=3)               # identical members are still distinct facts (their own refs)
    for m in doc["members"]:
        m["name"] = "同名"
    both(doc, BOOK)


def test_problem_rulesets_are_registered_once_and_never_mutated():
    """Notes: rulesets cannot be unregistered; set_rulesets mutates its argument."""
    both(str(COURT), BOOK)
    host = D.DurableHost.get()
    count = host.ruleset_count
    before = {name: json.dumps(r, sort_keys=True, default=str) for _c, name, r in all_rulesets()}
    for _ in range(3):
        partyrules.check(small_court(), rulebook=BOOK, engine="durable")
    assert host.ruleset_count == count
    after = {name: json.dumps(r, sort_keys=True, default=str) for _c, name, r in all_rulesets()}
    assert after == before
    for compiled, _name, _r in all_rulesets():
        assert all("run" not in r.condition for g in compiled.groups for f in g for r in f.rules)


def test_problem_no_timer_threads_and_actions_run_in_the_caller():
    before = {t.name for t in threading.enumerate()}
    host = D.DurableHost.get()
    threads = []
    orig = D.Collector.act

    def spy(self, *args):
        threads.append(threading.get_ident())
        return orig(self, *args)

    D.Collector.act = spy
    try:
        partyrules.check(small_court(), rulebook=BOOK, engine="durable")
    finally:
        D.Collector.act = orig
    assert host is not None and set(threads) == {threading.get_ident()}
    assert {t.name for t in threading.enumerate()} <= before | {threading.current_thread().name}


def test_threads_share_the_host_safely():
    docs = [small_court(members=n) for n in (1, 3, 5, 7)]
    expected = [as_json(partyrules.check(d, rulebook=BOOK)) for d in docs]
    got: dict = {}

    def work(i):
        for _ in range(3):
            got.setdefault(i, []).append(as_json(partyrules.check(docs[i], rulebook=BOOK, engine="durable")))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        assert got[i] == [expected[i]] * 3


def rss_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def soak(evaluations: int, report_every: int = 0) -> tuple[int, int]:
    """RSS (KiB) after a warm-up and after ``evaluations`` more evaluations of a small court."""
    book = attrs.evolve(BOOK, policies=tuple(p for p in BOOK.policies if p.id in (
        "constitution.member.enrolled", "organs.unit.committee-required")))
    doc = partyrules.load_facts(small_court(members=5))
    for _ in range(50):
        partyrules.check(doc, rulebook=book, engine="durable")
    start = rss_kib()
    for i in range(evaluations):
        partyrules.check(doc, rulebook=book, engine="durable")
        if report_every and (i + 1) % report_every == 0:
            print(f"{i + 1} evaluations: RSS {rss_kib() / 1024:.1f} MiB (+{(rss_kib() - start) / 1024:.1f})",
                  flush=True)
    return start, rss_kib()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read RSS")
@pytest.mark.slow
def test_problem_repeated_evaluations_do_not_grow_memory():
    start, end = soak(2000)
    assert end - start < 8 * 1024, f"RSS grew by {(end - start) / 1024:.1f} MiB over 2,000 evaluations"
    assert D.DurableHost.get().open_states == 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "soak":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
        import time
        t0 = time.perf_counter()
        start, end = soak(n, report_every=max(1, n // 10))
        print(f"{n} evaluations in {time.perf_counter() - t0:.1f} s: RSS {start / 1024:.1f} MiB -> "
              f"{end / 1024:.1f} MiB ({(end - start) / 1024:+.1f} MiB)")
    else:
        print(__doc__)



# two ids whose fnv1-32 hashes are equal: durable-rules refuses the second fact of a state ("already asserted")
COLLIDING_IDS = ("x496069", "x1035124")


def test_durable_refuses_a_fact_whose_id_hashes_like_another_one():
    """What the ids are designed around, measured on durable itself: a state keeps its facts by a 32-bit hash of
    their id, so a new fact whose id hashes alike is refused as already asserted."""
    assert D.fnv1_32(COLLIDING_IDS[0]) == D.fnv1_32(COLLIDING_IDS[1])
    host = D.DurableHost.get()
    policy = next(p for p in BOOK.policies if p.id.startswith("organs."))
    compiled, names = host.ruleset_for(policy)
    handle = host.handles[names[0]]
    codes = [host.core.assert_fact(handle, json.dumps({"t": "hello", "sid": "collide", "id": i}))[0]
             for i in COLLIDING_IDS]
    assert codes == [0, 2]


def test_each_fact_of_a_state_gets_an_id_no_other_fact_of_it_hashes_to(monkeypatch):
    """In a long run durable-rules once called a new fact already asserted (its id, then made by durable, hashed
    like another one's). Every fact now gets an id of the collector's whose hash is new in its state; two
    facts whose natural ids collide (forced here) are told apart, and the report is the native one, through
    a session's retraction too."""
    host = D.DurableHost.get()
    doc = small_court(6)
    book = only(BOOK, "organs.")
    made: list[str] = []
    original = D.Collector._new_id

    def new_id(self, base):          # the first two facts of a state get natural ids that collide
        if len([m for m in made if m.startswith(self.sid + ":")]) < 2 and not base.startswith("hello"):
            base = COLLIDING_IDS[len([m for m in made if m.startswith(self.sid + ":")])]
        text = original(self, base)
        made.append(f"{self.sid}:{text}")
        return text

    monkeypatch.setattr(D.Collector, "_new_id", new_id)
    both(doc, book)
    salted = [m for m in made if m.endswith(COLLIDING_IDS[1] + "~1")]
    assert salted, made[:5]
    with partyrules.open_session(doc, rulebook=book, engine="durable") as session:
        session.results()
        session.retract_fact("member", doc["members"][-1]["id"])     # retracts facts by their ids
        changed = json.loads(json.dumps(doc))
        changed["members"] = changed["members"][:-1]
        assert as_json(session.results()) == as_json(partyrules.check(changed, rulebook=book))
    assert host.open_states >= 0
