"""The command line as a user meets it: exit codes, one-line errors, batches, output formats.

Most tests call `mtqa.cli.main()` in-process (fast: models and glossary stay loaded); a few run
the installed `mtqa` script in a subprocess, the faithful check that no traceback escapes and
that the process really exits with the documented code. None loads the transformer model:
they use `-d glossary,spacing` or `--lm trigram`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mtqa import pipeline
from mtqa.lm import registry

from tests.conftest import run

MTQA = Path(sys.executable).with_name("mtqa")
FAST = ["-d", "glossary,spacing"]
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting.\n"
CLEAN = "The cat sat on the mat. It was warm and the sun was out.\n"


def run_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(MTQA), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def one_error_line(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mtqa: error: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "damaged.txt").write_text(DAMAGED, encoding="utf-8")
    (tmp_path / "clean.txt").write_text(CLEAN, encoding="utf-8")
    return tmp_path


# -- real processes: exit codes and no tracebacks ------------------------------------------------


def test_missing_file_is_one_line_exit_2_and_no_summary(tmp_path):
    result = run_process("check", tmp_path / "missing.txt", *FAST)
    assert result.returncode == 2
    assert result.stdout == ""  # in particular no "0 flag(s)" summary
    one_error_line(result.stderr, "missing.txt", "no such file")


def test_batch_goes_on_after_a_bad_file_and_exits_2(files):
    result = run_process("check", files / "damaged.txt", files / "missing.txt", files / "clean.txt", *FAST)
    assert result.returncode == 2
    assert "abroad Minister" in result.stdout and "Foreign Minister" in result.stdout
    assert "2 flag(s) in 2 file(s)" in result.stdout
    one_error_line(result.stderr, "missing.txt")


def test_usage_errors_are_one_line_exit_2(files):
    result = run_process("check", files / "damaged.txt", *FAST, "--threshold", "3")
    assert result.returncode == 2 and result.stdout == ""
    one_error_line(result.stderr, "--threshold")


@pytest.mark.parametrize(
    "args",
    [["check"], ["check", "--no-such-option", "x.txt"], ["frobnicate"], ["fix", "x.txt", "--min-score", "2", "-o", "y.txt"]],
)
def test_more_usage_errors(capsys, monkeypatch, args):
    code, stdout, stderr = run(capsys, monkeypatch, *args)
    assert code == 2 and stdout == ""
    one_error_line(stderr, "--help")


def test_exit_codes_0_clean_1_flagged(capsys, monkeypatch, files):
    assert run(capsys, monkeypatch, "check", files / "clean.txt", *FAST)[0] == 0
    assert run(capsys, monkeypatch, "check", files / "damaged.txt", *FAST)[0] == 1


def _loaded(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc to see when the run has started")
def test_ctrl_c_exits_130_and_leaves_no_partial_output(tmp_path, seed_text):
    source = tmp_path / "long.txt"
    source.write_text(seed_text * 40, encoding="utf-8")  # a fix of about 20 s with the trigram LM
    target = tmp_path / "out.txt"
    process = subprocess.Popen(
        [str(MTQA), "fix", str(source), "-o", str(target), "--lm", "trigram", "--report", str(tmp_path / "r.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A job started in the background of a non-interactive shell inherits SIGINT ignored, and
        # Python then installs no KeyboardInterrupt handler: give the child Ctrl-C as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not _loaded(process.pid, "pocketsphinx") and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # wait for the trigram LM to load: the fix itself has started
    time.sleep(2.0)  # well into the fix, past start-up
    assert process.poll() is None, "the fix ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.txt"]  # no output, no report, no temporary file


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path, seed_text):
    """`mtqa check … | head -1`: the closed pipe stops mtqa without a traceback or an error line, for
    text and JSON output alike (typer's convention: exit 1, the reader has gone)."""
    source = tmp_path / "seed.txt"
    source.write_text(seed_text * 40, encoding="utf-8")  # flags enough to fill the pipe's buffer many times
    for form in ("text", "json"):
        process = subprocess.Popen([str(MTQA), "check", str(source), *FAST, "-f", form], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away after one line, as `head -1` does
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 1, stderr
        assert first.startswith(str(source).encode() if form == "text" else b"{") and stderr == ""


# -- bad input, in-process -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, needles",
    [
        (lambda d: d, ["no files matching *.txt"]),
        (lambda d: _write(d / "bin.dat", bytes(range(256)) * 8), ["binary"]),
        (lambda d: _write(d / "l1.txt", "Caf\u00e9 society.\n".encode("latin-1")), ["not valid utf-8 at byte 3", "--encoding"]),
        (lambda d: _write(d / "u16.txt", "Hello there.\n".encode("utf-16")), ["UTF-16", "--encoding utf-16"]),
    ],
    ids=["folder", "binary", "latin-1", "utf-16"],
)
def test_bad_input_files(capsys, monkeypatch, tmp_path, make, needles):
    path = make(tmp_path)
    code, stdout, stderr = run(capsys, monkeypatch, "check", path, *FAST)
    assert code == 2 and stdout == ""
    one_error_line(stderr, *needles)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_encoding_option_reads_other_encodings(capsys, monkeypatch, tmp_path):
    path = _write(tmp_path / "l1.txt", "Caf\u00e9 owners said the abroad Minister came.\n".encode("latin-1"))
    code, stdout, stderr = run(capsys, monkeypatch, "check", path, *FAST, "--encoding", "latin-1", "-f", "json")
    assert code == 1, stderr
    flag = json.loads(stdout)["files"][0]["flags"][0]
    assert flag["text"] == "abroad Minister" and flag["start"] == len("Caf\u00e9 owners said the ")
    code, _, stderr = run(capsys, monkeypatch, "check", path, *FAST, "--encoding", "no-such-codec")
    assert code == 2
    one_error_line(stderr, "unknown encoding")


def test_unreadable_file(capsys, monkeypatch, tmp_path):
    path = _write(tmp_path / "secret.txt", b"Some text.\n")
    if os.geteuid() != 0:  # root reads through chmod 000
        path.chmod(0)
    else:
        real = Path.read_bytes

        def denied(self):
            if self.name == "secret.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    try:
        code, stdout, stderr = run(capsys, monkeypatch, "check", path, *FAST)
    finally:
        path.chmod(0o644)
    assert code == 2 and stdout == ""
    one_error_line(stderr, "secret.txt", "Permission denied")


@pytest.mark.parametrize(
    "content, needles",
    [
        ("- id: bad\n  wrong: [unclosed\n", ["broken.yaml:3", "invalid YAML"]),
        ("- id: ok-entry\n  wrong: abroad\n  right: foreign\n  kind: term\n  prior: 0.9\n  message: x\n- id: Bad Id\n", ["broken.yaml:7", "lacks"]),
        ("- id: tagged\n  wrong: !!python/object/apply:os.system ['echo hacked']\n", ["broken.yaml:2", "invalid YAML"]),
    ],
    ids=["syntax", "entry", "python-tag"],
)
def test_broken_glossary_names_the_line(capsys, monkeypatch, files, content, needles):
    glossary = files / "broken.yaml"
    glossary.write_text(content, encoding="utf-8")
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", "-d", "glossary", "--glossary", glossary)
    assert code == 2 and stdout == ""
    one_error_line(stderr, *needles)


def test_missing_glossary_file(capsys, monkeypatch, files):
    code, _, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", "-d", "glossary", "--glossary", files / "nope.yaml")
    assert code == 2
    one_error_line(stderr, "nope.yaml")


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--lm", "nope"], ["unknown model 'nope'", "mtqa models"]),
        (["-d", "glossary,nope"], ["unknown detector", "nope"]),
        (["-d", ","], ["unknown detector"]),
        (["--format", "xml", *FAST], ["unknown format 'xml'"]),
    ],
)
def test_bad_options(capsys, monkeypatch, files, args, needles):
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", *args)
    assert code == 2 and stdout == ""
    one_error_line(stderr, *needles)


