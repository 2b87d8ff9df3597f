"""Every standard way into a site, read from bytes: robots.txt, sitemaps (indexes, news, gzip, large),
RSS, Atom, JSON Feed and the feeds a page announces."""

from __future__ import annotations

import gzip
import json

import pytest
from lxml.html import document_fromstring

from euspider.links import (
    FeedError,
    declared_feeds,
    iter_sitemap,
    links_from_feed,
    links_from_sitemap,
    sitemaps_from_robots,
)

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemaps/posts-1.xml</loc><lastmod>2024-05-03</lastmod></sitemap>
  <sitemap><loc>/sitemaps/news.xml</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/a/1234</loc><lastmod>2024-05-04</lastmod>
    <news:news><news:publication><news:name>Courier</news:name><news:language>en</news:language></news:publication>
    <news:publication_date>2024-05-03T09:12:00+02:00</news:publication_date><news:title>Port deal</news:title></news:news>
  </url>
  <url><loc>https://news.example/?p=959</loc></url>
</urlset>"""


def test_robots_txt_names_its_sitemaps():
    robots = (
        b"User-agent: *\nDisallow: /search\n\nSitemap: https://news.example/sitemap_index.xml\nsitemap: /news.xml\n"
    )
    assert sitemaps_from_robots(robots, "https://news.example/robots.txt") == [
        "https://news.example/sitemap_index.xml",
        "https://news.example/news.xml",
    ]
    assert sitemaps_from_robots(b"User-agent: *\nDisallow:\n", "https://news.example/robots.txt") == []


def test_sitemap_index_children():
    links, children = links_from_sitemap(SITEMAP_INDEX, "https://news.example/sitemap_index.xml")
    assert links == []
    assert children == ["https://news.example/sitemaps/posts-1.xml", "https://news.example/sitemaps/news.xml"]


def test_news_sitemap_dates_and_bounds():
    links, children = links_from_sitemap(NEWS_SITEMAP, "https://news.example/sitemaps/news.xml")
    assert children == []
    first, second = links
    assert first.url == "https://news.example/a/1234"
    assert {(c["source"], c["raw"]) for c in first.context} == {
        ("link:sitemap-news", "2024-05-03T09:12:00+02:00"),
        ("link:sitemap", "2024-05-04"),
    }
    assert second.url == "https://news.example/?p=959" and second.context == []


def test_gzipped_sitemap():
    entries = list(iter_sitemap(gzip.compress(NEWS_SITEMAP), "https://news.example/sitemap.xml.gz"))
    assert [e.url for e in entries] == ["https://news.example/a/1234", "https://news.example/?p=959"]


@pytest.mark.parametrize("body", [b"", b"Not found", b"\x1f\x8bnot gzip"], ids=["empty", "text", "broken-gzip"])
def test_a_broken_sitemap_is_a_clear_error(body):
    with pytest.raises(FeedError):
        list(iter_sitemap(body, "https://news.example/sitemap.xml"))


def test_a_large_sitemap_is_read_entry_by_entry():
    """50,000 URLs (the protocol's maximum per file), each one handed over as it is parsed (how much
    memory a whole crawl keeps is what bench/discovery.py measures)."""
    urls = "".join(
        f"<url><loc>https://news.example/a/{n}</loc><lastmod>2024-05-03</lastmod></url>" for n in range(50_000)
    )
    body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    entries = iter_sitemap(body, "https://news.example/sitemap.xml")
    assert next(entries).url == "https://news.example/a/0"
    assert sum(1 for _ in entries) == 49_999


def test_json_feed():
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Courier",
        "items": [
            {"id": "1", "url": "https://news.example/go/25", "date_published": "2024-05-03T09:12:00+02:00"},
            {"id": "2", "external_url": "/a/7", "title": "Seven"},
            {"id": "3"},
        ],
    }
    links = links_from_feed(json.dumps(feed).encode(), "https://news.example/feed.json")
    assert [link.url for link in links] == ["https://news.example/go/25", "https://news.example/a/7"]
    assert links[0].context == [
        {"source": "link:json-feed", "raw": "2024-05-03T09:12:00+02:00", "via": "https://news.example/feed.json"}
    ]
    with pytest.raises(FeedError, match="no items"):
        links_from_feed(b'{"version": "x"}', "https://news.example/feed.json")


def test_atom_and_rss_feeds():
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
      <link rel="alternate" href="https://news.example/a/1"/><published>2024-05-03T09:12:00Z</published></entry></feed>"""
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><item><title>B</title>
      <link>https://news.example/b?utm_source=rss</link><pubDate>Fri, 03 May 2024 09:12:00 +0000</pubDate></item>
      </channel></rss>"""
    [a] = links_from_feed(atom, "https://news.example/atom.xml")
    [b] = links_from_feed(rss, "https://news.example/feed/")
    assert (a.url, a.context[0]["source"]) == ("https://news.example/a/1", "link:atom")
    assert (b.url, b.context[0]["source"]) == ("https://news.example/b?utm_source=rss", "link:rss")


def test_feeds_a_page_announces():
    page = document_fromstring(
        """<html><head>
        <link rel="alternate" type="application/rss+xml" title="Courier feed" href="/feed/">
        <link rel="alternate" type="application/rss+xml" title="Courier » Comments Feed" href="/comments/feed/">
        <link rel="alternate" type="application/atom+xml" href="https://news.example/atom.xml">
        <link rel="alternate" type="application/feed+json" href="/feed.json">
        <link rel="alternate" hreflang="de" href="/de/">
        <link rel="stylesheet" href="/site.css">
        </head><body></body></html>"""
    )
    assert declared_feeds(page, "https://news.example/") == [
        "https://news.example/feed/",
        "https://news.example/atom.xml",
        "https://news.example/feed.json",
    ]
