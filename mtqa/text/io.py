"""Reading input text exactly, and writing outputs atomically.

`fix` must leave every byte outside its edits unchanged, so text is decoded
without newline translation (CRLF stays CRLF in the string) and a UTF-8 byte
order mark is remembered and written back rather than kept in the text, so
that offsets index the text a user sees.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import MtqaError

BOM = codecs.BOM_UTF8
# Control characters that never occur in prose: their presence means a binary file.
_BINARY_BYTES = bytes(range(0, 9)) + bytes([11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31])


@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str
    encoding: str
    bom: bool
    data: bytes = field(default=b"", repr=False, compare=False)  # the bytes as read, for backups

    def encode(self, text: str) -> bytes:
        """Bytes of `text` in this file's encoding, with its BOM if it had one."""
        try:
            return (BOM if self.bom else b"") + text.encode(self.encoding)
        except UnicodeEncodeError as err:
            raise MtqaError(
                f"{self.path}: the corrected text has {err.object[err.start:err.end]!r}, which {self.encoding} cannot encode"
            ) from None


def _utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def _wide(encoding: str) -> bool:
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _checked_encoding(encoding: str) -> str:
    try:
        if codecs.lookup(encoding).name == "utf-8-sig":
            return "utf-8"  # a BOM is kept when there is one, and not added when there is none
    except LookupError:
        raise MtqaError(f"unknown encoding {encoding!r}") from None
    return encoding


def read_text(path: Path, encoding: str = "utf-8") -> TextFile:
    """The file's text, decoded exactly (no newline translation); MtqaError with one clear line otherwise."""
    path = Path(path)
    if not path.exists():
        raise MtqaError(f"{path}: no such file")
    if path.is_dir():
        raise MtqaError(f"{path}: is a folder, expected a text file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise MtqaError(f"{path}: cannot read: {err.strerror or err}") from None
    return decode(data, path, encoding)


def decode(data: bytes, path: Path, encoding: str = "utf-8") -> TextFile:
    """Bytes read from `path` (or a stream named so, such as "<stdin>") decoded as `read_text` decodes a file."""
    encoding = _checked_encoding(encoding)
    bom = _utf8(encoding) and data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if not _wide(encoding):
        wide = next((name for mark, name in _WIDE_BOMS if body.startswith(mark)), None)
        if wide:
            raise MtqaError(f"{path}: looks like {wide.upper()} text; use --encoding {wide}")
        sample = body[:65536]
        if b"\x00" in sample or sum(sample.count(bytes([b])) for b in _BINARY_BYTES) > len(sample) // 100:
            raise MtqaError(f"{path}: looks like binary data, not text")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        offset = err.start + (len(BOM) if bom else 0)
        line = data.count(b"\n", 0, offset) + 1
        raise MtqaError(
            f"{path}: not valid {encoding} at byte {offset} (line {line}, byte 0x{body[err.start]:02x}); "
            "give the file's real encoding with --encoding, e.g. --encoding latin-1"
        ) from None
    return TextFile(path=path, text=text, encoding=encoding, bom=bom, data=data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same folder, which is flushed to disk and renamed over
    `path`; on any failure or interrupt (Ctrl-C) the temporary file is removed and `path` is untouched.
    A symbolic link is written through (its target is replaced), and an existing file keeps its mode.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise MtqaError(f"{path}: folder {directory} does not exist")
    if path.is_dir():
        raise MtqaError(f"{path}: is a folder, cannot write a file there")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # a new file gets the usual mode (mkstemp makes it 0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise MtqaError(f"{path}: cannot write: {err.strerror or err}") from None
    finally:  # includes KeyboardInterrupt: never leave a partial file behind
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_atomic(path, text.encode(encoding))
