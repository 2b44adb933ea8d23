"""The legal coverage index, and how much of it the rulebook encodes.

``policies/provisions.yaml`` lists every provision the fact sheet marks
checkable, with its verification level. :func:`load_index` reads and checks it
(every problem is a :class:`~partyrules.errors.PolicyError` at ``FILE:LINE:COL``);
:func:`coverage` matches a rulebook's policies against it:

* a policy **encodes** a provision when one of its citations *equals* the
  provision's citation. Matching is exact: a citation of a whole article does not
  claim the article's paragraphs, nor the reverse;
* where the fact sheet counts several facts under one citation, the index splits
  the provision into *parts*, and a policy counts for a part only when the part
  names it (``policies:``) **and** the policy cites the provision; a policy that
  cites a split provision but that no part names is reported (``part_unassigned``);
* a provision is **tested** when a policy encoding it has at least one
  ``violated`` and one ``satisfied`` example;
* every policy citation that matches no provision is reported: a citation of a
  provision the fact sheet does not list as checkable is a smell.

Policies carried into a later edition (``inherited_from``) cite that edition and
count for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import attrs

from ..citations import Citation, CitationError, Registry, builtin_policies_dir, parse_citation
from ..errors import UsageError
from ..rulebook.load import Rulebook
from ..rulebook.policy import VERIFICATION, VERIFIED, Policy
from ..rulebook.schema import Fields, check_mapping, check_type, fail, text_pair
from ..source import Document, read_path

__all__ = [
    "CHECKABLE",
    "FORMAT",
    "INDEX_FORMAT",
    "CoverageReport",
    "EditionCoverage",
    "Encoding",
    "Provision",
    "ProvisionCoverage",
    "UnindexedCitation",
    "coverage",
    "default_index_path",
    "load_index",
]

INDEX_FORMAT = "partyrules.provisions/1"
FORMAT = "partyrules.coverage/1"
CHECKABLE = ("yes", "partly")
REASONS = ("not_indexed", "part_unassigned", "edition_not_indexed")

_DOC_FIELDS = Fields(required={"format": str, "provisions": list})
_ENTRY_FIELDS = Fields(
    required={"ref": str, "verification": str, "checkable": (str, bool), "ready": bool, "summary": dict,
              "source": str},
    optional={"editions": list, "part": int, "policies": list, "facts": str, "doubt": str, "note": str,
              "not_encoded": str},
)
_POLICY_ID = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
_HAS_EDITION = re.compile(r"^[^\s@]+@")


# --------------------------------------------------------------------------- the index


@attrs.frozen(order=False)
class Provision:
    """One checkable provision (or one part of one) of one edition.

    ``key`` (the citation, plus ``#part``) is unique in an index. ``policies`` is
    only set on parts: the ids of the policies that encode this part.
    """

    citation: Citation
    verification: str
    checkable: str
    ready: bool
    summary: dict
    source: str
    part: int | None = None
    policies: tuple[str, ...] = ()
    facts: str = ""
    doubt: str = ""
    note: str = ""
    not_encoded: str = ""

    @property
    def declined(self) -> bool:
        """Not encoded for a stated reason that rules a policy out (not "checkable … not encoded yet")."""
        return bool(self.not_encoded) and not self.not_encoded.startswith(WORK_LEFT)
    origin: str = attrs.field(default="", eq=False)
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def ref(self) -> str:
        return self.citation.ref()

    @property
    def key(self) -> str:
        """``organs-regulations@2019 art.8 para.2 #3``: the citation, and the part if any."""
        return self.ref if self.part is None else f"{self.ref} #{self.part}"

    @property
    def edition_ref(self) -> str:
        return f"{self.citation.instrument}@{self.citation.edition}"

    def sort_key(self) -> tuple:
        return (self.citation, self.part or 0)


def default_index_path() -> Path:
    """The built-in index: ``provisions.yaml`` beside ``instruments.yaml``."""
    return builtin_policies_dir() / "provisions.yaml"


def load_index(path: str | Path | None = None, *, registry: Registry | None = None) -> list[Provision]:
    """Read and check a provisions index (the built-in one by default).

    Every ``ref`` must parse with ``registry`` (the built-in instruments by
    default), so its instrument and edition are registered; keys are unique; the
    verification level, ``checkable`` and ``ready`` agree with each other. The
    first problem is raised as a :class:`PolicyError` at its line and column.
    The provisions come back in index order, editions expanded.
    """
    doc = read_path(default_index_path() if path is None else path)
    if registry is None:
        registry = Registry.builtin()
    check_mapping(doc, (), doc.data, _DOC_FIELDS)
    if doc.data["format"] != INDEX_FORMAT:
        raise fail(doc, ("format",), f"expected {INDEX_FORMAT!r}, got {doc.data['format']!r}")
    out: list[Provision] = []
    seen: dict[str, tuple[int, ...]] = {}
    parted: dict[Citation, tuple[bool, tuple]] = {}       # citation → (has parts, path of the first entry)
    for i, raw in enumerate(doc.data["provisions"]):
        path = ("provisions", i)
        for prov in _entry(doc, path, raw, registry):
            if prov.key in seen:
                raise fail(doc, path + ("ref",), f"{prov.key} is already listed at {_where(doc, seen[prov.key])}")
            seen[prov.key] = path
            has_part = prov.part is not None
            first = parted.setdefault(prov.citation, (has_part, path))
            if first[0] != has_part:
                raise fail(doc, path + (("part",) if has_part else ("ref",)),
                           f"{prov.ref} is listed with and without a part (see {_where(doc, first[1])}): "
                           "give every entry of a split provision a part, or none")
            out.append(prov)
    return out


def _where(doc: Document, path: tuple) -> str:
    at = doc.where(path)
    return f"line {at[0]}" if at else "an earlier entry"


def _entry(doc: Document, path: tuple, raw: Any, registry: Registry) -> list[Provision]:
    check_mapping(doc, path, raw, _ENTRY_FIELDS)
    ref = raw["ref"]
    ver = raw["verification"]
    if ver not in VERIFICATION:
        raise fail(doc, path + ("verification",), f"expected one of {', '.join(VERIFICATION)}, got {ver!r}")
    if raw["checkable"] not in CHECKABLE:
        hint = ' (quote it: "yes"; YAML reads a bare yes as true)' if isinstance(raw["checkable"], bool) else ""
        raise fail(doc, path + ("checkable",), f'expected "yes" or partly{hint}, got {raw["checkable"]!r}')
    ready = raw["ready"]
    if ready != (ver in VERIFIED):
        want = "true" if ver in VERIFIED else "false"
        raise fail(doc, path + ("ready",), f"ready must be {want} for verification {ver} "
                                           f"(ready means {', '.join(VERIFIED)})")
    summary = text_pair(doc, path + ("summary",), raw["summary"])
    for key in ("source", "facts", "doubt", "note", "not_encoded"):
        if key in raw and not raw[key].strip():
            raise fail(doc, path + (key,), "must not be empty (leave the key out instead)")
    part = raw.get("part")
    if part is not None and part < 1:
        raise fail(doc, path + ("part",), f"expected a part number from 1, got {part}")
    policies: tuple[str, ...] = ()
    if "policies" in raw:
        if part is None:
            raise fail(doc, path + ("policies",), "only a part lists its policies: a whole provision is "
                                                  "matched by citation")
        for j, pid in enumerate(raw["policies"]):
            check_type(doc, path + ("policies", j), pid, str)
            if not _POLICY_ID.match(pid):
                raise fail(doc, path + ("policies", j), f"{pid!r} is not a policy id (dotted lowercase words)")
            if pid in raw["policies"][:j]:
                raise fail(doc, path + ("policies", j), f"policy {pid!r} is listed twice")
        policies = tuple(raw["policies"])

    def parse(text: str, where: tuple) -> Citation:
        try:
            citation = parse_citation(text, registry)
        except CitationError as exc:
            raise fail(doc, where, str(exc)) from None
        if text != citation.ref():
            raise fail(doc, where, f"write the citation canonically, as {citation.ref()!r}, got {text!r}")
        return citation

    if "editions" in raw:
        editions = raw["editions"]
        if not editions:
            raise fail(doc, path + ("editions",), "expected a non-empty list of editions")
        if _HAS_EDITION.match(ref.strip()):
            raise fail(doc, path + ("ref",), f"with editions, write the ref without @edition, got {ref!r}")
        name, _, rest = ref.strip().partition(" ")
        try:
            inst = registry.instrument(name)
        except CitationError as exc:
            raise fail(doc, path + ("ref",), str(exc)) from None
        for j, ed in enumerate(editions):
            if not isinstance(ed, str):
                hint = ' (quote it: "2017")' if isinstance(ed, int) and not isinstance(ed, bool) else ""
                raise fail(doc, path + ("editions", j), f"expected a string{hint}, got {ed!r}")
            if ed in editions[:j]:
                raise fail(doc, path + ("editions", j), f"edition {ed!r} is listed twice")
            try:
                registry.edition(inst, ed)
            except CitationError as exc:
                raise fail(doc, path + ("editions", j), str(exc)) from None
        citations = [parse(f"{name}@{ed} {rest}", path + ("ref",)) for ed in editions]
    else:
        if not _HAS_EDITION.match(ref.strip()):
            raise fail(doc, path + ("ref",), f"name the edition ({ref.strip().partition(' ')[0]}@EDITION …), "
                                             "or list editions")
        citations = [parse(ref, path + ("ref",))]
    line = (doc.where(path) or (None,))[0]
    return [Provision(citation=c, verification=ver, checkable=raw["checkable"], ready=ready, summary=summary,
                      source=raw["source"], part=part, policies=policies, facts=raw.get("facts", ""),
                      doubt=raw.get("doubt", ""), note=raw.get("note", ""),
                      not_encoded=raw.get("not_encoded", ""), origin=doc.source, line=line)
            for c in citations]


# --------------------------------------------------------------------------- coverage


@attrs.frozen
class Encoding:
    """A policy (of one edition) that encodes a provision."""

    policy: str
    instrument: str
    edition: str
    tested: bool
    violated_examples: int
    satisfied_examples: int
    inherited_from: str | None = None
    unverified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.policy, "instrument": self.instrument, "edition": self.edition,
                "inherited_from": self.inherited_from, "unverified": self.unverified, "tested": self.tested,
                "examples": {"violated": self.violated_examples, "satisfied": self.satisfied_examples}}


