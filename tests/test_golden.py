"""Every page of the bundled mirror against its golden file: text, metadata and dates against what the
fixture's author wrote by hand from the page (its true publication day, how it can be known, the date
the page displays), and the dating against its last snapshot (a change detector)."""

from __future__ import annotations

from datetime import date

import pytest

from euspider.dates import DateSettings
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
def test_dating_is_unchanged_since_the_snapshot(page: GoldenPage, extract_capture):
    """Change detector: the dates the extractor gave when `python fixtures/update_snapshots.py` last
    ran. A failure means the dating changed; judge the change against the truths below, then take a
    new snapshot. It does not say the dates are right: the next three tests do."""
    record = extract_capture(page.capture).record
    for name, value in page.golden["snapshot"].items():
        if name == "date_mismatch":
            got = record["date_mismatch"]
            assert (got and {"kinds": got["kinds"], "gap_days": got["gap_days"]}) == value
        else:
            assert record[name] == value, name


DATED = [p for p in ARTICLES if not p.golden["dated_by"].startswith("estimate")]
ESTIMATED = [p for p in ARTICLES if p.golden["dated_by"].startswith("estimate")]
STAMPED = [p for p in ARTICLES if p.golden["page_date_stamp"] is not None]


def test_the_truths_cover_every_kind_of_page():
    assert len(DATED) >= 12 and len(ESTIMATED) >= 3 and len(STAMPED) >= 12
    assert all(isinstance(p.golden["estimate_max_days"], int) for p in ESTIMATED)


@pytest.mark.parametrize("page", DATED, ids=lambda p: p.id)
def test_dated_page_gets_its_true_publication_day(page: GoldenPage, extract_capture):
    """The page or the pages linking to it state the day (`dated_by`): `published` is that day exactly."""
    record = extract_capture(page.capture).record
    true = page.golden["true_published"]
    assert record["published"][:10] == true
    assert record["published_earliest"] == record["published_latest"] == true
    assert record["published_precision"] in {"day", "datetime"}


@pytest.mark.parametrize("page", ESTIMATED, ids=lambda p: p.id)
def test_estimated_page_range_holds_the_truth_and_is_narrow(page: GoldenPage, extract_capture):
    """Nothing states the day: the estimate must contain it and be at most `estimate_max_days` wide."""
    record = extract_capture(page.capture).record
    true = date.fromisoformat(page.golden["true_published"])
    earliest, latest = date.fromisoformat(record["published_earliest"]), date.fromisoformat(record["published_latest"])
    assert record["published_precision"] == "range"
    assert record["published_source"].startswith("estimate:")
    assert earliest <= true <= latest
    assert (latest - earliest).days + 1 <= page.golden["estimate_max_days"]


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.id)
def test_stamp_capture_and_publication_are_kept_apart(page: GoldenPage, extract_capture):
    """The date the page displays (a banner) is read as the stamp and never taken for the story's."""
    record = extract_capture(page.capture).record
    stamp = page.golden["page_date_stamp"]
    assert record["page_date_stamp"] == stamp
    assert record["crawled_at"][:10] == page.golden["capture_date"]
    assert record["published_latest"] <= record["crawled_at"][:10]
    true = page.golden["true_published"]
    if stamp is not None and stamp != true:
        assert record["published"][:10] != stamp
        if (date.fromisoformat(stamp) - date.fromisoformat(true)).days > DateSettings.mismatch_days:
            assert "stamp_not_publication" in record["date_mismatch"]["kinds"]


@pytest.mark.parametrize("page", OTHERS, ids=lambda p: p.id)
def test_non_articles_are_dropped_with_a_reason(page: GoldenPage, extract_capture):
    outcome = extract_capture(page.capture)
    assert outcome.record is None
    assert outcome.skip_reason == page.golden["snapshot"]["skip_reason"]
    assert outcome.detail
