"""`mtqa fix`: flags → ranked candidates → accepted edits → corrected text, and how to show them."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mtqa import pipeline
from mtqa.correct.apply import apply, select, with_article_agreement
from mtqa.correct.reference import Reference
from mtqa.correct.scoring import WEIGHTS, Ranker
from mtqa.detect.lm import REWRITE_RULES
from mtqa.edits import Edit
from mtqa.output.report import flag_json, printable
from mtqa.text.document import Document


@dataclass
class FixResult:
    text: str
    applied: list[Edit]  # as applied: span and first suggestion are what changed
    skipped: list[Edit]  # flagged, but no candidate reached --min-score, or an unbacked rewrite (see `backed`)
    doc: Document | None = None


def fix_text(
    text: str,
    detectors: list[str],
    lm: str | None = None,
    references: list[str] = (),
    threshold: float = pipeline.DEFAULT_THRESHOLD,
    min_score: float = 0.5,
    glossary_files: tuple[Path, ...] = (),
    disabled: frozenset[str] = frozenset(),
) -> FixResult:
    reference = Reference(list(references)) if references else None
    detector = pipeline.build_detector(detectors, lm, glossary_files, reference=reference)
    doc, flags = pipeline.check_text(detector, text, threshold, disabled)
    ranker = Ranker(
        lm=pipeline.language_model(lm or pipeline.registry.default_model()) if "lm" in detectors else None,
        glossary=pipeline.glossary_for(glossary_files) if "glossary" in detectors else None,
        reference=reference,
    )
    ranked = ranker.rank(doc, flags)
    accepted = [f for f in ranked if f.suggestions and f.suggestions[0].score >= min_score and backed(f)]
    skipped = [f for f in ranked if f not in accepted]
    chosen = select([with_article_agreement(text, f) for f in accepted])
    return FixResult(apply(text, chosen), chosen, skipped, doc)


# A word the LM would rather see, with nothing else behind it, is a rewrite: on the seed and clean
# articles no such flag below this score was a gold error, so `fix` reports it but leaves the text.
UNBACKED_REWRITE_SCORE = 0.8


def backed(edit: Edit) -> bool:
    """Whether an edit has more behind it than the LM preferring another word: a glossary entry,
    reference phrasing, an origin with a channel model (confusion sets, morphology, ...), or a sure LM."""
    if edit.rule not in REWRITE_RULES or edit.score >= UNBACKED_REWRITE_SCORE:
        return True
    parts = edit.suggestions[0].parts
    return parts.get("glossary", 0.0) > 0 or parts.get("reference", 0.5) > 0.5


def report_json(path: str, result: FixResult) -> str:
    def entry(edit: Edit, applied: bool) -> dict:
        item = flag_json(result.doc, edit) if result.doc else {}
        item["applied"] = applied
        item["replacement"] = edit.suggestions[0].text if applied and edit.suggestions else None
        return item

    edits = [entry(e, True) for e in result.applied] + [entry(e, False) for e in result.skipped]
    edits.sort(key=lambda e: e["start"])
    return json.dumps({"version": 1, "weights": WEIGHTS, "files": [{"path": path, "edits": edits}]}, ensure_ascii=False, indent=2)


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
    from mtqa.bench.metrics import text_metrics

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


def segments(text: str) -> list[str]:
    """Non-empty lines: the segments sacrebleu compares."""
    return [line.strip() for line in text.splitlines() if line.strip()]
