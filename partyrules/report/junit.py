"""Test runs as JUnit XML, the format CI systems read (``partyrules test --junit FILE``).

One ``<testsuite>`` for the policies' own examples (one ``<testcase>`` per
example, ``classname`` the policy id and edition) and one for the scenario
files (one per scenario, ``classname`` the file). A failing case carries a
``<failure>`` with the first line as its message and every difference as text.
No timestamps or durations, so that the same rulebook writes the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable

import attrs


@attrs.frozen
class Case:
    """One test: which suite, what it tested, where it is written, and how it went."""

    suite: str
    classname: str
    name: str
    file: str
    line: int | None
    ok: bool
    detail: tuple[str, ...] = ()       # what went wrong, one line per difference


def render_junit(cases: Iterable[Case], name: str = "partyrules") -> str:
    cases = list(cases)
    root = ET.Element("testsuites", {"name": name, "tests": str(len(cases)),
                                     "failures": str(sum(not c.ok for c in cases)), "errors": "0"})
    suites: dict[str, list[Case]] = {}
    for c in cases:
        suites.setdefault(c.suite, []).append(c)
    for suite, members in suites.items():
        el = ET.SubElement(root, "testsuite", {"name": suite, "tests": str(len(members)),
                                               "failures": str(sum(not c.ok for c in members)),
                                               "errors": "0", "skipped": "0"})
        for c in members:
            attrib = {"classname": c.classname, "name": c.name, "file": c.file}
            if c.line is not None:
                attrib["line"] = str(c.line)
            case = ET.SubElement(el, "testcase", attrib)
            if not c.ok:
                failure = ET.SubElement(case, "failure", {"message": c.detail[0] if c.detail else "failed",
                                                          "type": "mismatch"})
                failure.text = "\n".join(c.detail)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
