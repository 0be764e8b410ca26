"""One output record per article, one JSON line each:

    {"id": str, "words": int | null, "flags": [flag, ...], "errors_per_1k": float | null,
     "damage": float | null, "error": str | null}

`flags` use the check JSON flag schema (`mtqa.output.report.flag_json`); `error` is null, or one
line saying why the article could not be checked (then words, errors_per_1k and damage are null
and flags is empty). Every engine builds records with `check_article`, so the same article gives
the same bytes whichever engine checked it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from mtqa.api import Checker
from mtqa.corpus import damage
from mtqa.corpus.sources import Article
from mtqa.errors import MtqaError
from mtqa.output.report import dumps, flag_json
from mtqa.text.document import TextView
from mtqa.text.language import guess_language

KEYS = ("id", "words", "flags", "errors_per_1k", "damage", "error")


def line(record: dict) -> str:
    """A record as one JSON line (control characters escaped, so a line break never splits it)."""
    return dumps(record, indent=None) + "\n"


def error_line(article_id: str, error: str) -> str:
    return line({"id": article_id, "words": None, "flags": [], "errors_per_1k": None, "damage": None, "error": error})


def check_article(checker: Checker, article: Article) -> str:
    """The article's record line. MtqaError (a model or glossary problem, the same for every
    article) propagates; any other exception is a bug on this input and becomes its error."""
    if article.error is not None or article.text is None:
        return error_line(article.id, article.error or "no text")
    try:
        guess = guess_language(article.text)
        if guess.words == 0:
            return error_line(article.id, "no words: the text has no letters")
        if not guess.english:
            return error_line(
                article.id, f"not English: {guess.known:.0%} of words known to English, {guess.function:.0%} English function words"
            )
        view = TextView(article.text)
        words, flags = 0, []
        for _, _, count, block_flags in checker.check_blocks(article.text, article.id):
            words += count
            flags += [flag_json(view, flag) for flag in block_flags]
        return line(
            {
                "id": article.id,
                "words": words,
                "flags": flags,
                "errors_per_1k": round(1000 * len(flags) / words, 2) if words else 0.0,
                "damage": round(damage.model().score(flags, words), 4),
                "error": None,
            }
        )
    except MtqaError:
        raise
    except Exception as error:  # noqa: BLE001  one article's bug must not stop the corpus
        if os.environ.get("MTQA_DEBUG"):
            raise
        return error_line(article.id, f"internal error: {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 raises it)")


def read_records(path: Path, partial: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """The records of an output file, streamed. A last line without its line break is what a killed
    run leaves: it is not parsed, and `partial(complete_bytes, partial_bytes)` hears of it."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise MtqaError(f"{path}: cannot read: {err.strerror or err}") from None
    with handle:
        complete = 0
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b"\n"):
                if partial:
                    partial(complete, len(raw))
                return
            complete += len(raw)
            yield _parse(path, number, raw)


def _parse(path: Path, number: int, raw: bytes) -> dict:
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MtqaError(f"{path}: line {number} is not a JSON record; is this an output of `mtqa corpus`?") from None
    if not isinstance(record, dict) or any(key not in record for key in KEYS):
        raise MtqaError(f"{path}: line {number} is not an `mtqa corpus` record (keys {', '.join(KEYS)})")
    return record
