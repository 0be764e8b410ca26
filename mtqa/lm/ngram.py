"""Word trigram language model (pocketsphinx's US English LM): fast, no torch.

Tokens are words (lower-cased, as the LM is); a token's span is the word
itself. Unknown words get the LM's floor, clamped so that one unknown name
does not swamp a sentence's score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mtqa.lm.base import Continuation, LanguageModel, TextScores
from mtqa.text.document import tokenize

UNKNOWN_FLOOR_BITS = -24.0  # about a one-in-16-million word


class NgramLM(LanguageModel):
    def __init__(self, name: str, model, logmath) -> None:
        self.name = name
        self._model = model
        self._to_bits = logmath.log_to_ln(1) / math.log(2)  # LogMath units → bits

    @classmethod
    def load(cls, name: str, path: Path) -> NgramLM:
        from pocketsphinx import Config, LogMath, NGramModel

        logmath = LogMath()
        return cls(name, NGramModel(Config(), logmath, str(path)), logmath)

    def word_logprob(self, word: str, history: Sequence[str]) -> float:
        """log2 P(word | the last two words of history); history holds lower-cased words."""
        raw = self._model.prob([word, *reversed(history[-2:])])  # pocketsphinx wants newest first
        return max(raw * self._to_bits, UNKNOWN_FLOOR_BITS)

    def _score(self, words: list[str], history: list[str]) -> list[float]:
        scores, history = [], list(history)
        for word in words:
            scores.append(self.word_logprob(word, history))
            history.append(word)
        return scores

    def analyse(self, texts: Sequence[str], top_k: int = 0) -> list[TextScores]:
        results = []
        for text in texts:
            tokens = tokenize(text)
            words = [t.text.lower() for t in tokens]
            logprobs = self._score(words, ["<s>"])
            # An n-gram model cannot enumerate its predictions cheaply: `predictions` stays empty.
            results.append(TextScores(text, [(t.start, t.end) for t in tokens], np.array(logprobs, dtype=np.float64)))
        return results

    def continuations(self, requests: Sequence[Continuation]) -> list[list[float]]:
        results = []
        for request in requests:
            history = ["<s>", *(t.text.lower() for t in tokenize(request.text, 0, request.cut))]
            results.append([sum(self._score([t.text.lower() for t in tokenize(v)], history)) for v in request.variants])
        return results
