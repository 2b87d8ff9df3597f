"""Links found on listing pages and in feeds, with the dates shown beside them (pure).

A listing's ``<time datetime>`` next to a link, an RSS ``pubDate``, an Atom ``published`` and a news
sitemap's ``publication_date`` date the linked story; they travel with the request for that story as
its *link context* (see :func:`euspider.dates.evidence.from_link_context`). A sitemap ``lastmod`` is
only a bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from .dates.evidence import from_time_elements
from .dom import absolute, visible_text


@dataclass
class Link:
    url: str
    text: str = ""
    #: Link-context evidence for the linked page: ``{"source", "raw", "via"}`` dicts.
    context: list[dict[str, Any]] = field(default_factory=list)


def links_from_html(tree: HtmlElement, page_url: str) -> list[Link]:
    """Every distinct link on a page, in page order, each with the dates shown beside it."""
    _, link_dates = from_time_elements(tree, page_url, scope=None)
    dated: dict[str, list[dict[str, Any]]] = {}
    for item in link_dates:
        dated.setdefault(item.url, []).append({"source": "link:listing", "raw": item.raw, "via": page_url})
    links: dict[str, Link] = {}
    for anchor in tree.iter("a"):
        url = absolute(page_url, anchor.get("href"))
        if url is None or not url.startswith(("http://", "https://")):
            continue
        if url not in links:
            links[url] = Link(url, visible_text(anchor), dated.get(url, []))
    return list(links.values())


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names:
            return (child.text or "").strip() or None
    return None


class FeedError(ValueError):
    """A feed or sitemap that is not well-formed XML."""


def parse_xml(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError as err:
        raise FeedError(f"not XML: {err}") from err
    if root is None:
        raise FeedError("empty XML document")
    return root


def links_from_feed(body: bytes, feed_url: str) -> list[Link]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed: link, title, and ``pubDate``/``published`` as context."""
    root = parse_xml(body)
    links: list[Link] = []
    for item in root.iter():
        kind = _local(item.tag)
        if kind == "item":  # RSS 2.0 / 1.0
            url = _child_text(item, "link") or (_child_text(item, "guid") or "")
            raw = _child_text(item, "pubdate", "date", "published")
            source = "link:rss"
        elif kind == "entry":  # Atom
            url = ""
            for child in item:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    url = child.get("href", "")
                    break
            raw = _child_text(item, "published") or _child_text(item, "updated")
            source = "link:atom"
        else:
            continue
        target = absolute(feed_url, url)
        if not target or not target.startswith(("http://", "https://")):
            continue
        context = [{"source": source, "raw": raw, "via": feed_url}] if raw else []
        links.append(Link(target, _child_text(item, "title") or "", context))
    return links


def links_from_sitemap(body: bytes, sitemap_url: str) -> tuple[list[Link], list[str]]:
    """URLs of a sitemap (news ``publication_date`` as a date, ``lastmod`` as a bound), and the
    child sitemaps of a sitemap index."""
    root = parse_xml(body)
    links: list[Link] = []
    children: list[str] = []
    for node in root:
        kind = _local(node.tag)
        loc = _child_text(node, "loc")
        target = absolute(sitemap_url, loc) if loc else None
        if not target:
            continue
        if kind == "sitemap":
            children.append(target)
            continue
        if kind != "url":
            continue
        context = []
        for child in node.iter():
            if _local(child.tag) == "publication_date" and (child.text or "").strip():
                context.append({"source": "link:sitemap-news", "raw": child.text.strip(), "via": sitemap_url})
        lastmod = _child_text(node, "lastmod")
        if lastmod:
            context.append({"source": "link:sitemap", "raw": lastmod, "via": sitemap_url})
        links.append(Link(target, "", context))
    return links, children


def merge_context(existing: list[dict[str, Any]], new: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add link-context items not already present (same source and raw value)."""
    seen = {(c.get("source"), c.get("raw")) for c in existing}
    for item in new:
        key = (item.get("source"), item.get("raw"))
        if key not in seen:
            existing.append(item)
            seen.add(key)
    return existing
