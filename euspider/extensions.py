"""The crawl's own summary and report (thin Scrapy glue around :mod:`euspider.report`).

:class:`CrawlReport` gathers every record the crawl writes (``item_scraped``) and, when the spider
closes, logs the report's figures as a short text (records, undated, residue, story age, mismatches,
published date sources, boilerplate removed, drops and failures, failed monitors). With
``EUSPIDER_REPORT`` it also writes the HTML report: ``True`` puts it beside the run's output
(``<output>.report.html``: the per-run file, or the local ``-o``/``-O`` file), a path puts it there.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from . import config
from .report import Collector

logger = logging.getLogger(__name__)


def report_beside(output: Path) -> Path:
    """``out.jsonl`` -> ``out.report.html``."""
    return output.with_name(output.name.removesuffix(".jsonl").removesuffix(".jl") + ".report.html")


class CrawlReport:
    def __init__(self, crawler: Crawler, report: bool | Path = False) -> None:
        self.crawler = crawler
        self.report = report
        self.collector = Collector()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        extension = cls(crawler, config.load(crawler.settings.get).report)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, dict) and "content_hash" in item and "url" in item:
            self.collector.add(item)

    def output(self) -> Path | None:
        """The run's output file: the per-run file, else the first local feed."""
        from .incremental import RunPipeline

        pipeline = self.crawler.get_item_pipeline(RunPipeline)
        if pipeline is not None:
            return pipeline.run.output
        for uri in self.crawler.settings.getdict("FEEDS"):
            text = str(uri)
            parsed = urlparse(text)
            if "%(" in text:
                continue  # a URI template Scrapy fills in per feed: not known here
            if parsed.scheme == "file":
                return Path(parsed.path)
            if len(parsed.scheme) <= 1:  # a plain path (or a Windows drive letter)
                return Path(text)
        return None

    def report_path(self) -> Path | None:
        if self.report is False:
            return None
        if isinstance(self.report, Path):
            name = self.crawler.spidercls.name if self.crawler.spidercls else "crawl"
            return config.for_spider(self.report, name)
        output = self.output()
        if output is None:
            logger.warning("EUSPIDER_REPORT: this crawl has no local output file to put the report beside")
        return report_beside(output) if output is not None else None

    def spider_closed(self, spider: Spider, reason: str) -> Deferred[None] | None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        prefix = "euspider/dropped/"
        self.collector.add_dropped({k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)})
        failed = "euspider/monitors/failed/"
        self.collector.monitors_failed = sorted(k.removeprefix(failed) for k in stats if k.startswith(failed))
        logger.info("crawl summary (%s):\n%s", reason, self.collector.summary())
        path = self.report_path()
        if path is None:
            return None
        # building the page takes seconds (the Vega bundle): off the reactor thread
        return deferToThread(self._write, path, f"euspider crawl report: {spider.name}")

    def _write(self, path: Path, title: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.collector.html(title), encoding="utf-8")
        except (OSError, ImportError) as err:
            logger.error("EUSPIDER_REPORT: cannot write the report %s: %s", path, err)
            return
        logger.info("crawl report written to %s", path)
