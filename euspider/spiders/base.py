"""The crawl machinery news spiders share: discover stories first, then fetch them.

A crawl runs in two phases. **Discovery**: feeds and listing pages (homepage, sections, archives)
are fetched and parsed for links; each story link collects the dates shown beside it on every page
that links to it (its link context), and stories with ordered numeric IDs teach the crawl
(id, date) anchors. **Fetching**: when no discovery request is left, every discovered story is
requested at once, carrying its merged link context and the anchors nearest its ID. Every story is
thus dated with everything the crawl learned, whatever order pages arrived in.

Spiders choose URLs and hand responses on as :class:`~euspider.items.Page` items; extraction is the
pipeline's job. Meta keys: ``euspider_kind`` (``feed``, ``listing``, ``article``), ``euspider_depth``,
``euspider_link_context``, ``euspider_anchors``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from lxml.html import HtmlElement, document_fromstring
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from ..capture import capture_time, headers_text, meta_of
from ..dates.parse import parse_date
from ..discovery import Discovery, StoryLead
from ..items import Page
from ..links import FeedError, Link, links_from_feed, links_from_html, links_from_sitemap
from ..sites import Profile, profile_for
from ..urls import looks_like_article, looks_like_feed, looks_like_sitemap

LISTING_PRIORITY = 10
#: Sitemap indexes are followed this deep (index -> sitemap -> ...).
SITEMAP_DEPTH = 3


def _lastmod_before(context: list[dict[str, Any]], since: str) -> bool:
    """True when the sitemap says the page was last modified before ``since`` (YYYY-MM-DD)."""
    for item in context:
        if item.get("source") == "link:sitemap":
            parsed, _ = parse_date(item.get("raw") or "")
            if parsed is not None:
                return parsed.day.isoformat() < since
    return False


def headers_of(response: Response) -> dict[str, str]:
    """Response headers as text (repeated headers joined with commas)."""
    return headers_text(response.headers)


def captured_at(response: Response) -> str:
    """The capture time: a WARC record's date, an archive's ``Memento-Datetime``, else now (the fetch
    just happened)."""
    return capture_time(meta_of(response), response.headers)


class NewsSpider(Spider):
    """Base for news spiders: subclasses say what is a feed, a listing and an article."""

    #: Listing pages are followed this many links deep from the start URLs.
    listing_depth = 2

    def __init__(self, *args: Any, mirror: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mirror = mirror
        self.discovery = Discovery()
        self.seen_discovery: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.mirror:
            # a mirror is on loopback: no politeness delay needed, and nothing else to reach
            crawler.settings.set("EUSPIDER_MIRROR", spider.mirror, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    # --- what subclasses may change -------------------------------------------------------------

    #: The site profile of a single-site spider; other spiders look one up per URL.
    profile: Profile | None = None

    def start_urls_list(self) -> list[str]:
        return list(self.profile.start_urls) if self.profile else list(getattr(self, "start_urls", []))

    def profile_of(self, url: str) -> Profile | None:
        if self.profile is not None:
            return self.profile if self.profile.covers(url) else None
        return profile_for(url)

    def is_feed(self, url: str) -> bool:
        profile = self.profile_of(url)
        return url in profile.feeds if profile and profile.feeds else looks_like_feed(url)

    def is_sitemap(self, url: str) -> bool:
        return looks_like_sitemap(url)

    def is_article(self, url: str) -> bool:
        profile = self.profile_of(url)
        if profile is not None and profile.article_urls:
            return profile.is_article_url(url)
        return self.profile is None and looks_like_article(url)

    def is_listing(self, url: str) -> bool:
        profile = self.profile_of(url)
        if profile is not None and profile.listing_urls:
            return profile.is_listing_url(url)
        return False

    # --- discovery ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls_list():
            yield self.discovery_request(url, depth=0)

    def discovery_request(self, url: str, depth: int) -> Request:
        kind = "sitemap" if self.is_sitemap(url) else "feed" if self.is_feed(url) else "listing"
        # listings and feeds are re-read on every run: never deduplicated across runs
        # listings, feeds and sitemaps are read again on every run (and on resume), never filtered as
        # seen by a persisted dupefilter; within a run, each is read once
        self.seen_discovery.add(url)
        return Request(
            url,
            callback=self.parse_discovery,
            errback=self.discovery_failed,
            priority=LISTING_PRIORITY,
            dont_filter=True,
            meta={"euspider_kind": kind, "euspider_depth": depth},
        )

    def parse_discovery(self, response: Response) -> Iterator[Request]:
        depth = int(response.meta.get("euspider_depth", 0))
        kind = response.meta.get("euspider_kind", "listing")
        self.crawler.stats.inc_value(f"euspider/discovery/{kind}")
        if kind == "sitemap":
            yield from self.parse_sitemap(response, depth)
            return
        for link in self.links(response):
            if self.is_article(link.url):
                self.discover(link.url, link.context)
            elif (
                depth < self.listing_depth
                and link.url not in self.seen_discovery
                and (self.is_listing(link.url) or self.is_feed(link.url))
            ):
                yield self.discovery_request(link.url, depth + 1)

    #: Sitemap entries whose lastmod is before this day are skipped (``-a since=YYYY-MM-DD``).
    since: str | None = None

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[Request]:
        try:
            links, children = links_from_sitemap(response.body, response.url)
        except FeedError as err:
            self.crawler.stats.inc_value("euspider/discovery/bad_sitemap")
            self.logger.warning("unreadable sitemap %s: %s", response.url, err)
            return
        if depth < SITEMAP_DEPTH:
            for child in children:
                if child not in self.seen_discovery:
                    yield self.discovery_request(child, depth + 1)
        for link in links:
            news = any(c["source"] == "link:sitemap-news" for c in link.context)
            if not (news or self.is_article(link.url)):
                continue
            if self.since and _lastmod_before(link.context, self.since):
                self.crawler.stats.inc_value("euspider/discovery/sitemap_old")
                continue
            self.discover(link.url, link.context)

    def discovery_failed(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest):  # robots.txt, offsite: already counted by Scrapy
            return
        self.crawler.stats.inc_value("euspider/discovery/failed")
        self.logger.warning(
            "discovery page failed: %s: %s",
            failure.request.url if hasattr(failure, "request") else "?",
            failure.getErrorMessage(),
        )

    def links(self, response: Response) -> list[Link]:
        if response.meta.get("euspider_kind") == "feed" or self.is_feed(response.url):
            try:
                return links_from_feed(response.body, response.url)
            except FeedError as err:
                self.crawler.stats.inc_value("euspider/discovery/bad_feed")
                self.logger.warning("unreadable feed %s: %s", response.url, err)
                return []
        if not isinstance(response, TextResponse) or not response.text.strip():
            return []
        tree: HtmlElement = document_fromstring(response.text)
        return links_from_html(tree, response.url)

    def discover(self, url: str, context: Iterable[dict[str, Any]] = ()) -> None:
        """Note a story URL and the dates its linking page shows for it."""
        self.discovery.discover(url, context, self.profile_of(url))

    # --- fetching -------------------------------------------------------------------------------

    def spider_idle(self) -> None:
        """Discovery is over when the crawl runs dry: request every discovered story."""
        if not self.discovery.pending:
            return
        self.logger.info(
            "discovery done: %d stories to fetch, %d dated IDs known",
            len(self.discovery.pending),
            len(self.discovery.anchors),
        )
        for request in self.story_requests():
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def story_requests(self) -> Iterator[Request]:
        """A request for every discovered story not requested yet."""
        for lead in self.discovery.release(self.profile_of):
            yield self.article_request(lead)

    def article_request(self, lead: StoryLead) -> Request:
        # dont_filter: a story's request must survive a crash between its dupefilter entry and its
        # record; whether it is needed again is the run's and the crawl state's call, not the dupefilter's
        return Request(
            lead.url,
            callback=self.parse_article,
            dont_filter=True,
            meta={
                "euspider_kind": "article",
                "euspider_link_context": lead.link_context,
                "euspider_anchors": lead.anchors,
            },
        )

    def parse_article(self, response: Response) -> Iterator[Page]:
        yield Page.from_response(response)
