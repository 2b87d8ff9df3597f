"""What a crawl learns before it fetches stories: link context per URL and dated story IDs (pure).

A :class:`Discovery` collects, for every story URL found on feeds and listing pages, the dates those
pages show beside the link (merged over all linking pages), and turns dated links to sites with ordered
numeric IDs into anchors for ID-bracket estimates. :meth:`Discovery.release` hands each story over once,
with its context and the anchors nearest its ID. The spiders use it; so do the golden tests, to date the
mirror's pages exactly as a crawl does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .dates.anchors import AnchorIndex
from .links import merge_context
from .sites import Profile

_SOURCE_RANK = {"link:sitemap-news": 0, "link:rss": 1, "link:atom": 1, "link:listing": 2, "link:sitemap": 3}


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
        if profile is not None and context:
            story_id = profile.article_id(url)
            if story_id is not None:
                self.anchors.add_context(profile.name, story_id, context)
        if url in self.released:
            return False
        merge_context(self.pending.setdefault(url, []), context)
        return True

    def lead(self, url: str, profile: Profile | None = None) -> StoryLead:
        anchors: list[tuple[int, str, str]] = []
        if profile is not None:
            story_id = profile.article_id(url)
            if story_id is not None:
                anchors = [(a.id, a.day.isoformat(), a.source) for a in self.anchors.around(profile.name, story_id)]
        # a stable order, whatever order the linking pages arrived in: the record must not depend on it
        context = sorted(
            self.pending.get(url, []),
            key=lambda c: (_SOURCE_RANK.get(c.get("source", ""), 9), str(c.get("via")), str(c.get("raw"))),
        )
        return StoryLead(url, context, anchors)

    def release(self, profile_for: Any = None) -> Iterator[StoryLead]:
        """Every pending story, once, in discovery order (``profile_for(url)`` gives its profile)."""
        for url in list(self.pending):
            profile = profile_for(url) if profile_for is not None else None
            yield self.lead(url, profile)
            self.released.add(url)
            del self.pending[url]
