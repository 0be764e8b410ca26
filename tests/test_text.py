from hypothesis import given, strategies as st

from mtqa.text.document import Document, tokenize


def test_sentence_joins_without_space_are_split(seed_text):
    doc = Document(seed_text)
    starts = {seed_text[s.start : s.start + 12] for s in doc.sentences}
    assert "One of the m" in starts  # "Aszchabad.One of the main"
    assert "Moscow's mes" in starts  # after '"unprovoked aggression".'
    assert "He made it c" in starts  # after 'ceremonial”.'


def test_abbreviations_numbers_and_addresses_are_not_split():
    text = "Talks in St. Petersburg and the U.S. went on. It rose 3.5 percent at rt.com today. Mail a.b@c.org now."
    doc = Document(text)
    assert [text[s.start : s.end] for s in doc.sentences] == [
        "Talks in St. Petersburg and the U.S. went on.",
        "It rose 3.5 percent at rt.com today.",
        "Mail a.b@c.org now.",
    ]


def test_paragraphs_follow_line_breaks():
    doc = Document("Title line\n\nFirst para. Second sentence.\nNext line\r\n")
    assert [doc.text[p.start : p.end] for p in doc.paragraphs] == ["Title line", "First para. Second sentence.", "Next line"]


def test_tokens():
    assert [t.text for t in tokenize("U.S. rhetoric, Moscow's e-mail: 1,100 km, 3rd party")] == [
        "U.S.", "rhetoric", "Moscow's", "e-mail", "1,100", "km", "3rd", "party",
    ]


def test_line_and_column():
    doc = Document("ab\ncd ef\n")
    assert doc.line_col(0) == (1, 1)
    assert doc.line_col(6) == (2, 4)


@given(st.text(max_size=300))
def test_offsets_always_index_the_text(text):
    doc = Document(text)
    previous_end = 0
    for sentence in doc.sentences:
        assert 0 <= sentence.start < sentence.end <= len(text)
        assert sentence.start >= previous_end
        previous_end = sentence.end
        for token in sentence.tokens:
            assert sentence.start <= token.start < token.end <= sentence.end
            assert text[token.start : token.end] == token.text
