"""Random but valid data sets, built from the models themselves, for differential testing."""

from __future__ import annotations

import datetime as dt
import random
import typing
from typing import Any

from checker.data.models import ACTIVITY_TYPES, RECORD_TYPES, enum_values

START = dt.date(2020, 1, 1)
NEAR = {"unit": "units", "person": "persons", "vehicle": "vehicles", "chair": "persons", "owner": "persons",
        "decision": "meetings", "relays": "meetings", "forwards": "documents", "to": "units",
        "registered_to": "units", "fixed_to": "persons", "parent": "units"}


def _value(rng: random.Random, record_type: str, name: str, annotation: Any, pools: dict[str, list[str]]) -> Any:
    if name in NEAR and pools.get(NEAR[name]):
        return rng.choice(pools[NEAR[name]] + ([None] if name not in ("unit", "person", "vehicle") else []))
    choices = enum_values(annotation)
    if choices:
        return rng.choice(choices)
    text = str(annotation)
    if "date" in text and "datetime" not in text:
        return (START + dt.timedelta(days=rng.randint(0, 400))).isoformat()
    if "datetime" in text:
        day = START + dt.timedelta(days=rng.randint(0, 400))
        return f"{day.isoformat()} {rng.randint(6, 22):02d}:{rng.choice([0, 30]):02d}"
    if "bool" in text:
        return rng.random() < 0.3
    if "float" in text:
        return round(rng.uniform(0, 80), 1)
    if "int" in text:
        if name in ("cost", "amount", "value", "price", "hotel_per_night", "meal_allowance",
                    "local_transport_allowance", "lecture_fee"):
            return rng.choice([0, 80, 100, 120, 400, 500, 650, 800, 1200, 5000, 60000, 200000])
        if name == "category":
            return rng.randint(1, 3)
        return rng.randint(0, 40)
    if name == "period":
        return rng.choice(["2020H1", "2020H2", "2020", "2020Q1"])
    if name == "for_month":  # 所属月份 of an allowance: YYYY-MM or empty
        return rng.choice(["2020-01", "2020-06", "2020-07", None])
    return rng.choice(["甲", "乙", "景区考察", "", None]) if "None" in text else rng.choice(["甲", "乙", "丙"])


def random_records(seed: int, units: int = 20, per_unit: int = 150) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in RECORD_TYPES}
    unit_ids = [f"U{i}" for i in range(units)]
    pools: dict[str, list[str]] = {"units": unit_ids}
    for uid in unit_ids:
        records["unit"].append({"id": uid, "name": f"单位{uid}", "parent": "U0" if uid != "U0" else None,
                                "level": rng.choice(["municipal", "county"]),
                                "org_kind": rng.choice(["party_group", "party_committee", "branch"]),
                                "region": rng.choice(["北京", "上海", "拉萨"]),
                                "staffing_quota": rng.randint(5, 30), "leadership_quota": rng.randint(1, 5),
                                "vehicle_quota": rng.randint(1, 4),
                                "reform_start": "2020-03-01" if rng.random() < 0.3 else None,
                                "reform_end": "2020-09-30"})
    for uid in unit_ids:
        for k in range(5):
            pid = f"{uid}-P{k}"
            records["person"].append({"id": pid, "name": f"人员{pid}", "unit": uid,
                                      "rank": rng.choice(enum_values(RECORD_TYPES["person"].model_fields["rank"].annotation)),
                                      "roles": rng.choice([[], [], ["secretary"], ["discipline"], ["deputy"]]),
                                      "supervises": rng.sample(unit_ids, 2) if k == 1 else []})
            records["vehicle"].append({"id": f"{uid}-V{k}", "unit": uid, "plate": f"P{uid}{k}",
                                       "kind": rng.choice(["confidential_courier", "other"]),
                                       "price": rng.choice([100000, 150000]), "displacement_l": rng.choice([1.5, 2.0]),
                                       "tank_l": 50, "fuel": rng.choice(["petrol", "diesel"]),
                                       "registered_to": rng.choice([uid, uid, "某公司"]),
                                       "fixed_to": rng.choice([None, None, pid])})
    pools["persons"] = [p["id"] for p in records["person"]]
    pools["vehicles"] = [v["id"] for v in records["vehicle"]]
    pools["meetings"] = [f"meeting-{i}" for i in range(units * per_unit)]
    pools["documents"] = [f"document-{i}" for i in range(units * per_unit)]
    counter = 0
    for uid in unit_ids:
        persons = [p for p in pools["persons"] if p.startswith(f"{uid}-")]
        vehicles = [v for v in pools["vehicles"] if v.startswith(f"{uid}-")]
        local = {**pools, "units": [uid], "persons": persons, "vehicles": vehicles}
        for _ in range(per_unit):
            record_type = rng.choice(list(ACTIVITY_TYPES))
            model = ACTIVITY_TYPES[record_type]
            row: dict[str, Any] = {"id": f"{record_type}-{counter}", "unit": uid}
            counter += 1
            for name, info in model.model_fields.items():
                if name in ("id", "unit") or typing.get_origin(info.annotation) is list:
                    continue
                key = "return" if name == "return_" else name
                row[key] = _value(rng, record_type, name, info.annotation, local)
            for first, last in (("depart", "return"), ("start", "end"), ("publicity_start", "publicity_end"),
                                ("found", "deadline")):
                if row.get(first) and row.get(last) and row[last] < row[first]:
                    row[first], row[last] = row[last], row[first]
            records[record_type].append({k: v for k, v in row.items() if v is not None})
    return records
