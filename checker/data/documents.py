"""JSON array and YAML list files read item by item, so that a bad item is an error at its row
(its position in the list, from 1) and the items around it are still read:
- an item nested too deeply for the parser, or holding a number of more than 4,300 digits;
- an object or mapping giving a key twice (json and PyYAML would silently keep one value);
- an item over lines that are not in the file's encoding.
A file that is not a list, or not JSON/YAML at all, is still refused whole (no item of it can be
trusted to be where it seems).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import yaml

from checker.data import yamlio
from checker.data.records import RowProblem, keys_given_twice

_TOO_DEEP = RowProblem.of("嵌套过深，不是一条记录 / nested too deeply to be a record")
_TOO_LONG = RowProblem.of("数字位数过多（超过 4300 位） / a number has more than 4,300 digits")
_WHITESPACE = " \t\r\n"


class _RepeatedKeys(dict):
    """An object that gave a key twice: `keys` are the repeated ones."""
    keys_given: list[str]


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(items)
    if len(mapping) == len(items):
        return mapping
    repeated = _RepeatedKeys(mapping)
    repeated.keys_given = [key for key, count in Counter(key for key, _ in items).items() if count > 1]
    return repeated


def json_array_rows(text: str, bad_lines: dict[int, str]) -> list[tuple[int, Any]]:
    """(row, item or the RowProblem standing for it) for each item of a JSON array. Raises ValueError
    (a JSONDecodeError locating it) if the text is not one JSON array."""
    decoder = json.JSONDecoder(object_pairs_hook=_pairs)
    position = _skip(text, 0)
    if not text.startswith("[", position):
        if position == len(text):
            json.loads(text)  # the decoder's own message for an empty file
        raise ValueError("一个 .json 记录文件应当是一个对象数组 / a .json record file must hold an array of objects")
    rows: list[tuple[int, Any]] = []
    position = _skip(text, position + 1)
    line, counted = 1, 0  # the line number at text[counted]
    while not text.startswith("]", position):
        start = position
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            raise
        except RecursionError:
            item, position = _TOO_DEEP, _end_of_value(text, start)
        except ValueError:  # Python reads no integer of more than 4,300 digits
            item, position = _TOO_LONG, _end_of_value(text, start)
        line += text.count("\n", counted, start)
        first = line
        line += text.count("\n", start, position)
        counted = position
        rows.append((len(rows) + 1, _item(item, range(first, line + 1), bad_lines)))
        position = _skip(text, position)
        if text.startswith(",", position):
            position = _skip(text, position + 1)
            if text.startswith("]", position):
                raise json.JSONDecodeError("Expecting value", text, position)
        elif not text.startswith("]", position):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
    end = _skip(text, position + 1)
    if end < len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return rows


def _item(item: Any, lines: range, bad_lines: dict[int, str]) -> Any:
    problems = [bad_lines[number] for number in lines if number in bad_lines]
    if problems:
        return RowProblem(tuple((None, problem, None) for problem in dict.fromkeys(problems)))
    if isinstance(item, _RepeatedKeys):
        return keys_given_twice(item.keys_given)
    return item


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _end_of_value(text: str, start: int) -> int:
    """Where the JSON value starting at `start` ends, found by counting brackets outside strings
    (the parser could not get there: the value is nested too deeply, or holds a huge number)."""
    depth, position, in_string = 0, start, False
    while position < len(text):
        char = text[position]
        if in_string:
            if char == "\\":
                position += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return position + 1
            if depth < 0:  # the array's own end: the value was a scalar
                return position
        elif char == "," and depth == 0:
            return position
        position += 1
    return position


def yaml_list_rows(text: str, bad_lines: dict[int, str]) -> list[tuple[int, Any]]:
    """(row, item or the RowProblem standing for it) for each item of a YAML list; every scalar is
    text (see yamlio). Raises ValueError or a YAMLError if the text is not one YAML list."""
    loader, node = yamlio.compose_data(text)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ValueError("一个 .yaml 记录文件应当是一个映射列表 / a .yaml record file must hold a list of mappings")
    rows: list[tuple[int, Any]] = []
    for number, item in enumerate(node.value, start=1):
        end = item.end_mark  # 0-based; at column 0 the item ended with the line before
        lines = range(item.start_mark.line + 1, end.line + (2 if end.column else 1))
        problems = [bad_lines[line] for line in lines if line in bad_lines]
        keys = [key.value for key, _ in item.value if isinstance(key, yaml.ScalarNode)] \
            if isinstance(item, yaml.MappingNode) else []
        if problems:
            rows.append((number, RowProblem(tuple((None, problem, None) for problem in dict.fromkeys(problems)))))
        elif len(set(keys)) < len(keys):
            rows.append((number, keys_given_twice([key for key, count in Counter(keys).items() if count > 1])))
        else:
            rows.append((number, yamlio.construct(loader, item)))
    return rows
