"""Stage 4b: the durable-rules adapter.

Built on the engine's low-level API (no `Host`: no timer threads, no swallowed exceptions) and
around the measured pitfalls in shared/reference/durable-rules-notes.md:

* facts, never events: an event is consumed by the first rule that fires on it;
* one session per unit, deleted after use — after a sentinel rule has fired, because
  `delete_state` segfaults on a session where no action ever fired;
* the engine identifies facts by a 32-bit FNV-1 hash of `id`: we give every fact an engine id that
  is unique *by hash* within its session, so no record is dropped as a "duplicate";
* facts of record types that a join (or a negation) reads are asserted one at a time: a batch
  holding even one fact of a type joined with itself by a comparison segfaults (reproduced in
  tests/test_engine_pitfalls.py). Types joined only to other types passed that minimal test in a
  batch, but batching them crashed the rule examples in one memory layout (a fresh install run from
  its checkout), so they go one at a time too; the rest go in batches;
* only the fields some rule reads are sent, and only facts that some rule's part may bind: a fact
  failing every part's tests of its own fields, or a join's equality tests, is left out
  (checker.engine.screen);
* record types that rules negate are asserted first (a negation is only checked on arrival);
* a rule on a single record (no join, no negation) takes up to `MATCHES_PER_ACTION` of its matches
  in one action (`cap`): one message and one round trip through the engine for all of them, in the
  order the engine would have fired them one by one (tests/test_engine_actions.py compares both);
* "no rule matched" (code 1) is normal; "duplicate" (code 2) cannot happen by construction and is
  raised if it does.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
from typing import Any

import durable_rules_engine as _engine
import orjson
from pydantic_core import to_json

from checker.engine.matches import EngineMatch
from checker.engine.screen import FactScreen
from checker.facts.derive import UnitBatch
from checker.ruleset import conditions as expr
from checker.ruleset.conditions import FLIPPED, Cond, ExprError
from checker.ruleset.matchers import Matcher, PartMatcher
from checker.ruleset.schema import RuleFileError

SENTINEL_TYPE = "__lianjian_sentinel__"
# Fault injection for the crash-isolation tests: the adapter's guards leave no known way to make the
# engine itself segfault, and a Dask worker is a fresh process that no monkeypatch reaches.
CRASH_UNIT_VARIABLE = "LIANJIAN_TEST_CRASH_UNIT"
MAX_FACT_FIELDS = 250  # a record with 254 or more fields segfaults the engine
BATCH = 500
MAX_RULES_PER_TYPE = 60  # the engine rejects records passing >64 sibling tests (error 303)
# A single-record rule's matches per action: one message per 1,000 matches, not one per match (on the
# heavy set, 247k matches cost 1.5 s drained one by one). Bounded to keep one message small.
MATCHES_PER_ACTION = 1000
_names = itertools.count()


class EngineError(RuntimeError):
    pass


def fnv1_32(text: str) -> int:
    """The engine's identity hash (FNV-1, 32 bit, over the id's bytes as signed chars)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte if byte < 128 else (byte - 256) & 0xFFFFFFFF
        value = (value * 16777619) & 0xFFFFFFFF
    return value


# --- durable-rules form ---------------------------------------------------------------------------

_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}
_CMP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def _rhs(node: Any, self_alias: str | None) -> Any:
    if isinstance(node, expr.Const):
        return node.value
    if isinstance(node, expr.Field):
        if node.alias is None or node.alias == self_alias:
            return {"$m": node.name}
        return {node.alias: node.name}
    if isinstance(node, expr.BinOp):
        if node.op == "/" and not (isinstance(node.right, expr.Const) and node.right.value != 0):
            # integer division by zero kills the engine's process (SIGFPE): only constant divisors.
            raise ExprError("divide only by a non-zero constant or parameter")
        return {_ARITH[node.op]: {"$l": _rhs(node.left, self_alias), "$r": _rhs(node.right, self_alias)}}
    raise ExprError(f"cannot compile {node!r}")


def _is_own_field(node: Any, self_alias: str | None) -> bool:
    return isinstance(node, expr.Field) and node.alias in (None, self_alias)


def to_durable(cond: Cond, self_alias: str | None = None) -> dict[str, Any]:
    """One condition in the engine's dict form. The left side must be a field of this record."""
    if cond.kind in ("missing", "present"):
        if not _is_own_field(cond.left, self_alias):
            raise ExprError("'is missing' applies to a field of this record")
        return {"$nex" if cond.kind == "missing" else "$ex": {cond.left.name: 1}}
    if cond.kind in ("truthy", "falsy"):
        if not _is_own_field(cond.left, self_alias):
            raise ExprError("a yes/no test applies to a field of this record")
        return {cond.left.name: cond.kind == "truthy"}
    left, op, right = cond.left, cond.op, cond.right
    if cond.kind == "in":
        if not _is_own_field(left, self_alias):
            raise ExprError("'in' applies to a field of this record")
        return {"$or": [{left.name: _rhs(v, self_alias)} for v in right]} if len(right) != 1 \
            else {left.name: _rhs(right[0], self_alias)}
    if not _is_own_field(left, self_alias):
        if _is_own_field(right, self_alias):
            left, right, op = right, left, FLIPPED[op]
        else:
            raise ExprError("one side of a comparison must be a plain field of this record")
    value = _rhs(right, self_alias)
    if op == "==":
        return {left.name: value}
    return {_CMP[op]: {left.name: value}}


