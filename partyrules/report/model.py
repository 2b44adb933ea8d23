"""Results and reports, ``partyrules.report/1``.

A :class:`Result` is one policy on one subject; a :class:`Report` holds them in
a fixed order (severity, policy, subject) with a summary and the notices a
reader must know about, so that the same input always prints the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Callable, Iterator

import attrs

from ..citations import Registry
from ..facts.model import FactDocument
from ..facts.recorded import NOT_RECORDED, RecordedLookup, missing_kind
from . import json_text
from json.encoder import encode_basestring

from .json_text import Written, encode_into

FORMAT = "partyrules.report/1"
OUTCOME_ORDER = ("violated", "unknown", "error", "satisfied", "not_applicable")
LISTED = frozenset(("violated", "unknown", "error"))   # the outcomes listed without --all
SEVERITY_RANK = {"error": 0, "warning": 1}
SUBJECT_RANK = {"unit": 0, "department": 1, "organization": 2, "member": 3, "applicant": 4}
FAIL_ON = ("error", "warning", "never")   # the lowest severity of a violation that fails a check


@attrs.frozen(order=True)
class Subject:
    """What a result is about: ``kind`` (``unit``, ``department``, ``organization`` or ``member``; ``applicant``
    only for documents with the ``applicants`` extension),
    the ``id`` from the fact document, and its ``name`` (the id when the document gives no name)."""

    kind: str
    id: str
    name: str


def _message_of(value: Any) -> Any:
    """A result's message, made from its recipe when it is still one (see :class:`Result`)."""
    return value[0](value) if type(value) is tuple else value


def _evidence_of(value: Any) -> Any:
    return value[1](value) if type(value) is tuple else value


@attrs.frozen
class Result:
    """One policy on one subject.

    ``outcome`` is ``violated``, ``unknown`` (``missing`` lists the omitted facts, as
    paths in the document), ``error`` (the policy failed on this subject only),
    ``satisfied`` or ``not_applicable``. ``citations`` are the articles the result
    rests on, in the editions in force on the evaluation date; ``message`` is
    ``{"zh": …, "en": …}``; ``evidence`` holds the values the decision used, as JSON.
    ``instrument`` and ``edition`` name the edition whose policy produced it.
    """

    policy: str
    outcome: str
    severity: str
    subject: Subject
    citations: tuple        # of rulebook.policy.CitationSpec
    # ``message=`` and ``evidence=`` in the constructor: a dict, or a recipe that makes it when first
    # read: a tuple ``(make_message, make_evidence, ...)``, each called with the whole tuple. One tuple
    # for both, not an object apiece: most results of a check are satisfied and never printed, and
    # the garbage collector visits every object they hold while the check runs. Equal results
    # compare by the values; a pickled result carries the values, not the recipe.
    _message: Any = attrs.field(eq=_message_of, repr=_message_of)
    _evidence: Any = attrs.field(eq=_evidence_of, repr=_evidence_of)
    missing: tuple[str, ...] = ()
    instrument: str = ""
    edition: str = ""
    # for an unknown: "not_recorded" when every missing fact is a field the document never records
    # (the court's gap, folded into one section by the human views), else "missing_for_subject"
    missing_kind: str | None = None
    # the policy's title (what a compliant subject does), for the human views' "what to do"; not in the JSON
    title: dict = attrs.field(factory=dict)

    @property
    def message(self) -> dict:
        """``{"zh": …, "en": …}``."""
        m = self._message
        if type(m) is tuple:
            m = m[0](m)
            object.__setattr__(self, "_message", m)   # kept: made once (a race makes an equal one)
        return m

    @property
    def evidence(self) -> dict:
        """The values the decision used, as JSON."""
        e = self._evidence
        if type(e) is tuple:
            e = e[1](e)
            object.__setattr__(self, "_evidence", e)
        return e

    def __reduce__(self) -> tuple:
        return (Result, tuple(self.message if a.name == "_message" else self.evidence if a.name == "_evidence"
                              else getattr(self, a.name) for a in attrs.fields(Result)))

    def sort_key(self) -> tuple:
        return (SEVERITY_RANK.get(self.severity, 9), self.policy, SUBJECT_RANK.get(self.subject.kind, 9),
                self.subject.id)

    @property
    def listed(self) -> bool:
        """Listed without ``--all``: what needs attention."""
        return self.outcome in ("violated", "unknown", "error")

    @property
    def not_recorded(self) -> bool:
        return self.outcome == "unknown" and self.missing_kind == NOT_RECORDED

    def to_json(self, registry: Registry, _cited: dict | None = None) -> dict:
        """This result in ``partyrules.report/1``. (``_cited`` lets :meth:`Report.to_json` make each
        citation's JSON once per report: thousands of results share a few dozen citations.)"""
        cites = []
        for spec in self.citations:
            if _cited is None:
                cites.append(citation_json(spec, registry))
                continue
            c = _cited.get(id(spec))
            if c is None:
                c = _cited[id(spec)] = (spec, citation_json(spec, registry))   # spec kept: its id stays its own
            c = c[1]
            cites.append(dict(c, label=dict(c["label"])))      # every result gets its own dicts
        return self._json(cites)

    def _json(self, cites: Any) -> dict:
        """The JSON fields, with ``cites`` for the citations (a list, or text shared by many results)."""
        out = {
            "policy": self.policy,
            "outcome": self.outcome,
            "severity": self.severity,
            "subject": {"kind": self.subject.kind, "id": self.subject.id, "name": self.subject.name},
            "citations": cites,
            "message": dict(self.message),
            "evidence": self.evidence,
            "missing": list(self.missing),
        }
        if self.outcome == "unknown" and self.missing_kind is not None:
            out["missing_kind"] = self.missing_kind     # an addition to report-v1: readers may ignore it
        return out


