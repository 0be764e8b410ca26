"""Reference phrasing: related clean texts whose wording candidates should agree with.

A user supplies a related article, a style sheet or a term list. Two kinds of
evidence come from it, both with sacrebleu:

* sentence-level chrF (and BLEU with effective order) of the corrected sentence
  against the closest reference sentences: does the sentence read more like the
  reference with the candidate than without it?
* exact n-gram matches for names of people, offices and bodies: the words around
  the edit with the candidate in place ("Iranian Foreign Minister Abbas") found
  verbatim in the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

import regex

from mtqa.text.document import Document

WORDS = regex.compile(r"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")
SHORTLIST = 4  # reference sentences per wanted one scored by chrF, picked by shared words


@cache
def _metrics():
    """sentence chrF and BLEU (effective order); sacrebleu is imported only when a reference is used."""
    from sacrebleu.metrics import BLEU, CHRF

    return CHRF(), BLEU(effective_order=True)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORDS.findall(text)]


@dataclass
class Reference:
    texts: list[str]
    _closest: dict[tuple[str, int], list[str]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def sentences(self) -> list[str]:
        return [doc.text[s.start : s.end] for text in self.texts for doc in [Document(text)] for s in doc.sentences]

    @cached_property
    def ngrams(self) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for sentence in self.sentences:
            tokens = words(sentence)
            for n in range(1, 5):
                found.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return found

    def closest(self, sentence: str, k: int = 3) -> list[str]:
        """The k reference sentences most like `sentence` (by chrF); remembered, since every flag
        in a sentence asks."""
        key = (sentence, k)
        if key not in self._closest:
            # chrF against every reference sentence costs 1 ms each; the closest by chrF share words.
            mine = set(words(sentence))
            shortlist = sorted(self._word_sets, key=lambda pair: len(mine & pair[1]) / (len(mine | pair[1]) or 1), reverse=True)
            candidates = [ref for ref, _ in shortlist[: SHORTLIST * k]]
            chrf, _ = _metrics()
            scored = sorted(candidates, key=lambda ref: chrf.sentence_score(sentence, [ref]).score, reverse=True)
            self._closest[key] = scored[:k]
        return self._closest[key]

    @cached_property
    def _word_sets(self) -> list[tuple[str, set[str]]]:
        return [(ref, set(words(ref))) for ref in self.sentences]

    def similarity(self, sentence: str, closest: list[str]) -> tuple[float, float]:
        """chrF and BLEU (effective order) of `sentence` against the given reference sentences, in [0, 100]."""
        if not closest:
            return 0.0, 0.0
        chrf, bleu = _metrics()
        return chrf.sentence_score(sentence, closest).score, bleu.sentence_score(sentence, closest).score

    @cached_property
    def capitalised(self) -> dict[str, str]:
        """Words the reference writes with a capital inside a sentence (parts of names), by lower case."""
        found: dict[str, str] = {}
        for sentence in self.sentences:
            tokens = WORDS.findall(sentence)
            found.update((t.lower(), t) for t in tokens[1:] if t[:1].isupper())
        return found

    def phrase_support(self, left: list[str], replacement: str, right: list[str]) -> float:
        """Share of the longest n-grams through the replacement (with up to 2 words each side) found
        verbatim in the reference: 1.0 when "Foreign Minister Abbas" is there as written. Only names
        of people, offices and bodies count: an n-gram of common words ("for the") proves nothing."""
        middle = words(replacement)
        if not middle:
            return 0.0
        best = 0.0
        for lo in range(0, min(2, len(left)) + 1):
            for ro in range(0, min(2, len(right)) + 1):
                gram = tuple(left[len(left) - lo :] + middle + right[:ro])
                if len(gram) > 4 or (lo + ro == 0 and len(middle) == 1):
                    continue  # a lone word proves little; longer n-grams are not indexed
                if gram in self.ngrams and any(w in self.capitalised for w in gram):
                    best = max(best, (lo + ro + len(middle)) / 4)
        return min(best, 1.0)
