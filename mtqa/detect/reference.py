"""Reference detector: names the user's reference text writes differently.

A related clean article (or a style sheet) that says "Iranian Foreign Minister Abbas Araghchi"
and "UN Security Council" settles how names of people, offices and bodies are written. Two
kinds of disagreement are flagged:

* a word between two words that match, where the reference has a capitalised name part and the
  text a lower-case word: "Iranian abroad Minister" (reference "Iranian Foreign Minister"),
  "with president Vladimir Putin" (reference "with President Vladimir Putin"). Both neighbours
  must match, so "Foreign Minister Sergei Lavrov" is not taken for "Foreign Minister Abbas
  Araghchi", and the text's word must be lower case, so one office is not taken for another
  ("Prime Minister" where the reference only has "Foreign Minister");
* a rare capitalised word the reference does not use, spelled almost like a name it does use:
  "Lavrow" (reference "Lavrov").
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cached_property

from mtqa.channel import candidates as cands
from mtqa.edits import Edit, Suggestion
from mtqa.text.document import Document
from mtqa.text.reference import WORDS, Reference

SLOT_SCORE = {3: 0.75, 4: 0.85}  # by the length of the matching n-gram: more context, more certainty
AMBIGUOUS_FACTOR = 0.8  # the reference fills the slot with more than one word
SPELLING_SCORE = 0.7
SPELLING_RATIO = 0.8  # difflib similarity a misspelt name needs with the reference's spelling
RARE_ZIPF = 2.0  # a word this rare (or rarer) in English may be a misspelt name


class ReferenceDetector:
    name = "reference"

    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    @cached_property
    def _slots(self) -> dict[tuple[str, ...], Counter[str]]:
        """(words before, "", words after) in lower case → the capitalised words the reference puts
        in the gap, for n-grams of 3 and 4 words whose gap is inside and beside another capital."""
        slots: dict[tuple[str, ...], Counter[str]] = {}
        for sentence in self.reference.sentences:
            tokens = WORDS.findall(sentence)
            lower = [t.lower() for t in tokens]
            for n in SLOT_SCORE:
                for first in range(len(tokens) - n + 1):
                    for gap in range(first + 1, first + n - 1):
                        word = tokens[gap]
                        if gap == 0 or not word[:1].isupper():
                            continue
                        if not (tokens[gap - 1][:1].isupper() and gap - 1 > 0) and not tokens[gap + 1][:1].isupper():
                            continue  # a capital with no capital beside it may just start a quotation
                        key = (*lower[first:gap], "", *lower[gap + 1 : first + n])
                        slots.setdefault(key, Counter())[word] += 1
        return slots

    @cached_property
    def _name_keys(self) -> list[str]:
        return list(self.reference.capitalised)

    def detect(self, doc: Document) -> list[Edit]:
        flags: dict[int, Edit] = {}
        for sentence in doc.sentences:
            tokens = list(WORDS.finditer(doc.text, sentence.start, sentence.end))
            lower = [t.group().lower() for t in tokens]
            for i, token in enumerate(tokens):
                flag = self._slot_flag(tokens, lower, i) or self._spelling_flag(token)
                if flag and (token.start() not in flags or flag.score > flags[token.start()].score):
                    flags[token.start()] = flag
        return sorted(flags.values(), key=lambda e: e.start)

    def _slot_flag(self, tokens, lower: list[str], i: int) -> Edit | None:
        word = tokens[i].group()
        if not word.islower() or word in cands.FUNCTION_WORDS:
            return None
        after = tokens[i + 1].group()[:1].isupper() if i + 1 < len(tokens) else False
        before = tokens[i - 1].group()[:1].isupper() if i > 1 else False  # the first word is capitalised anyway
        if not (before or after):
            return None  # not beside a name in this text: "the region in" is no "the Kremlin in"
        for n in sorted(SLOT_SCORE, reverse=True):
            for first in range(max(0, i - n + 2), min(i, len(tokens) - n + 1)):
                key = (*lower[first:i], "", *lower[i + 1 : first + n])
                fillers = self._slots.get(key)
                if not fillers:
                    continue
                ranked = [w for w, _ in fillers.most_common()]
                if ranked[0].lower() == word and not after:
                    return None  # a title in lower case before a lower-case word is house style: "foreign minister"
                score = SLOT_SCORE[n] * (AMBIGUOUS_FACTOR if len(ranked) > 1 else 1.0)
                phrase = " ".join(ranked[0] if j == i else tokens[j].group() for j in range(first, first + n))
                same_word = ranked[0].lower() == word
                message = (
                    f"the reference writes \"{phrase}\""
                    + (" with a capital" if same_word else f": \"{ranked[0]}\", not \"{word}\"")
                )
                kind = "grammar" if same_word else "term"
                return self._edit(tokens[i], ranked, score, "reference:phrase", kind, message)
        return None

    def _spelling_flag(self, token) -> Edit | None:
        word = token.group()
        if not word[:1].isupper() or word.lower() in self.reference.capitalised or cands.frequency(word) > RARE_ZIPF:
            return None
        close = difflib.get_close_matches(word.lower(), self._name_keys, n=1, cutoff=SPELLING_RATIO)
        if not close or close[0][:1] != word[:1].lower():
            return None
        name = self.reference.capitalised[close[0]]
        return self._edit(token, [name], SPELLING_SCORE, "reference:spelling", "name", f"the reference spells this name \"{name}\"")

    @staticmethod
    def _edit(token, replacements: list[str], score: float, rule: str, kind: str, message: str) -> Edit:
        suggestions = tuple(Suggestion(r, round(score * (1 if k == 0 else AMBIGUOUS_FACTOR), 3)) for k, r in enumerate(replacements))
        return Edit(token.start(), token.end(), token.group(), suggestions, round(score, 3), "reference", rule, kind, message)
