"""Corpus mode throughput: `--engine local` against `--engine ray`, with 1 and 2 workers, on one machine.

Run: .venv/bin/python benchmarks/corpus_scale.py [--articles 20] [--words 100] [--repeat 1] [--detectors glossary,lm,spacing]

Builds a corpus of ARTICLES articles of about WORDS words (runs of paragraphs from the benchmark
sets' texts), then runs `mtqa corpus` on it in a fresh process for each engine and worker count,
alternating local and Ray so that a machine whose load drifts affects both alike (with --repeat 2,
the second round runs in reverse order). It reports, per run: wall time of the whole command
(Python start, model loads, Ray start-up, checking, writing), words per second, Ray's own start-up
(`ray.init`, as `mtqa corpus` reports it), and the peak memory of the largest process it runs
(a worker, when the model is loaded; sampled from /proc); and Ray's
overhead as a share of local throughput at the same worker count, with and without its start-up.
A last run joins a Ray head started beforehand (`ray start --head` on loopback), which is how a
long-lived cluster amortises Ray's start-up over many runs. Writes `benchmarks/results/corpus-scale.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from damage_eval import cpu  # noqa: E402
from fit_damage import commit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MTQA = Path(sys.executable).with_name("mtqa")
RAY = Path(sys.executable).with_name("ray")
# A cluster on loopback, joined by its address with the token `ray start` made (see README, "Corpus mode").
LOOPBACK_RAY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}
SETS = ("clean", "synthetic-dev", "synthetic-heldout", "seed-article")
def build_corpus(path: Path, articles: int, words: int) -> list[int]:
    """`articles` runs of whole paragraphs of about `words` words; each one's word count (whitespace)."""
    paragraphs = []
    for name in SETS:
        for line in (ROOT / "benchmarks" / "sets" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            paragraphs += [p for p in json.loads(line)["text"].split("\n") if len(p.split()) >= 20]
    out, counts, k = [], [], 0
    for i in range(articles):
        chosen = []
        while sum(len(p.split()) for p in chosen) < words:
            chosen.append(paragraphs[k % len(paragraphs)])
            k += 1
        text = "\n\n".join(chosen)
        counts.append(len(text.split()))
        out.append(json.dumps({"id": f"scale-{i:02d}", "text": text}))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return counts


def descendants(roots: set[int]) -> set[int]:
    """`roots` and every process below them, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, grew = set(roots), True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in found} - found
        found |= below
        grew = bool(below)
    return found


def peak_kb(pid: int) -> int:
    """A process's peak resident memory so far (VmHWM), 0 once it is gone."""
    try:
        return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def run(source: Path, out: Path, engine: str, jobs: int, detectors: str, address: str | None = None, head: int | None = None) -> dict:
    """One `mtqa corpus` process, timed; the peak memory of the largest process it (or, joined, the
    cluster head) runs, sampled from /proc twice a second."""
    out.unlink(missing_ok=True)
    command = [str(MTQA), "corpus", str(source), "-o", str(out), "-d", detectors, "--engine", engine, "--jobs", str(jobs)]
    command += ["--ray-address", address] if address else []
    env = {**os.environ, **LOOPBACK_RAY} if address else None
    partial = out.with_name(out.name + ".partial")
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    largest, first_record, last_record = 0, None, None
    while process.poll() is None:
        largest = max([largest, *(peak_kb(pid) for pid in descendants({process.pid, *([head] if head else [])}) - {head})])
        written = partial.read_bytes().count(b"\n") if partial.exists() else 0
        now = time.perf_counter() - began
        first_record = first_record if first_record is not None or not written else now
        last_record = now if written else last_record
        time.sleep(0.5)
    seconds = time.perf_counter() - began
    output = process.stdout.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    startup = re.search(r"Ray start-up ([\d.]+) s", output)
    return {
        "engine": f"{engine} (joined a running cluster)" if address else engine,
        "jobs": jobs,
        "seconds": seconds,
        "first_record": first_record if first_record is not None else seconds,  # start-up, model loads and the first article
        "steady": (last_record or seconds) - (first_record if first_record is not None else 0.0),  # the other articles
        "ray_startup": float(startup.group(1)) if startup else 0.0,
        "peak_mb": largest / 1024,
        "records": out.read_bytes(),
    }


@contextmanager
def cluster(folder: Path) -> Iterator[tuple[str, int]]:
    """A Ray head on loopback with this machine's cores, started before the runs that join it: the
    start-up a long-lived cluster pays once. Yields its address and the head process's pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "head.log"
    with log.open("w") as handle:
        head = subprocess.Popen(
            [str(RAY), "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(port),
             "--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", str(folder / "ray")],
            stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **LOOPBACK_RAY},
        )
        try:
            while "Ray runtime started" not in log.read_text():
                if head.poll() is not None:
                    raise SystemExit(f"ray start failed:\n{log.read_text()}")
                time.sleep(0.5)
            yield f"127.0.0.1:{port}", head.pid
        finally:
            head.terminate()  # `ray start --block` stops every process it started
            head.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--words", type=int, default=100, help="about this many words an article")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the second runs in reverse order")
    parser.add_argument("--detectors", default="glossary,lm,spacing")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "corpus-scale.md")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mtqa-scale-"))
    source = folder / "corpus.jsonl"
    counts = build_corpus(source, args.articles, args.words)
    words, later = sum(counts), sum(counts[1:])  # all words; those after the first article
    workers = [int(n) for n in args.workers.split(",")]
    plan = [(engine, jobs) for jobs in workers for engine in ("local", "ray")]
    runs = []
    began = time.perf_counter()
    for round_ in range(args.repeat):
        for engine, jobs in plan if round_ % 2 == 0 else plan[::-1]:
            result = run(source, folder / f"{engine}-{jobs}.jsonl", engine, jobs, args.detectors)
            runs.append(result)
            print(f"{engine} --jobs {jobs}: {result['seconds']:.1f} s ({words / result['seconds']:.1f} words/s), first record "
                  f"{result['first_record']:.1f} s, Ray start-up {result['ray_startup']:.1f} s, peak {result['peak_mb']:.0f} MB", file=sys.stderr)
    with cluster(folder) as (address, head):
        result = run(source, folder / "joined.jsonl", "ray", 2, args.detectors, address, head)
        runs.append(result)
    same = len({r["records"] for r in runs}) == 1
    lines = [
        "# Corpus mode: local and Ray throughput on one machine",
        "",
        f"`benchmarks/corpus_scale.py --articles {args.articles} --words {args.words} --repeat {args.repeat} --detectors {args.detectors} "
        f"--workers {args.workers}` "
        f"at commit {commit()}, {time.perf_counter() - began:.0f} s in all. CPU: {cpu()}. Corpus: {args.articles} articles, "
        f"{words:,} words (runs of paragraphs of the benchmark sets). Every run is a fresh `mtqa corpus` process; local and "
        "Ray alternate. Records identical across all runs: " + ("yes" if same else "**no**") + ".",
        "",
        "wall s: the whole command. first record s: from its start to the first record written (Python, Ray start-up, "
        "workers and models loading, one article). later words/s: the other articles, from the first record to the last "
        "(what a long corpus sees; polled every 0.5 s).",
        "",
        "| engine | workers | torch threads each | wall s | words/s | Ray start-up s | first record s | later words/s | peak MB (largest process) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        lines.append(
            f"| {r['engine']} | {r['jobs']} | {max(1, 2 // r['jobs'])} | {r['seconds']:.1f} | {words / r['seconds']:.1f} | "
            f"{r['ray_startup']:.1f} | {r['first_record']:.1f} | {later / max(r['steady'], 0.5):.1f} | {r['peak_mb']:,.0f} |"
        )
    lines += ["", "Ray overhead: the share of local throughput that Ray loses at the same worker count (1 − local time / Ray time).", "",
              "| workers | local words/s | Ray words/s | Ray overhead, whole command | without Ray's start-up | after the first record | joined a running cluster, whole command |",
              "|--:|--:|--:|--:|--:|--:|--:|"]
    for jobs in workers:
        def mean(key: str, engine: str) -> float:
            return statistics.mean(r[key] for r in runs if r["engine"] == engine and r["jobs"] == jobs)

        local, ray = mean("seconds", "local"), mean("seconds", "ray")
        joined = [r["seconds"] for r in runs if r["engine"].startswith("ray (") and r["jobs"] == jobs]
        lines.append(
            f"| {jobs} | {words / local:.1f} | {words / ray:.1f} | {1 - local / ray:.1%} | {1 - local / (ray - mean('ray_startup', 'ray')):.1%} | "
            f"{1 - mean('steady', 'local') / mean('steady', 'ray'):.1%} | " + (f"{1 - local / statistics.mean(joined):.1%} |" if joined else "– |")
        )
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
