"""The HTML review page as files and markup: the flags equal the JSON ones, marks are flat, hostile
text stays text, and the `check --format html -o` / `fix --report-html` options behave.
What a browser does with the page is tested in `test_html_browser.py`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from mtqa.edits import Edit, Suggestion
from mtqa.output.html import check_page
from mtqa.output.report import FileFlags, printable
from mtqa.text.document import TextView

from tests.conftest import SEED, run

FAST = ["-d", "glossary,spacing"]
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting.\n"
CLEAN = "The cat sat on the mat. It was warm and the sun was out.\n"
# Markup, entities, quotes, an escape sequence, a bidi override and a C1 control, around two flags.
HOSTILE_TEXT = (
    'The evil word <script>window.pwned=1</script> & "quoted" \'single\' &amp; \x1b[31m red \u202eesrever\u202c,\r\n'
    '<img src=x onerror="window.pwned=2"> and the abroad Minister\u0085 came.It ended.\n'
)
HOSTILE_GLOSSARY = r"""
- id: hostile
  wrong: 'evil word'
  right: ['<img src=x onerror="window.pwned=3">', "a & b \u202e c"]
  kind: term
  prior: 0.99
  message: "</script><script>window.pwned=4</script> & \"quotes\" 'apostrophes' \u202e \e[31m"
"""
VOID = {"meta", "input", "br", "img", "link", "hr", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find(self, predicate) -> list[Node]:
        return [n for n in self.walk() if predicate(n)]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Builder(HTMLParser):
    """A small DOM from the standard library's parser (entities decoded, as a browser would)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node.parent and node.tag != tag:
            node = node.parent
        assert node.tag == tag, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder.root


def flag_elements(root: Node) -> list[Node]:
    return root.find(lambda n: "data-start" in n.attrs)


def offsets(nodes: list[Node]) -> list[tuple[int, int]]:
    return [(int(n.attrs["data-start"]), int(n.attrs["data-end"])) for n in nodes]


def embedded(root: Node) -> dict:
    (data,) = root.find(lambda n: n.attrs.get("id") == "mtqa-data")
    return json.loads(data.text())


def shown(text: str) -> str:
    """Article text as the page shows it: CRLF a line break, other control characters as escapes."""
    return "\n".join(printable(line) for line in text.replace("\r\n", "\n").split("\n"))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "damaged.txt").write_text(DAMAGED, encoding="utf-8")
    (tmp_path / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "hostile.txt").write_bytes(HOSTILE_TEXT.encode("utf-8"))
    (tmp_path / "hostile.yaml").write_text(HOSTILE_GLOSSARY, encoding="utf-8")
    return tmp_path


def test_the_page_has_exactly_the_json_flags(capsys, monkeypatch, files):
    args = ["check", SEED, files / "damaged.txt", files / "clean.txt", *FAST]
    code, stdout, _ = run(capsys, monkeypatch, *args, "--format", "json")
    assert code == 1
    expected = json.loads(stdout)
    code, page, stderr = run(capsys, monkeypatch, *args, "--format", "html")
    assert code == 1 and page.startswith("<!doctype html>"), stderr
    root = parse(page)
    assert embedded(root) == expected
    articles = root.find(lambda n: n.tag == "section" and "article" in n.classes())
    assert len(articles) == len(expected["files"]) == 3
    for article, file in zip(articles, expected["files"]):
        marks = flag_elements(article)
        assert sorted(offsets(marks)) == sorted((f["start"], f["end"]) for f in file["flags"])
        by_offsets = {(f["start"], f["end"]): f for f in file["flags"]}
        for mark in marks:
            flag = by_offsets[offsets([mark])[0]]
            assert mark.text() == shown(flag["text"])
            assert (mark.attrs["data-kind"], mark.attrs["data-source"]) == (flag["kind"], flag["source"])
            assert float(mark.attrs["data-score"]) == flag["score"]
        (text,) = article.find(lambda n: "text" in n.classes())
        assert text.text() == shown(open(file["path"], encoding="utf-8", newline="").read())
    assert len(flag_elements(root)) == sum(len(f["flags"]) for f in expected["files"])
    assert any(f["start"] == f["end"] for f in expected["files"][0]["flags"]), "the seed has insertions (missing spaces)"


def test_marks_never_nest_and_an_insertion_is_an_element():
    text = "one two three four"
    flags = [
        Edit(4, 13, "two three", (Suggestion("2 3", 0.9),), 0.9, "glossary", "glossary:a", "term", "a"),
        Edit(8, 18, "three four", (), 0.7, "lm", "lm:b", "grammar", "b"),  # overlaps the first
        Edit(3, 3, "", (Suggestion(" ", 0.99),), 0.99, "spacing", "spacing:c", "spacing", "c"),
        Edit(9, 12, "hre", (), 0.6, "lm", "lm:d", "real-word", "d"),  # inside the first
    ]
    root = parse(check_page([FileFlags("t.txt", TextView(text), flags)]))
    marks = flag_elements(root)
    assert offsets(marks) == [(3, 3), (4, 13), (8, 18), (9, 12)]  # every flag, in text order
    assert all(not flag_elements(m)[1:] for m in marks), "a mark inside a mark"
    assert [m.text() for m in marks] == ["", "two three", " four", ""]
    assert ["insertion" in m.classes() for m in marks] == [True, False, False, True]
    assert all(m.attrs["tabindex"] == "0" and m.attrs["aria-describedby"] == f"tip-{m.attrs['id']}" for m in marks)
    tips = root.find(lambda n: n.attrs.get("role") == "tooltip")
    assert {t.attrs["id"] for t in tips} == {m.attrs["aria-describedby"] for m in marks}


