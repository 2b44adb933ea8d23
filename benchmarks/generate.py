#!/usr/bin/env python3
"""Generate realistic fact documents (``partyrules.facts/1``) at scale, for the benchmark.

    python benchmarks/generate.py --courts 50 --seed 7 --out benchmarks/out/courts

Each court is a fictional intermediate court on 2024-06-30 with complete records
from 2021-07-01 (three years): about 20 departments each with its branch under
the court's party committee (sometimes with a general branch in between),
about 300 members, and three years of organisational life — monthly theme days
and committee meetings, quarterly general meetings and party lectures, yearly
organisational-life meetings and democratic reviews, each with its attendance —
plus monthly dues, yearly training hours and yearly activities.

Courts are clean on the whole, with a small, seeded share of the problems that
real rosters have (a big branch without a committee, a secretary who is not the
department head, an unapproved secretary, a member enrolled nowhere, dues or
organisational life lapsed for six months, now or in 2022 and then resumed, too
few party-affairs staff …) and a few omissions (a meeting whose attendance was
not recorded, an approval not recorded), so that every outcome occurs.

Standard library only; the same seed and index always give the same document,
byte for byte (``random.Random`` seeded with a string, no clock, no hash order).
JSON is written with :mod:`json`; YAML is written by hand in the style of the
bundled example (block mappings at the top, one flow mapping per record).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from pathlib import Path
from typing import Any, Iterable

AS_OF = dt.date(2024, 6, 30)
RECORDS_FROM = dt.date(2021, 7, 1)
ENDED_FROM, ENDED_UNTIL = dt.date(2022, 2, 1), dt.date(2022, 9, 1)    # the lapse that ended (see make_court)
ENDED_MONTHS = ("2022-02", "2022-08")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文斌宇浩凯鹏辉鑫博晨阳雪琳晶婷颖欣怡佳悦思源泽睿航"
DEPARTMENTS = [
    "办公室", "政治部", "立案庭", "刑事审判第一庭", "刑事审判第二庭", "民事审判第一庭", "民事审判第二庭",
    "民事审判第三庭", "民事审判第四庭", "行政审判庭", "审判监督庭", "执行局", "执行裁判庭", "研究室",
    "司法行政装备管理处", "审判管理办公室", "环境资源审判庭", "少年家事审判庭", "知识产权审判庭",
    "商事审判庭", "国家赔偿委员会办公室", "法警支队", "督察室", "机关党委办公室",
]
CITIES = "清河 临江 东阳 南平 西岭 北川 安宁 长丰 永和 新城 青州 白水 云山 凤城 金台 玉泉 龙门 石桥 松原 梅岭".split()


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MONTHS = _months(RECORDS_FROM, AS_OF)          # 2021-07 … 2024-06 (36 months)


def _day(rng: random.Random, year: int, month: int, lo: int = 1, hi: int = 28) -> dt.date:
    return dt.date(year, month, rng.randint(lo, hi))


def _plus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in self.used or len(self.used) > 5000:
                self.used.add(name)
                return name


def make_court(seed: int | str, index: int, *, branches: int = 20, members: int = 300) -> dict:
    """One court's fact document as plain data (dates as ``datetime.date``)."""
    rng = random.Random(f"partyrules-bench:{seed}:{index}")
    name = _Names(rng)
    n_branches = max(3, branches + rng.randint(-2, 2))
    n_members = max(4 * n_branches, members + rng.randint(-20, 20))
    uid = f"court-{index:04d}"
    dept_names = DEPARTMENTS[:n_branches] if n_branches <= len(DEPARTMENTS) else \
        DEPARTMENTS + [f"第{i}审判庭" for i in range(1, n_branches - len(DEPARTMENTS) + 1)]

    # -- how many members each branch has: most 10-20, two or three small ones --------------------
    small = set(rng.sample(range(1, n_branches), k=min(n_branches - 1, rng.randint(2, 3))))
    sizes = [rng.randint(3, 6) if i in small else 0 for i in range(n_branches)]
    rest = n_members - sum(sizes)
    big = [i for i in range(n_branches) if i not in small]
    weights = [rng.uniform(0.6, 1.4) for _ in big]
    for i, w in zip(big, weights):
        sizes[i] = max(7, round(rest * w / sum(weights)))
    sizes[big[0]] += n_members - sum(sizes)

    # -- members ------------------------------------------------------------------------------------
    member_rows: list[dict] = []
    by_branch: list[list[dict]] = []
    serial = 0
    for b, size in enumerate(sizes):
        rows = []
        for _ in range(size):
            serial += 1
            born = dt.date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28))
            probationary = rng.random() < 0.03
            if probationary:
                admitted = AS_OF - dt.timedelta(days=rng.randint(20, 330))
            else:
                earliest = max(born.year + 19, 1985)
                admitted = dt.date(rng.randint(earliest, max(earliest, 2022)), rng.randint(1, 12), rng.randint(1, 28))
            row: dict[str, Any] = {"id": f"m{serial:04d}", "name": name(), "org": f"b{b + 1:02d}",
                                   "status": "probationary" if probationary else "full",
                                   "birth_date": born, "admitted_on": admitted,
                                   "full_on": None if probationary else _plus_year(admitted)}
            if not probationary and row["full_on"] > AS_OF:
                row["status"], row["full_on"] = "probationary", None
            row["department"] = f"d{b + 1:02d}"
            rows.append(row)
        member_rows.extend(rows)
        by_branch.append(rows)
    # a member enrolled nowhere now and then (constitution art.8)
    if rng.random() < 0.25:
        victim = rng.choice(member_rows[10:])
        victim["org"] = None

    def full(rows: Iterable[dict]) -> list[dict]:
        return [m for m in rows if m["status"] == "full" and m["org"] is not None]

    # -- leaders: the court president and vice presidents, enrolled in the office branch ------------
    office = by_branch[0]
    leaders = [m["id"] for m in full(office)[: rng.randint(5, 7)]]

    # -- departments and branches --------------------------------------------------------------------
    departments = []
    organizations: list[dict] = []
    committee_secretaries = []
    general_branch = None
    if n_branches >= 9 and rng.random() < 0.3:
        general_branch = {"id": "g01", "name": f"{dept_names[n_branches - 3]}等党总支", "kind": "general_branch",
                          "parent": "c01"}
    for b, rows in enumerate(by_branch):
        bid, did = f"b{b + 1:02d}", f"d{b + 1:02d}"
        f_rows = full(rows) or rows
        secretary = f_rows[0]["id"] if b else f_rows[min(len(f_rows) - 1, len(leaders))]["id"]
        head: Any = secretary
        if b == 0:
            head = leaders[1] if len(leaders) > 1 else secretary
        elif rng.random() < 0.08:
            head = f_rows[-1]["id"]                            # secretary is not the department head
        elif rng.random() < 0.05:
            head = None                                        # the head is not a party member
        departments.append({"id": did, "name": dept_names[b], "head": head, "staff": len(rows) + rng.randint(2, 12)})
        n_full = len(full(rows))
        org: dict[str, Any] = {"id": bid, "name": f"{dept_names[b]}党支部", "kind": "branch",
                               "parent": "c01", "departments": [did]}
        if general_branch is not None and b >= n_branches - 3:
            org["parent"] = "g01"
        others = [m["id"] for m in f_rows if m["id"] != secretary]
        if n_full >= 7:
            deputies = others[:1]
            committee = [secretary] + deputies + others[1:1 + rng.randint(1, 3)]
            if rng.random() < 0.05:
                committee = []                                 # a big branch without a committee
            discipline: Any = committee[-1] if committee else None
            if committee and rng.random() < 0.05:
                discipline = None if rng.random() < 0.5 else others[-1]
        else:
            deputies = others[:1] if rng.random() < 0.5 else []
            committee = []
            if rng.random() < 0.1:
                committee = [secretary] + others[:2]           # a small branch with a committee
            if rng.random() < 0.05:
                deputies = others[:2]                          # two deputies in a small branch
            discipline = committee[-1] if committee else None
        org["approved_by_superior"] = True
        sec: Any = secretary
        if n_full < 7 and rng.random() < 0.05:
            sec = None                                         # a small branch without a secretary
        org.update({"secretary": sec, "deputy_secretaries": deputies, "committee_members": committee,
                    "discipline_member": discipline})
        org["elections"] = _elections(rng)
        organizations.append(org)
        committee_secretaries.append(secretary)

    top = {"id": "c01", "name": "机关党委", "kind": "committee", "parent": None, "departments": [],
           "approved_by_superior": True, "secretary": leaders[0] if rng.random() > 0.05 else committee_secretaries[1],
           "deputy_secretaries": leaders[1:2],
           "committee_members": list(dict.fromkeys(leaders[:2] + committee_secretaries[1:6])),
           "discipline_commission": rng.random() > 0.08, "elections": _elections(rng)}
    if rng.random() < 0.04:
        # a court that kept its general branch at the top although it has 100 or more members (organs art.5)
        top.update({"name": "机关党总支", "kind": "general_branch", "discipline_member": top["committee_members"][-1]})
        del top["discipline_commission"]
    organizations.insert(0, top)
    if general_branch is not None:
        gb_members = [organizations[-3]["secretary"] or committee_secretaries[-3], committee_secretaries[-2],
                      committee_secretaries[-1]]
        general_branch.update({"approved_by_superior": True, "secretary": gb_members[0], "deputy_secretaries": [],
                               "committee_members": gb_members, "discipline_member": gb_members[-1],
                               "elections": _elections(rng)})
        organizations.insert(1, general_branch)

    # -- dues and training ---------------------------------------------------------------------------
    lapsed = set(m["id"] for m in rng.sample(member_rows[20:], k=rng.choice((0, 0, 1, 1, 2))))
    dues_lapsed = set(m["id"] for m in rng.sample(member_rows[20:], k=rng.choice((0, 0, 0, 1))))
    # a lapse that ended: seven months in 2022 without dues or meetings, then back (art.9 counts any run, so
    # the floor must too); drawn from a generator of its own so that every other draw stays as it was
    side = random.Random(f"partyrules-bench:{seed}:{index}:ended")
    ended = set(m["id"] for m in side.sample([m for m in member_rows[20:] if m["admitted_on"] < ENDED_FROM],
                                            k=side.choice((0, 0, 1))))
    for m in member_rows:
        start = max(RECORDS_FROM, m["admitted_on"])
        paid = [f"{y:04d}-{mo:02d}" for (y, mo) in _months(start, AS_OF)]
        if m["id"] in dues_lapsed or m["id"] in lapsed:
            cut = len(paid) - rng.randint(7, 12)
            paid = paid[:max(0, cut)]
        elif rng.random() < 0.05:
            for _ in range(rng.randint(1, 3)):
                if paid:
                    paid.pop(rng.randrange(len(paid)))
        if m["id"] in ended:
            paid = [p for p in paid if not ENDED_MONTHS[0] <= p <= ENDED_MONTHS[1]]
        m["dues_paid"] = paid
        m["training_hours"] = {y: rng.choice((24, 32, 36, 40, 48, 56)) if rng.random() > 0.04 else rng.randint(4, 20)
                               for y in (2021, 2022, 2023) if dt.date(y, 12, 31) >= m["admitted_on"]}
        m["training_hours"][2024] = rng.randint(0, 30)

    # -- meetings ------------------------------------------------------------------------------------
    meetings: list[dict] = []
    counter = [0]

    def meeting(org_id: str, kind: str, day: dt.date, pool: list[str], share: float, lecturer: Any = ...) -> None:
        counter[0] += 1
        row: dict[str, Any] = {"id": f"mt{counter[0]:05d}", "org": org_id, "kind": kind, "date": day}
        if lecturer is not ...:
            row["lecturer"] = lecturer
        if rng.random() >= 0.004:                            # now and then attendance was not recorded
            row["attendees"] = [p for p in pool if (p not in lapsed or day < lapse_from) and rng.random() < share
                                and not (p in ended and ENDED_FROM <= day < ENDED_UNTIL)]
        meetings.append(row)

    lapse_from = dt.date(2023, 10, 1)
    for org in organizations:
        oid = org["id"]
        enrolled = [m["id"] for m in member_rows if m["org"] == oid]
        committee = list(org["committee_members"])
        for (y, mo) in MONTHS:
            if org["kind"] == "branch":
                meeting(oid, "theme_day", _day(rng, y, mo, 10, 20), enrolled, 0.9)
            if committee:
                meeting(oid, "committee_meeting", _day(rng, y, mo, 1, 9), committee, 0.95)
            if org["kind"] == "branch" and mo in (3, 6, 9, 12):
                meeting(oid, "general_meeting", _day(rng, y, mo, 21, 28), enrolled, 0.92)
                meeting(oid, "party_lecture", _day(rng, y, mo, 21, 28), enrolled, 0.85,
                        lecturer=org["secretary"])
            if org["kind"] == "branch" and mo == 1:
                meeting(oid, "org_life_meeting", _day(rng, y, mo, 10, 25), enrolled, 0.95)
                meeting(oid, "democratic_review", _day(rng, y, mo, 10, 25), enrolled, 0.95)
    meetings.sort(key=lambda r: (r["date"], r["id"]))

    activities = []
    for y in (2021, 2022, 2023, 2024):
        if dt.date(y, 1, 31) < RECORDS_FROM:
            continue
        for org in organizations:
            activities.append({"kind": "secretary_report", "date": _day(rng, y, 1, 5, 28), "org": org["id"]})
        activities.append({"kind": "party_group_report", "date": _day(rng, y, 2), "org": "c01"})
        activities.append({"kind": "all_member_briefing", "date": _day(rng, y, 2)})
        for q in (3, 6, 9, 12):
            if dt.date(y, q, 28) <= AS_OF:
                activities.append({"kind": "party_group_study", "date": _day(rng, y, q)})
    activities.sort(key=lambda r: (r["date"], r["kind"], r.get("org", "")))

    staff_total = round(n_members * rng.uniform(1.2, 1.6))
    affairs = max(1, math.ceil(staff_total * 0.01))
    if rng.random() < 0.15:
        affairs = max(0, math.ceil(staff_total * 0.01) - 1 - rng.randint(0, 1))
    return {
        "format": "partyrules.facts/1",
        "as_of": AS_OF,
        "records_from": RECORDS_FROM,
        "unit": {"id": uid, "name": f"{CITIES[index % len(CITIES)]}市第{index + 1}中级人民法院",
                 "level": "prefecture" if rng.random() < 0.7 else "county", "staff_total": staff_total,
                 "party_affairs_staff": affairs, "departments": departments, "leaders": leaders,
                 "party_funding_in_budget": rng.random() > 0.1},
        "organizations": organizations,
        "members": member_rows,
        "meetings": meetings,
        "activities": activities,
    }


