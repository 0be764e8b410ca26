"""Rated MT output (MQM) as detection-only bench sets: loading, scoring against rater spans, calibration.

The documents here are invented; the shared rated set is read from its path by `mtqa bench`, never copied.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtqa.bench import baselines, mqm, run
from mtqa.bench.metrics import reliability
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.text.document import Document

TEXT = "The committee approved the plan quickly. The ministry declared a tall target for the poor harvest."


def _record(doc_id: str, system: str, text: str, spans: list[tuple[str, str, str]]) -> dict:
    errors = []
    for phrase, category, severity in spans:
        start = text.index(phrase)
        errors.append({"start": start, "end": start + len(phrase), "text": phrase, "category": category, "severity": severity})
    return {"id": doc_id, "system": system, "text": text, "errors": errors, "source": "invented", "licence": "CC0"}


@pytest.fixture()
def rated(tmp_path: Path) -> Path:
    path = tmp_path / "rated.jsonl"
    records = [
        _record("a/sys1", "sys1", TEXT, [("tall target", "Accuracy/Mistranslation", "Major"), ("declared", "Style/Awkward", "Minor")]),
        _record("a/sys2", "sys2", TEXT.replace("tall", "high"), []),
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_rated_sets_are_recognised_and_loaded_as_edits(rated: Path) -> None:
    assert mqm.is_mqm(rated)
    assert not mqm.is_mqm(run.SETS_DIR / "synthetic-dev.jsonl")
    first, second = mqm.load_mqm(rated)
    assert (first.group, second.group) == ("sys1", "sys2")
    assert [(e.text, e.rule, e.message, e.suggestions) for e in first.edits] == [
        ("declared", "Style/Awkward", "Minor", ()),
        ("tall target", "Accuracy/Mistranslation", "Major", ()),
    ]
    assert second.edits == []


def test_a_bad_rated_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    record = _record("x", "s", TEXT, [("tall target", "Accuracy", "Major")])
    record["errors"][0]["end"] = 10_000
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(MtqaError, match=r"bad\.jsonl:1: rater span .* out of range"):
        mqm.load_mqm(path)


def test_detection_scores_count_flags_touching_rater_spans(rated: Path) -> None:
    samples = mqm.load_mqm(rated)
    tall = TEXT.index("tall")
    flags_by_doc = [
        [Edit(tall, tall + 4, "tall", score=0.9), Edit(4, 13, "committee", score=0.6), Edit(0, 3, "The", score=0.2)],
        [Edit(4, 13, "committee", score=0.7)],
    ]
    result = mqm.score_detection(samples, flags_by_doc, threshold=0.5)
    words = 2 * len(Document(TEXT).sentences[0].words() + Document(TEXT).sentences[1].words())
    # Rater spans cover "declared", "tall" and "target" in the first document only: 3 of the words.
    assert result["chance"] == pytest.approx(3 / words)
    assert (result["flags"], result["right"]) == (3, 1)
    assert result["precision"] == pytest.approx(1 / 3)
    assert result["lift"] == pytest.approx((1 / 3) / (3 / words))
    assert result["flags_per_1k_words"] == pytest.approx(1000 * 3 / words)
    assert result["recall_by_category"] == {"Accuracy/Mistranslation": (1, 1), "Style/Awkward": (0, 1)}
    assert result["recall_by_severity"] == {"Major": (1, 1), "Minor": (0, 1)}
    assert result["by_group"]["sys1"]["precision"] == pytest.approx(1 / 2)
    assert result["by_group"]["sys2"]["chance"] == 0.0 and result["by_group"]["sys2"]["lift"] == 0.0
    assert [p["flags"] for p in result["sweep"]][:2] == [4, 4] and result["sweep"][-1]["flags"] == 1  # at 0.9, only "tall"


def test_fix_scores_say_where_edits_landed_and_which_names_the_lm_changed(rated: Path) -> None:
    samples = mqm.load_mqm(rated)
    docs = [Document(s.text) for s in samples]
    tall, ministry = TEXT.index("tall"), TEXT.index("ministry")
    applied = [
        [Edit(tall, tall + 4, "tall", (), 0.9, "lm", "lm:related"), Edit(ministry, ministry + 8, "ministry", (), 0.9, "glossary")],
        [Edit(4, 13, "Committee", (), 0.9, "lm", "lm:spelling")],
    ]
    result = mqm.score_fix(samples, docs, applied)
    assert result["edits"] == 3 and result["inside_rater_spans"] == pytest.approx(1 / 3)
    assert [n["text"] for n in result["names_changed_by_lm"]] == ["Committee"]


def test_reliability_bins_and_expected_calibration_error() -> None:
    # Four flags at 0.9 of which three are right, two at 0.15 of which none is: ECE = (4·0.15 + 2·0.15) / 6.
    curve = reliability([(0.9, True), (0.9, True), (0.9, True), (0.9, False), (0.15, False), (0.15, False)])
    assert [(b["flags"], b["right"]) for b in curve["bins"]] == [(2, 0.0), (4, 0.75)]
    assert curve["ece"] == pytest.approx(0.15)
    assert reliability([])["ece"] == 0.0


@pytest.mark.model
def test_perplexity_baseline_flags_a_fixed_rate_of_the_most_surprising_words(smollm) -> None:
    doc = Document(" ".join([TEXT] * 30))
    words = doc.word_count()
    flags = baselines.SurprisalBaseline(smollm, per_1k=10.0).detect(doc)
    assert len(flags) == round(10.0 * words / 1000) and all(f.score == 1.0 for f in flags)
    more = baselines.SurprisalBaseline(smollm, per_1k=20.0).detect(doc)
    assert {f.start for f in flags} < {f.start for f in more}  # the top words at 10 per 1,000 stay at 20
    surprisal = {f.start: float(f.message.split()[0]) for f in more}
    assert min(surprisal[f.start] for f in flags) >= max(b for start, b in surprisal.items() if start not in {f.start for f in flags})
