"""The settings file: `lianjian.toml`, or the table `[tool.lianjian]` of a `pyproject.toml`, found
from the current folder upward (the nearest wins; `--config FILE` names one, `--no-config` skips it).

Its settings become the defaults of the commands' options (click's default_map), so an option given
on the command line always wins, and `check --show-config` can say where each value came from.
Relative paths in the file are relative to the file's folder. A file that cannot be used — TOML
that does not parse, an unknown key, a value of the wrong type, a path that does not exist — is
reported at its line and the command exits 3, as for a bad profile: it is an input the run depends
on, checked before any work, not a mistyped option.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from checker.cli.output import OutputError, format_prefix
from checker.data.values import parse_date
from checker.facts.periods import parse_period
from checker.report.render import FORMATS
from checker.text.vocabulary import FAIL_ON

FILE_NAME = "lianjian.toml"
Paths = list[StrictStr]


class Settings(BaseModel):
    """What the file may hold: the names of `check`'s options (kebab-case, as typed after `--`)."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    data: StrictStr | None = None
    profile: StrictStr | None = None
    period: StrictStr | None = None
    as_of: dt.date | StrictStr | None = Field(None, alias="as-of")
    units: Paths | None = None
    outputs: Paths | None = None
    format: Literal[tuple(FORMATS)] | None = None  # type: ignore[valid-type]
    fail_on: Literal[FAIL_ON] | None = Field(None, alias="fail-on")  # type: ignore[valid-type]
    waivers: StrictStr | None = None
    baseline: StrictStr | None = None
    rules: StrictStr | None = None
    rule: Paths | None = None
    skip_rule: Paths | None = Field(None, alias="skip-rule")
    discipline: Paths | None = None
    lang: Literal["zh", "en"] | None = None
    workers: Annotated[StrictInt, Field(ge=1)] | None = None
    group_by: Literal["unit", "discipline", "person"] | None = Field(None, alias="group-by")

    @field_validator("as_of")
    @classmethod
    def _day(cls, value: Any) -> dt.date | None:
        return value if value is None or isinstance(value, dt.date) else parse_date(value)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None:
            parse_period(value)
        return value


# setting -> (the option's parameter name, the commands it configures)
PARAMETERS = {
    "data": ("path", ("check", "selfcheck")), "profile": ("profile", ("check", "selfcheck")),
    "period": ("period", ("check",)), "as-of": ("as_of", ("check", "selfcheck")), "units": ("units", ("check",)),
    "outputs": ("outputs", ("check",)), "format": ("fmt", ("check",)),
    "fail-on": ("fail_on", ("check", "selfcheck")), "waivers": ("waiver_file", ("check",)),
    "baseline": ("baseline", ("check",)), "rules": ("rules_dir", ("check", "selfcheck")),
    "rule": ("only_rules", ("check",)), "skip-rule": ("skip_rules", ("check",)),
    "discipline": ("disciplines", ("check",)), "lang": ("lang", ("check", "selfcheck")),
    "workers": ("workers", ("check",)), "group-by": ("group_by", ("check",)),
}
PATH_SETTINGS = ("data", "waivers", "baseline", "rules")  # must exist, relative to the file


class ConfigError(ValueError):
    """A settings file that cannot be used, with its location: exit 3."""


@dataclass
class Config:
    path: Path
    values: dict[str, Any]  # setting -> value, paths made absolute
    lines: dict[str, int] = field(default_factory=dict)  # setting -> its line in the file

    def default_map(self) -> dict[str, dict[str, Any]]:
        """{command: {parameter: value}}: the commands' defaults, as click takes them."""
        defaults: dict[str, dict[str, Any]] = {}
        for key, value in self.values.items():
            parameter, commands = PARAMETERS[key]
            for command in commands:
                defaults.setdefault(command, {})[parameter] = value
        return defaults

    def where(self, parameter: str) -> str:
        """`lianjian.toml:5` for the setting behind a parameter."""
        key = next((k for k, (p, _) in PARAMETERS.items() if p == parameter), parameter)
        return f"{self.path}:{self.lines.get(key, 1)}"


def find(start: Path) -> Path | None:
    """The nearest `lianjian.toml`, or `pyproject.toml` with a [tool.lianjian] table, from `start` up."""
    for folder in [start, *start.parents]:
        if (folder / FILE_NAME).is_file():
            return folder / FILE_NAME
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\s*\[tool\.lianjian\]", _text(pyproject), re.MULTILINE):
            return pyproject
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}：无法读取设置文件（须为 UTF-8 文本） / cannot read the settings file: {exc}") from None


