"""A whole data set in memory: every table of a PATH (or rows given in memory) validated into
records and located errors, each input row in exactly one of them. For small data (`convert`,
tests); a check reads the same tables unit by unit (`checker.run.partition`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from checker.data.files import Table, discover, file_tables, record_tables
from checker.data.records import DataSet, LoadedRecord, unknown_type
from checker.data.rows import validate_line, validate_parsed


def load_tables(data: DataSet, found: Iterable[Table]) -> DataSet:
    for table in found:
        record_type = table.record_type
        if record_type is None:
            data.errors.append(unknown_type(table.stem, table.name))
            continue
        for index, row, line in table.rows:
            data.rows_read += 1
            if line is not None:
                record = validate_line(record_type, line, table.name, index, data.errors)
            else:
                record = validate_parsed(record_type, row, table.name, index, data.errors)
            if record is not None:
                data.records.append(LoadedRecord(record_type, record, table.name, index))
    return data


def load_path(path: Path) -> DataSet:
    """Load a folder (or a single record file, or an XLSX workbook) into validated records."""
    data = DataSet()
    files = discover(Path(path), data.errors)
    data.inputs.extend(files)
    return load_tables(data, (table for position, file in enumerate(files)
                              for table in file_tables(file, position, data.errors)))


def dataset_from_records(records: dict[str, list[dict[str, Any]]], source: str = "<example>") -> DataSet:
    """Validate in-memory rows (rule examples, generated data) exactly as file rows are validated."""
    return load_tables(DataSet(), record_tables(records, source).tables)
