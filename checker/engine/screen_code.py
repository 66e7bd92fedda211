"""The screen's tests of a fact's own fields (checker.engine.screen) as Python code: each rule
part's conditions as expressions false only where durable-rules' test is surely false (`part_tests`,
`condition_test`), and a record type's parts as one function of nested `if`s (`compiled`).

Where the engine's semantics and Python's could differ (shared/reference/durable-rules-notes.md) a test
is "may" (true): a value of another kind than what it is compared with, a null or a missing field
(the part's presence guard decides it), an ordering between strings, arithmetic on anything but
numbers or beyond the engine's 64-bit integers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.ruleset import conditions as expr
from checker.ruleset.matchers import PartMatcher

Screen = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]  # the facts of a run kept
Test = tuple[str, frozenset[str]]  # a Python expression over `v_<field>` variables, and those fields

ABSENT = object()  # a field the fact does not carry (unlike a field carried as None: JSON null)
NUMBER = "(int, float)"  # bool is not among them: the `__class__` of True is bool
ORDERINGS = {"<", "<=", ">", ">="}


def part_tests(part: PartMatcher) -> list[Test]:
    """The part's tests that the screen can decide, as Python expressions over `v_<field>` (the
    field's value, ABSENT if the fact lacks it), each false only where the engine's test is false.
    A field's bounds (`>= 1`, `<= 5`) are one test, and so are its `!=` tests against strings."""
    found = []
    bounds: dict[str, list[expr.Cond]] = {}  # a field's comparisons with constants of one kind, merged
    for cond in part.conditions:
        names = expr.fields_of(cond)
        if any(alias not in (None, part.alias) for alias, _ in names) or ("t" in {n for _, n in names}):
            continue  # reads another record (a join's test), or the type test the screen's dispatch did
        if (merged := _mergeable(cond)) is not None:
            if merged not in bounds:
                found.append((_cost(cond), merged, frozenset(name for _, name in names)))
            bounds.setdefault(merged, []).append(cond)
            continue
        test = condition_test(cond)
        if test is not None:
            found.append((_cost(cond), test, frozenset(name for _, name in names)))
    # the tests most facts fail, cheaply, first: a fact that fails a part then costs one test, not its
    # presence guards too (their order changes no answer: each test alone reads ABSENT as "may")
    return [(_bounds_test(bounds[test]) if test in bounds else test, names)
            for _, test, names in sorted(found, key=lambda each: each[0])]


def _mergeable(cond: expr.Cond) -> str | None:
    """For a comparison of a field with a number (not `==`), or `!=` a string: what a field's such
    comparisons are merged under (a test each is decided as its own, so all of them at once is theirs
    together)."""
    if cond.kind != "cmp" or not isinstance(cond.left, expr.Field) or not isinstance(cond.right, expr.Const):
        return None
    kind = _kind([cond.right.value])
    if kind == "num" and cond.op in ORDERINGS | {"!="} or kind == "str" and cond.op == "!=":
        return f"{kind} {cond.left.name}"
    return None


def _bounds_test(conds: list[expr.Cond]) -> str:
    """A field's comparisons with constants of one kind as one test: false only if the field holds a
    value of that kind failing one of them (`_mergeable`)."""
    if len(conds) == 1:
        return condition_test(conds[0]) or "True"
    value, kind = variable(conds[0].left.name), _kind([conds[0].right.value]) or "num"
    unequal = [c.right.value for c in conds if c.op == "!="]
    tests = [f"{value} {c.op} {c.right.value!r}" for c in conds if c.op != "!="]
    if unequal:  # a set of constants: one hash, not a comparison each
        tests.append(f"{value} not in {{{', '.join(map(repr, unequal))}}}" if len(unequal) > 1
                     else f"{value} != {unequal[0]!r}")
    return f"({_other_kind(value, kind)} or {' and '.join(tests)})"


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
    value = variable(left.name)
    if cond.kind == "present":  # `$ex`: false only for a field the fact lacks (null is carried)
        return _presence_test(left.name)
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
        if kind is None or (kind == "str" and cond.op in ORDERINGS):
            return None
        return f"({_other_kind(value, kind)} or {value} {cond.op} {cond.right.value!r})"
    if isinstance(cond.right, expr.Field):  # two of its fields: both numbers, or two strings tested (in)equal
        other = variable(cond.right.name)
        numbers = f"{value}.__class__ in {NUMBER} and {other}.__class__ in {NUMBER}"
        strings = "" if cond.op in ORDERINGS else f" or {value}.__class__ is str and {other}.__class__ is str"
        return f"({value} {cond.op} {other} if {numbers}{strings} else True)"
    arithmetic = _arithmetic(cond.right)
    if arithmetic is None:
        return None
    # In general the right side is computed a step at a time (`_computed`): UNKNOWN (not numbers, or an
    # integer the engine's 64 bits may not hold) is "may". Where every field is an integer small enough
    # that no step can leave the engine's range (`_field_bound`), the usual case, it is one expression.
    general = (f"((_right := {arithmetic}) is UNKNOWN or {value}.__class__ not in {NUMBER} or "
               f"{value} {cond.op} _right)")
    plain, bound = _plain_arithmetic(cond.right), _field_bound(cond.right)
    if plain is None or bound is None:
        return general
    integers = " and ".join(f"{v}.__class__ is int and -{bound} < {v} < {bound}"
                            for v in (variable(name) for _, name in sorted(expr.fields_of(cond.right))))
    return f"({value} {cond.op} {plain} if {value}.__class__ in {NUMBER} and {integers} else {general})"


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
        return variable(node.name)
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
        return variable(node.name) if node.alias is None else None
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
    return f"{value}.__class__ is not str" if kind == "str" else f"{value}.__class__ not in {NUMBER}"


