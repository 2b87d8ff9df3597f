"""Every page of the bundled mirror against its golden file (text, metadata, dates, mismatch)."""

from __future__ import annotations

import pytest

from euspider.dom import norm_space

from .conftest import GOLDEN_PAGES, GoldenPage

ARTICLES = [p for p in GOLDEN_PAGES if p.golden["kind"] == "article"]
OTHERS = [p for p in GOLDEN_PAGES if p.golden["kind"] != "article"]


def test_mirror_has_the_pages_the_project_needs():
    assert len(ARTICLES) >= 15
    kinds = {p.golden["kind"] for p in OTHERS}
    assert {"listing", "not_article"} <= kinds


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.id)
def test_article_text_is_exactly_the_story(page: GoldenPage, extract_capture):
    record = extract_capture(page.capture).record
    assert record is not None
    assert norm_space(record["text"]) == norm_space(page.golden["text"])
    for snippet in page.golden["must_exclude"]:
        assert snippet not in record["text"]
    assert record["boilerplate"]["residue"] == []


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.id)
def test_article_metadata(page: GoldenPage, extract_capture):
    record = extract_capture(page.capture).record
    golden = page.golden
    assert record["url"] == golden["url"]
    assert record["canonical_url"] == golden["canonical_url"]
    assert record["title"] == golden["title"]
    assert record["authors"] == golden["authors"]
    assert record["language"] == golden["language"]
    assert record["paywall_truncated"] is golden["paywall_truncated"]


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.id)
def test_article_dates_match_golden(page: GoldenPage, extract_capture):
    record = extract_capture(page.capture).record
    expect = page.golden["expect"]
    for name, value in expect.items():
        if name == "date_mismatch":
            got = record["date_mismatch"]
            assert (got and {"kinds": got["kinds"], "gap_days": got["gap_days"]}) == value
        else:
            assert record[name] == value, name


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.id)
def test_dates_are_true_and_never_the_stamp(page: GoldenPage, extract_capture):
    """Independent of the snapshot: what the fixture's author knows to be true."""
    record = extract_capture(page.capture).record
    true = page.golden["true_published"]
    assert record["crawled_at"][:10] == page.golden["capture_date"]
    if record["published"] is not None:
        assert record["published_earliest"] <= true <= record["published_latest"]
        assert record["published_latest"] <= record["crawled_at"][:10]
    if record["page_date_stamp"] is not None and record["page_date_stamp"] != true:
        assert not (record["published_earliest"] == record["published_latest"] == record["page_date_stamp"])


@pytest.mark.parametrize("page", OTHERS, ids=lambda p: p.id)
def test_non_articles_are_dropped_with_a_reason(page: GoldenPage, extract_capture):
    outcome = extract_capture(page.capture)
    assert outcome.record is None
    assert outcome.skip_reason == page.golden["expect"]["skip_reason"]
    assert outcome.detail
