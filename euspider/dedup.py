"""The near-duplicate stage of the item pipeline (Scrapy glue around :mod:`euspider.neardup`).

After extraction and before the run's output is written, each record's text is looked up in the
near-duplicate index: a record that nearly repeats an earlier one gets ``near_duplicate_of`` (that
record's URL and the estimated similarity) and is counted in ``euspider/neardup/found``; with
``EUSPIDER_NEARDUP_DROP`` it is dropped instead (``euspider/neardup/dropped``, logged with both
URLs). Every record that is written is indexed, except an exact copy of the record it matched (that
record stands for it). The index is kept for the run only, or across runs beside ``EUSPIDER_STATE``
(``<state>.neardup.sqlite``) or at ``EUSPIDER_NEARDUP_INDEX``. A state in Redis (``redis:<name>``) has
no folder to keep it beside: the index is then the run's (each worker's), unless
``EUSPIDER_NEARDUP_INDEX`` names one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from . import config
from .neardup import NearDuplicateIndex, NearDuplicateIndexError
from .state import redis_state_name

logger = logging.getLogger(__name__)


def index_path(state: Path | None, index: Path | None, spider: str) -> Path | None:
    """Where the index lives: the setting, else beside the crawl state, else nowhere (a temporary
    file for the run); a state in Redis is not beside any file."""
    if index is not None:
        return config.for_spider(index, spider)
    if state is not None and redis_state_name(state) is None:
        state = config.for_spider(state, spider)
        return state.with_name(state.stem + ".neardup.sqlite")
    return None


class NearDuplicatePipeline:
    """Mark (or drop) records whose text nearly repeats an earlier record's."""

    def __init__(self, index: NearDuplicateIndex, *, drop: bool = False, stats: Any = None) -> None:
        self.index = index
        self.drop = drop
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NearDuplicatePipeline:
        settings = config.load(crawler.settings.get)
        if not settings.enabled or not settings.neardup.enabled:
            raise NotConfigured("EUSPIDER_NEARDUP_ENABLED is off")
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        path = index_path(settings.state, settings.neardup.index, name)
        try:
            index = NearDuplicateIndex(path, settings.neardup.threshold)
        except NearDuplicateIndexError as err:
            setting = "EUSPIDER_NEARDUP_INDEX" if settings.neardup.index else "EUSPIDER_STATE"
            raise config.ConfigError(f"{setting}: {err}") from err
        logger.info(
            "near-duplicate index: %s, %d texts, threshold %.2f (%d bands of %d)",
            path or "temporary, this run only",
            len(index),
            index.threshold,
            index.bands,
            index.rows,
        )
        return cls(index, drop=settings.neardup.drop, stats=crawler.stats)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"euspider/neardup/{key}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item or not item.get("text"):
            return item
        url = item["url"]
        signature = self.index.signer.signature(item["text"])
        if signature is None:
            return item
        match = self.index.find(url, signature)
        if match is not None and self.drop:
            self._inc("dropped")
            raise DropItem(
                f"near_duplicate: {url} repeats {match.url} (similarity {match.similarity:.2f})", log_level="INFO"
            )
        if match is None or match.content_hash != item["content_hash"]:
            self.index.add(url, signature, item["content_hash"])
        if match is not None:
            self._inc("found")
            item["near_duplicate_of"] = match.as_field()
            logger.debug("%s nearly repeats %s (similarity %.2f)", url, match.url, match.similarity)
        return item

    def close_spider(self) -> None:
        self.index.close()
