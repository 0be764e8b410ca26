"""Proper names: a name is changed into a different word only with evidence.

Machine translation leaves foreign names the LM has never seen ("Beijing Nanjiang Aerospace",
"Sugu"), and the LM prefers a famous look-alike (Nanjing, Sulu). A likelier spelling neighbour is
not evidence that a name is wrong; the evidence is the glossary, reference phrasing the user
gave, or the same document spelling the name the other way. Without it, the LM detector keeps
such a flag below the bar (`NAME_SCORE_CAP`: a low-score suggestion at most) and `fix` never
applies it.

A name is a capitalised word inside a sentence, a capitalised word that is no English word, or a
capitalised word beside another one ("Global" in "FPT-UBD Global Centre" is part of the name).
Respelling a name in another romanisation (transliteration), or changing its case or title, is
not a change into a different word.
"""

from __future__ import annotations

import regex

from mtqa.channel import origins
from mtqa.channel.candidates import FUNCTION_WORDS, is_common_word
from mtqa.text.document import Document

NAME_SCORE_CAP = 0.3
# The rule of such a flag: calibration leaves its score at the cap (it is no channel evidence).
UNCONFIRMED_NAME_RULE = "lm:unconfirmed-name"
UNCONFIRMED_NAME_NOTE = "a name: changed only with a glossary entry, a reference or the other spelling in the text"
# Origins that substitute another word for the one on the page (the rest respell, recase or add).
SUBSTITUTING_ORIGINS = frozenset(
    {origins.CONFUSION, origins.FALSE_FRIEND, origins.MORPHOLOGY, origins.SPELLING, origins.RELATED, origins.PREDICTION}
)
_NEIGHBOUR_GAP = regex.compile(r"[ \-]")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in FUNCTION_WORDS and word != "I"


def is_name(doc: Document, start: int, end: int) -> bool:
    """Whether text[start:end] (one word) is a proper name or part of one."""
    text = doc.text
    word = text[start:end]
    if " " in word or not _capitalised(word):
        return False
    sentence = doc.sentence_at(start)
    words = sentence.words() if sentence else []
    if not words or words[0].start != start or not is_common_word(word):
        return True  # inside a sentence, or no English word
    following = words[1] if len(words) > 1 else None  # a sentence's first word: a name when the next word goes on it
    return bool(following and _NEIGHBOUR_GAP.fullmatch(text[end : following.start]) and _capitalised(following.text))


def spelled_in(doc: Document, word: str) -> bool:
    """Whether the document spells `word` somewhere (any case), as a whole word."""
    return bool(regex.search(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(word)}(?![\p{{L}}\p{{N}}])", doc.text, regex.IGNORECASE))


def renames(original: str, replacement: str) -> bool:
    """Whether `replacement` is another word, not `original` recased."""
    return original.lower() != replacement.lower()


def unconfirmed_rename(doc: Document, start: int, end: int, replacement: str) -> bool:
    """Whether putting `replacement` for the name at start:end would change it into a different word
    that the document itself never spells (the one evidence found in the text alone)."""
    return renames(doc.text[start:end], replacement) and is_name(doc, start, end) and not spelled_in(doc, replacement)
