"""Links found on listing pages, in feeds, sitemaps and robots.txt, with the dates shown beside them
(pure).

A listing's ``<time datetime>`` next to a link, an RSS ``pubDate``, an Atom ``published``, a JSON
Feed ``date_published`` and a news sitemap's ``publication_date`` date the linked story; they travel
with the request for that story as its *link context* (see
:func:`euspider.dates.evidence.from_link_context`). A sitemap ``lastmod`` is only a bound.

Sitemaps are read as a stream (:func:`iter_sitemap`): a file of 50,000 URLs never becomes 50,000
objects at once. ``robots.txt`` is read with Protego, the parser Scrapy uses.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from protego import Protego

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
    """Items of an RSS 2.0, RSS 1.0, Atom or JSON feed: link, title, and ``pubDate``/``published``/
    ``date_published`` as context."""
    if body.lstrip()[:1] in (b"{", b"["):
        return links_from_json_feed(body, feed_url)
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


def links_from_json_feed(body: bytes, feed_url: str) -> list[Link]:
    """Items of a JSON Feed (1.0/1.1): ``url`` (else ``external_url``), ``title``, ``date_published``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise FeedError(f"not a JSON feed: {err}") from err
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FeedError("not a JSON feed: no items")
    links: list[Link] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        target = absolute(feed_url, str(item.get("url") or item.get("external_url") or ""))
        if not target or not target.startswith(("http://", "https://")):
            continue
        raw = item.get("date_published") or item.get("date_modified")
        context = [{"source": "link:json-feed", "raw": str(raw), "via": feed_url}] if raw else []
        links.append(Link(target, str(item.get("title") or ""), context))
    return links


#: A sitemap may be 50 MB uncompressed (sitemaps.org); anything larger is refused, not read.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024


def decompress(body: bytes, limit: int = SITEMAP_MAX_BYTES) -> bytes:
    """The body itself, or its gzip content (``sitemap.xml.gz``) up to ``limit`` bytes."""
    if body[:2] != b"\x1f\x8b":
        return body
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
        try:
            while chunk := handle.read(65536):
                out.write(chunk)
                if out.tell() > limit:
                    raise FeedError(f"gzip content larger than {limit} bytes")
        except (OSError, EOFError, zlib.error) as err:
            raise FeedError(f"broken gzip: {err}") from err
    return out.getvalue()


@dataclass
class SitemapEntry:
    """One ``<url>`` (``child`` False) or ``<sitemap>`` of an index (``child`` True)."""

    url: str
    child: bool
    context: list[dict[str, Any]] = field(default_factory=list)


def iter_sitemap(body: bytes, sitemap_url: str) -> Iterator[SitemapEntry]:
    """The entries of a sitemap or sitemap index, one at a time (news ``publication_date`` as a
    date, ``lastmod`` as a bound), parsed as a stream so memory does not grow with the file."""
    data = decompress(body).strip()
    if not data:
        raise FeedError("empty XML document")
    if data[:1] != b"<":
        raise FeedError("not XML")
    parser = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=("{*}url", "{*}sitemap"),
        resolve_entities=False,
        no_network=True,
        recover=True,
        huge_tree=False,
    )
    found = False
    try:
        for _, node in parser:
            found = True
            child = _local(node.tag) == "sitemap"
            loc = lastmod = published = None
            for part in node:
                name = _local(part.tag)
                if name == "loc":
                    loc = (part.text or "").strip()
                elif name == "lastmod":
                    lastmod = (part.text or "").strip() or None
                elif name == "news" and not child:
                    for item in part.iter():
                        if _local(item.tag) == "publication_date" and (item.text or "").strip():
                            published = item.text.strip()
            target = loc if loc and loc.startswith(("http://", "https://")) and " " not in loc else None
            if target is None and loc:
                target = absolute(sitemap_url, loc)
            if target and target.startswith(("http://", "https://")):
                context = []
                if published:
                    context.append({"source": "link:sitemap-news", "raw": published, "via": sitemap_url})
                if lastmod and not child:
                    context.append({"source": "link:sitemap", "raw": lastmod, "via": sitemap_url})
                yield SitemapEntry(target, child, context)
            # free what is read: the parsed tree does not grow with the file
            node.clear()
            parent = node.getparent()
            if parent is not None:
                while node.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as err:
        if not found:
            raise FeedError(f"not XML: {err}") from err


def links_from_sitemap(body: bytes, sitemap_url: str) -> tuple[list[Link], list[str]]:
    """URLs of a sitemap (news ``publication_date`` as a date, ``lastmod`` as a bound), and the
    child sitemaps of a sitemap index."""
    links: list[Link] = []
    children: list[str] = []
    for entry in iter_sitemap(body, sitemap_url):
        if entry.child:
            children.append(entry.url)
        else:
            links.append(Link(entry.url, "", entry.context))
    return links, children


def sitemaps_from_robots(body: bytes | str, robots_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt names, absolute, in file order."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    found: list[str] = []
    for url in Protego.parse(text).sitemaps:
        target = absolute(robots_url, url)
        if target and target.startswith(("http://", "https://")) and target not in found:
            found.append(target)
    return found


FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}


def declared_feeds(tree: HtmlElement, page_url: str) -> list[str]:
    """Feeds a page announces (``<link rel="alternate" type="application/rss+xml">``, Atom, JSON
    Feed), comment feeds left out."""
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        if kind == "application/json" and "feed" not in (link.get("title") or "").lower():
            continue
        if "comment" in (link.get("title") or "").lower():
            continue
        target = absolute(page_url, link.get("href"))
        if target and target.startswith(("http://", "https://")) and target not in found:
            found.append(target)
    return found


def merge_context(existing: list[dict[str, Any]], new: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add link-context items not already present (same source and raw value)."""
    seen = {(c.get("source"), c.get("raw")) for c in existing}
    for item in new:
        key = (item.get("source"), item.get("raw"))
        if key not in seen:
            existing.append(item)
            seen.add(key)
    return existing
