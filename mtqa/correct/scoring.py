"""Ranking corrections: one documented score from three kinds of evidence.

For each flag, every candidate replacement gets up to three parts in [0, 1]:

  lm         sigmoid(gain / 4): gain = bits by which the candidate raises the
             log-probability of the text from the edit to a few words after it,
             in the same context the LM detector reads; 0.5 = no change.
  glossary   the entry's prior when the glossary lists the candidate for this
             span, 0 when the glossary knows the span but not this candidate;
             left out when the glossary has no opinion on the span.
  reference  0.5 + (chrF gain + BLEU gain) / 8 + phrase support gain, clipped to
             [0, 1], against the closest reference sentences (BLEU with effective order); only
             when the user gave reference texts (see `reference.py`), and left out
             when the reference holds none of the phrases and no close sentence.

score = Σ weight·part / Σ weight over the parts present, with WEIGHTS below.
A candidate is applied when its score reaches `fix --min-score` (default 0.5)
and beats keeping the original, which scores what an unchanged sentence would.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from mtqa.channel.windows import gains, lm_chunks, variant_request
from mtqa.edits import Edit, Suggestion
from mtqa.glossary.model import carry_case
from mtqa.lm.base import LanguageModel
from mtqa.text.document import Document
from mtqa.text.reference import Reference, words

WEIGHTS = {"lm": 0.4, "glossary": 0.35, "reference": 0.25}
CLOSE_SENTENCE_CHRF = 50.0  # chrF above which a reference sentence says how this one should read


@dataclass
class Ranker:
    lm: LanguageModel | None = None
    glossary: object | None = None  # mtqa.glossary.model.Glossary: corrections(text) -> [(text, prior)]
    reference: Reference | None = None
    weights: dict[str, float] | None = None

    def rank(self, doc: Document, flags: list[Edit]) -> list[Edit]:
        """The flags with their suggestions re-scored and re-ordered, best first."""
        weights = self.weights or WEIGHTS
        candidates = [self._candidates(doc, flag) for flag in flags]
        lm_gains = self._lm_gains(doc, flags, candidates) if self.lm else [None] * len(flags)
        ranked = []
        for flag, texts, gain in zip(flags, candidates, lm_gains):
            known = dict(self.glossary.corrections(flag.text)) if self.glossary else {}
            known = {k.lower(): v for k, v in known.items()}
            sentence = doc.sentence_at(flag.start)
            reference_parts = self._reference_parts(doc, flag, texts, sentence) if self.reference else None
            suggestions = []
            for i, text in enumerate(texts):
                parts: dict[str, float] = {}
                if gain is not None:
                    parts["lm"] = 1 / (1 + math.exp(-gain[i] / 4))
                    parts["lm_bits"] = round(gain[i], 2)
                if known:
                    parts["glossary"] = known.get(text.lower(), 0.0)
                elif flag.source == "spacing":
                    parts["glossary"] = flag.score  # a mechanical rule, as sure as a glossary entry
                if reference_parts is not None:
                    parts["reference"] = reference_parts[i]
                present = [k for k in weights if k in parts]
                score = sum(weights[k] * parts[k] for k in present) / sum(weights[k] for k in present) if present else flag.score
                suggestions.append(Suggestion(text, round(score, 3), {k: round(v, 3) for k, v in parts.items()}))
            suggestions.sort(key=lambda s: s.score, reverse=True)
            ranked.append(flag.with_suggestions(suggestions))
        return ranked

    def _candidates(self, doc: Document, flag: Edit) -> list[str]:
        texts = [s.text for s in flag.suggestions]
        if self.glossary:
            texts += [carry_case(flag.text, t) for t, _ in self.glossary.corrections(flag.text)]
        from_reference = self._reference_candidates(doc, flag) if self.reference and flag.start != flag.end else []
        # The reference's spelling of a name wins over the same word in another case ("foreign" → "Foreign").
        spelled = {t.lower(): t for t in from_reference}
        unique: dict[str, str] = {}
        for text in texts + from_reference:
            if text != flag.text:
                unique.setdefault(text.lower(), spelled.get(text.lower(), text))
        return list(unique.values())

    def _reference_candidates(self, doc: Document, flag: Edit) -> list[str]:
        """Words the reference puts between the same neighbours ("Iranian ___ Minister")."""
        left = words(doc.text[max(0, flag.start - 40) : flag.start])[-1:]
        right = words(doc.text[flag.end : flag.end + 40])[:1]
        width = len(words(flag.text))
        if not left or not right or width != 1:
            return []
        capitalised = self.reference.capitalised
        if right[0] not in capitalised and left[0] not in capitalised:
            return []  # only inside names of people, offices and bodies ("Iranian ___ Minister")
        found = [
            g[1] for g in self.reference.ngrams if len(g) == 3 and g[0] == left[0] and g[2] == right[0] and g[1] in capitalised
        ]
        return [carry_case(flag.text, capitalised[w]) for w in sorted(found)[:5]]

    def _lm_gains(self, doc: Document, flags: list[Edit], candidates: list[list[str]]) -> list[list[float] | None]:
        """Bits each candidate gains over the flagged text, asked as the LM detector asks (same
        texts, same right context), so its analysis is reused and the gains it found are taken as they are."""
        chunks = lm_chunks(doc)
        starts = [c[0] for c in chunks]  # chunks are in text order: a long text has thousands
        known: list[dict[str, float] | None] = [None] * len(flags)
        requests, owners = [], []
        for index, (flag, texts) in enumerate(zip(flags, candidates)):
            at = bisect.bisect_right(starts, flag.start) - 1
            chunk = chunks[at] if at >= 0 and flag.end <= chunks[at][1] else None
            if not texts or flag.source == "spacing" or chunk is None:
                continue
            known[index] = {s.text: s.parts["lm_bits"] for s in flag.suggestions if "lm_bits" in s.parts}
            asked = [t for t in texts if t not in known[index]]
            if asked:
                requests.append(variant_request(doc, chunk, flag.start, flag.end, asked))
                owners.append((index, asked))
        for (index, asked), asked_gains in zip(owners, gains(self.lm, requests)):
            known[index].update(zip(asked, asked_gains))
        return [None if found is None else [found[t] for t in texts] for found, texts in zip(known, candidates)]

    def _reference_parts(self, doc: Document, flag: Edit, texts: list[str], sentence) -> list[float] | None:
        """Reference parts per candidate, or None when the reference has no opinion: it holds none of
        the candidates' phrases and no sentence close to this one (a related article is not a
        translation of this one, and chrF against an unrelated sentence is noise)."""
        if sentence is None:
            return None
        original = doc.text[sentence.start : sentence.end]
        closest = self.reference.closest(original)
        base_chrf, base_bleu = self.reference.similarity(original, closest)
        left = words(doc.text[sentence.start : flag.start])
        right = words(doc.text[flag.end : sentence.end])
        base_support = self.reference.phrase_support(left, flag.text, right)
        supports = [self.reference.phrase_support(left, text, right) for text in texts]
        if base_chrf < CLOSE_SENTENCE_CHRF and not any(supports) and not base_support:
            return None
        parts = []
        for text, support in zip(texts, supports):
            changed = original[: flag.start - sentence.start] + text + original[flag.end - sentence.start :]
            chrf, bleu = self.reference.similarity(changed, closest)
            closer = (chrf - base_chrf + bleu - base_bleu) / 2
            parts.append(min(1.0, max(0.0, 0.5 + closer / 4 + (support - base_support))))
        return parts
