"""Scenario tests: a fact document, an evaluation date and the results a court expects.

A policy's own ``examples`` test one policy on a minimal document. A scenario
tests the rulebook as a court uses it: a whole fact document (often the court's
own, anonymised), checked on one date, with the results that must come out::

    # tests/qinghe-2024.yaml
    name: 清河 mid-2024 inspection          # optional (default: the file name)
    facts: ../../../../examples/court.yaml  # a path relative to this file, or an inline mapping
    as_of: 2024-06-30                       # optional (default: the document's as_of)
    expect:
      - {policy: court-std.unit.party-affairs-staff, subject: court-qinghe-intermediate, outcome: violated}
      - {policy: court-std.unit.party-group-study, outcome: satisfied}      # no subject: every subject
      - {policy: court-std.unit.party-affairs-staff, subject: u1, outcome: unknown,
         missing: [unit.staff_total]}
    only_listed: [court-standards]   # or true: no other violated/unknown/error result may appear

A file holds one scenario (a mapping) or several (a list of mappings, each with a
``name``). ``only_listed: true`` checks every result of the run; a list of
instrument ids checks only the results of policies of those instruments (so that
a pack's scenario is not broken by the built-in rules, or the other way round).

Inline facts may leave out ``format``. Mistakes in a scenario file are
:class:`ScenarioError` at its line and column; a scenario that runs but gets other
results is a failure with one ``expected`` and one ``got`` line per difference.
"""

from __future__ import annotations

import datetime as dt
import difflib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from ..errors import PartyrulesError, PolicyError, UsageError
from ..facts.model import FORMAT, FactDocument
from ..source import Document, read_path
from ..rulebook.load import Rulebook
from ..rulebook.policy import OUTCOMES, Policy
from ..rulebook.schema import Fields, check_mapping, check_type, fail, optional_date

PROBLEMS = ("violated", "unknown", "error")
SUFFIXES = (".yaml", ".yml")

_SCENARIO_FIELDS = Fields(required={"facts": (dict, str), "expect": list},
                          optional={"name": str, "as_of": str, "only_listed": (bool, list),
                                    "include_unverified": bool, "notes": str})
_EXPECT_FIELDS = Fields(required={"policy": str, "outcome": str},
                        optional={"subject": str, "missing": list, "note": str})


class ScenarioError(PolicyError):
    """A scenario file that is not written as the format asks (``FILE:LINE:COL: …``)."""


@attrs.frozen
class Expectation:
    policy: str
    outcome: str
    subject: str | None = None
    missing: tuple[str, ...] | None = None
    line: int | None = None


@attrs.frozen
class Scenario:
    name: str
    source: str                              # the scenario file
    facts: Any                               # an inline mapping, or the Path of a fact document
    expect: tuple[Expectation, ...]
    as_of: dt.date | None = None
    only_listed: bool | tuple[str, ...] = False   # True, or the instrument ids it applies to
    include_unverified: bool = False
    line: int | None = None
    facts_doc: Document | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@attrs.frozen
class Mismatch:
    """One difference: what the scenario expected and what the run gave, one line each."""

    policy: str
    subject: str
    expected: str
    got: str


@attrs.frozen
class ScenarioRun:
    scenario: Scenario
    ok: bool
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None                 # the scenario could not run (facts, date …)
    exercised: frozenset = frozenset()       # keys (instrument, edition, id) of the policies it checked

    def diff(self) -> list[str]:
        """The failure as readable lines: ``expected …`` / ``got …`` for each difference."""
        if self.error is not None:
            return [f"  error     {self.error}"]
        pw = max((len(m.policy) for m in self.mismatches), default=0)
        sw = max((len(m.subject) for m in self.mismatches), default=0)
        out = []
        for m in self.mismatches:
            head = f"{m.policy:<{pw}}  {m.subject:<{sw}}  "
            out.append(f"  expected  {head}{m.expected}".rstrip())
            out.append(f"  got       {head}{m.got}".rstrip())
        return out


# --------------------------------------------------------------------------- reading

def load_scenario_file(path: str | Path, *, in_directory: bool = False) -> list[Scenario]:
    """The scenarios of one file. ``in_directory``: a fact document found in a folder of tests is skipped.

    Raises :class:`ScenarioError` (or a ``SourceError`` for text that is not YAML).
    """
    try:
        return _load_file(Path(path), in_directory)
    except ScenarioError:
        raise
    except PolicyError as exc:
        raise ScenarioError(exc.source, exc.message, exc.line, exc.column) from None


def _load_file(path: Path, in_directory: bool) -> list[Scenario]:
    doc = read_path(path)
    data = doc.data
    if isinstance(data, dict) and "format" in data and "expect" not in data:
        if in_directory:
            return []
        raise ScenarioError(doc.source, "this is a fact document, not a scenario (a scenario has facts: and "
                                        "expect:, see docs/authoring.md)", *(doc.where(()) or (None, None)))
    if isinstance(data, dict):
        return [_scenario(doc, (), data, path.stem)]
    if isinstance(data, list):
        if not data:
            raise ScenarioError(doc.source, "expected a scenario or a list of scenarios, got an empty list")
        out = [_scenario(doc, (i,), item, None) for i, item in enumerate(data)]
        names: dict[str, int] = {}
        for i, s in enumerate(out):
            if s.name in names:
                raise fail(doc, (i, "name"), f"scenario name {s.name!r} is already used by [{names[s.name]}]")
            names[s.name] = i
        return out
    raise ScenarioError(doc.source, "expected a scenario (a mapping with facts: and expect:) or a list of them",
                        *(doc.where(()) or (None, None)))


