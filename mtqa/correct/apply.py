"""Applying accepted edits: one pass, nothing outside them changes.

Replacements keep the original's capitalisation (`mtqa.glossary.model.carry_case`)
and repair the indefinite article when the new word needs the other one
("an empty check" → "a blank check"), using inflect's a/an rules.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import regex

from mtqa.edits import Edit



@cache
def _engine():
    """inflect takes seconds to import: load it only when an edit needs its article checked."""
    import inflect

    return inflect.engine()

_ARTICLE_BEFORE = regex.compile(r"(?<![\w-])(a|an|A|An|AN)(\s+)$")


def select(edits: list[Edit]) -> list[Edit]:
    """Edits that can all be applied together, higher-scoring first where two conflict, in text order.
    A missing space may touch a replacement ("East.|An abroad" → "East. A Foreign"): both apply."""
    chosen: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (-(e.suggestions[0].score if e.suggestions else 0), e.start)):
        if not any(edit.conflicts(c) for c in chosen):
            chosen.append(edit)
    return sorted(chosen, key=lambda e: (e.start, e.end))


def with_article_agreement(text: str, edit: Edit) -> Edit:
    """Extend an edit over a preceding "a"/"an" when its replacement needs the other article."""
    if not edit.suggestions or edit.start == edit.end:
        return edit
    match = _ARTICLE_BEFORE.search(text, 0, edit.start)
    if not match:
        return edit
    replacement = edit.suggestions[0].text
    wanted = _engine().a(replacement).split(" ", 1)[0]
    article = match.group(1)
    if wanted.lower() == article.lower():
        return edit
    wanted = wanted.capitalize() if article[0].isupper() else wanted
    new_text = f"{wanted}{match.group(2)}{replacement}"
    first = replace(edit.suggestions[0], text=new_text)
    return replace(edit, start=match.start(), text=text[match.start() : edit.end], suggestions=(first, *edit.suggestions[1:]))


def apply(text: str, edits: list[Edit]) -> str:
    """The text with each edit's first suggestion in place; edits must not overlap."""
    pieces, position = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < position:
            raise ValueError(f"overlapping edits at {edit.start}")
        pieces.append(text[position : edit.start])
        pieces.append(edit.suggestions[0].text if edit.suggestions else edit.text)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)
