"""Which of a unit's facts can take part in a match at all, decided before they are sent to
durable-rules: a Rete network's "alpha" tests (those of a rule's part that read only the fact itself)
and, for a join, its tests between parts: a fact whose key (its equality tests) no candidate of the
other part shares cannot be joined (a semi-join), nor one that passes the other comparisons between
the parts (`depart <= a.return`) with none of the candidates sharing its key.

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

The alpha tests of a record type's parts are one function written for the type (`kept`, made in
checker.engine.screen_code), a loop over a run of its facts with each test inline, so a fact that
fails costs a few comparisons; a join's comparisons between two parts are one function too (`meets`). tests/test_engine_screen.py runs the
engine with and without the screen and demands the same matches, in the same order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import compress, groupby
from operator import itemgetter
from typing import Any

from checker.engine.screen_code import ABSENT, NUMBER, ORDERINGS, Screen, Test, compiled, part_tests, variable
from checker.ruleset import conditions as expr
from checker.ruleset.matchers import Matcher, PartMatcher

_TYPE = itemgetter("t")


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
        """The facts some part may bind, in their order. Facts come a type at a time (checker.facts.derive
        makes them so), so they are taken by runs of one type: a type's test is looked up once a run."""
        runs: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = []  # (type, run, those kept)
        of_type: dict[str, list[dict[str, Any]]] = {}  # the facts of joined types (sent whole or not), for the joins
        open_, alone, joined = self.open, self.alone, self.joined
        for kind, each in groupby(facts, key=_TYPE):
            run = list(each)
            if kind in joined:
                of_type.setdefault(kind, []).extend(run)
            if kind in open_:
                runs.append((kind, run, run))
            elif (test := alone.get(kind)) is not None:
                runs.append((kind, run, test(run)))
            elif kind in joined:
                runs.append((kind, run, []))
        if not of_type:
            return [fact for _, _, kept in runs for fact in kept]
        passing: dict[tuple[str, int], list[dict[str, Any]]] = {}
        bound: set[int] = set()  # the joins' candidates
        for join in self.joins:
            bound.update(map(id, join.bindable(of_type, passing)))
        sent = []
        for kind, run, kept in runs:
            if kind not in joined or kind in open_ or not bound:
                sent += kept
            elif len(kept) == len(run):
                sent += run
            else:  # those its own tests keep and those a join may bind, in their order
                more = bound.union(map(id, kept)) if kept else bound
                sent += compress(run, map(more.__contains__, map(id, run)))
        return sent


