"""A unit's validation takes a spool's blocks (the rows of a table the columnar path took) a column at
a time: the same records in the same (input) order and the same located errors, in the same order, as
taking the same rows one by one — with dangling references, dates out of order, dates not given, and
the spool's pickles read in an order that is not the input's."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from checker.data.blocks import PlainBlock
from checker.data.plain import field_columns, plan_of
from checker.data.records import BlockRecords, LoadedRecord
from checker.facts.audit_period import audit_period
from checker.run.check import Options, active_rules
from checker.run.partition import partition
from checker.run.spool import SpooledRows
from checker.run.unit import _in_input_order, _registry_runs, _Run, context_of, derive_unit, validate_unit
from tests.conftest import DEMO
from tests.randomdata import random_records
from tests.test_run import as_jsonl

AS_OF = dt.date(2020, 7, 20)
_ABSENT = object()  # a key left out of a planted row


def _planted(folder: Path) -> Path:
    """The demo as JSON Lines, with rows the columnar path takes that refer to no person or vehicle
    (travel), whose dates are out of order (conference), or out of order beside a date not given
    (personnel actions; a date left out is None in a block, where null sends the row to the general
    path): each table's rows of a unit are a block. And a row it does not take (travel
    with no return date, which is required): the general path's rows come among the blocks."""
    as_jsonl(DEMO, folder)
    for name, planted in (("travel", [{"id": "TRV-P1", "person": "P-NOBODY"}, {"id": "TRV-P2", "vehicle": "V-NONE"},
                                      {"id": "TRV-P3", "return": None}, {"id": "TRV-P4"}]),
                          ("conference", [{"id": "CNF-P1", "start": "2020-05-13", "end": "2020-05-11"}]),
                          ("personnel_action", [{"id": "PA-P1", "publicity_end": _ABSENT},
                                               {"id": "PA-P2", "publicity_start": "2020-03-13",
                                                "publicity_end": "2020-03-09"}])):
        first = json.loads((DEMO / f"{name}.json").read_text(encoding="utf-8"))[0]
        with (folder / f"{name}.jsonl").open("a", encoding="utf-8") as handle:
            handle.writelines(json.dumps({k: v for k, v in {**first, **row}.items() if v is not _ABSENT},
                                         ensure_ascii=False) + "\n" for row in planted)
    return folder


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    folder = tmp_path_factory.mktemp("planted")
    parts = partition(_planted(folder / "data"), folder / "spool")
    return parts, context_of(parts, [], audit_period("2020", AS_OF)[0], AS_OF)


def _one_by_one(context, unit: str, spooled: SpooledRows) -> tuple[list[LoadedRecord], list, int]:
    return validate_unit(context, unit, list(spooled))  # rows, each record checked alone


def test_blocks_give_the_records_and_errors_of_rows_one_by_one(planted: tuple) -> None:
    parts, context = planted
    units = list(dict.fromkeys([*context.registry_of, *parts.spool_rows]))
    blocks, errors = 0, []
    for unit in units:
        blocks += sum(type(part) is PlainBlock for part in parts.rows_of(unit).parts())
        taken = validate_unit(context, unit, parts.rows_of(unit))
        assert taken == _one_by_one(context, unit, parts.rows_of(unit)), unit
        errors += taken[1]
    assert blocks  # the blocks were taken, and the planted problems found in them:
    assert {(Path(e.source).name, e.field) for e in errors} == {("travel.jsonl", "person"), ("travel.jsonl", "vehicle"),
                                                     ("travel.jsonl", "return"), ("conference.jsonl", "end"),
                                                     ("personnel_action.jsonl", "publicity_end")}


def test_blocks_read_out_of_input_order_give_records_in_input_order(planted: tuple) -> None:
    parts, context = planted
    unit = max(parts.spool_rows, key=parts.spool_rows.__getitem__)
    places = parts.spool.places[unit]
    assert len(places) >= 4  # two pickles at least
    as_written = validate_unit(context, unit, parts.rows_of(unit))
    pairs = [places[at:at + 2] for at in range(0, len(places), 2)]
    try:
        places[:] = type(places)("q", [value for pair in reversed(pairs) for value in pair])
        reversed_ = validate_unit(context, unit, parts.rows_of(unit))
        assert reversed_ == _one_by_one(context, unit, parts.rows_of(unit))
    finally:
        places[:] = type(places)("q", [value for pair in pairs for value in pair])
    assert reversed_[0] == as_written[0]
    assert [(r.source, r.row) for r in as_written[0]] == sorted(
        ((r.source, r.row) for r in as_written[0]), key=lambda place: (context.order.get(place[0], -1), place[1]))


def test_rows_out_of_order_within_a_table_are_sorted_record_by_record(planted: tuple) -> None:
    parts, context = planted
    unit = max(parts.spool_rows, key=parts.spool_rows.__getitem__)
    rows = list(parts.rows_of(unit))
    random.Random(18).shuffle(rows)  # runs of a table that overlap: not joined, each record sorted
    assert validate_unit(context, unit, rows)[0] == validate_unit(context, unit, parts.rows_of(unit))[0]


