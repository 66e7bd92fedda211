"""Record types of the data contract as pydantic models (stage 2: validate).

Field names are the contract's; each field also accepts its Chinese label (CSV/XLSX headers), and
each enum accepts its Chinese label (`公务卡` for `official_card`). Money is integer fen, dates are
dates. The `ENUMS`, `LABELS` and `DATE_FIELD` tables are the single source for loaders, templates
and the fact builder.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from checker.data.values import parse_bool, parse_date, parse_datetime, parse_fen

ENUMS: dict[str, dict[str, str]] = {
    "level": {"central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级",
              "township": "乡级"},
    "org_kind": {"party_group": "党组", "party_committee": "党委", "general_branch": "党总支",
                 "branch": "党支部"},
    "rank": {"minister": "正部", "vice_minister": "副部", "bureau": "正厅局", "vice_bureau": "副厅局",
             "division": "正处", "vice_division": "副处", "section": "正科", "vice_section": "副科",
             "staff": "科员及以下"},
    "role": {"secretary": "书记", "deputy": "分管领导", "discipline": "纪委书记"},
    "vehicle_kind": {"confidential_courier": "机要通信", "emergency": "应急保障", "enforcement": "执法执勤",
                     "special": "特种专业技术", "other": "其他"},
    "meeting_kind": {
        "party_group_meeting": "党组会议", "integrity_special_study": "专题研究党建暨党风廉政建设",
        "theory_group_study": "理论学习中心组学习", "monthly_study": "每月一学",
        "branch_general_meeting": "支部党员大会", "branch_committee": "支部委员会", "party_group_small": "党小组会",
        "party_lecture": "党课", "theme_party_day": "主题党日", "organisational_life": "组织生活会",
        "democratic_life": "民主生活会", "member_appraisal": "民主评议党员",
        "key_task_hearing": "听取重点工作汇报", "warning_education": "警示教育", "integrity_lecture": "廉政教育课",
        "comprehensive_work_meeting": "综合性工作会议", "relay_meeting": "传达会议", "other": "其他会议"},
    "report_kind": {"half_year_work": "半年工作报告", "annual_main_responsibility": "主体责任年度报告",
                    "personal_matters": "个人有关事项", "major_matter": "重大事项请示报告",
                    "rectification_progress": "整改进展"},
    "venue": {"canteen": "内部食堂", "hotel": "宾馆", "restaurant": "餐厅", "private_club": "私人会所",
              "entertainment": "娱乐场所"},
    "payment": {"official_card": "公务卡", "transfer": "转账", "cash": "现金"},
    "mode": {"air": "飞机", "hsr": "高铁动车", "train": "火车", "ship": "轮船", "other": "其他"},
    "seat_class": {"first": "头等舱", "business": "公务舱", "economy": "经济舱", "hsr_business": "商务座",
                   "hsr_first": "一等座", "hsr_second": "二等座", "soft_sleeper": "软卧", "soft_seat": "软座",
                   "hard_sleeper": "硬卧", "hard_seat": "硬座", "ship_first": "一等舱",
                   "ship_second": "二等舱", "ship_third": "三等舱", "other": "其他"},
    "lecturer_title": {"associate": "副高级", "full": "正高级", "academician": "院士"},
    "purpose": {"official": "公务", "private": "私用", "commute": "上下班"},
    "fuel_type": {"petrol": "汽油", "diesel": "柴油", "electric": "电"},
    "gift_kind": {"gift": "礼品", "cash": "礼金", "securities": "有价证券", "voucher": "购物卡",
                  "red_packet": "红包", "specialty": "土特产"},
    "event_kind": {"wedding": "婚", "funeral": "丧", "birthday": "寿", "other": "其他", "birth": "生育满月",
                   "graduation": "升学", "housewarming": "乔迁", "opening": "落成开业", "promotion": "调动升迁"},
    "action_kind": {"promotion": "提拔", "appointment": "任命", "hire": "招录", "transfer_in": "调入"},
    "disposal_kind": {"transfer": "划转", "sale": "出售", "write_off": "核销", "lend": "出借"},
    "secrecy_level": {"secret": "秘密", "confidential": "机密", "top_secret": "绝密"},
    "channel": {"secure": "保密渠道", "internet": "互联网", "email": "电子邮件", "instant_messaging": "即时通信",
                "removable_media": "移动介质", "post": "普通邮寄"},
    "task_kind": {"inspection_rectification": "巡察整改", "three_cases": "三个以案", "democratic_life": "民主生活会整改",
                  "audit": "审计整改", "work_plan": "工作任务"},
    # --- added for the cross-record patterns (issue 17); a key shared with another enum has its label
    "invoice_category": {"catering": "餐饮", "lodging": "住宿", "gift": "礼品", "shopping_card": "购物卡",
                         "tobacco_liquor": "烟酒", "specialty": "土特产", "fuel": "加油", "repair": "维修",
                         "toll": "通行费", "parking": "停车费", "ticket": "门票", "transport": "交通费",
                         "office": "办公用品", "other": "其他"},
    "merchant_kind": {"restaurant": "餐厅", "hotel": "宾馆", "canteen": "内部食堂", "farmhouse": "农家乐",
                      "private_club": "私人会所", "entertainment": "娱乐场所", "department_store": "商场超市",
                      "liquor_shop": "烟酒商行", "specialty_shop": "土特产店", "gas_station": "加油站",
                      "repair_shop": "汽修厂", "scenic_spot": "旅游景区", "travel_agency": "旅行社", "other": "其他"},
    "body": {"sedan": "轿车", "small_bus": "其他小型客车", "medium_bus": "中型客车", "large_bus": "大型客车",
             "suv": "越野车", "truck": "货车", "special_purpose": "专用作业车"},
    "room_type": {"standard": "标准间", "single": "单间", "suite": "普通套间", "deluxe_suite": "豪华套间"},
    "toll_kind": {"toll": "通行费", "etc": "ETC通行", "parking": "停车费"},
    "maintenance_kind": {"repair": "维修", "service": "保养", "tyre": "轮胎", "parts": "配件", "wash": "洗车美容",
                         "other": "其他"},
    "host_kind": {"client": "管理服务对象", "subordinate_unit": "下属单位", "enterprise": "企业", "individual": "个人",
                  "other": "其他"},
    "hosted_kind": {"banquet": "宴请", "tourism": "旅游", "fitness": "健身", "entertainment": "娱乐场所",
                    "other": "其他"},
    "allowance_kind": {"festival_condolence": "节日慰问", "subsidy": "津贴补贴", "bonus": "奖金", "welfare": "福利",
                       "traffic_subsidy": "交通补贴", "other": "其他"},
}


def _enum_normaliser(values: dict[str, str]):
    by_label = {label: key for key, label in values.items()}

    def normalise(raw: Any) -> Any:
        if isinstance(raw, str):
            text = raw.strip()
            return by_label.get(text, text.lower() if text.lower() in values else text)
        return raw

    return normalise


def _enum(name: str):
    values = ENUMS[name]
    return Annotated[Literal[tuple(values)], BeforeValidator(_enum_normaliser(values))]  # type: ignore[valid-type]


def _blank_to_none(raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return raw


def _as_list(raw: Any) -> Any:
    raw = _blank_to_none(raw)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
                if part.strip()]
    return raw


Date = Annotated[dt.date, BeforeValidator(parse_date)]
OptDate = Annotated[dt.date | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None else parse_date(v))]
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


def _datetime(raw: Any) -> dt.datetime:
    """The contract's own form (`2020-06-12 19:30`) read in C; every other form, and every error,
    by `parse_datetime` (a vehicle use has two date-times: they were its slowest fields)."""
    if isinstance(raw, str) and _ISO_DATETIME.fullmatch(raw):
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            pass
    return parse_datetime(raw)


DateTime = Annotated[dt.datetime, BeforeValidator(_datetime)]
OptDateTime = Annotated[dt.datetime | None,
                        BeforeValidator(lambda v: None if _blank_to_none(v) is None else _datetime(v))]
# ge=0 inside: checked by pydantic-core (outside, it would be one more Python call per amount)
Fen = Annotated[Annotated[int, Field(ge=0)], BeforeValidator(parse_fen)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
OptStr = Annotated[str | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None else str(v).strip())]
Str = Annotated[str, BeforeValidator(lambda v: str(v).strip() if isinstance(v, int | float) else v)]
Count = Annotated[int, Field(ge=0)]
Month = Annotated[Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")] | None,
                  BeforeValidator(lambda v: None if _blank_to_none(v) is None else str(v).strip())]
StrList = Annotated[list[str], BeforeValidator(_as_list)]


def f(label: str, default: Any = ..., **kw: Any) -> Any:
    """A contract field that also accepts its Chinese label as input name."""
    return Field(default, validation_alias=AliasChoices(kw.pop("name"), label), description=label, **kw)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    id: Str = Field(validation_alias=AliasChoices("id", "编号"), description="编号", min_length=1)


class Activity(Record):
    unit: Str = Field(validation_alias=AliasChoices("unit", "单位"), description="单位")


# --- registry -------------------------------------------------------------------------------------

class Unit(Record):
    name: Str = f("名称", name="name")
    parent: OptStr = f("上级单位", None, name="parent")
    level: _enum("level") = f("层级", "municipal", name="level")
    org_kind: _enum("org_kind") = f("党组织类型", "branch", name="org_kind")
    region: OptStr = f("所在城市", None, name="region")
    staffing_quota: Count | None = f("编制数", None, name="staffing_quota")
    leadership_quota: Count | None = f("领导职数", None, name="leadership_quota")
    vehicle_quota: Count | None = f("车辆编制", None, name="vehicle_quota")
    reform_start: OptDate = f("机构改革开始", None, name="reform_start")
    reform_end: OptDate = f("机构改革结束", None, name="reform_end")


class Person(Record):
    name: Str = f("姓名", name="name")
    unit: Str = f("单位", name="unit")
    rank: _enum("rank") = f("职级", "staff", name="rank")
    post: OptStr = f("职务", None, name="post")
    party_member: Bool = f("党员", True, name="party_member")
    roles: Annotated[list[_enum("role")], BeforeValidator(_as_list)] = f("角色", [], name="roles")
    supervises: StrList = f("分管单位", [], name="supervises")


class Vehicle(Record):
    unit: Str = f("单位", name="unit")
    plate: Str = f("车牌", name="plate")
    kind: _enum("vehicle_kind") = f("车辆类型", "other", name="kind")
    price: Fen | None = f("价格", None, name="price")
    displacement_l: float | None = f("排气量", None, name="displacement_l", ge=0)
    new_energy: Bool = f("新能源", False, name="new_energy")
    tank_l: float | None = f("油箱容积", None, name="tank_l", ge=0)
    registered_to: OptStr = f("登记单位", None, name="registered_to")
    fixed_to: OptStr = f("固定使用人", None, name="fixed_to")
    fuel: _enum("fuel_type") | None = f("燃料", None, name="fuel")
    body: _enum("body") | None = f("车身类型", None, name="body")


# --- activities -----------------------------------------------------------------------------------

class Meeting(Activity):
    date: Date = f("日期", name="date")
    kind: _enum("meeting_kind") = f("会议类型", name="kind")
    topic: OptStr = f("议题", None, name="topic")
    expected: Count | None = f("应到人数", None, name="expected")
    present: Count | None = f("实到人数", None, name="present")
    chair: OptStr = f("主持人", None, name="chair")
    relays: OptStr = f("传达", None, name="relays")
    tasks: Count = f("部署任务数", 0, name="tasks")
    decides: StrList = f("决定事项", [], name="decides")


class Report(Activity):
    to: OptStr = f("报送单位", None, name="to")
    kind: _enum("report_kind") = f("报告类型", name="kind")
    period: Str = f("所属期间", name="period", pattern=r"^\d{4}(H[12]|Q[1-4]|-\d{2})?$")
    submitted: Date = f("报送日期", name="submitted")
    person: OptStr = f("报告人", None, name="person")


class Reception(Activity):
    date: Date = f("日期", name="date")
    guest_unit: Str = f("来宾单位", name="guest_unit")
    guests: Count = f("接待对象人数", name="guests")
    escorts: Count = f("陪餐人数", 0, name="escorts")
    meals: Count = f("用餐次数", 0, name="meals")
    cost: Fen = f("费用", 0, name="cost")
    official_letter: OptStr = f("公函", None, name="official_letter")
    reception_list: Bool = f("接待清单", False, name="reception_list")
    alcohol: Bool = f("饮酒", False, name="alcohol")
    cigarettes: Bool = f("香烟", False, name="cigarettes")
    premium_dishes: Bool = f("高档菜肴", False, name="premium_dishes")
    venue: _enum("venue") = f("场所", "canteen", name="venue")
    payment: _enum("payment") = f("支付方式", "official_card", name="payment")
    same_city: Bool = f("同城", False, name="same_city")
    gifts: Bool = f("赠送礼品", False, name="gifts")
    sightseeing: Bool = f("参观游览", False, name="sightseeing")
    meal_cost: Fen | None = f("餐费", None, name="meal_cost")
    lodging_cost: Fen | None = f("住宿费", None, name="lodging_cost")
    other_cost: Fen | None = f("其他费用", None, name="other_cost")
    room_type: _enum("room_type") | None = f("住宿房型", None, name="room_type")
    guest_rank: _enum("rank") | None = f("接待对象最高职级", None, name="guest_rank")


class Travel(Activity):
    person: Str = f("出差人", name="person")
    depart: Date = f("出发日期", name="depart")
    return_: Date = Field(validation_alias=AliasChoices("return", "返回日期", "return_"), description="返回日期")
    destination: Str = f("目的地", name="destination")
    mode: _enum("mode") = f("交通工具", name="mode")
    seat_class: _enum("seat_class") = f("座位等级", name="seat_class")
    hotel_per_night: Fen = f("住宿费每晚", 0, name="hotel_per_night")
    nights: Count = f("住宿天数", 0, name="nights")
    meal_allowance: Fen = f("伙食补助", 0, name="meal_allowance")
    local_transport_allowance: Fen = f("市内交通费", 0, name="local_transport_allowance")
    approved: Bool = f("已审批", True, name="approved")
    purpose: OptStr = f("事由", None, name="purpose")
    scenic_spot: Bool = f("景区", False, name="scenic_spot")
    hotel_city: OptStr = f("住宿城市", None, name="hotel_city")
    vehicle: OptStr = f("公务用车", None, name="vehicle")


class Conference(Activity):
    start: Date = f("开始日期", name="start")
    end: Date = f("结束日期", name="end")
    category: int = f("会议类别", name="category", ge=1, le=4)
    briefing: Bool = f("传达布置类", False, name="briefing")
    attendees: Count = f("参会人数", name="attendees")
    staff: Count = f("工作人员", 0, name="staff")
    cost: Fen = f("费用", name="cost")
    city: OptStr = f("城市", None, name="city")
    scenic_area: Bool = f("风景名胜区", False, name="scenic_area")
    banquet: Bool = f("宴请", False, name="banquet")
    souvenirs: Bool = f("纪念品", False, name="souvenirs")
    tourism: Bool = f("旅游", False, name="tourism")


class Training(Activity):
    start: Date = f("开始日期", name="start")
    end: Date = f("结束日期", name="end")
    category: int = f("培训类别", name="category", ge=1, le=3)
    participants: Count = f("参训人数", name="participants")
    staff: Count = f("工作人员", 0, name="staff")
    cost: Fen = f("费用", name="cost")
    location: OptStr = f("地点", None, name="location")
    lecture_hours: float = f("授课学时", 0, name="lecture_hours", ge=0)
    lecture_fee: Fen = f("讲课费", 0, name="lecture_fee")
    lecturer_title: _enum("lecturer_title") | None = f("讲师职称", None, name="lecturer_title")
    tourism: Bool = f("旅游", False, name="tourism")
    hotel_city: OptStr = f("住宿城市", None, name="hotel_city")


class VehicleUse(Activity):
    vehicle: Str = f("车辆", name="vehicle")
    date: Date = f("日期", name="date")
    person: OptStr = f("用车人", None, name="person")
    purpose: _enum("purpose") = f("用途", "official", name="purpose")
    approved: Bool = f("已审批", True, name="approved")
    on_duty: Bool = f("值班应急", False, name="on_duty")
    km: float = f("里程", 0, name="km", ge=0)
    start: OptDateTime = f("出车时间", None, name="start")
    end: OptDateTime = f("收车时间", None, name="end")
    destination: OptStr = f("目的地", None, name="destination")


class Fuel(Activity):
    vehicle: Str = f("车辆", name="vehicle")
    time: DateTime = f("加油时间", name="time")
    litres: float = f("升数", name="litres", ge=0)
    amount: Fen = f("金额", name="amount")
    fuel_type: _enum("fuel_type") = f("油品", "petrol", name="fuel_type")
    plate: OptStr = f("加油车牌", None, name="plate")
    station: OptStr = f("加油站", None, name="station")
    city: OptStr = f("加油城市", None, name="city")


class Gift(Activity):
    person: Str = f("收受人", name="person")
    date: Date = f("日期", name="date")
    giver: Str = f("赠送人", name="giver")
    giver_is_client: Bool = f("管理服务对象", False, name="giver_is_client")
    kind: _enum("gift_kind") = f("类别", name="kind")
    value: Fen = f("价值", name="value")
    handed_in: OptDate = f("上交日期", None, name="handed_in")
    giver_is_subordinate: Bool = f("下属", False, name="giver_is_subordinate")


class Allowance(Activity):
    date: Date = f("日期", name="date")
    item: Str = f("项目", name="item")
    amount: Fen = f("金额", name="amount")
    recipients: Count = f("人数", 0, name="recipients")
    basis: OptStr = f("依据", None, name="basis")
    kind: _enum("allowance_kind") | None = f("津补贴类别", None, name="kind")
    for_month: Month = f("所属月份", None, name="for_month")


class FamilyEvent(Activity):
    person: Str = f("当事人", name="person")
    date: Date = f("日期", name="date")
    kind: _enum("event_kind") = f("类别", name="kind")
    tables: Count = f("桌数", 0, name="tables")
    guests: Count = f("人数", 0, name="guests")
    reported: OptDate = f("报告日期", None, name="reported")
    clients_invited: Bool = f("邀请管理服务对象", False, name="clients_invited")
    public_vehicles: Bool = f("动用公车", False, name="public_vehicles")


class Office(Activity):
    person: Str = f("使用人", name="person")
    area_m2: float = f("使用面积", name="area_m2", ge=0)
    bathroom_m2: float = f("卫生间面积", 0, name="bathroom_m2", ge=0)
    as_of: Date = f("核查日期", name="as_of")


class PersonnelAction(Activity):
    person: Str = f("人员", name="person")
    date: Date = f("日期", name="date")
    kind: _enum("action_kind") = f("类别", name="kind")
    to_rank: _enum("rank") | None = f("拟任职级", None, name="to_rank")
    publicity_start: OptDate = f("公示开始", None, name="publicity_start")
    publicity_end: OptDate = f("公示结束", None, name="publicity_end")
    superior_approval: Bool = f("上级批准", False, name="superior_approval")


class Staffing(Activity):
    date: Date = f("日期", name="date")
    headcount: Count = f("实有人数", name="headcount")
    leadership_posts: Count = f("实有领导职数", 0, name="leadership_posts")
    internal_bodies: Count = f("内设机构数", 0, name="internal_bodies")
    approved_internal_bodies: Count | None = f("核定内设机构数", None, name="approved_internal_bodies")


class Expense(Activity):
    date: Date = f("日期", name="date")
    amount: Fen = f("金额", name="amount")
    category: OptStr = f("类别", None, name="category")
    purpose: OptStr = f("用途", None, name="purpose")
    payee: OptStr = f("收款方", None, name="payee")
    decision: OptStr = f("决策会议", None, name="decision")
    invoice_category: _enum("invoice_category") | None = f("发票类别", None, name="invoice_category")
    merchant: OptStr = f("商户", None, name="merchant")
    merchant_kind: _enum("merchant_kind") | None = f("商户类型", None, name="merchant_kind")
    payment: _enum("payment") | None = f("支付方式", None, name="payment")
    item: OptStr = f("品名", None, name="item")
    brand: OptStr = f("品牌", None, name="brand")
    quantity: float | None = f("数量", None, name="quantity", ge=0)
    unit_price: Fen | None = f("单价", None, name="unit_price")
    # the activity a line is charged to (ids of another record type: not checked as references)
    reception: OptStr = f("关联接待", None, name="reception")
    conference: OptStr = f("关联会议", None, name="conference")
    training: OptStr = f("关联培训", None, name="training")
    travel: OptStr = f("关联差旅", None, name="travel")


class AssetDisposal(Activity):
    date: Date = f("日期", name="date")
    asset: Str = f("资产", name="asset")
    value: Fen = f("价值", name="value")
    kind: _enum("disposal_kind") = f("方式", name="kind")
    to_party: OptStr = f("接收方", None, name="to_party")
    approved: Bool = f("已批准", False, name="approved")


class ClassifiedDoc(Activity):
    date: Date = f("日期", name="date")
    level: _enum("secrecy_level") = f("密级", name="level")
    channel: _enum("channel") = f("传递渠道", name="channel")
    registered: Bool = f("已登记", False, name="registered")


class Document(Activity):
    date: Date = f("日期", name="date")
    title: Str = f("标题", name="title")
    forwards: OptStr = f("转发", None, name="forwards")
    measures: Count = f("新增措施数", 0, name="measures")
    chars: Count = f("字数", 0, name="chars")


class Task(Activity):
    kind: _enum("task_kind") = f("类别", name="kind")
    issue: Str = f("问题", name="issue")
    found: Date = f("发现日期", name="found")
    deadline: Date = f("整改期限", name="deadline")
    completed: OptDate = f("完成日期", None, name="completed")
    owner: OptStr = f("责任人", None, name="owner")


class Case(Activity):
    person: Str = f("当事人", name="person")
    opened: Date = f("立案日期", name="opened")
    category: OptStr = f("类别", None, name="category")
    accountability_review: OptDate = f("一案双查日期", None, name="accountability_review")


# --- ledgers added for the cross-record patterns (issue 17) ---------------------------------------

class CarAllowance(Activity):
    """公务交通补贴 (车补) paid to one person for one month."""
    person: Str = f("领取人", name="person")
    date: Date = f("发放日期", name="date")
    for_month: Month = f("所属月份", None, name="for_month")
    amount: Fen = f("金额", name="amount")
    item: OptStr = f("项目", "公务交通补贴", name="item")


class Maintenance(Activity):
    """A repair or service bill for a vehicle, as the garage's invoice names it (by plate)."""
    plate: Str = f("车牌", name="plate")
    vehicle: OptStr = f("车辆", None, name="vehicle")
    time: DateTime = f("维修时间", name="time")
    kind: _enum("maintenance_kind") = f("类别", "repair", name="kind")
    shop: OptStr = f("维修单位", None, name="shop")
    city: OptStr = f("所在城市", None, name="city")
    amount: Fen = f("金额", name="amount")
    payment: _enum("payment") | None = f("支付方式", None, name="payment")


