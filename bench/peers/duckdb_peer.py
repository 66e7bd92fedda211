"""The five-rule subset as DuckDB SQL — what a data analyst would write instead of a rule engine.
Runs with the peers' venv, not the project's.

    /tmp/lianjian-peers/bin/python bench/peers/duckdb_peer.py facts FACTS.json
    /tmp/lianjian-peers/bin/python bench/peers/duckdb_peer.py raw FOLDER TABLES.json

`facts`: SQL over the facts `python -m bench.peers.facts export` wrote, timed like the other engines:
the facts already read from FACTS.json (untimed), then the facts turned into one Arrow table per
record type and registered with DuckDB (the boundary, as asserting is for the engines), the five
queries run and their matches fetched. All units at once: the unit is a column and a join key.

`raw`: SQL over the data set's own JSON Lines files (reception, travel, fuel, person for the ranks
and duty, if present, for the vehicles on the day's duty roster), timed end to end as the analyst
would run it: connect, read_json, join, filter, fetch. The numbers come from TABLES.json
(`python -m bench.peers.facts tables`): parameter values, the audit period, rank levels and
statutory holidays (the project's chinesecalendar), so a profile change reaches this SQL too. It
reads only the fields the rules need and assumes the contract's plain form (ISO dates, English enum
values): the checker's validation, Chinese forms and located errors have no counterpart here
(bench/peers/README.md).

Semantics as checker/ruleset/conditions.py: a comparison with a missing value is false (SQL's NULL
does that by itself), integer division truncates (`//` on the non-negative counts), a blank string
is missing (the checker drops blank values). Prints one JSON line; matches are
`[rule_id, unit, record id, ...]`, ids in alias order.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

COLUMNS = {  # the fields the five rules read, per record type (the facts' names)
    "reception": ("unit", "rid", "official_letter", "guests", "escorts"),
    "travel": ("unit", "rid", "person", "depart", "return", "seat_class", "person_rank_level"),
    "fuel": ("unit", "rid", "statutory_holiday", "vehicle_on_duty"),
}
# typed even when every value is missing (vehicle_on_duty without a duty roster), so `NOT` applies
BOOLEANS = {"statutory_holiday": pa.bool_(), "vehicle_on_duty": pa.bool_()}


def _strings(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def queries(params: dict[str, dict[str, Any]]) -> str:
    """The five rules as one UNION ALL over the views reception, travel (with person_rank_level) and
    fuel (with statutory_holiday and vehicle_on_duty), each with unit and rid: one SELECT per
    alternative, as the CLIPS peer has one defrule per alternative. No SELECT tests the record's day:
    the checker decides the applicable edition after matching, for every match."""
    escorts, seat = params["EP-REC-ESCORTS"], params["EP-TRV-SEAT"]
    small, cap, ratio = (escorts["values"][k] for k in ("small_group", "small_group_escorts", "large_group_ratio"))
    divide = "//" if isinstance(ratio, int) else "/"  # integer division truncates (counts are never negative)
    selects = [
        "SELECT 'EP-REC-LETTER' AS rule, unit, rid AS a, NULL AS b FROM reception "
        "WHERE NULLIF(trim(official_letter), '') IS NULL",
        f"SELECT 'EP-REC-ESCORTS', unit, rid, NULL FROM reception "
        f"WHERE guests <= {small} AND escorts > {cap}",
        f"SELECT 'EP-REC-ESCORTS', unit, rid, NULL FROM reception "
        f"WHERE guests > {small} AND escorts > guests {divide} {ratio}",
        *(f"SELECT 'EP-TRV-SEAT', unit, rid, NULL FROM travel WHERE person_rank_level BETWEEN {row['min_level']} "
          f"AND {row['max_level']} AND seat_class IN ({_strings(row['banned'])})"
          for row in seat["values"]["seat_limits"] if row["banned"]),  # `IN ()` would not parse
        # one person's trips of one unit sharing a day, each pair once (a has the lower id)
        "SELECT 'EP-TRV-OVERLAP', a.unit, a.rid, b.rid FROM travel a JOIN travel b "
        "ON b.unit = a.unit AND b.person = a.person AND b.rid > a.rid "
        "AND b.depart <= a.\"return\" AND b.\"return\" >= a.depart",
        # NOT NULL-safe on purpose: an unknown vehicle_on_duty (NULL) is not a match, as in the checker
        "SELECT 'EP-VEH-FUEL-HOLIDAY', unit, rid, NULL FROM fuel WHERE statutory_holiday AND NOT vehicle_on_duty",
    ]
    return "\nUNION ALL\n".join(selects)


def _matches(rows: list[tuple]) -> list[list[str]]:
    return sorted([rule, unit, a, *([b] if b is not None else [])] for rule, unit, a, b in rows)


def run_facts(facts_file: Path) -> dict[str, Any]:
    data = json.loads(facts_file.read_text(encoding="utf-8"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    for kind, columns in COLUMNS.items():
        facts = [(unit, f) for unit, unit_facts in data["units"] for f in unit_facts if f["t"] == kind]
        table = {"unit": [unit for unit, _ in facts],
                 **{c: pa.array([f.get(c) for _, f in facts], type=BOOLEANS.get(c)) for c in columns[1:]}}
        con.register(kind, pa.table(table))
    loaded = time.perf_counter()
    rows = con.execute(queries(data["parameters"])).fetchall()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"engine": "DuckDB (facts)", "version": f"duckdb {version('duckdb')}", "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "load_s": loaded - started, "query_s": seconds - (loaded - started),
            "facts": sum(len(f) for _, f in data["units"]), "units": len(data["units"]), "matches": _matches(rows),
            "rss_before_kb": rss_before, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "timed": "facts to one Arrow table per type, registered with DuckDB; the five rules as one SQL "
                     "query over all units; fetching the matches"}


RAW_FIELDS = {  # what the analyst reads of each file, typed as the contract says
    "reception": {"id": "VARCHAR", "unit": "VARCHAR", "date": "DATE", "official_letter": "VARCHAR",
                  "guests": "BIGINT", "escorts": "BIGINT"},
    "travel": {"id": "VARCHAR", "unit": "VARCHAR", "person": "VARCHAR", "depart": "DATE", "return": "DATE",
               "seat_class": "VARCHAR"},
    # "2020-05-01 08:30": the day is its date
    "fuel": {"id": "VARCHAR", "unit": "VARCHAR", "time": "VARCHAR", "vehicle": "VARCHAR"},
    "person": {"id": "VARCHAR", "rank": "VARCHAR"},
    "duty": {"unit": "VARCHAR", "date": "DATE", "vehicle": "VARCHAR"},  # the day's duty roster, if kept
}


def read_json(folder: Path, name: str) -> str:
    """TYPE.jsonl (or TYPE.json, an array) as a table of the fields in RAW_FIELDS."""
    path = folder / f"{name}.jsonl"
    form = "newline_delimited" if path.exists() else "array"
    path = path if path.exists() else folder / f"{name}.json"
    columns = ", ".join(f"'{k}': '{v}'" for k, v in RAW_FIELDS[name].items())
    return f"read_json('{path}', format = '{form}', columns = {{{columns}}})"


def raw_views(con: duckdb.DuckDBPyConnection, folder: Path, tables: dict[str, Any]) -> None:
    """The analyst's views over the JSON Lines files: inside the audit period, with the lookups the
    checker's derivation does (a trip's rank level through person.jsonl, a refuelling's statutory
    holiday through the holiday table, its vehicle_on_duty through duty.jsonl), named as the facts
    are, so `queries` serves both.

    vehicle_on_duty as checker/facts/unit_facts.py `_duty` derives it for a refuelling (which has no
    `on_duty` of its own): if the unit keeps a duty roster for the refuelling's day, whether the
    refuelling's vehicle is on it; else unknown (NULL), so the holiday rule does not judge it. Without
    a duty file every refuelling's is unknown. Compared as trimmed strings: the checker normalises
    the refuelling's vehicle as an id (normalise_id), which the contract's plain form already is."""
    period = tables["period"]
    inside = f"BETWEEN DATE '{period['start']}' AND DATE '{period['end']}'"
    con.execute("CREATE TEMP TABLE rank_level (rank VARCHAR, level INTEGER)")
    con.executemany("INSERT INTO rank_level VALUES (?, ?)", list(tables["rank_level"].items()))
    con.execute("CREATE TEMP TABLE holiday (day DATE)")
    con.executemany("INSERT INTO holiday VALUES (?)", [[d] for d in tables["statutory_holidays"]])
    con.execute(f"""CREATE TEMP VIEW reception AS
        SELECT unit, id AS rid, official_letter, guests, escorts
        FROM {read_json(folder, 'reception')} WHERE date {inside}""")
    con.execute(f"""CREATE TEMP VIEW travel AS
        SELECT t.unit, t.id AS rid, t.person, t.depart, t."return", t.seat_class,
               r.level AS person_rank_level
        FROM {read_json(folder, 'travel')} t
        LEFT JOIN {read_json(folder, 'person')} p ON p.id = t.person
        LEFT JOIN rank_level r ON r.rank = p.rank
        WHERE t.depart {inside}""")
    duty = (f"SELECT DISTINCT unit, date AS day, trim(vehicle) AS vehicle FROM {read_json(folder, 'duty')}"
            if (folder / "duty.jsonl").exists() or (folder / "duty.json").exists()
            else "SELECT NULL::VARCHAR AS unit, NULL::DATE AS day, NULL::VARCHAR AS vehicle WHERE FALSE")
    con.execute(f"CREATE TEMP TABLE roster AS {duty}")
    con.execute(f"""CREATE TEMP VIEW fuel AS
        SELECT f.unit, f.id AS rid, h.day IS NOT NULL AS statutory_holiday,
               CASE WHEN kept.day IS NULL THEN NULL ELSE on_it.vehicle IS NOT NULL END AS vehicle_on_duty
        FROM (SELECT unit, id, trim(vehicle) AS vehicle, CAST(left(time, 10) AS DATE) AS day
              FROM {read_json(folder, 'fuel')}) f
        LEFT JOIN holiday h ON h.day = f.day
        LEFT JOIN (SELECT DISTINCT unit, day FROM roster) kept ON kept.unit = f.unit AND kept.day = f.day
        LEFT JOIN roster on_it ON on_it.unit = f.unit AND on_it.day = f.day AND on_it.vehicle = f.vehicle
        WHERE f.day {inside}""")


def run_raw(folder: Path, tables_file: Path) -> dict[str, Any]:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    tables = json.loads(tables_file.read_text(encoding="utf-8"))
    con = duckdb.connect()
    raw_views(con, folder, tables)
    rows = con.execute(queries(tables["parameters"])).fetchall()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    # untimed: the records in the period it judged (= the facts the engines are given), for facts/s
    read = con.execute("SELECT (SELECT count(*) FROM reception) + (SELECT count(*) FROM travel) "
                       "+ (SELECT count(*) FROM fuel)").fetchone()[0]
    return {"engine": "DuckDB (raw JSON Lines)", "version": f"duckdb {version('duckdb')}", "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "facts": read, "matches": _matches(rows), "rss_before_kb": rss_before,
            "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "timed": "end to end: connect, read_json of reception, travel, fuel and person (only the fields the "
                     "rules read), the rank and holiday lookups, the five rules as one SQL query, fetching"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="duckdb_peer.py")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("facts").add_argument("facts", type=Path)
    raw = sub.add_parser("raw")
    raw.add_argument("folder", type=Path)
    raw.add_argument("tables", type=Path)
    sub.add_parser("sql").add_argument("tables", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sql":  # print the query, for reading
        print(queries(json.loads(args.tables.read_text(encoding="utf-8"))["parameters"]))
        return
    report = run_facts(args.facts) if args.command == "facts" else run_raw(args.folder, args.tables)
    json.dump(report, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
