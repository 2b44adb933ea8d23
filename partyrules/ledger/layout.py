"""The ledger's sheets and columns, defined once and used by the template, export and import.

A ledger (台账) is an Excel workbook in the party-affairs office's own terms: one sheet
per kind of record, Chinese headers in row 1, the fact field each column holds in a
small row 2 (so IT can map it), data from row 3 on. The unit sheet (单位) is a form
(one field per row) instead of a table. Dues (党费) and training (培训) are grids: one
row per member, one column per month or year.

How a cell maps to the contract's three states (``omitted`` / ``null`` / a value):

* a blank cell is an omitted field: unknown;
* ``无`` is a known none: ``null`` for a single value, ``[]`` for a list;
* a list kept on another sheet (a branch's 换届 rows, a member's 党费 row …) is
  governed by a marker column on its owner's row: ``无`` = none (``[]``), ``有`` = the
  rows on that sheet, blank = the rows if there are any, otherwise not recorded.
"""

from __future__ import annotations

import attrs

NONE_WORD = "无"       # a known none: null, or an empty list
SOME_WORD = "有"       # a list marker: the rows on the other sheet
YES, NO = "是", "否"
SEPARATORS = "、,，;；\n\t "   # between the ids of a list written in one cell
FIRST_DATA_ROW = 3
REMARK = "备注"          # a column (or sheet-name prefix) that import ignores

DUES_BRACKETS = (("up_to_3000", "3000元以下"), ("up_to_5000", "3000至5000元"), ("up_to_10000", "5000至10000元"),
                 ("over_10000", "10000元以上"), ("retired_up_to_5000", "离退休5000元以下"),
                 ("retired_over_5000", "离退休5000元以上"))
APPROVERS = (("committee", "机关党委"), ("work_committee", "机关工委"), ("general_branch", "党总支"),
             ("party_group", "党组"), ("branch", "党支部"))
ORG_KINDS = (("committee", "机关党委"), ("general_branch", "党总支"), ("branch", "党支部"))
LEVELS = (("central", "中央"), ("provincial", "省级"), ("prefecture", "地市级"), ("county", "县级"))
STATUSES = (("full", "正式党员"), ("probationary", "预备党员"))
MEETING_KINDS = (("general_meeting", "党员大会"), ("committee_meeting", "支委会"), ("group_meeting", "党小组会"),
                 ("party_lecture", "党课"), ("theme_day", "主题党日"), ("org_life_meeting", "组织生活会"),
                 ("democratic_review", "民主评议党员"))
# Built-in activity kinds; custom packs may use kinds of their own, written as they are.
ACTIVITY_KINDS = (("secretary_report", "书记述职"), ("party_group_report", "党组通报党建工作"),
                  ("all_member_briefing", "全体党员干部大会通报"), ("party_group_study", "党组专题研究党建"))


@attrs.frozen
class Column:
    """One column of a table sheet (or one row of the 单位 form).

    ``kind`` is how the cell is read and written: ``id``, ``text``, ``date``, ``count``,
    ``hours``, ``bool``, ``enum``, ``open_enum`` (labels or any other word), ``member``,
    ``org``, ``dept`` (an id of that list), ``members``, ``depts`` (several ids in one
    cell), ``years`` (several years in one cell), ``marker`` (a list kept on another sheet).
    """

    header: str
    field: str
    kind: str
    note: str = ""
    required: bool = False
    nullable: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    width: int = 14
    child: str = ""        # for a marker: the sheet that holds the list


@attrs.frozen
class Table:
    """A sheet of records: ``path`` is the list in the fact document it holds.

    A child table (``owner`` set) holds a list inside each record of its owner's
    sheet, e.g. 换届 holds ``organizations[i].elections`` keyed by the organization id.
    """

    name: str
    path: tuple[str, ...]
    columns: tuple[Column, ...]
    note: str
    owner: Column | None = None
    owner_sheet: str = ""


@attrs.frozen
class Grid:
    """A sheet with one row per member and one column per period (month or year)."""

    name: str
    field: str             # the member field: dues_paid or training_hours
    period: str            # "month" or "year"
    note: str
    cell_note: str
    what: str              # the fact in words: what a missing one asks the clerk to fill in


