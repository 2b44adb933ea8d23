"""Fact paths in words, for the people who read the human reports.

The JSON names a missing fact by its path (``members[25].dues_paid``); a
party-affairs office reads "萧红的党费交纳记录". :func:`describe` turns a path into
words (whose record, which fact), :func:`field_words` names a field without a
subject, and :func:`how_to_record` says where in the fact document (or the
ledger it is filled from) a court starts recording a field it does not keep.
A field without words here is shown by its key, never dropped.
"""

from __future__ import annotations

import re
from typing import Any

from ..facts.model import OMITTED, FactDocument
from ..facts.recorded import field_pattern

# field pattern → (zh, en)
FIELDS: dict[str, tuple[str, str]] = {
    "as_of": ("事实文件的截止日期", "the document's date"),
    "records_from": ("完整记录的起始日期", "the date complete records start"),
    "unit": ("单位基本情况", "the unit's particulars"),
    "organizations": ("党组织名册", "the list of Party organizations"),
    "members": ("党员名册", "the list of members"),
    "meetings": ("会议记录", "the meeting records"),
    "activities": ("活动记录", "the activity records"),
    "unit.name": ("单位名称", "the unit's name"),
    "unit.level": ("单位层级", "the unit's level"),
    "unit.staff_total": ("工作人员总数", "the total staff"),
    "unit.party_affairs_staff": ("专职党务干部人数", "the number of full-time party-affairs staff"),
    "unit.departments": ("内设部门名册", "the list of departments"),
    "unit.leaders": ("领导班子成员名单", "the list of the unit's leaders"),
    "unit.party_funding_in_budget": ("党建工作经费是否列入预算", "whether Party work is funded in the budget"),
    "unit.departments[].name": ("部门名称", "the department's name"),
    "unit.departments[].head": ("部门主要负责人", "the head of the department"),
    "unit.departments[].staff": ("部门人数", "the department's staff"),
    "organizations[].name": ("党组织名称", "the organization's name"),
    "organizations[].parent": ("上级党组织", "the higher organization"),
    "organizations[].departments": ("所依托的部门", "the departments it is built on"),
    "organizations[].approved_by_superior": ("成立是否经上级党组织批准", "whether its setting up was approved"),
    "organizations[].secretary": ("书记", "the secretary"),
    "organizations[].deputy_secretaries": ("副书记", "the deputy secretaries"),
    "organizations[].committee_members": ("委员名单", "the committee members"),
    "organizations[].discipline_member": ("纪检委员", "the discipline member"),
    "organizations[].discipline_commission": ("是否设立纪委", "whether a discipline commission is set up"),
    "organizations[].elections": ("换届选举记录", "the election records"),
    "organizations[].established_on": ("成立日期", "the date it was set up"),
    "organizations[].postponement_approved_until": ("上级批准延期换届的期限", "the approved postponement of the election"),
    "organizations[].discipline_commission_secretary": ("机关纪委书记", "the secretary of the discipline commission"),
    "organizations[].secretary_changes": ("任期内书记、副书记调整记录", "the changes of secretary during the term"),
    # not a field: facts-v1 keeps only the current committee, so an earlier one is never recorded
    "organizations[].committee_members (earlier term)": ("换届或补选前的委员名单（事实文件只记录现任委员）", "the committee before a re-election or by-election (the facts record only the current one)"),
    "organizations[].officers_took_office": ("书记、副书记、委员各自的任职日期（含补选）", "the date each officer took office (by-elections included)"),
    "organizations[].secretary_changes[].consent_on": ("书记调整获上级同意的日期", "the date the higher organization consented to a change of secretary"),
    "organizations[].elections[].date": ("换届选举日期", "the election date"),
    "organizations[].elections[].secretary_approved_on": ("当选书记获上级党组织批准的日期", "the date the elected secretary was approved"),
    "organizations[].elections[].shift_approved": ("提前或延期换届是否经批准", "whether an early or late election was approved"),
    "organizations[].elections[].party_group_decided_on": ("党组研究决定换届事项的日期", "the date the Party group decided the re-election"),
    "organizations[].elections[].work_committee_approved_on": ("机关工委批复换届的日期", "the date the work committee approved the re-election"),
    "members[].name": ("姓名", "the name"),
    "members[].org": ("所在党组织", "the organization the member belongs to"),
    "members[].status": ("正式或预备党员身份", "full or probationary standing"),
    "members[].birth_date": ("出生日期", "the date of birth"),
    "members[].admitted_on": ("入党日期", "the date of admission"),
    "members[].full_on": ("转正日期", "the date of becoming a full member"),
    "members[].probation_extended": ("预备期是否延长", "whether the probation was extended"),
    "members[].department": ("所在部门", "the department"),
    "members[].dues_paid": ("党费交纳记录", "the dues payment records"),
    "members[].training_hours": ("教育培训学时", "the training hours"),
    "members[].applied_on": ("递交入党申请的日期", "the date of the application for membership"),
    "members[].secretary_training_years": ("书记参加县级以上集中轮训的年份", "the years the secretary attended county-level rotation training"),
    "members[].introducers": ("入党介绍人", "the introducers"),
    "members[].admission_approved_on": ("上级党组织批准入党的日期", "the date the admission was approved"),
    "members[].pre_approval_talk_on": ("上级党组织派人谈话的日期", "the date of the talk before approval"),
    "members[].admission_reviewed_by_party_group_on": ("党组研究入党事项的日期", "the date the Party group reviewed the admission"),
    "members[].conversion_meeting_on": ("支部大会讨论转正的日期", "the date the branch meeting decided the conversion"),
    "members[].conversion_approved_on": ("上级党组织批准转正的日期", "the date the conversion was approved"),
    "members[].conversion_reviewed_by_party_group_on": ("党组研究转正事项的日期", "the date the Party group reviewed the conversion"),
    # the admission process and dues (docs/facts-devt.md)
    "applicants": ("入党申请人名册", "the list of applicants"),
    "members[].development": ("发展党员工作记录", "the record of the admission process"),
    "members[].dues_base": ("党费交纳基数", "the dues base"),
    "members[].dues_bracket": ("党费交纳档次", "the dues bracket"),
    "members[].dues_payments": ("党费交纳明细（金额、日期）", "the dues payments (amounts and days)"),
    "members[].dues_reductions": ("减免党费记录", "the dues reductions"),
    "members[].development.applied_on": ("入党申请日期", "the date of the application"),
    "members[].development.application_talk_on": ("收到入党申请后谈话的日期", "the date of the talk after the application"),
    "members[].development.activist_on": ("确定为入党积极分子的日期", "the date the person became an activist"),
    "members[].development.activist_filed_on": ("入党积极分子报上级党委备案的日期", "the date the activist decision was filed"),
    "members[].development.contacts": ("培养联系人", "the cultivation contacts"),
    "members[].development.assessments": ("入党积极分子考察记录", "the activist's assessments"),
    "members[].development.object_on": ("列为发展对象的日期", "the date the person became a development object"),
    "members[].development.object_filed_on": ("发展对象报上级党委备案的日期", "the date the development object was filed"),
    "members[].development.political_review_on": ("政治审查结论的日期", "the date of the political review's conclusion"),
    "members[].development.training_days": ("集中培训天数", "the days of centralised training"),
    "members[].development.training_hours": ("集中培训学时", "the class hours of centralised training"),
    "members[].development.pre_review_on": ("上级党委预审的日期", "the date of the pre-review"),
    "members[].development.meeting_due": ("接收预备党员支部大会应到会有表决权人数", "the voting members due at the admission meeting"),
    "members[].development.meeting_present": ("接收预备党员支部大会实到人数", "the voting members present at the admission meeting"),
    "members[].development.meeting_ayes": ("接收预备党员支部大会赞成人数", "the ayes at the admission meeting"),
    "members[].development.approver": ("审批入党的党组织类别", "the kind of organization that approved the admission"),
    "members[].development.approval_special": ("是否特殊情况延长审批", "whether the approval was a special case"),
    "members[].development.oath_on": ("入党宣誓日期", "the date of the oath"),
    "members[].development.conversion_applied_on": ("转正申请日期", "the date of the conversion application"),
    "members[].development.conversion_due": ("讨论转正支部大会应到会有表决权人数", "the voting members due at the conversion meeting"),
    "members[].development.conversion_present": ("讨论转正支部大会实到人数", "the voting members present at the conversion meeting"),
    "members[].development.conversion_ayes": ("讨论转正支部大会赞成人数", "the ayes at the conversion meeting"),
    "members[].development.extensions": ("延长预备期记录", "the extensions of the probation"),
    "meetings[].org": ("会议所属党组织", "the organization that held the meeting"),
    "meetings[].attendees": ("出席名单", "the attendance list"),
    "meetings[].lecturer": ("讲课人", "the lecturer"),
    "meetings[].voting": ("会议是否进行表决", "whether a vote was taken"),
    "activities[].org": ("活动所属党组织", "the organization of the activity"),
    "activities[].member": ("活动涉及的党员", "the member of the activity"),
}