@attrs.frozen
class ProvisionCoverage:
    provision: Provision
    policies: tuple[Encoding, ...]

    @property
    def encoded(self) -> bool:
        return bool(self.policies)

    @property
    def tested(self) -> bool:
        return any(e.tested for e in self.policies)


WORK_LEFT = "checkable from recorded facts"   # a not_encoded reason that marks work left, not a decline
TOTAL_KEYS = ("provisions", "ready", "encoded", "tested", "ready_not_encoded", "declined", "gap")


@attrs.frozen
class EditionCoverage:
    instrument: str
    edition: str
    provisions: tuple[ProvisionCoverage, ...]

    @property
    def ref(self) -> str:
        return f"{self.instrument}@{self.edition}"

    @property
    def totals(self) -> dict[str, int]:
        rows = self.provisions
        return {
            "provisions": len(rows),
            "ready": sum(1 for r in rows if r.provision.ready),
            "encoded": sum(1 for r in rows if r.encoded),
            "tested": sum(1 for r in rows if r.tested),
            "ready_not_encoded": sum(1 for r in rows if r.provision.ready and not r.encoded),
            # ready, not encoded, and the index says why (e.g. the facts contract records nothing to check)
            "declined": sum(1 for r in rows if r.provision.ready and not r.encoded and r.provision.declined),
            # ready, not encoded, and checkable from the recorded facts (or no reason given): work left to do
            "gap": sum(1 for r in rows if r.provision.ready and not r.encoded and not r.provision.declined),
        }


