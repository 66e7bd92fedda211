"""What one record's fact carries beyond its own fields, by record type: looked up once here so that
a rule compares plain fields (docs/rule-format.md, "Fields available in conditions"; every name is
listed in checker/ruleset/fields.py).

One function per record type, chosen by a table lookup: a million facts pay one dict lookup each,
not a chain of type tests.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from checker.facts import festivals
from checker.facts.periods import one_month_after, workdays_between

RANK_LEVEL = {"staff": 1, "vice_section": 2, "section": 3, "vice_division": 4, "division": 5,
              "vice_bureau": 6, "bureau": 7, "vice_minister": 8, "minister": 9}
_PLATE_NOISE = re.compile(r"[\s·•.\-_]")
# An expense line without an invoice category is read as an inspector reads a ledger: its category
# first, then its item, then its purpose; the first kind named wins (order matters: 购物卡 before 礼品).
_LINE_WORDS = (("shopping_card", "购物卡|储值卡|提货卡|消费卡|礼品卡"), ("tobacco_liquor", "烟酒|白酒|香烟|茅台|五粮液"),
               ("gift", "礼品|纪念品"), ("specialty", "土特产|特产|茶叶"), ("ticket", "门票"),
               ("catering", "餐费|餐饮|伙食费|招待费|宴请|酒席|用餐|就餐|工作餐"), ("lodging", "住宿费|房费"),
               ("fuel", "加油|油费|燃油"), ("repair", "维修|修理|保养"), ("toll", "通行费|过路费|高速费|路桥费"),
               ("parking", "停车"), ("office", "办公用品|办公费|文具|耗材"))
_LINE = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in _LINE_WORDS))
# A merchant without a kind, by its name (饭店 is taken as a restaurant, 酒店 and 宾馆 as hotels).
_MERCHANT = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in (
    ("private_club", "会所"), ("entertainment", "KTV|歌厅|夜总会|洗浴|足浴|会馆"), ("farmhouse", "农家乐|山庄"),
    ("scenic_spot", "风景区|景区|旅游区"), ("department_store", "商场|百货|超市|购物中心|商厦"),
    ("liquor_shop", "烟酒|名酒"), ("specialty_shop", "特产|茶庄|茶行"),
    ("restaurant", "酒楼|饭店|餐厅|餐馆|食府|菜馆|火锅|大排档"), ("hotel", "宾馆|酒店"))))


@lru_cache(maxsize=16384)  # a unit's tolls, repairs and refuels name its few cars, over and over (a regex each: ~30x a hit)
def plate_key(plate: str | None) -> str | None:
    """A plate as ledgers write it in many ways (`皖P·00001`, `皖P 00001`, `皖p00001`): one key."""
    return _PLATE_NOISE.sub("", plate).upper() if plate else None


@lru_cache(maxsize=16384)  # a data set names few cities, over and over
def city_key(city: str | None) -> str | None:
    """A city as written with or without its `市` (`黄山`, `黄山市`): one key."""
    if not city:
        return None
    text = re.sub(r"\s", "", city)
    return text[:-1] if text.endswith("市") and len(text) > 2 else text


def same_city(a: str | None, b: str | None) -> bool:
    """Whether two places name one city; a venue written with its city (`黄山市某培训中心`) counts."""
    ka, kb = city_key(a), city_key(b)
    return bool(ka and kb and (ka == kb or ka.startswith(kb) or kb.startswith(ka)))


CLOCK = tuple(f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(24 * 60))  # formatting a time costs more


# A trip's, conference's or training's `days` (first and last day included) is written out in each extra,
# not called: written into a block's function (`inlined`), a call a record cost more than the subtraction.


def _travel(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["days"] = (record.return_ - record.depart).days + 1
    if record.hotel_city:
        fact["hotel_elsewhere"] = not same_city(record.hotel_city, record.destination)
    if record.vehicle:
        fact["plate_key"] = lookups.plate_keys[record.vehicle]


def _conference(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["days"] = span_days = (record.end - record.start).days + 1
    fact["person_days"] = record.attendees * span_days


def _training(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["days"] = span_days = (record.end - record.start).days + 1
    fact["person_days"] = record.participants * span_days
    fact["days_over_30"] = over_30 = max(0, span_days - 30)
    fact["person_days_over_30"] = record.participants * over_30
    # 培训办法 第九条: 除师资费外 — the quota covers the cost without the faculty's
    faculty = record.faculty_cost if record.faculty_cost is not None else record.lecture_fee
    fact["cost_without_faculty"] = record.cost - min(faculty, record.cost)
    if record.hotel_city:
        fact["hotel_elsewhere"] = not same_city(record.hotel_city, record.location)


def _fuel(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["hour"] = record.time.hour
    # the car actually filled: the plate on the station's statement if given, else the card's vehicle
    fact["plate_key"] = plate_key(record.plate) if record.plate else lookups.plate_keys[record.vehicle]


def _vehicle_use(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["plate_key"] = lookups.plate_keys[record.vehicle]
    start, end = record.start, record.end
    if start is not None:
        fact["start_minute"] = minute = start.hour * 60 + start.minute
        fact["start_clock"] = CLOCK[minute]
    if end is not None:
        fact["end_minute"] = minute = end.hour * 60 + end.minute
        fact["end_clock"] = CLOCK[minute]
        fact["overnight"] = end.toordinal() > (start or end).toordinal()


def _duty(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["plate_key"] = lookups.plate_keys[record.vehicle]


def _plated(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    """Maintenance bills and tolls carry the plate as written on the invoice."""
    fact["plate_key"] = plate_key(record.plate)
    fact["hour"] = record.time.hour


# Liquor brands as invoices write them (贵州茅台酒, 飞天茅台): the brand the profile's list may name.
_BRANDS = re.compile("国窖1573|梦之蓝|青花郎|青花30|茅台|五粮液|剑南春|水井坊|洋河|郎酒|汾酒")
_BRAND_OF = {"梦之蓝": "洋河梦之蓝", "青花郎": "郎酒青花郎", "青花30": "汾酒青花30"}
# A festival condolence payment named by its item when its kind is not given (中秋慰问金).
_CONDOLENCE = re.compile(r"(春节|元旦|中秋|国庆|端午|节日|过节).*慰问|慰问.*(春节|元旦|中秋|国庆|端午|节日|过节)")


@lru_cache(maxsize=65536)  # ledgers repeat their categories, purposes and merchants
def _named(pattern: re.Pattern[str], *texts: str | None) -> str | None:
    for text in texts:
        found = pattern.search(text) if text else None
        if found:
            return found.lastgroup
    return None


def _expense(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    season = festivals.position(record.date)
    if season is not None:
        fact["festival"], fact["festival_offset"] = season
    # days to the nearest gift season (0 inside it); a year with none counts as far from any
    fact["festival_distance"] = abs(season[1]) if season is not None else 9999
    kind = record.invoice_category or _named(_LINE, record.category, record.item, record.purpose)
    name = record.merchant or record.payee
    merchant = record.merchant_kind or _named(_MERCHANT, name)
    if name:
        fact["merchant_name"] = name
    if kind:
        fact["line_kind"] = kind
    if merchant:
        fact["merchant_class"] = merchant
    fact["scenic_ticket"] = kind == "ticket" or merchant == "scenic_spot"
    if kind == "tobacco_liquor":
        found = _BRANDS.search(f"{record.brand or ''} {record.item or ''}")
        brand = _BRAND_OF.get(found.group(), found.group()) if found else record.brand
        if brand:
            fact["brand_key"] = brand


def _reception(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    diners = record.guests + record.escorts
    fact["diners"] = diners
    split = record.lodging_cost is not None or record.other_cost is not None
    meals = record.meal_cost if record.meal_cost is not None else None if split else record.cost
    if meals is not None and diners:
        fact["meal_per_head"] = meals // diners // max(1, record.meals)
    if record.guest_rank is not None:
        fact["guest_rank_level"] = RANK_LEVEL[record.guest_rank]


def _allowance(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    if record.recipients:
        fact["per_person"] = record.amount // record.recipients
    fact["pay_period"] = record.for_month or fact["month"]
    kind = record.kind or ("festival_condolence" if _CONDOLENCE.search(record.item) else None)
    if kind:
        fact["allowance_kind"] = kind


def _car_allowance(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["pay_month"] = record.for_month or fact["month"]


def _gift(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["hand_in_due"] = one_month_after(record.date).toordinal()
    if record.handed_in:
        fact["days_to_hand_in"] = (record.handed_in - record.date).days
    fact["giver_regulated"] = record.giver_is_client or record.giver_is_subordinate


def _person(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["rank_level"] = RANK_LEVEL[record.rank]


def _unit(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["vehicle_count"] = lookups.vehicle_count.get(record.id, 0)


def _vehicle(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    fact["plate_key"] = plate_key(record.plate)
    if record.fixed_to:
        holder = lookups.persons.get(record.fixed_to)
        if holder is not None:  # a fixed car is allowed to some leaders, by rank
            fact["fixed_to_rank_level"] = RANK_LEVEL[holder.rank]


def _personnel_action(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    if record.publicity_start and record.publicity_end:
        fact["publicity_workdays"] = workdays_between(record.publicity_start, record.publicity_end)


def _task(record: Any, fact: dict[str, Any], lookups: Any) -> None:
    if record.completed:
        fact["days_late"] = (record.completed - record.deadline).days


EXTRA: dict[str, Callable[[Any, dict[str, Any], Any], None]] = {
    "travel": _travel, "conference": _conference, "training": _training, "fuel": _fuel,
    "vehicle_use": _vehicle_use, "maintenance": _plated, "toll": _plated, "expense": _expense,
    "reception": _reception, "allowance": _allowance, "car_allowance": _car_allowance, "gift": _gift,
    "person": _person, "unit": _unit, "vehicle": _vehicle, "personnel_action": _personnel_action,
    "task": _task, "duty": _duty,
}


def inlined(record_type: str, names: dict[str, str], taken: set[str]) -> list[str] | None:
    """The body of the record type's extra as source lines, reading each field (`record.X`) from the
    name `names[X]` instead of the record: for the function made for a block (checker.facts.makers
    `_block_maker`), which has its fields in those names already, a call and the record's attribute
    reads fewer a record (the one text above stays the only one). None (the extra is to be called)
    if there is no extra or its body reads the record otherwise, returns, or assigns a name of `taken`
    (the block function's own)."""
    extra = EXTRA.get(record_type)
    if extra is None:
        return None
    return _inlined(extra, tuple(names.items()), frozenset(taken))


@lru_cache(maxsize=256)  # (each process makes a block function per record type and fields given: ~40)
def _inlined(extra: Callable[..., None], names_given: tuple[tuple[str, str], ...],
             taken: frozenset[str]) -> list[str] | None:
    names = dict(names_given)
    try:
        source = inspect.getsource(extra)
    except (OSError, TypeError):  # (no source to read, e.g. installed as bytecode only: the extra is called)
        return None
    function = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(function, ast.FunctionDef)
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]

    class _Fields(ast.NodeTransformer):
        def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
            if isinstance(node.value, ast.Name) and node.value.id == "record" and node.attr in names:
                return ast.copy_location(ast.Name(names[node.attr], ast.Load()), node)
            return self.generic_visit(node)

    module = ast.Module([_Fields().visit(statement) for statement in body], [])
    read = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)}
    assigned = {n.id for n in ast.walk(module) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    if "record" in read or assigned & taken or any(isinstance(n, ast.Return) for n in ast.walk(module)):
        return None
    return ast.unparse(module).splitlines()