def _elections(rng: random.Random) -> list[dict]:
    latest = dt.date(rng.choice((2021, 2022, 2023)), rng.randint(1, 12), rng.randint(1, 28))
    out = []
    if rng.random() < 0.6:
        earlier = latest.replace(year=latest.year - 3)
        out.append({"date": earlier, "secretary_approved_on": earlier + dt.timedelta(days=rng.randint(7, 25))})
    e: dict[str, Any] = {"date": latest}
    r = rng.random()
    if r < 0.04:
        e["secretary_approved_on"] = None           # not approved
    elif r >= 0.07:
        e["secretary_approved_on"] = latest + dt.timedelta(days=rng.randint(7, 25))
    # 0.04 <= r < 0.07: the approval is not recorded (omitted: unknown)
    out.append(e)
    return out


# ---- writing ---------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_json(doc: dict) -> str:
    return json.dumps(_plain(doc), ensure_ascii=False, separators=(",", ":")) + "\n"


_SAFE = re.compile(r"^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\-\u4e00-\u9fff]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()                       # an unquoted date, as people write them
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v):
        return v                                   # a month: YAML reads 2024-01 as a string
    if isinstance(v, str) and _SAFE.match(v) and v.lower() not in _RESERVED:
        return v
    return json.dumps(v, ensure_ascii=False)


