"""`mtqa check`: list the places where translation broke the English."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer

from mtqa import pipeline
from mtqa.cli.common import (
    DetectorsOpt,
    DisableOpt,
    EncodingOpt,
    GlossaryOpt,
    LmOpt,
    ReferenceOpt,
    app,
    check_model,
    english_only,
    fail,
    internal,
    note,
    out,
    progress,
    same_file,
)
from mtqa.errors import MtqaError
from mtqa.output.report import FileFlags, JsonStream, print_lines, print_summary
from mtqa.text.document import TextView
from mtqa.text.io import read_text, write_text_atomic


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Text files to check.", show_default=False)],
    detectors: DetectorsOpt = pipeline.DEFAULT_DETECTORS,
    lm: LmOpt = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Report flags scoring at least this.")] = pipeline.DEFAULT_THRESHOLD,
    format: Annotated[str, typer.Option("--format", "-f", help="text, json or html (a review page; see -o).")] = "text",
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="With --format html: write the page here (default: stdout).")
    ] = None,
    encoding: EncodingOpt = "utf-8",
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
    reference: ReferenceOpt = None,
) -> None:
    """List the places where translation broke the English, with why and ranked suggestions.

    Exit code 0 when nothing is flagged, 1 when something is, 2 when a file could not be read
    (the other files are still checked) or the options are wrong.
    """
    if format not in ("text", "json", "html"):
        raise MtqaError(f"unknown format {format!r}; choose text, json or html")
    if output is not None and format != "html":
        raise MtqaError("-o/--output is for --format html; text and JSON go to stdout")
    if output is not None and any(same_file(output, p) for p in [*files, *(reference or ())]):
        raise MtqaError(f"{output}: the report would overwrite an input; choose another path")
    names = pipeline.parse_detectors(detectors)
    check_model(lm)
    disabled = frozenset(disable or ())
    texts = [read_text(p, encoding).text for p in reference or ()]
    if texts:
        from mtqa.text.reference import Reference

        references = Reference(texts)
    else:
        references = None
    built: dict[tuple[str, ...], object] = {}

    def detector_for(chosen: list[str]):
        key = tuple(chosen)
        if key not in built:
            built[key] = pipeline.build_detector(chosen, lm, tuple(glossary or ()), reference=references)
        return built[key]

    stream = JsonStream(sys.stdout) if format == "json" else None
    pages: list[FileFlags] | None = [] if format == "html" else None  # the HTML page is written at the end
    if stream:
        stream.begin()
    errors: list[dict[str, str]] = []
    read = flagged = words = 0
    for path in files:
        try:
            file = read_text(path, encoding)
        except MtqaError as error:
            fail(str(error))
            errors.append({"path": str(path), "message": str(error)})
            continue
        read += 1
        view = TextView(file.text)
        if stream:
            stream.file(str(path))
        if pages is not None:
            pages.append(FileFlags(str(path), view, []))
        if not file.text.strip():
            note(f"{path}: nothing to check")
            continue
        chosen = english_only(str(path), file.text, names)
        total = len(file.text)
        bar = progress(len(file.text.split()) if total > 30_000 else 0, f"checking {path}")
        try:
            with bar or nullcontext():
                task = bar.add_task("check", total=total) if bar else None
                for start, end, count, flags in pipeline.check_blocks(detector_for(chosen), file.text, threshold, disabled):
                    words += count
                    flagged += len(flags)
                    if stream:
                        for flag in flags:
                            stream.flag(view, flag)
                    elif pages is not None:
                        pages[-1].flags.extend(flags)
                    else:
                        print_lines(out, FileFlags(str(path), view, flags))
                    if bar:
                        bar.update(task, completed=end)
        except MtqaError as error:  # a model or glossary problem: the same for every file, so stop
            if stream:  # still one valid JSON document on stdout
                stream.end(errors=[*errors, {"path": str(path), "message": str(error)}])
            raise
        except Exception as error:  # noqa: BLE001  a bug on this input: report it, go on with the others
            message = internal(path, error)
            fail(message)
            errors.append({"path": str(path), "message": message})
    if stream:
        stream.end(**({"errors": errors} if errors else {}))
    elif pages is not None:
        _write_page(pages, errors, output, words)
    elif read and (words or flagged):
        print_summary(out, flagged, read, words)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(1 if flagged else 0)


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
