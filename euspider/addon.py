"""Enable euspider in any Scrapy project with one line: ``ADDONS = {"euspider.addon.Addon": 0}``.

Settings are written at the ``addon`` priority, so anything the project or the command line sets wins.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from .exporters import JsonLinesExporter
from .middlewares import MirrorMiddleware
from .pipelines import ExtractPipeline

#: Where the components sit in Scrapy's chains. The mirror goes late in the downloader chain so
#: robots.txt and the offsite filter see the site's own URL first.
PIPELINE_ORDER = 300
MIRROR_ORDER = 950


class Addon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", ExtractPipeline, PIPELINE_ORDER)
        settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", MirrorMiddleware, MIRROR_ORDER)
        exporters = settings.getdict("FEED_EXPORTERS")
        for name in ("jsonl", "jsonlines"):
            exporters.setdefault(name, JsonLinesExporter)
        settings.set("FEED_EXPORTERS", exporters, "addon")
        settings.set("FEED_EXPORT_ENCODING", "utf-8", "addon")
        run_feed = settings.get("EUSPIDER_RUN_FEED")
        if run_feed and not settings.getdict("FEEDS"):
            # a default output only when nobody asked for one (-o/-O, or FEEDS in the project)
            settings.set("FEEDS", {run_feed: {"format": "jsonl", "encoding": "utf-8"}}, "addon")