def _flow(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def to_yaml(doc: dict) -> str:
    """Block style at the top, one flow mapping per record (as in the bundled examples)."""
    out = ["# Generated by benchmarks/generate.py: a fictional court, not real data.",
           f"format: {doc['format']}", f"as_of: {_scalar(doc['as_of'])}",
           f"records_from: {_scalar(doc['records_from'])}", "", "unit:"]
    unit = doc["unit"]
    for k, v in unit.items():
        if k == "departments":
            out.append("  departments:")
            out.extend(f"    - {_flow(d)}" for d in v)
        else:
            out.append(f"  {k}: {_flow(v)}")
    out += ["", "organizations:"]
    for org in doc["organizations"]:
        first = True
        for k, v in org.items():
            if k == "elections":
                out.append("    elections:")
                out.extend(f"      - {_flow(e)}" for e in v)
                continue
            out.append(("  - " if first else "    ") + f"{k}: {_flow(v)}")
            first = False
    for key in ("members", "meetings", "activities"):
        out += ["", f"{key}:"]
        out.extend(f"  - {_flow(r)}" for r in doc[key])
    return "\n".join(out) + "\n"


def write_courts(out_dir: str | Path, n: int, *, seed: int | str = 1, formats: Iterable[str] = ("json",),
                 branches: int = 20, members: int = 300, yaml_limit: int | None = None) -> dict[str, list[Path]]:
    """Write ``n`` courts as ``court-0000.json`` / ``.yaml``; returns the paths by format.

    ``yaml_limit`` writes YAML only for the first courts (YAML files are only
    used for single-document latency). Existing files with the same content
    are left alone, so a rerun is cheap.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, list[Path]] = {f: [] for f in formats}
    for i in range(n):
        doc = make_court(seed, i, branches=branches, members=members)
        for fmt in formats:
            if fmt == "yaml" and yaml_limit is not None and i >= yaml_limit:
                continue
            text = to_json(doc) if fmt == "json" else to_yaml(doc)
            p = out / f"court-{i:04d}.{fmt}"
            if not p.exists() or p.read_text(encoding="utf-8") != text:
                p.write_text(text, encoding="utf-8")
            paths[fmt].append(p)
    return paths


def validate(paths: Iterable[Path]) -> int:
    """Load every document with ``partyrules.load_facts`` (raises on the first bad one)."""
    import partyrules  # only here: the generator itself needs nothing but the standard library

    n = 0
    for p in paths:
        partyrules.load_facts(p)
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--courts", type=int, default=10)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "courts"))
    ap.add_argument("--format", dest="formats", action="append", choices=("json", "yaml"))
    ap.add_argument("--branches", type=int, default=20)
    ap.add_argument("--members", type=int, default=300)
    ap.add_argument("--no-validate", action="store_true", help="skip loading each document with partyrules")
    args = ap.parse_args(argv)
    paths = write_courts(args.out, args.courts, seed=args.seed, formats=args.formats or ("json", "yaml"),
                         branches=args.branches, members=args.members)
    every = [p for ps in paths.values() for p in ps]
    if not args.no_validate:
        validate(every)
    print(f"wrote {len(every)} documents to {args.out}" + ("" if args.no_validate else " (all load)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
