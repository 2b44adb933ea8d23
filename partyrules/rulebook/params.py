"""Dated parameters: the numbers of the regulations, with the article that sets them.

In the manner of OpenFisca's parameters, a number that an edition may change
(a term of office, a member threshold, a frequency, the 1 %–2 % staffing band)
is written once, in a YAML file under ``policies/parameters/``, as a list of
values each taking effect on a date and citing its article. A policy reads it
with ``param('name')`` and gets the value in force on the evaluation date.

File format::

    - name: organs.branch_committee_min_full_members
      description: {zh: …, en: …}
      unit: full members          # what the number counts (free text)
      values:
        - value: 7
          citation: organs-regulations@2019 art.7
          from: 2020-01-05          # optional: defaults to the cited edition's in-force date

A number that no article sets but a court may choose (how many past months a
check looks at) is a *setting*: ``setting: why`` instead of ``citation``, with
``from``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import attrs

from ..citations import Citation, CitationError, Registry, parse_citation
from ..errors import PolicyError
from ..periods import parse_date
from ..source import Document, read_path
from .schema import Fields, check_mapping, text_pair

PARAM_NAME = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")


@attrs.frozen
class ParamValue:
    start: dt.date
    value: Any
    citation: Citation | None      # the article that sets the number
    setting: str | None = None     # or why it is a checker's setting, not a number of the law


@attrs.frozen
class Parameter:
    name: str
    description: dict
    unit: str
    values: tuple[ParamValue, ...]   # sorted by start
    source: str

    def at(self, on: dt.date) -> ParamValue | None:
        """The value in force on ``on`` (the latest one that started on or before it)."""
        found = None
        for v in self.values:
            if v.start <= on:
                found = v
        return found


@attrs.frozen
class Parameters:
    by_name: dict = attrs.field(factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def __iter__(self):
        return iter(self.by_name)

    def merged(self, other: "Parameters") -> "Parameters":
        clash = set(self.by_name) & set(other.by_name)
        if clash:
            name = sorted(clash)[0]
            raise PolicyError(other.by_name[name].source, f"parameter {name!r} is already defined in "
                              f"{self.by_name[name].source}")
        return Parameters({**self.by_name, **other.by_name})


# limit (a national number of the law): at_most | at_least, the direction a local rule may tighten it;
# tightens (a pack's number): the national parameter it tightens (partyrules.tools.lint_limits checks both)
PARAM_FIELDS = Fields(required={"name": str, "values": list},
                       optional={"description": dict, "unit": str, "limit": str, "tightens": str})
VALUE_FIELDS = Fields(required={"value": (int, float)},
                       optional={"citation": str, "setting": str, "from": str, "note": str})


def load_parameter_file(path: Path, registry: Registry) -> Parameters:
    doc = read_path(path)
    return parameters_from_document(doc, registry)


def parameters_from_document(doc: Document, registry: Registry) -> Parameters:
    def fail(p: tuple, message: str) -> PolicyError:
        line, col = doc.where(p) or (None, None)
        return PolicyError(doc.source, message, line, col)

    if not isinstance(doc.data, list):
        raise fail((), "expected a list of parameters")
    out: dict[str, Parameter] = {}
    for i, item in enumerate(doc.data):
        check_mapping(doc, (i,), item, PARAM_FIELDS)
        name = item["name"]
        if not PARAM_NAME.match(name):
            raise fail((i, "name"), f"parameter name {name!r} must be dotted lowercase, e.g. organs.branch_size")
        if name in out:
            raise fail((i, "name"), f"parameter {name!r} is defined twice in this file")
        values = []
        for j, raw in enumerate(item["values"]):
            check_mapping(doc, (i, "values", j), raw, VALUE_FIELDS)
            if isinstance(raw["value"], bool):
                raise fail((i, "values", j, "value"), "expected a number, got a boolean")
            if ("citation" in raw) == ("setting" in raw):
                raise fail((i, "values", j), "give either citation (the article that sets the number) or "
                                             "setting (why it is a checker's choice, not a number of the law)")
            citation = None
            if "citation" in raw:
                try:
                    citation = parse_citation(raw["citation"], registry)
                except CitationError as exc:
                    raise fail((i, "values", j, "citation"), str(exc)) from None
            if "from" in raw:
                try:
                    start = parse_date(raw["from"])
                except ValueError:
                    raise fail((i, "values", j, "from"), f"expected a date YYYY-MM-DD, got {raw['from']!r}") from None
            elif citation is not None:
                start = registry.edition(citation.instrument, citation.edition).in_force_from
            else:
                raise fail((i, "values", j), "a setting needs from: the date it applies from")
            values.append(ParamValue(start, raw["value"], citation, raw.get("setting")))
        if not values:
            raise fail((i, "values"), "a parameter needs at least one value")
        values.sort(key=lambda v: v.start)
        for a, b in zip(values, values[1:]):
            if a.start == b.start:
                raise fail((i, "values"), f"two values of {name!r} take effect on {a.start}")
        desc = text_pair(doc, (i, "description"), item["description"]) if "description" in item else {}
        out[name] = Parameter(name, desc, item.get("unit", ""), tuple(values), doc.source)
    return Parameters(out)
