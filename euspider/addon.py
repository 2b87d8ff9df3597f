"""Enable euspider in any Scrapy project with one line: ``ADDONS = {"euspider.addon.Addon": 0}``.

Settings are written at the ``addon`` priority, so anything the project or the command line sets wins.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from .dedup import NearDuplicatePipeline
from .exporters import JsonLinesExporter, ParquetExporter, refuse_parquet_appends
from .incremental import ConditionalRequestMiddleware, RunPipeline
from .middlewares import MirrorMiddleware, WarcArchiveMiddleware, WarcReplayMiddleware
from .pipelines import ExtractPipeline

#: Where the components sit in Scrapy's chains. The mirror goes late in the downloader chain so
#: robots.txt and the offsite filter see the site's own URL first.
PIPELINE_ORDER = 300
NEARDUP_ORDER = 500  # after extraction, before the run's output is written
RUN_ORDER = 800  # after extraction: writes the run's output and keeps the crawl state
CONDITIONAL_ORDER = 900  # before the mirror, which re-issues requests to its local server
MIRROR_ORDER = 950
WARC_REPLAY_ORDER = 20  # first: a request answered from an archive goes nowhere else
WARC_ARCHIVE_ORDER = 585  # sees responses after decompression (590), with the site's own URL


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
        exporters.setdefault("parquet", ParquetExporter)
        refuse_parquet_appends(settings.getdict("FEEDS"))
        settings.set("FEED_EXPORTERS", exporters, "addon")
        settings.set("FEED_EXPORT_ENCODING", "utf-8", "addon")
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", NearDuplicatePipeline, NEARDUP_ORDER)
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", RunPipeline, RUN_ORDER)
        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ConditionalRequestMiddleware, CONDITIONAL_ORDER
        )
