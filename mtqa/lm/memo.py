"""A language model that remembers its answers, for running several detectors over the same texts.

`mtqa bench` runs the LM detector alone and inside the combined detector on every document:
both ask the same `analyse` questions and mostly the same `continuations`. Wrapping the model
once makes the second detector pay only for what it asks that is new. Memory grows with the
texts seen, so this is for bounded sample sets, not for `mtqa check` on long inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

from mtqa.lm.base import Continuation, LanguageModel, TextScores


class MemoLM(LanguageModel):
    def __init__(self, inner: LanguageModel) -> None:
        self.inner = inner
        self.name = inner.name
        self._analyses: dict[tuple[str, int], TextScores] = {}
        self._continuations: dict[tuple[str, int, str], float] = {}

    def analyse(self, texts: Sequence[str], top_k: int = 0) -> list[TextScores]:
        missing = [t for t in dict.fromkeys(texts) if (t, top_k) not in self._analyses]
        if missing:
            for text, scores in zip(missing, self.inner.analyse(missing, top_k)):
                self._analyses[(text, top_k)] = scores
        return [self._analyses[(t, top_k)] for t in texts]

    def continuations(self, requests: Sequence[Continuation]) -> list[list[float]]:
        asked = []
        for r in requests:
            new = tuple(v for v in dict.fromkeys(r.variants) if (r.text, r.cut, v) not in self._continuations)
            if new:
                asked.append(Continuation(r.text, r.cut, new))
        for request, logprobs in zip(asked, self.inner.continuations(asked) if asked else []):
            for variant, logprob in zip(request.variants, logprobs):
                self._continuations[(request.text, request.cut, variant)] = logprob
        return [[self._continuations[(r.text, r.cut, v)] for v in r.variants] for r in requests]

    def similarity(self, a: str, b: str) -> float | None:
        return self.inner.similarity(a, b)
