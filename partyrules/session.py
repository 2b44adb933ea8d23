"""Streaming sessions: a fact document that changes record by record, re-checked incrementally.

    >>> with partyrules.open_session("court.yaml") as s:
    ...     s.assert_fact("meeting", {"org": "b1", "kind": "theme_day", "date": "2024-06-17"})
    ...     s.retract_fact("member", "m081")
    ...     report = s.results()

A session keeps the document as a mapping (``partyrules.facts/1``). With the
native engine (the default, available everywhere) it keeps the last results and
re-checks only the subjects a change can touch: every organization, department
and the unit (they are few, and their derived facts count over everything), and
the members the changed record names or could concern (its own id, those it
names, those enrolled in the organizations it names or their ancestors and
descendants, those naming it as introducer); a change it cannot bound (the unit,
an organization, a removal, ``set``, a pack with derived facts of its own)
re-checks everything. With the durable engine (``engine="durable"``, where the
``durable`` extra is installed) it keeps one durable-rules state holding the
facts of every (policy, subject). Each change is validated like a whole document (a change that makes
it invalid raises :class:`~partyrules.errors.InputError` and is undone). On
:meth:`Session.results` the derived facts are recomputed from the accumulated
document, and durable's state is updated only where the logic facts of a
subject changed: those are retracted, with every fact the rules derived from
them, and re-asserted, so only their rules fire again. :meth:`results` is
always equal to a fresh ``partyrules.check`` of :attr:`Session.document` on the
same date (the tests check this after every step).

Kinds of records (``assert_fact`` adds, or replaces the one with the same key):

========================  ==============================================  ======================
kind                      asserted record                                 retracted by
========================  ==============================================  ======================
``unit``                  fields merged into ``unit`` (``OMITTED`` as a  the unit's id
                          value removes a field)                          (removes the unit)
``department``            ``unit.departments[]``, key ``id``              id or record
``organization``          ``organizations[]``, key ``id``                 id or record
``member``                ``members[]``, key ``id``                       id or record
``applicant``             ``applicants[]``, key ``id``                    id or record
``meeting``               ``meetings[]``, key ``id`` when it has one      id, or an equal record
``activity``              ``activities[]`` (always added)                 an equal record
``election``              ``{"org": ID, "date": …, …}`` into that          ``{"org": ID, "date": …}``
                          organization's ``elections``, key ``date``
========================  ==============================================  ======================

:meth:`Session.set` changes a top-level field (``as_of``, ``records_from``;
``OMITTED`` removes it). A session must be closed (:meth:`close`, or use it as
a context manager): durable-rules keeps at most 1,024 live states.

:attr:`Session.last_update` says how much the last :meth:`results` re-checked
(``subjects`` looked at, ``reasserted`` or re-checked).
"""

from __future__ import annotations

import datetime as dt
import weakref
from pathlib import Path
from typing import Any, Mapping

import attrs

from .errors import InputError, UsageError
from .facts.builtin import BUILTIN as BUILTIN_DERIVED
from .facts.load import load_facts
from .facts.model import OMITTED, FactDocument, Omitted
from .facts.view import View
from .periods import Month
from .report.model import Report
from .rulebook.load import Rulebook, load_rulebook
from .source import read_path

KINDS = ("unit", "department", "organization", "member", "applicant", "meeting", "activity", "election")
ALL_MEMBERS = object()      # a change whose reach is not bounded: re-check every subject
_LIST_OF = {"member": "members", "meeting": "meetings", "activity": "activities", "election": "organizations"}
TOP_LEVEL = ("as_of", "records_from")
_LISTS = {"organization": "organizations", "member": "members", "applicant": "applicants", "meeting": "meetings",
          "activity": "activities"}


def open_session(facts: Any, *, as_of: dt.date | str | None = None, engine: str = "native",
                 policies: tuple = (), builtin: bool = True, include_unverified: bool = False,
                 rulebook: Rulebook | None = None) -> "Session":
    """Open a :class:`Session` on ``facts`` (a path, a mapping or a :class:`FactDocument`).

    ``as_of`` fixes the evaluation date; without it the document's own
    ``as_of`` is used, and follows it when it is changed. The other keywords are
    those of :func:`partyrules.check`. ``engine="durable"`` keeps the facts in
    durable-rules (needs the ``durable`` extra); the default native engine
    re-checks only the subjects a change can touch.
    """
    from .api import ENGINES, get_engine
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    get_engine(engine)              # a clear UsageError where durable-rules cannot load
    return Session(_mapping_of(facts), as_of=as_of, engine=engine,
                   rulebook=rulebook if rulebook is not None else load_rulebook(policies, builtin=builtin),
                   include_unverified=include_unverified, source=_source_of(facts))


