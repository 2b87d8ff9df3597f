"""Enable euspider in any Scrapy project with one line: ``ADDONS = {"euspider.addon.Addon": 0}``.

Settings are written at the ``addon`` priority, so anything the project or the command line sets wins.
Besides the pipeline, the exporter and the crawl-state components, the add-on sets safe defaults for an
unattended crawl of the open web (see :data:`SAFE_DEFAULTS` and :mod:`euspider.safety`): bounded
download time and size, no truncated bodies, ``Retry-After`` honoured and capped, redirects limited
and kept on the allowed domains, and nothing but HTTP(S) fetched.
With ``EUSPIDER_SPIDERMON = True`` it also turns Spidermon on, with euspider's monitor suite added to
the project's own close monitors and Spidermon's item validation against the record's JSON Schema.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object

from . import config
from .dedup import NearDuplicatePipeline
from .duplicates import DuplicatePipeline
from .exporters import JsonLinesExporter, ParquetExporter, refuse_parquet_appends
from .incremental import ConditionalRequestMiddleware, RunPipeline
from .middlewares import CaptureTimeMiddleware, MirrorMiddleware, WarcArchiveMiddleware, WarcReplayMiddleware
from .pipelines import ExtractPipeline
from .safety import (
    BodyGuardMiddleware,
    DownloadFailureMiddleware,
    RedirectGuardMiddleware,
    RetryAfterMiddleware,
    StartHostsMiddleware,
    UrlFilterMiddleware,
)
from .spidermiddlewares import ExtractResponsesMiddleware

#: Where the components sit in Scrapy's chains. The mirror goes late in the downloader chain so
#: robots.txt and the offsite filter see the site's own URL first.
PIPELINE_ORDER = 300
DUPLICATE_ORDER = 400  # after extraction, before near-duplicates and the run's output: one record per story
NEARDUP_ORDER = 500  # after extraction, before the run's output is written
RUN_ORDER = 800  # after extraction: writes the run's output and keeps the crawl state
CONDITIONAL_ORDER = 900  # before the mirror, which re-issues requests to its local server
MIRROR_ORDER = 950
WARC_REPLAY_ORDER = 20  # first: a request answered from an archive goes nowhere else
#: Below RetryMiddleware (550) and the redirect middlewares (580, 600): the capture time and the
#: archive see the response the spider receives, decompressed (590), under the site's own URL.
CAPTURE_TIME_ORDER = 545
WARC_ARCHIVE_ORDER = 540  # after the capture time is decided (process_response runs high to low)
EXTRACT_RESPONSES_ORDER = 900  # nearest the spider: sees its output first
VALIDATION_ORDER = 350  # after extraction, before the run output: checks the records written
SPIDERMON_ORDER = 500
REPORT_ORDER = 600  # after Spidermon: the summary names failed monitors

URL_FILTER_ORDER = 40  # before the offsite filter (50) and robots.txt (100): nothing unsafe goes further
REDIRECT_GUARD_ORDER = 605  # sees a redirect before RedirectMiddleware (600) follows it
BODY_GUARD_ORDER = 595  # sees a compressed body before HttpCompressionMiddleware (590) inflates it
RETRY_ORDER = 550  # in place of Scrapy's RetryMiddleware
FAILURE_ORDER = 548  # inside the retry middleware: sees a failure once retries are exhausted
START_HOSTS_ORDER = 10

#: Scrapy settings the add-on changes for a crawl of the hostile web (each documented in the README).
SAFE_DEFAULTS = {
    # a news page arrives in a few seconds; with two retries a dead server costs under a minute
    "DOWNLOAD_TIMEOUT": 15,
    # a body cut short (fewer bytes than Content-Length) is a failure, never a half story
    "DOWNLOAD_FAIL_ON_DATALOSS": True,
    "RETRY_TIMES": 2,
    "REDIRECT_MAX_TIMES": 5,
    # Scrapy warns from 32 MB on; past DOWNLOAD_MAXSIZE a download is aborted anyway
    "DOWNLOAD_WARNSIZE": 0,
}
#: URL schemes whose Scrapy download handlers are switched off: a crawl fetches HTTP(S) only.
UNSAFE_SCHEMES = ("file", "data", "ftp", "s3")

SPIDERMON = "spidermon.contrib.scrapy.extensions.Spidermon"
MONITOR_SUITE = "euspider.monitors.CrawlMonitorSuite"
VALIDATION_PIPELINE = "euspider.monitors.RecordValidationPipeline"


class Addon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", ExtractPipeline, PIPELINE_ORDER)
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", MirrorMiddleware, MIRROR_ORDER)
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", WarcReplayMiddleware, WARC_REPLAY_ORDER
        )
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", CaptureTimeMiddleware, CAPTURE_TIME_ORDER
        )
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", WarcArchiveMiddleware, WARC_ARCHIVE_ORDER
        )
        exporters = settings.getdict("FEED_EXPORTERS")
        for name in ("jsonl", "jsonlines"):
            exporters.setdefault(name, JsonLinesExporter)
        exporters.setdefault("parquet", ParquetExporter)
        refuse_parquet_appends(settings.getdict("FEEDS"))
        settings.set("FEED_EXPORTERS", exporters, "addon")
        settings.set("FEED_EXPORT_ENCODING", "utf-8", "addon")
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", DuplicatePipeline, DUPLICATE_ORDER)
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", NearDuplicatePipeline, NEARDUP_ORDER)
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", RunPipeline, RUN_ORDER)
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ConditionalRequestMiddleware, CONDITIONAL_ORDER
        )
        settings.setdefault_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", ExtractResponsesMiddleware, EXTRACT_RESPONSES_ORDER
        )
        settings.setdefault_in_component_priority_dict("EXTENSIONS", "euspider.extensions.CrawlReport", REPORT_ORDER)
        if config._bool("EUSPIDER_SPIDERMON", settings.get("EUSPIDER_SPIDERMON", False)):
            enable_spidermon(settings)
        self.safe_defaults(settings)

    def safe_defaults(self, settings: BaseSettings) -> None:
        for name, value in SAFE_DEFAULTS.items():
            settings.set(name, value, "addon")
        # nothing larger than a page euspider would extract is downloaded (or inflated)
        page_bytes = settings.get("EUSPIDER_MAX_PAGE_BYTES", config.DEFAULT_MAX_PAGE_BYTES)
        settings.set("DOWNLOAD_MAXSIZE", config.page_bytes(page_bytes), "addon")
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        for scheme in UNSAFE_SCHEMES:
            handlers.setdefault(scheme, None)
        settings.set("DOWNLOAD_HANDLERS", handlers, "addon")
        for cls, order in (
            (UrlFilterMiddleware, URL_FILTER_ORDER),
            (RedirectGuardMiddleware, REDIRECT_GUARD_ORDER),
            (BodyGuardMiddleware, BODY_GUARD_ORDER),
            (DownloadFailureMiddleware, FAILURE_ORDER),
        ):
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", cls, order)
        # Scrapy's retry middleware gives way to the one that honours Retry-After, unless the project
        # configured it by name
        if not any(load_object(key) is RetryMiddleware for key in settings.getdict("DOWNLOADER_MIDDLEWARES")):
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RetryMiddleware, None)
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RetryAfterMiddleware, RETRY_ORDER)
        settings.setdefault_in_component_priority_dict("SPIDER_MIDDLEWARES", StartHostsMiddleware, START_HOSTS_ORDER)


def _append(settings: BaseSettings, name: str, value: Any) -> None:
    """Add ``value`` to the list setting ``name``, keeping what the project put there."""
    current = settings.getlist(name)
    if value not in current:
        priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
        settings.set(name, [*current, value], priority)


def enable_spidermon(settings: BaseSettings) -> None:
    """Spidermon on, euspider's monitors added, records validated against the shipped schema."""
    try:
        import spidermon  # noqa: F401 - only checks that it is installed
    except ImportError as err:
        raise config.ConfigError("EUSPIDER_SPIDERMON=True: Spidermon is not installed (pip install spidermon)") from err
    settings.set("SPIDERMON_ENABLED", True, "addon")
    settings.setdefault_in_component_priority_dict("EXTENSIONS", SPIDERMON, SPIDERMON_ORDER)
    _append(settings, "SPIDERMON_SPIDER_CLOSE_MONITORS", MONITOR_SUITE)
    settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", VALIDATION_PIPELINE, VALIDATION_ORDER)
    settings.set("SPIDERMON_VALIDATION_SCHEMAS", ["euspider.monitors.RECORD_SCHEMA"], "addon")
