"""`mtqa fix`: write the text with its translation errors corrected, and show what changed and why."""

from __future__ import annotations

import sys
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from mtqa.api import Checker, FixResult
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
    MinScoreOpt,
    OUTPUTS,
    PrecisionOpt,
    ReferenceOpt,
    ThresholdOpt,
    app,
    err,
    fail,
    internal,
    note,
    out,
    same_file,
    warn,
)
from mtqa.cli.inputs import DEFAULT_GLOB, Source, expand
from mtqa.cli.settings import DEFAULTS, make_checker, resolve, verbose
from mtqa.errors import MtqaError
from mtqa.output import fixes
from mtqa.output.report import printable
from mtqa.text.document import TextView
from mtqa.text.io import TextFile, read_text, write_atomic, write_text_atomic

STDOUT = "-"  # -o - writes the corrected text to standard output, and everything else to stderr


@dataclass
class Fixed:
    """One input corrected, or why it could not be."""

    source: Source
    file: TextFile | None = None  # None: the input could not be read
    fixed: FixResult | None = None
    data: bytes = b""  # the corrected text, encoded as the input was (with its BOM, if any)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # this input could not be read, encoded or hit a bug: reported, the others go on
    fatal: str | None = None  # a model or glossary problem, the same for every input: the run stops


def fix_one(checker: Checker, source: Source, progress: runner.ProgressFn, encoding: str) -> Fixed:
    """Read and correct one input (a runner task: it may run in a worker process)."""
    try:
        file = source.read(encoding)
    except MtqaError as error:
        return Fixed(source, error=str(error))
    if not file.text.strip():
        return Fixed(source, file, FixResult(file.text, [], [], TextView(file.text)), file.data)
    heard: list[str] = []
    checker.on_warning = heard.append  # "does not look like English", printed with this input's result
    words = len(file.text.split())
    try:
        fixed = checker.fix(file.text, source.name, progress=lambda end: progress(words * end // len(file.text), words))
    except MtqaError as error:
        return Fixed(source, file, fatal=str(error))
    except Exception as error:  # noqa: BLE001  a bug on this input: report it, go on with the others
        return Fixed(source, file, warnings=heard, error=internal(source.name, error))
    # A line index instead of the segmented document: all the output needs, and light to send back.
    fixed = replace(fixed, doc=TextView(file.text, fixed.doc.word_count() if fixed.doc else 0))
    try:
        data = file.encode(fixed.text)  # before anything is written: an unencodable correction is an error
    except MtqaError as error:
        return Fixed(source, file, warnings=heard, error=str(error))
    return Fixed(source, file, fixed, data, heard)


@app.command()
def fix(
    ctx: typer.Context,
    files: InputsArg,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", rich_help_panel=OUTPUTS, help="Where to write the corrected text of one input; - for standard output.")
    ] = None,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out-dir", rich_help_panel=OUTPUTS, help="Write each input's corrected text here, under its own name (and its path below a folder argument).")
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", rich_help_panel=OUTPUTS, help="Overwrite each input, first copying it to FILE.orig (replacing an older FILE.orig).")
    ] = False,
    report: Annotated[Optional[Path], typer.Option("--report", rich_help_panel=OUTPUTS, help="Write the edits of every input as JSON here.")] = None,
    report_html: Annotated[
        Optional[Path],
        typer.Option("--report-html", rich_help_panel=OUTPUTS, help="Write a review page here: each text before and after, every flag applied or left."),
    ] = None,
    diff: Annotated[bool, typer.Option("--diff", rich_help_panel=OUTPUTS, help="Print a unified diff of the changes.")] = False,
    explain: Annotated[bool, typer.Option("--explain", rich_help_panel=OUTPUTS, help="Show every candidate with its LM, glossary and reference parts.")] = False,
    gold: Annotated[Optional[Path], typer.Option("--gold", rich_help_panel=OUTPUTS, help="A clean version of the one input: print BLEU, chrF and TER before and after.")] = None,
    keep_spacing: Annotated[bool, typer.Option("--keep-spacing", help="Do not restore missing spaces after sentence ends.")] = False,
    interactive: Annotated[
        bool, typer.Option("--interactive", rich_help_panel=OUTPUTS, help="Decide every flag at the terminal: accept a suggestion, skip, edit, ... (? lists the keys).")
    ] = False,
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
    glob: GlobOpt = DEFAULT_GLOB,
    config: ConfigOpt = None,
) -> None:
    """Write the text with its translation errors corrected, and show what changed and why.

    Every byte outside an applied edit is kept (encoding, BOM, line endings). Outputs are written
    atomically: an interrupted run leaves the old files as they were. With -o -, standard output
    carries the corrected text and nothing else: notes, summaries, --diff, --explain and --gold go
    to stderr. Settings not given here come from the config file (see `mtqa config`), else the
    defaults. Exit code 0, or 2 when an input could not be corrected (the others still are).
    """
    settings = resolve(ctx, config)
    sources = expand(files, glob)
    targets = plan_targets(sources, output, out_dir, in_place)
    if interactive:  # before any work: without a terminal it would wait for keys forever
        from mtqa.output.interactive import require_terminal

        if str(output) == STDOUT or any(source.path is None for source in sources):
            raise MtqaError("--interactive reads its answers from the terminal: the text cannot come from standard input or go to standard output")
        require_terminal()
    for path in (report, report_html):
        if path and any(same_file(path, other) for other in [*(s.path for s in sources if s.path), *targets] if other):
            raise MtqaError(f"{path}: the report would overwrite an input or an output; choose another path")
    if report and report_html and same_file(report, report_html):
        raise MtqaError(f"{report}: --report and --report-html would write the same file; choose two paths")
    if gold and len(sources) != 1:
        raise MtqaError(f"--gold compares one text with its clean version; give one input, not {len(sources)}")
    checker = make_checker(settings, without=["spacing"] if keep_spacing else [])
    gold_text = read_text(gold, settings["encoding"]).text if gold else None
    console = err if str(output) == STDOUT else out
    task = partial(fix_one, encoding=settings["encoding"])
    done: list[tuple[str, str, FixResult]] = []  # (name, text before, result) of each input corrected
    failed = 0
    with closing(runner.run(task, sources, checker, settings["jobs"], "fixing", verbose(ctx))) as results:
        for result, target in zip(results, targets):
            if result.fatal:
                raise MtqaError(result.fatal)
            for message in result.warnings:
                warn(message)
            if result.error:
                fail(result.error)
                failed += 1
                continue
            decided = review(result, settings["min_score"]) if interactive and result.file.text.strip() else None
            write(result, target, in_place, folders=out_dir is not None)
            show(console, result, target, diff=diff, explain=explain, in_place=in_place, min_score=settings["min_score"], decided=decided)
            if gold_text is not None:
                fixes.print_gold_scores(console, result.file.text, result.fixed.text, gold_text)
            done.append((result.source.name, result.file.text, result.fixed))
    if report and done:
        write_text_atomic(report, fixes.report_json([(name, fixed) for name, _, fixed in done]) + "\n")
    if report_html and done:
        from mtqa.output.html import fix_page

        write_text_atomic(report_html, fix_page(done, settings["min_score"]))
    raise typer.Exit(2 if failed else 0)


