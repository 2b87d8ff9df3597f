"""Any news site: start from a homepage, section pages, RSS/Atom feeds or sitemaps, or a file of URLs.

    scrapy crawl news -a start=https://example.org/,https://example.org/feed/
    scrapy crawl news -a start=https://example.org/sitemap_index.xml -a since=2024-01-01
    scrapy crawl news -a urls=stories.txt
    scrapy crawl news -a start=https://xml.euobserver.com/rss.xml -a mirror=fixtures/euobserver

A site with a profile (``euspider/sites/``, ``EUSPIDER_PROFILES``) is crawled by the profile's URL
patterns; others by the usual shapes of news URLs (:mod:`euspider.urls`). The crawl stays on the
start URLs' sites unless ``-a allowed=host1,host2`` says otherwise. Link context (feed ``pubDate``,
sitemap dates, a listing's ``<time>``) travels with each story into its date evidence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request

from ..sites import profile_for
from .base import NewsSpider as BaseNewsSpider


def site_of(url: str) -> str:
    """The site a URL belongs to: its profile's main host, else its host without the first label
    when it has three or more (``xml.euobserver.com`` -> ``euobserver.com``)."""
    profile = profile_for(url)
    if profile is not None:
        return profile.hosts[0]
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    return ".".join(labels[1:]) if len(labels) >= 3 and not host.replace(".", "").isdigit() else host


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip()]


class GenericNewsSpider(BaseNewsSpider):
    name = "news"
    listing_depth = 1

    def __init__(
        self,
        *args: Any,
        start: str | None = None,
        urls: str | None = None,
        allowed: str | None = None,
        since: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_list = _split(start)
        self.story_urls: list[str] = []
        if urls:
            path = Path(urls)
            if not path.is_file():
                raise ValueError(f"-a urls={urls!r}: no such file")
            lines = path.read_text(encoding="utf-8").splitlines()
            self.story_urls = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        if not self.start_list and not self.story_urls:
            raise ValueError("the news spider needs -a start=URL[,URL...] or -a urls=FILE")
        self.allowed_domains = _split(allowed) or sorted({site_of(u) for u in self.start_list + self.story_urls} - {""})
        self.since = since

    def start_urls_list(self) -> list[str]:
        return self.start_list

    def is_listing(self, url: str) -> bool:
        if super().is_listing(url):
            return True
        profile = self.profile_of(url)
        if profile is not None and profile.listing_urls:
            return False
        # without a profile, a section page is a short same-site path that is not a story
        path = [s for s in urlsplit(url).path.split("/") if s]
        return len(path) <= 1 and not self.is_article(url)

    async def start(self) -> AsyncIterator[Request]:
        for url in self.story_urls:
            self.discover(url)
        if not self.start_list:
            for request in self.story_requests():  # only stories: nothing to discover first
                yield request
        async for request in super().start():
            yield request