def _part_to_durable(part: PartMatcher) -> dict[str, Any]:
    tests = [to_durable(c, part.alias) for c in part.conditions]
    return tests[0] if len(tests) == 1 else {"$and": tests}


def durable_ruleset(found: list[Matcher]) -> tuple[dict[str, Any], dict[str, tuple[str, tuple[int, ...] | None]]]:
    """The ruleset in durable-rules' dict form, and engine rule name -> (lianjian rule id, standards)."""
    definition: dict[str, Any] = {}
    names: dict[str, tuple[str, tuple[int, ...] | None]] = {}
    per_type: dict[str, int] = {}
    for matcher in found:
        for index, alternative in enumerate(matcher.alternatives):
            name = f"{matcher.id}#{index}"
            try:
                condition = [{p.alias: _part_to_durable(p)} for p in alternative.parts]
                if alternative.unless:
                    condition.append({f"{alternative.unless.alias}$not": _part_to_durable(alternative.unless)})
            except ExprError as exc:
                raise RuleFileError(f"{matcher.rule.rule.location}: rule {matcher.id}: {exc}") from None
            definition[name] = {"all": condition}
            if len(condition) == 1:  # a single record: its matches come as a list, many to an action
                definition[name]["cap"] = MATCHES_PER_ACTION
            names[name] = (matcher.id, alternative.standards)
            first = alternative.parts[0].record
            per_type[first] = per_type.get(first, 0) + 1
    for record, count in per_type.items():
        if count > MAX_RULES_PER_TYPE:
            raise RuleFileError(f"{count} engine rules start on {record!r} records; the engine rejects more than "
                                f"64 siblings (error 303): split tables or narrow for_each")
    return definition, names


def negated_types(found: list[Matcher]) -> frozenset[str]:
    """Record types that a rule negates (`unless`): they go first, because the engine checks a
    negation only when the positive record arrives, so a cancelling record asserted later would not
    cancel."""
    return frozenset(a.unless.record for m in found for a in m.alternatives if a.unless)


_ids: list[str] = []
_used: set[int] = set()


def engine_ids(count: int) -> list[str]:
    """`count` ids whose engine hashes are pairwise distinct. Each list is the start of the next
    longer one, so they are computed once per process and sliced."""
    for index in range(len(_ids), count):
        candidate, salt = str(index), 0
        while fnv1_32(candidate) in _used:
            salt += 1
            candidate = f"{index}~{salt}"
        _used.add(fnv1_32(candidate))
        _ids.append(candidate)
    return _ids[:count]


