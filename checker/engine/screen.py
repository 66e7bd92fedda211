"""Which of a unit's facts can take part in a match at all, decided before they are sent to
durable-rules: a Rete network's "alpha" tests (those of a rule's part that read only the fact itself)
and, for a join, its equality tests between parts (a semi-join: a fact whose key no candidate of the
other part shares cannot be joined).

A fact that no part can bind can neither match nor join, so the engine's answer is the same without
it. Most facts are such facts — at 1M generated records seven in ten of those a rule reads — and each
one sent costs its payload, its JSON and several µs of the engine's own time to learn what a
comparison or two in Python tells first. The engine still decides every match: the screen only leaves
out facts it is *sure* the engine would not bind, and answers "may" wherever the engine's semantics
and Python's could differ (shared/reference/durable-rules-notes.md):

* a value of another kind than what it is compared with (a string against a number, a yes/no
  against a number: the engine compares them as strings, and `true == 1` holds there), a null, or a
  missing field (the part's presence guard, checker.ruleset.matchers, is the test that decides it);
* an ordering (`<`, `>`, ...) between strings; arithmetic on anything but numbers, or giving an
  integer beyond what the engine's 64 bits surely hold;
* a join key that is not a string or an integer on every candidate;
* every fact of a type that a negation (`unless`) reads: its mere presence cancels matches.

The alpha tests of a record type's parts are one function written for the type (`may_bind`), each
test inline, so a fact that fails costs a few comparisons. tests/test_engine_screen.py runs the engine
with and without the screen and demands the same matches, in the same order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from checker.ruleset import conditions as expr
from checker.ruleset.matchers import Matcher, PartMatcher

Screen = Callable[[dict[str, Any]], bool]
Test = tuple[str, frozenset[str]]  # a Python expression over `v_<field>` variables, and those fields

ABSENT = object()  # a field the fact does not carry (unlike a field carried as None: JSON null)
_NUMBER = "(int, float)"  # bool is not among them: the `__class__` of True is bool
_ORDERINGS = {"<", "<=", ">", ">="}


class FactScreen:
    """The facts of a unit worth sending, for one set of matchers (`sent`)."""

    def __init__(self, found: list[Matcher]):
        alone: dict[str, list[PartMatcher]] = {}  # parts of alternatives that are not joins
        self._screens: dict[tuple[str, tuple[str, ...]], Screen] = {}  # a join part's, by its tests
        self.joins: list[_Join] = []
        self.open: set[str] = set()  # types sent whole
        for matcher in found:
            for alternative in matcher.alternatives:
                if alternative.unless is not None:
                    self.open.add(alternative.unless.record)  # a negated type: its presence alone counts
                if len(alternative.parts) > 1:
                    self.joins.append(_Join(alternative.parts, self._part_screen))
                else:
                    alone.setdefault(alternative.parts[0].record, []).append(alternative.parts[0])
        self.alone: dict[str, Screen] = {}
        for record, parts in alone.items():
            tests = [part_tests(part) for part in parts]
            if any(not each for each in tests):
                self.open.add(record)  # a part that may bind any fact of the type
            elif record not in self.open:
                self.alone[record] = compiled(record, tests)
        self.joined = {record for join in self.joins for record, _ in join.parts}

    def _part_screen(self, record: str, tests: list[Test]) -> Screen:
        """One function for the parts with the same tests (a self-join's two parts, joins on one record)."""
        key = (record, tuple(text for text, _ in tests))
        if key not in self._screens:
            self._screens[key] = compiled(record, [tests])
        return self._screens[key]

    def sent(self, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The facts some part may bind, in their order."""
        kept: set[int] = set()
        of_type: dict[str, list[dict[str, Any]]] = {}  # the facts of joined types (sent whole or not), for the joins
        open_, alone, joined = self.open, self.alone, self.joined
        for fact in facts:
            kind = fact["t"]
            if kind in joined:
                of_type.setdefault(kind, []).append(fact)
            if kind in open_:
                kept.add(id(fact))
                continue
            test = alone.get(kind)
            if test is not None and test(fact):
                kept.add(id(fact))
        passing: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for join in self.joins:
            kept.update(map(id, join.bindable(of_type, passing)))
        return [fact for fact in facts if id(fact) in kept]


class _Join:
    """A join's parts, each with its alpha tests, and the equality tests linking two of them (a key
    of one or more fields each side), which a fact must be able to meet for the join to bind it."""

    def __init__(self, parts: tuple[PartMatcher, ...], screen_of: Callable[[str, list[Test]], Screen]):
        self.parts = [(part.record, screen_of(part.record, tests) if (tests := part_tests(part)) else None)
                      for part in parts]
        index = {part.alias: number for number, part in enumerate(parts)}
        keys: dict[tuple[int, int], list[tuple[str, str]]] = {}  # (earlier, later) -> (its field, later's)
        distinct: set[tuple[int, int]] = set()
        for later, part in enumerate(parts):
            for cond in part.conditions:
                pair = _link(cond, part.alias)
                if pair is None or pair[1].alias not in index:
                    continue
                own, other = pair
                earlier = index[other.alias]
                if cond.op == "==":
                    keys.setdefault((earlier, later), []).append((other.name, own.name))
                elif own.name == other.name and cond.op in ("<", ">", "!="):  # `rid > a.rid`: never the same fact
                    distinct.add((earlier, later))
        self.links = [(i, j, tuple(a for a, _ in fields), tuple(b for _, b in fields), (i, j) in distinct)
                      for (i, j), fields in keys.items()]

    def bindable(self, of_type: dict[str, list[dict[str, Any]]],
                 passing: dict[tuple[str, int], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The facts that may be bound to some part: passing its alpha tests and, for each link, sharing
        the key of some candidate of the linked part (another fact, where the parts must differ).
        `passing` keeps a unit's facts passing each test, for the parts and joins with the same tests."""
        candidates = []
        for record, test in self.parts:
            if test is None:
                candidates.append(of_type.get(record, []))
                continue
            found = passing.get((record, id(test)))
            if found is None:
                found = passing[(record, id(test))] = [f for f in of_type.get(record, ()) if test(f)]
            candidates.append(found)
        for i, j, key_i, key_j, distinct in self.links:
            if not candidates[i] or not candidates[j]:
                return []
            keys_i, keys_j = _keys(key_i, candidates[i]), _keys(key_j, candidates[j])
            if not _same_kind(keys_i, keys_j):
                continue  # a key the engine may compare as strings: left to it
            candidates[j], keys_j = _meeting(candidates[j], keys_j, candidates[i], keys_i, distinct)
            candidates[i], _ = _meeting(candidates[i], keys_i, candidates[j], keys_j, distinct)
        if not all(candidates):
            return []
        return [fact for each in candidates for fact in each]


def _keys(fields: tuple[str, ...], facts: list[dict[str, Any]]) -> list[Any]:
    """Each fact's key: the field's value, or a tuple of several (a part's presence guards make sure
    its facts carry them; a fact without one would have a key of None, which `_same_kind` refuses)."""
    try:
        return list(map(itemgetter(*fields), facts))
    except KeyError:
        return [tuple(f.get(name) for name in fields) if len(fields) > 1 else f.get(fields[0]) for f in facts]


def _meeting(facts: list[dict[str, Any]], keys: list[Any], others: list[dict[str, Any]], other_keys: list[Any],
             distinct: bool) -> tuple[list[dict[str, Any]], list[Any]]:
    """`facts` whose key some fact of `others` has (another fact than itself, if `distinct`), and their keys."""
    count = Counter(other_keys)
    if distinct:
        among = {id(other) for other in others}
        kept = [(f, k) for f, k in zip(facts, keys, strict=True) if count[k] - (id(f) in among) > 0]
    else:
        kept = [(f, k) for f, k in zip(facts, keys, strict=True) if k in count]
    return [f for f, _ in kept], [k for _, k in kept]


def _same_kind(keys: list[Any], other_keys: list[Any]) -> bool:
    """Whether each key field holds strings on every fact of both sides, or integers on every fact."""
    if keys and type(keys[0]) is tuple:
        columns = zip(zip(*keys, strict=True), zip(*other_keys, strict=True), strict=True)
        return all(_same_kind(list(mine), list(theirs)) for mine, theirs in columns)
    kinds = set(map(type, keys))
    kinds.update(map(type, other_keys))
    return kinds == {str} or kinds == {int}


def _link(cond: expr.Cond, alias: str) -> tuple[expr.Field, expr.Field] | None:
    """(this part's field, the other part's field) of a comparison between two parts' plain fields."""
    if cond.kind != "cmp" or not (isinstance(cond.left, expr.Field) and isinstance(cond.right, expr.Field)):
        return None
    left, right = cond.left, cond.right
    if left.alias in (None, alias) and right.alias not in (None, alias):
        return left, right
    if right.alias in (None, alias) and left.alias not in (None, alias):
        return right, left
    return None


def part_tests(part: PartMatcher) -> list[Test]:
    """The part's tests that the screen can decide, as Python expressions over `v_<field>` (the
    field's value, ABSENT if the fact lacks it), each false only where the engine's test is false."""
    found = []
    for cond in part.conditions:
        names = expr.fields_of(cond)
        if any(alias not in (None, part.alias) for alias, _ in names) or ("t" in {n for _, n in names}):
            continue  # reads another record (a join's test), or the type test the screen's dispatch did
        test = condition_test(cond)
        if test is not None:
            found.append((_cost(cond), test, frozenset(name for _, name in names)))
    # the tests most facts fail, cheaply, first: a fact that fails a part then costs one test, not its
    # presence guards too (their order changes no answer: each test alone reads ABSENT as "may")
    return [(test, names) for _, test, names in sorted(found, key=lambda each: each[0])]


def _cost(cond: expr.Cond) -> int:
    """Where a test goes in its part: a field against constants, a yes/no, fields compared, arithmetic,
    presence."""
    if cond.kind in ("present", "missing"):
        return 5
    if cond.kind in ("truthy", "falsy"):
        return 1
    if cond.kind == "in" or isinstance(cond.right, expr.Const):
        return 0 if cond.op in (None, "==") else 2
    return 3 if isinstance(cond.right, expr.Field) else 4


def condition_test(cond: expr.Cond) -> str | None:
    """One condition on the fact's own fields as a Python expression false only where the engine's
    test is surely false; None where the screen cannot tell (it then counts as true)."""
    left = cond.left
    if not isinstance(left, expr.Field):
        return None
    value = _variable(left.name)
    if cond.kind == "present":  # `$ex`: false only for a field the fact lacks (null is carried)
        return f"{value} is not ABSENT"
    if cond.kind == "missing":  # `$nex`: true only for a field the fact lacks; a null may go either way
        return f"({value} is ABSENT or {value} is None)"
    if cond.kind in ("truthy", "falsy"):  # `{field: true}`: false for the other yes/no; `1 == true` holds
        return f"{value} is not {cond.kind == 'falsy'}"
    if cond.kind == "in":
        if not cond.right or not all(isinstance(v, expr.Const) for v in cond.right):
            return None
        values = [v.value for v in cond.right]
        kind = _kind(values)
        return None if kind is None else f"({_other_kind(value, kind)} or {value} in {tuple(values)!r})"
    if cond.kind != "cmp":
        return None
    if isinstance(cond.right, expr.Const):
        kind = _kind([cond.right.value])
        if kind is None or (kind == "str" and cond.op in _ORDERINGS):
            return None
        return f"({_other_kind(value, kind)} or {value} {cond.op} {cond.right.value!r})"
    if isinstance(cond.right, expr.Field):  # two of its fields: both numbers, or two strings tested (in)equal
        other = _variable(cond.right.name)
        numbers = f"{value}.__class__ in {_NUMBER} and {other}.__class__ in {_NUMBER}"
        strings = "" if cond.op in _ORDERINGS else f" or {value}.__class__ is str and {other}.__class__ is str"
        return f"({value} {cond.op} {other} if {numbers}{strings} else True)"
    arithmetic = _arithmetic(cond.right)
    if arithmetic is None:
        return None
    # In general the right side is computed a step at a time (`_computed`): UNKNOWN (not numbers, or an
    # integer the engine's 64 bits may not hold) is "may". Where every field is an integer small enough
    # that no step can leave the engine's range (`_field_bound`), the usual case, it is one expression.
    general = (f"((_right := {arithmetic}) is UNKNOWN or {value}.__class__ not in {_NUMBER} or "
               f"{value} {cond.op} _right)")
    plain, bound = _plain_arithmetic(cond.right), _field_bound(cond.right)
    if plain is None or bound is None:
        return general
    integers = " and ".join(f"{v}.__class__ is int and -{bound} < {v} < {bound}"
                            for v in (_variable(name) for _, name in sorted(expr.fields_of(cond.right))))
    return f"({value} {cond.op} {plain} if {value}.__class__ in {_NUMBER} and {integers} else {general})"


def _field_bound(node: Any) -> int | None:
    """The largest power of two such that, with every field below it in size, no step of the arithmetic
    goes beyond `_LIMIT`; None if even 2 is too large, or there is no field."""
    def largest(each: Any, bound: int) -> int:  # the largest size a step can reach
        if isinstance(each, expr.Const):
            return abs(each.value)
        if isinstance(each, expr.Field):
            return bound
        left, right = largest(each.left, bound), largest(each.right, bound)
        size = left * right if each.op == "*" else left + right if each.op in "+-" else left
        return max(size, left, right)

    if not expr.fields_of(node):
        return None
    found = [1 << bits for bits in range(62, 0, -1) if largest(node, 1 << bits) < _LIMIT]
    return found[0] if found else None


def _plain_arithmetic(node: Any) -> str | None:
    """The arithmetic as one Python expression, for integer fields (None with a float constant)."""
    if isinstance(node, expr.Const):
        return repr(node.value) if type(node.value) is int else None
    if isinstance(node, expr.Field):
        return _variable(node.name)
    left, right = _plain_arithmetic(node.left), _plain_arithmetic(node.right)
    if left is None or right is None:
        return None
    return f"_toward_zero({left}, {right})" if node.op == "/" else f"({left} {node.op} {right})"


def _toward_zero(dividend: int, divisor: int) -> int:
    """The engine's integer division (by a non-zero constant: checker.engine.durable): toward zero,
    where Python's `//` goes toward minus infinity."""
    quotient = abs(dividend) // abs(divisor)
    return quotient if (dividend < 0) == (divisor < 0) else -quotient


def _arithmetic(node: Any) -> str | None:
    """Arithmetic over the fact's fields and numeric constants as Python calls giving the engine's
    result or UNKNOWN (`_computed`)."""
    if isinstance(node, expr.Const):
        return repr(node.value) if type(node.value) in (int, float) else None
    if isinstance(node, expr.Field):
        return _variable(node.name) if node.alias is None else None
    if not isinstance(node, expr.BinOp):
        return None
    left, right = _arithmetic(node.left), _arithmetic(node.right)
    if left is None or right is None:
        return None
    return f"_computed({node.op!r}, {left}, {right})"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
_LIMIT = 1 << 62  # an integer result beyond it may have overflowed the engine's 64-bit integers


def _computed(op: str, left: Any, right: Any) -> Any:
    """One step of the engine's arithmetic: integers stay integers (division truncated toward zero,
    not Python's `//`), anything with a float is a double, as in Python (tests/test_engine_screen.py
    compares both on random values). UNKNOWN for anything else, or an integer too large to trust."""
    if left.__class__ not in (int, float) or right.__class__ not in (int, float):
        return UNKNOWN  # ABSENT, None, a string, a yes/no, or UNKNOWN itself
    if not (_trusted(left) and _trusted(right)):
        return UNKNOWN
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif left.__class__ is int and right.__class__ is int:
        result = _toward_zero(left, right)
    else:
        result = left / right
    return result if _trusted(result) else UNKNOWN


def _trusted(number: int | float) -> bool:
    return number.__class__ is not int or -_LIMIT < number < _LIMIT


def _kind(values: list[Any]) -> str | None:
    """"num" or "str" if all the constants are of that kind; None for yes/no, null or a mix."""
    if all(type(v) in (int, float) for v in values):
        return "num"
    if all(type(v) is str for v in values):
        return "str"
    return None


def _other_kind(value: str, kind: str) -> str:
    """True where the value is not of the constants' kind (ABSENT and None included)."""
    return f"{value}.__class__ is not str" if kind == "str" else f"{value}.__class__ not in {_NUMBER}"


def _variable(name: str) -> str:
    """The local variable holding a field's value (field names are identifiers: schema.py)."""
    return "v_" + (name if name.isidentifier() else "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name))


def compiled(record: str, tests: list[list[Test]]) -> Screen:
    """`may_bind(fact)` for parts of one record type: true once a part's tests all hold (parts with the
    same tests once). Written as nested `if`s, each field read just before the first test that needs
    it: most facts fail each part's first test, so they read only the fields of those."""
    lines = ["def may_bind(fact):", "    get = fact.get"]
    read_first: set[str] = set()  # fields read outside any `if`: there for every later part
    for part in dict.fromkeys(tuple(each) for each in tests):
        read, depth = set(read_first), 1
        for text, fields in part:
            for name in sorted(fields - read):
                lines.append(f"{'    ' * depth}{_variable(name)} = get({name!r}, ABSENT)")
                read.add(name)
                if depth == 1:
                    read_first.add(name)
            lines.append(f"{'    ' * depth}if {text}:")
            depth += 1
        lines.append(f"{'    ' * depth}return True")
    lines.append("    return False")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"ABSENT": ABSENT, "UNKNOWN": UNKNOWN, "_computed": _computed,
                                 "_toward_zero": _toward_zero}
    exec(compile(source, f"<screen of {record}>", "exec"), namespace)  # noqa: S102 - our own expressions
    screen = namespace["may_bind"]
    screen.source = source  # read by the tests and when debugging a screen
    return screen
