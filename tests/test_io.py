import os

import pytest

from mtqa.errors import MtqaError
from mtqa.text.io import read_text, write_atomic


def test_bom_and_crlf_round_trip(tmp_path):
    path = tmp_path / "a.txt"
    data = b"\xef\xbb\xbfOne line\r\nTwo\r\n"
    path.write_bytes(data)
    file = read_text(path)
    assert file.bom and file.text == "One line\r\nTwo\r\n"
    assert file.encode(file.text) == data


@pytest.mark.parametrize(
    "content, message",
    [
        (b"abc\xff\xfedef", "not valid utf-8 at byte 3"),
        (b"\x00\x01\x02binary\x00", "binary"),
    ],
)
def test_bad_bytes_are_named(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(MtqaError, match=message):
        read_text(path)


def test_other_encodings(tmp_path):
    path = tmp_path / "l1.txt"
    path.write_bytes("café".encode("latin-1"))
    assert read_text(path, "latin-1").text == "café"
    with pytest.raises(MtqaError, match="unknown encoding"):
        read_text(path, "no-such-codec")


def test_missing_and_folder(tmp_path):
    with pytest.raises(MtqaError, match="no such file"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(MtqaError, match="is a folder"):
        read_text(tmp_path)


def test_write_atomic_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "out.txt"
    path.write_bytes(b"old")

    def boom(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new content")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_write_atomic_replaces(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, b"one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
