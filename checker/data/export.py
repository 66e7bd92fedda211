"""Write a validated data set back out the way units keep their ledgers: one XLSX workbook with a
Chinese-named sheet per record type, or CSV files in GB18030 with Chinese headers — Chinese dates,
yuan amounts with separators, 是/否 and Chinese enum labels. `lianjian convert` uses it; the tests
use it to show that every input form gives the same findings."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from checker.data.models import ENUMS, RECORD_TYPES, enum_values, field_labels, money_fields
from checker.data.records import DataSet
from checker.data.values import fen_to_yuan, zh_date
from checker.data.xlsx import sheet_name_for


def _labels(annotation: Any) -> dict[str, str]:
    """The Chinese labels of this field's enum (`cash` is 现金 as a payment but 礼金 as a gift)."""
    values = set(enum_values(annotation))
    return next((labels for labels in ENUMS.values() if set(labels) == values), {})
MONEY = money_fields()  # every field held in fen, from the models (a list written here had missed new ones)


def _cell(name: str, value: Any, annotation: Any, for_excel: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(_labels(annotation).get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if name in MONEY and isinstance(value, int):
        return value / 100 if for_excel else fen_to_yuan(value)
    if isinstance(value, dt.datetime):
        return value if for_excel else value.strftime("%Y/%m/%d %H:%M")
    if isinstance(value, dt.date):
        return value if for_excel else zh_date(value)
    if isinstance(value, str) and value in enum_values(annotation):
        return _labels(annotation).get(value, value)
    return value


def rows(data: DataSet, record_type: str, for_excel: bool) -> tuple[list[str], list[list[Any]]]:
    model = RECORD_TYPES[record_type]
    labels = field_labels(record_type)
    headers = list(labels.values())
    body = []
    for loaded in data.of_type(record_type):
        row = []
        for name in labels:
            attr = "return_" if name == "return" else name
            row.append(_cell(name, getattr(loaded.record, attr), model.model_fields[attr].annotation, for_excel))
        body.append(row)
    return headers, body


def write_csv(data: DataSet, folder: Path, encoding: str = "gb18030") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for record_type in RECORD_TYPES:
        headers, body = rows(data, record_type, for_excel=False)
        if not body:
            continue
        path = folder / f"{record_type}.csv"
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows([["" if c is None else c for c in row] for row in body])
        written.append(path)
    return written


def write_xlsx(data: DataSet, path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for record_type in RECORD_TYPES:
        headers, body = rows(data, record_type, for_excel=True)
        if not body:
            continue
        sheet = workbook.create_sheet(sheet_name_for(record_type))
        sheet.append(headers)
        for row in body:
            sheet.append(row)
        for column, header in enumerate(headers, start=1):
            if header.endswith("日期") or header in ("加油时间",):
                for cell in sheet.iter_cols(min_col=column, max_col=column, min_row=2):
                    for c in cell:
                        c.number_format = "yyyy-mm-dd hh:mm" if header == "加油时间" else "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
