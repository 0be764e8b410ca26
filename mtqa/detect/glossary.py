"""Glossary detector: flags spans that match a known mistranslation, with its corrections."""

from __future__ import annotations

import bisect

from mtqa.edits import Edit, Suggestion
from mtqa.glossary.model import Entry, Glossary, load_glossary
from mtqa.text.document import Document


class GlossaryDetector:
    name = "glossary"

    def __init__(self, glossary: Glossary | None = None, disabled: set[str] | frozenset[str] = frozenset()) -> None:
        self.glossary = (load_glossary() if glossary is None else glossary).without(disabled)
        # Spans of the last document where an entry's words matched but a neighbour rule said the usage is
        # right ("erstwhile russian republics"): known-correct English that other detectors must leave alone.
        self.cleared: list[tuple[int, int]] = []
        # ...and where they matched but a required context was missing: the entry has no opinion there.
        self.unconfirmed: list[tuple[int, int]] = []

    def detect(self, doc: Document) -> list[Edit]:
        sentences = doc.sentences
        starts = [s.start for s in sentences]
        texts = [doc.text[s.start : s.end] for s in sentences]
        candidates: list[tuple[int, int, Entry, list[tuple[str, float]]]] = []
        cleared: list[tuple[int, int]] = []
        unconfirmed: list[tuple[int, int]] = []
        # One scan of the whole text per entry is faster than one per sentence.
        for entry in self.glossary:
            for match in entry.pattern.finditer(doc.text):
                i = bisect.bisect_right(starts, match.start()) - 1
                if i < 0 or match.end() > sentences[i].end:
                    continue  # outside any sentence, or across a boundary
                offset = starts[i]
                previous = texts[i - 1] if i else ""
                at = (texts[i], match.start() - offset, match.end() - offset, previous)
                if entry.allows(*at):
                    candidates.append((match.start(), match.end(), entry, entry.corrections(match)))
                else:
                    (cleared if entry.vetoes(*at) else unconfirmed).append((match.start(), match.end()))
        self.cleared, self.unconfirmed = cleared, unconfirmed

        # Overlaps between entries: the longer match wins, then the surer one.
        candidates.sort(key=lambda c: (c[0] - c[1], -c[2].prior, c[0]))
        kept: list[Edit] = []
        for start, end, entry, corrections in candidates:
            edit = Edit(
                start=start,
                end=end,
                text=doc.text[start:end],
                suggestions=tuple(Suggestion(text, score, {"glossary": score}) for text, score in corrections),
                score=entry.prior,
                source=self.name,
                rule=entry.rule,
                kind=entry.kind,
                message=entry.message,
            )
            if not any(edit.overlaps(other) for other in kept):
                kept.append(edit)
        return sorted(kept, key=lambda e: e.start)
