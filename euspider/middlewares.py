"""Downloader middlewares (thin Scrapy glue): a bundled mirror instead of the live site, and web
archives in and out.

:class:`MirrorMiddleware` — with ``EUSPIDER_MIRROR`` set to a mirror folder, it starts a
:class:`~euspider.mirror.MirrorServer` on 127.0.0.1 when the spider opens. A request for a URL the
mirror holds (``https://euobserver.com/world/26823``) is re-issued to the local server
(``http://127.0.0.1:<port>/euobserver.com/world/26823``); the response comes back under the original
URL, with the server's real headers. Spiders, link extraction and the pipeline see only the site's own
URLs, so the mirror crawl runs the same code as a live one. Robots.txt and the offsite filter apply to
the original URL; a URL the mirror does not hold gets the server's 404 (``euspider/mirror/missing``)
and is never fetched from the network.

:class:`CaptureTimeMiddleware` decides each response's capture time once (meta
``euspider_crawled_at``): the archive record and the page's record both read it, so they agree.
:class:`WarcReplayMiddleware` answers the ``warc`` spider's requests from the archive records they
point at; :class:`WarcArchiveMiddleware` (``EUSPIDER_WARC_DIR``) writes what a live crawl fetches,
after retries and redirects: the response the spider receives.
"""

from __future__ import annotations

import logging
from datetime import datetime
from http import HTTPStatus
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import StatsCollector

from . import capture, config
from .mirror import MirrorServer, replay_path
from .warc import RotatingWarcWriter, WarcError, read_record

logger = logging.getLogger(__name__)

ORIGINAL_URL = "euspider_original_url"
CRAWLED_AT = capture.CRAWLED_AT
#: Flag of a response answered from an archive record (shown in Scrapy's "Crawled" log lines).
REPLAYED = "warc"


def fetch_time(response: Response) -> str:
    """When a fetched response was captured: an archive's ``Memento-Datetime`` when it came from one
    (a replay server, the bundled mirror), else now, the moment it arrived. UTC, whole seconds."""
    return capture.capture_time({}, response.headers)


def capture_time(request: Request, response: Response) -> str:
    """The response's capture time as decided for it (meta ``euspider_crawled_at``), deciding it now
    when nothing has yet."""
    value = request.meta.get(CRAWLED_AT)
    if not value:
        value = request.meta[CRAWLED_AT] = fetch_time(response)
    return str(value)


class CaptureTimeMiddleware:
    """Decide each response's capture time once, in meta ``euspider_crawled_at``.

    It sits after retries and redirects (below ``RetryMiddleware``), so it times the response the
    spider receives, and before the WARC writer, so the archive's WARC-Date and the record's
    ``crawled_at`` are the same value. A response replayed from an archive keeps the record's
    WARC-Date, set by :class:`WarcReplayMiddleware`.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if REPLAYED not in response.flags:
            request.meta[CRAWLED_AT] = fetch_time(response)
        return response


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
            if request.url.startswith(self.server.base_url + "/"):
                return None  # already pointed at the local server
            # pointed at the server of an earlier run (a request kept in JOBDIR): point it here
            return request.replace(url=self.server.replay_url(request.meta[ORIGINAL_URL]), dont_filter=True)
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


class WarcReplayMiddleware:
    """Answer requests that carry an archive location (meta ``euspider_warc``) from the archive itself.

    The response is the stored one: status, original headers (transfer encodings removed, the body
    being decoded) and body, under the record's target URL. Nothing goes to the network.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcReplayMiddleware:
        return cls(crawler.stats)

    def process_request(self, request: Request) -> Response | None:
        location = request.meta.get("euspider_warc")
        if not location or request.meta.get("euspider_warc_written"):
            return None
        try:
            stored = read_record(location["file"], int(location["offset"]))
        except WarcError as err:
            if self.stats is not None:
                self.stats.inc_value("euspider/warc/unreadable")
            logger.error("%s", err)
            raise IgnoreRequest(str(err)) from err
        if stored.info.date:
            request.meta[CRAWLED_AT] = stored.info.date
        cls = responsetypes.from_args(headers=dict(stored.headers), url=request.url, body=stored.body)
        return cls(
            url=request.url,
            status=stored.status,
            headers=stored.headers,
            body=stored.body,
            request=request,
            flags=[REPLAYED],
        )


class WarcArchiveMiddleware:
    """With ``EUSPIDER_WARC_DIR``, write every response the spider receives (and its request) to
    rotating WARC 1.1 files, and note in the request's meta (``euspider_warc``) where the response
    record is, so the record of the page can name its source.

    It sits below ``RetryMiddleware`` and the redirect middlewares: a ``503`` that is retried or a
    ``301`` that is followed never reaches it, the final answer does. The WARC-Date is the capture
    time :class:`CaptureTimeMiddleware` decided (meta ``euspider_crawled_at``), the same value the
    record's ``crawled_at`` gets. :meth:`sync` makes the files durable; the run's output calls it
    before it commits records that cite them."""

    def __init__(self, writer: RotatingWarcWriter, stats: StatsCollector | None = None) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        settings = config.load(crawler.settings.get)
        if settings.warc_dir is None:
            raise NotConfigured
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        folder = config.for_spider(settings.warc_dir, name)
        try:
            writer = RotatingWarcWriter(folder, prefix=name, max_bytes=settings.warc_max_bytes)
        except OSError as err:
            raise config.ConfigError(
                f"EUSPIDER_WARC_DIR={str(settings.warc_dir)!r}: cannot write there ({err})"
            ) from err
        middleware = cls(writer, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider: Spider) -> None:
        self.writer.close()

    def sync(self) -> None:
        """Make every record written so far durable (``fsync``)."""
        self.writer.sync()

    def process_response(self, request: Request, response: Response) -> Response:
        if REPLAYED in response.flags or request.meta.get("euspider_warc") or response.status == 304:
            return response  # replayed from an archive already, or nothing new to keep
        when = datetime.fromisoformat(capture_time(request, response).replace("Z", "+00:00"))
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items() for v in values]
        request_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, values in request.headers.items() for v in values
        ]
        path, offset = self.writer.write(
            response.url,
            when,
            method=request.method,
            request_headers=request_headers,
            status=response.status,
            reason=HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else "",
            response_headers=headers,
            body=response.body,
        )
        request.meta["euspider_warc"] = {"file": path, "offset": offset}
        request.meta["euspider_warc_written"] = True
        if self.stats is not None:
            self.stats.inc_value("euspider/warc/written")
        return response
