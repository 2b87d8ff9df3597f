"""The extractor tells stories from listings by their text, so a crawl can fetch every page of a site
and write records for its stories only. Pages written by hand, the shapes real sites have."""

from __future__ import annotations

import pytest

from euspider.extract import ArticleExtractor
from euspider.pagetype import body_words, prose_words

CAPTURED = "2026-01-10T08:00:00Z"
NAV = (
    '<header><a href="/">The Courier</a><nav><a href="/harbour/">Harbour</a> <a href="/council/">Council</a> '
    '<a href="/sport/">Sport</a></nav></header>'
)
FOOTER = '<footer><a href="/about/">About us</a> · <a href="/privacy/">Privacy</a> © 2026 The Courier</footer>'
STORY = (
    "<p>The harbour authority approved the expansion of the container terminal on Tuesday, after a review that "
    "lasted almost two years and drew more than three hundred objections from residents.</p>"
    "<p>Work is expected to begin in the spring. The first phase, a new quay wall, will cost about 40 million "
    "euros, according to figures released by the authority.</p>"
    "<p>“We cannot wait another winter for this,” said Ruth Marsh, who chairs the residents’ association. "
    "Critics say the plan does little for the people living closest to the docks.</p>"
)


def teaser(n: int, dek: bool = False) -> str:
    summary = f"<p class='dek'>Councillors met again on Monday to discuss item {n} of the plan.</p>" if dek else ""
    return (
        f'<article class="teaser"><h2><a href="/a/{1000 + n}">Council backs housing plan number {n} after vote</a></h2>'
        f'{summary}<p class="meta"><time datetime="2025-05-{n:02d}T09:00:00+02:00">{n} May 2025</time> · Anna Berg</p>'
        "</article>"
    )


def latest(count: int = 6) -> str:
    items = "".join(
        f'<li><time datetime="2025-06-{n:02d}">{n} June 2025</time> <a href="/b/{n}">Ferry timetable changes '
        f"for the summer season, part {n}</a></li>"
        for n in range(1, count + 1)
    )
    return f'<aside class="latest"><h2>Latest news</h2><ol>{items}</ol></aside>'


def page(main: str, aside: str = "") -> bytes:
    return f"<!DOCTYPE html><html lang='en'><head><title>Courier</title></head><body>{NAV}<main>{main}</main>{aside}{FOOTER}</body></html>".encode()


@pytest.mark.parametrize(
    ("html", "url", "reason"),
    [
        (page("<h1>Harbour</h1>" + "".join(teaser(n) for n in range(1, 11))), "/harbour/", "listing"),
        (page("<h1>Council</h1>" + "".join(teaser(n, dek=True) for n in range(1, 11))), "/council/", "listing"),
        (page("<h1>Sport – page 9</h1>" + teaser(1) + teaser(2)), "/sport/page/9/", "listing"),
        (page("<h1>Archive: May 2025, page 2</h1>" + teaser(3, dek=True)), "/archive/2025/05/?page=2", "listing"),
        (
            page("<h1>Archive</h1><ul>" + "".join(f'<li><a href="/archive/2025/{m:02d}/">{m} / 2025</a></li>' for m in range(1, 13)) + "</ul>" + "<ul>" + "".join(f'<li><a href="/archive/2024/{m:02d}/">Month {m} of 2024</a></li>' for m in range(1, 13)) + "</ul>"),
            "/archive/",
            "listing",
        ),
        (page('<h1>The tide from the lighthouse</h1><video src="/t.mp4"></video><p>Filmed at dawn. 2:14.</p>'), "/video/1/", "too_short"),
        (page(f"<article><h1>Harbour approves terminal</h1>{STORY}</article>", latest()), "/harbour/terminal", None),
        (
            page(
                "<article><h1>Ferry cancelled</h1><p>The evening ferry to Kelby was cancelled on Friday because of "
                "high winds, the operator said, and passengers were offered seats on the morning boat.</p></article>",
                latest(8),
            ),
            "/a/77",
            None,
        ),
        (
            page(
                '<article><h1>Quay closed</h1><time datetime="2025-06-02T08:00:00+02:00">2 June 2025</time>'
                "<p>The old quay is closed to cars until Friday while divers inspect the wall, the harbour "
                'authority said. <a href="/a/12">The inspection plan</a> was agreed last month.</p></article>',
                latest(),
            ),
            "/a/78",
            None,
        ),
        (
            page(
                "<article><h1>Ten winter walks</h1><ol>"
                + "".join(f"<li><h3>Walk {n}</h3><p>A loop of {n} kilometres past the old quay and the dunes, with a café halfway round.</p></li>" for n in range(1, 11))
                + "</ol></article>",
                latest(),
            ),
            "/blog/ten-winter-walks",
            None,
        ),
    ],
    ids=["section", "section-with-deks", "last-page", "last-page-one-teaser", "archive-index", "video",
         "story-with-side-list", "news-brief", "brief-with-its-date-and-a-link", "listicle"],
)  # fmt: skip
def test_story_or_not(html, url, reason):
    outcome = ArticleExtractor().extract(html, f"https://news.example{url}", crawled_at=CAPTURED)
    assert outcome.skip_reason == reason, outcome.detail


def test_prose_lines():
    assert prose_words("The harbour authority approved the expansion on Tuesday after a long review.") == 12
    assert prose_words("„Ich weiß ich bin betrunken und sollte das vielleicht nicht sagen…“") == 11
    assert prose_words("港务局周二批准了集装箱码头的扩建计划，居民提出了三百多份反对意见。") > 0
    assert prose_words("4 May 2025 · Anna Berg") == 0
    assert prose_words("Council backs housing plan 4 May 2025 · Anna Berg Ferry timetable changes 2 May 2025") == 0
    assert prose_words("Too short.") == 0


def test_body_is_the_longest_run_of_prose():
    text = "Harbour\nA first sentence of the story that is long enough.\nA second one, also long enough to count.\nMenu"
    assert body_words(text) == 18
    assert (
        body_words(
            "A first sentence of the story that is long enough.\n4 May · Anna\nAnother line of prose follows it."
        )
        == 10
    )
