"""Project defaults: `tanso.toml` and `TANSO_*` environment variables.

Precedence, for every option: the flag on the command line > its environment variable > `tanso.toml` >
the built-in default. `tanso.toml` is the first found in the current folder or its parents (or the file
`$TANSO_CONFIG` names; `TANSO_CONFIG=none` reads none). Its top-level keys are project defaults that
apply to every command that has the option (`PROJECT_KEYS`); a `[evaluate]`, `[compare]` … table sets
any option of that command by its long name (`out_format = "parquet"`). Relative paths are relative to
the file's folder. A key no command has, or a value its option refuses, is an error naming file:line.

Every option has the environment variable `TANSO_<COMMAND>_<OPTION>` (`TANSO_EVALUATE_OUT_FORMAT`,
`TANSO_FACTORS_IMPORT_LAYOUT`); the project defaults also have a short one (`TANSO_DATA`, `TANSO_THREADS`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import click

from tanso.diagnostics import did_you_mean
from tanso.frozen import frozen

CONFIG_FILE = "tanso.toml"
CONFIG_ENV = "TANSO_CONFIG"
# Top-level keys of tanso.toml (and their short environment variables), and the commands they apply to.
# `data` is not applied to `check`, where --data turns on file validation.
_RUNS = ("evaluate", "compare")
PROJECT_KEYS: dict[str, tuple[str, ...]] = {
    "data": ("evaluate", "compare", "validate"),
    "out": ("evaluate",),
    "memory_limit": _RUNS,
    "threads": _RUNS,
    "backend": _RUNS,
    "spark_master": _RUNS,
    "log": (*_RUNS, "log", "approve", "verify", "export"),
    "log_file": ("",),   # the group's own options: --log-file, --verbose, --quiet
    "verbose": ("",),
    "quiet": ("",),
}
_PATH_KEYS = ("data", "out", "log", "log_file")


class ConfigError(click.UsageError):
    """A bad tanso.toml: shown as a usage error (exit 64), without a traceback."""


@frozen
class Config:
    path: Path | None
    default_map: dict[str, Any]
    error: ConfigError | None = None   # a bad tanso.toml, reported when a command runs


def find_config(start: Path | None = None) -> Path | None:
    """$TANSO_CONFIG, else the nearest tanso.toml in `start` (the current folder) or its parents."""
    named = os.environ.get(CONFIG_ENV)
    if named is not None:
        if named.strip().lower() in ("", "none"):
            return None
        if not Path(named).is_file():
            raise ConfigError(f"{CONFIG_ENV}={named}: no such file")
        return Path(named)
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate / CONFIG_FILE
    return None


def long_name(option: click.Option) -> str:
    """The option as tanso.toml and the environment name it: `--memory-limit` → `memory_limit`."""
    longest = max((o for o in option.opts if o.startswith("--")), key=len, default=option.opts[0])
    return longest.lstrip("-").replace("-", "_")


def commands(group: click.Group) -> dict[str, click.Command]:
    """Every built-in command by its path under `tanso` (`evaluate`, `factors import`); "" is the group itself.
    `tanso`'s own group imports its commands on first use: here all are imported."""
    found: dict[str, click.Command] = {"": group}
    built_in = getattr(group, "built_in_commands", None)
    for name, command in (built_in() if built_in else group.commands).items():
        found[name] = command
        if isinstance(command, click.Group):
            found |= {f"{name} {sub}": c for sub, c in commands(command).items() if sub}
    return found


def configurable(option: click.Parameter) -> bool:
    """An option a variable or tanso.toml may set: every one but --help and --version (eager flags that print
    and exit); --lang, eager so that every message after it is in its language, is one."""
    return isinstance(option, click.Option) and not (option.is_eager and option.is_flag)


def assign_envvars(command: click.Command, path: str = "") -> None:
    """Give every option of `command` (at `path` under `tanso`: "" is the group itself) and of the commands
    it holds so far its environment variables (see the module docstring)."""
    for option in (p for p in command.params if isinstance(p, click.Option)):
        if option.envvar or not configurable(option):
            continue
        key = long_name(option)
        names = ["_".join(["TANSO", *path.upper().split(), key.upper()])]
        if path.split(" ")[0] in PROJECT_KEYS.get(key, ()) and path:
            names.append(f"TANSO_{key.upper()}")
        option.envvar = names if len(names) > 1 else names[0]
        option.show_envvar = True
    for name, sub in getattr(command, "commands", {}).items():
        assign_envvars(sub, f"{path} {name}".strip())


