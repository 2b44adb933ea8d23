"""The admission-process section of the human reports (table, HTML): who is in the process, each step with
its date, bound, article and state; left out when nobody is in it or the development rules were not applied."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import partyrules
from partyrules.report.render import render_html, render_table
from partyrules.report.timeline_section import timeline_section

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"


def court() -> dict:
    return yaml.safe_load(COURT.read_text(encoding="utf-8"))


def section_text(table: str) -> str:
    start = table.index("发展党员工作进度")
    return table[start:table.index("本次未能核查的事项", start)]


def test_the_section_lists_the_applicants_and_probationary_members_step_by_step():
    report = partyrules.check(str(COURT))
    section = timeline_section(report, "zh")
    assert section.heading == "发展党员工作进度（正在发展的8人）"
    people = {p.name: p for p in section.people}
    assert people["韩雪"].kind == "入党申请人" and people["韩雪"].org == "执行局党支部"
    assert people["林晓婷"].kind == "预备党员"
    assert "何丽娟" not in people             # converted long ago: her process is over
    a02 = {r.step: r for r in people["彭宇"].rows}
    assessment = a02["每半年考察"]
    assert (assessment.date, assessment.bound, assessment.state, assessment.level) == \
        ("—", "不迟于 2023-11-22", "已逾期", "bad")
    assert assessment.citation == "《中国共产党发展党员工作细则》（2014年）第十一条"
    assert assessment.article == "第十一条"
    assert section.basis == "各项期限的依据：《中国共产党发展党员工作细则》（2014年）"
    probation = {r.step: r for r in people["林晓婷"].rows}
    conversion = probation["支部大会讨论转正"]
    assert conversion.state == "待办（还有200天）" and conversion.level == "due"
    assert conversion.bound == "不迟于 2025-01-16" and conversion.citation.endswith("第三十二条")
    assert probation["提出转正申请"].date == "未记录"


def test_the_table_shows_each_step_with_its_bound_and_article():
    text = section_text(render_table(partyrules.check(str(COURT))))
    assert "【彭宇（入党申请人，民事审判第一庭党支部）】" in text
    assert "各项期限的依据：《中国共产党发展党员工作细则》（2014年）" in text      # the instrument, said once
    assert re.search(r"  每半年考察 +— +已逾期\n +期限：不迟于 2023-11-22 · 第十一条\n", text)
    assert re.search(r"  列为发展对象 +2023-03-20 +提前（未满期限）\n +期限：不早于 2023-04-20 · 第十三条\n", text)
    from partyrules.report.render import width
    assert max(width(line) for line in text.splitlines()) <= 80


def test_the_html_section_in_both_languages():
    report = partyrules.check(str(COURT))
    html = render_html(report)
    assert '<section class="timeline">' in html and "发展党员工作进度（正在发展的8人）" in html
    assert '<td class="state bad">已逾期</td>' in html
    assert '<p class="basis-note">各项期限的依据：《中国共产党发展党员工作细则》（2014年）</p>' in html
    assert '<td class="state bad">已逾期</td><td class="basis">第十一条</td>' in html
    en = render_html(report, lang="en")
    assert "Admission process (8 people in it)" in en
    assert '<td class="state bad">overdue</td><td class="basis">Article 11</td>' in en
    assert "periodic assessment" in en or "half-yearly assessment" in en


def test_names_are_escaped_in_the_section():
    data = court()
    data["applicants"][0]["name"] = "<b>韩\u202e雪</b>"
    html = render_html(partyrules.check(data))
    assert "<b>韩" not in html and "&lt;b&gt;韩\\u202e雪&lt;/b&gt;" in html


def test_no_section_when_nobody_is_in_the_process():
    data = court()
    data.pop("applicants")
    for m in data["members"]:
        if m.get("status") == "probationary":
            m.pop("development", None)
    report = partyrules.check(data)
    assert timeline_section(report) is None
    assert "发展党员工作进度" not in render_table(report)
    assert 'class="timeline"' not in render_html(report)


def test_no_section_when_the_development_rules_were_not_applied():
    report = partyrules.check(str(COURT), select=["organs.*"])
    assert timeline_section(report) is None
    assert "发展党员工作进度" not in render_table(report)
