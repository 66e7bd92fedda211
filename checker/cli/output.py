"""Where reports go: each `-o` checked before any work is done, and each report file written whole
or not at all.

A target is `FORMAT:FILE`, or a FILE whose extension names the format (`.json`, `.jsonl`,
`.sarif`, `.xml` → JUnit, `.csv`, `.xlsx`, `.html`, `.txt` → table), or `-` for standard output.
A report is written to a temporary file beside its target and renamed over it when complete, so
Ctrl-C, SIGTERM, a full disk or a crash leaves the previous report as it was, and two runs writing
the same path never interleave (the last complete one wins).
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from checker.report.atomic import atomic
from checker.report.render import BINARY, FORMATS

EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".sarif": "sarif", ".xml": "junit", ".csv": "csv",
              ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".txt": "table"}


class OutputError(click.UsageError):
    """A bad output target: a usage error (exit 4), raised before any work is done."""


@dataclass(frozen=True)
class Target:
    fmt: str
    path: Path | None  # None: standard output
    folder: bool = False  # one file per unit into this folder (checker.report.split)


def _format_of(path: Path, fmt: str, explicit: bool) -> str:
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension is None:
        if path.suffix and not explicit:
            raise OutputError(f"不认识的扩展名 {path.suffix!r}：请用 {', '.join(sorted(EXTENSIONS))} 之一，"
                              f"或写成 格式:文件（如 json:{path}） / unknown extension {path.suffix!r} for -o {path}")
        return fmt
    if explicit and by_extension != fmt:
        raise OutputError(f"--format {fmt} 与文件 {path} 的扩展名不符；请写成 {fmt}:{path} / "
                          f"--format {fmt} but {path} is {by_extension}: write {fmt}:{path}")
    return by_extension


def _check_writable_under(path: Path) -> None:
    """The nearest existing ancestor of `path` must be a folder this process can write in."""
    ancestor = path
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{ancestor} 是文件，不能在其下写报告 / {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"没有写入权限：{ancestor} / cannot write in {ancestor}")


def _check_path(path: Path) -> None:
    """A report path must be a file that can be written: not a folder, not under a file, in a folder
    that exists (or can be made) and is writable."""
    if path.is_dir():
        raise OutputError(f"{path} 是文件夹，不能作为报告文件 / {path} is a folder")
    _check_writable_under(path.parent)


def _is_folder(text: str) -> bool:
    """`-o html:DIR/` or an existing folder: one file per unit (the hand-over lists)."""
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def format_prefix(text: str) -> tuple[str | None, str]:
    """`FORMAT:FILE` as (format, file); anything else as (None, text). A prefix that looks like a
    format but is none is an error naming the nearest one (`xslx:` → did you mean xlsx)."""
    kind, sep, rest = text.partition(":")
    if not (sep and kind.isascii() and kind.isalpha() and rest):
        return None, text
    if kind not in FORMATS:
        near = difflib.get_close_matches(kind, FORMATS, n=1)
        hint = f"，是否应为 {near[0]}？ / did you mean {near[0]}?" if near else ""
        raise OutputError(f"未知的报告格式 {kind!r}{hint} (formats: {', '.join(FORMATS)})")
    return kind, rest


def parse_targets(outputs: tuple[str, ...], fmt: str, explicit: bool, split: bool = False) -> list[Target]:
    """The `-o` values as targets; the table (or --format) on standard output when none is given.
    With `split` (--split-by unit) every target is written per unit: a folder, or an XLSX workbook."""
    targets = []
    for output in outputs or ("-",):
        kind, rest = format_prefix(output)
        if kind is not None:
            targets.append(Target(kind, None if rest == "-" else Path(rest), rest != "-" and _is_folder(rest)))
        elif output == "-":
            targets.append(Target(fmt, None))
        elif _is_folder(output):
            targets.append(Target(fmt, Path(output), True))
        else:
            targets.append(Target(_format_of(Path(output), fmt, explicit), Path(output)))
    for target in targets:
        if split and target.path is None:
            raise OutputError("按单位分别输出需要用 -o 指定文件夹（如 -o html:问题清单/） / "
                              "--split-by unit writes files: give -o FORMAT:FOLDER/")
        if target.folder:
            _check_writable_under(target.path)  # type: ignore[arg-type]
        elif target.path is not None:
            _check_path(target.path)
        elif target.fmt in BINARY and sys.stdout.isatty():
            raise OutputError(f"{target.fmt} 是二进制格式，不能输出到终端：请用 -o 文件.{target.fmt} / "
                              f"{target.fmt} is binary: give -o FILE.{target.fmt}")
    return targets


def write_report(built: dict[str, Any], target: Target, lang: str, group_by: str) -> None:
    """One report to its target: text formats written as they are rendered (a large report is never
    held twice), binary ones rendered whole; files atomically."""
    from checker.report.render import render, write
    from checker.report.render.table import render as table

    binary = target.fmt in BINARY
    if target.path is None:
        if target.fmt == "table":
            click.echo(table(built, lang, group_by), nl=False)
        elif binary:
            sys.stdout.buffer.write(render(built, target.fmt, lang))  # type: ignore[arg-type]
        else:
            write(built, target.fmt, sys.stdout, lang)
        return
    try:
        with atomic(target.path, binary) as handle:
            if target.fmt == "table":
                handle.write(table(built, lang, group_by))
            elif binary:
                handle.write(render(built, target.fmt, lang))
            else:
                write(built, target.fmt, handle, lang)
    except OSError as exc:
        raise OutputError(f"无法写入报告 {target.path}：{exc.strerror or exc} / cannot write {target.path}") from None