# an applicant's record (applicants[]) has the same admission-process fields as a member's
FIELDS.update({"applicants[]" + k[len("members[]"):]: v for k, v in list(FIELDS.items())
               if k.startswith("members[].development")})
FIELDS.update({"applicants[].birth_date": ("出生日期", "the date of birth"),
               "applicants[].org": ("所在党组织", "the organization")})

# record kind (the pattern before the field) → where a court keeps it, in the office's terms (zh, en)
RECORDS: dict[str, tuple[str, str]] = {
    "": ("事实文件", "the fact document"),
    "unit": ("单位基本情况", "the unit's particulars"),
    "unit.departments[]": ("每个内设部门", "each department"),
    "organizations[]": ("每个党组织", "each organization"),
    "organizations[].elections[]": ("每次换届选举", "each election"),
    "organizations[].secretary_changes[]": ("每次书记调整", "each change of secretary"),
    "members[]": ("每名党员", "each member"),
    "members[].development": ("每名党员的发展党员工作记录", "each member's admission process"),
    "applicants[]": ("每名入党申请人", "each applicant"),
    "applicants[].development": ("每名入党申请人的发展党员工作记录", "each applicant's admission process"),
    "meetings[]": ("每次会议", "each meeting"),
    "activities[]": ("每项活动", "each activity"),
}

