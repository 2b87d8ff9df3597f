"""Extraction of generated story pages built as current publishers build them (tests/storypages.py):
whatever the template's parts, the record holds the story's paragraphs in order and nothing else, its
headline, its author and its day. Expected values come from the generated story, never from the
extractor."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from euspider.extract import ArticleExtractor

from .sites import make_site, run_crawl
from .storypages import BODIES, BYLINES, DATINGS, PARTS, TITLINGS, StoryPages

CRAWLED = "2026-01-01T00:00:00Z"
SEEDS = range(160)


@pytest.fixture(scope="module")
def pages() -> StoryPages:
    return StoryPages()


@pytest.fixture(scope="module")
def extractor() -> ArticleExtractor:
    return ArticleExtractor()


def test_the_pages_vary_every_part_and_body(pages: StoryPages):
    """The seeds cover what they should: each part with and without, each body markup."""
    made = [pages.page(seed) for seed in SEEDS]
    with_part = Counter(part for page in made for part in page.parts)
    assert all(20 <= with_part[part] <= len(made) - 20 for part in PARTS), with_part
    assert set(Counter(page.body for page in made)) == set(BODIES)
    assert set(Counter(page.byline for page in made)) == set(BYLINES)
    assert set(Counter(page.dating for page in made)) == set(DATINGS)
    assert set(Counter(page.titling for page in made)) == set(TITLINGS)
    assert len({page.story.id for page in made}) > 100


@pytest.mark.parametrize("seed", SEEDS)
def test_a_story_page_gives_its_story_and_nothing_else(seed: int, pages: StoryPages, extractor: ArticleExtractor):
    page = pages.page(seed)
    outcome = extractor.extract(page.html.encode(), page.url, crawled_at=CRAWLED)
    assert outcome.record is not None, (outcome.skip_reason, outcome.detail, sorted(page.parts))
    record = outcome.record
    assert record["text"].split("\n") == list(page.story.paragraphs), (page.body, sorted(page.parts))
    assert record["title"] == page.story.title, page.titling
    assert record["authors"] == list(page.authors), page.byline
    assert record["published"][:10] == page.story.published.date().isoformat(), page.dating


def test_a_crawl_of_story_pages_writes_each_story_as_its_page_gives_it(pages: StoryPages, tmp_path):
    """The user's way in: ``scrapy crawl news`` on a site without a profile, its pages served over HTTP
    from 127.0.0.1 under the site's own URL schemes, a record per story in the JSON lines output."""
    made = [pages.page(seed) for seed in range(0, 160, 16)]
    # captured after the newest story was published: a date later than the capture is never taken
    site = make_site(tmp_path / "site", {page.url: page.html.encode() for page in made}, captured_at=CRAWLED)
    out = tmp_path / "out.jsonl"
    result = run_crawl(site, out)
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(records) == sorted(page.url for page in made)
    for page in made:
        record = records[page.url]
        assert record["text"].split("\n") == list(page.story.paragraphs), (page.body, sorted(page.parts))
        assert (record["title"], record["authors"]) == (page.story.title, list(page.authors))
        assert record["published"][:10] == page.story.published.date().isoformat()
