"""What each kind of field must be, checked column by column with polars expressions, and the value
its model would hold: the third step of the columnar path (checker.data.columnar), shared by JSON
Lines and CSV (checker.data.columnar_csv, whose cells take their own checks of numbers and yes/no).

Each kind's function takes the field's plan and its raw column and gives (value, valid): a value
is taken only where every check passes; any other row goes to the general path, which says what is
wrong. Nothing here imports polars: the caller hands it in (`pl`)."""

from __future__ import annotations

import operator
from typing import Any

from checker.data.plain import TOKEN, FieldPlan, Plan
from checker.data.values import FIRST_DATE, LAST_DATE, MAX_AMOUNT_YUAN


class Stages:
    """The intermediate columns of a chunk's checks, each computed once, in levels (a column of
    level n reads only columns of lower levels). An expression used twice in one select is
    evaluated twice: an amount's extraction by regex, read by its value and by its checks, was
    half the cost of a chunk."""

    def __init__(self, pl: Any):
        self.pl, self.levels = pl, []

    def column(self, name: str, expression: Any, level: int) -> Any:
        while len(self.levels) <= level:
            self.levels.append([])
        self.levels[level].append(expression.alias(name))
        return self.pl.col(name)


def checks(plan: Plan, pl: Any, nfkc: bool, kinds: dict[str, Any], cells: bool,
           count_keys: bool) -> tuple[list[list[Any]], list[Any]]:
    """The levels of intermediate columns, then `__ok` (the row is taken) and each field's value
    as its model would hold it, each field checked by its kind's function in `kinds`. `cells`: the
    values are a CSV row's cells (checker.data.columnar_csv), all text; else a JSON line's values.
    `count_keys`: a row may give a key twice (a JSON line), so it must give as many as its values
    decoded (`__keys`)."""
    stages = Stages(pl)
    oks, values = [], []
    if count_keys:
        # Keys given = values decoded, or a key was given twice. A row without a required field is
        # not taken anyway, so only the optional fields need counting.
        optional = [pl.col(f.key).is_not_null().cast(pl.UInt32) for f in plan.taken if not f.required]
        required = sum(f.required for f in plan.taken)
        given = pl.sum_horizontal(*optional) + required if optional else pl.lit(required, pl.UInt32)
        oks.append(pl.col("__keys") == given)
    for f in plan.taken:
        raw = pl.col(f.key)
        check = _id_nfkc if nfkc and f.kind == "id" else kinds[f.kind]
        value, valid = check(f, raw, pl, stages)
        if f.required:
            # No kind's check passes a value not given, null or blank (tests/test_columnar.py): a
            # required field is taken where its check passes, so it needs no test of blank, nor
            # when/then (a row not taken loses its values). Each expression less is some 10 µs less
            # a chunk whatever its rows: the checks cost a chunk of the 1M set's reception file
            # 2.4 ms before its first row.
            oks.append(valid.fill_null(False))
        elif cells or TOKEN[f.kind] == "string":
            # a blank string is a value not given (checker.data.rows `_clean_row`): the default, if
            # any. Only the empty one is taken so here: no kind's check passes any other blank
            # (tests/test_columnar.py `test_no_check_passes_a_value_not_given`), so a row with one
            # (nothing but what str.strip() removes) is the general path's, which reads it alike.
            # An equality, not a match of BLANK: ~25 ns a value less (the 1M set: 3.8 a row).
            missing = stages.column(f"__missing:{f.key}", raw.is_null() | (raw == ""), 0)
            oks.append(missing | valid.fill_null(False))
            if value is not None:  # (a field not given is null here: its worker puts in the model's default)
                value = pl.when(missing).then(None).otherwise(value)
        elif check not in _GIVEN_IS_VALID:  # (true/false, []: null or valid, always taken)
            # a JSON number: not given is null, and so is its value (null in, null out)
            oks.append(raw.is_null() | valid.fill_null(False))
        if value is not None:
            values.append(value.alias(f.name))
    return stages.levels, [pl.all_horizontal(*oks).alias("__ok"), *values]


_BOUNDS = {"ge": operator.ge, "le": operator.le, "gt": operator.gt, "lt": operator.lt}


def within_bounds(value: Any, bounds: dict[str, Any]) -> Any:
    check = value.is_not_null()
    for name, bound in bounds.items():
        if name in _BOUNDS:
            check &= _BOUNDS[name](value, bound)
    return check


def _length(value: Any, bounds: dict[str, Any]) -> Any:
    return value.str.len_chars().is_between(max(1, bounds.get("min_length", 1)), bounds.get("max_length", 1 << 62))


