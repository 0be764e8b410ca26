"""Settings from a config file: the top level of an `mtqa.toml`, or `[tool.mtqa]` in a `pyproject.toml`.

The nearest file wins, looking from a folder upwards: in each folder `mtqa.toml` first, then a
`pyproject.toml` that has a `[tool.mtqa]` table. The search stops at the root of the repository the
folder is in (the folder holding `.git`), or at the filesystem root: a file above the repository
belongs to something else.

This module knows the keys, their types and where in the file each is written; what a value means
(which detectors exist, which models) is checked by the code that uses it.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import MtqaError

CONFIG_NAME = "mtqa.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.mtqa"


class _Wrong(Exception):
    """A value of the wrong type; the loader adds the file, line and key."""


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Wrong("a non-empty string")
    return value.strip()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise _Wrong("a list of strings")
    return tuple(item.strip() for item in value)


def _detectors(value: Any) -> str:
    """A list of names or a comma-separated string, kept as the string `--detectors` takes."""
    if isinstance(value, str):
        return value
    try:
        return ",".join(_strings(value))
    except _Wrong:
        raise _Wrong('a list of detector names or a comma-separated string, e.g. "glossary,lm"') from None


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise _Wrong("a number from 0 to 1")
    return float(value)


def _encoding(value: Any) -> str:
    name = _string(value)
    try:
        codecs.lookup(name)
    except LookupError:
        raise _Wrong("the name of a text encoding, e.g. utf-8 or latin-1") from None
    return name


def _jobs(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Wrong("a whole number of at least 1")
    return value


# Each key and how its value is checked; `glossary` and `reference` are paths relative to the file.
KEYS: dict[str, Callable[[Any], Any]] = {
    "detectors": _detectors,
    "threshold": _fraction,
    "min_score": _fraction,
    "lm": _string,
    "precision": _string,
    "device": _string,
    "glossary": _strings,
    "disable": _strings,
    "reference": _strings,
    "encoding": _encoding,
    "jobs": _jobs,
}
PATH_KEYS = ("glossary", "reference")


@dataclass(frozen=True)
class ConfigFile:
    """A checked config file: each key's value (paths made relative to the current folder's view of
    the file) and the line it is written on (0 when the search of the text could not find it)."""

    path: Path
    values: dict[str, Any]
    lines: dict[str, int]

    def where(self, key: str) -> str:
        """"mtqa.toml:3": where a key's value came from, for messages and `mtqa config`."""
        line = self.lines.get(key, 0)
        return f"{shown(self.path)}:{line}" if line else shown(self.path)


def shown(path: Path) -> str:
    """A path as the user would write it: relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find(start: Path) -> Path | None:
    """The config file that applies in folder `start` (see the module docstring), or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _table(_parse(pyproject)[1], pyproject) is not None:
            return pyproject
        if (folder / ".git").exists():  # a file in a git worktree, a folder in a clone
            return None
    return None


def load(path: Path) -> ConfigFile:
    """Read and check a config file; MtqaError naming the file, line and key on any problem."""
    path = Path(path)
    text, data = _parse(path)
    table_name = TOOL_TABLE if path.name == PYPROJECT else ""
    table = _table(data, path) if table_name else data
    if table is None:
        raise MtqaError(f"{shown(path)}: has no [{TOOL_TABLE}] table")
    lines = key_lines(text, table_name)
    inside = f" in [{table_name}]" if table_name else ""
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{shown(path)}:{lines[key]}" if lines.get(key) else shown(path)
        if key not in KEYS:
            raise MtqaError(f"{where}: unknown key {key!r}{inside}; known: {', '.join(KEYS)}")
        try:
            values[key] = KEYS[key](value)
        except _Wrong as wrong:
            raise MtqaError(f"{where}: {key!r}{inside} must be {wrong}, not {_brief(value)}") from None
        if key in PATH_KEYS:
            values[key] = tuple(path.parent / item for item in values[key])
    return ConfigFile(path, values, lines)


def _parse(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MtqaError(f"{shown(path)}: no such config file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise MtqaError(f"{shown(path)}: cannot read: {getattr(err, 'strerror', None) or err}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"\(at line (\d+), column \d+\)", str(err))
        where = f"{shown(path)}:{at.group(1)}" if at else shown(path)
        raise MtqaError(f"{where}: invalid TOML: {str(err).split(' (at line')[0]}") from None


def _table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The `[tool.mtqa]` table of a parsed pyproject.toml, or None when it has none."""
    table = data.get("tool", {}).get("mtqa") if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise MtqaError(f"{shown(path)}: [{TOOL_TABLE}] must be a table of settings")
    return table


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]*?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(["']?)([A-Za-z0-9_-]+)\1\s*=""")


def key_lines(text: str, table: str) -> dict[str, int]:
    """The line each key of `table` ("" for the top level) is written on, found by reading the text:
    tomllib reports no positions. Table headers switch tables (a header of a table inside `table`
    is where that key is written); `[[array]]` headers end the table."""
    lines: dict[str, int] = {}
    current: str | None = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = re.sub(r"""[\s"']""", "", header.group(1))
            parent, _, key = current.rpartition(".")
            if parent == table:
                lines.setdefault(key, number)
        elif line.lstrip().startswith("[["):
            current = None
        elif current == table and (key := _KEY.match(line)):
            lines.setdefault(key.group(2), number)
    return lines


def _brief(value: Any) -> str:
    """A value as TOML would write it, cut short for a one-line message."""
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 40 else text[:37] + "..."

