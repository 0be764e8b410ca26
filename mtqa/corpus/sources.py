"""Reading a corpus: a JSONL file (one article a line), a Parquet file, or a folder of `.txt` files.

Articles are read lazily, in input order, so a corpus never has to fit in memory. A problem with
the INPUT as a whole (missing, unknown type, binary, no text column) is an `MtqaError` raised
before any article is read; a problem with one article (a malformed line, bad encoding, no text,
empty text, a duplicate id) becomes that article's `error` and the run goes on.

Error messages start with a fixed reason and a colon ("duplicate id: first at line 3"), so a
summary can count them by reason (`error_reason`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import MtqaError
from mtqa.text.io import read_text

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
_SNIFF_BYTES = 65536
_PARQUET_BATCH = 256


@dataclass(frozen=True)
class Article:
    """One article of the input: its text, or why it has none. `where` locates it in INPUT."""

    id: str
    text: str | None
    where: str
    error: str | None = None


def error_reason(error: str) -> str:
    """The fixed reason an article error starts with: "duplicate id: first at line 3" → "duplicate id"."""
    return error.split(":", 1)[0]


@dataclass(frozen=True)
class Source:
    """A corpus on disk and the fields its records use."""

    path: Path
    id_field: str = "id"
    text_field: str = "text"

    def __post_init__(self) -> None:
        path = self.path
        if not path.exists():
            raise MtqaError(f"{path}: no such file or folder")
        if path.is_dir():
            if not any(self._text_files()):
                raise MtqaError(f"{path}: a folder with no .txt files in it")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            self._check_jsonl()
        elif path.suffix.lower() in PARQUET_SUFFIXES:
            self._parquet_file()  # fails now on a file that is not Parquet or lacks the text column
        else:
            raise MtqaError(f"{path}: unknown input type; expected a .jsonl file, a .parquet file or a folder of .txt files")

    def articles(self) -> Iterator[Article]:
        """Every article in input order; the second article with an id already seen gets an error."""
        first_seen: dict[str, str] = {}
        for article in self._read():
            if article.id in first_seen and article.error is None:
                yield Article(article.id, None, article.where, f"duplicate id: first at {first_seen[article.id]}")
                continue
            first_seen.setdefault(article.id, article.where)
            yield article

    def count(self) -> int:
        """How many articles there are, without parsing them (blank JSONL lines are not articles)."""
        if self.path.is_dir():
            return sum(1 for _ in self._text_files())
        if self.path.suffix.lower() in PARQUET_SUFFIXES:
            return self._parquet_file().metadata.num_rows
        with self.path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())

    def _read(self) -> Iterator[Article]:
        if self.path.is_dir():
            return self._read_folder()
        if self.path.suffix.lower() in PARQUET_SUFFIXES:
            return self._read_parquet()
        return self._read_jsonl()

    # -- JSONL ------------------------------------------------------------------------------------

    def _check_jsonl(self) -> None:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError as err:
            raise MtqaError(f"{self.path}: cannot read: {err.strerror or err}") from None
        if b"\x00" in head:
            raise MtqaError(f"{self.path}: looks like binary data, not JSONL")

    def _read_jsonl(self) -> Iterator[Article]:
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    yield self._jsonl_article(raw, f"line {number}")

    def _jsonl_article(self, raw: bytes, where: str) -> Article:
        """A malformed line is an article error; with no id to read, its id is `where` ("line 7")."""
        try:
            line = raw.decode("utf-8-sig" if where == "line 1" else "utf-8")
        except UnicodeDecodeError as err:
            return Article(where, None, where, f"bad encoding: not valid UTF-8 at byte {err.start} of the line")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            return Article(where, None, where, f"malformed line: not JSON ({err.msg} at character {err.pos + 1})")
        if not isinstance(record, dict):
            return Article(where, None, where, f"malformed line: a JSON {type(record).__name__}, not an object")
        return self._article(record.get(self.id_field), self.text_field in record, record.get(self.text_field), where)

    # -- Parquet ----------------------------------------------------------------------------------

    def _parquet_file(self):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise MtqaError("reading Parquet needs pyarrow: pip install 'mtqa[parquet]'") from None
        try:
            parquet = pq.ParquetFile(self.path)
        except Exception as err:  # noqa: BLE001  pyarrow raises several types for a file that is not Parquet
            raise MtqaError(f"{self.path}: not a readable Parquet file ({type(err).__name__}: {err})") from None
        columns = parquet.schema_arrow.names
        if self.text_field not in columns:
            raise MtqaError(f"{self.path}: no column {self.text_field!r} (columns: {', '.join(columns)}); name it with --text-field")
        return parquet

    def _read_parquet(self) -> Iterator[Article]:
        parquet = self._parquet_file()
        has_id = self.id_field in parquet.schema_arrow.names
        columns = [self.text_field, *([self.id_field] if has_id else [])]
        number = 0
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH, columns=columns):
            for row in batch.to_pylist():
                number += 1
                text = row[self.text_field]
                if isinstance(text, bytes):
                    try:
                        text = text.decode("utf-8")
                    except UnicodeDecodeError as err:
                        yield Article(self._id(row.get(self.id_field), f"row {number}"), None, f"row {number}",
                                      f"bad encoding: not valid UTF-8 at byte {err.start}")
                        continue
                yield self._article(row.get(self.id_field), text is not None, text, f"row {number}")

    # -- folder of .txt files ---------------------------------------------------------------------

    def _text_files(self) -> Iterator[Path]:
        return iter(sorted((p for p in self.path.rglob("*.txt") if p.is_file()), key=lambda p: p.relative_to(self.path).as_posix()))

    def _read_folder(self) -> Iterator[Article]:
        for path in self._text_files():
            name = path.relative_to(self.path).as_posix()
            try:
                text = read_text(path).text
            except MtqaError as err:
                yield Article(name, None, name, f"unreadable: {err}")
                continue
            yield self._article(name, True, text, name)

    # -- shared -----------------------------------------------------------------------------------

    @staticmethod
    def _id(value: object, where: str) -> str:
        """Ids are strings or integers; without a usable one, the article is named by where it is."""
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return where

    def _article(self, id_value: object, has_text: bool, text: object, where: str) -> Article:
        article_id = self._id(id_value, where)
        if not has_text or text is None:
            return Article(article_id, None, where, f"no text: no {self.text_field!r} field")
        if not isinstance(text, str):
            return Article(article_id, None, where, f"no text: {self.text_field!r} holds {type(text).__name__}, not a string")
        if not text.strip():
            return Article(article_id, None, where, "empty text: nothing to check")
        return Article(article_id, text, where)
