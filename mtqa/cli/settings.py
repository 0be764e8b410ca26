"""The settings a command runs with, and where each came from: the command line over the config file
over the defaults. A list given on the command line (--glossary, --disable, --reference) replaces
the file's list.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer._click.core import ParameterSource

from mtqa import config, pipeline
from mtqa.api import Checker
from mtqa.errors import MtqaError
from mtqa.lm import hardware, registry
from mtqa.text.io import read_text

DEFAULTS: dict[str, Any] = {
    "detectors": pipeline.DEFAULT_DETECTORS,
    "threshold": pipeline.DEFAULT_THRESHOLD,
    "min_score": pipeline.DEFAULT_MIN_SCORE,
    "lm": None,  # the registry's default model
    "precision": "auto",
    "device": "auto",
    "glossary": (),
    "disable": (),
    "reference": (),
    "encoding": "utf-8",
    "jobs": 1,
}
DEFAULT = "default"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Settings:
    """Each setting's value, and its source: "default", "command line" or "FILE:LINE"."""

    values: dict[str, Any]
    sources: dict[str, str]
    file: Path | None  # the config file read, if any

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def resolve(ctx: typer.Context, config_path: Path | None) -> Settings:
    """The settings for the running command. Its parameters are read from `ctx`, so a command declares
    only the settings it takes; the rest come from the config file or the defaults."""
    file = config.load(config_path) if config_path else _nearest()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, default in DEFAULTS.items():
        if key in ctx.params and ctx.get_parameter_source(key) is ParameterSource.COMMANDLINE:
            value = ctx.params[key]
            values[key], sources[key] = (tuple(value) if isinstance(value, list) else value), COMMAND_LINE
        elif file and key in file.values:
            values[key], sources[key] = file.values[key], file.where(key)
        else:
            values[key], sources[key] = default, DEFAULT
    settings = Settings(values, sources, file.path if file else None)
    _check_values(settings)
    return settings


def _nearest() -> config.ConfigFile | None:
    found = config.find(Path.cwd())
    return config.load(found) if found else None


def _choice(what: str, choices: tuple[str, ...]) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value not in choices:
            raise MtqaError(f"unknown {what} {value!r}; choose from {', '.join(choices)}")

    return check


def _encoding(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise MtqaError(f"unknown encoding {name!r}") from None


# What each value must be, checked before any work; a bad value from the file names its line.
_CHECKS: dict[str, Callable[[Any], object]] = {
    "detectors": pipeline.parse_detectors,
    "lm": lambda name: name is None or registry.spec(name),
    "precision": _choice("precision", hardware.PRECISIONS),
    "device": _choice("device", hardware.DEVICES),
    "encoding": _encoding,
}


def _check_values(settings: Settings) -> None:
    for key, check in _CHECKS.items():
        try:
            check(settings[key])
        except MtqaError as error:
            source = settings.sources[key]
            raise (error if source in (DEFAULT, COMMAND_LINE) else MtqaError(f"{source}: {error}")) from None


def make_checker(settings: Settings, without: Iterable[str] = ()) -> Checker:
    """The one `Checker` a command runs every input through (so each model loads once), with the
    reference texts read; `without` leaves detectors out (`fix --keep-spacing`)."""
    names = [name for name in pipeline.parse_detectors(settings["detectors"]) if name not in without]
    if not names:
        raise MtqaError(f"no detector left to run: {settings['detectors']} without {', '.join(without)}")
    return Checker(
        detectors=names,
        lm=settings["lm"],
        threshold=settings["threshold"],
        min_score=settings["min_score"],
        glossary_files=settings["glossary"],
        disabled=settings["disable"],
        references=[read_text(path, settings["encoding"]).text for path in settings["reference"]],
        precision=settings["precision"],
        device=settings["device"],
    )


def verbose(ctx: typer.Context) -> bool:
    """Whether `mtqa --verbose` was asked for (worker processes need to know it too)."""
    return bool(ctx.find_root().params.get("verbose"))
