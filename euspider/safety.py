"""Downloader and spider middlewares that keep a crawl safe on the hostile web (thin Scrapy glue).

The add-on (:mod:`euspider.addon`) enables all of them; each is documented in the README's "Safety and
failure behaviour" section.

- :class:`StartHostsMiddleware` (spider middleware) notes the hosts of the crawl's start requests: the
  hosts the user named, which may be local (a mirror, a test server, an intranet site).
- :class:`UrlFilterMiddleware` refuses every request :func:`euspider.urlfilter.refusal` refuses (not
  HTTP(S), credentials in the URL, a private or loopback address nobody named, outside the spider's
  ``allowed_domains`` even when the request skips the duplicate filter) and redirect loops, before
  robots.txt or the network sees it; it gives sitemap requests their own size limit.
- :class:`RedirectGuardMiddleware` refuses a redirect before it is followed when its target is unsafe,
  off the allowed domains, a loop, or one redirect too many.
- :class:`BodyGuardMiddleware` checks a compressed body before it is decompressed: a stream that
  inflates past the size limit (a gzip or brotli bomb) or that ends before its end marker (a truncated
  transfer) is dropped without ever being inflated in memory.
- :class:`RetryAfterMiddleware` is Scrapy's ``RetryMiddleware`` that also honours ``Retry-After``,
  waiting as asked up to ``EUSPIDER_RETRY_AFTER_MAX`` seconds and giving up on longer waits.
- :class:`DownloadFailureMiddleware` counts downloads that failed for good, by reason.

Refusals are counted as ``euspider/refused/<reason>``, download failures as ``euspider/download/<reason>``,
each logged as a warning with the URL.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed

from . import config
from .urlfilter import refusal

logger = logging.getLogger(__name__)

#: Meta key of a request the mirror re-issued to its own server (see :mod:`euspider.middlewares`).
_MIRRORED = "euspider_original_url"
#: The hosts each running crawl's start requests named (the user's own choice, trusted when local).
_START_HOSTS: WeakKeyDictionary[Crawler, set[str]] = WeakKeyDictionary()


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _inc(stats: StatsCollector | None, key: str) -> None:
    if stats is not None:
        stats.inc_value(key)


class StartHostsMiddleware:
    """Spider middleware: remember the hosts of the start requests (see :class:`UrlFilterMiddleware`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.hosts = _START_HOSTS.setdefault(crawler, set())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StartHostsMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if isinstance(item, Request):
                self.hosts.add(_host(item.url))
            yield item


def _allowed_domains(spider: Spider | None) -> list[str]:
    return [d for d in (getattr(spider, "allowed_domains", None) or []) if isinstance(d, str) and d]


class UrlFilterMiddleware:
    """Refuse unsafe requests before robots.txt, the offsite filter or the network see them."""

    def __init__(self, crawler: Crawler, sitemap_max_bytes: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.start_hosts = _START_HOSTS.setdefault(crawler, set())
        self.sitemap_max_bytes = sitemap_max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlFilterMiddleware:
        settings = config.load(crawler.settings.get)
        return cls(crawler, settings.max_sitemap_bytes)

    def process_request(self, request: Request) -> None:
        if _MIRRORED in request.meta:
            return  # the mirror's own server on loopback, re-issued by the mirror middleware
        spider = self.crawler.spider
        allowed = [] if request.meta.get("allow_offsite") else _allowed_domains(spider)
        reason = refusal(request.url, allowed_domains=allowed, trusted_hosts=self.start_hosts)
        if reason is None and request.url in request.meta.get("redirect_urls", ()):
            reason = "redirect_loop"
        if reason is not None:
            _inc(self.stats, f"euspider/refused/{reason}")
            chain = request.meta.get("redirect_urls")
            via = f" (redirected from {chain[0]})" if chain else ""
            logger.warning("refused %s: %s%s", reason, request.url, via)
            raise IgnoreRequest(f"{reason}: {request.url}")
        if request.meta.get("euspider_kind") == "sitemap" and "download_maxsize" not in request.meta:
            request.meta["download_maxsize"] = self.sitemap_max_bytes


class RedirectGuardMiddleware:
    """Refuse a redirect before Scrapy's ``RedirectMiddleware`` follows it (it sits just outside it).

    Refused: a target :func:`~euspider.urlfilter.refusal` refuses (``file:``, another host outside the
    allowed domains, a private address), a target already on the redirect chain (``redirect_loop``),
    and a redirect past ``REDIRECT_MAX_TIMES`` (``redirect_limit``).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.start_hosts = _START_HOSTS.setdefault(crawler, set())
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if (
            response.status not in {301, 302, 303, 307, 308}
            or not location
            or _MIRRORED in request.meta
            or request.meta.get("dont_redirect")
            or request.meta.get("handle_httpstatus_all")
            or response.status in request.meta.get("handle_httpstatus_list", ())
            or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())
        ):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        allowed = [] if request.meta.get("allow_offsite") else _allowed_domains(self.crawler.spider)
        reason = refusal(target, allowed_domains=allowed, trusted_hosts=self.start_hosts)
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if reason is None and target.split("#")[0] in {u.split("#")[0] for u in chain}:
            reason = "redirect_loop"
        if reason is None and request.meta.get("redirect_times", 0) >= self.max_times:
            reason = "redirect_limit"
        if reason is None:
            return response
        _inc(self.stats, f"euspider/refused/{reason}")
        logger.warning("refused redirect (%s): %s -> %s", reason, chain[0], target)
        raise IgnoreRequest(f"redirect refused ({reason}): {chain[0]} -> {target}")


# --- compressed bodies ---------------------------------------------------------------------------

_CHUNK = 64 * 1024


class TruncatedBodyError(ValueError):
    pass


class BodyTooLargeError(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _check_zlib(data: bytes, wbits: int, max_size: int) -> None:
    """Inflate ``data`` chunk by chunk without keeping the output; raise if it is too large or cut off."""
    size = 0
    while True:
        decompressor = zlib.decompressobj(wbits)
        try:
            chunk = decompressor.decompress(data, _CHUNK)
            size += len(chunk)
            while decompressor.unconsumed_tail and not decompressor.eof:
                if max_size and size > max_size:
                    raise BodyTooLargeError(size)
                chunk = decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
                size += len(chunk)
        except zlib.error as err:
            raise TruncatedBodyError(f"is corrupt: {err}") from err
        if max_size and size > max_size:
            raise BodyTooLargeError(size)
        if not decompressor.eof:
            raise TruncatedBodyError("ends before its end marker")
        rest = decompressor.unused_data.lstrip(b"\0")  # some servers pad a gzip member
        if wbits != 31 or not rest.startswith(b"\x1f\x8b"):
            return  # one member: done (trailing bytes after it are ignored, as gzip does)
        data = rest  # another gzip member follows


def _check_brotli(data: bytes, max_size: int) -> None:
    import brotli

    decompressor = brotli.Decompressor()
    try:
        size = len(decompressor.process(data, output_buffer_limit=_CHUNK))
        while not decompressor.is_finished():
            if max_size and size > max_size:
                raise BodyTooLargeError(size)
            chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
            if not chunk:
                break
            size += len(chunk)
    except brotli.error as err:
        raise TruncatedBodyError(f"is corrupt: {err}") from err
    if max_size and size > max_size:
        raise BodyTooLargeError(size)
    if not decompressor.is_finished():
        raise TruncatedBodyError("ends before its end marker")


def check_compressed(body: bytes, encodings: Iterable[bytes], max_size: int) -> None:
    """Raise ``BodyTooLargeError`` or ``TruncatedBodyError`` for a body whose outermost coding is gzip, deflate or br
    and that inflates past ``max_size`` bytes (0: no limit) or ends early. Other codings pass."""
    codings = [c.strip().lower() for value in encodings for c in value.split(b",") if c.strip()]
    if not codings:
        return
    outer = codings[-1]  # applied last, decoded first
    if not body:
        raise TruncatedBodyError("is empty")
    if outer in {b"gzip", b"x-gzip"}:
        _check_zlib(body, 31, max_size)
    elif outer == b"deflate":
        wbits = 15 if len(body) >= 2 and (body[0] * 256 + body[1]) % 31 == 0 and body[0] & 0x0F == 8 else -15
        _check_zlib(body, wbits, max_size)
    elif outer == b"br":
        _check_brotli(body, max_size)


class BodyGuardMiddleware:
    """Drop a compressed response that would inflate past the size limit or was cut off, before
    Scrapy's ``HttpCompressionMiddleware`` decompresses it (it sits just outside it)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BodyGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = response.headers.getlist(b"Content-Encoding")
        if request.method == "HEAD" or not encodings:
            return response
        max_size = int(request.meta.get("download_maxsize", self.max_size) or 0)
        try:
            check_compressed(response.body, encodings, max_size)
        except BodyTooLargeError as err:
            _inc(self.stats, "euspider/download/too_large")
            logger.warning(
                "download failed (too_large): %s: its %d compressed bytes inflate past DOWNLOAD_MAXSIZE=%d",
                response.url, len(response.body), max_size,
            )  # fmt: skip
            raise IgnoreRequest(f"too_large: inflates to more than {max_size} bytes ({err.size} so far)") from err
        except TruncatedBodyError as err:
            _inc(self.stats, "euspider/download/truncated")
            logger.warning("download failed (truncated): %s: the compressed body %s", response.url, err)
            raise IgnoreRequest(f"truncated: {err}") from err
        return response


# --- retries -------------------------------------------------------------------------------------


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay-seconds or an HTTP-date), or None when
    absent or unreadable. A date in the past means no wait."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's ``RetryMiddleware`` (``RETRY_TIMES``, ``RETRY_HTTP_CODES``) that also honours
    ``Retry-After`` on a retryable status (429, 503...): it waits as asked before the retry, up to
    ``EUSPIDER_RETRY_AFTER_MAX`` seconds; a server asking for longer is given up on at once
    (``euspider/download/retry_after_too_long``), its response passed on as a failure."""

    def __init__(self, settings: Any, max_wait: float = 60.0) -> None:
        super().__init__(settings)
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        middleware = cls(crawler.settings, config.load(crawler.settings.get).retry_after_max)
        middleware.crawler = crawler
        return middleware

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(UTC))
        if wait is not None and wait > self.max_wait:
            _inc(self.crawler.stats, "euspider/download/retry_after_too_long")
            logger.warning(
                "gave up on %s: %d asks to retry after %.0f s, more than EUSPIDER_RETRY_AFTER_MAX=%g",
                request.url, response.status, wait, self.max_wait,
            )  # fmt: skip
            return response
        retries_left = request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retry_times)
        if wait and retries_left:
            _inc(self.crawler.stats, "euspider/download/retry_after")
            await sleep(wait)
        return self._retry(request, response_status_message(response.status)) or response


# --- failures ------------------------------------------------------------------------------------


def failure_reason(exception: BaseException) -> str | None:
    """The ``euspider/download/<reason>`` of a download that failed, or None for a refusal."""
    if isinstance(exception, IgnoreRequest):
        return None  # refused on purpose (robots.txt, offsite, the URL filter): counted where refused
    if isinstance(exception, DownloadTimeoutError | net_error.TimeoutError):
        return "timeout"
    if isinstance(exception, DownloadCancelledError):
        return "too_large"  # the only cancellation Scrapy makes: DOWNLOAD_MAXSIZE reached
    if isinstance(exception, ResponseDataLossError):
        return "data_loss"
    if isinstance(exception, DownloadConnectionRefusedError | net_error.ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exception, CannotResolveHostError | net_error.DNSLookupError):
        return "dns"
    if isinstance(exception, ResponseFailed | net_error.ConnectionLost | net_error.ConnectionDone):
        return "connection_lost"
    return "failed"


class DownloadFailureMiddleware:
    """Count and log the downloads that failed for good (it sits inside the retry middleware, so it
    sees a failure only once retries are exhausted)."""

    def __init__(self, stats: StatsCollector | None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadFailureMiddleware:
        return cls(crawler.stats)

    def process_exception(self, request: Request, exception: Exception) -> None:
        reason = failure_reason(exception)
        if reason is None:
            return
        _inc(self.stats, f"euspider/download/{reason}")
        detail = str(exception)[:200] or type(exception).__name__
        logger.warning("download failed (%s): %s: %s", reason, request.url, detail)
