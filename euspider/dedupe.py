"""One record per story within a run, with or without a crawl state (Scrapy glue over the lead store).

Two URLs carry the same story when

- one declares the other its address (``<link rel="canonical">`` on the same site): the spider sees
  it when the page arrives, does not extract the alias, makes sure the canonical page is fetched and
  tells :meth:`RunDedupe.alias`; the record is the canonical page's own capture, never an alias that
  happened to be fetched first;
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

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from .store import LeadStore
from .store.crawl import crawl_store

logger = logging.getLogger(__name__)

#: ``(url, owner, content_hash, seen)``: ``url`` is not written, ``owner``'s record carries its story.
DuplicateHook = Callable[[str, str, str, str | None], None]


class RunDedupe:
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

    def alias(self, alias: str, canonical: str, seen: str | None = None, meta: dict[str, Any] | None = None) -> None:
        """``alias`` declared ``canonical`` as its address; it gets no record of its own unless the
        canonical page carries no story in this run (see :meth:`LeadStore.orphans`)."""
        self.store.add_alias(alias, canonical, meta)
        content_hash = self.store.story_hash(canonical)
        if content_hash is not None:  # the canonical record is written already
            self._duplicate(alias, canonical, content_hash, seen, "alias")

    def record(self, record: dict[str, Any]) -> str | None:
        """Check a record: the URL whose record already carries its text (drop this one), or None
        (keep it; ``duplicate_urls`` now lists the aliases known so far)."""
        url, content_hash = record["url"], record["content_hash"]
        owner = self.store.claim_story(content_hash, url)
        if owner != url:
            self._duplicate(url, owner, content_hash, record.get("crawled_at"), "duplicate")
            return owner
        aliases = [a for a in self.store.aliases(url) if a != url]
        if aliases:
            record["duplicate_urls"] = sorted(set(record.get("duplicate_urls") or []) | set(aliases))
            for alias in aliases:
                self._duplicate(alias, url, content_hash, record.get("crawled_at"), "alias")
        return None


_DEDUPES: WeakKeyDictionary[Crawler, RunDedupe] = WeakKeyDictionary()


def run_dedupe(crawler: Crawler) -> RunDedupe:
    """The crawl's :class:`RunDedupe` (one per crawler, shared by the spider and the pipeline)."""
    found = _DEDUPES.get(crawler)
    if found is None:
        found = _DEDUPES[crawler] = RunDedupe(crawl_store(crawler), crawler.stats)
    return found


class DedupePipeline:
    """Drop a record whose story another URL of this run carries; list the aliases in the kept one."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._dedupe: RunDedupe | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    @property
    def dedupe(self) -> RunDedupe:
        if self._dedupe is None:
            self._dedupe = run_dedupe(self.crawler)
            from .incremental import RunPipeline

            run = self.crawler.get_item_pipeline(RunPipeline)
            if run is not None:  # the run's manifest (and the crawl state) learn every duplicate
                self._dedupe.hooks.append(run.record_duplicate)
        return self._dedupe

    def open_spider(self) -> None:
        _ = self.dedupe

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item or "url" not in item:
            return item
        owner = self.dedupe.record(item)
        if owner is not None:
            raise DropItem(f"duplicate: the same story as {owner}: {item['url']}", log_level="INFO")
        return item
