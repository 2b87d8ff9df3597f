"""Downloader middleware that crawls a bundled mirror instead of the live site (thin Scrapy glue).

With ``EUSPIDER_MIRROR`` set to a mirror folder, :class:`MirrorMiddleware` starts a
:class:`~euspider.mirror.MirrorServer` on 127.0.0.1 when the spider opens. A request for a URL the
mirror holds (``https://euobserver.com/world/26823``) is re-issued to the local server
(``http://127.0.0.1:<port>/euobserver.com/world/26823``); the response comes back under the original
URL, with the server's real headers. Spiders, link extraction and the pipeline see only the site's own
URLs, so the mirror crawl runs the same code as a live one. Robots.txt and the offsite filter apply to
the original URL; a URL the mirror does not hold gets the server's 404 (``euspider/mirror/missing``)
and is never fetched from the network.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from . import config
from .mirror import MirrorServer, replay_path

logger = logging.getLogger(__name__)

ORIGINAL_URL = "euspider_original_url"


class MirrorMiddleware:
    def __init__(self, server: MirrorServer, stats: StatsCollector | None = None) -> None:
        self.server = server
        self.stats = stats
        self._started = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        settings = config.load(crawler.settings.get)
        if settings.mirror is None:
            raise NotConfigured  # no mirror asked for: a live crawl (silent, this is the normal case)
        middleware = cls(MirrorServer(settings.mirror), crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        if not self._started:
            self.server.start()
            self._started = True
            logger.info(
                "serving mirror %s (%d captures) at %s",
                self.server.mirror.root,
                len(self.server.mirror.captures),
                self.server.base_url,
            )

    def spider_closed(self, spider: Spider) -> None:
        if self._started:
            self.server.stop()
            self._started = False

    def process_request(self, request: Request) -> Request | None:
        if ORIGINAL_URL in request.meta:
            return None  # already pointed at the local server
        if self.server.mirror.lookup(replay_path(request.url)) is None and self.stats is not None:
            self.stats.inc_value("euspider/mirror/missing")  # the server answers 404, as a replay server does
        meta: dict[str, Any] = {
            **request.meta,
            ORIGINAL_URL: request.url,
            "allow_offsite": True,  # 127.0.0.1 stands for the original host, checked already
            "dont_obey_robotstxt": True,  # the original host's robots.txt was applied already
        }
        return request.replace(url=self.server.replay_url(request.url), meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        original = request.meta.get(ORIGINAL_URL)
        if original is None:
            return response
        return response.replace(url=original)