def _member(header: str, field: str, note: str = "", nullable: bool = True, width: int = 12) -> Column:
    return Column(header, field, "member", note, nullable=nullable, width=width)


def _date(header: str, field: str, note: str = "", nullable: bool = True, required: bool = False) -> Column:
    return Column(header, field, "date", note, nullable=nullable, required=required, width=13)


UNIT_SHEET = "单位"
UNIT_ROWS = (
    Column("台账截至日期", "as_of", "date", "本台账反映的是这一天的情况；也是默认的检查日期。"),
    Column("记录完整起始日期", "records_from", "date",
           "从这一天起，会议、党费、培训和其他活动记录是完整的（没有记录就是没有发生）；填“无”表示都不完整。",
           nullable=True),
    Column("单位编号", "unit.id", "id", "本单位的编号（如 court-qinghe）。单位信息都不填时可不填。"),
    Column("单位名称", "unit.name", "text"),
    Column("行政级别", "unit.level", "enum", "中央、省级、地市级或县级。", choices=LEVELS),
    Column("干警总数", "unit.staff_total", "count", "全院干警人数（不论是否党员）。"),
    Column("专职党务干部人数", "unit.party_affairs_staff", "count"),
    Column("院领导中的党员", "unit.leaders", "members", "院领导班子成员中党员的党员编号，用顿号分隔；“无”表示没有。"),
    Column("党组织工作经费列入预算", "unit.party_funding_in_budget", "bool"),
    Column("内设部门", "unit.departments", "marker", child="内设部门"),
    Column("党组织", "organizations", "marker", child="党组织"),
    Column("党员", "members", "marker", child="党员"),
    Column("会议记录", "meetings", "marker", child="会议及出席"),
    Column("其他活动记录", "activities", "marker", child="其他活动"),
    Column("入党申请人", "applicants", "marker", child="入党申请人"),
)

DEPARTMENTS = Table("内设部门", ("unit", "departments"), (
    Column("部门编号", "id", "id", "如 d-civil1；党组织表、党员表用它指部门。", required=True),
    Column("部门名称", "name", "text", width=20),
    _member("部门主要负责人", "head", "负责人的党员编号；负责人不是党员或空缺时填“无”。"),
    Column("人数", "staff", "count"),
), "本院内设部门（庭、室、局）。")

ORGANIZATIONS = Table("党组织", ("organizations",), (
    Column("组织编号", "id", "id", "如 o-civil1；其他表用它指党组织。", required=True),
    Column("组织名称", "name", "text", width=24),
    Column("组织类别", "kind", "enum", "机关党委、党总支或党支部。", required=True, choices=ORG_KINDS),
    Column("上级党组织", "parent", "org", "上级党组织的组织编号；最高一级填“无”。", nullable=True),
    Column("所建部门", "departments", "depts", "建在哪些部门上（部门编号，顿号分隔）。", width=18),
    Column("经上级批准设立", "approved_by_superior", "bool"),
    _member("书记", "secretary", "书记的党员编号；没有书记填“无”。"),
    Column("副书记", "deputy_secretaries", "members", "党员编号，顿号分隔；没有填“无”。"),
    Column("委员", "committee_members", "members", "全体委员（含书记、副书记）的党员编号；未设委员会填“无”。", width=24),
    _member("纪检委员", "discipline_member", "党总支、党支部的纪检委员；没有填“无”。"),
    Column("设立机关纪委", "discipline_commission", "bool", "机关党委是否设立了机关纪委。"),
    _member("机关纪委书记", "discipline_commission_secretary"),
    _date("成立日期", "established_on", nullable=False),
    _date("延期换届批准至", "postponement_approved_until", "上级批准推迟换届的期限；未经批准填“无”。"),
    Column("换届记录", "elections", "marker", "历次换届记在“换届”表；没有换届记录填“无”。", child="换届"),
    Column("书记变动记录", "secretary_changes", "marker", "任期内更换书记、副书记记在“书记变动”表；没有变动填“无”。",
           child="书记变动"),
    Column("到任记录", "officers_took_office", "marker", "现任委员到任（含补选）的日期记在“到任”表。", child="到任"),
), "本院的机关党委、党总支、党支部，每个组织一行。")

