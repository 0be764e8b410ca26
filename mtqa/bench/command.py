"""`mtqa bench`: run every detector on the benchmark sets and write results.json, results.md and the plots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mtqa import pipeline
from mtqa.bench import report, run


def bench(
    set_names: Annotated[
        Optional[list[str]],
        typer.Option("--set", metavar="NAME", help=f"Set name ({', '.join(run.SET_NAMES)}) or a .jsonl file (gold edits or MQM rater spans); repeat for several. Default: all, plus the rated MT in ../shared/mqm when present."),
    ] = None,
    detectors: Annotated[
        Optional[list[str]],
        typer.Option("--detectors", "-d", metavar="NAMES", help=f"Detectors, repeated or comma-separated ({', '.join(run.DETECTORS)}). Default: all."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for results.json, results.md and pr-<set>.png.")] = run.DEFAULT_OUT,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Flags count at score ≥ this.")] = pipeline.DEFAULT_THRESHOLD,
    precision: Annotated[str, typer.Option(metavar="auto|fp32|bf16", help="The transformer's precision (auto: bf16 where the CPU computes it natively).")] = "auto",
    scale: Annotated[bool, typer.Option("--scale/--no-scale", help="Also time a 16k-word article (the 1k and 4k runs always happen).")] = True,
) -> None:
    """Compare the detectors on the benchmark sets: accuracy, false alarms, speed, memory, and a precision-recall plot."""
    console = Console(stderr=True, highlight=False)
    names = run.parse_detectors(detectors or list(run.DETECTORS))
    sets = set_names or run.default_sets()
    run.resolve_sets(sets)  # fail on a bad set before loading any model
    options = [*(f"--set {s}" for s in set_names or ()), *([f"--detectors {','.join(names)}"] if detectors else [])]
    options += [f"--out {out}"] if out != run.DEFAULT_OUT else []
    options += [f"--threshold {threshold}"] if threshold != pipeline.DEFAULT_THRESHOLD else []
    options += [f"--precision {precision}"] if precision != "auto" else []
    options += [] if scale else ["--no-scale"]
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("words"), TimeElapsedColumn(), console=console, transient=True)
    with bar:
        task = bar.add_task("bench", total=run.planned_words(sets, names, scale))
        results = run.run_bench(
            sets, names, threshold, scale, advance=lambda what, words: bar.update(task, advance=words, description=escape(what)), command=" ".join(["mtqa bench", *options]), precision=precision
        )
    written = report.write_outputs(results, out)
    screen = Console(highlight=False)
    for name in results["results"]:  # one table per set: the main table is too wide for a terminal
        columns, cells = report.summary(results, name)
        table = Table("detector", *columns, title=f"{name} (threshold {threshold})", title_justify="left")
        for detector, row in cells.items():
            table.add_row(detector, *row)
        screen.print(table)
    screen.print(f"full run: {results['wall_s']:.0f} s")
    for detector, info in results["detectors"].items():
        if info["note"]:
            console.print(escape(f"{detector}: {info['note']}"), style="yellow")
    console.print(escape("wrote " + ", ".join(str(p) for p in written)))
