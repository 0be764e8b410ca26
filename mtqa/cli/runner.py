"""One task over many inputs: in this process (`--jobs 1`), or split over worker processes, each
with its own copy of the `Checker` (so its own model) and a share of the CPU cores. Results come
back in input order, and the command prints and writes them itself: a worker never writes a file,
so stopping workers (Ctrl-C) can leave nothing half-written.

A task is a function `task(checker, source, progress) -> result`, defined at module level so a
worker process can import it; `progress(done, total)` hears how many words of a long text are done.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from mtqa.api import Checker
from mtqa.cli import common, quiet
from mtqa.cli.inputs import Source
from mtqa.errors import MtqaError
from mtqa.output.report import printable

R = TypeVar("R")
ProgressFn = Callable[[int, int], None]
Task = Callable[[Checker, Source, ProgressFn], R]


def run(task: Task[R], sources: list[Source], checker: Checker, jobs: int, verb: str, verbose: bool = False) -> Iterator[R]:
    """`task` on every source, results in input order; with `jobs` > 1, in that many worker processes
    (never more than there are sources). `verb` labels the progress display ("checking").
    Close the generator (`contextlib.closing`) so that stopping early stops the workers at once."""
    workers = min(jobs, len(sources))
    with Display(sources, verb) as display:
        if workers <= 1:
            for index, source in enumerate(sources):
                result = task(checker, source, partial(display.advance, index))
                display.finished(index)
                yield result
        else:
            yield from _in_workers(task, sources, checker, workers, verbose, display)


def usable_cpus() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _in_workers(task: Task[R], sources: list[Source], checker: Checker, workers: int, verbose: bool, display: Display) -> Iterator[R]:
    # spawn, not fork: a forked copy of a process that has started threads (torch's, rich's) can hang.
    context = multiprocessing.get_context("spawn")
    progress = context.SimpleQueue()
    threads = max(1, usable_cpus() // workers)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(task, checker, threads, progress, verbose))
    try:
        # Workers start (within submit) with Ctrl-C ignored, a setting a new process keeps from its first
        # instruction: the parent alone hears Ctrl-C, and stops them. No traceback from a starting worker.
        parent_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            futures = [pool.submit(_work, index, source) for index, source in enumerate(sources)]
        finally:
            signal.signal(signal.SIGINT, parent_handler)
        for index, future in enumerate(futures):
            while not _done(future):
                _show(progress, display)
            _show(progress, display)
            display.finished(index)
            try:
                yield future.result()
            except BrokenProcessPool:
                raise MtqaError("a worker process stopped unexpectedly (out of memory?); try fewer --jobs") from None
    except BaseException:  # Ctrl-C, an error, or the caller stopped early: stop the workers now, not after their file
        for process in multiprocessing.active_children():  # this process's children are the pool's workers
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _done(future: Future, poll: float = 0.2) -> bool:
    return bool(wait([future], timeout=poll).done)


def _show(progress: Any, display: Display) -> None:
    while not progress.empty():
        display.advance(*progress.get())


# -- inside a worker process ---------------------------------------------------------------------

_worker: dict[str, Any] = {}  # this worker's task, checker and progress queue, set once by _start


def _start(task: Task, checker: Checker, threads: int, progress: Any, verbose: bool) -> None:
    """Set up a worker process: its share of the cores, library output as in the parent, and the task
    and checker it runs every input with."""
    quiet.configure(verbose)
    if "lm" in checker.detectors:  # before the model loads: torch fixes its thread pool on first use
        import torch

        torch.set_num_threads(threads)
    _worker.update(task=task, checker=checker, progress=progress)


def _work(index: int, source: Source) -> Any:
    report = lambda done, total: _worker["progress"].put((index, done, total))  # noqa: E731
    return _worker["task"](_worker["checker"], source, report)


# -- progress on a terminal ------------------------------------------------------------------------


class Display:
    """Progress on stderr when it is a terminal: how many inputs are done (when there are several),
    and a bar in words for each long text being worked on. Nothing otherwise."""

    def __init__(self, sources: list[Source], verb: str) -> None:
        self.sources = sources
        self.verb = verb
        self.bar: Progress | None = None
        self.files: TaskID | None = None
        self.texts: dict[int, TaskID | None] = {}

    def __enter__(self) -> Display:
        if len(self.sources) > 1:
            self.files = self._add(f"{self.verb} {len(self.sources)} files", len(self.sources), "files")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def advance(self, index: int, done: int, total: int) -> None:
        """`done` of `total` words of input `index` are done."""
        if index not in self.texts:
            self.texts[index] = self._add(f"{self.verb} {self.sources[index].name}", total, "words")
        if self.bar:
            self.bar.update(self.texts[index], completed=done)

    def finished(self, index: int) -> None:
        text = self.texts.pop(index, None)
        if self.bar and text is not None:
            self.bar.remove_task(text)
        if self.bar and self.files is not None:
            self.bar.advance(self.files)

    def _add(self, label: str, total: int, unit: str) -> TaskID | None:
        if not common.err.is_terminal:
            return None
        if self.bar is None:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[unit]}"), TimeRemainingColumn())
            self.bar = Progress(*columns, console=common.err, transient=True)
            self.bar.start()
        return self.bar.add_task(escape(printable(label)), total=total, unit=unit)