def test_unknown_model_is_reported_even_when_nothing_needs_it(capsys, monkeypatch, tmp_path):
    empty = _write(tmp_path / "empty.txt", b"")
    code, _, stderr = run(capsys, monkeypatch, "check", empty, "--lm", "nope")
    assert code == 2
    one_error_line(stderr, "unknown model")


@pytest.mark.parametrize("model", ["trigram", "smollm2-135m"])
def test_model_sha256_mismatch(capsys, monkeypatch, files, model):
    models = registry.registry()
    monkeypatch.setitem(models, model, replace(models[model], sha256="0" * 64))
    pipeline.language_model.cache_clear()
    try:
        code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", "-d", "lm", "--lm", model)
        assert code == 2 and stdout == ""
        one_error_line(stderr, "sha256", "reinstall")
        code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", "-d", "glossary,lm", "--lm", model, "-f", "json")
        assert code == 2
        assert "sha256" in json.loads(stdout)["errors"][0]["message"]  # stdout stays one valid JSON document
    finally:
        pipeline.language_model.cache_clear()


def test_model_not_installed(capsys, monkeypatch, files):
    models = registry.registry()
    monkeypatch.setitem(models, "trigram", replace(models["trigram"], package="no-such-package-mtqa"))
    pipeline.language_model.cache_clear()
    try:
        code, _, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", "-d", "lm", "--lm", "trigram")
    finally:
        pipeline.language_model.cache_clear()
    assert code == 2
    one_error_line(stderr, "not installed", "pip install")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n", b"\xef\xbb\xbf\r\n"])
