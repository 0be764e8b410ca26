"""Issue 5: hard texts, no data loss, safe output and safe loading.

CLI runs are in-process (`mtqa.cli.main` with patched argv) with `-d glossary,spacing` or the
trigram LM; the one test on the transformer is marked `model`.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from mtqa import cli, pipeline
from mtqa.text.language import guess_language
from mtqa.errors import MtqaError
from mtqa.output.report import json_safe, printable
from mtqa.text.document import TextView
from mtqa.text import io as textio
from mtqa.text.document import Document
from mtqa.text.io import read_text, write_atomic

from tests.conftest import run

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-d", "glossary,spacing"]


@pytest.fixture(scope="module")
def fast_detector():
    return pipeline.build_detector(["glossary", "spacing", "lm"], "trigram")


def assert_offsets(text: str, flags) -> None:
    for flag in flags:
        assert 0 <= flag.start <= flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text, flag
        assert 0.0 <= flag.score <= 1.0


# -- BOM, CRLF and every other byte kept by fix --------------------------------------------------

RAW = (
    "\ufeffThe abroad Minister met them.\r\n"
    "Second\tline  with  double  spaces   \r\n"
    "\r\n"
    "Talks in the safety Council ended on Monday.Then they left.\rA lone CR stays.\n"
    "  indented line, no final newline"
).encode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_fix_keeps_bom_crlf_and_every_byte_outside_edits(capsys, monkeypatch, tmp_path, encoding):
    source, target, report = tmp_path / "in.txt", tmp_path / "out.txt", tmp_path / "r.json"
    source.write_bytes(RAW)
    code, _, stderr = run(capsys, monkeypatch, "fix", source, "-o", target, "--report", report, *FAST, "--encoding", encoding)
    assert code == 0, stderr
    text = read_text(source, encoding).text
    applied = [e for e in json.loads(report.read_text(encoding="utf-8"))["files"][0]["edits"] if e["applied"]]
    assert {e["text"] for e in applied} >= {"abroad Minister", ""}  # a term and a missing space
    expected, position = [], 0
    for edit in sorted(applied, key=lambda e: e["start"]):
        assert text[edit["start"] : edit["end"]] == edit["text"]
        expected += [text[position : edit["start"]], edit["replacement"]]
        position = edit["end"]
    expected.append(text[position:])
    out = target.read_bytes()
    assert out == b"\xef\xbb\xbf" + "".join(expected).encode("utf-8")
    assert out.count(b"\r\n") == RAW.count(b"\r\n") and out.count(b"\r") == RAW.count(b"\r")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "UTF8"])
def test_utf8_with_or_without_bom_round_trips(tmp_path, encoding):
    for data in (RAW, RAW[3:]):
        path = tmp_path / "t.txt"
        path.write_bytes(data)
        file = read_text(path, encoding)
        assert not file.text.startswith("\ufeff") and file.encode(file.text) == data


def test_line_and_column_with_crlf_and_bom(capsys, monkeypatch, tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffFirst line.\r\nThe abroad Minister came.\r\n".encode("utf-8"))
    code, stdout, _ = run(capsys, monkeypatch, "check", path, *FAST, "-f", "json")
    flag = json.loads(stdout)["files"][0]["flags"][0]
    assert (flag["line"], flag["column"]) == (2, 5)
    assert read_text(path).text[flag["start"] : flag["end"]] == "abroad Minister"


# -- long texts: blocks, bounded memory, progress -------------------------------------------------


def test_blocks_tile_the_text_at_line_breaks(seed_text):
    text = (seed_text + "\n\n") * 8
    spans = pipeline.blocks(text, 5000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(text[end - 1] == "\n" for _, end in spans[:-1])
    assert all(end - start <= 5000 for start, end in spans)
    assert pipeline.blocks("", 10) == [(0, 0)] and pipeline.blocks("short", 10) == [(0, 5)]


def test_one_long_line_is_cut_after_sentences_or_spaces():
    line = "This is a sentence. " * 500
    spans = pipeline.blocks(line, 1000)
    assert all(line[end - 2 : end] == ". " for _, end in spans[:-1])
    words = "word " * 1000
    assert all(words[end - 1] == " " for _, end in pipeline.blocks(words, 1000)[:-1])
    solid = "x" * 2500
    assert pipeline.blocks(solid, 1000) == [(0, 1000), (1000, 2000), (2000, 2500)]


def test_checking_by_blocks_finds_what_checking_whole_finds(seed_text):
    detector = pipeline.build_detector(["glossary", "spacing"])
    text = (seed_text + "\n\n") * 4
    whole = pipeline.check_text(detector, text)[1]
    by_blocks = [f for *_, flags in pipeline.check_blocks(detector, text, size=3000) for f in flags]
    key = lambda f: (f.start, f.end, f.text, f.rule, f.suggestions)  # noqa: E731  (messages quote nearby text)
    assert [key(f) for f in by_blocks] == [key(f) for f in whole]
    assert_offsets(text, by_blocks)


def test_long_text_memory_is_bounded_by_the_block(monkeypatch, seed_text):
    """No Document larger than a block is built, and each block's flags come out before the next is read.
    (The LM detector within a block works on groups of chunks: its memory does not grow with the text.)"""
    sizes: list[int] = []

    class Recording(Document):
        def __init__(self, text: str) -> None:
            sizes.append(len(text))
            super().__init__(text)

    monkeypatch.setattr(pipeline, "Document", Recording)
    text = (seed_text + "\n\n") * 3
    blocks = pipeline.check_blocks(pipeline.build_detector(["glossary", "spacing"]), text, size=4000)
    first = next(blocks)
    assert len(sizes) == 1  # lazily: one block at a time
    rest = list(blocks)
    assert max(sizes) <= 4000 and len(sizes) == 1 + len(rest) >= 5
    assert_offsets(text, [f for *_, flags in [first, *rest] for f in flags])


def test_long_file_shows_a_progress_bar_and_checks_every_block(capsys, monkeypatch, tmp_path, seed_text):
    path = tmp_path / "long.txt"
    text = (seed_text + "\n\n") * 8  # about 8,000 words, 7 blocks
    path.write_text(text, encoding="utf-8")
    terminal = io.StringIO()
    monkeypatch.setattr(cli.common, "err", Console(file=terminal, force_terminal=True, width=100))
    code, stdout, _ = run(capsys, monkeypatch, "check", path, *FAST, "-f", "json")
    assert code == 1
    assert "checking" in terminal.getvalue()
    flags = json.loads(stdout)["files"][0]["flags"]
    single = pipeline.check_text(pipeline.build_detector(["glossary", "spacing"]), seed_text + "\n\n")[1]
    assert len(flags) == 8 * len(single)
    assert all(text[f["start"] : f["end"]] == f["text"] for f in flags)
    view = TextView(text)
    assert all(view.line_col(f["start"]) == (f["line"], f["column"]) for f in flags)


def test_long_fix_by_blocks_matches_whole(capsys, monkeypatch, tmp_path, seed_text):
    path, whole_out, block_out = tmp_path / "in.txt", tmp_path / "whole.txt", tmp_path / "blocks.txt"
    path.write_text((seed_text + "\n\n") * 3, encoding="utf-8")
    assert run(capsys, monkeypatch, "fix", path, "-o", whole_out, *FAST)[0] == 0
    monkeypatch.setattr(pipeline, "BLOCK_CHARS", 4000)
    monkeypatch.setattr(pipeline.blocks, "__defaults__", (4000,))
    code, stdout, _ = run(capsys, monkeypatch, "fix", path, "-o", block_out, *FAST, "--report", tmp_path / "r.json")
    assert code == 0
    assert block_out.read_bytes() == whole_out.read_bytes()
    edits = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"][0]["edits"]
    assert all(path.read_text(encoding="utf-8")[e["start"] : e["end"]] == e["text"] for e in edits)


def _long_sentence(seed_text: str, length: int = 5000) -> str:
    words = re.sub(r"[^\w\s]", " ", seed_text).split()
    body = " ".join(words * 3)[: length - 60].rsplit(" ", 1)[0]
    return body + " and the abroad Minister met again"


def test_5000_character_sentence_without_punctuation(fast_detector, seed_text):
    text = _long_sentence(seed_text)
    assert len(text) >= 4900 and not re.search(r"[.!?,;]", text)
    doc, flags = pipeline.check_text(fast_detector, text)
    assert len(doc.sentences) == 1
    assert_offsets(text, flags)
    assert any(f.text == "abroad Minister" and f.start == text.rindex("abroad") for f in flags)


@pytest.mark.model
def test_5000_character_sentence_with_the_default_model(smollm, seed_text):
    text = _long_sentence(seed_text)
    doc, flags = pipeline.check_text(pipeline.build_detector(["glossary", "lm", "spacing"]), text)
    assert_offsets(text, flags)
    assert any(f.start == text.rindex("abroad") for f in flags)
    assert any(f.source == "lm" or "lm:" in f.message for f in flags)


# -- other languages ----------------------------------------------------------------------------

FOREIGN = {
    "de": "Der russische Außenminister traf sich am Montag mit Vertretern der zentralasiatischen Staaten. Die Gespräche betrafen die regionale Sicherheit, die wirtschaftliche Zusammenarbeit und die Lage in Afghanistan. Nach Angaben des Sprechers vereinbarten beide Seiten weitere Konsultationen.",
    "fr": "Le ministre russe des Affaires étrangères a rencontré lundi les représentants des États d'Asie centrale. Les discussions ont porté sur la sécurité régionale, la coopération économique et la situation en Afghanistan. Selon le porte-parole, les deux parties ont convenu de poursuivre les consultations.",
    "pl": "Minister spraw zagranicznych Rosji spotkał się w poniedziałek z przedstawicielami państw Azji Środkowej. Rozmowy dotyczyły bezpieczeństwa regionalnego, współpracy gospodarczej oraz sytuacji w Afganistanie. Według rzecznika ministerstwa strony uzgodniły dalsze konsultacje.",
    "es": "El ministro de Asuntos Exteriores de Rusia se reunió el lunes con representantes de los Estados de Asia Central. Las conversaciones trataron sobre la seguridad regional, la cooperación económica y la situación en Afganistán. Según el portavoz, ambas partes acordaron continuar las consultas.",
}


@pytest.mark.parametrize("language", sorted(FOREIGN))
def test_non_english_text_warns_and_raises_few_flags(capsys, monkeypatch, tmp_path, language):
    path = tmp_path / f"{language}.txt"
    path.write_text(FOREIGN[language] + "\n", encoding="utf-8")
    code, stdout, stderr = run(capsys, monkeypatch, "check", path, "--lm", "trigram", "-f", "json")
    assert code in (0, 1)
    assert "does not look like English" in stderr and "% of words known" in stderr
    assert len(json.loads(stdout)["files"][0]["flags"]) <= 2


def test_english_texts_do_not_warn(seed_text, clean_seed_text):
    for text in (seed_text, clean_seed_text, *(p.read_text(encoding="utf-8") for p in (ROOT / "benchmarks" / "clean_text").glob("*.txt"))):
        assert guess_language(text).english
    technical = (
        "Hepatosplenomegaly, thrombocytopenia and lymphadenopathy were observed in 12 of 40 patients; immunohistochemistry "
        "showed CD20-positive lymphocytes. Pharmacokinetics of rituximab and bendamustine were evaluated by LC-MS/MS."
    )
    assert guess_language(technical).english
    assert guess_language("Zażółć gęślą jaźń").english  # too short to judge
    assert guess_language("").english and guess_language("12 34 !!").english


# -- unicode of every kind ------------------------------------------------------------------------

UNICODE = (
    "👨\u200d👩\u200d👧 e\u0301te\u0301 café The abroad Minister said שלום עולם and مرحبا بالعالم.\n"
    "Z\u0335\u0322a\u0337l\u0336g\u0338o text: 日本語のテキスト and the safety Council.Then 🇵🇱 flags 🏳️\u200d🌈 met.\n"
    "\u202eevil\u202c \u200b zero width, NBSP\u00a0here, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math, ﬁ ligature, İstanbul ǅ titlecase.\r\n"
    "Combining only: \u0301\u0302\u0303 and a strategical partner of the abroad Minister.\n"
)


def test_unicode_offsets_stay_correct(fast_detector):
    doc, flags = pipeline.check_text(fast_detector, UNICODE)
    assert_offsets(UNICODE, flags)
    starts = {f.start for f in flags if f.text == "abroad Minister"}
    assert {UNICODE.index("abroad Minister"), UNICODE.rindex("abroad Minister")} <= starts
    for sentence in doc.sentences:
        for token in sentence.tokens:
            assert UNICODE[token.start : token.end] == token.text


def test_unicode_offsets_in_json_index_the_decoded_file(capsys, monkeypatch, tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes(b"\xef\xbb\xbf" + UNICODE.encode("utf-8"))
    code, stdout, _ = run(capsys, monkeypatch, "check", path, "--lm", "trigram", "-f", "json")
    flags = json.loads(stdout)["files"][0]["flags"]
    assert flags and all(UNICODE[f["start"] : f["end"]] == f["text"] for f in flags)
    view = TextView(UNICODE)
    assert all(view.line_col(f["start"]) == (f["line"], f["column"]) for f in flags)


# -- no data loss: atomic writes -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_write_atomic_interrupted_anywhere_leaves_the_old_file(tmp_path, monkeypatch, where):
    path = tmp_path / "out.txt"
    path.write_bytes(b"old")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "write":
        real_fdopen = os.fdopen

        class Breaking(io.RawIOBase):
            def __init__(self, handle):
                self.handle = handle

            def write(self, data):
                self.handle.write(data[: len(data) // 2])
                raise KeyboardInterrupt

            def fileno(self):
                return self.handle.fileno()

            def close(self):
                self.handle.close()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Breaking(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, where, interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new content" * 1000)
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_write_atomic_new_file_mode_symlink_and_errors(tmp_path):
    new = tmp_path / "new.txt"
    write_atomic(new, b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~mask
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, b"through")
    assert link.is_symlink() and real.read_bytes() == b"through"
    with pytest.raises(MtqaError, match="is a folder"):
        write_atomic(tmp_path, b"x")
    with pytest.raises(MtqaError, match="does not exist"):
        write_atomic(tmp_path / "no" / "x.txt", b"x")


def test_write_atomic_os_error_is_one_line(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(MtqaError, match="cannot write: No space left on device"):
        write_atomic(tmp_path / "x.txt", b"data")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_reports_and_outputs_go_through_write_atomic(capsys, monkeypatch, tmp_path):
    written: list[Path] = []
    real = textio.write_atomic

    def recording(path, data):
        written.append(Path(path))
        real(path, data)

    monkeypatch.setattr(cli.fix, "write_atomic", recording)
    monkeypatch.setattr(textio, "write_atomic", recording)
    source = tmp_path / "in.txt"
    source.write_text("The abroad Minister met.\n", encoding="utf-8")
    code, _, _ = run(capsys, monkeypatch, "fix", source, "--in-place", "--report", tmp_path / "r.json", *FAST)
    assert code == 0
    assert [p.name for p in written] == ["in.txt.orig", "in.txt", "r.json"]


# -- untrusted text in terminal and JSON output ----------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script> The abroad Minister said \x1b[31mred\x1b[0m and \x1b]0;title\x07 here.\r"
    "Later [bold]markup[/bold] and \x9b31m C1 and \u202eevil\u202c arrived.\n"
)
HOSTILE_GLOSSARY = r"""
- id: script-tag
  wrong: '<script>alert\(1\)</script>'
  right: '[red]no[/red]'
  kind: term
  prior: 0.9
  message: 'markup [bold]x[/bold] <b>y</b>'
