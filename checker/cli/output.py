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
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click

from checker.report.render import BINARY, FORMATS

EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".sarif": "sarif", ".xml": "junit", ".csv": "csv",
              ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".txt": "table"}


class OutputError(click.UsageError):
    """A bad output target: a usage error (exit 4), raised before any work is done."""


@dataclass(frozen=True)
class Target:
    fmt: str
    path: Path | None  # None: standard output


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


def _check_path(path: Path) -> None:
    """A report path must be a file that can be written: not a folder, not under a file, in a folder
    that exists (or can be made) and is writable."""
    if path.is_dir():
        raise OutputError(f"{path} 是文件夹，不能作为报告文件 / {path} is a folder")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{ancestor} 是文件，不能在其下写报告 / {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"没有写入权限：{ancestor} / cannot write in {ancestor}")


def parse_targets(outputs: tuple[str, ...], fmt: str, explicit: bool) -> list[Target]:
    """The `-o` values as targets; the table (or --format) on standard output when none is given."""
    targets = []
    for output in outputs or ("-",):
        kind, sep, rest = output.partition(":")
        if sep and kind.isascii() and kind.isalpha() and rest:
            if kind not in FORMATS:
                near = difflib.get_close_matches(kind, FORMATS, n=1)
                hint = f"，是否应为 {near[0]}？ / did you mean {near[0]}?" if near else ""
                raise OutputError(f"未知的报告格式 {kind!r}{hint} (formats: {', '.join(FORMATS)})")
            targets.append(Target(kind, None if rest == "-" else Path(rest)))
        elif output == "-":
            targets.append(Target(fmt, None))
        else:
            targets.append(Target(_format_of(Path(output), fmt, explicit), Path(output)))
    for target in targets:
        if target.path is not None:
            _check_path(target.path)
        elif target.fmt in BINARY and sys.stdout.isatty():
            raise OutputError(f"{target.fmt} 是二进制格式，不能输出到终端：请用 -o 文件.{target.fmt} / "
                              f"{target.fmt} is binary: give -o FILE.{target.fmt}")
    return targets


def _is_special(path: Path) -> bool:
    """/dev/null, a pipe, a terminal: written in place (a rename would replace the device)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False


@contextmanager
def atomic(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A handle whose content replaces `path` only when the block completes."""
    if _is_special(path):
        with path.open("wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(descriptor, 0o666 & ~mask)  # as a plain open() would have made it
        with os.fdopen(descriptor, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
