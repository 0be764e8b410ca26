"""Detectors on the seed article with the real default model."""

import pytest

from mtqa import pipeline
from mtqa.channel import candidates
from mtqa.glossary.model import carry_case
from mtqa.detect.combined import merge
from mtqa.detect.spacing import SpacingDetector
from mtqa.edits import Edit, Suggestion
from mtqa.text.document import Document


@pytest.fixture(scope="module")
def default_flags(seed_text, smollm):
    detector = pipeline.build_detector(["glossary", "lm", "spacing"])
    return pipeline.check_text(detector, seed_text)


@pytest.fixture(scope="module")
def lm_flags(seed_text, smollm):
    return pipeline.check_text(pipeline.build_detector(["lm"]), seed_text)


def flag_at(flags, text: str, needle: str, nth: int = 0) -> Edit | None:
    position = -1
    for _ in range(nth + 1):
        position = text.index(needle, position + 1)
    return next((f for f in flags if f.start < position + len(needle) and position < f.end), None)


@pytest.mark.parametrize(
    "needle, nth, first",
    [
        ("mediate East", 0, "Middle"),
        ("abroad Minister", 1, "Foreign"),
        ("safety Council", 0, "Security"),
        ("a fewer days", 0, "few"),
    ],
)
def test_default_flags_seed_errors_with_right_first_suggestion(default_flags, seed_text, needle, nth, first):
    doc, flags = default_flags
    flag = flag_at(flags, seed_text, needle, nth)
    assert flag is not None, needle
    assert first.lower() in flag.best.lower()
    assert doc.text[flag.start : flag.end] == flag.text


@pytest.mark.parametrize("trap", ["erstwhile russian", "common interest", "In retrospect", "Most importantly"])
def test_traps_are_not_flagged(default_flags, seed_text, trap):
    _, flags = default_flags
    word_end = seed_text.index(trap) + len(trap.split()[0])
    start = seed_text.index(trap)
    assert not [f for f in flags if f.start < word_end and start < f.end and f.source != "spacing"]


def test_clean_article_raises_few_flags(clean_seed_text, smollm):
    from mtqa.bench.sets import load_set
    from tests.conftest import ROOT

    body = next(s for s in load_set(ROOT / "benchmarks/sets/clean.jsonl") if "004" in s.source or "seed" in s.id)
    doc, flags = pipeline.check_text(pipeline.build_detector(["glossary", "lm", "spacing"]), body.text)
    assert len(flags) <= 0.004 * doc.word_count() + 1  # ≤ 4 per 1,000 words here; the benchmark reports the rate


def test_lm_detector_alone_finds_errors_the_glossary_is_not_asked_about(lm_flags, seed_text):
    _, flags = lm_flags
    assert all(f.source == "lm" and 0.0 <= f.score <= 1.0 and f.suggestions for f in flags)
    found = {seed_text[f.start : f.end] for f in flags}
    assert {"mediate", "stableness", "fewer", "strategical"} <= found