class Toll(Activity):
    """A toll, ETC or parking charge, as the ETC statement or receipt gives it."""
    plate: Str = f("车牌", name="plate")
    vehicle: OptStr = f("车辆", None, name="vehicle")
    time: DateTime = f("通行时间", name="time")
    kind: _enum("toll_kind") = f("类别", "toll", name="kind")
    place: OptStr = f("收费站或停车场", None, name="place")
    city: OptStr = f("所在城市", None, name="city")
    amount: Fen = f("金额", name="amount")


class Hosted(Activity):
    """A banquet, trip or entertainment a person accepted from someone else (接受宴请、旅游)."""
    person: Str = f("当事人", name="person")
    date: Date = f("日期", name="date")
    host: Str = f("邀请方", name="host")
    host_kind: _enum("host_kind") = f("邀请方类型", "other", name="host_kind")
    kind: _enum("hosted_kind") = f("类别", "banquet", name="kind")
    value: Fen | None = f("价值", None, name="value")
    place: OptStr = f("地点", None, name="place")
    paid_own_share: Bool = f("个人已付费", False, name="paid_own_share")


REGISTRY_TYPES: dict[str, type[Record]] = {"unit": Unit, "person": Person, "vehicle": Vehicle}
ACTIVITY_TYPES: dict[str, type[Record]] = {
    "meeting": Meeting, "report": Report, "reception": Reception, "travel": Travel,
    "conference": Conference, "training": Training, "vehicle_use": VehicleUse, "fuel": Fuel,
    "gift": Gift, "allowance": Allowance, "family_event": FamilyEvent, "office": Office,
    "personnel_action": PersonnelAction, "staffing": Staffing, "expense": Expense,
    "asset_disposal": AssetDisposal, "classified_doc": ClassifiedDoc, "document": Document,
    "task": Task, "case": Case,
    "car_allowance": CarAllowance, "maintenance": Maintenance, "toll": Toll, "hosted": Hosted,
}
RECORD_TYPES: dict[str, type[Record]] = {**REGISTRY_TYPES, **ACTIVITY_TYPES}

