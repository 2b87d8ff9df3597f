"""A Scrapy extension for the benchmarks: every 100 records, write the time and the RSS of the crawling
process and its worker processes to the file named by the BENCH_PROBE_LOG setting."""

from __future__ import annotations

import json
import time

import psutil
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class RssProbe:
    every = 100

    def __init__(self, path: str) -> None:
        self.handle = open(path, "w", encoding="utf-8")
        self.items = 0
        self.process = psutil.Process()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RssProbe:
        path = crawler.settings.get("BENCH_PROBE_LOG")
        if not path:
            raise NotConfigured("BENCH_PROBE_LOG is not set")
        probe = cls(path)
        crawler.signals.connect(probe.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def rss(self) -> int:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def item_scraped(self, item: object) -> None:
        self.items += 1
        if self.items == 1 or self.items % self.every == 0:
            self.write()

    def write(self) -> None:
        self.handle.write(json.dumps({"items": self.items, "time": time.monotonic(), "rss": self.rss()}) + "\n")
        self.handle.flush()

    def spider_closed(self) -> None:
        if self.items % self.every:
            self.write()  # the last record's figures (the workers are gone by now: RSS is the main process)
        self.handle.close()
