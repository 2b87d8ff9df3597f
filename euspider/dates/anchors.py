"""Known (story ID, date) pairs of a crawl, per site, for ID-bracket estimates (pure)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .estimate import Anchor
from .parse import parse_date


class AnchorIndex:
    """IDs with a known publication day, kept sorted per site; the first date seen for an ID wins."""

    def __init__(self) -> None:
        self._ids: dict[str, list[int]] = {}
        self._anchors: dict[str, dict[int, Anchor]] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self._anchors.values())

    def add(self, site: str, story_id: int, day: date, source: str) -> bool:
        known = self._anchors.setdefault(site, {})
        if story_id in known:
            return False
        known[story_id] = Anchor(story_id, day, source)
        insort(self._ids.setdefault(site, []), story_id)
        return True

    def add_context(self, site: str, story_id: int, context: Iterable[Mapping[str, Any]]) -> bool:
        """Learn from a link context (listing ``<time>``, feed ``pubDate``); bounds are not dates."""
        for item in context:
            if item.get("source") == "link:sitemap":
                continue
            parsed, _ = parse_date(item.get("raw") or "")
            if parsed is not None and parsed.precision in {"day", "datetime"}:
                return self.add(
                    site, story_id, parsed.day, f"{item.get('source')} on {item.get('via', 'a linking page')}"
                )
        return False

    def around(self, site: str, story_id: int) -> list[Anchor]:
        """The nearest anchors below and above ``story_id`` (an anchor with the same ID is not one)."""
        ids = self._ids.get(site, [])
        known = self._anchors.get(site, {})
        pos = bisect_left(ids, story_id)
        out = []
        if pos > 0:
            out.append(known[ids[pos - 1]])
        upper = pos + 1 if pos < len(ids) and ids[pos] == story_id else pos
        if upper < len(ids):
            out.append(known[ids[upper]])
        return out
