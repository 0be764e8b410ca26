"""--precision and --device: what `auto` picks, and the same flags from fp32 and bf16 on the real model."""

import pytest
import torch

from mtqa import Checker, pipeline
from mtqa.errors import MtqaError
from mtqa.lm import hardware

TEXT = "The abroad Minister flew to the mediate East. Russia has said she will bring a new draft to the safety Council."
NATIVE_BF16 = hardware.cpu_has_native_bf16()


@pytest.mark.parametrize("flags, expected", [({"avx2", "avx512_bf16"}, "bf16"), ({"amx_bf16"}, "bf16"), ({"avx2", "avx512f"}, "fp32"), (set(), "fp32")])
def test_auto_picks_bf16_only_where_the_cpu_computes_it(monkeypatch, flags, expected):
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(flags))
    assert hardware.resolve_precision("auto", "cpu") == expected
    assert hardware.resolve_precision("auto", "cuda") == "bf16"
    assert hardware.resolve_precision("fp32", "cuda") == "fp32"


def test_unknown_precision_or_device_is_a_clear_error():
    with pytest.raises(MtqaError, match="unknown precision 'fp16'"):
        hardware.resolve_precision("fp16", "cpu")
    with pytest.raises(MtqaError, match="unknown device"):
        hardware.resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: asking for CUDA is not an error here")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(MtqaError, match="no CUDA device"):
        hardware.resolve_device("cuda")


@pytest.mark.skipif(not NATIVE_BF16, reason="this CPU has no avx512_bf16 or amx_bf16: bf16 would be emulated, and auto stays in fp32")
def test_fp32_and_bf16_give_the_same_flags_and_close_log_probabilities():
    fp32, bf16 = (pipeline.language_model("smollm2-135m", p) for p in ("fp32", "bf16"))
    assert next(bf16.model.parameters()).dtype == torch.bfloat16 and bf16._head.dtype == torch.float32  # head and log-softmax in fp32
    a, b = fp32.analyse([TEXT])[0], bf16.analyse([TEXT])[0]
    assert a.spans == b.spans and max(abs(a.logprobs - b.logprobs)) < 3.0  # bits; the bench lists the flags that move
    found = {p: [(f.text, f.best) for f in Checker(precision=p).check(TEXT)] for p in ("fp32", "bf16")}
    assert found["fp32"] == found["bf16"] and ("she", "it") in found["fp32"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here (the default install is the CPU build of torch)")
def test_the_same_code_path_runs_on_cuda():
    flags = Checker(device="cuda").check(TEXT)
    assert ("she", "it") in [(f.text, f.best) for f in flags]
    assert next(pipeline.language_model("smollm2-135m", "auto", "cuda").model.parameters()).is_cuda
