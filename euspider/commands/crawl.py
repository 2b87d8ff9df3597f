"""``scrapy crawl`` whose exit code says when the crawl failed its monitors.

Scrapy's own ``crawl`` exits 0 once the crawl ran, whatever its close monitors found; a scheduler (cron,
a systemd timer, a CI job) then cannot tell a failed run from a good one. With
``COMMANDS_MODULE = "euspider.commands"`` in the project's settings, this command takes its place: the
same command, which exits with ``EUSPIDER_MONITOR_EXIT_CODE`` (1) when euspider's monitors counted a
failure (``euspider/monitors/failed``). ``EUSPIDER_MONITOR_EXIT_CODE = 0`` keeps Scrapy's rule.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

from ..config import monitor_exit_code

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; exit with EUSPIDER_MONITOR_EXIT_CODE when it failed its monitors"

    def _create_crawler(self, spname: str) -> Crawler:
        self._crawler = super()._create_crawler(spname)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self._crawler: Crawler | None = None
        super().run(args, opts)
        crawler = self._crawler
        if self.exitcode or crawler is None or crawler.stats is None:
            return
        failed = crawler.stats.get_value("euspider/monitors/failed") or 0
        code = monitor_exit_code(crawler.settings)
        if failed and code:
            logger.error("exit code %d: the crawl failed %d of its monitors", code, failed)
            self.exitcode = code
