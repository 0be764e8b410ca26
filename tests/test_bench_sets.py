"""The shipped benchmark sets, their validator, the corruption model and M2 export."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from mtqa.bench.corrupt import DEV_FAMILIES, HELDOUT_FAMILIES, Family, Sub, corrupt
from mtqa.bench.sets import Sample, apply_corrections, load_set, to_m2, validate_set
from mtqa.edits import Edit, Suggestion
from mtqa.errors import MtqaError
from mtqa.text.document import Document

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "benchmarks" / "sets"
SET_NAMES = ("seed-article", "clean", "synthetic-dev", "synthetic-heldout")


def words(samples: list[Sample]) -> int:
    return sum(Document(s.text).word_count() for s in samples)


@pytest.mark.parametrize("name", SET_NAMES)
def test_shipped_sets_validate_and_offsets_match(name: str) -> None:
    samples = load_set(SETS / f"{name}.jsonl")
    assert samples
    for sample in samples:
        for edit in sample.edits + sample.traps:
            assert sample.text[edit.start : edit.end] == edit.text
        if sample.clean is not None:
            assert apply_corrections(sample.text, sample.edits) == sample.clean


def test_seed_article_annotation() -> None:
    (sample,) = load_set(SETS / "seed-article.jsonl")
    assert sample.text == (ROOT / "seeds" / "000_10c6de3dd944f833.txt").read_text(encoding="utf-8")
    spacing = [e for e in sample.edits if e.kind == "spacing"]
    assert len(sample.edits) - len(spacing) >= 60
    assert len(spacing) >= 30
    assert all(e.start == e.end and e.best == " " for e in spacing)
    assert len(sample.traps) >= 2
    trapped = {(sample.text[t.start - 12 : t.start], t.text) for t in sample.traps}
    assert ("confederate ", "erstwhile") in trapped and ("BRICS and SCO and a "[-12:], "common") in trapped
    # The fixed text keeps the true "erstwhile" and "common" and loses the damage.
    assert "erstwhile Soviet republics" in sample.clean and "a common interest" in sample.clean
    for damage in ("mediate East", "safety Council", "Lavrow", "Aszchabad.One", "strategical", "a fewer"):
        assert damage not in sample.clean


def test_clean_set_is_large_and_has_no_edits() -> None:
    samples = load_set(SETS / "clean.jsonl")
    assert words(samples) >= 3000
    assert all(not s.edits and not s.traps for s in samples)
    written = [s for s in samples if s.licence.startswith("CC0")]
    assert len(written) >= 4
    assert all(500 <= Document(s.text).word_count() <= 700 for s in written)


@pytest.mark.parametrize("name", ("synthetic-dev", "synthetic-heldout"))
def test_synthetic_sets_size_rate_and_clean(name: str) -> None:
    samples = load_set(SETS / f"{name}.jsonl")
    assert words(samples) >= 2000
    for s in samples:
        assert 1 / 25 <= len(s.edits) / Document(s.clean).word_count() <= 1 / 15
        assert apply_corrections(s.text, s.edits) == s.clean


def test_dev_and_heldout_use_different_sources() -> None:
    dev = {s.clean for s in load_set(SETS / "synthetic-dev.jsonl")}
    heldout = {s.clean for s in load_set(SETS / "synthetic-heldout.jsonl")}
    assert not dev & heldout
    paragraphs = lambda texts: {p for t in texts for p in t.split("\n\n") if len(p) > 80}  # noqa: E731
    assert not paragraphs(dev) & paragraphs(heldout)


def test_make_sets_is_reproducible(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_sets.py"), "--out", str(tmp_path)], check=True)
    for name in SET_NAMES:
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (SETS / f"{name}.jsonl").read_bytes(), name


# --- validator ---------------------------------------------------------------------------

GOOD = {
    "id": "a",
    "text": "the mediate East.It is common.",
    "edits": [
        {"start": 4, "end": 16, "text": "mediate East", "corrections": ["Middle East"], "kind": "term"},
        {"start": 17, "end": 17, "text": "", "corrections": [" "], "kind": "spacing"},
        {"start": 23, "end": 29, "text": "common", "corrections": [], "kind": "trap"},
    ],
    "clean": "the Middle East. It is common.",
    "source": "test",
    "licence": "CC0",
}


def broken(**changes: object) -> dict:
    doc = json.loads(json.dumps(GOOD))
    doc.update(changes)
    return doc


def edit_changed(index: int, **changes: object) -> dict:
    doc = broken()
    doc["edits"][index].update(changes)
    return doc


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_validator_accepts_good_lines(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(GOOD), "", json.dumps(broken(id="b")))
    validate_set(path)
    first, second = load_set(path)
    assert [e.kind for e in first.edits] == ["term", "spacing"]
    assert first.edits[0].suggestions == (Suggestion("Middle East"),) and first.edits[0].source == "gold"
    assert [t.text for t in first.traps] == ["common"]
    assert second.id == "b"


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "bad JSON"),
        ("[1, 2]", "one JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "licence"}), "missing key 'licence'"),
        (json.dumps(edit_changed(0, end=99)), "out of range"),
        (json.dumps(edit_changed(0, text="mediate Eas")), "'mediate Eas' does not match the document text 'mediate East'"),
        (json.dumps(edit_changed(0, kind="typo")), "unknown kind 'typo'"),
        (json.dumps(edit_changed(2, corrections=["shared"])), "a trap must have no corrections"),
        (json.dumps(edit_changed(0, corrections=[])), "needs at least one correction"),
        (json.dumps(edit_changed(1, start=10, end=10)), "overlap"),
        (json.dumps(broken(clean="the Middle East.It is common.")), "'clean' is not the text with the first corrections"),
        (json.dumps(broken(id="dup")) + "\n" + json.dumps(broken(id="dup")), "duplicate id 'dup'"),
    ],
)
def test_validator_rejects_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, json.dumps(GOOD), line)
    with pytest.raises(MtqaError) as err:
        validate_set(path)
    text = str(err.value)
    expected_line = 3 if "duplicate" in message else 2
    assert text.startswith(f"{path}:{expected_line}: "), text
    assert message in text, text


def test_validator_allows_insertion_touching_a_span_but_not_inside_it(tmp_path: Path) -> None:
    touching = edit_changed(2, start=17, end=19, text="It", kind="trap")  # trap starts at the insertion point
    touching["clean"] = "the Middle East. It is common."
    validate_set(write(tmp_path, json.dumps(touching)))


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(MtqaError, match="cannot read"):
        load_set(tmp_path / "nope.jsonl")


# --- apply_corrections and M2 --------------------------------------------------------------


def test_apply_corrections_in_one_pass_skips_traps_and_conflicts() -> None:
    text = "a fewer days.Then"
    edits = [
        Edit(2, 7, "fewer", (Suggestion("few"),)),
        Edit(2, 12, "fewer days", (Suggestion("xx"),)),  # conflicts with the first: skipped
        Edit(13, 13, "", (Suggestion(" "),)),
        Edit(0, 1, "a", kind="trap"),
    ]
    assert apply_corrections(text, edits) == "a few days. Then"


def test_m2_has_one_a_line_per_edit() -> None:
    (sample,) = load_set(SETS / "seed-article.jsonl")
    m2 = to_m2(sample)
    assert sum(line.startswith("A ") for line in m2.splitlines()) == len(sample.edits)
    block = next(b for b in m2.split("\n\n") if "Aszchabad" in b)
    s_tokens = block.splitlines()[0][2:].split(" ")
    fixes = {f[2]: tuple(map(int, f[0][2:].split())) for f in (line.split("|||") for line in block.splitlines()[1:])}
    start, end = fixes["Ashgabat"]
    assert s_tokens[start:end] == ["Aszchabad"]
    start, end = fixes[". One"]  # the join "Aszchabad.One" becomes two tokens
    assert s_tokens[start:end] == [".One"]


def test_m2_small_document(tmp_path: Path) -> None:
    (sample,) = load_set(write(tmp_path, json.dumps(GOOD)))
    assert to_m2(sample) == (
        "S the mediate East .It is common.\n"
        "A 1 3|||term|||Middle East|||REQUIRED|||-NONE-|||0\n"
        "A 3 4|||spacing|||. It|||REQUIRED|||-NONE-|||0\n"
    )


# --- corruption model --------------------------------------------------------------------

CLEAN = "When the Foreign Minister met a few envoys, Russia said it would act. Its aim is stability.Then"


def test_corrupt_records_gold_edits_that_restore_the_text() -> None:
    for families in (DEV_FAMILIES, HELDOUT_FAMILIES):
        damaged, edits = corrupt(CLEAN, families, 1.0, random.Random(1))
        assert edits and damaged != CLEAN
        assert apply_corrections(damaged, edits) == CLEAN
        for e in edits:
            assert damaged[e.start : e.end] == e.text and e.source == "gold"


def test_corrupt_is_deterministic_and_follows_the_rate() -> None:
    text = " ".join(["It was a few days after the talks."] * 20)  # 160 words
    first = corrupt(text, DEV_FAMILIES, 0.05, random.Random("x"))
    assert first == corrupt(text, DEV_FAMILIES, 0.05, random.Random("x"))
    assert len(first[1]) == 8


def test_corrupt_carries_sentence_case_and_respects_context() -> None:
    family = Family("t", "function-word", (Sub("when", "erstwhile"), Sub("few", "fewer", before=r"\ba ")))
    damaged, edits = corrupt("When it rains. Few came, a few stayed.", [family], 1.0, random.Random(0))
    assert damaged == "Erstwhile it rains. Few came, a fewer stayed."
    assert [(e.text, e.best) for e in edits] == [("Erstwhile", "When"), ("fewer", "few")]
    # A capitalised phrase inside a sentence is a name, not a sentence start: left alone.
    council = Family("c", "real-word", (Sub("council", "counsel"),))
    assert corrupt("The UN Security Council met. Council staff left.", [council], 1.0, random.Random(0))[0] == (
        "The UN Security Council met. Counsel staff left."
    )


def test_corrupt_spacing_is_an_insertion() -> None:
    spacing = next(f for f in DEV_FAMILIES if f.kind == "spacing")
    damaged, edits = corrupt("It rained. Talks went on. U.S. Army", [spacing], 1.0, random.Random(0))
    assert damaged == "It rained.Talks went on. U.S. Army"
    assert [(e.start, e.end, e.best) for e in edits] == [(10, 10, " ")]


def test_heldout_gold_spans_are_not_flagged_by_the_glossary() -> None:
    glossary = pytest.importorskip("mtqa.detect.glossary")
    try:
        detector = glossary.GlossaryDetector()
    except TypeError:
        pytest.skip("GlossaryDetector needs arguments this test does not know")
    overlaps = []
    for sample in load_set(SETS / "synthetic-heldout.jsonl"):
        flags = detector.detect(Document(sample.text))
        overlaps += [(sample.id, g.text, f.text) for g in sample.edits for f in flags if f.overlaps(g) and g.kind != "spacing"]
    assert not overlaps, f"held-out damage matched by the glossary: {overlaps}"
