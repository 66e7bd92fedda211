"""The answers checker.facts.by_type keeps by argument (`Memo`: cities, same city, ledger words) are
the functions' own: compared with the plain functions over random places and ledger texts, with a
memo small enough to be emptied and filled again many times."""

from __future__ import annotations

import random

from checker.facts import by_type
from checker.facts.by_type import Memo

PLACES = ["黄山", "黄山市", " 黄山 市", "黄山市某培训中心", "成都", "成都市", "都江堰市", "市", "北京市", "", None]
WORDS = ["餐费", "购物卡", "礼品", "会所", "办公用品", "茅台", "加油", "停车", "其他", "", None]


def test_a_memo_answers_as_its_function_and_is_emptied_past_its_limit():
    calls: list[tuple[str | None, str | None]] = []

    def plain(a, b):
        calls.append((a, b))
        return by_type._same_city(a, b)

    memo, rng = Memo(plain, 5), random.Random(7)
    for _ in range(2000):
        a, b = rng.choice(PLACES), rng.choice(PLACES)
        assert memo[(a, b)] == by_type._same_city(a, b)
        assert len(memo) <= 5
    assert 121 < len(calls) < 2000  # emptied and made again, but not asked every time


def test_cities_and_ledger_words_as_the_plain_functions_say():
    rng = random.Random(11)
    for _ in range(3000):
        a, b = rng.choice(PLACES), rng.choice(PLACES)
        assert by_type.city_key(a) == by_type._city_key(a)
        assert by_type.same_city(a, b) is by_type._same_city(a, b)
        texts = [(rng.choice(WORDS) or "") + (rng.choice(WORDS) or "") if rng.random() < 0.5 else rng.choice(WORDS)
                 for _ in range(3)]
        for pattern in (by_type._LINE, by_type._MERCHANT):
            assert by_type._named(pattern, *texts) == by_type._first_named(pattern, *texts)
    assert by_type.same_city("黄山市某培训中心", "黄山") and not by_type.same_city("都江堰市", "成都市")
