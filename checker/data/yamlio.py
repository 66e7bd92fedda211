"""YAML reading with the C parser when libyaml is present (the rule catalogue loads ten times faster)."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


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
