"""The report as SARIF 2.1.0, for code-scanning views in CI (``partyrules check --format sarif``).

One run; one rule per policy that produced a result, carrying its bilingual
title, severity and citations; one SARIF result per listed result:

* ``violated`` → level ``error`` or ``warning`` (the policy's severity), kind ``fail``;
* ``unknown`` → level ``note``: nothing is known to be wrong, but a fact is missing
  (``properties.missing`` names it), so a reviewer sees it without it failing a gate;
  an unknown only because the court never records a field (``missing_kind:
  not_recorded``) is left out, as the human views fold it (``--all`` keeps it);
* ``error`` (the policy failed on this subject) → level ``error``;
* with ``--all``, ``satisfied`` → kind ``pass`` and ``not_applicable`` →
  kind ``notApplicable`` (level ``none``).

The location is the fact document and, where the loader keeps positions (YAML
files), the line and column of the subject's entry (``organizations[3]``); every
result also names its subject as a logical location. No timestamps or absolute
paths that the input did not give: the same input renders the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from ..errors import PartyrulesError
from ..source import read_path
from .model import Report, Result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT = "partyrules/subject/v1"

_LEVEL = {"violated": None, "unknown": "note", "error": "error", "satisfied": "none", "not_applicable": "none"}
_KIND = {"violated": "fail", "unknown": "fail", "error": "fail", "satisfied": "pass",
         "not_applicable": "notApplicable"}
_LISTS = {"organization": "organizations", "member": "members", "applicant": "applicants"}


def subject_positions(source: str) -> dict[tuple[str, str], tuple[int, int]]:
    """``(kind, id) → (line, column)`` of each subject's entry in the fact document at ``source``.

    Empty for standard input, a mapping, a JSON file (its reader keeps no
    positions) or a file that can no longer be read: the SARIF result then
    names the file, or only the subject.
    """
    if source.startswith("<") or not Path(source).is_file():
        return {}
    try:
        doc = read_path(source)
    except PartyrulesError:
        return {}
    data = doc.data if isinstance(doc.data, dict) else {}
    out: dict[tuple[str, str], tuple[int, int]] = {}

    def add(kind: str, items: Any, path: tuple) -> None:
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("id"), str) and (path + (i,)) in doc.marks:
                    out.setdefault((kind, item["id"]), doc.marks[path + (i,)])

    for kind, key in _LISTS.items():
        add(kind, data.get(key), (key,))
    unit = data.get("unit")
    if isinstance(unit, dict):
        if isinstance(unit.get("id"), str) and ("unit",) in doc.marks:
            out[("unit", unit["id"])] = doc.marks[("unit",)]
        add("department", unit.get("departments"), ("unit", "departments"))
    return out


def artifact_uri(source: str) -> str | None:
    """A URI reference for the fact document: relative paths stay relative (percent-encoded), absolute ones are file: URIs."""
    if not source or source.startswith("<"):
        return None
    p = Path(source)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _subject_path(result: Result) -> str:
    return f"{result.subject.kind}:{result.subject.id}"


def render_sarif(report: Report, policies: Iterable[Any] = (), all_results: bool = False, lang: str = "zh",
                 positions: dict | None = None) -> str:
    """The SARIF log of ``report``. ``policies`` (the rulebook's) give each rule its title; ``positions``
    (from :func:`subject_positions`) the lines of subjects."""
    listed = [r for r in report.listed(all_results) if all_results or not r.not_recorded]
    titles = {(p.id, p.instrument, p.edition): p.title for p in policies}
    rules: dict[str, dict] = {}
    for r in sorted(report.results, key=lambda r: r.policy):
        if r.policy in rules:
            continue
        title = titles.get((r.policy, r.instrument, r.edition)) or {}
        labels = [spec.citation.label_zh(report.registry) if lang == "zh" else spec.citation.label_en(report.registry)
                  for spec in r.citations]
        short = title.get(lang) or r.policy
        rules[r.policy] = {
            "id": r.policy,
            "shortDescription": {"text": short},
            "fullDescription": {"text": short + ("：" if lang == "zh" else ": ") + "；".join(labels)
                                if labels else short},
            "help": {"text": "\n".join(labels) or short},
            "defaultConfiguration": {"level": "error" if r.severity == "error" else "warning"},
            "properties": {
                "severity": r.severity,
                "title": dict(title) if title else {},
                "instrument": r.instrument,
                "edition": r.edition,
                "citations": [spec.to_json(report.registry) for spec in r.citations],
            },
        }
    order = {rid: i for i, rid in enumerate(sorted(rules))}
    uri = artifact_uri(report.source)
    pos = positions or {}
    results = []
    for r in listed:
        level = _LEVEL[r.outcome] or ("error" if r.severity == "error" else "warning")
        location: dict[str, Any] = {}
        if uri is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            at = pos.get((r.subject.kind, r.subject.id))
            if at is not None:
                physical["region"] = {"startLine": at[0], "startColumn": at[1]}
            location["physicalLocation"] = physical
        location["logicalLocations"] = [{"name": r.subject.id, "fullyQualifiedName": _subject_path(r),
                                         "kind": "object"}]
        text = r.message.get(lang) or r.message.get("zh", "")
        results.append({
            "ruleId": r.policy,
            "ruleIndex": order[r.policy],
            "kind": _KIND[r.outcome],
            "level": level,
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT: f"{r.policy}|{_subject_path(r)}"},
            "properties": {
                "outcome": r.outcome,
                "subject": {"kind": r.subject.kind, "id": r.subject.id, "name": r.subject.name},
                "missing": list(r.missing),
                "citations": [spec.to_json(report.registry) for spec in r.citations],
            },
        })
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "partyrules",
            "version": report.tool_version or "",
            "semanticVersion": report.tool_version or "",
            "rules": [rules[rid] for rid in sorted(rules)],
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "unit": report.unit,
            "unitName": report.unit_name,
            "asOf": report.as_of.isoformat(),
            "engine": report.engine,
            "rulebookDigest": report.rulebook_digest,
            "summary": report.summary,
        },
    }
    if uri is not None:
        run["artifacts"] = [{"location": {"uri": uri}}]
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
