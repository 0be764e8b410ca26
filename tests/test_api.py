"""The Python API, `mtqa.Checker`: its documented example runs, and the real model path works through it."""

from __future__ import annotations

import doctest

import pytest

import mtqa.api
from mtqa import Checker
from mtqa.errors import MtqaError


def test_the_documented_example_runs() -> None:
    result = doctest.testmod(mtqa.api)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.model
def test_checker_finds_and_fixes_with_the_real_model() -> None:
    checker = Checker()
    text = "The talks in the mediate East went on for hours, and the result was modest."
    flags = checker.check(text)
    assert [(f.text, f.best) for f in flags if f.start == text.index("mediate")][:1] == [("mediate East", "Middle East")]
    assert checker.fix(text).text == text.replace("mediate East", "Middle East")


def test_text_that_is_not_english_skips_the_lm_with_a_warning() -> None:
    heard: list[str] = []
    checker = Checker(detectors=["glossary", "lm"], lm="trigram", on_warning=heard.append)
    german = "Die Verhandlungen über den Waffenstillstand wurden am Montag in Genf fortgesetzt, teilte das Außenministerium mit, und beide Seiten zeigten sich vorsichtig optimistisch."
    assert checker.check(german, "brief.txt") == []
    assert len(heard) == 1 and heard[0].startswith("brief.txt: does not look like English")


def test_bad_settings_fail_before_any_work() -> None:
    with pytest.raises(MtqaError, match="unknown detector"):
        Checker(detectors=["glossary", "grammarly"])
    with pytest.raises(MtqaError, match="unknown model"):
        Checker(lm="gpt-9")