def citation_json(spec: Any, registry: Registry) -> dict:
    """A cited article (a ``CitationSpec``) as ``partyrules.report/1`` shows it (one place: the spec's own)."""
    return spec.to_json(registry)


@attrs.frozen
class Notice:
    """Something the reader must know about the check as a whole (``kind``), e.g.
    ``edition_not_encoded`` for an instrument whose edition in force has no encoded provisions."""

    kind: str
    message: dict
    instrument: str | None = None
    edition: str | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind}
        if self.instrument is not None:
            out["instrument"] = self.instrument
            out["edition"] = self.edition
        out["message"] = dict(self.message)
        return out


class Results(Sequence):
    """A report's results in report order, behaving as the tuple of them: ``len``, indexing, slicing
    (a tuple), iteration, ``in``, ``+`` (a tuple), equality with a tuple of the same results (and its
    hash), pickled as that tuple.

    An engine may hand in some results still as rows, tuples ``(make, ...)`` that ``make(row)`` turns
    into the :class:`Result` when it is first read: the satisfied and not-applicable results
    (two thirds of a check's, printed only on request) then cost a row, not an object, unless read.
    ``outcome`` of a row is ``row[1]``. :meth:`counts` and :meth:`listed` read the rows without making
    results.
    """

    __slots__ = ("_items",)

    def __init__(self, items: list) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._result(i) for i in range(*index.indices(len(self._items))))
        item = self._items[index]
        if type(item) is tuple:
            item = self._result(index if index >= 0 else index + len(self._items))
        return item

    def _result(self, i: int) -> Result:
        item = self._items[i]
        if type(item) is tuple:
            item = self._items[i] = item[0](item)     # kept: made once (a race makes an equal one)
        return item

    def __iter__(self) -> Iterator[Result]:
        items = self._items
        for i, item in enumerate(items):
            yield self._result(i) if type(item) is tuple else item

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, Results)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: object) -> Any:
        return tuple(self) + tuple(other) if isinstance(other, (tuple, Results)) else NotImplemented

    def __radd__(self, other: object) -> Any:
        return tuple(other) + tuple(self) if isinstance(other, tuple) else NotImplemented

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple:
        return (tuple, (tuple(self),))

    def counts(self) -> dict[str, int]:
        """How many results have each outcome (``Report.summary``)."""
        counts = {k: 0 for k in OUTCOME_ORDER}
        for item in self._items:
            counts[item[1] if type(item) is tuple else item.outcome] += 1
        return counts

    def listed(self, all_results: bool = False) -> list[Result]:
        """The results :meth:`Report.listed` lists, made only when listed."""
        if all_results:
            return list(self)
        return [self._result(i) if type(item) is tuple else item for i, item in enumerate(self._items)
                if (item[1] if type(item) is tuple else item.outcome) in LISTED]


