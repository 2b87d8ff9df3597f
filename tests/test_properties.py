"""Properties that hold for every page and every date string (hypothesis): extraction and date parsing
never raise, ``published`` is never after ``crawled_at`` (a datetime never after it; a day, month or
year never begun after it anywhere on earth), and every record is valid against the shipped JSON
Schema. bench/fuzz.py checks the same properties (:func:`bench.fuzz.record_problems`) over 100,000+
generated inputs."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import record_problems
from euspider.dates.parse import MAX_YEAR, MIN_YEAR, parse_date
from euspider.extract import ArticleExtractor

from .property_strategies import crawled_ats, dates_for, pages

EXTRACTOR = ArticleExtractor()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pages())
def test_extract_never_raises_and_keeps_dates_before_the_capture(page):
    body, url, crawled_at, headers = page
    outcome = EXTRACTOR.extract(body, url, crawled_at=crawled_at, headers=headers)
    if outcome.record is not None:
        assert not record_problems(outcome.record, crawled_at)
        assert outcome.record["crawled_at"] == crawled_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        assert outcome.skip_reason


@st.composite
def date_strings(draw: st.DrawFn) -> str:
    return draw(dates_for(draw(crawled_ats)))


@settings(max_examples=800, deadline=None)
@given(st.one_of(date_strings(), st.text(max_size=60), st.from_regex(r"\d{1,14}(\.\d{1,4})?", fullmatch=True)))
def test_parse_date_never_raises_and_gives_usable_values(raw):
    parsed, reason = parse_date(raw)
    if parsed is None:
        assert reason
        return
    assert MIN_YEAR <= parsed.value.year <= MAX_YEAR
    assert parsed.precision in {"datetime", "day", "month", "year"}
    parsed.iso()
    parsed.instant.astimezone(UTC)  # every value can be compared with the capture time
    if parsed.precision == "datetime":
        assert parsed.value.tzinfo is not None


def test_a_datetime_minutes_after_the_capture_keeps_only_its_day():
    """Found by the property above: the resolver's 14-hour tolerance (for days in far-east offsets) let
    an instant one minute after the capture through as published."""
    page = (
        "<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
        "<p class='byline'>By Ana Costa, 2000-01-01T00:00:00+00:00</p><time datetime='2000-01-01T00:01:00+00:00'>"
        "2000-01-01</time><p>The budget talks went on all night, ministers said, and will resume today.</p>"
        "</article></body></html>"
    )
    crawled_at = datetime(2000, 1, 1, tzinfo=UTC)
    record = EXTRACTOR.extract(page.encode(), "https://news.example/story", crawled_at=crawled_at).record
    assert record["published"] == "2000-01-01"
    assert not record_problems(record, crawled_at)


def test_a_year_given_during_that_year_ends_at_the_capture():
    """Found by bench/fuzz.py: published "2009" (a year) captured in April 2009 had published_latest
    2009-12-31, after the capture."""
    crawled_at = datetime(2009, 4, 1, 15, 20, tzinfo=UTC)
    page = (
        "<html><head><title>Budget</title><meta property='article:published_time' content='2009'></head><body>"
        "<article><h1>Budget</h1><p>The budget talks went on all night, ministers said, and will resume today "
        "in Brussels with the finance ministers.</p></article></body></html>"
    )
    record = EXTRACTOR.extract(page.encode(), "https://news.example/story", crawled_at=crawled_at).record
    assert record["published"] == "2009"
    assert record["published_latest"] == "2009-04-01"
    assert not record_problems(record, crawled_at)


def test_an_instant_after_the_capture_whose_local_day_began_after_it_is_refused():
    """Found by bench/fuzz.py (page:1:2493): 01:40 on the 24th at +13:00 is 12:40Z on the 23rd, five hours
    after a capture at 07:20Z; its local day began at 11:00Z, after the capture too."""
    crawled_at = datetime(2002, 5, 23, 7, 20, 5, tzinfo=UTC)
    page = (
        "<html><head><title>Budget</title><meta name='parsely-pub-date' content='2002-05-24T01:40:05+13:00'></head>"
        "<body><article><h1>Budget</h1><p>The budget talks went on all night, ministers said, and will resume "
        "today in Brussels with the finance ministers.</p></article></body></html>"
    )
    record = EXTRACTOR.extract(page.encode(), "https://news.example/story", crawled_at=crawled_at).record
    (parsely,) = [e for e in record["date_evidence"] if e["source"] == "meta:parsely-pub-date"]
    assert not parsely["accepted"]
    assert parsely["reason"].startswith("after the capture")
    assert "future_date_rejected" in record["date_mismatch"]["kinds"]
    assert not record_problems(record, crawled_at)
