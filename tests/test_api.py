"""The Python API, `mtqa.Checker`: its documented examples run, and the real model path works through it."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import mtqa.api
from mtqa import Checker, FixResult
from mtqa.errors import MtqaError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_documented_example_runs() -> None:
    result = doctest.testmod(mtqa.api)
    assert result.attempted >= 4 and result.failed == 0


def test_the_readme_example_prints_what_the_readme_says(tmp_path) -> None:
    """The README's Python API section: its python block, run as a user would, prints its text block."""
    section = README.read_text(encoding="utf-8").split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    expected = section.split("```text\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


def test_fix_results_are_importable_from_the_package() -> None:
    assert FixResult is mtqa.api.FixResult
    assert isinstance(Checker(detectors=["spacing"]).fix("It ended.Then it rained."), FixResult)


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
