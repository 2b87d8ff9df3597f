"""Extraction for spiders that cannot be edited (thin Scrapy glue).

:class:`ExtractResponsesMiddleware` hands a response to the pipeline as a
:class:`~euspider.items.Page` (:meth:`~euspider.items.Page.from_response`) when its request carries
the meta key ``euspider_extract`` set true, or when the callback that handles it is named in
``EUSPIDER_EXTRACT_CALLBACKS`` (``parse`` for a request without a callback; ``*`` for every
callback). ``euspider_extract`` set false turns it off for one request. The spider's own output
passes on untouched; a page the spider hands over itself is not handed over twice.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from . import config
from .items import Page

logger = logging.getLogger(__name__)

EXTRACT = "euspider_extract"


class ExtractResponsesMiddleware:
    def __init__(self, callbacks: Iterable[str] = (), stats: StatsCollector | None = None) -> None:
        self.callbacks = frozenset(callbacks)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractResponsesMiddleware:
        return cls(config.load(crawler.settings.get).extract_callbacks, crawler.stats)

    def wanted(self, response: Response) -> bool:
        """Whether this response is to be extracted (meta first, then the callback's name)."""
        request = response.request
        if request is None:
            return False
        flag = request.meta.get(EXTRACT)
        if flag is not None:
            return bool(flag)
        if not self.callbacks:
            return False
        if "*" in self.callbacks:
            return True
        callback = request.callback
        name = "parse" if callback is None else getattr(callback, "__name__", None)
        return name in self.callbacks

    def _page(self, response: Response) -> Page:
        if self.stats is not None:
            self.stats.inc_value("euspider/extract/responses")
        logger.debug("handing %s to the pipeline (%s)", response.url, EXTRACT)
        return Page.from_response(response)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        # the page goes first: a callback that fails on the page still has it extracted
        wanted = self.wanted(response)
        if wanted:
            yield self._page(response)
        for item in result:
            if wanted and isinstance(item, Page) and item.url == response.url:
                continue  # the spider hands the same page over itself
            yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        wanted = self.wanted(response)
        if wanted:
            yield self._page(response)
        async for item in result:
            if wanted and isinstance(item, Page) and item.url == response.url:
                continue
            yield item
