"""Which facts can take part in a match at all: the tests of a rule's part that read only the fact
itself (a Rete network's "alpha" tests), run before the fact is sent to durable-rules.

A fact that no part of its type can bind can neither match nor join, so the engine's answer is the
same without it. Most facts are such facts — at 1M generated records seven in ten of those a rule
reads — and each one sent costs its payload, its JSON and ~4.5 µs of the engine's own time to
learn what a comparison or two in Python tells first. The engine still decides every match: the
screen only leaves out facts it is *sure* the engine would not bind, and answers "may" whenever the
engine's semantics and Python's could differ (shared/reference/durable-rules-notes.md):

* a value of another kind than the constant (a string against a number, a yes/no against a
  number: the engine then compares them as strings, and `true == 1` holds there), a `null`, or a
  missing field (the part's presence guard, checker.ruleset.matchers, is the test that decides it);
* an ordering (`<`, `>`, ...) between strings, arithmetic, and a comparison with another field;
* every fact of a type that a negation (`unless`) reads: its mere presence cancels matches.

The screen of a record type is one function written for it (`may_bind`), the parts' tests inline,
so a fact that fails costs a few comparisons; a type with a part that has no test the screen can
decide has no screen (every fact is sent). tests/test_engine_screen.py runs the engine with and
without the screen and demands the same matches, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.ruleset import conditions as expr
from checker.ruleset.matchers import Matcher, PartMatcher

Screen = Callable[[dict[str, Any]], bool]

ABSENT = object()  # a field the fact does not carry (unlike a field carried as None: JSON null)
_NUMBERS = "(int, float)"  # bool is not among them: `v.__class__` of True is bool


def screens(found: list[Matcher]) -> dict[str, Screen]:
    """Per record type, the function telling whether some part of that type may bind a fact; types
    with no such function (negated, or a part the screen cannot narrow) send every fact."""
    parts: dict[str, list[PartMatcher]] = {}
    negated: set[str] = set()
    for matcher in found:
        for alternative in matcher.alternatives:
            for part in alternative.parts:
                parts.setdefault(part.record, []).append(part)
            if alternative.unless is not None:
                negated.add(alternative.unless.record)
    made: dict[str, Screen] = {}
    for record, of_type in parts.items():
        tests = [part_tests(part) for part in of_type]
        if record in negated or any(not each for each in tests):
            continue  # a part that may bind any fact of the type: nothing to screen
        made[record] = _compiled(record, tests)
    return made


def part_tests(part: PartMatcher) -> list[tuple[str, str]]:
    """The part's tests that the screen can decide: (field, Python expression over `v_<field>`, the
    field's value or ABSENT if the fact lacks it), each false only where the engine's test is false."""
    found = []
    for cond in part.conditions:
        names = expr.fields_of(cond)
        if any(alias not in (None, part.alias) for alias, _ in names) or ("t" in {n for _, n in names}):
            continue  # reads another record (a join's test), or the type test the screen's dispatch did
        test = condition_test(cond)
        if test is not None:
            found.append((cond.left.name, test))
    return found


def condition_test(cond: expr.Cond) -> str | None:
    """One condition as a Python expression false only where the engine's test is surely false;
    None where the screen cannot tell (it then counts as true)."""
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
    if cond.kind == "cmp" and isinstance(cond.right, expr.Const):
        constant = cond.right.value
        kind = _kind([constant])
        if kind is None or (kind == "str" and cond.op not in ("==", "!=")):
            return None
        return f"({_other_kind(value, kind)} or {value} {cond.op} {constant!r})"
    return None


def _kind(values: list[Any]) -> str | None:
    """"num" or "str" if all the constants are of that kind; None for yes/no, null or a mix."""
    if all(type(v) in (int, float) for v in values):
        return "num"
    if all(type(v) is str for v in values):
        return "str"
    return None


def _other_kind(value: str, kind: str) -> str:
    """True where the value is not of the constants' kind (ABSENT and None included)."""
    return f"{value}.__class__ is not str" if kind == "str" else f"{value}.__class__ not in {_NUMBERS}"


def _variable(name: str) -> str:
    """The local variable holding a field's value (field names are identifiers: schema.py)."""
    return "v_" + (name if name.isidentifier() else "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name))


def _compiled(record: str, tests: list[list[tuple[str, str]]]) -> Screen:
    """`may_bind(fact)` for one record type: any part's tests all true (parts with the same tests
    once). Each field is read once, before the tests."""
    names = sorted({name for each in tests for name, _ in each})
    reads = "".join(f"    {_variable(name)} = get({name!r}, ABSENT)\n" for name in names)
    alike = dict.fromkeys(tuple(test for _, test in each) for each in tests)
    parts = " or\n            ".join("(" + " and ".join(each) + ")" for each in alike)
    source = f"def may_bind(fact):\n    get = fact.get\n{reads}    return bool({parts})\n"
    namespace: dict[str, Any] = {"ABSENT": ABSENT}
    exec(compile(source, f"<screen of {record}>", "exec"), namespace)  # noqa: S102 - our own expressions
    screen = namespace["may_bind"]
    screen.source = source  # read by the tests and when debugging a screen
    return screen