@attrs.frozen
class Report:
    """Every result of one check of one fact document, in a fixed order, and its notices.

    ``summary`` counts every outcome; ``violations`` lists the violated results;
    ``exit_status`` is the command's (1 with a violation, else 0);
    ``to_json()`` is the ``partyrules.report/1`` document (``all_results=True``
    lists satisfied and not-applicable results too). ``registry`` resolves
    citation labels; ``engine`` and ``source`` say what ran and on what.
    """

    unit: str
    as_of: dt.date
    results: tuple[Result, ...]
    notices: tuple[Notice, ...]
    registry: Registry = attrs.field(eq=False, repr=False)
    engine: str = "native"
    source: str = ""
    # additions to report-v1 (extend, never break): what produced the report, and what comes due
    unit_name: str = ""
    tool_version: str = ""
    rulebook_digest: str = ""
    upcoming: Any = None           # a partyrules.upcoming.Upcoming, or None
    # the checked document, for the human views (names, organizations, what a fact path is); not in the JSON
    facts: FactDocument | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def summary(self) -> dict[str, int]:
        if type(self.results) is Results:
            return self.results.counts()
        counts = {k: 0 for k in OUTCOME_ORDER}
        for r in self.results:
            counts[r.outcome] += 1
        return counts

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.listed() if r.outcome == "violated"]

    @property
    def exit_status(self) -> int:
        """1 when any policy is violated, else 0 (report-v1; the same as ``exit_status_for("warning")``)."""
        return 1 if self.violations else 0

    def exit_status_for(self, fail_on: str = "warning") -> int:
        """1 when a violation at or above ``fail_on`` is found, else 0.

        ``error``: a violated policy of severity error (a warning is reported, but
        does not fail); ``warning``: any violation; ``never``: always 0.
        """
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
        if fail_on == "never":
            return 0
        return 1 if any(fail_on == "warning" or r.severity == "error" for r in self.violations) else 0

    def listed(self, all_results: bool = False) -> list[Result]:
        if type(self.results) is Results:
            return self.results.listed(all_results)
        return [r for r in self.results if all_results or r.listed]

    def to_json(self, all_results: bool = False) -> dict:
        cited: dict = {}
        return self._document([r.to_json(self.registry, cited) for r in self.listed(all_results)])

    def json_text(self, all_results: bool = False, end: str = "") -> str:
        """``json.dumps(self.to_json(all_results), ensure_ascii=False, indent=2) + end``, the same bytes
        made faster: the results are written straight to text (:func:`_write_results`), and the rest
        of the document through :mod:`.json_text`."""
        listed = self.listed(all_results)
        return json_text.dumps(self._document(
            Written(lambda indent, out: _write_results(listed, self.registry, indent, out))), end)

    def _document(self, results: list) -> dict:
        return {
            "format": FORMAT,
            "unit": self.unit,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "results": results,
            "summary": self.summary,
            "notices": [n.to_json() for n in self.notices],
            **self._additions(),
        }

    def _additions(self) -> dict:
        """The fields partyrules adds to report-v1: the unit's name, tool, rulebook revision, what comes due."""
        out: dict[str, Any] = {"unit_name": self.unit_name,
                               "tool": {"name": "partyrules", "version": self.tool_version},
                               "rulebook": {"digest": self.rulebook_digest}}
        if self.upcoming is not None:
            out["upcoming"] = self.upcoming.to_json()
        return out

class ReportOrder(list):
    """Results already in report order (:meth:`Result.sort_key`, ties in the order made): the native engine
    makes them so, policy by policy, and :func:`finish_results` then has nothing to sort. ``kinds`` is
    the :class:`MissingKinds` that marked every unknown among them, when one did."""

    kinds: "MissingKinds | None" = None


