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

One validator checks a parameter file (:func:`read_parameters`, :func:`parameter_problems`):
the loader raises its first error, ``partyrules lint`` lists every problem, so both say the
same thing at the same place. Lint adds only what needs the whole pack (a local parameter
that loosens the national limit it tightens: partyrules.tools.lint_limits).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

import attrs

from ..citations import Citation, CitationError, Registry, parse_citation
from ..errors import PolicyError
from ..periods import parse_date
from ..source import Document, read_path
from .schema import Fields, Problem, fail, first_error, has, mapping_problems, text_pair_problems, type_name

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
    line: int | None = None          # the line of its name in ``source``

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
            mine = other.by_name[name]
            raise PolicyError(mine.source, f"parameter {name!r} is already defined in "
                              f"{defined_at(self.by_name[name])}", mine.line, 1 if mine.line else None)
        return Parameters({**self.by_name, **other.by_name})


def defined_at(parameter: Parameter) -> str:
    """``FILE:LINE`` of a parameter's name (``FILE`` when the line is not known)."""
    return f"{parameter.source}:{parameter.line}" if parameter.line is not None else parameter.source


# limit (a national number of the law): at_most | at_least, the direction a local rule may tighten it;
# tightens (a pack's number): the national parameter it tightens (partyrules.tools.lint_limits compares the two)
PARAM_FIELDS = Fields(required={"name": str, "values": list},
                       optional={"description": dict, "unit": str, "limit": str, "tightens": str})
VALUE_FIELDS = Fields(required={"value": (int, float)},
                       optional={"citation": str, "setting": str, "from": str, "note": str})
LIMITS = ("at_most", "at_least")
_ONE_DAY = dt.timedelta(days=1)


@attrs.frozen
class ParameterReading:
    """A parameter file as lint reads it: every problem, and its parameters as far as they could be read
    (so that the policies using a parameter with a problem are still checked)."""

    problems: tuple[Problem, ...]
    parameters: Parameters


def load_parameter_file(path: Path, registry: Registry, known: Parameters | None = None) -> Parameters:
    doc = read_path(path)
    return parameters_from_document(doc, registry, known)


def parameters_from_document(doc: Document, registry: Registry, known: Parameters | None = None) -> Parameters:
    """The parameters of one file; its first problem (see :func:`parameter_problems`) is raised.

    ``known``: the parameters of the files read before, whose names this file may not define again.
    """
    reading = read_parameters(doc, registry, known)
    first_error(reading.problems)
    return reading.parameters


def parameter_problems(doc: Document, registry: Registry, known: Parameters | None = None) -> Iterator[Problem]:
    """Every problem of one parameter file, in the order of the file (by line and column, an error before a
    warning at one place, then by message): the order ``partyrules lint`` lists them in, so that the error the
    loader raises is the first one lint lists for the file."""
    return iter(read_parameters(doc, registry, known).problems)


def read_parameters(doc: Document, registry: Registry, known: Parameters | None = None) -> ParameterReading:
    """The one validator of a parameter file: every problem (see :func:`parameter_problems`) and the parameters."""
    found: dict[str, Parameter] = {}
    problems = list(_problems(doc, registry, known.by_name if known is not None else {}, found))
    problems.sort(key=_position)
    return ParameterReading(tuple(problems), Parameters(found))


def _position(problem: Problem) -> tuple:
    err = problem.error
    return (err.line or 1, err.column or 1, problem.severity, err.message)


