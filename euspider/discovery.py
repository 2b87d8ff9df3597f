"""What a crawl learns before it fetches stories: link context per URL and dated story IDs (pure).

A :class:`Discovery` turns dated links to sites with ordered numeric IDs into anchors for ID-bracket
estimates. For readers that see every page at once (the ``warc`` spider, the golden tests dating the
mirror as a crawl does) it also collects, for every story URL found on feeds and listing pages, the
dates those pages show beside the link (merged over all linking pages); :meth:`Discovery.release`
hands each story over once, with its context and the anchors nearest its ID. Live crawls keep their
leads and link context in a lead store instead (:mod:`euspider.store`, :mod:`euspider.frontier`), so
memory does not grow with the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .dates.anchors import AnchorIndex
from .links import merge_context
from .sites import Profile

_SOURCE_RANK = {
    "link:sitemap-news": 0, "link:rss": 1, "link:atom": 1, "link:json-feed": 1, "link:listing": 2, "link:sitemap": 3,
}  # fmt: skip


def ordered_context(context: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Link context in a stable order, whatever order the linking pages arrived in: the record must
    not depend on it."""
    return sorted(
        context, key=lambda c: (_SOURCE_RANK.get(c.get("source", ""), 9), str(c.get("via")), str(c.get("raw")))
    )


@dataclass
class StoryLead:
    """A story to fetch, with what the crawl knows about it."""

    url: str
    link_context: list[dict[str, Any]] = field(default_factory=list)
    anchors: list[tuple[int, str, str]] = field(default_factory=list)


class Discovery:
    def __init__(self) -> None:
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.released: set[str] = set()
        self.anchors = AnchorIndex()

    def discover(self, url: str, context: Iterable[dict[str, Any]] = (), profile: Profile | None = None) -> bool:
        """Note a story URL and the dates a linking page shows for it; False if already released."""
        context = list(context)
        if context:
            self.learn(url, context, profile)
        if url in self.released:
            return False
        merge_context(self.pending.setdefault(url, []), context)
        return True

    def anchors_for(self, url: str, profile: Profile | None) -> list[tuple[int, str, str]]:
        """(id, day, source) of the dated IDs nearest ``url``'s story ID, for ID-bracket estimates."""
        story_id = profile.article_id(url) if profile is not None else None
        if profile is None or story_id is None:
            return []
        return [(a.id, a.day.isoformat(), a.source) for a in self.anchors.around(profile.name, story_id)]

    def learn(self, url: str, context: Iterable[dict[str, Any]], profile: Profile | None) -> None:
        """Learn an (id, date) anchor from the dates a linking page shows for ``url``."""
        story_id = profile.article_id(url) if profile is not None else None
        if profile is not None and story_id is not None:
            self.anchors.add_context(profile.name, story_id, context)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Discoveries of one linking page, noted together (here at once; in Redis, in one round trip)."""
        yield

    def lead(self, url: str, profile: Profile | None = None) -> StoryLead:
        anchors = self.anchors_for(url, profile)
        return StoryLead(url, ordered_context(self.pending.get(url, [])), anchors)

    def release(self, profile_for: Any = None) -> Iterator[StoryLead]:
        """Every pending story, once, in discovery order (``profile_for(url)`` gives its profile)."""
        for url in list(self.pending):
            profile = profile_for(url) if profile_for is not None else None
            yield self.lead(url, profile)
            self.released.add(url)
            del self.pending[url]


class SharedDiscovery(Discovery):
    """:class:`Discovery` whose link context and anchors are in Redis, shared by the workers reading
    the archives of one crawl (``euspider.store.redis``; the client and prefix are the crawl's)."""

    def __init__(self, client: Any, prefix: str) -> None:
        from .store.redis import _PENDING, RedisAnchorIndex

        super().__init__()
        self.client = client
        self.prefix = prefix
        self.anchors = RedisAnchorIndex(client, prefix)
        self._merge = client.register_script(_PENDING)
        self._pipe: Any = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The link context and anchors of one linking page go to Redis in one pipeline, not a round trip
        per link (a sitemap lists thousands); nothing reads them back before the page is through."""
        if self._pipe is not None:
            yield
            return
        self._pipe = self.anchors.pipe = self.client.pipeline(transaction=False)
        try:
            yield
            self._pipe.execute()
        finally:
            self._pipe = self.anchors.pipe = None

    def discover(self, url: str, context: Iterable[dict[str, Any]] = (), profile: Profile | None = None) -> bool:
        from .store.redis import context_lines

        context = list(context)
        if context:
            self.learn(url, context, profile)
            self._merge(args=[self.prefix, url, context_lines(context)], client=self._pipe or self.client)
        return True

    def lead(self, url: str, profile: Profile | None = None) -> StoryLead:
        from .store.redis import parse_context

        context = parse_context(self.client.hget(f"{self.prefix}:pending", url))
        return StoryLead(url, ordered_context(context), self.anchors_for(url, profile))
