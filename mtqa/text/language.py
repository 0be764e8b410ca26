"""Is a text English? The LM detector's verdicts mean nothing on other languages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

_LETTERS = regex.compile(r"\p{L}+")
MIN_WORDS_FOR_LANGUAGE = 20  # shorter texts are not judged
FUNCTION_WORD_SHARE = 0.15  # English prose: 0.3-0.5 of words are among its 150 commonest; other languages: < 0.1
KNOWN_SHARE = 0.5


@dataclass(frozen=True)
class LanguageGuess:
    words: int  # words looked at (a sample on long texts)
    known: float  # share of them that English has at all (wordfreq zipf > 0)
    function: float  # share that are among the 150 commonest English words

    @property
    def english(self) -> bool:
        if self.words < MIN_WORDS_FOR_LANGUAGE:
            return True
        return self.known >= KNOWN_SHARE and self.function >= FUNCTION_WORD_SHARE

    def warning(self, path: str) -> str | None:
        if self.english:
            return None
        return (
            f"{path}: does not look like English ({self.known:.0%} of words known, {self.function:.0%} English "
            "function words); flags will be unreliable, so the language-model detector is skipped"
        )


@cache
def _common_english() -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", 150))


def guess_language(text: str, sample_words: int = 3000) -> LanguageGuess:
    """How English `text` looks. Share of known words alone is not enough: wordfreq's English list knows
    most French, German and Spanish words (74-84% of a news paragraph), but not as common function words."""
    from wordfreq import zipf_frequency

    if len(text) > 20 * sample_words:  # long text: windows spread evenly over it
        step = len(text) // 20
        pieces = [text[i : i + sample_words] for i in range(0, len(text), step)]
    else:
        pieces = [text]
    words = [w.lower() for piece in pieces for w in _LETTERS.findall(piece)][: sample_words * 2]
    if not words:
        return LanguageGuess(0, 0.0, 0.0)
    common = _common_english()
    known = sum(1 for w in words if zipf_frequency(w, "en") > 0)
    function = sum(1 for w in words if w in common)
    return LanguageGuess(len(words), known / len(words), function / len(words))
