"""The item pipeline: a :class:`~euspider.items.Page` in, an article record out (thin Scrapy glue).

All the work is :meth:`euspider.extract.ArticleExtractor.extract`, run in a pool of worker processes
(:mod:`euspider.workers`) so downloads go on while pages are extracted. This module reads settings,
refuses oversized pages before they reach a worker, counts what happened in stats (``euspider/...``),
logs drops with their reason and URL, and never lets one bad page stop the crawl. Items that are not
:class:`Page` pass through untouched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from . import config
from .dates.resolve import family
from .extract import ExtractOptions
from .items import Page
from .workers import ExtractionPool, Job, PoolSettings

logger = logging.getLogger(__name__)

#: Skip reasons that mean something went wrong (logged as warnings), not that the page is no story.
FAILURES = {"extraction_error", "timeout", "worker_crashed", "too_large"}


class ExtractPipeline:
    """Turn each captured page into an article record, or drop it with a counted reason."""

    def __init__(
        self,
        options: ExtractOptions,
        pool: PoolSettings | None = None,
        max_page_bytes: int = 0,
        stats: StatsCollector | None = None,
    ) -> None:
        self.pool = ExtractionPool(options, pool or PoolSettings())
        self.max_page_bytes = max_page_bytes
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = config.load(crawler.settings.get)
        if not settings.enabled:
            raise NotConfigured("EUSPIDER_ENABLED is off")
        return cls(settings.extract, settings.pool, settings.max_page_bytes, crawler.stats)

    def open_spider(self) -> None:
        self.pool.start()

    async def close_spider(self) -> None:
        # every page already handed over has been extracted by now (the engine waits for items);
        # stopping the workers blocks, so it runs off the event loop
        await asyncio.to_thread(self.pool.close)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"euspider/{key}", count)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        if self.max_page_bytes and len(item.body) > self.max_page_bytes:
            self._drop(
                "too_large",
                f"{len(item.body)} bytes, more than EUSPIDER_MAX_PAGE_BYTES={self.max_page_bytes}",
                item.url,
            )
        job = Job(item.url, item.body, item.headers, item.crawled_at, item.link_context, list(item.anchors))
        result = await self.pool.extract(job)
        if result.record is None:
            self._drop(result.skip_reason or "extraction_error", result.detail, item.url)
        record = result.record
        if item.warc:
            record["warc"] = {"file": str(item.warc["file"]), "offset": int(item.warc["offset"])}
        self.count(record)
        return record

    def _drop(self, reason: str, detail: str, url: str) -> None:
        self._inc(f"dropped/{reason}")
        failure = reason in FAILURES
        if failure:
            logger.warning("%s on %s: %s", reason, url, detail)
        raise DropItem(f"{reason}: {detail}: {url}", log_level="WARNING" if failure else "INFO")

    def count(self, record: dict[str, Any]) -> None:
        """Stats of one extracted record: what was dated how, removed and left in."""
        self._inc("items/extracted")
        source = record.get("published_source")
        self._inc(f"published/{family(source) if source else 'unknown'}")
        mismatch = record.get("date_mismatch")
        for kind in mismatch["kinds"] if mismatch else []:
            self._inc(f"mismatch/{kind}")
        self._inc(f"language/{record.get('language_source') or 'unknown'}")
        if record.get("paywall_truncated"):
            self._inc("paywall/truncated")
        boilerplate = record.get("boilerplate") or {}
        for kind, count in (boilerplate.get("removed") or {}).items():
            self._inc(f"boilerplate/removed/{kind}", count)
        residue = boilerplate.get("residue") or []
        if residue:
            self._inc("boilerplate/residue", len(residue))
            logger.warning("boilerplate residue in %s: %s", record.get("url"), residue[:3])