def load(group: click.Group, start: Path | None = None) -> Config:
    """tanso.toml as click's default_map, every key and value checked against the options."""
    path = find_config(start)
    if path is None:
        return Config(None, {})
    import tomllib   # here, not at the top: most commands run without a tanso.toml (tomllib is ~11 M instructions)
    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not TOML: {error}") from None
    lines = _key_lines(text)
    known = commands(group)
    default_map: dict[str, Any] = {}

    def put(command_path: str, option: click.Option, value: Any, where: str) -> None:
        checked = _checked(known[command_path], option, value, where)
        target = default_map
        for part in command_path.split():
            target = target.setdefault(part, {})
        target[option.name] = checked

    def command_table(command_path: str, items: dict[str, Any]) -> None:
        """A [command] table: that command's options, and [group.subcommand] tables within a group's."""
        options = _options(known[command_path])
        for name, item in items.items():
            sub = f"{command_path} {name}"
            if isinstance(item, dict) and sub in known:
                command_table(sub, item)
                continue
            if name not in options:
                raise _unknown(f"{_at(path, lines, name, command_path.replace(' ', '.'))}: key '{name}': `tanso "
                               f"{command_path}` has no option --{name.replace('_', '-')}", name, options)
            put(command_path, options[name], _resolved(name, item, path),
                _at(path, lines, name, command_path.replace(" ", ".")))

    for key, value in table.items():
        if isinstance(value, dict):
            if key not in known or not key:
                raise _unknown(f"{_at(path, lines, key)}: [{key}]: no such command", key, [c for c in known if c])
            command_table(key, value)
            continue
        if key not in PROJECT_KEYS:
            raise _unknown(f"{_at(path, lines, key)}: key '{key}' is not a project default (one of "
                           f"{', '.join(PROJECT_KEYS)}; set a command's option in a [command] table)",
                           key, PROJECT_KEYS)
        for command_path in (p for p in known if p.split(" ")[0] in PROJECT_KEYS[key]):
            option = _options(known[command_path]).get(key)
            if option is not None:
                put(command_path, option, _resolved(key, value, path), _at(path, lines, key))
    return Config(path, default_map)


def _unknown(message: str, name: str, known) -> ConfigError:
    hint = did_you_mean(name, known)
    return ConfigError(message + (f"; {hint}" if hint else ""))


def _options(command: click.Command) -> dict[str, click.Option]:
    return {long_name(p): p for p in command.params if configurable(p)}


def _resolved(key: str, value: Any, path: Path) -> Any:
    """A path in tanso.toml is relative to the file's folder (shown relative to the current one)."""
    if key in _PATH_KEYS and isinstance(value, str):
        return os.path.relpath(path.parent / value) if not os.path.isabs(value) else value
    return value


def _checked(command: click.Command, option: click.Option, value: Any, where: str) -> Any:
    """The value as the option converts and checks it (type, range, callback), else a ConfigError."""
    if option.multiple and not isinstance(value, list):
        value = [value]
    for item in value if option.multiple else [value]:
        expected = _toml_kind(option)
        if not isinstance(item, _TOML_TYPES[expected]) or (expected != "true or false" and isinstance(item, bool)):
            raise ConfigError(f"{where}: key '{long_name(option)}': {json.dumps(item, default=str)} is not {expected}"
                              + (" (or a list of them)" if option.multiple else ""))
    ctx = click.Context(command, info_name=command.name)
    try:
        converted = option.type_cast_value(ctx, value)
        if option.callback is not None:
            option.callback(ctx, option, converted)
    except click.BadParameter as error:
        raise ConfigError(f"{where}: key '{long_name(option)}': {error.message}") from None
    return value


_TOML_TYPES = {"true or false": bool, "a whole number": int, "a number": (int, float), "a string": str}


def _toml_kind(option: click.Option) -> str:
    """What TOML value the option takes: tanso.toml's types are checked before click converts (click would
    read 2.5 threads as 2)."""
    if option.is_flag or isinstance(option.type, click.types.BoolParamType):
        return "true or false"
    if option.count or isinstance(option.type, click.types.IntParamType):
        return "a whole number"
    if isinstance(option.type, click.types.FloatParamType):
        return "a number"
    return "a string"


_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=")


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) → the 1-based line that sets it; a table header under ("", table)."""
    found, table = {}, ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1)
            found.setdefault(("", table), number)
        elif _KEY.match(line):
            found.setdefault((table, _KEY.match(line).group(1).strip('"')), number)
    return found


def _at(path: Path, lines: dict[tuple[str, str], int], key: str, table: str = "") -> str:
    line = lines.get((table, key))
    return f"{path}:{line}" if line else str(path)