def test_lm_scores_grow_with_evidence(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    detector = LMDetector(smollm, trigram)
    flags = detector.detect(Document("Russia remains a crucial player in the mediate East and in Europe."))
    mediate = next(f for f in flags if f.text == "mediate")
    assert mediate.score > 0.9 and mediate.best == "Middle"


def test_every_gendered_pronoun_is_weighed_against_it(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    detector = LMDetector(smollm, trigram)
    country = detector.detect(Document("Russia has said she will bring a new draft to the council."))
    assert [(f.text, f.best) for f in country if f.score >= 0.5] == [("she", "it")]
    person = detector.detect(Document("The minister has said she will bring a new draft to the council."))
    assert not [f for f in person if f.text == "she" and f.score >= 0.5]


def test_pronouns_of_one_gender_are_made_neuter_together(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    detector = LMDetector(smollm, trigram)
    text = "Turkey has said he will protect his farmers against what he calls dumping."
    flags = [(f.text, f.best) for f in detector.detect(Document(text)) if f.score >= 0.5]
    assert flags == [("he", "it"), ("his", "its"), ("he", "it")]
    person = "The president has said he will protect his farmers against what he calls dumping."
    assert not [f for f in detector.detect(Document(person)) if f.score >= 0.5]


def test_neuter_chains_group_pronouns_by_gender():
    words = "Russia says she and her own allies helped him and her".split()
    assert candidates.neuter_chains(words) == [[(8, "it")], [(2, "it"), (4, "its"), (10, "it")]]
    assert candidates.neuter_chains("Tehran insists on his sovereignty".split()) == [[(3, "its")]]
    assert candidates.neuter_chains("No pronoun here".split()) == []


def test_spacing_detector_skips_abbreviations_and_addresses():
    text = "It ended.Then the U.S.A. and e.g. rt.com.Next talks at www.example.com/News.Today."
    flags = SpacingDetector().detect(Document(text))
    assert [text[f.start - 6 : f.start + 4] for f in flags] == ["ended.Then"]


def test_merge_keeps_one_flag_per_region():
    gloss = Edit(10, 22, "mediate East", (Suggestion("Middle East", 0.9),), 0.9, "glossary", "glossary:x", "term", "g")
    lm = Edit(10, 17, "mediate", (Suggestion("Middle", 0.8),), 0.8, "lm", "lm:prediction", "term", "l")
    merged = merge([lm, gloss])
    assert len(merged) == 1 and merged[0].source == "glossary" and merged[0].score == pytest.approx(0.98)


@pytest.mark.parametrize(
    "word, expected",
    [("strategical", "strategic"), ("stableness", "stability"), ("publically", "publicly"), ("fewer", "few"), ("1", "one"), ("she", "it"), ("alternatively", "instead")],
)
def test_candidate_generators(word, expected):
    assert expected in [c.text for c in candidates.generate(word)]


@pytest.mark.parametrize(
    "word, other",
    [("information", "news"), ("organization", "party"), ("fresh", "new"), ("common", "mutual"), ("function", "role"), ("organizations", "parties")],
)
def test_wordnet_relates_the_words_spinning_swaps(word, other):
    assert candidates.related(word, other) and candidates.related(other, word)


@pytest.mark.parametrize("word, other", [("escalation", "democracy"), ("file", "issue"), ("strategical", "strategic"), ("party", "parties"), ("Lavrow", "Lavrov")])
def test_wordnet_does_not_relate_unrelated_words_or_inflections(word, other):
    assert not candidates.related(word, other)


def test_the_wordnet_table_is_symmetric():
    words = sorted(candidates._wordnet_lines())[::50]
    assert len(words) > 200
    assert all(word in candidates.wordnet_neighbours(other) for word in words for other in candidates.wordnet_neighbours(word))


def test_an_lm_prediction_wordnet_relates_to_the_word_is_a_cheaper_origin():
    from mtqa.detect.lm import LMSettings

    found = {c.text: c.origin for c in candidates.generate("organization", predictions=[("party", -3.0), ("country", -2.0)])}
    assert found == {"party": candidates.RELATED, "country": candidates.PREDICTION}
    cost = LMSettings().origin_cost
    assert cost[candidates.CONFUSION] < cost[candidates.RELATED] < cost[candidates.PREDICTION]


def test_a_wordnet_neighbour_needs_less_evidence_than_any_rewrite(smollm, trigram):
    from mtqa.detect.lm import LMDetector, LMSettings

    doc = Document("This double attitude allows Russia to position itself as a possible mediator if either organization seeks a negotiated outcome.")
    organization = next(f for f in LMDetector(smollm, trigram).detect(doc) if f.text == "organization")
    assert organization.rule == "lm:related" and organization.best == "party" and organization.score >= 0.5
    as_any_rewrite = LMSettings()
    as_any_rewrite.origin_cost[candidates.RELATED] = as_any_rewrite.origin_cost[candidates.PREDICTION]
    assert not [f for f in LMDetector(smollm, trigram, as_any_rewrite).detect(doc) if f.text == "organization" and f.score >= 0.5]


def test_a_title_before_a_name_may_take_a_capital():
    assert [c.text for c in candidates.generate("president", before_name=True) if c.origin == candidates.TITLE] == ["President"]
    assert candidates.titled("president", before_name=False) == []
    assert candidates.titled("house", before_name=True) == [] and candidates.titled("President", before_name=True) == []


def test_a_lower_case_title_before_a_name_is_checked_where_it_reads_naturally(smollm, trigram):
    """Polish writes "prezydent Władimir Putin"; English capitalises a title that stands before a name."""
    from mtqa.detect.lm import LMDetector

    text = "Araghchi flew to Moscow, met with president Vladimir Putin and held talks. The president said little. President Vladimir Putin spoke."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.start, f.best, f.rule) for f in flags] == [(text.index("president Vladimir"), "President", "lm:title")]


def test_a_word_the_lm_expected_a_near_synonym_of_is_checked(smollm, trigram):
    """"buffer region" surprises no one word by word, but the LM expected "zone", a WordNet neighbour."""
    from mtqa.detect.lm import LMDetector, LMSettings

    text = "For Moscow, Iran is not just a partner – it is simply a pillar in the buffer region protecting Russia's southern flank."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.text, f.best) for f in flags] == [("region", "zone")]
    unchecked = LMSettings(synonym_top=0)
    assert not [f for f in LMDetector(smollm, trigram, unchecked).detect(Document(text)) if f.score >= 0.5]
    fine = "Analysts say the buffer zone protecting the southern flank will hold."
    assert not [f for f in LMDetector(smollm, trigram).detect(Document(fine)) if f.score >= 0.5]


