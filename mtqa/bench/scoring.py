"""One detector's flags on one benchmark set, scored: span metrics, false alarms, text metrics and the sweep.

Documents of a set are pooled into one text (joined by a blank line, edits shifted) so that
every metric is micro-averaged over the set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mtqa.bench import metrics
from mtqa.bench.sets import Sample
from mtqa.correct.apply import apply, select
from mtqa.edits import Edit
from mtqa.text.metrics import text_metrics

SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Pooled:
    """A set's documents as one text, with gold edits and traps in its offsets."""

    text: str
    gold: list[Edit]
    traps: list[Edit]
    offsets: list[int]


def shifted(edits: list[Edit], offset: int) -> list[Edit]:
    return [replace(e, start=e.start + offset, end=e.end + offset) for e in edits]


def pool(samples: list[Sample]) -> Pooled:
    offsets, position = [], 0
    for sample in samples:
        offsets.append(position)
        position += len(sample.text) + len(SEPARATOR)
    return Pooled(
        SEPARATOR.join(s.text for s in samples),
        [e for s, o in zip(samples, offsets) for e in shifted(s.edits, o)],
        [e for s, o in zip(samples, offsets) for e in shifted(s.traps, o)],
        offsets,
    )


def _scores(flags: list[Edit], gold: list[Edit]) -> dict[str, float]:
    s = metrics.span_scores(flags, gold)
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall, "f05": s.f05, "f1": s.f1}


def false_alarms(flags: list[Edit], pooled: Pooled) -> float:
    """Flags that touch no gold error, per 1,000 words (on the clean set: every flag)."""
    wrong = [f for f in flags if not any(f.overlaps(g) for g in pooled.gold)]
    return metrics.false_alarms_per_1000_words(wrong, pooled.text)


def corrected(text: str, flags: list[Edit]) -> str:
    """`text` with each flag's first suggestion applied (overlaps: the surer suggestion wins)."""
    return apply(text, select([f for f in flags if f.suggestions]))


def score(samples: list[Sample], flags_by_doc: list[list[Edit]], threshold: float) -> dict[str, Any]:
    """All metrics of one detector on one set; `flags_by_doc` holds every flag, whatever its score."""
    pooled = pool(samples)
    every = [f for flags, o in zip(flags_by_doc, pooled.offsets) for f in shifted(flags, o)]
    flags = [f for f in every if f.score >= threshold]
    no_spacing_gold = [g for g in pooled.gold if g.kind != "spacing"]
    result: dict[str, Any] = {
        "flags": len(flags),
        "all": _scores(flags, pooled.gold),
        "no_spacing": _scores([f for f in flags if f.kind != "spacing"], no_spacing_gold),
        "token_mcc": metrics.token_mcc(pooled.text, flags, pooled.gold),
        "correction_accuracy": metrics.correction_accuracy(flags, pooled.gold),
        "recall_by_kind": metrics.recall_by_kind(flags, pooled.gold),
        "traps_hit": metrics.traps_hit(flags, pooled.traps, pooled.gold),
        "false_alarms_per_1k_words": false_alarms(flags, pooled),
        "reliability": metrics.reliability([(f.score, any(f.overlaps(g) for g in pooled.gold)) for f in every]),
        "text": None,
        "sweep": [],
    }
    with_clean = [(s, f) for s, f in zip(samples, flags_by_doc) if s.clean is not None]
    if with_clean:
        hypotheses = [corrected(s.text, [f for f in doc_flags if f.score >= threshold]) for s, doc_flags in with_clean]
        result["text"] = text_metrics(hypotheses, [s.clean for s, _ in with_clean])
    for t in SWEEP:
        kept = [f for f in every if f.score >= t]
        s = metrics.span_scores(kept, pooled.gold)
        result["sweep"].append(
            {"threshold": t, "precision": s.precision, "recall": s.recall, "f05": s.f05, "false_alarms_per_1k_words": false_alarms(kept, pooled)}
        )
    return result
