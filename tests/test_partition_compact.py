"""The registries the columnar path reads are compacted from their columns (checker/run/partition.py
`compact_columns`), without making each record first: the objects held, and which values they share,
are those `compact` makes of the records themselves."""

from __future__ import annotations

import json
from pathlib import Path

from checker.data import blocks, columnar
from checker.data.models import REGISTRY_TYPES
from checker.data.plain import build
from checker.run.partition import compact, compact_columns
from tests.randomdata import random_records


def _sharing(made: list[object], names: list[str]) -> list[list[int]]:
    """For each record and field, the first record holding that very object (equal values held once
    give the same numbers)."""
    first: dict[int, int] = {}
    return [[first.setdefault(id(getattr(m, name)), k) for name in names] for k, m in enumerate(made)]


def test_registry_columns_compact_as_their_records(tmp_path: Path) -> None:
    records = random_records(7, units=6, per_unit=30)
    extra = [{"id": f"P-x{k}", "name": "某", "unit": "U1", "post": "科长" * k, "roles": roles}
             for k, roles in enumerate([[], ["finance"], ["finance"], ["finance", "driver"]] * 4)]
    records["person"] += extra  # long and short posts, equal and empty lists
    seen = set()
    for record_type, model in REGISTRY_TYPES.items():
        path = tmp_path / f"{record_type}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[record_type]), "utf-8")
        batches = columnar.plain_batches(path, record_type, [])
        assert batches is not None
        names = list(model.model_fields)
        for batch in batches:
            assert batch.taken is not None and batch.taken.height
            numbers, values = blocks.columns_in(record_type, batch.taken)
            one_by_one: dict[object, object] = {}
            by_record = [compact(record, one_by_one, model) for record in build(record_type, values)]
            by_columns = compact_columns(model, values, {})
            assert [type(m) for m in by_columns] == [type(m) for m in by_record]
            for field in names:
                got = [(type(getattr(m, field)), getattr(m, field)) for m in by_columns]
                assert got == [(type(getattr(m, field)), getattr(m, field)) for m in by_record], field
            sharing = _sharing(by_columns, names)
            assert sharing == _sharing(by_record, names)
            seen.update(("shared" if len(set(column)) < len(column) else "own") for column in zip(*sharing, strict=True))
    assert seen == {"shared", "own"}