@attrs.frozen
class UnindexedCitation:
    """A policy citation that matches no provision of the index, and why."""

    policy: str
    instrument: str          # the policy's edition
    edition: str
    citation: Citation
    reason: str              # one of REASONS

    def sort_key(self) -> tuple:
        return (self.citation, self.policy, self.instrument, self.edition)


@attrs.frozen
class CoverageReport:
    editions: tuple[EditionCoverage, ...]
    unindexed: tuple[UnindexedCitation, ...]
    registry: Registry

    def edition(self, ref: str) -> EditionCoverage:
        for e in self.editions:
            if e.ref == ref:
                return e
        raise KeyError(ref)

    def to_json(self) -> dict[str, Any]:
        reg = self.registry
        editions = []
        for e in self.editions:
            ed = reg.edition(e.instrument, e.edition)
            inst = reg.instrument(e.instrument)
            rows = []
            for r in e.provisions:
                p = r.provision
                rows.append({
                    "ref": p.ref, "part": p.part, "key": p.key, "citation": p.citation.to_json(reg),
                    "verification": p.verification, "checkable": p.checkable, "ready": p.ready,
                    "summary": dict(p.summary), "source": p.source, "facts": p.facts or None,
                    "doubt": p.doubt or None, "note": p.note or None, "not_encoded": p.not_encoded or None,
                    "encoded": r.encoded, "tested": r.tested,
                    "policies": [enc.to_json() for enc in r.policies],
                })
            editions.append({
                "instrument": e.instrument, "edition": e.edition,
                "label": {"zh": f"《{inst.title_zh}》{ed.label_zh}",
                          "en": inst.title_en + (f" ({ed.label_en})" if ed.label_en else "")},
                "totals": e.totals, "provisions": rows,
            })
        unindexed = [{"policy": u.policy, "instrument": u.instrument, "edition": u.edition,
                      "citation": u.citation.to_json(reg), "reason": u.reason} for u in self.unindexed]
        return {"format": FORMAT, "editions": editions, "unindexed_citations": unindexed}


