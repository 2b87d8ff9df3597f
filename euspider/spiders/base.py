"""The crawl machinery news spiders share: leads in a store, fetched as discovery allows, streamed.

Every URL the crawl meets is canonicalised (:mod:`euspider.canonical`) and becomes a *lead* in the
crawl's lead store (:mod:`euspider.store`; on disk, so memory does not grow with the site and a
stopped crawl resumes with ``JOBDIR``). The frontier (:mod:`euspider.frontier`) hands leads to
Scrapy a window at a time: discovery leads (robots.txt, sitemaps, feeds, start and listing-shaped
pages) first; a story once the feeds and listings known when it was found have been read, so the
dates they show beside its link (its link context) reach its evidence, while the crawl goes on.

On a site with a profile, the profile's URL patterns say what is a story, a listing or a feed, as
before. On other sites the content decides: every same-site page that is not an asset or furniture
(:func:`euspider.urls.skip_reason`) is fetched, handed to the pipeline (whose extractor writes a
record for a story and drops a listing) and, within ``EUSPIDER_DEPTH`` hops of the start pages, read
for links and the dates beside them; the URL's shape only sets the order. Pages found in sitemaps and
feeds are not followed further. A page that names another same-site URL as its canonical address is
an alias: the canonical page is fetched too, and its record, not the alias's, is kept
(:mod:`euspider.duplicates`).

Spiders choose URLs and hand responses on as :class:`~euspider.items.Page` items; extraction is the
pipeline's job. Meta keys: ``euspider_kind`` (``robots``, ``sitemap``, ``feed``, ``listing``,
``article``), ``euspider_depth``, ``euspider_lead``, ``euspider_process``, ``euspider_probe``,
``euspider_link_context``, ``euspider_anchors``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from lxml.etree import ParserError
from lxml.html import HtmlElement, document_fromstring
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from .. import config
from ..canonical import canonical_url, declared_canonical, names_another_page, on_sites
from ..capture import capture_time, headers_text, meta_of
from ..dates.parse import parse_date
from ..discovery import Discovery, ordered_context
from ..distributed import Distributed, distributed, use_shared_queue
from ..duplicates import RunDuplicates, run_duplicates
from ..frontier import SITEMAPS_AT_ONCE, Frontier, FrontierSettings
from ..items import Page
from ..links import (
    FeedError,
    Link,
    declared_feeds,
    iter_sitemap,
    links_from_feed,
    links_from_html,
    sitemaps_from_robots,
)
from ..sites import Profile, profile_for
from ..store import DONE, Lead
from ..store.crawl import crawl_store
from ..store.redis import RedisAnchorIndex, RedisLeadStore
from ..urls import (
    is_pagination,
    looks_like_article,
    looks_like_feed,
    looks_like_listing,
    looks_like_robots,
    looks_like_sitemap,
    skip_reason,
    story_score,
)

LISTING_PRIORITY = 10
#: Scrapy priority added to discovery leads: among scheduled requests, they go first.
DISCOVERY_PRIORITY = 100
#: Lead priorities within a class (stories rank 0-5 by URL shape).
PRIORITY = {"robots": 9, "sitemap": 8, "feed": 7, "start": 6, "listing": 5, "canonical": 6, "profile": 3}
#: Sitemap indexes are followed this deep (index -> sitemap -> ...).
SITEMAP_DEPTH = 3
#: Leads added to the store at once while a sitemap is read (the reactor runs between batches).
_BATCH = 500


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


async def _pause() -> None:
    """Let the reactor run the other work due (downloads, other callbacks) before going on."""
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, 0, lambda: None))


def body_kind(response: Response) -> str:
    """What a response holds, from its type and first bytes: ``sitemap``, ``feed``, ``html`` or ``other``."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    head = response.body[:2048].lstrip().lower()
    if head[:2] == b"\x1f\x8b":
        return "sitemap"  # a gzipped sitemap (sitemap.xml.gz)
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or "xml" in content_type:
        if b"<urlset" in head or b"<sitemapindex" in head:
            return "sitemap"
        if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
            return "feed"
    if "json" in content_type and b"jsonfeed.org" in head:
        return "feed"
    if "html" in content_type or (not content_type and b"<html" in head):
        return "html"
    return "other"


