"""What `mtqa fix` shows: the JSON report of edits, the explanation table, the diff and the gold scores."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mtqa.correct.fixing import FixResult
from mtqa.correct.scoring import WEIGHTS
from mtqa.edits import Edit
from mtqa.output.report import flag_json, printable
from mtqa.text.metrics import segments, text_metrics


def report_data(files: Sequence[tuple[str, FixResult]]) -> dict:
    """The `--report` document: for each (path, result), every flag with whether it was applied and what replaced it."""

    def entry(result: FixResult, edit: Edit, applied: bool) -> dict:
        item = flag_json(result.doc, edit) if result.doc else {}
        item["applied"] = applied
        item["replacement"] = edit.suggestions[0].text if applied and edit.suggestions else None
        return item

    def edits(result: FixResult) -> list[dict]:
        found = [entry(result, e, True) for e in result.applied] + [entry(result, e, False) for e in result.skipped]
        return sorted(found, key=lambda e: e["start"])

    return {"version": 1, "weights": WEIGHTS, "files": [{"path": path, "edits": edits(result)} for path, result in files]}


def report_json(files: Sequence[tuple[str, FixResult]]) -> str:
    return json.dumps(report_data(files), ensure_ascii=False, indent=2)


def print_explanation(console: Console, result: FixResult) -> None:
    for edit in sorted(result.applied + result.skipped, key=lambda e: e.start):
        line, column = result.doc.line_col(edit.start) if result.doc else (0, 0)
        status = "applied" if edit in result.applied else "skipped"
        table = Table(
            "candidate", "score", "lm", "lm bits", "glossary", "reference",
            title=escape(f'{line}:{column} "{printable(edit.text)}" [{edit.source}] {status}'),
            title_justify="left",
        )
        for s in edit.suggestions:
            part = lambda k: f"{s.parts[k]:.2f}" if k in s.parts else "–"  # noqa: E731
            table.add_row(escape(printable(repr(s.text))), f"{s.score:.3f}", part("lm"), part("lm_bits"), part("glossary"), part("reference"))
        console.print(table)
    console.print(escape(f"score = weighted mean of the parts present; weights {WEIGHTS}"), style="dim")


def print_diff(console: Console, before: str, after: str, old_name: str, new_name: str) -> None:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old_name, tofile=new_name
    )
    for line in lines:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        console.print(escape(printable(line.rstrip("\r\n"))), style=style, highlight=False, soft_wrap=True)


def print_gold_scores(console: Console, before: str, after: str, gold: str) -> None:
    table = Table("against --gold", "BLEU", "chrF", "TER", title="corpus scores (sacrebleu)")
    signatures = {}
    for label, text in (("input", before), ("output", after)):
        scores = text_metrics(segments(text), segments(gold)) if segments(text) else None
        if scores is None:
            continue
        table.add_row(label, f"{scores['bleu']:.2f}", f"{scores['chrf']:.2f}", f"{scores['ter']:.2f}")
        signatures = scores.get("signatures", signatures)
    console.print(table)
    for name, signature in signatures.items():
        console.print(escape(f"{name}: {signature}"), style="dim")
