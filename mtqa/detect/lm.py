"""Language-model detector: finds wrong words the glossary has never seen.

Three steps, cheapest first:

1. Suspicion. One pass of the LM over the text gives each word's surprisal in
   its left context. Surprisal alone tracks rarity (names and rare words are
   surprising but right), so it is normalised by the word's unigram surprisal:
   suspicion = surprisal − unigram surprisal (a negative pointwise mutual
   information). A word is a suspect when it, or the word after it, is much
   less expected here than anywhere (the LM cannot see that "mediate" is wrong
   until "East" arrives). A digit that prose spells out, a member of a
   confusion set ("any"/"some"), a Polish false friend ("request" for need),
   an "a"/"an" that may not belong ("an inflammatory language"), a title in
   lower case before a name, and a word whose near-synonym the LM clearly
   expected are checked wherever they occur.
2. Candidates. For each suspect: confusion sets and false friends, pronoun
   swaps, numbers in words, morphological variants, English spellings of names
   in Polish romanisation ("Zacharowa" → Zakharova), spelling neighbours, and
   the LM's own top predictions at that position (kept only when a trigram LM
   says they fit the right-hand context too). A prediction that WordNet relates
   to the word ("organization" → party) costs less than any other rewrite:
   spinning and literal translation swap dictionary neighbours.
3. Noisy channel. Each candidate replaces the word, and the LM scores the rest
   of the sentence window both ways, reusing the cached prefix. A word is
   flagged when a candidate raises the log-probability by more than the margin
   plus that candidate origin's prior cost. The flag's score is a logistic
   function of that net gain, 0.5 at the margin.

Gendered pronouns for countries ("Russia has said she will") read naturally word
by word, so no pre-filter finds them: every sentence with he/his or she/her whose
nearest plausible antecedent is a place or a body (`channel.antecedents`) is
rescored whole with those pronouns made it/its together.

A proper name is never flagged above the bar for a change into a different word
that nothing in the document backs (`channel.names`).

A document is damaged consistently, so once a substitution wins clearly in one
place, the other occurrences of that word are re-checked with the same
candidate at a lower margin (one sense per discourse).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from mtqa.channel import candidates as cands
from mtqa.channel import names, origins
from mtqa.channel.antecedents import PLACE, antecedent
from mtqa.channel.screen import Screen
from mtqa.channel.windows import CHUNK_WORDS, RIGHT_WORDS, Chunk, gains, lm_chunks, variant_request
from mtqa.edits import Edit, Suggestion
from mtqa.glossary.model import carry_case
from mtqa.lm.base import LanguageModel, TextScores
from mtqa.lm.ngram import NgramLM
from mtqa.text.document import Document, Token, protected_spans

BITS_PER_ZIPF = math.log2(10)


@dataclass(frozen=True)
class LMSettings:
    margin_bits: float = 6.0  # net gain (bits) at which a flag's score is 0.5
    scale_bits: float = 3.0  # gain (bits) that moves the score from 0.5 to about 0.73
    # Prior cost (bits) of each candidate origin (see `origins.ORIGIN_COST`).
    origin_cost: dict[str, float] = field(default_factory=lambda: dict(origins.ORIGIN_COST))
    surprisal_bits: float = 10.0  # pre-filter: a word this surprising in its left context is a suspect...
    suspicion_bits: float = 4.0  # ...and so is one whose (or whose right neighbour's) normalised surprisal is this high
    synonym_top: int = 5  # ...and so is a word one of the LM's top predictions is a WordNet neighbour of...
    synonym_gap_bits: float = 3.0  # ...when that prediction is this much likelier (both set a priori, not tuned)
    top_k: int = 40  # LM predictions looked at per suspect
    screen_bits: float = 5.0  # estimated gain an LM prediction needs before it is rescored in full
    predictions_kept: int = 2  # of those, how many are rescored at most
    channel_screen_bits: float = -3.0  # trigram estimate other candidates need (it is blind to much)
    related_floor: float = 0.15  # embedding cosine an LM prediction needs with the word it replaces
    right_words: int = RIGHT_WORDS  # words of right context each variant carries
    discourse_score: float = 0.8  # a flag this sure makes other occurrences suspects...
    discourse_bonus_bits: float = 3.0  # ...checked at a margin lowered by this much for each one that sure...
    discourse_confirmations: int = 2  # ...counting this many at most
    chunk_words: int = CHUNK_WORDS  # sentences are grouped into LM inputs of about this many words
    group_chunks: int = 24  # chunks analysed together: bounds memory on long texts


@dataclass
class _Suspect:
    chunk: int
    token: Token  # offsets are document offsets
    candidates: list[cands.Candidate]
    surprisal: float
    bonus: float = 0.0


def _starts_name(text: str, offset: int, tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is followed by one space and a capitalised word (`text` starts at `offset`)."""
    end = tokens[i].end - offset
    return i + 1 < len(tokens) and text[end : end + 1] == " " and tokens[i + 1].start == tokens[i].end + 1 and tokens[i + 1].text[:1].isupper()