TYPE_LABELS: dict[str, str] = {
    "unit": "单位", "person": "人员", "vehicle": "公务用车", "meeting": "会议活动", "report": "报告",
    "reception": "公务接待", "travel": "差旅", "conference": "会议费", "training": "培训", "vehicle_use": "用车",
    "fuel": "加油", "gift": "礼品礼金", "allowance": "津补贴发放", "family_event": "婚丧喜庆", "office": "办公用房",
    "personnel_action": "人事", "staffing": "编制实有", "expense": "支出", "asset_disposal": "资产处置",
    "classified_doc": "涉密文件", "document": "发文", "task": "整改/工作任务", "case": "违纪案件",
    "car_allowance": "车补发放", "maintenance": "车辆维修保养", "toll": "通行停车费", "hosted": "接受宴请旅游",
}
TYPE_BY_LABEL = {label: name for name, label in TYPE_LABELS.items()} | {"整改工作任务": "task"}

# The date that places an activity in a period and decides which rule edition applies to it.
DATE_FIELD: dict[str, str] = {
    "meeting": "date", "report": "submitted", "reception": "date", "travel": "depart",
    "conference": "start", "training": "start", "vehicle_use": "date", "fuel": "time", "gift": "date",
    "allowance": "date", "family_event": "date", "office": "as_of", "personnel_action": "date",
    "staffing": "date", "expense": "date", "asset_disposal": "date", "classified_doc": "date",
    "document": "date", "task": "deadline", "case": "opened",
    "car_allowance": "date", "maintenance": "time", "toll": "time", "hosted": "date",
}

