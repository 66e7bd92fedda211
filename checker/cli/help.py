"""`--help` in Chinese first, then English, laid out by display width.

click wraps help text counting characters, so a line of Chinese (two columns a character) came out
twice as wide as the terminal; here lines are filled by display width (rich's cell_len) and may
break between Chinese characters, as Chinese text does, but not before a closing mark. Headings and
the help option speak both languages; each command sets a short help of its own so that the
command list is never cut off."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import click

from checker.text.lines import CJK, NO_START, fill

HEADINGS = {"Usage: ": "用法 Usage: ", "Options": "选项 Options", "Commands": "命令 Commands"}
HELP_OPTION = "显示本帮助并退出 / Show this message and exit."


def _paragraphs(text: str) -> Iterator[tuple[bool, str]]:
    """(keep as it is, text) per paragraph: click's rule, a paragraph after a line `\\b` is not rewrapped.
    Lines are joined with a space, except where Chinese meets Chinese."""
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.strip("\n").splitlines()]
        if lines and lines[0] == "\b":
            yield True, "\n".join(block.strip("\n").splitlines()[1:])
        elif lines:
            joined = lines[0]
            for line in lines[1:]:
                cjk = joined[-1:] in NO_START or (re.match(rf"[{CJK}]", joined[-1:])
                                                    and re.match(rf"[{CJK}]", line[:1]))
                joined += line if cjk else " " + line
            yield False, joined


def wrap(text: str, width: int, indent: str = "", preserve_paragraphs: bool = True) -> str:
    """Text wrapped to `width` columns with CJK counted double, each paragraph its own."""
    out: list[str] = []
    for keep, paragraph in _paragraphs(text) if preserve_paragraphs else [(False, " ".join(text.split()))]:
        if out:
            out.append("")
        lines = paragraph.splitlines() if keep else fill(paragraph, max(width - len(indent), 10))
        out += [indent + line for line in lines]
    return "\n".join(out)


class HelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, HEADINGS["Usage: "] if prefix in (None, "Usage: ") else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_text(self, text: str) -> None:
        self.write(wrap(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """As click's, with the second column wrapped by display width."""
        first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - len(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - self.current_indent - 2, 10)).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class _Bilingual:
    """The help option in both languages, on a command and on a group."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class Command(_Bilingual, click.Command):
    context_class = Context


class Group(_Bilingual, click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a subgroup is a Group too


def command(**kwargs: Any) -> Any:
    return click.command(cls=Command, **kwargs)


def group(**kwargs: Any) -> Any:
    return click.group(cls=Group, **kwargs)
