"""Correction: flags in, ranked candidates, accepted edits, corrected text out.

Correction takes flags as input (detection runs first, in `mtqa.pipeline`): the ranker
re-scores each flag's candidates with the LM, the glossary and reference phrasing, the
edits whose best candidate reaches the bar and has evidence behind it are accepted, and
non-overlapping ones are applied in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mtqa.channel import names, origins
from mtqa.channel.origins import REWRITE_RULES
from mtqa.correct.apply import apply, select, with_article_agreement
from mtqa.correct.scoring import Ranker
from mtqa.edits import Edit
from mtqa.text.document import Document, TextView


@dataclass
class FixResult:
    text: str
    applied: list[Edit]  # as applied: span and first suggestion are what changed
    skipped: list[Edit]  # flagged, but no candidate reached --min-score, or an unbacked rewrite (see `backed`)
    doc: Document | TextView | None = None  # a long text fixed by blocks is not segmented whole
    # Every flag considered, re-ranked, in text order, as detected (before a/an agreement):
    # what `fix --interactive` offers the editor, whether the automatic fix applies it or not.
    ranked: list[Edit] = field(default_factory=list)


# A word the LM would rather see, with nothing else behind it, is a rewrite: on the seed and clean
# articles no such flag below this score was a gold error, so `fix` reports it but leaves the text.
UNBACKED_REWRITE_SCORE = 0.8


# Respelling a name in another romanisation, or recasing it, keeps the name (see `names`).
_NAME_KEEPING_RULES = tuple(origins.rule(o) for o in (origins.TRANSLITERATION, origins.CASE, origins.TITLE))


def unbacked_because(edit: Edit, doc: Document | None = None) -> str | None:
    """Why an edit has nothing behind it but the LM preferring another word, or None when it has more:
    a glossary entry, reference phrasing, an origin with a channel model (confusion sets, morphology,
    ...), or a sure LM. A proper name changed into a different word needs the glossary, the reference,
    or the document (when given) spelling it that way, however sure the LM is."""
    parts = edit.suggestions[0].parts
    if parts.get("glossary", 0.0) > 0 or parts.get("reference", 0.5) > 0.5:
        return None
    if doc is not None and edit.rule not in _NAME_KEEPING_RULES and names.unconfirmed_rename(doc, edit.start, edit.end, edit.suggestions[0].text):
        return "a name changed into a word nothing backs (no glossary entry, reference or other spelling in the text)"
    if edit.rule in REWRITE_RULES and edit.score < UNBACKED_REWRITE_SCORE:
        return "a rewrite only the language model backs"
    return None


def backed(edit: Edit, doc: Document | None = None) -> bool:
    return unbacked_because(edit, doc) is None


def correct(doc: Document, flags: list[Edit], ranker: Ranker, min_score: float = 0.5) -> FixResult:
    """`doc`'s text with the accepted corrections of `flags` applied."""
    ranked = ranker.rank(doc, flags)
    accepted = [f for f in ranked if f.suggestions and f.suggestions[0].score >= min_score and backed(f, doc)]
    agreed = [with_article_agreement(doc.text, f) for f in accepted]
    chosen = select(agreed)
    # A flag that lost to a surer one it conflicts with is reported as left, never silently dropped.
    skipped = [f for f in ranked if f not in accepted] + [f for f, a in zip(accepted, agreed) if a not in chosen]
    return FixResult(apply(doc.text, chosen), chosen, sorted(skipped, key=lambda e: (e.start, e.end)), doc, ranked)
