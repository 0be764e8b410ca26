"""What every command shares: the app, the consoles, the common options and how problems are reported."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from mtqa.output.report import printable
from mtqa.text.language import guess_language

app = typer.Typer(
    help="mtqa: find, explain and correct machine-translation damage in English text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DetectorsOpt = Annotated[
    str, typer.Option("--detectors", "-d", help="Comma-separated detectors: glossary, lm, spacing.")
]
LmOpt = Annotated[Optional[str], typer.Option("--lm", help="Language model (see `mtqa models`); default smollm2-135m.")]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Encoding of the input files.")]
GlossaryOpt = Annotated[
    Optional[list[Path]], typer.Option("--glossary", help="Extra glossary YAML file(s), added to the bundled one.")
]
DisableOpt = Annotated[
    Optional[list[str]],
    typer.Option("--disable", help="Rule id, family or source to turn off, e.g. glossary:safety-council, lm:prediction."),
]
ReferenceOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--reference", "-r", help="Related clean text(s): names are written as they write them, and candidates follow their phrasing."),
]


def fail(message: str) -> None:
    """One line on stderr, whatever the terminal width, with the message's control characters escaped."""
    err.print(f"mtqa: error: {escape(printable(message))}", highlight=False, soft_wrap=True)


def note(message: str) -> None:
    err.print(escape(printable(message)), highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    err.print(f"mtqa: warning: {escape(printable(message))}", highlight=False, soft_wrap=True)


def progress(words: int, label: str) -> Progress | None:
    """A progress bar on stderr for long inputs (5,000 words or more) on a terminal; None otherwise."""
    if words < 5000 or not err.is_terminal:
        return None
    return Progress(
        TextColumn(escape(printable(label))), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), console=err, transient=True
    )


def check_model(lm: str | None) -> None:
    """An unknown model name is a usage error, reported before any work."""
    if lm is not None:
        from mtqa.lm import registry

        registry.spec(lm)


def english_only(path: str, text: str, names: list[str]) -> list[str]:
    """The detectors to run on `text`: the LM detector is skipped (with a warning) on text that is not English."""
    guess = guess_language(text)
    if guess.english:
        return names
    warn(guess.warning(path))
    return [n for n in names if n != "lm"]


def internal(path: Path, error: Exception) -> str:
    """A bug hit while processing one file: one line, unless MTQA_DEBUG asks for the traceback."""
    if os.environ.get("MTQA_DEBUG"):
        raise error
    return f"{path}: internal error {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 shows the traceback)"


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False