def test_a_unit_s_registry_entries_held_out_of_order_come_in_input_order(planted: tuple) -> None:
    parts, context = planted
    joined = [u for u in context.registry_of if validate_unit(context, u, parts.rows_of(u))[0].blocks]
    unit = max(joined, key=lambda u: len(context.registry_of[u]))  # its records in blocks' runs, joined
    entries = context.registry_of[unit]
    assert len({e.source for e in entries}) >= 2 and len(entries) >= 4  # tables of several entries
    as_held = validate_unit(context, unit, parts.rows_of(unit))
    runs = _registry_runs(context, unit)
    assert len(runs) == len({e.source for e in entries})  # in row order: one run a table
    try:
        context.registry_of[unit] = list(reversed(entries))  # a run an entry
        assert len(_registry_runs(context, unit)) == len(runs)  # (put in order first)
        reversed_ = validate_unit(context, unit, parts.rows_of(unit))
    finally:
        context.registry_of[unit] = entries
    assert reversed_ == as_held and list(reversed_[0]) == list(as_held[0])
    assert len(reversed_[0].blocks) == len(as_held[0].blocks)  # joined still
    assert [(r.source, r.row) for r in as_held[0]] == sorted(
        ((r.source, r.row) for r in as_held[0]), key=lambda place: (context.order.get(place[0], -1), place[1]))


@pytest.mark.parametrize("numbers, joined", [
    ([[1, 2, 5], [8, 9], [6, 7]], True),  # each run in order, apart
    ([[1, 2, 2], [3]], True),  # a number twice in a run: in the run's order, as the stable sort keeps them
    ([[1, 3], [2, 4]], False),  # runs that overlap: each record sorted
    ([[2, 1], [3]], False),  # a run out of order
    ([[1, 2], [2, 3]], False),  # the same number in two runs
])
def test_runs_are_joined_only_as_sorting_each_record_would_put_them(numbers: list[list[int]], joined: bool) -> None:
    runs = [_Run(0, run, _block("fuel", [f"{k}:{n}" for n in run], run)) for k, run in enumerate(numbers)]
    keyed = sorted(((n, f"{k}:{n}") for k, run in enumerate(numbers) for n in run), key=lambda pair: pair[0])
    records = _in_input_order(runs)
    assert len(records.blocks) == (len(runs) if joined else 0)  # (blocks kept as blocks only if joined)
    assert all(block._loaded is None for block in records.blocks)  # (their records not made: not asked for)
    assert [(r.row, r.id) for r in records] == keyed


def _block(record_type: str, ids: list[str], numbers: list[int], **given: list) -> BlockRecords:
    """A block's records of the ids at the row numbers, with the values `given` (others not given)."""
    values = field_columns(record_type, {"id": ids, "unit": ["U1"] * len(ids), **given}, len(ids))
    return BlockRecords(record_type, f"{record_type}.jsonl", numbers, values)


def test_a_row_the_general_path_read_after_a_block_of_its_table(tmp_path: Path) -> None:
    """A unit's rows of a table the columnar path took (a block) and, after them, one it did not take
    but the general path reads (an amount written as a string): the block's records are its own, the
    row a run of its own after them (added to the block's run, it once made derivation fail)."""
    rows = json.loads((DEMO / "travel.json").read_text(encoding="utf-8"))
    mine = [row for row in rows if row["unit"] == rows[0]["unit"]][:3]
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("unit", "person", "vehicle"):
        (folder / f"{name}.json").write_text((DEMO / f"{name}.json").read_text(encoding="utf-8"), encoding="utf-8")
    late = {**mine[0], "id": "TRV-LATE", "hotel_per_night": str(mine[0]["hotel_per_night"])}
    (folder / "travel.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in [*mine, late]),
                                         encoding="utf-8")
    parts = partition(folder, tmp_path / "spool")
    context = context_of(parts, [], audit_period("2020", AS_OF)[0], AS_OF)
    unit = rows[0]["unit"]
    held = list(parts.rows_of(unit).parts())
    assert [type(part) is PlainBlock for part in held] == [True, False]  # the block, then the row read alone
    records, errors, activity = validate_unit(context, unit, parts.rows_of(unit))
    assert not errors and activity == 4 and len(records.blocks) == 1
    assert [r.id for r in records if r.type == "travel"] == [*(row["id"] for row in mine), "TRV-LATE"]
    assert _facts_both_ways(parts, context) == 3


def test_the_rows_of_a_spool_read_one_by_one_or_as_they_are_held(planted: tuple) -> None:
    parts, _ = planted
    unit = next(iter(parts.spool_rows))
    rows = list(parts.rows_of(unit))
    spooled = parts.rows_of(unit)
    assert next(spooled) == rows[0] and list(spooled) == rows[1:]  # an iterator, as the spool gave before
    with pytest.raises(RuntimeError):
        spooled.parts()  # the rows are being read already


