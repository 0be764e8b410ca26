"""The glossary: each entry's examples are its tests; the loader rejects broken files; the seed articles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mtqa.detect.glossary import GlossaryDetector
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.glossary.model import Entry, Glossary, carry_case, load_glossary
from mtqa.text.document import Document

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DAMAGED = SEEDS / "000_10c6de3dd944f833.txt"
CLEAN = SEEDS / "004_2830f0e07968d65a.txt"

GLOSSARY = load_glossary()
ENTRIES = list(GLOSSARY)


def flags(entry: Entry, text: str) -> list[Edit]:
    return GlossaryDetector(Glossary([entry])).detect(Document(text))


def apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: -e.start):
        text = text[: edit.start] + (edit.best or "") + text[edit.end :]
    return text


# --- every entry against its own examples ---


def test_glossary_size() -> None:
    assert len(GLOSSARY) >= 170


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_examples(entry: Entry) -> None:
    assert entry.bad and entry.good, f"{entry.where}: needs bad and good examples"
    for sentence in entry.bad:
        found = flags(entry, sentence)
        assert found, f"{entry.where}: bad example not flagged: {sentence!r}"
        assert all(e.suggestions and e.rule == f"glossary:{entry.id}" for e in found)
    for sentence in entry.good:
        assert not flags(entry, sentence), f"{entry.where}: good example flagged: {sentence!r}"
    for sentence, fixed in zip(entry.bad, entry.fixed):
        assert apply(sentence, flags(entry, sentence)) == fixed


# --- case carrying, suggestions, disabling ---


@pytest.mark.parametrize(
    ("original", "replacement", "expected"),
    [
        ("abroad Minister", "Foreign Minister", "Foreign Minister"),
        ("fewer", "few", "few"),
        ("Fewer", "few", "Few"),
        ("Stableness", "stability", "Stability"),
        ("ABROAD MINISTER", "Foreign Minister", "FOREIGN MINISTER"),
        ("safety", "", ""),
    ],
)
def test_carry_case(original: str, replacement: str, expected: str) -> None:
    assert carry_case(original, replacement) == expected


def test_edit_fields() -> None:
    text = "Russian abroad Minister Sergei Lavrov spoke."
    (edit,) = GlossaryDetector().detect(Document(text))
    assert (edit.start, edit.end, edit.text) == (8, 23, "abroad Minister")
    assert edit.best == "Foreign Minister" and edit.score == edit.suggestions[0].score
    assert (edit.source, edit.rule, edit.kind) == ("glossary", "glossary:abroad-minister", "term")
    assert edit.message and edit.suggestions[0].parts == {"glossary": edit.score}


def test_later_suggestions_score_lower() -> None:
    (edit,) = GlossaryDetector().detect(Document("The country faces interior problems."))
    assert [s.text for s in edit.suggestions] == ["internal problems", "domestic problems"]
    assert edit.suggestions[0].score > edit.suggestions[1].score


def test_disabled_rules() -> None:
    doc = Document("The UN safety Council met on Monday.")
    assert GlossaryDetector().detect(doc)
    assert not GlossaryDetector(disabled={"glossary:safety-council"}).detect(doc)
    assert not GlossaryDetector(disabled={"safety-council"}).detect(doc)


def test_longer_match_wins() -> None:
    edits = GlossaryDetector().detect(Document("He spoke at the global economical Forum in St. Petersburg."))
    assert [(e.text, e.best) for e in edits] == [("global economical Forum", "International Economic Forum")]


def test_corrections_ignore_context() -> None:
    assert GLOSSARY.corrections("abroad Minister")[0] == ("Foreign Minister", 0.97)
    assert GLOSSARY.corrections("Lavrow")[0][0] == "Lavrov"
    assert GLOSSARY.corrections("Security Council") == []


# --- loader errors name the file and line ---

GOOD_ENTRY = """\
- id: sample
  wrong: 'sample'
  right: ['example']
  kind: term
  prior: 0.5
  message: 'sample'
