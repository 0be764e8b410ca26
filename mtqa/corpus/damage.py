"""An article's damage score: the probability that it is damaged machine translation or spun text.

A logistic regression on a few features of the article's flags (see `features`), with the
coefficients that `benchmarks/fit_damage.py` fits on the dev sets and writes to `damage.json`
beside this file. Nothing here is tuned by hand: when the detectors' flags or scores change,
rerun the script and commit the new table.

The fit weighs damaged and clean articles equally, so `damage` is the probability under even
prior odds; for a corpus where a share p of articles is damaged, multiply the odds by p / (1 - p).
It is calibrated for the flags the table was fitted on (the detectors and threshold in its `fit`
entry); with other detectors or thresholds it still ranks articles, but is no longer a probability.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mtqa.errors import MtqaError

TABLE = Path(__file__).with_name("damage.json")


def features(flags: Iterable[Mapping], words: int) -> dict[str, float]:
    """An article's features from its flags (the check JSON flag schema) and its length in words.

    Rates are per 1,000 words and log-scaled (log1p): ten times more flags is not ten times more
    evidence, and a single flag on a short text should not dominate. Flags are not counted apart by
    detector or kind: the glossary was written from the dev sets' damage, so weights per detector
    learn where the glossary fires rather than what damage looks like (with them, held-out damage
    that only the LM detector sees scored 0.33-0.40; see benchmarks/README.md).
    """
    flags = list(flags)
    per_1k = 1000 / max(words, 1)
    return {
        "flags_per_1k": math.log1p(per_1k * len(flags)),
        "score_per_1k": math.log1p(per_1k * sum(f["score"] for f in flags)),
        "max_score": max((f["score"] for f in flags), default=0.0),
        "log_words": math.log(max(words, 1)),
    }


FEATURES = tuple(features([], 1))


@dataclass(frozen=True)
class DamageModel:
    """Standardised features, a weight each, and an intercept: damage = sigmoid(intercept + Σ w·z)."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def score(self, flags: Iterable[Mapping], words: int) -> float:
        """The damage of an article with these flags (check JSON schema) and this many words."""
        return self.probability(features(flags, words))

    def probability(self, values: Mapping[str, float]) -> float:
        logit = self.intercept + sum(w * (values[n] - m) / s for n, m, s, w in zip(self.names, self.mean, self.scale, self.coef))
        return 1 / (1 + math.exp(-logit)) if logit > -700 else 0.0

    def to_json(self, **fit) -> dict:
        return {
            "features": list(self.names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "fit": fit,
        }


def from_json(table: Mapping) -> DamageModel:
    names = tuple(table["features"])
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not (len(names) == len(table["mean"]) == len(table["scale"]) == len(table["coef"])):
        raise MtqaError(f"{TABLE}: features {unknown or names} do not match mtqa.corpus.damage.features; rerun benchmarks/fit_damage.py")
    return DamageModel(names, tuple(table["mean"]), tuple(table["scale"]), tuple(table["coef"]), float(table["intercept"]))


@cache
def model() -> DamageModel:
    """The committed table, read once per process."""
    try:
        return from_json(json.loads(TABLE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as err:
        raise MtqaError(f"{TABLE}: cannot read the damage table ({err}); rerun benchmarks/fit_damage.py") from None