def _repeated(word: str, replacement: str, origin: str) -> list[cands.Candidate]:
    """Candidates for another occurrence of a word replaced elsewhere: the replacement as it was
    written there ("abroad Minister" → "Foreign") and in this word's own case ("abroad minister")."""
    forms = dict.fromkeys([replacement, carry_case(word, replacement.lower())])
    return [cands.Candidate(form, origin) for form in forms]


def _without_possessive(token: Token) -> Token:
    """"Lavrow's" as "Lavrow": a word replaced elsewhere is the same word with a possessive
    (but "it's" and "that's" are contractions)."""
    if token.text.endswith(("'s", "’s")) and len(token.text) > 2 and token.text[:-2].lower() not in cands.FUNCTION_WORDS:
        return Token(token.start, token.end - 2, token.text[:-2])
    return token


def _without_predictions(doc: Document) -> set[int]:
    """Offsets of the words LM predictions are not offered for: names (capitalised inside a
    sentence), whose only question is their spelling, and the first word of each sentence, whose
    left context is only a sentence break, so the LM's guesses there are as good as random."""
    out = set()
    for sentence in doc.sentences:
        words = sentence.words()
        out.update(t.start for t in words[:1])
        out.update(t.start for t in words[1:] if t.text[:1].isupper())
    return out


