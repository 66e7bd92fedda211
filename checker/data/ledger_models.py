"""The ledgers the cross-record patterns read (issue 17): car allowances, garage bills, tolls and
hospitality a person accepted. Each is an activity of its unit like the others in models.py; they
live apart only to keep that module readable."""

from __future__ import annotations

from checker.data.fields import Bool, Date, DateTime, Fen, Id, Month, OptId, OptStr, Str, f
from checker.data.record_base import Activity, enum_field


class CarAllowance(Activity):
    """公务交通补贴 (车补) paid to one person for one month."""
    person: Id = f("领取人", name="person")
    date: Date = f("发放日期", name="date")
    for_month: Month = f("所属月份", None, name="for_month")
    amount: Fen = f("金额", name="amount")
    item: OptStr = f("项目", "公务交通补贴", name="item")


class Maintenance(Activity):
    """A repair or service bill for a vehicle, as the garage's invoice names it (by plate)."""
    plate: Str = f("车牌", name="plate")
    vehicle: OptId = f("车辆", None, name="vehicle")
    time: DateTime = f("维修时间", name="time")
    kind: enum_field("maintenance_kind") = f("类别", "repair", name="kind")
    shop: OptStr = f("维修单位", None, name="shop")
    city: OptStr = f("所在城市", None, name="city")
    amount: Fen = f("金额", name="amount")
    payment: enum_field("payment") | None = f("支付方式", None, name="payment")


class Toll(Activity):
    """A toll, ETC or parking charge, as the ETC statement or receipt gives it."""
    plate: Str = f("车牌", name="plate")
    vehicle: OptId = f("车辆", None, name="vehicle")
    time: DateTime = f("通行时间", name="time")
    kind: enum_field("toll_kind") = f("类别", "toll", name="kind")
    place: OptStr = f("收费站或停车场", None, name="place")
    city: OptStr = f("所在城市", None, name="city")
    amount: Fen = f("金额", name="amount")


class Hosted(Activity):
    """A banquet, trip or entertainment a person accepted from someone else (接受宴请、旅游)."""
    person: Id = f("当事人", name="person")
    date: Date = f("日期", name="date")
    host: Str = f("邀请方", name="host")
    host_kind: enum_field("host_kind") = f("邀请方类型", "other", name="host_kind")
    kind: enum_field("hosted_kind") = f("类别", "banquet", name="kind")
    value: Fen | None = f("价值", None, name="value")
    place: OptStr = f("地点", None, name="place")
    paid_own_share: Bool = f("个人已付费", False, name="paid_own_share")