def _facts_both_ways(parts, context) -> int:
    """Each unit's batch derived from its records as blocks gave them (their facts made from the
    blocks' columns, checker.facts.makers `block_facts`) and as the same rows taken one by one (each
    fact made on its own): the same facts, key by key and in order, and the same obligations.
    Returns how many of the records blocks gave."""
    from_blocks = 0
    for unit in dict.fromkeys([*context.registry_of, *parts.spool_rows]):
        records = validate_unit(context, unit, parts.rows_of(unit))[0]
        from_blocks += sum(map(len, records.blocks))
        by_block = derive_unit(context, unit, records)
        by_row = derive_unit(context, unit, validate_unit(context, unit, list(parts.rows_of(unit)))[0])
        for made, alone in ((by_block.facts, by_row.facts), (by_block.outside, by_row.outside),
                            (by_block.obligations, by_row.obligations)):
            assert [list(fact.items()) for fact in made] == [list(fact.items()) for fact in alone], unit
        assert (_origin(by_block), by_block.outside_counts, by_block.dated_in_period) == (
            list(by_row.origin.items()), by_row.outside_counts, by_row.dated_in_period), unit
    return from_blocks


def _origin(batch) -> list[tuple]:
    """The batch's `origin` with each record as `loaded` gives it: a block's made when first asked."""
    return [(key, batch.loaded(key)) for key in batch.origin]


def test_facts_of_blocks_are_those_of_records_one_by_one(planted: tuple) -> None:
    parts, context = planted
    assert _facts_both_ways(parts, context) > 100


@pytest.mark.parametrize("seed", [5, 6])
def test_facts_of_random_blocks_are_those_of_records_one_by_one(tmp_path: Path, seed: int) -> None:
    """Random records of every type (values left out, dates outside the period, ids given twice) in
    JSON Lines, most of them taken by the columnar path, judged under the speech profile's rules, so that obligations are derived too."""
    records = {name: [_plain(name, row) for row in rows]
               for name, rows in random_records(seed, units=4, per_unit=400).items()}
    for rows in records.values():
        rows.append(dict(rows[len(rows) // 2]))  # an id given twice: only the first is judged
    folder = tmp_path / "data"
    folder.mkdir()
    for name, rows in records.items():
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                                              encoding="utf-8")
    parts = partition(folder, tmp_path / "spool")
    rules, _ = active_rules(Options(None, profile="speech", as_of=AS_OF))
    context = context_of(parts, rules, audit_period("2020", AS_OF)[0], AS_OF)
    assert _facts_both_ways(parts, context) > 500


def _plain(record_type: str, row: dict) -> dict:
    """A random row as the columnar path takes it: no null or empty value (a value not given is left
    out), a date without a time of day."""
    plan = plan_of(record_type)
    dates = {f.key for f in plan.fields if f.kind == "date"} if plan else set()
    return {key: value[:10] if key in dates and isinstance(value, str) else value for key, value in row.items()
            if value not in (None, "")}


def test_a_block_is_taken_whole_only_if_each_record_would_be_taken_alone() -> None:
    """checker.facts.derive `_Taking.whole_block`: a block with an id seen before, an id twice, or a
    record dated outside the period is left (nothing taken, the unit's records as they were) to be
    taken one record at a time."""
    from checker.data.records import DataSet
    from checker.facts.derive import Lookups, UnitBatch, _Taking
    from checker.facts.periods import Period

    span = Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31), "2020")
    first = LoadedRecord("meeting", object(), "meeting.jsonl", 0)  # type: ignore[arg-type]
    taking = _Taking(UnitBatch("U1"), Lookups(DataSet()), AS_OF, span, True)
    taking.batch.origin[("meeting", "M0")] = first
    in_2020 = [dt.date(2020, 3, 1)] * 2
    for ids, days in ((["M0", "M1"], in_2020), (["M2", "M2"], in_2020), (["M3", "M4"], [dt.date(2019, 12, 31)] * 2),
                      (["M3", "M4"], [dt.date(2020, 3, 1), None])):
        assert not taking.whole_block(_block("meeting", ids, [1, 2]), [{}, {}], days), ids
        assert list(taking.batch.origin) == [("meeting", "M0")] and taking.batch.facts == [], ids
    block = _block("meeting", ["M1", "M2"], [1, 2])
    assert taking.whole_block(block, [{"n": 1}, {"n": 2}], in_2020)
    # the block stands for its records, each made alone when it is first asked for
    assert list(taking.batch.origin.items()) == [(("meeting", "M0"), first), (("meeting", "M1"), block),
                                                 (("meeting", "M2"), block)]
    assert (taking.batch.facts, taking.kinds["meeting"], taking.dated_in_period) == ([{"n": 1}, {"n": 2}],) * 2 + (2,)
    second = taking.batch.loaded(("meeting", "M2"))
    assert block._loaded is None and second == block.loaded()[1] and second.location == "meeting.jsonl:2"
    assert list(taking.batch.origin.items()) == [(("meeting", "M0"), first), (("meeting", "M1"), block),
                                                 (("meeting", "M2"), second)]
    assert taking.batch.loaded(("meeting", "M2")) is second and taking.batch.loaded(("meeting", "M1")) is block.loaded()[0]
    assert taking.batch.loaded(("meeting", "M9")) is None and taking.batch.loaded(None) is None
