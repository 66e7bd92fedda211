"""The report summary's counts, made a unit's summaries at a time (checker.report.build `_counts`),
against counting finding by finding: same numbers, and the same key order (the JSON shows it)."""

import random
from collections import Counter

import pytest

from checker.report.build import _counts
from checker.verdict.trip import Summaries, Summary


class _Source:
    def __init__(self, by_unit):
        self.by_unit = by_unit

    def units(self):
        return sorted(self.by_unit)

    def unit_summaries(self, unit):
        return self.by_unit[unit]

    def unit_columns(self, unit):
        return Summaries.of_rows(self.by_unit[unit])


def _one_by_one(source):
    counted, leads = [], 0
    for unit in source.units():
        for summary in source.unit_summaries(unit):
            if summary.waived:
                continue
            if summary.lead:
                leads += 1
            else:
                counted.append((summary.severity, summary.discipline, unit))
    return (len(counted), leads, list(Counter(s for s, _, _ in counted).items()),
            list(Counter(d for _, d, _ in counted).items()), list(Counter(u for _, _, u in counted).items()))


@pytest.mark.parametrize("seed", range(30))
def test_counts_match_counting_one_by_one(seed):
    chance = random.Random(seed)
    by_unit = {}
    for unit in chance.sample(["U9", "U1", "U5", "甲", "U3"], chance.randint(0, 5)):
        by_unit[unit] = [Summary(f"f{unit}{i}", "R", chance.choice(["high", "medium", "low"]),
                                 chance.choice(["eight_point.travel", "reform.staffing", "reporting"]),
                                 chance.random() < 0.3, chance.random() < 0.2)
                         for i in range(chance.randint(0, 6))]
    source = _Source(by_unit)
    counts = _counts(source)
    made = (counts.counted, counts.leads, list(counts.by_severity.items()), list(counts.by_discipline.items()),
            list(counts.by_unit.items()))
    assert made == _one_by_one(source)


def test_a_unit_with_only_waived_or_leads_is_not_in_by_unit():
    source = _Source({"A": [Summary("1", "R", "high", "d", True, False), Summary("2", "R", "high", "d", False, True)],
                      "B": [Summary("3", "R", "low", "d", False, False)]})
    counts = _counts(source)
    assert (counts.counted, counts.leads, counts.by_unit, counts.by_severity) == (1, 1, {"B": 1}, {"low": 1})
