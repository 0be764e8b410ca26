"""Benchmark sets: JSONL documents with gold edits, their loader, validator and M2 export.

One document per line::

    {"id": str, "text": str,
     "edits": [{"start": int, "end": int, "text": str, "corrections": [str, ...], "kind": str}],
     "clean": str (optional), "source": str, "licence": str}

Offsets are Python str indices into `text`, end exclusive, and an edit's `text`
is text[start:end]. `kind` is one of `mtqa.edits.KINDS`, or "trap" for
correct English that looks like an error and must not be flagged (corrections
[]). A missing space is an insertion: start == end, text "", corrections [" "].
`clean`, when present, is `text` with the first correction of every non-trap
edit applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NoReturn

from mtqa.edits import KINDS, Edit, Suggestion
from mtqa.errors import MtqaError

TRAP = "trap"
DOC_KEYS = ("id", "text", "edits", "source", "licence")
EDIT_KEYS = ("start", "end", "text", "corrections", "kind")


@dataclass(frozen=True)
class Sample:
    id: str
    text: str
    edits: list[Edit]  # errors; their suggestions are the acceptable corrections, best first
    traps: list[Edit]  # correct look-alikes that a checker must leave alone
    clean: str | None
    source: str
    licence: str
    group: str = ""  # the MT system of a rated document (see `mqm`), for per-system scores


def apply_corrections(text: str, edits: list[Edit]) -> str:
    """`text` with the first suggestion of each edit applied; edits without one (traps) and
    edits that conflict with an earlier one are skipped."""
    pieces, pos = [], 0
    for edit in sorted((e for e in edits if e.suggestions), key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            continue
        pieces += [text[pos : edit.start], edit.suggestions[0].text]
        pos = edit.end
    return "".join(pieces) + text[pos:]


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


Fail = Callable[[str], NoReturn]


def _parse_edit(raw: Any, text: str, fail: Fail) -> Edit:
    if not isinstance(raw, dict):
        fail(f"edit {raw!r} is not an object")
    for key in EDIT_KEYS:
        if key not in raw:
            fail(f"edit {raw!r} has no {key!r}")
    start, end, kind, corrections = raw["start"], raw["end"], raw["kind"], raw["corrections"]
    where = f"edit {start}:{end}"
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        fail(f"{where}: start and end must be integers")
    if not 0 <= start <= end <= len(text):
        fail(f"{where}: offsets out of range (text has {len(text)} characters)")
    if text[start:end] != raw["text"]:
        fail(f"{where}: edit text {raw['text']!r} does not match the document text {text[start:end]!r}")
    if kind != TRAP and kind not in KINDS:
        fail(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)} or {TRAP})")
    if not isinstance(corrections, list) or not all(isinstance(c, str) for c in corrections):
        fail(f"{where}: corrections must be a list of strings")
    if kind == TRAP and corrections:
        fail(f"{where}: a trap must have no corrections")
    if kind != TRAP and not corrections:
        fail(f"{where}: an error needs at least one correction")
    return Edit(
        start=start,
        end=end,
        text=raw["text"],
        suggestions=tuple(Suggestion(c) for c in corrections),
        source="gold",
        kind=kind,
    )


def _parse_line(line: str, path: Path, lineno: int) -> Sample:
    def fail(message: str) -> NoReturn:
        raise MtqaError(f"{path}:{lineno}: {message}")

    try:
        doc = json.loads(line)
    except json.JSONDecodeError as err:
        fail(f"bad JSON: {err.msg} at column {err.colno}")
    if not isinstance(doc, dict):
        fail("a line must hold one JSON object")
    for key in DOC_KEYS:
        if key not in doc:
            fail(f"missing key {key!r}")
    for key in ("id", "text", "source", "licence"):
        if not isinstance(doc[key], str):
            fail(f"{key!r} must be a string")
    if not isinstance(doc["edits"], list):
        fail("'edits' must be a list")
    text = doc["text"]
    edits = sorted((_parse_edit(raw, text, fail) for raw in doc["edits"]), key=lambda e: (e.start, e.end))
    for a, b in zip(edits, edits[1:]):
        if a.conflicts(b):
            fail(f"edits {a.start}:{a.end} {a.text!r} and {b.start}:{b.end} {b.text!r} overlap")
    errors = [e for e in edits if e.kind != TRAP]
    clean = doc.get("clean")
    if clean is not None:
        if not isinstance(clean, str):
            fail("'clean' must be a string")
        expected = apply_corrections(text, errors)
        if clean != expected:
            i = _first_difference(clean, expected)
            fail(
                f"'clean' is not the text with the first corrections applied: at character {i} "
                f"'clean' has {clean[max(0, i - 20) : i + 20]!r}, the corrections give {expected[max(0, i - 20) : i + 20]!r}"
            )
    return Sample(
        id=doc["id"],
        text=text,
        edits=errors,
        traps=[e for e in edits if e.kind == TRAP],
        clean=clean,
        source=doc["source"],
        licence=doc["licence"],
    )


def load_set(path: Path | str) -> list[Sample]:
    """Read and validate a set; raises MtqaError naming the file and line of the first problem."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise MtqaError(f"{path}: cannot read: {err.strerror or err}") from None
    samples, seen = [], set()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        sample = _parse_line(line, path, lineno)
        if sample.id in seen:
            raise MtqaError(f"{path}:{lineno}: duplicate id {sample.id!r}")
        seen.add(sample.id)
        samples.append(sample)
    return samples