MEMBERS = Table("党员", ("members",), (
    Column("党员编号", "id", "id", "如 m001；其他表用它指党员。", required=True, width=10),
    Column("姓名", "name", "text", width=10),
    Column("所在党组织", "org", "org", "组织关系所在党组织的组织编号；未编入任何组织填“无”。", nullable=True),
    Column("党员类别", "status", "enum", "正式党员或预备党员。", choices=STATUSES),
    _date("出生日期", "birth_date", nullable=False),
    _date("接收为预备党员日期", "admitted_on", "支部大会接收为预备党员的日期。", nullable=False),
    _date("转正日期", "full_on", "尚未转正填“无”。"),
    Column("延长预备期", "probation_extended", "bool"),
    Column("所在部门", "department", "dept", "部门编号；不属于任何部门填“无”。", nullable=True),
    _date("递交入党申请日期", "applied_on", nullable=False),
    Column("参加书记集中轮训年份", "secretary_training_years", "years",
           "参加县级以上党组织举办的党支部书记集中轮训的年份，顿号分隔（如 2022、2023）；没有参加填“无”。", width=16),
    Column("入党介绍人", "introducers", "marker", "介绍人记在“入党介绍人”表。", child="入党介绍人"),
    _date("上级批准入党日期", "admission_approved_on", "未经批准填“无”。"),
    _date("审批前谈话日期", "pre_approval_talk_on"),
    _date("党组研究入党日期", "admission_reviewed_by_party_group_on"),
    _date("转正支部大会日期", "conversion_meeting_on"),
    _date("上级批准转正日期", "conversion_approved_on"),
    _date("党组研究转正日期", "conversion_reviewed_by_party_group_on"),
    Column("党费记录", "dues_paid", "marker", "按月交纳情况记在“党费”表；一个月也没有交填“无”。", child="党费"),
    Column("培训记录", "training_hours", "marker", "每年培训学时记在“培训”表。", child="培训"),
    Column("发展过程", "development", "marker", "入党的发展过程记在“发展党员”表（一人一行）；“有”或留空：按该表。",
           child="发展党员"),
    Column("党费基数", "dues_base", "hours", "计算党费的月工资收入基数（元）。"),
    Column("党费档次", "dues_bracket", "enum", "交纳党费的档次。", choices=DUES_BRACKETS, width=16),
    Column("党费交纳明细", "dues_payments", "marker", "每月交纳金额和日期记在“党费交纳明细”表；没有填“无”。",
           child="党费交纳明细"),
    Column("党费减免", "dues_reductions", "marker", "减免党费记在“党费减免”表；没有填“无”。", child="党费减免"),
), "本院全体党员，每人一行。")

INTRODUCERS = Table("入党介绍人", ("members", "introducers"), (
    _member("介绍人党员编号", "member", "介绍人是本院党员时填其党员编号。", nullable=False, width=14),
    Column("介绍人姓名（院外）", "name", "text", "介绍人不是本院党员时填姓名。", width=16),
    Column("介绍时是否正式党员", "full_member", "bool", "院外介绍人介绍时是否为正式党员。"),
), "每位党员的入党介绍人，一位介绍人一行。",
    owner=Column("党员编号", "id", "member", "被介绍党员的党员编号。", required=True, width=10), owner_sheet="党员")

MEETINGS = Table("会议及出席", ("meetings",), (
    Column("会议编号", "id", "id", "可不填。", width=10),
    Column("党组织", "org", "org", "召开会议的党组织的组织编号。", required=True),
    Column("会议类型", "kind", "enum", "党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议党员。",
           required=True, choices=MEETING_KINDS),
    _date("会议日期", "date", nullable=False, required=True),
    Column("出席党员", "attendees", "members", "出席党员的党员编号，顿号分隔；未记录出席情况的留空，无人出席填“无”。",
           width=40),
    _member("授课人", "lecturer", "党课的授课人；没有填“无”。"),
    Column("进行表决", "voting", "bool", "会上是否进行了表决（适用到会人数要求）。"),
), "党组织召开的各类会议及出席情况，一次会议一行。")

