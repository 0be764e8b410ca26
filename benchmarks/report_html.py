"""The HTML review page of the seed article in headless Chromium: its flags against the JSON ones,
the requests it makes, and a screenshot (`benchmarks/results/report-html.png`).

    .venv/bin/python benchmarks/report_html.py [--article FILE] [--png PATH] [mtqa check options]

Runs `mtqa check ARTICLE --format json` and `--format html -o` side by side with the default model
(several minutes on a busy machine), opens the page from its file with every other request blocked,
checks that the `[data-start]` elements are exactly the JSON flags, hovers the first flag with
three or more suggestions and saves the screenshot. Needs Debian's `chromium` and `playwright`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
MTQA = Path(sys.executable).with_name("mtqa")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def check(article: Path, *runs: list[str]) -> list[str]:
    """The stdout of `mtqa check ARTICLE` with each list of options, run side by side from the repository
    root (so that the page names the article as the README does: seeds/...)."""
    article = article.resolve()
    name = str(article.relative_to(ROOT)) if article.is_relative_to(ROOT) else str(article)
    processes = [
        subprocess.Popen([str(MTQA), "check", name, *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for options in runs
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate()
        if process.returncode not in (0, 1):
            sys.exit(f"mtqa check failed ({process.returncode}): {stderr.strip()}")
        outputs.append(stdout)
    return outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=ROOT / "seeds" / "000_10c6de3dd944f833.txt")
    parser.add_argument("--png", type=Path, default=ROOT / "benchmarks" / "results" / "report-html.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args, options = parser.parse_known_args()

    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "report.html"
        flags_json, _ = check(args.article, [*options, "--format", "json"], [*options, "--format", "html", "-o", str(page_path)])
        flags = json.loads(flags_json)["files"][0]["flags"]
        url = page_path.as_uri()
        requests: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
            page.goto(url)
            shown = page.eval_on_selector_all("[data-start]", "els => els.map(e => [+e.dataset.start, +e.dataset.end])")
            same = sorted(map(tuple, shown)) == sorted((f["start"], f["end"]) for f in flags)
            showcase = next((n for n, f in enumerate(flags) if len(f["suggestions"]) >= 3), 0)
            page.locator("#a0-" + str(showcase)).hover()
            page.locator(f"#tip-a0-{showcase}").wait_for(state="visible")
            page.screenshot(path=str(args.png))
            browser.close()
        size = page_path.stat().st_size
    print(f"{args.article.name}: {len(flags)} JSON flags, {len(shown)} [data-start] elements, offsets equal: {same}")
    print(f"page {size / 1024:.0f} KiB; requests: {len(requests)} ({'only the file' if requests == [url] else requests})")
    print(f"screenshot: {args.png}")
    if not same or requests != [url]:
        sys.exit(1)


if __name__ == "__main__":
    main()
