"""Is bf16 safe? The default detectors in fp32 and in bf16, flag by flag, on the project's sets.

Run: .venv/bin/python benchmarks/precision.py [--out benchmarks/results/precision.md]

For each set (seed article, clean, synthetic-dev, synthetic-heldout) it lists every flag that one
precision raises at the default threshold and the other does not, the flags whose first suggestion
differs, and how far the scores moved; the largest and mean difference of word log-probabilities
(bits) between the two; and the seconds each took. `--precision auto` picks bf16 only where the CPU
computes it natively (see `mtqa.lm.hardware`); elsewhere this script says so and stops.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ("seed-article", "clean", "synthetic-dev", "synthetic-heldout")
PRECISIONS = ("fp32", "bf16")


def flags_by_precision(sets):
    from mtqa import Checker

    found, seconds = {}, {}
    for precision in PRECISIONS:
        checker = Checker(precision=precision)
        checker.check("The abroad Minister met the safety Council.")  # load and warm up outside the timing
        started = time.perf_counter()
        found[precision] = {(s.name, x.id): checker.check(x.text) for s in sets for x in s.samples}
        seconds[precision] = time.perf_counter() - started
    return found, seconds


def logprob_deviation(sets) -> tuple[float, float, str]:
    """Largest and mean |difference| of word log-probabilities (log2, so bits), and where the largest is."""
    from mtqa import pipeline
    from mtqa.channel.windows import lm_chunks
    from mtqa.text.document import Document

    models = {p: pipeline.language_model("smollm2-135m", p) for p in PRECISIONS}
    deviations, worst = [], (0.0, "")
    for s in sets:
        for x in s.samples:
            doc = Document(x.text)
            chunks = lm_chunks(doc)
            texts = [doc.text[a:b] for a, b, _ in chunks]
            scores = {p: m.analyse(texts) for p, m in models.items()}
            for (start, _, tokens), a, b in zip(chunks, scores["fp32"], scores["bf16"]):
                for t in tokens:
                    d = abs(a.word_logprob(t.start - start, t.end - start) - b.word_logprob(t.start - start, t.end - start))
                    deviations.append(d)
                    if d > worst[0]:
                        worst = (d, f"{s.name} {x.id}: {t.text!r} at {t.start}")
    return worst[0], statistics.fmean(deviations), worst[1]


def key(edit) -> tuple[int, int]:
    return edit.start, edit.end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "precision.md")
    args = parser.parse_args()

    from mtqa.bench.run import machine_info, resolve_sets
    from mtqa.lm.hardware import cpu_flags, cpu_has_native_bf16

    if not cpu_has_native_bf16():
        raise SystemExit("this CPU has no native bf16 (avx512_bf16 or amx_bf16): --precision auto stays in fp32 here")
    sets = resolve_sets(list(SETS))
    found, seconds = flags_by_precision(sets)
    largest, mean, where = logprob_deviation(sets)
    m = machine_info()
    lines = [
        "# fp32 and bf16, flag by flag\n",
        f"`benchmarks/precision.py` on {m['date']} (commit {m['commit']}): {m['cpu']}, {m['cpu_count']} CPUs, torch {m['torch']} "
        f"({m['torch_threads']} threads); CPU bf16 flags: {', '.join(sorted(f for f in cpu_flags() if 'bf16' in f))}. "
        "Default detectors (glossary, lm, spacing), default threshold.\n",
        f"Word log-probabilities: largest |fp32 − bf16| {largest:.2f} bits ({where}), mean {mean:.3f} bits.\n",
        f"Checking all four sets took {seconds['fp32']:.0f} s in fp32 and {seconds['bf16']:.0f} s in bf16 "
        f"(×{seconds['fp32'] / seconds['bf16']:.2f}).\n",
        "| set | flags fp32 | flags bf16 | only fp32 | only bf16 | first suggestion differs | largest score change |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    details = []
    for s in sets:
        ids = [(s.name, x.id) for x in s.samples]
        a = {(i, key(e)): e for i in ids for e in found["fp32"][i]}
        b = {(i, key(e)): e for i in ids for e in found["bf16"][i]}
        only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        both = set(a) & set(b)
        moved = [k for k in both if a[k].best != b[k].best]
        change = max((abs(a[k].score - b[k].score) for k in both), default=0.0)
        lines.append(f"| {s.name} | {len(a)} | {len(b)} | {len(only_a)} | {len(only_b)} | {len(moved)} | {change:.3f} |")
        for label, keys, source in (("only fp32", only_a, a), ("only bf16", only_b, b)):
            details += [f"- {s.name} {k[0][1]}: {label}: {source[k].text!r} → {source[k].best!r} ({source[k].rule}, score {source[k].score})" for k in keys]
        details += [f"- {s.name} {k[0][1]}: {a[k].text!r}: fp32 suggests {a[k].best!r}, bf16 {b[k].best!r}" for k in sorted(moved)]
    text = "\n".join(lines) + "\n\n" + ("## Differences\n\n" + "\n".join(details) + "\n" if details else "No flag differs.\n")
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
