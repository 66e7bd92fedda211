"""A finding's message reads each field where it lies (messages.statement) and must read what a
dictionary merging every value, in the order findings are made, would give: the state in the
message's language over the evidence, over a join's records (the last alias giving the field), over
the unit's name and the state in Chinese, over the matched table row, over the rule's values, over
the primary record's own fields."""

from __future__ import annotations

import random

import pytest

from checker.text.citations import sentence_ending, with_sentence
from checker.text.vocabulary import STATE_IN_MESSAGE
from checker.verdict.messages import Names, Sources, Template, statement

KEYS = ("state_text", "state_zh", "unit_name", "row.cap", "row.low", "a_x", "b_x", "a_b_x", "b_y", "cost", "e1",
        "p1", "x")
ALIASES = ("a", "b", "a_b")


def merged(primary, bound, evidence, row, state, unit_name, constants, lang):
    """The values as findings merged them before they were read where they lie."""
    values = {**primary, **constants, **row, "state_zh": STATE_IN_MESSAGE["zh"].get(state, ""), "unit_name": unit_name}
    if len(bound) > 1:
        for alias, fact in bound.items():
            values.update({f"{alias}_{k}": v for k, v in fact.items()})
    values.update(evidence)
    values["state_text"] = STATE_IN_MESSAGE[lang].get(state, "")
    return values


def some(rng, keys, tag):
    """A few of `keys`, each with a value naming where it came from, or None."""
    return {k: (None if rng.random() < 0.2 else f"{tag}:{k}") for k in keys if rng.random() < 0.5}


@pytest.mark.parametrize("seed", range(200))
def test_fields_read_as_a_merged_dictionary_gives_them(seed):
    rng = random.Random(seed)
    aliases = tuple(rng.sample(ALIASES, rng.choice((1, 2, 3))))
    bound = {alias: some(rng, ("x", "y", "b_x", "b_y", "z"), alias) for alias in aliases}
    primary = some(rng, KEYS, "record")
    bound[aliases[-1]] = primary if rng.random() < 0.5 else bound[aliases[-1]]
    constants, row = some(rng, KEYS, "rule"), some(rng, ("row.cap", "row.low"), "row")
    evidence = some(rng, ("e1", "cost", "a_x", "unit_name"), "evidence")
    state = rng.choice((None, "overdue", "done", "elsewhere"))
    chosen = rng.sample(KEYS, rng.randint(0, len(KEYS)))
    text = "".join(f"<{key}>{{{key}}}" for key in chosen)
    closing = {"zh": rng.choice(("", "违反了《规定》")), "en": rng.choice(("", "contrary to the rule"))}
    joined = tuple(sorted((alias, "t") for alias in aliases))
    templates = (Template(text, "", joined, "zh"), Template(text, "", joined, "en"))
    sources = Sources(frozenset(evidence), aliases if len(aliases) > 1 else (), constants)
    render = statement(templates, sources, (sentence_ending(closing["zh"], "zh"), sentence_ending(closing["en"], "en")))
    names = Names(lambda kind, rid: None)
    got = render(primary, bound, evidence, row, state, "单位", names)
    for lang, shown in zip(("zh", "en"), got, strict=True):
        values = merged(primary, bound, evidence, row, state, "单位", constants, lang)
        wanted = "".join(f"<{key}>{'—' if values.get(key) is None else values[key]}" for key in chosen)
        assert shown == with_sentence(wanted, closing[lang], lang)


def test_a_template_error_is_the_statement():
    templates = (Template("{cost:nonsense}", "", (), "zh"), Template("{cost}", "", (), "en"))
    render = statement(templates, Sources(frozenset(), (), {}), (sentence_ending("违反了《规定》", "zh"),
                                                                 sentence_ending("", "en")))
    zh, en = render({"cost": "5"}, {}, {}, {}, None, "", Names(lambda kind, rid: None))
    assert zh == "{cost:nonsense} [message template error: unknown format 'nonsense']，违反了《规定》。"
    assert en == "5."
