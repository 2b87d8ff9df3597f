"""Extraction degrades, never drops a good story: pure tests per fault (decoding, JSON-LD, dates,
pages that are not stories). The same faults crawled for real are in tests/test_faults.py."""

from __future__ import annotations

import random

import pytest

from euspider.dates.evidence import JSON_LD_MAX_DEPTH, load_json_ld
from euspider.dates.parse import parse_date
from euspider.extract import ArticleExtractor, decode

from .faultsite import ACCENTED, CHINESE, NOISE, PARAGRAPHS, PDF, PNG, story

URL = "https://news.example/2024/05/01/ministers-meet-on-the-budget"
CRAWLED = "2024-06-01T10:00:00Z"
FRENCH = story("Le budget européen : les négociations continuent", paragraphs=ACCENTED).replace(
    "<meta charset='utf-8'>", ""
)
ZH = story("欧盟预算谈判将持续到夏天", paragraphs=CHINESE).replace("<meta charset='utf-8'>", "")


def html(content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type}


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (FRENCH.encode("cp1252"), "text/html; charset=utf-8", FRENCH),  # windows-1252 served as UTF-8
        (FRENCH.encode("cp1252"), "text/html", FRENCH),  # nothing declared
        (FRENCH.encode("utf-8"), "text/html; charset=iso-8859-1", FRENCH),  # UTF-8 served as latin-1
        (FRENCH.encode("utf-8"), "text/html; charset=iso-8859-15", FRENCH),
        (FRENCH.encode("utf-8"), "text/html; charset=windows-1252", FRENCH),
        (ZH.encode("utf-8"), "text/html; charset=gb2312", ZH),  # UTF-8 served as gb2312
        (ZH.encode("gb18030"), "text/html; charset=gb2312", ZH),  # real gb2312 (as gb18030) stays
        (ZH.encode("gb18030"), "text/html; charset=utf-8", ZH),  # GB bytes served as UTF-8: detected
        (FRENCH.encode("cp1252"), "text/html; charset=iso-8859-1", FRENCH),  # declared right
        (FRENCH.replace("<head>", "<head><meta charset='windows-1252'>").encode("cp1252"), "text/html; charset=utf-8",
         FRENCH.replace("<head>", "<head><meta charset='windows-1252'>")),  # the meta charset is right
        ("\ufeff".encode() + FRENCH.encode("utf-8"), "text/html; charset=iso-8859-1", FRENCH),  # a BOM wins
        (FRENCH.encode("utf-16"), "text/html", FRENCH),
    ],
    ids=[
        "cp1252-as-utf8", "cp1252-undeclared", "utf8-as-latin1", "utf8-as-latin9", "utf8-as-cp1252", "utf8-as-gb2312",
        "gb-as-gb2312", "gb-as-utf8", "cp1252-as-latin1", "meta-charset", "bom", "utf16-bom",
    ],
)  # fmt: skip
def test_decoding_follows_the_bytes_not_the_label(body, content_type, expected):
    text, reason = decode(body, html(content_type))
    assert reason is None
    assert text == expected


def test_stray_bytes_in_a_utf8_page_are_read_as_windows_1252():
    """A curly quote pasted from a word processor into an otherwise UTF-8 page."""
    body = FRENCH.encode("utf-8").replace(b"les n\xc3\xa9gociations", b"les \x93n\xc3\xa9gociations\x94")
    text, _ = decode(body, html("text/html; charset=utf-8"))
    assert "\ufffd" not in text
    assert "les “négociations”" in text


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "text/html", "empty_body"),
        (b" \n\t ", "text/html", "empty_body"),
        (PDF, "text/html", "not_html"),
        (PNG, "text/html; charset=utf-8", "not_html"),
        (b"GIF89a" + NOISE[:200], "text/html", "not_html"),
        (b"\xff\xd8\xff\xe0" + NOISE[:200], "text/html", "not_html"),
        (b"PK\x03\x04" + NOISE[:200], None, "not_html"),
        (b"<html><body><p>hello</p></body></html>", "application/octet-stream", "not_html"),
        (b"<html><body><p>hello</p></body></html>", "image/png", "not_html"),
        (NOISE, "text/html", "undecodable"),
        (random.Random(3).randbytes(3000), "text/html; charset=utf-8", "undecodable"),
    ],
    ids=["empty", "blank", "pdf", "png", "gif", "jpeg", "zip", "octet-stream", "image", "noise", "noise-utf8"],
)
def test_bodies_that_are_not_pages(body, content_type, reason):
    headers = html(content_type) if content_type else {}
    assert decode(body, headers) == (None, reason)


