"""A seeded corruption model that imitates machine-translation and spinner damage.

`corrupt` takes clean text and substitutes phrases from error families (small data
tables below), recording gold edits in the corrupted text's offsets whose
correction is the original phrase. Matches are word-bounded; a lower-case phrase
also matches capitalised at the start of a sentence, and the damage is then
capitalised too. Optional `before`/`after` regexes restrict a substitution to a
context (for example "its" -> "her" only after a country name in the same sentence).

DEV_FAMILIES are the kinds of damage seen in the seed article, which detectors
and the glossary are tuned on. HELDOUT_FAMILIES are families and phrases that
no glossary entry covers and that are never used for tuning: they measure
whether a checker generalises.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

import regex

from mtqa.edits import Edit, Suggestion
from mtqa.text.document import tokenize


# Lookbehind for the start of a sentence, where a lower-case phrase appears capitalised.
SENTENCE_START = r"(?<=(?:^|\n|[.!?][\"”’)]?\s+)[\"“]?)"


@dataclass(frozen=True)
class Sub:
    clean: str  # the phrase in correct text
    damaged: str  # what the translation round trip or the spinner makes of it
    before: str = ""  # regex the text just before must match
    after: str = ""  # regex the text just after must match

    @cached_property
    def pattern(self) -> regex.Pattern[str]:
        body = regex.escape(self.clean)
        if self.clean[:1].islower():  # also at a sentence start, capitalised
            first = regex.escape(self.clean[0])
            upper = regex.escape(self.clean[0].upper())
            body = f"(?:{first}|{SENTENCE_START}{upper}){body[len(first):]}"
        left = r"\b" if self.clean[:1].isalnum() else ""
        right = r"\b" if self.clean[-1:].isalnum() else ""
        before = f"(?<={self.before})" if self.before else ""
        after = f"(?={self.after})" if self.after else ""
        return regex.compile(f"{before}{left}{body}{right}{after}")

    def damage(self, matched: str) -> str:
        if matched[:1].isupper() and self.clean[:1].islower():
            return self.damaged[:1].upper() + self.damaged[1:]
        return self.damaged


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # one of mtqa.detect.base.KINDS
    subs: tuple[Sub, ...]


# A country or city named earlier in the same sentence: the antecedent of a gendered pronoun.
_DEV_PLACES = r"\b(?:Russia|Iran|Turkmenistan|Kazakhstan|Kyrgyzstan|Uzbekistan|Tajikistan|Turkey|Moscow|Tehran)\b[^.!?\n]{1,80}"
_HELDOUT_PLACES = r"\b(?:Germany|Japan|Vietnam|Indonesia|India|China|Korea|Tuvalu|Washington|Beijing|Hanoi|Moscow|Tehran|Iran|Russia)\b[^.!?\n]{1,80}"
_SUBJECT_VERB = r" (?:is|was|has|had|will|would|can|could|must|does|did|remains|wants|needs|seeks|says|said|sees|calls)\b"

DEV_FAMILIES: tuple[Family, ...] = (
    Family(
        "term",
        "term",
        (
            Sub("Foreign Minister", "abroad Minister"),
            Sub("foreign minister", "abroad minister"),
            Sub("Security Council", "safety Council"),
            Sub("news agency", "information agency"),
            Sub("Middle East", "mediate East"),
            Sub("International", "global", after=r" (?:Relations|Economic|Atomic|Court|Monetary)\b"),
            Sub("Economic Forum", "economical Forum"),
            Sub("need", "request", after=" for"),
            Sub("development", "improvement"),
            Sub("recent", "fresh"),
            Sub("domestic", "interior"),
            Sub("particular", "peculiar"),
            Sub("particularly", "peculiarly"),
            Sub("southern", "confederate"),
            Sub("role", "function"),
        ),
    ),
    Family(
        "function-word",
        "function-word",
        (
            Sub("few", "fewer", before=r"\b(?:a|the|A|The) "),
            Sub("when", "erstwhile", after=r" \w"),
            Sub("instead", "alternatively"),
            Sub("one", "1", after=" of"),
            Sub("still", "yet", after=r" \w"),
            Sub("some", "any", before=r"\bin ", after=" cases"),
            Sub("this", "that", after=" year"),
        ),
    ),
    Family(
        "pronoun",
        "pronoun",
        (
            Sub("it", "she", before=_DEV_PLACES, after=_SUBJECT_VERB),
            Sub("its", "her", before=_DEV_PLACES),
        ),
    ),
    Family(
        "morphology",
        "morphology",
        (
            Sub("strategic", "strategical"),
            Sub("stability", "stableness"),
            Sub("publicly", "publically"),
            Sub("economic", "economical", after=" Forum"),
        ),
    ),
    Family(
        "name",
        "name",
        (
            Sub("Lavrov", "Lavrow"),
            Sub("Ashgabat", "Aszchabad"),
            Sub("Tashkent", "Taszkent"),
            Sub("Bishkek", "Biszkek"),
            Sub("Dushanbe", "Duszanbe"),
            Sub("Kazakhstan", "Kazachstan"),
            Sub("Tokayev", "Tokajew"),
            Sub("Peskov", "Pieskow"),
            Sub("Zakharova", "Zacharowa"),
            Sub("Nebenzia", "Niebienzia"),
            Sub("Japarov", "Dżaparow"),
        ),
    ),
    # A sentence joined to the next with no space: "Aszchabad.One of the main".
    Family("spacing", "spacing", (Sub(" ", "", before=r"\p{Ll}{2}[.!?][\"”’)]?", after=r"\p{Lu}\p{Ll}"),)),
)

HELDOUT_FAMILIES: tuple[Family, ...] = (
    Family(
        "confusion",
        "real-word",
        (
            Sub("whole", "hole", before=r"\bthe "),
            Sub("its", "it's"),
            Sub("their", "there"),
            Sub("than", "then"),
            Sub("then", "than"),
            Sub("lose", "loose"),
            Sub("affect", "effect"),
            Sub("affects", "effects"),
            Sub("principal", "principle"),
            Sub("council", "counsel"),
            Sub("advice", "advise"),
            Sub("accept", "except"),
            Sub("complement", "compliment"),
            Sub("quite", "quiet"),
            Sub("whether", "weather"),
            Sub("break", "brake"),
            Sub("site", "sight"),
            Sub("sites", "sights"),
            Sub("peace", "piece"),
            Sub("losing", "loosing"),
            Sub("role", "roll"),
            Sub("capital", "capitol"),
            Sub("later", "latter"),
            Sub("ally", "alley"),
            Sub("allies", "alleys"),
        ),
    ),
    Family(
        "spinner",
        "term",
        (
            Sub("human rights", "human privileges"),
            Sub("press conference", "press convention"),
            Sub("climate change", "climate alteration"),
            Sub("interest rates", "curiosity rates"),
            Sub("prime minister", "premier minister"),
            Sub("heads of state", "heads of condition"),
            Sub("ruling party", "ruling celebration"),
            Sub("part", "portion", before=r"\b(?:take|took|taking|takes) ", after=" in"),
            Sub("central bank", "central financial institution"),
            Sub("supply chains", "provide chains"),
            Sub("negotiating table", "negotiating desk"),
            Sub("sovereign state", "sovereign condition"),
            Sub("price ceiling", "price roof"),
            Sub("permanent member", "everlasting member"),
            Sub("nuclear threshold", "nuclear doorstep"),
            Sub("G7 summit", "G7 peak"),
        ),
    ),
    Family(
        "derivation",
        "morphology",
        (
            Sub("economically", "economicly"),
            Sub("politically", "politicly"),
            Sub("responsibility", "responsibleness"),
            Sub("sovereignty", "sovereignness"),
            Sub("diplomatic", "diplomatical"),
            Sub("transparency", "transparentness"),
            Sub("credibility", "credibleness"),
            Sub("historically", "historicly"),
            Sub("undoubtedly", "undoubtably"),
            Sub("irresponsible", "unresponsible"),
            Sub("neutrality", "neutralness"),
        ),
    ),
    Family(
        "masculine",
        "pronoun",
        (
            Sub("it", "he", before=_HELDOUT_PLACES, after=_SUBJECT_VERB),
            Sub("its", "his", before=_HELDOUT_PLACES),
        ),
    ),
)


@dataclass(frozen=True)
class _Site:
    start: int
    end: int
    original: str
    damaged: str
    family: Family


def _sites(text: str, family: Family) -> list[_Site]:
    return [
        _Site(m.start(), m.end(), m.group(), sub.damage(m.group()), family)
        for sub in family.subs
        for m in sub.pattern.finditer(text)
    ]


def corrupt(text: str, families: list[Family] | tuple[Family, ...], rate: float, rng: random.Random) -> tuple[str, list[Edit]]:
    """Damage about `rate` x (word count) places in `text`; return the damaged text and gold edits.

    Families take turns (one picked at random each round) so that frequent words such as
    "its" do not crowd out rarer families. Damaged spans never touch one another, so gold
    edits stay separate.
    """
    target = round(rate * len(tokenize(text)))
    pools = {f.name: _sites(text, f) for f in families}
    chosen: list[_Site] = []
    while len(chosen) < target:
        names = [name for name, pool in pools.items() if pool]
        if not names:
            break
        pool = pools[rng.choice(names)]
        site = pool.pop(rng.randrange(len(pool)))
        # One character of untouched text between any two damaged spans.
        if all(site.end < other.start or other.end < site.start for other in chosen):
            chosen.append(site)

    pieces, edits, pos, shift = [], [], 0, 0
    for site in sorted(chosen, key=lambda s: s.start):
        pieces += [text[pos : site.start], site.damaged]
        start = site.start + shift
        edits.append(
            Edit(
                start=start,
                end=start + len(site.damaged),
                text=site.damaged,
                suggestions=(Suggestion(site.original),),
                source="gold",
                rule=f"corrupt:{site.family.name}",
                kind=site.family.kind,
            )
        )
        shift += len(site.damaged) - len(site.original)
        pos = site.end
    return "".join(pieces) + text[pos:], edits
