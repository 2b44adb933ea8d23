"""A policy: one checkable rule of one edition of one instrument, read from YAML.

A policy file reads like the article it encodes::

    id: organs.branch.committee-required
    title: {zh: 正式党员7人以上的党支部设立支部委员会, en: A branch with 7 or more full members has a committee}
    severity: error                  # error for hard rules, warning for 一般/原则上
    citations:
      - organs-regulations@2019 art.7
    applies_to: organization         # unit | department | organization | member | applicant
    where: org.kind == 'branch'      # optional: false → not_applicable
    require: full_members(org) < param('organs.branch_committee_min_full_members') or len(org.committee_members) > 0
    unless:                          # optional recorded exceptions (Catala-style)
      - when: org.approved_by_superior == True
        note: {zh: …, en: …}
    evidence:                        # named values shown in the report and usable in messages
      full_members: full_members(org)
    message: {zh: "{subject}有正式党员{full_members}名…", en: "…"}
    examples:                        # run by the test suite
      - {name: …, expect: violated, subject: b1, facts: {…}}

The edition is the folder's (``policies/<instrument>/<edition>/``): the policy
applies only while that edition is in force.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
from typing import Any, Iterator, Mapping

import attrs

from ..citations import Citation, CitationError, Registry, parse_citation
from ..errors import PolicyError
from ..facts.derive import Derived
from ..periods import parse_date
from ..source import Document, format_path
from .expr import Expr, Located, SubjectCode, compile_expr
from .params import Parameters
from .schema import Fields, Problem, fail, first_error, has, mapping_problems, text_pair_problems, type_problem

# ``applicant``: a person of ``applicants`` (the admission-process extension, docs/facts-devt.md)
SUBJECT_VARS = {"unit": "unit", "department": "dept", "organization": "org", "member": "member",
                "applicant": "applicant"}
SEVERITIES = ("error", "warning")
OUTCOMES = ("violated", "unknown", "error", "satisfied", "not_applicable")
VERIFICATION = ("F2", "F1", "E2", "E1", "U")
VERIFIED = ("F2", "F1", "E2")
_ID = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
# Message formats: an alignment, a width up to 99, and a precision up to 99 only with f or %.
# Every format allowed works on ints and floats alike ({n:d} fails on 2.5, {n:.1} on 3), and none
# can ask for gigabytes ({n:1000000000}, {n:.999999999f}).
_SPEC = re.compile(r"[<>^]?(?:[1-9][0-9]?)?(?:\.[0-9]{1,2}[f%]|[f%])?")

_POLICY_FIELDS = Fields(
    required={"id": str, "title": dict, "severity": str, "citations": list, "applies_to": str,
              "require": str, "message": dict},
    optional={"where": str, "unless": list, "evidence": dict, "examples": list, "notes": str,
              "unverified": bool},
)
_CITATION_FIELDS = Fields(required={"ref": str}, optional={"verification": str, "note": str, "org_kinds": list})
ORG_KINDS = ("committee", "general_branch", "branch")
_UNLESS_FIELDS = Fields(required={"when": str, "note": dict})
_EXAMPLE_FIELDS = Fields(required={"name": str, "expect": str, "facts": dict},
                         optional={"subject": str, "as_of": str, "missing": list})


@attrs.frozen
class CitationSpec:
    citation: Citation
    verification: str | None = None
    note: str | None = None
    org_kinds: tuple[str, ...] | None = None   # cited only for organizations of these kinds

    @property
    def verified(self) -> bool:
        return self.verification is None or self.verification in VERIFIED

    def cited_for(self, org_kind: str | None) -> bool:
        """Does this citation apply to a subject that is an organization of ``org_kind`` (None: not one)?"""
        return self.org_kinds is None or org_kind in self.org_kinds

    def to_json(self, registry: Registry) -> dict:
        """The citation as ``partyrules.report/1`` shows it, with its verification level and note when given."""
        out = self.citation.to_json(registry)
        if self.verification is not None:
            out["verification"] = self.verification
        if self.note:
            out["note"] = self.note
        return out


def org_kinds_problem(raw: Mapping, applies_to: Any, own: bool) -> tuple[tuple, str] | None:
    """What is wrong with a citation's ``org_kinds`` (a path below the citation and a message), if anything.

    ``org_kinds`` narrows a supporting citation to organizations of some kinds (a
    branch-only article cited beside a rule for every kind); the policy's own
    edition is always cited, so it cannot be narrowed.
    """
    if "org_kinds" not in raw:
        return None
    kinds = raw["org_kinds"]
    if applies_to != "organization":
        return ("org_kinds",), "org_kinds narrows a citation by the kind of organization: only for applies_to: organization"
    if own:
        return ("org_kinds",), "the citation of the policy's own edition applies to every subject; org_kinds is for supporting citations"
    if not isinstance(kinds, list) or not kinds:
        return ("org_kinds",), f"expected a non-empty list of {', '.join(ORG_KINDS)}"
    for j, k in enumerate(kinds):
        if k not in ORG_KINDS:
            return ("org_kinds", j), f"expected one of {', '.join(ORG_KINDS)}, got {k!r}"
        if kinds.index(k) != j:
            return ("org_kinds", j), f"{k} is listed twice"
    return None


@attrs.frozen
class Exception_:
    when: Expr
    note: dict


@attrs.frozen
class Example:
    name: str
    expect: str
    facts: dict
    subject: str | None = None
    as_of: dt.date | None = None
    missing: tuple[str, ...] | None = None
    line: int | None = None


@attrs.frozen
class Policy:
    id: str
    instrument: str
    edition: str
    title: dict
    severity: str
    citations: tuple[CitationSpec, ...]
    applies_to: str
    require: Expr
    message: dict
    where: Expr | None = None
    unless: tuple[Exception_, ...] = ()
    evidence: tuple[tuple[str, Expr], ...] = ()
    examples: tuple[Example, ...] = ()
    notes: str = ""
    unverified: bool = False
    source: str = ""
    line: int | None = None
    inherited_from: str | None = None   # the first edition of an unchanged chain (``instrument@edition``)
    # every evidence value at once, as one tuple expression (see evidence_tuple): made from ``evidence``
    evidence_all: Expr | None = attrs.field(default=None, eq=False, repr=False)
    # where, require and evidence_all as one function per subject (see SubjectCode), for a policy without
    # exceptions (they come between the condition and the evidence); made from the three
    subject_code: SubjectCode | None = attrs.field(default=None, eq=False, repr=False)

    def rule_from(self, registry: Registry) -> "dt.date":
        """The day this rule took effect: its edition's, or that of the first edition it was carried over from.

        An amendment that kept a provision unchanged did not restart it, so events
        since the first edition (an admission, a window of months) are judged by it.
        """
        instrument, _, edition = (self.inherited_from or f"{self.instrument}@{self.edition}").partition("@")
        return registry.edition(instrument, edition).in_force_from

    def rule_until(self, registry: Registry) -> "dt.date":
        """The last day of the steps this edition judges (:meth:`Registry.step_span`; ``date.max`` while no
        later edition is registered). Policies of an instrument judged by step date compare each step's
        date with ``rule_from`` and ``rule_until``."""
        return registry.step_span(registry.edition(self.instrument, self.edition))[1]

    @property
    def variable(self) -> str:
        return SUBJECT_VARS[self.applies_to]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.instrument, self.edition, self.id)


def expression_location(doc: Document, path: tuple, text: Any) -> Located:
    """Where an expression's text starts in its file: after a quote, or on the line after ``|``/``>``."""
    line, col = doc.where(path) or (None, None)
    block, indent = False, 0
    if line is not None and isinstance(text, str) and doc.lines:
        first = doc.lines[line - 1][col - 1:col] if line - 1 < len(doc.lines) else ""
        if first in ("|", ">"):
            block = True
            nxt = doc.lines[line] if line < len(doc.lines) else ""
            indent = len(nxt) - len(nxt.lstrip(" "))
        elif first in ("'", '"'):
            col += 1
    return Located(doc.source, line, col, block, indent)