def validate_set(path: Path | str) -> None:
    """Raise MtqaError ("file:line: what is wrong") if the set is malformed."""
    load_set(path)


def _whitespace_tokens(line: str, cuts: set[int]) -> list[tuple[int, int]]:
    """Whitespace tokens of `line`, also split at `cuts` so that every edit covers whole tokens."""
    tokens, start = [], None
    for i, ch in enumerate(line + " "):
        if ch.isspace() or (i in cuts and start is not None):
            if start is not None:
                tokens.append((start, i))
            start = None if ch.isspace() else i
        elif start is None:
            start = i
    return tokens


def to_m2(sample: Sample) -> str:
    """ERRANT M2 for a sample: one S line per non-blank line of text, one A line per error.

    Token offsets come from whitespace tokenisation, with tokens also split at edit
    boundaries so that each edit covers whole tokens. An insertion inside a token (a
    missing space, "Aszchabad.One") replaces that token with its corrected form
    ("Aszchabad. One"). Only the first correction of an edit is written, as annotator 0.
    """
    blocks, pos = [], 0
    for line in sample.text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        edits = [e for e in sample.edits if line_start <= e.start <= line_end]
        if not line.strip():
            continue
        cuts = {b - line_start for e in edits if e.start < e.end for b in (e.start, e.end)}
        tokens = _whitespace_tokens(line, cuts)
        rows = ["S " + " ".join(line[s:e] for s, e in tokens)]
        for edit in edits:
            if edit.end > line_end:
                raise MtqaError(f"{sample.id}: edit {edit.start}:{edit.end} crosses a line break; M2 cannot express it")
            rows.append(_a_line(line, tokens, edit, line_start))
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"


def _a_line(line: str, tokens: list[tuple[int, int]], edit: Edit, offset: int) -> str:
    start, end, correction = edit.start - offset, edit.end - offset, edit.best or ""
    if start == end:
        inside = [i for i, (s, e) in enumerate(tokens) if s < start < e]
        if inside:  # rewrite the token that holds the insertion point
            i = inside[0]
            s, e = tokens[i]
            first, last, new = i, i + 1, line[s:start] + correction + line[start:e]
        else:  # between tokens: only non-space content changes anything in M2
            first = last = next((i for i, (s, _) in enumerate(tokens) if s >= start), len(tokens))
            new = correction
    else:
        covered = [i for i, (s, e) in enumerate(tokens) if s < end and start < e]
        first, last = covered[0], covered[-1] + 1
        s, e = tokens[first][0], tokens[last - 1][1]
        new = line[s:start] + correction + line[end:e]
    return f"A {first} {last}|||{edit.kind}|||{' '.join(new.split())}|||REQUIRED|||-NONE-|||0"
