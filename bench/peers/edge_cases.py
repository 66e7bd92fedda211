"""Hand-made facts for the corners the generated data never reaches, run by compare.py before timing.

The generator writes complete, valid records, so it never asks how a peer reads a missing field, an
integer division at the cap, a boundary day, a quote in a string or three trips of one person that
overlap pairwise. These facts do; every engine must agree with checker.reference on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DAY = 737600  # 2020-07-23; no rule reads a record's day any more (the edition applies after matching)


def facts() -> list[dict[str, Any]]:
    d = DAY
    return [
        {"t": "reception", "rid": "R1", "guests": 4, "escorts": 4},  # no letter; 4 > 3
        {"t": "reception", "rid": "R2", "guests": 10, "escorts": 3, "official_letter": "L"},  # at the cap
        {"t": "reception", "rid": "R3", "guests": 13, "escorts": 5, "official_letter": "L"},  # 13/3 → 4
        {"t": "reception", "rid": "R4", "guests": 12, "escorts": 4, "official_letter": "L"},  # 12/3 = 4
        {"t": "reception", "rid": "R5", "guests": 4, "escorts": 9},  # (was before the edition: matches now)
        {"t": "reception", "rid": "R6", "official_letter": "L"},  # counts missing
        {"t": "reception", "rid": "R8", "guests": 20, "official_letter": "L"},  # escorts missing
        {"t": "reception", "rid": "R7", "guests": 14, "escorts": 5, "official_letter": 'a"b\\c'},
        {"t": "travel", "rid": "T1", "person": "P1", "depart": d, "return": d + 2, "seat_class": "first",
         "person_rank_level": 1},
        {"t": "travel", "rid": "T2", "person": "P1", "depart": d + 2, "return": d + 3,
         "seat_class": "economy", "person_rank_level": 1},  # shares T1's last day
        {"t": "travel", "rid": "T3", "person": "P1", "depart": d + 1, "return": d + 1,
         "seat_class": "hsr_first", "person_rank_level": 6},  # inside T1; allowed seat for level 6
        {"t": "travel", "rid": "T4", "person": "P2", "depart": d + 3, "return": d + 4,
         "seat_class": "first", "person_rank_level": 9},  # no seat row for level 9
        {"t": "travel", "rid": "T5", "person": "P2", "depart": d + 5, "return": d + 6,
         "seat_class": "business", "person_rank_level": 7},  # a day apart from T4
        {"t": "travel", "rid": "T6", "depart": d, "return": d + 9, "seat_class": "business"},  # no person
        {"t": "travel", "rid": "T7", "person": "P1", "depart": d},  # no return
        {"t": "travel", "rid": "T8", "person": "P3", "seat_class": "first"},  # no rank level
        {"t": "travel", "rid": "T0", "person": "P1", "depart": d + 3, "return": d + 3,
         "seat_class": "economy", "person_rank_level": 1},  # a lower id overlapping T2
        {"t": "fuel", "rid": "F1", "statutory_holiday": True, "vehicle_on_duty": False},  # the violation
        {"t": "fuel", "rid": "F2", "statutory_holiday": False, "vehicle_on_duty": False},
        {"t": "fuel", "rid": "F3"},
        {"t": "fuel", "rid": "F4", "statutory_holiday": True},  # no duty roster that day: not judged
        {"t": "fuel", "rid": "F5", "statutory_holiday": True, "vehicle_on_duty": True},  # on the roster
        {"t": "fuel", "rid": "F6", "vehicle_on_duty": False},  # holiday unknown
    ]


def write(exported: Path, out: Path) -> None:
    """The exported document's rules and parameters, with two units of edge facts instead of its data."""
    document = json.loads(exported.read_text(encoding="utf-8"))
    base = facts()
    document["units"] = [["EDGE-A", base], ["EDGE-B", [{**f, "rid": f"{f['rid']}-b"} for f in base]]]
    document["records"] = 2 * len(base)
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
