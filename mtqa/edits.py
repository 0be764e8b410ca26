"""The one span type that flows through the pipeline.

A detector emits an `Edit` for a suspicious span (with ranked suggestions), the
scorer re-ranks its suggestions, `fix` applies the accepted ones, and the
benchmark's gold annotations are `Edit`s too (their suggestions are the
acceptable corrections). Offsets are Python str indices into the decoded text,
end exclusive, like ERRANT's edits but on characters rather than tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class Suggestion:
    """A candidate replacement for an edit's span, best first in `Edit.suggestions`."""

    text: str
    score: float = 0.0
    # Evidence that produced the score, by source ("lm", "glossary", "reference"):
    # shown by `fix --explain` and kept in the JSON report.
    parts: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Edit:
    """A span of the input that is (or may be) wrong, with why and what to put instead."""

    start: int
    end: int
    text: str
    suggestions: tuple[Suggestion, ...] = ()
    score: float = 1.0  # confidence in [0, 1] that the span is an error
    source: str = ""  # detector that raised it: "glossary", "lm", "spacing", "gold"
    rule: str = ""  # stable id a user can disable, e.g. "glossary:safety-council"
    kind: str = ""  # error family: term, function-word, pronoun, morphology, name, spacing, ...
    message: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}:{self.end}")

    @property
    def best(self) -> str | None:
        return self.suggestions[0].text if self.suggestions else None

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end or other.start == other.end:  # insertions touch
            return self.start <= other.end and other.start <= self.end
        return self.start < other.end and other.start < self.end

    def conflicts(self, other: Edit) -> bool:
        """Whether the two edits cannot both be applied: they share a character, or one is an insertion
        at the other's point or strictly inside its span (an insertion may touch a span's ends)."""
        if self.start == self.end and other.start == other.end:
            return self.start == other.start
        if self.start == self.end:
            return other.start < self.start < other.end
        if other.start == other.end:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end

    def with_suggestions(self, suggestions: list[Suggestion] | tuple[Suggestion, ...]) -> Edit:
        return replace(self, suggestions=tuple(suggestions))
