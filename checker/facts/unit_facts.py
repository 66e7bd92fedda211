"""Facts that need more than one record of a unit: a vehicle's place on the day's duty roster, whether
a relayed meeting or forwarded document was ever followed by measures, and the patterns the
formalism rules look for (repeated relays without follow-up, repeated overdue or late tasks).

A pattern is one derived fact per unit for the audit period, naming the records it stands for
(`records`), so a finding about it points at them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

OVERDUE_KINDS = ("work_plan", "audit")  # business tasks (rectification tasks have their own rule)


def add_unit_facts(unit: str, facts: list[dict[str, Any]], as_of: int,
                   by_type: dict[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """Set the cross-record fields on the unit's facts; return the pattern facts to add. `by_type`:
    the facts by record type (each in input order), if the caller has them so already."""
    if by_type is None:
        by_type = defaultdict(list)
        for fact in facts:
            by_type[fact["t"]].append(fact)
    _duty(by_type)
    _follow_up(by_type)
    _warning_education(by_type)
    return _patterns(unit, by_type, as_of)


def _warning_education(by_type: dict[str, list[dict[str, Any]]]) -> None:
    """`warning_education_day` on a case: the day of the unit's first warning-education session on or
    after the day it was opened (absent if none), and that meeting in `related`. AC-CASE-NO-WARNING-EDU
    compares it with its window. As an engine negation (`unless` a meeting between `m.opened` and the
    window's end) the rule crashed durable-rules in about half the runs of its own examples
    (tests/test_engine_pitfalls.py)."""
    days = sorted((m["day"], m["rid"]) for m in by_type.get("meeting", ())
                  if m.get("kind") == "warning_education" and "day" in m)
    for case in by_type.get("case", ()):
        opened = case.get("opened")
        first = next((d for d in days if opened is not None and d[0] >= opened), None)
        if first is not None:
            case["warning_education_day"] = first[0]
            case["related"] = [("meeting", first[1])]


def _duty(by_type: dict[str, list[dict[str, Any]]]) -> None:
    """`vehicle_on_duty` on refuels and vehicle uses: on the roster of its day (`duty` records) if the
    unit keeps one for that day, else the use record's own `on_duty`; absent when neither is known,
    so a holiday rule does not judge it. `duty_registered`: whether either registers it as duty (a
    lead asks about a use nothing registers)."""
    roster: dict[int, set[str]] = defaultdict(set)
    for duty in by_type.get("duty", ()):
        roster[duty["day"]].add(duty.get("vehicle"))
    for fact in (*by_type.get("fuel", ()), *by_type.get("vehicle_use", ())):
        on_roster = roster.get(fact.get("day"))
        own = fact.get("on_duty")
        if on_roster is not None:
            fact["vehicle_on_duty"] = fact.get("vehicle") in on_roster or own is True
        elif own is not None:
            fact["vehicle_on_duty"] = own
        # for the leads (rules/patterns): nothing registers the use as duty — unknown counts as not
        fact["duty_registered"] = fact.get("vehicle_on_duty") is True


def _follow_up(by_type: dict[str, list[dict[str, Any]]]) -> None:
    """`followed_up` on a relay meeting or a forwarding document: some meeting of the unit that relays
    the same item set tasks, or some document forwarding it added measures."""
    acted: set[str] = set()
    for meeting in by_type.get("meeting", ()):
        if meeting.get("relays") and meeting.get("tasks", 0) > 0:
            acted.add(meeting["relays"])
    for document in by_type.get("document", ()):
        if document.get("forwards") and document.get("measures", 0) > 0:
            acted.add(document["forwards"])
    for meeting in by_type.get("meeting", ()):
        if meeting.get("relays"):
            meeting["followed_up"] = meeting["relays"] in acted
    for document in by_type.get("document", ()):
        if document.get("forwards"):
            document["followed_up"] = document["forwards"] in acted


def _patterns(unit: str, by_type: dict[str, list[dict[str, Any]]], as_of: int) -> list[dict[str, Any]]:
    found = {
        "relay_meetings": [m for m in by_type.get("meeting", ()) if m.get("relays") and not m.get("tasks")
                           and not m.get("followed_up")],
        "forwarded_documents": [d for d in by_type.get("document", ()) if d.get("forwards") and not d.get("measures")
                                and not d.get("followed_up")],
        "overdue_tasks": [t for t in by_type.get("task", ()) if t.get("kind") in OVERDUE_KINDS
                          and t.get("completed") is None and t.get("deadline", as_of) < as_of],
        "late_tasks": [t for t in by_type.get("task", ()) if t.get("days_late", 0) > 0],
    }
    facts = []
    for kind, records in found.items():
        if records:
            facts.append({"t": "pattern", "rid": f"{unit}@{kind}", "unit": unit, "kind": kind, "count": len(records),
                          "day": max(r["day"] for r in records), "as_of": as_of,
                          "records": [r["rid"] for r in records]})
    return facts
