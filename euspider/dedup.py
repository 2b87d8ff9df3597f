"""The near-duplicate stage of the item pipeline (Scrapy glue around :mod:`euspider.neardup`).

After extraction and before the run's output is written, each record's text is looked up in the
near-duplicate index: a record that nearly repeats an earlier one gets ``near_duplicate_of`` (that
record's URL and the estimated similarity) and is counted in ``euspider/neardup/found``; with
``EUSPIDER_NEARDUP_DROP`` it is dropped instead (``euspider/neardup/dropped``, logged with both
URLs). Every record that is written is indexed, except an exact copy of the record it matched (that
record stands for it). The index is kept for the run only, or across runs beside ``EUSPIDER_STATE``
(``<state>.neardup.sqlite``) or at ``EUSPIDER_NEARDUP_INDEX``. In a shared crawl (``EUSPIDER_REDIS_URL``)
the index is in Redis (:class:`~euspider.store.redis_neardup.RedisNearDuplicateIndex`), one for all
workers: beside a state in Redis (``redis:<name>``, keys ``euspider-state:<name>:neardup``), kept
across crawls; else the crawl's (``euspider:<spider>:neardup``), dropped with the crawl's keys.
``EUSPIDER_NEARDUP_INDEX`` still names a SQLite file, if set.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from . import config
from .neardup import BaseNearDuplicateIndex, NearDuplicateIndex, NearDuplicateIndexError
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


def redis_prefix(state: Path | None, spider: str) -> str:
    """Where a shared crawl's index lives in Redis: beside a state in Redis, else with the crawl's keys."""
    from .distributed import PREFIX
    from .store.redis_state import PREFIX as STATE_PREFIX

    name = redis_state_name(config.for_spider(state, spider)) if state is not None else None
    if name:
        return (STATE_PREFIX % {"name": name}) + ":neardup"
    return (PREFIX % {"spider": spider}) + ":neardup"


def open_index(settings: config.Config, spider: str) -> tuple[BaseNearDuplicateIndex, str]:
    """The crawl's index and where it is (for the log)."""
    if settings.redis_url and settings.neardup.index is None:
        from .store.redis import RedisStoreError, safe_url
        from .store.redis_neardup import RedisNearDuplicateIndex, binary_client

        prefix = redis_prefix(settings.state, spider)
        try:
            client = binary_client(settings.redis_url)
        except RedisStoreError as err:
            raise config.ConfigError(f"EUSPIDER_REDIS_URL: {err}") from err
        try:
            return RedisNearDuplicateIndex(client, prefix, settings.neardup.threshold), (
                f"{safe_url(settings.redis_url)} {prefix}"
            )
        except NearDuplicateIndexError as err:
            raise config.ConfigError(f"EUSPIDER_REDIS_URL: {err}") from err
    path = index_path(settings.state, settings.neardup.index, spider)
    try:
        return NearDuplicateIndex(path, settings.neardup.threshold), str(path or "temporary, this run only")
    except NearDuplicateIndexError as err:
        setting = "EUSPIDER_NEARDUP_INDEX" if settings.neardup.index else "EUSPIDER_STATE"
        raise config.ConfigError(f"{setting}: {err}") from err


class NearDuplicatePipeline:
    """Mark (or drop) records whose text nearly repeats an earlier record's."""

    def __init__(self, index: BaseNearDuplicateIndex, *, drop: bool = False, stats: Any = None) -> None:
        self.index = index
        self.drop = drop
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NearDuplicatePipeline:
        settings = config.load(crawler.settings.get)
        if not settings.enabled or not settings.neardup.enabled:
            raise NotConfigured("EUSPIDER_NEARDUP_ENABLED is off")
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        index, where = open_index(settings, name)
        logger.info(
            "near-duplicate index: %s, %d texts, threshold %.2f (%d bands of %d)",
            where,
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
        # one step: in a shared index, of two near copies written at once the second finds the first
        match = self.index.match_and_add(url, signature, item["content_hash"], index_near=not self.drop)
        if match is not None and self.drop:
            self._inc("dropped")
            raise DropItem(
                f"near_duplicate: {url} repeats {match.url} (similarity {match.similarity:.2f})", log_level="INFO"
            )
        if match is not None:
            self._inc("found")
            item["near_duplicate_of"] = match.as_field()
            logger.debug("%s nearly repeats %s (similarity %.2f)", url, match.url, match.similarity)
        return item

    def close_spider(self) -> None:
        self.index.close()
