"""The condition language of rule files, shared by the durable-rules compiler and the reference
evaluator, so both read a condition exactly one way.

A condition is one comparison, written as a rule author would say it:

    escorts > guests / 3            venue in ['private_club', 'entertainment']
    hotel_per_night > $hotel_cap    decision is missing         alcohol      not approved
    person == a.person              depart <= a.return          day >= 2017-09-01

`name` is a field of the record, `a.name` a field of the record joined as `a`, `$name` a rule
parameter (resolved from the profile before compiling), `$row.name` a field of the current row of
a `for_each` table. Dates are written ISO and compared as day numbers. Arithmetic follows the
engine: integer division truncates, anything involving a missing field is missing, and every
comparison with a missing value is false (including `!=`).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    | (?P<param>\$[A-Za-z_][\w.]*)
    | (?P<name>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)?)
    )""", re.VERBOSE)

COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
KEYWORDS = {"in", "is", "missing", "present", "not", "true", "false"}


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    alias: str | None = None


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Cond:
    """kind: cmp | in | missing | present | truthy | falsy"""
    kind: str
    left: Any
    op: str | None = None
    right: Any = None


class _Parser:
    """A recursive-descent parser: one short method per grammar rule (condition, values, sum, term,
    atom), which is why it is one class of a hundred lines rather than functions passing a cursor."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ExprError(f"cannot read {text[pos:]!r} in condition {text!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            raise ExprError(f"expected {expected or 'more'} in condition {self.text!r}")
        self.i += 1
        return token

    def condition(self) -> Cond:
        token = self.peek()
        if token and token == ("name", "not"):
            self.take()
            operand = self.atom()
            return Cond("falsy", operand)
        left = self.sum()
        token = self.peek()
        if token is None:
            return Cond("truthy", left)
        if token[1] in COMPARISONS:
            self.take()
            return Cond("cmp", left, token[1], self.sum())
        if token == ("name", "in"):
            self.take()
            return Cond("in", left, "in", self.values())
        if token == ("name", "is"):
            self.take()
            word = self.take()[1]
            if word == "not":
                word = {"missing": "present", "present": "missing"}.get(self.take()[1], "?")
            if word not in ("missing", "present"):
                raise ExprError(f"expected 'is missing' or 'is present' in {self.text!r}")
            return Cond(word, left)
        raise ExprError(f"unexpected {token[1]!r} in condition {self.text!r}")

    def values(self) -> Any:
        if self.peek() and self.peek()[0] == "param":
            return Param(self.take()[1][1:])
        self.take("[")
        items = []
        while self.peek() and self.peek()[1] != "]":
            items.append(self.atom())
            if self.peek() and self.peek()[1] == ",":
                self.take()
        self.take("]")
        return items

    def sum(self) -> Any:
        node = self.term()
        while self.peek() and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Any:
        node = self.atom()
        while self.peek() and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = BinOp(op, node, self.atom())
        return node

    def atom(self) -> Any:
        kind, text = self.take()
        if text == "(":
            node = self.sum()
            self.take(")")
            return node
        if kind == "date":
            return Const(dt.date.fromisoformat(text).toordinal())
        if kind == "num":
            return Const(float(text) if "." in text else int(text))
        if kind == "str":
            return Const(text[1:-1])
        if kind == "param":
            return Param(text[1:])
        if kind == "name":
            if text in ("true", "false"):
                return Const(text == "true")
            if text in ("in", "is", "not"):  # `missing` and `present` are also field names
                raise ExprError(f"unexpected {text!r} in condition {self.text!r}")
            alias, _, name = text.rpartition(".")
            return Field(name, alias or None)
        raise ExprError(f"unexpected {text!r} in condition {self.text!r}")


@lru_cache(maxsize=4096)
def parse(text: str) -> Cond:
    parser = _Parser(str(text))
    cond = parser.condition()
    if parser.peek() is not None:
        raise ExprError(f"unexpected {parser.peek()[1]!r} at the end of condition {text!r}")
    return cond


# --- parameter binding ----------------------------------------------------------------------------

def bind(node: Any, params: dict[str, Any]) -> Any:
    """Replace `$name` by the parameter's value; dates given as ISO strings become day numbers."""
    if isinstance(node, Param):
        if node.name not in params:
            raise ExprError(f"unknown parameter ${node.name}")
        return Const(_constant(params[node.name]))
    if isinstance(node, BinOp):
        return fold(BinOp(node.op, bind(node.left, params), bind(node.right, params)))
    if isinstance(node, Cond):
        right = node.right
        if isinstance(right, Param):
            value = params.get(right.name)
            if node.kind == "in":
                if not isinstance(value, list):
                    raise ExprError(f"parameter ${right.name} must be a list for 'in'")
                right = [Const(_constant(v)) for v in value]
            else:
                right = bind(right, params)
        elif isinstance(right, list):
            right = [bind(v, params) for v in right]
        elif right is not None:
            right = bind(right, params)
        return Cond(node.kind, bind(node.left, params), node.op, right)
    return node