# --- JSON-LD -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"@type": "NewsArticle", "datePublished": ', "unparseable JSON-LD"),
        ("{" * 5000, "unparseable JSON-LD"),
        ('{"a":' * 10_000 + "1" + "}" * 10_000, "nested deeper"),
        ("[" * 900 + "1" + "]" * 900, "nested deeper"),
        ('{"a":' * (JSON_LD_MAX_DEPTH + 1) + "1" + "}" * (JSON_LD_MAX_DEPTH + 1), "nested deeper"),
        ('{"@type": "NewsArticle", "x": "' + "a" * 1_000_001 + '"}', "more than 1000000"),
    ],
    ids=["cut", "open-braces", "nested-10000", "lists-900", "just-too-deep", "huge"],
)
def test_broken_json_ld_gives_a_reason_never_an_exception(text, problem):
    data, reason = load_json_ld(text)
    assert data is None
    assert problem in reason


def test_usable_json_ld_loads():
    assert load_json_ld('{"@type": "NewsArticle", "datePublished": "2024-05-01",}')[0]["@type"] == "NewsArticle"
    deep_enough = '{"a":' * (JSON_LD_MAX_DEPTH - 1) + "1" + "}" * (JSON_LD_MAX_DEPTH - 1)
    assert load_json_ld(deep_enough)[1] == ""


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0000-01-01", "year 0 is out of range"),
        ("0001-01-01T00:00:00Z", "year 1 is out of range"),  # the zero time of Go and .NET
        ("9999-12-31T23:59:59-12:00", "year 9999 is out of range"),
        ("31 December 9999", "year 9999 is out of range"),
        ("0800", "year 800 is out of range"),
        ("1715000000000", "13-digit number"),
        ("2024-13-45T99:99", "impossible month 13"),
    ],
)
def test_absurd_dates_are_refused_with_a_reason(raw, reason):
    parsed, why = parse_date(raw)
    assert parsed is None
    assert reason in why


def test_plausible_dates_still_parse():
    assert parse_date("2999-01-01")[0] is not None
    assert parse_date("1715000000")[0].iso() == "2024-05-06T12:53:20Z"
    assert parse_date("1000")[0].iso() == "1000"


# --- a good story with a broken part -------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_text(extractor: ArticleExtractor) -> str:
    return extractor.extract(story("Ministers meet").encode(), URL, crawled_at=CRAWLED).record["text"]


BROKEN_PARTS = {
    "json-ld-invalid": ('<script type="application/ld+json">{"@type": "NewsArticle", "datePub</script>', ""),
    "json-ld-nested": ('<script type="application/ld+json">' + '{"a":' * 10_000 + "1" + "}" * 10_000 + "</script>", ""),
    "json-ld-huge": ('<script type="application/ld+json">["' + "x" * 1_200_000 + '"]</script>', ""),
    "meta-year-0": ('<meta property="article:published_time" content="0000-01-01T00:00:00Z">', ""),
    "meta-year-9999": ('<meta property="article:published_time" content="9999-12-31T23:59:59-12:00">', ""),
    "meta-epoch-ms": ('<meta property="article:published_time" content="1715000000000">', ""),
    "parsely-nested": ("<meta name='parsely-page' content='" + '{"a":' * 5000 + "}" * 5000 + "'>", ""),
    "time-broken": ("", "<p class='byline'><time datetime='2024-13-45T99:99'>someday</time></p>"),
    "time-year-0": ("", "<p class='byline'><time datetime='0000-00-00 00:00:00'>-</time></p>"),
    "deep-divs": ("", "<div>" * 100_000 + "x" + "</div>" * 100_000),
}


