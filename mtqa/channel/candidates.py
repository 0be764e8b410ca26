"""Where replacement candidates come from: the channel side of the noisy-channel model.

Each generator proposes words that translation or spinning plausibly turned into
the word on the page, tagged with its origin so the scorer can charge each origin
its own prior cost (Mays, Damerau & Mercer 1991; LanguageTool's confusion sets).
The language model then decides which, if any, reads better in context.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import regex
from lemminflect import getAllLemmas
from wordfreq import zipf_frequency

from mtqa.channel.origins import (
    ARTICLE,
    CASE,
    CONFUSION,
    FALSE_FRIEND,
    GLOSSARY,
    MORPHOLOGY,
    NUMBER,
    PREDICTION,
    PRONOUN,
    RELATED,
    SPELLING,
    TITLE,
    TRANSLITERATION,
)

# Derivations that MT produces and English does not use ("strategical", "stableness", "publically").
_SUFFIX_RULES = [
    (regex.compile(r"ical$"), "ic"),
    (regex.compile(r"ally$"), "ly"),
    (regex.compile(r"ableness$"), "ability"),
    (regex.compile(r"ibleness$"), "ibility"),
    (regex.compile(r"ness$"), "ity"),
    (regex.compile(r"ness$"), ""),
    (regex.compile(r"ic$"), "ical"),
    (regex.compile(r"al$"), ""),
]
_PRONOUNS = {
    "she": ("it",),
    "he": ("it",),
    "her": ("its", "it"),
    "his": ("its",),
    "him": ("it",),
    "herself": ("itself",),
    "himself": ("itself",),
}
_GENDERS = (frozenset({"he", "him", "his", "himself"}), frozenset({"she", "her", "herself"}))


def neuter_chains(words: list[str]) -> list[list[tuple[int, str]]]:
    """For each grammatical gender among `words` (one sentence), the positions of its pronouns
    and their neuter forms: a translation that calls a country "she" keeps it up ("Russia has said
    she will defend her borders"), so the pronouns are swapped together. "her" is "its" before a
    noun or adjective ("her own" too) and "it" otherwise ("helped her")."""
    chains = []
    for gender in _GENDERS:
        chain = []
        for i, word in enumerate(words):
            lower = word.lower()
            if lower not in gender:
                continue
            neuter = _PRONOUNS[lower][0]
            if lower == "her":
                following = words[i + 1].lower() if i + 1 < len(words) else ""
                neuter = "its" if following == "own" or (following[:1].isalpha() and following not in FUNCTION_WORDS) else "it"
            chain.append((i, neuter))
        if chain:
            chains.append(chain)
    return chains


_NUMBERS = dict(
    zip(
        "1 2 3 4 5 6 7 8 9 10 1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(),
        "one two three four five six seven eight nine ten first second third fourth fifth sixth seventh eighth ninth tenth".split(),
    )
)


def spelled_out(word: str) -> list[Candidate]:
    """The word for a digit or ordinal from 1 to 10 ("1" → "one", "3rd" → "third"); nothing otherwise."""
    return [Candidate(_NUMBERS[word.lower()], NUMBER)] if word.lower() in _NUMBERS else []


def always_checked(word: str) -> list[Candidate]:
    """Candidates worth trying wherever the word occurs, surprising or not: a digit that prose
    spells out, the partners of a confusion-set word (the noisy channel of Mays, Damerau and
    Mercer checks every member of a set, since "in any cases" reads naturally word by word), and
    what a false friend stands for."""
    return spelled_out(word) or _listed(word)


def _listed(word: str) -> list[Candidate]:
    lower = word.lower()
    return [Candidate(other, CONFUSION) for other in confusion_sets().get(lower, ())] + [
        Candidate(other, FALSE_FRIEND) for other in false_friends().get(lower, ())
    ]


def without_article(article: str, following: str) -> list[Candidate]:
    """For "a"/"an" before a content word, the word alone: Polish has no articles, and translation
    puts "a" before uncountable nouns ("avoided an inflammatory language"). Checked wherever it
    occurs, since each word reads naturally; the LM sees the noun that makes it wrong."""
    if article in ("a", "an") and following.isalpha() and following.islower() and following not in FUNCTION_WORDS:
        return [Candidate(following, ARTICLE)]
    return []


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Closed-class words. An LM prediction may swap one for another, or a content word for a content
# word, but never cross: "Lavrow" → "the" reads likelier and is never a correction.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet for of in on at to from by with about as into onto upon over under
    after before since until while when whenever where wherever whether if than then that this these those
    there here it its he she him her his hers they them their theirs we us our you your i me my who whom
    whose which what is are was were be been being am do does did have has had will would shall should can
    could may might must not no also too very just only even still already however although though because
    therefore thus hence any some each every all both either neither few fewer many much more most less least
    other another such same own""".split()
)


