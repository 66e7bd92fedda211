"""Lines of text for a terminal: filled by display width (CJK counts two columns, as rich's cell_len
measures), breaking between Chinese characters as Chinese text does, but never before a closing mark
or after an opening one. rich itself breaks only at spaces and then folds a long "word" anywhere, which
starts lines with "，" or "）"."""

from __future__ import annotations

import re

from rich.cells import cell_len

# A line may break between any two CJK characters (rich breaks only at spaces, then folds a long
# "word" anywhere): these may not start a line, and these may not end one (the basic 禁则).
CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
NO_START = "，。、；：！？）》」』】”’…·"
NO_END = "（《「『【“‘"
_TOKEN = re.compile(rf"\s+|[{NO_END}]*[{CJK}][{NO_START}]*|[{NO_END}]*[^\s{CJK}]+[{NO_START}]*")


def fill(paragraph: str, width: int) -> list[str]:
    """Greedy filling by display width (rich's cell_len: CJK counts two columns)."""
    lines, line = [], ""
    for token in (piece for found in _TOKEN.findall(paragraph) for piece in _folded(found, width)):
        if token.isspace():
            line += " " if line else ""
        elif not line or cell_len(line + token) <= width:
            line += token
        else:
            lines.append(line.rstrip())
            line = token
    return [*lines, line.rstrip()] if line.strip() else lines


def _folded(token: str, width: int) -> list[str]:
    """A token wider than a whole line (a long path) cut into pieces that fit."""
    if cell_len(token) <= width or token.isspace():
        return [token]
    pieces, piece = [], ""
    for char in token:
        if cell_len(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]
