"""YAML reading with the C parser when libyaml is present (the rule catalogue loads ten times faster)."""

from __future__ import annotations

from typing import Any

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit timestamps: a date stays text until the schema that reads it
    parses it, so `2020-02-30` is a located validation error instead of a crash in the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()}
_LOADER = _Loader


def load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def item_lines(text: str) -> list[int]:
    """The 1-based line of each item of a top-level YAML list (for file:line messages)."""
    node = yaml.compose(text, Loader=_LOADER)
    if node is None or not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def compose(text: str) -> Any:
    """The YAML node tree, with line marks (for file:line messages)."""
    return yaml.compose(text, Loader=_LOADER)
