"""`mtqa fix --interactive` as an editor meets it: the real `mtqa` executable on a real pseudo-terminal.

pexpect spawns the venv's own `mtqa`, waits for each prompt and presses keys; the tests then read
the written file byte for byte. The fast tests use `-d glossary,spacing` (the glossary flags
"abroad Minister", "mediate East", "a fewer days" deterministically); one runs the default model.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console

from mtqa import pipeline
from mtqa.correct.apply import apply, with_article_agreement
from mtqa.correct.fixing import FixResult
from mtqa.edits import Edit, Suggestion
from mtqa.output.interactive import Review, review

from tests.conftest import SEED, run

pexpect = pytest.importorskip("pexpect", reason="the interactive tests drive a pseudo-terminal with pexpect (pip install -e '.[test]')")

MTQA = Path(sys.executable).with_name("mtqa")
FAST = ["-d", "glossary,spacing"]
KEYS_PROMPT = "help > "
LINE_PROMPT = r"back to the choice\): "
START = 120  # seconds: start-up on a loaded machine; no test asserts timing
MODEL_FIX = 900  # seconds: loading the model and checking a paragraph with it, on a machine shared with other model jobs
BOM = "\ufeff".encode()
# Seven flags: abroad Minister, mediate East, the missing space, fewer, Despite of (two suggestions),
# an abroad Minister (the article follows the replacement), safety Council. The second line is clean.
TEXT = "The abroad Minister flew to the mediate East.It took a fewer days. Despite of the sanctions, an abroad Minister met the safety Council.\r\nThis line is fine.\r\n"

pytestmark = pytest.mark.skipif(not MTQA.exists() or os.name != "posix", reason="needs the installed mtqa script and a POSIX pseudo-terminal")


def spawn(*args) -> pexpect.spawn:
    """The real `mtqa` on a new pseudo-terminal of 80 columns, as a terminal emulator starts it."""
    env = dict(os.environ, TERM="xterm-256color")
    return pexpect.spawn(str(MTQA), [str(a) for a in args], encoding="utf-8", timeout=START, env=env, dimensions=(24, 80))


def press(child: pexpect.spawn, *keys: str) -> None:
    """Each key once the key prompt is up (a key pressed early would still be read, but not checked)."""
    for key in keys:
        child.expect_exact(KEYS_PROMPT)
        child.send(key)


def type_line(child: pexpect.spawn, line: str) -> None:
    child.expect(LINE_PROMPT)
    child.sendline(line)


def finish(child: pexpect.spawn) -> tuple[int, str]:
    """(exit code, everything printed since the last prompt) once the command ends."""
    child.expect(pexpect.EOF, timeout=START)
    child.close()
    return child.exitstatus, child.before


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "article.txt"
    path.write_bytes(BOM + TEXT.encode("utf-8"))
    return path


def test_accept_skip_enter_edit_and_second_suggestion_write_exactly_those_edits(tmp_path, article):
    out, report = tmp_path / "out.txt", tmp_path / "edits.json"
    child = spawn("fix", article, "-o", out, "--interactive", *FAST, "--report", report, "--diff")
    child.expect_exact("flag 1 of 7")
    press(child, "1", "s")  # abroad Minister → Foreign Minister; mediate East stays
    child.expect_exact("flag 3 of 7")
    press(child, "\r")  # Enter: the missing space is inserted
    press(child, "e")  # fewer: edit, then an empty line goes back to the choice
    type_line(child, "")
    press(child, "e")
    type_line(child, "couple of")
    press(child, "?")
    child.expect_exact("every later flag of the same rule")
    press(child, "3")  # "Despite of" has two suggestions
    child.expect_exact("no suggestion 3")
    press(child, "2", "1", "s")  # In spite of; an abroad Minister → a Foreign Minister; safety Council stays
    code, tail = finish(child)
    assert code == 0, tail
    assert "4 accepted, 1 edited, 2 skipped; wrote" in tail
    assert "+The Foreign Minister flew" in tail  # --diff
    fixed = "The Foreign Minister flew to the mediate East. It took a couple of days. In spite of the sanctions, a Foreign Minister met the safety Council.\r\nThis line is fine.\r\n"
    assert out.read_bytes() == BOM + fixed.encode("utf-8")
    assert article.read_bytes() == BOM + TEXT.encode("utf-8")
    edits = json.loads(report.read_text(encoding="utf-8"))["files"][0]["edits"]
    assert [(e["text"], e["replacement"]) for e in edits if e["applied"]] == [
        ("abroad Minister", "Foreign Minister"),
        ("", " "),
        ("fewer", "couple of"),
        ("Despite of", "In spite of"),
        ("an abroad Minister", "a Foreign Minister"),
    ]
    assert [e["text"] for e in edits if not e["applied"]] == ["mediate East", "safety Council"]


def test_accept_all_of_a_rule_applies_its_later_flags_without_asking(tmp_path):
    article, out = tmp_path / "article.txt", tmp_path / "out.txt"
    article.write_text("The abroad Minister flew to the mediate East. Later the abroad Minister met an abroad Minister.\n", encoding="utf-8")
    child = spawn("fix", article, "-o", out, "--interactive", *FAST)
    press(child, "a", "s")  # all of glossary:abroad-minister; then mediate East skipped: no more prompts
    code, tail = finish(child)
    assert code == 0, tail
    assert "flag 4 of 4" in tail and "(all of glossary:abroad-minister)" in tail
    assert "3 accepted, 0 edited, 1 skipped; wrote" in tail
    assert out.read_text(encoding="utf-8") == "The Foreign Minister flew to the mediate East. Later the Foreign Minister met a Foreign Minister.\n"


def test_quit_halfway_writes_only_what_was_decided(tmp_path, article):
    child = spawn("fix", article, "--in-place", "--interactive", *FAST)
    press(child, "1", "s", "q")
    code, tail = finish(child)
    assert code == 0, tail
    assert "1 accepted, 0 edited, 1 skipped, 5 not reviewed (quit at flag 3 of 7)" in tail
    assert article.read_bytes() == BOM + TEXT.replace("abroad Minister flew", "Foreign Minister flew").encode("utf-8")
    assert (tmp_path / "article.txt.orig").read_bytes() == BOM + TEXT.encode("utf-8")


@pytest.mark.parametrize("at_line_prompt", [False, True], ids=["at-the-key-prompt", "while-typing-a-replacement"])
def test_ctrl_c_exits_130_and_writes_nothing(tmp_path, article, at_line_prompt):
    out = tmp_path / "out.txt"
    out.write_bytes(b"previous output\n")
    child = spawn("fix", article, "-o", out, "--interactive", *FAST, "--report", tmp_path / "edits.json")
    press(child, "1", "s")
    if at_line_prompt:
        press(child, "e")
        child.expect(LINE_PROMPT)
    else:
        child.expect_exact(KEYS_PROMPT)
    child.sendintr()  # the terminal's interrupt character, Ctrl-C
    code, tail = finish(child)
    assert code == 130 and "interrupted" in tail and "Traceback" not in tail
    assert out.read_bytes() == b"previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "out.txt"]  # no report, no temporary file


def test_without_a_terminal_it_refuses_with_one_line(tmp_path, article):
    out = tmp_path / "out.txt"
    piped = subprocess.run(
        [str(MTQA), "fix", str(article), "-o", str(out), "--interactive", *FAST], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START
    )
    assert piped.returncode == 2 and piped.stdout == ""
    assert piped.stderr.strip().splitlines() == ["mtqa: error: --interactive needs a terminal: standard input and output must both be one (not a pipe or a file)"]
    # Keys from a terminal but the output redirected to a file: refused too, rather than prompting into the file.
    child = pexpect.spawn("/bin/sh", ["-c", f'"{MTQA}" fix "{article}" -o "{out}" --interactive -d glossary,spacing > "{tmp_path / "log"}"'], encoding="utf-8", timeout=START)
    code, tail = finish(child)
    assert code == 2 and "needs a terminal" in tail
    assert not out.exists()


def test_article_text_reaches_the_terminal_inert(tmp_path):
    """Control characters in the article are shown escaped and markup in it is shown as written."""
    article, out = tmp_path / "article.txt", tmp_path / "out.txt"
    article.write_text("The abroad Minister \x1b[2J said [bold]no[/bold].\n", encoding="utf-8")
    child = spawn("fix", article, "-o", out, "--interactive", *FAST)
    child.expect_exact(KEYS_PROMPT)
    screen = child.before
    child.send("1")
    assert finish(child)[0] == 0
    assert "\x1b[2J" not in screen and "\\x1b[2J said [bold]no[/bold]." in screen
    assert out.read_text(encoding="utf-8") == "The Foreign Minister \x1b[2J said [bold]no[/bold].\n"


@pytest.mark.model
def test_accepting_what_the_automatic_fix_applies_reproduces_it_with_the_real_model(capsys, monkeypatch, tmp_path):
    """The default model's flags, offered in order: pressing Enter where the screen does not say the
    automatic fix would leave the flag, and s where it does, writes exactly what `fix` writes
    (--min-score 0.9 leaves some of this paragraph's flags, "interviewed" → "met" among them)."""
    article, automatic, chosen = tmp_path / "article.txt", tmp_path / "automatic.txt", tmp_path / "chosen.txt"
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    article.write_text(lines[9], encoding="utf-8")  # a paragraph: Lavrow in Aszchabad
    assert run(capsys, monkeypatch, "fix", article, "-o", automatic, "--min-score", "0.9")[0] == 0
    child = spawn("fix", article, "-o", chosen, "--interactive", "--min-score", "0.9")
    pressed = []
    while child.expect_exact([KEYS_PROMPT, pexpect.EOF], timeout=MODEL_FIX) == 0:
        pressed.append("s" if "the automatic fix would leave this flag" in child.before else "\r")
        child.send(pressed[-1])
    child.close()
    assert child.exitstatus == 0, child.before
    assert "\r" in pressed and "s" in pressed
    assert chosen.read_bytes() == automatic.read_bytes() != article.read_bytes()


# -- the decisions, without a terminal -----------------------------------------------------------


def test_fix_reports_every_flag_it_considered_also_by_blocks(monkeypatch, tmp_path):
    text = (TEXT * 40).replace("\r\n", "\n")
    whole = pipeline.fix_text(text, ["glossary", "spacing"], min_score=0.96)
    assert len(whole.ranked) == 7 * 40 and whole.skipped  # "fewer" and "Despite of" score below 0.96
    assert [with_article_agreement(text, f) for f in whole.ranked if f not in whole.skipped] == whole.applied
    monkeypatch.setattr(pipeline.blocks, "__defaults__", (3000,))
    by_blocks = pipeline.fix_blocks(text, ["glossary", "spacing"], min_score=0.96)
    key = lambda f: (f.start, f.end, f.text, f.rule, f.suggestions)  # noqa: E731  (messages quote nearby text)
    assert [key(f) for f in by_blocks.ranked] == [key(f) for f in whole.ranked]


def _flag(text: str, word: str, *suggestions: str) -> Edit:
    start = text.index(word)
    return Edit(start, start + len(word), word, tuple(Suggestion(s, 0.9) for s in suggestions), 0.9, "test", "test:rule")


def test_an_article_decided_before_stays_as_decided():
    text = "They met an abroad Minister."
    article, minister = _flag(text, "an", "the"), _flag(text, "abroad Minister", "Foreign Minister")
    review = Review(text, [article, minister])
    review.accept(0, article.suggestions[0])
    assert review.accept(1, minister.suggestions[0]) == minister  # not "an abroad Minister" → "a Foreign Minister"
    assert review.result().text == "They met the Foreign Minister."
    alone = Review(text, [article, minister])
    alone.skip()
    alone.accept(1, minister.suggestions[0])
    assert alone.result().text == "They met a Foreign Minister."
    assert alone.summary() == "1 accepted, 0 edited, 1 skipped"


def test_an_insertion_next_to_a_replacement_is_no_clash():
    space, word = Edit(5, 5, "", (Suggestion(" "),)), Edit(5, 7, "An", (Suggestion("A"),))
    assert Edit(5, 5, "").conflicts(Edit(5, 5, "")) and Edit(4, 8, "abcd").conflicts(Edit(6, 6, ""))
    assert not space.conflicts(word) and not word.conflicts(Edit(7, 7, ""))
    assert apply("East.An x", [space, word]) == "East. A x"


def test_a_flag_that_an_accepted_edit_overlaps_is_skipped_and_said(monkeypatch):
    """`fix` merges overlapping flags, so the command never offers two that clash, but a caller's
    FixResult may hold them. The keys come from a list here; the terminal is tested above."""
    text = "They met the abroad Minister."
    wide, inner = _flag(text, "abroad Minister", "Foreign Minister"), _flag(text, "Minister", "envoy")
    keys = iter(["1"])
    monkeypatch.setattr(typer, "getchar", lambda: next(keys))
    screen = io.StringIO()
    session = review(Console(file=screen, width=80), text, FixResult(text, [], [], None, [wide, inner]), 0.5)
    assert session.result().text == "They met the Foreign Minister."
    assert 'flag 2 of 2: skipped, it overlaps "abroad Minister" → "Foreign Minister", accepted before' in screen.getvalue()
    assert session.summary() == "1 accepted, 0 edited, 1 skipped"
