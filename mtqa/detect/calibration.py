"""Calibrated scores: a flag's score is the probability that a careful reviewer marks its span.

Detectors score flags on their own scales (the LM a logistic function of its net gain, the
glossary an entry's prior). Those scales mean different things in different texts: in spun or
badly machine-translated text (the seed article) an LM rewrite flag is right nine times in ten;
in ordinary MT output that raters marked (ted-zhen) about four in ten. So a flag's probability
depends on its rule family, its raw score, and the document's regime:

    p = w · damaged_family(raw) + (1 − w) · ordinary_family(raw)

Each curve is a monotone (isotonic) fit of "a reviewer marked this span" on raw scores, fitted by
`benchmarks/fit_calibration.py` on dev data only (seed article and synthetic-dev for damaged text;
ted-zhen, clean and the clean seed for ordinary text) and kept in `calibration.json`. The weight
w is how damaged the document looks from its other flags: D, the flags of the channel families
(glossary, spacing, the LM's channel candidates and pronouns) at raw score ≥ 0.5 per 1,000 words,
not counting the flag itself and shrunk toward the midpoint on short texts (`prior_words`), and
w = σ(slope · (ln(1 + D) − ln(1 + midpoint))). A document is damaged consistently, so a flag
among many channel flags is likelier right than the same flag alone. Calibration only ever lowers
a score: the detector's own score is an upper bound (a weak flag beside real damage is not raised).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from mtqa.channel import names, origins
from mtqa.edits import Edit

TABLE = Path(__file__).with_name("calibration.json")
REGIMES = ("damaged", "ordinary")


def family(flag: Edit) -> str:
    """The rule family a flag is calibrated by: its source, and for the LM its kind of candidate."""
    if flag.source != "lm" or flag.rule == names.UNCONFIRMED_NAME_RULE:  # a guarded name keeps its capped score
        return flag.source if flag.source != "lm" else flag.rule
    origin = flag.rule.removeprefix("lm:")
    if origin == origins.PRONOUN:
        return "lm:pronoun"
    if origin in origins.REWRITE_ORIGINS:
        return "lm:rewrite"
    if origin in origins.POSITIONAL_ORIGINS:
        return "lm:positional"
    return "lm:channel"


@dataclass(frozen=True)
class Curve:
    """A monotone map from raw score to probability, linear between knots."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __call__(self, raw: float) -> float:
        return float(np.interp(raw, self.x, self.y))


@dataclass(frozen=True)
class Calibration:
    model: str  # the language model whose scores the LM curves were fitted on
    threshold: float  # the default threshold the fit chose (see `mtqa.pipeline.DEFAULT_THRESHOLD`)
    curves: Mapping[str, Mapping[str, Curve]]  # family -> regime -> curve
    evidence_families: frozenset[str]
    midpoint_per_1k: float
    slope: float
    prior_words: float

    def damaged_weight(self, others: int, words: int) -> float:
        """w for a flag with `others` channel flags beside it in a text of `words` words."""
        prior = self.prior_words * self.midpoint_per_1k / 1000  # flags the pseudo-words bring
        density = 1000 * (others + prior) / (words + self.prior_words)
        return 1 / (1 + math.exp(-self.slope * (math.log1p(density) - math.log1p(self.midpoint_per_1k))))

    def apply(self, flags: list[Edit], words: int) -> list[Edit]:
        """The flags with calibrated scores (raw scores of families the table lacks are kept)."""
        def is_evidence(flag: Edit) -> bool:
            return flag.score >= 0.5 and family(flag) in self.evidence_families

        evidence = sum(map(is_evidence, flags))
        out = []
        for flag in flags:
            curves = self.curves.get(family(flag))
            if not curves:
                out.append(flag)
                continue
            w = self.damaged_weight(evidence - is_evidence(flag), words)
            p = w * curves["damaged"](flag.score) + (1 - w) * curves["ordinary"](flag.score)
            # Calibration only lowers: a flag its detector scored below the bar is not raised over
            # it by its neighbours ("a common interest" beside real damage stays unflagged).
            out.append(replace(flag, score=round(min(p, flag.score), 3)))
        return out


def from_json(table: Mapping) -> Calibration:
    regime = table["regime"]
    return Calibration(
        model=table["fit"]["model"],
        threshold=table["threshold"],
        curves={f: {r: Curve(tuple(c[r]["x"]), tuple(c[r]["y"])) for r in REGIMES} for f, c in table["families"].items()},
        evidence_families=frozenset(regime["evidence_families"]),
        midpoint_per_1k=regime["midpoint_per_1k"],
        slope=regime["slope"],
        prior_words=regime["prior_words"],
    )


@cache
def bundled() -> Calibration | None:
    """The committed table, or None before one is fitted."""
    return from_json(json.loads(TABLE.read_text(encoding="utf-8"))) if TABLE.exists() else None
