"""Two JSON reports compared: what is new, resolved, changed and unchanged (``partyrules.diff/1``).

A court compares this month's report with last month's. A finding is a listed
result (``violated``, ``unknown`` or ``error``) keyed by its policy and subject
(kind and id); a result listed only with ``--all`` (satisfied, not applicable)
is not a finding, so reports written with and without ``--all`` compare alike.

* **new**: a finding of NEW whose key OLD does not list;
* **resolved**: a finding of OLD whose key NEW does not list;
* **changed**: listed in both with another outcome (``unknown`` → ``violated`` …);
* **unchanged**: listed in both with the same outcome.

The comparison fails (exit 1) when there is a new finding or a finding that
became ``violated``.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..errors import InputError, UsageError
from ..source import read_path
from .model import FORMAT as REPORT_FORMAT
from .model import SUBJECT_RANK

FORMAT = "partyrules.diff/1"
FINDINGS = ("violated", "unknown", "error")
_OUTCOME_RANK = {"violated": 0, "unknown": 1, "error": 2}


@attrs.frozen
class Finding:
    policy: str
    subject: dict            # kind, id, name as the report gives them
    outcome: str
    severity: str
    message: dict

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.policy, self.subject["kind"], self.subject["id"])

    def sort_key(self) -> tuple:
        return (self.policy, SUBJECT_RANK.get(self.subject["kind"], 9), self.subject["id"])

    def to_json(self) -> dict:
        return {"policy": self.policy, "subject": dict(self.subject), "outcome": self.outcome,
                "severity": self.severity, "message": dict(self.message)}


@attrs.frozen
class Side:
    """One of the two reports: where it came from and its findings by key."""

    source: str
    unit: str
    as_of: str
    digest: str | None
    findings: dict

    def to_json(self) -> dict:
        out = {"source": self.source, "unit": self.unit, "as_of": self.as_of}
        if self.digest is not None:
            out["rulebook_digest"] = self.digest
        return out


@attrs.frozen
class Diff:
    old: Side
    new: Side
    added: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...]     # (old, new)
    unchanged: tuple[Finding, ...]

    @property
    def worsened(self) -> tuple[tuple[Finding, Finding], ...]:
        return tuple((o, n) for o, n in self.changed if n.outcome == "violated")

    @property
    def exit_status(self) -> int:
        return 1 if self.added or self.worsened else 0

    @property
    def rulebook_changed(self) -> bool | None:
        if self.old.digest is None or self.new.digest is None:
            return None
        return self.old.digest != self.new.digest

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "rulebook_changed": self.rulebook_changed,
            "summary": {"new": len(self.added), "resolved": len(self.resolved), "changed": len(self.changed),
                        "unchanged": len(self.unchanged)},
            "findings": {
                "new": [f.to_json() for f in self.added],
                "resolved": [f.to_json() for f in self.resolved],
                "changed": [{**n.to_json(), "outcome": {"old": o.outcome, "new": n.outcome}}
                            for o, n in self.changed],
                "unchanged": [f.to_json() for f in self.unchanged],
            },
        }


def _bad(source: str, path: str, message: str) -> InputError:
    return InputError(source, path, message)


def _str(value: Any, source: str, path: str) -> str:
    if not isinstance(value, str):
        raise _bad(source, path, f"expected a string, got {type(value).__name__}")
    return value


def read_report(path: str) -> Side:
    """Read a ``partyrules.report/1`` JSON file (``-`` for standard input) into its findings."""
    doc = read_path(path, kind="json")
    src, data = doc.source, doc.data
    if not isinstance(data, dict):
        raise _bad(src, "", "expected a JSON report (an object with format partyrules.report/1)")
    if data.get("format") != REPORT_FORMAT:
        if data.get("format") == "partyrules.batch/1":
            raise _bad(src, "format", "a batch of reports: compare the reports of one document each")
        raise _bad(src, "format", f"expected {REPORT_FORMAT!r}, got {data.get('format')!r}")
    results = data.get("results")
    if not isinstance(results, list):
        raise _bad(src, "results", "expected a list of results")
    findings: dict = {}
    for i, r in enumerate(results):
        p = f"results[{i}]"
        if not isinstance(r, dict):
            raise _bad(src, p, "expected an object")
        outcome = _str(r.get("outcome"), src, f"{p}.outcome")
        if outcome not in FINDINGS:
            continue
        subject = r.get("subject")
        if not isinstance(subject, dict):
            raise _bad(src, f"{p}.subject", "expected an object with kind, id and name")
        subj = {"kind": _str(subject.get("kind"), src, f"{p}.subject.kind"),
                "id": _str(subject.get("id"), src, f"{p}.subject.id"),
                "name": subject.get("name") if isinstance(subject.get("name"), str) else subject.get("id")}
        message = r.get("message") if isinstance(r.get("message"), dict) else {}
        f = Finding(_str(r.get("policy"), src, f"{p}.policy"), subj, outcome,
                    r.get("severity") if isinstance(r.get("severity"), str) else "", message)
        if f.key in findings:
            raise _bad(src, p, f"lists {f.policy} on {subj['kind']} {subj['id']} twice")
        findings[f.key] = f
    rulebook = data.get("rulebook")
    digest = rulebook.get("digest") if isinstance(rulebook, dict) and isinstance(rulebook.get("digest"), str) else None
    return Side(src, _str(data.get("unit", ""), src, "unit"), _str(data.get("as_of", ""), src, "as_of"), digest,
                findings)


def compare(old: Side, new: Side) -> Diff:
    """The findings of ``new`` against those of ``old``; both must be about the same unit."""
    if old.unit != new.unit:
        raise UsageError(f"the reports are about different units: {old.source} is {old.unit!r}, "
                         f"{new.source} is {new.unit!r}")
    added = [f for k, f in new.findings.items() if k not in old.findings]
    resolved = [f for k, f in old.findings.items() if k not in new.findings]
    both = [(old.findings[k], f) for k, f in new.findings.items() if k in old.findings]
    changed = [(o, n) for o, n in both if o.outcome != n.outcome]
    unchanged = [n for o, n in both if o.outcome == n.outcome]
    by = Finding.sort_key
    return Diff(old, new, tuple(sorted(added, key=by)), tuple(sorted(resolved, key=by)),
                tuple(sorted(changed, key=lambda pair: by(pair[1]))), tuple(sorted(unchanged, key=by)))


_WORDS = {
    "zh": {"title": "{unit}：{old} → {new}", "new": "新增", "resolved": "已解决", "changed": "结果变化",
           "unchanged": "未变", "items": "{n}项", "rulebook": "注意：两份报告所用规则库版本不同，部分变化可能来自规则本身。",
           "outcome": {"violated": "违反", "unknown": "无法判定", "error": "出错"}, "none": "（无）"},
    "en": {"title": "{unit}: {old} → {new}", "new": "new", "resolved": "resolved", "changed": "changed",
           "unchanged": "unchanged", "items": "{n}", "rulebook": "Note: the two reports used different rulebook "
                                                                  "revisions; some changes may come from the rules.",
           "outcome": {"violated": "violated", "unknown": "unknown", "error": "error"}, "none": "(none)"},
}


def render_diff_json(diff: Diff) -> str:
    return json.dumps(diff.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_diff_table(diff: Diff, lang: str = "zh") -> str:
    w = _WORDS[lang]
    sep = "：" if lang == "zh" else ": "

    def who(f: Finding) -> str:
        s = f.subject
        text = f"{s['id']}" + (f" {s['name']}" if s.get("name") and s["name"] != s["id"] else "")
        if s["kind"] == "applicant":      # not a member: say so (ids of applicants and members never clash)
            text += "（入党申请人）" if lang == "zh" else " (applicant)"
        return text

    def line(f: Finding, outcome: str | None = None) -> str:
        text = f.message.get(lang) or f.message.get("zh") or ""
        return f"  {outcome or w['outcome'].get(f.outcome, f.outcome)}  {f.policy}  {who(f)}" + (
            f"\n      {text}" if text else "")

    out = [w["title"].format(unit=diff.new.unit, old=diff.old.as_of, new=diff.new.as_of), "─" * 72]
    if diff.rulebook_changed:
        out.append(w["rulebook"])
    for key, items in (("new", diff.added), ("changed", diff.changed), ("resolved", diff.resolved)):
        out.append(f"{w[key]}{sep}{w['items'].format(n=len(items))}")
        if not items:
            out.append(f"  {w['none']}")
        for item in items:
            if key == "changed":
                o, n = item
                arrow = f"{w['outcome'].get(o.outcome, o.outcome)} → {w['outcome'].get(n.outcome, n.outcome)}"
                out.append(line(n, arrow))
            else:
                out.append(line(item))
    out.append(f"{w['unchanged']}{sep}{w['items'].format(n=len(diff.unchanged))}")
    return "\n".join(out) + "\n"
