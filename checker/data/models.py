"""Record types of the data contract as pydantic models (stage 2: validate).

Field names are the contract's; each field also accepts its Chinese label (CSV/XLSX headers), and
each enum accepts its Chinese label (`公务卡` for `official_card`). Money is integer fen, dates are
dates. The `ENUMS`, `LABELS` and `DATE_FIELD` tables are the single source for loaders, templates
and the fact builder. The registries' models (unit, person, vehicle) are in `registry_models`, the
patterns' ledgers in `ledger_models`; every record type is listed here.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, get_args

from pydantic import AliasChoices, Field

from checker.data.fields import (
    Bool,
    Count,
    Date,
    DateTime,
    Fen,
    Id,
    IdList,
    Measure,
    Month,
    OptDate,
    OptDateTime,
    OptId,
    OptStr,
    Str,
    f,
)
from checker.data.ledger_models import CarAllowance, Hosted, Maintenance, Toll
from checker.data.record_base import ENUMS, Activity, Record, enum_field  # noqa: F401 (ENUMS, Record: read from here)
from checker.data.registry_models import Person, Unit, Vehicle
from checker.data.values import parse_fen

# --- activities -----------------------------------------------------------------------------------

class Meeting(Activity):
    date: Date = f("日期", name="date")
    kind: enum_field("meeting_kind") = f("会议类型", name="kind")
    topic: OptStr = f("议题", None, name="topic")
    expected: Count | None = f("应到人数", None, name="expected")
    present: Count | None = f("实到人数", None, name="present")
    chair: OptId = f("主持人", None, name="chair")
    relays: OptId = f("传达", None, name="relays")
    tasks: Count = f("部署任务数", 0, name="tasks")
    decides: IdList = f("决定事项", [], name="decides")


class Report(Activity):
    to: OptId = f("报送单位", None, name="to")
    kind: enum_field("report_kind") = f("报告类型", name="kind")
    period: Str = f("所属期间", name="period", pattern=r"^\d{4}(H[12]|Q[1-4]|-\d{2})?$")
    submitted: Date = f("报送日期", name="submitted")
    person: OptId = f("报告人", None, name="person")


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
    venue: enum_field("venue") = f("场所", "canteen", name="venue")
    payment: enum_field("payment") = f("支付方式", "official_card", name="payment")
    same_city: Bool = f("同城", False, name="same_city")
    gifts: Bool = f("赠送礼品", False, name="gifts")
    sightseeing: Bool = f("参观游览", False, name="sightseeing")
    meal_cost: Fen | None = f("餐费", None, name="meal_cost")
    lodging_cost: Fen | None = f("住宿费", None, name="lodging_cost")
    other_cost: Fen | None = f("其他费用", None, name="other_cost")
    room_type: enum_field("room_type") | None = f("住宿房型", None, name="room_type")
    guest_rank: enum_field("rank") | None = f("接待对象最高职级", None, name="guest_rank")


class Travel(Activity):
    person: Id = f("出差人", name="person")
    depart: Date = f("出发日期", name="depart")
    return_: Date = Field(validation_alias=AliasChoices("return", "返回日期", "return_"), description="返回日期")
    destination: Str = f("目的地", name="destination")
    mode: enum_field("mode") = f("交通工具", name="mode")
    seat_class: enum_field("seat_class") = f("座位等级", name="seat_class")
    hotel_per_night: Fen = f("住宿费每晚", 0, name="hotel_per_night")
    nights: Count = f("住宿天数", 0, name="nights")
    meal_allowance: Fen = f("伙食补助", 0, name="meal_allowance")
    local_transport_allowance: Fen = f("市内交通费", 0, name="local_transport_allowance")
    approved: Bool = f("已审批", True, name="approved")
    purpose: OptStr = f("事由", None, name="purpose")
    scenic_spot: Bool = f("景区", False, name="scenic_spot")
    hotel_city: OptStr = f("住宿城市", None, name="hotel_city")
    vehicle: OptId = f("公务用车", None, name="vehicle")


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
    lecture_hours: Measure = f("授课学时", 0, name="lecture_hours")
    lecture_fee: Fen = f("讲课费", 0, name="lecture_fee")
    # 师资费 in all (lecture fees and the lecturers' travel, board and lodging), part of `cost` and
    # outside the quota (培训办法 第九条); when empty, lecture_fee is taken for it
    faculty_cost: Fen | None = f("师资费", None, name="faculty_cost")
    lecturer_title: enum_field("lecturer_title") | None = f("讲师职称", None, name="lecturer_title")
    tourism: Bool = f("旅游", False, name="tourism")
    hotel_city: OptStr = f("住宿城市", None, name="hotel_city")


class VehicleUse(Activity):
    vehicle: Id = f("车辆", name="vehicle")
    date: Date = f("日期", name="date")
    person: OptId = f("用车人", None, name="person")
    purpose: enum_field("purpose") = f("用途", "official", name="purpose")
    approved: Bool = f("已审批", True, name="approved")
    on_duty: Bool | None = f("值班应急", None, name="on_duty")  # empty: not known (see the `duty` roster)
    km: Measure = f("里程", 0, name="km")
    start: OptDateTime = f("出车时间", None, name="start")
    end: OptDateTime = f("收车时间", None, name="end")
    destination: OptStr = f("目的地", None, name="destination")


class Duty(Activity):
    """One vehicle on the duty or emergency roster for one day (节假日值班、应急车辆安排): a holiday
    use or refuel is judged against the roster of its day."""
    vehicle: Str = f("车辆", name="vehicle")
    date: Date = f("日期", name="date")


class Fuel(Activity):
    vehicle: Id = f("车辆", name="vehicle")
    time: DateTime = f("加油时间", name="time")
    litres: Measure = f("升数", name="litres")
    amount: Fen = f("金额", name="amount")
    fuel_type: enum_field("fuel_type") = f("油品", "petrol", name="fuel_type")
    plate: OptStr = f("加油车牌", None, name="plate")
    station: OptStr = f("加油站", None, name="station")
    city: OptStr = f("加油城市", None, name="city")


class Gift(Activity):
    person: Id = f("收受人", name="person")
    date: Date = f("日期", name="date")
    giver: Str = f("赠送人", name="giver")
    giver_is_client: Bool = f("管理服务对象", False, name="giver_is_client")
    kind: enum_field("gift_kind") = f("类别", name="kind")
    value: Fen = f("价值", name="value")
    handed_in: OptDate = f("上交日期", None, name="handed_in")
    giver_is_subordinate: Bool = f("下属", False, name="giver_is_subordinate")


class Allowance(Activity):
    date: Date = f("日期", name="date")
    item: Str = f("项目", name="item")
    amount: Fen = f("金额", name="amount")
    recipients: Count = f("人数", 0, name="recipients")
    basis: OptStr = f("依据", None, name="basis")
    kind: enum_field("allowance_kind") | None = f("津补贴类别", None, name="kind")
    for_month: Month = f("所属月份", None, name="for_month")


class FamilyEvent(Activity):
    person: Id = f("当事人", name="person")
    date: Date = f("日期", name="date")
    kind: enum_field("event_kind") = f("类别", name="kind")
    tables: Count = f("桌数", 0, name="tables")
    guests: Count = f("人数", 0, name="guests")
    reported: OptDate = f("报告日期", None, name="reported")
    clients_invited: Bool = f("邀请管理服务对象", False, name="clients_invited")
    public_vehicles: Bool = f("动用公车", False, name="public_vehicles")


class Office(Activity):
    person: Id = f("使用人", name="person")
    area_m2: Measure = f("使用面积", name="area_m2")
    bathroom_m2: Measure = f("卫生间面积", 0, name="bathroom_m2")
    as_of: Date = f("核查日期", name="as_of")


class PersonnelAction(Activity):
    person: Id = f("人员", name="person")
    date: Date = f("日期", name="date")
    kind: enum_field("action_kind") = f("类别", name="kind")
    to_rank: enum_field("rank") | None = f("拟任职级", None, name="to_rank")
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
    decision: OptId = f("决策会议", None, name="decision")
    invoice_category: enum_field("invoice_category") | None = f("发票类别", None, name="invoice_category")
    merchant: OptStr = f("商户", None, name="merchant")
    merchant_kind: enum_field("merchant_kind") | None = f("商户类型", None, name="merchant_kind")
    payment: enum_field("payment") | None = f("支付方式", None, name="payment")
    item: OptStr = f("品名", None, name="item")
    brand: OptStr = f("品牌", None, name="brand")
    quantity: Measure | None = f("数量", None, name="quantity")
    unit_price: Fen | None = f("单价", None, name="unit_price")
    # the activity a line is charged to (ids of another record type: not checked as references)
    reception: OptId = f("关联接待", None, name="reception")
    conference: OptId = f("关联会议", None, name="conference")
    training: OptId = f("关联培训", None, name="training")
    travel: OptId = f("关联差旅", None, name="travel")


class AssetDisposal(Activity):
    date: Date = f("日期", name="date")
    asset: Str = f("资产", name="asset")
    value: Fen = f("价值", name="value")
    kind: enum_field("disposal_kind") = f("方式", name="kind")
    to_party: OptStr = f("接收方", None, name="to_party")
    approved: Bool = f("已批准", False, name="approved")


class ClassifiedDoc(Activity):
    date: Date = f("日期", name="date")
    level: enum_field("secrecy_level") = f("密级", name="level")
    channel: enum_field("channel") = f("传递渠道", name="channel")
    registered: Bool = f("已登记", False, name="registered")


class Document(Activity):
    date: Date = f("日期", name="date")
    title: Str = f("标题", name="title")
    forwards: OptId = f("转发", None, name="forwards")
    measures: Count = f("新增措施数", 0, name="measures")
    chars: Count = f("字数", 0, name="chars")


class Task(Activity):
    kind: enum_field("task_kind") = f("类别", name="kind")
    issue: Str = f("问题", name="issue")
    found: Date = f("发现日期", name="found")
    deadline: Date = f("整改期限", name="deadline")
    completed: OptDate = f("完成日期", None, name="completed")
    owner: OptId = f("责任人", None, name="owner")


class Case(Activity):
    person: Id = f("当事人", name="person")
    opened: Date = f("立案日期", name="opened")
    category: OptStr = f("类别", None, name="category")
    accountability_review: OptDate = f("一案双查日期", None, name="accountability_review")


REGISTRY_TYPES: dict[str, type[Record]] = {"unit": Unit, "person": Person, "vehicle": Vehicle}
ACTIVITY_TYPES: dict[str, type[Record]] = {
    "meeting": Meeting, "report": Report, "reception": Reception, "travel": Travel,
    "conference": Conference, "training": Training, "vehicle_use": VehicleUse, "duty": Duty, "fuel": Fuel,
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
    "duty": "公车值班",
    "fuel": "加油", "gift": "礼品礼金", "allowance": "津补贴发放", "family_event": "婚丧喜庆", "office": "办公用房",
    "personnel_action": "人事", "staffing": "编制实有", "expense": "支出", "asset_disposal": "资产处置",
    "classified_doc": "涉密文件", "document": "发文", "task": "整改/工作任务", "case": "违纪案件",
    "car_allowance": "车补发放", "maintenance": "车辆维修保养", "toll": "通行停车费", "hosted": "接受宴请旅游",
}
TYPE_BY_LABEL = {label: name for name, label in TYPE_LABELS.items()} | {"整改工作任务": "task"}

# The date that places an activity in a period and decides which rule edition applies to it.
DATE_FIELD: dict[str, str] = {
    "meeting": "date", "report": "submitted", "reception": "date", "travel": "depart",
    "conference": "start", "training": "start", "vehicle_use": "date", "duty": "date", "fuel": "time", "gift": "date",
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
    ("vehicle_use", "vehicle"): "vehicle", ("fuel", "vehicle"): "vehicle", ("duty", "vehicle"): "vehicle",
    ("meeting", "chair"): "person",
    ("task", "owner"): "person", ("report", "person"): "person", ("vehicle_use", "person"): "person",
    ("travel", "vehicle"): "vehicle", ("car_allowance", "person"): "person", ("maintenance", "vehicle"): "vehicle",
    ("toll", "vehicle"): "vehicle", ("hosted", "person"): "person",
}


@cache
def field_labels(record_type: str) -> dict[str, str]:
    """Contract field name -> Chinese label, in declaration order (shared: read it, don't change it)."""
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


def _is_money(annotation: Any) -> bool:
    if parse_fen in (getattr(m, "func", None) for m in getattr(annotation, "__metadata__", ())):
        return True
    return any(_is_money(arg) for arg in get_args(annotation))


def money_fields() -> frozenset[str]:
    """Names of the fields held in fen (written in 元): the converters write them back in 元."""
    return frozenset(name for model in RECORD_TYPES.values() for name, info in model.model_fields.items()
                     if _is_money(info.annotation) or parse_fen in (getattr(m, "func", None) for m in info.metadata))
