"""The pipeline as Scrapy runs it: records out, drops counted and logged, other items untouched."""

from __future__ import annotations

import asyncio
import logging

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from euspider.items import Page
from euspider.pipelines import ExtractPipeline

from .test_dates_sources import page

CRAWLED = "2023-02-04T10:00:00Z"


@pytest.fixture
def crawler():
    crawler = get_crawler(settings_dict={"EUSPIDER_MIN_WORDS": 40, "EUSPIDER_WORKERS": 0})
    crawler.stats.open_spider()
    return crawler


@pytest.fixture
def pipeline(crawler):
    return ExtractPipeline.from_crawler(crawler)


def process(pipeline, item):
    return asyncio.run(pipeline.process_item(item))


def stats(crawler) -> dict:
    return {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("euspider/")}


def html_page(url: str = "https://news.example/a", body: bytes | None = None, content_type: str = "text/html") -> Page:
    return Page(
        url=url,
        body=page().encode() if body is None else body,
        headers={"Content-Type": content_type},
        crawled_at=CRAWLED,
    )


def test_page_becomes_a_record(pipeline, crawler):
    record = process(pipeline, html_page())
    assert record["url"] == "https://news.example/a"
    assert record["crawled_at"] == CRAWLED
    assert stats(crawler)["euspider/items/extracted"] == 1
    assert stats(crawler)["euspider/published/unknown"] == 1


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "text/html", "empty_body"),
        (b"%PDF", "application/pdf", "not_html"),
        (b"<html><body><p>Short.</p></body></html>", "text/html", "too_short"),
    ],
    ids=["empty", "pdf", "short"],
)
def test_bad_pages_are_dropped_counted_and_logged(pipeline, crawler, body, content_type, reason):
    with pytest.raises(DropItem, match=reason) as info:
        process(pipeline, html_page(body=body, content_type=content_type))
    assert "https://news.example/a" in str(info.value)
    assert stats(crawler)[f"euspider/dropped/{reason}"] == 1


def test_extraction_crash_is_a_counted_drop(pipeline, crawler, caplog, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(pipeline.pool._inline, "extract", boom)
    with caplog.at_level(logging.ERROR), pytest.raises(DropItem, match="extraction_error"):
        process(pipeline, html_page())
    assert stats(crawler)["euspider/dropped/extraction_error"] == 1
    assert "parser exploded" in caplog.text
    # the next page is processed normally
    monkeypatch.undo()
    assert process(pipeline, html_page(url="https://news.example/b"))["url"] == "https://news.example/b"


def test_other_items_pass_through(pipeline):
    item = {"something": "else"}
    assert process(pipeline, item) is item


def test_oversized_page_is_dropped_before_extraction(crawler):
    small = ExtractPipeline.from_crawler(
        get_crawler(settings_dict={"EUSPIDER_WORKERS": 0, "EUSPIDER_MAX_PAGE_BYTES": 100})
    )
    small.stats = crawler.stats
    with pytest.raises(DropItem, match=r"too_large.*EUSPIDER_MAX_PAGE_BYTES=100"):
        process(small, html_page())
    assert stats(crawler)["euspider/dropped/too_large"] == 1


def test_mismatch_and_boilerplate_stats(pipeline, crawler):
    html = page(
        "<meta property='article:published_time' content='2010-05-05T08:00:00+02:00'>",
        after="<div class='cta'><p>Subscribe now. Cancel anytime.</p></div>",
    )
    process(pipeline, html_page(body=html.encode()))
    got = stats(crawler)
    assert got["euspider/mismatch/archival"] == 1
    assert got["euspider/published/meta"] == 1
    assert got["euspider/boilerplate/removed/paywall_prompt"] >= 1


def test_disabled_pipeline_is_not_configured():
    with pytest.raises(NotConfigured, match="EUSPIDER_ENABLED"):
        ExtractPipeline.from_crawler(get_crawler(settings_dict={"EUSPIDER_ENABLED": False}))


def test_page_repr_does_not_dump_the_body():
    assert repr(html_page()) == f"<Page 200 https://news.example/a {len(page().encode())} bytes>"
