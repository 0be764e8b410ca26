"""`mtqa bench`: the runner on a tiny set, its outputs, its errors, and the baselines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mtqa import cli, pipeline
from mtqa.bench import baselines, plots, report, run, scoring
from mtqa.bench.sets import apply_corrections, load_set
from mtqa.edits import Edit, Suggestion
from mtqa.errors import MtqaError
from mtqa.text.document import Document

TEXT = "The safety Council met in Aszchabad on Monday.In fact, the talks went well and the ministers found a common interest."


def edit(phrase: str, fixes: list[str], kind: str) -> dict:
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "text": phrase, "corrections": fixes, "kind": kind}


@pytest.fixture
def tiny_set(tmp_path: Path) -> Path:
    space = TEXT.index("Monday.") + len("Monday.")
    edits = [
        edit("safety Council", ["Security Council"], "term"),
        edit("Aszchabad", ["Ashgabat"], "name"),
        {"start": space, "end": space, "text": "", "corrections": [" "], "kind": "spacing"},
        edit("common", [], "trap"),
    ]
    gold = [Edit(e["start"], e["end"], e["text"], tuple(Suggestion(c) for c in e["corrections"])) for e in edits]
    doc = {"id": "tiny-1", "text": TEXT, "edits": edits, "clean": apply_corrections(TEXT, gold), "source": "test", "licence": "CC0"}
    path = tmp_path / "tiny.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def short_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scale runs on a one-sentence "article", so that the test stays fast."""
    monkeypatch.setattr(run, "scale_text", lambda copies: " ".join([TEXT] * copies))
    monkeypatch.setattr(run, "SCALE_COPIES", (1, 2, 3))