def _scenario(doc: Document, path: tuple, data: Any, default_name: str | None) -> Scenario:
    check_mapping(doc, path, data, _SCENARIO_FIELDS)
    if default_name is None and "name" not in data:
        raise fail(doc, path, "missing required key 'name' (each scenario of a list needs a name)")
    name = data.get("name", default_name)
    as_of = optional_date(doc, path, data, "as_of")
    only = data.get("only_listed", False)
    if isinstance(only, list):
        if not only:
            raise fail(doc, path + ("only_listed",), "expected true, false or a non-empty list of instrument ids")
        for i, inst in enumerate(only):
            check_type(doc, path + ("only_listed", i), inst, str)
        only = tuple(only)
    expect = []
    for i, raw in enumerate(data["expect"]):
        ep = path + ("expect", i)
        check_mapping(doc, ep, raw, _EXPECT_FIELDS)
        if raw["outcome"] not in OUTCOMES:
            raise fail(doc, ep + ("outcome",), f"expected one of {', '.join(OUTCOMES)}, got {raw['outcome']!r}")
        missing = None
        if "missing" in raw:
            for j, m in enumerate(raw["missing"]):
                check_type(doc, ep + ("missing", j), m, str)
            missing = tuple(sorted(raw["missing"]))
        expect.append(Expectation(raw["policy"], raw["outcome"], raw.get("subject"), missing,
                                  (doc.where(ep) or (None,))[0]))
    seen: dict[tuple, int] = {}
    for i, e in enumerate(expect):
        k = (e.policy, e.subject)
        if k in seen:
            raise fail(doc, path + ("expect", i), f"policy {e.policy!r} subject {e.subject!r} is already expected "
                                                  f"at expect[{seen[k]}]")
        seen[k] = i
    facts = data["facts"]
    facts_doc = None
    if isinstance(facts, str):
        facts = (Path(doc.source).parent / facts)
    else:
        # the inline document keeps its positions in the scenario file, for its error messages
        n = len(path) + 1
        marks = {p[n:]: v for p, v in doc.marks.items() if p[:n] == path + ("facts",)}
        facts = {"format": FORMAT, **facts}
        facts_doc = Document(facts, doc.source, marks, doc.lines)
    return Scenario(name, doc.source, facts, tuple(expect), as_of, only, data.get("include_unverified", False),
                    (doc.where(path) or (None,))[0], facts_doc)