def _tested(policy: Policy) -> tuple[bool, int, int]:
    violated = sum(1 for ex in policy.examples if ex.expect == "violated")
    satisfied = sum(1 for ex in policy.examples if ex.expect == "satisfied")
    return violated > 0 and satisfied > 0, violated, satisfied


def coverage(rulebook: Rulebook, index: Iterable[Provision],
             editions: Iterable[str] | None = None) -> CoverageReport:
    """Which provisions of ``index`` the rulebook encodes and tests, edition by edition.

    ``editions`` (``organs-regs@2019`` or ``organs-regulations@2019``) keeps only
    those editions, and only the unindexed citations of those editions; each
    must be in the index (a :class:`UsageError` otherwise). The result is
    ordered as the registry lists instruments and editions, provisions in
    citation order, so the same inputs always give the same report.
    """
    registry = rulebook.registry
    index = list(index)
    by_citation: dict[Citation, list[Provision]] = {}
    for p in index:
        by_citation.setdefault(registry.normalized(p.citation), []).append(p)
    indexed_editions = {(p.citation.instrument, p.citation.edition) for p in index}
    indexed_editions = {(registry.instrument(i).id, e) for i, e in indexed_editions}

    wanted: set[tuple[str, str]] | None = None
    if editions is not None:
        wanted = {_edition_key(registry, text, indexed_editions) for text in editions}

    found: dict[int, list[Encoding]] = {id(p): [] for p in index}
    unindexed: list[UnindexedCitation] = []
    for policy in rulebook.policies:
        tested, n_violated, n_satisfied = _tested(policy)
        enc = Encoding(policy.id, policy.instrument, policy.edition, tested, n_violated, n_satisfied,
                       policy.inherited_from, policy.unverified)
        seen: set[Citation] = set()
        for spec in policy.citations:
            c = registry.normalized(spec.citation)
            if c in seen:
                continue
            seen.add(c)
            entries = by_citation.get(c)
            if not entries:
                reason = "not_indexed" if (c.instrument, c.edition) in indexed_editions else "edition_not_indexed"
                unindexed.append(UnindexedCitation(policy.id, policy.instrument, policy.edition, c, reason))
                continue
            if entries[0].part is None:
                found[id(entries[0])].append(enc)
                continue
            claimed = [p for p in entries if policy.id in p.policies]
            if not claimed:
                unindexed.append(UnindexedCitation(policy.id, policy.instrument, policy.edition, c,
                                                   "part_unassigned"))
            for p in claimed:
                found[id(p)].append(enc)

    order = _edition_order(registry)
    groups: dict[tuple[str, str], list[ProvisionCoverage]] = {}
    for p in sorted(index, key=Provision.sort_key):
        key = (registry.instrument(p.citation.instrument).id, p.citation.edition)
        encs = sorted(found[id(p)], key=lambda e: (e.policy, order.get((e.instrument, e.edition), (999, 999))))
        groups.setdefault(key, []).append(ProvisionCoverage(p, tuple(encs)))
    result = tuple(EditionCoverage(i, e, tuple(rows))
                   for (i, e), rows in sorted(groups.items(), key=lambda kv: order.get(kv[0], (999, 999)))
                   if wanted is None or (i, e) in wanted)
    if wanted is not None:
        unindexed = [u for u in unindexed if (u.citation.instrument, u.citation.edition) in wanted]
    return CoverageReport(result, tuple(sorted(unindexed, key=UnindexedCitation.sort_key)), registry)


def _edition_order(registry: Registry) -> dict[tuple[str, str], tuple[int, int]]:
    return {(inst.id, ed.edition): (i, j)
            for i, inst in enumerate(registry.instruments) for j, ed in enumerate(inst.editions)}


def _edition_key(registry: Registry, text: str, indexed: set[tuple[str, str]]) -> tuple[str, str]:
    name, sep, edition = text.strip().partition("@")
    if not sep or not name or not edition:
        raise UsageError(f"--edition: expected INSTRUMENT@EDITION (like organs-regulations@2019), got {text!r}")
    try:
        ed = registry.edition(name, edition)
    except CitationError as exc:
        raise UsageError(f"--edition {text}: {exc}") from None
    key = (ed.instrument, ed.edition)
    if key not in indexed:
        names = ", ".join(f"{i}@{e}" for i, e in sorted(indexed, key=lambda k: _edition_order(registry)[k]))
        raise UsageError(f"--edition {text}: {ed.ref} is not in the provisions index (indexed: {names})")
    return key
