"""The local layer may tighten a national time limit, never loosen it.

A national parameter that is a limit of the law says which way it binds
(``limit: at_most`` for "within N months", ``at_least`` for "at least N days").
A pack parameter that implements a local rule on the same matter names it with
``tightens: <national name>``. Lint reports, with both citations, a pack value
that is looser than the national value in force on the day the pack value
starts: longer where the law says "at most", shorter where it says "at least".

Units: the same unit, or days against months or years (a pack's "within 20
days" against the national "within 1 month"). Days are compared with the
*shortest* span of the national months or years for an ``at_most`` limit (a
month may be 28 days) and with the *longest* for ``at_least``, so that a local
limit passes only if it is tighter on every calendar date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from ..errors import PartyrulesError
from ..periods import add_months, add_years
from ..rulebook.params import Parameter, Parameters, parameters_from_document
from ..source import read_path

LIMITS = ("at_most", "at_least")
Report = Callable[[str, "int | None", "int | None", str], None]


def _unit(text: str) -> str | None:
    word = text.strip().split(" ")[0].lower() if text.strip() else ""
    for unit in ("days", "months", "years"):
        if word in (unit, unit[:-1]):
            return unit
    return None


def _span_days(n: float, unit: str, longest: bool) -> float:
    """The shortest (or longest) number of days that ``n`` months or years can span."""
    if unit == "days":
        return n
    whole = int(n)
    spans = []
    start = dt.date(2023, 1, 1)
    for k in range(4 * 366):       # every start day of a leap cycle
        d = start + dt.timedelta(days=k)
        end = add_months(d, whole) if unit == "months" else add_years(d, whole)
        spans.append((end - d).days)
    return max(spans) if longest else min(spans)


def looser(local: float, local_unit: str, national: float, national_unit: str, limit: str) -> bool | None:
    """Is the local value looser than the national one? None when the units cannot be compared."""
    lu, nu = _unit(local_unit), _unit(national_unit)
    if local_unit.strip() == national_unit.strip() or (lu is not None and lu == nu):
        return local > national if limit == "at_most" else local < national
    if lu == "days" and nu in ("months", "years"):
        bound = _span_days(national, nu, longest=(limit == "at_least"))
        return local > bound if limit == "at_most" else local < bound
    return None


def _national(pack_root: Path, registry: Any) -> Parameters:
    from ..citations import builtin_policies_dir
    params = Parameters()
    folder = builtin_policies_dir() / "parameters"
    for f in sorted(folder.glob("*.yaml")):
        params = params.merged(parameters_from_document(read_path(f), registry))
    return params


def check_limits(report: Report, pack_root: Path | None, registry: Any) -> None:
    """Report every pack parameter that loosens the national limit it names (see the module docstring)."""
    if pack_root is None or not (pack_root / "parameters").is_dir():
        return
    from ..citations import builtin_policies_dir
    if pack_root.resolve() == builtin_policies_dir().resolve():
        return
    try:
        national = _national(pack_root, registry)
    except PartyrulesError:
        return                       # the built-in files' own problems are reported elsewhere
    raw_limits = _raw_limits()
    for f in sorted((pack_root / "parameters").glob("*.yaml")):
        try:
            doc = read_path(f)
        except PartyrulesError:
            continue
        if not isinstance(doc.data, list):
            continue
        for i, item in enumerate(doc.data):
            if not isinstance(item, dict) or "tightens" not in item:
                continue
            where = doc.where((i, "tightens")) or (None, None)
            target = item["tightens"]
            if not isinstance(target, str) or target not in national:
                report(doc.source, *where, f"tightens: {target!r} is not a national parameter")
                continue
            limit = raw_limits.get(target)
            if limit not in LIMITS:
                report(doc.source, *where, f"tightens: the national parameter {target!r} is not marked as a limit "
                                           "(limit: at_most or at_least), so it cannot be tightened")
                continue
            _compare(report, doc, i, item, national.by_name[target], limit)


def _raw_limits() -> dict[str, str]:
    from ..citations import builtin_policies_dir
    out: dict[str, str] = {}
    for f in sorted((builtin_policies_dir() / "parameters").glob("*.yaml")):
        data = read_path(f).data
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and "limit" in item and isinstance(item.get("name"), str):
                out[item["name"]] = item["limit"]
    return out


def _compare(report: Report, doc: Any, i: int, item: dict, national: Parameter, limit: str) -> None:
    from ..citations import Registry
    values = item.get("values") if isinstance(item.get("values"), list) else []
    for j, raw in enumerate(values):
        if not isinstance(raw, dict) or isinstance(raw.get("value"), bool) \
                or not isinstance(raw.get("value"), (int, float)):
            continue
        start = raw.get("from")
        day = dt.date.fromisoformat(str(start)) if start else None
        nat = national.at(day) if day is not None else None
        if nat is None:
            nat = national.values[-1]
        verdict = looser(raw["value"], str(item.get("unit", "")), nat.value, national.unit, limit)
        where = doc.where((i, "values", j, "value")) or (None, None)
        if verdict is None:
            report(doc.source, *where, f"unit {item.get('unit', '')!r} cannot be compared with the unit "
                                       f"{national.unit!r} of {national.name}")
        elif verdict:
            word = "at most" if limit == "at_most" else "at least"
            local_cite = raw.get("citation", raw.get("setting", "?"))
            national_cite = nat.citation.ref() if nat.citation is not None else "?"
            report(doc.source, *where,
                   f"{raw['value']} {item.get('unit', '')} loosens the national limit {national.name} "
                   f"({word} {nat.value} {national.unit}, {national_cite}); a local rule ({local_cite}) may "
                   "tighten a national limit, never loosen it")