class Session:
    """A fact document under change, with its report kept up to date (see the module docstring)."""

    def __init__(self, document: dict, *, as_of: Any, engine: str, rulebook: Rulebook,
                 include_unverified: bool = False, source: str = "<mapping>") -> None:
        from .api import evaluation_date
        self._doc = document
        self._as_of = as_of
        self._book = rulebook
        self._include_unverified = include_unverified
        self._source = source
        self.engine = engine
        self._facts = self._validate(document)
        evaluation_date(self._facts, as_of)          # a bad date fails here, not at results()
        self._report: Report | None = None
        self._state = None
        # native engine: the last results by (policy, subject kind, subject id), and the members whose
        # results a change since then may have changed (ALL_MEMBERS: re-check everything)
        self._cache: dict[tuple, Any] | None = None
        self._touched: set | object = ALL_MEMBERS
        self.last_update: dict[str, int] = {"subjects": 0, "reasserted": 0}
        if engine == "durable":
            from .engine.durable import DurableHost, RuleState
            host = DurableHost.get()
            self._state = RuleState(host, "s")
            # a session that is never closed frees its durable state at the next safe point
            self._finalizer = weakref.finalize(self, host.schedule_close, self._state.collector)
        self.closed = False

    # ---- the document
    @property
    def document(self) -> dict:
        """A copy of the current document (a ``partyrules.facts/1`` mapping)."""
        return _copy(self._doc)

    @property
    def as_of(self) -> dt.date:
        from .api import evaluation_date
        return evaluation_date(self._facts, self._as_of)

    def assert_fact(self, kind: str, record: Mapping[str, Any]) -> None:
        """Add ``record`` of ``kind``, or replace the one with the same key (see the table above)."""
        self._open()
        if not isinstance(record, Mapping):
            raise UsageError(f"assert_fact: expected a mapping for the {kind} record, got {type(record).__name__}")
        record = _copy(dict(record))
        doc = dict(self._doc)
        touched: set | object = ALL_MEMBERS
        if kind in ("member", "meeting", "activity", "election"):
            touched = self._touched_by(kind, record)
        if kind == "unit":
            unit = dict(doc["unit"]) if isinstance(doc.get("unit"), dict) else {}
            for k, v in record.items():
                if isinstance(v, Omitted):
                    unit.pop(k, None)
                else:
                    unit[k] = v
            doc["unit"] = unit
            changed: tuple = ("unit",)
        elif kind == "department":
            unit = self._unit(doc)
            unit["departments"] = _upsert(unit.get("departments"), record, "id", kind)
            changed = ("unit",)
        elif kind in ("organization", "member", "applicant"):
            doc[_LISTS[kind]] = _upsert(doc.get(_LISTS[kind]), record, "id", kind)
            changed = (_LISTS[kind], _index(doc[_LISTS[kind]], record))
        elif kind == "meeting":
            items = list(doc.get("meetings") or [])
            doc["meetings"] = _upsert(items, record, "id", kind) if "id" in record else items + [record]
            changed = ("meetings", _index(doc["meetings"], record))
        elif kind == "activity":
            doc["activities"] = list(doc.get("activities") or []) + [record]
            changed = ("activities", len(doc["activities"]) - 1)
        elif kind == "election":
            org_id = record.pop("org", None)
            orgs, i = self._org(doc, org_id, "assert_fact")
            org = dict(orgs[i])
            org["elections"] = _upsert(org.get("elections"), record, "date", kind)
            orgs[i] = org
            doc["organizations"] = orgs
            changed = ("organizations", i)
        else:
            raise UsageError(f"assert_fact: unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
        self._commit(doc, changed, touched)

    def retract_fact(self, kind: str, id_or_record: Any) -> None:
        """Remove a record of ``kind``, given by its id (or key) or as a record (see the table above)."""
        self._open()
        doc = dict(self._doc)
        if kind == "unit":
            unit = doc.get("unit")
            want = id_or_record.get("id") if isinstance(id_or_record, Mapping) else id_or_record
            if not isinstance(unit, dict) or unit.get("id") != want:
                raise UsageError(f"retract_fact: there is no unit {want!r}")
            del doc["unit"]
        elif kind in ("department", "organization", "member", "applicant"):
            key = _key(id_or_record, "id", kind)
            if kind == "department":
                unit = self._unit(doc)
                unit["departments"] = _remove(unit.get("departments"), lambda r: r.get("id") == key, kind, key)
            else:
                doc[_LISTS[kind]] = _remove(doc.get(_LISTS[kind]), lambda r: r.get("id") == key, kind, key)
        elif kind == "meeting":
            if isinstance(id_or_record, Mapping):
                want = _normal(dict(id_or_record))
                doc["meetings"] = _remove(doc.get("meetings"), lambda r: _normal(r) == want, kind, id_or_record)
            else:
                doc["meetings"] = _remove(doc.get("meetings"), lambda r: r.get("id") == id_or_record, kind,
                                          id_or_record)
        elif kind == "activity":
            if not isinstance(id_or_record, Mapping):
                raise UsageError("retract_fact: an activity is retracted by giving the record itself")
            want = _normal(dict(id_or_record))
            doc["activities"] = _remove(doc.get("activities"), lambda r: _normal(r) == want, kind, id_or_record)
        elif kind == "election":
            if not isinstance(id_or_record, Mapping) or "org" not in id_or_record or "date" not in id_or_record:
                raise UsageError('retract_fact: an election is given as {"org": ID, "date": DATE}')
            orgs, i = self._org(doc, id_or_record["org"], "retract_fact")
            org = dict(orgs[i])
            date = _normal(id_or_record["date"])
            org["elections"] = _remove(org.get("elections"), lambda r: _normal(r.get("date")) == date, kind,
                                       dict(id_or_record))
            orgs[i] = org
            doc["organizations"] = orgs
        else:
            raise UsageError(f"retract_fact: unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
        self._commit(doc)

    def _touched_by(self, kind: str, record: dict) -> set | object:
        """The members whose results adding or replacing ``record`` may change (ALL_MEMBERS when unbounded).

        Only the built-in derived facts are known to read what this assumes; a pack's own
        Python derived facts may read anything, so with them every change re-checks all.
        """
        if self.engine != "native" or set(self._book.derived) - set(BUILTIN_DERIVED):
            return ALL_MEMBERS
        doc = self._doc
        members = doc.get("members")
        orgs = doc.get("organizations")
        if not isinstance(members, list) or not isinstance(orgs, list) or kind not in _LIST_OF:
            return ALL_MEMBERS
        key = "date" if kind == "election" else "id"
        old = None
        if kind == "election":
            for o in orgs:
                if isinstance(o, dict) and o.get("id") == record.get("org"):
                    old = next((e for e in o.get("elections") or [] if isinstance(e, dict)
                                and _normal(e.get("date")) == _normal(record.get("date"))), None)
        elif key in record:
            old = next((r for r in doc.get(_LIST_OF[kind]) or [] if isinstance(r, dict)
                        and _normal(r.get(key)) == _normal(record[key])), None)
        if kind == "meeting" and ("attendees" not in record or (old is not None and "attendees" not in old)):
            return ALL_MEMBERS       # unrecorded attendance may concern any member (org_life_lapse)
        names = _strings(record) | (_strings(old) if old is not None else set())
        if kind == "election":
            names.add(record.get("org"))
        by_id = {m.get("id"): m for m in members if isinstance(m, dict)}
        org_ids = {o.get("id") for o in orgs if isinstance(o, dict)}
        closure = _org_closure(orgs, names & org_ids)
        out = {n for n in names if n in by_id}
        if kind == "member":
            out.add(record.get("id"))            # a new member is not in by_id yet
        for mid, m in by_id.items():
            org = m.get("org", OMITTED)
            if org in closure or org is None or org is OMITTED or "org" not in m:
                out.add(mid)
            elif kind == "member" and any(isinstance(i, dict) and i.get("member") in out
                                          for i in m.get("introducers") or []):
                out.add(mid)
        if kind == "member":       # members naming this one as introducer
            for mid, m in by_id.items():
                if any(isinstance(i, dict) and i.get("member") == record.get("id")
                       for i in (m.get("introducers") or [] if isinstance(m.get("introducers"), list) else [])):
                    out.add(mid)
        return out

    def set(self, field: str, value: Any) -> None:
        """Change a top-level field of the document (``as_of``, ``records_from``); ``OMITTED`` removes it."""
        self._open()
        if field not in TOP_LEVEL:
            raise UsageError(f"set: expected one of {', '.join(TOP_LEVEL)}, got {field!r}")
        doc = dict(self._doc)
        if isinstance(value, Omitted):
            doc.pop(field, None)
        else:
            doc[field] = _copy(value)
        self._commit(doc)

    # ---- results
    def results(self) -> Report:
        """The report of the current document: equal to ``partyrules.check(self.document, as_of)``."""
        self._open()
        if self._report is not None:
            return self._report
        from .api import evaluation_date, assemble_report, get_engine
        facts = self._facts
        on = evaluation_date(facts, self._as_of)
        view = View(facts, on)
        applicable = self._book.applicable(on, self._include_unverified)
        if self._state is not None:
            from .engine.durable import evaluate_all
            before = self._state.changed
            results = evaluate_all(self._state.host, self._book, applicable, view, self._state)
            self.last_update = {"subjects": len(self._state.current), "reasserted": self._state.changed - before}
            name = "durable"
        else:
            backend = get_engine(self.engine)
            results = self._native_results(backend, applicable, view)
            name = backend.name
        self._report = attrs.evolve(assemble_report(self._book, view, applicable, results, name),
                                    source=self._source)
        return self._report

    def _native_results(self, backend: Any, applicable: list, view: View) -> list:
        """Re-check the touched subjects and keep the cached results of the others."""
        touched = self._touched
        if self._cache is None or touched is ALL_MEMBERS:
            results = backend.evaluate(self._book, applicable, view)
            self.last_update = {"subjects": len(results), "reasserted": len(results)}
        else:
            def again(subject: Any) -> bool:
                return subject.kind != "member" or subject.id in touched
            fresh = backend.evaluate(self._book, applicable, view, only=again)
            kept = [r for k, r in self._cache.items() if k[1] == "member" and k[2] not in touched]
            results = kept + fresh
            self.last_update = {"subjects": len(results), "reasserted": len(fresh)}
        self._cache = {(r.policy, r.subject.kind, r.subject.id): r for r in results}
        self._touched = set()
        return results

    def close(self) -> None:
        """Free the session's durable state (idempotent)."""
        if self.closed:
            return
        self.closed = True
        if self._state is not None:
            self._finalizer.detach()
            self._state.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- internals
    def _open(self) -> None:
        if self.closed:
            raise UsageError("this session is closed")

    def _validate(self, doc: dict) -> FactDocument:
        facts = load_facts(doc)
        return attrs.evolve(facts, source=self._source)

    def _commit(self, doc: dict, changed: tuple | None = None, touched: set | object = None) -> None:
        """Validate the changed document; keep it only if it is valid (else the change is undone).

        ``changed`` names the one record that changed (a list and an index, or the
        unit): only it is structured again, then the whole document's references
        are checked. Anything unusual takes the full validation, whose error
        (with its path) is the one raised.
        """
        from .api import evaluation_date
        facts = self._quick(doc, changed) if changed is not None else None
        if facts is None:
            facts = self._validate(doc)
        try:
            evaluation_date(facts, self._as_of)
        except UsageError as exc:
            raise UsageError(f"change refused: {exc}") from None
        self._doc, self._facts, self._report = doc, facts, None
        if touched is None or touched is ALL_MEMBERS or self._touched is ALL_MEMBERS:
            self._touched = ALL_MEMBERS
        else:
            self._touched = self._touched | touched

    def _quick(self, doc: dict, changed: tuple) -> FactDocument | None:
        from .facts.load import check_references, structure   # the loader's own structuring hooks
        from .facts.model import Activity, Meeting, Member, Organization, Unit
        from .source import check_plain
        try:
            old = self._facts
            if changed == ("unit",):
                check_plain(doc["unit"], self._source)
                facts = attrs.evolve(old, unit=structure(doc["unit"], Unit))
            else:
                name, i = changed
                cls = {"members": Member, "organizations": Organization, "meetings": Meeting,
                       "activities": Activity}[name]
                items = list(getattr(old, name)) if getattr(old, name) is not OMITTED else []
                if len(doc[name]) != len(items) + (1 if i == len(items) else 0):
                    return None
                check_plain(doc[name][i], self._source)     # sizes, keys, surrogates: as the loader
                new = structure(doc[name][i], cls)
                items[i:i + 1] = [new]
                facts = attrs.evolve(old, **{name: tuple(items)})
            if check_references(facts):
                return None
            return facts
        except Exception:
            return None

    @staticmethod
    def _unit(doc: dict) -> dict:
        if not isinstance(doc.get("unit"), dict):
            raise UsageError("the document has no unit: assert the unit first")
        unit = dict(doc["unit"])
        doc["unit"] = unit
        return unit

    @staticmethod
    def _org(doc: dict, org_id: Any, what: str) -> tuple[list, int]:
        orgs = list(doc.get("organizations") or [])
        for i, o in enumerate(orgs):
            if isinstance(o, dict) and o.get("id") == org_id:
                return orgs, i
        raise UsageError(f"{what}: an election needs the id of an existing organization in 'org', got {org_id!r}")


def _mapping_of(facts: Any) -> dict:
    if isinstance(facts, FactDocument):
        return _unstructure(facts)
    if isinstance(facts, (str, Path)):
        data = read_path(facts).data
        if not isinstance(data, dict):
            load_facts(facts)     # raises the usual InputError
        return _copy(data)
    if isinstance(facts, Mapping):
        return _copy(dict(facts))
    raise InputError("<input>", "", f"expected a path, a mapping or a FactDocument, got {type(facts).__name__}")


def _source_of(facts: Any) -> str:
    if isinstance(facts, FactDocument):
        return facts.source
    if isinstance(facts, (str, Path)):
        return "<stdin>" if str(facts) == "-" else str(facts)
    return "<mapping>"


def _strings(value: Any) -> set:
    """Every text in a record, at any depth: the ids it may name."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _org_closure(orgs: list, start: set) -> set:
    """``start`` with every ancestor and every descendant organization (parents as recorded)."""
    parent = {o.get("id"): o.get("parent") for o in orgs if isinstance(o, dict)}
    children: dict = {}
    for oid, p in parent.items():
        children.setdefault(p, []).append(oid)
    out = set(start)
    for oid in start:                          # ancestors (a parent cycle is refused by the loader)
        p = parent.get(oid)
        while p is not None and p in parent and p not in out:
            out.add(p)
            p = parent.get(p)
    todo = list(start)                         # descendants
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _unstructure(value: Any) -> Any:
    """A loaded document back as plain data (omitted fields left out)."""
    from .facts.model import TrainingHours
    if isinstance(value, TrainingHours):
        return {str(y): h for y, h in value.by_year}
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_unstructure(v) for v in value]
    if attrs.has(type(value)):
        return {a.name: _unstructure(getattr(value, a.name)) for a in attrs.fields(type(value))
                if a.name != "source" and getattr(value, a.name) is not OMITTED}
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def _normal(value: Any) -> Any:
    """For comparing records: dates as ISO text, lists and mappings recursively."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value


def _key(id_or_record: Any, key: str, kind: str) -> Any:
    if isinstance(id_or_record, Mapping):
        if key not in id_or_record:
            raise UsageError(f"retract_fact: a {kind} record needs its {key!r}")
        return id_or_record[key]
    return id_or_record


def _index(items: list, record: dict) -> int:
    for i in range(len(items) - 1, -1, -1):
        if items[i] is record:
            return i
    raise AssertionError("record not in its list")  # pragma: no cover


def _upsert(items: Any, record: dict, key: str, kind: str) -> list:
    if key not in record:
        raise UsageError(f"assert_fact: a {kind} record needs its {key!r}")
    out = list(items) if isinstance(items, list) else []
    want = _normal(record[key])
    for i, r in enumerate(out):
        if isinstance(r, dict) and _normal(r.get(key)) == want:
            out[i] = record
            return out
    return out + [record]


def _remove(items: Any, match: Any, kind: str, what: Any) -> list:
    out = list(items) if isinstance(items, list) else []
    for i, r in enumerate(out):
        if isinstance(r, dict) and match(r):
            return out[:i] + out[i + 1:]
    raise UsageError(f"retract_fact: there is no {kind} {what!r}")
