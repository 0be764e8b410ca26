"""Speed and memory of the default model path, as ratios to one forward pass.

Run: .venv/bin/python benchmarks/speed.py [ARTICLE.txt] [--repeat 3]

Reports, for the article (default: the seed article, about 1,000 words): model
load time from the safetensors cache, one plain forward pass over the text,
`check` (warm) and `fix` (warm, with the clean seed article as reference), each
as seconds and as a multiple of the forward pass, and the peak resident memory
of `mtqa check` and `mtqa fix` each run alone, as a user runs them, in a fresh
process. Absolute seconds depend on the machine and its load; the ratios are
what the targets are about.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "seeds" / "004_2830f0e07968d65a.txt"


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mb(*cli_args: str) -> float:
    """Peak resident memory (MiB) of one `mtqa` command in a fresh process, as a user runs it.

    Read from the child's own VmHWM: Linux carries `ru_maxrss` across fork and exec, so a child of
    this (large) process would report this process's peak instead of its own.
    """
    script = (
        "import sys\n"
        "from mtqa.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", script, *cli_args], capture_output=True, text=True, check=True)
    return int(done.stderr.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "seeds" / "000_10c6de3dd944f833.txt"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import torch

    from mtqa import pipeline
    from mtqa.pipeline import fix_text
    from mtqa.lm import registry
    from mtqa.text.document import Document

    text = Path(args.article).read_text(encoding="utf-8")
    reference = REFERENCE.read_text(encoding="utf-8")
    words = Document(text).word_count()

    registry.load("smollm2-135m")  # make sure the cache exists before timing loads
    load = statistics.median(best_of(1, lambda: registry.load("smollm2-135m")) for _ in range(args.repeat))
    lm = pipeline.language_model("smollm2-135m")
    tokens = len(lm._encode(text)[0])
    forward = best_of(args.repeat, lambda: lm.analyse([text]))
    detector = pipeline.build_detector(["glossary", "lm", "spacing"])
    check = best_of(args.repeat, lambda: detector.detect(Document(text)))
    fix = best_of(args.repeat, lambda: fix_text(text, ["glossary", "lm", "spacing"], references=[reference]))
    with tempfile.TemporaryDirectory() as scratch:
        check_peak = peak_mb("check", args.article, "--format", "json")
        fix_peak = peak_mb("fix", args.article, "-o", str(Path(scratch) / "out.txt"), "--reference", str(REFERENCE))
    this_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        ("model load from cache", load, None),
        (f"one forward pass ({tokens} tokens)", forward, 1.0),
        ("check (glossary+lm+spacing), warm", check, check / forward),
        ("fix with --reference, warm", fix, fix / forward),
    ]
    print(f"article: {Path(args.article).name}, {words} words; {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}; best of {args.repeat}")
    print("| step | seconds | × forward pass | seconds per 1,000 words |")
    print("|---|---|---|---|")
    for name, seconds, ratio in rows:
        per_k = f"{seconds * 1000 / words:.2f}" if ratio is not None else "–"
        print(f"| {name} | {seconds:.2f} | {ratio:.1f} |  {per_k} |" if ratio is not None else f"| {name} | {seconds:.2f} | – | – |")
    print()
    print("| peak resident memory (MiB) | |")
    print("|---|--:|")
    print(f"| `mtqa check`, alone in a fresh process | {check_peak:.0f} |")
    print(f"| `mtqa fix --reference`, alone in a fresh process | {fix_peak:.0f} |")
    print(f"| this script (several loads, all of the above) | {this_peak:.0f} |")


if __name__ == "__main__":
    main()
