"""Flags as people and machines read them.

Text: one line a flag, `path:line:col: [source] "text" → suggestion | … (score 0.87): why`,
the form editors and CI logs link to. JSON: a stable, versioned shape.
Article text is untrusted: control characters are shown escaped, never sent
to the terminal, and rich markup in it is escaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import regex
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from mtqa.edits import Edit
from mtqa.text.document import Document

JSON_VERSION = 1
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}&&[^\t]]|\p{Zl}|\p{Zp}", regex.V1)


def printable(text: str) -> str:
    """Article text made safe for a terminal: control and format characters become \\x.. escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class FileFlags:
    path: str
    doc: Document
    flags: list[Edit]


def flag_json(doc: Document, edit: Edit) -> dict:
    line, column = doc.line_col(edit.start)
    return {
        "start": edit.start,
        "end": edit.end,
        "text": edit.text,
        "line": line,
        "column": column,
        "score": edit.score,
        "source": edit.source,
        "rule": edit.rule,
        "kind": edit.kind,
        "message": edit.message,
        "suggestions": [{"text": s.text, "score": s.score, "parts": s.parts} for s in edit.suggestions],
    }


def to_json(files: list[FileFlags], **extra) -> str:
    payload = {"version": JSON_VERSION, **extra, "files": [{"path": f.path, "flags": [flag_json(f.doc, e) for e in f.flags]} for f in files]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _display(doc: Document, edit: Edit) -> str:
    """The flagged text; an insertion point shows a few characters around it."""
    if edit.start == edit.end:
        return doc.text[max(0, edit.start - 8) : edit.end + 8]
    return edit.text


def text_lines(file: FileFlags) -> list[Text]:
    lines = []
    for edit in file.flags:
        line, column = file.doc.line_col(edit.start)
        suggestions = " | ".join(printable(s.text) or "∅" for s in edit.suggestions[:3]) or "?"
        out = Text()
        out.append(f"{printable(file.path)}:{line}:{column}: ", style="bold")
        out.append(f"[{edit.source}] ", style="cyan")
        out.append(f'"{printable(_display(file.doc, edit))}"', style="red")
        out.append(" → ")
        out.append(suggestions, style="green")
        out.append(f" (score {edit.score:.2f}): ", style="dim")
        out.append(printable(edit.message))
        lines.append(out)
    return lines


def print_text(console: Console, files: list[FileFlags]) -> None:
    for file in files:
        for line in text_lines(file):
            console.print(line, soft_wrap=True, highlight=False)
    total = sum(len(f.flags) for f in files)
    words = sum(f.doc.word_count() for f in files)
    console.print(escape(f"{total} flag(s) in {len(files)} file(s), {words} words"), style="dim", highlight=False)