def test_case_is_carried_over():
    assert carry_case("Abroad", "foreign") == "Foreign"
    assert carry_case("abroad", "Foreign") == "Foreign"
    assert carry_case("NATO", "nato") == "NATO"


def test_lone_capital_is_lowered_and_names_are_left_alone(lm_flags, seed_text):
    subtle = flag_at(lm_flags[1], seed_text, "Subtle")
    assert subtle is not None and subtle.suggestions[0].text == "subtle"
    assert candidates.recased("Subtle", lone_capital=True) == ["subtle"]
    assert candidates.recased("Subtle") == [] and candidates.recased("Tehran", lone_capital=True) == []


def test_no_predictions_at_sentence_starts_or_for_names():
    from mtqa.detect.lm import _without_predictions

    text = "Diplomacy matters. Later, Araghchi met the abroad Minister."
    skipped = _without_predictions(Document(text))
    assert {text.index("Diplomacy"), text.index("Later"), text.index("Araghchi"), text.index("Minister")} <= skipped
    assert text.index("abroad") not in skipped


def test_a_digit_prose_spells_out_is_always_weighed(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    flags = LMDetector(smollm, trigram).detect(Document("Russia is still 1 of the few actors with open channels to Tehran, under Article 5."))
    assert [(f.text, f.best) for f in flags if f.score >= 0.5] == [("1", "one")]
    assert candidates.spelled_out("3rd")[0].text == "third" and candidates.spelled_out("2025") == []


def test_a_confusion_set_word_is_weighed_where_it_reads_naturally(smollm, trigram):
    """'any' is no surprise word by word; only its set partner 'some' shows that "in any cases" is wrong."""
    from mtqa.detect.lm import LMDetector

    text = "Russia keeps working – and in any cases warm – relations with Israel. Any country would do so."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.start, f.best) for f in flags] == [(text.index("any cases"), "some")]
    assert [c.text for c in candidates.always_checked("any")] == ["some"] and candidates.always_checked("cases") == []


def test_other_occurrences_of_a_confident_swap_are_rechecked_in_their_own_case(lm_flags, seed_text):
    from mtqa.detect.lm import _repeated

    assert [c.text for c in _repeated("abroad", "Foreign", candidates.PREDICTION)] == ["Foreign", "foreign"]
    assert [c.text for c in _repeated("Abroad", "Foreign", candidates.PREDICTION)] == ["Foreign"]
    # "Russian abroad Minister" establishes Foreign; "Iranian abroad minister" takes it in lower case.
    lower = flag_at(lm_flags[1], seed_text, "abroad minister")
    assert lower is not None and lower.score >= 0.5 and lower.best == "foreign"


def test_reference_detector_flags_names_the_reference_writes_differently():
    from mtqa.text.reference import Reference
    from mtqa.detect.reference import ReferenceDetector

    reference = Reference(
        ["Iranian Foreign Minister Abbas Araghchi met President Vladimir Putin. He spoke to the UN Security Council. Sergei Lavrov was there."]
    )
    detector = ReferenceDetector(reference)
    text = "Later, the Iranian abroad Minister met president Vladimir Putin and the UN safety Council. Lavrow agreed."
    flags = {f.text: f.best for f in detector.detect(Document(text))}
    assert flags == {"abroad": "Foreign", "president": "President", "safety": "Security", "Lavrow": "Lavrov"}
    # Not a name here, house style for a lower-case title, another office, a common word: left alone.
    fine = "Later, the Iranian foreign minister met the Israeli Prime Minister. The Russian economy grew."
    assert detector.detect(Document(fine)) == []


