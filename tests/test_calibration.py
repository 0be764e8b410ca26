"""Calibrated scores: the committed table, how a flag's probability follows its family, raw score
and the document's regime, and that the pipeline applies it only to the model it was fitted on."""

import pytest

from mtqa import pipeline
from mtqa.detect import calibration
from mtqa.detect.calibration import Calibration, Curve, family
from mtqa.edits import Edit


def flag(rule: str, score: float, source: str = "lm", start: int = 0) -> Edit:
    return Edit(start, start + 4, "word", (), score, source, rule, "term")


def toy() -> Calibration:
    rising = Curve((0.0, 1.0), (0.1, 0.9))
    flat_low = Curve((0.0, 1.0), (0.05, 0.3))
    return Calibration(
        model="smollm2-135m",
        threshold=0.5,
        curves={"lm:rewrite": {"damaged": rising, "ordinary": flat_low}, "glossary": {"damaged": rising, "ordinary": rising}},
        evidence_families=frozenset({"glossary", "lm:channel"}),
        midpoint_per_1k=10.0,
        slope=3.0,
        prior_words=200.0,
    )


@pytest.mark.parametrize(
    "rule, source, expected",
    [
        ("lm:prediction", "lm", "lm:rewrite"),
        ("lm:related", "lm", "lm:rewrite"),
        ("lm:pronoun", "lm", "lm:pronoun"),
        ("lm:case", "lm", "lm:positional"),
        ("lm:confusion", "lm", "lm:channel"),
        ("lm:spelling", "lm", "lm:channel"),
        ("glossary:safety-council", "glossary", "glossary"),
        ("spacing:missing-space", "spacing", "spacing"),
    ],
)
def test_flags_are_calibrated_by_rule_family(rule, source, expected):
    assert family(flag(rule, 0.7, source)) == expected


def test_a_flag_among_many_channel_flags_is_likelier_right_than_alone():
    table = toy()
    alone = table.apply([flag("lm:prediction", 0.8)], words=1000)[0].score
    among = [flag("glossary:x", 0.9, "glossary", start=10 * i) for i in range(1, 41)]
    damaged = table.apply([flag("lm:prediction", 0.8), *among], words=1000)[0].score
    assert alone < 0.35 < 0.6 < damaged
    assert table.damaged_weight(0, 10) == pytest.approx(0.5, abs=0.05)  # a short text is not evidence either way


def test_families_the_table_lacks_keep_their_raw_scores():
    assert toy().apply([flag("lm:pronoun", 0.77)], words=500)[0].score == 0.77


def test_the_committed_table_is_monotone_probabilities_with_its_threshold_the_default():
    table = calibration.bundled()
    assert table is not None and table.model == "smollm2-135m"
    assert pipeline.DEFAULT_THRESHOLD == table.threshold
    for fam, curves in table.curves.items():
        for regime, curve in curves.items():
            assert list(curve.x) == sorted(curve.x) and list(curve.y) == sorted(curve.y), (fam, regime)
            assert all(0.0 <= y <= 1.0 for y in curve.y)


def test_the_pipeline_calibrates_only_the_model_the_table_was_fitted_on():
    assert pipeline.build_detector(["glossary", "spacing"]).calibration is not None
    assert pipeline.build_detector(["glossary", "lm"], "trigram").calibration is None
    assert pipeline.build_detector(["glossary"], calibrated=False).calibration is None


def test_a_guarded_name_keeps_its_capped_score():
    from mtqa.channel import names

    guarded = flag(names.UNCONFIRMED_NAME_RULE, names.NAME_SCORE_CAP)
    assert family(guarded) == names.UNCONFIRMED_NAME_RULE
    assert calibration.bundled().apply([guarded], words=100)[0].score == names.NAME_SCORE_CAP
