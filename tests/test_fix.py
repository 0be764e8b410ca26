"""`fix` end to end on the real model: ranking with reference phrasing, applying edits."""

import pytest

from mtqa.correct.apply import apply, select, with_article_agreement
from mtqa.correct.fixing import correct
from mtqa.correct.scoring import Ranker
from mtqa.edits import Edit, Suggestion
from mtqa.pipeline import fix_text
from mtqa.text.document import Document
from mtqa.text.reference import Reference

DEFAULT = ["glossary", "lm", "spacing"]


@pytest.fixture(scope="module")
def fixed_with_reference(seed_text, clean_seed_text, smollm):
    return fix_text(seed_text, DEFAULT, references=[clean_seed_text])


def test_named_terms_follow_the_reference(fixed_with_reference):
    out = fixed_with_reference.text
    for term in ["Iranian Foreign Minister Abbas Araghchi", "UN Security Council", "International Economic Forum", "Middle East"]:
        assert term in out
    for damage in ["abroad Minister", "safety Council", "mediate East", "a fewer days", "strategical"]:
        assert damage not in out


def test_the_reference_flags_names_it_writes_differently(smollm, clean_seed_text):
    # The reference writes "with President Vladimir Putin"; the LM's title check agrees, and the
    # reference, the more trusted source, leads the merged edit.
    text = "After the raids, the Iranian envoy flew to Moscow and met with president Vladimir Putin in the Kremlin."
    assert "met with president Vladimir" in fix_text(text, []).text
    assert [e.rule for e in fix_text(text, ["lm"]).applied] == ["lm:title"]
    for detectors in ([], ["lm"]):
        fixed = fix_text(text, detectors, references=[clean_seed_text])
        assert "met with President Vladimir Putin in the Kremlin." in fixed.text
        assert [e.source for e in fixed.applied] == ["reference"]


def test_traps_unchanged(fixed_with_reference):
    out = fixed_with_reference.text
    assert "erstwhile" in out and "a common interest" in out  # "erstwhile russian republics" means "former"


def test_output_identical_outside_edits(seed_text, fixed_with_reference):
    out, position, previous = fixed_with_reference.text, 0, 0
    for edit in sorted(fixed_with_reference.applied, key=lambda e: e.start):
        kept = seed_text[previous : edit.start]
        assert out[position : position + len(kept)] == kept
        position += len(kept) + len(edit.suggestions[0].text)
        previous = edit.end
    assert out[position:] == seed_text[previous:]


def test_reference_decides_where_the_lm_alone_chooses_wrong(smollm, clean_seed_text):
    text = "Russian president Vladimir Putin and Iranian abroad Minister Abbas Araghchi shake hands in Moscow."
    without = fix_text(text, ["lm"]).text
    with_ref = fix_text(text, ["lm"], references=[clean_seed_text]).text
    assert "Iranian Foreign Minister Abbas" in with_ref
    assert without != with_ref


def test_reference_support_prefers_exact_names():
    reference = Reference(["Iranian Foreign Minister Abbas Araghchi travelled to Moscow."])
    left, right = ["iranian"], ["minister", "abbas"]
    assert reference.phrase_support(left, "Foreign", right) == 1.0
    assert reference.phrase_support(left, "Prime", right) == 0.0


def edit(start, end, text, replacement, score=0.9):
    return Edit(start, end, text, (Suggestion(replacement, score),))


def test_article_agreement_is_repaired():
    text = "It is not an empty check for war."
    start = text.index("empty")
    fixed = with_article_agreement(text, edit(start, start + 5, "empty", "blank"))
    assert apply(text, [fixed]) == "It is not a blank check for war."
    capital = "An empty check."
    assert apply(capital, [with_article_agreement(capital, edit(3, 8, "empty", "blank"))]) == "A blank check."


def test_select_drops_overlaps_keeping_the_stronger():
    a, b = edit(0, 5, "abcde", "x", 0.6), edit(3, 8, "defgh", "y", 0.9)
    assert select([a, b]) == [b]


