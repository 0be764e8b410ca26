"""A corpus run: read INPUT, check every article on an engine, write OUT in input order, resumably."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mtqa.corpus.engines import Engine, ordered_records
from mtqa.corpus.outfile import OutFile
from mtqa.corpus.sources import Article, Source


@dataclass
class RunStats:
    """What a run did. `seconds` is the whole run; `startup_seconds` the engine's own start (Ray's)."""

    articles: int = 0  # in the input
    resumed: int = 0  # already in OUT before this run
    checked: int = 0  # checked by this run
    errors: int = 0  # records of this run with an error
    flags: int = 0
    words: int = 0
    seconds: float = 0.0
    startup_seconds: float = 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def run_corpus(
    source: Source,
    out: Path,
    engine: Engine,
    resume: bool = False,
    progress: Callable[[RunStats], None] | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> RunStats:
    """Check every article of `source` not already in OUT and publish OUT when all are written."""
    began = time.perf_counter()
    stats = RunStats()
    with OutFile(out, resume, warn) as outfile:
        stats.resumed = len(outfile.done)

        def remaining() -> Iterator[tuple[int, Article]]:
            for index, article in enumerate(source.articles()):
                stats.articles = index + 1
                if index < stats.resumed:
                    outfile.check_prefix(index, article.id)
                else:
                    yield index, article

        engine.start()
        try:
            stats.startup_seconds = engine.startup_seconds
            for record_line in ordered_records(engine, remaining(), stats.resumed):
                outfile.write(record_line)
                record = json.loads(record_line)
                stats.checked += 1
                stats.errors += record["error"] is not None
                stats.flags += len(record["flags"])
                stats.words += record["words"] or 0
                if progress:
                    stats.seconds = time.perf_counter() - began
                    progress(stats)
        finally:
            engine.stop()
        outfile.finish(stats.articles)
    stats.seconds = time.perf_counter() - began
    return stats