def _problems(doc: Document, registry: Registry, known: Mapping[str, Parameter],
              found: dict[str, Parameter]) -> Iterator[Problem]:
    """Past a problem it goes on wherever the rest can still be judged; ``found`` receives each parameter
    whose name is a string, with the values that could be read."""
    if not isinstance(doc.data, list):
        said = ("the file is empty: expected a list of parameters" if doc.data is None
                else f"expected a list of parameters, got {type_name(type(doc.data))}")
        yield Problem(fail(doc, (), said))
        return
    for i, item in enumerate(doc.data):
        yield from mapping_problems(doc, (i,), item, PARAM_FIELDS)
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if has(item, "name", str):
            if not PARAM_NAME.match(name):
                yield Problem(fail(doc, (i, "name"), f"parameter name {name!r} must be dotted lowercase, "
                                                     "e.g. organs.branch_size"))
            if name in found and found[name].line is not None:
                yield Problem(fail(doc, (i, "name"), f"parameter {name!r} is already defined on line "
                                                     f"{found[name].line} of this file"))
            elif name in found or name in known:
                other = found.get(name) or known[name]
                yield Problem(fail(doc, (i, "name"), f"parameter {name!r} is already defined in {defined_at(other)}"))
        description: dict = {}
        if has(item, "description", dict):      # (one that is not a mapping is a problem mapping_problems gave)
            pair = list(text_pair_problems(doc, (i, "description"), item["description"]))
            yield from pair
            description = {} if pair else {"zh": item["description"]["zh"], "en": item["description"]["en"]}
        if has(item, "limit", str) and item["limit"] not in LIMITS:
            yield Problem(fail(doc, (i, "limit"), f"expected at_most or at_least, got {item['limit']!r}"))
        values: list[tuple[tuple, ParamValue]] = []
        for j, raw in enumerate(item["values"] if has(item, "values", list) else []):
            yield from _value_problems(doc, (i, "values", j), raw, registry, values)
        if has(item, "values", list) and not item["values"]:
            yield Problem(fail(doc, (i, "values"), "a parameter needs at least one value"))
        label = repr(name) if isinstance(name, str) else "this parameter"
        first_on: dict[dt.date, tuple] = {}
        for vp, v in values:
            if v.start in first_on:
                yield Problem(fail(doc, vp, f"two values of {label} take effect on {v.start} "
                                            f"(the other is values[{first_on[v.start][-1]}])"))
            first_on.setdefault(v.start, vp)
        ordered = sorted(values, key=lambda t: t[1].start)
        yield from _outlived(doc, registry, ordered)
        if isinstance(name, str) and name not in found:
            found[name] = Parameter(name, description, item["unit"] if has(item, "unit", str) else "",
                                    tuple(v for _p, v in ordered), doc.source,
                                    (doc.where((i, "name")) or (None,))[0])


def _value_problems(doc: Document, vp: tuple, raw: Any, registry: Registry,
                    values: list[tuple[tuple, ParamValue]]) -> Iterator[Problem]:
    """The problems of one value; the value itself goes to ``values`` when its date and number are known."""
    yield from mapping_problems(doc, vp, raw, VALUE_FIELDS)
    if not isinstance(raw, dict):
        return
    if ("citation" in raw) == ("setting" in raw):
        yield Problem(fail(doc, vp, "give either citation (the article that sets the number) or "
                                    "setting (why it is a checker's choice, not a number of the law)"))
    citation = None
    if has(raw, "citation", str):
        try:
            citation = parse_citation(raw["citation"], registry)
        except CitationError as exc:
            yield Problem(fail(doc, vp + ("citation",), str(exc)))
    start = None
    if has(raw, "from", str):
        try:
            start = parse_date(raw["from"])
        except ValueError:
            yield Problem(fail(doc, vp + ("from",), f"expected a date YYYY-MM-DD, got {raw['from']!r}"))
    elif citation is not None:
        start = registry.edition(citation.instrument, citation.edition).in_force_from
    elif "setting" in raw and "citation" not in raw and "from" not in raw:
        yield Problem(fail(doc, vp, "a setting needs from: the date it applies from"))
    if start is not None and citation is not None:
        edition = registry.edition(citation.instrument, citation.edition)
        if start < edition.in_force_from:
            # param() would give the number, with this citation, on days another edition governs
            yield Problem(fail(doc, vp + ("from",), f"takes effect on {start}, before {edition.ref} is in force "
                                                   f"({edition.in_force_from}): the value would overlap the period "
                                                   "of an earlier edition"))
    if start is not None and has(raw, "value", (int, float)):
        values.append((vp, ParamValue(start, raw["value"], citation, raw.get("setting"))))


def _outlived(doc: Document, registry: Registry, ordered: list[tuple[tuple, ParamValue]]) -> Iterator[Problem]:
    """A warning for a value that stays in force after the edition it cites is replaced (lint shows it; the
    loader raises errors only)."""
    for k, (vp, v) in enumerate(ordered):
        if v.citation is None:
            continue
        nxt = ordered[k + 1][1].start if k + 1 < len(ordered) else None
        ed = registry.edition(v.citation.instrument, v.citation.edition)
        until = registry.in_force_until(ed)
        # an instrument judged by step date reads its values on the edition's own start (param(name,
        # rule_from)), so a value outliving its edition is intended there
        if (until is not None and (nxt is None or nxt > until + _ONE_DAY)
                and registry.instrument(ed.instrument).judged_by != "step_date"):
            later = registry.in_force(v.citation.instrument, until + _ONE_DAY)
            yield Problem(fail(doc, vp + ("citation",),
                               f"{ed.ref} is replaced on {until + _ONE_DAY} by {later.ref if later else '?'}, but "
                               f"this value stays in force {'until ' + str(nxt) if nxt else 'after that'}: add a "
                               f"value that cites {later.ref if later else 'the new edition'}"), severity="warning")
