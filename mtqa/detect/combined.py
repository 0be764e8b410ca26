"""The default detector: glossary, language model and spacing evidence in one ranked list.

Overlapping flags are merged into one: the glossary's curated suggestions come
first, the LM's follow, and the confidence combines both as independent
evidence (see `combined_score`). When several detectors run, an LM flag that no
other source confirms is discounted by how often such flags were right. The
glossary runs first: the word swaps it establishes make the LM re-check the
same words elsewhere. The usages its `not_` rules clear (known-correct
look-alikes) are not flagged by the LM at all; where an entry's words match but its
required context does not ("erstwhile russian republics"), the LM may still flag them
on its own evidence, but not by re-applying that entry's swap.
"""

from __future__ import annotations

from dataclasses import replace

from mtqa.channel.origins import REWRITE_RULES
from mtqa.detect.base import Detector
from mtqa.detect.calibration import Calibration
from mtqa.detect.lm import LMDetector
from mtqa.edits import Edit
from mtqa.text.document import Document


class CombinedDetector:
    def __init__(self, detectors: list[Detector], calibration: Calibration | None = None) -> None:
        self.detectors = detectors
        self.calibration = calibration
        self.name = "+".join(d.name for d in detectors)

    def detect(self, doc: Document) -> list[Edit]:
        flags = self.raw_flags(doc)
        if self.calibration:  # each source's flags become probabilities, then merge as independent evidence
            return merge(self.calibration.apply(flags, doc.word_count()))
        return merge(flags, discount_unconfirmed=len(self.detectors) > 1)

    def raw_flags(self, doc: Document) -> list[Edit]:
        """Every detector's flags with its own scores, before merging (what calibration is fitted on)."""
        flags: list[Edit] = []
        cleared: list[tuple[int, int]] = []
        unconfirmed: list[tuple[int, int]] = []
        for detector in self.detectors:  # the glossary runs first: the LM builds on what it established
            if isinstance(detector, LMDetector):
                flags.extend(detector.detect(doc, established_substitutions(flags)))
            else:
                flags.extend(detector.detect(doc))
            cleared.extend(getattr(detector, "cleared", ()))
            unconfirmed.extend(getattr(detector, "unconfirmed", ()))
        return [
            f
            for f in flags
            if f.source != "lm"
            or not (_within(f, cleared) or (f.rule == "lm:glossary" and _within(f, unconfirmed)))
        ]


def _within(flag: Edit, spans: list[tuple[int, int]]) -> bool:
    return any(s <= flag.start and flag.end <= e for s, e in spans)


def combined_score(a: float, b: float) -> float:
    """Two sources that would each flag the span are independent evidence: 1 − (1 − a)(1 − b).
    A source below the bar adds nothing: two weak hunches do not make a flag."""
    return 1 - (1 - a) * (1 - b) if min(a, b) >= 0.5 else max(a, b)


def established_substitutions(flags: list[Edit]) -> dict[str, str]:
    """Word swaps the glossary found ("safety Council" → "Security Council" gives safety → security):
    the document's other uses of those words are suspects too (one sense per discourse)."""
    swaps: dict[str, str] = {}
    for flag in flags:
        if flag.source != "glossary" or not flag.suggestions:
            continue
        wrong, right = flag.text.split(), flag.suggestions[0].text.split()
        changed = [(w, r) for w, r in zip(wrong, right) if w.lower() != r.lower()]
        if len(wrong) == len(right) and len(changed) == 1:
            w, r = changed[0]
            swaps.setdefault(w.lower(), r if w[:1].isupper() else r.lower())
    return swaps


# Without a calibration table: how far a flag that no other source confirms is trusted, by rule family: an LM rewrite alone
# (a word the LM prefers, WordNet neighbour or not) was right less often on the seed article and
# synthetic-dev than the LM's confusion-set, morphology, pronoun or spelling candidates, and the
# rewrites that were right there the glossary mostly confirmed.
UNCONFIRMED_WEIGHT = dict.fromkeys(REWRITE_RULES, 0.7)


def merge(flags: list[Edit], discount_unconfirmed: bool = False) -> list[Edit]:
    """One flag per region: overlapping flags become one, led by the most trusted source."""
    trust = {"glossary": 0, "spacing": 1, "reference": 1, "lm": 2}
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
            score=round(combined_score(same.score, flag.score), 3),
            suggestions=same.suggestions + extra,
            message=f"{same.message}; {flag.source}: {flag.message}",
        )
    calibrated = [
        replace(k, score=round(k.score * UNCONFIRMED_WEIGHT.get(k.rule, 1.0), 3)) if k.source == "lm" and discount_unconfirmed else k
        for k in kept
    ]
    return sorted(calibrated, key=lambda e: (e.start, e.end))
