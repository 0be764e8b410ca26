"""What every detector implements: a document in, flagged spans (`Edit`s) out."""

from __future__ import annotations

from typing import Protocol

from mtqa.edits import Edit
from mtqa.text.document import Document

# Error families, shared by detectors, gold annotations and per-kind benchmark scores.
KINDS = (
    "term",  # mistranslated term or collocation: "safety Council", "abroad Minister"
    "function-word",  # false friend of a function word: "erstwhile" for "when", "a fewer days"
    "pronoun",  # grammatical gender leaking into English: "she" for a country
    "morphology",  # wrong derivation: "strategical", "stableness", "publically"
    "name",  # transliterated name: "Lavrow", "Aszchabad"
    "spacing",  # sentence joined with no space: "Aszchabad.One"
    "real-word",  # a real word slipped for another: "whole"/"hole", "its"/"it's"
    "grammar",  # other grammatical damage: agreement, articles
)


class Detector(Protocol):
    name: str

    def detect(self, doc: Document) -> list[Edit]:
        """Flags for `doc`, each with offsets into doc.text, a score in [0, 1], a message and suggestions."""
        ...
