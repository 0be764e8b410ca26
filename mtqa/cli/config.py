"""`mtqa config`: the settings `check` and `fix` would run with here, and where each came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from mtqa.cli.common import (
    ConfigOpt,
    DetectorsOpt,
    DeviceOpt,
    DisableOpt,
    EncodingOpt,
    GlossaryOpt,
    JobsOpt,
    LmOpt,
    MinScoreOpt,
    PrecisionOpt,
    ReferenceOpt,
    ThresholdOpt,
    app,
    out,
)
from mtqa.cli.settings import DEFAULTS, resolve
from mtqa.config import shown
from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.output.report import dumps, printable


@app.command("config")
def show_config(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", "-f", help="text (TOML you can copy into mtqa.toml) or json.")] = "text",
    detectors: DetectorsOpt = DEFAULTS["detectors"],
    lm: LmOpt = DEFAULTS["lm"],
    threshold: ThresholdOpt = DEFAULTS["threshold"],
    min_score: MinScoreOpt = DEFAULTS["min_score"],
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
    reference: ReferenceOpt = None,
    encoding: EncodingOpt = DEFAULTS["encoding"],
    precision: PrecisionOpt = DEFAULTS["precision"],
    device: DeviceOpt = DEFAULTS["device"],
    jobs: JobsOpt = DEFAULTS["jobs"],
    config: ConfigOpt = None,
) -> None:
    """Show the settings check and fix would use here, each with its source: default, FILE:LINE, or command line.

    The config file is --config, else the nearest mtqa.toml, or pyproject.toml with a \\[tool.mtqa]
    table, from this folder up to the root of its repository; command-line options override it.
    """
    if format not in ("text", "json"):
        raise MtqaError(f"unknown format {format!r}; choose text or json")
    settings = resolve(ctx, config)
    values = {key: _plain(key, value) for key, value in settings.values.items()}
    file = shown(settings.file) if settings.file else None
    if format == "json":
        payload = {"config_file": file, "settings": {key: {"value": values[key], "source": settings.sources[key]} for key in values}}
        out.print(escape(dumps(payload)), highlight=False, soft_wrap=True)
        return
    out.print(escape(f"# config file: {file or 'none found'}"), highlight=False, soft_wrap=True)
    width = max(len(key) + 3 + len(json.dumps(value, ensure_ascii=False)) for key, value in values.items())
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        out.print(escape(printable(f"{line:<{width}}  # {settings.sources[key]}")), highlight=False, soft_wrap=True)


def _plain(key: str, value: Any) -> Any:
    """A setting as TOML and JSON write it: paths as strings (relative to this folder when inside it),
    lists as lists, the default model by name."""
    if key == "lm" and value is None:
        return registry.default_model()
    if isinstance(value, tuple):
        return [shown(item) if isinstance(item, Path) else item for item in value]
    return value
