"""What the file arguments of `check` and `fix` mean: a file, `-` for standard input, or a folder for
every file in it that matches `--glob` (default `*.txt`), recursively, in sorted order.

Each input keeps the name the user would recognise: a file as it was given, a file found in a folder
as the folder argument joined with its path below it (`articles/2024/a.txt`), standard input as
`<stdin>`. Hidden files and folders (a name starting with ".") are skipped in folders.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import MtqaError
from mtqa.text.io import TextFile, decode, read_text

STDIN = "-"
STDIN_NAME = "<stdin>"
DEFAULT_GLOB = "*.txt"


@dataclass(frozen=True)
class Source:
    """One text to work on."""

    name: str  # as shown in output
    path: Path | None  # None for standard input
    under: Path | None  # its place under `fix --out-dir`: its path below the folder argument, or its file name
    data: bytes = b""  # standard input, read once (it cannot be read again, nor by a worker process)

    def read(self, encoding: str) -> TextFile:
        """The text, decoded; MtqaError naming this input when it cannot be read."""
        if self.path is None:
            return decode(self.data, Path(self.name), encoding)
        return read_text(self.path, encoding)


def expand(arguments: list[Path], pattern: str = DEFAULT_GLOB) -> list[Source]:
    """The inputs the arguments name, in order. A folder with no matching file is an error; a missing
    file is not (yet): it is reported when read, and the other inputs are still processed."""
    if not pattern.strip():
        raise MtqaError("--glob needs a pattern, such as *.txt")
    sources: list[Source] = []
    for argument in arguments:
        if str(argument) == STDIN:
            if any(source.path is None for source in sources):
                raise MtqaError("- (standard input) is given more than once")
            sources.append(Source(STDIN_NAME, None, None, _stdin()))
        elif argument.is_dir():
            found = files_in(argument, pattern)
            if not found:
                raise MtqaError(f"{argument}: no files matching {pattern} in this folder (see --glob)")
            sources += [Source(str(argument / relative), argument / relative, relative) for relative in found]
        else:
            sources.append(Source(str(argument), argument, Path(argument.name)))
    return sources


def files_in(folder: Path, pattern: str) -> list[Path]:
    """Paths, relative to `folder`, of the files below it whose path ends in a match for `pattern`
    (`PurePath.match`: "*.txt", "news/*.txt"), sorted; hidden files and folders are left out."""

    def unreadable(error: OSError) -> None:
        raise MtqaError(f"{error.filename}: cannot read folder: {error.strerror or error}")

    found = []
    for root, folders, files in os.walk(folder, onerror=unreadable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            relative = (Path(root) / name).relative_to(folder)
            if not name.startswith(".") and relative.match(pattern):
                found.append(relative)
    return sorted(found)


def _stdin() -> bytes:
    if sys.stdin is None:
        raise MtqaError("- means standard input, but this process has none")
    return sys.stdin.buffer.read()
