"""`mtqa check`: list the places where translation broke the English."""

from __future__ import annotations

import sys
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Optional

import typer

from mtqa import pipeline
from mtqa.api import Checker
from mtqa.cli import runner
from mtqa.cli.common import (
    ConfigOpt,
    DetectorsOpt,
    DeviceOpt,
    DisableOpt,
    EncodingOpt,
    GlobOpt,
    GlossaryOpt,
    InputsArg,
    JobsOpt,
    LmOpt,
    OUTPUTS,
    PrecisionOpt,
    ReferenceOpt,
    ThresholdOpt,
    app,
    fail,
    internal,
    note,
    out,
    same_file,
    warn,
)
from mtqa.cli.inputs import DEFAULT_GLOB, Source, expand
from mtqa.cli.settings import DEFAULTS, make_checker, resolve, verbose
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.output.report import FileFlags, JsonStream, print_lines, print_summary
from mtqa.text.document import TextView
from mtqa.text.io import write_text_atomic


@dataclass
class Checked:
    """What checking one input found, or why it could not be checked."""

    source: Source
    text: str | None = None  # None: the input could not be read
    flags: list[Edit] = field(default_factory=list)
    words: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # this input could not be read, or hit a bug: reported, the others go on
    fatal: str | None = None  # a model or glossary problem, the same for every input: the run stops


def check_one(checker: Checker, source: Source, progress: runner.ProgressFn, encoding: str) -> Checked:
    """Read and check one input (a runner task: it may run in a worker process)."""
    try:
        text = source.read(encoding).text
    except MtqaError as error:
        return Checked(source, error=str(error))
    if not text.strip():
        return Checked(source, text)  # nothing to check: no model is loaded for it
    heard: list[str] = []
    checker.on_warning = heard.append  # "does not look like English", printed with this input's result
    flags: list[Edit] = []
    words, total = 0, len(text.split()) if len(text) > pipeline.BLOCK_CHARS else 0
    try:
        for _, end, count, block in checker.check_blocks(text, source.name):
            flags += block
            words += count
            if total:
                progress(total * end // len(text), total)
    except MtqaError as error:
        return Checked(source, text, fatal=str(error))
    except Exception as error:  # noqa: BLE001  a bug on this input: report it, go on with the others
        return Checked(source, text, warnings=heard, error=internal(source.name, error))
    return Checked(source, text, flags, words, heard)


@app.command()
def check(
    ctx: typer.Context,
    files: InputsArg,
    format: Annotated[str, typer.Option("--format", "-f", rich_help_panel=OUTPUTS, help="text, json or html (a review page; see -o).")] = "text",
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", rich_help_panel=OUTPUTS, help="With --format html: write the page here (default: standard output).")
    ] = None,
    detectors: DetectorsOpt = DEFAULTS["detectors"],
    lm: LmOpt = DEFAULTS["lm"],
    threshold: ThresholdOpt = DEFAULTS["threshold"],
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
    reference: ReferenceOpt = None,
    encoding: EncodingOpt = DEFAULTS["encoding"],
    precision: PrecisionOpt = DEFAULTS["precision"],
    device: DeviceOpt = DEFAULTS["device"],
    jobs: JobsOpt = DEFAULTS["jobs"],
    glob: GlobOpt = DEFAULT_GLOB,
    config: ConfigOpt = None,
) -> None:
    """List the places where translation broke the English, with why and ranked suggestions.

    Settings not given here come from the config file (see `mtqa config`), else the defaults.
    Exit code 0 when nothing is flagged, 1 when something is, 2 when an input could not be read
    (the others are still checked) or the options are wrong.
    """
    if format not in ("text", "json", "html"):
        raise MtqaError(f"unknown format {format!r}; choose text, json or html")
    if output is not None and format != "html":
        raise MtqaError("-o/--output is for --format html; text and JSON go to standard output")
    settings = resolve(ctx, config)
    checker = make_checker(settings)
    sources = expand(files, glob)
    if output is not None and any(same_file(output, p) for p in [*(s.path for s in sources if s.path), *settings["reference"]]):
        raise MtqaError(f"{output}: the page would overwrite an input; choose another path")
    pages: list[FileFlags] | None = [] if format == "html" else None  # the HTML page is written at the end
    task = partial(check_one, encoding=settings["encoding"])
    stream = JsonStream(sys.stdout) if format == "json" else None
    if stream:
        stream.begin()
    errors: list[dict[str, str]] = []
    read = flagged = words = 0
    with closing(runner.run(task, sources, checker, settings["jobs"], "checking", verbose(ctx))) as results:
        for result in results:
            name = result.source.name
            if result.fatal:
                if stream:  # still one valid JSON document on stdout
                    stream.end(errors=[*errors, {"path": name, "message": result.fatal}])
                raise MtqaError(result.fatal)
            for message in result.warnings:
                warn(message)
            if result.text is None:
                fail(result.error)
                errors.append({"path": name, "message": result.error})
                continue
            read += 1
            if stream:
                stream.file(name)
            if pages is not None:
                pages.append(FileFlags(name, TextView(result.text), []))
            if result.error:
                fail(result.error)
                errors.append({"path": name, "message": result.error})
            elif not result.text.strip():
                note(f"{name}: nothing to check")
            elif pages is not None:
                pages[-1].flags.extend(result.flags)
                words += result.words
                flagged += len(result.flags)
            else:
                _show(stream, result)
                words += result.words
                flagged += len(result.flags)
    if stream:
        stream.end(**({"errors": errors} if errors else {}))
    elif pages is not None:
        _write_page(pages, errors, output, words)
    elif read and (words or flagged):
        print_summary(out, flagged, read, words)
    raise typer.Exit(2 if errors else 1 if flagged else 0)


def _write_page(pages: list[FileFlags], errors: list[dict[str, str]], output: Path | None, words: int) -> None:
    """The HTML review page to `output` (atomically, with a summary on stdout), or to stdout."""
    from mtqa.output.html import check_page

    page = check_page(pages, errors)
    if output is None:
        sys.stdout.write(page)
        sys.stdout.flush()
        return
    write_text_atomic(output, page)
    print_summary(out, sum(len(p.flags) for p in pages), len(pages), words)
    note(f"wrote {output}")


def _show(stream: JsonStream | None, result: Checked) -> None:
    view = TextView(result.text)
    if stream:
        for flag in result.flags:
            stream.flag(view, flag)
    else:
        print_lines(out, FileFlags(result.source.name, view, result.flags))
