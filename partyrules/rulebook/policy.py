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
import re
import string
from typing import Any, Mapping

import attrs

from ..citations import Citation, CitationError, Registry, parse_citation
from ..facts.derive import Derived
from ..source import Document
from .expr import Expr, Located, compile_expr
from .params import Parameters
from .schema import Fields, check_mapping, check_type, fail, optional_date, text_pair

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


def policy_from_data(doc: Document, path: tuple, data: Any, *, instrument: str, edition: str,
                     registry: Registry, params: Parameters, derived: Mapping[str, Derived]) -> Policy:
    """Check one policy mapping and compile its expressions."""
    check_mapping(doc, path, data, _POLICY_FIELDS)
    pid = data["id"]
    if not _ID.match(pid):
        raise fail(doc, path + ("id",), f"policy id {pid!r} must be dotted lowercase words, "
                                        "e.g. organs.branch.committee-required")
    if data["severity"] not in SEVERITIES:
        raise fail(doc, path + ("severity",), f"expected error or warning, got {data['severity']!r}")
    if data["applies_to"] not in SUBJECT_VARS:
        raise fail(doc, path + ("applies_to",),
                   f"expected one of {', '.join(SUBJECT_VARS)}, got {data['applies_to']!r}")
    applies_to = data["applies_to"]
    variables = {SUBJECT_VARS[applies_to]: applies_to, "unit": "unit", "as_of": "date", "rule_from": "date",
                 "rule_until": "date"}

    def expr(p: tuple, text: Any) -> Expr:
        return compile_expr(text, expression_location(doc, path + p, text), variables, derived, params)

    citations = []
    for i, raw in enumerate(data["citations"]):
        cp = path + ("citations", i)
        if isinstance(raw, str):
            raw = {"ref": raw}
        check_mapping(doc, cp, raw, _CITATION_FIELDS)
        try:
            citation = parse_citation(raw["ref"], registry)
        except CitationError as exc:
            raise fail(doc, cp, str(exc)) from None
        ver = raw.get("verification")
        if ver is not None and ver not in VERIFICATION:
            raise fail(doc, cp + ("verification",), f"expected one of {', '.join(VERIFICATION)}, got {ver!r}")
        own = citation.instrument == instrument and citation.edition == edition
        problem = org_kinds_problem(raw, applies_to, own)
        if problem is not None:
            raise fail(doc, cp + problem[0], problem[1])
        kinds = tuple(raw["org_kinds"]) if "org_kinds" in raw else None
        citations.append(CitationSpec(citation, ver, raw.get("note"), kinds))
    if not citations:
        raise fail(doc, path + ("citations",), "a policy needs at least one citation")
    if not any(c.citation.instrument == instrument and c.citation.edition == edition for c in citations):
        raise fail(doc, path + ("citations",),
                   f"a policy in {instrument}/{edition} must cite {instrument}@{edition}")
    unverified = data.get("unverified", False)
    if any(not c.verified for c in citations) and not unverified:
        raise fail(doc, path + ("citations",), "a citation below E2 (E1 or U) is not a verified citation: "
                                               "mark the policy `unverified: true` (it then runs only on request)")

    evidence = []
    for name, text in (data.get("evidence") or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise fail(doc, path + ("evidence", name), f"evidence name {name!r} must be an identifier")
        evidence.append((name, expr(("evidence", name), text)))

    message = text_pair(doc, path + ("message",), data["message"])
    allowed = {n for n, _ in evidence} | {"subject", "subject_id"}
    for lang in ("zh", "en"):
        _check_template(doc, path + ("message", lang), message[lang], allowed)

    unless = []
    for i, raw in enumerate(data.get("unless") or []):
        check_mapping(doc, path + ("unless", i), raw, _UNLESS_FIELDS)
        unless.append(Exception_(expr(("unless", i, "when"), raw["when"]),
                                 text_pair(doc, path + ("unless", i, "note"), raw["note"])))

    examples = []
    for i, raw in enumerate(data.get("examples") or []):
        ep = path + ("examples", i)
        check_mapping(doc, ep, raw, _EXAMPLE_FIELDS)
        if raw["expect"] not in OUTCOMES:
            raise fail(doc, ep + ("expect",), f"expected one of {', '.join(OUTCOMES)}, got {raw['expect']!r}")
        as_of = optional_date(doc, ep, raw, "as_of")
        missing = None
        if "missing" in raw:
            for j, m in enumerate(raw["missing"]):
                check_type(doc, ep + ("missing", j), m, str)
            missing = tuple(raw["missing"])
        examples.append(Example(raw["name"], raw["expect"], raw["facts"], raw.get("subject"), as_of, missing,
                                (doc.where(ep) or (None,))[0]))

    return Policy(
        id=pid, instrument=instrument, edition=edition,
        title=text_pair(doc, path + ("title",), data["title"]),
        severity=data["severity"], citations=tuple(citations), applies_to=applies_to,
        require=expr(("require",), data["require"]), message=message,
        where=expr(("where",), data["where"]) if "where" in data else None,
        unless=tuple(unless), evidence=tuple(evidence), examples=tuple(examples),
        notes=data.get("notes", ""), unverified=unverified, source=doc.source,
        line=(doc.where(path) or (None,))[0],
    )


def _check_template(doc: Document, path: tuple, text: str, allowed: set[str]) -> None:
    """Placeholders are plain names of evidence values (or ``subject``), with simple formats only."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise fail(doc, path, f"bad message template: {exc} (write {{{{ and }}}} for literal braces)") from None
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed:
            raise fail(doc, path, f"placeholder {{{field}}} is not an evidence name; "
                                  f"use one of {', '.join(sorted(allowed))}")
        if conversion is not None or (spec and not _SPEC.fullmatch(spec)):
            raise fail(doc, path, f"placeholder {{{field}}}: only simple formats such as :.1% are allowed "
                                  f"(a width up to 99, a precision up to 99 with f or %)")


def retarget(policy: Policy, edition: str, parent: str, source: str) -> Policy:
    """The same policy carried into a later edition that kept the article numbers."""
    cites = tuple(
        attrs.evolve(c, citation=attrs.evolve(c.citation, edition=edition))
        if c.citation.instrument == policy.instrument and c.citation.edition == parent else c
        for c in policy.citations)
    root = policy.inherited_from or f"{policy.instrument}@{parent}"
    return attrs.evolve(policy, edition=edition, citations=cites, inherited_from=root, source=policy.source)