def variable(name: str) -> str:
    """The local variable holding a field's value (field names are identifiers: schema.py)."""
    return "v_" + (name if name.isidentifier() else "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name))


def compiled(record: str, tests: list[list[Test]]) -> Screen:
    """`kept(facts)` for parts of one record type: the facts for which some part's tests all hold, in
    their order. One loop over a run of facts, not a function called per fact (filter's call of a
    Python function cost ~0.15 µs a fact, about a third of a fact's screening at 1M). The tests are
    nested `if`s, each field read just before the first test that needs it: most facts fail each
    part's first test, so they read only the fields of those. Parts that begin with the same tests
    share them (`_prefixes`): each is tested once a fact. A single part testing only that fields are
    present (a join's part, often) is one comparison of the fact's keys, in C."""
    needed = _presence_only(tests)
    if not all(tests):  # a part without tests binds any fact
        lines = ["def kept(facts):", "    return list(facts)"]
    elif needed is not None:
        lines = ["def kept(facts):", f"    return [fact for fact in facts if fact.keys() >= NEEDED]  # {needed}"]
    else:
        lines = ["def kept(facts):", "    found = []", "    append = found.append", "    for fact in facts:",
                 "        get = fact.get"]
        _write_prefixes(_prefixes(tests), 2, set(), lines)
        lines.append("    return found")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"ABSENT": ABSENT, "UNKNOWN": UNKNOWN, "_computed": _computed,
                                 "_toward_zero": _toward_zero, "NEEDED": frozenset(needed or ())}
    exec(compile(source, f"<screen of {record}>", "exec"), namespace)  # noqa: S102 - our own expressions
    screen = namespace["kept"]
    screen.source = source  # read by the tests and when debugging a screen
    return screen


def _presence_test(name: str) -> str:
    """The test that a field is present, as `condition_test` writes it and `_presence_only` knows it."""
    return f"{variable(name)} is not ABSENT"


def _presence_only(tests: list[list[Test]]) -> list[str] | None:
    """The fields of a single part whose tests are all presence tests (`condition_test`'s form), sorted;
    None otherwise."""
    if len(tests) != 1 or not tests[0]:
        return None
    fields = [name for text, names in tests[0] for name in names]
    if len(fields) != len(tests[0]) or any(text != _presence_test(name)
                                           for (text, _), name in zip(tests[0], fields, strict=True)):
        return None
    return sorted(fields)


_Prefixes = dict[str, tuple[frozenset[str], "_Prefixes | None"]]  # a test -> its fields, what follows (None: a part ends)


def _prefixes(tests: list[list[Test]]) -> _Prefixes:
    """The parts' tests as a tree: the parts that begin with the same tests go down the same branch,
    in the order their first part came. Once a part's tests all hold the fact may bind: any longer
    part on its branch needs no tests."""
    root: _Prefixes = {}
    for part in tests:
        branch: _Prefixes | None = root
        for text, fields in part:
            if branch is None:
                break  # a shorter part holds already
            if text not in branch:
                branch[text] = (fields, {})
            branch = branch[text][1]
        else:
            if branch is not None:  # the part ends here: whatever followed is not needed
                parent = root
                for text, _ in part[:-1]:
                    parent = parent[text][1]
                parent[part[-1][0]] = (part[-1][1], None)
    return root


def _write_prefixes(tree: _Prefixes, depth: int, read: set[str], lines: list[str]) -> None:
    """The tree's tests as nested `if`s at `depth`; `read`: the fields read already wherever this runs."""
    read = set(read)  # a field read at this depth is read for every later test at it, and below
    indent = "    " * depth
    for text, (fields, after) in tree.items():
        for name in sorted(fields - read):
            lines.append(f"{indent}{variable(name)} = get({name!r}, ABSENT)")
            read.add(name)
        lines.append(f"{indent}if {text}:")
        if after is None:  # a part's tests all hold: the fact is kept, and tested no further
            lines += [f"{indent}    append(fact)", f"{indent}    continue"]
        else:
            _write_prefixes(after, depth + 1, read, lines)
