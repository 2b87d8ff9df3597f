"""URLs without a profile: one spelling per page, furniture skipped unfetched, and a shape that only
orders the crawl (every story-like scheme real sites use is a candidate)."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from euspider.canonical import canonical_url, declared_canonical, on_sites, site_of
from euspider.urls import is_pagination, looks_like_article, looks_like_listing, skip_reason, story_score


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/port-expansion?utm_source=rss&utm_medium=feed", "https://news.example/port-expansion"),
        ("https://news.example/a/1234?fbclid=IwAR0abc", "https://news.example/a/1234"),
        ("https://news.example/story?gclid=x&mc_cid=1&mc_eid=2&id=7", "https://news.example/story?id=7"),
        ("https://news.example/?p=959&UTM_Campaign=letter", "https://news.example/?p=959"),
        ("HTTPS://News.Example:443/World/26823#comments", "https://news.example/World/26823"),
        ("http://news.example:80/a?b=2&a=1", "http://news.example/a?a=1&b=2"),
        ("http://127.0.0.1:8080/?p=959", "http://127.0.0.1:8080/?p=959"),
        ("https://news.example", "https://news.example/"),
        ("mailto:desk@news.example", "mailto:desk@news.example"),
    ],
    ids=["utm", "fbclid", "gclid-mailchimp", "wordpress-id-kept", "case-port-fragment", "sorted-query", "port-kept",
         "root", "not-http"],
)  # fmt: skip
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/news/port-expansion",
        "https://news.example/blog/restoring-a-dinghy",
        "https://news.example/a/1234",
        "https://news.example/?p=959",
        "https://news.example/stories/port-deal-signed.html",
        "https://news.example/2024/05/03/port-deal-signed/",
        "https://news.example/s/3f9a0c1b2e",
        "https://euobserver.com/world/26823",
    ],
    ids=["short-slug", "blog-slug", "a-id", "wordpress-p", "html", "date-folder", "opaque-hash", "section-id"],
)
def test_story_schemes_are_candidates(url):
    """What looks_like_article rejected before: every one is fetched now, ranked above nothing."""
    assert skip_reason(url) is None
    assert not looks_like_listing(url)
    assert looks_like_article(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.example/tag/energy/", "furniture"),
        ("https://news.example/author/anna-berg/", "furniture"),
        ("https://news.example/login/", "furniture"),
        ("https://news.example/search?q=port", "furniture"),
        ("https://news.example/?s=port", "furniture"),
        ("https://news.example/share?url=https%3A%2F%2Fnews.example%2Fa%2F1", "furniture"),
        ("https://news.example/print/1234/", "furniture"),
        ("https://news.example/a/1234?print=1", "furniture"),
        ("https://news.example/privacy/", "furniture"),
        ("https://news.example/comments/feed/", "furniture"),
        ("https://news.example/img/harbour.jpg", "asset"),
        ("https://news.example/files/report.pdf", "asset"),
        ("ftp://news.example/a", "not_http"),
        ("https://news.example/feed/", None),
        ("https://news.example/sitemap_index.xml", None),
        ("https://news.example/robots.txt", None),
    ],
)
def test_only_assets_and_furniture_are_skipped(url, reason):
    assert skip_reason(url) == reason


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/",
        "https://news.example/harbour/",
        "https://news.example/harbour/page/3/",
        "https://news.example/council/?page=2",
        "https://news.example/2024/05/",
        "https://news.example/archive/2024/05/",
        "https://news.example/category/world/",
    ],
)
def test_listing_shapes(url):
    assert looks_like_listing(url)


def test_pagination():
    assert is_pagination("https://news.example/harbour/page/3/")
    assert is_pagination("https://news.example/council/?page=2")
    assert is_pagination("https://news.example/?paged=4")
    assert not is_pagination("https://news.example/?p=959")
    assert not is_pagination("https://news.example/a/1234")


def test_story_score_orders_by_shape():
    dated = story_score("https://news.example/2024/05/03/port-deal-signed-at-dawn/")
    wordpress = story_score("https://news.example/?p=959")
    slug = story_score("https://news.example/news/port-expansion")
    plain = story_score("https://news.example/harbour/lighthouse")
    assert dated > slug > plain
    assert wordpress > slug
    assert all(0 <= s <= 5 for s in (dated, wordpress, slug, plain))


def test_same_site_filter_without_fetching():
    """Links to other hosts never become leads; decided on the URL alone, no request made."""
    domains = ["news.example"]
    assert on_sites("https://news.example/a/1", domains)
    assert on_sites("https://www.news.example/a/1", domains)
    assert not on_sites("https://news.example.evil.test/a/1", domains)
    assert not on_sites("http://10.0.0.8/a/1", domains)
    assert not on_sites("http://127.0.0.2:8080/tide-tables", ["127.0.0.1"])
    assert site_of("http://127.0.0.2:8080/x") != site_of("http://127.0.0.1:8080/x")
    assert site_of("https://xml.euobserver.com/rss.xml") == "euobserver.com"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="/world/26823">', "https://news.example/world/26823"),
        ('<link rel="canonical" href="https://news.example/a/1?utm_source=x">', "https://news.example/a/1"),
        ('<link rel="amphtml" href="/b">', None),
        ('<link rel="Canonical" href="/d">', "https://news.example/d"),
        ('<link rel="alternate canonical" href="/c">', "https://news.example/c"),
        ('<meta property="og:url" content="https://news.example/">', None),
        ("", None),
    ],
    ids=[
        "relative",
        "tracking-removed",
        "amp-not-canonical",
        "rel-ignores-case",
        "several-rels",
        "og-url-ignored",
        "none",
    ],
)
def test_declared_canonical(head, expected):
    tree = document_fromstring(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert declared_canonical(tree, "https://news.example/9/26823") == expected
