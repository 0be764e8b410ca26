"""The output file of a corpus run, written so that no interruption leaves a bad file.

Records go to `OUT.partial`, one whole line at a time, each line written and fsynced before the
next, in input order; only when the run completes is `OUT.partial` renamed to `OUT` (an atomic
rename, then the folder is fsynced). So:

- `OUT` is always complete or absent (or, on a rerun, the previous complete OUT, until the new
  one replaces it): readers never see half a corpus under that name.
- After SIGINT or SIGKILL at any moment, `OUT.partial` holds complete records for a prefix of the
  input, possibly followed by one incomplete line (a kill during a write).
- `--resume` drops that incomplete line, checks that the records are for the first articles of
  INPUT, in order (else the file is from another input: an error, nothing is touched), skips
  those articles and appends the rest; so the finished OUT has one record per article, in input
  order, with no duplicate and no half record. `--resume` on a complete OUT continues from its
  records (nothing to do when INPUT has no more articles).
- Without `--resume`, an existing `OUT.partial` is an error (it holds an interrupted run's work),
  and an existing OUT is replaced only when the new run completes.

An exclusive lock on `OUT.partial` keeps two runs from writing it at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from mtqa.corpus.records import read_records
from mtqa.errors import MtqaError


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


class OutFile:
    """Open with `open()`; `done` lists the ids already written (in order); `write()` appends one
    record line; `finish()` publishes OUT; `close()` (also on interruption) leaves OUT.partial."""

    def __init__(self, out: Path, resume: bool, warn: Callable[[str], None] = lambda message: None) -> None:
        self.out = out
        self.partial = partial_path(out)
        self.resume = resume
        self.warn = warn
        self.done: list[str] = []
        self._fd: int | None = None
        self._created = False

    def open(self) -> OutFile:
        out, partial = self.out, self.partial
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise MtqaError(f"{out}: folder {folder} does not exist")
        if out.is_dir():
            raise MtqaError(f"{out}: is a folder, cannot write a file there")
        if partial.exists() and not self.resume:
            raise MtqaError(f"{partial} holds an interrupted run's records: --resume completes it (or delete it to start again)")
        if self.resume and not partial.exists() and out.exists():
            self._copy(out, partial)  # continue a complete OUT: it stays as it is until the new one is done
        self._created = not partial.exists()
        try:
            self._fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
        except OSError as err:
            raise MtqaError(f"{partial}: cannot write: {err.strerror or err}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)  # the file is the other run's: left as it is
            self._fd = None
            raise MtqaError(f"{partial}: another `mtqa corpus` run is writing it") from None
        if self.resume:
            try:
                self._load_done()
            except BaseException:
                self.close()
                raise
        return self

    def _copy(self, source: Path, target: Path) -> None:
        try:
            shutil.copyfile(source, target)
        except OSError as err:
            raise MtqaError(f"{target}: cannot write: {err.strerror or err}") from None

    def _load_done(self) -> None:
        """The ids of the complete records; an incomplete last line is cut off (the article is redone)."""
        cut: list[tuple[int, int]] = []
        self.done = [record["id"] for record in read_records(self.partial, lambda complete, extra: cut.append((complete, extra)))]
        if cut:
            complete, extra = cut[0]
            os.ftruncate(self._fd, complete)
            os.fsync(self._fd)
            self.warn(f"{self.partial}: dropped an incomplete last record ({extra} bytes) left by an interrupted run")

    def check_prefix(self, index: int, article_id: str) -> None:
        """Article `index` of INPUT (0-based) must be the one whose record is `done[index]`."""
        if self.done[index] != article_id:
            raise MtqaError(
                f"{self.partial}: record {index + 1} is for id {self.done[index]!r} but article {index + 1} of the input is "
                f"{article_id!r}: it was written from another input (delete it, or write to another -o)"
            )

    def write(self, record_line: str) -> None:
        """Append one whole record line and fsync it: a crash after this returns cannot lose it."""
        data = record_line.encode("utf-8")
        while data:
            data = data[os.write(self._fd, data) :]
        os.fsync(self._fd)

    def finish(self, articles: int) -> None:
        """Publish OUT: OUT.partial renamed over it. `articles` is how many the input has."""
        if len(self.done) > articles:
            raise MtqaError(
                f"{self.partial}: has {len(self.done)} records but the input has only {articles} articles: "
                "it was written from another input (delete it, or write to another -o)"
            )
        os.replace(self.partial, self.out)
        folder = os.open(self.out.parent if str(self.out.parent) else ".", os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a crash
        finally:
            os.close(folder)

    def close(self) -> None:
        """Leaves OUT.partial for --resume, unless this run made it and wrote nothing to it."""
        if self._fd is None:
            return
        if self._created and os.fstat(self._fd).st_size == 0 and self.partial.exists():
            self.partial.unlink()
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutFile:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()