class LMDetector:
    def __init__(
        self,
        lm: LanguageModel,
        right_context: NgramLM | None = None,
        settings: LMSettings | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.lm = lm
        self.settings = settings or LMSettings()
        s = self.settings
        self.screen = Screen(lm, right_context, s.screen_bits, s.predictions_kept, s.channel_screen_bits, s.related_floor)
        self.progress = progress
        self.name = "lm"
        # Of the document being checked: see `_without_predictions`, and where sentences start.
        self._unpredicted: set[int] = set()
        self._sentence_starts: set[int] = set()

    # -- public --------------------------------------------------------------------------------

    def detect(self, doc: Document, established: dict[str, str] | None = None) -> list[Edit]:
        """Flags for `doc`. `established` maps lower-cased words to replacements another source
        confirmed in this document; their other occurrences are re-checked at a lower margin."""
        protected = protected_spans(doc.text)
        self._unpredicted = _without_predictions(doc)
        self._sentence_starts = {s.words()[0].start for s in doc.sentences if s.words()}
        chunks = lm_chunks(doc, self.settings.chunk_words)
        edits: list[Edit] = []
        step = self.settings.group_chunks
        for first in range(0, len(chunks), step):
            group = chunks[first : first + step]
            edits.extend(self._detect_group(doc, group, protected, established or {}))
            if self.progress:
                self.progress(sum(len(c[2]) for c in group))
        return sorted(edits, key=lambda e: e.start)

    # -- steps ---------------------------------------------------------------------------------

    def _detect_group(self, doc: Document, group, protected, established: dict[str, str]) -> list[Edit]:
        s = self.settings
        texts = [doc.text[start:end] for start, end, _ in group]
        scores = self.lm.analyse(texts, top_k=s.top_k)
        suspects = []
        for index, ((start, _, tokens), score) in enumerate(zip(group, scores)):
            suspects.extend(self._suspects(index, start, tokens, score, protected))
        suspects = [x for x in map(partial(_without_unfounded_pronouns, doc), suspects) if x.candidates]
        decided = self._rescore(doc, group, suspects)
        # One sense per discourse: re-check other occurrences of confidently replaced words.
        confident = {word: (replacement, origins.GLOSSARY) for word, replacement in established.items()}
        confirmed: Counter[str] = Counter()
        for suspect, edit in decided:
            # A change of case depends on where the word stands ("president Putin"), not on its sense.
            if edit.score >= s.discourse_score and edit.rule not in origins.POSITIONAL_RULES:
                key = suspect.token.text.lower()
                confident.setdefault(key, (edit.suggestions[0].text, edit.rule.split(":")[-1]))
                confirmed[key] += 1
        # Each confident occurrence (up to `discourse_confirmations`) lowers the margin for the rest.
        bonus = {key: s.discourse_bonus_bits * min(max(confirmed[key], 1), s.discourse_confirmations) for key in confident}
        flagged = {suspect.token.start for suspect, edit in decided if edit.score >= 0.5}
        surprisal = {x.token.start: x.surprisal for x in suspects}
        again = self._repeats(group, confident, bonus, flagged, surprisal, protected)
        # A re-check adds evidence; it never takes away a first decision's.
        best = {x.token.start: e for x, e in decided}
        for e in self._pronoun_chains(doc, group) + [e for _, e in self._rescore(doc, group, again)]:
            if e.start not in best or e.score > best[e.start].score:
                best[e.start] = e
        return list(best.values())

    @staticmethod
    def _repeats(group, confident, bonus: dict[str, float], flagged: set[int], surprisal: dict[int, float], protected) -> list[_Suspect]:
        """Occurrences of confidently replaced words not flagged yet, suspects or not, to re-check."""
        out = []
        for index, (_, _, tokens) in enumerate(group):
            for token in tokens:
                stem = _without_possessive(token)
                key = stem.text.lower()
                if key in confident and token.start not in flagged and not _inside(token, protected):
                    out.append(_Suspect(index, stem, _repeated(stem.text, *confident[key]), surprisal.get(token.start, 0.0), bonus[key]))
        return out

    def _suspects(self, index: int, chunk_start: int, tokens: list[Token], score: TextScores, protected) -> list[_Suspect]:
        s = self.settings
        surprisal, suspicion = [], []
        for t in tokens:
            bits = -score.word_logprob(t.start - chunk_start, t.end - chunk_start)
            unigram = max(cands.frequency(t.text), 1.0) * BITS_PER_ZIPF - 9 * BITS_PER_ZIPF
            surprisal.append(bits)
            suspicion.append(bits + unigram)
        out = []
        for i, t in enumerate(tokens):
            if not (t.is_word or cands.spelled_out(t.text)) or _inside(t, protected):
                continue
            after = suspicion[i + 1] if i + 1 < len(tokens) else 0.0
            lone_capital = self._lone_capital(tokens, i)  # suspect in any context: "Moscow's Subtle influence"
            surprising = surprisal[i] >= s.surprisal_bits or max(suspicion[i], after) >= s.suspicion_bits
            predictions = [] if t.start in self._unpredicted else score.predictions_at(t.start - chunk_start)
            before_name = _starts_name(score.text, chunk_start, tokens, i)
            if not surprising and not lone_capital:
                # Slips that read naturally word by word ("yet 1 of the few", "in any cases", "met
                # with president Putin") are checked wherever they occur (gendered pronouns are
                # too: see `_pronoun_chains`), and so is a word the LM expected a near-synonym of.
                found = cands.always_checked(t.text) + cands.titled(t.text, before_name)
                found += self._expected_synonyms(t.text, predictions, -surprisal[i])
                if found := self.screen.keep(tokens, i, found, -surprisal[i], predictions):
                    out.append(_Suspect(index, Token(t.start, t.end, t.text), found, surprisal[i]))
                continue
            if cands.is_common_word(t.text) and not before_name:
                # A name in place of a common word is a rewrite, unless it starts a name ("Foreign Minister").
                predictions = [(w, bits) for w, bits in predictions if not w[:1].isupper()]
            name = t.text[:1].isupper() and t.start not in self._sentence_starts  # capitalised inside a sentence
            found = cands.generate(
                t.text, predictions, lone_capital=lone_capital, name=name and not lone_capital, before_name=before_name
            )
            found = self.screen.keep(tokens, i, found, -surprisal[i], predictions)
            if found:
                out.append(_Suspect(index, Token(t.start, t.end, t.text), found, surprisal[i]))
        return out + self._articles(index, score.text, chunk_start, tokens, surprisal, protected)

    @staticmethod
    def _articles(index: int, text: str, offset: int, tokens: list[Token], surprisal: list[float], protected) -> list[_Suspect]:
        """"a"/"an" with the word after it, to be weighed without the article (see `cands.without_article`)."""
        out = []
        for i, (article, word) in enumerate(zip(tokens, tokens[1:])):
            if _inside(word, protected) or word.start != article.end + 1:
                continue
            if found := cands.without_article(article.text, word.text):
                span = Token(article.start, word.end, text[article.start - offset : word.end - offset])
                out.append(_Suspect(index, span, found, surprisal[i]))
        return out

    def _expected_synonyms(self, word: str, predictions: list[tuple[str, float]], word_bits: float) -> list[cands.Candidate]:
        """Near-synonyms of a word that is not surprising but that the LM expected a synonym in
        place of, by a clear margin ("a pillar in the buffer region": zone): spinning and literal
        translation swap dictionary neighbours, and a common word's swap is rarely surprising."""
        s = self.settings
        top = [(w, lp) for w, lp in predictions[: s.synonym_top] if lp - word_bits >= s.synonym_gap_bits]
        return cands.near_synonyms(word, top)

    def _lone_capital(self, tokens: list[Token], i: int) -> bool:
        """A capitalised common word inside a sentence with no capitalised word beside it."""
        t = tokens[i]
        if not (t.text[:1].isupper() and t.text[1:].islower()) or t.start in self._sentence_starts or not cands.is_common_word(t.text):
            return False
        before = [b for b in tokens[i - 1 : i] if not b.text.endswith(("'s", "’s"))]  # a possessive ends a name
        return not any(b.text[:1].isupper() for b in before + tokens[i + 1 : i + 2])

    def _pronoun_chains(self, doc: Document, group: list[Chunk]) -> list[Edit]:
        """Flags for gendered pronouns that stand for a country ("Russia has said she will defend
        her borders"). Each reads naturally word by word, so the surprisal pre-filter never sees
        them; instead every sentence with such pronouns is rescored with all pronouns of one gender
        made neuter at once (see `cands.neuter_chains`), to the end of the sentence: on the seed
        article, synthetic-dev and clean, the whole sentence separated countries from people better
        than a few words after the pronoun did: no right pronoun gained more than 1.6 bits and 13
        of 17 wrong ones gained 3.1 or more; with three words of context right ones reached 3.7,
        which only 11 wrong ones passed."""
        s = self.settings
        requests, chains = [], []
        for chunk in group:
            sentences: dict[int, list[Token]] = {}
            for t in chunk[2]:
                sentence = doc.sentence_at(t.start)
                sentences.setdefault(sentence.start if sentence else -1, []).append(t)
            for words in sentences.values():
                for chain in cands.neuter_chains([t.text for t in words]):
                    if antecedent(doc, words[chain[0][0]].start) != PLACE:
                        continue  # "he" after a minister is right, however much the LM prefers "it"
                    swaps = [(words[i], carry_case(words[i].text, neuter)) for i, neuter in chain]
                    first, last = swaps[0][0], swaps[-1][0]
                    swapped, position = [], first.start
                    for token, neuter in swaps:
                        swapped += [doc.text[position : token.start], neuter]
                        position = token.end
                    requests.append(variant_request(doc, chunk, first.start, last.end, ["".join(swapped)], len(chunk[2])))
                    chains.append(swaps)
        edits = []
        for swaps, (gain,) in zip(chains, gains(self.lm, requests)):
            net = gain - s.origin_cost[origins.PRONOUN]
            if net < s.margin_bits - 3 * s.scale_bits:  # far below the bar, as in `_rescore`
                continue
            score = round(self._score(net), 3)
            pronouns = "its gendered pronoun" if len(swaps) == 1 else f"its {len(swaps)} gendered pronouns"
            message = f"a country is 'it' in English: the sentence is {gain:.1f} bits likelier with {pronouns} made neuter"
            for token, neuter in swaps:
                suggestion = Suggestion(neuter, score, {"lm_bits": round(gain, 2)})
                edits.append(Edit(token.start, token.end, token.text, (suggestion,), score, "lm", origins.rule(origins.PRONOUN), "pronoun", message))
        return edits

    def _score(self, net: float) -> float:
        """A flag's score: a logistic function of the net gain, 0.5 at the margin."""
        s = self.settings
        return 1 / (1 + math.exp(-(net - s.margin_bits) / s.scale_bits))

    def _rescore(self, doc: Document, group: list[Chunk], suspects: list[_Suspect]) -> list[tuple[_Suspect, Edit]]:
        if not suspects:
            return []
        s = self.settings
        decided = []
        for suspect, suspect_gains in zip(suspects, self._gains(doc, group, suspects)):
            ranked = self._ranked(doc, suspect, suspect_gains)
            net, gain, best = ranked[0]
            if net < s.margin_bits - 3 * s.scale_bits:  # far below the bar: not worth reporting at all
                continue
            token = suspect.token
            suggestions = tuple(
                Suggestion(self._cased(token.text, c), round(self._score(n), 3), {"lm_bits": round(g, 2)})
                for n, g, c in ranked
                if n > 0
            )
            if not suggestions:
                continue
            message = (
                f"unexpected here ({suspect.surprisal:.0f} bits); "
                f"'{suggestions[0].text}' makes the sentence {gain:.1f} bits likelier ({best.origin})"
            )
            rule, kind = origins.rule(best.origin), origins.KIND_BY_ORIGIN[best.origin]
            if best.origin in names.SUBSTITUTING_ORIGINS and names.unconfirmed_rename(doc, token.start, token.end, suggestions[0].text):
                rule, kind = names.UNCONFIRMED_NAME_RULE, "name"
                message += f"; {names.UNCONFIRMED_NAME_NOTE}"
            edit = Edit(token.start, token.end, token.text, suggestions, round(self._score(net), 3), "lm", rule, kind, message)
            decided.append((suspect, edit))
        return decided

    def _gains(self, doc: Document, group: list[Chunk], suspects: list[_Suspect]) -> list[list[float]]:
        """Bits each suspect's candidates gain over the word as it stands."""
        requests = [
            variant_request(
                doc, group[x.chunk], x.token.start, x.token.end, [self._cased(x.token.text, c) for c in x.candidates], self.settings.right_words
            )
            for x in suspects
        ]
        return gains(self.lm, requests)

    def _ranked(self, doc: Document, suspect: _Suspect, candidate_gains: list[float]) -> list[tuple[float, float, cands.Candidate]]:
        """(net gain, gain, candidate) for each candidate, best first. A name changed into another
        word the document never spells stays below the bar, whatever the LM gains (see `names`)."""
        s = self.settings
        name_cap = s.margin_bits + s.scale_bits * math.log(names.NAME_SCORE_CAP / (1 - names.NAME_SCORE_CAP))
        t = suspect.token
        ranked = []
        for c, gain in zip(suspect.candidates, candidate_gains):
            net = gain - s.origin_cost[c.origin] + suspect.bonus
            if c.origin in names.SUBSTITUTING_ORIGINS and names.unconfirmed_rename(doc, t.start, t.end, self._cased(t.text, c)):
                net = min(net, name_cap)
            ranked.append((net, gain, c))
        return sorted(ranked, key=lambda r: r[0], reverse=True)

    @staticmethod
    def _cased(original: str, candidate: cands.Candidate) -> str:
        if candidate.origin in (*origins.REWRITE_ORIGINS, origins.CASE, origins.TITLE):
            return candidate.text  # the LM chose its own case ("Middle"), or case is the correction
        return carry_case(original, candidate.text)


def _without_unfounded_pronouns(doc: Document, suspect: _Suspect) -> _Suspect:
    """The suspect without neuter pronouns when no place or body stands before it to be "it"."""
    if not any(c.origin == origins.PRONOUN for c in suspect.candidates) or antecedent(doc, suspect.token.start) == PLACE:
        return suspect
    return replace(suspect, candidates=[c for c in suspect.candidates if c.origin != origins.PRONOUN])


def _inside(token: Token, spans: list[tuple[int, int]]) -> bool:
    return any(s <= token.start < e for s, e in spans)
