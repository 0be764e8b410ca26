"""Corpus mode in one process: reading inputs, article errors, records, input order, resuming, the summary.

Ray, process pools and real signals are in `test_corpus_engines.py`. None of these loads the
transformer model: they use `-d glossary,spacing`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mtqa.corpus import damage
from mtqa.corpus.engines import InProcess, Settings, ordered_records, threads_per_worker
from mtqa.corpus.outfile import OutFile
from mtqa.corpus.records import KEYS, read_records
from mtqa.corpus.sources import Article, Source
from mtqa.errors import MtqaError

from tests.conftest import run

FAST = ["-d", "glossary,spacing"]
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting, and the talks went on for hours.\n"
CLEAN = "The cat sat on the mat. It was warm and the sun was out, so the cat stayed there all afternoon.\n"
GERMAN = "Die Verhandlungen über den Waffenstillstand wurden am Montag in Genf fortgesetzt, teilte das Außenministerium mit, und beide Seiten zeigten sich vorsichtig optimistisch."


def write_jsonl(path: Path, lines: list[str | dict | bytes]) -> Path:
    data = b"".join(
        line if isinstance(line, bytes) else (json.dumps(line) if isinstance(line, dict) else line).encode("utf-8") + b"\n" for line in lines
    )
    path.write_bytes(data)
    return path


def records_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def errors_of(records: list[dict]) -> dict[str, str | None]:
    return {r["id"]: r["error"] for r in records}


# -- reading ----------------------------------------------------------------------------------------


def test_jsonl_articles_and_their_errors(tmp_path):
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": DAMAGED},
            '{"id": "broken", "text": ',
            "",  # blank lines are skipped, but still counted
            {"id": "a", "text": CLEAN},
            {"id": 7, "text": CLEAN},
            {"text": CLEAN},
            {"id": "none"},
            {"id": "number", "text": 12},
            {"id": "blank", "text": " \n "},
            b'{"id": "latin", "text": "caf\xe9"}\n',
            "[1, 2]",
        ],
    )
    articles = list(Source(source).articles())
    assert [(a.id, a.where, a.error) for a in articles] == [
        ("a", "line 1", None),
        ("line 2", "line 2", "malformed line: not JSON (Expecting value at character 27)"),
        ("a", "line 4", "duplicate id: first at line 1"),
        ("7", "line 5", None),
        ("line 6", "line 6", None),  # no id: the line names it
        ("none", "line 7", "no text: no 'text' field"),
        ("number", "line 8", "no text: 'text' holds int, not a string"),
        ("blank", "line 9", "empty text: nothing to check"),
        ("line 10", "line 10", "bad encoding: not valid UTF-8 at byte 28 of the line"),
        ("line 11", "line 11", "malformed line: a JSON list, not an object"),
    ]
    assert Source(source).count() == 10


def test_other_field_names(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"doc": "x1", "body": CLEAN}])
    assert [(a.id, a.text) for a in Source(source, id_field="doc", text_field="body").articles()] == [("x1", CLEAN)]


def test_folder_of_text_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "a.txt").write_text(DAMAGED, encoding="utf-8")
    (tmp_path / "c.txt").write_bytes("Caf\u00e9 society.\n".encode("latin-1"))
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    articles = list(Source(tmp_path).articles())
    assert [a.id for a in articles] == ["a.txt", "b/two.txt", "c.txt"]
    assert articles[2].error.startswith("unreadable: ") and "not valid utf-8" in articles[2].error


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow (mtqa[parquet])")
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["p1", None, "p1"], "text": [DAMAGED, CLEAN, None]}), path)
    assert [(a.id, a.where, a.error) for a in Source(path).articles()] == [
        ("p1", "row 1", None),
        ("row 2", "row 2", None),
        ("p1", "row 3", "no text: no 'text' field"),
    ]
    assert Source(path).count() == 3
    with pytest.raises(MtqaError, match="no column 'body'.*--text-field"):
        Source(path, text_field="body")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.jsonl", None, "no such file or folder"),
        ("in.csv", b"id,text\n", "unknown input type"),
        ("in.jsonl", b'{"id": 1}\n\x00\x01\x02', "binary data, not JSONL"),
        ("in.parquet", b"not parquet at all", "not a readable Parquet file"),
    ],
)
def test_bad_input_files_are_errors_before_any_article(tmp_path, name, content, message):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow (mtqa[parquet])")
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MtqaError, match=message):
        Source(path)


def test_an_empty_folder_is_an_error(tmp_path):
    with pytest.raises(MtqaError, match="no .txt files"):
        Source(tmp_path)


# -- input order ------------------------------------------------------------------------------------


class Reversed:
    """An engine that finishes its articles last-submitted first: input order must be restored."""

    capacity = 3
    startup_seconds = 0.0

    def __init__(self) -> None:
        self.running: list[tuple[int, str]] = []

    def submit(self, index: int, article: Article) -> None:
        self.running.append((index, f"{article.id}\n"))

    def results(self) -> list[tuple[int, str]]:
        return [self.running.pop()]


def test_records_come_out_in_input_order_whatever_order_they_finish_in():
    articles = [Article(f"a{i}", "text", f"line {i}", "empty text: x" if i == 4 else None) for i in range(10)]
    lines = list(ordered_records(Reversed(), iter(enumerate(articles)), 0))
    assert [json.loads(line)["id"] if line.startswith("{") else line.strip() for line in lines] == [a.id for a in articles]


def test_threads_are_shared_among_workers():
    assert [threads_per_worker(8, n) for n in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]


# -- records and the command ------------------------------------------------------------------------


def test_corpus_writes_one_record_per_article_in_input_order(capsys, monkeypatch, tmp_path):
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "damaged", "text": DAMAGED}, {"id": "german", "text": GERMAN}, "{oops", {"id": "clean", "text": CLEAN}, {"id": "damaged", "text": CLEAN}],
    )
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = run(capsys, monkeypatch, "corpus", source, "-o", out, *FAST)
    assert code == 0, stderr
    assert "5 articles: 5 checked now, 3 with errors" in stdout
    records = records_of(out)
    assert [tuple(r) for r in records] == [KEYS] * 5
    assert errors_of(records) | {"damaged": None} == {
        "damaged": None,
        "german": "not English: 68% of words known to English, 5% English function words",
        "line 3": "malformed line: not JSON (Expecting property name enclosed in double quotes at character 2)",
        "clean": None,
    }
    assert records[4] == {"id": "damaged", "words": None, "flags": [], "errors_per_1k": None, "damage": None, "error": "duplicate id: first at line 1"}
    damaged, clean = records[0], records[3]
    assert [(f["text"], f["suggestions"][0]["text"], f["line"], f["column"]) for f in damaged["flags"]] == [
        ("abroad Minister", "Foreign Minister", 1, 5),
        ("", " ", 1, 56),  # the missing space after "York."
    ]
    assert damaged["words"] == 22 and damaged["errors_per_1k"] == 90.91
    assert clean["flags"] == [] and clean["errors_per_1k"] == 0.0
    assert 0 <= clean["damage"] < damaged["damage"] <= 1
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_resume_skips_what_is_done_and_drops_a_half_record(capsys, monkeypatch, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": f"a{i}", "text": DAMAGED if i % 2 else CLEAN} for i in range(6)])
    whole = tmp_path / "whole.jsonl"
    assert run(capsys, monkeypatch, "corpus", source, "-o", whole, *FAST)[0] == 0
    lines = whole.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").write_bytes(b"".join(lines[:3]) + lines[3][:40])  # what a kill mid-write leaves
    code, stdout, stderr = run(capsys, monkeypatch, "corpus", source, "-o", out, *FAST, "--resume")
    assert code == 0, stderr
    assert "dropped an incomplete last record (40 bytes)" in stderr
    assert "6 articles (3 already done): 3 checked now" in stdout
    assert out.read_bytes() == whole.read_bytes()
    code, stdout, _ = run(capsys, monkeypatch, "corpus", source, "-o", out, *FAST, "--resume")  # a complete OUT: nothing to do
    assert code == 0 and "(6 already done): 0 checked now" in stdout
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_records_of_another_input(capsys, monkeypatch, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": CLEAN}, {"id": "b", "text": CLEAN}])
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "b", "text": CLEAN}])
    out = tmp_path / "out.jsonl"
    assert run(capsys, monkeypatch, "corpus", other, "-o", out, *FAST)[0] == 0
    before = out.read_bytes()
    code, _, stderr = run(capsys, monkeypatch, "corpus", source, "-o", out, *FAST, "--resume")
    assert code == 2 and "record 1 is for id 'b' but article 1 of the input is 'a'" in stderr
    assert out.read_bytes() == before


def test_an_interrupted_run_must_be_resumed_or_deleted(capsys, monkeypatch, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": CLEAN}])
    (tmp_path / "out.jsonl.partial").write_text("", encoding="utf-8")
    code, _, stderr = run(capsys, monkeypatch, "corpus", source, "-o", tmp_path / "out.jsonl", *FAST)
    assert code == 2 and "--resume completes it" in stderr


def test_two_runs_cannot_write_the_same_output(tmp_path):
    out = tmp_path / "out.jsonl"
    with OutFile(out, resume=False) as first:
        with pytest.raises(MtqaError, match="another `mtqa corpus` run is writing it"):
            OutFile(out, resume=True).open()
        first.write('{"id": "a"}\n')  # the first run's file is untouched and still its own
    assert (tmp_path / "out.jsonl.partial").read_text() == '{"id": "a"}\n'


def test_a_run_that_fails_before_any_record_leaves_no_partial_file(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with OutFile(out, resume=False):
            raise RuntimeError("the engine did not start")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--engine", "spark"], "unknown engine 'spark'"),
        (["--ray-address", "auto"], "--ray-address needs --engine ray"),
        (["--jobs", "0"], "--jobs"),
        (["-d", "glossary,grammarly"], "unknown detector"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(capsys, monkeypatch, tmp_path, args, message):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": CLEAN}])
    code, stdout, stderr = run(capsys, monkeypatch, "corpus", source, "-o", tmp_path / "out.jsonl", *args)
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_input_problems_are_one_line_and_exit_2(capsys, monkeypatch, tmp_path):
    empty = write_jsonl(tmp_path / "empty.jsonl", ["", ""])
    assert run(capsys, monkeypatch, "corpus", empty, "-o", tmp_path / "out.jsonl", *FAST)[2].strip() == f"mtqa: error: {empty}: no articles"
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": CLEAN}])
    code, _, stderr = run(capsys, monkeypatch, "corpus", source, "-o", source, *FAST)
    assert code == 2 and "is the input" in stderr


# -- damage -----------------------------------------------------------------------------------------


def test_damage_features_are_flag_and_score_rates_per_1000_words():
    flags = [{"source": "glossary", "score": 0.9}, {"source": "lm", "score": 0.6}, {"source": "lm", "score": 0.7}]
    values = damage.features(flags, 500)
    assert values["flags_per_1k"] == pytest.approx(damage.math.log1p(6.0))
    assert values["score_per_1k"] == pytest.approx(damage.math.log1p(4.4))
    assert values["max_score"] == 0.9 and values["log_words"] == pytest.approx(damage.math.log(500))
    assert damage.features([], 0) == {"flags_per_1k": 0.0, "score_per_1k": 0.0, "max_score": 0.0, "log_words": 0.0}


def test_the_committed_damage_table_fits_the_features_and_is_reproducible():
    table = json.loads(damage.TABLE.read_text(encoding="utf-8"))
    assert table["fit"]["script"] == "benchmarks/fit_damage.py" and table["fit"]["prior"].startswith("balanced")
    groups = set(table["fit"]["groups"])
    assert {"seed-article", "synthetic-dev", "clean", "clean-seed-2"} <= groups
    assert not groups & {"synthetic-heldout", "ted-mt"}  # evaluation data never reaches the fit
    model = damage.model()
    assert model.names == damage.FEATURES
    heavy = [{"source": s, "score": 0.9} for s in ("glossary", "lm", "spacing") for _ in range(20)]
    assert model.score(heavy, 1000) > 0.5 > model.score([], 1000)


def test_a_broken_damage_table_is_a_clear_error():
    with pytest.raises(MtqaError, match="rerun benchmarks/fit_damage.py"):
        damage.from_json({"features": ["vibes"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0})


# -- summary ----------------------------------------------------------------------------------------


def test_corpus_summary_tables_and_histogram(capsys, monkeypatch, tmp_path):
    articles = [{"id": f"d{i}", "text": DAMAGED} for i in range(3)] + [{"id": "c", "text": CLEAN}, {"id": "x", "text": ""}]
    source = write_jsonl(tmp_path / "in.jsonl", articles)
    out = tmp_path / "out.jsonl"
    assert run(capsys, monkeypatch, "corpus", source, "-o", out, *FAST)[0] == 0
    png = tmp_path / "damage.png"
    monkeypatch.setenv("COLUMNS", "200")
    code, stdout, stderr = run(capsys, monkeypatch, "corpus-summary", out, "--top", "3", "--png", png)
    assert code == 0, stderr
    assert "Most damaged articles (top 3 of 4 checked)" in stdout
    assert [line.split("│")[1].strip() for line in stdout.splitlines() if line.startswith("│ d")][:3] == ["d0", "d1", "d2"]
    pattern = next(line for line in stdout.splitlines() if "abroad minister" in line)
    assert [cell.strip() for cell in pattern.split("│")[1:6]] == ["abroad minister", "Foreign Minister", "glossary:abroad-minister", "3", "3"]
    assert "empty text │        1 │ x" in stdout
    assert "5 articles: 4 checked (87 words, 6 flags, 69.0 per 1,000 words" in stdout
    assert png.read_bytes().startswith(b"\x89PNG")


def test_corpus_summary_reads_an_unfinished_run_and_rejects_other_files(capsys, monkeypatch, tmp_path):
    partial = tmp_path / "out.jsonl.partial"
    record = {"id": "a", "words": 10, "flags": [], "errors_per_1k": 0.0, "damage": 0.1, "error": None}
    partial.write_text(json.dumps(record) + "\n" + '{"id": "b", "wor', encoding="utf-8")
    code, stdout, stderr = run(capsys, monkeypatch, "corpus-summary", partial)
    assert code == 0 and "ignored an incomplete last record (16 bytes)" in stderr
    assert "1 articles: 1 checked" in stdout
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "a"}\n', encoding="utf-8")
    code, _, stderr = run(capsys, monkeypatch, "corpus-summary", other)
    assert code == 2 and "line 1 is not an `mtqa corpus` record" in stderr
    assert list(read_records(partial)) == [record]


def test_in_process_engine_builds_one_checker():
    engine = InProcess(Settings(("glossary", "spacing")))
    engine.start()
    engine.submit(0, Article("a", DAMAGED, "line 1"))
    engine.submit(1, Article("b", CLEAN, "line 2"))
    (first, a), (second, b) = engine.results()
    assert (first, second) == (0, 1) and json.loads(a)["id"] == "a" and json.loads(b)["flags"] == []


def test_the_damage_fit_separates_and_weighs_both_classes_alike():
    pytest.importorskip("scipy", reason="the fit script needs scipy (mtqa[bench])")
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from fit_damage import balanced_weights, fit, leave_one_out_loss

    y = np.array([1, 1, 0, 0, 0, 0, 0, 0])
    x = np.array([[3.0, 0.1], [2.5, -0.2], [0.1, 0.0], [-0.3, 0.2], [0.2, -0.1], [0.0, 0.1], [-0.1, 0.0], [0.3, -0.2]])
    assert balanced_weights(y).tolist() == [2.0, 2.0] + [2 / 3] * 6  # each class weighs half
    coef, intercept = fit(x, y, penalty=0.1)
    logits = x @ coef + intercept
    assert coef[0] > abs(coef[1]) and min(logits[:2]) > 0 > max(logits[2:])
    assert leave_one_out_loss(x, y, 0.1) < leave_one_out_loss(x, y, 100.0)  # a crushing penalty predicts worse