- id: escape-sequence
  wrong: "\e\\[31mred"
  right: "red"
  kind: term
  prior: 0.9
  message: "escape"
- id: osc-title
  wrong: "\e\\]0;title\a"
  right: "title"
  kind: term
  prior: 0.9
  message: "osc"
- id: bidi-override
  wrong: "\u202eevil\u202c"
  right: "evil"
  kind: term
  prior: 0.9
  message: "bidi"
"""
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    glossary = tmp_path / "hostile.yaml"
    glossary.write_text(HOSTILE_GLOSSARY, encoding="utf-8")
    return path, glossary


def test_check_text_output_escapes_article_text(capsys, monkeypatch, hostile):
    path, glossary = hostile
    code, stdout, stderr = run(capsys, monkeypatch, "check", path, *FAST, "--glossary", glossary)
    assert code == 1, stderr
    assert not RAW_CONTROL.search(stdout), repr(stdout)
    assert "<script>alert(1)</script>" in stdout  # shown literally, not interpreted
    assert "[red]no[/red]" in stdout and "[bold]x[/bold]" in stdout  # rich markup printed as text
    assert "\\x1b[31mred" in stdout and "\\x1b]0;title\\x07" in stdout and "\\u202eevil\\u202c" in stdout
    assert "abroad Minister" in stdout


def test_fix_diff_and_explain_escape_article_text(capsys, monkeypatch, tmp_path, hostile):
    path, glossary = hostile
    code, stdout, stderr = run(capsys, monkeypatch, "fix", path, "-o", tmp_path / "out.txt", *FAST, "--glossary", glossary, "--diff", "--explain")
    assert code == 0, stderr
    assert not RAW_CONTROL.search(stdout), repr(stdout)
    assert "<script>alert(1)</script>" in stdout and "\\x1b[31mred" in stdout and "\\u202eevil" in stdout
    assert "[red]" in stdout  # a candidate's markup is text
    fixed = (tmp_path / "out.txt").read_bytes().decode("utf-8")
    assert fixed.startswith("[red]no[/red] The Foreign Minister said red\x1b[0m and title here.\r")  # the file itself is exact


def test_json_output_is_valid_and_keeps_the_text(capsys, monkeypatch, hostile):
    path, glossary = hostile
    code, stdout, _ = run(capsys, monkeypatch, "check", path, *FAST, "--glossary", glossary, "-f", "json")
    assert not RAW_CONTROL.search(stdout), repr(stdout)
    flags = json.loads(stdout)["files"][0]["flags"]
    texts = {f["text"] for f in flags}
    assert {"<script>alert(1)</script>", "\x1b[31mred", "\x1b]0;title\x07", "\u202eevil\u202c"} <= texts
    assert all(HOSTILE[f["start"] : f["end"]] == f["text"] for f in flags)


def test_printable_and_json_safe():
    assert printable("a\x1b[2Jb\x07\r\n\t\u202e\x9b") == "a\\x1b[2Jb\\x07\\r\\n\t\\u202e\\x9b"
    value = {"t": "\x1b\x7f\x9b\u2028\u202e\U000e0001 ok é 👍"}
    encoded = json_safe(json.dumps(value, ensure_ascii=False))
    assert not RAW_CONTROL.search(encoded) and "\u2028" not in encoded
    assert json.loads(encoded) == value and "é 👍" in encoded
    pretty = json_safe(json.dumps({"a": [value, "\t\n\r"]}, ensure_ascii=False, indent=2))
    assert json.loads(pretty) == {"a": [value, "\t\n\r"]} and not RAW_CONTROL.search(pretty)


# -- safe loading -------------------------------------------------------------------------------------

UNSAFE = [
    (re.compile(r"yaml\.load\((?![^)]*SafeLoader)"), "yaml.load without SafeLoader"),
    (re.compile(r"yaml\.(unsafe_load|full_load|load_all)\(|yaml\.C?(Unsafe|Full)?Loader\b"), "unsafe yaml loader"),
    (re.compile(r"(?<![\w.])(eval|exec)\("), "eval/exec"),
    (re.compile(r"\bimport pickle\b|\bpickle\.loads?\("), "pickle"),
    (re.compile(r"torch\.load\("), "torch.load (pickle)"),
    (re.compile(r"trust_remote_code\s*=\s*True"), "trust_remote_code"),
]


def test_no_unsafe_loading_in_the_package():
    found = []
    for path in (ROOT / "mtqa").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in UNSAFE:
                if pattern.search(code):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    assert not found, "\n".join(found)


def test_glossary_yaml_tags_are_not_executed(tmp_path):
    from mtqa.glossary.model import load_glossary

    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"- !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(MtqaError, match=r"evil\.yaml:1: invalid YAML"):
        load_glossary([evil])
    assert not marker.exists()
