"""One lead store per crawl, shared by the spider and the dedupe pipeline (Scrapy glue).

With ``EUSPIDER_REDIS_URL`` the store is in Redis, shared by every worker of the crawl
(:class:`~euspider.store.redis.RedisLeadStore`); when a worker finishes, the crawl's keys are dropped
once no lead waits or is held anywhere. Else, with ``JOBDIR`` the store is
``<JOBDIR>/euspider-leads.sqlite``: a crawl stopped before it finished
(killed, Ctrl-C, ``CLOSESPIDER_*``) keeps it, and the same command resumes with its leads; a finished
crawl removes it, so the next run with the same ``JOBDIR`` starts afresh. Without ``JOBDIR`` it is a
temporary file, removed when the crawl ends.
"""

from __future__ import annotations

import logging
from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from .. import config
from . import LeadStore
from .redis import RedisLeadStore
from .sqlite import LeadStoreError, SqliteLeadStore

logger = logging.getLogger(__name__)

STORE_FILE = "euspider-leads.sqlite"
_STORES: WeakKeyDictionary[Crawler, LeadStore] = WeakKeyDictionary()


def crawl_store(crawler: Crawler) -> LeadStore:
    """The crawl's lead store, opened on first use (and requeued when a stopped crawl resumes)."""
    store = _STORES.get(crawler)
    if store is not None:
        return store
    from ..distributed import distributed

    shared = distributed(crawler)
    if shared is not None:
        store = _STORES[crawler] = RedisLeadStore(
            shared.client, shared.prefix, shared.worker, queue_key=shared.queue_key
        )
        _close_with(crawler, store)
        return store
    jobdir = crawler.settings.get("JOBDIR")
    path = Path(jobdir) / STORE_FILE if jobdir else None
    resumed = path is not None and path.exists()
    try:
        store = SqliteLeadStore(path)
    except LeadStoreError as err:
        raise config.ConfigError(f"JOBDIR={jobdir!r}: {err}") from err
    if resumed:
        requeued = store.requeue()
        counts = store.counts()
        logger.info(
            "resuming with the lead store %s: %d leads waiting (%d were in flight), %d done",
            path, counts["waiting_discovery"] + counts["waiting_stories"], requeued, counts["done"],
        )  # fmt: skip
    _STORES[crawler] = store
    _close_with(crawler, store)
    return store


def _close_with(crawler: Crawler, store: LeadStore) -> None:
    def close(spider: Spider, reason: str) -> None:
        _STORES.pop(crawler, None)
        # a finished crawl starts afresh next time; a stopped one resumes with its leads
        store.close(discard=reason == "finished")

    crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