class MissingKinds:
    """``missing_kind`` on one document, asked once per set of missing facts (many unknowns miss the same);
    ``kinds(missing)``. Made once per view and shared by the engine and :func:`finish_results`."""

    __slots__ = ("recorded", "kinds")

    def __init__(self, facts: FactDocument) -> None:
        self.recorded = RecordedLookup(facts)      # asks only about the fields the unknowns miss
        self.kinds: dict[tuple, str] = {}

    def __call__(self, missing: tuple) -> str:
        kind = self.kinds.get(missing)
        if kind is None:
            kind = self.kinds[missing] = missing_kind(missing, self.recorded)
        return kind


def finish_results(results: list[Result], facts: FactDocument,
                   kinds: MissingKinds | None = None) -> tuple[Result, ...] | Results:
    """The results in report order, each unknown marked with whose gap it is (see ``facts.recorded``).

    Done after evaluation, once for every engine, so that all engines give the same bytes. An engine
    that already marked its unknowns (with ``kinds``, on the same document) and gave a
    :class:`ReportOrder` leaves nothing to do (its rows, see :class:`Results`, stay rows); a result
    kept from another document's check (a session's) is marked again.
    """
    ordered = type(results) is ReportOrder
    out = list(results)         # never the caller's list
    if not (ordered and kinds is not None and results.kinds is kinds):
        if kinds is None:
            kinds = MissingKinds(facts)
        for n, r in enumerate(out):
            if type(r) is not tuple and r.outcome == "unknown":     # a row is never an unknown
                kind = kinds(r.missing)
                if r.missing_kind != kind:
                    out[n] = _with_missing_kind(r, kind)
    if ordered:
        return Results(out)
    # Result.sort_key, made in one pass without a call per result (some 10⁴ results)
    severity, subject = SEVERITY_RANK.get, SUBJECT_RANK.get
    keys = [(severity(r.severity, 9), r.policy, subject(r.subject.kind, 9), r.subject.id) for r in out]
    return tuple([out[i] for i in sorted(range(len(out)), key=keys.__getitem__)])


def _with_missing_kind(r: Result, kind: str | None) -> Result:
    """``attrs.evolve(r, missing_kind=kind)`` without its per-call look at the class (thousands of unknowns)."""
    return Result(r.policy, r.outcome, r.severity, r.subject, r.citations, r._message, r._evidence, r.missing,
                  r.instrument, r.edition, kind, r.title)


