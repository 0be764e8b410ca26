"""Metrics on small hand-made cases; every expected number is worked out in the comments."""

from __future__ import annotations

import math

import pytest

from mtqa.bench.metrics import (
    correct_fix,
    correction_accuracy,
    false_alarms_per_1000_words,
    recall_by_kind,
    span_scores,
    token_mcc,
    traps_hit,
)
from mtqa.edits import Edit, Suggestion
from mtqa.text.metrics import text_metrics

TEXT = "Peace in the mediate East needs a fewer days.Talks go on."
#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901234567


def span(text: str, phrase: str, *fixes: str, kind: str = "term", at: int = 0) -> Edit:
    start = text.index(phrase, at)
    return Edit(start, start + len(phrase), phrase, tuple(Suggestion(f) for f in fixes), kind=kind)


def insertion(at: int, fix: str = " ") -> Edit:
    return Edit(at, at, "", (Suggestion(fix),), kind="spacing")


GOLD = [
    span(TEXT, "mediate East", "Middle East"),  # 13:25
    span(TEXT, "fewer", "few", kind="function-word"),  # 34:39
    insertion(45),  # "days.|Talks"
]


def test_perfect_prediction_scores_one() -> None:
    s = span_scores(GOLD, GOLD)
    assert (s.tp, s.fp, s.fn) == (3, 0, 0)
    assert s.precision == s.recall == s.f05 == s.f1 == 1.0


def test_partial_overlap_false_alarm_and_miss() -> None:
    predicted = [
        span(TEXT, "mediate", "Middle"),  # overlaps gold "mediate East": tp
        span(TEXT, "Peace", "Piece"),  # overlaps nothing: fp
    ]
    s = span_scores(predicted, GOLD)
    # tp=1, fp=1, fn=2: P=1/2, R=1/3, F1=2PR/(P+R)=(1/3)/(5/6)=0.4, F0.5=1.25PR/(0.25P+R)=(5/24)/(11/24)=5/11
    assert (s.tp, s.fp, s.fn) == (1, 1, 2)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(0.4)
    assert s.f05 == pytest.approx(5 / 11)


def test_each_gold_edit_matched_once_duplicates_are_not_false_alarms() -> None:
    predicted = [span(TEXT, "mediate"), span(TEXT, "East")]  # both on the one gold "mediate East"
    s = span_scores(predicted, GOLD[:1])
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_one_wide_flag_matches_only_one_of_two_gold_edits() -> None:
    text = "Russia is yet 1 of the few."
    gold = [span(text, "yet", "still"), span(text, "1", "one")]
    s = span_scores([span(text, "yet 1", "still one")], gold)
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)


def test_insertion_matches_a_flag_touching_its_point() -> None:
    assert span_scores([Edit(40, 45, "days.")], [insertion(45)]).tp == 1  # ends at the point
    assert span_scores([Edit(45, 50, "Talks")], [insertion(45)]).tp == 1  # starts at the point
    assert span_scores([insertion(45)], [insertion(45)]).tp == 1
    assert span_scores([Edit(34, 39, "fewer")], [insertion(45)]).tp == 0


def test_degenerate_counts_follow_errant() -> None:
    nothing = span_scores([], [])
    assert (nothing.precision, nothing.recall, nothing.f05) == (1.0, 1.0, 1.0)
    silent = span_scores([], GOLD)  # P=1 (no flags), R=0 -> F=0
    assert (silent.precision, silent.recall, silent.f05, silent.f1) == (1.0, 0.0, 0.0, 0.0)
    noisy = span_scores([span(TEXT, "Peace")], [])  # P=0, R=1 -> F=0
    assert (noisy.precision, noisy.recall, noisy.f1) == (0.0, 1.0, 0.0)


def test_traps_are_not_gold_errors_and_hitting_one_is_a_false_positive() -> None:
    text = "It shares a common interest."
    trap = Edit(12, 18, "common", kind="trap")
    flag = Edit(12, 18, "common", (Suggestion("mutual"),))
    s = span_scores([flag], [trap])
    assert (s.tp, s.fp, s.fn) == (0, 1, 0)
    assert traps_hit([flag], [trap]) == 1
    assert traps_hit([Edit(0, 2, "It")], [trap]) == 0
    assert text[12:18] == "common"


def test_traps_hit_ignores_a_flag_that_touches_a_trap_only_beside_a_gold_error() -> None:
    text = "framework.In retrospect"
    gold = [insertion(10)]
    trap = Edit(10, 23, "In retrospect", kind="trap")
    assert text[10:23] == "In retrospect"
    assert traps_hit([insertion(10)], [trap], gold) == 0
    assert traps_hit([insertion(10)], [trap]) == 1


