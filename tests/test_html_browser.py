"""The HTML review page in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright.

Each test opens a page that `mtqa check --format html` or `mtqa fix --report-html` wrote, and checks
what an editor meets: the flags (the JSON ones, offset for offset), tooltips on hover and on
keyboard focus, filters with counts, hostile text shown as text, and not one network request.
Without Chromium (MTQA_CHROMIUM, default /usr/bin/chromium) or Playwright the tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import SEED, run
from tests.test_html import FAST, HOSTILE_GLOSSARY, HOSTILE_TEXT, shown

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Where Chromium is: $MTQA_CHROMIUM or /usr/bin/chromium; the test skips when it is not there."""
    path = os.environ.get("MTQA_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).is_file():
        pytest.skip(f"no chromium at {path} (apt-get install chromium, or set MTQA_CHROMIUM)")
    return path


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        # Playwright's launch gives every browser a fresh temporary profile.
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened from a file, with every request it makes and every error it reports."""

    def __init__(self, browser, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.set_default_timeout(10_000)  # a page this size answers at once, or never
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._route)
        self.page.goto(self.url)

    def _route(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:  # anything else would be the network: never let it out, and remember it
            self.blocked.append(route.request.url)
            route.abort()

    def offline_and_clean(self) -> None:
        assert self.requests == [self.url] and self.blocked == []
        assert self.errors == []  # no script error, no CSP violation

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_page(path: Path) -> Visit:
        opened.append(Visit(browser, path))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def marks(page) -> list[dict]:
    return page.eval_on_selector_all(
        "[data-start]",
        "els => els.map(e => ({id: e.id, start: +e.dataset.start, end: +e.dataset.end, source: e.dataset.source,"
        " kind: e.dataset.kind, score: +e.dataset.score, off: e.classList.contains('off'), tab: e.tabIndex}))",
    )


def test_the_chromium_lookup_skips_with_its_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("MTQA_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.skip.Exception, match=f"no chromium at {tmp_path / 'no-chromium'}"):
        chromium_path()


def test_flags_tooltips_and_filters_in_a_browser(capsys, monkeypatch, tmp_path, visit):
    page_path = tmp_path / "seed.html"
    code, stdout, _ = run(capsys, monkeypatch, "check", SEED, *FAST, "--format", "json")
    expected = json.loads(stdout)["files"][0]["flags"]
    assert run(capsys, monkeypatch, "check", SEED, *FAST, "--format", "html", "-o", page_path)[0] == 1
    visit_ = visit(page_path)
    page = visit_.page

    shown_marks = marks(page)
    assert len(shown_marks) == len(expected)
    assert sorted((m["start"], m["end"]) for m in shown_marks) == sorted((f["start"], f["end"]) for f in expected)
    assert page.evaluate("JSON.parse(document.getElementById('mtqa-data').textContent).files[0].flags") == expected
    insertion = page.locator("mark.insertion").first
    assert insertion.is_visible() and insertion.bounding_box()["width"] > 2  # a missing space is drawn

    # Keyboard: the first Tab reaches the first flag, which shows its tooltip; Escape hides it.
    first = min(shown_marks, key=lambda m: (m["start"], m["end"]))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == first["id"]
    tip = page.locator(f"#tip-{first['id']}")
    tip.wait_for(state="visible")
    first_flag = next(f for f in expected if (f["start"], f["end"]) == (first["start"], first["end"]))
    assert first_flag["message"] in tip.inner_text() and first_flag["suggestions"][0]["text"] in tip.inner_text()
    assert page.locator(f"#{first['id']}").get_attribute("aria-describedby") == f"tip-{first['id']}"
    page.keyboard.press("Tab")
    assert tip.is_hidden() and page.locator(".tip:not([hidden])").count() == 1
    page.keyboard.press("Escape")
    assert page.locator(".tip:not([hidden])").count() == 0

    # Pointer: hovering a flag shows its tooltip; moving away hides it.
    some = shown_marks[len(shown_marks) // 2]
    page.locator(f"#{some['id']}").hover()
    page.locator(f"#tip-{some['id']}").wait_for(state="visible")
    page.mouse.move(5, 5)
    page.locator(f"#tip-{some['id']}").wait_for(state="hidden")

    # Filters: a source off hides its flags and list entries, and every count follows.
    spacing = sum(f["source"] == "spacing" for f in expected)
    assert 0 < spacing < len(expected)
    assert page.inner_text("#shown") == str(len(expected))
    page.locator("fieldset[data-filter=source] input[value=spacing]").uncheck()
    now = marks(page)
    assert all(m["off"] == (m["source"] == "spacing") for m in now)
    assert all(m["tab"] == (-1 if m["source"] == "spacing" else 0) for m in now)
    assert page.inner_text("#shown") == str(len(expected) - spacing)
    assert page.locator("ol.flags li:visible").count() == len(expected) - spacing
    assert page.inner_text("fieldset[data-filter=kind] .n[data-value=spacing]") == "0"
    assert page.inner_text("fieldset[data-filter=source] .n[data-value=spacing]") == str(spacing)
    assert page.inner_text(".count[data-article=a0]") == f"{len(expected) - spacing} of {len(expected)} flag(s) shown"
    page.locator("fieldset[data-filter=source] input[value=spacing]").check()
    assert not any(m["off"] for m in marks(page)) and page.inner_text("#shown") == str(len(expected))

    # The score slider, from the keyboard: End keeps only flags scoring 1, ten steps down those of
    # 0.90 or more, Home brings all back.
    page.focus("#min-score")
    page.keyboard.press("End")
    assert page.inner_text("#shown") == str(sum(f["score"] >= 1.0 for f in expected))
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    sure = sum(f["score"] >= 0.9 for f in expected)
    assert 0 < sure < len(expected)
    assert page.inner_text("#shown") == str(sure) and page.inner_text("#min-score-value") == "0.90"
    assert sum(not m["off"] for m in marks(page)) == sure
    page.keyboard.press("Home")
    assert page.inner_text("#shown") == str(len(expected))

    # A click in the side list focuses the flag in the article.
    page.locator(f"#li-{some['id']} a").click()
    assert page.evaluate("document.activeElement.id") == some["id"]
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden() and page.locator("mark.flag").first.is_visible()
    visit_.offline_and_clean()


def test_hostile_text_stays_text_in_a_browser(capsys, monkeypatch, tmp_path, visit):
    article, glossary, page_path = tmp_path / "hostile.txt", tmp_path / "hostile.yaml", tmp_path / "hostile.html"
    article.write_bytes(HOSTILE_TEXT.encode("utf-8"))
    glossary.write_text(HOSTILE_GLOSSARY, encoding="utf-8")
    code, _, stderr = run(capsys, monkeypatch, "check", article, *FAST, "--glossary", glossary, "-f", "html", "-o", page_path)
    assert code == 1, stderr
    visit_ = visit(page_path)
    page = visit_.page
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.scripts.length") == 2
    assert page.locator(".article .text").text_content() == shown(HOSTILE_TEXT)
    hostile = page.locator("mark.flag", has_text="evil word")
    hostile.hover()
    tip = page.locator(f"#tip-{hostile.get_attribute('id')}")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "</script><script>window.pwned=4</script>" in text and '<img src=x onerror="window.pwned=3">' in text
    assert "\\u202e" in text and "\u202e" not in text
    assert page.evaluate("window.pwned") is None
    visit_.offline_and_clean()


def test_fix_page_before_and_after_in_a_browser(capsys, monkeypatch, tmp_path, visit):
    out, report, page_path = tmp_path / "out.txt", tmp_path / "edits.json", tmp_path / "fix.html"
    code, _, stderr = run(
        capsys, monkeypatch, "fix", SEED, "-o", out, *FAST, "--min-score", "0.9", "--report", report, "--report-html", page_path
    )
    assert code == 0, stderr
    edits = json.loads(report.read_text(encoding="utf-8"))["files"][0]["edits"]
    visit_ = visit(page_path)
    page = visit_.page
    assert [(m["start"], m["end"]) for m in marks(page)] == [(e["start"], e["end"]) for e in edits]
    assert page.locator(".text.after").text_content() == out.read_text(encoding="utf-8")
    left = page.locator("mark.flag[data-status=left]")
    assert left.count() == sum(not e["applied"] for e in edits) > 0
    assert page.locator("mark.flag[data-status=left]").first.evaluate("e => getComputedStyle(e).borderBottomStyle") == "dashed"
    left.first.focus()
    assert "left unapplied" in page.locator(f"#tip-{left.first.get_attribute('id')}").inner_text()
    page.keyboard.press("Escape")  # the focused flag's tooltip may cover the other pane
    applied = page.locator("ins.edit").first
    applied.hover()
    page.locator(f"#{applied.get_attribute('aria-describedby')}").wait_for(state="visible")
    page.locator("fieldset[data-filter=status] input[value=left]").uncheck()
    assert page.inner_text("#shown") == str(sum(e["applied"] for e in edits))
    visit_.offline_and_clean()


@pytest.mark.model
def test_the_default_model_flags_render_in_a_browser(capsys, monkeypatch, tmp_path, seed_text, visit):
    article, page_path = tmp_path / "paragraph.txt", tmp_path / "paragraph.html"
    article.write_text(seed_text.split("\n\n")[0] + "\n", encoding="utf-8")  # one paragraph: the model is the point, not the length
    code, stdout, _ = run(capsys, monkeypatch, "check", article, "--format", "json")
    expected = json.loads(stdout)["files"][0]["flags"]
    assert code == 1 and any(f["source"] == "lm" for f in expected)
    assert run(capsys, monkeypatch, "check", article, "--format", "html", "-o", page_path)[0] == 1
    visit_ = visit(page_path)
    assert sorted((m["start"], m["end"]) for m in marks(visit_.page)) == sorted((f["start"], f["end"]) for f in expected)
    visit_.offline_and_clean()