class _Join:
    """A join's parts, each with its alpha tests, and the tests linking two of them — equalities (a key
    of one or more fields each side) and other comparisons (`meets`) — which a fact must be able to
    pass with some candidate of the other part for the join to bind it."""

    def __init__(self, parts: tuple[PartMatcher, ...], screen_of: Callable[[str, list[Test]], Screen]):
        self.parts = [(part.record, screen_of(part.record, tests) if (tests := part_tests(part)) else None)
                      for part in parts]
        index = {part.alias: number for number, part in enumerate(parts)}
        keys: dict[tuple[int, int], list[tuple[str, str]]] = {}  # (earlier, later) -> (its field, later's)
        distinct: set[tuple[int, int]] = set()
        crossing: dict[tuple[int, int], list[Test]] = {}  # (earlier, later) -> their other comparisons
        for later, part in enumerate(parts):
            for cond in part.conditions:
                pair = _link(cond, part.alias)
                if pair is None or pair[1].alias not in index:
                    continue
                own, other = pair
                earlier = index[other.alias]
                if cond.op == "==":
                    keys.setdefault((earlier, later), []).append((other.name, own.name))
                    continue
                if own.name == other.name and cond.op in ("<", ">", "!="):  # `rid > a.rid`: never the same fact
                    distinct.add((earlier, later))  # (and for two facts, strings: may)
                elif (test := _cross_test(cond, part.alias)) is not None:
                    crossing.setdefault((earlier, later), []).append(test)
        self.links = [(i, j, tuple(a for a, _ in keys.get((i, j), ())), tuple(b for _, b in keys.get((i, j), ())),
                       (i, j) in distinct, _meeting_code((i, j) in distinct, crossing[(i, j)]) if (i, j) in crossing
                       else None)
                      for i, j in sorted({*keys, *crossing})]

    def bindable(self, of_type: dict[str, list[dict[str, Any]]],
                 passing: dict[tuple[str, int], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The facts that may be bound to some part: passing its alpha tests and, for each link, sharing
        the key of some candidate of the linked part (another fact, where the parts must differ) and
        passing the link's other comparisons with one such candidate.
        `passing` keeps a unit's facts passing each test, for the parts and joins with the same tests."""
        candidates = []
        for record, test in self.parts:
            if test is None:
                candidates.append(of_type.get(record, []))
                continue
            found = passing.get((record, id(test)))
            if found is None:
                found = passing[(record, id(test))] = test(of_type.get(record, []))
            candidates.append(found)
        for i, j, key_i, key_j, distinct, meets in self.links:
            if not candidates[i] or not candidates[j]:
                return []
            # a part joined with another of the same tests on the same key (a fill and another fill of its
            # vehicle and day): the same candidates each side, so their keys are made once
            itself = candidates[i] is candidates[j] and key_i == key_j
            keys_i = _keys(key_i, candidates[i])
            keys_j = keys_i if itself else _keys(key_j, candidates[j])
            if not _same_kind(keys_i, keys_j):
                continue  # a key the engine may compare as strings: left to it
            if meets is not None:
                candidates[i], candidates[j] = _paired(candidates[i], keys_i, candidates[j], keys_j, meets)
            elif itself:  # both sides keep the facts whose key another fact shares (any fact, if not `distinct`)
                candidates[i] = candidates[j] = _shared(candidates[i], keys_i) if distinct else candidates[i]
            else:
                candidates[j], keys_j = _meeting(candidates[j], keys_j, candidates[i], keys_i, distinct)
                candidates[i], _ = _meeting(candidates[i], keys_i, candidates[j], keys_j, distinct)
        if not all(candidates):
            return []
        return [fact for each in candidates for fact in each]


PAIRS_PER_FACT = 64  # a fact sharing its key with more candidates is "may": the pairs cost stays linear


def _paired(facts: list[dict[str, Any]], keys: list[Any], others: list[dict[str, Any]], other_keys: list[Any],
            meets: Meets) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The facts of two linked parts that some pair sharing their key may bind (`meets`: the pairs of
    a key's facts and partners passing the link's other tests), each side in its order. A key whose
    partners are more than `PAIRS_PER_FACT` keeps its facts and them all, untested."""
    sharing: dict[Any, list[dict[str, Any]]] = {}
    for other, key in zip(others, other_keys, strict=True):
        sharing.setdefault(key, []).append(other)
    if facts is others and keys is other_keys:  # a part with itself: its facts by key are its partners
        groups = sharing
    else:
        groups = {}
        for fact, key in zip(facts, keys, strict=True):
            if key in sharing:
                groups.setdefault(key, []).append(fact)
    kept: set[int] = set()
    met: set[int] = set()
    for key, group in groups.items():
        partners = sharing[key]
        if len(partners) > PAIRS_PER_FACT:
            kept.update(map(id, group))
            met.update(map(id, partners))
        else:  # one call a key, not one a fact: most keys (a person's trips) have a few facts
            meets(group, partners, kept, met)
    return [fact for fact in facts if id(fact) in kept], [other for other in others if id(other) in met]


def _shared(facts: list[dict[str, Any]], keys: list[Any]) -> list[dict[str, Any]]:
    """The facts whose key another of them has: `_meeting` of a part with itself, both ways at once."""
    count = Counter(keys)
    return [fact for fact, key in zip(facts, keys, strict=True) if count[key] > 1]


def _keys(fields: tuple[str, ...], facts: list[dict[str, Any]]) -> list[Any]:
    """Each fact's key: the field's value, or a tuple of several (a part's presence guards make sure
    its facts carry them; a fact without one would have a key of None, which `_same_kind` refuses);
    the empty tuple for parts linked by no equality."""
    if not fields:
        return [()] * len(facts)
    try:
        return list(map(itemgetter(*fields), facts))
    except KeyError:
        return [tuple(f.get(name) for name in fields) if len(fields) > 1 else f.get(fields[0]) for f in facts]


def _meeting(facts: list[dict[str, Any]], keys: list[Any], others: list[dict[str, Any]], other_keys: list[Any],
             distinct: bool) -> tuple[list[dict[str, Any]], list[Any]]:
    """`facts` whose key some fact of `others` has (another fact than itself, if `distinct`), and their keys."""
    if not distinct:  # a set's lookups, and the facts and keys kept by one mask, in C
        shared = list(map(set(other_keys).__contains__, keys))
        return list(compress(facts, shared)), list(compress(keys, shared))
    count = Counter(other_keys)
    among = {id(other) for other in others}
    kept = [(f, k) for f, k in zip(facts, keys, strict=True) if count[k] - (id(f) in among) > 0]
    return [f for f, _ in kept], [k for _, k in kept]


def _same_kind(keys: list[Any], other_keys: list[Any]) -> bool:
    """Whether each key field holds strings on every fact of both sides, or integers on every fact."""
    if keys and type(keys[0]) is tuple:
        columns = zip(zip(*keys, strict=True), zip(*other_keys, strict=True), strict=True)
        return all(_same_kind(list(mine), list(theirs)) for mine, theirs in columns)
    kinds = set(map(type, keys))
    kinds.update(map(type, other_keys))
    return kinds == {str} or kinds == {int}


def _cross_test(cond: expr.Cond, alias: str) -> Test | None:
    """A comparison between a field of the later part (`y<variable>`) and one of the earlier
    (`x<variable>`) as a Python expression false only where the engine's test is surely false: both
    numbers, or two strings tested unequal. None for an equality (the link's key decides it). Its
    fields are named with their side's letter (`x.return`)."""
    if cond.kind != "cmp" or cond.op == "==":
        return None
    sides = [("y" if side.alias in (None, alias) else "x", side.name) for side in (cond.left, cond.right)]
    left, right = (letter + variable(name) for letter, name in sides)
    numbers = " and ".join(_is_number(letter, name) for letter, name in sides)
    strings = "" if cond.op in ORDERINGS else f" or {left}.__class__ is str and {right}.__class__ is str"
    return f"({left} {cond.op} {right} if {numbers}{strings} else True)", frozenset(f"{side}.{name}" for side, name in sides)


def _is_number(letter: str, name: str) -> str:
    """The variable telling whether side `letter`'s field holds a number (int or float, not a yes/no),
    set once a fact by `meets`, not once a pair."""
    return f"{letter}n{variable(name)[1:]}"


Meets = Callable[[list[dict[str, Any]], list[dict[str, Any]], set[int], set[int]], None]


def _meeting_code(distinct: bool, tests: list[Test]) -> Meets:
    """`meets(xs, ys, kept, met)`: for candidates `xs` of the earlier part and `ys` of the later sharing
    a key, adds to `kept` the ids of the `xs` and to `met` those of the `ys` of the pairs passing the
    tests between them (`x` never with itself if `distinct`). Each `y`'s fields are read once a call."""
    fields = sorted({field for _, names in tests for field in names})
    mine = [f[2:] for f in fields if f[0] == "y"]
    lines = ["def meets(xs, ys, kept, met):"]
    read = "".join(f"(v := y.get({name!r}, ABSENT)), v.__class__ in {NUMBER}, " for name in mine)
    lines += [f"    ys = [(y, {read}) for y in ys]", "    for x in xs:"]
    for name in (f[2:] for f in fields if f[0] == "x"):
        lines += [f"        x{variable(name)} = x.get({name!r}, ABSENT)",
                  f"        {_is_number('x', name)} = x{variable(name)}.__class__ in {NUMBER}"]
    names = "".join(f"y{variable(name)}, {_is_number('y', name)}, " for name in mine)
    lines += [f"        for y, {names}in ys:"]
    if distinct:
        lines += ["            if y is x:", "                continue"]
    lines += [f"            if {' and '.join(text for text, _ in tests)}:",
              "                kept.add(id(x))", "                met.add(id(y))"]
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"ABSENT": ABSENT}
    exec(compile(source, "<a join's pair tests>", "exec"), namespace)  # noqa: S102 - our own expressions
    meets = namespace["meets"]
    meets.source = source
    return meets


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
