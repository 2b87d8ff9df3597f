"""When a crawl fetches what: the release policy over a lead store (pure, no Scrapy).

Discovery leads (robots.txt, sitemaps, feeds, start pages, listing-shaped pages) go out first, by
priority. A story lead is *held* until the discovery leads that were known when it was found have
been read (:meth:`~euspider.store.LeadStore.watermark`): those are the feeds and listings that may
link to it, and the dates they show beside the link reach its date evidence. Stories found together
(on one page, in one sitemap) are released together, so the crawl streams: the first stories go out
as soon as the pages that found them are read, not when the whole site is known. Two escapes keep a
large or slow discovery from stalling the stories: a held batch goes out after ``hold`` seconds,
and the oldest batch goes out when more than ``backlog`` stories wait.

At most ``max_pages`` leads are admitted to a crawl (counted by the store: in a crawl shared by
several workers, by all of them together); links further than ``max_depth`` hops from the
start pages are not followed (pagination adds no hop). The clock is an input (``clock``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .store import Lead, LeadStore

#: Sitemaps fetched and read at the same time.
SITEMAPS_AT_ONCE = 2


@dataclass(frozen=True)
class FrontierSettings:
    """``EUSPIDER_DEPTH``, ``EUSPIDER_MAX_PAGES``, ``EUSPIDER_STORY_HOLD``, ``EUSPIDER_STORY_BACKLOG``."""

    max_depth: int = 3
    max_pages: int = 1_000_000
    hold: float = 10.0
    backlog: int = 1000


class Frontier:
    def __init__(self, store: LeadStore, settings: FrontierSettings, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        #: Leads this process added (new ones).
        self.admitted = 0
        #: New URLs refused because ``max_pages`` was reached.
        self.refused = 0

    @property
    def full(self) -> bool:
        return self.store.counts()["total"] >= self.settings.max_pages

    def add(self, leads: Sequence[Lead]) -> list[Lead]:
        """Admit leads (new ones while the store, with what every worker sharing it added, holds fewer
        than ``max_pages``; known ones get their context merged)."""
        if not leads:
            return []
        new, refused = self.store.add_within(leads, self.clock(), self.settings.max_pages)
        self.admitted += len(new)
        self.refused += refused
        return new

    def release(self, slots: int, sitemaps: int = SITEMAPS_AT_ONCE) -> list[Lead]:
        """Claim up to ``slots`` leads to fetch now: discovery leads first, but when stories may go,
        half the slots are theirs, so a long discovery never starves them. At most ``sitemaps``
        sitemaps go out (a sitemap of 50,000 URLs is a megabyte to hold and seconds to read)."""
        if slots <= 0:
            return []
        counts = self.store.counts()
        stories: list[Lead] = []
        before = self.story_bound(counts["waiting_stories"]) if counts["waiting_stories"] else None
        if before is not None:
            share = slots // 2 if counts["waiting_discovery"] else slots
            stories = self.store.take(max(share, 1), discovery=False, before=before)
        found: list[Lead] = []
        if counts["waiting_discovery"]:
            found = self.store.take(min(sitemaps, slots - len(stories)), discovery=True, kinds=("sitemap",))
            found += self.store.take(slots - len(stories) - len(found), discovery=True, exclude=("sitemap",))
        if before is not None and len(stories) + len(found) < slots:
            stories += self.store.take(slots - len(stories) - len(found), discovery=False, before=before)
        return found + stories

    def story_bound(self, waiting: int) -> int:
        """Stories with ``wait_for`` below this may go: every discovery lead they wait for is read,
        or their batch has waited ``hold`` seconds, or too many stories wait."""
        bound = self.store.watermark()
        oldest = self.store.oldest_waiting_story()
        if oldest is not None and oldest.wait_for >= bound:
            overdue = self.clock() - oldest.added >= self.settings.hold
            if overdue or waiting > self.settings.backlog:
                bound = oldest.wait_for + 1
        return bound

    def done(self, url: str) -> bool:
        return self.store.finish(url)
