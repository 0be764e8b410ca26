"""Screening candidates before the language model rescores them in full.

A full rescoring costs a few tokens of model work per candidate; most candidates are
hopeless, and a cheap estimate finds them: for LM predictions, the LM's own left-context
preference plus a trigram's verdict on the words to the right (which a causal LM cannot see);
for the other origins, the trigram's verdict on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from mtqa.channel.candidates import Candidate
from mtqa.channel.origins import PREDICTION, REWRITE_ORIGINS
from mtqa.lm.base import LanguageModel
from mtqa.lm.ngram import NgramLM
from mtqa.text.document import Token


@dataclass
class Screen:
    lm: LanguageModel  # its word embeddings tell related predictions from unrelated ones
    right_context: NgramLM | None  # the trigram that estimates fit; without it only the LM's preference counts
    screen_bits: float = 5.0  # estimated gain an LM prediction needs before it is rescored in full
    predictions_kept: int = 2  # of those, how many are rescored at most
    channel_screen_bits: float = -3.0  # trigram estimate other candidates need (it is blind to much)
    related_floor: float = 0.15  # embedding cosine an LM prediction needs with the word it replaces

    def keep(
        self, tokens: list[Token], i: int, found: list[Candidate], original_bits: float, predictions: list[tuple[str, float]] = ()
    ) -> list[Candidate]:
        """The candidates for tokens[i] whose estimated gain makes a full rescoring worth its cost.
        `original_bits` is the word's log-probability in its left context, `predictions` the LM's
        next-word predictions there (word, log-probability)."""
        left = dict(predictions)
        original = tokens[i].text
        kept, screened = [], []
        for c in found:
            if c.origin in REWRITE_ORIGINS:
                similarity = self.lm.similarity(original, c.text) if c.origin == PREDICTION else None  # WordNet relates the others
                if similarity is not None and similarity < self.related_floor:
                    continue  # translation swaps near-synonyms; an unrelated word that reads better is a rewrite
                estimate = left.get(c.text, original_bits) - original_bits
                if self.right_context is not None:
                    estimate += self._right_fit(tokens, i, c.text) - self._right_fit(tokens, i, original)
                if estimate >= self.screen_bits:
                    screened.append((estimate, c))
            elif self.right_context is None or self._trigram_gain(tokens, i, c.text) >= self.channel_screen_bits:
                kept.append(c)
        screened.sort(key=lambda pair: pair[0], reverse=True)
        for origin in REWRITE_ORIGINS:  # the best few of each
            kept += [c for _, c in screened if c.origin == origin][: self.predictions_kept]
        return kept

    def _trigram_gain(self, tokens: list[Token], i: int, word: str) -> float:
        """Trigram estimate of what replacing tokens[i] by `word` gains, over the word and two to its right."""
        history = ["<s>"] + [t.text.lower() for t in tokens[max(0, i - 2) : i]]
        original = self.right_context.word_logprob(tokens[i].text.lower(), history)
        candidate = sum(self.right_context.word_logprob(w, history) for w in word.lower().split()[:1])
        return candidate - original + self._right_fit(tokens, i, word) - self._right_fit(tokens, i, tokens[i].text)

    def _right_fit(self, tokens: list[Token], i: int, word: str) -> float:
        """Trigram log-probability of the next two words after `word` at position i."""
        history = [t.text.lower() for t in tokens[max(0, i - 1) : i]] + [word.lower()]
        total = 0.0
        for t in tokens[i + 1 : i + 3]:
            total += self.right_context.word_logprob(t.text.lower(), history)
            history.append(t.text.lower())
        return total
