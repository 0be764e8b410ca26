"""`fix --interactive`: the editor decides every flag, in text order, at the terminal.

Each flag is shown in the text around it with its ranked suggestions, scores and why; one key
decides it (see `HELP`). The decisions become a `FixResult` whose edits go through the same
`with_article_agreement` and `apply` as the automatic fix, so case carrying and a/an agreement
behave the same. Nothing is written here: the command writes the result after the last decision,
so Ctrl-C (or Ctrl-D) at any prompt leaves every file as it was.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import typer
from rich.console import Console
from rich.text import Text

from mtqa.correct.apply import apply, with_article_agreement
from mtqa.correct.fixing import FixResult, unbacked_because
from mtqa.edits import Edit, Suggestion
from mtqa.errors import MtqaError
from mtqa.output.report import TextIndex, printable
from mtqa.text.document import Document

CONTEXT = 100  # characters shown on each side of a flag, at most, within its line
MAX_CHOICES = 9  # one digit picks a suggestion
KEYS = "1-9 accept · Enter 1 · s skip · e edit · a all of rule · q quit · ? help > "
HELP = """\
  1-9     accept that suggestion (Enter: the first)
  s       skip: leave the text as it is
  e       edit: type the replacement on a line (an empty line goes back)
  a       all of this rule: accept the first suggestion here and, without
          asking, at every later flag of the same rule
  q       quit: write what was decided so far and nothing more
  ?       this help
  Ctrl-C  stop and write nothing"""
ENTER = ("\r", "\n")
DIGITS = tuple("123456789")


def require_terminal() -> None:
    """--interactive reads keys and shows prompts: refuse, rather than hang, when not on a terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise MtqaError("--interactive needs a terminal: standard input and output must both be one (not a pipe or a file)")


def rule_of(flag: Edit) -> str:
    """What `a` (all of this rule) groups by: the rule id, or the detector for a flag without one."""
    return flag.rule or flag.source


@dataclass
class Review:
    """The editor's decisions over a text's flags (in text order): the edits to apply, and the counts."""

    text: str
    flags: list[Edit]
    doc: TextIndex | None = None
    applied: dict[int, Edit] = field(default_factory=dict)  # flag index → the edit as it is applied
    accepted: int = 0  # a suggestion taken (a digit, Enter, or all of a rule)
    edited: int = 0  # a replacement typed
    skipped: int = 0  # left by the editor, or overlapping an accepted edit

    @property
    def reviewed(self) -> int:
        """Flags decided so far; the rest were not reached (q)."""
        return self.accepted + self.edited + self.skipped

    def blocker(self, edit: Edit) -> Edit | None:
        """The accepted edit that `edit` overlaps, if any: accepted edits may not overlap."""
        return next((accepted for accepted in self.applied.values() if accepted.conflicts(edit)), None)

    def accept(self, index: int, replacement: Suggestion, typed: bool = False) -> Edit:
        """Put `replacement` in flag `index`'s span; a preceding a/an follows it as in the automatic
        fix, unless an accepted edit already covers that article (it then stays as decided)."""
        flag = self.flags[index]
        edit = flag.with_suggestions([replacement, *(s for s in flag.suggestions if s != replacement)])
        agreed = with_article_agreement(self.text, edit)
        self.applied[index] = edit if self.blocker(agreed) else agreed
        if typed:
            self.edited += 1
        else:
            self.accepted += 1
        return self.applied[index]

    def skip(self) -> None:
        self.skipped += 1

    def result(self) -> FixResult:
        """The text with exactly the accepted edits; every other flag is reported as left."""
        applied = sorted(self.applied.values(), key=lambda e: (e.start, e.end))
        left = [flag for index, flag in enumerate(self.flags) if index not in self.applied]
        return FixResult(apply(self.text, applied), applied, left, self.doc, self.flags)

    def summary(self) -> str:
        line = f"{self.accepted} accepted, {self.edited} edited, {self.skipped} skipped"
        unreached = len(self.flags) - self.reviewed
        return line + (f", {unreached} not reviewed (quit at flag {self.reviewed + 1} of {len(self.flags)})" if unreached else "")


def review(console: Console, text: str, result: FixResult, min_score: float) -> Review:
    """Ask the editor about every flag `fix` considered on `text`, in text order (keys: `HELP`).
    Ctrl-C raises KeyboardInterrupt and Ctrl-D EOFError: the caller then writes nothing."""
    session = Review(text, sorted(result.ranked, key=lambda f: (f.start, f.end)), result.doc)
    try:
        _review(console, session, set(result.applied), min_score)
    except (KeyboardInterrupt, EOFError, typer.Abort):
        console.print()  # end the prompt's line before the command says "interrupted"
        raise
    return session