class NewsSpider(Spider):
    """Base for news spiders: subclasses say where to start and, through a profile, what is what."""

    #: Read robots.txt (its ``Sitemap:`` lines, else ``/sitemap.xml``) and ``/feed/`` of the sites
    #: whose pages a crawl starts from.
    probe_entries = False

    def __init__(self, *args: Any, mirror: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mirror = mirror
        #: ID anchors (and, for spiders that read archives, link context kept in memory)
        self.discovery = Discovery()
        self.frontier_settings = FrontierSettings()
        self._frontier: Frontier | None = None
        self._duplicates: RunDuplicates | None = None
        self._outstanding = 0
        self._sitemaps = 0  # sitemaps in flight or being read
        self._window = 32
        self._flushed = 0.0
        #: Marks this process's requests: a resumed crawl ignores those an earlier process left in
        #: JOBDIR's request queue (the lead store issues them again).
        self._process = secrets.token_hex(6)
        #: With ``EUSPIDER_REDIS_URL``: this worker's part in a crawl shared through Redis.
        self.shared: Distributed | None = None
        #: Story URL -> its lead, for pages handed to the pipeline (a shared crawl marks the lead done
        #: as soon as the record is written).
        self._page_leads: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.mirror:
            # a mirror is on loopback: no politeness delay needed, and nothing else to reach
            crawler.settings.set("EUSPIDER_MIRROR", spider.mirror, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings = config.load(crawler.settings.get).frontier
        depth_limit = crawler.settings.getint("DEPTH_LIMIT")
        if crawler.settings.getpriority("EUSPIDER_DEPTH") is None and depth_limit > 0:
            settings = FrontierSettings(depth_limit, settings.max_pages, settings.hold, settings.backlog)
        spider.frontier_settings = settings
        spider._window = max(32, 2 * crawler.settings.getint("CONCURRENT_REQUESTS"))
        # The lead store under JOBDIR is the crawl's frontier; Scrapy's queue only ever holds the
        # window in flight. Its disk queues write their size only on a clean close, so after a kill
        # they would hand back stale requests and lose new ones: they keep the window in memory.
        for disk, memory in (("SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE"),
                             ("SCHEDULER_START_DISK_QUEUE", "SCHEDULER_START_MEMORY_QUEUE")):  # fmt: skip
            if not crawler.settings.getpriority(disk):
                crawler.settings.set(disk, crawler.settings.get(memory), "spider")
        spider.shared = distributed(crawler)
        if spider.shared is not None:
            spider.share(crawler, spider.shared)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._item_done, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_done, signal=signals.item_dropped)
        crawler.signals.connect(spider._item_done, signal=signals.item_error)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def share(self, crawler: Crawler, shared: Distributed) -> None:
        """A worker of a shared crawl: scrapy-redis schedules, anchors are in Redis."""
        use_shared_queue(crawler)
        self.discovery.anchors = RedisAnchorIndex(shared.client, shared.prefix)
        shared.on_tick.append(self.pump)

    def _queued(self) -> int:
        """Requests waiting in the shared queue (a shared crawl), else those this process has out."""
        if self.shared is None:
            return self._outstanding
        return int(self.shared.client.zcard(self.shared.queue_key))

    def _record_written(self, record: dict[str, Any]) -> None:
        """The record is in this worker's output: its lead is done at once, so a worker killed now
        gives back no lead whose story it wrote."""
        lead = self._page_leads.pop(record["url"], None)
        if lead is not None:
            self.frontier.done(lead)

    # --- what subclasses may change -------------------------------------------------------------

    #: The site profile of a single-site spider; other spiders look one up per URL.
    profile: Profile | None = None

    def start_urls_list(self) -> list[str]:
        return list(self.profile.start_urls) if self.profile else list(getattr(self, "start_urls", []))

    def profile_of(self, url: str) -> Profile | None:
        if self.profile is not None:
            return self.profile if self.profile.covers(url) else None
        return profile_for(url)

    def profiled(self, url: str) -> Profile | None:
        """The profile whose URL patterns rule ``url``, if any."""
        profile = self.profile_of(url)
        return profile if profile is not None and (profile.article_urls or profile.listing_urls) else None

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

    def on_site(self, url: str) -> bool:
        domains = getattr(self, "allowed_domains", None)
        return on_sites(url, domains) if domains else True

    # --- the frontier ---------------------------------------------------------------------------

    @property
    def frontier(self) -> Frontier:
        if self._frontier is None:
            self._frontier = Frontier(crawl_store(self.crawler), self.frontier_settings)
        return self._frontier

    @property
    def duplicates(self) -> RunDuplicates:
        if self._duplicates is None:
            self._duplicates = run_duplicates(self.crawler)
        return self._duplicates

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"euspider/{key}", count)

    def admit(self, leads: Sequence[Lead]) -> None:
        """Add leads to the store (new ones counted); learn ID anchors from their link context."""
        for lead in leads:
            if lead.context and lead.kind == "article":
                self.discovery.learn(lead.url, lead.context, self.profile_of(lead.url))
        refused = self.frontier.refused
        new = self.frontier.add(leads)
        if new:
            self._stat("leads/new", len(new))
        if self.frontier.refused > refused:
            if not refused:
                self.logger.warning(
                    "EUSPIDER_MAX_PAGES=%d reached: further links are not fetched", self.frontier_settings.max_pages
                )
            self._stat("leads/skipped/limit", self.frontier.refused - refused)

    def start_leads(self) -> Iterator[Lead]:
        """The start pages as discovery leads (a robots.txt, sitemap, feed or page each)."""
        for url in self.start_urls_list():
            yield self.start_lead(canonical_url(url))

    def start_lead(self, url: str) -> Lead:
        if looks_like_robots(url):
            return Lead(url, "robots", 0, PRIORITY["robots"], discovery=True)
        if self.is_sitemap(url):
            return Lead(url, "sitemap", 0, PRIORITY["sitemap"], discovery=True)
        if self.is_feed(url):
            return Lead(url, "feed", 0, PRIORITY["feed"], discovery=True)
        return Lead(url, "listing", 0, PRIORITY["start"], discovery=True)

    def probes(self, start_pages: Iterable[str]) -> Iterator[Lead]:
        """robots.txt and the WordPress feed of each site a start page is on, as probes (their
        absence is counted as ``euspider/discovery/absent``, not as a failure)."""
        seen: set[str] = set()
        for url in start_pages:
            parts = urlsplit(url)
            root = f"{parts.scheme}://{parts.netloc}"
            if root in seen:
                continue
            seen.add(root)
            yield Lead(root + "/robots.txt", "robots", 0, PRIORITY["robots"], True, meta={"euspider_probe": True})
            yield Lead(root + "/feed/", "feed", 0, PRIORITY["feed"], True, meta={"euspider_probe": True})

    async def start(self) -> AsyncIterator[Request]:
        if self.shared is not None:
            from ..incremental import RunPipeline

            run = self.crawler.get_item_pipeline(RunPipeline)
            if run is not None:
                run.after_write.append(self._record_written)
        batch: list[Lead] = []
        pages: list[str] = []
        for lead in self.start_leads():
            batch.append(lead)
            if lead.kind == "listing" and lead.depth == 0:
                pages.append(lead.url)
            if len(batch) >= _BATCH:
                self.admit(batch)
                batch = []
        if self.probe_entries:
            batch += self.probes(pages)
        self.admit(batch)
        for request in self.next_requests():
            yield request

    def next_requests(self) -> list[Request]:
        """Requests for the leads the frontier releases now, up to the window."""
        free = self._window - self._queued()
        if free <= 0:
            return []
        # a shared crawl bounds the sitemaps each worker releases at once (any worker may read them)
        sitemaps = SITEMAPS_AT_ONCE if self.shared is not None else max(SITEMAPS_AT_ONCE - self._sitemaps, 0)
        leads = self.frontier.release(free, sitemaps=sitemaps)
        requests = [self.request_for(lead) for lead in leads]
        self._outstanding += len(requests)
        self._sitemaps += sum(lead.kind == "sitemap" for lead in leads)
        now = time.monotonic()
        if now - self._flushed > 0.5:
            self.frontier.store.flush()
            self._flushed = now
        return requests

    def pump(self) -> None:
        """Refill the window (once it is half empty, so the store is asked in batches)."""
        if self._queued() > self._window // 2:
            return
        for request in self.next_requests():
            self.crawler.engine.crawl(request)

    def request_for(self, lead: Lead) -> Request:
        meta: dict[str, Any] = {
            "euspider_kind": lead.kind,
            "euspider_depth": lead.depth,
            "euspider_lead": lead.url,
            "euspider_process": self._process,
        }
        meta.update(lead.meta)
        if lead.kind == "article":
            meta["euspider_link_context"] = ordered_context(lead.context)
            meta["euspider_anchors"] = self.discovery.anchors_for(lead.url, self.profile_of(lead.url))
        # dont_filter: the lead store decides what is fetched once; Scrapy's dupefilter would keep
        # every fingerprint in memory (and across runs with JOBDIR)
        return Request(
            lead.url,
            callback=self.parse_lead,
            errback=self.lead_failed,
            priority=(DISCOVERY_PRIORITY if lead.discovery else 0) + lead.priority,
            dont_filter=True,
            meta=meta,
        )

    def _settle(self) -> None:
        self._outstanding = max(self._outstanding - 1, 0)

    def _stale(self, meta: dict[str, Any]) -> bool:
        """A request an earlier process of this crawl left in JOBDIR: the lead store has it again. In
        a shared crawl every request in the queue is current, whichever worker issued it."""
        if self.shared is not None or meta.get("euspider_process", self._process) == self._process:
            return False
        self._stat("leads/stale")
        return True

    def _request_dropped(self, request: Request) -> None:
        lead = request.meta.get("euspider_lead")
        if lead is not None and (self.shared is not None or request.meta.get("euspider_process") == self._process):
            self._settle()
            self._sitemap_done(request.meta)
            self.frontier.done(lead)

    def _item_done(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        """A page's item has left the pipeline (written or dropped): its lead is done."""
        meta = response.meta if response is not None else {}
        lead = meta.get("euspider_lead")
        mine = self.shared is not None or meta.get("euspider_process") == self._process
        if lead is not None and mine and isinstance(item, Page | dict):
            self._page_leads.pop(getattr(item, "url", None) or item.get("url", ""), None)
            self.frontier.done(lead)
            self._settle()
            self.pump()

    def busy(self) -> bool:
        """Whether requests of this crawl are on their way (the crawl is not over when it is idle); in
        a shared crawl, whether any worker still has leads to fetch or in flight."""
        if self.shared is not None:
            return self._frontier is not None and not self._redis_store().finished()
        return self._outstanding > 0

    def _redis_store(self) -> RedisLeadStore:
        store = self.frontier.store
        assert isinstance(store, RedisLeadStore)
        return store

    def spider_idle(self) -> None:
        """Nothing in flight: release what waits; leads still claimed never came back."""
        self._outstanding = self._sitemaps = 0
        if self._frontier is None:
            return
        lost = self.frontier.store.abandon()
        if lost:
            self._stat("leads/lost", len(lost))
            self.logger.warning("%d requests never came back, e.g. %s", len(lost), lost[0])
        self.pump()
        if self._outstanding or (self.shared is not None and not self._redis_store().finished()):
            raise DontCloseSpider  # a shared crawl: other workers still fetch what may find more

    # --- reading what came back -----------------------------------------------------------------

    async def parse_lead(self, response: Response) -> list[Page]:
        """Read what came back. A page handed to the pipeline keeps its place in the window until
        its item is through (:meth:`_item_done`): the window bounds the pages downloaded and not yet
        extracted too, so memory does not follow the extraction backlog."""
        if self._stale(response.meta):
            return []
        pages: list[Page] = []
        try:
            pages = await self.read(response)
            return pages
        finally:
            if not pages:
                self._settle()
            self._sitemap_done(response.meta)
            self.pump()

    def _sitemap_done(self, meta: dict[str, Any]) -> None:
        if meta.get("euspider_kind") == "sitemap":
            self._sitemaps = max(self._sitemaps - 1, 0)

    async def read(self, response: Response) -> list[Page]:
        meta = response.meta
        lead = meta.get("euspider_lead") or canonical_url(response.url)
        kind, depth = meta.get("euspider_kind", "listing"), int(meta.get("euspider_depth", 0))
        found = body_kind(response)
        if kind == "robots":
            self.read_robots(response, lead, depth)
        elif found == "sitemap" or (kind == "sitemap" and found != "html"):
            await self.read_sitemap(response, depth)
        elif found == "feed" or (kind == "feed" and found != "html"):
            self.read_feed(response, depth)
        elif kind in {"sitemap", "feed"}:  # a page where a feed or sitemap was expected (a soft 404)
            self._stat("discovery/absent" if response.meta.get("euspider_probe") else f"discovery/bad_{kind}")
            self.logger.debug("expected a %s, got a page: %s", kind, response.url)
        else:
            # any other body goes to the extractor, which says what it is (and counts it: `not_html`,
            # `empty_body`, ...); only HTML is read for links
            return self.read_page(response, lead, kind, depth)
        self.frontier.done(lead)
        return []

    def read_robots(self, response: Response, lead: str, depth: int) -> None:
        self._stat("discovery/robots")
        sitemaps = sitemaps_from_robots(response.body, response.url)
        leads = [Lead(canonical_url(u), "sitemap", depth, PRIORITY["sitemap"], discovery=True) for u in sitemaps]
        if not sitemaps and response.meta.get("euspider_probe"):
            parts = urlsplit(lead)
            probe = f"{parts.scheme}://{parts.netloc}/sitemap.xml"
            leads.append(Lead(probe, "sitemap", depth, PRIORITY["sitemap"], True, meta={"euspider_probe": True}))
        self.admit([lead for lead in leads if self.on_site(lead.url)])

    #: Sitemap entries whose lastmod is before this day are skipped (``-a since=YYYY-MM-DD``).
    since: str | None = None

    async def read_sitemap(self, response: Response, depth: int) -> None:
        """Entries in batches, handing the reactor back between them: a sitemap of 50,000 URLs takes
        seconds to read, and downloads and stories go on meanwhile."""
        self._stat("discovery/sitemap")
        batch: list[Lead] = []
        try:
            for entry in iter_sitemap(response.body, response.url):
                url = canonical_url(entry.url)
                if entry.child:
                    if depth < SITEMAP_DEPTH and self.on_site(url):
                        batch.append(Lead(url, "sitemap", depth + 1, PRIORITY["sitemap"], discovery=True))
                    continue
                if self.since and _lastmod_before(entry.context, self.since):
                    self._stat("discovery/sitemap_old")
                    continue
                news = any(c["source"] == "link:sitemap-news" for c in entry.context)
                found = self.entry_lead(url, entry.context, news=news)
                if found is not None:
                    batch.append(found)
                if len(batch) >= _BATCH:
                    self.admit(batch)
                    batch = []
                    self.pump()
                    await _pause()
        except FeedError as err:
            self._stat("discovery/bad_sitemap")
            self.logger.warning("unreadable sitemap %s: %s", response.url, err)
        self.admit(batch)

    def read_feed(self, response: Response, depth: int) -> None:
        self._stat("discovery/feed")
        try:
            links = links_from_feed(response.body, response.url)
        except FeedError as err:
            self._stat("discovery/bad_feed")
            self.logger.warning("unreadable feed %s: %s", response.url, err)
            return
        leads = [self.entry_lead(canonical_url(link.url), link.context) for link in links]
        self.admit([lead for lead in leads if lead is not None])

    def entry_lead(self, url: str, context: list[dict[str, Any]], news: bool = False) -> Lead | None:
        """A page a sitemap or feed lists: a story candidate whose own links are not followed."""
        if not self.on_site(url):
            self._stat("leads/skipped/offsite")
            return None
        profile = self.profiled(url)
        if profile is not None:
            if not (news or profile.is_article_url(url)):
                return None
            return Lead(url, "article", self.frontier_settings.max_depth, PRIORITY["profile"], context=context)
        reason = skip_reason(url)
        if reason is not None:
            self._stat(f"leads/skipped/{reason}")
            return None
        if looks_like_feed(url) or looks_like_sitemap(url):
            kind = "feed" if looks_like_feed(url) else "sitemap"
            return Lead(url, kind, self.frontier_settings.max_depth, PRIORITY[kind], discovery=True)
        return Lead(url, "article", self.frontier_settings.max_depth, story_score(url), context=context)

    def read_page(self, response: Response, lead: str, kind: str, depth: int) -> list[Page]:
        url = canonical_url(response.url)
        known = self.frontier.store.get(lead)
        if known is not None and known.state == DONE:
            self._stat("leads/repeat")  # a resumed crawl fetched it twice
            return []
        if url != lead and not self.frontier.done(url):
            self._stat("leads/repeat")  # redirected to a page read already
            self.frontier.done(lead)
            return []
        tree: HtmlElement | None = None
        if isinstance(response, TextResponse) and body_kind(response) == "html" and response.text.strip():
            try:
                tree = document_fromstring(response.text)
            except (ParserError, ValueError):
                self._stat("leads/unparseable")
        profile = self.profiled(url)
        if tree is not None and (profile is None or kind == "listing") and depth < self.frontier_settings.max_depth:
            self.follow(tree, url, depth)
        canonical = declared_canonical(tree, url) if tree is not None else None
        if canonical and canonical not in {url, lead} and self.is_alias(url, canonical):
            self.alias_page(lead, url, canonical)
        if profile is not None and kind != "article":
            self._stat("discovery/listing")
            self.frontier.done(lead)
            return []  # a profile's listing page: read for links only
        if profile is None:
            self._stat("discovery/page")
        context = known.context if known is not None else response.meta.get("euspider_link_context", [])
        page = Page.from_response(response)
        anchors = self.discovery.anchors_for(url, self.profile_of(url))
        if self.shared is not None:
            self._page_leads[url] = lead
        # the lead's context as it is now: dates found while the page was in flight count too
        return [replace(page, url=url, link_context=ordered_context(context), anchors=anchors)]

    def is_alias(self, url: str, canonical: str) -> bool:
        """Whether a page's declared canonical address is another page of its site, in the crawl's
        bounds, that carries its story (:func:`euspider.canonical.names_another_page`)."""
        return names_another_page(url, canonical) and self.on_site(canonical)

    def alias_page(self, lead: str, url: str, canonical: str) -> None:
        """``url`` names ``canonical`` as its address: fetch that page too (with what the pages
        linking to the alias said of it); its record, not the alias's, is kept."""
        self._stat("leads/alias")
        known = self.frontier.store.get(lead)
        context = known.context if known is not None else []
        depth = known.depth if known is not None else self.frontier_settings.max_depth
        self.admit([Lead(canonical, "article", depth, PRIORITY["canonical"], context=context)])
        self.duplicates.alias(url, canonical)  # known now, before the alias's record is extracted

    def follow(self, tree: HtmlElement, page_url: str, depth: int) -> None:
        """Links of a page (and the feeds it announces) as leads, one hop further from the start."""
        leads = [
            Lead(canonical_url(feed), "feed", depth + 1, PRIORITY["feed"], discovery=True)
            for feed in declared_feeds(tree, page_url)
            if self.on_site(feed)
        ]
        for link in links_from_html(tree, page_url):
            found = self.link_lead(link, page_url, depth + 1)
            if found is not None:
                leads.append(found)
        self.admit(leads)

    def link_lead(self, link: Link, page_url: str, depth: int) -> Lead | None:
        url = canonical_url(link.url)
        if url == page_url:
            return None
        if not self.on_site(url):
            self._stat("leads/skipped/offsite")
            return None
        profile = self.profiled(url)
        if profile is not None:
            if self.is_feed(url):
                return Lead(url, "feed", depth, PRIORITY["feed"], discovery=True)
            if profile.is_article_url(url):
                return Lead(url, "article", depth, PRIORITY["profile"], context=link.context)
            if profile.is_listing_url(url) and depth < self.frontier_settings.max_depth:
                return Lead(url, "listing", depth, PRIORITY["listing"], discovery=True)
            return None
        reason = skip_reason(url)
        if reason is not None:
            self._stat(f"leads/skipped/{reason}")
            return None
        if looks_like_robots(url):
            return None
        if looks_like_sitemap(url):
            return Lead(url, "sitemap", depth, PRIORITY["sitemap"], discovery=True)
        if looks_like_feed(url):
            return Lead(url, "feed", depth, PRIORITY["feed"], discovery=True)
        if looks_like_listing(url):
            hop = depth - 1 if is_pagination(url) else depth  # page 2 is as far from the start as page 1
            return Lead(url, "listing", hop, PRIORITY["listing"], discovery=True, context=link.context)
        return Lead(url, "article", depth, story_score(url), context=link.context)

    def lead_failed(self, failure: Failure) -> None:
        """Bookkeeping for a request that failed; an HTTP error status goes on to Scrapy's own
        handling (``httperror/...`` stats and its log line), except for a probe's absence."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if self._stale(request.meta):
            return
        self._settle()
        self._sitemap_done(request.meta)
        try:
            meta = request.meta
            lead = meta.get("euspider_lead") or request.url
            self.frontier.done(lead)
            discovery = meta.get("euspider_kind") != "article"
            if failure.check(HttpError):
                status = failure.value.response.status
                if meta.get("euspider_probe"):
                    self._stat("discovery/absent")
                    self.logger.debug("no %s on this site (%d)", lead, status)
                    return
                if discovery:
                    self._stat("discovery/failed")
                    self.logger.warning("discovery page failed: %s: HTTP %d", request.url, status)
                failure.raiseException()  # to HttpErrorMiddleware: counted and logged as Scrapy does
            elif failure.check(IgnoreRequest):  # robots.txt, offsite, 304, done before: counted elsewhere
                return
            elif discovery:
                self._stat("discovery/failed")
                self.logger.warning("discovery page failed: %s: %s", request.url, failure.getErrorMessage())
        finally:
            self.pump()

    # --- spiders that read pages from elsewhere (archives) ----------------------------------------

    def links(self, response: Response) -> list[Link]:
        if response.meta.get("euspider_kind") == "feed" or self.is_feed(response.url):
            try:
                return links_from_feed(response.body, response.url)
            except FeedError as err:
                self._stat("discovery/bad_feed")
                self.logger.warning("unreadable feed %s: %s", response.url, err)
                return []
        if not isinstance(response, TextResponse) or not response.text.strip():
            return []
        tree: HtmlElement = document_fromstring(response.text)
        return links_from_html(tree, response.url)

    def discover(self, url: str, context: Iterable[dict[str, Any]] = ()) -> None:
        """Note a story URL and the dates its linking page shows for it, in memory (archive readers)."""
        self.discovery.discover(url, context, self.profile_of(url))

    def parse_article(self, response: Response) -> Iterator[Page]:
        """A page read from elsewhere (an archive), with the link context its request carries. A page
        naming another page of its site as canonical is noted as its alias at once, as a crawl does,
        so that page's record lists it whichever comes first (:mod:`euspider.duplicates`)."""
        self.note_alias(response)
        yield Page.from_response(response)

    def note_alias(self, response: Response) -> None:
        """Note the page as an alias when it names another page of its site as canonical."""
        if not isinstance(response, TextResponse) or b"canonical" not in response.body:
            return
        url = canonical_url(response.url)
        try:
            tree = document_fromstring(response.text) if response.text.strip() else None
        except (ParserError, ValueError):
            tree = None
        canonical = declared_canonical(tree, url) if tree is not None else None
        if canonical and self.is_alias(url, canonical):
            self.duplicates.alias(url, canonical)