def scenario_files(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """The scenario files named by ``paths`` (files, or folders searched recursively), without duplicates.

    Returns ``(file, found_in_a_directory)``. In a folder, files and sub-folders whose
    names start with ``_`` or ``.`` are skipped: keep shared fact documents there
    (``tests/_facts/court.yaml``) or anywhere outside.
    """
    out: dict[Path, tuple[Path, bool]] = {}
    for p in paths:
        p = Path(p)
        if p.is_file():
            out.setdefault(p.resolve(), (p, False))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and f.suffix in SUFFIXES and not any(part.startswith(("_", ".")) for part in rel):
                    out.setdefault(f.resolve(), (f, True))
        else:
            raise UsageError(f"{p}: no such scenario file or directory")
    return list(out.values())


def load_scenarios(paths: Iterable[str | Path]) -> list[Scenario]:
    """Every scenario of the files and folders in ``paths``."""
    out: list[Scenario] = []
    for f, in_dir in scenario_files(paths):
        out.extend(load_scenario_file(f, in_directory=in_dir))
    return out


# --------------------------------------------------------------------------- running

@lru_cache(maxsize=16)
def _facts_at(path: str, mtime: int, size: int) -> FactDocument:
    from ..facts.load import load_facts
    return load_facts(path)


def _facts(scenario: Scenario) -> FactDocument:
    from ..facts.load import facts_from_document

    if scenario.facts_doc is not None:
        return facts_from_document(scenario.facts_doc)
    p = Path(scenario.facts)
    try:
        st = p.stat()
    except OSError:
        raise UsageError(f"facts: {p}: no such file (a path is relative to the scenario file)") from None
    return _facts_at(str(p), st.st_mtime_ns, st.st_size)


def _show(outcome: str, missing: Iterable[str] | None, message: dict | None = None) -> str:
    text = outcome
    if missing:
        text += f" (missing: {', '.join(sorted(missing))})"
    if outcome == "error" and message:
        text += f" ({message.get('en', '')})"
    return text


def run_scenario(rulebook: Rulebook, scenario: Scenario) -> ScenarioRun:
    """Check the scenario's facts with ``rulebook`` and compare the results with its expectations."""
    from ..api import check

    try:
        facts = _facts(scenario)
        report = check(facts, scenario.as_of, rulebook=rulebook, include_unverified=scenario.include_unverified)
    except PartyrulesError as exc:
        return ScenarioRun(scenario, False, error=str(exc).replace("\n", " "))
    by_policy: dict[str, list] = {}
    for r in report.results:
        by_policy.setdefault(r.policy, []).append(r)
    known = {p.id for p in rulebook.policies}
    mismatches: list[Mismatch] = []
    exercised: set = set()
    listed: set[tuple[str, str]] = set()
    listed_all: set[str] = set()

    def key(r) -> tuple[str, str, str]:
        return (r.instrument, r.edition, r.policy)

    for e in scenario.expect:
        want = _show(e.outcome, e.missing)
        subject = e.subject if e.subject is not None else "(every subject)"
        if e.policy not in known:
            close = difflib.get_close_matches(e.policy, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; is its pack loaded (--policies DIR)?"
            mismatches.append(Mismatch(e.policy, subject, want, f"(no such policy in the rulebook{hint})"))
            continue
        results = by_policy.get(e.policy, [])
        if e.subject is None:
            listed_all.add(e.policy)
        else:
            listed.add((e.policy, e.subject))
            results = [r for r in results if r.subject.id == e.subject]
        if not results:
            if not by_policy.get(e.policy):
                got = f"(no result: the policy does not apply on {report.as_of.isoformat()}"
                got += ", or it is unverified and include_unverified is not set)" if \
                    any(p.unverified for p in rulebook.find(e.policy)) else ")"
            else:
                ids = ", ".join(sorted({r.subject.id for r in by_policy[e.policy]}))
                got = f"(no result for this subject; the policy's subjects are: {ids})"
            mismatches.append(Mismatch(e.policy, subject, want, got))
            continue
        for r in results:
            exercised.add(key(r))
            same = r.outcome == e.outcome and (e.missing is None or tuple(sorted(r.missing)) == e.missing)
            if not same:
                mismatches.append(Mismatch(e.policy, r.subject.id, want, _show(r.outcome, r.missing, r.message)))
    only = scenario.only_listed
    if only:
        for r in report.results:
            if r.outcome not in PROBLEMS or r.policy in listed_all or (r.policy, r.subject.id) in listed:
                continue
            if only is not True and r.instrument not in only:
                continue
            mismatches.append(Mismatch(r.policy, r.subject.id, "(not listed: only satisfied or not_applicable)",
                                       _show(r.outcome, r.missing, r.message)))
    return ScenarioRun(scenario, not mismatches, tuple(mismatches), None, frozenset(exercised))


# --------------------------------------------------------------------------- coverage

@attrs.frozen
class CoverageOfTests:
    """Which policies and cited articles the examples and scenarios exercised."""

    policies: tuple[Policy, ...]                   # every policy of the rulebook
    unexercised: tuple[Policy, ...]
    by_examples: int
    by_scenarios: int
    articles: tuple[str, ...]                      # every cited article, ``instrument@edition art.N``
    articles_unexercised: tuple[str, ...]

    def lines(self, short: Callable[[str], str] = str) -> list[str]:
        """The coverage as text; ``short`` shortens file names."""
        n, done = len(self.policies), len(self.policies) - len(self.unexercised)
        out = [f"coverage: {done} of {n} policies exercised "
               f"({self.by_examples} by their examples, {self.by_scenarios} by scenarios)"]
        for p in self.unexercised:
            out.append(f"  not exercised: {p.id}@{p.edition}  {short(p.source)}")
        a = len(self.articles)
        out.append(f"coverage: {a - len(self.articles_unexercised)} of {a} cited articles exercised")
        for ref in self.articles_unexercised:
            out.append(f"  not exercised: {ref}")
        return out


def _article(c) -> str:
    return f"{c.instrument}@{c.edition} art.{c.article}"


def coverage_of_tests(rulebook: Rulebook, by_examples: Iterable[tuple], by_scenarios: Iterable[tuple]) -> CoverageOfTests:
    """Coverage from the keys ``(instrument, edition, id)`` of the policies each kind of test exercised.

    A policy is exercised by an example of its own (whether it passed or not) or
    by a scenario that names it and gets a result for it; an article is exercised
    when an exercised policy cites it.
    """
    ex, sc = set(by_examples), set(by_scenarios)
    policies = rulebook.policies
    unexercised = tuple(p for p in policies if p.key not in ex and p.key not in sc)
    articles: dict[str, bool] = {}
    rank: dict[str, tuple] = {}
    for p in policies:
        hit = p.key in ex or p.key in sc
        for c in p.citations:
            ref = _article(c.citation)
            articles[ref] = articles.get(ref, False) or hit
            rank[ref] = (c.citation.instrument, c.citation.edition, c.citation.article)
    order = sorted(articles, key=rank.__getitem__)
    return CoverageOfTests(policies, unexercised, sum(1 for p in policies if p.key in ex),
                           sum(1 for p in policies if p.key in sc), tuple(order),
                           tuple(a for a in order if not articles[a]))
