"""Enable euspider in any Scrapy project with one line: ``ADDONS = {"euspider.addon.Addon": 0}``.

Settings are written at the ``addon`` priority, so anything the project or the command line sets wins.
With ``EUSPIDER_SPIDERMON = True`` it also turns Spidermon on, with euspider's monitor suite added to
the project's own close monitors and Spidermon's item validation against the record's JSON Schema.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from . import config
from .dedup import NearDuplicatePipeline
from .duplicates import DuplicatePipeline
from .exporters import JsonLinesExporter, ParquetExporter, refuse_parquet_appends
from .incremental import ConditionalRequestMiddleware, RunPipeline
from .middlewares import CaptureTimeMiddleware, MirrorMiddleware, WarcArchiveMiddleware, WarcReplayMiddleware
from .pipelines import ExtractPipeline
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
