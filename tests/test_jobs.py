"""Many inputs in one process, and over worker processes with --jobs.

`--jobs N` must give what `--jobs 1` gives, in the same order; each worker gets its share of the
cores; Ctrl-C stops the workers and leaves no output behind. The commands run as real processes
(a worker is a real process too); the LM runs as the trigram model, not the transformer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtqa import pipeline
from mtqa.api import Checker
from mtqa.cli import runner
from mtqa.cli.inputs import Source
from mtqa.lm import registry

from tests.conftest import run

MTQA = Path(sys.executable).with_name("mtqa")
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting.\n"
CLEAN = "The cat sat on the mat. It was warm and the sun was out.\n"


def run_process(*args, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(MTQA), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.fixture
def folder(tmp_path, seed_text) -> Path:
    texts = tmp_path / "texts"
    texts.mkdir()
    for name, text in {"1.txt": DAMAGED, "2.txt": seed_text, "3.txt": CLEAN, "4.txt": DAMAGED * 3, "5.txt": seed_text[:800]}.items():
        (texts / name).write_text(text, encoding="utf-8")
    return texts


def test_check_with_two_jobs_gives_what_one_job_gives(folder):
    for output in ("text", "json"):
        one = run_process("check", folder, "--lm", "trigram", "-f", output)
        two = run_process("check", folder, "--lm", "trigram", "-f", output, "--jobs", "2")
        assert one.returncode == two.returncode == 1, two.stderr
        assert two.stdout == one.stdout and two.stderr == one.stderr == ""
    assert [f["path"] for f in json.loads(two.stdout)["files"]] == [str(folder / f"{n}.txt") for n in range(1, 6)]


def test_fix_with_two_jobs_writes_what_one_job_writes_and_goes_on_after_a_bad_file(folder, tmp_path):
    (folder / "0.txt").write_bytes(b"Caf\xe9 society.\n")
    one = run_process("fix", folder, "--out-dir", tmp_path / "one", "--lm", "trigram")
    two = run_process("fix", folder, "--out-dir", tmp_path / "two", "--lm", "trigram", "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert two.stdout == one.stdout.replace(str(tmp_path / "one"), str(tmp_path / "two")) and two.stderr == one.stderr
    assert two.stderr.startswith(f"mtqa: error: {folder / '0.txt'}: not valid utf-8")
    names = [f"{n}.txt" for n in range(1, 6)]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == names
    assert all((tmp_path / "one" / n).read_bytes() == (tmp_path / "two" / n).read_bytes() for n in names)


def test_one_checker_loads_the_model_once_for_many_files(capsys, monkeypatch, folder):
    loads: list[str] = []
    real = registry.load

    def counted(name, *args, **kwargs):
        loads.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(registry, "load", counted)
    pipeline.language_model.cache_clear()
    try:
        code, _, stderr = run(capsys, monkeypatch, "check", *sorted(folder.iterdir()), "-d", "lm", "--lm", "trigram")
        assert code == 1, stderr
        assert loads == ["trigram"]
        code, _, stderr = run(capsys, monkeypatch, "fix", folder, "--out-dir", folder.parent / "out", "-d", "lm", "--lm", "trigram")
        assert code == 0, stderr
        assert loads == ["trigram"]  # still loaded, not loaded again
    finally:
        pipeline.language_model.cache_clear()


def worker_threads(checker: Checker, source: Source, progress: runner.ProgressFn) -> tuple[int, int, str]:
    """A runner task that reports where it ran: its process, its torch threads, and its input."""
    import torch

    return os.getpid(), torch.get_num_threads(), source.name


def test_workers_split_the_cores_and_results_keep_input_order():
    sources = [Source(f"text-{n}", None, None, b"") for n in range(6)]
    checker = Checker(detectors=["lm"], lm="trigram")
    results = list(runner.run(worker_threads, sources, checker, jobs=2, verb="testing"))
    assert [name for *_, name in results] == [s.name for s in sources]
    workers = {pid for pid, *_ in results}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2
    assert {threads for _, threads, _ in results} == {max(1, runner.usable_cpus() // 2)}
    assert list(runner.run(worker_threads, sources[:1], checker, jobs=4, verb="testing"))[0][0] == os.getpid()  # one input: no workers


def reports_half_done(checker: Checker, source: Source, progress: runner.ProgressFn) -> str:
    """A runner task that says it is half done, then that it is done."""
    progress(50, 100)
    return source.name


def test_progress_from_workers_reaches_the_display(monkeypatch):
    heard: list[tuple[int, int, int]] = []
    monkeypatch.setattr(runner.Display, "advance", lambda self, index, done, total: heard.append((index, done, total)))
    sources = [Source(f"text-{n}", None, None, b"") for n in range(4)]
    results = list(runner.run(reports_half_done, sources, Checker(detectors=["spacing"]), jobs=2, verb="testing"))
    assert results == [s.name for s in sources]
    assert sorted(heard) == [(n, 50, 100) for n in range(4)]


def _workers(pid: int, ready: bool) -> list[int]:
    """The worker processes of `pid` (spawned ones, not multiprocessing's resource tracker); `ready`: only
    those that have loaded the trigram LM, so are working."""
    try:
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    except OSError:
        return []
    spawned = [c for c in children if "spawn_main" in _read(f"/proc/{c}/cmdline")]
    return [c for c in spawned if "pocketsphinx" in _read(f"/proc/{c}/maps")] if ready else spawned


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find the worker processes")
@pytest.mark.parametrize("when", ["starting", "fixing"])
def test_ctrl_c_stops_the_workers_and_leaves_no_output(tmp_path, seed_text, when):
    texts = tmp_path / "texts"
    texts.mkdir()
    for n in range(3):
        # Far more work than the 120 s this test waits for the run to end: workers that went on with
        # their file instead of being stopped would keep the run going past it.
        (texts / f"{n}.txt").write_text(seed_text * 400, encoding="utf-8")
    process = subprocess.Popen(
        [str(MTQA), "fix", str(texts), "--out-dir", str(tmp_path / "out"), "--lm", "trigram", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal's Ctrl-C would find it
        start_new_session=True,  # its own process group, which Ctrl-C is sent to, workers and all
    )
    try:
        deadline = time.monotonic() + 300
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            workers = _workers(process.pid, ready=when == "fixing")
        assert len(workers) == 2 and process.poll() is None, f"the workers did not start {when}"
        if when == "fixing":
            time.sleep(2.0)  # well into the fix
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr  # from the parent or a worker
        assert not [pid for pid in workers if _alive(pid)]
    finally:  # a failed run must not leave the command or its workers running
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # all gone, as they should be
        process.wait()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing written, not even a temporary file


def _alive(pid: int) -> bool:
    status = _read(f"/proc/{pid}/status")
    return bool(status) and "zombie" not in status


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""
