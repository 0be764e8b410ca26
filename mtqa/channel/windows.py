"""The texts the language model reads, and the noisy channel's question in them.

The LM detector analyses a document as chunks of whole sentences (`lm_chunks`); every
"is this variant likelier?" question (`variant_request`) is asked inside the same chunk,
so the language model answers it from the prefix it already computed. Detection and
correction ask in the same windows, with the same right context, so their gains agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from mtqa.lm.base import Continuation, LanguageModel
from mtqa.text.document import Document, Sentence, Token

CHUNK_WORDS = 120  # sentences are grouped into LM inputs of about this many words
RIGHT_WORDS = 3  # words of right context each variant carries (each token costs ~2 ms)

Chunk = tuple[int, int, list[Token]]  # start, end (document offsets) and word tokens of an LM input


def lm_chunks(doc: Document, limit: int = CHUNK_WORDS) -> list[Chunk]:
    """Runs of whole sentences of about `limit` words, within a paragraph: the texts the LM reads.
    `mtqa fix` asks its questions in the same texts, so the model's analysis of them is reused."""
    out: list[Chunk] = []
    for para in doc.paragraphs:
        run: list[Sentence] = []
        count = 0
        for sent in para.sentences:
            n = len(sent.tokens)
            if run and count + n > limit:
                out.extend(_split(run, limit))
                run, count = [], 0
            run.append(sent)
            count += n
        if run:
            out.extend(_split(run, limit))
    return out


def _split(run: list[Sentence], limit: int) -> Iterator[Chunk]:
    tokens = [t for s in run for t in s.tokens]
    if len(tokens) <= limit:
        yield run[0].start, run[-1].end, tokens
        return
    for i in range(0, len(tokens), limit):  # one very long sentence: fixed windows of words
        part = tokens[i : i + limit]
        end = run[-1].end if i + limit >= len(tokens) else tokens[i + limit].start
        yield (run[0].start if i == 0 else part[0].start), end, part


def variant_request(doc: Document, chunk: Chunk, start: int, end: int, replacements: list[str], right_words: int = RIGHT_WORDS) -> Continuation:
    """The LM question "how likely is `chunk` with doc.text[start:end] replaced by each of
    `replacements`?": the chunk's text cut before the span (and the space before it), and one
    variant per replacement, the span as it stands first, each followed by `right_words` words of
    the sentence (a causal LM sees that "mediate" is wrong only when "East" follows)."""
    chunk_start, chunk_end, tokens = chunk
    text = doc.text[chunk_start:chunk_end]
    at = start - chunk_start
    cut = at - 1 if at > 0 and text[at - 1] == " " else at
    sentence = doc.sentence_at(start)
    limit = sentence.end if sentence else chunk_end
    following = [t for t in tokens if t.start >= end and t.end <= limit][:right_words]
    right_end = following[-1].end if following else end
    if right_end < limit and not doc.text[right_end : right_end + 1].isalnum() and not doc.text[right_end : right_end + 1].isspace():
        right_end += 1  # keep the punctuation that closes the window: it tells the LM the phrase ends
    right = doc.text[end:right_end]
    return Continuation(text, cut, tuple(text[cut:at] + r + right for r in (doc.text[start:end], *replacements)))


def gains(lm: LanguageModel, requests: list[Continuation]) -> list[list[float]]:
    """For each request, the bits each replacement gains over the span as it stands (its first variant)."""
    if not requests:
        return []
    return [[lp - base for lp in rest] for base, *rest in lm.continuations(requests)]