def test_hostile_text_and_messages_stay_text(capsys, monkeypatch, files):
    code, page, stderr = run(
        capsys, monkeypatch, "check", files / "hostile.txt", *FAST, "--glossary", files / "hostile.yaml", "--format", "html"
    )
    assert code == 1, stderr
    assert page.count("<script") == 2  # the data block and the page's own script
    assert "<img" not in page  # only escaped copies, as &lt;img
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", page), "a raw control or bidi character"
    root = parse(page)
    assert root.find(lambda n: n.tag in ("img", "iframe", "object", "embed", "link")) == []
    assert len(root.find(lambda n: n.tag == "script")) == 2
    (text,) = root.find(lambda n: "text" in n.classes())
    assert text.text() == shown(HOSTILE_TEXT)
    data = embedded(root)["files"][0]["flags"]
    hostile = next(f for f in data if f["rule"] == "glossary:hostile")
    assert hostile["message"].startswith("</script><script>") and "\u202e" in hostile["message"]
    (tip,) = root.find(lambda n: n.attrs.get("role") == "tooltip" and "</script><script>" in n.text())
    assert '"quotes"' in tip.text() and "\\u202e" in tip.text() and "\\x1b" in tip.text()
    assert '<img src=x onerror="window.pwned=3">' in tip.text()
    (policy,) = root.find(lambda n: n.attrs.get("http-equiv") == "Content-Security-Policy")
    assert policy.attrs["content"].startswith("default-src 'none';")


def test_check_html_options_and_exit_codes(capsys, monkeypatch, files):
    report = files / "report.html"
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", *FAST, "-f", "html", "-o", report)
    assert code == 1 and "2 flag(s) in 1 file(s)" in stdout and f"wrote {report}" in stderr
    assert len(flag_elements(parse(report.read_text(encoding="utf-8")))) == 2
    assert [p.name for p in files.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    code, page, _ = run(capsys, monkeypatch, "check", files / "clean.txt", *FAST, "-f", "html")
    assert code == 0 and flag_elements(parse(page)) == []
    code, page, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", files / "missing.txt", *FAST, "-f", "html")
    assert code == 2 and "missing.txt" in stderr
    root = parse(page)
    assert len(flag_elements(root)) == 2 and "missing.txt" in embedded(root)["errors"][0]["path"]
    assert root.find(lambda n: "errors" in n.classes() and "missing.txt" in n.text())


@pytest.mark.parametrize(
    "args, needle",
    [
        (["-o", "{dir}/r.html"], "-o/--output is for --format html"),
        (["-f", "json", "-o", "{dir}/r.html"], "-o/--output is for --format html"),
        (["-f", "html", "-o", "{dir}/damaged.txt"], "would overwrite an input"),
        (["-f", "xml"], "choose text, json or html"),
    ],
)
def test_check_html_usage_errors(capsys, monkeypatch, files, args, needle):
    code, stdout, stderr = run(capsys, monkeypatch, "check", files / "damaged.txt", *FAST, *[a.format(dir=files) for a in args])
    assert code == 2 and stdout == "" and needle in stderr
    assert (files / "damaged.txt").read_text(encoding="utf-8") == DAMAGED
    assert not (files / "r.html").exists()


def test_fix_report_html_shows_before_after_and_left_flags(capsys, monkeypatch, files):
    out, report, page_path = files / "out.txt", files / "edits.json", files / "fix.html"
    code, stdout, stderr = run(
        capsys, monkeypatch, "fix", SEED, "-o", out, *FAST, "--min-score", "0.9", "--report", report, "--report-html", page_path
    )
    assert code == 0, stderr
    edits = json.loads(report.read_text(encoding="utf-8"))["files"][0]["edits"]
    root = parse(page_path.read_text(encoding="utf-8"))
    assert embedded(root)["files"][0]["edits"] == edits
    marks = flag_elements(root)
    assert offsets(marks) == [(e["start"], e["end"]) for e in edits]
    assert [m.attrs["data-status"] for m in marks] == ["applied" if e["applied"] else "left" for e in edits]
    assert {"applied", "left"} == {m.attrs["data-status"] for m in marks}, "--min-score 0.9 leaves some flags"
    (after,) = root.find(lambda n: {"text", "after"} <= n.classes())
    assert after.text() == out.read_text(encoding="utf-8")
    inserted = after.find(lambda n: n.tag == "ins")
    assert len(inserted) == sum(e["applied"] for e in edits)
    left = [t for t in root.find(lambda n: n.attrs.get("role") == "tooltip") if "left unapplied" in t.text()]
    assert len(left) == sum(not e["applied"] for e in edits) and "below --min-score 0.9" in left[0].text()


def test_fix_report_html_never_overwrites_the_input_or_output(capsys, monkeypatch, files):
    source, out = files / "damaged.txt", files / "out.txt"
    for extra in (["--report-html", source], ["--report-html", out], ["--report", files / "r", "--report-html", files / "r"]):
        code, _, stderr = run(capsys, monkeypatch, "fix", source, "-o", out, *FAST, *extra)
        assert code == 2 and "choose" in stderr
    assert source.read_text(encoding="utf-8") == DAMAGED and not out.exists()
