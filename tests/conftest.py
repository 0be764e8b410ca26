"""Shared fixtures. The real default model is loaded once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_10c6de3dd944f833.txt"
CLEAN_SEED = ROOT / "seeds" / "004_2830f0e07968d65a.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def clean_seed_text() -> str:
    return CLEAN_SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def smollm():
    from mtqa import pipeline

    return pipeline.language_model("smollm2-135m")


@pytest.fixture(scope="session")
def trigram():
    from mtqa import pipeline

    return pipeline.language_model("trigram")


def run(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """`mtqa ARGS` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["mtqa", *map(str, args)])
    capsys.readouterr()
    from mtqa import cli

    with pytest.raises(SystemExit) as done:
        cli.main()
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err
