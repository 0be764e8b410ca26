"""What every command shares: the app, the consoles, the common options and how problems are reported.

The options for settings that a config file can also give (see `mtqa.cli.settings`) are declared
here once, so that every command that takes them spells and documents them alike.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from mtqa import pipeline
from mtqa.output.report import printable

app = typer.Typer(
    help="mtqa: find, explain and correct machine-translation damage in English text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

# -- settings a config file can also give (their defaults are the defaults of mtqa.cli.settings) ---

SETTINGS = r"Settings (also from mtqa.toml or \[tool.mtqa]; see mtqa config)"  # \[: not rich markup
INPUTS = "Inputs"
OUTPUTS = "Outputs"

DetectorsOpt = Annotated[
    str, typer.Option("--detectors", "-d", rich_help_panel=SETTINGS, help=f"Comma-separated detectors: {', '.join(pipeline.DETECTORS)}.")
]
LmOpt = Annotated[Optional[str], typer.Option("--lm", rich_help_panel=SETTINGS, help="Language model (see `mtqa models`); default smollm2-135m.")]
ThresholdOpt = Annotated[float, typer.Option("--threshold", min=0.0, max=1.0, rich_help_panel=SETTINGS, help="Report flags scoring at least this.")]
MinScoreOpt = Annotated[float, typer.Option("--min-score", min=0.0, max=1.0, rich_help_panel=SETTINGS, help="Apply corrections scoring at least this.")]
PrecisionOpt = Annotated[str, typer.Option("--precision", rich_help_panel=SETTINGS, help="The language model's precision: auto, fp32 or bf16.")]
DeviceOpt = Annotated[str, typer.Option("--device", rich_help_panel=SETTINGS, help="Where the language model runs: auto, cpu or cuda.")]
EncodingOpt = Annotated[str, typer.Option("--encoding", rich_help_panel=SETTINGS, help="Encoding of the input files.")]
GlossaryOpt = Annotated[
    Optional[list[Path]], typer.Option("--glossary", rich_help_panel=SETTINGS, help="Extra glossary YAML file(s), added to the bundled one.")
]
DisableOpt = Annotated[
    Optional[list[str]],
    typer.Option("--disable", rich_help_panel=SETTINGS, help="Rule id, family or source to turn off, e.g. glossary:safety-council, lm:prediction."),
]
ReferenceOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--reference", "-r", rich_help_panel=SETTINGS, help="Related clean text(s): names are written as they write them, and candidates follow their phrasing."),
]
JobsOpt = Annotated[
    int, typer.Option("--jobs", "-j", min=1, rich_help_panel=SETTINGS, help="Worker processes, each with its own model and a share of the CPU cores; 1 works in this process.")
]
ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", rich_help_panel=SETTINGS, help=r"Settings file (mtqa.toml, or a pyproject.toml with \[tool.mtqa]); default: the nearest one found from here upwards."),
]

# -- inputs ----------------------------------------------------------------------------------------

InputsArg = Annotated[
    list[Path],
    typer.Argument(help="Text files, folders (every *.txt in them, recursively) or - for standard input.", show_default=False),
]
GlobOpt = Annotated[str, typer.Option("--glob", rich_help_panel=INPUTS, help="Which files a folder argument means, matched against the end of their paths.")]


def fail(message: str) -> None:
    """One line on stderr, whatever the terminal width, with the message's control characters escaped."""
    err.print(f"mtqa: error: {escape(printable(message))}", highlight=False, soft_wrap=True)


def note(message: str, console: Console | None = None) -> None:
    (console or err).print(escape(printable(message)), highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    err.print(f"mtqa: warning: {escape(printable(message))}", highlight=False, soft_wrap=True)


def internal(name: str, error: Exception) -> str:
    """A bug hit while processing one file: one line, unless MTQA_DEBUG asks for the traceback."""
    if os.environ.get("MTQA_DEBUG"):
        raise error
    return f"{name}: internal error {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 shows the traceback)"


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False
