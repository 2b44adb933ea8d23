#!/usr/bin/env python3
"""Generate examples/court.yaml, the bundled example court of partyrules.

    python examples/make_court.py > examples/court.yaml

The output is a fact document in format ``partyrules.facts/1`` (see
docs/facts.md) describing a fictional prefecture-level court, 清河市中级人民法院,
on 2024-06-30 with complete records from 2022-07-01. Everything in it is clean
and complete except a short, fixed list of deliberate problems (``PROBLEMS``
below), each of which is marked ``# PROBLEM: ...`` or ``# OMITTED: ...`` at the
spot in the YAML and listed in the header.

The script uses only the standard library, involves no randomness, no clock and
no environment, and writes the YAML text itself (no YAML library), so its
output is the same byte for byte on every run and every platform.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

AS_OF = date(2024, 6, 30)
RECORDS_FROM = date(2022, 7, 1)

# The months of the complete records: 2022-07 ... 2024-06.
MONTHS = [(2022, m) for m in range(7, 13)] + [(2023, m) for m in range(1, 13)] + [(2024, m) for m in range(1, 7)]
# (year, quarter) of the complete records: 2022-Q3 ... 2024-Q2.
QUARTERS = [(2022, 3), (2022, 4)] + [(2023, q) for q in range(1, 5)] + [(2024, 1), (2024, 2)]

# ---------------------------------------------------------------------------
# Departments: id, name, staff. Heads are set from the member table below.
# ---------------------------------------------------------------------------
DEPARTMENTS = [
    ("d-office", "办公室", 18),
    ("d-political", "政治部", 12),
    ("d-filing", "立案庭", 16),
    ("d-crim1", "刑事审判第一庭", 16),
    ("d-crim2", "刑事审判第二庭", 12),
    ("d-civil1", "民事审判第一庭", 20),
    ("d-civil2", "民事审判第二庭", 18),
    ("d-admin", "行政审判庭", 12),
    ("d-supervision", "审判监督庭", 10),
    ("d-exec", "执行局", 40),
    ("d-research", "研究室", 8),
    ("d-equip", "司法行政装备管理处", 12),
]
STAFF_TOTAL = 200  # 194 in the departments + 6 court leaders

# ---------------------------------------------------------------------------
# Members, in roster order.
#   (key, name, branch key or None, department or None, birth date,
#    admitted_on, status, role note)
# status: "full", "probationary" or None (the key is left out: unknown).
# Full members became full exactly one year after admission (no extension).
# ---------------------------------------------------------------------------
M = []


def member(key, name, org, dept, born, admitted, status="full", note=""):
    M.append(dict(key=key, name=name, org=org, dept=dept, born=born,
                  admitted=admitted, status=status, note=note))


# Court leaders (院领导): department null, enrolled in branches.
member("L1", "周建国", "office", None, "1966-03-14", "1988-06-20", note="院长、党组书记")
member("L2", "陈立华", "office", None, "1968-11-02", "1991-05-28", note="常务副院长、党组副书记")
member("L3", "李卫东", "political", None, "1969-07-23", "1992-06-15", note="副院长、党组成员、机关党委书记")
member("L4", "王志强", "crim1", None, "1970-02-08", "1993-04-26", note="副院长、党组成员")
member("L5", "刘桂芳", "civil1", None, "1971-09-17", "1994-06-30", note="副院长、党组成员")
member("L6", "赵明远", "exec", None, "1972-05-05", "1996-05-20", note="审判委员会专职委员、党组成员")
# 办公室、研究室党支部
member("office-head", "孙海燕", "office", "d-office", "1975-04-12", "1999-05-18", note="办公室主任")
member("office-2", "马俊杰", "office", "d-office", "1980-08-21", "2004-06-10")
member("office-3", "朱晓峰", "office", "d-office", "1983-01-30", "2006-11-15")
member("office-4", "胡静", "office", "d-office", "1986-06-09", "2009-06-25")
member("office-5", "郭文斌", "office", "d-office", "1988-12-03", "2012-05-16")
member("office-6", "何丽娟", "office", "d-office", "1991-03-27", "2014-06-18")
member("office-7", "高鹏", "office", "d-office", "1993-10-14", "2017-12-20")
member("office-prob", "林晓婷", "office", "d-office", "1997-07-08", "2024-01-16", status="probationary")
member("research-head", "罗文涛", "office", "d-research", "1977-12-19", "2001-06-12", note="研究室主任")
member("research-2", "梁雪梅", "office", "d-research", "1987-05-24", "2010-05-20")
member("research-3", "宋子健", "office", "d-research", "1992-09-11", "2016-06-22")
# 政治部、司法行政装备管理处党支部
member("political-head", "郑国庆", "political", "d-political", "1974-10-01", "1997-06-16", note="政治部主任")
member("political-2", "谢春华", "political", "d-political", "1978-03-15", "2001-11-20", note="机关党委专职副书记")
member("political-3", "韩立新", "political", "d-political", "1976-08-28", "1999-12-15", note="政治部副主任、机关党委副书记、机关纪委书记")
member("political-4", "唐晓雯", "political", "d-political", "1985-02-17", "2008-06-12")
member("political-5", "冯超", "political", "d-political", "1990-11-26", "2013-05-22")
member("political-6", "程丽", "political", "d-political", "1994-04-04", "2018-06-14")
member("equip-head", "于德胜", "political", "d-equip", "1973-06-19", "1996-12-10", note="司法行政装备管理处处长")
member("equip-2", "董志刚", "political", "d-equip", "1982-09-07", "2006-06-20")
member("equip-3", "萧红", "political", "d-equip", "1989-01-22", "2012-11-28", status=None)
# 立案庭、审判监督庭党支部
member("filing-head", "曹振华", "filing", "d-filing", "1976-05-30", "1999-06-18", note="立案庭庭长")
member("filing-2", "袁晓东", "filing", "d-filing", "1981-07-13", "2005-05-25")
member("filing-3", "邓慧敏", "filing", "d-filing", "1986-10-06", "2009-12-16")
member("filing-4", "许家豪", "filing", "d-filing", "1990-02-25", "2014-06-11")
member("filing-5", "傅玉兰", "filing", "d-filing", "1993-08-18", "2017-06-21")
member("filing-prob", "吕思雨", "filing", "d-filing", "1998-12-01", "2023-10-24", status="probationary")
member("supervision-head", "沈卫平", "filing", "d-supervision", "1972-12-11", "1995-06-28", note="审判监督庭庭长")
member("supervision-2", "曾庆丰", "filing", "d-supervision", "1979-04-29", "2002-06-19")
member("supervision-3", "彭晓琳", "filing", "d-supervision", "1988-07-16", "2011-05-24")
# 刑事审判第一庭党支部
member("crim1-head", "苏建军", "crim1", "d-crim1", "1974-01-09", "1997-05-27", note="刑一庭庭长")
member("crim1-2", "卢志明", "crim1", "d-crim1", "1978-06-23", "2001-06-26")
member("crim1-3", "蒋慧", "crim1", "d-crim1", "1982-11-05", "2005-12-14")
member("crim1-4", "蔡立军", "crim1", "d-crim1", "1984-03-18", "2007-06-20")
member("crim1-5", "贾晓光", "crim1", "d-crim1", "1987-09-29", "2010-11-23")
member("crim1-6", "丁红梅", "crim1", "d-crim1", "1989-05-14", "2012-06-13")
member("crim1-7", "魏振宇", "crim1", "d-crim1", "1992-12-27", "2016-05-18")
member("crim1-8", "薛宁", "crim1", "d-crim1", "1995-02-10", "2019-06-19")
member("crim1-prob", "叶子涵", "crim1", "d-crim1", "1999-06-02", "2024-03-19", status="probationary")
# 刑事审判第二庭党支部
member("crim2-head", "阎树林", "crim2", "d-crim2", "1975-08-16", "1998-06-24", note="刑二庭庭长")
member("crim2-2", "余国华", "crim2", "d-crim2", "1980-02-03", "2003-05-21")
member("crim2-3", "潘晓燕", "crim2", "d-crim2", "1986-04-25", "2009-06-17")
member("crim2-4", "杜明辉", "crim2", "d-crim2", "1991-10-19", "2015-12-09")
member("crim2-prob", "戴雨桐", "crim2", "d-crim2", "1996-03-12", "2023-12-19", status="probationary")
# 民事审判第一庭党支部
member("civil1-head", "夏永刚", "civil1", "d-civil1", "1973-09-08", "1996-06-19", note="民一庭庭长")
member("civil1-2", "钟丽萍", "civil1", "d-civil1", "1978-12-24", "2002-05-29", note="民一庭副庭长")
member("civil1-3", "汪海波", "civil1", "d-civil1", "1981-05-11", "2004-06-23")
member("civil1-4", "田晓丽", "civil1", "d-civil1", "1983-08-02", "2006-12-13")
member("civil1-5", "任志勇", "civil1", "d-civil1", "1985-11-20", "2008-05-28")
member("civil1-6", "姜文静", "civil1", "d-civil1", "1988-03-06", "2011-06-15")
member("civil1-7", "范伟", "civil1", "d-civil1", "1990-07-31", "2013-11-26")
member("civil1-8", "方雅琴", "civil1", "d-civil1", "1993-01-15", "2016-06-15")
member("civil1-9", "石磊", "civil1", "d-civil1", "1995-10-28", "2019-05-22")
# 民事审判第二庭、行政审判庭党支部
member("civil2-head", "姚建平", "civil2", "d-civil2", "1974-04-27", "1997-12-17", note="民二庭庭长")
member("civil2-2", "谭晓明", "civil2", "d-civil2", "1979-10-10", "2003-06-25")
member("civil2-3", "廖春燕", "civil2", "d-civil2", "1983-06-14", "2006-05-24")
member("civil2-4", "邹健", "civil2", "d-civil2", "1987-02-21", "2010-06-16")
member("civil2-5", "熊丽君", "civil2", "d-civil2", "1990-09-03", "2014-05-21")
member("civil2-6", "金鑫", "civil2", "d-civil2", "1994-05-17", "2018-11-21")
member("civil2-prob", "崔梦琪", "civil2", "d-civil2", "1998-08-26", "2023-11-21", status="probationary")
member("admin-head", "陆振东", "civil2", "d-admin", "1976-11-13", "2000-05-30", note="行政庭庭长")
member("admin-2", "郝晓敏", "civil2", "d-admin", "1984-07-07", "2007-06-27")
member("admin-3", "孔德胜", "civil2", "d-admin", "1988-09-24", "2012-06-20")
member("admin-4", "白雪", "civil2", "d-admin", "1992-04-13", "2016-12-14")
# 执行局党支部
member("exec-head", "邱永康", "exec", "d-exec", "1973-03-22", "1996-06-26", note="执行局局长")
member("exec-2", "秦海涛", "exec", "d-exec", "1977-07-04", "2000-06-21", note="执行局副局长")
member("exec-3", "江晓红", "exec", "d-exec", "1980-12-16", "2004-05-26")
member("exec-4", "史国强", "exec", "d-exec", "1982-04-08", "2005-06-22")
member("exec-5", "顾建新", "exec", "d-exec", "1984-10-25", "2008-06-18")
member("exec-6", "侯丽丽", "exec", "d-exec", "1986-01-19", "2009-05-27")
member("exec-7", "邵志华", "exec", "d-exec", "1987-06-30", "2010-12-15")
member("exec-8", "孟凡超", "exec", "d-exec", "1989-09-12", "2013-06-19")
member("exec-9", "龙晓军", "exec", "d-exec", "1991-03-03", "2015-05-20")
member("exec-10", "万婷", "exec", "d-exec", "1993-11-09", "2017-06-14")
member("exec-11", "段宏伟", "exec", "d-exec", "1995-07-21", "2019-11-20")
member("exec-lapsed", "雷振国", "exec", "d-exec", "1979-05-26", "2003-06-18")
member("exec-prob", "钱思远", "exec", "d-exec", "1999-01-28", "2023-10-24", status="probationary")
# Not enrolled anywhere.
member("exec-unenrolled", "黎建华", None, "d-exec", "1982-02-14", "2006-06-28")

for i, m in enumerate(M, start=1):
    m["id"] = f"m{i:03d}"
ID = {m["key"]: m["id"] for m in M}
BY_KEY = {m["key"]: m for m in M}

LEADERS = ["L1", "L2", "L3", "L4", "L5", "L6"]
DEPT_HEAD = {
    "d-office": "office-head", "d-political": "political-head", "d-filing": "filing-head",
    "d-crim1": "crim1-head", "d-crim2": "crim2-head", "d-civil1": "civil1-head",
    "d-civil2": "civil2-head", "d-admin": "admin-head", "d-supervision": "supervision-head",
    "d-exec": "exec-head", "d-research": "research-head", "d-equip": "equip-head",
}

# Member with deliberate problem 5: no dues and no attendance after this date.
LAPSED = "exec-lapsed"
LAPSED_LAST_DAY = date(2023, 9, 30)
# Member with deliberate problem 3 (org: null) takes part in the 执行局 branch's
# activities as a non-enrolled participant, so problem 3 is the only thing wrong.
UNENROLLED = "exec-unenrolled"

# ---------------------------------------------------------------------------
# Organizations. key -> fields. Election: (date, approved) where approved is a
# date string, "null" or None (key left out).
# ---------------------------------------------------------------------------
ORGS = [
    dict(key="committee", id="o-committee", name="机关党委", kind="committee",
         secretary="L3", deputies=["political-2", "political-3"],
         committee=["L3", "political-2", "political-3", "office-head", "exec-head", "crim1-head", "civil1-head"],
         election=("2021-06-18", "2021-07-02")),
    dict(key="office", id="o-office", name="办公室、研究室党支部", kind="branch",
         departments=["d-office", "d-research"],
         secretary="office-head", deputies=["research-head"],
         committee=["office-head", "research-head", "office-2", "office-4", "office-5"],
         discipline="office-2", election=("2022-09-16", "2022-09-30")),
    dict(key="political", id="o-political", name="政治部、司法行政装备管理处党支部", kind="branch",
         departments=["d-political", "d-equip"],
         secretary="political-head", deputies=["equip-head"],
         committee=["political-head", "equip-head", "political-4", "political-2"],
         discipline="political-4", election=("2023-04-14", None)),
    dict(key="filing", id="o-filing", name="立案庭、审判监督庭党支部", kind="branch",
         departments=["d-filing", "d-supervision"],
         secretary="filing-head", deputies=["supervision-head"],
         committee=[], discipline=None, election=("2022-11-18", "2022-12-02")),
    dict(key="crim1", id="o-crim1", name="刑事审判第一庭党支部", kind="branch",
         departments=["d-crim1"],
         secretary="crim1-head", deputies=["crim1-2"],
         committee=["crim1-head", "crim1-2", "crim1-3", "crim1-4"],
         discipline="crim1-3", election=("2023-03-17", "2023-03-31")),
    dict(key="crim2", id="o-crim2", name="刑事审判第二庭党支部", kind="branch",
         departments=["d-crim2"],
         secretary="crim2-head", deputies=["crim2-2", "crim2-3"],
         committee=[], discipline=None, election=("2022-10-21", "2022-11-04")),
    dict(key="civil1", id="o-civil1", name="民事审判第一庭党支部", kind="branch",
         departments=["d-civil1"],
         secretary="civil1-2", deputies=[],
         committee=["civil1-2", "civil1-head", "civil1-3", "civil1-4", "civil1-5"],
         discipline="civil1-3", election=("2023-05-19", "2023-06-02")),
    dict(key="civil2", id="o-civil2", name="民事审判第二庭、行政审判庭党支部", kind="branch",
         departments=["d-civil2", "d-admin"],
         secretary="civil2-head", deputies=["admin-head"],
         committee=["civil2-head", "admin-head", "civil2-2", "civil2-3", "admin-2"],
         discipline="civil2-2", election=("2023-06-16", "null")),
    dict(key="exec", id="o-exec", name="执行局党支部", kind="branch",
         departments=["d-exec"],
         secretary="exec-head", deputies=["exec-2"],
         committee=["exec-head", "exec-2", "exec-3", "exec-4", "exec-5"],
         discipline="exec-3", election=("2022-12-09", "2022-12-23")),
]
ORG = {o["key"]: o for o in ORGS}
BRANCHES = [o for o in ORGS if o["kind"] == "branch"]

# ---------------------------------------------------------------------------
# The deliberate problems: (number, where, text). Printed in the header and,
# by the same text, as comments at the spot.
# ---------------------------------------------------------------------------
P1 = "8 full members but committee_members: [] (a branch with 7 or more full members has a committee: organs-regs@2019 art.7); so it also holds no committee meetings and has no discipline member"
P2 = "4 full members (no committee) but two deputy secretaries; at most one is allowed (organs-regs@2019 art.7)"
P3 = "org: null, enrolled in no organization (constitution art.8); takes part in the 执行局 branch's activities and pays dues, but his membership was never transferred in"
P4 = f"secretary {ID['civil1-2']} is the 副庭长, not the head of 民事审判第一庭 ({ID['civil1-head']}) (soft rule, organs-regs@2019 art.8 para.2)"
P5 = ("no dues paid 2023-10 ... 2024-06 (nine consecutive months) and no meeting attended since 2023-09 "
      "(constitution art.9 para.3; the unpaid months also break member-edu-regs@2019 art.16 para.3)")
P6 = "party_affairs_staff: 1 for staff_total: 200 is 0.5 %, below the 1 %-2 % of organs-regs@2019 art.30"
P7 = "latest election's secretary_approved_on: null, the elected secretary was not approved by the higher organization (constitution art.31; organs-regs@2019 art.8 para.1)"
P8a = "secretary_approved_on left out of the latest election: approval unknown"
P9 = ("the political review's conclusion (2023-11-02) came after the branch meeting that admitted her "
      "(2023-10-24); none may be admitted before passing it (devt-rules@2014 art.16)")
P10 = ("a development object decided on 2023-03-20, eleven months after becoming an activist (2022-04-20); "
       "a year or more of cultivation is required (devt-rules@2014 art.13; devt.applicant.object-one-year, and shown by "
       "partyrules timeline)")
P11 = ("an activist since 2023-05-22 never assessed: the half-yearly assessment was due by 2023-11-22 "
       "(devt-rules@2014 art.11; devt.applicant.assessment, and shown by partyrules timeline)")
P8b = ("status and dues_paid left out: her status still follows from full_on, but whether she paid "
       "dues is unknown, so the six-month rule (constitution art.9 para.3) cannot be decided for her")

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def d(s: str) -> date:
    return date.fromisoformat(s)


def _days(first: str, last: str) -> set[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


# Public holidays (法定节假日) in the record period; meetings avoid them.
HOLIDAYS = set().union(
    _days("2022-09-10", "2022-09-12"), _days("2022-10-01", "2022-10-07"),
    _days("2022-12-31", "2023-01-02"), _days("2023-01-21", "2023-01-27"),
    _days("2023-04-05", "2023-04-05"), _days("2023-04-29", "2023-05-03"),
    _days("2023-06-22", "2023-06-24"), _days("2023-09-29", "2023-10-06"),
    _days("2023-12-30", "2024-01-01"), _days("2024-02-10", "2024-02-17"),
    _days("2024-04-04", "2024-04-06"), _days("2024-05-01", "2024-05-05"),
    _days("2024-06-08", "2024-06-10"),
)


def workday(y: int, m: int, day: int) -> date:
    """The first working day (Monday to Friday, not a public holiday) on or
    after y-m-day, in the same month."""
    dt = date(y, m, day)
    while dt.weekday() >= 5 or dt in HOLIDAYS:
        dt += timedelta(days=1)
    assert dt.month == m, (y, m, day)
    return dt


def add_year(s: str) -> str:
    dt = d(s)
    return dt.replace(year=dt.year + 1).isoformat()


RULES_FROM = date(2017, 10, 24)     # constitution 2017: admission and conversion records are kept since
PARTY_GROUP_FROM = date(2020, 1, 5)
DEVT_FROM = date(2014, 5, 28)        # devt-rules 2014: the admission process is recorded for admissions since  # organs regulations 2019: the 党组 reviews admissions and conversions


def admission_records(m: dict) -> list[tuple[str, str]]:
    """Introducers, approvals, the pre-approval talk and the conversion decision, for recent admissions."""
    adm = d(m["admitted"])
    out: list[tuple[str, str]] = []
    if adm >= DEVT_FROM:
        seniors = [x for x in M if x["org"] == m["org"] and x["status"] == "full" and x is not m
                   and d(add_year(x["admitted"])) <= adm]
        intro = seniors[:2] if len(seniors) >= 2 else [x for x in M if x["key"] in LEADERS][:2]
        approved = adm + timedelta(days=14)
        out.append(("introducers", "[" + ", ".join("{member: %s}" % x["id"] for x in intro) + "]"))
        if approved >= PARTY_GROUP_FROM:
            out.append(("admission_reviewed_by_party_group_on", (adm + timedelta(days=7)).isoformat()))
        out += [("pre_approval_talk_on", (adm + timedelta(days=10)).isoformat()),
                ("admission_approved_on", approved.isoformat())]
    if m["status"] == "full" and d(m["admitted"]) >= DEVT_FROM:
        conv = d(add_year(m["admitted"]))
        approved = conv + timedelta(days=10)
        out.append(("conversion_meeting_on", conv.isoformat()))
        if approved >= PARTY_GROUP_FROM:
            out.append(("conversion_reviewed_by_party_group_on", (conv + timedelta(days=5)).isoformat()))
        out.append(("conversion_approved_on", approved.isoformat()))
    return out


# ---------------------------------------------------------------------------
# People in the admission process (devt-rules@2014; docs/facts-devt.md): one probationary
# member near conversion, one development object and one activist (applicants, not members).
# ---------------------------------------------------------------------------
NEAR_CONVERSION = "filing-prob"


def full_on_day(key: str, day: date) -> bool:
    x = BY_KEY[key]
    return x["status"] == "full" and d(add_year(x["admitted"])) <= day


def clean_development(m: dict) -> list[tuple[str, str]]:
    """A clean admission process for a member admitted since the 2014 rules, dated back from the meeting."""
    adm = d(m["admitted"])
    applied = adm - timedelta(days=800)
    activist = applied + timedelta(days=40)
    obj = activist + timedelta(days=400)
    contacts = [x for x in M if x["org"] == m["org"] and x is not m and full_on_day(x["key"], activist)][:2]
    if len(contacts) < 2:
        contacts = [BY_KEY[k] for k in LEADERS[:2]]
    due = [x for x in M if x["org"] == m["org"] and x is not m and full_on_day(x["key"], adm)]
    dev = [("applied_on", applied.isoformat()), ("application_talk_on", (applied + timedelta(days=10)).isoformat()),
           ("activist_on", activist.isoformat()), ("activist_filed_on", (activist + timedelta(days=5)).isoformat()),
           ("contacts", "[" + ", ".join("{member: %s}" % x["id"] for x in contacts) + "]"),
           ("assessments", "[%s, %s]" % ((activist + timedelta(days=150)).isoformat(),
                                         (activist + timedelta(days=300)).isoformat())),
           ("object_on", obj.isoformat()), ("object_filed_on", (obj + timedelta(days=5)).isoformat()),
           ("political_review_on", (adm - timedelta(days=20)).isoformat()),
           ("training_days", 3), ("training_hours", 24), ("pre_review_on", (adm - timedelta(days=10)).isoformat()),
           ("meeting_due", len(due)), ("meeting_present", len(due)), ("meeting_ayes", len(due)),
           ("approver", "committee")]
    if adm + timedelta(days=20) <= AS_OF:
        dev.append(("oath_on", (adm + timedelta(days=20)).isoformat()))
    else:
        dev.append(("oath_on", "null"))
    if m["status"] == "full":
        conv = d(add_year(m["admitted"]))
        voters = [x for x in M if x["org"] == m["org"] and x is not m and full_on_day(x["key"], conv)]
        dev += [("conversion_applied_on", (conv - timedelta(days=7)).isoformat()),
                ("conversion_due", len(voters)), ("conversion_present", len(voters)),
                ("conversion_ayes", len(voters))]
    dev.append(("extensions", "[]"))
    out = [("development", flow(dev))]
    if m["status"] == "probationary":
        out.insert(0, ("conversion_meeting_on", "null"))
    return out


def development_of(m: dict) -> list[tuple[str, str]]:
    """The admission process: planted problem 9 for the member near conversion, clean for the others
    admitted since the 2014 rules (none for the member whose status was left out)."""
    if m["key"] != NEAR_CONVERSION:
        return clean_development(m) if d(m["admitted"]) >= DEVT_FROM and m["status"] is not None else []
    meeting = d(m["admitted"])
    due = [x for x in M if x["org"] == m["org"] and x is not m and full_on_day(x["key"], meeting)]
    dev = [("applied_on", "2021-09-06"), ("application_talk_on", "2021-09-20"),
           ("activist_on", "2021-10-15"), ("activist_filed_on", "2021-10-22"),
           ("contacts", "[{member: %s}, {member: %s}]" % (ID["filing-2"], ID["filing-3"])),
           ("assessments", "[2022-04-15, 2022-10-14]"),
           ("object_on", "2022-11-18"), ("object_filed_on", "2022-11-25"),
           ("political_review_on", "2023-11-02"),
           ("training_days", 3), ("training_hours", 24), ("pre_review_on", "2023-10-16"),
           ("meeting_due", len(due)), ("meeting_present", len(due) - 1), ("meeting_ayes", len(due) - 1),
           ("approver", "committee"), ("oath_on", "2023-11-15"), ("extensions", "[]")]
    return [("conversion_meeting_on", "null"), ("development", flow(dev))]


APPLICANTS = [
    # (id, name, branch key, birth date, development pairs, planted problem)
    ("a01", "韩雪", "exec", "2000-05-10",
     [("applied_on", "2022-03-01"), ("application_talk_on", "2022-03-15"),
      ("activist_on", "2022-04-20"), ("activist_filed_on", "2022-04-28"),
      ("contacts", "[{member: %s}, {member: %s}]" % (ID["exec-2"], ID["exec-3"])),
      ("assessments", "[2022-10-18]"), ("object_on", "2023-03-20"), ("object_filed_on", "2023-03-28"),
      ("political_review_on", "2024-05-20"), ("training_days", 3), ("training_hours", 24)], P10),
    ("a02", "彭宇", "civil1", "1999-08-16",
     [("applied_on", "2023-04-03"), ("application_talk_on", "2023-04-20"),
      ("activist_on", "2023-05-22"), ("activist_filed_on", "2023-05-30"),
      ("contacts", "[{member: %s}]" % ID["civil1-3"]), ("assessments", "[]"), ("object_on", "null")], P11),
]


def roster(org_key: str) -> list[dict]:
    return [m for m in M if m["org"] == org_key]


def active(m: dict, on: date) -> bool:
    """Can m take part in a meeting on this date?"""
    if d(m["admitted"]) > on:
        return False
    if m["key"] == LAPSED and on > LAPSED_LAST_DAY:
        return False
    return True


def dues(m: dict) -> list[str]:
    adm = d(m["admitted"])
    out = []
    for y, mo in MONTHS:
        if (y, mo) < (adm.year, adm.month):
            continue
        if m["key"] == LAPSED and date(y, mo, 1) > LAPSED_LAST_DAY:
            continue
        out.append(f"{y:04d}-{mo:02d}")
    return out


def training(m: dict, idx: int) -> dict[int, int]:
    # 32 to 48 class hours a year, varying deterministically by member.
    adm = d(m["admitted"])
    out = {}
    for k, year in enumerate((2022, 2023)):
        if adm.year > year:
            continue
        out[year] = 32 + ((idx * 7 + k * 3) % 5) * 4
    return out


# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------
meetings = []  # dicts: org, kind, date, attendees (member keys), lecturer, comment


def attendance(org: dict, kind: str, on: date, k: int, lecturer: str | None = None) -> list[str]:
    if kind == "committee_meeting":
        people = [BY_KEY[x] for x in org["committee"]]
    else:
        people = roster(org["key"])
        if org["key"] == "exec":
            people = people + [BY_KEY[UNENROLLED]]
    people = [p for p in people if active(p, on)]
    out = []
    for i, p in enumerate(people):
        keep = p["key"] in (org["secretary"], lecturer) or kind in ("org_life_meeting", "democratic_review")
        if not keep:
            if kind == "committee_meeting":
                keep = (i * 3 + k) % 7 != 0
            else:
                keep = (i * 5 + k * 3) % 13 != 0
        if keep:
            out.append(p["key"])
    return out


def add_meeting(org, kind, on, k, lecturer=None, comment=None):
    meetings.append(dict(org=org["id"], okey=org["key"], kind=kind, date=on,
                         attendees=attendance(org, kind, on, k, lecturer),
                         lecturer=lecturer, comment=comment))


KIND_ORDER = ["committee_meeting", "general_meeting", "party_lecture", "theme_day",
              "democratic_review", "org_life_meeting"]

# The 机关党委 itself: a committee meeting every month.
for k, (y, mo) in enumerate(MONTHS):
    add_meeting(ORG["committee"], "committee_meeting", workday(y, mo, 5), k)

for bi, org in enumerate(BRANCHES):
    leaders_here = [x for x in LEADERS if BY_KEY[x]["org"] == org["key"]]
    k = 0
    for y, mo in MONTHS:
        if org["committee"]:
            add_meeting(org, "committee_meeting", workday(y, mo, 3 + bi), k)
            k += 1
        add_meeting(org, "theme_day", workday(y, mo, 12 + bi), k)
        k += 1
    elec = d(org["election"][0])
    for y, q in QUARTERS:
        first = 3 * (q - 1) + 1
        if (elec.year, (elec.month - 1) // 3 + 1) == (y, q):
            # The quarter's general meeting is the one that held the election.
            add_meeting(org, "general_meeting", elec, k, comment="换届选举")
        else:
            add_meeting(org, "general_meeting", workday(y, first + 1, 18 + bi), k)
        k += 1
        # Party lectures: the secretary, except a court leader of the branch
        # in the third quarter (and a second leader in the first quarter).
        lecturer = org["secretary"]
        if q == 3 and leaders_here:
            lecturer = leaders_here[0]
        elif q == 1 and len(leaders_here) > 1:
            lecturer = leaders_here[1]
        add_meeting(org, "party_lecture", workday(y, first + 2, 6 + bi), k, lecturer=lecturer)
        k += 1
    for y, base_dr, base_ol in ((2022, 21, 14), (2023, 16, 11)):
        add_meeting(org, "democratic_review", workday(y, 11, base_dr + bi // 2), k)
        k += 1
        add_meeting(org, "org_life_meeting", workday(y, 12, base_ol + bi), k)
        k += 1

ORG_ORDER = {o["id"]: i for i, o in enumerate(ORGS)}
meetings.sort(key=lambda x: (x["date"], ORG_ORDER[x["org"]], KIND_ORDER.index(x["kind"])))
for i, mt in enumerate(meetings, start=1):
    mt["id"] = f"mt-{i:04d}"

# ---------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------
activities = []
for year, base in ((2023, 12), (2024, 9)):
    for oi, org in enumerate(ORGS):
        activities.append(dict(kind="secretary_report", date=workday(year, 1, base + oi),
                               org=org["id"], member=ID[org["secretary"]],
                               note=f"{org['name']}书记述职（{year - 1}年度）"))
activities.append(dict(kind="party_group_report", date=date(2022, 12, 28), note="党组听取并通报2022年度院机关党建工作情况"))
activities.append(dict(kind="party_group_report", date=date(2023, 12, 27), note="党组听取并通报2023年度院机关党建工作情况"))
activities.append(dict(kind="all_member_briefing", date=date(2023, 1, 31), note="全院党员干部大会，院长通报2022年度全院工作"))
activities.append(dict(kind="all_member_briefing", date=date(2024, 1, 30), note="全院党员干部大会，院长通报2023年度全院工作"))
for dt in (date(2022, 8, 25), date(2022, 12, 22), date(2023, 4, 20), date(2023, 10, 19), date(2024, 4, 18)):
    activities.append(dict(kind="party_group_study", date=dt, note="党组会议专题研究机关党建工作"))
# each branch publishes its dues collection to its members once a year (dues-regs@2008 art.26)
for year in (2022, 2023):
    for bi, org in enumerate(BRANCHES):
        activities.append(dict(kind="dues_publication", date=workday(year, 12, 12 + bi % 5),
                               org=org["id"], member=ID[org["secretary"]],
                               note=f"{org['name']}向党员公布{year}年度党费收缴情况"))
activities.sort(key=lambda a: (a["date"], a["kind"]))

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def flow(pairs) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def ids(keys) -> str:
    return "[" + ", ".join(ID[k] for k in keys) + "]"


def ref(key) -> str:
    return "null" if key is None else ID[key]


out: list[str] = []
w = out.append

w("# partyrules example court — format partyrules.facts/1")
w("#")
w("# A fictional prefecture-level court, 清河市中级人民法院, described on 2024-06-30 with")
w("# complete records (meetings, dues, training, activities) from 2022-07-01: one 机关党委")
w(f"# (committee) over {len(BRANCHES)} branches built on the court's {len(DEPARTMENTS)} departments, {len(M)} members,")
w(f"# {len(meetings)} meetings and {len(activities)} activities. It is the file the README's first command checks.")
w("#")
w("# Generated; do not edit by hand:  python examples/make_court.py > examples/court.yaml")
w("#")
w("# Everything is clean and complete except these deliberate problems, each marked")
w("# at its spot with `# PROBLEM:` or `# OMITTED:`. The admission process (docs/facts-devt.md)")
w("# is recorded for every member admitted since the 2014 development rules; the dues")
w("# amounts and payment days are not recorded (those checks report it once, as not recorded).")
problems = [
    ("1", f"branch o-filing: {P1}"),
    ("2", f"branch o-crim2: {P2}"),
    ("3", f"member {ID[UNENROLLED]} ({BY_KEY[UNENROLLED]['name']}): {P3}"),
    ("4", f"branch o-civil1: {P4}"),
    ("5", f"member {ID[LAPSED]} ({BY_KEY[LAPSED]['name']}, o-exec): {P5}"),
    ("6", f"unit: {P6}"),
    ("7", f"branch o-civil2: {P7}"),
    ("8", f"omissions that make outcomes unknown: branch o-political, {P8a}; "
          f"member {ID['equip-3']} ({BY_KEY['equip-3']['name']}, o-political), {P8b}"),
    ("9", f"member {ID[NEAR_CONVERSION]} ({BY_KEY[NEAR_CONVERSION]['name']}, o-filing, near conversion): {P9}"),
    ("10", f"applicant a01 (韩雪, o-exec, development object): {P10}"),
    ("11", f"applicant a02 (彭宇, o-civil1, activist): {P11}"),
]


def wrap(text: str, first: str, rest: str, width: int = 92) -> list[str]:
    words, lines, cur = text.split(" "), [], first
    for word in words:
        if len(cur) + len(word) + 1 > width and cur.strip() not in ("#", first.strip()):
            lines.append(cur.rstrip())
            cur = rest
        cur += word + " "
    lines.append(cur.rstrip())
    return lines


def note(indent: str, tag: str, text: str) -> None:
    out.extend(wrap(text, f"{indent}# {tag}: ", f"{indent}#   "))


for n, text in problems:
    out.extend(wrap(text, f"#   {n}. ", "#      "))
w("")
w("format: partyrules.facts/1")
w(f"as_of: {AS_OF.isoformat()}")
w(f"records_from: {RECORDS_FROM.isoformat()}")
w("")
w("unit:")
w("  id: court-qinghe-intermediate")
w("  name: 清河市中级人民法院")
w("  level: prefecture")
w(f"  staff_total: {STAFF_TOTAL}")
note("  ", "PROBLEM", P6)
w("  party_affairs_staff: 1")
w("  party_funding_in_budget: true")
w(f"  leaders: {ids(LEADERS)}   # " + "、".join(BY_KEY[x]["name"] for x in LEADERS))
w("  departments:")
for did, name, staff in DEPARTMENTS:
    w("    - " + flow([("id", did), ("name", name), ("head", ID[DEPT_HEAD[did]]), ("staff", staff)]))
w("")
w("organizations:")
for org in ORGS:
    w(f"  - id: {org['id']}")
    w(f"    name: {org['name']}")
    w(f"    kind: {org['kind']}")
    if org["kind"] == "committee":
        w("    parent: null")
        n = len(M)
        w(f"    approved_by_superior: true      # {n} members (< 100): set up with the higher organization's approval")
    else:
        w("    parent: o-committee")
        w(f"    departments: [{', '.join(org['departments'])}]")
    if org["key"] == "civil1":
        note("    ", "PROBLEM", P4)
    w(f"    secretary: {ref(org['secretary'])}")
    if org["key"] == "crim2":
        note("    ", "PROBLEM", P2)
    w(f"    deputy_secretaries: {ids(org['deputies'])}")
    if org["key"] == "filing":
        note("    ", "PROBLEM", P1)
    w(f"    committee_members: {ids(org['committee'])}")
    if org["kind"] == "committee":
        w("    discipline_commission: true     # 机关纪委")
        w(f"    discipline_commission_secretary: {ID['political-3']}   # a deputy secretary (organs-regs art.9)")
    else:
        w(f"    discipline_member: {ref(org['discipline'])}")
    w("    secretary_changes: []           # no secretary or deputy was replaced during the term")
    w("    elections:")
    edate, appr = org["election"]
    extra = ""
    if org["kind"] == "committee":
        # the 党组 decided the re-election, then the 机关工委 approved it (organs-regs art.37 para.1)
        extra = (f", party_group_decided_on: {(d(edate) - timedelta(days=40)).isoformat()}"
                 f", work_committee_approved_on: {(d(edate) - timedelta(days=25)).isoformat()}")
    if appr is None:
        note("      ", "OMITTED", P8a)
        w(f"      - {{date: {edate}{extra}}}")
    elif appr == "null":
        note("      ", "PROBLEM", P7)
        w(f"      - {{date: {edate}, secretary_approved_on: null{extra}}}")
    else:
        w(f"      - {{date: {edate}, secretary_approved_on: {appr}{extra}}}")
w("")
w("members:")
current = object()
group_titles = {None: "not enrolled"}
for o in ORGS:
    group_titles[o["key"]] = f"{o['id']} {o['name']}"
for idx, m in enumerate(M):
    group = "leaders" if m["key"] in LEADERS else m["org"]
    if group != current:
        current = group
        w("  # " + ("court leaders (院领导), enrolled in branches" if group == "leaders" else group_titles[group]))
    if m["note"]:
        w(f"  # {m['id']} {m['name']}: {m['note']}")
    if m["key"] == UNENROLLED:
        note("  ", "PROBLEM", P3)
    if m["key"] == LAPSED:
        note("  ", "PROBLEM", P5)
    if m["status"] is None:
        note("  ", "OMITTED", P8b)
    pairs = [("id", m["id"]), ("name", m["name"]),
             ("org", "null" if m["org"] is None else ORG[m["org"]]["id"])]
    if m["status"] is not None:
        pairs.append(("status", m["status"]))
    pairs += [("birth_date", m["born"]), ("admitted_on", m["admitted"]),
              ("full_on", "null" if m["status"] == "probationary" else add_year(m["admitted"])),
              ("probation_extended", "false"),
              ("department", "null" if m["dept"] is None else m["dept"]),
              ("training_hours", flow(training(m, idx).items()))]
    if m["status"] is not None:   # the omitted member's dues ledger was not supplied either
        pairs.append(("dues_paid", "[" + ", ".join(dues(m)) + "]"))
    pairs += admission_records(m)
    if m["key"] == NEAR_CONVERSION:
        note("  ", "PROBLEM", P9)
    pairs += development_of(m)
    w("  - " + flow(pairs))
w("")
w("# people in the admission process who are not yet members (docs/facts-devt.md)")
w("applicants:")
for aid, name, org_key, born, dev, problem in APPLICANTS:
    note("  ", "PROBLEM", problem)
    w("  - " + flow([("id", aid), ("name", name), ("org", ORG[org_key]["id"]), ("birth_date", born),
                     ("development", flow(dev))]))
w("")
w("meetings:")
for mt in meetings:
    pairs = [("id", mt["id"]), ("org", mt["org"]), ("kind", mt["kind"]), ("date", mt["date"].isoformat())]
    if mt["kind"] == "party_lecture":
        pairs.append(("lecturer", ID[mt["lecturer"]]))
    pairs.append(("attendees", ids(mt["attendees"])))
    if mt["kind"] == "general_meeting":
        pairs.append(("voting", "true"))   # votes were taken: the quorum of voting members applies
    line = "  - " + flow(pairs)
    if mt["comment"]:
        line += f"   # {mt['comment']}"
    w(line)
w("")
w("activities:")
for a in activities:
    pairs = [("kind", a["kind"]), ("date", a["date"].isoformat())]
    if "org" in a:
        pairs += [("org", a["org"]), ("member", a["member"])]
    pairs.append(("note", a["note"]))
    w("  - " + flow(pairs))

sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8"))