@dataclass(frozen=True)
class Candidate:
    text: str
    origin: str


@cache
def confusion_sets() -> dict[str, tuple[str, ...]]:
    """Word → words it may stand for, from confusions.txt: a line "a b c" confuses each word
    with the others; a line "a > b c" lets "a" stand for "b" or "c" but not the reverse."""
    return _word_table("confusions.txt")


@cache
def false_friends() -> dict[str, tuple[str, ...]]:
    """Word → words translation from Polish writes it for, from false_friends.txt ("a > b c")."""
    return _word_table("false_friends.txt")


def _word_table(name: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    text = resources.files("mtqa.channel").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        wrong, arrow, right = line.split("#", 1)[0].partition(">")
        if arrow:
            table.setdefault(wrong.strip(), set()).update(right.split())
            continue
        words = wrong.split()
        for word in words:
            table.setdefault(word, set()).update(w for w in words if w != word)
    return {word: tuple(sorted(others)) for word, others in table.items()}


@cache
def _wordnet_lines() -> dict[str, str]:
    """Word → its WordNet neighbours, space-separated, from related.tsv.gz (see build_related.py).
    A line is split only when its word is asked about: reading all 16,000 would cost 0.4 s."""
    data = resources.files("mtqa.channel").joinpath("related.tsv.gz").read_bytes()
    return dict(line.split("\t", 1) for line in gzip.decompress(data).decode("utf-8").splitlines())


@cache
def wordnet_neighbours(word: str) -> frozenset[str]:
    return frozenset(_wordnet_lines().get(word, "").split())


@cache
def _lemmas(word: str) -> frozenset[str]:
    lower = word.lower()
    return frozenset({lower, *(lemma for lemmas in getAllLemmas(lower).values() for lemma in lemmas)})


def related(word: str, other: str) -> bool:
    """Whether WordNet (3.0) puts some sense of `other` in a synset of `word`, or one step from it
    (hypernym, hyponym, similar, derived): the substitutions synonym spinning and literal
    translation make ("information" for news, "organization" for party). Inflections of one
    word are not related: that is morphology."""
    forms, others = _lemmas(word), _lemmas(other)
    return not forms & others and any(wordnet_neighbours(form) & others for form in forms)


@cache  # spelling neighbours look up millions of strings on a long text, most of them repeats
def frequency(word: str) -> float:
    """Zipf frequency (0 = unknown, 7+ = 'the'); lower-cased because capitals are positional."""
    return zipf_frequency(word, "en")


@cache
def _common_words() -> dict[str, float]:
    """Zipf frequency of every lower-case word at or above 2.5, read once (0.2 s): a spelling
    neighbour search tries ~500 strings a word, too many for wordfreq's per-call tokenising."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (2.5 - 9)  # zipf = log10(frequency per billion words)
    return {w: math.log10(f) + 9 for w, f in get_frequency_dict("en").items() if f >= floor}


def is_known(word: str, floor: float = 2.5) -> bool:
    return frequency(word) >= floor


def is_common_word(word: str) -> bool:
    """A dictionary word with a part of speech (lower-case "russian" or a name is not)."""
    return bool(getAllLemmas(word.lower()))


def morphological(word: str) -> list[str]:
    lower = word.lower()
    out = []
    for pattern, replacement in _SUFFIX_RULES:
        if pattern.search(lower):
            variant = pattern.sub(replacement, lower)
            if len(variant) >= 3 and variant != lower and is_known(variant, 3.0):
                out.append(variant)
    for lemmas in getAllLemmas(lower, upos="ADJ").values():  # comparatives: fewer → few
        out.extend(lemma for lemma in lemmas if lemma != lower)
    return list(dict.fromkeys(out))


# Titles written with a capital when they stand before a name ("President Vladimir Putin").
TITLES = frozenset(
    """president prime minister foreign secretary chancellor king queen prince princess pope
    ayatollah general admiral senator governor mayor ambassador sheikh emir premier""".split()
)


def recased(word: str, lone_capital: bool = False) -> list[str]:
    """For a capital inside a sentence with no name beside it (`lone_capital`), the word in lower
    case when it is a common word: "Moscow's Subtle influence" -> "subtle"."""
    if lone_capital and word[:1].isupper() and word[1:].islower() and is_common_word(word):
        return [word.lower()]
    return []


def titled(word: str, before_name: bool) -> list[Candidate]:
    """For a title in lower case before a name, the title capitalised: "president Vladimir Putin"
    -> "President". Polish and other source languages write titles in lower case, and translation
    keeps it, so it is checked wherever a title precedes a name."""
    return [Candidate(word.capitalize(), TITLE)] if before_name and word.islower() and word in TITLES else []


def spelling(word: str, name: bool = False) -> list[str]:
    """Known words one edit away (Norvig's edits1), for transliterated or slipped spellings;
    for a `name` only words that are not common words ("Lavrow" -> "Lavrov", not "Shahed" -> "Shaped")."""
    lower = word.lower()
    if len(lower) < 4 or not lower.isalpha():
        return []
    splits = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    edits.discard(lower)
    # Only much commoner words, so a rare correct word stays; names are rarer than common words.
    floor = max(2.5 if word[:1].isupper() else 3.0, frequency(lower) + 1.0)
    common = _common_words()
    found = [e for e in edits if common.get(e, 0.0) >= floor and not (name and is_common_word(e))]
    return sorted(found, key=common.__getitem__, reverse=True)[:3]


# Polish romanisation of Russian and Central Asian names, and the English spelling of each
# letter group ("Zacharowa" -> "Zakharova", "Aszchabad" -> "Ashkhabad"), longest first.
_POLISH_ROMANISATION = (
    ("szcz", ("shch",)),
    ("sz", ("sh",)),
    ("cz", ("ch",)),
    ("ch", ("kh", "h")),
    ("dż", ("j", "zh")),
    ("ż", ("zh",)),
    ("ie", ("e", "ie")),
    ("ij", ("y", "i")),
    ("j", ("y", "i")),
    ("w", ("v",)),
    ("ł", ("l",)),
)
_SPELLINGS_TRIED = 256  # bounds the product of choices on a long name
_NAME_FLOOR = 1.0  # zipf a transliterated name needs: rare, but known to English text


def transliterated(word: str) -> list[str]:
    """English spellings of a name written in the Polish romanisation of Cyrillic, as a
    translation from Polish keeps it ("Lavrow" -> "Lavrov", "Zacharowa" -> "Zakharova"). Only
    names English text knows (wordfreq) and that are not common words are offered."""
    if not (word[:1].isupper() and word.isalpha()) or is_common_word(word):
        return []  # a possessive is the name's repeat (see LMDetector._repeats)
    spellings = [""]
    rest = word.lower()
    while rest and len(spellings) <= _SPELLINGS_TRIED:
        polish, english = next(((p, e) for p, e in _POLISH_ROMANISATION if rest.startswith(p)), (rest[0], (rest[0],)))
        choices = english if polish in english else (polish, *english)
        spellings = [s + c for s in spellings for c in choices]
        rest = rest[len(polish) :]
    if rest:
        return []
    floor = max(_NAME_FLOOR, frequency(word) + 1.0)
    found = [s for s in spellings if s != word.lower() and frequency(s) >= floor and not is_common_word(s)]
    return [s.capitalize() for s in sorted(found, key=frequency, reverse=True)[:3]]


def generate(
    word: str,
    predictions: list[tuple[str, float]] = (),
    glossary: list[str] = (),
    lone_capital: bool = False,
    name: bool = False,
    before_name: bool = False,
) -> list[Candidate]:
    """Candidates for `word` from every origin, without duplicates, case not yet carried over (but
    for the `titled` and `recased` ones, which differ from the word in case only). `name`: the word
    is capitalised inside a sentence; `before_name`: a name follows it."""
    lower = word.lower()
    recasings = titled(word, before_name) + [Candidate(text, CASE) for text in recased(word, lone_capital)]
    found: dict[str, Candidate] = {f"case:{c.text}": c for c in recasings}

    def add(texts, origin: str) -> None:
        for text in texts:
            if text.lower() != lower and text.lower() not in found:
                found[text.lower()] = Candidate(text, origin)

    add(glossary, GLOSSARY)
    for candidate in _listed(word):
        add([candidate.text], candidate.origin)
    add(_PRONOUNS.get(lower, ()), PRONOUN)
    add([c.text for c in spelled_out(word)], NUMBER)
    add(morphological(word), MORPHOLOGY)
    add(transliterated(word), TRANSLITERATION)
    add(spelling(word, name), SPELLING)
    predicted = _same_class(word, predictions)
    add((c.text for c in near_synonyms(word, predictions)), RELATED)
    add(predicted, PREDICTION)
    return list(found.values())


def _same_class(word: str, predictions: list[tuple[str, float]]) -> list[str]:
    """The predictions of the word's class: function words for a function word, content words for the rest."""
    closed = word.lower() in FUNCTION_WORDS
    return [w for w, _ in predictions if (w.lower() in FUNCTION_WORDS) == closed]


def near_synonyms(word: str, predictions: list[tuple[str, float]]) -> list[Candidate]:
    """The LM predictions that WordNet relates to the word (see `related`)."""
    return [Candidate(w, RELATED) for w in _same_class(word, predictions) if related(word.lower(), w)]