class Engine:
    def __init__(self, found: list[Matcher], screen: bool = True):
        """`screen=False` sends every fact of a type some rule reads (the tests compare both ways)."""
        definition, self.rule_of = durable_ruleset(found)
        # the alias of each rule whose matches come many to an action (`cap`): one record each
        self.single_alias = {name: next(iter(rule["all"][0])) for name, rule in definition.items() if "cap" in rule}
        definition[SENTINEL_TYPE] = {"all": [{"m": {"t": SENTINEL_TYPE}}]}
        self.negated = negated_types(found)
        self.definition = definition
        self.fields_of = {kind: tuple(sorted(names)) for kind, names in _fields_by_type(found).items()}
        self.screen = FactScreen(found) if screen else None
        self.joined = {p.record for m in found for a in m.alternatives if len(a.parts) > 1 or a.unless
                       for p in (*a.parts, *([a.unless] if a.unless else []))}
        self._handle = _engine.create_ruleset(f"lianjian_{os.getpid()}_{next(_names)}",
                                              json.dumps(definition, ensure_ascii=False))

    def close(self) -> None:
        if self._handle is not None:
            _engine.delete_ruleset(self._handle)
            self._handle = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def judge(self, batch: UnitBatch) -> list[EngineMatch]:
        if os.environ.get(CRASH_UNIT_VARIABLE) == batch.unit:
            os.kill(os.getpid(), signal.SIGSEGV)
        sid = f"unit:{batch.unit}"
        facts = in_assertion_order(batch.facts, self.negated)
        if self.screen is not None:
            facts = self.screen.sent(facts)  # those some rule's part may bind
        ids = engine_ids(len(facts) + 1)  # the last one is the sentinel's
        # a million facts pass here: what the loop reads of `self` is read once
        handle, fields_of, joined = self._handle, self.fields_of, self.joined
        state_handle = None
        batched: list[dict[str, Any]] = []  # facts no join reads: safe to send in batches
        for fact, engine_id in zip(facts, ids, strict=False):
            kind = fact["t"]
            fields = fields_of.get(kind)
            if fields is None:
                continue  # no rule reads this record type
            # Only the fields some rule reads of this type go to the engine: less JSON, less matching.
            payload = {name: fact[name] for name in fields if name in fact}
            if len(payload) >= MAX_FACT_FIELDS:
                raise EngineError(f"fact {kind}/{fact.get('rid')} has {len(payload)} fields; "
                                  f"the engine crashes at 254")
            payload["sid"], payload["id"] = sid, engine_id
            if kind in joined:  # negated types are joined, so they are in first, in order
                code, state_handle = _engine.assert_fact(handle, fact_json(payload))
                if code == 2:
                    self._check(code, fact)
            else:
                batched.append(payload)
        for start in range(0, len(batched), BATCH):
            code, state_handle = _engine.assert_facts(handle, fact_json(batched[start:start + BATCH]))
            self._check(code, None)
        if state_handle is None:
            return []
        matches = self._drain(state_handle)
        self._delete_session(sid, ids[-1])
        return matches

    @staticmethod
    def _check(code: int, fact: dict[str, Any] | None) -> None:
        if code == 2:
            what = f"{fact['t']}/{fact['rid']}" if fact else "a record of a batch"
            raise EngineError(f"engine dropped {what} as a duplicate of another fact")

    def _drain(self, state_handle: int) -> list[EngineMatch]:
        found = []
        result = _engine.start_action_for_state(self._handle, state_handle)
        message = result[1] if result else None
        while message:
            matches_in(message, self.rule_of, self.single_alias, found)
            message = _engine.complete_and_start_action(self._handle, state_handle)
        return found

    def _delete_session(self, sid: str, sentinel_id: str) -> None:
        code, state_handle = _engine.assert_fact(
            self._handle, json.dumps({"sid": sid, "id": sentinel_id, "t": SENTINEL_TYPE}, ensure_ascii=False))
        if code == 0:
            self._drain(state_handle)
        _engine.delete_state(self._handle, sid)


def in_assertion_order(facts: list[dict[str, Any]], negated: frozenset[str]) -> list[dict[str, Any]]:
    """Facts of negated types first (`negated_types`), each group in input order."""
    first = [fact for fact in facts if fact["t"] in negated] if negated else None
    return first + [fact for fact in facts if fact["t"] not in negated] if first else facts


def matches_in(message: str, rule_of: dict[str, tuple[str, Any]], single_alias: dict[str, str],
               found: list[EngineMatch]) -> None:
    """The matches of one engine action added to `found`: a rule's bound facts, or, for a
    single-record rule (`cap`), a list of them in the order they fired."""
    # one message per action: orjson reads the engine's JSON in a fraction of json's time
    for name, bound in orjson.loads(message).items():
        if name == SENTINEL_TYPE:
            continue
        rule_id, standards = rule_of[name]
        if bound.__class__ is list:
            alias = single_alias[name]
            found.extend([_match(EngineMatch, (rule_id, ((alias, fact["t"], fact["rid"]),), standards))
                          for fact in [frame[alias] for frame in bound]])
        else:
            found.append(_match(EngineMatch, (rule_id, tuple(
                (alias, fact["t"], fact["rid"]) for alias, fact in sorted(bound.items())), standards)))


# A match made as the tuple it is: a named tuple's own `__new__` is a Python function, one call more a
# match (~0.2 µs; the heavy set has ~230k matches).
_match = tuple.__new__


def fact_json(value: Any) -> str:
    """A fact (or a list of them) as the engine's JSON text. orjson writes what pydantic's encoder
    writes for a fact's values (strings, numbers, booleans, null, lists; tests/test_engine_actions.py
    compares them) in under half its time; what orjson refuses (an integer beyond 64 bits, a set)
    goes to pydantic's encoder as before."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return to_json(value).decode()


def _fields_by_type(found: list[Matcher]) -> dict[str, set[str]]:
    """For each record type a rule matches, the fields any condition reads of it (joins included)."""
    fields: dict[str, set[str]] = {}
    for matcher in found:
        for alternative in matcher.alternatives:
            parts = (*alternative.parts, *([alternative.unless] if alternative.unless else []))
            record_of = {part.alias: part.record for part in parts}
            for part in parts:
                fields.setdefault(part.record, {"t", "rid"})
                for cond in part.conditions:
                    for alias, name in expr.fields_of(cond):
                        fields.setdefault(record_of.get(alias, part.record) if alias else part.record,
                                          {"t", "rid"}).add(name)
    return fields


def evaluate(found: list[Matcher], unit_batches: list[UnitBatch]) -> dict[str, list[EngineMatch]]:
    with Engine(found) as engine:
        return {batch.unit: engine.judge(batch) for batch in unit_batches}
