"""The registries of the data contract as pydantic models: units, persons and vehicles — the records
every activity names (its unit, its persons, its vehicle) and the facts take their parts from.

Split from `checker.data.models` (which lists every record type) as `ledger_models` is: the same
field kinds, labels and enums (`checker.data.fields`, `record_base`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from checker.data.fields import Bool, Count, Fen, Id, IdList, Measure, OptDate, OptId, OptStr, Str, as_list, f
from checker.data.record_base import Record, enum_field


class Unit(Record):
    name: Str = f("名称", name="name")
    parent: OptId = f("上级单位", None, name="parent")
    level: enum_field("level") = f("层级", "municipal", name="level")
    org_kind: enum_field("org_kind") = f("党组织类型", "branch", name="org_kind")
    region: OptStr = f("所在城市", None, name="region")
    staffing_quota: Count | None = f("编制数", None, name="staffing_quota")
    leadership_quota: Count | None = f("领导职数", None, name="leadership_quota")
    vehicle_quota: Count | None = f("车辆编制", None, name="vehicle_quota")
    reform_start: OptDate = f("机构改革开始", None, name="reform_start")
    reform_end: OptDate = f("机构改革结束", None, name="reform_end")
    # whom a text binds (rule scope): the system the unit belongs to (e.g. `transport` 交通运输), and
    # when it came into being or was abolished (no obligation is owed for a period it did not exist in)
    system: OptStr = f("所属系统", None, name="system")
    established: OptDate = f("设立日期", None, name="established")
    dissolved: OptDate = f("撤销日期", None, name="dissolved")


class Person(Record):
    name: Str = f("姓名", name="name")
    unit: Id = f("单位", name="unit")
    rank: enum_field("rank") = f("职级", "staff", name="rank")
    post: OptStr = f("职务", None, name="post")
    party_member: Bool = f("党员", True, name="party_member")
    roles: Annotated[list[enum_field("role")], BeforeValidator(as_list)] = f("角色", [], name="roles")
    supervises: IdList = f("分管单位", [], name="supervises")


class Vehicle(Record):
    unit: Id = f("单位", name="unit")
    plate: Str = f("车牌", name="plate")
    kind: enum_field("vehicle_kind") = f("车辆类型", "other", name="kind")
    price: Fen | None = f("价格", None, name="price")
    displacement_l: Measure | None = f("排气量", None, name="displacement_l")
    new_energy: Bool = f("新能源", False, name="new_energy")
    tank_l: Measure | None = f("油箱容积", None, name="tank_l")
    registered_to: OptStr = f("登记单位", None, name="registered_to")
    fixed_to: OptId = f("固定使用人", None, name="fixed_to")
    fuel: enum_field("fuel_type") | None = f("燃料", None, name="fuel")
    body: enum_field("body") | None = f("车身类型", None, name="body")
