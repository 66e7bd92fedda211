"""The fields a rule's condition can read on each kind of fact: the contract's fields of the record
type, and what the derivation stage adds (docs/rule-format.md, "Fields available in conditions").
A condition naming anything else is a rule error: in the engine it would never match, and the rule
would judge nothing without a word. tests/test_rule_validation.py checks that every fact the
derivation builds carries only fields listed here."""

from __future__ import annotations

from functools import cache

from checker.data.models import RECORD_TYPES

IDENTITY = frozenset({"id", "t", "rid", "as_of"})
DATED = frozenset({"day", "year", "month", "quarter", "half", "month_of_year", "weekday", "workday", "holiday",
                   "statutory_holiday"})
OF_PERSON = frozenset({"person_name", "person_rank", "person_rank_level", "person_is_secretary", "person_party_member"})
OF_UNIT = frozenset({"unit_level", "unit_org_kind", "unit_region", "in_reform", "days_to_reform_start",
                     "days_to_reform_end"})
OF_VEHICLE = frozenset({"vehicle_tank_l", "vehicle_fuel", "vehicle_kind", "vehicle_on_duty"})
# issue 17's patterns: checker/facts/by_type.py (one record) and checker/facts/context.py (its unit)
AWAY = frozenset({"away_unexplained"})
BY_TYPE: dict[str, frozenset[str]] = {
    "unit": frozenset({"vehicle_count"}),
    "staffing": frozenset({"unit_staffing_quota", "unit_leadership_quota"}),
    "meeting": frozenset({"followed_up"}),
    "document": frozenset({"followed_up"}),
    "person": frozenset({"rank_level"}),
    "vehicle": frozenset({"fixed_to_rank_level", "plate_key"}),
    "fuel": OF_VEHICLE | AWAY | {"hour", "plate_key", "plate_registered", "duty_registered"},
    "vehicle_use": OF_VEHICLE | {"plate_key", "start_minute", "end_minute", "start_clock", "end_clock",
                                 "overnight", "duty_registered"},
    "duty": OF_VEHICLE | {"plate_key"},
    "travel": OF_VEHICLE | {"days", "hotel_elsewhere", "plate_key"},
    "conference": frozenset({"days", "person_days"}),
    "training": frozenset({"days", "person_days", "days_over_30", "person_days_over_30", "cost_without_faculty",
                           "hotel_elsewhere"}),
    "personnel_action": frozenset({"publicity_workdays"}),
    "gift": frozenset({"days_to_hand_in", "hand_in_due", "giver_regulated", "family_event_days",
                       "family_event_day", "family_event_kind", "related"}),
    "task": frozenset({"days_late"}),
    "case": frozenset({"warning_education_day", "related"}),
    "expense": frozenset({"festival", "festival_offset", "festival_distance", "scenic_ticket", "event_on_day",
                          "days_outside_event", "line_kind", "merchant_class", "merchant_name", "brand_key"}),
    "reception": frozenset({"diners", "meal_per_head", "guest_rank_level"}),
    "allowance": frozenset({"per_person", "pay_period", "condolence_year_total", "allowance_kind", "paid_before",
                            "paid_before_day", "related"}),
    "car_allowance": frozenset({"pay_month", "paid_before", "paid_before_day", "fixed_vehicle", "related"}),
    "maintenance": OF_VEHICLE | {"plate_key", "hour", "plate_registered"},
    "toll": OF_VEHICLE | AWAY | {"plate_key", "hour", "trip", "off_route", "plate_registered", "car_used",
                                 "car_on_duty"},
}
# Facts the derivation makes rather than reads (checker/facts/derive.py, checker/facts/obligations.py).
DERIVED_FACTS: dict[str, frozenset[str]] = {
    "unit_stats": IDENTITY | {"unit", "year", "day", "expense_december", "expense_monthly_average", "records"},
    "obligation_status": IDENTITY | {"rule", "period", "period_start", "period_end", "due", "required", "count",
                                     "count_all", "inquorate", "state", "row", "person", "person_name",
                                     "person_rank", "standard"},
    "pattern": IDENTITY | {"unit", "kind", "count", "day", "records"},
}


@cache
def readable(record_type: str) -> frozenset[str]:
    """Every field a condition may name on a fact of this type."""
    if record_type in DERIVED_FACTS:
        return DERIVED_FACTS[record_type]
    fields = {"return" if name == "return_" else name for name in RECORD_TYPES[record_type].model_fields}
    fields |= DATED  # activities by their date; registries as of the audit's end (their editions)
    if "person" in fields or record_type == "person":
        fields |= OF_PERSON
    if "unit" in fields or record_type == "unit":
        fields |= OF_UNIT
    return frozenset(fields | IDENTITY | BY_TYPE.get(record_type, frozenset()))
