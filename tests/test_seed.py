"""The project's founding case: a 2023 capture of a 2008 EUobserver story under a 2023 date banner."""

from __future__ import annotations

from datetime import date

import pytest

from euspider import extract_article

from .conftest import MIRROR_DIR, SEED_TEXT

SEED_URL = "https://euobserver.com/world/26823"
BOILERPLATE = [
    "Read and decide",
    "Join EUobserver today",
    "Become an expert on Europe",
    "Get instant access",
    "subscribe as a group",
    "Latest News",
    "Stakeholders' Highlights",
    "Europe is giving more aid to Ukraine",
    "Democracy — is it in crisis",
    "Support quality EU news",
    "Join us",
]


@pytest.fixture(scope="module")
def seed_capture(mirror):
    return mirror.lookup("/euobserver.com/world/26823")


@pytest.fixture(scope="module")
def seed_record(seed_capture, extract_capture):
    return extract_capture(seed_capture).record


def _seed_paragraphs() -> list[str]:
    if not SEED_TEXT.exists():
        pytest.skip("the seed document is not available on this machine")
    lines = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    body_start = lines.index(
        'Russia has reiterated its call for a pan-European summit aimed at creating a "reliable collective security system" in Europe, arguing that existing structures "did not pass the strength test" during the conflict in South Caucasus last August.'
    )
    body_end = next(i for i, line in enumerate(lines) if line.startswith("Europe is giving more aid"))
    upsell = {"Read and decide", "Join EUobserver today", "Become an expert on Europe", "... or subscribe as a group"}
    return [
        line
        for line in lines[body_start:body_end]
        if line and line not in upsell and not line.startswith("Get instant access")
    ]


def test_every_story_paragraph_is_kept(seed_record):
    paragraphs = _seed_paragraphs()
    assert len(paragraphs) == 13
    for paragraph in paragraphs:
        assert paragraph in seed_record["text"]


@pytest.mark.parametrize("snippet", BOILERPLATE)
def test_boilerplate_is_gone(seed_record, snippet):
    assert snippet not in seed_record["text"]


def test_three_dates_kept_apart(seed_record):
    assert seed_record["page_date_stamp"] == "2023-02-04"
    assert seed_record["crawled_at"].startswith("2023-02-04T")
    assert seed_record["published"] != "2023-02-04"
    assert seed_record["published_source"].startswith("estimate:")
    assert seed_record["published_precision"] == "range"
    earliest = date.fromisoformat(seed_record["published_earliest"])
    latest = date.fromisoformat(seed_record["published_latest"])
    assert earliest <= date(2008, 9, 27) <= latest
    assert (latest - earliest).days + 1 <= 7


def test_mismatch_says_the_stamp_is_not_the_publication(seed_record):
    mismatch = seed_record["date_mismatch"]
    assert mismatch["kind"] == "stamp_not_publication"
    assert "archival" in mismatch["kinds"]
    assert abs(mismatch["gap_days"] - 5240) <= 10
    assert mismatch["stamp"] == "2023-02-04"


def test_page_alone_has_no_date_but_still_flags_the_stamp(seed_capture):
    """No other pages to learn from: nothing dates the story, but the prose rules the banner out."""
    record = extract_article(seed_capture.body(), SEED_URL, crawled_at="2023-02-04T10:00:00Z")
    assert record["published"] is None
    assert record["page_date_stamp"] == "2023-02-04"
    mismatch = record["date_mismatch"]
    assert mismatch["kind"] == "stamp_not_publication"
    assert mismatch["gap_days"] is None
    assert "Saturday (27 September)" in mismatch["detail"]


def test_plain_file_read_matches_mirror_capture(seed_capture):
    assert seed_capture.path.parent == MIRROR_DIR
    assert seed_capture.captured_at.date() == date(2023, 2, 4)