@attrs.define
class _Parts:
    """What checking a policy compiles on the way, kept so the loader builds the policy without compiling twice."""

    exprs: dict = attrs.field(factory=dict)        # path below the policy -> Expr
    citations: list = attrs.field(factory=list)    # CitationSpec of each citation without a problem
    cited: list = attrs.field(factory=list)        # (path, Citation) of every citation that parses


@attrs.frozen
class PolicyReading:
    """A policy as lint reads it: every problem, the citations that parse, and the policy when there is no error."""

    problems: tuple[Problem, ...]
    cited: tuple[tuple[tuple, Citation], ...]
    policy: Policy | None


def policy_problems(doc: Document, path: tuple, data: Any, *, instrument: str, edition: str,
                    registry: Registry, params: Parameters, derived: Mapping[str, Derived],
                    cite_own: bool = True) -> Iterator[Problem]:
    """Every problem of one policy mapping, the first error first as :func:`policy_from_data` raises it.

    ``cite_own=False`` leaves out "must cite its own edition" (for a folder that names no
    registered edition, which is a problem of its own).
    """
    return _problems(doc, path, data, _Parts(), instrument=instrument, edition=edition, registry=registry,
                     params=params, derived=derived, cite_own=cite_own)


def policy_from_data(doc: Document, path: tuple, data: Any, *, instrument: str, edition: str,
                     registry: Registry, params: Parameters, derived: Mapping[str, Derived]) -> Policy:
    """Check one policy mapping and compile its expressions; the first problem is raised."""
    parts = _Parts()
    first_error(_problems(doc, path, data, parts, instrument=instrument, edition=edition, registry=registry,
                          params=params, derived=derived, cite_own=True))
    return _build(doc, path, data, parts, instrument, edition)


