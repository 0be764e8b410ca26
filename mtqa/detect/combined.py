"""The default detector: glossary, language model and spacing evidence in one ranked list.

Overlapping flags are merged into one: the glossary's curated suggestions come
first, the LM's follow, and the confidence combines both as independent
evidence (1 − (1 − a)(1 − b)). When several detectors run, an LM flag that no
other source confirms is discounted by how often such flags were right.
"""

from __future__ import annotations

from dataclasses import replace

from mtqa.detect.base import Detector
from mtqa.edits import Edit
from mtqa.text.document import Document


class CombinedDetector:
    def __init__(self, detectors: list[Detector]) -> None:
        self.detectors = detectors
        self.name = "+".join(d.name for d in detectors)

    def detect(self, doc: Document) -> list[Edit]:
        flags = [edit for detector in self.detectors for edit in detector.detect(doc)]
        return merge(flags, discount_unconfirmed=len(self.detectors) > 1)


# How far a flag that no other source confirms is trusted, by rule family: an LM prediction
# alone (a free rewrite the LM prefers) was right less often on the seed article and
# synthetic-dev than the LM's confusion-set, morphology, pronoun or spelling candidates.
UNCONFIRMED_WEIGHT = {"lm:prediction": 0.7}


def merge(flags: list[Edit], discount_unconfirmed: bool = False) -> list[Edit]:
    """One flag per region: overlapping flags become one, led by the most trusted source."""
    trust = {"glossary": 0, "spacing": 1, "lm": 2}
    ordered = sorted(flags, key=lambda e: (trust.get(e.source, 3), -e.score, e.start))
    kept: list[Edit] = []
    for flag in ordered:
        same = next((k for k in kept if k.overlaps(flag)), None)
        if same is None:
            kept.append(flag)
            continue
        index = kept.index(same)
        known = {s.text.lower() for s in same.suggestions}
        extra = tuple(s for s in flag.suggestions if s.text.lower() not in known and same.start == flag.start and same.end == flag.end)
        kept[index] = replace(
            same,
            score=round(1 - (1 - same.score) * (1 - flag.score), 3),
            suggestions=same.suggestions + extra,
            message=f"{same.message}; {flag.source}: {flag.message}",
        )
    calibrated = [
        replace(k, score=round(k.score * UNCONFIRMED_WEIGHT.get(k.rule, 1.0), 3)) if k.source == "lm" and discount_unconfirmed else k
        for k in kept
    ]
    return sorted(calibrated, key=lambda e: (e.start, e.end))