def test_a_possessive_is_a_repeat_of_the_word(lm_flags, seed_text):
    from mtqa.detect.lm import _without_possessive
    from mtqa.text.document import Token

    assert _without_possessive(Token(5, 13, "Lavrow's")) == Token(5, 11, "Lavrow")
    assert _without_possessive(Token(0, 2, "'s")) == Token(0, 2, "'s")
    assert _without_possessive(Token(0, 4, "it's")) == Token(0, 4, "it's")
    flag = flag_at(lm_flags[1], seed_text, "Lavrow's")
    assert flag is not None and (flag.text, flag.best) == ("Lavrow", "Lavrov")


@pytest.mark.parametrize(
    "word, english",
    [("Lavrow", "Lavrov"), ("Zacharowa", "Zakharova"), ("Pieskow", "Peskov"), ("Aszchabad", "Ashkhabad"), ("Duszanbe", "Dushanbe"), ("Nazarbajew", "Nazarbayev")],
)
def test_a_name_in_polish_romanisation_is_offered_in_english(word, english):
    assert english in candidates.transliterated(word)
    assert {c.origin for c in candidates.generate(word) if c.text == english} == {candidates.TRANSLITERATION}


@pytest.mark.parametrize("word", ["Washington", "Warsaw", "Chechnya", "Jet", "Wałęsa", "lavrow", "Lavrow's"])
def test_english_names_common_words_and_unknown_spellings_are_not_transliterated(word):
    assert candidates.transliterated(word) == []


def test_a_transliterated_name_is_flagged_where_the_lm_reads_it(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    text = "In Moscow, Foreign Ministry spokeswoman Maria Zacharowa said Russia supported Iran. Maria Zakharova said so again."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.text, f.best, f.rule) for f in flags] == [("Zacharowa", "Zakharova", "lm:transliteration")]


def test_an_article_is_weighed_against_leaving_it_out(smollm, trigram):
    """Polish has no articles, and translation puts "an" before an uncountable noun."""
    from mtqa.detect.lm import LMDetector

    assert [c.text for c in candidates.without_article("an", "inflammatory")] == ["inflammatory"]
    assert candidates.without_article("a", "few") == [] and candidates.without_article("the", "war") == []
    assert candidates.without_article("a", "Russian") == []
    text = "At the forum, Putin avoided an inflammatory language towards Israel. He gave an inflammatory speech on Monday."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.start, f.text, f.best, f.rule) for f in flags] == [(text.index("an inflammatory"), "an inflammatory", "inflammatory", "lm:article")]


def test_false_friends_go_one_way():
    assert candidates.false_friends()["request"] == ("need",)
    assert "request" not in candidates.false_friends().get("need", ())
    assert [(c.text, c.origin) for c in candidates.always_checked("request")] == [("need", candidates.FALSE_FRIEND)]
    assert candidates.always_checked("need") == []
    assert candidates.confusion_sets()["another"] == ("other",) and "another" not in candidates.confusion_sets().get("other", ())


def test_a_false_friend_is_weighed_where_it_reads_naturally(smollm, trigram):
    from mtqa.detect.lm import LMDetector

    text = "Putin avoided harsh words, highlighting the request for a diplomatic solution. Iran acted at the request of Russia."
    flags = [f for f in LMDetector(smollm, trigram).detect(Document(text)) if f.score >= 0.5]
    assert [(f.start, f.best, f.rule) for f in flags] == [(text.index("request for"), "need", "lm:false friend")]


def test_an_article_before_an_address_is_left_alone():
    from mtqa.detect.lm import LMDetector
    from mtqa.text.document import Token

    tokens = [Token(0, 1, "a"), Token(2, 8, "report")]
    assert [x.token.text for x in LMDetector._articles(0, "a report", 0, tokens, [0.0, 0.0], [])] == ["a report"]
    assert LMDetector._articles(0, "a report", 0, tokens, [0.0, 0.0], [(2, 8)]) == []
