"""Property tests (hypothesis): nothing outside an edit ever changes, offsets are always valid, and
`check`/`fix` do not crash on any text. Detectors: glossary + spacing + the trigram LM (fast)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mtqa import pipeline
from mtqa.correct.apply import apply, select
from mtqa.correct.scoring import Ranker
from mtqa.edits import Edit, Suggestion
from mtqa.text.document import Document
from mtqa.text.io import TextFile

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like damaged English news, with the whitespace, punctuation and scripts that break segmenters.
WORDS = (
    "The abroad Minister safety Council said U.S. St. Petersburg a fewer days erstwhile strategical 1 she Moscow "
    "Aszchabad.One news.The e-mail x@y.com www.example.org 3.5 1,100 3rd Mr. Dr. e.g. (Reuters) \"quoted\". "
    "café naïve e\u0301 👍 👨\u200d👩\u200d👧 שלום مرحبا 日本語 İ ǅ ﬁ \u202e \u200b".split()
)
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\n", "\r\n", "\n\n", "\r", "\t", ". ", ".", ", ", "! ", "? ", "\u00a0", "\u2028", ""])
english_like = st.lists(st.tuples(st.sampled_from(WORDS), SEPARATORS), max_size=40).map(lambda pairs: "".join(w + s for w, s in pairs))
any_text = st.one_of(english_like, st.text(max_size=200), st.text(alphabet=st.characters(codec="ascii"), max_size=200))


@st.composite
def text_and_edits(draw):
    """A text and a set of non-overlapping edits on it (insertions included)."""
    text = draw(any_text)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    edits, position = [], 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a < position or (edits and a == position and (edits[-1].start == edits[-1].end or a == b)):
            continue  # keep them disjoint; two insertions at one point would be ambiguous
        replacement = draw(st.text(max_size=8))
        edits.append(Edit(a, b, text[a:b], (Suggestion(replacement, 0.9),), 0.9, "test"))
        position = b
    return text, edits


@SETTINGS
@given(any_text)
def test_apply_without_edits_is_identity(text):
    assert apply(text, []) == text


@SETTINGS
@given(text_and_edits())
def test_apply_changes_nothing_outside_the_edits(case):
    text, edits = case
    result = apply(text, edits)
    position, cursor = 0, 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        gap = text[position : edit.start]
        assert result[cursor : cursor + len(gap)] == gap  # untouched text, in order
        cursor += len(gap)
        assert result[cursor : cursor + len(edit.best)] == edit.best
        cursor += len(edit.best)
        position = edit.end
    assert result[cursor:] == text[position:]


@SETTINGS
@given(text_and_edits(), st.randoms(use_true_random=False))
def test_select_returns_edits_that_apply_together(case, rng):
    text, edits = case
    # Overlapping candidates: the disjoint ones plus shifted copies of them.
    noisy = edits + [replace(e, start=max(0, e.start - 1), text=text[max(0, e.start - 1) : e.end]) for e in edits]
    rng.shuffle(noisy)
    chosen = select(noisy)
    assert all(not a.conflicts(b) for i, a in enumerate(chosen) for b in chosen[i + 1 :])
    apply(text, chosen)  # never raises


@SETTINGS
@given(any_text)
def test_document_offsets_are_valid(text):
    doc = Document(text)
    previous_end = 0
    for para in doc.paragraphs:
        assert previous_end <= para.start < para.end <= len(text)
        previous_end = para.end
        for sentence in para.sentences:
            assert para.start <= sentence.start < sentence.end <= para.end
            for token in sentence.tokens:
                assert sentence.start <= token.start < token.end <= sentence.end
                assert text[token.start : token.end] == token.text
    for offset in (0, len(text) // 2, len(text)):
        line, column = doc.line_col(offset)
        assert line == text.count("\n", 0, offset) + 1 and column >= 1


@pytest.fixture(scope="module")
def detector():
    return pipeline.build_detector(["glossary", "spacing", "lm"], "trigram")


@SETTINGS
@given(text=any_text)
def test_check_never_crashes_and_flags_index_the_text(detector, text):
    doc, flags = pipeline.check_text(detector, text)
    for flag in flags:
        assert 0 <= flag.start <= flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text
        assert 0.0 <= flag.score <= 1.0
        assert all(isinstance(s.text, str) for s in flag.suggestions)
    assert all(a.start <= b.start for a, b in zip(flags, flags[1:]))


@SETTINGS
@given(text=any_text, bom=st.booleans(), crlf=st.booleans())
def test_fix_rejecting_every_edit_returns_the_input_byte_for_byte(text, bom, crlf):
    """No candidate of the glossary or spacing rule reaches a score of 1.0 (priors stay below 1)."""
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be in a file
        assume(False)
    file = TextFile(path=None, text=text, encoding="utf-8", bom=bom)
    result = pipeline.fix_text(text, ["glossary", "spacing"], min_score=1.0)
    assert result.applied == [] and result.text == text
    assert file.encode(result.text) == (b"\xef\xbb\xbf" if bom else b"") + data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=english_like)
def test_fix_with_the_lm_and_every_edit_rejected_is_identity(monkeypatch, text):
    """With the LM in the ranking a candidate can reach 1.0, so rejection is forced: every score set to 0."""
    real = Ranker.rank

    def reject_all(self, doc, flags):
        return [f.with_suggestions([replace(s, score=0.0) for s in f.suggestions]) for f in real(self, doc, flags)]

    monkeypatch.setattr(Ranker, "rank", reject_all)
    result = pipeline.fix_text(text, ["glossary", "spacing", "lm"], lm="trigram", min_score=0.01)
    assert result.text == text and result.applied == []


@SETTINGS
@given(text=english_like)
def test_fix_changes_nothing_outside_its_applied_edits(text):
    result = pipeline.fix_text(text, ["glossary", "spacing", "lm"], lm="trigram")
    position, pieces = 0, []
    for edit in result.applied:
        assert text[edit.start : edit.end] == edit.text
        pieces += [text[position : edit.start], edit.best]
        position = edit.end
    pieces.append(text[position:])
    assert result.text == "".join(pieces)


@pytest.mark.slow
def test_fuzz_300_generated_inputs_do_not_crash():
    """A short run of benchmarks/fuzz.py (which runs 10,000 by default): check and fix, no crash, no violation."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("mtqa_fuzz", path)
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    report = fuzz.run(300, seed=1, max_len=200, quiet=True)
    assert report["inputs"] == 300
    assert report["crashes"] == 0 and report["violations"] == 0, report["failures"][:3]
