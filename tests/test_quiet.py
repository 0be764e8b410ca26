"""Quiet by default: no other library's warnings, log lines or progress bars on stderr, unless --verbose."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from mtqa.cli import quiet

MTQA = Path(sys.executable).with_name("mtqa")


def test_library_warnings_are_off_unless_verbose(monkeypatch):
    for name in quiet._ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)  # restored after the test
    with warnings.catch_warnings(record=True) as caught:
        quiet.configure(verbose=False)
        warnings.warn("`past_key_values` is deprecated", FutureWarning)
        assert caught == []
        assert os.environ["TRANSFORMERS_VERBOSITY"] == "error" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
        quiet.configure(verbose=True)
        warnings.warn("`past_key_values` is deprecated", FutureWarning)
        assert [str(w.message) for w in caught] == ["`past_key_values` is deprecated"]
        assert os.environ["TRANSFORMERS_VERBOSITY"] == "warning" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "0"


@pytest.mark.model
def test_check_with_the_real_model_prints_nothing_but_its_own_output(tmp_path):
    article = tmp_path / "short.txt"
    article.write_text("The talks in the mediate East went on for hours, and the result was modest.\n", encoding="utf-8")
    result = subprocess.run([str(MTQA), "check", str(article)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 1 and "Middle East" in result.stdout
    assert result.stderr == ""  # no deprecation lines, no "Loading weights" bar, no Python warnings
    verbose = subprocess.run([str(MTQA), "--verbose", "check", str(article)], capture_output=True, text=True, timeout=900)
    assert verbose.returncode == 1 and verbose.stdout == result.stdout
    assert "Loading weights" in verbose.stderr  # transformers' own progress bar, let through
