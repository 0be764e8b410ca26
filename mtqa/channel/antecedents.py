"""Who a gendered pronoun stands for: a place or body, a person, or nobody in sight.

Translation from a language with grammatical gender calls a country "she" ("Russia has said she
will"), and the pronoun family neuters such chains. But "he" after "the Prime Minister" is right,
however much likelier the LM finds "it". So a chain is weighed only when the nearest plausible
antecedent before it, in its sentence or the two before, is a country, city or organisation: a
place name (GeoNames, see `build_places`), a noun for a body ("the government", "the council"),
or an acronym ("BRICS"). A person stops the search the other way: a singular person noun or
title ("minister", "guy"), a gendered pronoun, or a capitalised word inside a sentence that is
neither a known place nor an English word (a personal name). Plural nouns are skipped: they
are "they", never "she".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from mtqa.channel.candidates import FUNCTION_WORDS, is_common_word
from mtqa.text.document import Document, Token

PLACE, PERSON, NOBODY = "place", "person", "none"
SENTENCES_BACK = 2

BODY_NOUNS = frozenset(
    """country nation state city town village capital province region republic kingdom empire government
    administration ministry parliament congress senate council committee commission agency company firm
    corporation bank army navy military party union alliance organisation organization institution university
    school team kremlin""".split()
)
PERSON_NOUNS = frozenset(
    """man woman boy girl father mother son daughter brother sister husband wife friend guy lady gentleman king
    queen prince princess president minister chancellor senator governor mayor teacher student doctor professor
    scientist author writer artist player leader officer soldier worker farmer child kid baby person mom mum dad
    grandfather grandmother grandpa grandma uncle aunt nephew niece cousin boss colleague patient customer driver
    pilot engineer researcher astronaut astronomer physicist chemist biologist poet singer actor actress director
    manager chairman chairwoman spokesman spokeswoman spokesperson emperor ambassador envoy priest monk nun judge
    lawyer policeman nurse partner neighbor neighbour premier secretary general admiral sheikh emir pope founder
    ceo official analyst expert journalist correspondent diplomat representative mr mrs ms dr sir lord madam""".split()
)
GENDERED = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})


@cache
def place_names() -> frozenset[str]:
    """Lower-cased place names, one- and two-word ("south korea") alike."""
    lines = Path(__file__).with_name("places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


def _bare(word: str) -> str:
    return word.lower().removesuffix("'s").removesuffix("’s")


def antecedent(doc: Document, offset: int) -> str:
    """PLACE, PERSON or NOBODY: what the nearest plausible antecedent before `offset` is."""
    here = doc.sentence_index(offset)
    if here is None:
        return NOBODY
    window = doc.sentences[max(0, here - SENTENCES_BACK) : here + 1]
    sentence_starts = {s.words()[0].start for s in window if s.words()}
    words = [t for s in window for t in s.words() if t.end <= offset]
    for i in range(len(words) - 1, -1, -1):
        found = _kind(words[i], words[i - 1] if i else None, sentence_starts)
        if found:
            return found
    return NOBODY


def _kind(word: Token, before: Token | None, sentence_starts: set[int]) -> str | None:
    bare = _bare(word.text)
    places = place_names()
    if bare in places or bare in BODY_NOUNS or (before and f"{before.text.lower()} {bare}" in places):
        return PLACE
    if len(word.text) >= 2 and word.text.isalpha() and word.text.isupper():
        return PLACE  # an acronym names an organisation (BRICS, SCO, UN)
    if bare in PERSON_NOUNS or bare in GENDERED:
        return PERSON
    capitalised_inside = word.text[:1].isupper() and word.start not in sentence_starts
    if capitalised_inside and bare not in FUNCTION_WORDS and not is_common_word(bare):
        return PERSON  # a capitalised word that is no known place and no English word: a personal name
    return None