MEETING_KINDS: dict[str, tuple[str, str]] = {
    "general_meeting": ("党员大会", "general meeting"),
    "committee_meeting": ("支委会", "committee meeting"),
    "group_meeting": ("党小组会", "group meeting"),
    "party_lecture": ("党课", "party lecture"),
    "theme_day": ("主题党日", "theme day"),
    "org_life_meeting": ("组织生活会", "organisational life meeting"),
    "democratic_review": ("民主评议党员", "democratic review"),
}

_LANG = {"zh": 0, "en": 1}
_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def field_words(pattern: str, lang: str) -> str:
    """A field pattern (``members[].dues_paid``) in words; its key when there are none."""
    words = FIELDS.get(pattern)
    return words[_LANG[lang]] if words else pattern.rsplit(".", 1)[-1]


def how_to_record(pattern: str, lang: str) -> str:
    """Where to start recording a field the court does not keep."""
    record, _, key = pattern.rpartition(".")
    where = RECORDS.get(record, (record, record))[_LANG[lang]]
    what = field_words(pattern, lang)
    if lang == "zh":
        if not record:
            return f"在{where}中填写“{what}”（字段 {pattern}）。"
        return f"在{where}的记录中填写“{what}”（字段 {pattern}）。"
    if not record:
        return f"Give {what} in the fact document (field {pattern})."
    return f"Record {what} for {where} (field {pattern})."


def describe(path: str, facts: FactDocument | None, lang: str) -> str:
    """A missing fact in words, naming whose record it is: ``members[25].dues_paid`` → 萧红的党费交纳记录."""
    pattern = field_pattern(path)
    what = field_words(pattern, lang)
    owner = _owner(path, facts, lang) if facts is not None else None
    if not owner:
        return what
    return f"{owner}的{what}" if lang == "zh" else f"{what} of {owner}"


def _owner(path: str, facts: FactDocument, lang: str) -> str | None:
    """Whose record a path points into, by name (the record before the last field), or None."""
    steps = path.split(".")[:-1]
    if not steps:
        return None
    record: Any = facts
    owner: str | None = None
    for step in steps:
        m = _STEP.fullmatch(step)
        if m is None or record is OMITTED:
            return owner
        value = getattr(record, m.group(1), OMITTED)
        if m.group(2) is None:
            record = value
            if m.group(1) == "unit" and value is not OMITTED:
                owner = _name(value)
            continue
        i = int(m.group(2))
        if value is OMITTED or i >= len(value):
            return owner
        record = value[i]
        owner = _record_words(m.group(1), record, owner, facts, lang)
    return owner


def _record_words(kind: str, record: Any, parent: str | None, facts: FactDocument, lang: str) -> str:
    if kind == "elections":
        date = record.date.isoformat()
        return f"{parent}{date}换届选举" if lang == "zh" else f"the {date} election of {parent}"
    if kind == "secretary_changes":
        date = record.date.isoformat()
        return f"{parent}{date}书记调整" if lang == "zh" else f"the {date} change of secretary of {parent}"
    if kind == "meetings":
        org = _org_name(facts, record.org)
        what = MEETING_KINDS.get(record.kind, (record.kind, record.kind))[_LANG[lang]]
        date = record.date.isoformat()
        return f"{org}{date}{what}" if lang == "zh" else f"the {what} of {org} on {date}"
    if kind == "activities":
        return f"{record.date.isoformat()}{record.kind}" if lang == "zh" else f"the {record.kind} on {record.date}"
    return _name(record)


def _org_name(facts: FactDocument, org_id: str) -> str:
    if facts.organizations is not OMITTED:
        for o in facts.organizations:
            if o.id == org_id:
                return _name(o)
    return org_id


def _name(record: Any) -> str:
    name = getattr(record, "name", OMITTED)
    return name if name is not OMITTED and name else getattr(record, "id", "")