def test_token_mcc_by_hand() -> None:
    text = "a b c d"
    gold = [Edit(0, 1, "a"), Edit(2, 3, "b")]  # tags BAD BAD OK OK
    predicted = [Edit(0, 1, "a"), Edit(4, 5, "c")]  # tags BAD OK BAD OK
    # TP=1 FP=1 FN=1 TN=1: MCC = (1*1 - 1*1) / sqrt(2*2*2*2) = 0
    assert token_mcc(text, predicted, gold) == pytest.approx(0.0)
    assert token_mcc(text, gold, gold) == pytest.approx(1.0)
    inverse = [Edit(4, 5, "c"), Edit(6, 7, "d")]  # every tag wrong
    assert token_mcc(text, inverse, gold) == pytest.approx(-1.0)
    # TP=1 FP=0 FN=1 TN=2: (1*2 - 0*1) / sqrt(1*2*3*2) = 2/sqrt(12)
    assert token_mcc(text, [Edit(0, 1, "a")], gold) == pytest.approx(2 / math.sqrt(12))


def test_token_mcc_degenerate_is_zero() -> None:
    gold = [Edit(0, 1, "a")]
    assert token_mcc("a b", [], gold) == 0.0  # nothing predicted
    assert token_mcc("a b", gold, []) == 0.0  # nothing to find
    assert token_mcc("a b", [Edit(0, 3, "a b")], gold) == 0.0  # everything predicted BAD
    assert token_mcc("", [], []) == 0.0


def test_token_mcc_insertion_marks_touching_tokens() -> None:
    text = "days.Talks go"
    # gold insertion at 5 touches "Talks" only ("days" ends at 4): tags OK BAD OK
    assert token_mcc(text, [Edit(5, 10, "Talks")], [insertion(5)]) == pytest.approx(1.0)


def test_correction_accuracy_compares_on_the_union_span() -> None:
    predicted = [
        span(TEXT, "mediate", "Middle"),  # "Middle East" on the union: right
        span(TEXT, "fewer", "fever"),  # wrong word
        insertion(45, " "),  # right
    ]
    assert correction_accuracy(predicted, GOLD) == pytest.approx(2 / 3)


def test_correction_accuracy_normalises_case_and_space_but_not_for_case_fixes() -> None:
    text = "know Moscow's Subtle influence; an inflammatory language"
    subtle = span(text, "Subtle", "subtle", kind="grammar")
    assert not correct_fix(span(text, "Subtle", "Subtle"), subtle)  # a no-op is no fix
    assert correct_fix(span(text, "Subtle", "subtle"), subtle)
    article = span(text, "an inflammatory", "inflammatory", kind="grammar")
    assert correct_fix(span(text, "an ", ""), article)  # deleting "an " gives the same words
    assert correct_fix(span(text, "an", ""), article)  # leftover double space is normalised
    mediate = span(TEXT, "mediate East", "Middle East")
    assert correct_fix(span(TEXT, "mediate", "MIDDLE"), mediate)  # case ignored here
    assert not correct_fix(span(TEXT, "mediate"), mediate)  # no suggestion


def test_correction_accuracy_accepts_any_gold_alternative_and_handles_no_match() -> None:
    text = "fragile interior balances"
    gold = [span(text, "interior", "internal", "domestic")]
    assert correction_accuracy([span(text, "interior balances", "domestic balances")], gold) == 1.0
    assert correction_accuracy([], gold) == 0.0


def test_recall_by_kind() -> None:
    result = recall_by_kind([span(TEXT, "fewer", "few")], GOLD)
    assert result == {"function-word": (1, 1), "spacing": (0, 1), "term": (0, 1)}


def test_false_alarms_per_1000_words() -> None:
    text = "one two three four"  # 4 words
    assert false_alarms_per_1000_words([Edit(0, 3, "one")], text) == 250.0
    assert false_alarms_per_1000_words([], text) == 0.0
    assert false_alarms_per_1000_words([], "") == 0.0


def test_text_metrics_uses_sacrebleu_with_signatures() -> None:
    refs = ["Russia is still one of the few actors.", "It is a blank check."]
    perfect = text_metrics(refs, refs)
    assert perfect["bleu"] == pytest.approx(100.0)
    assert perfect["chrf"] == pytest.approx(100.0)
    assert perfect["ter"] == pytest.approx(0.0)
    assert "nrefs:1" in perfect["bleu_signature"]
    assert "case:" in perfect["chrf_signature"] and "case:" in perfect["ter_signature"]
    damaged = text_metrics(["Russia is yet 1 of the fewer actors.", "It is an empty check."], refs)
    assert damaged["bleu"] < 100 and damaged["ter"] > 0
