"""Commands about the input data: validate it, write the entry template, convert it, print its schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from checker.cli.help import command
from checker.cli.options import table_or_json_option


@command(short_help="只检查数据，不判断 / Check the input only.")
@click.argument("path", type=click.Path(path_type=Path))
@table_or_json_option
def validate(path: Path, fmt: str) -> None:
    """只检查输入数据（类型、引用、日期），不判断问题。

    Only check the input data (types, references, dates); judge nothing."""
    from checker.run import check as run
    from checker.run.processes import default_workers

    # every unit validated, none judged
    checked = run.run(path, run.Options(units=set(), workers=default_workers()))
    data = checked.data
    if fmt == "json":
        click.echo(json.dumps({"records": checked.records, "rows_read": data.rows_read,
                               "input_errors": [e.as_dict() for e in data.errors]}, ensure_ascii=False, indent=2))
    else:
        for error in data.errors:
            click.echo(f"{error.level}: {error}")
        click.echo(f"{data.rows_read} rows read, {checked.records} records valid, "
                   f"{sum(e.level == 'error' for e in data.errors)} errors, "
                   f"{sum(e.level == 'warning' for e in data.errors)} warnings")
    sys.exit(2 if data.has_errors else 0)


@command(short_help="写录入模板 / Write the entry workbook.")
@click.option("-o", "--output", default="录入模板.xlsx", show_default=True, type=click.Path(path_type=Path),
              help="模板文件 / The workbook to write.")
def template(output: Path) -> None:
    """写录入模板：每类记录一个工作表，中文表头，下拉选项。

    Write an entry workbook: a sheet per record type, Chinese headers, drop-down lists."""
    from checker.data.template import build_template

    build_template(output)
    click.echo(f"wrote {output}")


@command(short_help="转换为工作簿或中文表头 CSV / Convert a data set.")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="一个 .xlsx 文件，或存放 CSV 文件的文件夹 / A .xlsx file, or a folder for CSV files.")
@click.option("--encoding", default="gb18030", show_default=True,
              help="CSV 编码 / CSV encoding (gb18030, utf-8-sig, utf-8).")
def convert(path: Path, output: Path, encoding: str) -> None:
    """把数据转写为一个 XLSX 工作簿，或中文表头的 CSV 文件。

    Rewrite a data set as one XLSX workbook or as CSV files with Chinese headers."""
    from checker.data import export
    from checker.data import validate as checks
    from checker.data.load import load_path

    data = checks.check(load_path(path))
    for error in data.errors:
        click.echo(f"{error.level}: {error}", err=True)
    if output.suffix.lower() == ".xlsx":
        export.write_xlsx(data, output)
    else:
        export.write_csv(data, output, encoding)
    click.echo(f"wrote {len(data.records)} records to {output}")
    sys.exit(2 if data.has_errors else 0)


@command(short_help="记录类型的 JSON Schema / JSON Schema of the record types.")
@click.argument("record_type", required=False)
def schema(record_type: str | None) -> None:
    """输出一类（或全部）记录的 JSON Schema。

    Print the JSON Schema of one record type (or of all)."""
    from checker.data.models import RECORD_TYPES
    from checker.data.template import json_schema

    if record_type and record_type not in RECORD_TYPES:
        click.echo(f"unknown record type {record_type!r}; one of {', '.join(RECORD_TYPES)}", err=True)
        sys.exit(2)
    click.echo(json.dumps(json_schema(record_type), ensure_ascii=False, indent=2))