def test_runner_writes_results_markdown_and_plot(tiny_set: Path, tmp_path: Path, short_scale: None) -> None:
    seen: list[tuple[str, int]] = []
    results = run.run_bench([str(tiny_set)], ["glossary", "lm-trigram"], threshold=0.5, scale=False, advance=lambda what, n: seen.append((what, n)))
    written = report.write_outputs(results, tmp_path / "out")

    assert {p.name for p in written} == {"results.json", "results.md", "pr-tiny.png", "reliability-tiny.png"}
    assert (tmp_path / "out" / "pr-tiny.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert saved["sets"]["tiny"] == {"path": str(tiny_set), "documents": 1, "words": Document(TEXT).word_count(), "errors": 3, "rater_spans": 0, "spacing_errors": 1, "traps": 1}
    assert saved["machine"]["cpu_count"] and saved["machine"]["torch"]
    assert set(saved["signatures"]) == {"bleu", "chrf", "ter"}

    for detector in ("glossary", "lm-trigram"):
        r = saved["results"]["tiny"][detector]
        for scores in (r["all"], r["no_spacing"]):
            assert all(0.0 <= scores[k] <= 1.0 for k in ("precision", "recall", "f05", "f1"))
        assert r["all"]["tp"] + r["all"]["fn"] == 3 and r["no_spacing"]["tp"] + r["no_spacing"]["fn"] == 2
        assert -1.0 <= r["token_mcc"] <= 1.0 and 0.0 <= r["correction_accuracy"] <= 1.0
        assert r["traps_hit"] in (0, 1) and r["false_alarms_per_1k_words"] >= 0
        assert 0 <= r["text"]["chrf"] <= 100 and r["seconds"] >= 0
        assert [p["threshold"] for p in r["sweep"]] == list(scoring.SWEEP)
        recalls = [p["recall"] for p in r["sweep"]]
        assert recalls == sorted(recalls, reverse=True)  # a higher threshold never finds more
    # The glossary knows this transliteration, and the fix it suggests is the gold one.
    glossary = saved["results"]["tiny"]["glossary"]
    assert glossary["recall_by_kind"]["name"] == [1, 1] and glossary["correction_accuracy"] == 1.0
    # Without --scale the 16k-word (here: 3-copy) run is left out, for the trigram detector only.
    assert [(r["detector"], r["copies"]) for r in saved["scale"]] == [("lm-trigram", 1), ("lm-trigram", 2)]
    assert saved["detectors"]["lm-trigram"]["load_s"] >= 0 and saved["detectors"]["lm-trigram"]["peak_rss_mb"] > 0
    assert sum(n for _, n in seen) == run.planned_words([str(tiny_set)], ["glossary", "lm-trigram"], scale=False)

    markdown = (tmp_path / "out" / "results.md").read_text(encoding="utf-8")
    assert "| glossary |" in markdown and "| lm-trigram |" in markdown and "![tiny](pr-tiny.png)" in markdown


def test_input_text_scores_are_the_uncorrected_text(tiny_set: Path, short_scale: None) -> None:
    results = run.run_bench([str(tiny_set)], ["glossary"], scale=False)
    assert results["input_text"]["tiny"]["chrf"] < results["results"]["tiny"]["glossary"]["text"]["chrf"]


def test_shared_parts_give_what_the_combined_detector_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    # The trigram LM stands in for the default model, to stay fast.
    monkeypatch.setattr(run, "parts_of", lambda d: {"lm-trigram": ["lm:trigram"], "combined": ["combined:trigram"]}[d])
    doc = Document(TEXT)
    runner = run.Runner()
    alone, _ = runner.detect("lm-trigram", doc, ("tiny", "tiny-1"))
    shared, seconds = runner.detect("combined", doc, ("tiny", "tiny-1"))
    assert shared == pipeline.build_detector(["glossary", "lm", "spacing"], "trigram").detect(doc)
    assert alone == pipeline.build_detector(["lm"], "trigram").detect(doc)
    assert seconds > 0 and set(runner.parts) == {"lm:trigram", "combined:trigram"}


def test_pool_shifts_edits_into_one_text() -> None:
    samples = load_set(run.SETS_DIR / "synthetic-dev.jsonl")[:2]
    pooled = scoring.pool(samples)
    assert len(pooled.gold) == sum(len(s.edits) for s in samples)
    for e in pooled.gold + pooled.traps:
        assert pooled.text[e.start : e.end] == e.text


def test_unknown_set_and_detector_are_errors() -> None:
    with pytest.raises(MtqaError, match="unknown set 'nope'"):
        run.resolve_sets(["nope"])
    with pytest.raises(MtqaError, match="unknown detector"):
        run.parse_detectors(["glossary,grammarly"])
    assert run.parse_detectors(["combined", "glossary,lm-trigram"]) == ["glossary", "lm-trigram", "combined"]


@pytest.mark.parametrize("args, message", [(["--set", "nope"], "unknown set"), (["-d", "bert"], "unknown detector")])
def test_cli_reports_errors_with_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, args: list[str], message: str) -> None:
    monkeypatch.setattr(sys, "argv", ["mtqa", "bench", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
    assert message in capsys.readouterr().err


def test_link_grammar_row_is_skipped_with_a_note_when_it_cannot_be_imported(
    tiny_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = tmp_path / "python3"
    failing.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named linkgrammar' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(baselines, "SYSTEM_PYTHON", str(failing))

    results = run.run_bench([str(tiny_set)], ["glossary", "link-grammar"], scale=False)
    assert results["detectors"]["link-grammar"] == {"parts": ["link-grammar"], "note": baselines.LINK_GRAMMAR_MISSING, "skipped": True}
    assert "link-grammar" not in results["results"]["tiny"] and "glossary" in results["results"]["tiny"]
    markdown = report.markdown(results)
    assert "| link-grammar (skipped) |" in markdown and baselines.LINK_GRAMMAR_MISSING in markdown
    plots.plot(results, "tiny", tmp_path / "pr.png")  # a skipped row leaves no line, and no error


@pytest.mark.skipif(not baselines.link_grammar_available(), reason="link-grammar is not installed")
def test_link_grammar_flags_an_unlinked_word() -> None:
    detector = baselines.LinkGrammarDetector()
    try:
        flags = detector.detect(Document("The abroad Minister met the Security Council.\n\nIt went well."))
    finally:
        detector.close()
    assert [f.text for f in flags] == ["abroad"]
    assert detector.process.returncode == 0


def test_spellcheck_flags_unknown_words_not_compounds_or_possessives() -> None:
    text = "Lavrow said Moscow's well-known position was unchanged in 2025."
    flags = baselines.SpellcheckDetector().detect(Document(text))
    assert [f.text for f in flags] == ["Lavrow"]
    assert all(f.score == 1.0 and f.source == "spellcheck" for f in flags)


def test_update_readme_replaces_only_the_marked_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold\n{report.README_END}\noutro\n", encoding="utf-8")
    report.update_readme(readme, "new table")
    assert readme.read_text(encoding="utf-8") == f"intro\n{report.README_START}\nnew table\n{report.README_END}\noutro\n"
    readme.write_text("no markers", encoding="utf-8")
    with pytest.raises(MtqaError, match="markers"):
        report.update_readme(readme, "x")