def _review(console: Console, session: Review, automatic: set[Edit], min_score: float) -> None:
    """The loop over the flags; `automatic`: the edits `fix` without --interactive applies."""
    everywhere: set[str] = set()  # rules the editor accepted all of (`a`)
    if not session.flags:
        console.print("nothing flagged", style="dim")
    for index, flag in enumerate(session.flags):
        where = f"flag {index + 1} of {len(session.flags)}"
        blocker = session.blocker(flag)
        if blocker is not None:
            session.skip()
            _say(console, f"{where}: skipped, it overlaps {_change(blocker)}, accepted before")
            continue
        if rule_of(flag) in everywhere:
            if flag.suggestions:
                _say(console, f"{where}: {_change(session.accept(index, flag.suggestions[0]))} (all of {rule_of(flag)})")
            else:
                session.skip()
                _say(console, f"{where}: skipped, it has no suggestion (all of {rule_of(flag)})")
            continue
        applies = with_article_agreement(session.text, flag) in automatic
        _show(console, session, flag, where, None if applies else _left_because(flag, min_score, session.doc if isinstance(session.doc, Document) else None))
        action, replacement = _decide(console, flag)
        if action == "quit":
            break
        if action == "skip":
            session.skip()
            _say(console, "skipped")
            continue
        if action == "all":
            everywhere.add(rule_of(flag))
        _say(console, _change(session.accept(index, replacement, typed=action == "edit")))


def _decide(console: Console, flag: Edit) -> tuple[str, Suggestion | None]:
    """Keys until one decides the flag: ("accept" | "edit" | "all", replacement), ("skip" | "quit", None)."""
    while True:
        console.print(Text(KEYS), end="", soft_wrap=True)
        key = typer.getchar()  # raw mode: Ctrl-C arrives as a key, and raises KeyboardInterrupt
        if not key:
            raise EOFError  # the terminal went away
        console.print(Text(printable(key.strip())))
        if key in ("a", *ENTER, *DIGITS) and not flag.suggestions:
            _say(console, "no suggestion to accept: e types one, s skips", "yellow")
        elif key in ENTER or key in DIGITS:
            number = 1 if key in ENTER else int(key)
            if number <= min(len(flag.suggestions), MAX_CHOICES):
                return "accept", flag.suggestions[number - 1]
            _say(console, f"no suggestion {number}", "yellow")
        elif key == "a":
            return "all", flag.suggestions[0]
        elif key == "s":
            return "skip", None
        elif key == "q":
            return "quit", None
        elif key == "e":
            typed = typer.prompt("replacement (empty: back to the choice)", default="", show_default=False)
            if typed:
                return "edit", Suggestion(typed)
        elif key == "?":
            console.print(Text(HELP))
        else:
            _say(console, f"unknown key {key!r}; ? shows the keys", "yellow")


def _show(console: Console, session: Review, flag: Edit, where: str, left_because: str | None) -> None:
    """The flag in its context, why it was raised, and its numbered suggestions with their scores."""
    head = where
    if session.doc is not None:
        line, column = session.doc.line_col(flag.start)
        head += f" · line {line}, column {column}"
    console.print()
    console.print(Text(printable(f"{head} · {rule_of(flag)}"), style="bold"))
    console.print(_context(session.text, flag))
    console.print(Text(printable(f"[{flag.source}] {flag.message}"), style="cyan"))
    for number, suggestion in enumerate(flag.suggestions[:MAX_CHOICES], 1):
        line = Text(f"  {number}  ")
        line.append(printable(f'"{suggestion.text}"'), style="green")
        line.append(f"  score {suggestion.score:.2f}", style="bold")
        evidence = ", ".join(f"{k} {suggestion.parts[k]:.2f}" for k in ("lm", "glossary", "reference") if k in suggestion.parts)
        line.append(f"  ({evidence})" if evidence else "", style="dim")
        console.print(line)
    if left_because:
        console.print(Text(f"  the automatic fix would leave this flag: {left_because}", style="yellow"))


def _context(text: str, flag: Edit) -> Text:
    """The flag's line, cut to about CONTEXT characters on each side at a space, the span highlighted."""
    line_start = text.rfind("\n", 0, flag.start) + 1
    line_end = text.find("\n", flag.end)
    if line_end < 0:
        line_end = len(text)
    elif line_end > flag.end and text[line_end - 1] == "\r":
        line_end -= 1  # CRLF: the \r belongs to the line break
    start, end = max(line_start, flag.start - CONTEXT), min(line_end, flag.end + CONTEXT)
    if start > line_start:  # begin and end on a word boundary
        start = text.find(" ", start, flag.start) + 1 or start
    if end < line_end and (space := text.rfind(" ", flag.end, end)) > flag.end:
        end = space
    shown = Text("  …" if start > line_start else "  ")
    shown.append(printable(text[start : flag.start]))
    shown.append(printable(flag.text) or "‸", style="bold reverse red")  # ‸ marks an insertion point
    shown.append(printable(text[flag.end : end]))
    shown.append("…" if end < line_end else "")
    return shown


def _left_because(flag: Edit, min_score: float, doc: Document | None) -> str:
    """Why `fix` without --interactive would not apply this flag (the editor may still accept it)."""
    if not flag.suggestions:
        return "it has no suggestion"
    if flag.suggestions[0].score < min_score:
        return f"its best score {flag.suggestions[0].score:.2f} is below --min-score {min_score}"
    if because := unbacked_because(flag, doc):
        return because
    return "it overlaps a higher-scoring edit"


def _change(edit: Edit) -> str:
    return f'"{edit.text}" → "{edit.best}"' if edit.text else f'"{edit.best}" inserted'


def _say(console: Console, message: str, style: str = "dim") -> None:
    console.print(Text(printable(message), style=style), soft_wrap=True)