def _write_results(results: list[Result], registry: Registry, indent: str, out: list[str]) -> None:
    """What :mod:`.json_text` writes for ``[r._json(citations) for r in results]`` at ``indent``, without
    making a dict per result (the same keys in the same order; tests/test_json_text.py compares the
    report's text with ``json.dumps`` of its document).

    Thousands of results share a few dozen heads (policy, outcome, severity) and lists of citations,
    a few hundred subjects and a few thousand endings (missing facts, missing kind): the text of each
    is made once per call and appended as it is, never copied into a string per result. (Subjects and
    citations are keyed by ``id``: every result, so every subject and citation tuple, lives while this
    runs.) Only a ``{"zh": …, "en": …}`` message and the evidence are written per result.

    A message or evidence still a recipe (see :class:`Result`) is made here and not kept on the result:
    a report is mostly printed once, and keeping them cost a quarter of making them (the attribute set
    on a frozen result), besides holding some 10⁴ dicts for as long as the report lives.
    """
    if not results:
        out.append("[]")
        return
    e = encode_basestring
    inner = indent + "  "
    i = inner + "  "
    j = i + "  "
    heads: dict[tuple, str] = {}
    subjects: dict[int, str] = {}
    citations: dict[int, str] = {}
    closes: dict[str, str] = {}
    zh = f',\n{i}"message": {{\n{j}"zh": '
    en = f',\n{j}"en": '
    evidence_key = f'\n{i}}},\n{i}"evidence": '
    evidence_open, evidence_comma, evidence_close = "{\n" + j, ",\n" + j, "\n" + i + "}"
    missing_open, missing_comma, missing_close = f',\n{i}"missing": [\n{j}', ",\n" + j, "\n" + i + "]"
    no_missing = f',\n{i}"missing": []'
    plain_close = "\n" + inner + "}"
    sep = "[\n" + inner
    for r in results:
        key = (r.policy, r.outcome, r.severity)
        head = heads.get(key)
        if head is None:
            head = _head_text(r, i)
            if type(r.policy) is str and type(r.outcome) is str and type(r.severity) is str:
                heads[key] = head       # only text: 1 == True, and json writes them differently
        s = r.subject
        subject = subjects.get(id(s))
        if subject is None:
            subject = subjects[id(s)] = (f'{{\n{j}"kind": {_text(s.kind, j)},\n{j}"id": {_text(s.id, j)},\n'
                                         f'{j}"name": {_text(s.name, j)}\n{i}}},\n{i}"citations": ')
        cites = citations.get(id(r.citations))
        if cites is None:
            cites = citations[id(r.citations)] = _text([citation_json(spec, registry) for spec in r.citations], i)
        m = r._message
        if type(m) is tuple:        # still the recipe: made for this text, not kept (see below)
            m = m[0](m)
        if type(m) is dict and len(m) == 2:
            (k1, v1), (k2, v2) = m.items()
            if k1 == "zh" and k2 == "en" and type(k1) is str and type(k2) is str and type(v1) is str \
                    and type(v2) is str:
                out += (sep, head, subject, cites, zh, e(v1), en, e(v2), evidence_key)
            else:
                out += (sep, head, subject, cites, f',\n{i}"message": {_text(dict(m), i)},\n{i}"evidence": ')
        else:
            out += (sep, head, subject, cites, f',\n{i}"message": {_text(dict(m), i)},\n{i}"evidence": ')
        evidence = r._evidence
        if type(evidence) is tuple:
            evidence = evidence[1](evidence)
        if type(evidence) is dict and evidence:
            _write_dict(evidence, i, out, evidence_open, evidence_comma, evidence_close)
        else:
            encode_into(evidence, i, out)
        if r.outcome == "unknown" and r.missing_kind is not None:
            kind = r.missing_kind
            close = closes.get(kind) if type(kind) is str else None
            if close is None:
                close = f',\n{i}"missing_kind": {_text(kind, i)}\n{inner}}}'
                if type(kind) is str:
                    closes[kind] = close
        else:
            close = plain_close
        missing = r.missing
        if not missing:
            out += (no_missing, close)
        else:
            try:
                out += (missing_open, missing_comma.join(map(e, missing)), missing_close, close)
            except TypeError:           # not all text: as json_text writes it
                out += (f',\n{i}"missing": {_text(list(missing), i)}', close)
        sep = ",\n" + inner
    out.append("\n" + indent + "]")


def _write_dict(value: dict, indent: str, out: list[str], open_: str, comma: str, close: str) -> None:
    """``encode_into(value, indent, out)`` for a dict that is not empty, with its separators made once
    by the caller (``open_``, ``comma``, ``close`` at ``indent``): most of an evidence's values are
    null or text, written here without a call."""
    e = encode_basestring
    start = len(out)
    sep = open_
    for k, v in value.items():
        if type(k) is not str:
            del out[start:]
            encode_into(value, indent, out)       # json's rules for keys that are not text
            return
        if v is None:
            out.append(f"{sep}{e(k)}: null")
        elif type(v) is str:
            out.append(f"{sep}{e(k)}: {e(v)}")
        else:
            out.append(f"{sep}{e(k)}: ")
            encode_into(v, indent + "  ", out)
        sep = comma
    out.append(close)


def _head_text(r: Result, i: str) -> str:
    """A result's first keys, up to the subject's value, its keys at ``i``."""
    return (f'{{\n{i}"policy": {_text(r.policy, i)},\n{i}"outcome": {_text(r.outcome, i)},\n'
            f'{i}"severity": {_text(r.severity, i)},\n{i}"subject": ')


def _text(value: Any, indent: str) -> str:
    part: list[str] = []
    encode_into(value, indent, part)
    return "".join(part)
