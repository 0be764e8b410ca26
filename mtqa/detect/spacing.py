"""Mechanical damage: sentences joined with no space ("Aszchabad.One of the main")."""

from __future__ import annotations

from mtqa.edits import Edit, Suggestion
from mtqa.text.document import JOIN, Document, protected_spans


class SpacingDetector:
    name = "spacing"

    def detect(self, doc: Document) -> list[Edit]:
        protected = protected_spans(doc.text)
        edits = []
        for match in JOIN.finditer(doc.text):
            at = match.start()
            if any(s <= at < e for s, e in protected):
                continue  # addresses and domains keep their dots
            edits.append(
                Edit(
                    at,
                    at,
                    "",
                    (Suggestion(" ", 0.99, {"rule": 1.0}),),
                    0.99,
                    "spacing",
                    "spacing:missing-space",
                    "spacing",
                    f"missing space after a sentence end: {doc.text[max(0, at - 12):at + 12]!r}",
                )
            )
        return edits
