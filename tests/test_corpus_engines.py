"""Corpus mode for real: a local process pool, Ray, and runs killed with SIGINT and SIGKILL, then resumed.

Every run here is the installed `mtqa` in its own process, as a user starts it. The Ray tests start
a real Ray instance on loopback (127.0.0.1) with two CPUs, either the private one `mtqa corpus`
starts itself or a cluster head (`ray start --head --block`) that runs join with --ray-address;
without Ray installed (`pip install 'mtqa[ray]'`) they skip. After each test, no process it
started is left running: leftovers are reported, then ended by their process id.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED

MTQA = Path(sys.executable).with_name("mtqa")
RAY = Path(sys.executable).with_name("ray")
FAST = ["-d", "glossary,spacing"]
SLOW = ["-d", "glossary,lm,spacing", "--lm", "trigram"]  # about 0.5 s an article: slow enough to interrupt
# Ray keeps to loopback when it is imported with this set (see mtqa.corpus.ray_engine.import_ray).
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}

needs_ray = pytest.mark.skipif(not RAY.exists(), reason="Ray is not installed (pip install 'mtqa[ray]')")


def corpus_file(path: Path, count: int) -> Path:
    """`count` articles in JSONL: the seed article and parts of it, one malformed line and one duplicate id."""
    text = SEED.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if len(p.split()) > 30]
    lines = [json.dumps({"id": f"art-{i:03d}", "text": text if i % 3 == 0 else paragraphs[i % len(paragraphs)]}) for i in range(count)]
    lines[1] = '{"id": "art-001", "text": "unterminated'
    lines.append(json.dumps({"id": "art-000", "text": "again"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def session_processes(session: int) -> list[int]:
    """The processes of a session (its leader's pid) that are still running: every process a run started."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":  # field 6 of stat: the session id
            found.append(int(entry.name))
    return found


def end_leftovers(session: int, grace: float = 20.0) -> list[int]:
    """Wait for a session's processes to exit; those that do not are killed, by pid, and returned."""
    deadline = time.monotonic() + grace
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(MTQA), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # its own session: every process it starts can be found afterwards
        # A job started in the background of a non-interactive shell inherits SIGINT ignored, and
        # Python then installs no KeyboardInterrupt handler: give the run Ctrl-C as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        left = end_leftovers(process.pid)
    assert not left, f"processes left running after the run: {left}"
    return process.returncode, stdout, stderr


def corpus(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return finish(start("corpus", *args, env=env))


def ids_of(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, bytes]:
    """A 12-article corpus and its records from an uninterrupted in-process run."""
    folder = tmp_path_factory.mktemp("corpus")
    source = corpus_file(folder / "in.jsonl", 12)
    code, _, stderr = corpus(source, "-o", folder / "reference.jsonl", *FAST)
    assert code == 0, stderr
    return source, (folder / "reference.jsonl").read_bytes()


def test_a_local_process_pool_gives_the_same_records(reference, tmp_path):
    source, expected = reference
    code, stdout, stderr = corpus(source, "-o", tmp_path / "out.jsonl", *FAST, "--jobs", "2")
    assert code == 0, stderr
    assert (tmp_path / "out.jsonl").read_bytes() == expected


@needs_ray
def test_ray_on_a_private_local_instance_gives_the_same_records(reference, tmp_path):
    source, expected = reference
    code, stdout, stderr = corpus(source, "-o", tmp_path / "out.jsonl", *FAST, "--engine", "ray", "--jobs", "2")
    assert code == 0, stderr
    assert "Ray start-up" in stdout and stderr == ""  # quiet: nothing from Ray on the terminal
    assert (tmp_path / "out.jsonl").read_bytes() == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A real Ray cluster head on loopback with two CPUs, as `ray start --head` makes one; its address."""
    if not RAY.exists():
        pytest.skip("Ray is not installed (pip install 'mtqa[ray]')")
    folder = tmp_path_factory.mktemp("ray")
    port = free_port()
    log = (folder / "head.log").open("w")
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2",
         "--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", str(folder / "tmp")],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **RAY_ENV}, start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while "Ray runtime started" not in (folder / "head.log").read_text() and head.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    try:
        assert head.poll() is None and "Ray runtime started" in (folder / "head.log").read_text(), (folder / "head.log").read_text()
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()  # `ray start --block` stops every process it started
        head.wait(timeout=120)
        log.close()
        end_leftovers(head.pid)


def test_ray_joining_a_cluster_gives_the_same_records(reference, ray_cluster, tmp_path):
    source, expected = reference
    code, stdout, stderr = corpus(source, "-o", tmp_path / "out.jsonl", *FAST, "--engine", "ray", "--jobs", "2", "--ray-address", ray_cluster, env=RAY_ENV)
    assert code == 0, stderr
    assert (tmp_path / "out.jsonl").read_bytes() == expected


def test_an_unreachable_cluster_is_a_one_line_error(tmp_path):
    if not RAY.exists():
        pytest.skip("Ray is not installed (pip install 'mtqa[ray]')")
    source = corpus_file(tmp_path / "in.jsonl", 2)
    code, stdout, stderr = corpus(source, "-o", tmp_path / "out.jsonl", *FAST, "--engine", "ray", "--ray-address", f"127.0.0.1:{free_port()}")
    assert code == 2 and stderr.startswith("mtqa: error: cannot reach the Ray cluster at 127.0.0.1:") and len(stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def interrupt(args: list[str], out: Path, how: signal.Signals, env: dict[str, str] | None = None, after: int = 3) -> tuple[int, str]:
    """Start a run, wait until it has written `after` records, then send it `how`."""
    process = start("corpus", *args, "-o", out, env=env)
    partial = out.with_name(out.name + ".partial")
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if partial.exists() and partial.read_bytes().count(b"\n") >= after:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(how)
    code, _, stderr = finish(process, timeout=120)
    return code, stderr


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("jobs", ["1", "2"], ids=["in-process", "process-pool"])
def test_a_killed_run_is_completed_by_resume_with_every_id_once(tmp_path, how, jobs):
    """After SIGKILL too, no pool process outlives the run (`finish` checks the run's session)."""
    source = corpus_file(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    code, stderr = interrupt([str(source), *SLOW, "--jobs", jobs], out, how)
    if how == signal.SIGINT:
        assert code == 130 and "--resume completes it" in stderr and "Traceback" not in stderr
    else:
        assert code == -signal.SIGKILL
    assert not out.exists()
    done = (tmp_path / "out.jsonl.partial").read_bytes()
    records = done.count(b"\n")
    assert 3 <= records < 31
    code, stdout, stderr = corpus(source, "-o", out, *SLOW, "--resume")
    assert code == 0, stderr
    assert f"31 articles ({records} already done)" in stdout
    lines = out.read_bytes().splitlines(keepends=True)
    assert b"".join(lines).startswith(done[: done.rfind(b"\n") + 1])  # what was written stays as it was
    ids = ids_of(out)
    assert ids == [f"art-{i:03d}" if i != 1 else "line 2" for i in range(30)] + ["art-000"]  # input order, each article once
    by_id = {json.loads(line)["id"]: line for line in lines[:-1]}
    assert by_id["art-003"] == by_id["art-000"].replace(b"art-000", b"art-003")  # same text, same record


@needs_ray
def test_ctrl_c_stops_a_private_ray_instance_and_leaves_nothing_running(tmp_path):
    source = corpus_file(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    code, stderr = interrupt([str(source), *SLOW, "--engine", "ray", "--jobs", "2"], out, signal.SIGINT, after=2)
    assert code == 130 and "--resume completes it" in stderr and "Traceback" not in stderr  # and finish() found no process left
    code, _, stderr = corpus(source, "-o", out, *SLOW, "--resume")
    assert code == 0, stderr
    assert ids_of(out) == [f"art-{i:03d}" if i != 1 else "line 2" for i in range(30)] + ["art-000"]


def test_a_run_on_a_cluster_killed_with_sigkill_is_completed_by_resume(ray_cluster, tmp_path):
    source = corpus_file(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    args = [str(source), *SLOW, "--engine", "ray", "--jobs", "2", "--ray-address", ray_cluster]
    code, _ = interrupt(args, out, signal.SIGKILL, env=RAY_ENV)
    assert code == -signal.SIGKILL
    code, stdout, stderr = corpus(*args[:1], "-o", out, *args[1:], "--resume", env=RAY_ENV)
    assert code == 0, stderr
    assert ids_of(out) == [f"art-{i:03d}" if i != 1 else "line 2" for i in range(30)] + ["art-000"]
    by_id = {json.loads(line)["id"]: line for line in out.read_bytes().splitlines()[:-1]}
    assert by_id["art-027"] == by_id["art-000"].replace(b"art-000", b"art-027")  # same text, same record


@pytest.mark.model
def test_the_real_model_gives_the_same_records_on_ray_and_locally(ray_cluster, tmp_path):
    """The default detectors with SmolLM2: two local processes and two Ray actors, one torch thread each."""
    text = SEED.read_text(encoding="utf-8")
    clean = (SEED.parent / "004_2830f0e07968d65a.txt").read_text(encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (("seed", text[:2000]), ("clean", clean[:2000]))), encoding="utf-8")
    code, _, stderr = corpus(source, "-o", tmp_path / "local.jsonl", "--jobs", "2")
    assert code == 0, stderr
    code, _, stderr = corpus(source, "-o", tmp_path / "ray.jsonl", "--engine", "ray", "--jobs", "2", "--ray-address", ray_cluster, env=RAY_ENV)
    assert code == 0, stderr
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    seed, clean_record = map(json.loads, (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines())
    assert any(f["source"] == "lm" for f in seed["flags"])
    assert seed["damage"] > 0.5 > clean_record["damage"]
