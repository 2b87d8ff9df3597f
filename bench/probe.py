"""Measuring crawls for the benchmarks.

:class:`RssProbe` is a Scrapy extension: every 100 records it writes the time and the RSS of the
crawling process and its worker processes to the file named by the ``BENCH_PROBE_LOG`` setting.
:func:`run_crawl` runs a ``scrapy crawl`` command with that probe, samples the RSS of the whole process
tree meanwhile, and returns the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

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
        return tree_rss(self.process)

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


def tree_rss(process: psutil.Process) -> int:
    """RSS of a process and all its descendants, in bytes."""
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_crawl(arguments: list[str], probe_log: Path, cwd: Path) -> dict:
    """Run ``scrapy crawl <arguments>`` with the probe; exit with the log's tail if it fails.

    Returns the wall time, the peak RSS of the process tree (sampled every 0.25 s), the probe's
    records (items, time, rss) and the log.
    """
    command = [
        sys.executable, "-m", "scrapy", "crawl", *arguments, "-s", "LOG_LEVEL=INFO",
        "-s", "EXTENSIONS={\"bench.probe.RssProbe\": 0}", "-s", f"BENCH_PROBE_LOG={probe_log}",
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(process.pid)
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                samples.append(tree_rss(watched))
            except psutil.Error:
                break
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, log = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"crawl failed:\n{log[-3000:]}")
    probes = [json.loads(line) for line in probe_log.read_text().splitlines()]
    return {"elapsed": time.perf_counter() - started, "peak_rss": max(samples, default=0), "probes": probes, "log": log}
