"""The public extraction API on bad input and edge cases: a clear skip reason, never an exception."""

from __future__ import annotations

import pytest

from euspider import extract_article
from euspider.extract import ArticleExtractor, content_hash

from .test_dates_sources import page

GOOD = page()


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"", {"Content-Type": "text/html"}, "empty_body"),
        (b"   \n ", {"Content-Type": "text/html"}, "empty_body"),
        (b"%PDF-1.4 binary", {"Content-Type": "application/pdf"}, "not_html"),
        (b'{"json": true}', {"Content-Type": "application/json"}, "not_html"),
        (bytes(range(256)) * 40, {"Content-Type": "text/html; charset=utf-8"}, "undecodable"),
        (b"<html><body><p>Hello.</p></body></html>", {"Content-Type": "text/html"}, "too_short"),
        (b"<html><body><nav><a href='/a'>A</a></nav></body></html>", {}, "too_short"),
        (b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>", {}, "no_main_text"),
    ],
    ids=["empty", "whitespace", "pdf", "json", "binary-garbage", "too-short", "nav-only", "no-text"],
)
def test_bad_input_is_a_counted_skip(body, headers, reason):
    outcome = ArticleExtractor().extract(
        body, "https://news.example/x", crawled_at="2023-02-04T10:00:00Z", headers=headers
    )
    assert outcome.record is None
    assert outcome.skip_reason == reason
    assert outcome.detail


def test_extract_article_returns_the_record_or_none():
    record = extract_article(GOOD, "https://news.example/politics/reform", crawled_at="2023-02-04T10:00:00Z")
    assert record["title"] == "Council agrees reform"
    assert list(record)[:3] == ["schema_version", "url", "canonical_url"]
    assert extract_article(b"", "https://news.example/empty", crawled_at="2023-02-04T10:00:00Z") is None


def test_bytes_are_decoded_with_the_declared_charset():
    html = page(
        inside="<p class='lead'>Der Rat einigte sich über die Reform der Schuldenregeln für die Mitgliedstaaten.</p>"
    ).encode("iso-8859-1", "replace")
    record = extract_article(
        html,
        "https://news.example/de",
        crawled_at="2023-02-04T10:00:00Z",
        headers={"Content-Type": "text/html; charset=iso-8859-1"},
    )
    assert "einigte sich über die Reform" in record["text"]


def test_unknown_capture_time_gives_null_crawled_at():
    record = extract_article(GOOD, "https://news.example/politics/reform")
    assert record["crawled_at"] is None


def test_memento_header_is_the_capture_time():
    record = extract_article(
        GOOD, "https://news.example/politics/reform", headers={"Memento-Datetime": "Sat, 04 Feb 2023 10:00:00 GMT"}
    )
    assert record["crawled_at"] == "2023-02-04T10:00:00Z"


def test_bad_crawled_at_is_a_clear_error():
    with pytest.raises(ValueError, match="crawled_at"):
        extract_article(GOOD, "https://news.example/a", crawled_at="yesterday")


def test_content_hash_ignores_whitespace_only():
    assert content_hash("a  b\nc") == content_hash("a b c")
    assert content_hash("a b c") != content_hash("a b d")
    assert content_hash("x").startswith("sha256:")


def test_generic_prompts_are_removed_without_a_profile():
    prompts = (
        "<div class='subscribe-box'><h3>Subscribe now</h3><p>Get unlimited access. Cancel anytime.</p></div>"
        "<div class='nl'><p>Sign up for our daily newsletter</p><form><input type='email'><button>Go</button></form></div>"
        "<div id='cookies'><p>We use cookies to improve your experience. <button>Accept</button></p></div>"
    )
    html = page(
        after=prompts
        + "<section><h2>Related articles</h2><ul><li><a href='/a'>Ministers clash over the budget in Brussels</a></li><li><a href='/b'>MEPs vote on the new migration package today</a></li></ul></section>"
    )
    record = extract_article(html, "https://unprofiled.example/story", crawled_at="2023-02-04T10:00:00Z")
    for snippet in [
        "Subscribe now",
        "Cancel anytime",
        "newsletter",
        "We use cookies",
        "Related articles",
        "Ministers clash",
    ]:
        assert snippet not in record["text"]
    removed = record["boilerplate"]["removed"]
    assert (
        removed.get("paywall_prompt")
        and removed.get("newsletter_prompt")
        and removed.get("cookie_notice")
        and removed.get("related")
    )
    assert record["boilerplate"]["profile"] is None


def test_story_paragraph_mentioning_a_newsletter_is_kept():
    paragraph = "<p>The ministry said its weekly newsletter to farmers had been read by more than forty thousand people since the spring, a figure officials called a success for the new rural outreach programme.</p>"
    html = page(inside=paragraph)
    record = extract_article(html, "https://unprofiled.example/story2", crawled_at="2023-02-04T10:00:00Z")
    assert "weekly newsletter to farmers" in record["text"]


def test_paywall_cut_is_recorded():
    wall = "<div class='paywall'><p>Subscribe to read the full story. Already a subscriber? Log in</p></div>"
    html = page().replace("</div></article>", "</div>" + wall + "</article>")
    record = extract_article(html, "https://unprofiled.example/locked", crawled_at="2023-02-04T10:00:00Z")
    assert record["paywall_truncated"] is True
    assert "Subscribe to read" not in record["text"]


def test_residue_is_reported():
    from euspider.boilerplate import residue

    assert residue("A story paragraph that is long enough to be prose.\nSubscribe now for full access") == [
        "Subscribe now for full access"
    ]
    assert residue("Nothing to see here.") == []


def test_a_date_stamp_on_a_page_without_a_story_element_is_no_error():
    # a date bar in the header and an article element holding only its headline: no story element is
    # found, and the stamp is still read without touching the missing scope
    html = (
        "<!DOCTYPE html><html lang='en'><head><title>Budget budget</title></head><body><header>"
        "<div class='date'>2000-01-01T00:00:00+00:00</div></header><article><h1>Budget budget</h1></article>"
        "<aside><ul></ul></aside>x</body></html>"
    )
    outcome = ArticleExtractor().extract(html, "https://news.example/story-0", crawled_at="2000-01-01T00:00:00Z")
    assert outcome.record is None
    assert outcome.skip_reason in {"no_main_text", "too_short"}
