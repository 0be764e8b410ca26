"""Candidate origins: where a replacement candidate came from, and what each origin costs.

The channel model of the noisy channel: before any context is read, how plausible is it
that translation or spinning turned the candidate into the word on the page? Each origin
carries a prior cost in bits (`ORIGIN_COST`), an error family for its flags
(`KIND_BY_ORIGIN`), and the LM detector names its rules after it ("lm:<origin>").
"""

from __future__ import annotations

CONFUSION, FALSE_FRIEND, MORPHOLOGY, TRANSLITERATION, ARTICLE, CASE, TITLE, PRONOUN, NUMBER, SPELLING, RELATED, PREDICTION, GLOSSARY = (
    "confusion",
    "false friend",  # a word translation from Polish writes for another (see false_friends.txt)
    "morphology",
    "transliteration",  # a name in the Polish romanisation of Cyrillic (see `candidates.transliterated`)
    "article",  # "a"/"an" left out (see `candidates.without_article`)
    "case",
    "title",  # a title in lower case before a name (see `candidates.titled`)
    "pronoun",
    "number",
    "spelling",
    "related",  # an LM prediction that WordNet relates to the word (see `candidates.related`)
    "prediction",
    "glossary",
)

# Prior cost (bits) of each origin: how unlikely the substitution is before context.
# Tuned on the seed article and synthetic-dev only (never on synthetic-heldout).
ORIGIN_COST = {
    CONFUSION: 0.0,
    FALSE_FRIEND: -3.0,  # a known MT family, one way, as pronouns are
    MORPHOLOGY: 0.0,
    TRANSLITERATION: 0.0,  # a fixed letter map, as morphology is
    ARTICLE: 0.0,
    CASE: 2.0,
    TITLE: -3.0,  # a known MT family, as pronouns are (Polish "prezydent Władimir Putin")
    PRONOUN: -3.0,  # a known MT family (Polish "Rosja" is "she"): a 3-bit gain suffices
    NUMBER: 0.0,
    SPELLING: 4.0,
    RELATED: 3.0,  # a WordNet neighbour of the word: the substitution spinning makes
    PREDICTION: 8.0,
    GLOSSARY: 0.0,
}

KIND_BY_ORIGIN = {
    CONFUSION: "real-word",
    FALSE_FRIEND: "term",
    MORPHOLOGY: "morphology",
    TRANSLITERATION: "name",
    ARTICLE: "grammar",
    CASE: "grammar",
    TITLE: "grammar",
    PRONOUN: "pronoun",
    NUMBER: "function-word",
    SPELLING: "name",
    RELATED: "term",
    PREDICTION: "term",
    GLOSSARY: "term",
}

# Origins whose only evidence is that the LM prefers another word (a WordNet neighbour or any
# word): rewrites, trusted less than the channel-model origins when nothing else backs them.
REWRITE_ORIGINS = (RELATED, PREDICTION)
# Changes of case depend on where the word stands ("president Putin"), not on its sense, and an
# article is judged with its noun: neither spreads to the word's other occurrences.
POSITIONAL_ORIGINS = (CASE, TITLE, ARTICLE)


def rule(origin: str) -> str:
    """The LM detector's rule id for flags whose best candidate has this origin."""
    return f"lm:{origin}"


REWRITE_RULES = tuple(rule(o) for o in REWRITE_ORIGINS)
POSITIONAL_RULES = tuple(rule(o) for o in POSITIONAL_ORIGINS)
