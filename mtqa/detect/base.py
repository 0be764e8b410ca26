"""What every detector implements: a document in, flagged spans (`Edit`s) out."""

from __future__ import annotations

from typing import Protocol

from mtqa.edits import Edit
from mtqa.text.document import Document


class Detector(Protocol):
    name: str

    def detect(self, doc: Document) -> list[Edit]:
        """Flags for `doc`, each with offsets into doc.text, a score in [0, 1], a message and suggestions."""
        ...
