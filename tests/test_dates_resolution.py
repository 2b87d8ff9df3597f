"""How the resolver weighs dates: bounds, precision, time zones, migrations, guesses, stamps and bylines.

Each page is written by hand after what real pages do; expected values are worked out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from euspider.extract import ArticleExtractor, extract_article

from .test_dates_sources import JSON_LD, STORY, page

CAPTURE = "2023-02-04T10:00:00Z"


def _record(html: str, url: str = "https://news.example/politics/council-agrees-reform", crawled_at: str = CAPTURE):
    record = ArticleExtractor().extract(html, url, crawled_at=crawled_at).record
    assert record is not None
    return record


def _evidence(record: dict, source: str) -> list[dict]:
    return [e for e in record["date_evidence"] if e["source"] == source]


def _ld(**fields: str) -> str:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
    return JSON_LD.format(json='{"@type": "NewsArticle", "headline": "Council agrees reform", ' + pairs + "}")


# --- bounds: nothing after the capture; a modification date is a bound ---------------------------


def test_an_instant_after_the_capture_instant_is_refused():
    # the capture is at 10:00Z; 22:00Z the same day has not happened yet
    record = _record(page("<meta property='article:published_time' content='2023-02-04T22:00:00Z'>"))
    assert record["published"] is None
    assert record["date_mismatch"]["kinds"] == ["future_date_rejected"]
    (meta,) = _evidence(record, "meta:article:published_time")
    assert not meta["accepted"] and "after the capture" in meta["reason"]


def test_a_bare_date_on_the_capture_day_is_allowed():
    record = _record(page("<meta property='article:published_time' content='2023-02-04'>"))
    assert record["published"] == "2023-02-04"
    assert record["published_precision"] == "day"
    assert record["date_mismatch"] is None


def test_an_instant_before_the_capture_on_the_same_day_is_allowed():
    record = _record(page("<meta property='article:published_time' content='2023-02-04T09:30:00Z'>"))
    assert record["published"] == "2023-02-04T09:30:00Z"


def test_a_modification_only_page_has_no_publication_day():
    # WordPress without a publication time: og:updated_time only
    record = _record(page("<meta property='og:updated_time' content='2022-11-28T09:15:00+01:00'>"))
    assert record["published"] is None
    assert record["published_precision"] is None
    assert record["published_earliest"] is None
    assert record["published_latest"] == "2022-11-28"
    assert record["modified"] == "2022-11-28T09:15:00+01:00"
    assert record["date_mismatch"]["kinds"] == ["modified_not_published"]
    (bound,) = [e for e in record["date_evidence"] if e["role"] == "bound"]
    assert bound["value"] == bound["latest"] == "2022-11-28"
    assert "on or before" in bound["reason"]


def test_an_old_modification_only_page_is_archival_at_least():
    record = _record(page(_ld(dateModified="2019-03-01T12:00:00+01:00")))
    assert record["published"] is None
    assert record["published_latest"] == "2019-03-01"
    assert record["date_mismatch"]["kinds"] == ["modified_not_published", "archival"]
    assert record["date_mismatch"]["gap_days"] is None  # the publication day itself is unknown
    assert "at least" in record["date_mismatch"]["detail"]


def test_htmldate_on_the_modification_day_does_not_make_it_a_publication_day():
    # the page prints only "Updated: 28.11.2022": htmldate reads that day, which is still only a bound
    html = page(
        "<meta property='og:updated_time' content='2022-11-28T09:15:00+01:00'>",
        after="<div class='info'>Updated: 28.11.2022</div>",
    )
    record = _record(html)
    assert record["published"] is None
    assert record["published_latest"] == "2022-11-28"


def test_a_time_classed_both_published_and_updated_is_the_publication_date():
    # WordPress themes print <time class="entry-date published updated"> when nothing was changed
    html = page(
        inside="<p class='byline'>Posted by Ed on <time class='entry-date published updated' "
        "datetime='2020-02-23T10:07:02+01:00'>23 February 2020</time></p>"
    )
    record = _record(html)
    assert record["published"] == "2020-02-23T10:07:02+01:00"
    assert record["modified"] is None


def test_a_publication_label_on_the_modification_instant_is_not_the_publication():
    # sailthru.date copied from the last update, while JSON-LD keeps the first publication
    html = page(
        _ld(datePublished="2020-01-19T12:25:36Z", dateModified="2020-01-20T09:49:32Z")
        + "<meta name='sailthru.date' content='2020-01-20T09:49:32Z'>"
    )
    record = _record(html, crawled_at="2020-01-21T10:00:00Z")
    assert record["published"] == "2020-01-19T12:25:36Z"
    (sailthru,) = _evidence(record, "meta:sailthru.date")
    assert not sailthru["accepted"] and "modification time" in sailthru["reason"]


# --- precision: a month stays a month; a lone guess after a refusal is a month --------------------


def test_a_month_stays_a_month():
    # no capture time: bounded by now, the day htmldate runs on (it fills a missing day with it)
    record = extract_article(
        page("<meta name='citation_publication_date' content='2023-01'>"), "https://news.example/council"
    )
    assert record["published"] == "2023-01"
    assert record["published_precision"] == "month"
    assert (record["published_earliest"], record["published_latest"]) == ("2023-01-01", "2023-01-31")


def test_htmldate_filling_in_the_first_of_a_stated_month_is_not_a_day():
    # the URL gives the month; the story text names it too; htmldate answers the 1st
    html = page(after="<div class='info'>January 2023</div>")
    record = _record(html, url="https://news.example/2023/01/council-agrees-reform")
    assert record["published_precision"] == "month"
    assert record["published"] == "2023-01"


def test_a_guess_after_the_page_date_was_refused_is_only_a_month():
    # JSON-LD says a date after the capture (refused); htmldate alone finds 20 January
    html = page(_ld(datePublished="2031-01-01T00:00:00Z"), after="<div class='info'>Published: 2023-01-20</div>")
    record = _record(html)
    assert record["published"] == "2023-01"
    assert record["published_precision"] == "month"
    assert record["published_source"].startswith("htmldate")
    assert "future_date_rejected" in record["date_mismatch"]["kinds"]


def test_a_guess_with_nothing_refused_keeps_its_day():
    record = _record(page(after="<div class='info'>Published: 2023-01-20</div>"))
    assert record["published"] == "2023-01-20"
    assert record["published_precision"] == "day"


# --- migrations: the earliest well-attested day ------------------------------------------------


def test_a_url_date_years_before_the_metadata_wins():
    # a 2017 story re-saved in 2021: the CMS rewrote datePublished and the byline, the URL kept the
    # original; three sources agree on 2021, but a first publication is never later than a re-save
    html = page(
        _ld(datePublished="2021-03-01T10:00:00+01:00")
        + "<meta property='article:published_time' content='2021-03-01T10:00:00+01:00'>",
        inside="<div class='byline'>By A. Writer, 1 March 2021</div>",
    )
    record = _record(html, url="https://news.example/2017/07/12/council-agrees-reform")
    assert record["published"] == "2017-07-12"
    assert record["published_source"] == "url"
    (url,) = _evidence(record, "url")
    assert "earliest well-attested" in url["reason"]


def test_a_single_old_metadata_date_does_not_beat_an_agreed_one():
    # one stray meta tag years earlier (a template default) against the byline and JSON-LD
    html = page(
        _ld(datePublished="2022-06-01T10:00:00+02:00") + "<meta name='dcterms.created' content='2004-01-01'>",
        inside="<div class='byline'>By A. Writer, 1 June 2022</div>",
    )
    record = _record(html)
    assert record["published"][:10] == "2022-06-01"


# --- time zones --------------------------------------------------------------------------------


@dataclass
class Zoned:
    id: str
    html: str
    url: str
    published: str
    zone_words: str | None


ZONES = [
    Zoned(
        "country-domain",
        page(_ld(datePublished="2020-08-25T00:23:33Z")),
        "https://news.example.ca/transport-scolaire",
        "2020-08-24T20:23:33-04:00",
        "America/Toronto",
    ),
    Zoned(
        "locale-region",
        page(_ld(datePublished="2020-08-25T00:23:33Z") + "<meta property='og:locale' content='fr_CA'>"),
        "https://news.example/transport-scolaire",
        "2020-08-24T20:23:33-04:00",
        "fr_CA",
    ),
    Zoned(
        "language",
        page(_ld(datePublished="2022-01-26T23:30:00Z"), lang="de"),
        "https://news.example/bonn-konvention",
        "2022-01-27T00:30:00+01:00",
        "'de'",
    ),
    Zoned(
        "offset-stated-elsewhere",
        page(_ld(datePublished="2023-03-05T23:10:00Z", dateModified="2023-03-06T09:00:00+09:00")),
        "https://news.example/tokyo-story",
        "2023-03-06T08:10:00+09:00",
        "+09:00",
    ),
]


@pytest.mark.parametrize("case", ZONES, ids=lambda c: c.id)
def test_a_utc_instant_is_read_in_the_publishers_zone(case: Zoned):
    record = _record(case.html, url=case.url, crawled_at="2024-01-01T00:00:00Z")
    assert record["published"] == case.published
    (chosen,) = [e for e in record["date_evidence"] if e["accepted"] and e["role"] == "published"]
    assert case.zone_words in chosen["reason"]


def test_the_default_us_locale_says_nothing_about_the_zone():
    # en_US is what content systems declare by default: 01:30Z stays on its UTC day
    html = page(_ld(datePublished="2023-11-09T01:30:00Z") + "<meta property='og:locale' content='en_US'>")
    record = _record(html, url="https://news.example/debate", crawled_at="2024-01-01T00:00:00Z")
    assert record["published"] == "2023-11-09T01:30:00Z"


def test_the_day_a_page_prints_for_an_instant_is_the_publishers_day():
    # the page prints the UTC time itself, so its readers saw the UTC day, whatever the domain says
    html = page(
        inside="<div class='byline'><time datetime='2023-11-09T04:59:25Z'>Nov. 9, 2023, 4:59 AM UTC</time></div>"
    )
    record = _record(html, url="https://news.example.ca/debate", crawled_at="2024-01-01T00:00:00Z")
    assert record["published"][:10] == "2023-11-09"


# --- htmldate on the whole page and the pruned page --------------------------------------------


def test_htmldate_votes_on_both_pages_and_both_are_recorded():
    record = _record(page(after="<div class='info'>Published: 2023-01-20</div>"))
    assert {e["source"] for e in record["date_evidence"]} >= {"htmldate", "htmldate:whole"}
    assert {e["value"] for e in record["date_evidence"] if e["source"].startswith("htmldate")} == {"2023-01-20"}


# --- the page's date stamp -----------------------------------------------------------------------


def test_todays_date_in_a_top_bar_is_a_stamp_even_without_the_capture_day():
    html = page(before="<div class='top-bar'><span class='date'>Wednesday, 1 November 2023</span></div>")
    outcome = ArticleExtractor().extract(html, "https://news.example/a", now=_utc("2024-01-01T00:00:00"))
    assert outcome.record["page_date_stamp"] == "2023-11-01"
    assert outcome.record["published"] is None
    assert "Wednesday" not in outcome.record["text"]


def test_a_blog_date_header_is_not_a_stamp():
    # Blogger prints each post's day in an <h2 class="date-header"> above the post, outside its body
    html = (
        "<html><body><div class='blog-posts'><h2 class='date-header'><span>Saturday, 9 September 2017</span></h2>"
        f"<div class='post'><h3>Council agrees reform</h3><div class='post-body'>{STORY}</div></div></div></body></html>"
    )
    outcome = ArticleExtractor().extract(html, "https://blog.example/2017/09/x.html", now=_utc("2024-01-01T00:00:00"))
    assert outcome.record["page_date_stamp"] is None
    assert outcome.record["published"][:10] == "2017-09-09"


def _utc(text: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- bylines and datelines -----------------------------------------------------------------------


def test_a_byline_labels_its_publication_and_update_dates():
    html = page(inside="<p class='date'>Written: 2023-01-07 15:03:30 <span> / </span>Updated: 2023-01-08 15:30:46</p>")
    record = _record(html)
    assert record["published"] == "2023-01-07"
    assert [e["role"] for e in _evidence(record, "byline")] == ["published", "modified"]


def test_a_teasers_date_inside_the_article_is_not_the_byline():
    teaser = (
        "<div class='related'><p class='date'>2023-01-03</p>"
        "<a href='/politics/other-story'>Ministers meet again over the budget rules</a></div>"
    )
    html = page(inside=teaser + "<p class='date'>2023-01-07</p>")
    record = _record(html)
    assert record["published"] == "2023-01-07"


def test_a_byline_between_the_headline_and_a_separate_body_counts():
    html = (
        "<html><body><div class='node'><div class='title'><h1>Council agrees reform</h1></div>"
        "<div class='field--name-node-post-date'>20.12.2022</div>"
        f"<div class='field--name-body'>{STORY}</div></div></body></html>"
    )
    record = _record(html)
    assert record["published"] == "2022-12-20"
    assert record["published_source"] == "byline"


def test_a_dateline_opening_the_story_dates_it():
    body = "<p><strong>Karlsruhe, (12.11.2021).</strong> " + STORY.removeprefix("<p>")
    html = f"<html><body><main><article><h1>Trauern digital</h1>{body}</article></main></body></html>"
    record = _record(html)
    assert record["published"] == "2021-11-12"
    assert record["published_source"] == "dateline"


def test_prose_after_a_comma_is_no_dateline():
    body = "<p>The council, 12.11.2021 being the deadline, agreed. " + STORY.removeprefix("<p>")
    html = f"<html><body><main><article><h1>Council agrees reform</h1>{body}</article></main></body></html>"
    record = _record(html)
    assert not _evidence(record, "dateline")


def test_a_date_found_without_the_stamp_on_the_stamp_day_counts():
    # the top bar shows today's date; the story, published the same day, prints it lower down.
    # The stamp is removed with the chrome, so the search of the pruned page did not read it.
    html = page(
        before="<div class='top-bar'><span class='date'>Wednesday, 1 November 2023</span></div>",
        after="<div class='info'>Published: 2023-11-01</div>",
    )
    outcome = ArticleExtractor().extract(html, "https://news.example/b", now=_utc("2024-01-01T00:00:00"))
    assert outcome.record["page_date_stamp"] == "2023-11-01"
    assert outcome.record["published"] == "2023-11-01"
    (whole,) = _evidence(outcome.record, "htmldate:whole")
    assert not whole["accepted"] and "date stamp" in whole["reason"]