def fold(node: BinOp) -> Any:
    """Compute arithmetic on two constants here: the engine cannot (`55000 * 116` never matches)."""
    if isinstance(node.left, Const) and isinstance(node.right, Const):
        if node.op == "/" and node.right.value == 0:
            raise ExprError("division by zero")
        return Const(value_of(node, {}, {}))
    return node


def _constant(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value).toordinal()
    return value


def fields_of(node: Any) -> set[tuple[str | None, str]]:
    if isinstance(node, Field):
        return {(node.alias, node.name)}
    if isinstance(node, BinOp):
        return fields_of(node.left) | fields_of(node.right)
    if isinstance(node, Cond):
        found = fields_of(node.left)
        for part in node.right if isinstance(node.right, list) else [node.right]:
            found |= fields_of(part)
        return found
    return set()


# --- reference semantics (pure Python) ------------------------------------------------------------

MISSING = object()


def value_of(node: Any, fact: dict[str, Any], joined: dict[str, dict[str, Any]]) -> Any:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        source = fact if node.alias is None else joined.get(node.alias, {})
        value = source.get(node.name, MISSING)
        return MISSING if value is None else value
    if isinstance(node, BinOp):
        left = value_of(node.left, fact, joined)
        right = value_of(node.right, fact, joined)
        if left is MISSING or right is MISSING:
            return MISSING
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if isinstance(left, int) and isinstance(right, int):
            return int(left / right)  # the engine truncates toward zero
        return left / right
    raise ExprError(f"cannot evaluate {node!r}")


def holds(cond: Cond, fact: dict[str, Any], joined: dict[str, dict[str, Any]] | None = None) -> bool:
    joined = joined or {}
    left = value_of(cond.left, fact, joined) if cond.kind not in ("missing", "present") else None
    if cond.kind == "missing":
        return value_of(cond.left, fact, joined) is MISSING
    if cond.kind == "present":
        return value_of(cond.left, fact, joined) is not MISSING
    if left is MISSING:
        return False
    if cond.kind == "truthy":
        return left is True
    if cond.kind == "falsy":
        return left is False
    if cond.kind == "in":
        return any(left == value_of(v, fact, joined) for v in cond.right)
    right = value_of(cond.right, fact, joined)
    if right is MISSING:
        return False
    try:
        return _PY_CMP[cond.op](left, right)
    except TypeError:
        return False


_PY_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
           ">": operator.gt, ">=": operator.ge}


class predicate:  # noqa: N801 - used as a function: predicate(cond)(fact)
    """`holds(cond, fact)` for one record, prepared once: the common shapes (a field against a
    constant, `in` a list of constants, yes/no, presence) run without walking the tree; anything
    else falls back to `holds`. Same semantics: a missing value is never true. A class rather than
    closures so that what holds it can be pickled (a unit retried in a fresh interpreter)."""

    __slots__ = ("cond", "shape", "name", "wanted", "values", "op", "constant")

    def __init__(self, cond: Cond):
        self.cond, self.shape = cond, "tree"
        left, right = cond.left, cond.right
        if not (isinstance(left, Field) and left.alias is None):
            return
        self.name = left.name
        if cond.kind in ("missing", "present", "truthy", "falsy"):
            self.shape = "presence" if cond.kind in ("missing", "present") else "flag"
            self.wanted = cond.kind in ("present", "truthy")
        elif cond.kind == "in" and all(isinstance(v, Const) for v in right):
            self.shape, self.values = "in", [v.value for v in right]
        elif cond.kind == "cmp" and isinstance(right, Const):
            self.shape, self.op, self.constant = "cmp", cond.op, right.value

    def __call__(self, fact: dict[str, Any]) -> bool:
        shape = self.shape
        if shape == "tree":
            return holds(self.cond, fact)
        value = fact.get(self.name)
        if shape == "presence":
            return (value is not None) is self.wanted
        if shape == "flag":
            return value is self.wanted
        if value is None:
            return False
        if shape == "in":
            return any(value == v for v in self.values)
        try:
            return _PY_CMP[self.op](value, self.constant)
        except TypeError:
            return False
