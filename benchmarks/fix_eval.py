"""How well `mtqa fix` corrects the seed article, with and without reference phrasing.

Run: .venv/bin/python benchmarks/fix_eval.py [--out benchmarks/results/fix.md]

For the annotated seed article (benchmarks/sets/seed-article.jsonl) it runs `fix` as the CLI does
(default thresholds) with the clean seed article as `--reference` and without, with the default
detectors and without the glossary, and reports: gold errors corrected to an acceptable correction, applied edits that touch
no gold error, traps changed, corpus BLEU / chrF / TER of input and output against the gold's
corrected text, and seconds. On the clean seed article it reports changed words per 1,000.
"""

from __future__ import annotations

import argparse
import difflib
import time
from pathlib import Path

from mtqa import pipeline
from mtqa.bench.metrics import correct_fix, match
from mtqa.bench.sets import load_set
from mtqa.pipeline import fix_text
from mtqa.text.metrics import segments, text_metrics
from mtqa.text.document import Document, tokenize

ROOT = Path(__file__).resolve().parents[1]
SEED_SET = ROOT / "benchmarks" / "sets" / "seed-article.jsonl"
CLEAN_ARTICLE = ROOT / "seeds" / "004_2830f0e07968d65a.txt"
DETECTORS = list(pipeline.DETECTORS)


def changed_words(before: str, after: str) -> int:
    """Words of `before` that a word-level diff replaces or deletes (plus words it inserts)."""
    a = [t.text for t in tokenize(before)]
    b = [t.text for t in tokenize(after)]
    changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            changed += max(i2 - i1, j2 - j1)
    return changed


def seed_row(label: str, references: list[str], detectors: list[str] = DETECTORS) -> list[str]:
    sample = load_set(SEED_SET)[0]
    errors, traps = sample.edits, sample.traps
    started = time.perf_counter()
    result = fix_text(sample.text, detectors, references=references)
    seconds = time.perf_counter() - started
    applied = result.applied
    pairs = match(applied, errors)
    corrected = sum(correct_fix(applied[pi], errors[gi]) for pi, gi in pairs)
    outside = sum(not any(e.overlaps(g) for g in errors) for e in applied)
    traps_changed = sum(any(e.overlaps(t) for e in applied if not any(e.overlaps(g) for g in errors)) for t in traps)
    before = text_metrics(segments(sample.text), segments(sample.clean))
    after = text_metrics(segments(result.text), segments(sample.clean))
    return [
        label,
        f"{corrected}/{len(errors)} ({corrected / len(errors):.2f})",
        str(len(applied)),
        str(outside),
        f"{traps_changed}/{len(traps)}",
        f"{before['bleu']:.1f} → {after['bleu']:.1f}",
        f"{before['chrf']:.1f} → {after['chrf']:.1f}",
        f"{before['ter']:.1f} → {after['ter']:.1f}",
        f"{seconds:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the tables to this Markdown file")
    args = parser.parse_args()

    reference = CLEAN_ARTICLE.read_text(encoding="utf-8")
    fix_text("The abroad Minister met the safety Council.", DETECTORS)  # load the models before timing
    # Without the glossary too: what the reference adds where no entry knows the article's terms.
    no_glossary = [d for d in DETECTORS if d != "glossary"]
    rows = [
        seed_row("default, with --reference seeds/004", [reference]),
        seed_row("default, without a reference", []),
        seed_row("`-d lm,spacing`, with --reference", [reference], no_glossary),
        seed_row("`-d lm,spacing`, without a reference", [], no_glossary),
    ]
    header = ["seed article 1", "corrected acceptably", "edits applied", "outside gold", "traps changed", "BLEU", "chrF", "TER", "seconds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]

    started = time.perf_counter()
    clean = fix_text(reference, DETECTORS)
    seconds = time.perf_counter() - started
    words = Document(reference).word_count()
    changed = changed_words(reference, clean.text)
    lines += [
        "",
        "| clean seed article 2 | words | edits applied | changed words | per 1,000 words | seconds |",
        "|---|---|---|---|---|---|",
        f"| `fix` without reference | {words:,} | {len(clean.applied)} | {changed} | {1000 * changed / words:.2f} | {seconds:.1f} |",
    ]
    lines += [""] + [f"- `{reference[e.start:e.end]}` → `{e.suggestions[0].text}` ({e.rule})" for e in clean.applied]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
