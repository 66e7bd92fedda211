"""YAML reading with the C parser when libyaml is present (the rule catalogue loads ten times faster).

Data files are read apart (`compose_data`, `construct`): every scalar stays text, as in a CSV cell,
and the contract parses it (YAML 1.1 would make `NO` false, `010` eight and `1:30` ninety); only a
null (`~`, `null`, nothing) stays a null, a field not given. And aliases may not multiply the
document: "billion laughs" is ten nested lists of ten aliases each.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError
MAX_ALIAS_NODES = 10_000  # nodes aliases may add to a data file beyond those written out


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit timestamps: a date stays text until the schema that reads it
    parses it, so `2020-02-30` is a located validation error instead of a crash in the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()}
_LOADER = _Loader


def load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def load_with_item_lines(text: str) -> tuple[Any, list[int]]:
    """The data, and the 1-based line of each item of a top-level YAML list (for file:line messages),
    from one parse: a rule file's YAML was composed twice, for its data and for its lines, which
    cost every check ~0.05 s (the catalogue: 0.09 s to load, 0.06 s to compose again)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    return data, lines


def compose(text: str) -> Any:
    """The YAML node tree, with line marks (for file:line messages)."""
    return yaml.compose(text, Loader=_LOADER)


class _TextResolver(Resolver):
    """Resolves nothing implicitly but nulls: every other plain scalar is a string."""


_TextResolver.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()}


try:  # libyaml's parser and composer, with Python's constructor and resolver
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parser = None


if _Parser is not None:
    class DataLoader(_Parser, SafeConstructor, _TextResolver):
        def __init__(self, stream: str):
            _Parser.__init__(self, stream)
            SafeConstructor.__init__(self)
            _TextResolver.__init__(self)
else:  # pragma: no cover
    class DataLoader(Reader, Scanner, Parser, Composer, SafeConstructor, _TextResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            _TextResolver.__init__(self)


def compose_data(text: str) -> tuple[DataLoader, yaml.Node | None]:
    """A data file's document as nodes (with their lines), after the bound on aliases."""
    loader = DataLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _check_aliases(node)
    return loader, node


def construct(loader: DataLoader, node: yaml.Node) -> Any:
    return loader.construct_object(node, deep=True)


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases, expanded, add more than MAX_ALIAS_NODES nodes (or that
    holds itself). Each node's expanded size is counted once, so this is linear in the nodes."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not children_done:
            if key in open_nodes:
                raise ValueError("YAML 别名引用了自身 / a YAML alias refers to itself")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(key)
        sizes[key] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[key] - len(sizes) > MAX_ALIAS_NODES:
            raise ValueError(f"YAML 别名展开后超过 {MAX_ALIAS_NODES:,} 个节点（“十亿笑声”式的文件），未读取 / "
                             f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (billion laughs): not read")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