GRIDS = (
    Grid("党费", "dues_paid", "month", "每位党员一行，每月一列（列标题为 YYYY-MM）；已交纳的月份填“✓”。",
         "已交纳填“✓”（或“√”“是”“已交”），未交纳留空。", "党费交纳记录"),
    Grid("培训", "training_hours", "year", "每位党员一行，每年一列（列标题为年份）；填当年完成的培训学时。",
         "当年完成的培训学时（数字）；未记录留空。", "每年培训学时"),
)
DUES_MARKS = ("✓", "√", "是", "已交")

ELECTIONS = Table("换届", ("organizations", "elections"), (
    _date("换届选举日期", "date", nullable=False, required=True),
    _date("书记获上级批准日期", "secretary_approved_on", "上级党组织批准当选书记的日期；未获批准填“无”。"),
    Column("提前或推迟换届经批准", "shift_approved", "bool"),
    _date("党组研究决定日期", "party_group_decided_on"),
    _date("机关工委批准日期", "work_committee_approved_on"),
), "各党组织历次换届选举，一次换届一行。",
    owner=Column("组织编号", "id", "org", "换届的党组织。", required=True), owner_sheet="党组织")

SECRETARY_CHANGES = Table("书记变动", ("organizations", "secretary_changes"), (
    _date("变动日期", "date", nullable=False, required=True),
    _date("上级同意日期", "consent_on", "上级党组织同意的日期；未经同意填“无”。"),
), "任期内更换书记、副书记，一次一行。",
    owner=Column("组织编号", "id", "org", "变动的党组织。", required=True), owner_sheet="党组织")

OFFICERS_TOOK_OFFICE = Table("到任", ("organizations", "officers_took_office"), (
    _member("党员编号", "member", "到任委员的党员编号。", nullable=False),
    _date("到任日期", "date", "换届选举或补选产生、到任的日期。", nullable=False, required=True),
), "现任委员到任的日期（换届或补选），一人一行。",
    owner=Column("组织编号", "id", "org", "委员所在的党组织。", required=True), owner_sheet="党组织")

ACTIVITIES = Table("其他活动", ("activities",), (
    Column("活动类型", "kind", "open_enum", "书记述职、党组通报党建工作、全体党员干部大会通报、党组专题研究党建，或自定的类型。",
           required=True, choices=ACTIVITY_KINDS, width=22),
    _date("日期", "date", nullable=False, required=True),
    Column("党组织", "org", "org", "相关党组织的组织编号（如述职的书记所在组织）。", nullable=True),
    _member("党员", "member"),
    Column("说明", "note", "text", nullable=True, width=36),
), "书记述职等其他有日期的工作，一项一行。")

# Admission process (发展党员) and dues details (docs/facts.md, extensions). A development record belongs to a
# member or to an applicant (入党申请人, not yet a member): its sheets are keyed by the person's id, which is
# a 党员编号 or an 申请人编号 (the two never share an id).
_PERSON = Column("党员或申请人编号", "id", "id", "党员表的党员编号或入党申请人表的申请人编号。", required=True, width=12)
PERSON_FIELD = "members[].id|applicants[].id"

APPLICANTS = Table("入党申请人", ("applicants",), (
    Column("申请人编号", "id", "id", "如 a01；不得与党员编号相同。", required=True, width=10),
    Column("姓名", "name", "text", width=10),
    Column("所在党组织", "org", "org", "培养所在党组织的组织编号；未确定填“无”。", nullable=True),
    _date("出生日期", "birth_date", nullable=False),
    Column("发展过程", "development", "marker", "发展过程记在“发展党员”表（一人一行）。", child="发展党员"),
), "递交了入党申请、还不是党员的人（入党积极分子、发展对象），每人一行。")