def test_empty_or_blank_file_is_nothing_to_check(capsys, monkeypatch, tmp_path, content):
    path = _write(tmp_path / "blank.txt", content)
    code, stdout, stderr = run(capsys, monkeypatch, "check", path)  # default detectors: no model is loaded for it
    assert code == 0 and stdout == ""
    assert "nothing to check" in stderr and "error" not in stderr
    code, stdout, _ = run(capsys, monkeypatch, "check", path, "-f", "json")
    assert code == 0 and json.loads(stdout) == {"version": 1, "files": [{"path": str(path), "flags": []}]}
    out = tmp_path / "out.txt"
    code, _, stderr = run(capsys, monkeypatch, "fix", path, "-o", out)
    assert code == 0 and "nothing to check" in stderr
    assert out.read_bytes() == content


def test_json_output_shape_and_errors(capsys, monkeypatch, files):
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", files / "missing.txt", files / "clean.txt", *FAST, "-f", "json")
    assert code == 2
    payload = json.loads(stdout)
    assert payload["version"] == 1
    assert [f["path"] for f in payload["files"]] == [str(files / "damaged.txt"), str(files / "clean.txt")]
    assert payload["errors"] == [{"path": str(files / "missing.txt"), "message": f"{files / 'missing.txt'}: no such file"}]
    text = DAMAGED
    for flag in payload["files"][0]["flags"]:
        assert set(flag) >= {"start", "end", "text", "line", "column", "score", "source", "message", "suggestions"}
        assert text[flag["start"] : flag["end"]] == flag["text"]
        assert all(set(s) >= {"text", "score"} for s in flag["suggestions"])
    assert payload["files"][1]["flags"] == []


def test_internal_error_on_one_file_is_one_line_and_the_batch_goes_on(capsys, monkeypatch, files):
    real = pipeline.check_blocks

    def flaky(detector, text, *args, **kwargs):
        if "sat on the mat" in text:
            raise RuntimeError("boom")
        return real(detector, text, *args, **kwargs)

    monkeypatch.setattr(pipeline, "check_blocks", flaky)
    monkeypatch.delenv("MTQA_DEBUG", raising=False)
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "clean.txt", files / "damaged.txt", *FAST)
    assert code == 2
    assert "abroad Minister" in stdout
    one_error_line(stderr, "clean.txt", "internal error RuntimeError: boom")


def test_keyboard_interrupt_exits_130(capsys, monkeypatch, files):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "check_blocks", interrupted)
    code, _, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", *FAST)
    assert code == 130 and "interrupted" in stderr and "Traceback" not in stderr


# -- fix: never lose the input -------------------------------------------------------------------


def test_fix_refuses_to_overwrite_its_input(capsys, monkeypatch, files):
    source = files / "damaged.txt"
    link = files / "link.txt"
    link.symlink_to(source)
    hard = files / "hard.txt"
    os.link(source, hard)
    for target in (source, files / "." / "damaged.txt", link, hard):
        code, stdout, stderr = run(capsys, monkeypatch, "fix", source, "-o", target, *FAST)
        assert code == 2, target
        one_error_line(stderr, "refusing to overwrite the input", "--in-place")
    assert source.read_text(encoding="utf-8") == DAMAGED
    code, _, stderr = run(capsys, monkeypatch, "fix", source, *FAST)
    assert code == 2
    one_error_line(stderr, "--out-dir DIR or --in-place")
    code, _, stderr = run(capsys, monkeypatch, "fix", source, "-o", files / "out.txt", "--in-place", *FAST)
    assert code == 2
    code, _, stderr = run(capsys, monkeypatch, "fix", source, "-o", files / "out.txt", "--report", source, *FAST)
    assert code == 2
    one_error_line(stderr, "report would overwrite")
    assert source.read_text(encoding="utf-8") == DAMAGED
    assert not (files / "out.txt").exists()


