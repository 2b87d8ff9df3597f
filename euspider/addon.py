"""Enable euspider in any Scrapy project with one line: ``ADDONS = {"euspider.addon.Addon": 0}``.

Settings are written at the ``addon`` priority, so anything the project or the command line sets wins.
Besides the pipeline, the exporter and the crawl-state components, the add-on sets safe defaults for an
unattended crawl of the open web (see :data:`SAFE_DEFAULTS` and :mod:`euspider.safety`): bounded
download time and size, no truncated bodies, ``Retry-After`` honoured and capped, redirects limited
and kept on the allowed domains, and nothing but HTTP(S) fetched.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from . import config
from .exporters import JsonLinesExporter
from .incremental import ConditionalRequestMiddleware, RunPipeline
from .middlewares import MirrorMiddleware, WarcArchiveMiddleware, WarcReplayMiddleware
from .pipelines import ExtractPipeline
from .safety import (
    BodyGuardMiddleware,
    DownloadFailureMiddleware,
    RedirectGuardMiddleware,
    RetryAfterMiddleware,
    StartHostsMiddleware,
    UrlFilterMiddleware,
)

#: Where the components sit in Scrapy's chains. The mirror goes late in the downloader chain so
#: robots.txt and the offsite filter see the site's own URL first.
PIPELINE_ORDER = 300
RUN_ORDER = 800  # after extraction: writes the run's output and keeps the crawl state
CONDITIONAL_ORDER = 900  # before the mirror, which re-issues requests to its local server
MIRROR_ORDER = 950
WARC_REPLAY_ORDER = 20  # first: a request answered from an archive goes nowhere else
WARC_ARCHIVE_ORDER = 585  # sees responses after decompression (590), with the site's own URL
URL_FILTER_ORDER = 40  # before the offsite filter (50) and robots.txt (100): nothing unsafe goes further
REDIRECT_GUARD_ORDER = 605  # sees a redirect before RedirectMiddleware (600) follows it
BODY_GUARD_ORDER = 595  # sees a compressed body before HttpCompressionMiddleware (590) inflates it
RETRY_ORDER = 550  # in place of Scrapy's RetryMiddleware
FAILURE_ORDER = 545  # inside the retry middleware: sees a failure once retries are exhausted
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


class Addon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", ExtractPipeline, PIPELINE_ORDER)
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", MirrorMiddleware, MIRROR_ORDER)
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", WarcReplayMiddleware, WARC_REPLAY_ORDER
        )
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", WarcArchiveMiddleware, WARC_ARCHIVE_ORDER
        )
        exporters = settings.getdict("FEED_EXPORTERS")
        for name in ("jsonl", "jsonlines"):
            exporters.setdefault(name, JsonLinesExporter)
        settings.set("FEED_EXPORTERS", exporters, "addon")
        settings.set("FEED_EXPORT_ENCODING", "utf-8", "addon")
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", RunPipeline, RUN_ORDER)
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ConditionalRequestMiddleware, CONDITIONAL_ORDER
        )
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