"""


def write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_extra_file(tmp_path: Path) -> None:
    glossary = load_glossary([write(tmp_path, GOOD_ENTRY)])
    assert [e.id for e in glossary] == ["sample"] and glossary.entries[0].where.endswith("g.yaml:1")


def test_broken_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY + "- id: [unclosed\n  wrong: x\n")
    with pytest.raises(MtqaError, match=rf"{path}:8: invalid YAML"):
        load_glossary([path])


def test_tags_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "- !!python/object:os.system {}\n")
    with pytest.raises(MtqaError, match=rf"{path}:1:"):
        load_glossary([path])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("  prior: 0.5\n", ""), "lacks prior"),
        (("kind: term", "kind: nonsense"), "unknown kind"),
        (("wrong: 'sample'", "wrong: 'sam(ple'"), "not a valid regex"),
        (("right: ['example']", r"right: ['\2']"), "refers to a group"),
        (("prior: 0.5", "prior: 1.5"), "prior"),
        (("message: 'sample'", "message: 'sample'\n  contxt: {}"), "unknown field"),
        (("message: 'sample'", "message: 'sample'\n  context: {near: '('}"), "context near"),
        (("message: 'sample'", "message: 'sample'\n  examples: {bad: ['a sample']}\n  fixed: ['x', 'y']"), "fixed"),
    ],
)
def test_semantic_errors_name_the_entry_line(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    broken = GOOD_ENTRY.replace("sample", "second", 1).replace(*change)
    path = write(tmp_path, GOOD_ENTRY + "\n" + broken)
    with pytest.raises(MtqaError, match=rf"^{path}:8: .*{problem}"):
        load_glossary([path])


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD_ENTRY, "a.yaml")
    second = write(tmp_path, "# comment\n" + GOOD_ENTRY, "b.yaml")
    with pytest.raises(MtqaError, match=rf"^{second}:2: duplicate glossary id 'sample' \(first defined at {first}:1\)"):
        load_glossary([first, second])


def test_bundled_ids_are_unique() -> None:
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)


# --- the seed articles ---


@pytest.fixture(scope="module")
def seed_flags() -> list[Edit]:
    return GlossaryDetector().detect(Document(DAMAGED.read_text(encoding="utf-8")))


def found(edits: list[Edit], text: str) -> list[str | None]:
    return [e.best for e in edits if e.text == text]


@pytest.mark.parametrize(
    ("text", "best", "count"),
    [
        ("mediate East", "Middle East", 2),
        ("abroad Minister", "Foreign Minister", 2),
        ("abroad minister", "Foreign Minister", 1),
        ("safety Council", "Security Council", 1),
        ("fewer", "few", 5),
        ("erstwhile", "when", 1),
        ("information agency", "news agency", 1),
        ("fact Social", "Truth Social", 1),
        ("an empty check", "a blank check", 1),
        ("confederate flank", "southern flank", 1),
        ("buffer region", "buffer zone", 1),
        ("strategical", "strategic", 5),
        ("stableness", "stability", 1),
        ("publically", "publicly", 1),
        ("Lavrow", "Lavrov", 3),
        ("Aszchabad", "Ashgabat", 1),
        ("global Relations", "International Relations", 1),
        ("global economical Forum", "International Economic Forum", 1),
        ("economical Faculty", "Economics Faculty", 1),
        ("in any cases", "in some cases", 1),
        ("1", "one", 1),
        ("yet", "still", 1),
        ("3rd", "third", 1),
        ("she", "it", 1),
        ("another", "other", 1),
        ("advocate on either side", "take sides", 1),
        ("her", "its", 1),
        ("he", "it", 1),
        ("alternatively than", "rather than", 1),
        ("peculiar attention", "particular attention", 1),
        ("fresh visit", "recent visit", 1),
        ("interior balances", "internal balances", 1),
    ],
)
def test_seed_article_errors(seed_flags: list[Edit], text: str, best: str, count: int) -> None:
    assert found(seed_flags, text) == [best] * count


def test_seed_article_traps(seed_flags: list[Edit]) -> None:
    text = DAMAGED.read_text(encoding="utf-8")
    for trap in ("erstwhile russian republics", "a common interest in regional stability"):
        start = text.index(trap)
        assert not [e for e in seed_flags if e.overlaps(Edit(start, start + len(trap), trap))], trap


@pytest.mark.parametrize(
    "sentence",
    [
        "The threats reach erstwhile Soviet republics.",
        "It focuses on coordinated diplomacy and a common interest in regional stability.",
        "When Putin offered to mediate between Iran and Israel, Trump said: mediate your own.",
        "The Ministry of the Interior issued a statement.",
        "The Interior Minister met the Foreign Minister at the UN Security Council.",
    ],
)
def test_correct_english_is_not_flagged(sentence: str) -> None:
    assert GlossaryDetector().detect(Document(sentence)) == []


def test_clean_article_is_quiet() -> None:
    edits = GlossaryDetector().detect(Document(CLEAN.read_text(encoding="utf-8")))
    assert len(edits) <= 1, [(e.text, e.rule) for e in edits]


def test_fast_enough() -> None:
    detector = GlossaryDetector()
    doc = Document(DAMAGED.read_text(encoding="utf-8"))  # about 1,000 words
    best = min(_timed(detector, doc) for _ in range(5))
    assert best < 0.05, f"{best * 1000:.1f} ms"


def _timed(detector: GlossaryDetector, doc: Document) -> float:
    start = time.perf_counter()
    detector.detect(doc)
    return time.perf_counter() - start


def test_only_neighbour_rules_clear_a_usage():
    """A `not_before`/`not_after` rule is evidence the usage is right; a missing required context or
    a `not_near` guard (a woman who may be "she") is no opinion, so other detectors may still flag it."""

    def verdict(entry_id: str, sentence: str) -> tuple[bool, bool]:
        entry = next(e for e in load_glossary() if e.id == entry_id)
        match = entry.pattern.search(sentence)
        return entry.allows(sentence, match.start(), match.end()), entry.vetoes(sentence, match.start(), match.end())

    assert verdict("her-country", "Ukraine will defend her territory.") == (True, False)
    assert verdict("her-country", "In Moscow, the minister defended her territory.") == (False, False)
    assert verdict("her-country", "Russia welcomed the move, and Harris thanked her national security team.") == (False, False)
    assert verdict("since-for", "Talks have been frozen since two years ago.") == (False, True)