def _key_lines(text: str, pyproject: bool) -> dict[str, int]:
    """Each top-level key of the settings (of [tool.lianjian] in a pyproject.toml) and its line."""
    lines, inside = {}, not pyproject
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", line):
            inside = header[1] == ("tool.lianjian" if pyproject else "\0")
            continue
        if inside and (key := re.match(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""", line)):
            lines.setdefault(key[1], number)
    return lines


def load(path: Path) -> Config:
    """The settings of one file, checked; relative paths resolved against its folder."""
    text = _text(path)
    pyproject = path.name == "pyproject.toml"
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}：不是有效的 TOML：{exc} / not valid TOML") from None
    if pyproject:
        table = (table.get("tool") or {}).get("lianjian") or {}
    lines = _key_lines(text, pyproject)
    try:
        settings = Settings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError("\n".join(_located(path, lines, error) for error in exc.errors())) from None
    values = {key: value for key, value in settings.model_dump(by_alias=True).items() if value is not None}
    return Config(path, _resolved(path, values, lines), lines)


def _resolved(path: Path, values: dict[str, Any], lines: dict[str, int]) -> dict[str, Any]:
    folder = path.parent

    def absolute(text: str) -> str:
        return str(folder / Path(text).expanduser()) if not Path(text).expanduser().is_absolute() else text

    for key in PATH_SETTINGS:
        if key in values:
            values[key] = absolute(values[key])
            if not Path(values[key]).exists():
                raise ConfigError(f"{path}:{lines.get(key, 1)}：{key} 指向的 {values[key]} 不存在 / "
                                  f"{key}: {values[key]} does not exist")
    if str(values.get("profile", "")).endswith((".yaml", ".yml")):
        values["profile"] = absolute(values["profile"])
    if "outputs" in values:
        values["outputs"] = [_output(path, lines.get("outputs", 1), text, absolute) for text in values["outputs"]]
    return values


def _output(path: Path, line: int, text: str, absolute: Any) -> str:
    """`html:报告.html` with its file made absolute; an unknown format is an error here, at its line."""
    try:
        kind, rest = format_prefix(text)
    except OutputError as exc:
        raise ConfigError(f"{path}:{line}：outputs 中{exc.message}") from None
    if kind is not None:
        return text if rest == "-" else f"{kind}:{absolute(rest)}" + ("/" if rest.endswith("/") else "")
    return text if text == "-" else absolute(text) + ("/" if text.endswith("/") else "")


WRONG = {
    "string_type": "应为文字（加引号，如 \"speech\"） / expected text (in quotes)",
    "int_type": "应为整数（不加引号，如 4） / expected a whole number (no quotes)",
    "list_type": "应为列表，如 [\"GH\", \"LQ\"] / expected a list, e.g. [\"GH\", \"LQ\"]",
    "greater_than_equal": "应不小于 1 / must be at least 1",
}


def _located(path: Path, lines: dict[str, int], error: dict[str, Any]) -> str:
    key = str(error["loc"][0]) if error["loc"] else ""
    where = f"{path}:{lines.get(key, 1)}"
    if error["type"] == "extra_forbidden":
        near = difflib.get_close_matches(key, [f.alias or n for n, f in Settings.model_fields.items()], n=1)
        hint = f"；是否应为 {near[0]}？ / did you mean {near[0]}?" if near else ""
        return f"{where}：未知的设置 {key!r}{hint} / unknown setting {key!r}"
    if error["type"] == "literal_error":
        choices = error.get("ctx", {}).get("expected", "")
        return f"{where}：{key} 的值 {error.get('input')!r} 无效，应为 {choices} 之一 / {key}: one of {choices}"
    reason = WRONG.get(error["type"]) or str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{where}：{key} 的值 {error.get('input')!r} 无效：{reason} / {key}: invalid value"


META_KEY = "lianjian.config"
CONFIGURED = ("check", "selfcheck")  # the commands a settings file configures
SOURCE = {"COMMANDLINE": ("命令行", "command line"), "ENVIRONMENT": ("环境变量", "environment"),
          "DEFAULT": ("默认值", "default"), "PROMPT": ("输入", "prompt")}


def apply(ctx: Any, file: Path | None, skip: bool) -> None:
    """Make the settings file's values the defaults of the command about to run; a file that cannot
    be used ends the run here, located, with exit 3. Commands it does not configure (init, help,
    rules …) never read it, so a broken file can still be replaced with `lianjian init --force`."""
    import sys

    import click

    from checker.text.exits import Exit

    if skip or ctx.invoked_subcommand not in CONFIGURED:
        return
    path = file or find(Path.cwd())
    if path is None:
        return
    try:
        if not path.is_file():
            raise ConfigError(f"{path}：设置文件不存在 / no such settings file")
        config = load(path)
    except ConfigError as exc:
        click.echo(f"设置文件错误 / settings error: {exc}", err=True)
        sys.exit(Exit.BAD_RULES)
    ctx.default_map = config.default_map()
    ctx.meta[META_KEY] = config


def resolved(ctx: Any, lang: str) -> list[tuple[str, str, str]]:
    """(setting, value, where it came from) for every setting of the running command: the command
    line, the settings file at its line, or the default."""
    config: Config | None = ctx.meta.get(META_KEY)
    rows = []
    for key, (parameter, commands) in PARAMETERS.items():
        if ctx.command.name not in commands:
            continue
        value = ctx.params.get(parameter)
        source = ctx.get_parameter_source(parameter)
        if source is not None and source.name == "DEFAULT_MAP" and config is not None:
            where = config.where(parameter)
        else:
            where = SOURCE.get(source.name if source else "DEFAULT", SOURCE["DEFAULT"])[0 if lang == "zh" else 1]
        rows.append((key, _shown(value), where))
    return rows


def _shown(value: Any) -> str:
    if value is None or value == ():
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)
