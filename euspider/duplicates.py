"""One record per story within a run, with or without a crawl state (Scrapy glue over the lead store).

Two URLs carry the same story when

- one declares the other its address (``<link rel="canonical">`` on the same site, the record's
  ``canonical_url``): the record is the canonical page's own capture, never an alias that happened to
  be fetched first. An alias record is dropped when the canonical page's record is written already,
  else parked in the lead store until the crawl runs dry, and written then only if the canonical page
  gave no story (it could not be fetched, or was no story). The news spiders also see the
  declaration when the page arrives: they fetch the canonical page too and note the alias at once
  (:meth:`RunDuplicates.alias`), so the canonical record lists it even if it comes first;
- or their extracted texts are equal (the same ``content_hash``): the first record written keeps it.

The other URLs go into the kept record's ``duplicate_urls`` when they are known before it is written,
and always into the run's manifest and, with ``EUSPIDER_STATE``, into the crawl state (through
:meth:`euspider.incremental.RunPipeline.record_duplicate`), so a scheduled re-run asks for them
conditionally and writes nothing for them. URLs are canonicalised (tracking parameters removed)
before anything else, so ``/story?utm_source=rss`` is never a second URL at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from .canonical import canonical_url, names_another_page
from .store import LeadStore
from .store.crawl import crawl_store

logger = logging.getLogger(__name__)

#: ``(url, owner, content_hash, seen)``: ``url`` is not written, ``owner``'s record carries its story.
DuplicateHook = Callable[[str, str, str, str | None], None]


class RunDuplicates:
    """The run's dedupe decisions, kept in the lead store (not in memory)."""

    def __init__(self, store: LeadStore, stats: StatsCollector | None = None) -> None:
        self.store = store
        self.stats = stats
        self.hooks: list[DuplicateHook] = []

    def _duplicate(self, url: str, owner: str, content_hash: str, seen: str | None, why: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"euspider/dedupe/{why}")
        logger.info("%s: %s carries the story of %s", why, url, owner)
        for hook in self.hooks:
            hook(url, owner, content_hash, seen)

    def alias(self, alias: str, canonical: str) -> None:
        """Note early (when the page arrives, before its record is extracted) that ``alias`` names
        ``canonical`` as its address, so the canonical record lists it even if it comes first."""
        self.store.add_alias(alias, canonical)

    def record(self, record: dict[str, Any]) -> tuple[str, str] | None:
        """Check a record: None to keep it (``duplicate_urls`` now lists the aliases known so far),
        else why not and the URL whose record carries, or may carry, its story: ``duplicate`` (the
        same text), ``alias`` (its canonical page's record is written) or ``parked`` (an alias whose
        canonical page has no record yet, see :meth:`orphan_records`)."""
        url, content_hash = record["url"], record["content_hash"]
        canonical = canonical_url(record.get("canonical_url") or url)
        noted = self.store.alias_of(url)
        handed_back = noted is not None and noted[1]
        if not handed_back and names_another_page(canonical_url(url), canonical):
            # the alias's story is its canonical page's: known to the manifest and the state now,
            # with the alias's own validators, whichever of the two pages comes first
            self._duplicate(url, canonical, content_hash, record.get("crawled_at"), "alias")
            if self.store.story_hash(canonical) is not None:
                return "alias", canonical
            self.store.add_alias(url, canonical, {"record": record})
            return "parked", canonical
        owner = self.store.claim_story(content_hash, url)
        if owner != url:
            self._duplicate(url, owner, content_hash, record.get("crawled_at"), "duplicate")
            return "duplicate", owner
        aliases = [a for a in self.store.aliases(url) if a != url]
        if aliases:
            record["duplicate_urls"] = sorted(set(record.get("duplicate_urls") or []) | set(aliases))
        return None

    def orphan_records(self) -> list[dict[str, Any]]:
        """Parked alias records whose canonical page gave no story: they are the story's record."""
        return [meta["record"] for _, meta in self.store.orphans("record")]


_DEDUPES: WeakKeyDictionary[Crawler, RunDuplicates] = WeakKeyDictionary()


def run_duplicates(crawler: Crawler) -> RunDuplicates:
    """The crawl's :class:`RunDuplicates` (one per crawler, shared by the spider and the pipeline)."""
    found = _DEDUPES.get(crawler)
    if found is None:
        found = _DEDUPES[crawler] = RunDuplicates(crawl_store(crawler), crawler.stats)
    return found


class DuplicatePipeline:
    """Drop a record whose story another URL of this run carries; list the aliases in the kept one."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._duplicates: RunDuplicates | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicatePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    @property
    def duplicates(self) -> RunDuplicates:
        if self._duplicates is None:
            self._duplicates = run_duplicates(self.crawler)
            from .incremental import RunPipeline

            run = self.crawler.get_item_pipeline(RunPipeline)
            if run is not None:  # the run's manifest (and the crawl state) learn every duplicate
                self._duplicates.hooks.append(run.record_duplicate)
        return self._duplicates

    def open_spider(self) -> None:
        _ = self.duplicates

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item or "url" not in item:
            return item
        verdict = self.duplicates.record(item)
        if verdict is None:
            return item
        why, owner = verdict
        if why == "parked":
            raise DropItem(
                f"parked: {item['url']} names {owner} as its address; written at the end if that page gives no story",
                log_level="DEBUG",
            )
        raise DropItem(f"{why}: the same story as {owner}: {item['url']}", log_level="INFO")

    def spider_idle(self) -> None:
        """The crawl ran dry: parked alias records whose canonical page gave no story go through the
        pipelines again, as the story's record."""
        spider = self.crawler.spider
        if self._duplicates is None or (spider is not None and getattr(spider, "busy", lambda: False)()):
            return  # the spider goes on: a canonical page may still come
        records = self.duplicates.orphan_records()
        for record in records:
            logger.info("the canonical page of %s gave no story: its own record is written", record["url"])
            deferred_from_coro(self.crawler.engine.scraper.start_itemproc_async(record, response=None))
        if records:
            raise DontCloseSpider
