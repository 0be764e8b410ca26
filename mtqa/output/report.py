"""Flags as people and machines read them.

Text: one line a flag, `path:line:col: [source] "text" → suggestion | … (score 0.87): why`,
the form editors and CI logs link to. JSON: a stable, versioned shape.
Article text is untrusted: control characters are shown escaped, never sent
to the terminal, and rich markup in it is escaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Protocol

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


class TextIndex(Protocol):
    """What reports need of a checked text (a `Document` is one; so is a `TextView`)."""

    text: str

    def line_col(self, offset: int) -> tuple[int, int]: ...

    def word_count(self) -> int: ...




@dataclass(frozen=True)
class FileFlags:
    path: str
    doc: TextIndex
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


# json.dumps escapes \t, \n and \r inside strings, so raw ones are the layout's own whitespace.
_JSON_UNSAFE = regex.compile(r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}--[\t\n\r]]", regex.V1)


def json_safe(encoded: str) -> str:
    """JSON text with every control or format character \\u-escaped (json.dumps leaves DEL, C1 controls
    such as CSI and bidi overrides raw): same value when parsed, inert on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], encoded)


def dumps(value, indent: int | None = 2) -> str:
    return json_safe(json.dumps(value, ensure_ascii=False, indent=indent))


def to_json(files: list[FileFlags], **extra) -> str:
    payload = {"version": JSON_VERSION, **extra, "files": [{"path": f.path, "flags": [flag_json(f.doc, e) for e in f.flags]} for f in files]}
    return dumps(payload)


class JsonStream:
    """The `to_json` shape written as it is produced, so a long text's flags need not be held in memory:
    begin(), then per file file(path) and flag(...)s, then end(errors). The result is one JSON document."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._files = 0
        self._flags = 0

    def begin(self, **extra) -> None:
        head = dumps({"version": JSON_VERSION, **extra}, indent=None)[:-1]
        self.stream.write(f"{head}, \"files\": [")

    def file(self, path: str, **extra) -> None:
        if self._files:
            self.stream.write("]},")
        self._files += 1
        self._flags = 0
        head = dumps({"path": path, **extra}, indent=None)[:-1]
        self.stream.write(f"\n  {head}, \"flags\": [")

    def flag(self, doc: TextIndex, edit: Edit) -> None:
        self.stream.write(("," if self._flags else "") + "\n    " + dumps(flag_json(doc, edit), indent=None))
        self._flags += 1

    def end(self, **extra) -> None:
        self.stream.write("]}" if self._files else "")
        tail = dumps(extra, indent=None)[1:] if extra else "}"
        self.stream.write("\n]" + (", " + tail if extra else tail) + "\n")
        self.stream.flush()


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


def print_lines(console: Console, file: FileFlags) -> None:
    for line in text_lines(file):
        console.print(line, soft_wrap=True, highlight=False)


def print_summary(console: Console, flags: int, files: int, words: int) -> None:
    console.print(escape(f"{flags} flag(s) in {files} file(s), {words} words"), style="dim", highlight=False, soft_wrap=True)


def print_text(console: Console, files: list[FileFlags]) -> None:
    for file in files:
        print_lines(console, file)
    total = sum(len(f.flags) for f in files)
    words = sum(f.doc.word_count() for f in files)
    print_summary(console, total, len(files), words)