def test_fix_in_place_keeps_a_backup(capsys, monkeypatch, files):
    source = files / "damaged.txt"
    original = source.read_bytes()
    source.chmod(0o640)
    code, stdout, stderr = run(capsys, monkeypatch, "fix", source, "--in-place", *FAST)
    assert code == 0, stderr
    assert "damaged.txt.orig" in stdout
    assert (files / "damaged.txt.orig").read_bytes() == original
    fixed = source.read_text(encoding="utf-8")
    assert "Foreign Minister" in fixed and "New York. It" in fixed
    assert source.stat().st_mode & 0o777 == 0o640  # the rewritten file keeps its mode
    assert not [p for p in files.iterdir() if p.name.endswith(".tmp")]


def test_fix_writes_output_report_and_diff(capsys, monkeypatch, files):
    target, report = files / "out.txt", files / "report.json"
    code, stdout, stderr = run(capsys, monkeypatch, "fix", files / "damaged.txt", "-o", target, "--report", report, "--diff", *FAST)
    assert code == 0, stderr
    assert "-The abroad Minister" in stdout and "+The Foreign Minister" in stdout
    assert "2 edit(s) applied" in stdout
    assert target.read_text(encoding="utf-8") == DAMAGED.replace("abroad Minister", "Foreign Minister").replace("York.It", "York. It")
    edits = json.loads(report.read_text(encoding="utf-8"))["files"][0]["edits"]
    assert [(e["text"], e["replacement"]) for e in edits] == [("abroad Minister", "Foreign Minister"), ("", " ")]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_fix_output_folder_problems(capsys, monkeypatch, files):
    code, _, stderr = run(capsys, monkeypatch, "fix", files / "damaged.txt", "-o", files / "no" / "such" / "out.txt", *FAST)
    assert code == 2
    one_error_line(stderr, "does not exist")
    code, _, stderr = run(capsys, monkeypatch, "fix", files / "damaged.txt", "-o", files, *FAST)
    assert code == 2
    one_error_line(stderr, "is a folder")


def test_fix_unencodable_correction_writes_nothing(capsys, monkeypatch, tmp_path):
    source = _write(tmp_path / "l1.txt", "Caf\u00e9: the abroad Minister came.\n".encode("latin-1"))
    glossary = tmp_path / "arrow.yaml"
    glossary.write_text(
        "- id: arrow-minister\n  wrong: abroad Minister\n  right: 'Foreign \u2192 Minister'\n  kind: term\n  prior: 0.99\n  message: test\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.txt"
    code, _, stderr = run(
        capsys, monkeypatch, "fix", source, "-o", target, "-d", "glossary", "--glossary", glossary, "--encoding", "latin-1", "--disable", "glossary:abroad-minister"
    )
    assert code == 2
    one_error_line(stderr, "cannot encode")
    assert not target.exists()


def test_fix_interrupted_leaves_old_output(capsys, monkeypatch, files):
    target = files / "out.txt"
    target.write_bytes(b"previous output")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "fix_text", interrupted)
    code, _, stderr = run(capsys, monkeypatch, "fix", files / "damaged.txt", "-o", target, "--report", files / "r.json", *FAST)
    assert code == 130
    assert target.read_bytes() == b"previous output"
    assert sorted(p.name for p in files.iterdir()) == ["clean.txt", "damaged.txt", "out.txt"]


def test_check_with_a_reference_flags_names_it_writes_differently(tmp_path, capsys, monkeypatch):
    article, reference = tmp_path / "article.txt", tmp_path / "reference.txt"
    article.write_text("On Monday the Iranian envoy met the Turkmen gas Minister in Ashgabat.\n", encoding="utf-8")
    reference.write_text("Talks with the Turkmen Energy Minister went well.\n", encoding="utf-8")
    code, stdout, _ = run(capsys, monkeypatch, "check", article, "-d", "glossary", "--reference", reference, "-f", "json")
    flags = json.loads(stdout)["files"][0]["flags"]
    assert code == 1 and [(f["text"], f["source"], f["suggestions"][0]["text"]) for f in flags] == [("gas", "reference", "Energy")]
    assert run(capsys, monkeypatch, "check", article, "-d", "glossary", "-f", "json")[0] == 0
    assert run(capsys, monkeypatch, "check", article, "-d", "glossary", "--reference", tmp_path / "missing.txt")[0] == 2
