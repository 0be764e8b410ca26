"""Speed and memory of the default model path, as ratios to one forward pass, in each precision.

Run: .venv/bin/python benchmarks/speed.py [ARTICLE.txt] [--repeat 3] [--out benchmarks/results/speed.md]

For the article (default: the seed article, about 1,000 words) and for each precision the CPU
computes natively (fp32 always; bf16 with avx512_bf16 or AMX): one plain forward pass over the
text (tokens per second, and the share of this machine's measured matmul rate it reaches), then
`check` and `fix --reference` warm, as seconds and as a multiple of the forward pass ("passes"),
and for `check` the tokens run through the model per token of text (padding included). Then, as a user meets it:
a fresh `mtqa check` process on four copies of the article (about 4,100 words) against one plain
fp32 forward pass over the same text, and the peak resident memory of `mtqa check` and `mtqa fix`
each alone in a fresh process. Absolute seconds depend on the machine and its load; the ratios
are what the targets are about.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "seeds" / "004_2830f0e07968d65a.txt"
MATMUL = (1371, 576, 1536)  # one MLP projection of a 1,371-token text in SmolLM2-135M


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_gflops(dtype, repeat: int) -> float:
    import torch

    m, k, n = MATMUL
    a, b = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
    seconds = best_of(repeat * 10, lambda: a @ b)
    return 2 * m * k * n / seconds / 1e9


def fresh_process(*cli_args: str) -> tuple[float, float]:
    """(seconds, peak MiB) of one `mtqa` command in a fresh process, import and load included.

    Memory is the child's own VmHWM: Linux carries `ru_maxrss` across fork and exec, so a child of
    this (large) process would report this process's peak instead of its own.
    """
    script = (
        "import sys\n"
        "from mtqa.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr)"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *cli_args], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, int(done.stderr.split()[-1]) / 1024


def model_flops_per_token(lm) -> float:
    """Multiply-adds ×2 a token costs in the layers and the vocabulary head (embedding lookups are free)."""
    body = sum(p.numel() for name, p in lm.model.named_parameters() if "embed_tokens" not in name and p.dim() == 2)
    return 2 * (body + lm._head.numel())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "seeds" / "000_10c6de3dd944f833.txt"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "speed.md")
    args = parser.parse_args()

    import torch

    from mtqa import pipeline
    from mtqa.bench.run import machine_info
    from mtqa.lm.hardware import cpu_flags, cpu_has_native_bf16
    from mtqa.pipeline import fix_text
    from mtqa.text.document import Document

    text = Path(args.article).read_text(encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8")
    words = Document(text).word_count()
    precisions = ["fp32", "bf16"] if cpu_has_native_bf16() else ["fp32"]
    dtypes = {"fp32": torch.float32, "bf16": torch.bfloat16}
    m = machine_info()
    flags = sorted(f for f in cpu_flags() if f.startswith(("avx", "amx", "fma")))
    out = [
        f"# Speed\n\n`benchmarks/speed.py` on {m['date']} (commit {m['commit']}): {m['cpu']}, {m['cpu_count']} CPUs, "
        f"torch {m['torch']} ({m['torch_threads']} threads); best of {args.repeat}.\n\nCPU flags: {' '.join(flags)}\n",
        f"Article: {Path(args.article).name}, {words:,} words.\n",
        "| precision | matmul GFLOP/s | forward pass: s | tokens/s | share of matmul rate | check: s | check passes | check tokens run per token | fix --reference: s | fix passes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    forward_fp32 = None
    for precision in precisions:
        lm = pipeline.language_model("smollm2-135m", precision)
        tokens = len(lm._encode(text)[0]) + 1
        rate = matmul_gflops(dtypes[precision], args.repeat)
        forward = best_of(args.repeat, lambda: lm.analyse([text]))
        forward_fp32 = forward_fp32 or forward
        detector = pipeline.build_detector(["glossary", "lm", "spacing"], models=lambda name, p=precision: pipeline.language_model(name, p))
        detector.detect(Document("The abroad Minister met."))
        lm.work.__init__()
        check = best_of(args.repeat, lambda: detector.detect(Document(text)))
        check_tokens = (lm.work.analysed + lm.work.continued) / args.repeat / tokens
        fix = best_of(args.repeat, lambda: fix_text(text, ["glossary", "lm", "spacing"], references=[reference], precision=precision))
        share = model_flops_per_token(lm) * tokens / forward / 1e9 / rate
        out.append(
            f"| {precision} | {rate:.0f} | {forward:.2f} | {tokens / forward:.0f} | {share:.0%} | {check:.2f} | {check / forward:.1f} | "
            f"{check_tokens:.2f} | {fix:.2f} | {fix / forward:.1f} |"
        )
    with tempfile.TemporaryDirectory() as scratch:
        long_text = Path(scratch) / "four.txt"
        long_text.write_text("\n\n".join([text] * 4), encoding="utf-8")
        long_words = Document(long_text.read_text(encoding="utf-8")).word_count()
        lm32 = pipeline.language_model("smollm2-135m", "fp32")
        long_forward = best_of(args.repeat, lambda: lm32.analyse([long_text.read_text(encoding="utf-8")]))
        rows = []
        for precision in precisions:
            seconds, peak = fresh_process("check", str(long_text), "--format", "json", "--precision", precision)
            rows.append(f"| `mtqa check --precision {precision}`, fresh process | {seconds:.1f} | {seconds / long_forward:.1f} | {peak:.0f} |")
        fix_seconds, fix_peak = fresh_process("fix", args.article, "-o", str(Path(scratch) / "out.txt"), "--reference", str(REFERENCE))
    out += [
        f"\nAs a user meets it: {long_words:,} words (four copies of the article), against one plain fp32 forward pass over the same "
        f"text ({long_forward:.2f} s, warm, in this process).\n",
        "| command | seconds (import and load included) | × fp32 forward pass | peak MiB |",
        "|---|--:|--:|--:|",
        *rows,
        f"| `mtqa fix --reference` on the article, fresh process | {fix_seconds:.1f} | – | {fix_peak:.0f} |",
    ]
    report = "\n".join(out) + "\n"
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
