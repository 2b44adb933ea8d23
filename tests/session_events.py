"""A fact document as the records that build it, for feeding sessions (shared by the session tests)."""

from __future__ import annotations

import copy


def court_events(data: dict) -> tuple[dict, list[tuple]]:
    """examples/court.yaml as a starting document and the records that build it, in order.

    The start holds the unit (its id and departments without heads) and the
    organizations without anything that names a member; then come the members
    (without their introducers), each organization in full, the unit in full,
    the members who have introducers again in full, the applicants, the meetings in date order,
    the activities in date order and finally the elections.
    """
    start = {k: copy.deepcopy(v) for k, v in data.items() if k in ("format", "as_of", "records_from")}
    unit = copy.deepcopy(data["unit"])
    start["unit"] = {"id": unit["id"], "departments": [{"id": d["id"]} for d in unit.get("departments", [])]}
    plain = ("id", "kind", "name", "parent", "departments", "established_on")
    start["organizations"] = [{k: v for k, v in o.items() if k in plain} for o in data["organizations"]]
    start["members"], start["meetings"], start["activities"] = [], [], []
    events: list[tuple] = [("member", {k: v for k, v in m.items() if k != "introducers"}) for m in data["members"]]
    events += [("organization", {k: v for k, v in o.items() if k != "elections"}) for o in data["organizations"]]
    events += [("unit", unit)]
    events += [("member", m) for m in data["members"] if "introducers" in m]
    events += [("applicant", a) for a in data.get("applicants", [])]      # their contacts are members
    events += [("meeting", m) for m in sorted(data["meetings"], key=lambda m: (m["date"], m.get("id", "")))]
    events += [("activity", a) for a in sorted(data.get("activities", []), key=lambda a: a["date"])]
    events += [("election", dict(e, org=o["id"])) for o in data["organizations"] for e in o.get("elections", [])]
    return start, events
