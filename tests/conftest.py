"""Shared fixtures: the bundled mirror, its golden pages, and the dating context a crawl would have."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from euspider.dates import Anchor
from euspider.extract import ArticleExtractor, Outcome
from euspider.mirror import Capture, Mirror, MirrorServer, offline_leads

ROOT = Path(__file__).resolve().parent.parent
MIRROR_DIR = ROOT / "fixtures" / "euobserver"
SEED_TEXT = ROOT.parent / "shared" / "seeds" / "000_732a06e29f7c16f2.txt"


@dataclass
class GoldenPage:
    capture: Capture
    golden: dict

    @property
    def id(self) -> str:
        return self.capture.path.stem


def _golden_pages() -> list[GoldenPage]:
    mirror = Mirror(MIRROR_DIR)
    pages = []
    for capture in mirror.captures.values():
        golden = capture.path.with_suffix(".json")
        if golden.exists():
            pages.append(GoldenPage(capture, json.loads(golden.read_text(encoding="utf-8"))))
    return sorted(pages, key=lambda p: p.id)


GOLDEN_PAGES = _golden_pages()


@pytest.fixture(scope="session")
def mirror() -> Mirror:
    return Mirror(MIRROR_DIR)


@pytest.fixture(scope="session")
def leads(mirror: Mirror):
    return offline_leads(mirror)


@pytest.fixture(scope="session")
def extractor() -> ArticleExtractor:
    return ArticleExtractor()


@pytest.fixture(scope="session")
def extract_capture(extractor: ArticleExtractor, leads):
    """Extract a mirror capture as the crawl does: with the mirror's link context and ID anchors."""

    def run(capture: Capture, *, with_context: bool = True) -> Outcome:
        lead = leads.get(capture.url) if with_context else None
        return extractor.extract(
            capture.body(),
            capture.url,
            crawled_at=capture.captured_at,
            headers={"Content-Type": capture.content_type},
            link_context=lead.link_context if lead else (),
            anchors=[Anchor(i, date.fromisoformat(d), s) for i, d, s in lead.anchors] if lead else (),
        )

    return run


@pytest.fixture(scope="session")
def mirror_server():
    with MirrorServer(MIRROR_DIR) as server:
        yield server
