"""Where articles are checked: in this process, in a local process pool, or on Ray (`ray_engine`).

Every engine runs the same `Worker` (one `Checker`, so one model, built once per process) and
hands back record lines; `ordered_records` puts them in input order, keeping each engine busy
with at most `capacity` articles in flight and a bounded number of finished records waiting for
an earlier, slower article. Articles that could not be read never reach a worker: their error
record is made here.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mtqa import pipeline
from mtqa.api import Checker
from mtqa.corpus.records import check_article, error_line
from mtqa.corpus.sources import Article
from mtqa.errors import MtqaError
from mtqa.lm import registry

WARM_UP = "The models load now, not during the first article."
MAX_WAITING = 64  # finished records held back behind a slower earlier article


@dataclass(frozen=True)
class Settings:
    """What every worker needs to build the same `Checker` (it travels to other processes and machines)."""

    detectors: tuple[str, ...] = pipeline.DETECTORS
    lm: str | None = None
    threshold: float = pipeline.DEFAULT_THRESHOLD
    glossary_files: tuple[Path, ...] = ()
    disabled: frozenset[str] = field(default_factory=frozenset)
    precision: str = "auto"  # resolved on each worker: machines of a cluster may differ
    device: str = "auto"

    def checker(self) -> Checker:
        return Checker(
            detectors=self.detectors,
            lm=self.lm,
            threshold=self.threshold,
            glossary_files=self.glossary_files,
            disabled=self.disabled,
            precision=self.precision,
            device=self.device,
        )

    def uses_torch(self) -> bool:
        return "lm" in self.detectors and registry.spec(self.lm or registry.default_model()).kind == "transformer"


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def threads_per_worker(cores: int, workers: int) -> int:
    """C cores shared by N workers: C // N torch threads each, at least one."""
    return max(1, cores // workers)


class Worker:
    """One `Checker`, its models loaded once, checking article after article.

    A problem building it (a model not installed, a bad glossary) is raised with the first article,
    where every engine's caller hears it (a pool's or actor's own start-up errors are not reported
    as clearly)."""

    def __init__(self, settings: Settings, threads: int | None = None) -> None:
        self.failure: MtqaError | None = None
        try:
            if threads and settings.uses_torch():
                import torch

                torch.set_num_threads(threads)
            self.checker = settings.checker()
            self.checker.check(WARM_UP)
        except MtqaError as error:
            self.failure = error

    def check(self, article: Article) -> str:
        if self.failure is not None:
            raise self.failure
        return check_article(self.checker, article)


class Engine(Protocol):
    capacity: int  # articles it checks at once, plus those queued to start next
    startup_seconds: float  # the engine's own start-up (Ray's), apart from loading models

    def start(self) -> None: ...

    def submit(self, index: int, article: Article) -> None: ...

    def results(self) -> list[tuple[int, str]]:
        """(index, record line) of one or more submitted articles; blocks until there is one."""
        ...

    def stop(self) -> None: ...


def ordered_records(engine: Engine, articles: Iterator[tuple[int, Article]], first: int) -> Iterator[str]:
    """Record lines in input order for (index, article) pairs numbered from `first` on."""
    waiting: dict[int, str] = {}
    running, next_index, more = 0, first, True
    while True:
        while more and running < engine.capacity and len(waiting) < MAX_WAITING:
            item = next(articles, None)
            if item is None:
                more = False
            elif item[1].error is None:
                engine.submit(*item)
                running += 1
            else:
                waiting[item[0]] = error_line(item[1].id, item[1].error)
        while next_index in waiting:
            yield waiting.pop(next_index)
            next_index += 1
        if running:
            for index, record in engine.results():
                waiting[index] = record
                running -= 1
        elif not more:
            return


class InProcess:
    """`--jobs 1`: the articles are checked here, one after another, with the process's own threads."""

    capacity = 1
    startup_seconds = 0.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._done: list[tuple[int, str]] = []

    def start(self) -> None:
        self.worker = Worker(self.settings)

    def submit(self, index: int, article: Article) -> None:
        self._done.append((index, self.worker.check(article)))

    def results(self) -> list[tuple[int, str]]:
        done, self._done = self._done, []
        return done

    def stop(self) -> None:
        pass


_worker: Worker | None = None


def _start_worker(settings: Settings, threads: int) -> None:
    """A pool process: Ctrl-C is the parent's to handle, and the process ends when its parent does
    (even a parent killed with SIGKILL), so no worker outlives the run."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()
    _worker = Worker(settings, threads)


def _check_in_worker(index: int, article: Article) -> tuple[int, str]:
    return index, _worker.check(article)


class ProcessPool:
    """`--engine local --jobs N`: N processes, one `Checker` and C // N torch threads each."""

    startup_seconds = 0.0

    def __init__(self, settings: Settings, jobs: int) -> None:
        self.settings = settings
        self.jobs = jobs
        self.capacity = 2 * jobs  # each process has its next article queued while it checks one
        self._done: queue.SimpleQueue[Future] = queue.SimpleQueue()

    def start(self) -> None:
        self._others = set(multiprocessing.active_children())  # processes that are not the pool's
        self.pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("spawn"),  # a fresh interpreter: no forked torch or lock state
            initializer=_start_worker,
            initargs=(self.settings, threads_per_worker(cores(), self.jobs)),
        )

    def submit(self, index: int, article: Article) -> None:
        self.pool.submit(_check_in_worker, index, article).add_done_callback(self._done.put)

    def results(self) -> list[tuple[int, str]]:
        futures = [self._done.get()]
        while not self._done.empty():
            futures.append(self._done.get())
        try:
            return [future.result() for future in futures]
        except BrokenProcessPool:
            raise MtqaError("a worker process died (out of memory?); --resume continues from the last record written") from None

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        processes = [p for p in multiprocessing.active_children() if p not in self._others]
        for process in processes:  # an interrupted run does not wait for the articles in flight
            process.terminate()
        for process in processes:
            process.join()


def engine(name: str, settings: Settings, jobs: int | None, ray_address: str | None) -> Engine:
    """The engine a command line asks for; `jobs` None means the engine's default."""
    if ray_address and name != "ray":
        raise MtqaError("--ray-address needs --engine ray")
    if name == "ray":
        from mtqa.corpus.ray_engine import RayEngine

        return RayEngine(settings, jobs, ray_address)
    if name != "local":
        raise MtqaError(f"unknown engine {name!r}; choose local or ray")
    return InProcess(settings) if (jobs or 1) == 1 else ProcessPool(settings, jobs)
