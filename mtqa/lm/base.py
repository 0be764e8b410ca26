"""The small interface every language model implements.

Two questions are asked of a model, both batched:

* `analyse(texts)`: for every token of each text, its log-probability given the
  text to its left, and (optionally) the model's top next-word predictions there;
* `continuations(requests)`: for a text cut at a character offset, the
  log-probability of each of several continuations given the text before the cut.
  This is the noisy channel's question ("is 'Middle East' likelier than
  'mediate East' here?"); backends reuse the prefix computed by `analyse`.

Log-probabilities are in bits (log base 2) throughout, so surprisal = -logprob.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class TextScores:
    """Per-token scores of one analysed text."""

    text: str
    # Character span of each token in `text`; a token's span may include the space before it.
    spans: list[tuple[int, int]]
    logprobs: np.ndarray  # log2 P(token | left context), one per token
    # Top next-word predictions before each token: (word, log2 prob), best first.
    predictions: list[list[tuple[str, float]]] = field(default_factory=list)

    def word_logprob(self, start: int, end: int) -> float:
        """Log-probability of the tokens that make up text[start:end] (with its leading space)."""
        return float(sum(lp for (s, e), lp in zip(self.spans, self.logprobs) if e > start and s < end))

    def predictions_at(self, start: int) -> list[tuple[str, float]]:
        """The model's next-word predictions for a word starting at `start`."""
        for i, (s, e) in enumerate(self.spans):
            if e > start:
                return self.predictions[i] if i < len(self.predictions) else []
        return []


@dataclass(frozen=True)
class Continuation:
    """Ask for log2 P(variant | text[:cut]) for each variant (variants usually start with a space)."""

    text: str
    cut: int
    variants: tuple[str, ...]


class LanguageModel(ABC):
    name: str

    @abstractmethod
    def analyse(self, texts: Sequence[str], top_k: int = 0) -> list[TextScores]: ...

    @abstractmethod
    def continuations(self, requests: Sequence[Continuation]) -> list[list[float]]: ...

    def similarity(self, a: str, b: str) -> float | None:
        """How related two words are to the model (cosine of its word embeddings), or None if it cannot say."""
        return None

    def sentence_logprob(self, texts: Sequence[str]) -> list[float]:
        """Total log-probability of whole texts."""
        return [float(s.logprobs.sum()) for s in self.analyse(texts)]
