"""Baseline detectors for `mtqa bench`: what an ordinary spell checker, a grammar parser and
plain perplexity see.

All flag whole words with a fixed score of 1.0 (they give no confidence), so their
precision-recall curve is a single point.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import regex

from mtqa.channel.candidates import frequency
from mtqa.channel.windows import lm_chunks
from mtqa.edits import Edit, Suggestion
from mtqa.errors import MtqaError
from mtqa.glossary.model import carry_case
from mtqa.lm.base import LanguageModel
from mtqa.text.document import Document

# Debian's link-grammar bindings import only from the system interpreter, not from a virtualenv.
SYSTEM_PYTHON = "/usr/bin/python3"
LINK_GRAMMAR_MISSING = "link-grammar not installed (apt-get install python3-link-grammar link-grammar-dictionaries-en)"
_POSSESSIVE = regex.compile(r"['’]s$")


BITS_PER_ZIPF = math.log2(10)
ANALYSIS_TOP_K = 40  # as the LM detector asks, so a shared model remembers one analysis for both


class SurprisalBaseline:
    """Plain perplexity: the words a language model finds most surprising in their left context,
    a fixed number per 1,000 words of each document. With `unigram_weight` w, a word's score is its
    surprisal minus w times its unigram surprisal (from wordfreq), so rare words count less."""

    def __init__(self, lm: LanguageModel, per_1k: float, unigram_weight: float = 0.0) -> None:
        self.lm = lm
        self.per_1k = per_1k
        self.unigram_weight = unigram_weight
        self.name = f"surprisal{'-unigram' if unigram_weight else ''}@{per_1k:g}"

    def detect(self, doc: Document) -> list[Edit]:
        chunks = lm_chunks(doc)
        analyses = self.lm.analyse([doc.text[start:end] for start, end, _ in chunks], top_k=ANALYSIS_TOP_K)
        scored = []
        for (chunk_start, _, tokens), analysis in zip(chunks, analyses):
            for token in tokens:
                if not token.is_word:
                    continue
                bits = -analysis.word_logprob(token.start - chunk_start, token.end - chunk_start)
                unigram = (9 - max(frequency(token.text), 1.0)) * BITS_PER_ZIPF
                scored.append((bits - self.unigram_weight * unigram, bits, token))
        keep = round(self.per_1k * len(scored) / 1000)
        top = sorted(scored, key=lambda item: -item[0])[:keep]
        return sorted(
            (Edit(t.start, t.end, t.text, (), 1.0, self.name, f"baseline:{self.name}", "", f"{bits:.1f} bits of surprisal") for _, bits, t in top),
            key=lambda e: e.start,
        )


class SpellcheckDetector:
    """Words unknown to pyspellchecker's English list, with its candidates as suggestions."""

    name = "spellcheck"

    def __init__(self) -> None:
        from spellchecker import SpellChecker

        # Edit distance 1: at distance 2 pyspellchecker needs about a second per unknown word.
        self.checker = SpellChecker(distance=1)

    def _unknown(self, word: str) -> bool:
        # A spell checker checks the parts of a compound and ignores the possessive ending.
        parts = [p for p in _POSSESSIVE.sub("", word).split("-") if p]
        return bool(self.checker.unknown(parts))

    def detect(self, doc: Document) -> list[Edit]:
        edits = []
        for sentence in doc.sentences:
            for token in sentence.words():
                if any(ch.isdigit() for ch in token.text) or not self._unknown(token.text):
                    continue
                word = token.text.lower()
                best = self.checker.correction(word)
                others = sorted((self.checker.candidates(word) or set()) - {best, word}, key=self.checker.word_usage_frequency, reverse=True)
                suggestions = tuple(Suggestion(carry_case(token.text, c), 1.0) for c in ([best] if best else []) + others[:4])
                edits.append(
                    Edit(token.start, token.end, token.text, suggestions, 1.0, self.name, "spellcheck:unknown-word", "", "not in the spell checker's word list")
                )
        return edits


# Run by the system python: reads one JSON list of sentences per line and answers "spans " and the
# character spans of the words link-grammar could not link, one JSON list per sentence. The library
# prints notes of its own on stdout, so answers carry a prefix.
PARSE_SECONDS = 1  # per sentence; long sentences with many unlinked words take far longer
_WORKER = r"""
import json, sys
import linkgrammar as lg
dictionary = lg.Dictionary("en")
options = lg.ParseOptions(min_null_count=0, max_null_count=250, linkage_limit=1)
options.max_parse_time = int(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    spans = []
    for sentence in json.loads(line):
        try:
            linkage = next(iter(lg.Sentence(sentence, dictionary, options).parse()), None)
        except lg.LG_TimerExhausted:
            spans.append(None)  # too long to parse in time: no verdict
            continue
        data = sentence.encode("utf-8")
        unlinked = []
        if linkage is not None:
            for i, word in enumerate(linkage.words()):
                if word.startswith("[") and word.endswith("]"):
                    start, end = linkage.word_byte_start(i), linkage.word_byte_end(i)
                    unlinked.append([len(data[:start].decode("utf-8", "ignore")), len(data[:end].decode("utf-8", "ignore"))])
        spans.append(unlinked)
    print("spans", json.dumps(spans), flush=True)
"""


def link_grammar_available(python: str | None = None) -> bool:
    python = python or SYSTEM_PYTHON
    if not shutil.which(python):
        return False
    done = subprocess.run([python, "-c", "import linkgrammar"], capture_output=True)
    return done.returncode == 0


class LinkGrammarDetector:
    """Words that Debian's link-grammar parser leaves unlinked (null-linked) in the best parse.

    The parser runs in one long-lived system-python process; `close` ends it.
    """

    name = "link-grammar"

    def __init__(self, python: str | None = None) -> None:
        python = python or SYSTEM_PYTHON
        if not link_grammar_available(python):
            raise MtqaError(LINK_GRAMMAR_MISSING)
        self.process = subprocess.Popen(
            [python, "-c", _WORKER, str(PARSE_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the dictionary prints locale notes there
            text=True,
            encoding="utf-8",
        )
        self._answer("ready")
        self.sentences = 0
        self.timeouts = 0  # sentences the parser gave up on: no flags there

    def detect(self, doc: Document) -> list[Edit]:
        sentences = [s for s in doc.sentences if s.words()]
        self.process.stdin.write(json.dumps([doc.text[s.start : s.end] for s in sentences]) + "\n")
        self.process.stdin.flush()
        edits = []
        self.sentences += len(sentences)
        for sentence, spans in zip(sentences, json.loads(self._answer("spans"))):
            self.timeouts += spans is None
            for start, end in spans or ():
                start, end = sentence.start + start, sentence.start + end
                if doc.text[start:end].strip():
                    edits.append(Edit(start, end, doc.text[start:end], (), 1.0, self.name, "link-grammar:unlinked", "grammar", "no link to the rest of the sentence"))
        return edits

    @property
    def note(self) -> str | None:
        if not self.timeouts:
            return None
        return f"{self.timeouts} of {self.sentences} sentences ran past the {PARSE_SECONDS} s parse limit and were not judged"

    def worker_peak_rss_mb(self) -> float | None:
        """Peak resident memory of the parser process (Linux), read before it ends."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        peak = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
        return round(int(peak) / 1024, 1) if peak else None

    def _answer(self, prefix: str) -> str:
        """The rest of the worker's next line that starts with `prefix`."""
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line[len(prefix) :]
        raise MtqaError("link-grammar: the parser process stopped")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