# said by the loader and by lint of a policy file with nothing in it
EMPTY_POLICY_FILE = "the file is empty: expected a policy (a mapping) or a list of policies"


def read_policy(doc: Document, path: tuple, data: Any, *, instrument: str, edition: str,
                registry: Registry, params: Parameters, derived: Mapping[str, Derived],
                cite_own: bool = True) -> PolicyReading:
    """Every problem of one policy mapping, and the policy itself when none is an error."""
    parts = _Parts()
    problems = tuple(_problems(doc, path, data, parts, instrument=instrument, edition=edition, registry=registry,
                               params=params, derived=derived, cite_own=cite_own))
    ok = not any(p.severity == "error" for p in problems)
    return PolicyReading(problems, tuple(parts.cited), _build(doc, path, data, parts, instrument, edition) if ok else None)


def _problems(doc: Document, path: tuple, data: Any, parts: _Parts, *, instrument: str, edition: str,
              registry: Registry, params: Parameters, derived: Mapping[str, Derived],
              cite_own: bool) -> Iterator[Problem]:
    """The one validator of a policy. The order is the loader's (its first error is the one raised);
    past a problem it goes on wherever the rest can still be judged, so that lint lists everything."""
    if not isinstance(data, dict):
        yield from mapping_problems(doc, path, data, _POLICY_FIELDS)
        return
    yield from mapping_problems(doc, path, data, _POLICY_FIELDS)
    if has(data, "id", str) and not _ID.match(data["id"]):
        yield Problem(fail(doc, path + ("id",), f"policy id {data['id']!r} must be dotted lowercase words, "
                                                "e.g. organs.branch.committee-required"))
    if has(data, "severity", str) and data["severity"] not in SEVERITIES:
        yield Problem(fail(doc, path + ("severity",), f"expected error or warning, got {data['severity']!r}"))
    applies_to = data.get("applies_to")
    if has(data, "applies_to", str) and applies_to not in SUBJECT_VARS:
        said = f"expected one of {', '.join(SUBJECT_VARS)}, got {applies_to!r}"
        close = difflib.get_close_matches(applies_to, list(SUBJECT_VARS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        yield Problem(fail(doc, path + ("applies_to",), said), detail=fail(doc, path + ("applies_to",), said + hint))
    if applies_to in SUBJECT_VARS:
        variables = {SUBJECT_VARS[applies_to]: applies_to}
    else:       # still check syntax and functions, whichever subject was meant
        variables = {var: kind for kind, var in SUBJECT_VARS.items()}
    variables.update({"unit": "unit", "as_of": "date", "rule_from": "date", "rule_until": "date"})

    def expr(p: tuple, text: Any) -> Iterator[Problem]:
        try:
            parts.exprs[p] = compile_expr(text, expression_location(doc, path + p, text), variables, derived, params)
        except PolicyError as exc:
            yield Problem(exc)

    # citations: each one, then the policy's own edition, then verification
    if has(data, "citations", list):
        levels = []
        for i, raw in enumerate(data["citations"]):
            cp = path + ("citations", i)
            if isinstance(raw, str):
                raw = {"ref": raw}
            found = list(mapping_problems(doc, cp, raw, _CITATION_FIELDS))
            yield from found
            if not has(raw, "ref", str):
                continue
            try:
                citation = parse_citation(raw["ref"], registry)
            except CitationError as exc:
                yield Problem(fail(doc, cp, str(exc)))
                continue
            ver = raw.get("verification")
            if ver is not None and ver not in VERIFICATION:
                found.append(Problem(fail(doc, cp + ("verification",),
                                          f"expected one of {', '.join(VERIFICATION)}, got {ver!r}")))
                yield found[-1]
            own = citation.instrument == instrument and citation.edition == edition
            problem = org_kinds_problem(raw, applies_to, own)
            if problem is not None:
                found.append(Problem(fail(doc, cp + problem[0], problem[1])))
                yield found[-1]
            levels.append(ver)
            parts.cited.append((cp, citation))
            if not found:
                kinds = tuple(raw["org_kinds"]) if "org_kinds" in raw else None
                parts.citations.append(CitationSpec(citation, ver, raw.get("note"), kinds))
        if not data["citations"]:
            yield Problem(fail(doc, path + ("citations",), "a policy needs at least one citation"))
        if cite_own and not any(c.instrument == instrument and c.edition == edition for _p, c in parts.cited):
            yield Problem(fail(doc, path + ("citations",),
                               f"a policy in {instrument}/{edition} must cite {instrument}@{edition}"))
        unverified = data.get("unverified", False)
        if any(v is not None and v not in VERIFIED for v in levels) and unverified is not True:
            yield Problem(fail(doc, path + ("citations",), "a citation below E2 (E1 or U) is not a verified citation: "
                               "mark the policy `unverified: true` (it then runs only on request)"))
        elif unverified is True and levels and all(v is None or v in VERIFIED for v in levels):
            yield Problem(fail(doc, path + ("unverified",), "unverified: true, but every citation is verified (F2, F1 "
                               "or E2): the policy runs only on request"), severity="warning")

    if has(data, "evidence", dict):
        for name, text in data["evidence"].items():
            if not isinstance(name, str) or not name.isidentifier():
                yield Problem(fail(doc, path + ("evidence", name), f"evidence name {name!r} must be an identifier"))
            yield from expr(("evidence", name), text)

    # the message: the pair of texts, then its placeholders, every one that is not an evidence name
    if "message" in data:
        yield from text_pair_problems(doc, path + ("message",), data["message"])
    if has(data, "message", dict):
        allowed = {"subject", "subject_id"}
        if has(data, "evidence", dict):
            allowed |= {n for n in data["evidence"] if isinstance(n, str)}
        for lang in ("zh", "en"):
            if has(data["message"], lang, str):
                yield from _template_problems(doc, path + ("message", lang), data["message"][lang], allowed)

    if has(data, "unless", list):
        for i, raw in enumerate(data["unless"]):
            yield from mapping_problems(doc, path + ("unless", i), raw, _UNLESS_FIELDS)
            if has(raw, "when", str):
                yield from expr(("unless", i, "when"), raw["when"])
            if isinstance(raw, dict) and "note" in raw:
                yield from text_pair_problems(doc, path + ("unless", i, "note"), raw["note"])

    if has(data, "examples", list):
        for i, raw in enumerate(data["examples"]):
            ep = path + ("examples", i)
            yield from mapping_problems(doc, ep, raw, _EXAMPLE_FIELDS)
            if has(raw, "expect", str) and raw["expect"] not in OUTCOMES:
                yield Problem(fail(doc, ep + ("expect",),
                                   f"expected one of {', '.join(OUTCOMES)}, got {raw['expect']!r}"))
            if has(raw, "as_of", str):
                try:
                    parse_date(raw["as_of"])
                except ValueError:
                    yield Problem(fail(doc, ep + ("as_of",), f"expected a date YYYY-MM-DD, got {raw['as_of']!r}"))
            if has(raw, "missing", list):
                for j, m in enumerate(raw["missing"]):
                    if (problem := type_problem(doc, ep + ("missing", j), m, str)) is not None:
                        yield problem

    if "title" in data:
        yield from text_pair_problems(doc, path + ("title",), data["title"])
    for key in ("require", "where"):
        if has(data, key, str):
            yield from expr((key,), data[key])


def _build(doc: Document, path: tuple, data: dict, parts: _Parts, instrument: str, edition: str) -> Policy:
    """The policy of a mapping that has no problem, from the parts its check compiled."""
    examples = tuple(
        Example(raw["name"], raw["expect"], raw["facts"], raw.get("subject"),
                parse_date(raw["as_of"]) if "as_of" in raw else None,
                tuple(raw["missing"]) if "missing" in raw else None, (doc.where(path + ("examples", i)) or (None,))[0])
        for i, raw in enumerate(data.get("examples") or []))
    unless = tuple(Exception_(parts.exprs[("unless", i, "when")], _pair(raw["note"]))
                   for i, raw in enumerate(data.get("unless") or []))
    evidence = tuple((name, parts.exprs[("evidence", name)]) for name in data.get("evidence") or {})
    where, require, evidence_all = parts.exprs[("where",)] if "where" in data else None, parts.exprs[("require",)], \
        evidence_tuple(evidence)
    return Policy(
        id=data["id"], instrument=instrument, edition=edition, title=_pair(data["title"]),
        severity=data["severity"], citations=tuple(parts.citations), applies_to=data["applies_to"],
        require=require, message=_pair(data["message"]), where=where,
        unless=unless, evidence=evidence, evidence_all=evidence_all, examples=examples,
        subject_code=None if unless else SubjectCode(where, require, evidence_all),
        notes=data.get("notes", ""), unverified=data.get("unverified", False), source=doc.source,
        line=(doc.where(path) or (None,))[0],
    )


def evidence_tuple(evidence: tuple[tuple[str, Expr], ...]) -> Expr | None:
    """The evidence expressions as one checked expression, a tuple of their values in order.

    Compiled, it computes each derived fact the entries share once per subject (compiled.py reuses a
    top-level call) and is one call instead of one per entry; it raises where the first failing entry would.
    Each text keeps lines of its own, so that a comment cannot hide what follows."""
    if not evidence:
        return None
    text = "(\n" + "".join(f"(\n{e.text}\n),\n" for _name, e in evidence) + ")"
    return Expr(text, None, frozenset().union(*(e.calls for _n, e in evidence)),
                frozenset().union(*(e.params for _n, e in evidence)))


def _pair(value: dict) -> dict:
    return {"zh": value["zh"], "en": value["en"]}


def _template_problems(doc: Document, path: tuple, text: str, allowed: set[str]) -> Iterator[Problem]:
    """Placeholders are plain names of evidence values (or ``subject``), with simple formats only.

    The loader names the message; lint points at the placeholder and suggests a name.
    """
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        yield Problem(fail(doc, path, f"bad message template: {exc} (write {{{{ and }}}} for literal braces)"))
        return
    offset = 0
    for literal, field, spec, conversion in parts:
        offset += len(literal)
        if field is None:
            continue
        at = text.find("{" + field, offset)
        said = None
        if field not in allowed:
            said = f"placeholder {{{field}}} is not an evidence name; use one of {', '.join(sorted(allowed))}"
            close = difflib.get_close_matches(field, sorted(allowed), n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
        elif conversion is not None or (spec and not _SPEC.fullmatch(spec)):
            said = (f"placeholder {{{field}}}: only simple formats such as :.1% are allowed "
                    f"(a width up to 99, a precision up to 99 with f or %)")
            hint = ""
        if said is not None:
            line, col = _placeholder_at(doc, path, text, at if at >= 0 else 0)
            yield Problem(fail(doc, path, said),
                          detail=PolicyError(doc.source, f"{format_path(path)}: {said}{hint}", line, col))
        if at >= 0:
            offset = text.find("}", at) + 1


def _placeholder_at(doc: Document, path: tuple, text: str, offset: int) -> tuple[int | None, int | None]:
    """The file position of ``text[offset]`` when the scalar is on one line and unescaped, else its start."""
    line, col = doc.where(path) or (None, None)
    if line is None or not doc.lines or "\n" in text or line - 1 >= len(doc.lines):
        return line, col
    src = doc.lines[line - 1]
    start = col - 1 + (1 if src[col - 1:col] in ("'", '"') else 0)
    if src[start:start + len(text)] == text:
        return line, start + offset + 1
    return line, col


def retarget(policy: Policy, edition: str, parent: str, source: str) -> Policy:
    """The same policy carried into a later edition that kept the article numbers."""
    cites = tuple(
        attrs.evolve(c, citation=attrs.evolve(c.citation, edition=edition))
        if c.citation.instrument == policy.instrument and c.citation.edition == parent else c
        for c in policy.citations)
    root = policy.inherited_from or f"{policy.instrument}@{parent}"
    return attrs.evolve(policy, edition=edition, citations=cites, inherited_from=root, source=policy.source)