def plan_targets(sources: list[Source], output: Path | None, out_dir: Path | None, in_place: bool) -> list[Path | None]:
    """Where each input's corrected text goes (None: standard output), decided and checked before
    any work: an output never overwrites an input (except --in-place, which keeps FILE.orig)."""
    if [output is not None, out_dir is not None, in_place].count(True) != 1:
        raise MtqaError("give one of -o OUTPUT (one input), --out-dir DIR or --in-place")
    stdin = any(source.path is None for source in sources)
    if output is not None:
        if len(sources) != 1:
            raise MtqaError(f"-o writes one output, but {len(sources)} inputs were given; use --out-dir DIR")
        targets = [None if str(output) == STDOUT else output]
    elif in_place:
        if stdin:
            raise MtqaError("--in-place cannot rewrite standard input; use -o - or -o FILE")
        return [source.path for source in sources]
    else:
        if stdin:
            raise MtqaError("--out-dir writes each input under its name, and standard input has none; use -o")
        if out_dir.exists() and not out_dir.is_dir():
            raise MtqaError(f"{out_dir}: is not a folder")
        targets = [out_dir / source.under for source in sources]
        seen: dict[Path, str] = {}
        for source, target in zip(sources, targets):
            if target in seen:
                raise MtqaError(f"{target}: both {seen[target]} and {source.name} would be written here")
            seen[target] = source.name
    for target in targets:
        if target and any(source.path and same_file(target, source.path) for source in sources):
            raise MtqaError(f"{target}: refusing to overwrite the input; use --in-place (keeps a backup)")
    return targets


def review(result: Fixed, min_score: float) -> str:
    """The editor decides every flag of one input at the terminal; `result` then holds only their
    decisions. Returns the one-line account of what they decided."""
    from mtqa.output.interactive import review as review_flags

    session = review_flags(out, result.file.text, result.fixed, min_score)
    result.fixed = session.result()
    result.data = result.file.encode(result.fixed.text)
    return session.summary()


def write(result: Fixed, target: Path | None, in_place: bool, folders: bool = False) -> None:
    """The corrected text to `target` (standard output when None), atomically; `folders` makes the
    folders it goes in (--out-dir)."""
    if target is None:
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
        return
    if in_place:
        write_atomic(target.with_name(target.name + ".orig"), result.file.data)
    if folders:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise MtqaError(f"{target.parent}: cannot make folder: {error.strerror or error}") from None
    write_atomic(target, result.data)


def show(
    console: Console, result: Fixed, target: Path | None, *, diff: bool, explain: bool, in_place: bool, min_score: float, decided: str | None = None
) -> None:
    """What was done to one input: its explanation and diff when asked, and a one-line summary
    (`decided`: the editor's decisions, after --interactive)."""
    name, fixed = result.source.name, result.fixed
    if not result.file.text.strip():
        note(f"{name}: nothing to check")
    if explain:
        fixes.print_explanation(console, fixed)
    where = "standard output" if target is None else str(target)
    if diff:
        fixes.print_diff(console, result.file.text, fixed.text, name, where)
    backup = f" (original kept as {target.name}.orig)" if in_place else ""
    done = decided or (
        f"{len(fixed.applied)} edit(s) applied, {len(fixed.skipped)} flag(s) left (below --min-score {min_score}, "
        "or a rewrite only the LM backs)"
    )
    summary = f"{done}; wrote {where}{backup}"
    console.print(escape(printable(summary)), highlight=False, soft_wrap=True)
