"""Standard input and output, folders, and fix over many inputs, as a user meets them.

Pipes are tested through real processes (`cat FILE | mtqa fix - -o -`); the rest runs in-process.
None loads the transformer model: `-d glossary,spacing`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run

MTQA = Path(sys.executable).with_name("mtqa")
FAST = ["-d", "glossary,spacing"]
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting.\n"
FIXED = DAMAGED.replace("abroad Minister", "Foreign Minister").replace("York.It", "York. It")
CLEAN = "The cat sat on the mat. It was warm and the sun was out.\n"


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# -- standard input and output, through real pipes ---------------------------------------------------


def test_cat_into_fix_prints_the_corrected_text_and_nothing_else(tmp_path):
    raw = "\ufeffThe abroad Minister met them.\r\nTalks in New York.Then they left.\r\n".encode("utf-8")
    article = _write(tmp_path / "article.txt", raw)
    cat = subprocess.Popen(["cat", str(article)], stdout=subprocess.PIPE)
    fix = subprocess.run(
        [str(MTQA), "fix", "-", "-o", "-", *FAST, "--diff", "--explain", "--report", str(tmp_path / "r.json")],
        stdin=cat.stdout, capture_output=True, timeout=120,
    )
    cat.stdout.close()
    cat.wait()
    assert fix.returncode == 0, fix.stderr
    expected = raw.replace(b"abroad Minister", b"Foreign Minister").replace(b"York.Then", b"York. Then")
    assert fix.stdout == expected  # byte for byte: BOM and CRLF kept, no summary, diff or explanation
    stderr = fix.stderr.decode("utf-8")
    assert "-The abroad Minister" in stderr and "+The Foreign Minister" in stderr  # the diff went to stderr
    assert "2 edit(s) applied" in stderr and "wrote standard output" in stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["files"][0]["path"] == "<stdin>" and len(report["files"][0]["edits"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "r.json"]


def test_fix_a_file_to_standard_output(tmp_path):
    article = _write(tmp_path / "article.txt", DAMAGED)
    result = subprocess.run([str(MTQA), "fix", str(article), "-o", "-", *FAST], capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stdout == FIXED.encode("utf-8")
    assert article.read_text(encoding="utf-8") == DAMAGED


def test_check_reads_standard_input(tmp_path):
    article = _write(tmp_path / "article.txt", DAMAGED)
    result = subprocess.run(
        [str(MTQA), "check", str(article), "-", *FAST, "-f", "json"], input=CLEAN.replace("cat", "abroad Minister"), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == [str(article), "<stdin>"]
    assert [f["text"] for f in files[1]["flags"]] == ["abroad Minister"]
    bad = subprocess.run([str(MTQA), "check", "-", *FAST], input=b"Caf\xe9 society.\n", capture_output=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.decode().startswith("mtqa: error: <stdin>: not valid utf-8 at byte 3")


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "-", "-"], "- (standard input) is given more than once"),
        (["fix", "-", "--in-place"], "--in-place cannot rewrite standard input"),
        (["fix", "-", "--out-dir", "out"], "--out-dir writes each input under its name, and standard input has none"),
    ],
)
def test_standard_input_misuse_is_one_line_exit_2(tmp_path, args, message):
    result = subprocess.run([str(MTQA), *args, *FAST], input="Some text.\n", capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"mtqa: error: {message}") and result.stderr.count("\n") == 1


# -- folders ----------------------------------------------------------------------------------------


@pytest.fixture
def articles(tmp_path) -> Path:
    folder = tmp_path / "articles"
    _write(folder / "b.txt", DAMAGED)
    _write(folder / "a.txt", CLEAN)
    _write(folder / "2024" / "z.txt", DAMAGED)
    _write(folder / "2024" / "notes.md", DAMAGED)
    _write(folder / ".drafts" / "hidden.txt", DAMAGED)
    _write(folder / ".hidden.txt", DAMAGED)
    return folder


def test_a_folder_means_its_txt_files_recursively_in_sorted_order(capsys, monkeypatch, articles):
    monkeypatch.chdir(articles.parent)
    code, stdout, _ = run(capsys, monkeypatch, "check", "articles/", *FAST, "-f", "json")
    assert code == 1
    assert [f["path"] for f in json.loads(stdout)["files"]] == ["articles/2024/z.txt", "articles/a.txt", "articles/b.txt"]
    code, stdout, _ = run(capsys, monkeypatch, "check", articles / "2024", *FAST)
    assert stdout.startswith(f"{articles / '2024' / 'z.txt'}:1:5: [glossary]")
    code, stdout, _ = run(capsys, monkeypatch, "check", "articles", *FAST, "-f", "json", "--glob", "*.md")
    assert [f["path"] for f in json.loads(stdout)["files"]] == ["articles/2024/notes.md"]
    code, stdout, _ = run(capsys, monkeypatch, "check", "articles", *FAST, "-f", "json", "--glob", "2024/*")
    assert [f["path"] for f in json.loads(stdout)["files"]] == ["articles/2024/notes.md", "articles/2024/z.txt"]


def test_a_folder_with_no_matching_file_is_exit_2(capsys, monkeypatch, articles):
    code, stdout, stderr = run(capsys, monkeypatch, "check", articles, *FAST, "--glob", "*.docx")
    assert code == 2 and stdout == ""
    assert stderr == f"mtqa: error: {articles}: no files matching *.docx in this folder (see --glob)\n"


# -- fix over many inputs ------------------------------------------------------------------------------


def test_fix_out_dir_keeps_names_and_paths_below_a_folder(capsys, monkeypatch, articles, tmp_path):
    single = _write(tmp_path / "single.txt", DAMAGED)
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, monkeypatch, "fix", articles, single, "--out-dir", out, *FAST, "--report", tmp_path / "r.json")
    assert code == 0, stderr
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["2024/z.txt", "a.txt", "b.txt", "single.txt"]
    assert (out / "2024" / "z.txt").read_text(encoding="utf-8") == FIXED and (out / "a.txt").read_text(encoding="utf-8") == CLEAN
    assert (articles / "b.txt").read_text(encoding="utf-8") == DAMAGED  # inputs untouched
    assert stdout.count("edit(s) applied") == 4 and f"wrote {out / '2024' / 'z.txt'}" in stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in report["files"]] == [str(articles / "2024" / "z.txt"), str(articles / "a.txt"), str(articles / "b.txt"), str(single)]


@pytest.mark.parametrize(
    "args, message",
    [
        (lambda d: [d / "articles", "--out-dir", d / "articles"], "refusing to overwrite the input"),
        (lambda d: [d / "articles" / "b.txt", d / "articles" / "2024", "--out-dir", d / "articles" / "2024"], "refusing to overwrite the input"),
        (lambda d: [d / "articles" / "b.txt", d / "copy" / "b.txt", "--out-dir", d / "out"], "would be written here"),
        (lambda d: [d / "articles", "-o", d / "one.txt"], "-o writes one output, but 3 inputs were given; use --out-dir DIR"),
        (lambda d: [d / "articles", "--out-dir", d / "articles" / "a.txt"], "is not a folder"),
        (lambda d: [d / "articles", "--out-dir", d / "out", "--gold", d / "articles" / "a.txt"], "--gold compares one text"),
        (lambda d: [d / "articles", "--out-dir", d / "out", "--report", d / "out" / "b.txt"], "the report would overwrite"),
        (lambda d: [d / "articles", "--out-dir", d / "out", "--in-place"], "give one of -o OUTPUT"),
    ],
)
def test_fix_refuses_bad_output_plans_before_any_work(capsys, monkeypatch, articles, args, message):
    _write(articles.parent / "copy" / "b.txt", DAMAGED)
    before = {p: p.read_bytes() for p in articles.parent.rglob("*") if p.is_file()}
    code, stdout, stderr = run(capsys, monkeypatch, "fix", *args(articles.parent), *FAST)
    assert code == 2 and stdout == "" and message in stderr and stderr.count("\n") == 1, stderr
    assert {p: p.read_bytes() for p in articles.parent.rglob("*") if p.is_file()} == before


def test_fix_in_place_on_many_files_keeps_each_backup(capsys, monkeypatch, articles):
    code, stdout, stderr = run(capsys, monkeypatch, "fix", articles, "--in-place", *FAST)
    assert code == 0, stderr
    for name in ("b.txt", "2024/z.txt"):
        assert (articles / name).read_text(encoding="utf-8") == FIXED
        assert (articles / f"{name}.orig").read_text(encoding="utf-8") == DAMAGED
    assert (articles / "a.txt.orig").read_text(encoding="utf-8") == CLEAN


def test_fix_goes_on_after_a_bad_file_and_exits_2(capsys, monkeypatch, tmp_path):
    good = _write(tmp_path / "in" / "good.txt", DAMAGED)
    bad = _write(tmp_path / "in" / "bad.txt", b"Caf\xe9 society.\n")
    code, stdout, stderr = run(capsys, monkeypatch, "fix", bad, good, tmp_path / "in" / "missing.txt", "--out-dir", tmp_path / "out", *FAST)
    assert code == 2
    assert (tmp_path / "out" / "good.txt").read_text(encoding="utf-8") == FIXED
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.txt"]
    errors = stderr.splitlines()
    assert len(errors) == 2 and "bad.txt: not valid utf-8" in errors[0] and "missing.txt: no such file" in errors[1]
