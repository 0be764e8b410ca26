"""`mtqa corpus` (check a whole corpus, locally or on Ray, resumably) and `mtqa corpus-summary`."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mtqa import pipeline
from mtqa.cli.common import (
    ConfigOpt,
    DetectorsOpt,
    DeviceOpt,
    DisableOpt,
    GlossaryOpt,
    LmOpt,
    PrecisionOpt,
    ThresholdOpt,
    app,
    err,
    note,
    out,
    same_file,
    warn,
)
from mtqa.cli.settings import DEFAULTS, resolve
from mtqa.corpus.engines import Settings, engine
from mtqa.corpus.outfile import partial_path
from mtqa.corpus.records import read_records
from mtqa.corpus.run import RunStats, run_corpus
from mtqa.corpus.sources import Source
from mtqa.corpus.summary import histogram_png, summarise
from mtqa.errors import MtqaError
from mtqa.output.report import printable


@app.command()
def corpus(
    ctx: typer.Context,
    input: Annotated[Path, typer.Argument(help="A .jsonl file (one article a line), a .parquet file, or a folder of .txt files.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write one JSON record per article (JSONL).", show_default=False)],
    engine_name: Annotated[str, typer.Option("--engine", help="local (this machine) or ray (a Ray instance or cluster).")] = "local",
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Workers, one model each. Default: 1 locally; on Ray, one per 2 cores.")
    ] = None,
    ray_address: Annotated[
        Optional[str], typer.Option("--ray-address", help="Join this Ray cluster (auto, or HOST:PORT) instead of starting a local instance.")
    ] = None,
    id_field: Annotated[str, typer.Option("--id-field", help="JSONL/Parquet field holding an article's id.")] = "id",
    text_field: Annotated[str, typer.Option("--text-field", help="JSONL/Parquet field holding an article's text.")] = "text",
    resume: Annotated[bool, typer.Option("--resume", help="Keep the records already written to OUT (or OUT.partial) and check the rest.")] = False,
    detectors: DetectorsOpt = DEFAULTS["detectors"],
    lm: LmOpt = DEFAULTS["lm"],
    threshold: ThresholdOpt = DEFAULTS["threshold"],
    glossary: GlossaryOpt = None,
    disable: DisableOpt = None,
    precision: PrecisionOpt = DEFAULTS["precision"],
    device: DeviceOpt = DEFAULTS["device"],
    config: ConfigOpt = None,
) -> None:
    """Check every article of a corpus and write one record per article, in input order, with its flags and damage score.

    One bad article never stops the run: its record says why it could not be checked. Records go to
    OUT.partial, which becomes OUT when every article is done; after an interruption, --resume
    completes it. Settings not given here come from the config file (see `mtqa config`), else the
    defaults. Exit code 0 when done, 2 on a usage or input error, 130 when interrupted.
    """
    given = resolve(ctx, config)
    settings = Settings(
        tuple(pipeline.parse_detectors(given["detectors"])),
        given["lm"],
        given["threshold"],
        tuple(given["glossary"]),
        frozenset(given["disable"]),
        given["precision"],
        given["device"],
    )
    if settings.glossary_files:
        pipeline.glossary_for(settings.glossary_files)  # a broken glossary is reported now, not by every worker
    chosen = engine(engine_name, settings, jobs, ray_address)
    source = Source(input, id_field, text_field)
    if same_file(input, output) or same_file(input, partial_path(output)):
        raise MtqaError(f"{output}: is the input; choose another output file")
    total = source.count()
    if not total:
        raise MtqaError(f"{input}: no articles")
    bar = _progress(total)
    with bar or nullcontext():
        task = bar.add_task("checking", total=total, words="–") if bar else None

        def show(stats: RunStats) -> None:
            bar.update(task, completed=stats.resumed + stats.checked, words=f"{stats.words_per_second:,.0f}")

        try:
            stats = run_corpus(source, output, chosen, resume, show if bar else None, warn)
        except KeyboardInterrupt:
            note(f"mtqa: stopped; {partial_path(output)} keeps every record written: --resume completes it")
            raise
    resumed = f" ({stats.resumed:,} already done)" if stats.resumed else ""
    startup = f", Ray start-up {stats.startup_seconds:.1f} s" if stats.startup_seconds else ""
    out.print(
        escape(
            f"{stats.articles:,} articles{resumed}: {stats.checked:,} checked now, {stats.errors:,} with errors, "
            f"{stats.flags:,} flags, {stats.words:,} words in {stats.seconds:.1f} s ({stats.words_per_second:,.0f} words/s{startup}) "
            f"→ {printable(str(output))}"
        ),
        soft_wrap=True,
    )


def _progress(total: int) -> Progress | None:
    if not err.is_terminal:
        return None
    return Progress(
        TextColumn("articles"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[words]} words/s"), TimeRemainingColumn(),
        console=err, transient=True,
    )


@app.command("corpus-summary")
def corpus_summary(
    records: Annotated[Path, typer.Argument(help="An output of `mtqa corpus` (OUT.jsonl, or an unfinished OUT.jsonl.partial).", show_default=False)],
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="Rows in each table.")] = 20,
    png: Annotated[Optional[Path], typer.Option("--png", help="Write a histogram of damage scores here (PNG).")] = None,
) -> None:
    """The most damaged articles, the most frequent flagged patterns (glossary candidates), article errors by reason, and a damage histogram."""
    if not records.is_file():
        raise MtqaError(f"{records}: no such file" if not records.exists() else f"{records}: is a folder, expected a JSONL file")

    def unfinished(complete: int, extra: int) -> None:
        warn(f"{records}: ignored an incomplete last record ({extra} bytes): the run that wrote it was interrupted")

    summary = summarise(read_records(records, unfinished), top)
    if not summary.articles:
        raise MtqaError(f"{records}: no records")
    articles = Table(title=f"Most damaged articles (top {min(top, summary.checked)} of {summary.checked:,} checked)", title_justify="left")
    for name, justify in (("id", "left"), ("words", "right"), ("flags", "right"), ("errors/1k", "right"), ("damage", "right")):
        articles.add_column(name, justify=justify)
    for a in summary.top:
        articles.add_row(escape(printable(a["id"])), f"{a['words']:,}", f"{a['flags']:,}", f"{a['errors_per_1k']:.1f}", f"{a['damage']:.3f}")
    patterns = Table(title="Most frequent flagged patterns (candidates for glossary entries)", title_justify="left")
    for name, justify in (("flagged text", "left"), ("first suggestion", "left"), ("rule", "left"), ("flags", "right"), ("articles", "right")):
        patterns.add_column(name, justify=justify)
    for pattern, flags, in_articles in summary.most_frequent(top):
        text = printable(pattern.text) if pattern.text else "(insertion point)"
        suggestion = printable(pattern.suggestion) if pattern.suggestion.strip() or not pattern.suggestion else "(a space)"
        patterns.add_row(escape(text), escape(suggestion), escape(pattern.rule), f"{flags:,}", f"{in_articles:,}")
    out.print(articles)
    out.print(patterns)
    if summary.errors:
        errors = Table(title=f"Articles that could not be checked ({sum(summary.errors.values()):,})", title_justify="left")
        for name, justify in (("reason", "left"), ("articles", "right"), ("first", "left")):
            errors.add_column(name, justify=justify)
        for reason, count in summary.errors.most_common():
            errors.add_row(escape(printable(reason)), f"{count:,}", escape(printable(summary.error_examples[reason])))
        out.print(errors)
    damaged = sum(d >= 0.5 for d in summary.damages)
    per_1k = 1000 * summary.flags / summary.words if summary.words else 0.0
    out.print(
        escape(
            f"{summary.articles:,} articles: {summary.checked:,} checked ({summary.words:,} words, {summary.flags:,} flags, "
            f"{per_1k:.1f} per 1,000 words; {damaged:,} with damage ≥ 0.5), {summary.articles - summary.checked:,} not checked"
        ),
        soft_wrap=True,
    )
    if png:
        histogram_png(summary.damages, png, f"{records.name}: damage of {summary.checked:,} articles")
        note(f"histogram → {png}")
