"""The safety middlewares' pure parts, and the defaults the add-on sets (the crawl itself is in
tests/test_faults.py)."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from email.utils import format_datetime

import brotli
import pytest
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError
from scrapy.settings import Settings
from twisted.internet.error import ConnectionLost

from euspider.addon import Addon
from euspider.config import ConfigError
from euspider.safety import (
    BodyGuardMiddleware,
    BodyTooLargeError,
    RetryAfterMiddleware,
    StartHostsMiddleware,
    TruncatedBodyError,
    UrlFilterMiddleware,
    check_compressed,
    failure_reason,
    retry_after_seconds,
)

PAGE = b"<html><body>" + b"<p>The ministers met on Monday.</p>" * 2000 + b"</body></html>"
LIMIT = 1_000_000


def deflate(data: bytes, raw: bool) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15 if raw else 15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        (gzip.compress(PAGE), b"gzip"),
        (gzip.compress(PAGE), b"x-gzip"),
        (gzip.compress(PAGE[:30000]) + gzip.compress(PAGE[30000:]), b"gzip"),  # two members
        (gzip.compress(PAGE) + b"\0\0\0", b"gzip"),  # padding after the member
        (deflate(PAGE, raw=False), b"deflate"),
        (deflate(PAGE, raw=True), b"deflate"),
        (brotli.compress(PAGE), b"br"),
        (gzip.compress(PAGE), b"identity, gzip"),
    ],
    ids=["gzip", "x-gzip", "gzip-two-members", "gzip-padded", "deflate-zlib", "deflate-raw", "br", "listed"],
)
def test_complete_streams_pass(body, coding):
    check_compressed(body, [coding], LIMIT)


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        (gzip.compress(PAGE)[:-300], b"gzip"),
        (gzip.compress(PAGE)[:50], b"gzip"),
        (gzip.compress(PAGE)[:-8], b"gzip"),  # the data is all there, the trailer (CRC, size) is not
        (deflate(PAGE, raw=False)[:-200], b"deflate"),
        (brotli.compress(PAGE)[:-20], b"br"),
        (b"", b"gzip"),
        (b"this is not gzip at all", b"gzip"),
    ],
    ids=["gzip-cut", "gzip-header-only", "gzip-no-trailer", "deflate-cut", "br-cut", "empty", "not-gzip"],
)
def test_cut_or_corrupt_streams_are_truncated(body, coding):
    with pytest.raises(TruncatedBodyError):
        check_compressed(body, [coding], LIMIT)


@pytest.mark.parametrize(
    ("body", "coding"),
    [
        (gzip.compress(b"\0" * 20_000_000), b"gzip"),
        (deflate(b"\0" * 20_000_000, raw=True), b"deflate"),
        (brotli.compress(b"\0" * 20_000_000, quality=5), b"br"),
    ],
    ids=["gzip", "deflate", "br"],
)
def test_bombs_stop_at_the_limit(body, coding):
    with pytest.raises(BodyTooLargeError) as info:
        check_compressed(body, [coding], LIMIT)
    assert LIMIT < info.value.size <= LIMIT + 2 * 65536  # stopped within a chunk of the limit
    check_compressed(body, [coding], 0)  # no limit: a complete stream passes


def test_identity_and_unknown_codings_pass_untouched():
    check_compressed(PAGE, [], LIMIT)
    check_compressed(b"not compressed", [b"identity"], LIMIT)


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"120", 120.0),
        ("0", 0.0),
        (format_datetime(datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC), usegmt=True), 30.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past: no wait
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_retry_after(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize(
    ("exception", "reason"),
    [
        (DownloadTimeoutError("took longer than 15 seconds"), "timeout"),
        (DownloadCancelledError("larger than download max size"), "too_large"),
        (ResponseDataLossError(), "data_loss"),
        (ConnectionLost(), "connection_lost"),
        (IgnoreRequest("robots.txt"), None),
        (ValueError("odd"), "failed"),
    ],
)
def test_failure_reasons(exception, reason):
    assert failure_reason(exception) == reason


def addon_settings(values: dict | None = None) -> Settings:
    settings = Settings(values or {}, priority="project")
    Addon().update_settings(settings)
    return settings


def test_addon_sets_safe_defaults():
    settings = addon_settings()
    assert settings.getint("DOWNLOAD_TIMEOUT") == 15
    assert settings.getint("DOWNLOAD_MAXSIZE") == 5_000_000  # EUSPIDER_MAX_PAGE_BYTES
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS") is True
    assert settings.getint("REDIRECT_MAX_TIMES") == 5
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert all(handlers[scheme] is None for scheme in ("file", "data", "ftp", "s3"))
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[RetryMiddleware] is None
    assert middlewares[RetryAfterMiddleware] == 550
    assert middlewares[UrlFilterMiddleware] < 50  # before the offsite filter and robots.txt
    assert 590 < middlewares[BodyGuardMiddleware] < 600  # between decompression and redirects
    assert StartHostsMiddleware in settings.getdict("SPIDER_MIDDLEWARES")


def test_project_settings_win_and_the_size_limit_follows_the_page_limit():
    settings = addon_settings({"DOWNLOAD_TIMEOUT": 60, "EUSPIDER_MAX_PAGE_BYTES": 2_000_000})
    assert settings.getint("DOWNLOAD_TIMEOUT") == 60
    assert settings.getint("DOWNLOAD_MAXSIZE") == 2_000_000
    assert addon_settings({"EUSPIDER_MAX_PAGE_BYTES": 0}).getint("DOWNLOAD_MAXSIZE") == 0  # no limit
    own = addon_settings({"DOWNLOAD_MAXSIZE": 123, "DOWNLOADER_MIDDLEWARES": {RetryMiddleware: 551}})
    assert own.getint("DOWNLOAD_MAXSIZE") == 123
    assert RetryAfterMiddleware not in own.getdict("DOWNLOADER_MIDDLEWARES")  # the project's retry stays


def test_a_bad_page_limit_fails_at_start():
    with pytest.raises(ConfigError, match="EUSPIDER_MAX_PAGE_BYTES='big'"):
        addon_settings({"EUSPIDER_MAX_PAGE_BYTES": "big"})