DEVELOPMENT = Table("发展党员", ("members|applicants", "development"), (
    _date("递交入党申请日期", "applied_on", nullable=False),
    _date("谈话日期", "application_talk_on", "收到入党申请后派人谈话的日期。"),
    _date("确定入党积极分子日期", "activist_on"),
    _date("积极分子报上级备案日期", "activist_filed_on"),
    Column("培养联系人", "contacts", "marker", "培养联系人记在“培养联系人”表；没有填“无”。", child="培养联系人"),
    Column("培养考察日期", "assessments", "dates", "每半年一次考察的日期，顿号分隔；没有填“无”。", width=24),
    _date("确定发展对象日期", "object_on"),
    _date("发展对象报上级备案日期", "object_filed_on"),
    _date("政治审查日期", "political_review_on"),
    Column("集中培训天数", "training_days", "hours"),
    Column("集中培训学时", "training_hours", "hours"),
    _date("上级预审日期", "pre_review_on"),
    Column("接收大会应到人数", "meeting_due", "count"),
    Column("接收大会实到人数", "meeting_present", "count"),
    Column("接收大会赞成人数", "meeting_ayes", "count"),
    Column("审批组织", "approver", "enum", "审批入党的党组织类别。", choices=APPROVERS),
    Column("特殊审批", "approval_special", "bool"),
    _date("入党宣誓日期", "oath_on"),
    _date("提出转正申请日期", "conversion_applied_on"),
    Column("转正大会应到人数", "conversion_due", "count"),
    Column("转正大会实到人数", "conversion_present", "count"),
    Column("转正大会赞成人数", "conversion_ayes", "count"),
    Column("延长预备期记录", "extensions", "marker", "延长预备期记在“延长预备期”表；没有延长填“无”。", child="延长预备期"),
), "党员和入党申请人的发展过程，一人一行。", owner=_PERSON, owner_sheet="党员或入党申请人")

CONTACTS = Table("培养联系人", ("members|applicants", "development", "contacts"), INTRODUCERS.columns,
                 "入党积极分子的培养联系人，一位一行。", owner=_PERSON, owner_sheet="党员或入党申请人")

EXTENSIONS = Table("延长预备期", ("members|applicants", "development", "extensions"), (
    _date("支部大会决定日期", "decided_on", nullable=False, required=True),
    Column("延长月数", "months", "count"),
), "延长预备期，一次一行。", owner=_PERSON, owner_sheet="党员或入党申请人")

DUES_PAYMENTS = Table("党费交纳明细", ("members", "dues_payments"), (
    Column("月份", "month", "month", "所交党费的月份 YYYY-MM。", required=True, width=10),
    Column("金额（元）", "amount", "hours"),
    _date("交纳日期", "paid_on", "未交填“无”。"),
), "每位党员每月交纳的党费金额和日期，一月一行。",
    owner=Column("党员编号", "id", "member", "交纳党费的党员。", required=True, width=10), owner_sheet="党员")

DUES_REDUCTIONS = Table("党费减免", ("members", "dues_reductions"), (
    Column("起始月份", "since", "month", "从哪个月起减免 YYYY-MM。", required=True, width=10),
    _date("支部决定日期", "decided_on"),
    _date("上级批准日期", "approved_on", "未经批准填“无”。"),
), "减少或免交党费，一次一行。",
    owner=Column("党员编号", "id", "member", "减免党费的党员。", required=True, width=10), owner_sheet="党员")

TABLES = (DEPARTMENTS, ORGANIZATIONS, MEMBERS, INTRODUCERS, MEETINGS, ELECTIONS, SECRETARY_CHANGES,
          OFFICERS_TOOK_OFFICE, ACTIVITIES, APPLICANTS, DEVELOPMENT, CONTACTS, EXTENSIONS, DUES_PAYMENTS,
          DUES_REDUCTIONS)
GUIDE_SHEET = "说明"
SHEET_ORDER = (GUIDE_SHEET, UNIT_SHEET, "内设部门", "党组织", "党员", "入党介绍人", "会议及出席", "党费", "培训",
               "换届", "书记变动", "到任", "其他活动", "入党申请人", "发展党员", "培养联系人", "延长预备期",
               "党费交纳明细", "党费减免")


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def grid(name: str) -> Grid:
    return next(g for g in GRIDS if g.name == name)


def label_of(choices: tuple[tuple[str, str], ...], code: str) -> str:
    return next((label for c, label in choices if c == code), code)