# What Python's str.strip() removes (checker.data.fields: OptStr; blank cells are "not given"). Text
# with one of them at either end is left to the general path, so the fast path never strips.
_PY_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # (none above U+3000)
_PY_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACES)
_EDGE_SPACE = f"^[{_PY_SPACE}]|[{_PY_SPACE}]$"
BLANK = f"^[{_PY_SPACE}]*$"
# An id NFKC leaves alone (printable ASCII) or makes printable ASCII the same way in every Unicode
# version (full-width forms, the ideographic space), then trimmed: checker.data.values.normalise_id.
_ID_FORMS = r"^[ -~\x{3000}\x{FF01}-\x{FF5E}]*$"
_ASCII_ID = r"^[!-~](?:[ -~]*[!-~])?$"
# printable ASCII with something but spaces: trimmed of spaces, it is an _ASCII_ID (one match, not two)
_ASCII_ID_WITH_SPACES = r"^[ -~]*[!-~][ -~]*$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE_TIME = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2}))?)?$"


def _text(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    valid = _length(raw, f.bounds) & ~raw.str.contains(_EDGE_SPACE)
    if "pattern" in f.bounds:  # pydantic-core's regex engine is polars' (Rust regex)
        valid &= raw.str.contains(f.bounds["pattern"])
    return raw, valid


def _id(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    """An id in printable ASCII: NFKC leaves it as it is; trimmed."""
    value = stages.column(f"__value:{f.key}", raw.str.strip_chars(" "), 0)
    return value, raw.str.contains(_ASCII_ID_WITH_SPACES) & _length(value, f.bounds)


def _id_nfkc(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    value = stages.column(f"__value:{f.key}", raw.str.normalize("NFKC").str.strip_chars(" "), 0)
    return value, raw.str.contains(_ID_FORMS) & value.str.contains(_ASCII_ID) & _length(value, f.bounds)


def _date_of(text: Any, f: FieldPlan, stages: Stages, level: int) -> tuple[Any, Any]:
    day = stages.column(f"__day:{f.key}", text.str.to_date("%Y-%m-%d", strict=False), level)
    valid = text.str.contains(_ISO_DATE) & within_bounds(day, f.bounds)
    if f.iso_range:  # parse_date's own range
        valid &= (day >= FIRST_DATE) & (day <= LAST_DATE)
    return day, valid


def _date(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return _date_of(raw, f, stages, 0)


def _datetime(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    """parse_datetime's ISO form: a date, then hours and minutes (and seconds) within a day; a date
    alone is its midnight (as garages' bills give a repair's day)."""
    parts = stages.column(f"__parts:{f.key}", raw.str.extract_groups(_DATE_TIME), 0)
    day, valid = _date_of(parts.struct.field("1"), f, stages, 1)
    hour, minute, second = (parts.struct.field(group).cast(pl.Int64).fill_null(0) for group in ("2", "3", "4"))
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)
    return day.cast(pl.Datetime("us")) + pl.duration(hours=hour, minutes=minute, seconds=second), valid


def _fen(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    """parse_fen of a JSON number: Decimal(str(x)) × 100 of the float x the number reads as, whole
    and within the bound. The grammar took only numbers of at most ten digits before the point
    and two after it (trailing zeros aside): x is the float nearest to that decimal, and str(x)
    gives the decimal back, so the fen are x × 100 rounded to the nearest whole number (x × 100 is
    within a ten-thousandth of it). Any other number is the general path's (which may still read
    it as whole fen)."""
    fen = stages.column(f"__value:{f.key}", (raw * 100).round(0).cast(pl.Int64), 0)
    return fen, (fen <= MAX_AMOUNT_YUAN * 100) & within_bounds(fen, f.bounds)


def _number(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return raw, within_bounds(raw, f.bounds)


def _bool(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return raw, raw.is_not_null()


def _enum(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return raw, raw.is_in(list(f.choices))


def _empty_list(f: FieldPlan, raw: Any, pl: Any, stages: Stages) -> tuple[Any, Any]:
    return None, raw.is_not_null()  # `[]`, the grammar's only list


# The kinds whose every value given is valid (the grammar took only `true`, `false` and `[]`)
_GIVEN_IS_VALID = (_bool, _empty_list)
KIND_CHECKS = {"text": _text, "id": _id, "date": _date, "datetime": _datetime, "fen": _fen, "int": _number,
                "float": _number, "bool": _bool, "enum": _enum,
                "empty_list": _empty_list}
