"""The item pipeline: a :class:`~euspider.items.Page` in, an article record out (thin Scrapy glue).

All the work is :meth:`euspider.extract.ArticleExtractor.extract`; this module reads settings, counts
what happened in stats (``euspider/...``), logs drops with their reason and URL, and never lets one
bad page stop the crawl. Items that are not :class:`Page` pass through untouched.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from . import config
from .dates import Anchor
from .dates.resolve import family
from .extract import ArticleExtractor, ExtractOptions, Outcome
from .items import Page

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Turn each captured page into an article record, or drop it with a counted reason."""

    def __init__(self, options: ExtractOptions, stats: StatsCollector | None = None) -> None:
        self.extractor = ArticleExtractor(options)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = config.load(crawler.settings.get)
        if not settings.enabled:
            raise NotConfigured("EUSPIDER_ENABLED is off")
        return cls(settings.extract, crawler.stats)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"euspider/{key}", count)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        try:
            outcome = self.extract(item)
        except Exception as err:
            self._inc("dropped/extraction_error")
            logger.exception("extraction failed on %s", item.url)
            raise DropItem(f"extraction_error: {type(err).__name__}: {err}: {item.url}", log_level="WARNING") from err
        if outcome.record is None:
            self._inc(f"dropped/{outcome.skip_reason}")
            raise DropItem(f"{outcome.skip_reason}: {outcome.detail}: {item.url}", log_level="INFO")
        self.count(outcome.record)
        return outcome.record

    def extract(self, page: Page) -> Outcome:
        anchors = [Anchor(story_id, date.fromisoformat(day), source) for story_id, day, source in page.anchors]
        return self.extractor.extract(
            page.body,
            page.url,
            crawled_at=page.crawled_at,
            headers=page.headers,
            link_context=page.link_context,
            anchors=anchors,
        )

    def count(self, record: dict[str, Any]) -> None:
        """Stats of one extracted record: what was dated how, removed and left in."""
        self._inc("items/extracted")
        source = record.get("published_source")
        self._inc(f"published/{family(source) if source else 'unknown'}")
        mismatch = record.get("date_mismatch")
        for kind in mismatch["kinds"] if mismatch else []:
            self._inc(f"mismatch/{kind}")
        if record.get("paywall_truncated"):
            self._inc("paywall/truncated")
        boilerplate = record.get("boilerplate") or {}
        for kind, count in (boilerplate.get("removed") or {}).items():
            self._inc(f"boilerplate/removed/{kind}", count)
        residue = boilerplate.get("residue") or []
        if residue:
            self._inc("boilerplate/residue", len(residue))
            logger.warning("boilerplate residue in %s: %s", record.get("url"), residue[:3])
