"""`mtqa fix`: write the text with its translation errors corrected, and show what changed and why."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

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
    note,
    out,
    progress,
    same_file,
)
from mtqa.errors import MtqaError
from mtqa.output.report import printable
from mtqa.text.document import TextView
from mtqa.text.io import read_text, write_atomic, write_text_atomic


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
    report_html: Annotated[
        Optional[Path], typer.Option("--report-html", help="Write a review page here: the text before and after, every flag applied or left.")
    ] = None,
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
    from mtqa.correct.fixing import FixResult
    from mtqa.output import fixes

    if in_place == (output is not None):
        raise MtqaError("give either -o OUTPUT or --in-place")
    check_model(lm)
    source = read_text(file, encoding)
    target = file if in_place else output
    if not in_place and same_file(target, file):
        raise MtqaError(f"{target}: refusing to overwrite the input; use --in-place (keeps a backup)")
    for path in (report, report_html):
        if path and (same_file(path, file) or same_file(path, target)):
            raise MtqaError(f"{path}: the report would overwrite the input or the output; choose another path")
    if report and report_html and same_file(report, report_html):
        raise MtqaError(f"{report}: --report and --report-html would write the same file; choose two paths")
    references = [read_text(p, encoding).text for p in reference or ()]
    gold_text = read_text(gold, encoding).text if gold else None
    names = pipeline.parse_detectors(detectors)
    if keep_spacing:
        names = [n for n in names if n != "spacing"]
    if not source.text.strip():
        note(f"{file}: nothing to check")
        result = FixResult(source.text, [], [], TextView(source.text))
    else:
        bar = progress(len(source.text.split()), f"fixing {file}") if len(pipeline.blocks(source.text)) > 1 else None
        with bar or nullcontext():
            task = bar.add_task("fix", total=len(source.text)) if bar else None
            result = pipeline.fix_blocks(
                source.text,
                english_only(str(file), source.text, names),
                progress=(lambda done: bar.update(task, completed=done)) if bar else None,
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
        write_text_atomic(report, fixes.report_json(str(file), result) + "\n")
    if report_html:
        from mtqa.output.html import fix_page

        write_text_atomic(report_html, fix_page(str(file), source.text, result, min_score))
    if explain:
        fixes.print_explanation(out, result)
    if diff:
        fixes.print_diff(out, source.text, result.text, str(file), str(target))
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
        fixes.print_gold_scores(out, source.text, result.text, gold_text)
