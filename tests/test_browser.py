"""The crawl report in a real browser: Debian's Chromium, headless, driven through Playwright (no
browser download: `executable_path`), with every request off the page's own file refused.

Every plot must draw, the console must stay free of errors, and a screenshot is saved (to
``$EUSPIDER_SCREENSHOT`` when set: `docs/report.png` is made that way).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED = "https://euobserver.com/world/26823"


@pytest.fixture(scope="module")
def browser_page(monitored_crawl, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    events: dict[str, list[str]] = {"errors": [], "requests": []}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 1700},
        )

        def route(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                events["requests"].append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: events["errors"].append(str(e)))
        page.goto(monitored_crawl.report.as_uri())
        page.wait_for_selector("body[data-plots-done]", timeout=60_000)
        yield page, events
        context.close()


def test_every_plot_draws(browser_page):
    page, events = browser_page
    plots = page.eval_on_selector_all(
        ".plot",
        """els => els.map(e => ({
            id: e.id,
            drawn: e.getAttribute('data-drawn'),
            width: e.getBoundingClientRect().width,
            marks: e.querySelectorAll('svg .mark-symbol path, svg .mark-rect path').length,
        }))""",
    )
    # the mirror crawl has no manifest (-O output): the drops plot is drawn from the crawl's stats
    assert [p["id"] for p in plots] == [
        "plot-age",
        "plot-mismatches",
        "plot-published",
        "plot-boilerplate",
        "plot-drops",
    ]
    for plot in plots:
        assert plot["drawn"] == "true", plot
        assert plot["width"] > 300 and plot["marks"] > 0, plot
    # one point per dated record: the 18 stories
    assert page.eval_on_selector_all("#plot-age svg g.mark-symbol.role-mark path", "els => els.length") == 18
    assert events["errors"] == []
    assert events["requests"] == []  # nothing fetched: the page is self-contained


def test_seed_story_among_the_archival_mismatches(browser_page):
    page, _ = browser_page
    link = page.locator(f"#archival a[href='{SEED}']")
    assert link.is_visible()
    row = link.locator("xpath=ancestor::tr")
    assert "archival" in row.inner_text()
    row.locator("a[href^='#record-']").click()
    page.wait_for_selector("details.record[open]", timeout=10_000)  # opened by the page's hashchange handler
    opened = page.locator("details.record[open]")
    assert opened.count() == 1
    assert f'"url": "{SEED}"' in opened.inner_text()


def test_screenshot(browser_page, tmp_path):
    page, _ = browser_page
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a drawn page, not a blank one
    keep = os.environ.get("EUSPIDER_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
