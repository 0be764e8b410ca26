"""Fit `mtqa/detect/calibration.json`: monotone curves from raw flag scores to the probability
that a reviewer marks the span, per rule family and regime (see `mtqa.detect.calibration`).

Run: .venv/bin/python benchmarks/fit_calibration.py [--cache FLAGS.jsonl] [--shared ../shared]

Dev data only: the seed article and synthetic-dev (damaged text, gold errors), ted-zhen (real MT
output with MQM rater spans), the clean set, which holds the clean seed article (no errors). Never
synthetic-heldout. The default detectors run once with every flag kept, and each detector's flags
are taken with its own scores before they are merged (the product calibrates each source, then
merges them as independent evidence); they are cached in --cache (reused when it exists: delete it
after changing a detector). A flag is a hit when it overlaps a gold error or a rater span. Then:

- each (family, regime) curve is an isotonic regression of hit on raw score (scipy), with
  `PSEUDO_COUNTS` misses at raw score 0 (no evidence) and as many flags at the family's pooled
  rate at raw score 1, so that a handful of flags does not make a curve of zeros and ones, and a
  weak flag of a precise family is not promoted; a family with fewer than `MIN_FLAGS` flags in a regime borrows
  the other regime's curve;
- the regime weight (midpoint, slope, prior words) is set a priori from the dev densities, not fitted;
- the default threshold is the lowest calibrated score at which the flags at or above it have
  precision ≥ `TARGET_PRECISION` on each annotated dev set apart (seed article, synthetic-dev,
  ted-zhen): pooled, the glossary's easy hits on the seed would hide ordinary MT's false alarms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mtqa.detect.calibration import REGIMES, TABLE, family, from_json  # noqa: E402
from mtqa.detect.combined import merge  # noqa: E402
from mtqa.edits import Edit, Suggestion  # noqa: E402

DAMAGED_SETS = ("seed-article", "synthetic-dev")
ORDINARY_SETS = ("clean", "ted-zhen")
HELD_OUT = "synthetic-heldout"
EVIDENCE_FAMILIES = ("glossary", "spacing", "lm:channel", "lm:pronoun")
REGIME = {"evidence_families": list(EVIDENCE_FAMILIES), "midpoint_per_1k": 10.0, "slope": 3.0, "prior_words": 200.0}
PSEUDO_COUNTS = 5
MIN_FLAGS = 10
TARGET_PRECISION = 0.8
MODEL = "smollm2-135m"  # the default model, whose scores are calibrated


def dev_documents(shared: Path) -> list[tuple[str, str, str, list[Edit]]]:
    """(set, id, text, marked spans) of every dev document."""
    from mtqa.bench.mqm import load_mqm
    from mtqa.bench.run import SETS_DIR
    from mtqa.bench.sets import load_set

    docs = [(name, x.id, x.text, x.edits) for name in (*DAMAGED_SETS, "clean") for x in load_set(SETS_DIR / f"{name}.jsonl")]
    docs += [("ted-zhen", x.id, x.text, x.edits) for x in load_mqm(shared / "mqm" / "ted-zhen.jsonl")]
    # Measured with the fitted table, never fitted on.
    docs += [(HELD_OUT, x.id, x.text, x.edits) for x in load_set(SETS_DIR / f"{HELD_OUT}.jsonl")]
    return docs


def raw_flags(docs, cache: Path) -> dict[tuple[str, str], list[Edit]]:
    """Every flag of each default detector with its own score, before merging, by (set, id); cached in `cache`."""
    found = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found[(record["set"], record["id"])] = [
                Edit(**{**f, "suggestions": tuple(Suggestion(**s) for s in f["suggestions"])}) for f in record["flags"]
            ]
    missing = [d for d in docs if (d[0], d[1]) not in found]
    if missing:
        from mtqa import pipeline
        from mtqa.text.document import Document

        detector = pipeline.build_detector(list(pipeline.DETECTORS), MODEL, calibrated=False, models=lambda name: pipeline.language_model(name, "fp32"))
        with cache.open("a", encoding="utf-8") as out:
            for name, doc_id, text, _ in missing:
                flags = detector.raw_flags(Document(text))
                found[(name, doc_id)] = flags
                out.write(json.dumps({"set": name, "id": doc_id, "flags": [asdict(f) for f in flags]}) + "\n")
                print(f"{name} {doc_id}: {len(flags)} flags", file=sys.stderr)
    return found


def isotonic_curve(scores: list[float], hits: list[int], rate: float) -> dict[str, list[float]]:
    from scipy.optimize import isotonic_regression

    x = np.array([0.0] * PSEUDO_COUNTS + sorted(scores) + [1.0] * PSEUDO_COUNTS)
    order = np.argsort(scores, kind="stable")
    # A raw score of 0 is no evidence: misses there. At the top, the family's own rate: a detector's
    # certainty is not a reviewer's, and a few top flags must not make a curve reach 1.
    y = np.array([0.0] * PSEUDO_COUNTS + [hits[i] for i in order] + [rate] * PSEUDO_COUNTS, dtype=float)
    fitted = isotonic_regression(y).x
    # Knots at each block's first and last raw score: the step function, linear between blocks.
    knots_x, knots_y = [], []
    for i in range(len(x)):
        if i == 0 or i == len(x) - 1 or fitted[i] != fitted[i - 1] or fitted[i] != fitted[i + 1]:
            if knots_x and x[i] == knots_x[-1]:
                knots_y[-1] = round(float(fitted[i]), 4)
                continue
            knots_x.append(round(float(x[i]), 4))
            knots_y.append(round(float(fitted[i]), 4))
    return {"x": knots_x, "y": knots_y}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Outside the repository: the cached flags quote the shared rated text.
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "mtqa" / "calibration-flags.jsonl")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cached-only", action="store_true", help="Fit on the documents already in --cache (a quick look; commit only a full fit).")
    args = parser.parse_args()

    from mtqa.text.document import Document

    docs = dev_documents(args.shared)
    if args.cached_only:
        cached = {tuple(json.loads(line)[k] for k in ("set", "id")) for line in args.cache.read_text(encoding="utf-8").splitlines()}
        docs = [d for d in docs if (d[0], d[1]) in cached]
    flags = raw_flags(docs, args.cache)
    words = {(name, doc_id): Document(text).word_count() for name, doc_id, text, _ in docs}
    points = defaultdict(lambda: defaultdict(list))  # family -> regime -> [(raw, hit)]
    for name, doc_id, _, marked in docs:
        if name == HELD_OUT:
            continue
        regime = "damaged" if name in DAMAGED_SETS else "ordinary"
        for f in flags[(name, doc_id)]:
            points[family(f)][regime].append((f.score, int(any(f.overlaps(m) for m in marked))))
    table = {"families": {}, "regime": REGIME}
    for fam, by_regime in sorted(points.items()):
        pooled = [hit for pts in by_regime.values() for _, hit in pts]
        rate = sum(pooled) / len(pooled)
        curves = {r: isotonic_curve([s for s, _ in by_regime[r]], [h for _, h in by_regime[r]], rate) for r in REGIMES if len(by_regime[r]) >= MIN_FLAGS}
        if not curves:
            continue
        for r in REGIMES:
            curves.setdefault(r, next(iter(curves.values())))
        table["families"][fam] = curves
        print(f"{fam}: " + ", ".join(f"{r} {len(by_regime[r])} flags, {sum(h for _, h in by_regime[r])} hits" for r in REGIMES))
    calibration = from_json({**table, "threshold": 0.5, "fit": {"model": MODEL}})
    calibrated = []  # (p, hit, set): the flags `mtqa check` would report, calibrated and merged
    for name, doc_id, _, marked in docs:
        for f in merge(calibration.apply(flags[(name, doc_id)], words[(name, doc_id)])):
            calibrated.append((f.score, int(any(f.overlaps(m) for m in marked)), name))
    threshold = 1.0
    annotated = (*DAMAGED_SETS, "ted-zhen")
    for t in np.round(np.arange(0.05, 1.0, 0.01), 2):
        kept = {name: [hit for p, hit, s in calibrated if s == name and p >= t] for name in annotated}
        if all(sum(k) >= TARGET_PRECISION * len(k) for k in kept.values()):
            threshold = float(t)
            break
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    table["threshold"] = threshold
    table["fit"] = {"documents": len(docs), "script": "benchmarks/fit_calibration.py", "commit": commit, "model": MODEL, "sets": [*DAMAGED_SETS, *ORDINARY_SETS], "target_precision": TARGET_PRECISION}
    TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"threshold {threshold} (precision ≥ {TARGET_PRECISION} on each annotated dev set)")
    for name in (*DAMAGED_SETS, *ORDINARY_SETS, HELD_OUT):
        total_words = sum(w for (s, _), w in words.items() if s == name)
        for t in sorted({threshold, 0.3, 0.5}):
            kept = [hit for p, hit, s in calibrated if s == name and p >= t]
            print(f"  {name}{' (held out)' * (name == HELD_OUT)} at {t}: {len(kept)} flags ({1000 * len(kept) / total_words:.1f}/1k), precision {sum(kept) / max(len(kept), 1):.2f}")
    print(f"wrote {TABLE}")


if __name__ == "__main__":
    main()
