"""Where a model runs and in what precision: `--device auto|cpu|cuda`, `--precision auto|fp32|bf16`.

`auto` picks CUDA when torch sees a GPU, and bf16 where the hardware computes it natively: on CUDA,
and on CPUs with AVX-512 BF16 or AMX (read from /proc/cpuinfo). Elsewhere bf16 would be emulated,
slower than fp32, so `auto` stays in fp32 there without a word.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from mtqa.errors import MtqaError

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")
NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux); empty where /proc/cpuinfo is not readable."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def cpu_has_native_bf16() -> bool:
    return any(flag in cpu_flags() for flag in NATIVE_BF16_FLAGS)


def resolve_device(device: str) -> str:
    import torch

    if device not in DEVICES:
        raise MtqaError(f"unknown device {device!r}; choose from {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise MtqaError("--device cuda: torch sees no CUDA device here (the default install is the CPU build of torch)")
    return device


def resolve_precision(precision: str, device: str) -> str:
    """"fp32" or "bf16" for a resolved device."""
    if precision not in PRECISIONS:
        raise MtqaError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    return "bf16" if device == "cuda" or cpu_has_native_bf16() else "fp32"
