"""One row per date source and per mismatch kind: what wins, what is refused, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from euspider.dates import Anchor
from euspider.extract import ArticleExtractor, ExtractOptions
from euspider.sites import parse_profile

STORY = " ".join(
    f"<p>Paragraph {i} of the story says what the council decided, who objected and what happens next in the member states.</p>"
    for i in range(6)
)


def page(head: str = "", before: str = "", inside: str = "", after: str = "", lang: str = "en") -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><title>Council agrees reform</title>{head}</head><body>"
        f"<header><a href='/'>Site</a>{before}</header>"
        f"<main><article><h1>Council agrees reform</h1>{inside}<div class='story'>{STORY}</div></article>{after}</main>"
        "<footer><a href='/about'>About</a></footer></body></html>"
    )


SIDE_LIST = (
    "<aside><h4>Latest News</h4><ol>"
    "<li><time datetime='2023-02-03T10:00:00+01:00'>3 Feb</time><a href='/news/99'>Ministers meet again over the budget rules</a></li>"
    "<li><time datetime='2023-02-02T10:00:00+01:00'>2 Feb</time><a href='/news/98'>Parliament votes on the new asylum package</a></li>"
    "</ol></aside>"
)


@dataclass
class Case:
    id: str
    html: str
    url: str = "https://news.example/politics/council-agrees-reform"
    crawled_at: str = "2023-02-04T10:00:00Z"
    headers: dict[str, str] = field(default_factory=dict)
    link_context: list[dict] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    published: str | None = None
    source: str | None = None
    stamp: str | None = None
    modified: str | None = None
    mismatch: list[str] | None = None


JSON_LD = "<script type='application/ld+json'>{json}</script>"

SOURCES = [
    Case(
        "json-ld",
        page(
            JSON_LD.format(
                json='{"@type": "NewsArticle", "headline": "Council agrees reform", "datePublished": "2023-02-01T09:00:00+01:00"}'
            )
        ),
        published="2023-02-01T09:00:00+01:00",
        source="json-ld:datePublished",
    ),
    Case(
        "json-ld-graph",
        page(
            JSON_LD.format(
                json='{"@graph": [{"@type": "WebSite", "name": "x"}, {"@type": "Article", "headline": "Council agrees reform", "datePublished": "2023-01-31"}]}'
            )
        ),
        published="2023-01-31",
        source="json-ld:datePublished",
    ),
    Case(
        "meta-article-published-time",
        page("<meta property='article:published_time' content='2023-02-02T08:00:00+01:00'>"),
        published="2023-02-02T08:00:00+01:00",
        source="meta:article:published_time",
    ),
    Case(
        "meta-dublin-core",
        page("<meta name='DC.date.issued' content='2023-01-30'>"),
        published="2023-01-30",
        source="meta:dc.date.issued",
    ),
    Case(
        "meta-parsely",
        page("<meta name='parsely-pub-date' content='2023-01-29T12:00:00Z'>"),
        published="2023-01-29T12:00:00Z",
        source="meta:parsely-pub-date",
    ),
    Case(
        "meta-sailthru",
        page("<meta name='sailthru.date' content='2023-01-28 10:00:00'>"),
        published="2023-01-28",
        source="meta:sailthru.date",
    ),
    Case(
        "time-in-article",
        page(
            inside="<p class='byline'>By A. Writer <time itemprop='datePublished' datetime='2023-01-27T07:00:00+01:00'>27 January</time></p>"
        ),
        published="2023-01-27T07:00:00+01:00",
        source="time:article",
    ),
    Case(
        "byline-text",
        page(inside="<div class='byline'>By A. Writer · 26 January 2023</div>"),
        published="2023-01-26",
        source="byline",
    ),
    Case(
        "url-path",
        page(),
        url="https://news.example/2023/01/25/council-agrees-reform",
        published="2023-01-25",
        source="url",
    ),
    Case(
        "url-compact-day-in-file-name",
        page(),
        url="https://news.example/press/news-20230124_council-agrees-reform.html",
        published="2023-01-24",
        source="url",
    ),
    Case(
        "url-six-digit-day-under-its-year",
        page(),
        url="https://agency.example/press/Press2023/230123_council-agrees-reform.html",
        published="2023-01-23",
        source="url",
    ),
    Case(
        "url-six-digits-without-a-year-are-no-date",
        page(),
        url="https://agency.example/press/230123_council-agrees-reform.html",
    ),
    Case(
        "link-rss",
        page(),
        link_context=[
            {"source": "link:rss", "raw": "Tue, 24 Jan 2023 16:00:00 +0100", "via": "https://news.example/rss"}
        ],
        published="2023-01-24T16:00:00+01:00",
        source="link:rss",
    ),
    Case(
        "link-listing",
        page(),
        link_context=[{"source": "link:listing", "raw": "2023-01-23T11:00:00+01:00", "via": "https://news.example/"}],
        published="2023-01-23T11:00:00+01:00",
        source="link:listing",
    ),
    Case(
        "link-news-sitemap",
        page(),
        link_context=[
            {"source": "link:sitemap-news", "raw": "2023-01-22", "via": "https://news.example/news-sitemap.xml"}
        ],
        published="2023-01-22",
        source="link:sitemap-news",
    ),
    Case(
        "sitemap-lastmod-is-only-a-bound",
        page(),
        link_context=[{"source": "link:sitemap", "raw": "2023-01-21", "via": "https://news.example/sitemap.xml"}],
        published=None,
    ),
    Case(
        "htmldate-search",
        page(after="<div class='info'>Published: 2023-01-20</div>"),
        published="2023-01-20",
        source="htmldate",
    ),
    Case("side-list-dates-are-other-stories", page(after=SIDE_LIST), published=None),
    Case(
        "http-date-and-last-modified-never-publish",
        page(),
        headers={"Date": "Sat, 04 Feb 2023 10:00:00 GMT", "Last-Modified": "Fri, 03 Feb 2023 10:00:00 GMT"},
        published=None,
    ),
    Case(
        "generic-banner-is-a-stamp",
        page(before="<div class='today'>Saturday 4 February 2023</div>"),
        published=None,
        stamp="2023-02-04",
    ),
    Case(
        "json-ld-modified",
        page(
            JSON_LD.format(
                json='{"@type": "NewsArticle", "headline": "Council agrees reform", "datePublished": "2023-01-10", "dateModified": "2023-02-01T12:00:00Z"}'
            )
        ),
        published="2023-01-10",
        source="json-ld:datePublished",
        modified="2023-02-01T12:00:00Z",
    ),
    Case(
        "visible-byline-beats-rewritten-metadata",
        page(
            "<meta property='article:published_time' content='2022-06-01T00:00:00Z'>",
            inside="<div class='byline'><time datetime='2008-10-06'>6 Oct 2008</time></div>",
        ),
        published="2008-10-06",
        source="time:article",
        mismatch=["archival"],
    ),
    Case(
        "utc-instant-read-as-the-local-day",
        page(
            JSON_LD.format(
                json='{"@type": "NewsArticle", "headline": "Council agrees reform", "datePublished": "2023-01-25T02:30:00Z"}'
            )
        ),
        url="https://news.example/2023/01/24/council-agrees-reform",
        published="2023-01-24",
        source="json-ld:datePublished",
    ),
]

MISMATCHES = [
    Case(
        "consistent",
        page("<meta property='article:published_time' content='2023-02-03T08:00:00+01:00'>"),
        published="2023-02-03T08:00:00+01:00",
        mismatch=None,
    ),
    Case(
        "archival",
        page("<meta property='article:published_time' content='2010-05-05T08:00:00+02:00'>"),
        mismatch=["archival"],
    ),
    Case(
        "stamp-not-publication",
        page(
            "<meta property='article:published_time' content='2010-05-05T08:00:00+02:00'>",
            before="<div class='date'>Saturday 4 February 2023</div>",
        ),
        stamp="2023-02-04",
        mismatch=["stamp_not_publication", "archival"],
    ),
    Case(
        "future-date-rejected",
        page("<meta property='article:published_time' content='2031-01-01T00:00:00Z'>"),
        published=None,
        mismatch=["future_date_rejected"],
    ),
    Case(
        "modified-not-published",
        page(
            JSON_LD.format(
                json='{"@type": "NewsArticle", "headline": "Council agrees reform", "dateModified": "2023-02-02T12:00:00Z"}'
            )
        ),
        published=None,
        modified="2023-02-02T12:00:00Z",
        mismatch=["modified_not_published"],
    ),
    Case("no-date-anywhere", page(), published=None, mismatch=None),
]


def _extract(case: Case) -> dict:
    record = (
        ArticleExtractor()
        .extract(
            case.html,
            case.url,
            crawled_at=case.crawled_at,
            headers=case.headers,
            link_context=case.link_context,
            anchors=case.anchors,
        )
        .record
    )
    assert record is not None
    return record


@pytest.mark.parametrize("case", SOURCES, ids=lambda c: c.id)
def test_source(case: Case):
    record = _extract(case)
    assert record["published"] == case.published
    if case.source is not None:
        assert record["published_source"] == case.source
        chosen = [e for e in record["date_evidence"] if e["accepted"] and e["role"] == "published"]
        assert len(chosen) == 1 and chosen[0]["reason"]
    if case.stamp is not None:
        assert record["page_date_stamp"] == case.stamp
    if case.modified is not None:
        assert record["modified"] == case.modified
    if case.mismatch is not None:
        assert record["date_mismatch"]["kinds"] == case.mismatch
    # whatever wins, every candidate is listed with a reason
    assert all(e["reason"] for e in record["date_evidence"])
    assert record["published"] is None or record["published"][:10] <= case.crawled_at[:10]


@pytest.mark.parametrize("case", MISMATCHES, ids=lambda c: c.id)
def test_mismatch(case: Case):
    record = _extract(case)
    mismatch = record["date_mismatch"]
    if case.mismatch is None:
        assert mismatch is None
    else:
        assert mismatch["kinds"] == case.mismatch
        assert mismatch["kind"] == case.mismatch[0]
        assert mismatch["detail"].endswith(".")
    if case.published is not None or case.id in {"future-date-rejected", "modified-not-published"}:
        assert record["published"] == case.published
    if case.stamp:
        assert record["page_date_stamp"] == case.stamp
    if case.id == "modified-not-published":
        # the update day is the latest the story can have appeared; when it first did is unknown,
        # so there is no publication day, only its bound
        assert record["published_precision"] is None
        assert record["published_earliest"] is None
        assert record["published_latest"] == "2023-02-02"
        assert "only a modification date" in record["date_mismatch"]["detail"]
        assert "on or before 2023-02-02" in record["date_mismatch"]["detail"]


def test_side_list_dates_are_reported_for_the_linked_stories():
    outcome = ArticleExtractor().extract(
        page(after=SIDE_LIST), "https://news.example/politics/x", crawled_at="2023-02-04T10:00:00Z"
    )
    assert {d.url for d in outcome.link_dates} == {"https://news.example/news/99", "https://news.example/news/98"}
    assert outcome.record["published"] is None


ORDERED_IDS = parse_profile(
    {"name": "ordered", "hosts": ["ordered.example"], "dates": {"id_pattern": r"^/world/(?P<id>\d+)$"}}, "test"
)


def test_id_bracket_dates_a_story_from_its_neighbours():
    from datetime import date

    record = ArticleExtractor(ExtractOptions(profiles=(ORDERED_IDS,))).extract(
        page(), "https://ordered.example/world/1500", crawled_at="2018-02-04T10:00:00Z",
        anchors=[Anchor(1490, date(2015, 3, 2), "listing"), Anchor(1510, date(2015, 3, 4), "listing")],
    ).record  # fmt: skip
    assert record["published_source"] == "estimate:id-bracket"
    assert record["published_precision"] == "range"
    assert record["published_earliest"] == "2015-02-27"
    assert record["published_latest"] == "2015-03-07"
    assert record["date_mismatch"]["kinds"] == ["archival"]


@pytest.mark.parametrize(
    "raw",
    [
        "not a date",
        "4/2/23",
        "2023-02-30",
        "2031-01-01T00:00:00Z",
        "2023-02-01T10:00:00",
        "12 Smarch 2023",
        "4 février 2023",
        "0000-00-00",
    ],
    ids=[
        "unparseable",
        "two-digit-year",
        "impossible-day",
        "far-future",
        "timezone-less",
        "unknown-month",
        "non-english",
        "zero-date",
    ],
)
def test_bad_dates_never_raise(raw):
    html = page(f"<meta property='article:published_time' content='{raw}'>")
    record = ArticleExtractor().extract(html, "https://news.example/a", crawled_at="2023-02-04T10:00:00Z").record
    meta = [e for e in record["date_evidence"] if e["source"] == "meta:article:published_time"]
    assert len(meta) == 1 and meta[0]["reason"]
    if meta[0]["value"] is None or meta[0]["value"] > "2023-02-05":
        assert not meta[0]["accepted"]
