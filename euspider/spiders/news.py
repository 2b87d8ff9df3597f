"""Any news site: start from a homepage, section pages, RSS/Atom/JSON feeds, sitemaps or robots.txt,
or a file of URLs.

    scrapy crawl news -a start=https://example.org/
    scrapy crawl news -a start=https://example.org/,https://example.org/feed/
    scrapy crawl news -a start=https://example.org/sitemap_index.xml -a since=2024-01-01
    scrapy crawl news -a start=https://example.org/robots.txt
    scrapy crawl news -a urls=stories.txt
    scrapy crawl news -a start=https://xml.euobserver.com/rss.xml -a mirror=fixtures/euobserver

From a page, the crawl also reads its site's robots.txt (the sitemaps it names, else
``/sitemap.xml``), the WordPress feed ``/feed/`` and the feeds the page announces, and follows
same-site links (``EUSPIDER_DEPTH``); every fetched page goes to the extractor, which decides whether
it is a story. A site with a profile (``euspider/sites/``) is crawled by the profile's URL patterns.
The crawl stays on the start URLs' sites unless ``-a allowed=host1,host2`` says otherwise. Link
context (feed ``pubDate``, sitemap dates, a listing's ``<time>``) travels with each story into its
date evidence. URLs given with ``-a urls=`` are fetched, not followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..canonical import canonical_url, site_of
from ..store import Lead
from ..urls import story_score
from .base import NewsSpider as BaseNewsSpider

__all__ = ["GenericNewsSpider", "site_of"]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip()]


class GenericNewsSpider(BaseNewsSpider):
    name = "news"
    probe_entries = True

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
        self.url_file: Path | None = None
        first_urls: list[str] = []
        if urls:
            self.url_file = Path(urls)
            if not self.url_file.is_file():
                raise ValueError(f"-a urls={urls!r}: no such file")
            first_urls = [url for url, _ in zip(self._story_urls(), range(100), strict=False)]
        if not self.start_list and not first_urls:
            raise ValueError("the news spider needs -a start=URL[,URL...] or -a urls=FILE")
        # the sites of the start URLs (and of the file's first URLs)
        self.allowed_domains = _split(allowed) or sorted({site_of(u) for u in self.start_list + first_urls} - {""})
        self.since = since

    def _story_urls(self) -> Iterator[str]:
        """The URL file, read as a stream (it may hold millions of lines)."""
        if self.url_file is None:
            return
        with open(self.url_file, encoding="utf-8") as handle:
            for raw in handle:
                line = raw.strip()
                if line and not line.startswith("#"):
                    yield line

    def start_urls_list(self) -> list[str]:
        return self.start_list

    def start_leads(self) -> Iterator[Lead]:
        yield from super().start_leads()
        for given in self._story_urls():
            url = canonical_url(given)
            # a story named by the user: fetched, never followed further
            yield Lead(url, "article", self.frontier_settings.max_depth, story_score(url))