# References checked by validation: (type, field) -> referenced type.
REFERENCES: dict[tuple[str, str], str] = {
    ("unit", "parent"): "unit", ("person", "unit"): "unit", ("vehicle", "unit"): "unit",
    **{(name, "unit"): "unit" for name in ACTIVITY_TYPES},
    ("travel", "person"): "person", ("gift", "person"): "person", ("family_event", "person"): "person",
    ("office", "person"): "person", ("personnel_action", "person"): "person", ("case", "person"): "person",
    ("vehicle_use", "vehicle"): "vehicle", ("fuel", "vehicle"): "vehicle", ("meeting", "chair"): "person",
    ("task", "owner"): "person", ("report", "person"): "person", ("vehicle_use", "person"): "person",
    ("travel", "vehicle"): "vehicle", ("car_allowance", "person"): "person", ("maintenance", "vehicle"): "vehicle",
    ("toll", "vehicle"): "vehicle", ("hosted", "person"): "person",
}


def _is_money(annotation: Any) -> bool:
    if parse_fen in (getattr(m, "func", None) for m in getattr(annotation, "__metadata__", ())):
        return True
    return any(_is_money(arg) for arg in get_args(annotation))


def money_fields() -> frozenset[str]:
    """Names of the fields held in fen (written in 元): the converters write them back in 元."""
    return frozenset(name for model in RECORD_TYPES.values() for name, info in model.model_fields.items()
                     if _is_money(info.annotation) or parse_fen in (getattr(m, "func", None) for m in info.metadata))


def field_labels(record_type: str) -> dict[str, str]:
    """Contract field name -> Chinese label, in declaration order."""
    model = RECORD_TYPES[record_type]
    labels = {}
    for name, info in model.model_fields.items():
        key = "return" if name == "return_" else name
        labels[key] = info.description or key
    return labels


def enum_values(annotation: Any) -> tuple[str, ...]:
    for arg in get_args(annotation):
        found = enum_values(arg)
        if found:
            return found
    if getattr(annotation, "__origin__", None) is Literal:
        return get_args(annotation)
    return ()
