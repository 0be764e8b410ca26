"""Text model: paragraphs, sentences and words with character offsets.

The input string is never altered: every unit is a (start, end) view into it.
Sentence boundaries come from syntok; on top of it we split the joins that
machine translation leaves with no space ("Aszchabad.One", "aggression".Moscow),
which syntok keeps together when a quote or bracket sits between the stop and
the capital, and which never occur inside abbreviations, numbers or addresses.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

import regex
import syntok.segmenter

WORD = regex.compile(
    r"(?:\p{L}\.){2,}"  # initialisms: U.S., e.g.
    r"|\p{N}+(?:[.,]\p{N}+)*(?:st|nd|rd|th)?"  # numbers: 1,100  3.5  3rd
    r"|[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’\-][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*"  # words: Moscow's, e-mail
)
# A missing space after a sentence end: lower-case word, stop, optional closing quote/bracket, capitalised word.
JOIN = regex.compile(r"(?<=\p{Ll}{2}[\"”’)]?[.!?][\"”’)]?)(?=\p{Lu}\p{Ll})")
PARAGRAPH_BREAK = regex.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*\S)")
# Spans no detector may touch: addresses, e-mails, bare domains.
PROTECTED = regex.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|pl|uk|io|gov|edu|info)\b\S*")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...]

    def words(self) -> list[Token]:
        return [t for t in self.tokens if t.is_word]


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    sentences: tuple[Sentence, ...]


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every address, e-mail and domain in `text` (see `PROTECTED`)."""
    return [(m.start(), m.end()) for m in PROTECTED.finditer(text)]


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Word and number tokens of text[start:end] (punctuation is left out)."""
    return tuple(Token(m.start(), m.end(), m.group()) for m in WORD.finditer(text, start, len(text) if end is None else end))


def _split_lines(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: runs of non-blank text separated by line breaks."""
    spans, pos = [], 0
    for m in PARAGRAPH_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in ((s, len(text[s:e].rstrip()) + s) for s, e in spans) if e > s]


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    chunk = text[start:end]
    spans: list[tuple[int, int]] = []
    for para in syntok.segmenter.analyze(chunk):
        for sent in para:
            if not sent:
                continue
            s = sent[0].offset
            last = sent[-1]
            e = last.offset + len(last.value)
            spans.extend(_split_joins(chunk, s, e))
    if not spans and chunk.strip():
        spans = [(0, len(chunk))]
    return [(s + start, e + start) for s, e in spans]


def _split_joins(chunk: str, s: int, e: int) -> list[tuple[int, int]]:
    cuts = [m.start() for m in JOIN.finditer(chunk, s, e)]
    bounds = [s, *cuts, e]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


class Document:
    """A text with its paragraphs, sentences and words; offsets index `text`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs: tuple[Paragraph, ...] = tuple(
            Paragraph(ps, pe, tuple(Sentence(s, e, tokenize(text, s, e)) for s, e in _sentence_spans(text, ps, pe)))
            for ps, pe in _split_lines(text)
        )

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (columns count characters)."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    @cached_property
    def _sentences(self) -> tuple[list[int], list[Sentence]]:
        sentences = self.sentences
        return [s.start for s in sentences], sentences

    def sentence_index(self, offset: int) -> int | None:
        """Index in `sentences` of the sentence holding `offset`, if any."""
        starts, sentences = self._sentences
        i = bisect.bisect_right(starts, offset) - 1
        return i if i >= 0 and offset < sentences[i].end else None

    def sentence_at(self, offset: int) -> Sentence | None:
        i = self.sentence_index(offset)
        return None if i is None else self.sentences[i]

    def word_count(self) -> int:
        return sum(len(s.words()) for s in self.sentences)


_NEWLINE = regex.compile(r"\n")


class TextView:
    """Line and column lookup over a whole text without segmenting it (long texts are checked by blocks)."""

    def __init__(self, text: str, words: int = 0) -> None:
        self.text = text
        self.words = words
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (columns count characters), as `Document.line_col`."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def word_count(self) -> int:
        return self.words
