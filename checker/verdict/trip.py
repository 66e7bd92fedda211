"""A unit's findings and obligation states on their way from the process that judged the unit to the
store: packed once there, stored as they came, read once for a report.

The findings go as their summaries (what the report counts, kept in memory: `Summaries`, a column
each) and one blob of plain tuples; the obligation states as one blob too, so the collecting process
neither reads them on arrival nor pickles them again to store them."""

from __future__ import annotations

import dataclasses
import operator
import pickle
from typing import Any, NamedTuple

from checker.ruleset.catalogue import ActiveRule
from checker.verdict.findings import Finding


class Summary(NamedTuple):
    """One finding, as the report's counts and by-person section need it (kept in memory by the store)."""
    fingerprint: str
    rule_id: str
    severity: str
    discipline: str
    lead: bool
    waived: bool


class Summaries(NamedTuple):
    """A unit's findings' summaries as columns: the values of `Summary`'s fields, a list each, one
    finding at the same position in every list (in report order). They cross from the judging process
    to the collecting one with every unit, and a findings-heavy run has hundreds of thousands: a
    Summary each was pickled through its Python-level `__getnewargs__` and unpickled through its
    Python-level `__new__` (~3 µs a finding there and back); lists of strings and booleans are
    pickled at C speed (~0.2 µs). The report counts a column at a time (checker.report.build)."""
    fingerprints: list[str]
    rule_ids: list[str]
    severities: list[str]
    disciplines: list[str]
    leads: list[bool]
    waived: list[bool]

    def rows(self) -> list[Summary]:
        """A Summary per finding, in order."""
        return list(map(Summary, *self))

    @classmethod
    def of_rows(cls, rows: list[Summary]) -> Summaries:
        return cls(*map(list, zip(*rows, strict=True))) if rows else no_summaries()


def no_summaries() -> Summaries:
    return Summaries([], [], [], [], [], [])


def summaries_of(final: list[Finding]) -> Summaries:
    """The findings' summaries as columns, a column at a time."""
    if not final:
        return no_summaries()
    waivers = list(map(_WAIVER, final))
    return Summaries(list(map(_KEY, final)), list(map(_RULE_ID, final)), list(map(_SEVERITY, final)),
                     list(map(_DISCIPLINE, final)), [lead is not None for lead in map(_LEAD, final)],
                     [bool(w and w.get("state") == "active") for w in waivers] if any(waivers) else [False] * len(final))


# (`severity`: the finding's, which is the rule's unless the finding was escalated)
_KEY, _SEVERITY, _WAIVER, _LEAD = (operator.attrgetter(name) for name in ("key", "severity", "waiver", "lead"))
_RULE_ID, _DISCIPLINE = (operator.attrgetter(f"rule.rule.{name}") for name in ("id", "discipline"))


def pack(final: list[Finding]) -> tuple[Summaries, bytes]:
    """One unit's final findings (`finish`: report order, one per fingerprint, repeats escalated — all
    within the unit, so the judging process does it) made ready for the trip and the store: their
    summaries, and the findings themselves as one blob of plain tuples (rule id, then the fields but
    the rule and the unit's responsibility chain: pickling a tuple costs less than an object). The
    collecting process stores the blob as it came, without reading it, unless waivers or a baseline
    must mark the findings (`unpack`): so a finding is pickled once and unpickled once, for the report."""
    if not final:
        return no_summaries(), b""
    fields = _TRIP_GETTER
    return summaries_of(final), pickle.dumps([(f.rule.rule.id, fields(f)) for f in final],
                                                        protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes, by_id: dict[str, ActiveRule], responsible: list[dict[str, str]]) -> list[Finding]:
    """A unit's findings from their blob (`pack`), each with its rule and the unit's responsibility chain."""
    found = []
    new, names = object.__new__, _TRIP_FIELDS
    for rule_id, values in pickle.loads(blob) if blob else ():
        finding = new(Finding)  # the fields as they were: no __init__, no fingerprint made again
        state = finding.__dict__
        state["rule"] = by_id[rule_id]
        state.update(zip(names, values, strict=True))
        state["responsible"] = responsible
        found.append(finding)
    return found


# what a finding takes on its trip, in order: every field but its rule (by id) and its unit's chain
_TRIP_FIELDS = tuple(f.name for f in dataclasses.fields(Finding) if f.name not in ("rule", "responsible"))
_TRIP_GETTER = operator.attrgetter(*_TRIP_FIELDS)


def pack_obligations(states: list[dict[str, Any]]) -> bytes:
    """A unit's obligation states as one blob (read back by `unpack_obligations`); b"" for none."""
    return pickle.dumps(states, protocol=pickle.HIGHEST_PROTOCOL) if states else b""


def unpack_obligations(blob: bytes) -> list[dict[str, Any]]:
    return pickle.loads(blob) if blob else []
