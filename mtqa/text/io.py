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
from dataclasses import dataclass
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

    def encode(self, text: str) -> bytes:
        """Bytes of `text` in this file's encoding, with its BOM if it had one."""
        return (BOM if self.bom else b"") + text.encode(self.encoding)


def read_text(path: Path, encoding: str = "utf-8") -> TextFile:
    if not path.exists():
        raise MtqaError(f"{path}: no such file")
    if path.is_dir():
        raise MtqaError(f"{path}: is a folder, expected a text file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise MtqaError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise MtqaError(f"unknown encoding {encoding!r}") from None
    bom = encoding.lower().replace("_", "-") in ("utf-8", "utf8") and data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        sample = body[:65536]
        if b"\x00" in sample or sum(sample.count(bytes([b])) for b in _BINARY_BYTES) > len(sample) // 100:
            raise MtqaError(f"{path}: looks like binary data, not text")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        offset = err.start + (len(BOM) if bom else 0)
        raise MtqaError(
            f"{path}: not valid {encoding} at byte {offset} (0x{body[err.start]:02x}); try --encoding latin-1 or the file's real encoding"
        ) from None
    return TextFile(path=path, text=text, encoding=encoding, bom=bom)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise MtqaError(f"{path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:  # includes KeyboardInterrupt: never leave a partial file behind
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_atomic(path, text.encode(encoding))