def test_a_missing_space_and_a_replacement_that_touch_both_apply():
    text = "East.An abroad Minister"
    space, article = edit(5, 5, "", " ", 0.99), edit(5, 23, "An abroad Minister", "A Foreign Minister", 0.9)
    assert select([space, article]) == [space, article]
    assert apply(text, select([space, article])) == "East. A Foreign Minister"
    assert select([space, edit(4, 6, "t.", "t;", 0.5)]) == [space]  # an insertion inside a span conflicts


def test_fix_loses_no_flag_to_a_conflict():
    text = "The talks in the mediate East.An abroad Minister came too."
    result = fix_text(text, ["glossary", "spacing"])
    assert result.text == "The talks in the Middle East. A Foreign Minister came too."
    assert len(result.applied) == len(result.ranked) == 3 and result.skipped == []
    # Without evidence the ranker keeps each flag's own score: the surer one wins the conflict.
    weak = Edit(0, 5, "Talks", (Suggestion("x"),), score=0.6)
    strong = Edit(3, 8, "ks in", (Suggestion("y"),), score=0.9)
    lost = correct(Document("Talks in the East."), [weak, strong], Ranker())
    assert [e.text for e in lost.applied] == ["ks in"] and [e.text for e in lost.skipped] == ["Talks"]


def test_insertions_and_crlf_bom_untouched():
    text = "\ufeffOne.Two\r\nThree\r\n"
    out = apply(text, [edit(5, 5, "", " ")])
    assert out == "\ufeffOne. Two\r\nThree\r\n"


def test_a_rewrite_only_the_lm_backs_is_reported_not_applied():
    from mtqa.correct.fixing import backed

    def rewrite(score: float, **parts: float) -> Edit:
        return Edit(0, 7, "lineup", (Suggestion("government", 0.9, {"lm": 0.99, **parts}),), score, "lm", "lm:prediction", "term")

    assert not backed(rewrite(0.63))
    assert backed(rewrite(0.85))
    assert backed(rewrite(0.63, glossary=0.8)) and backed(rewrite(0.63, reference=0.9))
    assert backed(Edit(0, 7, "fewer", (Suggestion("few", 0.9),), 0.6, "lm", "lm:morphology", "morphology"))
    assert not backed(Edit(0, 4, "warn", (Suggestion("argue", 0.7),), 0.7, "lm", "lm:related", "term"))


def test_a_reference_without_the_phrase_or_a_close_sentence_has_no_opinion():
    from mtqa.correct.scoring import Ranker
    from mtqa.text.document import Document

    reference = Reference(["Foreign Minister Abbas Araghchi flew to Moscow on Monday."])
    text = "The talks were held in a cordial climate. Iranian abroad Minister Abbas Araghchi flew to Moscow."
    unrelated = Edit(text.index("cordial"), text.index("cordial") + 7, "cordial", (Suggestion("warm", 0.6),), 0.6, "lm", "lm:prediction")
    named = Edit(text.index("abroad"), text.index("abroad") + 6, "abroad", (Suggestion("Foreign", 0.6),), 0.6, "lm", "lm:prediction")
    ranked = Ranker(reference=reference).rank(Document(text), [unrelated, named])
    assert "reference" not in ranked[0].suggestions[0].parts
    assert ranked[1].suggestions[0].parts["reference"] > 0.5


def test_ranking_asks_the_lm_only_what_the_detector_did_not(smollm):
    from mtqa.correct.scoring import Ranker
    from mtqa.detect.lm import LMDetector
    from mtqa.text.document import Document

    doc = Document("Russia remains a crucial player in the mediate East and in Europe.")
    flag = next(f for f in LMDetector(smollm).detect(doc) if f.text == "mediate")
    asked = []
    original = smollm.continuations
    smollm.continuations = lambda requests: asked.extend(requests) or original(requests)
    try:
        ranked = Ranker(lm=smollm).rank(doc, [flag, flag.with_suggestions([Suggestion("Near")])])
    finally:
        del smollm.continuations
    assert [r.variants[1:] for r in asked] == [(" Near East and in",)]  # the detector's own candidates are not re-scored
    assert ranked[0].suggestions[0].parts["lm_bits"] == flag.suggestions[0].parts["lm_bits"]