@pytest.mark.parametrize("part", list(BROKEN_PARTS))
def test_a_broken_part_costs_only_itself(part, extractor: ArticleExtractor, clean_text: str):
    head, body_extra = BROKEN_PARTS[part]
    page = story("Ministers meet", head=head, body_extra=body_extra)
    outcome = extractor.extract(page.encode(), URL, crawled_at=CRAWLED, headers=html("text/html; charset=utf-8"))
    assert outcome.record is not None, outcome.detail
    assert outcome.record["text"] == clean_text
    assert outcome.record["published"] == "2024-05-01"  # from the URL: the broken part took nothing else


# --- pages that are not stories ------------------------------------------------------------------


def test_a_page_of_100000_links_is_a_listing_before_extraction(extractor: ArticleExtractor):
    links = "".join(f"<li><a href='/i/{i}'>Item {i}</a></li>" for i in range(100_000))
    page = f"<html><head><title>Links</title></head><body><ul>{links}</ul></body></html>"
    outcome = extractor.extract(page.encode(), URL, crawled_at=CRAWLED)
    assert outcome.skip_reason == "listing"
    assert "100000 links" in outcome.detail
    assert outcome.dates is None  # decided before the costly steps


def _menu(count: int) -> str:
    """A site's menu of ``count`` links (sections and their subsections), as large sites put on every page."""
    return (
        "<nav><ul>"
        + "".join(f"<li><a href='/section/{i}'>Section {i} news</a></li>" for i in range(count))
        + "</ul></nav>"
    )


@pytest.mark.parametrize("paragraph", ["p", "div"])
def test_a_short_story_under_a_menu_of_1500_links_is_a_story(extractor: ArticleExtractor, paragraph: str):
    """The menu's link texts outweigh the story's text four to one; the story's paragraphs (``<p>``, or
    ``<div>`` used as paragraphs) still make it one."""
    page = story("Ministers meet", paragraphs=PARAGRAPHS[:3]).replace("<article>", _menu(1500) + "<article>")
    page = page.replace("<p>", f"<{paragraph}>").replace("</p>", f"</{paragraph}>")
    outcome = extractor.extract(page.encode(), URL, crawled_at=CRAWLED)
    assert outcome.record is not None, outcome.detail
    assert outcome.record["text"] == "\n".join(PARAGRAPHS[:3])


def test_a_story_under_25000_links_is_a_listing_before_extraction(extractor: ArticleExtractor):
    """So many links would cost seconds of extraction whatever else the page holds: the bound stays."""
    page = story("Ministers meet").replace("<article>", _menu(25_000) + "<article>")
    outcome = extractor.extract(page.encode(), URL, crawled_at=CRAWLED)
    assert outcome.skip_reason == "listing"
    assert "25002 links" in outcome.detail  # the menu's and the page header's two
    assert outcome.dates is None


def test_a_text_of_short_link_lines_is_a_listing(extractor: ArticleExtractor):
    """Short link texts (names, labels) are no headlines, but a text made of them is no story either."""
    lines = "".join(f"<p><a href='/topic/{i}'>Topic {i}</a></p>" for i in range(40))
    page = story("Topics", paragraphs=["Browse all of our topics below, from the budget to the elections."])
    outcome = extractor.extract(page.replace("</article>", lines + "</article>").encode(), URL, crawled_at=CRAWLED)
    assert outcome.skip_reason == "listing", outcome.detail
    assert "text of links" in outcome.detail


def test_a_text_of_repeated_lines_is_not_a_story(extractor: ArticleExtractor):
    lines = ["Cheap watches online, free delivery this week.", "Buy now and save big on all brands today."]
    outcome = extractor.extract(story("Deals", paragraphs=lines * 100).encode(), URL, crawled_at=CRAWLED)
    assert outcome.skip_reason == "repetitive"


def test_a_story_with_links_and_a_repeated_line_is_still_a_story(extractor: ArticleExtractor):
    paragraphs = [p.replace("Brussels", "<a href='/brussels'>Brussels</a>") for p in PARAGRAPHS]
    paragraphs += ["<a href='/budget'>Budget talks</a>", "Read more", "<a href='/eu'>EU</a>", "Read more"] * 2
    page = story("Ministers meet", paragraphs=paragraphs)
    assert extractor.extract(page.encode(), URL, crawled_at=CRAWLED).record is not None
