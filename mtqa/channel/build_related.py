"""Rebuild `related.tsv.gz`, the WordNet neighbours of common English words (not run at check time).

Synonym spinning and literal translation replace a word with a dictionary neighbour of one
of its senses ("information agency" for news agency, "either organization" for either
party, "common understanding" for mutual). The LM detector charges such a substitution
less than an arbitrary rewrite (see `candidates.related`), so it needs to know which
words WordNet relates: same synset, or one step away (hypernym, hyponym, similar-to,
also-see, verb group, derivation, pertainym).

Only lower-case alphabetic lemmas with a wordfreq Zipf frequency of 3 or more are kept
(about 16,000 words, 100,000 pairs); each pair is written under both of its words, so that
the tool reads a word's line only when it asks about that word.

Needs what the tool itself does not: NLTK and the WordNet 3.0 database, e.g. Debian's
`wordnet-base` copied into an NLTK data folder (with an empty `index.sense` and a
`lexnames` file, which that package lacks):

    NLTK_DATA=/path/to/nltk_data python -m mtqa.channel.build_related
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

from wordfreq import zipf_frequency

MIN_ZIPF = 3.0
OUT = Path(__file__).with_name("related.tsv.gz")


def _kept(word: str) -> bool:
    return word.isalpha() and word.islower() and zipf_frequency(word, "en") >= MIN_ZIPF


def neighbours() -> dict[str, set[str]]:
    from nltk.corpus import wordnet

    related: dict[str, set[str]] = defaultdict(set)
    for synset in wordnet.all_synsets():
        words = {lemma.name() for lemma in synset.lemmas() if _kept(lemma.name())}
        if not words:
            continue
        near = set(synset.hypernyms() + synset.hyponyms() + synset.similar_tos() + synset.also_sees() + synset.verb_groups())
        for lemma in synset.lemmas():
            near.update(d.synset() for d in lemma.derivationally_related_forms() + lemma.pertainyms())
        near_words = {lemma.name() for other in near for lemma in other.lemmas() if _kept(lemma.name())}
        for word in words:
            for other in (words | near_words) - {word}:
                related[word].add(other)
                related[other].add(word)
    return related


def main() -> None:
    related = neighbours()
    lines = [f"{word}\t{' '.join(sorted(others))}\n" for word, others in sorted(related.items())]
    data = gzip.compress("".join(lines).encode("utf-8"), mtime=0)  # byte-identical rebuilds
    OUT.write_bytes(data)
    print(f"{OUT}: {len(lines)} words, {sum(len(o) for o in related.values()) // 2} pairs, {len(data)} bytes")


if __name__ == "__main__":
    main()
