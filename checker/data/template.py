"""The data-entry workbook (`build_template`) and the JSON Schema of the record types (`json_schema`).

The workbook has one sheet per record type, named by its Chinese label, with the Chinese field
labels as header row, drop-down lists of the Chinese enum labels, and a comment on every header
giving the contract field name, its type and allowed values. `load_path` reads a filled-in copy
back without any mapping on the user's side.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from checker.data.models import ENUMS, RECORD_TYPES, TYPE_LABELS, enum_values, field_labels
from checker.data.values import parse_bool, parse_date, parse_datetime, parse_fen
from checker.data.xlsx import sheet_name_for

INSTRUCTIONS_SHEET = "说明"
DATA_ROWS = 2000  # rows covered by drop-downs and formats below the header

_ENUM_BY_KEYS = {tuple(values): values for values in ENUMS.values()}

# The command the instructions show, as run on the demo data (tests/test_template_command.py runs it).
DEMO_COMMAND = "lianjian check fixtures/demo --profile speech --as-of 2020-07-10"

_INSTRUCTIONS = [
    ("廉检数据填报模板", ""),
    ("", ""),
    ("填写方法", "每个工作表对应一类记录，表名即记录类型（如“公务接待”）。第 1 行为列名，请勿修改；从第 2 行起每行填写一条记录。"),
    ("", "鼠标停在列名上可查看批注：对应的英文字段名、数据类型、可选值以及是否必填。加粗的列为必填。"),
    ("", "不需要的工作表可以留空或删除；本“说明”表不会被读取。空行会被跳过。"),
    ("编号", "每条记录的“编号”在同一类记录内必须唯一；“单位”填写“单位”表中的单位编号。"),
    ("日期", "可填写 2020-07-15、2020/7/15 或 2020年7月15日，也可直接使用 Excel 日期格式。"),
    ("时间", "加油时间等日期时间列可填写 2020-07-15 14:30。"),
    ("金额", "以元为单位，可带千分位和“元”字，如 1,280.50 或 1280.5元；最多精确到分。"),
    ("是/否", "填写 是 或 否（也接受 true/false、1/0）；留空视为“否”（另有默认值的除外）。"),
    ("类别", "带下拉箭头的列请从下拉列表中选择中文选项（也接受对应的英文代码）。"),
    ("多个值", "“角色”“分管单位”“决定事项”等列可填写多个值，用逗号或顿号分隔，如：书记、分管领导。"),
    ("", ""),
    ("检查", "填好后运行：lianjian check 本文件.xlsx --as-of 检查基准日 --profile 规则配置。--as-of 决定按哪一天判断报告、"
             "会议等是否逾期（不写则为今天）；--profile 可选 central（中央规定）、transport（交通运输系统）、speech（本局讲话要求）。"
             "数据问题会按“工作表#行号”报告。"),
    ("示例", DEMO_COMMAND + "（演示数据，应得92个问题）；加 -o html:问题清单/ 为每个单位各写一份可打印的问题清单。"),
]


def _flatten(annotation: Any) -> tuple[set[Any], set[Any]]:
    """(plain types, validator functions) found anywhere in an annotation, through Optional/Annotated."""
    types: set[Any] = set()
    funcs: set[Any] = set()
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:  # Annotated[T, ...]
        funcs |= {getattr(m, "func", None) for m in metadata}
        inner_types, inner_funcs = _flatten(annotation.__origin__)
        return types | inner_types, funcs | inner_funcs
    if get_origin(annotation) in (Union, UnionType):
        for arg in get_args(annotation):
            inner_types, inner_funcs = _flatten(arg)
            types |= inner_types
            funcs |= inner_funcs
        return types, funcs
    types.add(get_origin(annotation) or annotation)
    return types, funcs


def _base_kind(info: Any) -> str:
    """'enum', 'enum_list', 'date', 'datetime', 'money', 'bool', 'int', 'number', 'list' or 'text'."""
    types, funcs = _flatten(info.annotation)
    funcs |= {getattr(m, "func", None) for m in info.metadata}
    if enum_values(info.annotation):
        return "enum_list" if list in types else "enum"
    if parse_fen in funcs:
        return "money"
    if parse_bool in funcs or bool in types:
        return "bool"
    if parse_datetime in funcs or dt.datetime in types:
        return "datetime"
    if parse_date in funcs or dt.date in types:
        return "date"
    if list in types:
        return "list"
    if int in types:
        return "int"
    if float in types:
        return "number"
    return "text"


_KIND_TEXT = {
    "enum": "类别 (选择一项)", "enum_list": "类别列表 (可多选，逗号或顿号分隔)",
    "date": "日期 date: 2020-07-15 / 2020/7/15 / 2020年7月15日", "datetime": "日期时间 datetime: 2020-07-15 14:30",
    "money": "金额 (元) money in yuan: 1,280.50", "bool": "是/否 boolean", "int": "整数 integer",
    "number": "数值 number", "list": "列表 list (逗号或顿号分隔)", "text": "文本 text",
}


def _column_spec(record_type: str) -> list[dict[str, Any]]:
    model = RECORD_TYPES[record_type]
    specs = []
    for name, label in field_labels(record_type).items():
        info = model.model_fields["return_" if name == "return" else name]
        kind = _base_kind(info)
        keys = enum_values(info.annotation)
        values = _ENUM_BY_KEYS.get(tuple(keys)) or {k: k for k in keys}
        specs.append({"name": name, "label": label, "kind": kind, "required": info.is_required(),
                      "default": None if info.is_required() else info.default, "enum": values})
    return specs


def _comment_text(spec: dict[str, Any]) -> str:
    lines = [f"字段 field: {spec['name']}", f"类型 type: {_KIND_TEXT[spec['kind']]}"]
    if spec["enum"]:
        lines.append("可选值 values: " + "、".join(f"{label}({key})" for key, label in spec["enum"].items()))
    if spec["required"]:
        lines.append("必填 required")
    else:
        default = spec["default"]
        if isinstance(default, bool):
            default = "是" if default else "否"
        elif spec["kind"] in ("enum", "enum_list") and isinstance(default, str):
            default = spec["enum"].get(default, default)
        elif default in (None, [], ""):
            default = "空"
        lines.append(f"选填 optional, 默认 default: {default}")
    return "\n".join(lines)


def _write_instructions(workbook: Any) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.active
    sheet.title = INSTRUCTIONS_SHEET
    for row, (head, text) in enumerate(_INSTRUCTIONS, start=1):
        sheet.cell(row=row, column=1, value=head or None).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=text or None).alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    row = len(_INSTRUCTIONS) + 2
    sheet.cell(row=row, column=1, value="工作表").font = Font(bold=True)
    sheet.cell(row=row, column=2, value="记录类型 (英文)").font = Font(bold=True)
    for record_type in RECORD_TYPES:
        row += 1
        sheet.cell(row=row, column=1, value=sheet_name_for(record_type))
        sheet.cell(row=row, column=2, value=record_type)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100


def _write_type_sheet(workbook: Any, record_type: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(sheet_name_for(record_type))
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, spec in enumerate(_column_spec(record_type), start=1):
        letter = get_column_letter(column)
        cell = sheet.cell(row=1, column=column, value=spec["label"])
        cell.font = Font(bold=spec["required"])
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        comment = Comment(_comment_text(spec), "廉检")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        sheet.column_dimensions[letter].width = max(12, 2 * len(spec["label"]) + 4)
        target = f"{letter}2:{letter}{DATA_ROWS + 1}"
        kind = spec["kind"]
        if kind in ("date", "datetime", "money"):
            number_format = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00"}[kind]
            # A column style: Excel gives it to every cell typed into the column.
            sheet.column_dimensions[letter].number_format = number_format
        options: list[str] = []
        if kind in ("enum", "enum_list"):
            options = list(spec["enum"].values())
        elif kind == "bool":
            options = ["是", "否"]
        formula = '"' + ",".join(options) + '"'
        if options and len(formula) <= 257 and not any("," in o for o in options):
            multiple = kind == "enum_list"
            validation = DataValidation(type="list", formula1=formula, allow_blank=True,
                                        showErrorMessage=not multiple, errorStyle="warning",
                                        errorTitle="请从下拉列表选择", showInputMessage=False,
                                        error=("请从下拉列表中选择：" + "、".join(options))[:250])
            validation.add(target)
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def build_template(path: Path | str) -> Path:
    """Write the entry workbook: a 说明 sheet, then one sheet per record type."""
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook()
    _write_instructions(workbook)
    for record_type in RECORD_TYPES:
        _write_type_sheet(workbook, record_type)
    workbook.save(path)
    return path


def json_schema(record_type: str | None = None) -> dict[str, Any]:
    """The JSON Schema (validation side) of one record type, or {type: schema} for all."""
    if record_type is not None:
        if record_type not in RECORD_TYPES:
            known = ", ".join(f"{k} ({v})" for k, v in TYPE_LABELS.items())
            raise KeyError(f"unknown record type {record_type!r}; known: {known}")
        return RECORD_TYPES[record_type].model_json_schema()
    return {name: model.model_json_schema() for name, model in RECORD_TYPES.items()}
